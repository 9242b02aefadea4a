"""The fault matrix's harness: one FaultRun per fault x broker, its figures, and the simulator options.

A FaultRun starts the simulators of a case (each with a /whoami poller running for its whole life),
counts cycles, collects contract mismatches as problems (so that one wrong reason text does not hide
what the rest of the run would show), and at the end reads every simulator's event stream
(irrigation_tools.fault_report) into the table row: registrations after the faults, lost registrations,
/whoami misses, retry delays against the schedule, reason texts. The row is written even when the run
fails half-way, so the table always shows how far each case got.

Timing is scaled down with the simulator's options (contracts: --registration-timeout-ms,
--retransmit-ms, --config-min-interval-ms; --retry-* and --keepalive). Options the simulator binary does
not know yet are left out and named in the row's notes: the behaviour they stand for is then missing,
and the case fails on that behaviour, not on a command-line error.
"""

from __future__ import annotations

import functools
import http.client
import json
import os
import subprocess
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence

from e2e_support import REGISTER_TIMEOUT_S, SCHEDULE_LATENESS_MAX_MS
from http_pressure import WhoamiPoller
from irrigation_tools.fault_report import (
    FaultRow,
    Schedule,
    append_row,
    check_retry_delays,
    lost_registrations,
)
from irrigation_tools.sim_process import SimProcess

CYCLES_ENV = "FAULT_CYCLES"
DEFAULT_CYCLES = 5

RETRY_INITIAL_MS = 100
RETRY_MAX_MS = 1600  # 100, 200, 400, 800, 1600: five failures show the doubling up to the cap
REGISTRATION_TIMEOUT_MS = 1000  # the core accepts 0 (none) or at least 1000
RETRANSMIT_MS = 300  # below the registration timeout, so a DUP resend shows
CONFIG_MIN_INTERVAL_MS = 300
FREEZE_KEEPALIVE_S = 1
SETUP_SECRET = "7K3M9Q2XH4TB8VWZ"  # 16 Crockford base32 characters
SCHEDULE = Schedule(initial_ms=RETRY_INITIAL_MS, max_ms=RETRY_MAX_MS)
# The simulator's default network timeout: a connect attempt to a server that never answers ends then.
CONNECT_TIMEOUT_S = 10.0
WHOAMI_POLL_INTERVAL_S = 0.1

# The contract's /status.last_error prefixes (contracts.md).
REASON_UNRESOLVED = "broker host did not resolve"
REASON_REFUSED = "connection refused by the broker host"
REASON_WRONG_PATH = "WebSocket path rejected (the server did not speak MQTT)"
REASON_CONNACK = "CONNACK refused (code {code})"
REASON_NO_PUBACK = "registration not acknowledged within {ms} ms"
REASON_CONNECT_TIMEOUT = "connect attempt timed out after"


def cycles_from(value: Optional[str]) -> int:
    """The repeat count: the pytest option, else $FAULT_CYCLES, else 5; at least 1."""
    raw = value if value is not None else os.environ.get(CYCLES_ENV, str(DEFAULT_CYCLES))
    count = int(raw)
    if count < 1:
        raise ValueError(f"the fault cycle count must be at least 1, got {raw}")
    return count


@functools.lru_cache(maxsize=None)
def known_options(binary: str) -> frozenset:
    """The long options the simulator's --help lists."""
    result = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=10, check=False)
    words = (result.stdout + result.stderr).split()
    return frozenset(word for word in words if word.startswith("--"))


def contract_options(binary: str, keepalive_s: Optional[int] = None) -> tuple[list[str], list[str]]:
    """(options to pass, contract options the binary lacks) for a fault run."""
    wanted = [
        ("--registration-timeout-ms", str(REGISTRATION_TIMEOUT_MS)),
        ("--retransmit-ms", str(RETRANSMIT_MS)),
        ("--config-min-interval-ms", str(CONFIG_MIN_INTERVAL_MS)),
        ("--setup-secret", SETUP_SECRET),
    ]
    if keepalive_s is not None:
        wanted.append(("--keepalive", str(keepalive_s)))
    known = known_options(binary)
    passed, missing = [], []
    for option, value in wanted:
        if option in known:
            passed += [option, value]
        else:
            missing.append(option)
    return passed, missing


@dataclass
class HttpAnswer:
    status: int
    body: str
    headers: dict


def post_config(sim: SimProcess, fields: dict, secret: Optional[str] = SETUP_SECRET,
                timeout_s: float = 3.0) -> HttpAnswer:
    """POST /config as a form, with the setup secret as a Bearer token (contracts.md) unless secret is None."""
    body = urllib.parse.urlencode(fields, encoding="utf-8")
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if secret is not None:
        headers["Authorization"] = f"Bearer {secret}"
    connection = http.client.HTTPConnection("127.0.0.1", sim.http_port, timeout=timeout_s)
    try:
        connection.request("POST", "/config", body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        return HttpAnswer(response.status, text, {k.lower(): v for k, v in response.getheaders()})
    finally:
        connection.close()


def last_error(sim: SimProcess) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", sim.http_port, timeout=3.0)
    try:
        connection.request("GET", "/status")
        document = json.loads(connection.getresponse().read().decode("utf-8"))
    finally:
        connection.close()
    return document.get("last_error") or ""


class FaultRun:
    """One fault x broker case: its simulators, pollers, cycle count, problems, and its table row."""

    def __init__(self, fault: str, broker: str, cycles: int, report_path: Path, start_simulator: Callable,
                 binary: str) -> None:
        self.row = FaultRow(fault=fault, broker=broker)
        self.cycles_wanted = cycles
        self.report_path = report_path
        self._start_simulator = start_simulator
        self.binary = binary
        self._sims: list[SimProcess] = []
        self._pollers: dict[int, WhoamiPoller] = {}
        self._fault_marks: dict[int, int] = {}
        self._problems: dict[str, int] = {}
        self.expects_reason = False
        self.on_cycle: Optional[Callable[["FaultRun", SimProcess], None]] = None

    # --- simulators --------------------------------------------------------------------------------
    def start_sim(self, brokers: Sequence[str], keepalive_s: Optional[int] = None, **options) -> SimProcess:
        """A simulator on these broker URIs (repeated --broker: the contract's list), polled from now on."""
        extra, missing = contract_options(self.binary, keepalive_s)
        if missing:
            self.note(f"the simulator lacks {', '.join(missing)} (contracts.md): run without")
        for uri in brokers[1:]:
            extra += ["--broker", uri]
        extra += list(options.pop("extra", ()))
        options.setdefault("retry_max_ms", RETRY_MAX_MS)
        sim = self._start_simulator(brokers[0], extra=tuple(extra), **options)
        self._sims.append(sim)
        self._pollers[id(sim)] = WhoamiPoller(sim.http_port, interval_s=WHOAMI_POLL_INTERVAL_S).start()
        return sim

    def stop_sim(self, sim: SimProcess) -> None:
        poller = self._pollers.get(id(sim))
        if poller is not None:
            poller.stop()
        sim.stop()

    def fault_injected(self, sim: SimProcess, mark: int) -> None:
        """Registrations are counted from the first fault on (the one at start-up is not a recovery)."""
        self._fault_marks.setdefault(id(sim), mark)

    def wait_registered(self, sim: SimProcess, since: int, predicate=None,
                        timeout: float = REGISTER_TIMEOUT_S) -> dict:
        return sim.wait_event("registered", predicate, since=since, timeout=timeout)

    def cycle_done(self, sim: SimProcess) -> None:
        self.row.cycles += 1
        if self.on_cycle is not None:
            self.on_cycle(self, sim)

    # --- what was seen -----------------------------------------------------------------------------
    def note(self, text: str) -> None:
        if text not in self.row.notes:
            self.row.notes.append(text)

    def problem(self, text: str) -> None:
        """A contract mismatch: the run goes on, the case fails at the end."""
        self._problems[text] = self._problems.get(text, 0) + 1

    @property
    def problems(self) -> list[str]:
        return [f"{text} ({count}x)" if count > 1 else text for text, count in self._problems.items()]

    def check_reason(self, sim: SimProcess, prefix: str, timeout: float = 2.0) -> None:
        """/status.last_error must start with the contract's text (the snapshot may lag the event a bit)."""
        self.expects_reason = True
        deadline = time.monotonic() + timeout
        seen = last_error(sim)
        while not seen.startswith(prefix) and time.monotonic() < deadline:
            time.sleep(0.05)
            seen = last_error(sim)
        if not seen.startswith(prefix):
            self.problem(f"last_error {seen!r} does not start with {prefix!r}")

    # --- the row -----------------------------------------------------------------------------------
    def finish(self, failure: Optional[BaseException]) -> FaultRow:
        """Stops every poller and simulator, reads their events into the row, writes it to the report."""
        row = self.row
        delays_ok = True
        retried = False
        for sim in self._sims:
            poller = self._pollers.get(id(sim))
            if poller is not None:
                figures = poller.stop()
                row.polls += figures.polls
                row.misses += figures.misses
                if figures.misses:
                    self.problem(f"/whoami missed {figures.misses} of {figures.polls} polls: "
                                 f"{figures.miss_reasons[:3]}")
            sim.stop()
            events = sim.all_events()
            since = self._fault_marks.get(id(sim), 0)
            row.registrations += sum(1 for e in events[since:] if e.get("event") == "registered")
            row.lost += lost_registrations(events)
            check = check_retry_delays(events, SCHEDULE, SCHEDULE_LATENESS_MAX_MS)
            retried = retried or bool(check.announced)
            if len(check.longest_run) > len(row.delays):
                row.delays = check.longest_run
            if not check.ok:
                delays_ok = False
                for text in check.problems[:3]:
                    self.problem(f"schedule: {text}")
        row.delays_ok = delays_ok if retried else None
        if self.expects_reason:
            row.reasons_ok = not any(text.startswith("last_error") for text in self._problems)
        if row.lost:
            self.problem(f"{row.lost} lost registration(s)")
        if failure is not None:
            why = str(failure).split("; recent events")[0].splitlines()[0][:200]
            self.note(f"stopped after {row.cycles} of {self.cycles_wanted} cycles: {type(failure).__name__}: {why}")
        for text in self.problems:
            self.note(text)
        row.passed = failure is None and not self._problems and row.cycles >= self.cycles_wanted
        append_row(self.report_path, row)
        return row
