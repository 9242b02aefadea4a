"""The registration JSON built by the C domain layer, read back by Python's json module.

host_tests/tools/registration_dump (linked with the domain library) turns each input line
"<mac> <ip> <name hex> <location hex>" into the JSON the device would publish, or "error: <status text>".
These tests check, independently of the C unit tests, that every escape round-trips to the original
text, that the keys come in the contract's order, that the bytes are what a compact RFC 8259 encoder
produces, and that the consumer-contract checker accepts each message.

The binary is taken from $REGISTRATION_DUMP when set; otherwise it is built in build/host (configured
first when needed) and located there.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from irrigation_tools.contract import validate_registration

ROOT = Path(__file__).resolve().parents[2]
BUILD_DIR = ROOT / "build" / "host"
TARGET = "registration_dump"
KEY_ORDER = ["event_type", "mac_address", "device_name", "ip_address", "location_description"]

MAC = "24:6F:28:A1:B2:C3"
IP = "192.168.1.50"

# Status texts of components/domain/include/domain/domain_status.h.
NAME_EMPTY = "device_name is empty or only white space"
NAME_TOO_LONG = "device_name is longer than 100 bytes"
NAME_INVALID_UTF8 = "device_name is not valid UTF-8"
LOCATION_EMPTY = "location_description is empty or only white space"
LOCATION_TOO_LONG = "location_description is longer than 250 bytes"
LOCATION_INVALID_UTF8 = "location_description is not valid UTF-8"
MAC_INVALID = "MAC address is not six hex pairs with one separator style"
IP_INVALID = "IPv4 address is not a dotted quad of 0-255 without leading zeros"
IP_UNSPECIFIED = "IPv4 address 0.0.0.0 cannot be registered"

ALL_CONTROLS = "".join(chr(c) for c in range(0x01, 0x20))

# (id, name, location, expected device_name, expected location_description)
ACCEPTED = [
    ("plain ascii", "Sensor Lote 4", "Vereda El Rosal, Tolima", "Sensor Lote 4", "Vereda El Rosal, Tolima"),
    ("spanish letters", "Ñame", "Finca \"La Esperanza\", Ibagué", "Ñame", "Finca \"La Esperanza\", Ibagué"),
    ("emoji", "Riego 🌱💧", "Parcela 3 — sector norte", "Riego 🌱💧", "Parcela 3 — sector norte"),
    (
        "backslash quote solidus",
        "C:\\riego\\zona",
        'dice "hola" / \\n literal',
        "C:\\riego\\zona",
        'dice "hola" / \\n literal',
    ),
    # Trimming would take the leading/trailing controls that are white space, so they sit inside.
    ("every control character", "a" + ALL_CONTROLS + "b", "x\b\f\n\r\ty", "a" + ALL_CONTROLS + "b", "x\b\f\n\r\ty"),
    ("DEL passes through", "x\x7fy", "del\x7f", "x\x7fy", "del\x7f"),
    (
        "go white space is trimmed",
        "  \u00a0Sensor 1\u3000 \t",
        "\n\u2028 Campo alto \u2029\u205f\u0085",
        "Sensor 1",
        "Campo alto",
    ),
    ("line separators inside", "a\u2028b", "c\u2029d", "a\u2028b", "c\u2029d"),
    (
        "look-alikes are not white space",
        "\u200bzero width\u200b",
        "\u180emongolian\x1f",
        "\u200bzero width\u200b",
        "\u180emongolian\x1f",
    ),
    ("limits exactly", "Ñ" * 50, "🌱" * 62 + "Ñ", "Ñ" * 50, "🌱" * 62 + "Ñ"),
    ("limits after trimming", "  " + "b" * 100 + "\u00a0", "\t" + "x" * 250 + " ", "b" * 100, "x" * 250),
]

# (id, mac, ip, name bytes, location bytes, expected error text)
REJECTED = [
    ("empty name", MAC, IP, b"", b"Finca", NAME_EMPTY),
    ("white space name", MAC, IP, "\u00a0 \u3000".encode(), b"Finca", NAME_EMPTY),
    ("name 101 ascii bytes", MAC, IP, b"a" * 101, b"Finca", NAME_TOO_LONG),
    ("name 101 bytes in 34 characters", MAC, IP, ("€" * 33 + "Ñ").encode(), b"Finca", NAME_TOO_LONG),
    ("name invalid utf-8", MAC, IP, b"Pe\xf1a", b"Finca", NAME_INVALID_UTF8),
    ("name overlong", MAC, IP, b"a\xc0\xaf", b"Finca", NAME_INVALID_UTF8),
    ("empty location", MAC, IP, b"Sensor", b"", LOCATION_EMPTY),
    ("location 251 bytes", MAC, IP, b"Sensor", b"x" * 251, LOCATION_TOO_LONG),
    ("location surrogate", MAC, IP, b"Sensor", b"\xed\xa0\x80", LOCATION_INVALID_UTF8),
    ("location above U+10FFFF", MAC, IP, b"Sensor", b"\xf4\x90\x80\x80", LOCATION_INVALID_UTF8),
    ("name checked before location", MAC, IP, b"", b"", NAME_EMPTY),
    ("mixed MAC separators", "24:6F-28:A1:B2:C3", IP, b"Sensor", b"Finca", MAC_INVALID),
    ("leading zero in IP", MAC, "192.168.01.50", b"Sensor", b"Finca", IP_INVALID),
    ("unspecified IP", MAC, "0.0.0.0", b"Sensor", b"Finca", IP_UNSPECIFIED),
]


def _hex(data: bytes) -> str:
    return data.hex() if data else "-"


def _line(mac: str, ip: str, name: bytes, location: bytes) -> str:
    return f"{mac} {ip} {_hex(name)} {_hex(location)}\n"


def _find_binary() -> Path | None:
    for path in sorted(BUILD_DIR.rglob(TARGET)):
        if path.is_file() and os.access(path, os.X_OK):
            return path
    return None


@pytest.fixture(scope="module")
def dump_binary() -> Path:
    override = os.environ.get("REGISTRATION_DUMP")
    if override:
        return Path(override)
    if not (BUILD_DIR / "CMakeCache.txt").is_file():
        subprocess.run(
            ["cmake", "-S", "host_tests", "-B", str(BUILD_DIR), "-G", "Ninja"], cwd=ROOT, check=True
        )
    subprocess.run(["cmake", "--build", str(BUILD_DIR), "--target", TARGET], cwd=ROOT, check=True)
    binary = _find_binary()
    assert binary is not None, f"{TARGET} not found under {BUILD_DIR}"
    return binary


def _run(binary: Path, lines: list[str]) -> list[bytes]:
    result = subprocess.run(
        [str(binary)], input="".join(lines).encode("utf-8"), capture_output=True, timeout=30, check=False
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    out = result.stdout.split(b"\n")
    assert out[-1] == b"", "output must end with a newline"
    assert len(out) - 1 == len(lines)
    return out[:-1]


@pytest.fixture(scope="module")
def accepted_output(dump_binary: Path) -> dict[str, bytes]:
    lines = [_line(MAC, IP, name.encode(), location.encode()) for _, name, location, _, _ in ACCEPTED]
    return dict(zip((case[0] for case in ACCEPTED), _run(dump_binary, lines)))


@pytest.fixture(scope="module")
def rejected_output(dump_binary: Path) -> dict[str, bytes]:
    lines = [_line(mac, ip, name, location) for _, mac, ip, name, location, _ in REJECTED]
    return dict(zip((case[0] for case in REJECTED), _run(dump_binary, lines)))


@pytest.mark.parametrize("case", ACCEPTED, ids=[case[0] for case in ACCEPTED])
def test_fields_round_trip_through_a_json_parser(accepted_output, case):
    case_id, _, _, expected_name, expected_location = case
    document = json.loads(accepted_output[case_id].decode("utf-8"))
    assert document == {
        "event_type": "register",
        "mac_address": MAC,
        "device_name": expected_name,
        "ip_address": IP,
        "location_description": expected_location,
    }


@pytest.mark.parametrize("case", ACCEPTED, ids=[case[0] for case in ACCEPTED])
def test_keys_come_in_contract_order(accepted_output, case):
    pairs = json.loads(accepted_output[case[0]].decode("utf-8"), object_pairs_hook=list)
    assert [key for key, _ in pairs] == KEY_ORDER


@pytest.mark.parametrize("case", ACCEPTED, ids=[case[0] for case in ACCEPTED])
def test_bytes_are_compact_json_with_utf8_unescaped(accepted_output, case):
    # Python's encoder with ensure_ascii=False escapes exactly what RFC 8259 requires, with the same
    # short forms (\b \f \n \r \t) and lower-case \u00XX, so the bytes must be identical.
    raw = accepted_output[case[0]]
    document = json.loads(raw.decode("utf-8"), object_pairs_hook=dict)
    expected = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert raw == expected
    assert not any(byte < 0x20 for byte in raw), "raw control character in the JSON text"


@pytest.mark.parametrize("case", ACCEPTED, ids=[case[0] for case in ACCEPTED])
def test_consumer_contract_accepts_the_message(accepted_output, case):
    assert validate_registration(accepted_output[case[0]]) == []


@pytest.mark.parametrize("case", REJECTED, ids=[case[0] for case in REJECTED])
def test_rule_breaking_input_is_refused_with_its_rule(rejected_output, case):
    assert rejected_output[case[0]].decode("utf-8") == f"error: {case[5]}"


def test_mac_is_sent_upper_case_with_colons(dump_binary):
    lines = [
        _line("a4:cf:12:0b:3c:d5", IP, b"Sensor", b"Finca"),
        _line("a4-cf-12-0b-3c-d5", "10.0.0.7", b"Sensor", b"Finca"),
    ]
    first, second = (json.loads(raw) for raw in _run(dump_binary, lines))
    assert first["mac_address"] == "A4:CF:12:0B:3C:D5"
    assert second["mac_address"] == "A4:CF:12:0B:3C:D5"
    assert second["ip_address"] == "10.0.0.7"
