"""invoke memory-budget: the < 200 KB RAM gate of the firmware.

Adds up, for one target, the static RAM measured by esp-idf-size (.data + .bss of every archive; IRAM code
where it shares SRAM with data) and the RAM the configuration decides at run time (task stacks, WiFi
buffers, the MQTT client, httpd, lwIP), as tools/memory_budget.yaml describes each item. Configuration
values come from the build's `sdkconfig`, or, when there is none, from sdkconfig.defaults(.<target>) over
the Kconfig defaults written in the budget file; the report says which.

Prints every line sorted by size with its basis (measured / config / estimate) and exits 1 over the limit,
naming the biggest items. The project's own static RAM has its own goal: over it is a warning line only.
"""

from __future__ import annotations

import ast
import glob
import operator
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import yaml

from irrigation_tools import ToolError, size_json
from irrigation_tools.size_json import IRAM, SizeReport
from irrigation_tools.size_report import ARCHIVES_JSON, SUMMARY_JSON, find_last_map

DEFAULT_BUDGET = Path("tools") / "memory_budget.yaml"
BASES = ("measured", "config", "estimate")

# ---------------------------------------------------------------------------------------------------------
# The budget file


@dataclass(frozen=True)
class TargetInfo:
    cores: int
    iram_shared: bool


# Phases an item may be held in instead of the steady state (WiFi associated, MQTT connected, HTTP serving),
# with the note its line gets.
PHASES = {
    "startup": "start-up only: freed before steady state",
    "provisioning": "provisioning only: not held in steady state",
}


@dataclass(frozen=True)
class BudgetItem:
    name: str
    bytes: str  # expression
    basis: str
    source: str
    when: str | None = None
    static: bool = False  # already inside an archive's .bss: listed, not added
    phase: str | None = None  # a PHASES key: held only outside the steady state, listed, not added


@dataclass(frozen=True)
class Budget:
    path: Path
    limit: int
    fail_names: int
    own_goal: int
    own_dirs: tuple[str, ...]
    targets: Mapping[str, TargetInfo]
    kconfig_defaults: Mapping[str, Any]  # name -> int, or {default: int, <target>: int}
    constants: Mapping[str, int]
    items: tuple[BudgetItem, ...]

    def defaults_for(self, target: str) -> dict[str, int]:
        out = {}
        for name, value in self.kconfig_defaults.items():
            out[name] = int(value.get(target, value["default"]) if isinstance(value, dict) else value)
        return out


def _item(raw: Mapping[str, Any], where: str) -> BudgetItem:
    missing = {"name", "bytes", "basis", "source"} - raw.keys()
    if missing:
        raise ToolError(f"{where}: missing {', '.join(sorted(missing))}")
    if raw["basis"] not in ("config", "estimate"):
        raise ToolError(f"{where}: basis must be config or estimate, not {raw['basis']!r}")
    if raw.get("phase") is not None and raw["phase"] not in PHASES:
        raise ToolError(f"{where}: phase must be one of {', '.join(PHASES)}, not {raw['phase']!r}")
    return BudgetItem(
        name=str(raw["name"]),
        bytes=str(raw["bytes"]),
        basis=str(raw["basis"]),
        source=" ".join(str(raw["source"]).split()),
        when=None if raw.get("when") is None else str(raw["when"]),
        static=raw.get("storage") == "static",
        phase=raw.get("phase"),
    )


def load_budget(path: Path) -> Budget:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ToolError(f"cannot read the budget file {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ToolError(f"{path} is not valid YAML: {exc}") from None
    try:
        items = tuple(_item(item, f"{path}: item {i + 1}") for i, item in enumerate(raw["items"]))
        return Budget(
            path=path,
            limit=int(raw["limit_bytes"]),
            fail_names=int(raw.get("fail_names", 3)),
            own_goal=int(raw["project_static"]["goal_bytes"]),
            own_dirs=tuple(raw["project_static"]["component_dirs"]),
            targets={
                name: TargetInfo(int(info["cores"]), bool(info["iram_shared"]))
                for name, info in raw["targets"].items()
            },
            kconfig_defaults=dict(raw.get("kconfig_defaults") or {}),
            constants={name: int(value) for name, value in (raw.get("constants") or {}).items()},
            items=items,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ToolError(f"{path}: not a memory budget file ({type(exc).__name__}: {exc})") from None


# ---------------------------------------------------------------------------------------------------------
# Configuration values

_LINE_SET = re.compile(r"^CONFIG_(\w+)=(.*)$")
_LINE_UNSET = re.compile(r"^#\s*CONFIG_(\w+) is not set")


def parse_sdkconfig(text: str) -> tuple[dict[str, int], dict[str, str]]:
    """(numbers and booleans as int, strings) of an sdkconfig or sdkconfig.defaults text."""
    numbers: dict[str, int] = {}
    strings: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        unset = _LINE_UNSET.match(line)
        if unset:
            numbers[unset.group(1)] = 0
            continue
        match = _LINE_SET.match(line)
        if not match:
            continue
        name, value = match.groups()
        if value == "y":
            numbers[name] = 1
        elif value.startswith('"'):
            strings[name] = value.strip('"')
        else:
            try:
                numbers[name] = int(value, 0)
            except ValueError:
                strings[name] = value
    return numbers, strings


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ToolError(f"cannot read {path}: {exc.strerror or exc}") from None


@dataclass(frozen=True)
class Config:
    values: Mapping[str, int]
    description: str
    from_defaults: bool


def sdkconfig_target(path: Path) -> str | None:
    return parse_sdkconfig(_read(path))[1].get("IDF_TARGET")


def resolve_config(root: Path, target: str, budget: Budget, sdkconfig: Path | None) -> Config:
    """The values the items need: a real sdkconfig when there is one, else the committed defaults."""
    values = budget.defaults_for(target)
    if sdkconfig is not None and sdkconfig.is_file():
        values.update(parse_sdkconfig(_read(sdkconfig))[0])
        return Config(values, f"sdkconfig {sdkconfig}", from_defaults=False)
    used = []
    for name in ("sdkconfig.defaults", f"sdkconfig.defaults.{target}"):
        path = root / name
        if path.is_file():
            values.update(parse_sdkconfig(_read(path))[0])
            used.append(name)
    why = f"{sdkconfig} does not exist" if sdkconfig is not None else "no sdkconfig given"
    layers = " + ".join([*used, f"Kconfig defaults from {budget.path.name}"])
    return Config(values, f"{layers} ({why}: defaults used)", from_defaults=True)


# ---------------------------------------------------------------------------------------------------------
# Expressions of the budget file: integers, names, + - * // /, comparisons, and/or/not, x if c else y,
# min(), max(). Nothing else is evaluated.

_BINARY: dict[type, Callable[[int, int], int]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.FloorDiv: operator.floordiv,
    ast.Div: operator.floordiv,
}
_COMPARE: dict[type, Callable[[int, int], bool]] = {
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}
_FUNCTIONS: dict[str, Callable[..., int]] = {"min": min, "max": max}


def evaluate(expr: str, names: Mapping[str, int]) -> int:
    """The integer value of a budget expression; ValueError naming what is wrong."""
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"not an expression: {expr!r} ({exc.msg})") from None

    def ev(node: ast.AST) -> int:
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return int(node.value)
        if isinstance(node, ast.Name):
            if node.id not in names:
                raise ValueError(f"unknown name {node.id} in {expr!r}")
            return names[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](ev(node.left), ev(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return int(not ev(node.operand))
        if isinstance(node, ast.BoolOp):
            values = [ev(v) for v in node.values]
            return int(all(values) if isinstance(node.op, ast.And) else any(values))
        if isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
            left, ok = ev(node.left), True
            for op, right_node in zip(node.ops, node.comparators):
                right = ev(right_node)
                ok = ok and _COMPARE[type(op)](left, right)
                left = right
            return int(ok)
        if isinstance(node, ast.IfExp):
            return ev(node.body) if ev(node.test) else ev(node.orelse)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _FUNCTIONS
            and node.args
            and not node.keywords
        ):
            return int(_FUNCTIONS[node.func.id](*(ev(a) for a in node.args)))
        raise ValueError(f"not allowed in a budget expression: {ast.unparse(node)!r} in {expr!r}")

    return ev(tree.body)


# ---------------------------------------------------------------------------------------------------------
# Lines


@dataclass(frozen=True)
class Line:
    name: str
    bytes: int
    basis: str
    counted: bool = True
    note: str = ""  # why a line is not counted, or what it includes


@dataclass
class Breakdown:
    target: str
    lines: list[Line]
    limit: int
    own_static: int | None
    own_goal: int
    own_biggest: list[tuple[str, int]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(line.bytes for line in self.lines if line.counted)

    @property
    def over(self) -> bool:
        return self.total > self.limit


def own_archive_names(root: Path, budget: Budget) -> set[str]:
    """lib<folder>.a of every component folder of the project (each folder with a CMakeLists.txt)."""
    names = set()
    for pattern in budget.own_dirs:
        for folder in glob.glob(str(root / pattern)):
            if (Path(folder) / "CMakeLists.txt").is_file():
                names.add(f"lib{Path(folder).name}.a")
    return names


def static_lines(
    report: SizeReport, target: str, info: TargetInfo, own: set[str]
) -> tuple[list[Line], int | None, list[tuple[str, int]]]:
    """The measured lines, the project's own static RAM (None without per-archive data) and its archives."""
    sizes, how = report.static_sizes()
    if info.iram_shared:
        iram = Line("IRAM code", sizes[IRAM], "measured", note=f"shares SRAM with data on {target}: counted")
    else:
        note = f"a separate bank on {target}: not counted"
        iram = Line("IRAM code", sizes[IRAM], "measured", counted=False, note=note)
    lines = [iram]
    if report.archives is None:
        lines.append(Line("static RAM (.data + .bss) of every archive", sizes.ram, "measured", note=how))
        return lines, None, []
    mine = sorted(
        ((a.name, a.sizes.ram) for a in report.archives.values() if a.name in own and a.sizes.ram),
        key=lambda item: (-item[1], item[0]),
    )
    own_total = sum(size for _, size in mine)
    lines.append(Line("static RAM (.data + .bss) of the project's archives", own_total, "measured"))
    others = sizes.ram - own_total
    lines.append(Line("static RAM (.data + .bss) of ESP-IDF and other libraries", others, "measured", note=how))
    return lines, own_total, mine


def config_lines(budget: Budget, values: Mapping[str, int], cores: int) -> list[Line]:
    names = {**values, **budget.constants, "CORES": cores}
    labels = {name: f"{value:,}" for name, value in names.items()}
    lines = []
    for item in budget.items:
        try:
            if item.when is not None and not evaluate(item.when, names):
                continue
            size = evaluate(item.bytes, names)
            label = item.name.format_map(labels)
        except (ValueError, KeyError) as exc:
            raise ToolError(f"{budget.path}: item {item.name!r}: {exc}") from None
        if item.static:
            lines.append(Line(label, size, item.basis, counted=False, note="static: inside the .bss measured above"))
        elif item.phase is not None:
            lines.append(Line(label, size, item.basis, counted=False, note=PHASES[item.phase]))
        else:
            lines.append(Line(label, size, item.basis))
    return lines


def compute(report: SizeReport, target: str, budget: Budget, config: Config, own: set[str]) -> Breakdown:
    if target not in budget.targets:
        raise ToolError(f"target {target}: not in {budget.path} (targets: {', '.join(budget.targets)})", code=2)
    info = budget.targets[target]
    cores = 1 if config.values.get("FREERTOS_UNICORE") else info.cores
    measured, own_static, own_biggest = static_lines(report, target, info, own)
    lines = measured + config_lines(budget, config.values, cores)
    return Breakdown(target, lines, budget.limit, own_static, budget.own_goal, own_biggest)


# ---------------------------------------------------------------------------------------------------------
# Output


def _sorted(lines: Sequence[Line]) -> list[Line]:
    return sorted(lines, key=lambda line: (-line.bytes, line.name))


def render(breakdown: Breakdown, header: Sequence[str], fail_names: int) -> str:
    counted = _sorted([line for line in breakdown.lines if line.counted])
    listed = _sorted([line for line in breakdown.lines if not line.counted])
    out = list(header)
    out.append(f"  {'bytes':>9}  {'basis':<8}  item")
    for line in counted:
        note = f"  ({line.note})" if line.note else ""
        out.append(f"  {line.bytes:>9,}  {line.basis:<8}  {line.name}{note}")
    percent = 100.0 * breakdown.total / breakdown.limit
    out.append(f"  {'-' * 9}")
    out.append(f"  {breakdown.total:>9,}  total     {percent:.1f} % of the {breakdown.limit:,} B budget")
    if listed:
        out.append("  not added:")
        for line in listed:
            out.append(f"  {line.bytes:>9,}  {line.basis:<8}  {line.name}  ({line.note})")
    out.append("  measured = esp-idf-size JSON; config = what the configuration reserves; estimate = a model "
               "(tools/memory_budget.yaml says of what)")
    if breakdown.own_static is None:
        out.append("note: the project's own static RAM is unknown without the --archives JSON")
    elif breakdown.own_static > breakdown.own_goal:
        biggest = ", ".join(f"{name} {size:,}" for name, size in breakdown.own_biggest[:3])
        out.append(
            f"warning: the project's own static RAM is {breakdown.own_static:,} B, over its goal of "
            f"{breakdown.own_goal:,} B ({biggest})"
        )
    else:
        out.append(f"the project's own static RAM: {breakdown.own_static:,} B (goal <= {breakdown.own_goal:,} B): ok")
    if breakdown.over:
        names = "; ".join(f"{line.name} {line.bytes:,} B" for line in counted[:fail_names])
        out.append(
            f"OVER BUDGET on {breakdown.target}: {breakdown.total:,} B is {breakdown.total - breakdown.limit:,} B over "
            f"{breakdown.limit:,} B; biggest items: {names}"
        )
    else:
        out.append(f"within budget on {breakdown.target}: {breakdown.limit - breakdown.total:,} B to spare")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------------------
# Entry point


@dataclass(frozen=True)
class BudgetOptions:
    size_json: Sequence[Path] = ()
    sdkconfig: Path | None = None
    target: str | None = None
    budget: Path | None = None


def _last_build_inputs(root: Path) -> tuple[list[Path], str, Path]:
    """The JSON that `invoke size-report` wrote for the newest build, its target and its sdkconfig."""
    firmware = find_last_map(root)
    files = [root / "build" / SUMMARY_JSON, root / "build" / ARCHIVES_JSON]
    stale = [f for f in files if not f.is_file() or f.stat().st_mtime < firmware.map_file.stat().st_mtime]
    if stale:
        raise ToolError(
            f"no size report of the last build ({firmware.map_file}): run `invoke size-report` first, "
            "or give --size-json FILE"
        )
    build_dir = firmware.map_file.parent
    sdkconfig = build_dir / "sdkconfig" if (build_dir / "sdkconfig").is_file() else root / "sdkconfig"
    return files, firmware.target, sdkconfig


def run_memory_budget(root: Path, options: BudgetOptions = BudgetOptions()) -> int:
    """Print the breakdown; 0 within the budget, 1 over it."""
    budget = load_budget(options.budget or root / DEFAULT_BUDGET)
    if options.size_json:
        files, build_target, sdkconfig = list(options.size_json), None, options.sdkconfig
    else:
        files, build_target, sdkconfig = _last_build_inputs(root)
        sdkconfig = options.sdkconfig or sdkconfig
    report = size_json.load(files)
    target = (
        options.target
        or (sdkconfig_target(sdkconfig) if sdkconfig is not None and sdkconfig.is_file() else None)
        or build_target
        or report.guess_target()
    )
    if target is None:
        raise ToolError("cannot tell the target from the size JSON: give --target esp32|esp32c3|esp32s3", code=2)
    config = resolve_config(root, target, budget, sdkconfig)
    breakdown = compute(report, target, budget, config, own_archive_names(root, budget))
    shown = budget.path.relative_to(root) if budget.path.is_relative_to(root) else budget.path
    header = [
        f"memory budget for {target}: limit {budget.limit:,} B ({shown})",
        f"  size: {', '.join(str(f) for f in files)}",
        f"  configuration: {config.description}",
    ]
    print(render(breakdown, header, budget.fail_names))
    return 1 if breakdown.over else 0
