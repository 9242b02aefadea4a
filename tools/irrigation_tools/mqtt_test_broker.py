"""A small MQTT 3.1.1 over WebSocket broker for fault tests: it misbehaves on demand and records everything.

Real brokers cannot be told to accept a connection and then never acknowledge a publish, to refuse a
CONNACK with a chosen code, or to accept TCP and never answer. This one can, switched at run time:

- `Mode.ACK`: CONNACK 0, PUBACK for every QoS 1 PUBLISH, PINGRESP, SUBACK: a well-behaved broker.
- `Mode.NO_PUBACK`: the same, except that no PUBLISH is ever acknowledged (an ACL denial, an expiring
  outbox, a broker that drops what it cannot route).
- `Mode.REFUSE`: CONNACK with `connack_code` (1..5), then the connection is closed.
- `Mode.SILENT`: the TCP connection is accepted and the WebSocket upgrade request read, but nothing is ever
  answered (a hung server, a half-open middlebox). A connection waiting there is closed when the mode
  changes.

It is not a router: PUBLISHes are recorded, not forwarded. Every packet received is recorded with its
arrival time (time.monotonic()), so a test can count CONNECTs, PUBLISHes (with DUP flags) and PINGREQs.
Only WebSocket upgrades to `path` (default /mqtt) are accepted; any other path gets 404.

The server runs an asyncio loop on its own thread (PyPI `websockets`), listens on 127.0.0.1 only, and
every wait is bounded. Thread-safe: the test thread switches modes and reads records while it runs.
"""

from __future__ import annotations

import asyncio
import enum
import struct
import threading
import time
from dataclasses import dataclass
from typing import Callable, Optional

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0
SILENT_POLL_S = 0.05

# MQTT 3.1.1 control packet types (high nibble of the first byte).
CONNECT, CONNACK, PUBLISH, PUBACK, SUBSCRIBE, SUBACK, PINGREQ, PINGRESP, DISCONNECT = 1, 2, 3, 4, 8, 9, 12, 13, 14
_PACKET_NAMES = {CONNECT: "connect", PUBLISH: "publish", SUBSCRIBE: "subscribe", PINGREQ: "pingreq",
                 DISCONNECT: "disconnect"}


class Mode(enum.Enum):
    ACK = "ack"
    NO_PUBACK = "no_puback"
    REFUSE = "refuse"
    SILENT = "silent"


class ProtocolError(ValueError):
    """The client sent bytes that are not MQTT 3.1.1."""


@dataclass(frozen=True)
class Packet:
    """One thing the broker received: an MQTT packet, or `upgrade` (a WebSocket upgrade request)."""

    kind: str  # connect, publish, subscribe, pingreq, disconnect, other, upgrade
    at: float  # time.monotonic()
    connection: int  # 1-based number of the TCP connection it came on
    client_id: str = ""
    topic: str = ""
    payload: bytes = b""
    qos: int = 0
    retain: bool = False
    dup: bool = False
    packet_id: Optional[int] = None
    path: str = ""  # upgrade: the request path
    username: Optional[str] = None
    will_topic: Optional[str] = None
    will_payload: Optional[bytes] = None
    keepalive_s: int = 0


def encode_remaining_length(length: int) -> bytes:
    out = bytearray()
    while True:
        digit, length = length % 128, length // 128
        out.append(digit | (0x80 if length else 0))
        if not length:
            return bytes(out)


def split_packet(buffer: bytes) -> Optional[tuple[int, int, bytes, int]]:
    """(type, flags, body, total length) of the first complete packet in buffer, or None if incomplete."""
    if len(buffer) < 2:
        return None
    length, multiplier, index = 0, 1, 1
    while True:
        if index >= len(buffer):
            return None
        byte = buffer[index]
        length += (byte & 0x7F) * multiplier
        index += 1
        if not byte & 0x80:
            break
        multiplier *= 128
        if index > 4:
            raise ProtocolError("remaining length longer than four bytes")
    if len(buffer) < index + length:
        return None
    return buffer[0] >> 4, buffer[0] & 0x0F, bytes(buffer[index:index + length]), index + length


class _Reader:
    """Reads the fields of a packet body in order."""

    def __init__(self, body: bytes) -> None:
        self.body, self.pos = body, 0

    def take(self, count: int) -> bytes:
        if self.pos + count > len(self.body):
            raise ProtocolError("packet shorter than its fields")
        data = self.body[self.pos:self.pos + count]
        self.pos += count
        return data

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        return struct.unpack(">H", self.take(2))[0]

    def binary(self) -> bytes:
        return self.take(self.u16())

    def text(self) -> str:
        return self.binary().decode("utf-8", errors="replace")

    def rest(self) -> bytes:
        data = self.body[self.pos:]
        self.pos = len(self.body)
        return data


def parse_connect(body: bytes) -> dict:
    reader = _Reader(body)
    protocol, level = reader.text(), reader.u8()
    if protocol != "MQTT" or level != 4:
        raise ProtocolError(f"not MQTT 3.1.1: protocol {protocol!r} level {level}")
    flags, keepalive = reader.u8(), reader.u16()
    fields: dict = {"client_id": reader.text(), "keepalive_s": keepalive}
    if flags & 0x04:
        fields["will_topic"], fields["will_payload"] = reader.text(), reader.binary()
    if flags & 0x80:
        fields["username"] = reader.text()
    return fields


def parse_publish(flags: int, body: bytes) -> dict:
    reader = _Reader(body)
    qos = (flags >> 1) & 0x03
    fields = {"topic": reader.text(), "qos": qos, "retain": bool(flags & 0x01), "dup": bool(flags & 0x08)}
    fields["packet_id"] = reader.u16() if qos > 0 else None
    fields["payload"] = reader.rest()
    return fields


class MqttTestBroker:
    """The broker; start() returns it once it listens, stop() ends it (also as a `with` block)."""

    def __init__(self, path: str = "/mqtt", mode: Mode = Mode.ACK, connack_code: int = 5) -> None:
        self.path = path
        self._mode = mode
        self._connack_code = connack_code
        self._cond = threading.Condition()
        self._packets: list[Packet] = []
        self._connections = 0
        self._live: set[ServerConnection] = set()
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._server: Optional[Server] = None
        self._thread: Optional[threading.Thread] = None
        self._stopped: Optional[asyncio.Event] = None
        self.port = 0

    # --- control (any thread) ----------------------------------------------------------------------
    @property
    def ws_uri(self) -> str:
        return f"ws://127.0.0.1:{self.port}{self.path}"

    @property
    def mode(self) -> Mode:
        return self._mode

    def set_mode(self, mode: Mode, connack_code: Optional[int] = None) -> None:
        """Applies to packets from now on; connections held silent are closed when the mode changes."""
        if connack_code is not None:
            if not 1 <= connack_code <= 5:
                raise ValueError("an MQTT 3.1.1 refusal code is 1..5")
            self._connack_code = connack_code
        self._mode = mode

    def drop_connections(self) -> None:
        """Closes every client connection at once (TCP, no WebSocket close), as a crashing broker would."""
        loop = self._loop
        if loop is None:
            return

        def abort_all() -> None:
            for connection in list(self._live):
                connection.transport.abort()

        loop.call_soon_threadsafe(abort_all)

    # --- records -----------------------------------------------------------------------------------
    def packets(self, kind: Optional[str] = None, since: int = 0) -> list[Packet]:
        with self._cond:
            return [p for p in self._packets[since:] if kind is None or p.kind == kind]

    def mark(self) -> int:
        with self._cond:
            return len(self._packets)

    def count(self, kind: str) -> int:
        return len(self.packets(kind))

    @property
    def connections(self) -> int:
        """TCP connections that reached the server (upgrade request read), in every mode."""
        with self._cond:
            return self._connections

    def wait_for(self, kind: str, predicate: Optional[Callable[[Packet], bool]] = None, timeout: float = 10.0,
                 since: int = 0) -> Packet:
        """The first packet of that kind (from index since) satisfying predicate; TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for packet in self._packets[since:]:
                    if packet.kind == kind and (predicate is None or predicate(packet)):
                        return packet
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no {kind} packet within {timeout} s; received "
                                       f"{[p.kind for p in self._packets[since:]]}")
                self._cond.wait(remaining)

    def _record(self, packet: Packet) -> None:
        with self._cond:
            self._packets.append(packet)
            self._cond.notify_all()

    # --- lifecycle ---------------------------------------------------------------------------------
    def start(self, port: int = 0) -> "MqttTestBroker":
        if self._thread is not None:
            raise RuntimeError("already started")
        ready = threading.Event()
        failure: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, args=(port, ready, failure), name="mqtt-test-broker",
                                        daemon=True)
        self._thread.start()
        if not ready.wait(START_TIMEOUT_S):
            raise RuntimeError(f"the test broker did not listen within {START_TIMEOUT_S} s")
        if failure:
            self._thread.join(STOP_TIMEOUT_S)
            self._thread = None
            raise RuntimeError(f"the test broker could not listen: {failure[0]}") from failure[0]
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        stopped = self._stopped
        if stopped is not None:
            loop.call_soon_threadsafe(stopped.set)
        thread.join(STOP_TIMEOUT_S)
        self._thread = None

    def __enter__(self) -> "MqttTestBroker":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _run(self, port: int, ready: threading.Event, failure: list) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._serve(port, ready, failure))
        finally:
            ready.set()
            loop.close()
            self._loop = None

    async def _serve(self, port: int, ready: threading.Event, failure: list) -> None:
        self._stopped = asyncio.Event()
        try:
            server = await serve(
                self._handle, "127.0.0.1", port, subprotocols=["mqtt"], process_request=self._process_request,
                open_timeout=None, ping_interval=None, compression=None, max_size=1 << 20,
            )
        except OSError as exc:
            failure.append(exc)
            return
        self._server = server
        self.port = int(server.sockets[0].getsockname()[1])
        ready.set()
        await self._stopped.wait()
        server.close()
        try:
            await asyncio.wait_for(server.wait_closed(), STOP_TIMEOUT_S)
        except asyncio.TimeoutError:
            pass

    # --- the protocol (the loop's thread) ----------------------------------------------------------
    async def _process_request(self, connection: ServerConnection, request: Request) -> Optional[Response]:
        with self._cond:
            self._connections += 1
            number = self._connections
        connection.test_broker_number = number  # type: ignore[attr-defined]
        self._record(Packet(kind="upgrade", at=time.monotonic(), connection=number, path=request.path))
        if self._mode is Mode.SILENT:
            while self._mode is Mode.SILENT and not connection.transport.is_closing():
                if self._stopped is not None and self._stopped.is_set():
                    break
                await asyncio.sleep(SILENT_POLL_S)
            connection.transport.abort()
            return connection.respond(503, "")
        if not request.path.startswith(self.path):
            return connection.respond(404, f"MQTT is served on {self.path}\n")
        return None

    async def _handle(self, connection: ServerConnection) -> None:
        number = getattr(connection, "test_broker_number", 0)
        self._live.add(connection)
        buffer = b""
        client_id = ""
        try:
            async for message in connection:
                buffer += message if isinstance(message, bytes) else message.encode("utf-8")
                while True:
                    packet = split_packet(buffer)
                    if packet is None:
                        break
                    kind, flags, body, size = packet
                    buffer = buffer[size:]
                    client_id, keep_open = await self._answer(connection, number, client_id, kind, flags, body)
                    if not keep_open:
                        return
        except (ConnectionClosed, ProtocolError):
            return
        finally:
            self._live.discard(connection)
            connection.transport.abort()

    async def _answer(self, connection: ServerConnection, number: int, client_id: str, kind: int, flags: int,
                      body: bytes) -> tuple[str, bool]:
        """Records the packet and answers it as the mode says; (client id, keep the connection open)."""
        now = time.monotonic()
        name = _PACKET_NAMES.get(kind, "other")
        mode = self._mode
        if kind == CONNECT:
            fields = parse_connect(body)
            client_id = fields["client_id"]
            self._record(Packet(kind=name, at=now, connection=number, **fields))
            if mode is Mode.REFUSE:
                await connection.send(bytes([CONNACK << 4, 2, 0, self._connack_code]))
                return client_id, False
            await connection.send(bytes([CONNACK << 4, 2, 0, 0]))
        elif kind == PUBLISH:
            fields = parse_publish(flags, body)
            self._record(Packet(kind=name, at=now, connection=number, client_id=client_id, **fields))
            if fields["qos"] == 1 and mode is Mode.ACK:
                await connection.send(bytes([PUBACK << 4, 2]) + struct.pack(">H", fields["packet_id"]))
        elif kind == SUBSCRIBE:
            reader = _Reader(body)
            packet_id = reader.u16()
            granted = bytearray()
            while reader.pos < len(body):
                topic, qos = reader.text(), reader.u8()
                self._record(Packet(kind=name, at=now, connection=number, client_id=client_id, topic=topic,
                                    qos=qos, packet_id=packet_id))
                granted.append(min(qos, 1))
            payload = struct.pack(">H", packet_id) + bytes(granted)
            await connection.send(bytes([SUBACK << 4]) + encode_remaining_length(len(payload)) + payload)
        elif kind == PINGREQ:
            self._record(Packet(kind=name, at=now, connection=number, client_id=client_id))
            await connection.send(bytes([PINGRESP << 4, 0]))
        elif kind == DISCONNECT:
            self._record(Packet(kind=name, at=now, connection=number, client_id=client_id))
            return client_id, False
        else:
            self._record(Packet(kind=name, at=now, connection=number, client_id=client_id))
        return client_id, True
