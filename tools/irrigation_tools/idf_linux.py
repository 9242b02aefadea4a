"""The ESP-IDF test stage: the project's adapters on ESP-IDF's linux target (`nox -s idf_linux`).

Test apps live in host_tests/idf_linux/<app>/ (an ESP-IDF project each, Unity cases, a pytest-embedded-idf
test beside them). They are built for the linux target of the ESP-IDF the developer installed and exported
(IDF_PATH, idf.py on PATH; v5.4.2), each in build/idf_linux/<app>, and run as host processes by
pytest-embedded-idf, which parses the Unity output per case. Nothing of ESP-IDF is part of this repository.

Without an exported ESP-IDF the stage is skipped with one line that says so: skipped, never passed. CI keeps
the cmocka suite (nox -s host_tests), which runs the same adapters against hand-written fakes.

The connect -> PUBACK figure of ESP-MQTT is printed next to a bare Paho C program's on the same broker in the
same run (host_tests/bench/paho_floor.c, built here when its source and libpaho-mqtt-dev are present).
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Sequence

from irrigation_tools import ToolError
from irrigation_tools.espidf import IdfInstall, locate_idf

APPS = ("mqtt_ws_adapter", "nvs_config_adapter")
BUILD_JOBS = "2"
PAHO_FLOOR_SOURCE = Path("host_tests") / "bench" / "paho_floor.c"

_FIGURE_RE = re.compile(r"^figure: (\S+)((?: [^ \r\n]+)*)\s*$", re.MULTILINE)


def app_dir(root: Path, app: str) -> Path:
    return root / "host_tests" / "idf_linux" / app


def build_dir(root: Path, app: str) -> Path:
    return root / "build" / "idf_linux" / app


LINUX_PURPOSE = "to run the adapters on its linux target; CI runs the cmocka suite instead"


def find_idf(env: Optional[Mapping[str, str]] = None, stage: str = "idf_linux",
             purpose: str = LINUX_PURPOSE) -> tuple[Optional[IdfInstall], str]:
    """The exported ESP-IDF, or None and the one line that says why `stage` is skipped (not passed)."""
    try:
        return locate_idf(env), ""
    except ToolError as exc:
        first_line = str(exc).splitlines()[0]
        return None, f"{stage} SKIPPED (not passed): {first_line} Export ESP-IDF v5.4.2 (. $IDF_PATH/export.sh) {purpose}"


def idf_py(install: IdfInstall, env: Optional[Mapping[str, str]] = None) -> list[str]:
    """idf.py run by ESP-IDF's own Python (export.sh sets IDF_PYTHON_ENV_PATH): `python` on PATH may be this
    project's .venv, which lacks ESP-IDF's packages."""
    env = os.environ if env is None else env
    venv = env.get("IDF_PYTHON_ENV_PATH", "")
    python = Path(venv) / "bin" / "python"
    return [str(python), str(install.idf_py)] if venv and python.is_file() else [str(install.idf_py)]


def configure_cmd(install: IdfInstall, root: Path, app: str) -> list[str]:
    """idf.py configure of one test app for the linux target (a preview target in v5.4)."""
    build = build_dir(root, app)
    return [
        *idf_py(install), "--preview", "-C", str(app_dir(root, app)), "-B", str(build),
        "-DIDF_TARGET=linux", f"-DSDKCONFIG={build / 'sdkconfig'}", "reconfigure",
    ]


def is_configured(root: Path, app: str) -> bool:
    return (build_dir(root, app) / "build.ninja").is_file()


def build_cmd(root: Path, app: str) -> list[str]:
    # idf.py build would run ninja with its default job count; the machines here have 2 cores, shared.
    return ["cmake", "--build", str(build_dir(root, app)), "--parallel", BUILD_JOBS]


def pytest_cmd(root: Path, posargs: Sequence[str] = ()) -> list[str]:
    # Its own ini file: pytest-embedded is enabled there only (pyproject.toml turns it off elsewhere).
    stage = root / "host_tests" / "idf_linux"
    return [sys.executable, "-m", "pytest", "-c", str(stage / "pytest.ini"), "--rootdir", str(stage), str(stage), *posargs]


def paho_floor(root: Path, out_dir: Path) -> tuple[Optional[Path], str]:
    """The Paho floor program built into out_dir, or None and why not."""
    source = root / PAHO_FLOOR_SOURCE
    if not source.is_file():
        return None, f"{PAHO_FLOOR_SOURCE} is not in this tree"
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        return None, "no C compiler (cc)"
    out_dir.mkdir(parents=True, exist_ok=True)
    binary = out_dir / "paho_floor"
    if binary.is_file() and binary.stat().st_mtime >= source.stat().st_mtime:
        return binary, ""
    cmd = [compiler, "-O2", "-o", str(binary), str(source), "-lpaho-mqtt3a", "-lpthread"]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return None, f"building it failed (libpaho-mqtt-dev installed?): {result.stderr.strip()[:300]}"
    return binary, ""


def parse_figures(text: str) -> dict[str, list[str]]:
    """The "figure: NAME VALUE..." lines a test app printed, by name (the last line of a name wins)."""
    return {match.group(1): match.group(2).split() for match in _FIGURE_RE.finditer(text)}


@dataclass(frozen=True)
class Series:
    """Milliseconds of repeated runs."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def describe(self) -> str:
        if not self.values:
            return "no runs"
        return (
            f"median {self.median:.2f} ms, min {min(self.values):.2f}, max {max(self.values):.2f} "
            f"({len(self.values)} runs)"
        )


def series_of(words: Sequence[str]) -> Series:
    return Series(tuple(float(word) for word in words))


def comparison(esp_mqtt: Series, paho: Optional[Series], why_no_paho: str = "") -> list[str]:
    """The lines that put ESP-MQTT's connect -> PUBACK next to Paho's (item 7's figure; goal <= 1.2x)."""
    lines = [f"connect -> PUBACK, NATS, ESP-MQTT (linux target): {esp_mqtt.describe()}"]
    if paho is None or not paho.values:
        lines.append(f"connect -> PUBACK, NATS, bare Paho C: not measured ({why_no_paho or 'no runs'})")
        return lines
    lines.append(f"connect -> PUBACK, NATS, bare Paho C:           {paho.describe()}")
    if paho.median > 0:
        lines.append(f"ratio of medians ESP-MQTT / Paho: {esp_mqtt.median / paho.median:.2f} (goal <= 1.2)")
    return lines


_FLOOR_PUBACK_RE = re.compile(r'"event"\s*:\s*"puback"\s*,\s*"t_ms"\s*:\s*([0-9.]+)')


def puback_ms_of_floor(stdout: str) -> Optional[float]:
    """t_ms of paho_floor's {"event":"puback","t_ms":N} line (milliseconds from its start), else None."""
    match = _FLOOR_PUBACK_RE.search(stdout)
    return float(match.group(1)) if match else None


def run_paho_floor(binary: Path, uri: str, topic: str, payload_bytes: int, runs: int) -> tuple[Optional[Series], str]:
    """`runs` fresh paho_floor processes (connect, one QoS 1 publish of payload_bytes, PUBACK) on uri."""
    values = []
    for run in range(runs):
        result = subprocess.run(
            [str(binary), uri, f"paho-floor-{run}", topic, "x" * payload_bytes],
            capture_output=True, text=True, timeout=30, check=False,
        )
        t_ms = puback_ms_of_floor(result.stdout)
        if result.returncode != 0 or t_ms is None:
            return None, f"paho_floor failed (exit {result.returncode}): {result.stderr.strip()[:200]}"
        values.append(t_ms)
    return Series(tuple(values)), ""
