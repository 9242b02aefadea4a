"""Drives one irrigation-fleet process (docs/fleet.md) as a child process.

A fleet process prints one JSON event per line on stdout, each device's with its "mac". A reader thread
parses them as they come and keeps what a run needs without keeping every line (10,000 devices print
about 120,000): each device's address (`started`), which devices had a registration acknowledged, how
many `exit` lines came, the fleet's own events, and the notable per-device events for the console.
Commands go to its stdin: `quit`, `status`, `<MAC> <command>`. Stopping is by PID: `quit`, then SIGTERM,
then SIGKILL, each wait bounded.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Sequence, Union

from irrigation_tools.sim_process import SimulatorError, find_or_build_binary

FLEET_RELATIVE_PATH = Path("build/host/simulator/irrigation-fleet")
# Per-device events worth keeping for the console (the rest only count).
NOTABLE_EVENTS = ("registered", "registration_failed", "retry_scheduled", "notice", "network", "status")
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


class FleetProcess:
    """One running irrigation-fleet: its devices, their events, its control channel."""

    def __init__(
        self,
        binary: Union[str, Path],
        args: Sequence[str],
        stderr_path: Optional[Union[str, Path]] = None,
        env: Optional[dict] = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.binary = Path(binary)
        self.args = list(args)
        self.stderr_path = Path(stderr_path) if stderr_path else None
        self.env = env
        self._clock = clock
        self._proc: Optional[subprocess.Popen] = None
        self._stderr_file = None
        self._reader: Optional[threading.Thread] = None
        self._cond = threading.Condition()
        self._devices: dict[str, FleetDevice] = {}
        self._registered: set[str] = set()
        self._registrations = 0
        self._exited = 0
        self._notable: list[dict] = []
        self._fleet: dict[str, dict] = {}  # fleet_started / fleet_registered / fleet_exit, with "_received"
        self._eof = False

    # --- lifecycle ---------------------------------------------------------------------------------
    @property
    def pid(self) -> Optional[int]:
        return self._proc.pid if self._proc is not None else None

    @property
    def returncode(self) -> Optional[int]:
        return self._proc.poll() if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self) -> "FleetProcess":
        if self._proc is not None:
            raise SimulatorError("already started")
        if self.stderr_path is not None:
            self.stderr_path.parent.mkdir(parents=True, exist_ok=True)
            self._stderr_file = open(self.stderr_path, "wb")
        self._proc = subprocess.Popen(
            [str(self.binary), *self.args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr_file if self._stderr_file is not None else subprocess.DEVNULL,
            env=self.env,
        )
        self._reader = threading.Thread(target=self._read_stdout, name=f"fleet-{self._proc.pid}", daemon=True)
        self._reader.start()
        return self

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

    def send(self, command: str) -> None:
        """Writes one control line (a newline is added)."""
        if self._proc is None or self._proc.stdin is None:
            raise SimulatorError("not started")
        try:
            self._proc.stdin.write(command.encode("utf-8") + b"\n")
            self._proc.stdin.flush()
        except (BrokenPipeError, ValueError, OSError) as exc:
            raise SimulatorError(f"cannot send {command!r}: the fleet process is gone ({self.returncode})") from exc

    def request_stop(self) -> None:
        """`quit`, without waiting: stop many processes at once, then wait_exit() for each."""
        if self.running:
            try:
                self.send("quit")
            except SimulatorError:
                pass

    def wait_exit(self, timeout: float = 30.0) -> Optional[int]:
        """Waits for the end; SIGTERM, then SIGKILL when it does not come (each waited for up to 5 s, or
        timeout when shorter). Returns the exit status."""
        proc = self._proc
        if proc is None:
            return None
        for sig in (None, signal.SIGTERM, signal.SIGKILL):
            if sig is not None and proc.poll() is None:
                try:
                    os.kill(proc.pid, sig)
                except ProcessLookupError:
                    pass
            try:
                proc.wait(timeout=timeout if sig is None else min(timeout, 5.0))
                break
            except subprocess.TimeoutExpired:
                continue
        if proc.stdin is not None:
            try:
                proc.stdin.close()
            except OSError:
                pass
        if self._reader is not None:
            self._reader.join(timeout=10.0)
        if self._stderr_file is not None:
            self._stderr_file.close()
            self._stderr_file = None
        return proc.returncode

    def stop(self, timeout: float = 30.0) -> Optional[int]:
        self.request_stop()
        return self.wait_exit(timeout)

    def __enter__(self) -> "FleetProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

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

    def stderr_tail(self, max_bytes: int = 2000) -> str:
        if self.stderr_path is None:
            return ""
        try:
            return self.stderr_path.read_bytes()[-max_bytes:].decode("utf-8", errors="replace")
        except OSError:
            return ""
