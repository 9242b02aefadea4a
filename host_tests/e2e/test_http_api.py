"""The HTTP API answers whatever MQTT is doing: /whoami is the central server's health check."""

import socket

import pytest

from e2e_support import (
    DEFAULT_IP,
    DEFAULT_LOCATION,
    DEFAULT_MAC,
    DEFAULT_NAME,
    EVENT_TIMEOUT_S,
    REGISTER_TIMEOUT_S,
    status,
    wait_fresh_retry,
    wait_status,
    wait_whoami,
    whoami,
)

IDENTITY = {
    "mac_address": DEFAULT_MAC,
    "device_name": DEFAULT_NAME,
    "ip_address": DEFAULT_IP,
    "location_description": DEFAULT_LOCATION,
}
WHOAMI_FIELDS = set(IDENTITY) | {"firmware_version", "uptime_s", "mqtt_state"}
STATUS_FIELDS = {
    "state",
    "mqtt_enabled",
    "connect_attempts",
    "consecutive_failures",
    "next_retry_ms",
    "registrations",
    "last_registration",
    "pending_msg_id",
    "last_error",
    "free_heap",
    "min_free_heap",
    "uptime_s",
}


def identity(document: dict) -> dict:
    return {key: document[key] for key in IDENTITY}


@pytest.fixture
def silent_server():
    """A port that completes the TCP handshake (kernel backlog) and never answers: a connect that hangs."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield server.getsockname()[1]
    server.close()


def test_whoami_answers_200_with_the_identity_while_a_connect_hangs(silent_server, simulator):
    sim = simulator(f"ws://127.0.0.1:{silent_server}/mqtt")
    sim.wait_event("connect_attempt", timeout=EVENT_TIMEOUT_S)
    wait_status(sim, lambda d: d["state"] == "connecting", what="/status state connecting")
    document = whoami(sim)
    assert set(document) >= WHOAMI_FIELDS
    assert identity(document) == IDENTITY
    assert document["mqtt_state"] == "connecting"


def test_whoami_answers_200_with_the_same_identity_down_connected_and_retrying(make_broker, simulator):
    nats = make_broker("nats", start=False)
    sim = simulator(nats.ws_uri)
    # Broker down: attempts fail and are retried.
    wait_fresh_retry(sim, 0)
    down = whoami(sim)
    assert down["mqtt_state"] in ("connecting", "backoff")
    # Broker up: registered.
    nats.start()
    sim.wait_event("registered", timeout=REGISTER_TIMEOUT_S)
    connected = wait_whoami(sim, lambda d: d["mqtt_state"] == "registered", what="/whoami registered")
    # Broker gone again: retrying.
    mark = sim.mark()
    nats.stop()
    sim.wait_event("retry_scheduled", since=mark, timeout=EVENT_TIMEOUT_S)
    retrying = wait_whoami(sim, lambda d: d["mqtt_state"] in ("connecting", "backoff"), what="/whoami retrying")
    for document in (down, connected, retrying):
        assert set(document) >= WHOAMI_FIELDS
        assert identity(document) == IDENTITY
    assert down["firmware_version"] == connected["firmware_version"] == retrying["firmware_version"]
    assert isinstance(connected["firmware_version"], str) and connected["firmware_version"]


def test_firmware_version_option_is_reported_by_whoami(nats, simulator):
    sim = simulator(nats.ws_uri, extra=("--firmware-version", "9.8.7-test"))
    assert whoami(sim)["firmware_version"] == "9.8.7-test"


def test_ping_answers_pong(nats, simulator):
    sim = simulator(nats.ws_uri)
    assert sim.get("/ping") == (200, "pong")


def test_unknown_path_is_404(nats, simulator):
    sim = simulator(nats.ws_uri)
    assert sim.get("/no-such-route")[0] == 404


def test_status_after_registration_reports_the_registration(nats, simulator):
    sim = simulator(nats.ws_uri)
    sim.wait_event("registered", timeout=REGISTER_TIMEOUT_S)
    document = wait_status(sim, lambda d: d["registrations"] == 1, what="/status shows the registration")
    assert set(document) >= STATUS_FIELDS
    assert document["state"] == "registered"
    assert document["mqtt_enabled"] is True
    assert document["connect_attempts"] == 1
    assert document["consecutive_failures"] == 0
    assert document["registrations"] == 1
    assert document["last_registration"]["ip_address"] == DEFAULT_IP
    assert isinstance(document["last_registration"]["uptime_ms"], int)
    assert document["pending_msg_id"] in (None, -1)  # no registration awaiting its PUBACK
    assert document["last_error"] in (None, "")
    assert document["next_retry_ms"] == 0


def test_status_while_the_broker_is_down_reports_failures_and_no_registration(absent_broker_uri, simulator):
    sim = simulator(absent_broker_uri)
    sim.wait_event("retry_scheduled", lambda e: e["failures"] >= 2, timeout=EVENT_TIMEOUT_S)
    document = status(sim)
    assert set(document) >= STATUS_FIELDS
    assert document["state"] in ("connecting", "backoff")
    assert document["mqtt_enabled"] is True
    assert document["connect_attempts"] >= 2
    assert document["consecutive_failures"] >= 1
    assert document["registrations"] == 0
    assert document["last_registration"] is None


def test_status_command_prints_the_status_fields_as_an_event(nats, simulator):
    sim = simulator(nats.ws_uri)
    sim.wait_event("registered", timeout=REGISTER_TIMEOUT_S)
    wait_status(sim, lambda d: d["state"] == "registered", what="/status registered")
    mark = sim.mark()
    sim.send("status")
    event = sim.wait_event("status", since=mark, timeout=EVENT_TIMEOUT_S)
    assert set(event) >= STATUS_FIELDS
    assert event["state"] == "registered"
