"""Broker down at start: attempts follow the configured schedule, and the device registers once it is up.

The schedule is scaled down by options (--retry-initial-ms 100 --retry-max-ms 800): 100, 200, 400, 800, 800.
Delays are checked twice: as the simulator announces them (retry_scheduled) and as they happen (the
t_ms of consecutive connect_attempt events: never early, and late by at most the tolerance once the time
the client took to report the failure is counted).
"""

import time

from e2e_support import (
    REGISTER_TIMEOUT_S,
    SCALED_SCHEDULE_MS,
    SCHEDULE_TOLERANCE_MS,
    accepted,
    wait_fresh_retry,
)

ATTEMPTS = len(SCALED_SCHEDULE_MS) + 1
SCHEDULE_TIMEOUT_S = sum(SCALED_SCHEDULE_MS) / 1000 + 10


def test_retry_delays_announced_follow_the_scaled_schedule(make_broker, simulator):
    absent = make_broker("nats", start=False)
    sim = simulator(absent.ws_uri)
    sim.wait_event("retry_scheduled", lambda e: e["failures"] >= len(SCALED_SCHEDULE_MS), timeout=SCHEDULE_TIMEOUT_S)
    scheduled = sim.events("retry_scheduled")[: len(SCALED_SCHEDULE_MS)]
    assert [e["delay_ms"] for e in scheduled] == SCALED_SCHEDULE_MS
    assert [e["failures"] for e in scheduled] == list(range(1, len(SCALED_SCHEDULE_MS) + 1))


def test_connect_attempts_happen_after_each_scheduled_delay(make_broker, simulator):
    absent = make_broker("nats", start=False)
    sim = simulator(absent.ws_uri)
    sim.wait_event("connect_attempt", lambda e: e["attempt"] >= ATTEMPTS, timeout=SCHEDULE_TIMEOUT_S)
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
        assert gap < detected + delay + SCHEDULE_TOLERANCE_MS, figures
    # -1 ms: t_ms is truncated, and the timer is armed just before its retry_scheduled line is written.
    assert all(-1 <= late < SCHEDULE_TOLERANCE_MS for late in lateness), figures


def test_the_delay_stays_at_the_cap(make_broker, simulator):
    absent = make_broker("nats", start=False)
    sim = simulator(absent.ws_uri)
    sim.wait_event("retry_scheduled", lambda e: e["failures"] >= 7, timeout=SCHEDULE_TIMEOUT_S + 2)
    assert [e["delay_ms"] for e in sim.events("retry_scheduled")[4:7]] == [800, 800, 800]


def test_registers_once_the_broker_comes_up(make_broker, subscribe, simulator):
    nats = make_broker("nats", start=False)
    sim = simulator(nats.ws_uri)
    # Start the broker and the subscriber inside an 800 ms wait, so the subscriber is listening before the
    # attempt that succeeds.
    wait_fresh_retry(sim, 800, timeout=SCHEDULE_TIMEOUT_S)
    mark = sim.mark()
    nats.start()
    subscriber = subscribe(nats)
    listening_at = time.monotonic()
    registered = sim.wait_event("registered", since=mark, timeout=REGISTER_TIMEOUT_S)
    succeeded = [e for e in sim.all_events()[mark:] if e["event"] == "connect_attempt"][0]
    assert succeeded["_received"] > listening_at, "test setup: the broker took longer to start than the wait"
    message = subscriber.wait_for(timeout=REGISTER_TIMEOUT_S)
    assert accepted(message)["ip_address"] == registered["ip"]
    # A successful connect resets the schedule: the next failure waits the initial delay again.
    mark = sim.mark()
    nats.stop()
    next_retry = sim.wait_event("retry_scheduled", since=mark, timeout=REGISTER_TIMEOUT_S)
    assert next_retry["delay_ms"] == SCALED_SCHEDULE_MS[0]
