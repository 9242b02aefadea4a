"""The faults of the matrix: how each is injected, seen and removed, once per cycle.

Each scenario is a function (run, env, cycles) -> None driving one case; env holds the case's broker
(a NatsBroker, MosquittoBroker or MqttTestBroker), a subscriber factory and, for the cut, ss_kill. A
scenario raises when the device does not do what a cycle needs within its bound (the run stops there),
and reports contract mismatches that do not stop it (reason texts, rate limiting) as run.problem().
Retry delays, lost registrations and /whoami misses are read afterwards from the event streams
(FaultRun.finish), so the scenarios only drive and wait.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from e2e_support import EVENT_TIMEOUT_S, REGISTER_TIMEOUT_S, payload_ip
from faults import (
    CONFIG_MIN_INTERVAL_MS,
    CONNECT_TIMEOUT_S,
    FREEZE_KEEPALIVE_S,
    REASON_CONNACK,
    REASON_CONNECT_TIMEOUT,
    REASON_NO_PUBACK,
    REASON_REFUSED,
    REASON_UNRESOLVED,
    REASON_WRONG_PATH,
    REGISTRATION_TIMEOUT_MS,
    RETRY_MAX_MS,
    FaultRun,
    post_config,
)
from irrigation_tools.brokers import BrokerError
from irrigation_tools.mqtt_test_broker import Mode

UNRESOLVABLE_URI = "ws://no-such-host.invalid/mqtt"
# Longest wait for the next failure: the longest retry delay, an attempt's own bound, and slack.
FAILURE_TIMEOUT_S = RETRY_MAX_MS / 1000 + REGISTRATION_TIMEOUT_MS / 1000 + EVENT_TIMEOUT_S
IP_BURST = 10
CONFIG_BURST = 5


@dataclass
class Env:
    broker: object
    subscribe: Callable
    ss_kill: Optional[Callable[[int], None]] = None
    extra: dict = field(default_factory=dict)


def wait_failures(sim, at_least: int, since: int, timeout: float = FAILURE_TIMEOUT_S) -> dict:
    """The retry_scheduled event (from since) that counts at least this many consecutive failures."""
    return sim.wait_event("retry_scheduled", lambda e: e["failures"] >= at_least, since=since, timeout=timeout)


def start_again(run: FaultRun, broker, attempts: int = 3) -> None:
    """broker.start(), tried again when its port was taken in the moment it was free (a port-0 bind of
    another process, or a connect whose ephemeral source port is that very port): a fault of the test
    machine, noted in the row, not of the device."""
    for attempt in range(1, attempts + 1):
        try:
            broker.start()
            return
        except BrokerError as exc:
            if "address already in use" not in str(exc) or attempt == attempts:
                raise
            run.note(f"broker start retried: a port was taken while it was free ({attempt}x)")
            time.sleep(0.5)


def registered_sim(run: FaultRun, env: Env, **options):
    sim = run.start_sim([env.broker.ws_uri], **options)
    run.wait_registered(sim, 0)
    return sim


def repeat_cycles(run: FaultRun, sim, cycles: int, inject: Callable[[int], None], heal: Callable[[int], None],
                  failures: int = 1, reason: Optional[Callable[[int], str]] = None,
                  failure_timeout: float = FAILURE_TIMEOUT_S, register_timeout: float = REGISTER_TIMEOUT_S) -> None:
    """The common cycle: inject(cycle), wait for that many consecutive failures, check the reason text,
    heal(cycle), wait until registered again."""
    for cycle in range(cycles):
        mark = sim.mark()
        run.fault_injected(sim, mark)
        inject(cycle)
        wait_failures(sim, failures, mark, timeout=failure_timeout)
        if reason is not None:
            run.check_reason(sim, reason(cycle))
        heal(cycle)
        run.wait_registered(sim, mark, timeout=register_timeout)
        run.cycle_done(sim)


# --- faults of a real broker process ------------------------------------------------------------------


def broker_kill(run: FaultRun, env: Env, cycles: int) -> None:
    """SIGKILL, two failed attempts while it is gone, start again on the same ports: registered again."""
    sim = registered_sim(run, env)
    repeat_cycles(run, sim, cycles, lambda _: env.broker.kill(), lambda _: start_again(run, env.broker), failures=2)


def broker_freeze(run: FaultRun, env: Env, cycles: int) -> None:
    """SIGSTOP until the device has given the connection up (keepalive 1 s) and a keepalive more, attempts
    hanging meanwhile, then SIGCONT. (A run that stops half-way leaves it to stop(), which resumes it.)"""
    sim = registered_sim(run, env, keepalive_s=FREEZE_KEEPALIVE_S)

    def thaw_later(_: int) -> None:
        time.sleep(FREEZE_KEEPALIVE_S)
        env.broker.thaw()

    repeat_cycles(run, sim, cycles, lambda _: env.broker.freeze(), thaw_later,
                  failure_timeout=4 * FREEZE_KEEPALIVE_S + EVENT_TIMEOUT_S,
                  register_timeout=CONNECT_TIMEOUT_S + REGISTER_TIMEOUT_S)


def ss_cut(run: FaultRun, env: Env, cycles: int) -> None:
    """`ss -K` on the device's WebSocket connection: a failure, a retry, registered again."""
    sim = registered_sim(run, env)
    repeat_cycles(run, sim, cycles, lambda _: env.ss_kill(env.broker.ws_port), lambda _: None)


def port_refused(run: FaultRun, env: Env, cycles: int) -> None:
    """The broker stops and its port refuses (ECONNREFUSED) for three attempts, then it listens again."""
    sim = registered_sim(run, env)
    repeat_cycles(run, sim, cycles, lambda _: env.broker.refuse(), lambda _: start_again(run, env.broker),
                  failures=3, reason=lambda _: REASON_REFUSED)


def connack_refused_mosquitto(run: FaultRun, env: Env, cycles: int) -> None:
    """Mosquitto restarted with a password file: the device (no credentials) gets CONNACK 5 until it is
    restarted accepting anonymous clients again."""
    sim = registered_sim(run, env)

    def restart(require_password: bool) -> None:
        if require_password:
            env.broker.require_password("riego", "not-the-device")
        else:
            env.broker.allow_anyone()
        env.broker.stop()
        start_again(run, env.broker)

    repeat_cycles(run, sim, cycles, lambda _: restart(True), lambda _: restart(False), failures=2,
                  reason=lambda _: REASON_CONNACK.format(code=5))


# --- faults of the test broker (tools/irrigation_tools/mqtt_test_broker.py) -------------------------------


def connack_refused(run: FaultRun, env: Env, cycles: int) -> None:
    """CONNACK codes 1..5 in turn, two refused attempts each, then accepted again."""
    sim = registered_sim(run, env)

    def refuse(cycle: int) -> None:
        env.broker.set_mode(Mode.REFUSE, connack_code=1 + cycle % 5)
        env.broker.drop_connections()

    repeat_cycles(run, sim, cycles, refuse, lambda _: env.broker.set_mode(Mode.ACK), failures=2,
                  reason=lambda cycle: REASON_CONNACK.format(code=1 + cycle % 5))


def silent_server(run: FaultRun, env: Env, cycles: int) -> None:
    """The server accepts TCP and never answers: the attempt must end by itself (a timeout) and be retried."""
    sim = registered_sim(run, env)

    def silence(_: int) -> None:
        env.broker.set_mode(Mode.SILENT)
        env.broker.drop_connections()

    repeat_cycles(run, sim, cycles, silence, lambda _: env.broker.set_mode(Mode.ACK), failures=2,
                  reason=lambda _: REASON_CONNECT_TIMEOUT, failure_timeout=CONNECT_TIMEOUT_S + FAILURE_TIMEOUT_S)


def no_puback(run: FaultRun, env: Env, cycles: int) -> None:
    """CONNACK and PINGRESP but never a PUBACK: each session ends at the registration timeout and the
    delays double (the schedule restarts only on a PUBACK); acknowledged again, it registers, and the
    next failure starts the schedule over."""
    sim = registered_sim(run, env)
    start = sim.mark()
    run.fault_injected(sim, start)
    broker = env.broker
    broker.set_mode(Mode.NO_PUBACK)
    packets_before = broker.mark()
    broker.drop_connections()  # failure 1; then one failure per unacknowledged registration
    for cycle in range(cycles):
        wait_failures(sim, cycle + 2, start)
        if cycle == 0:
            run.check_reason(sim, REASON_NO_PUBACK.format(ms=REGISTRATION_TIMEOUT_MS))
        run.cycle_done(sim)
    publishes = broker.packets("publish", since=packets_before)
    connects = broker.packets("connect", since=packets_before)
    run.note(f"while no PUBACK came: {len(connects)} CONNECTs, {len(publishes)} PUBLISHes "
             f"({sum(p.dup for p in publishes)} with DUP)")
    if not publishes:
        run.problem("the test broker received no PUBLISH while it withheld PUBACKs")
    mark = sim.mark()
    broker.set_mode(Mode.ACK)
    run.wait_registered(sim, mark, timeout=RETRY_MAX_MS / 1000 + REGISTER_TIMEOUT_S)
    # Registered: the schedule starts over at the next failure.
    mark = sim.mark()
    broker.drop_connections()
    first = wait_failures(sim, 1, mark)
    if first["failures"] != 1:
        run.problem(f"after a PUBACK the next failure counted {first['failures']}, not 1")
    run.wait_registered(sim, mark)


# --- faults of the configuration: no broker there, or the wrong one -----------------------------------


def brokers_tried(run: FaultRun, sim) -> list[tuple]:
    """(index, uri) of each attempt's list entry, in order: every `connect_attempt` event names the entry
    of the list it goes to (`broker`, its index; `uri`, its effective URI; docs/simulator.md)."""
    attempts = [(e.get("broker"), e.get("uri")) for e in sim.events("connect_attempt") if "uri" in e]
    if not attempts:
        run.problem("connect_attempt events carry no broker/uri")
    return attempts


def _unusable_broker(run: FaultRun, env: Env, cycles: int, bad_uri: str, reason: str) -> None:
    """Alone, the bad URI fails `cycles` times on the schedule with the contract's reason while HTTP
    answers; first in a broker list, a fresh device moves on to the good broker and registers, each cycle."""
    alone = run.start_sim([bad_uri])
    run.fault_injected(alone, 0)
    for cycle in range(cycles):
        wait_failures(alone, cycle + 1, 0)
        if cycle == 0:
            run.check_reason(alone, reason)
    run.stop_sim(alone)
    good = env.broker.ws_uri
    for _ in range(cycles):
        sim = run.start_sim([bad_uri, good])
        run.fault_injected(sim, 0)
        run.wait_registered(sim, 0, timeout=FAILURE_TIMEOUT_S + REGISTER_TIMEOUT_S)
        tried = brokers_tried(run, sim)
        if tried[:1] != [(0, bad_uri)] or (1, good) not in tried:
            run.problem(f"not the list's first broker, then the next: {tried}")
        run.stop_sim(sim)
        run.cycle_done(sim)


def wrong_path(run: FaultRun, env: Env, cycles: int) -> None:
    _unusable_broker(run, env, cycles, env.broker.ws_uri_no_path + "/ws", REASON_WRONG_PATH)


def host_unresolved(run: FaultRun, env: Env, cycles: int) -> None:
    _unusable_broker(run, env, cycles, UNRESOLVABLE_URI, REASON_UNRESOLVED)


# --- bursts -------------------------------------------------------------------------------------------


def ip_burst(run: FaultRun, env: Env, cycles: int) -> None:
    """Ten address changes 10 ms apart: the device ends registered with the last one. Retries during a burst
    are counted in the notes, not failed: a registration that gets no PUBACK (Paho has been seen to leave
    one unprocessed under bursts, shared facts brokers.md) ends at the registration timeout and is
    retried, which is recovery."""
    subscriber = env.subscribe(env.broker)
    sim = registered_sim(run, env)
    retries = 0
    for cycle in range(cycles):
        mark, received = sim.mark(), subscriber.count()
        run.fault_injected(sim, mark)
        addresses = [f"10.{cycle % 250}.{k}.{k + 1}" for k in range(IP_BURST)]
        for address in addresses:
            sim.send(f"ip {address}")
            time.sleep(0.01)
        final = addresses[-1]
        run.wait_registered(sim, mark, lambda e: e["ip"] == final)
        subscriber.wait_for(payload_ip(final), since=received, timeout=REGISTER_TIMEOUT_S)
        retries += sum(1 for e in sim.all_events()[mark:] if e.get("event") == "retry_scheduled")
        run.cycle_done(sim)
    run.note(f"retries during the bursts: {retries}")


def config_burst(run: FaultRun, env: Env, cycles: int) -> None:
    """Five authorised POST /config in a row: the first is taken, the rest answered 429 with Retry-After
    (--config-min-interval-ms); one more after the interval is taken; the registration carries the last
    name taken, and nothing is lost."""
    subscriber = env.subscribe(env.broker)
    sim = registered_sim(run, env)
    refused = post_config(sim, {"device_name": "Sin secreto"}, secret=None)
    if refused.status != 401:
        run.problem(f"POST /config without the setup secret answered {refused.status}, not 401")
    time.sleep(CONFIG_MIN_INTERVAL_MS / 1000)
    for cycle in range(cycles):
        mark, received = sim.mark(), subscriber.count()
        run.fault_injected(sim, mark)
        answers = [post_config(sim, {"device_name": f"Rafaga {cycle}-{k}"}) for k in range(CONFIG_BURST)]
        statuses = [a.status for a in answers]
        if statuses[0] != 200 or any(s not in (200, 429) for s in statuses):
            run.problem(f"burst answered {statuses}")
        if 429 not in statuses[1:]:
            run.problem(f"writes faster than --config-min-interval-ms were all taken: {statuses}")
        for answer in answers:
            if answer.status == 429 and not answer.headers.get("retry-after", "").isdigit():
                run.problem(f"429 without a Retry-After in seconds: {answer.headers}")
        time.sleep(CONFIG_MIN_INTERVAL_MS / 1000 + 0.05)
        final = f"Final {cycle}"
        last = post_config(sim, {"device_name": final})
        if last.status != 200:
            raise AssertionError(f"a write after the interval answered {last.status}: {last.body}")
        subscriber.wait_for(lambda m: m.json().get("device_name") == final, since=received,
                            timeout=REGISTER_TIMEOUT_S)
        run.wait_registered(sim, mark)
        run.cycle_done(sim)
        time.sleep(CONFIG_MIN_INTERVAL_MS / 1000 + 0.05)


@dataclass(frozen=True)
class Scenario:
    run: Callable[[FaultRun, Env, int], None]
    brokers: tuple


SCENARIOS: dict[str, Scenario] = {
    "broker_kill": Scenario(broker_kill, ("nats", "mosquitto")),
    "broker_freeze": Scenario(broker_freeze, ("nats", "mosquitto")),
    "ss_cut": Scenario(ss_cut, ("nats", "mosquitto")),
    "port_refused": Scenario(port_refused, ("nats", "mosquitto")),
    "wrong_path": Scenario(wrong_path, ("nats",)),  # Mosquitto accepts any path
    "connack_refused": Scenario(connack_refused, ("test",)),
    "connack_refused_password": Scenario(connack_refused_mosquitto, ("mosquitto",)),
    "host_unresolved": Scenario(host_unresolved, ("nats",)),
    "silent_server": Scenario(silent_server, ("test",)),
    "no_puback": Scenario(no_puback, ("test",)),
    "ip_burst": Scenario(ip_burst, ("nats", "mosquitto")),
    "config_burst": Scenario(config_burst, ("nats", "mosquitto")),
}

CASES = [(fault, broker) for fault, scenario in SCENARIOS.items() for broker in scenario.brokers]
