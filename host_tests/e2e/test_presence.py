"""Presence: the device's retained status topic says online after each registration and offline when it goes.

Topic /liwaisi/iot/smart-irrigation/device/<12 hex digits>/status, payload
{"mac_address":"AA:BB:CC:DD:EE:FF","status":"online|offline","ip_address":"A.B.C.D"}, QoS 1, retained:
- `online` once the registration's PUBACK has arrived;
- `offline` published by the device on a clean stop (SIGTERM: `presence` offline, `shut_down`, `exit`);
- `offline` as the last will, published by the broker when the connection ends without a DISCONNECT: at
  once when the process dies (kill -9: the kernel closes its socket), after the keepalive when the device
  goes silent with its connection open (a frozen process);
- nothing with `--status-topic ""`.
A live subscriber gets each message with retain 0 (MQTT 3.1.1 forwards retain only to new subscriptions);
a subscriber that connects later gets the last one with retain 1. Both brokers behave the same; their will
timing differs (measured in the frozen-device test's bound). The registration is unchanged by all this.
"""

import os
import signal
import time

from irrigation_tools.contract import STATUS_TOPIC_FILTER, TOPIC

from e2e_support import (
    DEFAULT_STATUS_TOPIC,
    EVENT_TIMEOUT_S,
    REGISTER_TIMEOUT_S,
    accepted,
    expected_registration,
    is_status,
    presence,
)

# The frozen-device case: NATS 2.9.10 closes a silent MQTT connection after int(1.5 x keepalive) s;
# Mosquitto 2.0.11 after more than 1.5 x keepalive, checked only every ~6 s (its keepalive check runs
# when 5 s have passed since the last one): up to about 1.5 x keepalive + 6 s.
KEEPALIVE_S = 1
WILL_AFTER_FREEZE_MAX_S = 1.5 * KEEPALIVE_S + 6 + 3  # + 3 s for a loaded machine


def registered_with_presence(broker, subscribe, simulator, **options):
    """A simulator registered on `broker`, with a live subscriber on its status topic that got `online`."""
    live = subscribe(broker, topic=DEFAULT_STATUS_TOPIC)
    sim = simulator(broker.ws_uri, **options)
    sim.wait_event("registered", timeout=REGISTER_TIMEOUT_S)
    presence(live.wait_for(is_status("online"), timeout=REGISTER_TIMEOUT_S), "online")
    return sim, live


def test_online_is_published_retained_after_the_registration_which_is_unchanged(broker, subscribe, simulator):
    registrations = subscribe(broker)
    live = subscribe(broker, topic=DEFAULT_STATUS_TOPIC)
    sim = simulator(broker.ws_uri)
    registered = sim.wait_event("registered", timeout=REGISTER_TIMEOUT_S)
    announced = sim.wait_event("presence", timeout=EVENT_TIMEOUT_S)
    assert (announced["status"], announced["topic"]) == ("online", DEFAULT_STATUS_TOPIC)
    assert sim.all_events().index(registered) < sim.all_events().index(announced), "online after the PUBACK"
    message = presence(live.wait_for(timeout=REGISTER_TIMEOUT_S), "online")
    assert (message.topic, message.qos, message.retain) == (DEFAULT_STATUS_TOPIC, 1, False)
    # Retained: a subscriber that comes afterwards is given it at once, flagged retained.
    late = subscribe(broker, topic=DEFAULT_STATUS_TOPIC)
    kept = presence(late.wait_for(timeout=EVENT_TIMEOUT_S), "online")
    assert kept.retain is True
    # The registration: same topic and payload as without presence, still accepted by the consumer.
    registration = registrations.wait_for(timeout=REGISTER_TIMEOUT_S)
    assert registration.topic == TOPIC and registration.retain is False
    assert accepted(registration) == expected_registration()


def test_a_clean_stop_publishes_offline_then_shuts_down(broker, subscribe, simulator):
    sim, live = registered_with_presence(broker, subscribe, simulator)
    received = live.count()
    os.kill(sim.pid, signal.SIGTERM)
    assert sim.wait_exit(timeout=EVENT_TIMEOUT_S) == 0
    names = [e["event"] for e in sim.all_events()]
    offline = [e for e in sim.events("presence") if e["status"] == "offline"]
    assert len(offline) == 1 and offline[0]["topic"] == DEFAULT_STATUS_TOPIC
    assert names.index("shut_down") > sim.all_events().index(offline[0])
    assert names[-1] == "exit" and sim.events("exit")[0]["code"] == 0
    presence(live.wait_for(since=received, timeout=EVENT_TIMEOUT_S), "offline")
    late = subscribe(broker, topic=DEFAULT_STATUS_TOPIC)
    assert presence(late.wait_for(timeout=EVENT_TIMEOUT_S), "offline").retain is True
    # A clean DISCONNECT discards the will: offline arrived once, from the device.
    time.sleep(0.3)
    assert [m.payload for m in live.messages()[received:]] == [live.messages()[received].payload]


def test_a_killed_device_gets_its_will_offline_published_by_the_broker(broker, subscribe, simulator):
    sim, live = registered_with_presence(broker, subscribe, simulator, extra=("--keepalive", str(KEEPALIVE_S)))
    received = live.count()
    os.kill(sim.pid, signal.SIGKILL)
    # The kernel closes the dead process's socket: the broker sees the connection end without a DISCONNECT
    # and publishes the will at once, without waiting for the keepalive.
    will = presence(live.wait_for(since=received, timeout=EVENT_TIMEOUT_S), "offline")
    assert will.qos == 1
    assert [e for e in sim.events("presence") if e["status"] == "offline"] == []  # not the device's own
    late = subscribe(broker, topic=DEFAULT_STATUS_TOPIC)
    assert presence(late.wait_for(timeout=EVENT_TIMEOUT_S), "offline").retain is True


def test_a_frozen_device_is_declared_offline_after_the_keepalive(broker, subscribe, simulator):
    sim, live = registered_with_presence(broker, subscribe, simulator, extra=("--keepalive", str(KEEPALIVE_S)))
    received = live.count()
    os.kill(sim.pid, signal.SIGSTOP)  # silent, its connection open: only the keepalive can tell
    try:
        frozen_at = time.monotonic()
        will = presence(live.wait_for(since=received, timeout=WILL_AFTER_FREEZE_MAX_S), "offline")
        assert will.received_at - frozen_at < WILL_AFTER_FREEZE_MAX_S
        assert sim.running, "the process is alive (stopped): the will came from the keepalive"
    finally:
        os.kill(sim.pid, signal.SIGKILL)  # a stopped process would hold the fixture's teardown up


def test_an_empty_status_topic_publishes_no_presence_and_sets_no_will(broker, subscribe, simulator):
    watcher = subscribe(broker, topic=STATUS_TOPIC_FILTER)
    registrations = subscribe(broker)
    sim = simulator(broker.ws_uri, extra=("--status-topic", ""))
    sim.wait_event("registered", timeout=REGISTER_TIMEOUT_S)
    assert accepted(registrations.wait_for(timeout=REGISTER_TIMEOUT_S)) == expected_registration()
    os.kill(sim.pid, signal.SIGKILL)  # a will would be published now
    sim.wait_exit(timeout=EVENT_TIMEOUT_S)
    time.sleep(0.5)
    assert sim.events("presence") == []
    assert watcher.messages() == []
