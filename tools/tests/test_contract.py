"""validate_registration against the consumer contract (shared facts, consumer-contract.md), rule by rule."""

import json

import pytest

from irrigation_tools.contract import TOPIC, go_parse_ip, go_trim_space, validate_registration

VALID = {
    "event_type": "register",
    "mac_address": "AA:BB:CC:DD:EE:FF",
    "device_name": "ESP32-Riego",
    "ip_address": "192.168.1.50",
    "location_description": "Sin ubicacion configurada",
}


def payload(**changes) -> bytes:
    document = dict(VALID)
    for key, value in changes.items():
        if value is _MISSING:
            document.pop(key)
        else:
            document[key] = value
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


_MISSING = object()


def test_topic_is_the_consumers_topic_with_leading_slash():
    assert TOPIC == "/liwaisi/iot/smart-irrigation/device/registration"


def test_a_complete_valid_message_is_accepted():
    assert validate_registration(payload()) == []


def test_unknown_fields_are_ignored():
    assert validate_registration(payload(firmware="1.0", extra=3)) == []


@pytest.mark.parametrize(
    "raw, expected",
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "not an object"),
        (b'"register"', "not an object"),
        (b"\xff\xfe{}", "not valid UTF-8"),
        (b'{"event_type": NaN}', "not JSON"),
        (b'{"event_type":"register","device_name":"a\x01b"}', "not JSON"),  # raw control character
    ],
)
def test_a_payload_that_is_not_a_json_object_is_rejected(raw, expected):
    violations = validate_registration(raw)
    assert len(violations) == 1 and expected in violations[0]


@pytest.mark.parametrize("field", ["event_type", "mac_address", "device_name", "ip_address", "location_description"])
def test_each_field_is_required(field):
    violations = validate_registration(payload(**{field: _MISSING}))
    assert any(v.startswith(field) and "missing" in v for v in violations)


@pytest.mark.parametrize("value", [1, None, True, ["x"], {"a": "b"}])
def test_fields_must_be_strings(value):
    violations = validate_registration(payload(device_name=value))
    assert violations == [f"device_name: must be a string, got {json.dumps(value)}"]


@pytest.mark.parametrize("value", ["Register", "register ", "registration", ""])
def test_event_type_must_be_exactly_register(value):
    assert any(v.startswith("event_type") for v in validate_registration(payload(event_type=value)))


@pytest.mark.parametrize(
    "mac, accepted",
    [
        ("AA:BB:CC:DD:EE:FF", True),
        ("aa:bb:cc:dd:ee:ff", True),  # upper-cased before the check
        ("AA-BB-CC-DD-EE-FF", True),
        ("  AA:BB:CC:DD:EE:FF\n", True),  # trimmed
        ("AA:BB-CC:DD:EE:FF", False),  # mixed separators
        ("AA:BB:CC:DD:EE", False),
        ("AA:BB:CC:DD:EE:FF:00", False),
        ("AABBCCDDEEFF", False),
        ("GG:BB:CC:DD:EE:FF", False),
        ("AA:BB:CC:DD:EE:F", False),
        ("AA.BB.CC.DD.EE.FF", False),
        ("", False),
    ],
)
def test_mac_address_rules(mac, accepted):
    violations = validate_registration(payload(mac_address=mac))
    assert (violations == []) is accepted, violations


@pytest.mark.parametrize(
    "name, accepted",
    [
        ("x" * 100, True),
        ("x" * 101, False),
        ("ñ" * 50, True),  # 100 bytes
        ("ñ" * 50 + "x", False),  # 101 bytes, 51 characters: the limit is in bytes
        ("🌱" * 25, True),  # 100 bytes
        ("  " + "x" * 100 + "  ", True),  # the limit applies after trimming
        ("", False),
        (" \t\n", False),
        ("\u00a0\u3000", False),  # Unicode White_Space only
        ("Riego \"Norte\" \\ 1", True),
        ("a\x01b\x1fc", True),  # control characters inside are fine once escaped
    ],
)
def test_device_name_rules(name, accepted):
    violations = validate_registration(payload(device_name=name))
    assert (violations == []) is accepted, violations


@pytest.mark.parametrize(
    "location, accepted",
    [
        ("y" * 250, True),
        ("y" * 251, False),  # the database column, not the validator's 255
        ("á" * 125, True),
        ("á" * 125 + "y", False),
        ("", False),
        ("   ", False),
    ],
)
def test_location_rules(location, accepted):
    violations = validate_registration(payload(location_description=location))
    assert (violations == []) is accepted, violations


@pytest.mark.parametrize(
    "ip, accepted",
    [
        ("192.168.1.50", True),
        ("0.0.0.0", True),
        ("255.255.255.255", True),
        (" 10.0.0.7 ", True),
        ("::1", True),
        ("fe80::1", True),
        ("2001:db8::8a2e:370:7334", True),
        ("::ffff:192.0.2.1", True),
        ("192.168.01.50", False),  # Go rejects leading zeros
        ("256.1.1.1", False),
        ("1.2.3", False),
        ("1.2.3.4.5", False),
        ("1.2.3.-4", False),
        ("fe80::1%eth0", False),  # no zone in net.ParseIP
        ("[::1]", False),
        ("::ffff:192.0.02.1", False),
        ("localhost", False),
        ("", False),
    ],
)
def test_ip_address_must_parse_as_go_net_parseip(ip, accepted):
    assert go_parse_ip(go_trim_space(ip)) is accepted
    violations = validate_registration(payload(ip_address=ip))
    assert (violations == []) is accepted, violations


def test_trim_follows_go_white_space_not_python_strip():
    # Python's str.strip() also removes U+001C..U+001F; Go's TrimSpace does not.
    assert go_trim_space("\x1cname\x1f") == "\x1cname\x1f"
    assert go_trim_space("\u0085\u00a0name\u2028\u3000") == "name"
    assert go_trim_space("\ufeffname") == "\ufeffname"


def test_every_broken_rule_is_reported():
    violations = validate_registration(
        payload(event_type="x", mac_address="zz", device_name="", ip_address="a", location_description="")
    )
    assert [v.split(":")[0] for v in violations] == [
        "event_type",
        "mac_address",
        "device_name",
        "ip_address",
        "location_description",
    ]


def test_an_unpaired_surrogate_escape_is_rejected():
    raw = payload().replace(b'"ESP32-Riego"', b'"ESP32\\ud800"')
    assert any("surrogate" in v for v in validate_registration(raw))
