"""The local brokers start, carry QoS 1 messages over WebSocket (/mqtt) and TCP, report client ids, stop."""

import errno
import os
import socket
import threading
import uuid

import paho.mqtt.client as mqtt
import pytest

from irrigation_tools.brokers import (
    BrokerError,
    MosquittoBroker,
    NatsBroker,
    find_executable,
    free_port,
    port_accepts,
    reserve_closed_port,
)
from irrigation_tools.contract import RegistrationSubscriber

BROKERS = {"nats": NatsBroker, "mosquitto": MosquittoBroker}


@pytest.fixture(params=sorted(BROKERS))
def broker(request, tmp_path):
    instance = BROKERS[request.param](tmp_path / request.param).start()
    yield instance
    instance.stop()


def _ws_client(port: int, path: str, client_id: str) -> tuple[mqtt.Client, threading.Event, list]:
    connected = threading.Event()
    outcome: list = []

    def on_connect(client, userdata, flags, reason_code, properties):
        outcome.append(reason_code)
        if not reason_code.is_failure:
            connected.set()

    client = mqtt.Client(
        callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=mqtt.MQTTv311,
        transport="websockets",
    )
    client.ws_set_options(path=path)
    client.on_connect = on_connect
    client.connect("127.0.0.1", port, keepalive=30)
    return client, connected, outcome


def _publish_qos1(client: mqtt.Client, topic: str, payload: bytes) -> None:
    info = client.publish(topic, payload, qos=1)
    info.wait_for_publish(timeout=5.0)
    assert info.is_published(), "no PUBACK within 5 s"


def test_free_port_returns_a_bindable_loopback_port():
    port = free_port()
    assert 0 < port < 65536
    assert not port_accepts(port)


def test_a_missing_executable_names_the_debian_package():
    with pytest.raises(BrokerError, match="apt-get install some-package"):
        find_executable("no-such-binary-" + uuid.uuid4().hex, "some-package")


def test_broker_accepts_mqtt_and_websocket_connections_after_start(broker):
    assert broker.running and broker.pid
    assert port_accepts(broker.mqtt_port)
    assert port_accepts(broker.ws_port)
    assert broker.ws_uri == f"ws://127.0.0.1:{broker.ws_port}/mqtt"
    assert broker.ws_uri_no_path == f"ws://127.0.0.1:{broker.ws_port}"


def test_stop_ends_the_process_by_pid_and_frees_the_ports(broker):
    pid = broker.pid
    broker.stop()
    assert not broker.running
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not port_accepts(broker.mqtt_port)
    assert not port_accepts(broker.ws_port)


def test_restart_listens_on_the_same_ports(broker):
    ports = (broker.mqtt_port, broker.ws_port)
    old_pid = broker.pid
    broker.restart()
    assert broker.pid != old_pid
    assert (broker.mqtt_port, broker.ws_port) == ports
    assert port_accepts(broker.mqtt_port) and port_accepts(broker.ws_port)


def test_qos1_publish_over_websocket_mqtt_path_reaches_a_tcp_subscriber(broker):
    topic = "/liwaisi/test/round-trip"
    payload = '{"device_name":"Riego ñ 🌱"}'.encode("utf-8")
    with RegistrationSubscriber(broker.mqtt_port, topic=topic) as subscriber:
        assert subscriber.granted_qos == 1
        client, connected, outcome = _ws_client(broker.ws_port, "/mqtt", "ESP32_0A0B0C")
        client.loop_start()
        try:
            assert connected.wait(5.0), f"no CONNACK over ws: {outcome}"
            _publish_qos1(client, topic, payload)
            message = subscriber.wait_for(timeout=5.0)
        finally:
            client.disconnect()
            client.loop_stop()
    assert message.topic == topic
    assert message.payload == payload
    assert message.qos == 1
    assert message.retain is False


def test_qos1_publish_over_tcp_reaches_a_tcp_subscriber(broker):
    topic = "/liwaisi/test/tcp"
    with RegistrationSubscriber(broker.mqtt_port, topic=topic) as subscriber:
        client = mqtt.Client(callback_api_version=mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
        client.connect("127.0.0.1", broker.mqtt_port)
        client.loop_start()
        try:
            _publish_qos1(client, topic, b"hello")
            message = subscriber.wait_for(timeout=5.0)
        finally:
            client.disconnect()
            client.loop_stop()
    assert (message.payload, message.qos) == (b"hello", 1)


def test_broker_reports_the_client_id_of_a_websocket_client(broker):
    client, connected, outcome = _ws_client(broker.ws_port, "/mqtt", "ESP32_DDEEFF")
    client.loop_start()
    try:
        assert connected.wait(5.0), f"no CONNACK over ws: {outcome}"
        assert "ESP32_DDEEFF" in broker.mqtt_client_ids()
    finally:
        client.disconnect()
        client.loop_stop()


def test_nats_refuses_mqtt_over_websocket_without_the_mqtt_path(tmp_path):
    with NatsBroker(tmp_path / "nats") as nats:
        client, connected, outcome = _ws_client(nats.ws_port, "/", "ESP32_WRONGP")
        client.loop_start()
        try:
            assert not connected.wait(3.0), "NATS accepted MQTT on ws path '/'"
            assert "ESP32_WRONGP" not in nats.mqtt_client_ids()
        finally:
            client.disconnect()
            client.loop_stop()


def test_nats_store_is_a_fresh_directory_under_the_workdir(tmp_path):
    with NatsBroker(tmp_path / "nats") as nats:
        assert nats.store_dir.is_dir()
        assert tmp_path in nats.store_dir.parents
        assert nats.log_path.exists()


def test_mosquitto_logs_to_its_log_file(tmp_path):
    with MosquittoBroker(tmp_path / "mosq") as mosq:
        pass
    assert "mosquitto version" in mosq.log_path.read_text()


def test_free_port_never_repeats_a_port_it_handed_out():
    ports = [free_port() for _ in range(200)]
    assert len(set(ports)) == len(ports)


def _bind_error(port: int, reuse_address: bool) -> int:
    """0 when another socket can bind 127.0.0.1:port now, else the errno."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
        if reuse_address:
            other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            other.bind(("127.0.0.1", port))
        except OSError as exc:
            return exc.errno
        return 0


def _connect_error(port: int) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client:
        client.settimeout(2.0)
        return client.connect_ex(("127.0.0.1", port))


def test_a_reserved_closed_port_refuses_connections_at_once():
    with reserve_closed_port() as port:
        assert _connect_error(port) == errno.ECONNREFUSED


@pytest.mark.parametrize("reuse_address", [False, True], ids=["plain", "so-reuseaddr"])
def test_no_other_socket_can_bind_a_reserved_closed_port(reuse_address):
    with reserve_closed_port() as port:
        assert _bind_error(port, reuse_address) == errno.EADDRINUSE


def test_a_reserved_closed_port_is_free_again_after_the_block():
    with reserve_closed_port() as port:
        pass
    assert _bind_error(port, reuse_address=False) == 0


def test_reserved_ports_are_never_handed_out_again():
    with reserve_closed_port() as first, reserve_closed_port() as second:
        later = {free_port() for _ in range(50)}
    assert first != second
    assert not {first, second} & later


@pytest.mark.parametrize("kind", sorted(BROKERS))
def test_a_broker_holds_its_ports_closed_until_it_starts(kind, tmp_path):
    broker = BROKERS[kind](tmp_path / kind)
    try:
        for port in (broker.mqtt_port, broker.ws_port):
            assert _connect_error(port) == errno.ECONNREFUSED
            assert _bind_error(port, reuse_address=True) == errno.EADDRINUSE
        broker.start()
        assert port_accepts(broker.mqtt_port) and port_accepts(broker.ws_port)
    finally:
        broker.stop()


@pytest.mark.parametrize("kind", sorted(BROKERS))
def test_stop_of_a_broker_never_started_releases_its_ports(kind, tmp_path):
    broker = BROKERS[kind](tmp_path / kind)
    assert broker.stop() is None
    assert _bind_error(broker.ws_port, reuse_address=False) == 0


# --- faults: kill, freeze, refuse, a password file ----------------------------------------------------


def _ws_connack(port: int, client_id: str, timeout_s: float = 5.0) -> list:
    """The CONNACK outcome(s) of a WebSocket MQTT client that tries once."""
    client, connected, outcome = _ws_client(port, "/mqtt", client_id)
    client.loop_start()
    try:
        deadline = timeout_s
        while not outcome and deadline > 0:
            connected.wait(0.1)
            deadline -= 0.1
    finally:
        client.disconnect()
        client.loop_stop()
    return outcome


def test_kill_ends_the_broker_at_once_and_start_brings_it_back(broker):
    assert broker.kill() == -9
    assert not broker.running
    assert not port_accepts(broker.ws_port)
    broker.start()
    assert port_accepts(broker.ws_port)


def test_a_frozen_broker_completes_tcp_handshakes_but_answers_nothing_until_thawed(broker):
    broker.freeze()
    try:
        with socket.create_connection(("127.0.0.1", broker.tcp_port), timeout=2.0) as frozen:
            frozen.sendall(bytes([0xC0, 0x00]))  # PINGREQ before CONNECT: a live broker closes the connection
            frozen.settimeout(0.5)
            with pytest.raises(TimeoutError):
                frozen.recv(1)
    finally:
        broker.thaw()
    assert _ws_connack(broker.ws_port, "ESP32_0F0F0F")[0].value == 0


def test_stop_of_a_frozen_broker_does_not_wait_for_the_kill(broker):
    broker.freeze()
    assert broker.stop(timeout_s=5.0) is not None
    assert not broker.running


def test_refuse_holds_the_ports_refusing_until_the_next_start(broker):
    broker.refuse()
    for port in (broker.tcp_port, broker.ws_port):
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) == errno.ECONNREFUSED
    broker.start()
    assert port_accepts(broker.ws_port)


def test_mosquitto_with_a_password_file_refuses_anonymous_clients_with_code_5(tmp_path):
    broker = MosquittoBroker(tmp_path / "mosquitto")
    broker.require_password("riego", "s3cret")
    broker.start()
    try:
        assert [code.value for code in _ws_connack(broker.ws_port, "ESP32_0E0E0E")] == [0x87]  # MQTT 5 name of 5
        broker.allow_anyone()
        broker.restart()
        assert _ws_connack(broker.ws_port, "ESP32_0E0E0E")[0].value == 0
    finally:
        broker.stop()
