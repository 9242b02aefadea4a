"""`invoke doctor`: what this machine has for the project, and what each missing piece disables.

Read-only: it runs `--version` style probes and never installs anything (that is `invoke setup`). A
missing ESP-IDF is normal on a host-only machine: everything except the firmware build still works.
"""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

from irrigation_tools import ToolError
from irrigation_tools.espidf import locate_idf, version_warning

Which = Callable[[str], "str | None"]
RunProbe = Callable[[Sequence[str]], "tuple[int, str]"]


def _which(program: str) -> str | None:
    # Debian installs the brokers in /usr/sbin, which is not on a normal user's PATH.
    return shutil.which(program) or shutil.which(program, path="/usr/local/sbin:/usr/sbin:/sbin")


def _run_probe(cmd: Sequence[str]) -> tuple[int, str]:
    try:
        result = subprocess.run(list(cmd), capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return 127, str(exc)
    return result.returncode, (result.stdout + result.stderr)


@dataclass(frozen=True)
class Finding:
    name: str
    present: bool
    detail: str
    disables: str
    warning: str | None = None


@dataclass(frozen=True)
class Probes:
    which: Which = _which
    run: RunProbe = _run_probe
    env: Mapping[str, str] | None = None
    include_dirs: tuple[Path, ...] = (Path("/usr/include"), Path("/usr/local/include"))
    python_version: Callable[[str], "str | None"] = lambda name: _dist_version(name)


def _dist_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _tool(probes: Probes, name: str, programs: Sequence[str], version_args: Sequence[str], disables: str) -> Finding:
    for program in programs:
        path = probes.which(program)
        if path:
            _, output = probes.run([path, *version_args])
            return Finding(name, True, f"{_first_line(output) or 'present'} ({path})", disables)
    return Finding(name, False, f"{' / '.join(programs)} not on PATH", disables)


def _pkg_config(probes: Probes, name: str, module: str, disables: str) -> Finding:
    if probes.which("pkg-config") is None:
        return Finding(name, False, "pkg-config not on PATH, cannot look for " + module, disables)
    code, output = probes.run(["pkg-config", "--modversion", module])
    if code == 0:
        return Finding(name, True, f"{module} {_first_line(output)}", disables)
    return Finding(name, False, f"pkg-config finds no {module}", disables)


def _header(probes: Probes, name: str, header: str, disables: str) -> Finding:
    for directory in probes.include_dirs:
        if (directory / header).is_file():
            return Finding(name, True, f"{directory / header}", disables)
    return Finding(name, False, f"{header} not found in " + ", ".join(map(str, probes.include_dirs)), disables)


def _esp_idf(probes: Probes) -> Finding:
    disables = "firmware build, flash, monitor, menuconfig, clean and size-report (invoke build ...)"
    try:
        install = locate_idf(probes.env)
    except ToolError as exc:
        return Finding("ESP-IDF v5.4.2", False, _first_line(exc.message), disables)
    version = str(install.version) if install.version else "unknown version"
    return Finding("ESP-IDF v5.4.2", True, f"{version} at {install.path}", disables, version_warning(install))


def _gcovr(probes: Probes) -> Finding:
    disables = "nox -s coverage"
    version = probes.python_version("gcovr")
    if version:
        return Finding("gcovr", True, f"gcovr {version} (Python package)", disables)
    return _tool(probes, "gcovr", ["gcovr"], ["--version"], disables)


def diagnose(probes: Probes | None = None) -> list[Finding]:
    p = probes or Probes()
    host_build = "every host build: nox -s host_tests / coverage / e2e, invoke simulate"
    simulator = "the simulator: invoke simulate, nox -s e2e"
    return [
        _esp_idf(p),
        _tool(p, "xtensa toolchain", ["xtensa-esp-elf-gcc", "xtensa-esp32-elf-gcc"], ["--version"],
              "firmware builds for esp32 and esp32s3"),
        _tool(p, "riscv toolchain", ["riscv32-esp-elf-gcc"], ["--version"], "firmware builds for esp32c3"),
        _tool(p, "cmake", ["cmake"], ["--version"], host_build),
        _tool(p, "ninja", ["ninja"], ["--version"], host_build),
        _tool(p, "gcc", ["gcc"], ["--version"], host_build),
        _pkg_config(p, "cmocka", "cmocka", "host unit tests: nox -s host_tests / coverage"),
        _header(p, "paho-mqtt C", "MQTTAsync.h", simulator),
        _pkg_config(p, "libmicrohttpd", "libmicrohttpd", simulator),
        _tool(p, "nats-server", ["nats-server"], ["--version"],
              "invoke simulate's local broker and the NATS end-to-end tests"),
        _tool(p, "mosquitto", ["mosquitto"], ["-h"], "the Mosquitto end-to-end tests"),
        _tool(p, "clang-format", ["clang-format"], ["--version"], "nox -s lint (format check), invoke format"),
        _tool(p, "cppcheck", ["cppcheck"], ["--version"], "nox -s lint (static analysis)"),
        _gcovr(p),
    ]


def report(findings: Sequence[Finding]) -> str:
    width = max(len(f.name) for f in findings)
    lines = ["doctor: tools for the smart-irrigation node (firmware, simulator, tests)"]
    for f in findings:
        mark = "ok     " if f.present else "MISSING"
        lines.append(f"  [{mark}] {f.name.ljust(width)}  {f.detail}")
        if not f.present:
            lines.append(f"            {' ' * width}  -> disables: {f.disables}")
        if f.warning:
            lines.append(f"            {' ' * width}  -> {f.warning}")
    missing = [f.name for f in findings if not f.present]
    summary = f"{len(findings) - len(missing)} present, {len(missing)} missing"
    lines.append("summary: " + summary + (" (" + ", ".join(missing) + ")" if missing else ""))
    if missing:
        lines.append("`invoke setup` installs the Debian packages; ESP-IDF v5.4.2 is installed separately "
                     "(see README).")
    return "\n".join(lines)


def run_doctor(probes: Probes | None = None) -> list[Finding]:
    findings = diagnose(probes)
    print(report(findings))
    return findings


__all__ = ["Finding", "Probes", "diagnose", "report", "run_doctor"]
