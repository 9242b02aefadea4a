"""Reading a simulator's event stream after a fault, and the fault matrix's table.

The fault tests (host_tests/e2e/test_faults.py) hand the simulator's events (docs/simulator.md: one JSON
object per line, `t_ms` since start) to these pure functions:

- check_retry_delays(): every `retry_scheduled` announces the delay the schedule gives for the failures
  counted since the last acknowledged registration (initial x multiplier^(n-1), capped), and the next
  `connect_attempt` comes no earlier than that delay and not much later. The count restarts only at a
  `registered` event (the registration's PUBACK), so a core that restarted the schedule at CONNACK shows
  here as a wrong `failures` and a delay that never doubles.
- connection_sessions() / lost_registrations(): a session is the time from the MQTT connection (state to
  `registering`) to the next connect attempt. A session that saw no `registered` and after which the
  device never tried again lost its registration: the central system never learns about the device.

FaultRow is one line of the table (fault x broker); rows travel between pytest workers as JSON lines.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Sequence

UNSET = None
# retry_scheduled is written just after the timer is armed; on a loaded machine the line's t_ms can lag
# the arming by a few milliseconds, so an attempt may look that much early. The bound stays far below the
# smallest step of a scaled schedule (100 ms), so a wrong delay is still caught.
ANNOUNCE_LAG_MS = 20


@dataclass(frozen=True)
class Schedule:
    initial_ms: int
    max_ms: int
    multiplier: int = 2


def expected_delay_ms(failures: int, schedule: Schedule) -> int:
    """The delay after the failures-th consecutive failure (1-based): initial x multiplier^(n-1), capped."""
    if failures < 1:
        raise ValueError("failures counts from 1")
    delay = schedule.initial_ms
    for _ in range(failures - 1):
        if delay >= schedule.max_ms:
            break
        delay *= schedule.multiplier
    return min(delay, schedule.max_ms)


@dataclass
class DelayCheck:
    ok: bool
    announced: list[int] = field(default_factory=list)  # every retry_scheduled delay, in order
    longest_run: list[int] = field(default_factory=list)  # the longest series between two registrations
    problems: list[str] = field(default_factory=list)


def check_retry_delays(events: Sequence[dict], schedule: Schedule, lateness_max_ms: int) -> DelayCheck:
    """Announced delays against the schedule, and the attempts' timing against the announced delays."""
    result = DelayCheck(ok=True)
    failures = 0
    run: list[int] = []
    for index, event in enumerate(events):
        name = event.get("event")
        if name == "registered":
            failures, run = 0, []
            continue
        if name != "retry_scheduled":
            continue
        failures += 1
        delay = int(event["delay_ms"])
        result.announced.append(delay)
        run.append(delay)
        if len(run) > len(result.longest_run):
            result.longest_run = list(run)
        expected = expected_delay_ms(failures, schedule)
        if event.get("failures") != failures or delay != expected:
            result.problems.append(
                f"retry at t_ms {event.get('t_ms')}: failures {event.get('failures')} delay {delay} ms; "
                f"expected failures {failures} delay {expected} ms (the schedule restarts only on a PUBACK)"
            )
        attempt = _next_attempt(events, index)
        if attempt is not None:
            gap = int(attempt["t_ms"]) - int(event["t_ms"])
            if gap < delay - ANNOUNCE_LAG_MS:
                result.problems.append(f"attempt at t_ms {attempt['t_ms']} came {gap} ms after a {delay} ms delay")
            elif gap > delay + lateness_max_ms:
                result.problems.append(
                    f"attempt at t_ms {attempt['t_ms']} came {gap} ms after a {delay} ms delay "
                    f"(more than {lateness_max_ms} ms late)"
                )
    result.ok = not result.problems
    return result


def _next_attempt(events: Sequence[dict], index: int) -> Optional[dict]:
    """The connect_attempt that ends the wait announced at events[index], if the stream has it."""
    for event in events[index + 1:]:
        name = event.get("event")
        if name == "connect_attempt":
            return event
        if name in ("retry_scheduled", "registered", "network"):
            return None  # the wait was cut short by something else: no timing to check
    return None


@dataclass
class Session:
    start_t_ms: int
    registrations: int = 0
    retried: bool = False  # a connect attempt followed


def connection_sessions(events: Iterable[dict]) -> list[Session]:
    sessions: list[Session] = []
    current: Optional[Session] = None
    for event in events:
        name = event.get("event")
        if name == "state" and event.get("to") == "registering" and event.get("from") != "registered":
            current = Session(start_t_ms=int(event["t_ms"]))
            sessions.append(current)
        elif name == "registered" and current is not None:
            current.registrations += 1
        elif name == "connect_attempt" and current is not None:
            current.retried = True
            current = None
    return sessions


def lost_registrations(events: Iterable[dict]) -> int:
    """Sessions with no acknowledged registration after which the device did not try again."""
    return sum(1 for s in connection_sessions(events) if s.registrations == 0 and not s.retried)


@dataclass
class FaultRow:
    fault: str
    broker: str
    cycles: int = 0  # cycles completed (fault injected, seen, and recovered from where recovery applies)
    registrations: int = 0  # acknowledged registrations after a fault was removed
    lost: int = 0
    polls: int = 0  # /whoami polls during the run
    misses: int = 0
    delays_ok: Optional[bool] = UNSET  # None: no retry was expected
    reasons_ok: Optional[bool] = UNSET  # None: the fault has no reason text in the contract
    delays: list[int] = field(default_factory=list)  # the longest series of announced delays
    passed: bool = False
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> "FaultRow":
        return cls(**json.loads(line))


def append_row(path: Path, row: FaultRow) -> None:
    """Appends one JSON line; one write() of a short line, so parallel workers do not interleave."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as out:
        out.write(row.to_json() + "\n")


def read_rows(path: Path) -> list[FaultRow]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    return [FaultRow.from_json(line) for line in lines if line.strip()]


def _yes_no(value: Optional[bool]) -> str:
    return "n/a" if value is None else ("yes" if value else "**no**")


def _delays(delays: list[int], shown: int = 6) -> str:
    if not delays:
        return ""
    text = " ".join(str(d) for d in delays[:shown])
    return text + (" ..." if len(delays) > shown else "")


def format_table(rows: Sequence[FaultRow]) -> str:
    """Markdown: one line per fault x broker, sorted; then each note (missing options, problems, where a
    run stopped) once, with the cases it applies to."""
    header = ("| fault | broker | cycles | registrations | lost | /whoami misses | delays ok | longest delay "
              "series (ms) | reason ok | result |")
    lines = [header, "|" + " --- |" * 10]
    notes: dict[str, list[str]] = {}
    for row in sorted(rows, key=lambda r: (r.fault, r.broker)):
        lines.append(
            f"| {row.fault} | {row.broker} | {row.cycles} | {row.registrations} | {row.lost} | "
            f"{row.misses} of {row.polls} | {_yes_no(row.delays_ok)} | {_delays(row.delays)} | "
            f"{_yes_no(row.reasons_ok)} | {'pass' if row.passed else '**FAIL**'} |"
        )
        for note in row.notes:
            notes.setdefault(note, []).append(f"{row.fault}/{row.broker}")
    listed = [f"- {', '.join(cases)}: {note}" for note, cases in notes.items()]
    return "\n".join(lines + ([""] + listed if listed else [])) + "\n"


FAULTS_SESSION_CYCLES = 20
FAULTS_SESSION_WORKERS = 4
FAULTS_TESTS = ("host_tests/e2e/test_faults.py", "host_tests/e2e/test_http_pressure.py")
SOAK_TEST = "host_tests/e2e/test_faults.py::test_soak"


E2E_DIR = "host_tests/e2e"
E2E_WORKERS = 3
# pytest's exit status when nothing was selected (e.g. `-k` matching only the other run).
NO_TESTS_COLLECTED = 5


def e2e_session_runs(posargs: Sequence[str]) -> list[list[str]]:
    """pytest arguments of `nox -s e2e`, in two runs: the suite as it always ran (one process, in order,
    with no fault case loading the machine beside its timing checks), then the fault matrix and the
    slow-client case on parallel workers (each case owns its brokers)."""
    ignored = [f"--ignore={path}" for path in FAULTS_TESTS]
    return [
        [E2E_DIR, *ignored, *posargs],
        [*FAULTS_TESTS, "-n", str(E2E_WORKERS), *posargs],
    ]


def faults_session_args(posargs: Sequence[str]) -> list[str]:
    """pytest arguments of `nox -s faults`: the matrix with --fault-cycles 20 unless given, on parallel
    workers (every case has its own brokers); with --fault-soak only the soak, in this process, so that
    its RSS lines reach the terminal."""
    args = list(posargs)
    if any(a == "--fault-soak" or a.startswith("--fault-soak=") for a in args):
        return [SOAK_TEST, "-p", "no:cacheprovider", "-n", "0", *args]
    if not any(a == "--fault-cycles" or a.startswith("--fault-cycles=") for a in args):
        args = ["--fault-cycles", str(FAULTS_SESSION_CYCLES), *args]
    return [*FAULTS_TESTS, "-p", "no:cacheprovider", "-n", str(FAULTS_SESSION_WORKERS), *args]
