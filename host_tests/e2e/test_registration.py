"""The registration reaches the broker as the central consumer expects it (NATS first, Mosquitto too)."""

import time

from irrigation_tools.contract import TOPIC
from irrigation_tools.sim_process import run_simulator

from e2e_support import (
    DEFAULT_CLIENT_ID,
    DEFAULT_IP,
    DEFAULT_MAC,
    REGISTER_TIMEOUT_S,
    accepted,
    expected_registration,
    sim_args,
    wait_until,
)

NAME = "Huerta Norte"
LOCATION = "Invernadero 2, Vereda El Roble"


def test_registration_arrives_on_the_topic_at_qos1_and_the_consumer_accepts_it(broker, subscribe, simulator):
    subscriber = subscribe(broker)
    sim = simulator(broker.ws_uri, name=NAME, location=LOCATION)
    registered = sim.wait_event("registered", timeout=REGISTER_TIMEOUT_S)
    message = subscriber.wait_for(timeout=REGISTER_TIMEOUT_S)
    assert message.topic == TOPIC
    assert message.qos == 1  # delivered QoS is min(publish, subscription): the device published at QoS 1
    assert message.retain is False
    assert accepted(message) == expected_registration(name=NAME, location=LOCATION)
    assert registered["ip"] == DEFAULT_IP


def test_exactly_one_registration_per_connect(broker, subscribe, simulator):
    subscriber = subscribe(broker)
    sim = simulator(broker.ws_uri)
    sim.wait_event("registered", timeout=REGISTER_TIMEOUT_S)
    subscriber.wait_for(timeout=REGISTER_TIMEOUT_S)
    time.sleep(0.5)  # a duplicate would be published right away
    assert subscriber.count() == 1
    assert len(sim.events("connect_attempt")) == 1


def test_client_id_is_esp32_and_the_last_three_mac_bytes(broker, subscribe, simulator):
    sim = simulator(broker.ws_uri)
    started = sim.wait_event("started")
    sim.wait_event("registered", timeout=REGISTER_TIMEOUT_S)
    assert started["client_id"] == DEFAULT_CLIENT_ID
    assert started["mac"] == DEFAULT_MAC
    wait_until(lambda: DEFAULT_CLIENT_ID in broker.mqtt_client_ids(), what=f"{DEFAULT_CLIENT_ID} seen by the broker")


def test_payload_bytes_equal_print_registration_with_the_same_options(broker, subscribe, simulator, sim_binary,
                                                                      sim_env, tmp_path):
    subscriber = subscribe(broker)
    sim = simulator(broker.ws_uri, name=NAME, location=LOCATION)
    message = subscriber.wait_for(timeout=REGISTER_TIMEOUT_S)
    sim.stop()
    printed = run_simulator(
        sim_binary,
        sim_args(broker.ws_uri, tmp_path / "print.conf", name=NAME, location=LOCATION)
        + ["--print-registration"],
        env=sim_env,
    )
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.count(b"\n") == 1, "one line"
    assert printed.stdout.rstrip(b"\n") == message.payload


def test_broker_uri_without_a_path_gets_the_mqtt_websocket_path(nats, subscribe, simulator):
    subscriber = subscribe(nats)
    sim = simulator(nats.ws_uri_no_path)
    assert sim.wait_event("started")["broker"] == nats.ws_uri
    sim.wait_event("registered", timeout=REGISTER_TIMEOUT_S)
    accepted(subscriber.wait_for(timeout=REGISTER_TIMEOUT_S))


def test_once_exits_zero_after_the_first_acknowledged_registration(nats, subscribe, simulator):
    subscriber = subscribe(nats)
    sim = simulator(nats.ws_uri, extra=("--once",))
    assert sim.wait_exit(timeout=REGISTER_TIMEOUT_S) == 0
    assert len(sim.events("registered")) == 1
    accepted(subscriber.wait_for(timeout=5.0))
    assert [e["code"] for e in sim.events("exit")] == [0]


def test_once_with_timeout_exits_3_when_the_broker_never_answers(absent_broker_uri, simulator):
    sim = simulator(absent_broker_uri, extra=("--once", "--timeout-s", "1"))
    assert sim.wait_exit(timeout=10.0) == 3
    assert sim.events("registered") == []
