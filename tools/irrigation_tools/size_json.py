"""Reads esp-idf-size's JSON output (format "json2") of both series the project meets.

- esp-idf-size 2.x (PyPI, the project's pin): summary JSON version "1.2", with `total_size` (the app image).
- esp-idf-size 1.x (ESP-IDF v5.4's own environment) in NG mode (`ESP_IDF_SIZE_NG=1`): summary JSON version
  "1.1", without `total_size`. Its legacy (non-NG) `--format json` is a different format and is refused
  with a message saying how to make the right one.
- `--archives` output is the same in both: archive path -> memory types -> sections -> sizes.

A `SizeReport` holds what one or two files say (a summary and/or a per-archive breakdown). Sections are
sorted into .data, .bss, IRAM code, flash code, flash data by their names, which are stable across
chips, while memory type names are not (esp32c3 puts IRAM code under "DRAM", esp32s3 has "DIRAM").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from irrigation_tools import ToolError

# What a section is, for a RAM budget and a size table.
DATA, BSS, IRAM, FLASH_CODE, FLASH_DATA, OTHER = "data", "bss", "iram", "flash_code", "flash_data", "other"

LEGACY_FORMAT_MESSAGE = (
    "{path}: this is esp-idf-size 1.x's legacy JSON (made without ESP_IDF_SIZE_NG=1); make it again with "
    "`ESP_IDF_SIZE_NG=1 python -m esp_idf_size --format json2 [--archives] MAP_FILE` or `invoke size-report`"
)
_TARGET_IN_PATH = re.compile(r"/lib/(esp32[a-z0-9]*)/")


def section_kind(memory_type: str, section: str) -> str:
    """Sort one section (full name ".dram0.bss" or abbreviated ".bss") of one memory type."""
    if memory_type.startswith(("RTC", "External")):
        return OTHER  # separate small banks / PSRAM: not internal SRAM
    if memory_type == "Flash Code":
        return FLASH_CODE
    if memory_type == "Flash Data":
        return FLASH_DATA
    if section.endswith((".bss", "noinit")):
        return BSS
    if section.endswith((".text", ".vectors")) or section.startswith(".iram"):
        return IRAM
    if section.endswith((".data", ".rodata")):
        return DATA
    return OTHER


@dataclass(frozen=True)
class SectionSizes:
    """Bytes by kind (DATA, BSS, IRAM, FLASH_CODE, FLASH_DATA, OTHER)."""

    by_kind: Mapping[str, int] = field(default_factory=dict)

    def __getitem__(self, kind: str) -> int:
        return self.by_kind.get(kind, 0)

    @property
    def ram(self) -> int:
        """Static data RAM: .data + .bss (and .noinit)."""
        return self[DATA] + self[BSS]

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


def _add(acc: dict[str, int], kind: str, size: int) -> None:
    acc[kind] = acc.get(kind, 0) + size


@dataclass(frozen=True)
class ArchiveSize:
    path: str  # as esp-idf-size names it: "esp-idf/main/libmain.a", "$IDF_PATH/.../libpp.a"
    name: str  # "libmain.a"
    sizes: SectionSizes


@dataclass(frozen=True)
class MemoryType:
    name: str
    total: int
    used: int
    parts: Mapping[str, int]


@dataclass(frozen=True)
class Summary:
    json_version: str
    memory_types: tuple[MemoryType, ...]
    total_size: int | None  # the app image; only in JSON version 1.2 (esp-idf-size 2.x)

    def sizes(self) -> SectionSizes:
        acc: dict[str, int] = {}
        for mem in self.memory_types:
            for part, size in mem.parts.items():
                _add(acc, section_kind(mem.name, part), size)
        return SectionSizes(acc)

    def image_size(self) -> tuple[int, bool]:
        """(bytes, exact): `total_size` when present, else every loaded section (esp-idf-size's own rule
        without the ELF: everything but .bss and noinit), which is within a few dozen bytes."""
        if self.total_size is not None:
            return self.total_size, True
        loaded = sum(
            size
            for mem in self.memory_types
            for part, size in mem.parts.items()
            if not part.endswith((".bss", "noinit"))
        )
        return loaded, False


@dataclass
class SizeReport:
    """What the given JSON files say; either part may be missing."""

    sources: list[Path] = field(default_factory=list)
    summary: Summary | None = None
    archives: dict[str, ArchiveSize] | None = None

    def static_sizes(self, from_archives: bool = False) -> tuple[SectionSizes, str]:
        """Totals by kind and where they come from: the summary (which counts linker padding) unless there is
        none or `from_archives` asks for the sum of the archives (to compare with an archives-only JSON)."""
        if self.summary is not None and not (from_archives and self.archives is not None):
            return self.summary.sizes(), "summary"
        if self.archives is not None:
            acc: dict[str, int] = {}
            for archive in self.archives.values():
                for kind, size in archive.sizes.by_kind.items():
                    _add(acc, kind, size)
            return SectionSizes(acc), "sum of archives"
        raise ToolError("no size data loaded")

    def image_size(self, from_archives: bool = False) -> tuple[int, bool]:
        """(bytes, exact) of the app image: the summary's figure, else the loaded sections of every archive
        (an estimate: linker padding is not in the archives)."""
        sizes, how = self.static_sizes(from_archives)
        if how == "summary" and self.summary is not None:
            return self.summary.image_size()
        return sizes.total - sizes[BSS], False

    def guess_target(self) -> str | None:
        """The chip, from ESP-IDF's per-chip library paths or the memory layout; None when unsure."""
        for path in self.archives or {}:
            match = _TARGET_IN_PATH.search(path)
            if match:
                return match.group(1)
        if self.summary is not None:
            names = {mem.name for mem in self.summary.memory_types}
            if "DIRAM" in names:
                return "esp32s3"
            iram_in_dram = any(
                section_kind(mem.name, part) == IRAM for mem in self.summary.memory_types if mem.name == "DRAM"
                for part in mem.parts
            )
            if iram_in_dram:
                return "esp32c3"
            if "IRAM" in names:
                return "esp32"
        return None


def _int(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{where}: expected an integer, got {value!r}")
    return value


def _parse_summary(data: Mapping[str, object]) -> Summary:
    layout = data.get("layout")
    if not isinstance(layout, list):
        raise ValueError("'layout' is not a list")
    types = []
    for mem in layout:
        name = str(mem["name"])
        parts = {str(part): _int(info["size"], f"{name}/{part}") for part, info in mem.get("parts", {}).items()}
        types.append(MemoryType(name, _int(mem.get("total", 0), name), _int(mem.get("used", 0), name), parts))
    total = data.get("total_size")
    return Summary(str(data.get("version", "?")), tuple(types), None if total is None else _int(total, "total_size"))


def _parse_archives(data: Mapping[str, object]) -> dict[str, ArchiveSize]:
    archives = {}
    for path, info in data.items():
        acc: dict[str, int] = {}
        for mem_name, mem in info["memory_types"].items():
            for section, sec in mem.get("sections", {}).items():
                _add(acc, section_kind(mem_name, section), _int(sec["size"], f"{path}/{section}"))
        name = str(info.get("abbrev_name") or Path(path).name)
        archives[path] = ArchiveSize(path=path, name=name, sizes=SectionSizes(acc))
    return archives


def _is_legacy(data: Mapping[str, object]) -> bool:
    if "used_dram" in data or "dram_bss" in data or "flash_code" in data:
        return True
    first = next(iter(data.values()), None)
    return isinstance(first, dict) and bool(first) and all(isinstance(v, int) for v in first.values())


def load(paths: Iterable[Path]) -> SizeReport:
    """Read one summary and/or one archives JSON (any order); ToolError for anything else."""
    report = SizeReport()
    for path in paths:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ToolError(f"cannot read size JSON {path}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise ToolError(f"{path} is not JSON: {exc}") from None
        if not isinstance(data, dict) or not data:
            raise ToolError(f"{path}: not an esp-idf-size JSON (expected an object)")
        try:
            if "layout" in data:
                kind = "summary"
                parsed_summary = _parse_summary(data)
            elif all(isinstance(v, dict) and "memory_types" in v for v in data.values()):
                kind = "archives"
                parsed_archives = _parse_archives(data)
            elif _is_legacy(data):
                raise ToolError(LEGACY_FORMAT_MESSAGE.format(path=path))
            else:
                raise ToolError(f"{path}: not an esp-idf-size summary or --archives JSON (format json2)")
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise ToolError(f"{path}: malformed esp-idf-size JSON ({exc})") from None
        if kind == "summary":
            if report.summary is not None:
                raise ToolError(f"{path}: a second summary JSON; give one summary and/or one --archives JSON")
            report.summary = parsed_summary
        else:
            if report.archives is not None:
                raise ToolError(f"{path}: a second --archives JSON; give one summary and/or one --archives JSON")
            report.archives = parsed_archives
        report.sources.append(path)
    if not report.sources:
        raise ToolError("no size JSON given")
    return report
