"""Faults after registration: broker restart, a cut connection, an IP change, the network going away.

In every case the device ends up registered again, with the IP address it has now.
"""

import time

from e2e_support import (
    DEFAULT_CLIENT_ID,
    DEFAULT_IP,
    DEFAULT_MAC,
    EVENT_TIMEOUT_S,
    REGISTER_TIMEOUT_S,
    RESTART_RETRY_MAX_MS,
    RESTART_WAIT_TIMEOUT_S,
    RETRY_MAX_MS,
    accepted,
    events_since,
    payload_ip,
    status,
    wait_fresh_retry,
    wait_status,
    wait_until,
    whoami,
)


def registered_sim(broker, subscriber, simulator, **options):
    sim = simulator(broker.ws_uri, **options)
    sim.wait_event("registered", timeout=REGISTER_TIMEOUT_S)
    subscriber.wait_for(timeout=REGISTER_TIMEOUT_S)
    return sim


def test_broker_restart_reconnects_and_registers_with_the_current_ip(broker, subscribe, simulator):
    first = subscribe(broker)
    sim = registered_sim(broker, first, simulator, retry_max_ms=RESTART_RETRY_MAX_MS)
    first.stop()
    mark = sim.mark()
    broker.stop()
    sim.wait_event("retry_scheduled", since=mark, timeout=EVENT_TIMEOUT_S)
    sim.send("ip 10.0.0.9")  # the address changes while the broker is away
    # Restart inside a wait at the 3 s cap: the new subscriber is listening long before the next attempt,
    # however slowly the broker starts.
    wait_fresh_retry(sim, RESTART_RETRY_MAX_MS, timeout=RESTART_WAIT_TIMEOUT_S)
    restart = sim.mark()
    broker.start()  # same ports (and, for NATS, the same JetStream store)
    second = subscribe(broker)
    listening_at = time.monotonic()
    registered = sim.wait_event("registered", since=mark, timeout=REGISTER_TIMEOUT_S)
    assert registered["ip"] == "10.0.0.9"
    succeeded = events_since(sim, "connect_attempt", restart)[0]
    assert succeeded["_received"] > listening_at, (
        f"test setup: restarting the broker and subscribing took longer than the {RESTART_RETRY_MAX_MS} ms wait"
    )
    message = second.wait_for(payload_ip("10.0.0.9"), timeout=REGISTER_TIMEOUT_S)
    assert accepted(message)["ip_address"] == "10.0.0.9"
    assert events_since(sim, "connect_attempt", mark)


def test_cut_connection_reconnects_and_registers_again(broker, subscribe, simulator, ss_kill):
    subscriber = subscribe(broker)  # over TCP: the cut below only hits the device's WebSocket connection
    sim = registered_sim(broker, subscriber, simulator)
    mark, received = sim.mark(), subscriber.count()
    ss_kill(broker.ws_port)
    sim.wait_event("retry_scheduled", since=mark, timeout=EVENT_TIMEOUT_S)
    sim.wait_event("connect_attempt", since=mark, timeout=EVENT_TIMEOUT_S)
    registered = sim.wait_event("registered", since=mark, timeout=REGISTER_TIMEOUT_S)
    assert registered["ip"] == DEFAULT_IP
    message = subscriber.wait_for(since=received, timeout=REGISTER_TIMEOUT_S)
    assert accepted(message)["ip_address"] == DEFAULT_IP
    wait_status(sim, lambda d: d["registrations"] == 2, what="/status counts two registrations")


def test_ip_change_while_connected_reconnects_at_once_and_registers_the_new_ip(nats, subscriber, simulator):
    # Sockets bound to the old address are dead on the device (lwIP aborts them): the session is rebuilt at
    # once, without a failure counted and without a wait of the retry schedule.
    sim = registered_sim(nats, subscriber, simulator)
    mark, received = sim.mark(), subscriber.count()
    sim.send("ip 10.0.0.7")
    registered = sim.wait_event("registered", lambda e: e["ip"] == "10.0.0.7", since=mark, timeout=EVENT_TIMEOUT_S)
    message = subscriber.wait_for(since=received, timeout=REGISTER_TIMEOUT_S)
    document = accepted(message)
    assert document["ip_address"] == registered["ip"] == "10.0.0.7"
    attempts = events_since(sim, "connect_attempt", mark)
    assert len(attempts) == 1
    assert attempts[0]["t_ms"] - sim.all_events()[mark]["t_ms"] < 2000
    assert events_since(sim, "retry_scheduled", mark) == []
    assert whoami(sim)["ip_address"] == "10.0.0.7"


def test_network_down_stops_attempts_until_network_up_then_registers(nats, subscriber, simulator):
    sim = registered_sim(nats, subscriber, simulator)
    mark = sim.mark()
    sim.send("network down")
    sim.wait_event("network", lambda e: e["up"] is False, since=mark, timeout=EVENT_TIMEOUT_S)
    wait_until(lambda: DEFAULT_CLIENT_ID not in nats.mqtt_client_ids(), what="the broker sees the disconnect")
    time.sleep(2 * RETRY_MAX_MS / 1000)  # longer than any retry delay: an attempt would have happened
    assert events_since(sim, "connect_attempt", mark) == []
    assert status(sim)["state"] == "waiting"
    assert whoami(sim)["mac_address"] == DEFAULT_MAC  # still serving HTTP (no station IP while down)
    mark, received = sim.mark(), subscriber.count()
    sim.send("network up")
    sim.wait_event("connect_attempt", since=mark, timeout=EVENT_TIMEOUT_S)
    registered = sim.wait_event("registered", since=mark, timeout=REGISTER_TIMEOUT_S)
    assert registered["ip"] == DEFAULT_IP
    accepted(subscriber.wait_for(since=received, timeout=REGISTER_TIMEOUT_S))


def test_network_up_with_a_new_ip_registers_that_ip(nats, subscriber, simulator):
    sim = registered_sim(nats, subscriber, simulator)
    mark = sim.mark()
    sim.send("network down")
    sim.wait_event("network", lambda e: e["up"] is False, since=mark, timeout=EVENT_TIMEOUT_S)
    sim.send("ip 10.0.0.42")
    mark, received = sim.mark(), subscriber.count()
    sim.send("network up")
    registered = sim.wait_event("registered", since=mark, timeout=REGISTER_TIMEOUT_S)
    assert registered["ip"] == "10.0.0.42"
    assert accepted(subscriber.wait_for(since=received, timeout=REGISTER_TIMEOUT_S))["ip_address"] == "10.0.0.42"
