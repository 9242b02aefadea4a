"""The fault matrix (issue 9, item 8): every fault repeated, against NATS and Mosquitto where it applies.

For each fault x broker the run records registrations after recovery, lost registrations, /whoami misses
while it is polled throughout, the retry delays against the scaled schedule, and the contract's reason
texts (fault_scenarios.py says how each fault is made; faults.py how a run is read). The case passes
when every cycle recovered, nothing was lost, /whoami never missed, the delays follow the schedule and
the reasons are the contract's. The table of all cases is printed at the end of the session and written
to build/faults/ (conftest.py).

The count is --fault-cycles (or $FAULT_CYCLES), 5 by default; `nox -s faults` runs more. A soak of one
case (`--fault-soak FAULT:BROKER`, --fault-soak-cycles, 300 by default) prints the simulator's resident
memory at intervals.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fault_scenarios import CASES, SCENARIOS, Env
from faults import FaultRun
from irrigation_tools.mqtt_test_broker import MqttTestBroker

SOAK_REPORT_EVERY = 25


@pytest.fixture
def test_broker():
    broker = MqttTestBroker().start()
    yield broker
    broker.stop()


def fault_env(request, broker_kind: str, fault: str) -> Env:
    if broker_kind == "test":
        broker = request.getfixturevalue("test_broker")
    else:
        broker = request.getfixturevalue("make_broker")(broker_kind)
    ss_kill = request.getfixturevalue("ss_kill") if fault == "ss_cut" else None
    return Env(broker=broker, subscribe=request.getfixturevalue("subscribe"), ss_kill=ss_kill)


def run_case(request, fault: str, broker_kind: str, cycles: int, report: Path, on_cycle=None) -> FaultRun:
    env = fault_env(request, broker_kind, fault)
    sim_binary = request.getfixturevalue("sim_binary")
    run = FaultRun(fault, broker_kind, cycles, report, request.getfixturevalue("simulator"), str(sim_binary))
    run.on_cycle = on_cycle
    failure = None
    try:
        SCENARIOS[fault].run(run, env, cycles)
    except BaseException as exc:  # recorded in the row, then raised again
        failure = exc
        raise
    finally:
        run.finish(failure)
    return run


@pytest.mark.parametrize(("fault", "broker_kind"), CASES, ids=[f"{f}-{b}" for f, b in CASES])
def test_fault(request, fault, broker_kind, fault_cycles, fault_report_path):
    run = run_case(request, fault, broker_kind, fault_cycles, fault_report_path)
    row = run.row
    summary = f"{fault} / {broker_kind}: {row.to_json()}"
    assert row.cycles == fault_cycles, summary
    assert row.lost == 0, summary
    assert row.misses == 0, summary
    assert row.delays_ok is not False, summary
    assert row.reasons_ok is not False, summary
    assert run.problems == [], summary


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return -1


def test_soak(request, fault_soak, fault_soak_cycles, fault_report_path, capsys):
    """One case for many cycles (only with --fault-soak): the simulator's RSS printed every 25 cycles."""
    if fault_soak is None:
        pytest.skip("no --fault-soak FAULT:BROKER given")
    fault, _, broker_kind = fault_soak.partition(":")
    if fault not in SCENARIOS:
        pytest.fail(f"--fault-soak: unknown fault {fault!r}; known: {', '.join(SCENARIOS)}", pytrace=False)
    broker_kind = broker_kind or SCENARIOS[fault].brokers[0]
    samples: list[tuple[int, int]] = []

    def report_rss(run, sim) -> None:
        if run.row.cycles == 1 or run.row.cycles % SOAK_REPORT_EVERY == 0:
            samples.append((run.row.cycles, _rss_kib(sim.pid)))
            with capsys.disabled():
                print(f"\nsoak {fault}/{broker_kind}: cycle {run.row.cycles}: simulator RSS {samples[-1][1]} KiB",
                      flush=True)

    run = run_case(request, fault, broker_kind, fault_soak_cycles, fault_report_path, on_cycle=report_rss)
    with capsys.disabled():
        print(f"\nsoak {fault}/{broker_kind}: RSS samples (cycle, KiB): {samples}", flush=True)
    assert run.row.cycles == fault_soak_cycles
    assert run.row.lost == 0 and run.row.misses == 0, run.row.to_json()
