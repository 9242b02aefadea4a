"""Broker failover across a local 3-node NATS cluster (the production broker clusters).

Three nats-server processes on 127.0.0.1 with routes to one another, each with MQTT, MQTT over WebSocket and
JetStream (own store); the MQTT streams are replicated on all three (brokers.NatsCluster). The device gets
the three WebSocket URIs as its broker list (--broker repeated). When its broker dies it moves to the next
URI of the list after the quick reconnect delay (500 ms) instead of waiting out the retry schedule: only a
full round of the list without success counts as one failure of the schedule.

NATS 2.9 stores every MQTT QoS 1 message and session in JetStream, so a node that leads one of those streams
takes MQTT down on every node when it dies, until the survivors elect a new leader (5-8 s measured here: the
PUBLISH is accepted but no PUBACK comes, and NATS closes the connection after 4 s). The first test moves
those leaders off node 1 before killing it: the device's own failover, nothing else. The second kills the
leader of the message stream: registration timeouts move the device along the list, and it registers once
the stream has a leader again.
"""

import time

import pytest

from irrigation_tools.brokers import NatsCluster
from irrigation_tools.contract import RegistrationSubscriber

from e2e_support import (
    REGISTER_TIMEOUT_S,
    accepted,
    broker_list_args,
    events_since,
    expected_registration,
    wait_status,
)

# The scaled retry schedule starts here: failing over must take far less than this wait.
RETRY_INTERVAL_MS = 5000
# The leader-crash case: each attempt gives up after this, and a full round waits this retry interval.
REGISTRATION_TIMEOUT_MS = 2000
LEADER_CRASH_RETRY_MS = 1000
# A leader election of NATS 2.9 plus a round of the list and one retry wait, with room for a loaded machine.
LEADER_CRASH_REGISTER_S = 40.0
# The subscriber's QoS 1 consumer may have had its leader on the dead node too: delivery waits for its
# election.
DELIVERY_AFTER_FAILOVER_S = 30.0


@pytest.fixture
def cluster(tmp_path):
    nodes = NatsCluster(tmp_path / "cluster").start()
    yield nodes
    nodes.stop()


@pytest.fixture
def node3_subscriber(cluster):
    subscriber = RegistrationSubscriber(cluster.node(2).mqtt_port).start()
    yield subscriber
    subscriber.stop()


def cluster_device(cluster, simulator, retry_ms: int = RETRY_INTERVAL_MS, extra: tuple = ()):
    """A simulator with the cluster's three URIs as its broker list (node 1 first)."""
    uris = cluster.ws_uris
    options = ("--retry-initial-ms", str(retry_ms), *broker_list_args(uris[1:]), *extra)
    return simulator(uris[0], retry_max_ms=4 * retry_ms, extra=options)


def test_node_1_killed_the_device_registers_through_node_2_and_node_3_sees_both(
    cluster, node3_subscriber, simulator
):
    uris = cluster.ws_uris
    sim = cluster_device(cluster, simulator)
    sim.wait_event("registered", timeout=REGISTER_TIMEOUT_S)
    first_attempts = sim.events("connect_attempt")
    assert [(e["broker"], e["uri"]) for e in first_attempts] == [(0, uris[0])]
    first = node3_subscriber.wait_for(timeout=REGISTER_TIMEOUT_S)
    assert accepted(first) == expected_registration()

    cluster.move_leaders_off(0)
    mark, received = sim.mark(), node3_subscriber.count()
    killed_at = time.monotonic()
    cluster.kill(0)

    registered = sim.wait_event("registered", since=mark, timeout=REGISTER_TIMEOUT_S)
    attempts = events_since(sim, "connect_attempt", mark)
    assert [(e["broker"], e["uri"]) for e in attempts] == [(1, uris[1])], "straight to node 2"
    assert events_since(sim, "retry_scheduled", mark) == [], "no wait of the retry schedule"
    assert registered["_received"] - killed_at < RETRY_INTERVAL_MS / 1000, "within one retry interval"
    wait_status(sim, lambda d: d["broker_uri"] == uris[1], what="/status names node 2 as the broker in use")

    second = node3_subscriber.wait_for(since=received, timeout=DELIVERY_AFTER_FAILOVER_S)
    assert accepted(second) == expected_registration()
    assert second.payload == first.payload


def test_the_crash_of_the_node_leading_the_message_stream_is_bridged_by_the_registration_timeout(
    cluster, node3_subscriber, simulator
):
    sim = cluster_device(
        cluster, simulator, LEADER_CRASH_RETRY_MS, extra=("--registration-timeout-ms", str(REGISTRATION_TIMEOUT_MS))
    )
    sim.wait_event("registered", timeout=REGISTER_TIMEOUT_S)
    node3_subscriber.wait_for(timeout=REGISTER_TIMEOUT_S)
    # $MQTT_msgs holds every QoS 1 message: no PUBACK anywhere in the cluster while it has no leader.
    cluster.move_stream_leader_onto(0, "$MQTT_msgs")
    mark, received = sim.mark(), node3_subscriber.count()
    killed_at = time.monotonic()
    cluster.kill(0)

    registered = sim.wait_event("registered", since=mark, timeout=LEADER_CRASH_REGISTER_S)
    assert registered["_received"] - killed_at < LEADER_CRASH_REGISTER_S
    attempts = events_since(sim, "connect_attempt", mark)
    assert attempts[0]["broker"] == 1 and attempts[-1]["broker"] != 0, [(e["broker"], e["t_ms"]) for e in attempts]
    accepted(node3_subscriber.wait_for(since=received, timeout=DELIVERY_AFTER_FAILOVER_S))
