"""`invoke simulate`: run simulated devices against a broker and watch what the server would receive.

By default it starts the production stand-in broker itself: a local nats-server with MQTT and WebSocket
(path /mqtt) on 127.0.0.1 only, JetStream in a fresh temporary directory; `--cluster N` starts a local
N-node NATS cluster instead (brokers.NatsCluster) and gives every device the N WebSocket URIs as its broker
list. With `--broker URI` (repeatable: a broker list, tried in order) it uses existing brokers instead. The
devices run in the fleet engine (irrigation-fleet, docs/fleet.md): many devices per process, as many
processes as there are cores (more when a process would hold more than fleet.DEVICES_PER_PROCESS devices
or than its file descriptors allow), built if needed; every device gets the whole broker list. It
subscribes to the registration topic with an independent MQTT client over plain TCP, the way the central
server does (on a cluster: on its last node), and checks each registration that arrives against the
consumer contract; a second subscriber on the devices' status topics checks each presence message
(online/offline, retained or live, the broker's will included). A handful of devices get a line per
registration, per presence message and per notable event; a large fleet gets progress bars (start,
registrations, stop) and only the problems. Everything started here is stopped (by PID, every fleet
process at once) on Ctrl-C or SIGTERM, after `--count N` registrations, when `--timeout-s` runs out (120 s
by default with --count), or when every fleet process has exited; then it waits a little for the offline
messages of the devices last seen online.

A device publishes its registration once per connection, so when --count asks for more registrations than
the devices not yet registered can give, a device that has just registered is told `network down` then
`network up` over its fleet process's control channel: it reconnects and registers again.

With --distinct-ips each device reports its own loopback address (fleet.distinct_ip) and serves its HTTP
API there, on port 80 by default, so a real central server's health check (GET http://<ip>/whoami)
reaches every device. Each run keeps the devices' names and locations in memory (nothing is left over from
earlier runs).

The broker, subscriber and fleet-process classes come in through `Backends` so that tools/tests can drive
this loop with fakes.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import sys
import tempfile
import threading
import time
import urllib.parse
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TextIO

from irrigation_tools import ToolError
from irrigation_tools.fleet import (
    Device,
    devices_per_process_limit,
    generate,
    load_fleet,
    plan_processes,
    privileged_port_problem,
    write_device_file,
)

DEFAULT_SUBSCRIBE_PORT = 1883
# How long --count waits for its registrations when --timeout-s is not given.
DEFAULT_COUNT_TIMEOUT_S = 120.0
# Simulator events worth a line on the console (the rest is in its log).
SHOWN_EVENTS = (
    "connect_attempt", "registered", "registration_failed", "retry_scheduled", "presence", "shut_down", "notice",
    "network", "exit",
)
# Up to this many devices, every registration and notable event gets its line; above, progress bars and
# only the problems, at most PROBLEM_LINES_MAX of them.
SHOW_EACH_MAX = 20
PROBLEM_LINES_MAX = 20
DISTINCT_HTTP_PORT = 80
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
    http_port: int = 0  # 0: automatic ports (with --distinct-ips: 80)
    retry_initial_ms: int | None = None
    count: int = 0  # 0: until Ctrl-C
    timeout_s: float | None = None  # None: DEFAULT_COUNT_TIMEOUT_S with count, else no limit
    distinct_ips: bool = False
    http_fallback_port: int | None = None
    processes: int | None = None  # None: planned from the cores and the limits


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


def _find_fleet(root: Path) -> Path:
    from irrigation_tools.fleet_process import find_or_build_fleet

    return find_or_build_fleet(root)


def _fleet_process(binary: Path, args: list[str], stderr_path: Path) -> Any:
    from irrigation_tools.fleet_process import FleetProcess

    return FleetProcess(binary, args, stderr_path=stderr_path)


def _validate(payload: bytes) -> list[str]:
    from irrigation_tools.contract import validate_registration

    return validate_registration(payload)


def _validate_presence(payload: bytes) -> list[str]:
    from irrigation_tools.contract import validate_presence

    return validate_presence(payload)


def _topic() -> str:
    from irrigation_tools.contract import TOPIC

    return TOPIC


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def raise_fd_limit() -> int:
    """RLIMIT_NOFILE of this process raised to its hard limit (children, the broker too, inherit it);
    returns the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY:
        hard = max(soft, 1 << 20) if soft != resource.RLIM_INFINITY else 1 << 20
    if soft == resource.RLIM_INFINITY or soft >= hard:
        return soft if soft != resource.RLIM_INFINITY else 1 << 20
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        return hard
    except (ValueError, OSError):
        return soft


@dataclass
class Backends:
    """The collaborators of the run loop; the defaults are the real ones."""

    broker_factory: Callable[[Path], Any] = _nats_broker
    cluster_factory: Callable[[Path, int], Any] = _nats_cluster
    subscriber_factory: Callable[[str, int], Any] = _subscriber
    presence_subscriber_factory: Callable[[str, int], Any] = _presence_subscriber
    find_fleet: Callable[[Path], Path] = _find_fleet
    fleet_factory: Callable[[Path, list[str], Path], Any] = _fleet_process
    validate: Callable[[bytes], list[str]] = _validate
    validate_presence: Callable[[bytes], list[str]] = _validate_presence
    topic: Callable[[], str] = _topic
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    cpus: Callable[[], int] = _cpus
    fd_limit: Callable[[], int] = raise_fd_limit
    port_problem: Callable[[int], str | None] = privileged_port_problem
    progress_stream: TextIO | None = None  # None: sys.stderr
    poll_interval_s: float = 0.1
    start_timeout_s: float = 15.0
    make_workdir: Callable[[], Path] = field(
        default=lambda: Path(tempfile.mkdtemp(prefix="irrigation-simulate-"))
    )


class Progress:
    """A one-line progress bar (`label [#####-----] done/total`) redrawn in place on a terminal; elsewhere
    (a log, a pipe) one line when it ends. Standard library only."""

    WIDTH = 30

    def __init__(self, label: str, total: int, stream: TextIO, clock: Callable[[], float]) -> None:
        self.label, self.total, self.stream, self.clock = label, total, stream, clock
        self.started = clock()
        self.done = 0
        self.live = bool(getattr(stream, "isatty", lambda: False)())
        self._drawn_at = -1.0
        self._finished = False

    def update(self, done: int) -> None:
        self.done = min(done, self.total)
        now = self.clock()
        if self.live and (now - self._drawn_at >= 0.1 or self.done == self.total):
            self._drawn_at = now
            filled = self.WIDTH * self.done // max(self.total, 1)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total}")
            self.stream.flush()

    def finish(self) -> None:
        if self._finished:
            return
        self._finished = True
        elapsed = self.clock() - self.started
        prefix = "\r" if self.live else ""
        filled = self.WIDTH * self.done // max(self.total, 1)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"{prefix}{self.label} [{bar}] {self.done}/{self.total} in {elapsed:.1f} s\n")
        self.stream.flush()


def subscribe_endpoint(options: SimulateOptions) -> tuple[str, int] | None:
    """Where the independent subscribers connect for external brokers (None: do not subscribe): the first
    broker's host unless told otherwise."""
    if options.no_subscribe:
        return None
    assert options.brokers
    host = options.subscribe_host or (urllib.parse.urlsplit(options.brokers[0]).hostname or "127.0.0.1")
    return host, options.subscribe_port or DEFAULT_SUBSCRIBE_PORT


def check_options(options: SimulateOptions) -> None:
    """Option errors the fleet itself would not catch, as one ToolError (exit 2)."""
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
    if options.http_fallback_port is not None and not options.distinct_ips:
        problems.append("--http-fallback-port: only with --distinct-ips (the fallback for port 80)")
    if options.http_fallback_port is not None and not 1 <= options.http_fallback_port <= 65535:
        problems.append(f"--http-fallback-port {options.http_fallback_port}: not a TCP port")
    if options.processes is not None and options.processes < 1:
        problems.append(f"--processes {options.processes}: must be at least 1")
    for uri in options.brokers:
        parts = urllib.parse.urlsplit(uri)
        if parts.scheme not in ("ws", "wss") or not parts.hostname:
            problems.append(f"--broker {uri}: expected ws://host[:port][/path] or wss://...")
    if problems:
        raise ToolError("\n".join(problems), code=2)


def devices_for(options: SimulateOptions) -> list[Device]:
    if options.fleet is not None:
        devices = load_fleet(options.fleet)
        if options.distinct_ips:
            with_ip = [d.mac for d in devices if d.ip is not None]
            if with_ip:
                raise ToolError(
                    f"--distinct-ips: the fleet file gives an ip to {', '.join(with_ip[:3])}"
                    f"{' ...' if len(with_ip) > 3 else ''}; each device gets its own loopback address instead",
                    code=2,
                )
        return devices
    # With distinct addresses every device serves on the same port: no counting up.
    base_port = 0 if options.distinct_ips else options.http_port
    return generate(options.devices, name=options.name, location=options.location, http_port=base_port)


def fleet_args(
    broker_uris: list[str], device_file: Path, first_index: int, options: SimulateOptions
) -> list[str]:
    """irrigation-fleet's command line for one slice of the devices: every device gets the whole broker list
    (irrigation-fleet passes each --broker on to its devices, as irrigation-sim takes them)."""
    brokers = [arg for uri in broker_uris for arg in ("--broker", uri)]
    args = [*brokers, "--device-file", str(device_file), "--first-index", str(first_index)]
    if options.distinct_ips:
        args += ["--distinct-ips", "--http-port", str(options.http_port or DISTINCT_HTTP_PORT)]
        if options.http_fallback_port:
            args += ["--http-fallback-port", str(options.http_fallback_port)]
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
    shown = {k: v for k, v in event.items() if k not in ("event", "t_ms", "mac") and not k.startswith("_")}
    details = " ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in shown.items())
    return f"[{mac}] {event.get('event')} {details}".rstrip()


def is_problem(event: dict) -> bool:
    """A device event worth a line even in a large fleet."""
    name = event.get("event")
    return name == "registration_failed" or (name == "notice" and event.get("level") in ("warning", "error"))


class _Run:
    """State of one `invoke simulate` run (counters and what has been printed)."""

    def __init__(self, options: SimulateOptions, backends: Backends, say: Callable[[str], None]) -> None:
        self.options = options
        self.backends = backends
        self.say = say
        self.started_at = backends.clock()
        self.total = 0
        self.verbose = True
        self.received = 0
        self.rejected = 0
        self.presence_seen = 0
        self.presence_invalid = 0
        self.seen_presence = 0
        self.presence_status: dict[str, str] = {}  # the last status seen per MAC
        self.registered_events = 0
        self.seen_messages = 0
        self.seen_events: dict[int, int] = {}
        self.problem_lines = 0
        self.problems_hidden = 0
        self.gone: set[int] = set()
        self.registered_macs: set[str] = set()
        # Devices told to reconnect that have not registered again yet: each one still owes a registration.
        self.reconnecting: set[str] = set()
        self.process_of: dict[str, Any] = {}

    def problem(self, line: str) -> None:
        """A line about something wrong; a large fleet shows the first PROBLEM_LINES_MAX of them."""
        if self.verbose or self.problem_lines < PROBLEM_LINES_MAX:
            self.problem_lines += 1
            self.say(line)
        else:
            self.problems_hidden += 1

    def poll_subscriber(self, subscriber: Any, topic: str) -> None:
        messages = subscriber.messages()
        for message in messages[self.seen_messages :]:
            if message.topic != topic:
                continue
            self.received += 1
            problems = self.backends.validate(message.payload)
            self.rejected += bool(problems)
            lines = describe_registration(self.received, message, self.backends.clock() - self.started_at, problems)
            if self.verbose:
                for line in lines:
                    self.say(line)
            elif problems:
                self.problem("\n".join(lines))
        self.seen_messages = len(messages)

    def poll_presence(self, subscriber: Any) -> None:
        messages = subscriber.messages()
        for message in messages[self.seen_presence :]:
            problems = self.backends.validate_presence(message.payload)
            self.presence_seen += 1
            self.presence_invalid += bool(problems)
            lines = describe_presence(message, problems)
            if self.verbose:
                for line in lines:
                    self.say(line)
            elif problems:
                self.problem("\n".join(lines))
            mac, status = presence_fields(message.payload)
            self.presence_status[mac] = status
        self.seen_presence = len(messages)

    def show_offline(self, subscriber: Any) -> None:
        """Once the devices are stopped: takes in their offline messages, waiting (bounded) for those seen
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

    def poll_fleets(self, fleets: list[Any], subscribing: bool) -> None:
        for index, fleet in enumerate(fleets):
            events = fleet.notable_events(self.seen_events.get(index, 0))
            self.seen_events[index] = self.seen_events.get(index, 0) + len(events)
            for event in events:
                mac = str(event.get("mac", "?"))
                if self.verbose and event.get("event") in SHOWN_EVENTS:
                    self.say(describe_event(mac, event))
                elif not self.verbose and is_problem(event):
                    self.problem(describe_event(mac, event))
                if event.get("event") == "registered":
                    self.registered_events += 1
                    self.registered_macs.add(mac)
                    self.reconnecting.discard(mac)
                    self.ask_for_another_registration(mac, subscribing)

    def ask_for_another_registration(self, mac: str, subscribing: bool) -> None:
        """Reconnect `mac` when --count needs more registrations than the other devices still owe.

        A device publishes its registration once per connection: without this, --count N with fewer than N
        devices would never be reached. The subscriber may lag the device's acknowledgement (or the other
        way round), so the larger of the two counts is the number already had.
        """
        if not self.options.count:
            return
        needed = self.options.count - max(self.registered_events, self.done_count(subscribing))
        unregistered = self.total - len(self.registered_macs)
        if needed <= unregistered + len(self.reconnecting):
            return
        fleet = self.process_of.get(mac)
        if fleet is None:
            return
        if self.verbose:
            self.say(f"simulate: reconnecting {mac} for another registration")
        try:
            fleet.send(f"{mac} network down")
            fleet.send(f"{mac} network up")
        except Exception as exc:  # the process is gone: the exit is reported by the loop
            self.problem(f"simulate: cannot reconnect {mac}: {exc}")
            return
        self.reconnecting.add(mac)

    def done_count(self, subscribing: bool) -> int:
        return self.received if subscribing else self.registered_events


def _stderr_tail(process: Any) -> str:
    tail = getattr(process, "stderr_tail", None)
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
    """Run until Ctrl-C, --count registrations, --timeout-s, or every fleet process gone; returns the exit
    status.

    0: stopped as asked, every registration passed the contract and every presence message was valid; 1: a
    registration was rejected, a presence message was invalid (the offline ones that come after the stop
    included), a fleet process failed, or --count was not reached within --timeout-s. Setup problems raise
    ToolError.
    """
    b = backends or Backends()
    check_options(options)
    devices = devices_for(options)
    if options.distinct_ips:
        port = options.http_port or DISTINCT_HTTP_PORT
        problem = b.port_problem(port)
        if problem and not options.http_fallback_port:
            raise ToolError(f"simulate: --distinct-ips: {problem}", code=2)
        if problem:
            say(f"simulate: {problem}; devices serve on the fallback port {options.http_fallback_port}")
    run = _Run(options, b, say)
    run.total = len(devices)
    run.verbose = len(devices) <= SHOW_EACH_MAX
    workdir = b.make_workdir()
    previous_sigterm = _stop_on_sigterm()
    try:
        with ExitStack() as stack:
            try:
                code = _run_loop(options, root, b, say, run, devices, workdir, stack)
            except KeyboardInterrupt:
                say("simulate: interrupted (Ctrl-C or SIGTERM), stopping")
                code = run.exit_status()
            finally:
                say("simulate: stopping what it started")
        # Only now, after the stops: an invalid offline message shown while stopping counts too.
        return max(code, run.exit_status())
    finally:
        if previous_sigterm is not None:
            signal.signal(signal.SIGTERM, previous_sigterm)
        shutil.rmtree(workdir, ignore_errors=True)
        if run.problems_hidden:
            say(f"simulate: {run.problems_hidden} more problem line(s) not shown")
        summary = f"simulate: {run.received} registration(s) received"
        if run.received:
            summary += f", {run.received - run.rejected} passed the contract, {run.rejected} rejected"
        if run.registered_events:
            summary += f"; devices reported {run.registered_events} acknowledged registration(s)"
        if run.presence_seen:
            summary += f"; {run.presence_seen} presence message(s), {run.presence_invalid} invalid"
        say(summary)


def _start_brokers(options: SimulateOptions, b: Backends, say: Callable[[str], None], workdir: Path,
                   stack: ExitStack) -> tuple[list[str], tuple[str, int] | None]:
    """The broker list the devices use and where the subscribers connect (None: nowhere): the --broker
    URIs, else one local nats-server or the --cluster N nodes. Each stop is registered before its start,
    so a start that fails half-way is cleaned up too."""
    if options.brokers:
        say(f"simulate: using broker(s) {', '.join(options.brokers)}")
        return list(options.brokers), subscribe_endpoint(options)
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


def _subscribe(factory: Callable[[str, int], Any], endpoint: tuple[str, int], required: bool,
               say: Callable[[str], None], stack: ExitStack) -> Any:
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


def _start_subscribers(options: SimulateOptions, b: Backends, say: Callable[[str], None], run: _Run, topic: str,
                       endpoint: tuple[str, int] | None, stack: ExitStack) -> tuple[Any, Any]:
    """The registration subscriber and the presence subscriber (each None when there is none)."""
    if endpoint is None:
        say("simulate: not subscribing (--no-subscribe): showing what the devices report")
        return None, None
    subscriber = _subscribe(b.subscriber_factory, endpoint, not options.brokers, say, stack)
    if subscriber is None:
        return None, None
    say(f"simulate: subscribed to {topic} at mqtt://{endpoint[0]}:{endpoint[1]} (QoS 1, clean session)")
    presence = _subscribe(b.presence_subscriber_factory, endpoint, False, say, stack)
    if presence is not None:
        say("simulate: subscribed to the devices' status topics (presence)")
        # Registered before the fleet processes' stop, so it runs after it: their offline messages.
        stack.callback(run.show_offline, presence)
    return subscriber, presence


def _stop_fleets(fleets: list[Any], run: _Run, b: Backends) -> None:
    """Every fleet process told to quit at once, then waited for (progress over the devices' exit lines)."""
    live = [fleet for fleet in fleets if fleet.running]
    if not live:
        return
    for fleet in live:
        fleet.request_stop()
    progress = Progress("stopping ", sum(f.started_count for f in live), b.progress_stream or sys.stderr, b.clock)
    deadline = b.clock() + 30.0 + run.total * 0.002
    while any(f.running for f in live) and b.clock() < deadline:
        progress.update(sum(f.exited_count for f in live))
        b.sleep(b.poll_interval_s)
    progress.update(sum(f.exited_count for f in live))
    if not run.verbose:
        progress.finish()
    for fleet in live:
        fleet.stop(timeout=5.0)


def _start_fleets(options: SimulateOptions, root: Path, b: Backends, say: Callable[[str], None], run: _Run,
                  devices: list[Device], broker_uris: list[str], workdir: Path,
                  stack: ExitStack) -> list[Any] | None:
    """Starts the fleet processes and waits until every device is up; None (after saying why) when one
    failed to start."""
    say("simulate: looking for irrigation-fleet (building it on first use)")
    try:
        binary = b.find_fleet(root)
    except Exception as exc:  # SimulatorError or a build failure: one message, no traceback
        raise ToolError(f"simulate: no fleet binary: {exc}") from exc
    fd_limit = b.fd_limit()
    if options.processes is not None:
        slices = plan_processes(len(devices), options.processes, per_process=len(devices))
    else:
        slices = plan_processes(len(devices), b.cpus(), per_process=devices_per_process_limit(fd_limit))
    if not options.brokers and fd_limit < len(devices) + 256:
        say(f"simulate: warning: the local NATS may open only {fd_limit} files for {len(devices)} connections "
            "(raise the hard RLIMIT_NOFILE: docs/fleet.md)")
    fleets: list[Any] = []
    stack.callback(_stop_fleets, fleets, run, b)  # before any start(), so a failed start is cleaned up too
    for number, (first, count) in enumerate(slices):
        device_file = workdir / f"devices-{number}.txt"
        write_device_file(device_file, devices[first - 1 : first - 1 + count])
        fleet = b.fleet_factory(binary, fleet_args(broker_uris, device_file, first, options),
                                workdir / f"fleet-{number}.log")
        fleets.append(fleet)
        for device in devices[first - 1 : first - 1 + count]:
            run.process_of[device.mac] = fleet
        try:
            fleet.start()
        except Exception as exc:
            raise ToolError(f"simulate: cannot start {binary}: {exc}") from exc
    say(f"simulate: {len(devices)} device(s) in {len(fleets)} irrigation-fleet process(es) ({binary})")

    progress = Progress("starting ", len(devices), b.progress_stream or sys.stderr, b.clock)
    deadline = b.clock() + b.start_timeout_s + len(devices) * 0.005
    while True:
        started = sum(f.started_count for f in fleets)
        progress.update(started)
        if started >= len(devices):
            break
        failed = [f for f in fleets if not f.running]
        if failed or b.clock() >= deadline:
            why = f"exited with status {failed[0].returncode}" if failed else "timed out"
            say(f"simulate: only {started} of {len(devices)} device(s) started: a fleet process {why}")
            tail = _stderr_tail(failed[0] if failed else fleets[0])
            if tail:
                say(tail)
            return None
        b.sleep(b.poll_interval_s)
    if not run.verbose:
        progress.finish()
    if run.verbose:
        names = {device.mac: device.name for device in devices}
        for fleet in fleets:
            for mac, where in sorted(fleet.devices().items()):
                label = f" {names[mac]!r}" if names.get(mac) else ""
                say(f"simulate: device {mac}{label} up at {where.ip}, HTTP on "
                    f"http://{where.http_address}:{where.http_port}")
    return fleets


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
    broker_uris, endpoint = _start_brokers(options, b, say, workdir, stack)
    topic = b.topic()
    subscriber, presence = _start_subscribers(options, b, say, run, topic, endpoint, stack)
    fleets = _start_fleets(options, root, b, say, run, devices, broker_uris, workdir, stack)
    if fleets is None:
        return 1

    timeout_s = effective_timeout(options)
    goal = f"after {options.count} registration(s)" if options.count else "on Ctrl-C"
    if timeout_s is not None:
        goal += f" or after {timeout_s:g} s"
    say(f"simulate: {len(devices)} device(s) running; stopping {goal}")
    deadline = None if timeout_s is None else b.clock() + timeout_s
    subscribing = subscriber is not None
    progress = Progress("registered", options.count or len(devices), b.progress_stream or sys.stderr, b.clock)
    try:
        while True:
            if subscriber is not None:
                run.poll_subscriber(subscriber, topic)
            if presence is not None:
                run.poll_presence(presence)
            run.poll_fleets(fleets, subscribing)
            if not run.verbose:
                progress.update(run.done_count(subscribing))
            if options.count and run.done_count(subscribing) >= options.count:
                return run.exit_status()
            for index, fleet in enumerate(fleets):
                if not fleet.running and index not in run.gone:
                    run.gone.add(index)
                    say(f"simulate: fleet process {index + 1} exited with status {fleet.returncode}")
                    tail = _stderr_tail(fleet)
                    if tail:
                        say(tail)
            if len(run.gone) == len(fleets):
                say("simulate: every fleet process has exited")
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
    finally:
        if not run.verbose:
            progress.finish()
