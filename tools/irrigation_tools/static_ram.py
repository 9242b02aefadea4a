"""The project's own static RAM (.data + .bss of main/ and components/), per archive, without a link.

A developer check behind `invoke static-ram`: configure the firmware for a target with the exported ESP-IDF
(idf.py reconfigure, which writes compile_commands.json), compile only the project's own sources with their
exact compile commands into a scratch folder, and sum each object's .data/.sdata/.bss/.sbss sections (and
.dram*, where DRAM_ATTR puts data) as `size -A` reports them, per archive (lib<component>.a). The issue's
goal for esp32c3 is <= 12 KB (12,288 B).

Objects are counted whole: the linker may later drop a variable nothing references (-fdata-sections with
--gc-sections), so this is an upper bound of what the link keeps; an archive nothing links (e.g. the
adapter of the network variant not chosen) is listed but marked. A real link's per-archive figures come from
`invoke size-report` (esp-idf-size --archives).
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping, Optional, Sequence

GOAL_BYTES = 12 * 1024
_SECTION_RE = re.compile(r"^(\.(?:s?data|s?bss|dram\d*)(?:\.\S*)?)\s+(\d+)\s+\d+\s*$", re.MULTILINE)

Runner = Callable[[Sequence[str], Path], "subprocess.CompletedProcess[str]"]


def _run(cmd: Sequence[str], cwd: Path) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(list(cmd), cwd=cwd, capture_output=True, text=True, check=False)


def static_bytes(size_a_output: str) -> int:
    """Sum of the static RAM sections in `size -A` output of one object."""
    return sum(int(match.group(2)) for match in _SECTION_RE.finditer(size_a_output))


def archive_of(source: Path, root: Path) -> Optional[str]:
    """lib<component>.a of a project source (main/ or components/**/<component>/...), None for others."""
    try:
        parts = source.resolve().relative_to(root.resolve()).parts
    except ValueError:
        return None
    if parts[0] == "main":
        return "libmain.a"
    if parts[0] != "components" or len(parts) < 3:
        return None
    component = parts[2] if parts[1] == "infrastructure" and len(parts) > 3 else parts[1]
    return f"lib{component}.a"


@dataclass(frozen=True)
class Entry:
    source: Path
    directory: Path
    args: tuple[str, ...]
    archive: str


def project_entries(compile_commands: Sequence[Mapping[str, str]], root: Path) -> list[Entry]:
    """The compile_commands.json entries of the project's own C files."""
    entries = []
    for item in compile_commands:
        source = Path(item["file"])
        archive = archive_of(source, root)
        if archive is None or source.suffix != ".c":
            continue
        args = tuple(shlex.split(item["command"])) if "command" in item else tuple(item["arguments"])
        entries.append(Entry(source, Path(item["directory"]), args, archive))
    return entries


def with_output(args: Sequence[str], out: Path) -> list[str]:
    """The compile command writing its object to `out`, without a dependency file."""
    cmd = list(args)
    cmd[cmd.index("-o") + 1] = str(out)
    for flag in ("-MF", "-MT"):
        while flag in cmd:
            at = cmd.index(flag)
            del cmd[at:at + 2]
    return [word for word in cmd if word != "-MD"]


def size_tool_of(compiler: str) -> str:
    """riscv32-esp-elf-gcc -> riscv32-esp-elf-size (the same toolchain's binutils)."""
    return re.sub(r"(g?cc|clang)$", "size", compiler)


@dataclass
class Measurement:
    per_archive: dict[str, int]
    failures: list[str]

    @property
    def total(self) -> int:
        return sum(self.per_archive.values())


def measure(entries: Iterable[Entry], scratch: Path, run: Runner = _run) -> Measurement:
    per_archive: dict[str, int] = {}
    failures = []
    for entry in entries:
        out = scratch / entry.archive / (entry.source.name + ".o")
        out.parent.mkdir(parents=True, exist_ok=True)
        compiled = run(with_output(entry.args, out), entry.directory)
        if compiled.returncode != 0:
            failures.append(f"{entry.source}: {compiled.stderr.strip()[:500]}")
            continue
        sized = run([size_tool_of(entry.args[0]), "-A", str(out)], entry.directory)
        if sized.returncode != 0:
            failures.append(f"{out}: size failed: {sized.stderr.strip()[:200]}")
            continue
        per_archive[entry.archive] = per_archive.get(entry.archive, 0) + static_bytes(sized.stdout)
    return Measurement(per_archive, failures)


def report_lines(measurement: Measurement, baseline: Optional[Mapping[str, int]] = None,
                 unlinked: Sequence[str] = ()) -> list[str]:
    """Per archive, biggest first, the total and the goal; with a baseline, the change of each."""
    lines = []
    names = sorted(set(measurement.per_archive) | set(baseline or {}),
                   key=lambda name: (-measurement.per_archive.get(name, 0), name))
    for name in names:
        now = measurement.per_archive.get(name, 0)
        note = "  (not linked: nothing in main.c calls it)" if name in unlinked else ""
        change = ""
        if baseline is not None:
            change = f"  {now - baseline.get(name, 0):+,} B (was {baseline.get(name, 0):,})"
        lines.append(f"  {name:<28} {now:>8,} B{change}{note}")
    linked = sum(v for k, v in measurement.per_archive.items() if k not in unlinked)
    lines.append(f"  {'total (linked archives)':<28} {linked:>8,} B")
    verdict = "within" if linked <= GOAL_BYTES else "OVER"
    lines.append(f"goal: <= {GOAL_BYTES:,} B of the project's own .data + .bss on esp32c3: {verdict}")
    return lines


def load_baseline(path: Path) -> dict[str, int]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): int(v) for k, v in data["per_archive"].items()}


def save(measurement: Measurement, path: Path) -> None:
    path.write_text(json.dumps({"per_archive": measurement.per_archive, "total": measurement.total}, indent=2)
                    + "\n", encoding="utf-8")


# ---- the developer check: configure with the exported ESP-IDF, then measure ----------------------------------

DEFAULT_TARGET = "esp32c3"
WIFI_ONLY = ("libwifi_adapter.a",)
ETHERNET_ONLY = ("libeth_adapter.a",)


@dataclass(frozen=True)
class StaticRamOptions:
    target: str = DEFAULT_TARGET
    ethernet: bool = False
    build_dir: Optional[Path] = None
    baseline: Optional[Path] = None
    json_out: Optional[Path] = None


def build_dir_of(root: Path, options: StaticRamOptions) -> Path:
    variant = "ethernet" if options.ethernet else "wifi"
    return options.build_dir or root / "build" / "static_ram" / f"{options.target}-{variant}"


def configure_cmd(idf_py: Sequence[str], root: Path, options: StaticRamOptions) -> list[str]:
    from irrigation_tools.qemu import sdkconfig_defaults  # the Ethernet variant is the QEMU build's

    build = build_dir_of(root, options)
    defaults = sdkconfig_defaults(root, options.target, options.ethernet)
    return [
        *idf_py, "-C", str(root), "-B", str(build), f"-DIDF_TARGET={options.target}",
        f"-DSDKCONFIG={build / 'sdkconfig'}", "-DSDKCONFIG_DEFAULTS=" + ";".join(str(p) for p in defaults),
        "reconfigure",
    ]


def unlinked_archives(options: StaticRamOptions) -> tuple[str, ...]:
    """The network adapter of the other variant: main.c picks one with #if. Every other project archive is
    called by main.c (the captive DNS adapter too, since main.c wires the portal port) and counted."""
    return WIFI_ONLY if options.ethernet else ETHERNET_ONLY


# What decides the compile commands: a change to any of these after compile_commands.json was written means
# a source added or removed, or another configuration, so the firmware is configured again.
CONFIG_INPUTS = ("CMakeLists.txt", "sdkconfig.defaults*", "main/Kconfig.projbuild", "main/CMakeLists.txt",
                 "components/*/CMakeLists.txt", "components/infrastructure/*/CMakeLists.txt",
                 "host_tests/qemu/sdkconfig.qemu")


def needs_configure(root: Path, commands: Path) -> bool:
    """True when compile_commands.json is missing or older than a file that decides it (CONFIG_INPUTS)."""
    if not commands.is_file():
        return True
    written = commands.stat().st_mtime
    return any(path.stat().st_mtime > written for pattern in CONFIG_INPUTS for path in root.glob(pattern))


def run_static_ram(root: Path, options: StaticRamOptions, say: Callable[[str], None] = print,
                   run: Runner = _run) -> int:
    """Configure (when the compile commands are missing or stale), compile, measure, print. 0, or 1 on a
    failure."""
    from irrigation_tools.idf_linux import find_idf, idf_py  # the same "skipped" rule as the test stage

    build = build_dir_of(root, options)
    commands = build / "compile_commands.json"
    if needs_configure(root, commands):
        install, skipped = find_idf(stage="static-ram", purpose=f"to configure the firmware for {options.target}")
        if install is None:
            say(skipped)
            return 0
        configured = run(configure_cmd(idf_py(install), root, options), root)
        if configured.returncode != 0 or not commands.is_file():
            say(f"static-ram: idf.py reconfigure failed (exit {configured.returncode}):\n"
                f"{(configured.stdout + configured.stderr)[-2000:]}")
            return 1
    entries = project_entries(json.loads(commands.read_text(encoding="utf-8")), root)
    measurement = measure(entries, build / "static_ram_objects", run)
    variant = "Ethernet (QEMU)" if options.ethernet else "WiFi"
    say(f"static RAM of the project's own archives, {options.target}, {variant} variant, "
        f"{len(entries)} C files compiled with the build's own commands (objects counted whole):")
    baseline = load_baseline(options.baseline) if options.baseline else None
    for line in report_lines(measurement, baseline, unlinked_archives(options)):
        say(line)
    if options.json_out:
        save(measurement, options.json_out)
    for failure in measurement.failures:
        say(f"not compiled: {failure}")
    return 1 if measurement.failures else 0
