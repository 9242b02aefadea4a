"""Fleets of simulated devices: generated ones and YAML files, with every bad entry reported."""

import pytest

from irrigation_tools.fleet import Device, FleetError, generate, generated_mac, load_fleet, parse_fleet


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


@pytest.mark.parametrize("count", [0, -1, 251])
def test_device_count_out_of_range_is_an_error(count):
    with pytest.raises(FleetError, match="--devices"):
        generate(count)


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
