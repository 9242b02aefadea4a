"""Fleets of simulated devices: generated ones and YAML files, with every bad entry reported."""

import pytest

import urllib.parse
from pathlib import Path

from irrigation_tools.fleet import (
    MAX_DEVICES,
    Device,
    FleetError,
    devices_per_process_limit,
    distinct_ip,
    generate,
    generated_mac,
    load_fleet,
    parse_fleet,
    plan_processes,
    privileged_port_problem,
    write_device_file,
)


def test_generated_macs_count_up_from_02_00_00_00_00_01():
    assert [generated_mac(i) for i in (1, 2, 255, 256)] == [
        "02:00:00:00:00:01", "02:00:00:00:00:02", "02:00:00:00:00:FF", "02:00:00:00:01:00",
    ]


def test_a_fleet_of_n_has_distinct_macs_names_and_free_http_ports():
    devices = generate(3, name="Riego", location="Finca")
    assert [d.mac for d in devices] == ["02:00:00:00:00:01", "02:00:00:00:00:02", "02:00:00:00:00:03"]
    assert [d.name for d in devices] == ["Riego-01", "Riego-02", "Riego-03"]
    assert {d.location for d in devices} == {"Finca"}
    assert {d.http_port for d in devices} == {0}


def test_generated_names_default_to_the_firmware_default_prefix():
    assert [d.name for d in generate(2)] == ["ESP32-Riego-01", "ESP32-Riego-02"]


def test_a_single_device_keeps_the_given_name_or_the_simulator_default():
    assert generate(1, name="Norte")[0].name == "Norte"
    assert generate(1)[0].name is None


def test_a_base_http_port_counts_up():
    assert [d.http_port for d in generate(3, http_port=8081)] == [8081, 8082, 8083]


@pytest.mark.parametrize("count", [0, -1, MAX_DEVICES + 1])
def test_device_count_out_of_range_is_an_error(count):
    with pytest.raises(FleetError, match="--devices"):
        generate(count)


def test_ten_thousand_devices_get_distinct_macs_and_names():
    devices = generate(10_000, name="R")
    assert len({d.mac for d in devices}) == 10_000
    assert devices[-1].mac == "02:00:00:00:27:10"
    assert devices[-1].name == "R-10000"


def test_over_long_generated_name_is_an_error():
    with pytest.raises(FleetError, match="name: 101 bytes"):
        generate(2, name="x" * 98)


def test_simulator_args_of_a_device():
    device = Device(mac="02:00:00:00:00:07", name="Sur", location="Lote 3", ip="10.0.0.7", http_port=0)
    assert device.simulator_args() == [
        "--mac", "02:00:00:00:00:07", "--http-port", "0", "--name", "Sur", "--location", "Lote 3", "--ip", "10.0.0.7",
    ]


GOOD = """
- mac: "aa:bb:cc:dd:ee:01"
  name: Riego Norte
  location: Invernadero "Los Álamos"
  ip: 192.168.1.50
- mac: "AA:BB:CC:DD:EE:02"
  name: Riego Sur
  http_port: 8090
"""


def test_a_valid_fleet_file_is_parsed_with_macs_upper_cased():
    devices = parse_fleet(GOOD)
    assert devices == [
        Device("AA:BB:CC:DD:EE:01", "Riego Norte", 'Invernadero "Los Álamos"', "192.168.1.50", 0),
        Device("AA:BB:CC:DD:EE:02", "Riego Sur", None, None, 8090),
    ]


def test_a_devices_mapping_is_accepted_too():
    assert len(parse_fleet("devices:\n" + "\n".join("  " + line for line in GOOD.splitlines()))) == 2


def errors_of(text):
    with pytest.raises(FleetError) as error:
        parse_fleet(text, source="fleet.yaml")
    assert error.value.code == 2
    return error.value.message.splitlines()


@pytest.mark.parametrize(
    "entry, expected",
    [
        ("- {mac: 10:20:30:40:50:01, name: A}", "mac: must be a quoted string, YAML read it as"),
        ('- {mac: "02:00:00:00:01", name: A}', "mac: '02:00:00:00:01' is not AA:BB:CC:DD:EE:FF"),
        ("- {name: A}", "mac: required"),
        ('- {mac: "02:00:00:00:00:01"}', "name: required"),
        ('- {mac: "02:00:00:00:00:01", name: "  "}', "name: must not be empty"),
        ('- {mac: "02:00:00:00:00:01", name: yes}', "name: must be text, got True"),
        ('- {mac: "02:00:00:00:00:01", name: "' + "ñ" * 51 + '"}', "name: 102 bytes, at most 100"),
        ('- {mac: "02:00:00:00:00:01", name: A, location: "' + "x" * 251 + '"}', "location: 251 bytes, at most 250"),
        ('- {mac: "02:00:00:00:00:01", name: A, ip: 192.168.1.300}', "ip: '192.168.1.300' is not an IPv4"),
        ('- {mac: "02:00:00:00:00:01", name: A, ip: "::1"}', "ip: '::1' is not an IPv4"),
        ('- {mac: "02:00:00:00:00:01", name: A, http_port: 70000}', "http_port: 70000 is not a port"),
        ('- {mac: "02:00:00:00:00:01", name: A, nmae: B}', "unknown key 'nmae'"),
        ("- just a string", "must be a mapping"),
    ],
)
def test_a_bad_entry_is_reported_with_its_number(entry, expected):
    lines = errors_of(entry)
    assert any(line.startswith("fleet.yaml: device 1") and expected in line for line in lines), lines


def test_every_problem_of_a_file_is_reported_at_once():
    text = '- {mac: "02:00:00:00:00:01", name: A}\n- {mac: "02:00:00:00:00:02"}\n- {name: C, ip: nope}\n'
    lines = errors_of(text)
    assert lines == [
        "fleet.yaml: device 2 (02:00:00:00:00:02): name: required",
        "fleet.yaml: device 3: mac: required",
        "fleet.yaml: device 3: ip: 'nope' is not an IPv4 address (A.B.C.D)",
    ]


def test_duplicate_macs_and_http_ports_are_errors():
    text = (
        '- {mac: "02:00:00:00:00:01", name: A, http_port: 8080}\n'
        '- {mac: "02:00:00:00:00:01", name: B, http_port: 8080}\n'
        '- {mac: "02:00:00:00:00:03", name: C, http_port: 0}\n'
        '- {mac: "02:00:00:00:00:04", name: D, http_port: 0}\n'
    )
    assert errors_of(text) == [
        "fleet.yaml: mac 02:00:00:00:00:01 is used by more than one device",
        "fleet.yaml: http_port 8080 is used by more than one device",
    ]


@pytest.mark.parametrize("text", ["", "devices: []", "name: A", "42"])
def test_a_file_without_devices_is_an_error(text):
    assert "expected a non-empty list of devices" in errors_of(text)[0]


def test_invalid_yaml_is_an_error():
    assert errors_of("- mac: [unclosed")[0].startswith("fleet.yaml: not valid YAML")


def test_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(FleetError, match="cannot read the fleet file"):
        load_fleet(tmp_path / "nope.yaml")


def test_a_file_is_loaded(tmp_path):
    path = tmp_path / "fleet.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert [d.name for d in load_fleet(path)] == ["Riego Norte", "Riego Sur"]


@pytest.mark.parametrize(
    "number, address", [(1, "127.0.0.2"), (250, "127.0.0.251"), (251, "127.0.1.2"), (64_000, "127.0.255.251")]
)
def test_distinct_addresses_are_irrigation_fleets(number, address):
    assert distinct_ip(number) == address


@pytest.mark.parametrize("number", [0, MAX_DEVICES + 1])
def test_no_distinct_address_outside_the_fleet_numbers(number):
    with pytest.raises(FleetError, match="no distinct address"):
        distinct_ip(number)


def test_a_device_line_is_form_encoded_and_leaves_out_what_is_not_given():
    device = Device(mac="AA:BB:CC:DD:EE:01", name="Riego Norte", location='Lote "3" & ñ', ip="10.0.0.7",
                    http_port=8090)
    fields = urllib.parse.parse_qs(device.device_line(), strict_parsing=True)
    assert fields == {"mac": ["AA:BB:CC:DD:EE:01"], "name": ["Riego Norte"], "location": ['Lote "3" & ñ'],
                      "ip": ["10.0.0.7"], "http_port": ["8090"]}
    assert Device(mac="02:00:00:00:00:01").device_line() == "mac=02%3A00%3A00%3A00%3A00%3A01"


def test_a_device_file_holds_one_line_per_device(tmp_path):
    path = tmp_path / "devices.txt"
    write_device_file(path, generate(3, name="R"))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [urllib.parse.parse_qs(line)["name"] for line in lines] == [["R-01"], ["R-02"], ["R-03"]]


@pytest.mark.parametrize(
    "count, cpus, per_process, slices",
    [
        (1, 2, 2500, [(1, 1)]),
        (3, 2, 2500, [(1, 2), (3, 1)]),
        (1000, 2, 2500, [(1, 500), (501, 500)]),
        (10_000, 2, 2500, [(1, 2500), (2501, 2500), (5001, 2500), (7501, 2500)]),
        (10_001, 2, 2500, [(1, 2001), (2002, 2000), (4002, 2000), (6002, 2000), (8002, 2000)]),
        (100, 8, 2500, [(1, 13), (14, 13), (27, 13), (40, 13), (53, 12), (65, 12), (77, 12), (89, 12)]),
    ],
)
def test_processes_use_every_core_and_stay_under_the_per_process_limit(count, cpus, per_process, slices):
    assert plan_processes(count, cpus, per_process) == slices
    assert sum(n for _, n in slices) == count


def test_the_fd_limit_bounds_the_devices_per_process():
    assert devices_per_process_limit(20_000) == 2500
    assert devices_per_process_limit(1024) == (1024 - 80) // 2
    assert devices_per_process_limit(10) == 1


def _status_with_ambient(tmp_path, caps: int) -> Path:
    status = tmp_path / "status"
    status.write_text(f"Name:\tx\nCapAmb:\t{caps:016x}\n")
    return status


def test_port_80_is_fine_for_root_or_a_lowered_sysctl_or_the_capability(tmp_path):
    start = tmp_path / "start"
    start.write_text("1024\n")
    no_caps = _status_with_ambient(tmp_path, 0)
    assert privileged_port_problem(80, euid=0, unprivileged_start=start, status=no_caps) is None
    assert privileged_port_problem(8080, euid=1000, unprivileged_start=start, status=no_caps) is None
    with_cap = _status_with_ambient(tmp_path, 1 << 10)
    assert privileged_port_problem(80, euid=1000, unprivileged_start=start, status=with_cap) is None
    start.write_text("80\n")
    assert privileged_port_problem(80, euid=1000, unprivileged_start=start, status=no_caps) is None


def test_port_80_refused_says_the_one_line_fix(tmp_path):
    start = tmp_path / "start"
    start.write_text("1024\n")
    problem = privileged_port_problem(80, euid=1000, unprivileged_start=start,
                                      status=_status_with_ambient(tmp_path, 0))
    assert problem is not None
    assert "sudo sysctl net.ipv4.ip_unprivileged_port_start=80" in problem
    assert "--http-fallback-port" in problem
