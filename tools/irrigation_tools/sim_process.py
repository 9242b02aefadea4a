"""Drives the device simulator (irrigation-sim, docs/simulator.md) as a child process.

The simulator prints one JSON event per line on stdout; a reader thread collects them, each with the time
it arrived (key `_received`, time.monotonic()). Commands go to its stdin, one per line. Its HTTP API is
reached on 127.0.0.1 at the port it reports in the `http_started` event. Every wait is bounded, and the
process is stopped by its PID: `quit`, then SIGTERM, then SIGKILL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable, Optional, Sequence, Union

SIMULATOR_RELATIVE_PATH = Path("build/host/simulator/irrigation-sim")
BUILD_TIMEOUT_S = 900.0
EVENT_KEY = "event"
RECEIVED_KEY = "_received"


class SimulatorError(RuntimeError):
    """The simulator could not be found, built, started, or did not do what was awaited in time."""


def find_or_build_simulator(repo_root: Union[str, Path]) -> Path:
    """The simulator binary: $IRRIGATION_SIM, else build/host/simulator/irrigation-sim, built up to date.

    A configured build/host is always rebuilt for the simulator target (a no-op when nothing changed), so
    a binary older than the sources is never used; build/host is configured first when it is not.
    """
    return find_or_build_binary(repo_root, SIMULATOR_RELATIVE_PATH, "IRRIGATION_SIM")


def find_or_build_binary(repo_root: Union[str, Path], relative_path: Path, env_var: str) -> Path:
    """A binary of the host build (its CMake target is the file name): $<env_var>, else repo_root/
    relative_path, rebuilt up to date as find_or_build_simulator() describes."""
    override = os.environ.get(env_var)
    if override:
        path = Path(override)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise SimulatorError(f"{env_var}={override} is not an executable file")
        return path
    root = Path(repo_root)
    binary = root / relative_path
    build_dir = root / "build" / "host"
    steps = [["cmake", "--build", str(build_dir), "--target", relative_path.name]]
    if not (build_dir / "CMakeCache.txt").is_file():
        steps.insert(0, ["cmake", "-S", str(root / "host_tests"), "-B", str(build_dir), "-G", "Ninja"])
    for step in steps:
        try:
            result = subprocess.run(step, cwd=root, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SimulatorError(f"building {relative_path.name} failed: {' '.join(step)}: {exc}") from exc
        if result.returncode != 0:
            raise SimulatorError(
                f"building {relative_path.name} failed: {' '.join(step)} exited {result.returncode}\n"
                f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        raise SimulatorError(f"the build finished but {binary} does not exist")
    return binary


def event_name(event: dict) -> Optional[str]:
    value = event.get(EVENT_KEY)
    return value if isinstance(value, str) else None


class SimProcess:
    """One running simulator: its events, its control channel, its HTTP API."""

    def __init__(
        self,
        binary: Union[str, Path],
        args: Sequence[str],
        stderr_path: Optional[Union[str, Path]] = None,
        env: Optional[dict] = None,
        cwd: Optional[Union[str, Path]] = None,
    ) -> None:
        self.binary = Path(binary)
        self.args = list(args)
        self.stderr_path = Path(stderr_path) if stderr_path else None
        self.env = env
        self.cwd = cwd
        self._proc: Optional[subprocess.Popen] = None
        self._stderr_file = None
        self._reader: Optional[threading.Thread] = None
        self._cond = threading.Condition()
        self._events: list[dict] = []
        self._raw: list[tuple[float, str]] = []
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

    def start(self) -> "SimProcess":
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
            cwd=self.cwd,
        )
        self._reader = threading.Thread(target=self._read_stdout, name=f"sim-{self._proc.pid}", daemon=True)
        self._reader.start()
        return self

    def _read_stdout(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        for line in self._proc.stdout:
            received = time.monotonic()
            text = line.decode("utf-8", errors="replace").rstrip("\r\n")
            try:
                parsed = json.loads(text)
            except ValueError:
                parsed = None
            with self._cond:
                if isinstance(parsed, dict):
                    parsed[RECEIVED_KEY] = received
                    self._events.append(parsed)
                else:
                    self._raw.append((received, text))
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def send(self, command: str) -> None:
        """Writes one control command (a newline is added)."""
        if self._proc is None or self._proc.stdin is None:
            raise SimulatorError("not started")
        try:
            self._proc.stdin.write(command.encode("utf-8") + b"\n")
            self._proc.stdin.flush()
        except (BrokenPipeError, ValueError) as exc:
            raise SimulatorError(f"cannot send {command!r}: the simulator is gone ({self.returncode})") from exc

    def wait_exit(self, timeout: float = 10.0) -> int:
        """Waits for the process to end by itself; SimulatorError on timeout (the process is left running)."""
        if self._proc is None:
            raise SimulatorError("not started")
        try:
            code = self._proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise SimulatorError(f"the simulator did not exit within {timeout} s") from exc
        self._join_reader()
        return code

    def stop(self, timeout: float = 5.0) -> Optional[int]:
        """`quit`, then SIGTERM, then SIGKILL, each with a bounded wait; returns the exit status."""
        proc = self._proc
        if proc is None:
            return None
        if proc.poll() is None:
            try:
                self.send("quit")
                proc.wait(timeout=timeout)
            except (SimulatorError, subprocess.TimeoutExpired):
                pass
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if proc.poll() is not None:
                break
            try:
                os.kill(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                continue
        if proc.stdin is not None:
            try:
                proc.stdin.close()
            except OSError:
                pass
        self._join_reader()
        if self._stderr_file is not None:
            self._stderr_file.close()
            self._stderr_file = None
        return proc.returncode

    def _join_reader(self) -> None:
        if self._reader is not None:
            self._reader.join(timeout=5.0)

    def __enter__(self) -> "SimProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- events ------------------------------------------------------------------------------------
    def all_events(self) -> list[dict]:
        with self._cond:
            return list(self._events)

    def events(self, name: str) -> list[dict]:
        with self._cond:
            return [e for e in self._events if event_name(e) == name]

    def raw_lines(self) -> list[str]:
        with self._cond:
            return [text for _, text in self._raw]

    def mark(self) -> int:
        """The number of events so far: pass it as `since` to wait only for later events."""
        with self._cond:
            return len(self._events)

    def wait_event(
        self,
        name: str,
        predicate: Optional[Callable[[dict], bool]] = None,
        timeout: float = 10.0,
        since: int = 0,
    ) -> dict:
        """The first event called `name` (from index `since`) satisfying predicate.

        SimulatorError when the time runs out or the simulator's output ends first.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event in self._events[since:]:
                    if event_name(event) == name and (predicate is None or predicate(event)):
                        return event
                remaining = deadline - time.monotonic()
                if self._eof or remaining <= 0:
                    why = "the simulator's output ended" if self._eof else f"{timeout} s passed"
                    raise SimulatorError(
                        f"no '{name}' event matching: {why} (exit status {self.returncode}); "
                        f"recent events: {self._describe_recent()}; stderr tail: {self.stderr_tail()!r}"
                    )
                self._cond.wait(remaining)

    def _describe_recent(self, count: int = 15) -> str:
        recent = [{k: v for k, v in e.items() if k != RECEIVED_KEY} for e in self._events[-count:]]
        return json.dumps(recent, ensure_ascii=False)

    def stderr_tail(self, max_bytes: int = 2000) -> str:
        if self.stderr_path is None:
            return ""
        try:
            return self.stderr_path.read_bytes()[-max_bytes:].decode("utf-8", errors="replace")
        except OSError:
            return ""

    # --- HTTP --------------------------------------------------------------------------------------
    @property
    def http_port(self) -> int:
        return int(self.wait_event("http_started", timeout=10.0)["port"])

    def _request(self, request: urllib.request.Request, timeout: float) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8", errors="replace")
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.read().decode("utf-8", errors="replace")

    def get(self, path: str, timeout: float = 5.0) -> tuple[int, str]:
        """GET http://127.0.0.1:<http_port><path>: (status, body text)."""
        url = f"http://127.0.0.1:{self.http_port}{path}"
        return self._request(urllib.request.Request(url, method="GET"), timeout)

    @property
    def setup_secret(self) -> Optional[str]:
        """The --setup-secret this simulator was started with, if any."""
        if "--setup-secret" in self.args:
            index = self.args.index("--setup-secret")
            if index + 1 < len(self.args):
                return self.args[index + 1]
        return None

    def post_form(
        self,
        path: str,
        fields: dict,
        timeout: float = 5.0,
        authorize: bool = True,
        headers: Optional[dict] = None,
    ) -> tuple[int, str]:
        """POST an application/x-www-form-urlencoded body (UTF-8): (status, body text).

        Writes need the device's setup secret: it goes as a bearer token when the simulator was started with
        --setup-secret and authorize is true. headers are added (and win).
        """
        url = f"http://127.0.0.1:{self.http_port}{path}"
        body = urllib.parse.urlencode(fields, encoding="utf-8").encode("ascii")
        all_headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if authorize and self.setup_secret is not None:
            all_headers["Authorization"] = f"Bearer {self.setup_secret}"
        all_headers.update(headers or {})
        request = urllib.request.Request(url, data=body, method="POST", headers=all_headers)
        return self._request(request, timeout)

    def get_json(self, path: str, timeout: float = 5.0) -> tuple[int, object]:
        status, body = self.get(path, timeout)
        return status, json.loads(body)


def run_simulator(binary: Union[str, Path], args: Sequence[str], timeout: float = 10.0,
                  env: Optional[dict] = None) -> subprocess.CompletedProcess:
    """Runs the simulator to completion (e.g. --print-registration, bad options), output as bytes."""
    return subprocess.run(
        [str(binary), *args], stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, env=env
    )
