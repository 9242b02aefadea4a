"""FleetProcess against a stand-in irrigation-fleet: a small Python program speaking the same stdin/stdout
protocol (JSON lines with each device's "mac", `quit`, `<MAC> <command>`)."""

import os
import stat
import sys
import textwrap
import time
import urllib.parse
from pathlib import Path

import pytest

from irrigation_tools.fleet import generate, write_device_file
from irrigation_tools.fleet_process import FleetDevice, FleetProcess
from irrigation_tools.sim_process import SimulatorError

FAKE_FLEET = textwrap.dedent(
    r'''
    import json, signal, sys, time, urllib.parse

    T0 = time.monotonic()
    args = sys.argv[1:]
    mode = args[args.index("--mode") + 1] if "--mode" in args else "normal"
    lines = open(args[args.index("--device-file") + 1]).read().splitlines()
    macs = [urllib.parse.parse_qs(line)["mac"][0] for line in lines]

    def emit(name, **fields):
        line = {"event": name, "t_ms": int((time.monotonic() - T0) * 1000)}
        line.update(fields)
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()

    if mode == "deaf":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    for number, mac in enumerate(macs, start=2):
        emit("started", mac=mac, ip=f"127.0.0.{number}", client_id="x", http_address=f"127.0.0.{number}",
             http_port=8080)
        emit("state", mac=mac, **{"from": "waiting", "to": "connecting"})
    print("not JSON", flush=True)
    emit("fleet_started", devices=len(macs))
    if mode == "die":
        sys.exit(3)
    for mac in macs:
        emit("notice", mac=mac, level="info", message="location_description: nothing stored")
        emit("registered", mac=mac, msg_id=1, ip="127.0.0.2")
    emit("fleet_registered", devices=len(macs))
    for line in sys.stdin:
        command = line.strip()
        if command == "quit" and mode == "normal":
            for mac in macs:
                emit("exit", mac=mac, code=0, reason="quit")
            emit("fleet_exit", code=0, devices=len(macs))
            sys.exit(0)
        mac, _, what = command.partition(" ")
        if what == "network up":
            emit("registered", mac=mac, msg_id=2, ip="127.0.0.2")
    time.sleep(60)
    '''
)


def write_fake_fleet(directory: Path) -> Path:
    """The stand-in as an executable file (what FleetProcess runs as its binary)."""
    path = directory / "fake-irrigation-fleet"
    path.write_text(f"#!{sys.executable}\n{FAKE_FLEET}")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def fake_fleet(tmp_path):
    binary = write_fake_fleet(tmp_path)
    device_file = tmp_path / "devices.txt"
    write_device_file(device_file, generate(3, name="R"))
    started = []

    def make(mode="normal"):
        process = FleetProcess(binary, ["--device-file", str(device_file), "--mode", mode],
                               stderr_path=tmp_path / f"fleet-{len(started)}.err")
        started.append(process)
        return process.start()

    yield make
    for process in started:
        process.stop(timeout=2.0)


MACS = ["02:00:00:00:00:01", "02:00:00:00:00:02", "02:00:00:00:00:03"]


def test_devices_registrations_and_fleet_events_are_tracked(fake_fleet):
    fleet = fake_fleet()
    registered = fleet.wait_fleet_event("fleet_registered", timeout=10.0)
    assert registered["devices"] == 3 and isinstance(registered["_received"], float)
    assert fleet.devices()["02:00:00:00:00:02"] == FleetDevice("02:00:00:00:00:02", "127.0.0.3", "127.0.0.3", 8080)
    assert fleet.started_count == 3
    assert fleet.registered_macs() == set(MACS)
    assert fleet.registrations == 3


def test_only_notable_events_are_kept_in_order(fake_fleet):
    fleet = fake_fleet()
    fleet.wait_fleet_event("fleet_registered", timeout=10.0)
    events = fleet.notable_events()
    assert [e["event"] for e in events] == ["notice", "registered"] * 3  # no state lines
    assert [e["mac"] for e in events[::2]] == MACS
    assert fleet.notable_events(since=5) == events[5:]


def test_a_device_command_goes_to_the_process(fake_fleet):
    fleet = fake_fleet()
    fleet.wait_fleet_event("fleet_registered", timeout=10.0)
    fleet.send("02:00:00:00:00:02 network up")
    deadline = time.monotonic() + 10
    while fleet.registrations < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert fleet.registrations == 4
    assert fleet.registered_macs() == set(MACS)


def test_stop_sends_quit_and_counts_the_devices_exit_lines(fake_fleet):
    fleet = fake_fleet()
    fleet.wait_fleet_event("fleet_registered", timeout=10.0)
    assert fleet.stop() == 0
    assert fleet.exited_count == 3
    assert fleet.fleet_event("fleet_exit")["devices"] == 3
    with pytest.raises(SimulatorError, match="is gone"):
        fleet.send("status")


def test_a_process_that_ignores_quit_and_sigterm_is_killed(fake_fleet):
    fleet = fake_fleet("deaf")
    fleet.wait_fleet_event("fleet_registered", timeout=10.0)
    assert fleet.stop(timeout=0.5) == -9


def test_waiting_for_an_event_that_never_comes_says_why(fake_fleet):
    fleet = fake_fleet("die")
    with pytest.raises(SimulatorError, match=r"no 'fleet_registered' event: the fleet's output ended .*3 devices"):
        fleet.wait_fleet_event("fleet_registered", timeout=10.0)
    assert fleet.wait_exit() == 3


def test_waiting_is_bounded(fake_fleet):
    fleet = fake_fleet()
    with pytest.raises(SimulatorError, match="no 'fleet_exit' event: 0.3 s passed"):
        fleet.wait_fleet_event("fleet_exit", timeout=0.3)


def test_the_device_file_the_fake_reads_is_the_tools_format(tmp_path):
    path = tmp_path / "d.txt"
    write_device_file(path, generate(2))
    assert [urllib.parse.parse_qs(line)["mac"] for line in path.read_text().splitlines()] == [[MACS[0]], [MACS[1]]]
    assert os.access(write_fake_fleet(tmp_path), os.X_OK)
