"""Drives one irrigation-fleet process (docs/fleet.md) as a child process.

A fleet process prints one JSON event per line on stdout, each device's with its "mac". A reader thread
parses them as they come and keeps what a run needs without keeping every line (10,000 devices print
about 120,000): each device's address (`started`), which devices had a registration acknowledged, how
many `exit` lines came, the fleet's own events, and the notable per-device events for the console.
Commands go to its stdin: `quit`, `status`, `<MAC> <command>`. Starting and stopping (by PID: `quit`, then
SIGTERM, then SIGKILL, each wait bounded) are SimProcess's.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence, Union

from irrigation_tools.sim_process import SimProcess, SimulatorError, find_or_build_binary

FLEET_RELATIVE_PATH = Path("build/host/simulator/irrigation-fleet")
# Per-device events worth keeping for the console (the rest only count).
NOTABLE_EVENTS = ("registered", "registration_failed", "retry_scheduled", "notice", "network", "status",
                  "connect_attempt", "presence", "shut_down")
# At most this many notable events are kept per process: memory stays bounded in a long run.
NOTABLE_MAX = 200_000
_EVENT_PREFIX = b'{"event":"'
_PARSED = {name.encode() for name in (*NOTABLE_EVENTS, "started", "exit", "fleet_started", "fleet_registered",
                                      "fleet_exit", "fleet_status")}


def find_or_build_fleet(repo_root: Union[str, Path]) -> Path:
    """irrigation-fleet: $IRRIGATION_FLEET, else build/host/simulator/irrigation-fleet, built up to date."""
    return find_or_build_binary(repo_root, FLEET_RELATIVE_PATH, "IRRIGATION_FLEET")


@dataclass(frozen=True)
class FleetDevice:
    """Where a device of the fleet is, from its `started` event."""

    mac: str
    ip: str
    http_address: str
    http_port: int


class FleetProcess(SimProcess):
    """One running irrigation-fleet: its devices, their events, its control channel.

    The process handling is SimProcess's (start, send, stop by PID, stderr); what differs is the reading
    of the output, which keeps counts and the notable events instead of every line (SimProcess's own event
    list stays empty: use the methods below).
    """

    def __init__(
        self,
        binary: Union[str, Path],
        args: Sequence[str],
        stderr_path: Optional[Union[str, Path]] = None,
        env: Optional[dict] = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(binary, args, stderr_path=stderr_path, env=env)
        self._clock = clock
        self._devices: dict[str, FleetDevice] = {}
        self._registered: set[str] = set()
        self._registrations = 0
        self._exited = 0
        self._notable: list[dict] = []
        self._fleet: dict[str, dict] = {}  # fleet_started / fleet_registered / fleet_exit, with "_received"

    def _read_stdout(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        for line in self._proc.stdout:
            # Most lines are state and WiFi changes nobody here needs: skipped by name, not parsed.
            if line.startswith(_EVENT_PREFIX):
                end = line.find(b'"', len(_EVENT_PREFIX))
                if line[len(_EVENT_PREFIX) : end] not in _PARSED:
                    continue
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict):
                self._take(event)
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def _take(self, event: dict) -> None:
        name = event.get("event")
        mac = event.get("mac")
        with self._cond:
            if name == "started" and isinstance(mac, str):
                self._devices[mac] = FleetDevice(
                    mac, str(event.get("ip")), str(event.get("http_address")), int(event.get("http_port", 0))
                )
            elif name == "registered" and isinstance(mac, str):
                self._registered.add(mac)
                self._registrations += 1
            elif name == "exit" and isinstance(mac, str):
                self._exited += 1
            elif isinstance(name, str) and name.startswith("fleet_"):
                event["_received"] = self._clock()
                self._fleet[name] = event
            if name in NOTABLE_EVENTS and len(self._notable) < NOTABLE_MAX:
                self._notable.append(event)
            self._cond.notify_all()

    def request_stop(self) -> None:
        """`quit`, without waiting: stop many processes at once, then stop() each (quit, SIGTERM, SIGKILL)."""
        if self.running:
            try:
                self.send("quit")
            except SimulatorError:
                pass

    # --- what the devices reported -----------------------------------------------------------------
    def devices(self) -> dict[str, FleetDevice]:
        with self._cond:
            return dict(self._devices)

    def registered_macs(self) -> set[str]:
        with self._cond:
            return set(self._registered)

    @property
    def started_count(self) -> int:
        with self._cond:
            return len(self._devices)

    @property
    def registrations(self) -> int:
        """Acknowledged registrations, every one counted (a device registers again after a reconnect)."""
        with self._cond:
            return self._registrations

    @property
    def exited_count(self) -> int:
        with self._cond:
            return self._exited

    def notable_events(self, since: int = 0) -> list[dict]:
        with self._cond:
            return self._notable[since:]

    def fleet_event(self, name: str) -> Optional[dict]:
        """fleet_started, fleet_registered or fleet_exit (with "_received", this side's clock), or None."""
        with self._cond:
            return self._fleet.get(name)

    def wait_fleet_event(self, name: str, timeout: float) -> dict:
        """The fleet event `name`; SimulatorError when the time runs out or the output ends first."""
        deadline = self._clock() + timeout
        with self._cond:
            while name not in self._fleet:
                remaining = deadline - self._clock()
                if self._eof or remaining <= 0:
                    why = "the fleet's output ended" if self._eof else f"{timeout:g} s passed"
                    raise SimulatorError(
                        f"no '{name}' event: {why} (exit status {self.returncode}, {len(self._devices)} devices "
                        f"started, {len(self._registered)} registered); stderr tail: {self.stderr_tail()!r}"
                    )
                self._cond.wait(min(remaining, 0.5))
            return self._fleet[name]
