"""Real local MQTT brokers for tests and for `invoke simulate`: NATS (the production stand-in) and Mosquitto.

Each broker runs as a child process listening on 127.0.0.1 only, on free ports chosen when the object is
created (so a test can point the simulator at a broker that is not running yet), with its configuration,
store and log in a directory of the caller's. Processes are stopped by their PID: SIGTERM (SIGINT for NATS,
which exits 1 on SIGTERM), a bounded wait, then SIGKILL. Every wait here is bounded.

Ports are chosen in this process and bound later by the broker's. Until the first start() a broker keeps
its ports bound by sockets of its own that do not listen: connections to them are refused at once (as to
an absent broker), and no other process, nor the kernel's choice of a port for a client or a port-0 bind,
can take them in between. start() releases them just before the broker binds them. A test that needs a
broker that is simply absent uses reserve_closed_port().

The configurations follow the project's broker facts (shared facts, brokers.md):
- NATS 2.9 needs `server_name` and JetStream for MQTT, `no_tls` on the WebSocket listener, and a fresh
  JetStream store per broker or sessions leak from one run into the next. Its WebSocket listener speaks
  MQTT only when the URL path starts with `/mqtt`.
- Mosquitto 2.0.11 binds a websockets listener to every interface unless `socket_domain ipv4` is given,
  and accepts any WebSocket path (so it cannot catch a wrong path: test against NATS too).
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from pathlib import Path
from typing import Iterator, Optional

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0
KILL_TIMEOUT_S = 5.0

# Debian puts both servers in /usr/sbin, which is not on every user's PATH.
_EXTRA_BIN_DIRS = ("/usr/sbin", "/usr/local/sbin", "/sbin")


class BrokerError(RuntimeError):
    """A broker could not be found, started or queried."""


def find_executable(name: str, debian_package: str) -> str:
    """Path of `name` from PATH or the sbin directories; a clear error naming the Debian package if absent."""
    found = shutil.which(name)
    if found:
        return found
    for directory in _EXTRA_BIN_DIRS:
        candidate = Path(directory) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise BrokerError(
        f"'{name}' was not found on PATH or in {', '.join(_EXTRA_BIN_DIRS)}; "
        f"install the Debian package: apt-get install {debian_package}"
    )


def find_nats_server() -> str:
    return find_executable("nats-server", "nats-server")


def find_mosquitto() -> str:
    return find_executable("mosquitto", "mosquitto")


# Ports this process has handed out: the kernel may pick the same port for two port-0 binds in a row once
# the first socket is closed, and a broker given the same port twice fails to start.
_HANDED_OUT: "collections.deque[int]" = collections.deque(maxlen=4096)
_HANDED_OUT_LOCK = threading.Lock()


def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago (the kernel's pick for port 0), never one this
    process was given recently. Nothing keeps another process from taking it afterwards: where that
    matters, hold the port (reserve_closed_port(), or a broker's own ports before its start)."""
    with _hold_new_port() as sock:
        return int(sock.getsockname()[1])


def _bind_closed(port: int = 0, reuse_address: bool = False) -> socket.socket:
    """A TCP socket bound to 127.0.0.1:port and never listening. Without SO_REUSEADDR, so that no other
    socket can bind the port while this one holds it (Linux lets two SO_REUSEADDR sockets share a port
    that nobody listens on). reuse_address is for a port a server has just closed: connections it ended
    wait in TIME_WAIT on it, and only SO_REUSEADDR may bind past them."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if reuse_address:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        raise
    return sock


def _hold_new_port() -> socket.socket:
    """A closed port (see _bind_closed) never handed out before by this process, recorded as handed out."""
    with _HANDED_OUT_LOCK:
        for _ in range(100):
            sock = _bind_closed(0)
            port = int(sock.getsockname()[1])
            if port not in _HANDED_OUT:
                _HANDED_OUT.append(port)
                return sock
            sock.close()
    raise BrokerError("no free TCP port on 127.0.0.1 after 100 tries")


@contextlib.contextmanager
def reserve_closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 where no broker is, for as long as the block runs.

    The port stays bound by a socket that does not listen, so a connection to it is refused at once
    (ECONNREFUSED) and no other process can start listening on it meanwhile: "nothing there" holds for
    the whole test, unlike a port that was merely free when it was picked.
    """
    sock = _hold_new_port()
    try:
        yield int(sock.getsockname()[1])
    finally:
        sock.close()


def port_accepts(port: int, host: str = "127.0.0.1", timeout_s: float = 0.2) -> bool:
    """True when a TCP connection to host:port succeeds right now."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def _tail(path: Path, max_bytes: int = 4000) -> str:
    try:
        data = path.read_bytes()
    except OSError:
        return "(no log)"
    return data[-max_bytes:].decode("utf-8", errors="replace")


class _Broker:
    """Common process handling: config file, start with a readiness wait, stop by PID, restart."""

    kind = "broker"
    stop_signal = signal.SIGTERM

    def __init__(self, workdir: Path) -> None:
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._proc: Optional[subprocess.Popen] = None
        self._output = None  # the file the process's stdout/stderr go to
        self._held: list[socket.socket] = []  # the ports' closed sockets until the first start()
        self.tcp_port = self._hold_port()
        self.ws_port = self._hold_port()
        self.config_path = self.workdir / f"{self.kind}.conf"
        self.output_path = self.workdir / f"{self.kind}.out"
        self._frozen = False

    # --- what subclasses provide -------------------------------------------------------------------
    def _command(self) -> list[str]:
        raise NotImplementedError

    def _write_config(self) -> None:
        raise NotImplementedError

    def _ready_ports(self) -> list[int]:
        return [self.tcp_port, self.ws_port]

    def _hold_port(self) -> int:
        sock = _hold_new_port()
        self._held.append(sock)
        return int(sock.getsockname()[1])

    def release_ports(self) -> None:
        """Closes the sockets that hold the ports before the first start (start() and stop() call this)."""
        held, self._held = self._held, []
        for sock in held:
            sock.close()

    # --- public API --------------------------------------------------------------------------------
    @property
    def pid(self) -> Optional[int]:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def mqtt_port(self) -> int:
        """Plain TCP MQTT port."""
        return self.tcp_port

    @property
    def ws_uri(self) -> str:
        return f"ws://127.0.0.1:{self.ws_port}/mqtt"

    @property
    def ws_uri_no_path(self) -> str:
        return f"ws://127.0.0.1:{self.ws_port}"

    @property
    def log_path(self) -> Path:
        raise NotImplementedError

    def start(self, timeout_s: float = START_TIMEOUT_S):
        """Starts the process and returns self once the MQTT and WebSocket ports accept connections."""
        if self.running:
            raise BrokerError(f"{self.kind} already running (pid {self.pid})")
        self._write_config()
        command = self._command()
        self._output = open(self.output_path, "ab")
        self.release_ports()  # the broker binds them next
        self._proc = subprocess.Popen(
            command,
            cwd=self.workdir,
            stdin=subprocess.DEVNULL,
            stdout=self._output,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout_s
        pending = list(self._ready_ports())
        while pending:
            if self._proc.poll() is not None:
                code = self._proc.returncode
                self._close_output()
                raise BrokerError(
                    f"{self.kind} exited with status {code} at start; command {command}; "
                    f"output:\n{_tail(self.output_path)}\nlog:\n{_tail(self.log_path)}"
                )
            pending = [port for port in pending if not port_accepts(port)]
            if not pending:
                break
            if time.monotonic() > deadline:
                self.stop()
                raise BrokerError(
                    f"{self.kind} did not accept connections on ports {pending} within {timeout_s} s; "
                    f"log:\n{_tail(self.log_path)}"
                )
            time.sleep(0.02)
        return self

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> Optional[int]:
        """Stop signal by PID, bounded wait, then SIGKILL. Returns the exit status (None if never started;
        then the held ports are released)."""
        self.release_ports()
        proc = self._proc
        if proc is None:
            return None
        self.thaw()  # a stopped process would hold the stop signal pending until the SIGKILL
        if proc.poll() is None:
            try:
                self._signal_and_wait(self.stop_signal, timeout_s)
            except subprocess.TimeoutExpired:
                self._signal_and_wait(signal.SIGKILL, KILL_TIMEOUT_S)
        self._close_output()
        return proc.returncode

    def _signal_and_wait(self, sig: int, timeout_s: float) -> None:
        assert self._proc is not None
        try:
            os.kill(self._proc.pid, sig)
        except ProcessLookupError:
            pass
        self._proc.wait(timeout=timeout_s)

    # --- faults (the fault matrix, host_tests/e2e/test_faults.py) ---------------------------------
    def kill(self, timeout_s: float = KILL_TIMEOUT_S) -> Optional[int]:
        """SIGKILL by PID, as a crash or a power cut would end it: no goodbye to any client."""
        proc = self._proc
        if proc is None or proc.poll() is not None:
            return proc.returncode if proc is not None else None
        self._frozen = False
        self._signal_and_wait(signal.SIGKILL, timeout_s)
        self._close_output()
        return proc.returncode

    def freeze(self) -> None:
        """SIGSTOP: the process keeps its sockets (the kernel still completes TCP handshakes into the
        listen backlog) but answers nothing, like a hung broker; thaw() resumes it."""
        if self.running and not self._frozen:
            os.kill(self.pid, signal.SIGSTOP)
            self._frozen = True
            self._wait_stopped()

    def _wait_stopped(self, timeout_s: float = KILL_TIMEOUT_S) -> None:
        """kill() returns before every thread has stopped: until then a thread may still accept and answer
        (a Go server closed a connection after SIGSTOP had been sent). Waits until each thread's state in
        /proc is T (stopped)."""
        tasks = Path(f"/proc/{self.pid}/task")
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                states = [(task / "stat").read_text().rsplit(")", 1)[1].split()[0] for task in tasks.iterdir()]
            except OSError:
                states = []  # a thread ended while listed: look again
            if states and all(state in ("T", "t") for state in states):
                return
            time.sleep(0.005)
        raise BrokerError(f"{self.kind} (pid {self.pid}) did not stop within {timeout_s} s of SIGSTOP")

    def thaw(self) -> None:
        """SIGCONT after freeze(); nothing otherwise."""
        if self._frozen:
            self._frozen = False
            if self.running:
                os.kill(self.pid, signal.SIGCONT)

    def refuse(self) -> None:
        """Stops the broker and holds its ports closed until the next start(): every connection is refused
        at once, and no other process can take the ports meanwhile."""
        self.stop()
        held = [self.tcp_port, self.ws_port] + [p for p in (getattr(self, "client_port", None),
                                                             getattr(self, "monitor_port", None)) if p]
        for port in held:
            self._held.append(_bind_closed(port, reuse_address=True))

    def restart(self, timeout_s: float = START_TIMEOUT_S):
        """Stops and starts again on the same ports with the same store."""
        self.stop()
        return self.start(timeout_s=timeout_s)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _close_output(self) -> None:
        if self._output is not None:
            self._output.close()
            self._output = None


class NatsBroker(_Broker):
    """nats-server with MQTT (TCP), MQTT over WebSocket (path /mqtt) and HTTP monitoring (/connz)."""

    kind = "nats"
    stop_signal = signal.SIGINT  # NATS exits 1 on SIGTERM and 0 on SIGINT; both shut down cleanly

    def __init__(self, workdir: Path, executable: Optional[str] = None) -> None:
        self.executable = executable or find_nats_server()  # before any port is held
        super().__init__(workdir)
        self.client_port = self._hold_port()  # the NATS protocol port; unused by the tests, but required
        self.monitor_port = self._hold_port()
        self.store_dir = self.workdir / "jetstream"

    @property
    def log_path(self) -> Path:
        return self.workdir / "nats.log"

    def _command(self) -> list[str]:
        return [self.executable, "-c", str(self.config_path)]

    def _ready_ports(self) -> list[int]:
        return [self.tcp_port, self.ws_port, self.monitor_port]

    def _write_config(self) -> None:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        # json.dumps gives a quoted string NATS's config parser reads as-is.
        self.config_path.write_text(
            "server_name: irrigation_test\n"
            f"listen: 127.0.0.1:{self.client_port}\n"
            f"http: 127.0.0.1:{self.monitor_port}\n"
            f"log_file: {json.dumps(str(self.log_path))}\n"
            f"jetstream {{ store_dir: {json.dumps(str(self.store_dir))} }}\n"
            f"mqtt {{ listen: 127.0.0.1:{self.tcp_port} }}\n"
            f"websocket {{\n  listen: 127.0.0.1:{self.ws_port}\n  no_tls: true\n}}\n",
            encoding="utf-8",
        )

    def connz(self, state: str = "open", timeout_s: float = 2.0) -> dict:
        """The monitoring endpoint's /connz document (state: open, closed or all)."""
        url = f"http://127.0.0.1:{self.monitor_port}/connz?limit=1024&state={state}"
        try:
            with urllib.request.urlopen(url, timeout=timeout_s) as response:
                return json.loads(response.read().decode("utf-8"))
        except OSError as exc:
            raise BrokerError(f"NATS monitoring {url} failed: {exc}") from exc

    def mqtt_client_ids(self, state: str = "open") -> list[str]:
        """MQTT client ids of the connections NATS reports (field `mqtt_client` of /connz, NATS 2.9)."""
        document = self.connz(state=state)
        return [c["mqtt_client"] for c in document.get("connections") or [] if c.get("mqtt_client")]


_MOSQUITTO_CLIENT_RE = re.compile(r"New client connected from \S+ as (\S+) \(")


class MosquittoBroker(_Broker):
    """mosquitto with an MQTT (TCP) and a websockets listener, logging connections to a file."""

    kind = "mosquitto"

    def __init__(self, workdir: Path, executable: Optional[str] = None) -> None:
        self.executable = executable or find_mosquitto()  # before any port is held
        super().__init__(workdir)
        self.monitor_port: Optional[int] = None  # no HTTP monitoring: client ids come from the log
        # With a password file and anonymous clients refused, a client without credentials gets CONNACK 5
        # (not authorized): set both before a (re)start. require_password() writes such a file.
        self.allow_anonymous = True
        self.password_file: Optional[Path] = None

    def require_password(self, username: str, password: str) -> None:
        """From the next start on: only username/password may connect (mosquitto_passwd writes the file)."""
        path = self.workdir / "passwords"
        path.unlink(missing_ok=True)
        tool = find_executable("mosquitto_passwd", "mosquitto")
        result = subprocess.run([tool, "-b", "-c", str(path), username, password], capture_output=True,
                                text=True, timeout=START_TIMEOUT_S, check=False)
        if result.returncode != 0:
            raise BrokerError(f"mosquitto_passwd failed ({result.returncode}): {result.stderr.strip()}")
        self.password_file = path
        self.allow_anonymous = False

    def allow_anyone(self) -> None:
        """From the next start on: anonymous clients are accepted again (the default)."""
        self.password_file = None
        self.allow_anonymous = True

    @property
    def log_path(self) -> Path:
        return self.workdir / "mosquitto.log"

    def _command(self) -> list[str]:
        return [self.executable, "-c", str(self.config_path)]

    def _write_config(self) -> None:
        # Started as root, mosquitto drops to the `mosquitto` user; `user root` keeps the identity that
        # owns the work directory so that the log file stays writable.
        user_line = "user root\n" if os.geteuid() == 0 else ""
        password_line = f"password_file {self.password_file}\n" if self.password_file is not None else ""
        self.config_path.write_text(
            user_line + "per_listener_settings false\n"
            f"allow_anonymous {'true' if self.allow_anonymous else 'false'}\n"
            + password_line + "persistence false\n"
            f"log_dest file {self.log_path}\n"
            "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n"
            "connection_messages true\n"
            "log_timestamp true\n"
            f"listener {self.tcp_port} 127.0.0.1\n"
            "protocol mqtt\n"
            "socket_domain ipv4\n"
            f"listener {self.ws_port} 127.0.0.1\n"
            "protocol websockets\n"
            "socket_domain ipv4\n",
            encoding="utf-8",
        )

    def mqtt_client_ids(self) -> list[str]:
        """Client ids of every connection logged so far ("New client connected from ... as <id> (...")."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return []
        return _MOSQUITTO_CLIENT_RE.findall(text)
