"""Firmware size report: esp-idf-size on the last build, the OTA-slot check, a baseline diff, Markdown.

`invoke size-report` runs esp-idf-size on the link map of the newest firmware build (build/firmware/<target>
of `invoke build`, or build/ of a plain `idf.py build`): its table, then its JSON ("json2") summary and
per-archive breakdown into build/size-report.json and build/size-report-archives.json. Both esp-idf-size
series work: 2.x (PyPI, the project's pin) as is, 1.x (ESP-IDF v5.4's own environment) with
ESP_IDF_SIZE_NG=1, without which it refuses `--format json2`; the installed version is asked first.
`--size-json FILE` reads existing JSON instead (no build, no esp-idf-size needed).

Then it checks that the app image leaves >= 25 % of the smallest app slot of partitions.csv free (so an
OTA update has room to grow), prints a per-archive diff against `--baseline FILE` (a previous run's JSON),
and with `--markdown` writes the same as a Markdown table for a PR comment (build/size-report.md).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Sequence

from irrigation_tools import ToolError, size_json
from irrigation_tools.espidf import SUPPORTED_TARGETS, firmware_build_dir, project_description
from irrigation_tools.size_json import BSS, DATA, FLASH_CODE, FLASH_DATA, IRAM, SectionSizes, SizeReport

NO_BUILD_MESSAGE = (
    "no firmware build found (no link map file under build/firmware/<target>/ or build/): "
    "run `invoke build` first (it needs ESP-IDF v5.4.2), or give --size-json FILE"
)
SUMMARY_JSON = "size-report.json"
ARCHIVES_JSON = "size-report-archives.json"
MARKDOWN_FILE = "size-report.md"
MIN_SLOT_FREE_PERCENT = 25.0
ARCHIVE_ROWS = 10  # archives listed without a baseline (the biggest)
CHANGED_ROWS = 25  # archives listed against a baseline (the biggest changes)

# ---------------------------------------------------------------------------------------------------------
# The last build


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


# ---------------------------------------------------------------------------------------------------------
# esp-idf-size, 1.x or 2.x

VERSION_PROBE = "import esp_idf_size; print(esp_idf_size.__version__)"


@dataclass(frozen=True)
class SizeTool:
    python: str
    version: str  # as the package reports it; "" when it could not tell

    @property
    def needs_ng(self) -> bool:
        """1.x only writes json2 in NG mode; an unknown version gets it too (2.x ignores the variable)."""
        match = re.match(r"(\d+)\.", self.version)
        return match is None or int(match.group(1)) < 2

    @property
    def env(self) -> dict[str, str]:
        return {"ESP_IDF_SIZE_NG": "1"} if self.needs_ng else {}

    def describe(self) -> str:
        mode = " (NG mode: ESP_IDF_SIZE_NG=1)" if self.needs_ng else ""
        return f"esp-idf-size {self.version or '(version unknown)'}{mode}"


Probe = Callable[[list[str]], "tuple[int, str]"]
Runner = Callable[[list[str], Mapping[str, str]], int]


def _probe(cmd: list[str]) -> tuple[int, str]:
    done = subprocess.run(cmd, check=False, capture_output=True, text=True)
    return done.returncode, done.stdout.strip() or done.stderr.strip()


def _run(cmd: list[str], env: Mapping[str, str]) -> int:
    return subprocess.run(cmd, check=False, env={**os.environ, **env}).returncode


def detect_size_tool(python: str = sys.executable, probe: Probe = _probe) -> SizeTool:
    """The esp-idf-size importable by `python`, with its version, or ToolError when there is none."""
    code, output = probe([python, "-c", VERSION_PROBE])
    if code != 0:
        raise ToolError(
            f"esp-idf-size is not installed for {python} ({output.splitlines()[-1] if output else f'exit {code}'}): "
            "run `./dev setup` (it installs the pinned esp-idf-size) or run this in ESP-IDF's environment"
        )
    return SizeTool(python=python, version=output.splitlines()[-1].strip() if output else "")


def size_commands(tool: SizeTool, map_file: Path, out_dir: Path) -> list[list[str]]:
    """The table, then the summary and per-archive JSON."""
    base = [tool.python, "-m", "esp_idf_size"]
    return [
        [*base, str(map_file)],
        [*base, "--format", "json2", "--output-file", str(out_dir / SUMMARY_JSON), str(map_file)],
        [*base, "--format", "json2", "--archives", "--output-file", str(out_dir / ARCHIVES_JSON), str(map_file)],
    ]


def run_esp_idf_size(tool: SizeTool, firmware: FirmwareMap, out_dir: Path, runner: Runner = _run) -> list[Path]:
    """Print the table and write both JSON files; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for cmd in size_commands(tool, firmware.map_file, out_dir):
        code = runner(cmd, tool.env)
        if code != 0:
            raise ToolError(f"{tool.describe()} failed on {firmware.map_file} (exit {code})", code=code)
    return [out_dir / SUMMARY_JSON, out_dir / ARCHIVES_JSON]


# ---------------------------------------------------------------------------------------------------------
# Partition table and the OTA slot check


@dataclass(frozen=True)
class Partition:
    name: str
    type: str
    subtype: str
    offset: int
    size: int


def parse_size(text: str) -> int:
    """A partitions.csv number: 0x1E0000, 24576, 24K, 4M."""
    text = text.strip()
    match = re.fullmatch(r"(0[xX][0-9a-fA-F]+|\d+)\s*([kKmM]?)", text)
    if not match:
        raise ValueError(f"not a size: {text!r}")
    value = int(match.group(1), 0)
    return value * {"": 1, "k": 1024, "m": 1024 * 1024}[match.group(2).lower()]


# ESP-IDF's rules for a blank offset: the table sits at 0x8000 (one 4 KB sector), app partitions are
# aligned to 64 KB, data partitions to 4 KB.
_FIRST_OFFSET = 0x9000
_ALIGN = {"app": 0x10000}
_DEFAULT_ALIGN = 0x1000


def read_partitions(path: Path) -> list[Partition]:
    """The rows of an ESP-IDF partition table CSV; ToolError with the line number on a bad row."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ToolError(f"cannot read the partition table {path}: {exc.strerror or exc}") from None
    partitions: list[Partition] = []
    next_offset = _FIRST_OFFSET
    for number, line in enumerate(lines, start=1):
        fields = [f.strip() for f in line.split("#", 1)[0].split(",")]
        if fields == [""]:
            continue
        try:
            name, ptype, subtype, offset_text, size_text = fields[:5]
            align = _ALIGN.get(ptype, _DEFAULT_ALIGN)
            offset = parse_size(offset_text) if offset_text else -(-next_offset // align) * align
            size = parse_size(size_text)
        except ValueError as exc:
            raise ToolError(f"{path}:{number}: not a partition row ({exc}): {line.strip()}") from None
        partitions.append(Partition(name, ptype, subtype, offset, size))
        next_offset = offset + size
    return partitions


@dataclass(frozen=True)
class SlotCheck:
    image_size: int
    exact: bool  # False when esp-idf-size's JSON had no total_size and the image was summed from sections
    slot: Partition

    @property
    def free(self) -> int:
        return self.slot.size - self.image_size

    @property
    def free_percent(self) -> float:
        return 100.0 * self.free / self.slot.size

    @property
    def ok(self) -> bool:
        return self.free_percent >= MIN_SLOT_FREE_PERCENT

    def line(self) -> str:
        how = "" if self.exact else " (summed from the sections: esp-idf-size 1.x JSON has no total_size)"
        verdict = "ok" if self.ok else "TOO BIG"
        return (
            f"app image {self.image_size:,} B{how}; smallest app slot {self.slot.name} {self.slot.size:,} B: "
            f"{self.free:,} B free ({self.free_percent:.1f} %, >= {MIN_SLOT_FREE_PERCENT:.0f} % required): {verdict}"
        )


def check_slot(report: SizeReport, partitions: Sequence[Partition]) -> SlotCheck:
    slots = [p for p in partitions if p.type in ("app", "0", "0x0", "0x00")]
    if not slots:
        raise ToolError("the partition table has no app partition")
    image, exact = report.image_size()
    return SlotCheck(image_size=image, exact=exact, slot=min(slots, key=lambda p: p.size))


# ---------------------------------------------------------------------------------------------------------
# Figures, baseline diff and rendering

# (label, how to read it from SectionSizes)
TOTAL_ROWS: tuple[tuple[str, Callable[[SectionSizes], int]], ...] = (
    (".data + .bss", lambda s: s.ram),
    ("IRAM code", lambda s: s[IRAM]),
    ("flash code", lambda s: s[FLASH_CODE]),
    ("flash data", lambda s: s[FLASH_DATA]),
)


@dataclass(frozen=True)
class ArchiveRow:
    name: str
    now: SectionSizes
    before: SectionSizes | None  # None: no baseline (or new archive, then an empty SectionSizes)

    def delta(self, read: Callable[[SectionSizes], int]) -> int | None:
        return None if self.before is None else read(self.now) - read(self.before)


def _by_name(report: SizeReport) -> dict[str, SectionSizes]:
    rows: dict[str, dict[str, int]] = {}
    for archive in (report.archives or {}).values():
        acc = rows.setdefault(archive.name, {})
        for kind, size in archive.sizes.by_kind.items():
            acc[kind] = acc.get(kind, 0) + size
    return {name: SectionSizes(sizes) for name, sizes in rows.items()}


def _nonzero(sizes: SectionSizes) -> dict[str, int]:
    return {kind: size for kind, size in sizes.by_kind.items() if size}


def archive_rows(report: SizeReport, baseline: SizeReport | None) -> list[ArchiveRow]:
    """Without a baseline: the biggest archives. With one: every archive that changed, biggest change first."""
    now = _by_name(report)
    if baseline is None:
        ranked = sorted(now.items(), key=lambda item: (-item[1].total, item[0]))
        return [ArchiveRow(name, sizes, None) for name, sizes in ranked[:ARCHIVE_ROWS]]
    before = _by_name(baseline)
    empty = SectionSizes({})
    changed = [
        ArchiveRow(name, now.get(name, empty), before.get(name, empty))
        for name in sorted(now.keys() | before.keys())
        if _nonzero(now.get(name, empty)) != _nonzero(before.get(name, empty))
    ]
    return sorted(changed, key=lambda r: (-abs(r.delta(lambda s: s.total) or 0), r.name))


def _signed(value: int | None) -> str:
    return "" if value is None else ("+0" if value == 0 else f"{value:+,}")


@dataclass(frozen=True)
class Figures:
    target: str
    tool: str  # which esp-idf-size made the JSON, or "JSON files"
    sources: Sequence[Path]
    report: SizeReport
    baseline: SizeReport | None
    slot: SlotCheck

    def totals(self) -> list[tuple[str, int, int | None]]:
        """(label, bytes, change); against a baseline both sides are read the same way (summary totals count
        linker padding, sums of archives do not), so a change is never an artefact of the formats."""
        shown, _ = self.report.static_sizes()
        values = [("app image", self.slot.image_size)] + [(label, read(shown)) for label, read in TOTAL_ROWS]
        if self.baseline is None:
            return [(label, value, None) for label, value in values]
        from_archives = self.baseline.summary is None or self.report.summary is None
        now, _ = self.report.static_sizes(from_archives)
        before, _ = self.baseline.static_sizes(from_archives)
        deltas = [self.report.image_size(from_archives)[0] - self.baseline.image_size(from_archives)[0]]
        deltas += [read(now) - read(before) for _, read in TOTAL_ROWS]
        return [(label, value, delta) for (label, value), delta in zip(values, deltas)]


def archive_section(fig: Figures) -> tuple[str, list[ArchiveRow]]:
    """The heading of the per-archive part and its rows (none when the JSON given cannot tell)."""
    if fig.report.archives is None:
        return "per archive: not available (give the --archives JSON too)", []
    if fig.baseline is not None and fig.baseline.archives is None:
        return "per-archive change: not available (the baseline has no --archives JSON)", []
    rows = archive_rows(fig.report, fig.baseline)
    if fig.baseline is None:
        return f"biggest {len(rows)} archives", rows
    if not rows:
        return "no archive changed", rows
    more = f" ({len(rows) - CHANGED_ROWS} more not shown)" if len(rows) > CHANGED_ROWS else ""
    return f"{len(rows)} archives changed, biggest change first{more}", rows[:CHANGED_ROWS]


def _archive_table(rows: Sequence[ArchiveRow], with_change: bool) -> list[list[str]]:
    """Header and one row of cells per archive; the change column only against a baseline."""
    header = ["archive", ".data + .bss", "IRAM", "flash", "total"] + (["change"] if with_change else [])
    table = [header]
    for row in rows:
        now = row.now
        sizes = [now.ram, now[IRAM], now[FLASH_CODE] + now[FLASH_DATA], now.total]
        change = [_signed(row.delta(lambda s: s.total))] if with_change else []
        table.append([row.name, *(f"{v:,}" for v in sizes), *change])
    return table


def render_text(fig: Figures) -> str:
    lines = [f"size report: {fig.target}, {fig.tool}: {', '.join(str(s) for s in fig.sources)}", fig.slot.line()]
    width = max(len(label) for label, _, _ in fig.totals())
    for label, value, delta in fig.totals():
        lines.append(f"  {label:<{width}}  {value:>11,} B  {_signed(delta)}".rstrip())
    heading, rows = archive_section(fig)
    lines.append(heading + (":" if rows else ""))
    table = _archive_table(rows, fig.baseline is not None) if rows else []
    widths = [max(len(cells[i]) for cells in table) for i in range(len(table[0]))] if table else []
    for cells in table:
        first = cells[0].ljust(widths[0])
        rest = "  ".join(c.rjust(w) for c, w in zip(cells[1:], widths[1:]))
        lines.append(f"  {first}  {rest}".rstrip())
    return "\n".join(lines)


def render_markdown(fig: Figures) -> str:
    slot = fig.slot
    verdict = "ok" if slot.ok else f"**below {MIN_SLOT_FREE_PERCENT:.0f} %**"
    lines = [
        f"### Firmware size: {fig.target}",
        "",
        f"App image {slot.image_size:,} B{'' if slot.exact else ' (estimated)'} in `{slot.slot.name}` "
        f"({slot.slot.size:,} B): {slot.free_percent:.1f} % free ({verdict}).",
        "",
        "| | bytes | change |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| {label} | {value:,} | {_signed(delta)} |" for label, value, delta in fig.totals()]
    heading, rows = archive_section(fig)
    lines += ["", heading[0].upper() + heading[1:] + (":" if rows else ".")]
    if rows:
        header, *body = _archive_table(rows, fig.baseline is not None)
        lines += ["", "| " + " | ".join(header) + " |", "| --- |" + " ---: |" * (len(header) - 1)]
        lines += [f"| `{cells[0]}` | " + " | ".join(cells[1:]) + " |" for cells in body]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------------------
# Entry point


@dataclass(frozen=True)
class SizeReportOptions:
    size_json: Sequence[Path] = ()  # read these instead of running esp-idf-size
    baseline: Sequence[Path] = ()
    markdown: bool = False
    target: str | None = None  # for --size-json when the JSON does not tell


def run_size_report(
    root: Path,
    options: SizeReportOptions = SizeReportOptions(),
    *,
    python: str = sys.executable,
    probe: Probe = _probe,
    runner: Runner = _run,
) -> SlotCheck:
    """Print the report (and write the JSON/Markdown files); ToolError when the image is too big for a slot."""
    out_dir = root / "build"
    # Read first: the baseline may be the previous run's files, which esp-idf-size is about to overwrite.
    baseline = size_json.load(options.baseline) if options.baseline else None
    if options.size_json:
        sources = list(options.size_json)
        tool_text = "JSON files"
        report = size_json.load(sources)
        target = options.target or report.guess_target() or "target unknown"
    else:
        firmware = find_last_map(root)
        tool = detect_size_tool(python, probe)
        print(f"size report for {firmware.target}: {firmware.map_file} ({tool.describe()})")
        sources = run_esp_idf_size(tool, firmware, out_dir, runner)
        tool_text = tool.describe()
        report = size_json.load(sources)
        target = firmware.target
    slot = check_slot(report, read_partitions(root / "partitions.csv"))
    figures = Figures(target, tool_text, sources, report, baseline, slot)
    if options.markdown:
        text = render_markdown(figures)
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / MARKDOWN_FILE).write_text(text, encoding="utf-8")
        print(text, end="")
        print(f"(Markdown written to {out_dir / MARKDOWN_FILE})")
    else:
        print(render_text(figures))
    if not slot.ok:
        raise ToolError(
            f"the app image leaves {slot.free_percent:.1f} % of {slot.slot.name} free, below the "
            f"{MIN_SLOT_FREE_PERCENT:.0f} % an OTA update needs to grow (partitions.csv)"
        )
    return slot
