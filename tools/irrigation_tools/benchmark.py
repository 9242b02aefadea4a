"""Benchmarks: figures of speed and memory, printed and written to build/benchmark.json, never asserted.

Three parts, each compared with a reference measured in the same run:
- the portable core (host_tests/bench/bench_core.c): registration serialization next to a memcpy of the same
  payload, state-machine transitions, the static size of what the firmware allocates, its heap use (0);
- the registration serializer side by side (host_tests/bench/bench_serializers.c): the project's, built at
  -O2 and at -Os, against cJSON and a naive snprintf writer on a typical and an escape-heavy message:
  ns/msg, instructions/msg (callgrind, when valgrind is installed), heap allocation calls/msg, and the
  worst stack depth of device_registration_to_json and what it calls (gcc -fcallgraph-info=su);
- start-up: the simulator's start -> PUBACK against a bare Paho program (host_tests/bench/paho_floor.c, the
  floor) on local NATS and Mosquitto, both measured from their own start. Paho's receive loop sleeps 100 ms
  when it finds no socket yet, so the times fall into modes about 100 ms apart; each mode is reported
  (count, median) instead of one median that flips between runs.
- with fleet, the fleet engine's start/registration/stop times and memory per device (fleet_bench), under
  the JSON key "fleet".
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Optional

from . import ToolError
from .brokers import BrokerError, MosquittoBroker, NatsBroker
from .sim_process import SimProcess, SimulatorError, find_or_build_simulator, run_simulator

BENCH_ROOT = "build/bench"
OPT_LEVELS = ("O2", "Os")
REFERENCE_OPT = "O2"  # cJSON, snprintf and the core figures come from this build
BENCH_CORE = "bench_core"
BENCH_SERIALIZERS = "bench_serializers"
PAHO_FLOOR = "paho_floor"
TARGETS = {"O2": (BENCH_CORE, BENCH_SERIALIZERS, PAHO_FLOOR), "Os": (BENCH_SERIALIZERS,)}
JSON_PATH = "build/benchmark.json"
BUILD_JOBS = "2"  # the machine is shared: never more than two compiler processes

WRITERS = ("project", "cjson", "snprintf")
MESSAGES = ("typical", "escape_heavy")
CALLGRIND_CALLS = 1000
CALLGRIND_FUNCTION = "bench_serializers_loop"
STACK_ROOT = "device_registration_to_json"
MODE_GAP_MS = 50.0  # half of Paho's 100 ms receive-loop sleep: a larger gap between sorted times is a new mode
TOPIC = "/liwaisi/iot/smart-irrigation/device/registration"
RUN_TIMEOUT_S = 20.0


# --- building --------------------------------------------------------------------------------------------


def bench_build_dir(opt: str) -> str:
    return f"{BENCH_ROOT}/{opt}"


def configure_cmd(opt: str) -> list[str]:
    """CMake configure of one optimisation level, with per-function stack sizes and call graphs (.ci)."""
    return [
        "cmake", "-S", "host_tests", "-B", bench_build_dir(opt), "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
        f"-DCMAKE_C_FLAGS_RELEASE=-{opt} -DNDEBUG", "-DCMAKE_C_FLAGS=-fstack-usage -fcallgraph-info=su",
    ]


def build_cmd(opt: str) -> list[str]:
    return ["cmake", "--build", bench_build_dir(opt), "--parallel", BUILD_JOBS, "--target", *TARGETS[opt]]


def build_bench(root: Path, opt: str) -> Path:
    """Configures and builds one optimisation level; returns its build directory."""
    for cmd in (configure_cmd(opt), build_cmd(opt)):
        result = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise ToolError(f"benchmark build failed: {' '.join(cmd)}\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    return root / bench_build_dir(opt)


def bench_binary(build_dir: Path, name: str) -> Path:
    return build_dir / "bench" / name


# --- "name value unit" lines -----------------------------------------------------------------------------


def parse_figures(text: str) -> list[tuple[str, float, str]]:
    """Parses "name value unit..." lines into (name, value, unit); other lines are ignored."""
    figures = []
    for line in text.splitlines():
        parts = line.split(maxsplit=2)
        if len(parts) < 3:
            continue
        try:
            value = float(parts[1])
        except ValueError:
            continue
        figures.append((parts[0], value, parts[2]))
    return figures


def format_figures(figures: list[tuple[str, float, str]]) -> str:
    width = max((len(name) for name, _, _ in figures), default=0)
    return "\n".join(f"{name:<{width}}  {value:>10.1f}  {unit}" for name, value, unit in figures)


# --- serializers -----------------------------------------------------------------------------------------


@dataclass
class SerializerRow:
    """One writer on one message. None means not measured (and `note` says why)."""

    writer: str
    opt: str
    message: str
    available: bool = True
    note: str = ""
    bytes: Optional[int] = None
    same_output_as_project: Optional[bool] = None
    ns_per_msg: Optional[float] = None
    instructions_per_msg: Optional[float] = None
    allocations_per_msg: Optional[float] = None

    @property
    def label(self) -> str:
        return f"{self.writer} -{self.opt}" if self.writer == "project" else self.writer


def parse_serializer_output(text: str, opt: str) -> list[SerializerRow]:
    """Rows from bench_serializers' "<writer>.<message>.<metric> value unit" lines, in the order printed."""
    rows: dict[tuple[str, str], SerializerRow] = {}
    for line in text.splitlines():
        parts = line.split(maxsplit=2)
        if len(parts) < 2 or parts[0].count(".") != 2:
            continue
        writer, message, metric = parts[0].split(".")
        row = rows.setdefault((writer, message), SerializerRow(writer, opt, message))
        value = float(parts[1])
        if metric == "available":
            row.available = value != 0
            if not row.available:
                row.note = parts[2] if len(parts) > 2 else "not built"
        elif metric == "bytes":
            row.bytes = int(value)
        elif metric == "same_output_as_project":
            row.same_output_as_project = value != 0
        elif metric == "ns_per_msg":
            row.ns_per_msg = value
        elif metric == "allocs_per_msg":
            row.allocations_per_msg = value
    return list(rows.values())


_CALLGRIND_TOTALS_RE = re.compile(r"^(?:totals|summary):\s+(\d+)", re.MULTILINE)


def parse_callgrind_totals(text: str) -> Optional[int]:
    """The collected instruction count (Ir) of a callgrind output file, None when it has none."""
    match = _CALLGRIND_TOTALS_RE.search(text)
    return int(match.group(1)) if match else None


def valgrind_path() -> Optional[str]:
    return shutil.which("valgrind")


def callgrind_instructions(binary: Path, writer: str, message: str, valgrind: str,
                           calls: int = CALLGRIND_CALLS) -> Optional[float]:
    """Instructions per message: callgrind collects only bench_serializers_loop (N calls, after a warm-up
    call outside it that resolves the library symbols), divided by N. None when the run failed."""
    with tempfile.TemporaryDirectory(prefix="irrigation-callgrind-") as tmp:
        out = Path(tmp) / "callgrind.out"
        cmd = [valgrind, "--tool=callgrind", f"--toggle-collect={CALLGRIND_FUNCTION}",
               f"--callgrind-out-file={out}", str(binary), "--loop", writer, message, str(calls)]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=300)
        if result.returncode != 0 or not out.is_file():
            return None
        total = parse_callgrind_totals(out.read_text(errors="replace"))
    return None if total is None else total / calls


def run_serializers(binary: Path, opt: str, writers: tuple[str, ...], valgrind: Optional[str]) -> list[SerializerRow]:
    """Runs bench_serializers of one build; keeps the rows of `writers`, with callgrind counts if possible."""
    result = subprocess.run([str(binary)], capture_output=True, text=True, check=False, timeout=600)
    if result.returncode != 0:
        raise ToolError(f"{binary} failed (exit {result.returncode}): {result.stderr.strip()}")
    rows = [row for row in parse_serializer_output(result.stdout, opt) if row.writer in writers]
    for row in rows:
        if row.available and valgrind is not None:
            row.instructions_per_msg = callgrind_instructions(binary, row.writer, row.message, valgrind)
    return rows


# --- stack depth from gcc's call graph (-fcallgraph-info=su) ---------------------------------------------


@dataclass
class CallGraph:
    """Functions (by gcc's node title) with their own stack bytes (None: external, e.g. libc) and calls."""

    names: dict[str, str] = field(default_factory=dict)
    frame_bytes: dict[str, Optional[int]] = field(default_factory=dict)
    calls: dict[str, list[str]] = field(default_factory=dict)


_NODE_RE = re.compile(r'^node: \{ title: "([^"]+)" label: "([^"]*)"', re.MULTILINE)
_EDGE_RE = re.compile(r'^edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"', re.MULTILINE)
_BYTES_RE = re.compile(r"(\d+) bytes \(")


def parse_callgraph(texts: list[str]) -> CallGraph:
    """Merges gcc .ci files: a function defined in one file and called from another is one node."""
    graph = CallGraph()
    for text in texts:
        for title, label in _NODE_RE.findall(text):
            size = _BYTES_RE.search(label)
            graph.names[title] = label.split("\\n", 1)[0]
            if size is not None:
                graph.frame_bytes[title] = int(size.group(1))
            else:
                graph.frame_bytes.setdefault(title, None)
        for source, target in _EDGE_RE.findall(text):
            targets = graph.calls.setdefault(source, [])
            if target not in targets:
                targets.append(target)
    return graph


def worst_stack(graph: CallGraph, root: str) -> tuple[int, list[str]]:
    """The deepest stack from root: the sum of frame sizes along the worst call path, and that path (names).
    External functions count 0 (their frames are not in the graph); a recursive call is not followed."""
    best: dict[str, tuple[int, list[str]]] = {}

    def visit(node: str, active: frozenset[str]) -> tuple[int, list[str]]:
        if node in best:
            return best[node]
        deepest: tuple[int, list[str]] = (0, [])
        for callee in graph.calls.get(node, []):
            if callee not in active:
                candidate = visit(callee, active | {node})
                if candidate[0] > deepest[0]:
                    deepest = candidate
        result = ((graph.frame_bytes.get(node) or 0) + deepest[0], [graph.names.get(node, node), *deepest[1]])
        best[node] = result
        return result

    return visit(root, frozenset())


def stack_usage(build_dir: Path, root: str = STACK_ROOT) -> Optional[dict]:
    """Worst stack of `root` in the domain library of one build, or None without call-graph files."""
    texts = [p.read_text(errors="replace") for p in sorted((build_dir / "components" / "domain").rglob("*.ci"))]
    graph = parse_callgraph(texts)
    if root not in graph.frame_bytes:
        return None
    depth, path = worst_stack(graph, root)
    return {"bytes": depth, "path": path}


# --- start-up: simulator vs the Paho floor ---------------------------------------------------------------


@dataclass
class Mode:
    count: int
    median_ms: float
    min_ms: float
    max_ms: float


def split_modes(values: list[float], gap_ms: float = MODE_GAP_MS) -> list[Mode]:
    """Groups sorted times into modes: a gap of gap_ms or more between neighbours starts a new one."""
    groups: list[list[float]] = []
    for value in sorted(values):
        if groups and value - groups[-1][-1] < gap_ms:
            groups[-1].append(value)
        else:
            groups.append([value])
    return [Mode(len(g), statistics.median(g), g[0], g[-1]) for g in groups]


def parse_floor_output(text: str) -> Optional[float]:
    """t_ms of paho_floor's {"event":"puback",...} line, None when it has none."""
    for line in text.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if isinstance(event, dict) and event.get("event") == "puback":
            return float(event["t_ms"])
    return None


def start_to_puback_ms(events: list[dict]) -> Optional[float]:
    """t_ms (ms since the simulator started) of its first `registered` event, i.e. of the first PUBACK."""
    for event in events:
        if event.get("event") == "registered":
            return float(event["t_ms"])
    return None


def peak_rss_kib(pid: int) -> int | None:
    """VmHWM of a live process in KiB (None when it is gone or the field is absent)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


@dataclass
class StartupSeries:
    """One program's start -> PUBACK times on one broker."""

    runs_ms: list[float] = field(default_factory=list)
    failures: int = 0
    peak_rss_kib: Optional[int] = None

    def to_json(self) -> dict:
        return {"runs_ms": self.runs_ms, "failures": self.failures,
                "modes": [asdict(m) for m in split_modes(self.runs_ms)], "peak_rss_kib": self.peak_rss_kib}


def simulator_run(binary: Path, uri: str, mac: str, workdir: Path, series: StartupSeries) -> None:
    """One simulator from its start to its first PUBACK, with a config file of its own (none yet)."""
    stem = mac.replace(":", "")
    args = ["--broker", uri, "--http-port", "0", "--mac", mac, "--config-file", str(workdir / f"{stem}.conf")]
    sim = SimProcess(binary, args, stderr_path=workdir / f"sim-{stem}.log").start()
    try:
        sim.wait_event("registered", timeout=RUN_TIMEOUT_S)
        peak = peak_rss_kib(sim.pid) if sim.pid else None
        if peak is not None:
            series.peak_rss_kib = max(series.peak_rss_kib or 0, peak)
        value = start_to_puback_ms(sim.all_events())
    except SimulatorError:
        value = None
    finally:
        sim.stop()
    if value is None:
        series.failures += 1
    else:
        series.runs_ms.append(value)


def floor_run(binary: Path, uri: str, client_id: str, payload: str, series: StartupSeries) -> None:
    """One paho_floor run: connect, publish the payload with QoS 1, PUBACK."""
    try:
        result = subprocess.run([str(binary), uri, client_id, TOPIC, payload], stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False)
        value = parse_floor_output(result.stdout) if result.returncode == 0 else None
    except subprocess.TimeoutExpired:
        value = None
    if value is None:
        series.failures += 1
    else:
        series.runs_ms.append(value)


def registration_payload(simulator: Path, mac: str, config_file: Path) -> str:
    """The registration the simulator would publish (its --print-registration), the floor's payload."""
    args = ["--print-registration", "--mac", mac, "--ip", "127.0.0.1", "--config-file", str(config_file)]
    result = run_simulator(simulator, args)
    if result.returncode != 0:
        raise ToolError(f"irrigation-sim --print-registration failed: {result.stderr.decode(errors='replace')}")
    return result.stdout.decode("utf-8").strip()


BROKERS: dict[str, type] = {"nats": NatsBroker, "mosquitto": MosquittoBroker}


def run_startup(root: Path, floor: Optional[Path], runs: int, say: Callable[[str], None] = print) -> dict:
    """Start -> PUBACK of the simulator and of the floor, alternating run by run, on each broker."""
    simulator = find_or_build_simulator(root)
    brokers: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="irrigation-bench-") as tmp:
        payload = registration_payload(simulator, "02:00:30:FF:00:00", Path(tmp) / "payload.conf")
        for index, (name, factory) in enumerate(BROKERS.items()):
            sim, paho = StartupSeries(), StartupSeries()
            try:
                with factory(Path(tmp) / name) as broker:
                    say(f"start-up on {name}: {runs} runs of the simulator and {runs} of the Paho floor ...")
                    for run in range(runs):
                        mac = f"02:00:30:{index:02X}:{run >> 8 & 0xFF:02X}:{run & 0xFF:02X}"
                        simulator_run(simulator, broker.ws_uri, mac, Path(tmp), sim)
                        if floor is not None:
                            floor_run(floor, broker.ws_uri, f"paho-floor-{name}-{run}", payload, paho)
            except BrokerError as exc:
                say(f"start-up on {name}: skipped ({str(exc).splitlines()[0]})")
                brokers[name] = {"skipped": str(exc).splitlines()[0]}
                continue
            brokers[name] = {"simulator": sim.to_json(),
                             "paho_floor": paho.to_json() if floor is not None else None}
    return {"runs": runs, "mode_gap_ms": MODE_GAP_MS, "payload_bytes": len(payload.encode()), "brokers": brokers}


# --- the fleet (issue 13, item 1): its figures go here ---------------------------------------------------


def fleet_figures(root: Path, say: Callable[[str], None] = print) -> dict:
    """Fleet figures (fleet_bench): devices started, all registrations PUBACKed and all stopped (s) for 1,000
    and 10,000 devices, RSS per device, fd limits; the table is printed as it is measured. Written under the
    JSON key "fleet"."""
    from .fleet_bench import run_fleet_bench

    return run_fleet_bench(root, say=say)


def format_fleet(fleet: Optional[dict]) -> str:
    if fleet is None:
        return "Fleet: not measured (invoke benchmark --fleet)"
    return "Fleet:\n" + "\n".join(f"  {key}: {value}" for key, value in fleet.items())


# --- tables ----------------------------------------------------------------------------------------------


def _cell(value: Optional[float], fmt: str) -> str:
    return "n/a" if value is None else format(value, fmt)


def format_serializer_table(rows: list[SerializerRow], stacks: dict[str, Optional[dict]]) -> str:
    sizes = {r.message: r.bytes for r in rows if r.writer == "project" and r.bytes is not None}
    lines = [
        "Serializer: one registration to compact JSON in a caller buffer ("
        + ", ".join(f"{m}: {sizes[m]} B" for m in MESSAGES if m in sizes) + ")",
        f"  {'writer':<12} {'message':<13} {'ns/msg':>8} {'instr/msg':>10} {'allocs/msg':>11}  same bytes",
    ]
    for message in MESSAGES:
        for row in (r for r in rows if r.message == message):
            if not row.available:
                lines.append(f"  {row.label:<12} {row.message:<13} not measured: {row.note}")
                continue
            same = {True: "yes", False: "NO", None: "n/a"}[row.same_output_as_project]
            lines.append(
                f"  {row.label:<12} {row.message:<13} {_cell(row.ns_per_msg, '.1f'):>8} "
                f"{_cell(row.instructions_per_msg, ',.0f'):>10} {_cell(row.allocations_per_msg, '.2f'):>11}  {same}"
            )
    for opt, stack in stacks.items():
        if stack is None:
            lines.append(f"  stack -{opt}: n/a (no call-graph files)")
        else:
            lines.append(f"  stack -{opt}: {stack['bytes']} B worst path {' > '.join(stack['path'])}")
    lines.append("  (libc's memcpy/strlen/memchr frames are not counted; instructions: callgrind, "
                 f"{CALLGRIND_CALLS} calls; cjson and snprintf built at -{REFERENCE_OPT})")
    return "\n".join(lines)


def _format_modes(series: Optional[dict]) -> str:
    if series is None:
        return "n/a (paho_floor not built)"
    modes = [Mode(**m) for m in series["modes"]]
    text = "; ".join(f"{m.count} x {m.median_ms:.1f} ms ({m.min_ms:.1f}-{m.max_ms:.1f})" for m in modes) or "none"
    return text + (f"; {series['failures']} failed" if series["failures"] else "")


def fast_mode_ratio(startup_broker: dict) -> Optional[float]:
    """Simulator over floor, comparing the medians of their fastest modes."""
    sim, paho = startup_broker.get("simulator"), startup_broker.get("paho_floor")
    if not sim or not paho or not sim["modes"] or not paho["modes"]:
        return None
    floor_ms = paho["modes"][0]["median_ms"]
    return sim["modes"][0]["median_ms"] / floor_ms if floor_ms > 0 else None


def format_startup_table(startup: dict) -> str:
    lines = [
        f"Start -> PUBACK, ms from each program's own start ({startup['runs']} runs each, alternating; "
        f"modes split at gaps >= {startup['mode_gap_ms']:.0f} ms; mode: count x median (min-max))",
    ]
    for name, broker in startup["brokers"].items():
        if "skipped" in broker:
            lines.append(f"  {name:<10} skipped: {broker['skipped']}")
            continue
        lines.append(f"  {name:<10} simulator   {_format_modes(broker['simulator'])}")
        lines.append(f"  {'':<10} paho floor  {_format_modes(broker['paho_floor'])}")
        ratio = fast_mode_ratio(broker)
        if ratio is not None:
            lines.append(f"  {'':<10} simulator / floor (fastest modes): {ratio:.2f} x")
        peak = broker["simulator"]["peak_rss_kib"]
        if peak is not None:
            lines.append(f"  {'':<10} simulator peak RSS: {peak} KiB (VmHWM, whole process incl. Paho, libmicrohttpd)")
    return "\n".join(lines)


# --- the whole run ---------------------------------------------------------------------------------------


def host_description() -> dict:
    compiler = subprocess.run(["cc", "--version"], capture_output=True, text=True, check=False).stdout
    return {"cpus": os.cpu_count(), "machine": platform.machine(), "compiler": compiler.splitlines()[0] if compiler else ""}


def benchmark_document(core: list[tuple[str, float, str]], rows: list[SerializerRow],
                       stacks: dict[str, Optional[dict]], startup: Optional[dict], fleet: Optional[dict],
                       notes: list[str]) -> dict:
    return {
        "schema": 1,
        "generated_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "host": host_description(),
        "notes": notes,
        "core": {name: {"value": value, "unit": unit} for name, value, unit in core},
        "serializer": {"rows": [asdict(r) for r in rows], "stack": stacks},
        "startup": startup,
        "fleet": fleet,
    }


def run_benchmark(root: Path, runs: int = 20, simulator: bool = True, fleet: bool = False,
                  say: Callable[[str], None] = print) -> dict:
    """Builds and runs the benchmarks, prints the tables, writes build/benchmark.json and returns its data;
    with fleet, the fleet engine's table too (fleet_bench.run_fleet_bench, the JSON key "fleet")."""
    if runs < 1:
        raise ToolError("--runs must be at least 1")
    notes: list[str] = []
    builds = {opt: build_bench(root, opt) for opt in OPT_LEVELS}
    reference = builds[REFERENCE_OPT]
    core_run = subprocess.run([str(bench_binary(reference, BENCH_CORE))], capture_output=True, text=True, check=False)
    if core_run.returncode != 0:
        raise ToolError(f"{BENCH_CORE} failed (exit {core_run.returncode}): {core_run.stderr.strip()}")
    core = parse_figures(core_run.stdout)

    valgrind = valgrind_path()
    if valgrind is None:
        notes.append("valgrind not installed: instructions/msg are n/a (apt-get install valgrind)")
    rows = run_serializers(bench_binary(reference, BENCH_SERIALIZERS), REFERENCE_OPT, WRITERS, valgrind)
    for opt in OPT_LEVELS:
        if opt != REFERENCE_OPT:
            rows += run_serializers(bench_binary(builds[opt], BENCH_SERIALIZERS), opt, ("project",), valgrind)
    rows.sort(key=lambda r: (MESSAGES.index(r.message), WRITERS.index(r.writer), OPT_LEVELS.index(r.opt)))
    notes += sorted({f"{r.writer}: {r.note}" for r in rows if not r.available})
    stacks = {opt: stack_usage(build_dir) for opt, build_dir in builds.items()}

    startup = None
    if simulator:
        floor = bench_binary(reference, PAHO_FLOOR)
        if not floor.is_file():
            notes.append("paho_floor not built (Paho C not found at build time): no floor figures")
        startup = run_startup(root, floor if floor.is_file() else None, runs, say)
    fleet_data = fleet_figures(root, say) if fleet else None

    document = benchmark_document(core, rows, stacks, startup, fleet_data, notes)
    say("Core (optimised -O2):\n" + format_figures(core))
    say(format_serializer_table(rows, stacks))
    say(format_startup_table(startup) if startup is not None else "Start-up: skipped (--core-only)")
    if fleet_data is None:
        say(format_fleet(fleet_data))
    for note in notes:
        say(f"note: {note}")
    out = root / JSON_PATH
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    say(f"written: {JSON_PATH}")
    return document
