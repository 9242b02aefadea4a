"""Firmware size report: esp-idf-size on the link map file of the last firmware build.

Prints esp-idf-size's text table and writes its JSON ("json2" format) to build/size-report.json, so a
change in flash or RAM use can be read in a terminal and compared by a script. Looks at the per-target
build directories of `invoke build` (build/firmware/<target>) and at build/ itself (a plain `idf.py
build`), and takes the most recently written map file.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from irrigation_tools import ToolError
from irrigation_tools.espidf import SUPPORTED_TARGETS, firmware_build_dir, project_description

NO_BUILD_MESSAGE = (
    "no firmware build found (no link map file under build/firmware/<target>/ or build/): "
    "run `invoke build` first (it needs ESP-IDF v5.4.2)"
)


@dataclass(frozen=True)
class FirmwareMap:
    map_file: Path
    target: str


def _map_of(build_dir: Path) -> FirmwareMap | None:
    description = project_description(build_dir)
    if description is None:
        return None
    app_elf = description.get("app_elf") or f"{description.get('project_name', '')}.elf"
    map_file = build_dir / (Path(app_elf).stem + ".map")
    if not map_file.is_file():
        return None
    return FirmwareMap(map_file=map_file, target=str(description.get("target") or "?"))


def find_last_map(root: Path) -> FirmwareMap:
    """The map file of the newest firmware build, or ToolError when there is none."""
    candidates = [firmware_build_dir(root, target) for target in SUPPORTED_TARGETS] + [root / "build"]
    found = [fm for fm in (_map_of(d) for d in candidates) if fm is not None]
    if not found:
        raise ToolError(NO_BUILD_MESSAGE)
    return max(found, key=lambda fm: fm.map_file.stat().st_mtime)


def size_commands(map_file: Path, json_out: Path) -> list[list[str]]:
    tool = [sys.executable, "-m", "esp_idf_size"]
    return [
        [*tool, str(map_file)],
        [*tool, "--format", "json2", "--output-file", str(json_out), str(map_file)],
    ]


def run_size_report(
    root: Path, runner: Callable[[list[str]], int] = lambda cmd: subprocess.run(cmd, check=False).returncode
) -> Path:
    """Print the table and write build/size-report.json; returns the JSON path."""
    firmware = find_last_map(root)
    json_out = root / "build" / "size-report.json"
    print(f"size report for {firmware.target}: {firmware.map_file}")
    for cmd in size_commands(firmware.map_file, json_out):
        code = runner(cmd)
        if code != 0:
            raise ToolError(f"esp-idf-size failed on {firmware.map_file} (exit {code})", code=code)
    print(f"JSON written to {json_out}")
    return json_out
