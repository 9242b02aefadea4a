"""Benchmarks: figures of speed and memory, printed, never asserted.

Two parts:
- the portable core (host_tests/bench/bench_core.c) from an optimised build in build/bench: registration
  serialization in ns/message next to a memcpy of the same payload measured in the same run, state-machine
  transitions, the static size of what the firmware allocates, and the heap the core uses (0);
- the simulator against a local NATS broker (MQTT over WebSocket): connect-to-PUBACK latency over several
  runs (median, min, max, from the simulator's own t_ms) and its peak resident memory (VmHWM);
- with fleet, the fleet engine's start/registration/stop times and memory per device (fleet_bench).
"""

from __future__ import annotations

import statistics
import subprocess
import tempfile
from pathlib import Path

from . import ToolError
from .brokers import NatsBroker
from .sim_process import SimProcess, find_or_build_simulator

BENCH_BUILD_DIR = "build/bench"
BENCH_TARGET = "bench_core"


def build_core_bench(root: Path) -> Path:
    """Configures (Release) and builds the core benchmark; returns the binary."""
    build_dir = root / BENCH_BUILD_DIR
    steps = [
        ["cmake", "-S", "host_tests", "-B", BENCH_BUILD_DIR, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release"],
        ["cmake", "--build", BENCH_BUILD_DIR, "--target", BENCH_TARGET],
    ]
    for cmd in steps:
        result = subprocess.run(cmd, cwd=root, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise ToolError(f"benchmark build failed: {' '.join(cmd)}\n{result.stdout}{result.stderr}")
    return build_dir / "bench" / BENCH_TARGET


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


def peak_rss_kib(pid: int) -> int | None:
    """VmHWM of a live process in KiB (None when it is gone or the field is absent)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def registration_latency_ms(events: list[dict]) -> float | None:
    """From the last connect_attempt before the first `registered` event to that event, in ms."""
    attempt_t = None
    for event in events:
        if event.get("event") == "connect_attempt":
            attempt_t = event["t_ms"]
        elif event.get("event") == "registered" and attempt_t is not None:
            return float(event["t_ms"] - attempt_t)
    return None


def run_simulator_bench(root: Path, runs: int) -> list[tuple[str, float, str]]:
    binary = find_or_build_simulator(root)
    latencies: list[float] = []
    peaks: list[int] = []
    with tempfile.TemporaryDirectory(prefix="irrigation-bench-") as tmp:
        with NatsBroker(Path(tmp)) as broker:
            for run in range(runs):
                args = ["--broker", broker.ws_uri, "--http-port", "0", "--mac", f"02:00:00:00:10:{run:02X}",
                        "--config-file", str(Path(tmp) / f"device-{run}.conf")]
                sim = SimProcess(binary, args, stderr_path=Path(tmp) / f"sim-{run}.log").start()
                try:
                    sim.wait_event("registered", timeout=20)
                    peak = peak_rss_kib(sim.pid) if sim.pid else None
                    if peak is not None:
                        peaks.append(peak)
                    latency = registration_latency_ms(sim.all_events())
                    if latency is not None:
                        latencies.append(latency)
                finally:
                    sim.stop()
    figures = []
    if latencies:
        figures += [
            ("sim_connect_to_puback_median", statistics.median(latencies), f"ms ({len(latencies)} runs, NATS ws://)"),
            ("sim_connect_to_puback_min", min(latencies), "ms"),
            ("sim_connect_to_puback_max", max(latencies), "ms"),
        ]
    if peaks:
        figures.append(("sim_peak_rss", float(max(peaks)), "KiB (VmHWM, whole process incl. Paho and libmicrohttpd)"))
    return figures


def format_figures(figures: list[tuple[str, float, str]]) -> str:
    width = max((len(name) for name, _, _ in figures), default=0)
    return "\n".join(f"{name:<{width}}  {value:>10.1f}  {unit}" for name, value, unit in figures)


def run_benchmark(root: Path, runs: int = 5, simulator: bool = True, fleet: bool = False) -> list[tuple[str, float, str]]:
    """Builds and runs the benchmarks, prints the table and returns the figures; with fleet, then the fleet
    table too (fleet_bench.run_fleet_bench, whose dict is the results' "fleet" entry)."""
    if runs < 1:
        raise ToolError("--runs must be at least 1")
    bench = build_core_bench(root)
    result = subprocess.run([str(bench)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ToolError(f"{bench} failed (exit {result.returncode}): {result.stderr.strip()}")
    figures = parse_figures(result.stdout)
    if simulator:
        figures += run_simulator_bench(root, runs)
    print(format_figures(figures))
    if fleet:
        from .fleet_bench import run_fleet_bench

        run_fleet_bench(root)
    return figures
