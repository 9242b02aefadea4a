"""Abusive HTTP clients and a health-check poller, for the tests that hold the simulator's HTTP server busy.

HoldOpenClients keeps N idle sockets and M slow-loris clients (a request header sent one byte per tick,
never finished) connected to a port, reopening at the next tick any the server closed, the way an attack
tool keeps its pressure. WhoamiPoller plays the central server's health check: GET /whoami over and over
on a fresh connection each time, counting every answer that is not a 200 within its timeout as a miss.
Both run on their own threads and are stopped (and their sockets closed) by stop() or a `with` block.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Optional

# The slow-loris request: a real request line, then header bytes that never reach the blank line.
_LORIS_HEAD = b"GET /whoami HTTP/1.1\r\nHost: 127.0.0.1\r\n"
_LORIS_TRICKLE = b"X-Slow: " + b"a" * 4000


@dataclass
class _Client:
    slow: bool
    sock: Optional[socket.socket] = None
    sent: int = 0  # trickle bytes sent on the current connection


class HoldOpenClients:
    """N idle connections and M slow-loris connections to 127.0.0.1:port, held until stop()."""

    def __init__(self, port: int, idle: int, slow: int, tick_s: float = 1.0) -> None:
        self.port = port
        self.tick_s = tick_s
        self._clients = [_Client(slow=False) for _ in range(idle)] + [_Client(slow=True) for _ in range(slow)]
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self.opened = 0  # connections made, first ones and reopened ones
        self.closed_by_server = 0  # connections found closed (end of stream, reset) before stop()
        self.connect_failures = 0

    def _open(self, client: _Client) -> None:
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=2.0)
        except OSError:
            self.connect_failures += 1
            return
        sock.setblocking(False)
        client.sock, client.sent = sock, 0
        self.opened += 1
        if client.slow:
            self._send(client, _LORIS_HEAD)

    def _send(self, client: _Client, data: bytes) -> None:
        try:
            assert client.sock is not None
            client.sock.send(data)
        except (BlockingIOError, InterruptedError):
            pass  # the server does not read: the byte waits, the connection stays
        except OSError:
            self._lost(client)

    def _lost(self, client: _Client) -> None:
        if client.sock is not None:
            client.sock.close()
        client.sock = None
        self.closed_by_server += 1

    def _still_open(self, client: _Client) -> bool:
        assert client.sock is not None
        try:
            data = client.sock.recv(4096)
        except (BlockingIOError, InterruptedError):
            return True
        except OSError:
            self._lost(client)
            return False
        if data == b"":
            self._lost(client)
            return False
        return True  # an answer (e.g. 408): read and ignored, the socket is kept

    def _tick(self) -> None:
        for client in self._clients:
            if self._stop.is_set():
                return
            if client.sock is None:
                self._open(client)
            elif self._still_open(client) and client.slow:
                self._send(client, _LORIS_TRICKLE[client.sent % len(_LORIS_TRICKLE):][:1])
                client.sent += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            self._tick()
            self._stop.wait(self.tick_s)

    def start(self) -> "HoldOpenClients":
        for client in self._clients:
            self._open(client)
        self._thread = threading.Thread(target=self._run, name="hold-open-clients", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10.0)
        for client in self._clients:
            if client.sock is not None:
                client.sock.close()
                client.sock = None

    def open_now(self) -> int:
        return sum(1 for client in self._clients if client.sock is not None)

    def __enter__(self) -> "HoldOpenClients":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@dataclass
class PollFigures:
    polls: int = 0
    misses: int = 0
    miss_reasons: list = field(default_factory=list)  # the first few, for the failure message


class WhoamiPoller:
    """GET /whoami every interval_s on a new connection; a miss is anything but a 200 within timeout_s."""

    MAX_REASONS = 10

    def __init__(self, port: int, interval_s: float = 0.1, timeout_s: float = 2.0) -> None:
        self.port = port
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self._figures = PollFigures()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None

    def _poll_once(self) -> Optional[str]:
        """None when /whoami answered 200, else why not."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout_s)
        try:
            connection.request("GET", "/whoami")
            response = connection.getresponse()
            response.read()
            return None if response.status == 200 else f"status {response.status}"
        except (OSError, http.client.HTTPException) as exc:
            return f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            reason = self._poll_once()
            with self._lock:
                self._figures.polls += 1
                if reason is not None:
                    self._figures.misses += 1
                    if len(self._figures.miss_reasons) < self.MAX_REASONS:
                        self._figures.miss_reasons.append(reason)
            self._stop.wait(max(0.0, self.interval_s - (time.monotonic() - started)))

    def figures(self) -> PollFigures:
        with self._lock:
            return PollFigures(self._figures.polls, self._figures.misses, list(self._figures.miss_reasons))

    def start(self) -> "WhoamiPoller":
        self._thread = threading.Thread(target=self._run, name="whoami-poller", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> PollFigures:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout_s + 5.0)
        return self.figures()

    def __enter__(self) -> "WhoamiPoller":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
