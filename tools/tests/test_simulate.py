"""invoke simulate: the run loop with fake broker/subscriber/fleet processes, then once for real."""

import io
import json
import os
import shutil
import sys
import urllib.parse
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from invoke import Collection, Program

from irrigation_tools import ToolError
from irrigation_tools.fleet_process import FleetDevice
from irrigation_tools.simulate import (
    OFFLINE_WAIT_S,
    Backends,
    SimulateOptions,
    check_options,
    Progress,
    effective_timeout,
    run_simulation,
    subscribe_endpoint,
)

ROOT = Path(__file__).resolve().parents[2]
TOPIC = "/liwaisi/iot/smart-irrigation/device/registration"


def payload(mac="02:00:00:00:00:01", name="ESP32-Riego"):
    return json.dumps({
        "event_type": "register", "mac_address": mac, "device_name": name,
        "ip_address": "127.0.0.1", "location_description": "Sin ubicacion configurada",
    }).encode()


@dataclass
class Message:
    topic: str
    payload: bytes
    qos: int = 1
    retain: bool = False


class World:
    """Everything the fakes did, in order."""

    def __init__(self):
        self.log = []
        self.fleets = []
        self.subscriber = None
        self.deliveries = []  # messages the subscriber gets, one per poll
        self.presence_deliveries = []  # messages the presence subscriber gets, one per poll
        self.presence_on_stop = []  # added to presence_deliveries when the fleet processes are told to stop
        self.subscribe_error = None
        self.broker_error = None
        self.fleet_start_error = None
        self.fleet_dies_at_start = False
        self.progress = io.StringIO()
        self.now = 0.0  # the fake clock: each sleep advances it


class FakeBroker:
    def __init__(self, world, workdir):
        self.world, self.workdir = world, workdir
        self.ws_uri, self.mqtt_port = "ws://127.0.0.1:18080/mqtt", 11883

    def start(self):
        self.world.log.append("broker start")
        if self.world.broker_error:
            raise self.world.broker_error
        return self

    def stop(self):
        self.world.log.append("broker stop")


class FakeCluster:
    def __init__(self, world, workdir, size):
        self.world, self.workdir = world, workdir
        self.nodes = [FakeBroker(world, workdir) for _ in range(size)]
        for number, node in enumerate(self.nodes, start=1):
            node.ws_uri, node.mqtt_port, node.pid = f"ws://127.0.0.1:1808{number}/mqtt", 11880 + number, 900 + number

    @property
    def ws_uris(self):
        return [node.ws_uri for node in self.nodes]

    def start(self):
        self.world.log.append(f"cluster start {len(self.nodes)}")
        if self.world.broker_error:
            raise self.world.broker_error
        return self

    def stop(self):
        self.world.log.append("cluster stop")


class FakeSubscriber:
    kind = "subscribe"

    def __init__(self, world, host, port):
        self.world, self.host, self.port, self._messages = world, host, port, []
        if self.kind == "subscribe":
            world.subscriber = self

    def start(self):
        if self.world.subscribe_error:
            raise self.world.subscribe_error
        self.world.log.append(f"{self.kind} {self.host}:{self.port}")
        return self

    def stop(self):
        self.world.log.append(f"{self.kind} stop")

    def messages(self):
        if self.world.deliveries:
            self._messages.append(self.world.deliveries.pop(0))
        return list(self._messages)


class FakePresenceSubscriber(FakeSubscriber):
    """Gets every pending presence message at each poll: the devices' online and offline messages come in
    bursts, a whole fleet's at once."""

    kind = "presence"

    def messages(self):
        self._messages += self.world.presence_deliveries
        self.world.presence_deliveries.clear()
        return list(self._messages)


class FakeFleet:
    """An irrigation-fleet process that plays a script per device (one step per poll) and, like the real
    one, registers a device again after `<MAC> network down` + `<MAC> network up`; with world.broker_delivers
    each registration also reaches the subscriber."""

    def __init__(self, world, binary, args, log_path, script):
        self.world, self.binary, self.args, self.log_path = world, binary, args, log_path
        device_file = Path(args[args.index("--device-file") + 1])
        self.lines = device_file.read_text(encoding="utf-8").splitlines()
        self.macs = [urllib.parse.parse_qs(line)["mac"][0] for line in self.lines]
        self.first_index = int(args[args.index("--first-index") + 1])
        self.scripts = {
            mac: list(script.get(mac, ()) if isinstance(script, dict) else script) for mac in self.macs
        }
        self.events, self.running, self.returncode, self.exited = [], False, None, 0
        self.link_down = set()

    def start(self):
        self.world.log.append(f"fleet start {' '.join(self.macs)}")
        if self.world.fleet_start_error:
            raise self.world.fleet_start_error
        self.running = not self.world.fleet_dies_at_start
        self.returncode = None if self.running else 1
        return self

    @property
    def started_count(self):
        return 0 if self.world.fleet_dies_at_start else len(self.macs)

    def devices(self):
        return {
            mac: FleetDevice(mac, "127.0.0.1", "127.0.0.1", 20000 + self.first_index + i - 1)
            for i, mac in enumerate(self.macs)
        }

    def send(self, command):
        self.world.log.append(f"fleet <- {command}")
        mac, what = command.split(" ", 1)
        if what == "network down":
            self.link_down.add(mac)
        elif what == "network up" and mac in self.link_down:
            self.link_down.discard(mac)
            self.scripts[mac].append({"event": "registered", "msg_id": 2, "ip": "127.0.0.1"})

    def notable_events(self, since=0):
        for mac, steps in self.scripts.items():
            if not steps:
                continue
            step = steps.pop(0)
            if step == "exit":
                self.running, self.returncode = False, 1
            elif step:
                self.events.append({**step, "mac": mac})
                if step.get("event") == "registered" and getattr(self.world, "broker_delivers", False):
                    self.world.deliveries.append(Message(TOPIC, payload(mac)))
        return self.events[since:]

    @property
    def exited_count(self):
        return self.exited

    def stderr_tail(self):
        return "fleet: boom" if self.returncode else ""

    def request_stop(self):
        self.world.log.append("fleet stop")
        self.running = False
        self.exited = len(self.macs)
        self.world.presence_deliveries.extend(self.world.presence_on_stop)

    def stop(self, timeout=30.0):
        return 0


def backends(world, tmp_path, script=(), sleep=None, cpus=1, port_problem=None):
    workdir = tmp_path / "work"

    def advance(seconds):
        world.now += seconds

    def make_workdir():
        workdir.mkdir()
        return workdir

    def fleet_factory(binary, args, log_path):
        fleet = FakeFleet(world, binary, args, log_path, script)
        world.fleets.append(fleet)
        return fleet

    return Backends(
        broker_factory=lambda wd: FakeBroker(world, wd),
        cluster_factory=lambda wd, size: FakeCluster(world, wd, size),
        subscriber_factory=lambda host, port: FakeSubscriber(world, host, port),
        presence_subscriber_factory=lambda host, port: FakePresenceSubscriber(world, host, port),
        find_fleet=lambda root: Path("/opt/irrigation-fleet"),
        fleet_factory=fleet_factory,
        validate=lambda data: [] if json.loads(data).get("device_name") else ["device_name: required"],
        topic=lambda: TOPIC,
        sleep=sleep or advance,
        clock=lambda: world.now,
        cpus=lambda: cpus,
        fd_limit=lambda: 20000,
        port_problem=lambda port: port_problem,
        progress_stream=world.progress,
        make_workdir=make_workdir,
    )


def run(options, world, tmp_path, **kwargs):
    """Runs the loop with fakes; bounded: every run stops within 30 s of fake time (300 polls) at most."""
    if options.timeout_s is None:
        options = replace(options, timeout_s=30)
    lines = []
    code = run_simulation(options, ROOT, backends(world, tmp_path, **kwargs), say=lines.append)
    return code, lines


def device_lines(fleet):
    return [urllib.parse.parse_qs(line) for line in fleet.lines]


def one_device_lifecycle(broker_start, broker_stop):
    """What a one-device run does, in order: brokers, both subscribers, the fleet process, then the stops
    reversed."""
    return [
        broker_start, "subscribe 127.0.0.1:11883", "presence 127.0.0.1:11883", "fleet start 02:00:00:00:00:01",
        "fleet stop", "presence stop", "subscribe stop", broker_stop,
    ]


STOPS = ["fleet stop", "presence stop", "subscribe stop", "broker stop"]


def one_registration_run(tmp_path, options, broker_start, broker_stop):
    """A one-device run on local brokers that stops after the first registration, cleanly and in order;
    returns the world and the lines."""
    world = World()
    world.deliveries = [Message(TOPIC, payload())]
    code, lines = run(replace(options, count=1), world, tmp_path)
    assert code == 0
    assert world.log == one_device_lifecycle(broker_start, broker_stop)
    return world, lines


def test_default_run_uses_a_local_broker_and_stops_after_count(tmp_path):
    world, lines = one_registration_run(tmp_path, SimulateOptions(retry_initial_ms=500), "broker start", "broker stop")
    assert world.fleets[0].args == [
        "--broker", "ws://127.0.0.1:18080/mqtt", "--device-file", str(tmp_path / "work" / "devices-0.txt"),
        "--first-index", "1", "--retry-initial-ms", "500",
    ]
    assert world.fleets[0].lines == ["mac=02%3A00%3A00%3A00%3A00%3A01"]  # the defaults: no name, no port
    assert "simulate: device 02:00:00:00:00:01 up at 127.0.0.1, HTTP on http://127.0.0.1:20000" in lines
    assert any(line.startswith("registration 1 from 02:00:00:00:00:01") for line in lines)
    assert "  contract: OK (the central server would store it)" in lines
    assert not (tmp_path / "work").exists()  # the temporary directory is removed


def test_a_rejected_registration_is_shown_and_makes_the_exit_status_1(tmp_path):
    world = World()
    world.deliveries = [Message(TOPIC, payload(name=""))]
    code, lines = run(SimulateOptions(count=1), world, tmp_path)
    assert code == 1
    assert "  contract: REJECTED by the server's rules: device_name: required" in lines
    assert lines[-1] == "simulate: 1 registration(s) received, 0 passed the contract, 1 rejected"


def test_messages_on_other_topics_are_not_counted(tmp_path):
    world = World()
    world.deliveries = [Message("/other", b"{}"), Message(TOPIC, payload())]
    code, lines = run(SimulateOptions(count=1), world, tmp_path)
    assert code == 0
    assert sum(line.startswith("registration ") for line in lines) == 1


def test_a_fleet_of_devices_is_spread_over_one_process_per_core(tmp_path):
    world = World()
    world.deliveries = [Message(TOPIC, payload(f"02:00:00:00:00:0{i}", f"R-0{i}")) for i in (1, 2, 3)]
    code, _ = run(SimulateOptions(devices=3, name="R", count=3), world, tmp_path, cpus=2)
    assert code == 0
    assert [f.macs for f in world.fleets] == [["02:00:00:00:00:01", "02:00:00:00:00:02"], ["02:00:00:00:00:03"]]
    assert [f.first_index for f in world.fleets] == [1, 3]
    assert [d["name"] for f in world.fleets for d in device_lines(f)] == [["R-01"], ["R-02"], ["R-03"]]
    assert world.log.count("fleet stop") == 2


def test_processes_can_be_given(tmp_path):
    world = World()
    code, _ = run(SimulateOptions(devices=4, processes=4, timeout_s=1), world, tmp_path, cpus=1)
    assert code == 0
    assert [f.first_index for f in world.fleets] == [1, 2, 3, 4]


def test_a_base_http_port_counts_up_in_the_device_files(tmp_path):
    world = World()
    code, _ = run(SimulateOptions(devices=2, http_port=8081, timeout_s=1), world, tmp_path)
    assert code == 0
    assert [d["http_port"] for d in device_lines(world.fleets[0])] == [["8081"], ["8082"]]


def test_distinct_ips_serve_every_device_on_port_80(tmp_path):
    world = World()
    code, _ = run(SimulateOptions(devices=2, distinct_ips=True, timeout_s=1), world, tmp_path)
    assert code == 0
    args = world.fleets[0].args
    assert args[args.index("--distinct-ips") + 1 :][:2] == ["--http-port", "80"]
    assert all("http_port" not in d and "ip" not in d for d in device_lines(world.fleets[0]))


def test_distinct_ips_without_permission_for_port_80_stop_before_starting(tmp_path):
    world = World()
    with pytest.raises(ToolError) as error:
        run(SimulateOptions(distinct_ips=True), world, tmp_path, port_problem="port 80 needs root")
    assert error.value.code == 2 and "port 80 needs root" in error.value.message
    assert world.log == []


def test_distinct_ips_with_a_fallback_port_say_so_and_pass_it_on(tmp_path):
    world = World()
    code, lines = run(SimulateOptions(distinct_ips=True, http_fallback_port=8080, timeout_s=1), world, tmp_path,
                      port_problem="port 80 needs root")
    assert code == 0
    assert "simulate: port 80 needs root; devices serve on the fallback port 8080" in lines
    assert world.fleets[0].args[-2:] == ["--http-fallback-port", "8080"]


def test_distinct_ips_refuse_a_fleet_file_with_addresses(tmp_path):
    path = tmp_path / "fleet.yaml"
    path.write_text('- {mac: "02:00:00:00:00:07", name: A, ip: 10.0.0.7}\n', encoding="utf-8")
    with pytest.raises(ToolError, match="gives an ip to 02:00:00:00:00:07"):
        run(SimulateOptions(fleet=path, distinct_ips=True), World(), tmp_path)


def test_a_large_fleet_shows_progress_and_only_the_problems(tmp_path):
    world = World()
    world.broker_delivers = True
    registered = {"event": "registered", "msg_id": 1, "ip": "127.0.0.1"}
    warning = {"event": "notice", "level": "warning", "message": "mqtt error: transport (code 111)"}
    info = {"event": "notice", "level": "info", "message": "location_description: nothing stored"}
    script = {f"02:00:00:00:00:{i:02X}": [info, registered] for i in range(1, 26)}
    script["02:00:00:00:00:07"] = [warning, registered]
    code, lines = run(SimulateOptions(devices=25, count=25), world, tmp_path, script=script)
    assert code == 0
    assert not any(line.startswith("registration ") for line in lines)
    assert [line for line in lines if line.startswith("[")] == [
        '[02:00:00:00:00:07] notice level="warning" message="mqtt error: transport (code 111)"'
    ]
    progress = world.progress.getvalue().splitlines()
    assert [line.split(" [")[0] for line in progress] == ["starting ", "registered", "stopping "]
    assert progress[1].startswith("registered [##############################] 25/25 in ")


def test_ctrl_c_stops_everything_cleanly(tmp_path):
    world = World()

    def interrupt(seconds):
        raise KeyboardInterrupt

    code, lines = run(SimulateOptions(), world, tmp_path, sleep=interrupt)
    assert code == 0
    assert "simulate: interrupted (Ctrl-C or SIGTERM), stopping" in lines
    assert world.log[-4:] == STOPS


def test_external_broker_subscribes_on_the_uri_host_port_1883(tmp_path):
    world = World()
    world.deliveries = [Message(TOPIC, payload())]
    code, _ = run(SimulateOptions(brokers=("ws://broker.example:9001/mqtt",), count=1), world, tmp_path)
    assert code == 0
    assert world.log[0] == "subscribe broker.example:1883"
    assert world.fleets[0].args[:2] == ["--broker", "ws://broker.example:9001/mqtt"]
    assert "broker start" not in world.log


def test_external_broker_without_plain_mqtt_continues_with_device_events(tmp_path):
    world = World()
    world.subscribe_error = OSError("connection refused")
    script = [{"event": "registered", "msg_id": 1, "ip": "127.0.0.1"}]
    code, lines = run(SimulateOptions(brokers=("ws://127.0.0.1:9001/mqtt",), count=1), world, tmp_path,
                      script=script)
    assert code == 0
    assert any("cannot subscribe at mqtt://127.0.0.1:1883 (connection refused)" in line for line in lines)
    assert '[02:00:00:00:00:01] registered msg_id=1 ip="127.0.0.1"' in lines


def test_no_subscribe_counts_acknowledged_registrations(tmp_path):
    world = World()
    script = [None, {"event": "registered", "msg_id": 1, "ip": "127.0.0.1"}]
    code, lines = run(SimulateOptions(brokers=("ws://h:1/mqtt",), no_subscribe=True, count=1), world, tmp_path,
                      script=script)
    assert code == 0 and world.subscriber is None
    assert "devices reported 1 acknowledged registration(s)" in lines[-1]


def test_fleet_processes_that_exit_end_the_run_with_status_1(tmp_path):
    world = World()
    code, lines = run(SimulateOptions(), world, tmp_path, script=["exit"])
    assert code == 1
    assert "simulate: fleet process 1 exited with status 1" in lines
    assert "fleet: boom" in lines


def test_a_fleet_process_that_dies_at_start_is_reported(tmp_path):
    world = World()
    world.fleet_dies_at_start = True
    code, lines = run(SimulateOptions(count=1), world, tmp_path)
    assert code == 1
    assert "simulate: only 0 of 1 device(s) started: a fleet process exited with status 1" in lines
    assert "fleet: boom" in lines
    assert world.log[-3:] == ["presence stop", "subscribe stop", "broker stop"]


def test_count_beyond_the_devices_reconnects_a_device_for_another_registration(tmp_path):
    world = World()
    world.broker_delivers = True
    script = [{"event": "registered", "msg_id": 1, "ip": "127.0.0.1"}]
    code, lines = run(SimulateOptions(count=2, timeout_s=5), world, tmp_path, script=script)
    assert code == 0
    assert world.log[world.log.index("fleet start 02:00:00:00:00:01") + 1:] == [
        "fleet <- 02:00:00:00:00:01 network down", "fleet <- 02:00:00:00:00:01 network up",
        *STOPS,
    ]
    assert "simulate: reconnecting 02:00:00:00:00:01 for another registration" in lines
    assert sum(line.startswith("registration ") for line in lines) == 2


def test_device_acknowledgements_alone_also_drive_the_reconnection(tmp_path):
    world = World()
    script = [{"event": "registered", "msg_id": 1, "ip": "127.0.0.1"}]
    options = SimulateOptions(brokers=("ws://h:1/mqtt",), no_subscribe=True, count=2, timeout_s=5)
    code, lines = run(options, world, tmp_path, script=script)
    assert code == 0
    assert "devices reported 2 acknowledged registration(s)" in lines[-1]


REGISTERED = {"event": "registered", "msg_id": 1, "ip": "127.0.0.1"}


@pytest.mark.parametrize(
    "script",
    [
        # device 2 registers two polls after device 1: it still owes its registration when device 1 does
        {"02:00:00:00:00:01": [REGISTERED], "02:00:00:00:00:02": [None, None, REGISTERED]},
        # both register in the same poll: device 1, already reconnecting, owes the third one
        {"02:00:00:00:00:01": [REGISTERED], "02:00:00:00:00:02": [REGISTERED]},
    ],
    ids=["staggered", "together"],
)
def test_only_as_many_reconnections_as_registrations_are_missing(tmp_path, script):
    world = World()
    world.broker_delivers = True
    code, _ = run(SimulateOptions(devices=2, count=3, timeout_s=5), world, tmp_path, script=script)
    assert code == 0
    assert [line for line in world.log if "<- " in line] == [
        "fleet <- 02:00:00:00:00:01 network down", "fleet <- 02:00:00:00:00:01 network up",
    ]


def test_count_not_reached_within_the_timeout_stops_with_status_1(tmp_path):
    world = World()  # the device never registers
    code, lines = run(SimulateOptions(count=2, timeout_s=3), world, tmp_path)
    assert code == 1
    assert "simulate: only 0 of 2 registration(s) within 3 s" in lines
    assert world.now == pytest.approx(3.0)
    assert world.log[-4:] == STOPS


def test_timeout_without_count_ends_the_run_normally(tmp_path):
    world = World()
    code, lines = run(SimulateOptions(timeout_s=2), world, tmp_path)
    assert code == 0
    assert "simulate: stopped after 2 s (--timeout-s)" in lines


def test_count_waits_120_s_unless_told_otherwise():
    assert effective_timeout(SimulateOptions(count=1)) == 120
    assert effective_timeout(SimulateOptions(count=1, timeout_s=7.5)) == 7.5
    assert effective_timeout(SimulateOptions()) is None


def test_a_broker_that_fails_to_start_is_still_stopped(tmp_path):
    world = World()
    world.broker_error = OSError("port in use")
    with pytest.raises(ToolError, match="cannot start the local nats-server: port in use"):
        run(SimulateOptions(count=1), world, tmp_path)
    assert world.log == ["broker start", "broker stop"]


def test_a_fleet_process_that_fails_to_start_is_still_stopped(tmp_path):
    world = World()
    world.fleet_start_error = OSError("exec format error")
    with pytest.raises(ToolError, match="cannot start /opt/irrigation-fleet: exec format error"):
        run(SimulateOptions(count=1), world, tmp_path)
    assert world.log == [
        "broker start", "subscribe 127.0.0.1:11883", "presence 127.0.0.1:11883", "fleet start 02:00:00:00:00:01",
        "presence stop", "subscribe stop", "broker stop",
    ]


def test_a_missing_fleet_binary_is_one_clear_error(tmp_path):
    world = World()
    b = backends(world, tmp_path)
    b.find_fleet = lambda root: (_ for _ in ()).throw(RuntimeError("cmake failed"))
    with pytest.raises(ToolError, match="no fleet binary: cmake failed"):
        run_simulation(SimulateOptions(), ROOT, b, say=lambda line: None)
    assert world.log == [
        "broker start", "subscribe 127.0.0.1:11883", "presence 127.0.0.1:11883", "presence stop", "subscribe stop",
        "broker stop",
    ]


def test_progress_on_a_terminal_redraws_one_line():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream, now = Terminal(), [0.0]
    progress = Progress("starting ", 4, stream, lambda: now[0])
    for done in range(5):
        now[0] += 0.2
        progress.update(done)
    progress.finish()
    text = stream.getvalue()
    assert text.count("\r") == 6 and text.endswith("starting  [##############################] 4/4 in 1.0 s\n")
    assert "\rstarting  [###############---------------] 2/4" in text


@pytest.mark.parametrize(
    "options, message",
    [
        (SimulateOptions(devices=2, fleet=Path("f.yaml")), "--fleet and --devices"),
        (SimulateOptions(fleet=Path("f.yaml"), name="A"), "not used with --fleet"),
        (SimulateOptions(count=-1), "--count -1"),
        (SimulateOptions(count=1, timeout_s=-2), "--timeout-s -2"),
        (SimulateOptions(retry_initial_ms=-5), "--retry-initial-ms -5"),
        (SimulateOptions(brokers=("mqtt://h:1883",)), "expected ws://host[:port][/path]"),
        (SimulateOptions(brokers=("ws://h/mqtt", "tcp://h:1")), "--broker tcp://h:1: expected ws://"),
        (SimulateOptions(subscribe_port=1884), "only with --broker"),
        (SimulateOptions(http_fallback_port=8080), "only with --distinct-ips"),
        (SimulateOptions(distinct_ips=True, http_fallback_port=70000), "--http-fallback-port 70000"),
        (SimulateOptions(processes=0), "--processes 0"),
        (SimulateOptions(brokers=("ws://h/mqtt",), subscribe_port=70000), "--subscribe-port 70000"),
        (SimulateOptions(brokers=("ws://h/mqtt",), cluster=3), "--cluster and --broker"),
        (SimulateOptions(cluster=1), "--cluster 1: a local cluster has 2 to 5 nodes"),
        (SimulateOptions(cluster=6), "--cluster 6"),
    ],
)
def test_option_errors(options, message):
    with pytest.raises(ToolError) as error:
        check_options(options)
    assert error.value.code == 2 and message in error.value.message


def test_subscribe_endpoint_overrides():
    options = SimulateOptions(brokers=("ws://10.0.0.5:8080/mqtt",), subscribe_host="10.0.0.6", subscribe_port=11883)
    assert subscribe_endpoint(options) == ("10.0.0.6", 11883)
    assert subscribe_endpoint(SimulateOptions(brokers=("ws://10.0.0.5:8080/mqtt",))) == ("10.0.0.5", 1883)
    assert subscribe_endpoint(SimulateOptions(brokers=("wss://a:1/mqtt", "ws://b:2/mqtt"))) == ("a", 1883)
    assert subscribe_endpoint(SimulateOptions(brokers=("ws://h/mqtt",), no_subscribe=True)) is None


def test_cluster_starts_its_nodes_gives_each_device_the_list_and_subscribes_on_the_last_node(tmp_path):
    world, lines = one_registration_run(tmp_path, SimulateOptions(cluster=3), "cluster start 3", "cluster stop")
    assert world.fleets[0].args[:6] == [
        "--broker", "ws://127.0.0.1:18081/mqtt", "--broker", "ws://127.0.0.1:18082/mqtt",
        "--broker", "ws://127.0.0.1:18083/mqtt",
    ]
    assert (
        "simulate: NATS node 2: ws://127.0.0.1:18082/mqtt (MQTT over WebSocket), mqtt://127.0.0.1:11882, pid 902"
        in lines
    )


def test_a_cluster_that_fails_to_start_is_still_stopped(tmp_path):
    world = World()
    world.broker_error = OSError("no meta leader")
    with pytest.raises(ToolError, match="cannot start the local NATS cluster: no meta leader"):
        run(SimulateOptions(cluster=3, count=1), world, tmp_path)
    assert world.log == ["cluster start 3", "cluster stop"]


def test_several_brokers_reach_every_fleet_process_in_order(tmp_path):
    world = World()
    world.deliveries = [Message(TOPIC, payload())]
    brokers = ("wss://a.example:443/mqtt", "ws://b.example:8080/mqtt")
    code, lines = run(SimulateOptions(brokers=brokers, devices=3, count=1), world, tmp_path, cpus=2)
    assert code == 0
    assert [f.args[:4] for f in world.fleets] == [["--broker", brokers[0], "--broker", brokers[1]]] * 2
    assert world.log[0] == "subscribe a.example:1883"
    assert "simulate: using broker(s) wss://a.example:443/mqtt, ws://b.example:8080/mqtt" in lines


def test_a_cluster_works_with_the_fleet_options(tmp_path):
    world = World()
    options = SimulateOptions(cluster=3, devices=4, processes=2, distinct_ips=True, http_fallback_port=8080,
                              timeout_s=1)
    code, _ = run(options, world, tmp_path, port_problem="port 80 needs root")
    assert code == 0
    assert [f.first_index for f in world.fleets] == [1, 3]
    for fleet in world.fleets:
        assert fleet.args[:6:2] == ["--broker"] * 3
        assert fleet.args[-2:] == ["--http-fallback-port", "8080"] and "--distinct-ips" in fleet.args


STATUS_TOPIC = "/liwaisi/iot/smart-irrigation/device/020000000001/status"


def presence_message(status="online", retain=False, mac="02:00:00:00:00:01"):
    document = {"mac_address": mac, "status": status, "ip_address": "127.0.0.1"}
    topic = STATUS_TOPIC.replace("020000000001", mac.replace(":", ""))
    return Message(topic, json.dumps(document, separators=(",", ":")).encode(), retain=retain)


def presence_lines(lines):
    return [line.split(" (")[0] for line in lines if line.startswith("presence ")]


def test_presence_messages_from_the_broker_are_shown_online_and_offline(tmp_path):
    world = World()
    world.presence_deliveries = [presence_message("online"), presence_message("offline", retain=True)]
    code, lines = run(SimulateOptions(timeout_s=1), world, tmp_path)
    assert code == 0
    shown = [line for line in lines if line.startswith("presence ")]
    assert shown == [
        f"presence 02:00:00:00:00:01 online (live, QoS 1) on {STATUS_TOPIC}: "
        '{"mac_address":"02:00:00:00:00:01","status":"online","ip_address":"127.0.0.1"}',
        f"presence 02:00:00:00:00:01 offline (retained, QoS 1) on {STATUS_TOPIC}: "
        '{"mac_address":"02:00:00:00:00:01","status":"offline","ip_address":"127.0.0.1"}',
    ]
    assert lines[-1].endswith("; 2 presence message(s), 0 invalid")


def test_offline_messages_after_the_stop_are_shown_before_the_subscriber_stops(tmp_path):
    world = World()
    world.deliveries = [Message(TOPIC, payload())]
    world.presence_deliveries = [presence_message("online")]
    world.presence_on_stop = [presence_message("offline")]
    code, lines = run(SimulateOptions(count=1), world, tmp_path)
    assert code == 0
    assert presence_lines(lines) == ["presence 02:00:00:00:00:01 online", "presence 02:00:00:00:00:01 offline"]
    assert world.log[-4:] == STOPS


def test_waiting_for_offline_messages_is_bounded(tmp_path):
    world = World()
    world.presence_deliveries = [presence_message("online")]
    code, lines = run(SimulateOptions(timeout_s=1), world, tmp_path)  # no offline ever comes
    assert code == 0
    assert 1.0 + OFFLINE_WAIT_S <= world.now <= 1.0 + OFFLINE_WAIT_S + 0.2  # one poll interval of float sums


@pytest.mark.parametrize("during_the_run", [True, False], ids=["during-the-run", "offline-after-the-stop"])
def test_an_invalid_presence_message_makes_the_exit_status_1(tmp_path, during_the_run):
    world = World()
    world.deliveries = [Message(TOPIC, payload())]
    if during_the_run:
        world.presence_deliveries = [presence_message("away")]
    else:  # the exit status is settled only once the offline messages of the stop are in
        world.presence_deliveries = [presence_message("online")]
        world.presence_on_stop = [presence_message("away")]
    code, lines = run(SimulateOptions(count=1), world, tmp_path)
    assert code == 1
    assert "  presence: INVALID: status: 'away' is not one of ('online', 'offline')" in lines


def test_a_large_fleet_shows_only_the_invalid_presence_messages(tmp_path):
    world = World()
    macs = [f"02:00:00:00:00:{i:02X}" for i in range(1, 26)]
    world.presence_deliveries = [presence_message("online", mac=mac) for mac in macs]
    world.presence_deliveries[4] = presence_message("away", mac=macs[4])
    world.presence_on_stop = [presence_message("offline", mac=mac) for mac in macs]
    code, lines = run(SimulateOptions(devices=25, timeout_s=3), world, tmp_path)
    assert code == 1
    assert presence_lines(lines) == ["presence 02:00:00:00:00:05 away"]
    assert lines[-1].endswith("; 50 presence message(s), 1 invalid")


def test_the_devices_presence_and_connect_events_are_shown(tmp_path):
    world = World()
    script = [
        {"event": "connect_attempt", "attempt": 1, "broker": 0, "uri": "ws://127.0.0.1:18080/mqtt"},
        {"event": "presence", "status": "online", "msg_id": 2, "topic": STATUS_TOPIC},
        {"event": "shut_down"},
    ]
    code, lines = run(SimulateOptions(timeout_s=1), world, tmp_path, script=script)
    assert code == 0
    assert '[02:00:00:00:00:01] connect_attempt attempt=1 broker=0 uri="ws://127.0.0.1:18080/mqtt"' in lines
    assert f'[02:00:00:00:00:01] presence status="online" msg_id=2 topic="{STATUS_TOPIC}"' in lines
    assert "[02:00:00:00:00:01] shut_down" in lines


def _invoke_simulate(monkeypatch, *argv):
    """The SimulateOptions `invoke simulate <argv>` builds (the run itself replaced)."""
    sys.path.insert(0, str(ROOT))
    try:
        import tasks
    finally:
        sys.path.remove(str(ROOT))
    seen = []
    monkeypatch.setattr(tasks._simulate, "run_simulation", lambda options, root: seen.append(options) or 0)
    Program(namespace=Collection.from_module(tasks)).run(["invoke", "simulate", *argv], exit=False)
    assert len(seen) == 1
    return seen[0]


def test_invoke_simulate_takes_several_brokers_in_order(monkeypatch):
    options = _invoke_simulate(monkeypatch, "--broker", "ws://a:1/mqtt", "--broker", "wss://b:2/mqtt")
    assert options.brokers == ("ws://a:1/mqtt", "wss://b:2/mqtt")
    assert options.cluster == 0


def test_invoke_simulate_takes_a_cluster_size(monkeypatch):
    options = _invoke_simulate(monkeypatch, "--cluster", "3", "--count", "2")
    assert (options.brokers, options.cluster, options.count) == ((), 3, 2)


def test_invoke_simulate_takes_the_fleet_options_with_a_cluster(monkeypatch):
    options = _invoke_simulate(monkeypatch, "--cluster", "3", "--devices", "40", "--distinct-ips",
                               "--http-fallback-port", "8080", "--processes", "2")
    assert (options.cluster, options.devices, options.distinct_ips) == (3, 40, True)
    assert (options.http_fallback_port, options.processes) == (8080, 2)


def _real_fleet():
    from irrigation_tools.fleet_process import FLEET_RELATIVE_PATH

    binary = Path(os.environ.get("IRRIGATION_FLEET", ROOT / FLEET_RELATIVE_PATH))
    return binary if binary.is_file() and os.access(binary, os.X_OK) else None


def real_run(test):
    """Skips a test of the real run loop when irrigation-fleet is not built or nats-server is missing."""
    test = pytest.mark.skipif(
        not (shutil.which("nats-server") or Path("/usr/sbin/nats-server").exists()), reason="nats-server missing"
    )(test)
    return pytest.mark.skipif(_real_fleet() is None, reason="irrigation-fleet not built (nox -s host_tests builds it)")(
        test
    )


def real_lines(**options):
    """The lines of a real run on local brokers with fast retries; asserts it ended with status 0."""
    lines = []
    code = run_simulation(SimulateOptions(retry_initial_ms=200, timeout_s=60, **options), ROOT, say=lines.append)
    assert code == 0, "\n".join(lines)
    return lines


@real_run
def test_real_run_against_a_local_nats_server(tmp_path):
    lines = real_lines(devices=2, name="Prueba", location="Banco de pruebas", count=2)
    registrations = [line for line in lines if line.startswith("registration ")]
    assert len(registrations) == 2
    assert {json.loads(line.split(": ", 1)[1])["mac_address"] for line in registrations} == {
        "02:00:00:00:00:01", "02:00:00:00:00:02",
    }
    assert lines.count("  contract: OK (the central server would store it)") == 2
    names = {json.loads(line.split(": ", 1)[1])["device_name"] for line in registrations}
    assert names == {"Prueba-01", "Prueba-02"}


@real_run
def test_real_single_device_registers_again_until_the_count_is_reached(tmp_path):
    lines = real_lines(devices=1, count=2)
    assert "simulate: reconnecting 02:00:00:00:00:01 for another registration" in lines
    assert lines.count("  contract: OK (the central server would store it)") == 2


@real_run
def test_real_cluster_run_registers_and_shows_the_device_online_then_offline(tmp_path):
    lines = real_lines(cluster=3, count=1)
    assert sum(line.startswith("simulate: NATS node ") for line in lines) == 3
    assert lines.count("  contract: OK (the central server would store it)") == 1
    assert presence_lines(lines) == [
        "presence 02:00:00:00:00:01 online", "presence 02:00:00:00:00:01 offline"
    ], "\n".join(lines)
    # The device's own events come through its fleet process: its first attempt goes to node 1 of the list.
    node_1 = next(line for line in lines if line.startswith("simulate: NATS node 1: ")).split()[4]
    assert f'[02:00:00:00:00:01] connect_attempt attempt=1 broker=0 uri="{node_1}"' in lines, "\n".join(lines)
