"""The fleet engine (irrigation-fleet, docs/fleet.md): many devices in one process, each one reachable the
way the central server reaches a device: at the address it reports in its registration.

The central server checks a device with GET http://<ip_address of its registration>/whoami (port 80); here
every fleet device must answer that with its own identity, and the registration NATS delivered for it must
carry that same address.
"""

from __future__ import annotations

import json
import resource
import socket
import subprocess
import urllib.request
from pathlib import Path
from typing import Optional

import pytest

from e2e_support import REGISTER_TIMEOUT_S, RETRY_INITIAL_MS, accepted, wait_until
from irrigation_tools.brokers import free_port
from irrigation_tools.fleet import distinct_ip, generated_mac, privileged_port_problem
from irrigation_tools.fleet_process import FleetProcess, find_or_build_fleet
from irrigation_tools.sim_process import SimulatorError

REPO_ROOT = Path(__file__).resolve().parents[2]
FLEET_DEVICES = 50
# Far from the first fleet numbers (127.0.0.2 ...), which `invoke simulate --distinct-ips` would use.
PORT_80_FIRST_INDEX = 60_001


@pytest.fixture(scope="session")
def fleet_binary():
    try:
        return find_or_build_fleet(REPO_ROOT)
    except SimulatorError as exc:
        pytest.fail(f"irrigation-fleet is not available: {exc}", pytrace=False)


@pytest.fixture
def fleet(fleet_binary, tmp_path):
    """fleet(broker_uri, *options): a started irrigation-fleet, stopped at teardown."""
    started: list[FleetProcess] = []

    def make(broker_uri: str, *options: str) -> FleetProcess:
        process = FleetProcess(
            fleet_binary,
            ["--broker", broker_uri, "--retry-initial-ms", str(RETRY_INITIAL_MS), *options],
            stderr_path=tmp_path / f"fleet-{len(started)}.stderr",
        )
        started.append(process)
        return process.start()

    yield make
    for process in started:
        process.stop()


def http_get_json(host: str, port: Optional[int], path: str) -> dict:
    url = f"http://{host}{'' if port is None else f':{port}'}{path}"
    with urllib.request.urlopen(url, timeout=5.0) as response:
        assert response.status == 200, f"{url} answered {response.status}"
        return json.loads(response.read().decode("utf-8"))


def registrations_by_mac(subscriber, count: int) -> dict[str, dict]:
    """The first `count` registrations, decoded (each one checked against the consumer's rules), by MAC."""
    wait_until(lambda: subscriber.count() >= count, timeout=REGISTER_TIMEOUT_S, what=f"{count} registrations")
    found: dict[str, dict] = {}
    for message in subscriber.messages():
        document = accepted(message)
        found.setdefault(document["mac_address"], document)
    return found


def test_every_device_answers_whoami_at_the_address_its_registration_reports(nats, subscriber, fleet):
    port = free_port()  # one port on every device's own loopback address
    process = fleet(nats.ws_uri, "--devices", str(FLEET_DEVICES), "--distinct-ips", "--http-port", str(port))
    process.wait_fleet_event("fleet_registered", timeout=60.0)
    devices = process.devices()
    assert sorted(devices) == sorted(generated_mac(n) for n in range(1, FLEET_DEVICES + 1))
    registrations = registrations_by_mac(subscriber, FLEET_DEVICES)
    assert set(registrations) == set(devices)

    for number in range(1, FLEET_DEVICES + 1):
        mac = generated_mac(number)
        device = devices[mac]
        assert device.ip == distinct_ip(number) == device.http_address
        assert registrations[mac]["ip_address"] == device.ip
        # What the central server does with the registration: GET http://<ip_address>/whoami.
        identity = http_get_json(registrations[mac]["ip_address"], device.http_port, "/whoami")
        assert identity["mac_address"] == mac
        assert identity["ip_address"] == device.ip
        assert identity["device_name"] == registrations[mac]["device_name"] == f"ESP32-Riego-{number:02d}"
    assert len({d.ip for d in devices.values()}) == FLEET_DEVICES


def _port_80_problem() -> Optional[str]:
    problem = privileged_port_problem(80)
    if problem:
        return problem
    address = distinct_ip(PORT_80_FIRST_INDEX)
    with socket.socket() as probe:
        # As the fleet binds: connections of an earlier run in TIME_WAIT do not count, a listener does.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((address, 80))
        except OSError as exc:
            return f"{address}:80 cannot be bound here ({exc})"
    return None


def test_on_port_80_the_servers_own_url_reaches_each_device(nats, subscriber, fleet):
    problem = _port_80_problem()
    if problem:
        pytest.skip(problem)
    process = fleet(nats.ws_uri, "--devices", "3", "--first-index", str(PORT_80_FIRST_INDEX), "--distinct-ips")
    process.wait_fleet_event("fleet_registered", timeout=30.0)
    registrations = registrations_by_mac(subscriber, 3)
    for mac, device in process.devices().items():
        assert device.http_port == 80
        ip = registrations[mac]["ip_address"]
        assert http_get_json(ip, None, "/whoami")["mac_address"] == mac  # http://<ip>/whoami, no port


def test_without_distinct_ips_each_device_has_a_port_of_its_own(nats, subscriber, fleet):
    process = fleet(nats.ws_uri, "--devices", "5")
    process.wait_fleet_event("fleet_registered", timeout=30.0)
    registrations = registrations_by_mac(subscriber, 5)
    devices = process.devices()
    assert len({d.http_port for d in devices.values()}) == 5
    for mac, device in devices.items():
        assert registrations[mac]["ip_address"] == device.ip == "127.0.0.1"
        assert http_get_json(device.http_address, device.http_port, "/whoami")["mac_address"] == mac


def test_a_control_command_reaches_only_its_device(nats, subscriber, fleet):
    process = fleet(nats.ws_uri, "--devices", "3", "--distinct-ips", "--http-port", str(free_port()))
    process.wait_fleet_event("fleet_registered", timeout=30.0)
    registrations_by_mac(subscriber, 3)
    mark = subscriber.count()
    mac = generated_mac(2)
    process.send(f"{mac} ip 10.20.30.40")
    message = subscriber.wait_for(timeout=REGISTER_TIMEOUT_S, since=mark)
    document = accepted(message)
    assert (document["mac_address"], document["ip_address"]) == (mac, "10.20.30.40")
    # The device moved; the others did not register again.
    wait_until(lambda: process.registrations >= 4, what="the device's acknowledgement")
    assert [json.loads(m.payload)["mac_address"] for m in subscriber.messages()[mark:]] == [mac]


def test_quit_stops_every_device_and_the_process(nats, subscriber, fleet):
    process = fleet(nats.ws_uri, "--devices", "20", "--distinct-ips", "--http-port", str(free_port()))
    process.wait_fleet_event("fleet_registered", timeout=30.0)
    assert process.stop(timeout=10.0) == 0
    assert process.exited_count == 20
    assert process.fleet_event("fleet_exit")["devices"] == 20


def test_a_bad_device_file_line_is_named_and_nothing_starts(fleet_binary, tmp_path):
    device_file = tmp_path / "devices.txt"
    device_file.write_text("mac=02%3A00%3A00%3A00%3A00%3A01&name=A\n\nmac=02%3A00%3A00%3A00%3A00%3A02&ip=1.2.3\n")
    result = subprocess.run([str(fleet_binary), "--device-file", str(device_file)], capture_output=True,
                            text=True, timeout=10, stdin=subprocess.DEVNULL)
    assert result.returncode == 2
    assert f"--device-file {device_file}:3: ip: IPv4 address is not a dotted quad" in result.stderr
    assert result.stdout == ""


def _hard_fd_limit(limit: int):
    return lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))


def test_too_few_file_descriptors_is_one_message_with_the_fix(fleet_binary, nats):
    result = subprocess.run([str(fleet_binary), "--broker", nats.ws_uri, "--devices", "1000"], capture_output=True,
                            text=True, timeout=10, stdin=subprocess.DEVNULL, preexec_fn=_hard_fd_limit(512))
    assert result.returncode == 1
    assert "1000 devices need about 2128 open files, but this process may open only 512" in result.stderr
    assert "ulimit -Hn" in result.stderr
    assert result.stdout == ""
