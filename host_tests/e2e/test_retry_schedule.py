"""Broker down at start: attempts follow the configured schedule, and the device registers once it is up.

The schedule is scaled down by options (--retry-initial-ms 100 --retry-max-ms 800): 100, 200, 400, 800, 800.
Delays are checked twice: as the simulator announces them (retry_scheduled) and as they happen (the
t_ms of consecutive connect_attempt events). An attempt is never early: that bound is exact. How late it
may be is bounded generously (SCHEDULE_LATENESS_MAX_MS), so a slow or loaded machine cannot fail the test;
a wrong delay (the next step of the schedule, or none) is still caught by the announced delays.
"""

import time

from e2e_support import (
    REGISTER_TIMEOUT_S,
    RESTART_RETRY_MAX_MS,
    RESTART_WAIT_TIMEOUT_S,
    RETRY_INITIAL_MS,
    SCALED_SCHEDULE_MS,
    SCHEDULE_LATENESS_MAX_MS,
    accepted,
    wait_fresh_retry,
)

ATTEMPTS = len(SCALED_SCHEDULE_MS) + 1
SCHEDULE_TIMEOUT_S = sum(SCALED_SCHEDULE_MS) / 1000 + 10


def test_retry_delays_announced_follow_the_scaled_schedule(absent_broker_uri, simulator):
    sim = simulator(absent_broker_uri)
    sim.wait_event("retry_scheduled", lambda e: e["failures"] >= len(SCALED_SCHEDULE_MS), timeout=SCHEDULE_TIMEOUT_S)
    scheduled = sim.events("retry_scheduled")[: len(SCALED_SCHEDULE_MS)]
    assert [e["delay_ms"] for e in scheduled] == SCALED_SCHEDULE_MS
    assert [e["failures"] for e in scheduled] == list(range(1, len(SCALED_SCHEDULE_MS) + 1))


def test_connect_attempts_happen_after_each_scheduled_delay(absent_broker_uri, simulator):
    sim = simulator(absent_broker_uri)
    timeout = SCHEDULE_TIMEOUT_S + ATTEMPTS * SCHEDULE_LATENESS_MAX_MS / 1000
    sim.wait_event("connect_attempt", lambda e: e["attempt"] >= ATTEMPTS, timeout=timeout)
    attempts = sim.events("connect_attempt")[:ATTEMPTS]
    scheduled = sim.events("retry_scheduled")[: ATTEMPTS - 1]
    assert [e["attempt"] for e in attempts] == list(range(1, ATTEMPTS + 1))
    # Between two attempts: the failed attempt's detection (retry_scheduled comes when the client reports the
    # failure; Paho takes 0-300 ms for a refused loopback connect) and then the delay.
    gaps = [later["t_ms"] - earlier["t_ms"] for earlier, later in zip(attempts, attempts[1:])]
    detection = [retry["t_ms"] - attempt["t_ms"] for attempt, retry in zip(attempts, scheduled)]
    lateness = [later["t_ms"] - retry["t_ms"] - delay
                for retry, later, delay in zip(scheduled, attempts[1:], SCALED_SCHEDULE_MS)]
    figures = f"gaps {gaps}, detection {detection}, timer lateness {lateness}, schedule {SCALED_SCHEDULE_MS}"
    for gap, delay, detected in zip(gaps, SCALED_SCHEDULE_MS, detection):
        assert gap >= delay, f"an attempt came early: {figures}"
        assert gap < detected + delay + SCHEDULE_LATENESS_MAX_MS, figures
    # Never early; -1 ms only because t_ms is truncated and the timer is armed just before its
    # retry_scheduled line is written.
    assert all(late >= -1 for late in lateness), f"an attempt came before its delay: {figures}"
    assert all(late < SCHEDULE_LATENESS_MAX_MS for late in lateness), figures


def test_the_delay_stays_at_the_cap(absent_broker_uri, simulator):
    sim = simulator(absent_broker_uri)
    sim.wait_event("retry_scheduled", lambda e: e["failures"] >= 7, timeout=SCHEDULE_TIMEOUT_S + 5)
    assert [e["delay_ms"] for e in sim.events("retry_scheduled")[4:7]] == [800, 800, 800]


def test_registers_once_the_broker_comes_up(make_broker, subscribe, simulator):
    nats = make_broker("nats", start=False)  # its ports are held (refusing connections) until it starts
    sim = simulator(nats.ws_uri, retry_max_ms=RESTART_RETRY_MAX_MS)
    # Start the broker and the subscriber inside a wait at the 3 s cap, so the subscriber is listening before
    # the attempt that succeeds, however slowly the broker starts.
    wait_fresh_retry(sim, RESTART_RETRY_MAX_MS, timeout=RESTART_WAIT_TIMEOUT_S)
    mark = sim.mark()
    nats.start()
    subscriber = subscribe(nats)
    listening_at = time.monotonic()
    registered = sim.wait_event("registered", since=mark, timeout=REGISTER_TIMEOUT_S)
    succeeded = [e for e in sim.all_events()[mark:] if e["event"] == "connect_attempt"][0]
    assert succeeded["_received"] > listening_at, (
        f"test setup: starting the broker and subscribing took longer than the {RESTART_RETRY_MAX_MS} ms wait"
    )
    message = subscriber.wait_for(timeout=REGISTER_TIMEOUT_S)
    assert accepted(message)["ip_address"] == registered["ip"]
    # A successful connect resets the schedule: the next failure waits the initial delay again.
    mark = sim.mark()
    nats.stop()
    next_retry = sim.wait_event("retry_scheduled", since=mark, timeout=REGISTER_TIMEOUT_S)
    assert next_retry["delay_ms"] == RETRY_INITIAL_MS
