"""Wrappers around ESP-IDF's idf.py for the firmware build (build, flash, monitor, menuconfig, clean).

Each firmware target builds in its own directory, build/firmware/<target>, with its own sdkconfig there
(so switching between esp32, esp32s3 and esp32c3 never forces a full clean of another target, and the
host builds under build/ are never touched by `idf.py fullclean`). Options that must persist belong in
sdkconfig.defaults; `menuconfig` edits the per-target sdkconfig of the build directory.

When ESP-IDF is not installed or its environment is not active, the wrappers stop with one message that
says how to install or activate ESP-IDF v5.4.2 (`ToolError`), before anything else runs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

from irrigation_tools import ToolError

REQUIRED_VERSION = (5, 4, 2)
SUPPORTED_TARGETS = ("esp32", "esp32s3", "esp32c3")
DEFAULT_TARGET = "esp32"

INSTALL_HINT = (
    "Install ESP-IDF v5.4.2 as Espressif's Get Started guide describes (a v5.4.2 checkout with submodules, "
    "then `./install.sh esp32,esp32s3,esp32c3`), activate it with `. ./export.sh` in this shell, and run "
    "this command again (README, \"Firmware: build and flash\")."
)

_VERSION_RE = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?(\S*)")
_HEADER_RE = re.compile(r"#define\s+ESP_IDF_VERSION_(MAJOR|MINOR|PATCH)\s+(\d+)")


@dataclass(frozen=True)
class IdfVersion:
    major: int
    minor: int
    patch: int
    suffix: str = ""

    def __str__(self) -> str:
        return f"v{self.major}.{self.minor}.{self.patch}{self.suffix}"

    @property
    def is_supported_series(self) -> bool:
        """True for 5.4.x, the series this project is built and tested with."""
        return (self.major, self.minor) == REQUIRED_VERSION[:2]


def parse_idf_version(text: str) -> IdfVersion | None:
    """Parse `idf.py --version` output ("ESP-IDF v5.4.2", "v5.4-dirty", "v5.5-dev-12-gabc")."""
    match = _VERSION_RE.search(text)
    if match is None:
        return None
    major, minor, patch, suffix = match.groups()
    return IdfVersion(int(major), int(minor), int(patch or 0), suffix or "")


def read_version_header(idf_path: Path) -> IdfVersion | None:
    """The version from esp_idf_version.h, which every ESP-IDF checkout has (no Python env needed)."""
    header = idf_path / "components" / "esp_common" / "include" / "esp_idf_version.h"
    try:
        text = header.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    parts = dict(_HEADER_RE.findall(text))
    if not {"MAJOR", "MINOR", "PATCH"} <= parts.keys():
        return None
    return IdfVersion(int(parts["MAJOR"]), int(parts["MINOR"]), int(parts["PATCH"]))


@dataclass(frozen=True)
class IdfInstall:
    path: Path
    idf_py: Path
    version: IdfVersion | None


def locate_idf(env: Mapping[str, str] | None = None) -> IdfInstall:
    """Find an active ESP-IDF (IDF_PATH and idf.py on PATH, as export.sh leaves them) or raise ToolError."""
    env = os.environ if env is None else env
    idf_path_text = env.get("IDF_PATH", "").strip()
    found = shutil.which("idf.py", path=env.get("PATH", ""))
    idf_py = Path(found) if found else None
    if not idf_path_text and idf_py is None:
        raise ToolError("ESP-IDF is not installed (IDF_PATH is not set and idf.py is not on PATH).\n" + INSTALL_HINT)
    if idf_path_text:
        idf_path = Path(idf_path_text)
        if not (idf_path / "tools" / "idf.py").is_file():
            raise ToolError(
                f"IDF_PATH={idf_path_text} is not an ESP-IDF checkout (no tools/idf.py).\n" + INSTALL_HINT
            )
        if idf_py is None:
            raise ToolError(
                f"ESP-IDF is at {idf_path_text} but its environment is not active (idf.py is not on PATH).\n"
                f"Run `. {idf_path_text}/export.sh` in this shell (install it first with "
                f"`{idf_path_text}/install.sh esp32,esp32s3,esp32c3` if needed), then run this command again."
            )
    else:
        assert idf_py is not None
        idf_path = idf_py.resolve().parent.parent
    assert idf_py is not None
    return IdfInstall(path=idf_path, idf_py=idf_py, version=read_version_header(idf_path))


def version_warning(install: IdfInstall) -> str | None:
    """A warning when the installed ESP-IDF is not the 5.4.x series, else None."""
    required = "v%d.%d.%d" % REQUIRED_VERSION
    if install.version is None:
        return f"warning: cannot tell the ESP-IDF version at {install.path}; this project expects {required}."
    if not install.version.is_supported_series:
        return (
            f"warning: ESP-IDF {install.version} at {install.path}; this project is built and tested with "
            f"{required} (5.4.x expected). Other versions may fail to build or behave differently."
        )
    return None


def check_target(target: str) -> str:
    if target not in SUPPORTED_TARGETS:
        raise ToolError(f"--target {target}: unsupported; choose one of {', '.join(SUPPORTED_TARGETS)}", code=2)
    return target


def firmware_build_dir(root: Path, target: str) -> Path:
    return root / "build" / "firmware" / target


def last_built_target(root: Path) -> str:
    """The target of the most recent firmware build (by its project_description.json), else esp32."""
    newest: tuple[float, str] | None = None
    for target in SUPPORTED_TARGETS:
        description = firmware_build_dir(root, target) / "project_description.json"
        if description.is_file():
            stamp = (description.stat().st_mtime, target)
            newest = stamp if newest is None or stamp > newest else newest
    return newest[1] if newest else DEFAULT_TARGET


def idf_command(install: IdfInstall, root: Path, target: str, action: Sequence[str]) -> list[str]:
    build_dir = firmware_build_dir(root, target)
    return [
        str(install.idf_py),
        "-C",
        str(root),
        "-B",
        str(build_dir),
        f"-DIDF_TARGET={target}",
        f"-DSDKCONFIG={build_dir / 'sdkconfig'}",
        *action,
    ]


Runner = Callable[[list[str]], int]


def _default_runner(cmd: list[str]) -> int:
    try:
        return subprocess.run(cmd, check=False).returncode
    except KeyboardInterrupt:
        return 130


def run_idf(
    action: Sequence[str],
    *,
    target: str | None = None,
    root: Path,
    env: Mapping[str, str] | None = None,
    runner: Runner = _default_runner,
) -> None:
    """Run one idf.py action for a target (default: the last one built) or raise ToolError."""
    # An option error is reported first (exit 2), whether or not ESP-IDF is installed.
    if target:
        check_target(target)
    install = locate_idf(env)
    warning = version_warning(install)
    if warning:
        print(warning, file=sys.stderr)
    if not (root / "CMakeLists.txt").is_file():
        raise ToolError(f"no firmware project at {root} (CMakeLists.txt is missing)")
    chosen = check_target(target) if target else last_built_target(root)
    cmd = idf_command(install, root, chosen, action)
    print("+ " + " ".join(cmd), file=sys.stderr)
    code = runner(cmd)
    if code != 0:
        raise ToolError(f"idf.py {' '.join(action)} failed for {chosen} (exit {code})", code=code)


def project_description(build_dir: Path) -> dict | None:
    """The build's project_description.json, or None when the directory holds no finished configure."""
    try:
        return json.loads((build_dir / "project_description.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
