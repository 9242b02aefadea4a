"""`invoke simulate`: run simulated devices against a broker and watch what the server would receive.

By default it starts the production stand-in broker itself: a local nats-server with MQTT and WebSocket
(path /mqtt) on 127.0.0.1 only, JetStream in a fresh temporary directory; `--cluster N` starts a local
N-node NATS cluster instead (brokers.NatsCluster) and gives every device the N WebSocket URIs as its broker
list. With `--broker URI` (repeatable: a broker list, tried in order) it uses existing brokers instead. It
builds the simulator if needed, starts one simulator per device, and subscribes to the registration topic
with an independent MQTT client over plain TCP, the way the central server does (on a cluster: on its last
node). Each registration that arrives is printed with the consumer contract's verdict; a second subscriber
on the devices' status topics prints each presence message (online/offline, retained or live, the broker's
will included). Everything started here is stopped (by PID) on Ctrl-C or SIGTERM, after `--count N`
registrations, when `--timeout-s` runs out (120 s by default with --count), or when every simulator has
exited.

A device publishes its registration once per connection, so when --count asks for more registrations than
the devices not yet registered can give, a device that has just registered is told `network down` then
`network up` over its control channel: it reconnects and registers again.

Each run gives its devices fresh config files (the simulator's NVS stand-in) in a temporary directory, so
names and locations are the ones given (or the defaults), never left over from earlier runs.

The broker, subscriber and simulator classes come in through `Backends` so that tools/tests can drive this
loop with fakes.
"""

from __future__ import annotations

import json
import shutil
import signal
import tempfile
import threading
import time
import urllib.parse
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from irrigation_tools import ToolError
from irrigation_tools.fleet import Device, generate, load_fleet

DEFAULT_SUBSCRIBE_PORT = 1883
# How long --count waits for its registrations when --timeout-s is not given.
DEFAULT_COUNT_TIMEOUT_S = 120.0
# Simulator events worth a line on the console (the rest is in its log).
SHOWN_EVENTS = (
    "connect_attempt", "registered", "registration_failed", "retry_scheduled", "presence", "shut_down", "notice",
    "network", "exit",
)
# --cluster N: at least two nodes (three survive the loss of one), at most this many.
CLUSTER_MAX_NODES = 5
# After the devices are stopped: how long to wait for the offline messages of those shown online.
OFFLINE_WAIT_S = 2.0


@dataclass(frozen=True)
class SimulateOptions:
    brokers: tuple[str, ...] = ()  # external brokers, in the order the devices try them
    cluster: int = 0  # 0: one local nats-server; N: a local N-node NATS cluster
    subscribe_host: str | None = None
    subscribe_port: int | None = None
    no_subscribe: bool = False
    devices: int = 1
    fleet: Path | None = None
    name: str | None = None
    location: str | None = None
    http_port: int = 0
    retry_initial_ms: int | None = None
    count: int = 0  # 0: until Ctrl-C
    timeout_s: float | None = None  # None: DEFAULT_COUNT_TIMEOUT_S with count, else no limit


def effective_timeout(options: SimulateOptions) -> float | None:
    """Seconds the run may last once the devices are up (None: until Ctrl-C or --count)."""
    if options.timeout_s is not None:
        return options.timeout_s
    return DEFAULT_COUNT_TIMEOUT_S if options.count else None


def _nats_broker(workdir: Path) -> Any:
    from irrigation_tools.brokers import NatsBroker

    return NatsBroker(workdir)


def _nats_cluster(workdir: Path, size: int) -> Any:
    from irrigation_tools.brokers import NatsCluster

    return NatsCluster(workdir, size=size)


def _subscriber(host: str, port: int) -> Any:
    from irrigation_tools.contract import RegistrationSubscriber

    return RegistrationSubscriber(port=port, host=host)


def _presence_subscriber(host: str, port: int) -> Any:
    from irrigation_tools.contract import STATUS_TOPIC_FILTER, RegistrationSubscriber

    return RegistrationSubscriber(port=port, host=host, topic=STATUS_TOPIC_FILTER)


def _find_simulator(root: Path) -> Path:
    from irrigation_tools.sim_process import find_or_build_simulator

    return find_or_build_simulator(root)


def _sim_process(binary: Path, args: list[str], stderr_path: Path) -> Any:
    from irrigation_tools.sim_process import SimProcess

    return SimProcess(binary, args, stderr_path=stderr_path)


def _validate(payload: bytes) -> list[str]:
    from irrigation_tools.contract import validate_registration

    return validate_registration(payload)


def _validate_presence(payload: bytes) -> list[str]:
    from irrigation_tools.contract import validate_presence

    return validate_presence(payload)


def _topic() -> str:
    from irrigation_tools.contract import TOPIC

    return TOPIC


@dataclass
class Backends:
    """The collaborators of the run loop; the defaults are the real ones."""

    broker_factory: Callable[[Path], Any] = _nats_broker
    cluster_factory: Callable[[Path, int], Any] = _nats_cluster
    subscriber_factory: Callable[[str, int], Any] = _subscriber
    presence_subscriber_factory: Callable[[str, int], Any] = _presence_subscriber
    find_simulator: Callable[[Path], Path] = _find_simulator
    sim_factory: Callable[[Path, list[str], Path], Any] = _sim_process
    validate: Callable[[bytes], list[str]] = _validate
    validate_presence: Callable[[bytes], list[str]] = _validate_presence
    topic: Callable[[], str] = _topic
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    poll_interval_s: float = 0.1
    start_timeout_s: float = 15.0
    make_workdir: Callable[[], Path] = field(
        default=lambda: Path(tempfile.mkdtemp(prefix="irrigation-simulate-"))
    )


def subscribe_endpoint(options: SimulateOptions) -> tuple[str, int] | None:
    """Where the independent subscribers connect for external brokers (None: do not subscribe): the first
    broker's host unless told otherwise."""
    if options.no_subscribe:
        return None
    assert options.brokers
    host = options.subscribe_host or (urllib.parse.urlsplit(options.brokers[0]).hostname or "127.0.0.1")
    return host, options.subscribe_port or DEFAULT_SUBSCRIBE_PORT


def check_options(options: SimulateOptions) -> None:
    """Option errors the simulator itself would not catch, as one ToolError (exit 2)."""
    problems = []
    if options.fleet is not None and options.devices != 1:
        problems.append("--fleet and --devices: give one or the other")
    if options.fleet is not None and (options.name is not None or options.location is not None):
        problems.append("--name/--location: not used with --fleet (each device in the file has its own)")
    if options.count < 0:
        problems.append(f"--count {options.count}: must be 0 (until Ctrl-C) or more")
    if options.timeout_s is not None and options.timeout_s <= 0:
        problems.append(f"--timeout-s {options.timeout_s:g}: must be a positive number of seconds")
    if options.retry_initial_ms is not None and options.retry_initial_ms <= 0:
        problems.append(f"--retry-initial-ms {options.retry_initial_ms}: must be a positive number of ms")
    if options.subscribe_port is not None and not 1 <= options.subscribe_port <= 65535:
        problems.append(f"--subscribe-port {options.subscribe_port}: not a TCP port")
    if not options.brokers and (options.subscribe_host or options.subscribe_port):
        problems.append("--subscribe-host/--subscribe-port: only with --broker (the local broker is known)")
    if options.brokers and options.cluster:
        problems.append("--cluster and --broker: give one or the other (--cluster starts local brokers)")
    if options.cluster and not 2 <= options.cluster <= CLUSTER_MAX_NODES:
        problems.append(f"--cluster {options.cluster}: a local cluster has 2 to {CLUSTER_MAX_NODES} nodes (3 survive "
                        "the loss of one)")
    for uri in options.brokers:
        parts = urllib.parse.urlsplit(uri)
        if parts.scheme not in ("ws", "wss") or not parts.hostname:
            problems.append(f"--broker {uri}: expected ws://host[:port][/path] or wss://...")
    if problems:
        raise ToolError("\n".join(problems), code=2)


def devices_for(options: SimulateOptions) -> list[Device]:
    if options.fleet is not None:
        return load_fleet(options.fleet)
    return generate(options.devices, name=options.name, location=options.location, http_port=options.http_port)


def simulator_args(broker_uris: list[str], device: Device, options: SimulateOptions, config_file: Path) -> list[str]:
    # A fresh config file per run: without it the simulator keeps names from earlier runs (and tests) in
    # $TMPDIR, and `invoke simulate` without --name would not show the default name.
    brokers = [arg for uri in broker_uris for arg in ("--broker", uri)]
    args = [*brokers, *device.simulator_args(), "--config-file", str(config_file)]
    if options.retry_initial_ms is not None:
        args += ["--retry-initial-ms", str(options.retry_initial_ms)]
    return args


def describe_registration(number: int, message: Any, elapsed_s: float, problems: list[str]) -> list[str]:
    text = message.payload.decode("utf-8", errors="replace")
    try:
        mac = json.loads(text).get("mac_address", "?")
    except (ValueError, AttributeError):
        mac = "?"
    lines = [f"registration {number} from {mac} at +{elapsed_s:.1f} s (QoS {message.qos}): {text}"]
    if problems:
        lines.append("  contract: REJECTED by the server's rules: " + "; ".join(problems))
    else:
        lines.append("  contract: OK (the central server would store it)")
    return lines


def presence_fields(payload: bytes) -> tuple[str, str]:
    """(MAC, status) of a presence payload; "?" for what it does not hold."""
    try:
        document = json.loads(payload.decode("utf-8", errors="replace"))
        return str(document.get("mac_address", "?")), str(document.get("status", "?"))
    except (ValueError, AttributeError):
        return "?", "?"


def describe_presence(message: Any, problems: list[str]) -> list[str]:
    """`presence 02:00:00:00:00:01 online (live) ...`: one presence message as the broker delivered it."""
    text = message.payload.decode("utf-8", errors="replace")
    mac, status = presence_fields(message.payload)
    kept = "retained" if message.retain else "live"
    lines = [f"presence {mac} {status} ({kept}, QoS {message.qos}) on {message.topic}: {text}"]
    if problems:
        lines.append("  presence: INVALID: " + "; ".join(problems))
    return lines


def describe_event(mac: str, event: dict) -> str:
    shown = {k: v for k, v in event.items() if k not in ("event", "t_ms") and not k.startswith("_")}
    details = " ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in shown.items())
    return f"[{mac}] {event.get('event')} {details}".rstrip()


class _Run:
    """State of one `invoke simulate` run (counters and what has been printed)."""

    def __init__(self, options: SimulateOptions, backends: Backends, say: Callable[[str], None]) -> None:
        self.options = options
        self.backends = backends
        self.say = say
        self.started_at = backends.clock()
        self.received = 0
        self.rejected = 0
        self.presence_seen = 0
        self.presence_invalid = 0
        self.seen_presence = 0
        self.presence_status: dict[str, str] = {}  # the last status shown per MAC
        self.registered_events = 0
        self.seen_messages = 0
        self.seen_events: dict[int, int] = {}
        self.gone: set[str] = set()
        self.registered_macs: set[str] = set()
        # Devices told to reconnect that have not registered again yet: each one still owes a registration.
        self.reconnecting: set[str] = set()

    def poll_subscriber(self, subscriber: Any, topic: str) -> None:
        messages = subscriber.messages()
        for message in messages[self.seen_messages :]:
            if message.topic != topic:
                continue
            self.received += 1
            problems = self.backends.validate(message.payload)
            self.rejected += bool(problems)
            for line in describe_registration(
                self.received, message, self.backends.clock() - self.started_at, problems
            ):
                self.say(line)
        self.seen_messages = len(messages)

    def poll_presence(self, subscriber: Any) -> None:
        messages = subscriber.messages()
        for message in messages[self.seen_presence :]:
            problems = self.backends.validate_presence(message.payload)
            self.presence_seen += 1
            self.presence_invalid += bool(problems)
            for line in describe_presence(message, problems):
                self.say(line)
            mac, status = presence_fields(message.payload)
            self.presence_status[mac] = status
        self.seen_presence = len(messages)

    def show_offline(self, subscriber: Any) -> None:
        """Once the devices are stopped: shows their offline messages, waiting (bounded) for those shown
        online last."""
        deadline = self.backends.clock() + OFFLINE_WAIT_S
        while True:
            self.poll_presence(subscriber)
            if "online" not in self.presence_status.values() or self.backends.clock() >= deadline:
                return
            self.backends.sleep(self.backends.poll_interval_s)

    def exit_status(self) -> int:
        """1 when a registration broke the contract or a presence message was invalid, else 0."""
        return 1 if self.rejected or self.presence_invalid else 0

    def poll_simulators(self, sims: list[tuple[Device, Any]], subscribing: bool) -> None:
        for index, (device, sim) in enumerate(sims):
            events = sim.all_events()
            for event in events[self.seen_events.get(index, 0) :]:
                if event.get("event") in SHOWN_EVENTS:
                    self.say(describe_event(device.mac, event))
                if event.get("event") == "registered":
                    self.registered_events += 1
                    self.registered_macs.add(device.mac)
                    self.reconnecting.discard(device.mac)
                    self.ask_for_another_registration(device, sim, sims, subscribing)
            self.seen_events[index] = len(events)

    def ask_for_another_registration(
        self, device: Device, sim: Any, sims: list[tuple[Device, Any]], subscribing: bool
    ) -> None:
        """Reconnect `device` when --count needs more registrations than the other devices still owe.

        A device publishes its registration once per connection: without this, --count N with fewer than N
        devices would never be reached. The subscriber may lag the device's acknowledgement (or the other
        way round), so the larger of the two counts is the number already had.
        """
        if not self.options.count:
            return
        needed = self.options.count - max(self.registered_events, self.done_count(subscribing))
        unregistered = {d.mac for d, _ in sims} - self.registered_macs - self.gone
        if needed <= len(unregistered) + len(self.reconnecting):
            return
        self.say(f"simulate: reconnecting {device.mac} for another registration")
        try:
            sim.send("network down")
            sim.send("network up")
        except Exception as exc:  # the simulator is gone: the exit is reported by the loop
            self.say(f"simulate: cannot reconnect {device.mac}: {exc}")
            return
        self.reconnecting.add(device.mac)

    def done_count(self, subscribing: bool) -> int:
        return self.received if subscribing else self.registered_events


def _stderr_tail(sim: Any) -> str:
    tail = getattr(sim, "stderr_tail", None)
    return tail().strip() if callable(tail) else ""


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _stop_on_sigterm() -> Any:
    """SIGTERM (a CI job being cancelled, `kill PID`) stops the run as cleanly as Ctrl-C does."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _raise_interrupt)


def run_simulation(
    options: SimulateOptions,
    root: Path,
    backends: Backends | None = None,
    say: Callable[[str], None] = lambda line: print(line, flush=True),
) -> int:
    """Run until Ctrl-C, --count registrations, --timeout-s, or every simulator gone; returns the exit status.

    0: stopped as asked and every registration passed the contract; 1: a registration was rejected, a
    simulator failed, or --count was not reached within --timeout-s. Setup problems raise ToolError.
    """
    b = backends or Backends()
    check_options(options)
    devices = devices_for(options)
    run = _Run(options, b, say)
    workdir = b.make_workdir()
    previous_sigterm = _stop_on_sigterm()
    try:
        with ExitStack() as stack:
            try:
                return _run_loop(options, root, b, say, run, devices, workdir, stack)
            except KeyboardInterrupt:
                say("simulate: interrupted (Ctrl-C or SIGTERM), stopping")
                return run.exit_status()
            finally:
                say("simulate: stopping what it started")
    finally:
        if previous_sigterm is not None:
            signal.signal(signal.SIGTERM, previous_sigterm)
        shutil.rmtree(workdir, ignore_errors=True)
        summary = f"simulate: {run.received} registration(s) received"
        if run.received:
            summary += f", {run.received - run.rejected} passed the contract, {run.rejected} rejected"
        if run.registered_events:
            summary += f"; devices reported {run.registered_events} acknowledged registration(s)"
        if run.presence_seen:
            summary += f"; {run.presence_seen} presence message(s), {run.presence_invalid} invalid"
        say(summary)


def _start_local_brokers(
    options: SimulateOptions, b: Backends, say: Callable[[str], None], workdir: Path, stack: ExitStack
) -> tuple[list[str], tuple[str, int]]:
    """Starts one local nats-server, or the --cluster N nodes: (the devices' broker list, where to subscribe).
    Each stop is registered before its start, so a start that fails half-way is cleaned up too."""
    if options.cluster:
        cluster = b.cluster_factory(workdir / "cluster", options.cluster)
        stack.callback(cluster.stop)
        say(f"simulate: starting a local {options.cluster}-node NATS cluster (JetStream replicated)")
        try:
            cluster.start()
        except Exception as exc:
            raise ToolError(f"simulate: cannot start the local NATS cluster: {exc}") from exc
        for number, node in enumerate(cluster.nodes, start=1):
            say(f"simulate: NATS node {number}: {node.ws_uri} (MQTT over WebSocket), mqtt://127.0.0.1:{node.mqtt_port}"
                f", pid {node.pid}")
        # The last node: what the devices publish through node 1 must cross the cluster to be seen.
        return list(cluster.ws_uris), ("127.0.0.1", cluster.nodes[-1].mqtt_port)
    broker = b.broker_factory(workdir / "nats")
    stack.callback(broker.stop)
    try:
        broker.start()
    except Exception as exc:
        raise ToolError(f"simulate: cannot start the local nats-server: {exc}") from exc
    say(f"simulate: local NATS broker: {broker.ws_uri} (MQTT over WebSocket), mqtt://127.0.0.1:{broker.mqtt_port}")
    return [broker.ws_uri], ("127.0.0.1", broker.mqtt_port)


def _subscribe(
    factory: Callable[[str, int], Any],
    endpoint: tuple[str, int],
    required: bool,
    say: Callable[[str], None],
    stack: ExitStack,
) -> Any:
    """A started subscriber (stopped with the run), or None when it cannot subscribe and is not required."""
    host, port = endpoint
    try:
        subscriber = factory(host, port)
        subscriber.start()
    except Exception as exc:
        if required:
            raise ToolError(f"simulate: cannot subscribe to the local broker: {exc}") from exc
        say(
            f"simulate: cannot subscribe at mqtt://{host}:{port} ({exc}); continuing without an independent "
            "subscriber (give --subscribe-host/--subscribe-port for the broker's plain MQTT listener)"
        )
        return None
    stack.callback(subscriber.stop)
    return subscriber


def _run_loop(
    options: SimulateOptions,
    root: Path,
    b: Backends,
    say: Callable[[str], None],
    run: _Run,
    devices: list[Device],
    workdir: Path,
    stack: ExitStack,
) -> int:
    say("simulate: looking for the simulator (building it on first use)")
    try:
        binary = b.find_simulator(root)
    except Exception as exc:  # SimulatorError or a build failure: one message, no traceback
        raise ToolError(f"simulate: no simulator binary: {exc}") from exc
    say(f"simulate: simulator {binary}")

    if options.brokers:
        broker_uris = list(options.brokers)
        endpoint = subscribe_endpoint(options)
        say(f"simulate: using broker(s) {', '.join(broker_uris)}")
    else:
        broker_uris, endpoint = _start_local_brokers(options, b, say, workdir, stack)

    topic = b.topic()
    subscriber = presence = None
    if endpoint is None:
        say("simulate: not subscribing (--no-subscribe): showing what the devices report")
    else:
        subscriber = _subscribe(b.subscriber_factory, endpoint, not options.brokers, say, stack)
        if subscriber is not None:
            say(f"simulate: subscribed to {topic} at mqtt://{endpoint[0]}:{endpoint[1]} (QoS 1, clean session)")
            presence = _subscribe(b.presence_subscriber_factory, endpoint, False, say, stack)
        if presence is not None:
            say("simulate: subscribed to the devices' status topics (presence)")
            # Registered before the simulators' stops, so it runs after them: their offline messages.
            stack.callback(run.show_offline, presence)

    sims: list[tuple[Device, Any]] = []
    for device in devices:
        stem = f"sim-{device.mac.replace(':', '')}"
        args = simulator_args(broker_uris, device, options, workdir / f"{stem}.conf")
        sim = b.sim_factory(binary, args, workdir / f"{stem}.log")
        stack.callback(sim.stop)  # before start(), like the broker's
        try:
            sim.start()
        except Exception as exc:
            raise ToolError(f"simulate: cannot start {binary} for {device.mac}: {exc}") from exc
        sims.append((device, sim))
    for device, sim in sims:
        try:
            started = sim.wait_event("http_started", timeout=b.start_timeout_s)
        except Exception as exc:
            say(f"simulate: device {device.mac} did not start: {exc}")
            tail = _stderr_tail(sim)
            if tail:
                say(tail)
            return 1
        label = f" {device.name!r}" if device.name else ""
        say(f"simulate: device {device.mac}{label} up, HTTP on http://127.0.0.1:{started.get('port')}")

    timeout_s = effective_timeout(options)
    goal = f"after {options.count} registration(s)" if options.count else "on Ctrl-C"
    if timeout_s is not None:
        goal += f" or after {timeout_s:g} s"
    say(f"simulate: {len(sims)} device(s) running; stopping {goal}")
    deadline = None if timeout_s is None else b.clock() + timeout_s
    subscribing = subscriber is not None
    while True:
        if subscriber is not None:
            run.poll_subscriber(subscriber, topic)
        if presence is not None:
            run.poll_presence(presence)
        run.poll_simulators(sims, subscribing)
        if options.count and run.done_count(subscribing) >= options.count:
            return run.exit_status()
        for device, sim in sims:
            if not sim.running and device.mac not in run.gone:
                run.gone.add(device.mac)
                say(f"simulate: device {device.mac} exited with status {sim.returncode}")
                tail = _stderr_tail(sim)
                if tail:
                    say(tail)
        if len(run.gone) == len(sims):
            say("simulate: every simulator has exited")
            return 1
        if deadline is not None and b.clock() >= deadline:
            assert timeout_s is not None
            if options.count:
                say(
                    f"simulate: only {run.done_count(subscribing)} of {options.count} registration(s) "
                    f"within {timeout_s:g} s"
                )
                return 1
            say(f"simulate: stopped after {timeout_s:g} s (--timeout-s)")
            return run.exit_status()
        b.sleep(b.poll_interval_s)
