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
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping, Optional

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


# --- TLS, credentials and a local cluster (issues 10 and 12) ------------------------------------------
# Added as new classes so that the classes above keep their configuration exactly as it was.


@dataclass(frozen=True)
class TlsFiles:
    """A server certificate chain and its private key, PEM files, for a broker's WebSocket listener."""

    cert_file: Path
    key_file: Path


def _nats_string(value: object) -> str:
    # json.dumps gives a quoted string NATS's config parser reads as-is.
    return json.dumps(str(value))


class NatsNode(NatsBroker):
    """nats-server as NatsBroker, plus: its own server name, TLS on the WebSocket listener (wss://), MQTT
    users (a global `authorization` block) and membership of a cluster (see NatsCluster).

    NATS 2.9.10 takes MQTT credentials from the `authorization` block (an MQTT client over WebSocket counts
    as an MQTT client); a wrong user name or password closes the connection without a CONNACK.
    """

    def __init__(
        self,
        workdir: Path,
        executable: Optional[str] = None,
        *,
        server_name: str = "irrigation_test",
        ws_tls: Optional[TlsFiles] = None,
        users: Optional[Mapping[str, str]] = None,
        ws_host: str = "127.0.0.1",
    ) -> None:
        super().__init__(workdir, executable)
        self.server_name = server_name
        self.ws_tls = ws_tls
        self.users = dict(users or {})
        self.ws_host = ws_host  # the host name of ws_uri (a TLS certificate names it)
        self.cluster_name: Optional[str] = None
        self.cluster_port: Optional[int] = None
        self.route_ports: list[int] = []
        self.mqtt_stream_replicas: Optional[int] = None

    def hold_cluster_port(self) -> int:
        """Holds (see the module's notes) and returns the port of this node's cluster (route) listener."""
        if self.cluster_port is None:
            self.cluster_port = self._hold_port()
        return self.cluster_port

    @property
    def ws_uri(self) -> str:
        scheme = "wss" if self.ws_tls is not None else "ws"
        return f"{scheme}://{self.ws_host}:{self.ws_port}/mqtt"

    def _write_config(self) -> None:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(self.config_text(), encoding="utf-8")

    def config_text(self) -> str:
        lines = [
            f"server_name: {self.server_name}",
            f"listen: 127.0.0.1:{self.client_port}",
            f"http: 127.0.0.1:{self.monitor_port}",
            f"log_file: {_nats_string(self.log_path)}",
            f"jetstream {{ store_dir: {_nats_string(self.store_dir)} }}",
        ]
        if self.users:
            entries = ", ".join(
                f"{{ user: {_nats_string(user)}, password: {_nats_string(password)} }}"
                for user, password in self.users.items()
            )
            lines.append(f"authorization {{ users: [ {entries} ] }}")
        mqtt = [f"listen: 127.0.0.1:{self.tcp_port}"]
        if self.mqtt_stream_replicas is not None:
            mqtt.append(f"stream_replicas: {self.mqtt_stream_replicas}")
        lines.append("mqtt {\n  " + "\n  ".join(mqtt) + "\n}")
        if self.ws_tls is None:
            ws_security = "no_tls: true"
        else:
            ws_security = (
                f"tls {{ cert_file: {_nats_string(self.ws_tls.cert_file)}, "
                f"key_file: {_nats_string(self.ws_tls.key_file)} }}"
            )
        lines.append(f"websocket {{\n  listen: 127.0.0.1:{self.ws_port}\n  {ws_security}\n}}")
        if self.cluster_name is not None and self.cluster_port is not None:
            routes = ", ".join(_nats_string(f"nats-route://127.0.0.1:{port}") for port in self.route_ports)
            lines.append(
                f"cluster {{\n  name: {self.cluster_name}\n  listen: 127.0.0.1:{self.cluster_port}\n"
                f"  routes: [ {routes} ]\n}}"
            )
        return "\n".join(lines) + "\n"

    def healthz(self, timeout_s: float = 2.0) -> tuple[int, dict]:
        """(HTTP status, document) of the monitoring endpoint's /healthz: 200 once JetStream is current
        (clustered: the meta group has a leader and this node has caught up)."""
        url = f"http://127.0.0.1:{self.monitor_port}/healthz"
        try:
            with urllib.request.urlopen(url, timeout=timeout_s) as response:
                return response.status, json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, json.loads(exc.read().decode("utf-8") or "{}")
        except (OSError, ValueError) as exc:
            raise BrokerError(f"NATS monitoring {url} failed: {exc}") from exc

    def kill(self) -> Optional[int]:
        """SIGKILL by PID (no clean shutdown: a crash), bounded wait; returns the exit status."""
        self.stop_signal = signal.SIGKILL  # for this stop() only: it sends this instead of the clean signal
        try:
            return self.stop(timeout_s=KILL_TIMEOUT_S)
        finally:
            del self.stop_signal  # the class's clean signal again


def nats_request(port: int, subject: str, payload: bytes = b"", timeout_s: float = 5.0) -> bytes:
    """One request over the NATS client protocol on 127.0.0.1:port (no credentials): the reply's payload.

    Just enough protocol for the JetStream API calls of NatsCluster (text lines: INFO, CONNECT, SUB, PUB,
    MSG, PING/PONG), so that the tests need no NATS client library.
    """
    inbox = f"_INBOX.irrigation.{os.getpid()}.{time.monotonic_ns()}"
    deadline = time.monotonic() + timeout_s
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout_s) as sock:
            reader = sock.makefile("rb")
            reader.readline()  # INFO {...}
            sock.sendall(
                b'CONNECT {"verbose":false,"pedantic":false,"protocol":1}\r\n'
                + f"SUB {inbox} 1\r\nPUB {subject} {inbox} {len(payload)}\r\n".encode("ascii")
                + payload
                + b"\r\n"
            )
            while time.monotonic() < deadline:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                line = reader.readline()
                if not line:
                    break
                if line.startswith(b"PING"):
                    sock.sendall(b"PONG\r\n")
                elif line.startswith(b"-ERR"):
                    raise BrokerError(f"NATS refused {subject}: {line.decode('utf-8', 'replace').strip()}")
                elif line.startswith(b"MSG "):
                    size = int(line.split()[-1])
                    return reader.read(size + 2)[:size]
    except OSError as exc:
        raise BrokerError(f"NATS request {subject} on port {port} failed: {exc}") from exc
    raise BrokerError(f"no reply to {subject} on port {port} within {timeout_s} s")


def mqtt_connect_probe(port: int, client_id: str, timeout_s: float = 10.0) -> int:
    """An MQTT 3.1.1 CONNECT (clean session) on 127.0.0.1:port, then DISCONNECT: the CONNACK return code.

    On NATS the first MQTT connection of a server creates its MQTT streams and consumers (JetStream
    requests): probing each node once makes every node ready for clients that must not wait for that.
    """
    ident = client_id.encode("utf-8")
    body = b"\x00\x04MQTT\x04\x02\x00\x3c" + len(ident).to_bytes(2, "big") + ident
    if len(body) > 127:
        raise BrokerError(f"client id {client_id!r} too long for this probe")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout_s) as sock:
            sock.sendall(bytes([0x10, len(body)]) + body)
            connack = b""
            while len(connack) < 4:
                chunk = sock.recv(4 - len(connack))
                if not chunk:
                    raise BrokerError(f"MQTT port {port} closed the connection before CONNACK")
                connack += chunk
            sock.sendall(b"\xe0\x00")
    except OSError as exc:
        raise BrokerError(f"MQTT CONNECT to port {port} failed: {exc}") from exc
    if connack[0] != 0x20:
        raise BrokerError(f"MQTT port {port} answered {connack!r} instead of a CONNACK")
    return connack[3]


CLUSTER_READY_TIMEOUT_S = 30.0


def _step_down(via: NatsNode, asset: str) -> None:
    """Asks the leader of a stream ("name") or consumer ("stream > consumer") to step down, through any
    running node; an error (an election under way) is left to the caller's next look."""
    stream, _, consumer = asset.partition(" > ")
    subject = (f"$JS.API.CONSUMER.LEADER.STEPDOWN.{stream}.{consumer}" if consumer
               else f"$JS.API.STREAM.LEADER.STEPDOWN.{stream}")
    try:
        nats_request(via.client_port, subject, timeout_s=5.0)
    except BrokerError:
        pass


class NatsCluster:
    """A local NATS cluster: `size` nats-server processes on 127.0.0.1 with routes to one another, each
    with MQTT, MQTT over WebSocket and JetStream in its own store directory, server names distinct.

    JetStream clustering needs a cluster name and a quorum (2 of 3) for its meta group and for every
    replicated stream. The MQTT streams ($MQTT_sess, $MQTT_msgs, $MQTT_rmsgs) get `stream_replicas`
    (NATS 2.9.10 takes it in the `mqtt` block; 3 here, which is also what it picks by itself with three
    routes), so sessions, retained messages and QoS 1 deliveries survive the loss of any one node. Each node
    is started, stopped, killed and restarted alone by its PID; start() waits until every node reports
    JetStream current on /healthz.
    """

    def __init__(
        self,
        workdir: Path,
        size: int = 3,
        executable: Optional[str] = None,
        name: str = "irrigation_cluster",
        stream_replicas: int = 3,
    ) -> None:
        if size < 1:
            raise BrokerError(f"a cluster needs at least one node, not {size}")
        self.workdir = Path(workdir)
        nats = executable or find_nats_server()
        self.nodes = [
            NatsNode(self.workdir / f"node{i + 1}", nats, server_name=f"irrigation_node{i + 1}")
            for i in range(size)
        ]
        routes = [node.hold_cluster_port() for node in self.nodes]
        for node in self.nodes:
            node.cluster_name = name
            node.route_ports = list(routes)  # its own included: NATS skips a route to itself
            node.mqtt_stream_replicas = min(stream_replicas, size)

    def node(self, index: int) -> NatsNode:
        return self.nodes[index]

    @property
    def ws_uris(self) -> list[str]:
        return [node.ws_uri for node in self.nodes]

    @property
    def pids(self) -> list[Optional[int]]:
        return [node.pid for node in self.nodes]

    def start(self, timeout_s: float = CLUSTER_READY_TIMEOUT_S) -> "NatsCluster":
        """Starts every node (not running yet) and waits until all of them are ready."""
        try:
            for node in self.nodes:
                if not node.running:
                    node.start()
            self.wait_ready(timeout_s=timeout_s)
        except BaseException:
            self.stop()
            raise
        return self

    def wait_ready(self, indexes: Optional[list[int]] = None, timeout_s: float = CLUSTER_READY_TIMEOUT_S) -> None:
        """Waits until the given nodes (default: every running one) answer /healthz with 200 (JetStream
        current), then connects once over MQTT to each, so that every node has made its MQTT streams and
        consumers (the first MQTT connection of a NATS server does that, taking about a second here)."""
        chosen = [self.nodes[i] for i in indexes] if indexes is not None else [n for n in self.nodes if n.running]
        deadline = time.monotonic() + timeout_s
        pending = list(chosen)
        last: dict = {}
        while pending:
            still = []
            for node in pending:
                try:
                    code, document = node.healthz()
                except BrokerError as exc:
                    code, document = 0, {"error": str(exc)}
                if code != 200:
                    last[node.server_name] = document
                    still.append(node)
            pending = still
            if not pending:
                break
            if time.monotonic() > deadline:
                raise BrokerError(
                    f"NATS cluster nodes {[n.server_name for n in pending]} not ready within {timeout_s} s: "
                    f"{json.dumps(last)}"
                )
            time.sleep(0.1)
        # One node after the other: on a fresh NATS 2.9.10 cluster, first MQTT connections on several nodes
        # at once race to create the replicated streams, and one of them timed out (4 s) in a trial.
        for node in chosen:
            remaining = max(1.0, deadline - time.monotonic())
            code = mqtt_connect_probe(node.mqtt_port, f"probe-{node.server_name}", timeout_s=remaining)
            if code != 0:
                raise BrokerError(f"{node.server_name} refused an MQTT connection (CONNACK code {code})")

    def jetstream_leaders(self) -> dict[str, Optional[str]]:
        """Server name of the leader of the meta group ("meta"), of each stream (its name) and of each
        consumer ("stream > consumer"), as a running node's /jsz reports them."""
        for node in self.nodes:
            if not node.running:
                continue
            url = (f"http://127.0.0.1:{node.monitor_port}/jsz?accounts=true&streams=true&consumers=true")
            try:
                with urllib.request.urlopen(url, timeout=2.0) as response:
                    document = json.loads(response.read().decode("utf-8"))
            except (OSError, ValueError):
                continue
            leaders: dict[str, Optional[str]] = {"meta": (document.get("meta_cluster") or {}).get("leader")}
            for account in document.get("account_details") or []:
                for stream in account.get("stream_detail") or []:
                    leaders[stream["name"]] = (stream.get("cluster") or {}).get("leader")
                    for consumer in stream.get("consumer_detail") or []:
                        key = f"{stream['name']} > {consumer['name']}"
                        leaders[key] = (consumer.get("cluster") or {}).get("leader")
            return leaders
        raise BrokerError("no running NATS node answered /jsz")

    def move_leaders_off(self, index: int, timeout_s: float = CLUSTER_READY_TIMEOUT_S) -> dict[str, Optional[str]]:
        """Asks every stream and consumer whose leader is node `index` to step down (JetStream API), until
        none is led there; returns the leaders found then. The meta group's leader stays where it is (its
        step-down needs the system account); the MQTT path of a client does not go through it once every
        node has its MQTT streams and consumers (wait_ready)."""
        name = self.nodes[index].server_name
        helper = next(n for i, n in enumerate(self.nodes) if i != index and n.running)
        deadline = time.monotonic() + timeout_s
        while True:
            leaders = self.jetstream_leaders()
            led_there = [asset for asset, leader in leaders.items() if asset != "meta" and leader == name]
            electing = [asset for asset, leader in leaders.items() if asset != "meta" and not leader]
            if not led_there and not electing:
                return leaders
            if time.monotonic() > deadline:
                raise BrokerError(
                    f"{name} still leads {led_there} (no leader yet: {electing}) after {timeout_s} s of step-downs"
                )
            for asset in led_there:
                _step_down(helper, asset)
            time.sleep(0.2)

    def move_stream_leader_onto(self, index: int, stream: str, timeout_s: float = CLUSTER_READY_TIMEOUT_S) -> None:
        """Steps the stream's leader down until node `index` is elected (each step-down elects one of the
        other replicas; NATS 2.9 cannot name the next leader)."""
        name = self.nodes[index].server_name
        deadline = time.monotonic() + timeout_s
        while True:
            leader = self.jetstream_leaders().get(stream)
            if leader == name:
                return
            if time.monotonic() > deadline:
                raise BrokerError(f"{stream} is still led by {leader}, not {name}, after {timeout_s} s")
            if leader:
                _step_down(self.nodes[index], stream)
            time.sleep(0.2)

    def kill(self, index: int) -> Optional[int]:
        """SIGKILL of one node by its PID: the others go on (a crash, not a clean leave)."""
        return self.nodes[index].kill()

    def stop_node(self, index: int) -> Optional[int]:
        return self.nodes[index].stop()

    def restart_node(self, index: int, timeout_s: float = CLUSTER_READY_TIMEOUT_S) -> NatsNode:
        """Starts one stopped or killed node again (same ports, same store) and waits until it is ready."""
        node = self.nodes[index]
        if node.running:
            node.stop()
        node.start()
        self.wait_ready([index], timeout_s=timeout_s)
        return node

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def __enter__(self) -> "NatsCluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def find_mosquitto_passwd() -> str:
    return find_executable("mosquitto_passwd", "mosquitto")


class SecureMosquittoBroker(MosquittoBroker):
    """MosquittoBroker plus TLS on its WebSocket listener (wss://) and/or a password file with
    `allow_anonymous false` (the plain TCP listener, used by test subscribers, shares the password file).

    The lines are appended to MosquittoBroker's configuration: with `per_listener_settings false` the last
    `allow_anonymous` wins, and `certfile`/`keyfile` apply to the listener declared last, the websockets
    one. The password file is written with Debian's mosquitto_passwd (hashed, never the plain password).
    Mosquitto 2.0.11 answers a wrong user name or password with CONNACK code 5 (not authorized).
    """

    def __init__(
        self,
        workdir: Path,
        executable: Optional[str] = None,
        *,
        ws_tls: Optional[TlsFiles] = None,
        users: Optional[Mapping[str, str]] = None,
        ws_host: str = "127.0.0.1",
        passwd_executable: Optional[str] = None,
    ) -> None:
        self.passwd_executable = (passwd_executable or find_mosquitto_passwd()) if users else None
        super().__init__(workdir, executable)
        self.ws_tls = ws_tls
        self.users = dict(users or {})
        self.ws_host = ws_host
        self.password_path = self.workdir / "mosquitto.passwd"

    @property
    def ws_uri(self) -> str:
        scheme = "wss" if self.ws_tls is not None else "ws"
        return f"{scheme}://{self.ws_host}:{self.ws_port}/mqtt"

    def _write_config(self) -> None:
        super()._write_config()
        extra = []
        if self.ws_tls is not None:
            extra += [f"certfile {self.ws_tls.cert_file}", f"keyfile {self.ws_tls.key_file}"]
        if self.users:
            self._write_password_file()
            extra += ["allow_anonymous false", f"password_file {self.password_path}"]
        if extra:
            with open(self.config_path, "a", encoding="utf-8") as config:
                config.write("\n".join(extra) + "\n")

    def _write_password_file(self) -> None:
        assert self.passwd_executable is not None
        self.password_path.unlink(missing_ok=True)
        for user, password in self.users.items():
            # -b: the password on the command line (a test broker's); -c only for the first user.
            create = ["-c"] if not self.password_path.exists() else []
            result = subprocess.run(
                [self.passwd_executable, *create, "-b", str(self.password_path), user, password],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
            if result.returncode != 0:
                raise BrokerError(f"mosquitto_passwd failed ({result.returncode}): {result.stderr.strip()}")
