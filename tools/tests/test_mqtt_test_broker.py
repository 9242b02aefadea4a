"""The misbehaving MQTT test broker: each mode answers as documented, and it records what it receives.

Driven with a plain WebSocket client (websockets.sync) sending hand-made MQTT 3.1.1 packets, so that what
is checked is the bytes on the wire, not another MQTT library's reading of them.
"""

from __future__ import annotations

import socket
import struct

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from irrigation_tools.mqtt_test_broker import (
    Mode,
    MqttTestBroker,
    ProtocolError,
    encode_remaining_length,
    parse_connect,
    parse_publish,
    split_packet,
)

RECV_TIMEOUT_S = 2.0


def mqtt_string(text: str) -> bytes:
    data = text.encode("utf-8")
    return struct.pack(">H", len(data)) + data


def packet(first_byte: int, body: bytes) -> bytes:
    return bytes([first_byte]) + encode_remaining_length(len(body)) + body


def connect_packet(client_id: str = "ESP32_3C4D5E", keepalive_s: int = 60, will: tuple = ()) -> bytes:
    flags = 0x02
    payload = mqtt_string(client_id)
    if will:
        flags |= 0x04 | 0x20  # will flag, will retain
        payload += mqtt_string(will[0]) + mqtt_string(will[1])
    return packet(0x10, mqtt_string("MQTT") + bytes([4, flags]) + struct.pack(">H", keepalive_s) + payload)


def publish_packet(topic: str, payload: bytes, packet_id: int, dup: bool = False) -> bytes:
    return packet(0x32 | (0x08 if dup else 0), mqtt_string(topic) + struct.pack(">H", packet_id) + payload)


@pytest.fixture
def broker():
    with MqttTestBroker() as running:
        yield running


def open_session(broker: MqttTestBroker, path: str = "/mqtt") -> ClientConnection:
    return connect(f"ws://127.0.0.1:{broker.port}{path}", subprotocols=["mqtt"], open_timeout=RECV_TIMEOUT_S)


def test_remaining_length_round_trips_at_every_encoding_boundary():
    for length in (0, 1, 127, 128, 16383, 16384, 2097151, 2097152):
        encoded = encode_remaining_length(length)
        kind, flags, body, size = split_packet(bytes([0x30]) + encoded + b"x" * length)
        assert (kind, flags, len(body), size) == (3, 0, length, 1 + len(encoded) + length)


def test_an_incomplete_packet_waits_for_more_bytes():
    whole = publish_packet("t", b"payload", 7)
    assert split_packet(whole[:1]) is None
    assert split_packet(whole[:-1]) is None
    assert split_packet(whole + b"\xc0")[3] == len(whole)


def test_a_remaining_length_over_four_bytes_is_a_protocol_error():
    with pytest.raises(ProtocolError):
        split_packet(bytes([0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]))


def test_connect_fields_are_read_including_the_will():
    body = split_packet(connect_packet("dev", 7, will=("status/dev", "offline")))[2]
    fields = parse_connect(body)
    assert fields == {"client_id": "dev", "keepalive_s": 7, "will_topic": "status/dev", "will_payload": b"offline"}


def test_mqtt_3_1_is_refused_as_not_3_1_1():
    body = mqtt_string("MQIsdp") + bytes([3, 2]) + struct.pack(">H", 60) + mqtt_string("x")
    with pytest.raises(ProtocolError):
        parse_connect(body)


def test_publish_flags_are_read():
    kind, flags, body, _ = split_packet(publish_packet("a/b", b"{}", 258, dup=True))
    assert parse_publish(flags, body) == {"topic": "a/b", "qos": 1, "retain": False, "dup": True,
                                          "packet_id": 258, "payload": b"{}"}


def test_ack_mode_acknowledges_connect_publish_and_ping(broker):
    with open_session(broker) as session:
        session.send(connect_packet())
        assert session.recv(RECV_TIMEOUT_S) == b"\x20\x02\x00\x00"
        session.send(publish_packet("/registration", b'{"a":1}', 513))
        assert session.recv(RECV_TIMEOUT_S) == b"\x40\x02\x02\x01"
        session.send(b"\xc0\x00")
        assert session.recv(RECV_TIMEOUT_S) == b"\xd0\x00"
    publish = broker.wait_for("publish")
    assert (publish.client_id, publish.topic, publish.payload, publish.qos) == (
        "ESP32_3C4D5E", "/registration", b'{"a":1}', 1)
    assert [p.kind for p in broker.packets()] == ["upgrade", "connect", "publish", "pingreq"]


def test_packets_split_across_and_packed_into_websocket_messages_are_all_answered(broker):
    stream = connect_packet() + publish_packet("t", b"1", 1) + publish_packet("t", b"2", 2)
    with open_session(broker) as session:
        session.send(stream[:5])
        session.send(stream[5:])
        answers = b"".join(session.recv(RECV_TIMEOUT_S) for _ in range(3))
    assert answers == b"\x20\x02\x00\x00" + b"\x40\x02\x00\x01" + b"\x40\x02\x00\x02"


def test_no_puback_mode_answers_connect_and_ping_but_never_a_publish(broker):
    broker.set_mode(Mode.NO_PUBACK)
    with open_session(broker) as session:
        session.send(connect_packet())
        assert session.recv(RECV_TIMEOUT_S) == b"\x20\x02\x00\x00"
        session.send(publish_packet("/registration", b"{}", 1))
        session.send(publish_packet("/registration", b"{}", 1, dup=True))
        session.send(b"\xc0\x00")
        assert session.recv(RECV_TIMEOUT_S) == b"\xd0\x00"  # the ping answer is the only one
        with pytest.raises(TimeoutError):
            session.recv(0.3)
    assert [p.dup for p in broker.packets("publish")] == [False, True]


@pytest.mark.parametrize("code", [1, 2, 3, 4, 5])
def test_refuse_mode_sends_the_chosen_connack_code_and_closes(broker, code):
    broker.set_mode(Mode.REFUSE, connack_code=code)
    with open_session(broker) as session:
        session.send(connect_packet())
        assert session.recv(RECV_TIMEOUT_S) == bytes([0x20, 2, 0, code])
        with pytest.raises(ConnectionClosed):
            session.recv(RECV_TIMEOUT_S)
    assert broker.count("connect") == 1


def test_a_refusal_code_outside_mqtt_3_1_1_is_rejected(broker):
    with pytest.raises(ValueError):
        broker.set_mode(Mode.REFUSE, connack_code=6)


def test_silent_mode_accepts_tcp_and_never_answers_until_the_mode_changes(broker):
    broker.set_mode(Mode.SILENT)
    with socket.create_connection(("127.0.0.1", broker.port), timeout=RECV_TIMEOUT_S) as raw:
        raw.sendall(b"GET /mqtt HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        raw.settimeout(0.5)
        with pytest.raises(TimeoutError):
            raw.recv(1)
        broker.wait_for("upgrade")
        broker.set_mode(Mode.ACK)
        raw.settimeout(RECV_TIMEOUT_S)
        try:
            assert raw.recv(1024) == b""
        except ConnectionResetError:
            pass  # closed either way
    with open_session(broker) as session:  # and new connections are served again
        session.send(connect_packet())
        assert session.recv(RECV_TIMEOUT_S) == b"\x20\x02\x00\x00"


def test_another_path_is_refused_with_404(broker):
    with pytest.raises(InvalidStatus) as refused:
        open_session(broker, path="/ws")
    assert refused.value.response.status_code == 404
    assert broker.packets("upgrade")[0].path == "/ws"


def test_drop_connections_closes_every_client_at_once(broker):
    with open_session(broker) as first, open_session(broker) as second:
        for session in (first, second):
            session.send(connect_packet())
            session.recv(RECV_TIMEOUT_S)
        broker.drop_connections()
        for session in (first, second):
            with pytest.raises(ConnectionClosed):
                session.recv(RECV_TIMEOUT_S)
    assert broker.connections == 2


def test_stop_frees_the_port_and_start_again_may_reuse_it():
    broker = MqttTestBroker().start()
    port = broker.port
    broker.stop()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
    again = MqttTestBroker().start(port=port)
    try:
        assert again.port == port
    finally:
        again.stop()
