"""The fleet figures of `invoke benchmark --fleet`: printed and returned, never asserted.

For each fleet size (1,000 and 10,000 devices by default), against a fresh local NATS (MQTT over
WebSocket, brokers.NatsBroker): the fleet processes are started the way `invoke simulate` starts them
(fleet.plan_processes: one per core at least, at most fleet.DEVICES_PER_PROCESS devices each), with
distinct loopback addresses on one unprivileged port, and timed from the first spawn:
- started: every process has started all its devices (its `fleet_started` line);
- registered: every device has had its registration PUBACKed (every process's `fleet_registered`);
- stopped: `quit` sent to every process at once, until the last one has exited;
- total: spawn to the last exit;
and their memory: the sum of the processes' resident set (VmRSS) once everything is registered, per device,
and the sum of their peaks (VmHWM). The goals these are read against (issue 13): 1,000 devices started,
registered and stopped in < 5 s, 10,000 in < 60 s, <= 100 KB RSS per device.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from irrigation_tools import ToolError
from irrigation_tools.brokers import NatsBroker, free_port
from irrigation_tools.fleet import devices_per_process_limit, generate, plan_processes, write_device_file
from irrigation_tools.fleet_process import FleetProcess, find_or_build_fleet
from irrigation_tools.simulate import raise_fd_limit

DEFAULT_SIZES = (1_000, 10_000)
# Bounds of each phase: far above the goals, only so that a broken run ends.
PHASE_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class FleetRun:
    devices: int
    processes: int
    started_s: float
    registered_s: float
    stopped_s: float
    total_s: float
    rss_kib: int
    peak_rss_kib: int

    @property
    def rss_per_device_kib(self) -> float:
        return self.rss_kib / self.devices

    def as_dict(self) -> dict:
        return {
            "devices": self.devices,
            "processes": self.processes,
            "started_s": round(self.started_s, 3),
            "registered_s": round(self.registered_s, 3),
            "stopped_s": round(self.stopped_s, 3),
            "total_s": round(self.total_s, 3),
            "rss_kib": self.rss_kib,
            "rss_per_device_kib": round(self.rss_per_device_kib, 2),
            "peak_rss_kib": self.peak_rss_kib,
        }


def process_memory_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a live process in KiB; (0, 0) when it is gone."""
    rss = peak = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return 0, 0
    return rss, peak


def _wait_all(fleets: list[FleetProcess], name: str, started: float, clock: Callable[[], float]) -> float:
    """Seconds from `started` until every process has printed its `name` event (this side's clock)."""
    last = started
    for fleet in fleets:
        try:
            event = fleet.wait_fleet_event(name, timeout=PHASE_TIMEOUT_S - (clock() - started))
        except Exception as exc:
            raise ToolError(f"benchmark --fleet: {exc}") from exc
        last = max(last, event["_received"])
    return last - started


def run_fleet_size(
    binary: Path, broker_uri: str, devices: int, workdir: Path, cpus: int, fd_limit: int,
    clock: Callable[[], float] = time.monotonic,
) -> FleetRun:
    """One fleet of `devices`, timed and measured as the module says; everything it starts is stopped."""
    http_port = free_port()  # the same port on every device's own address: no root needed
    fleet = generate(devices, name="Bench")
    slices = plan_processes(devices, cpus, devices_per_process_limit(fd_limit))
    processes: list[FleetProcess] = []
    for number, (first, count) in enumerate(slices):
        device_file = workdir / f"devices-{devices}-{number}.txt"
        write_device_file(device_file, fleet[first - 1 : first - 1 + count])
        processes.append(FleetProcess(
            binary,
            ["--broker", broker_uri, "--device-file", str(device_file), "--first-index", str(first),
             "--distinct-ips", "--http-port", str(http_port)],
            stderr_path=workdir / f"fleet-{devices}-{number}.log",
            clock=clock,
        ))
    began = clock()
    try:
        for process in processes:
            process.start()
        started_s = _wait_all(processes, "fleet_started", began, clock)
        registered_s = _wait_all(processes, "fleet_registered", began, clock)
        memory = [process_memory_kib(process.pid or 0) for process in processes]
    finally:
        stopping = clock()
        for process in processes:
            process.request_stop()
        codes = [process.stop(timeout=PHASE_TIMEOUT_S) for process in processes]
    stopped_s = clock() - stopping
    if any(code != 0 for code in codes):
        raise ToolError(f"benchmark --fleet: a fleet process exited with {codes}; logs in {workdir}")
    return FleetRun(
        devices=devices,
        processes=len(processes),
        started_s=started_s,
        registered_s=registered_s,
        stopped_s=stopped_s,
        total_s=clock() - began,
        rss_kib=sum(rss for rss, _ in memory),
        peak_rss_kib=sum(peak for _, peak in memory),
    )


def format_fleet_table(runs: list[FleetRun]) -> str:
    rows: list[tuple[str, Callable[[FleetRun], str], str]] = [
        ("fleet_devices", lambda r: f"{r.devices}", ""),
        ("fleet_processes", lambda r: f"{r.processes}", ""),
        ("fleet_started", lambda r: f"{r.started_s:.2f}", "s (every device up)"),
        ("fleet_registered", lambda r: f"{r.registered_s:.2f}", "s (every registration PUBACKed)"),
        ("fleet_stopped", lambda r: f"{r.stopped_s:.2f}", "s (quit to the last exit)"),
        ("fleet_total", lambda r: f"{r.total_s:.2f}", "s (goal: < 5 s for 1,000, < 60 s for 10,000)"),
        ("fleet_rss_per_device", lambda r: f"{r.rss_per_device_kib:.1f}", "KiB (VmRSS sum / devices; goal <= 100)"),
        ("fleet_peak_rss", lambda r: f"{r.peak_rss_kib / 1024:.1f}", "MiB (VmHWM sum)"),
    ]
    width = max(len(name) for name, _, _ in rows)
    lines = []
    for name, value, unit in rows:
        cells = "".join(f"{value(run):>10}" for run in runs)
        lines.append(f"{name:<{width}}  {cells}  {unit}".rstrip())
    return "\n".join(lines)


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def run_fleet_bench(
    root: Path, sizes: tuple[int, ...] = DEFAULT_SIZES, say: Callable[[str], None] = print,
    broker_factory: Optional[Callable[[Path], Any]] = None,
) -> dict:
    """Measures every size, prints the table and returns the dict for the benchmark's JSON key "fleet"."""
    binary = find_or_build_fleet(root)
    fd_limit = raise_fd_limit()  # before the broker starts: it inherits the limit for its connections
    cpus = _cpus()
    make_broker = broker_factory or NatsBroker
    runs = []
    with tempfile.TemporaryDirectory(prefix="irrigation-fleet-bench-") as tmp:
        for devices in sizes:
            workdir = Path(tmp) / f"fleet-{devices}"
            workdir.mkdir()
            broker = make_broker(workdir / "nats")  # a fresh broker per size: no sessions left over
            with broker:
                runs.append(run_fleet_size(binary, broker.ws_uri, devices, workdir, cpus, fd_limit))
    say(f"fleet: irrigation-fleet against a local NATS (ws://), {cpus} CPU(s), RLIMIT_NOFILE {fd_limit}, "
        "distinct loopback addresses")
    say(format_fleet_table(runs))
    return {"cpus": cpus, "fd_limit": fd_limit, "runs": [run.as_dict() for run in runs]}
