"""The WebSocket path: NATS speaks MQTT only on /mqtt; a wrong path is a clear error, retried, HTTP unharmed.

The broker URI value object (domain/broker_uri.h) applies the configured path (default /mqtt) when the URI
has none or only "/", the path ESP-MQTT would otherwise send; any other explicit path is used as given.
"""

import json

from e2e_support import DEFAULT_MAC, EVENT_TIMEOUT_S, REGISTER_TIMEOUT_S, accepted, whoami


def names_the_path_fix(message: str) -> bool:
    """The application's hint, not the generic "mqtt error: protocol (code N)": it says the path is the
    likely cause and which path NATS needs."""
    return "path" in message.lower() and "/mqtt" in message


def test_a_wrong_path_on_nats_is_reported_and_retried_while_http_answers(nats, subscriber, simulator):
    wrong = nats.ws_uri_no_path + "/ws"
    sim = simulator(wrong)
    assert sim.wait_event("started")["broker"] == wrong
    sim.wait_event("retry_scheduled", lambda e: e["failures"] >= 3, timeout=EVENT_TIMEOUT_S)
    assert sim.running
    assert sim.events("registered") == []
    assert subscriber.count() == 0
    errors = [n["message"] for n in sim.events("notice") if n["level"] == "error"]
    hints = [message for message in errors if names_the_path_fix(message)]
    assert hints, json.dumps([(n["level"], n["message"]) for n in sim.events("notice")], ensure_ascii=False)
    assert wrong in hints[0], "the hint names the URI that was tried"
    assert whoami(sim)["mac_address"] == DEFAULT_MAC
    # Still retrying afterwards.
    mark = sim.mark()
    sim.wait_event("retry_scheduled", since=mark, timeout=EVENT_TIMEOUT_S)
    assert sim.running


def test_a_root_path_gets_the_mqtt_path_and_registers_on_nats(nats, subscriber, simulator):
    sim = simulator(nats.ws_uri_no_path + "/")
    assert sim.wait_event("started")["broker"] == nats.ws_uri
    sim.wait_event("registered", timeout=REGISTER_TIMEOUT_S)
    accepted(subscriber.wait_for(timeout=REGISTER_TIMEOUT_S))


def test_the_ws_path_option_is_applied_when_the_uri_has_no_path(nats, subscriber, simulator):
    sim = simulator(nats.ws_uri_no_path, extra=("--ws-path", "/mqtt/device"))
    assert sim.wait_event("started")["broker"] == nats.ws_uri_no_path + "/mqtt/device"
    sim.wait_event("registered", timeout=REGISTER_TIMEOUT_S)
    accepted(subscriber.wait_for(timeout=REGISTER_TIMEOUT_S))
