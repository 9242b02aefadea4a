"""The presence topic and payload (issue 12): what the e2e suite and invoke simulate check messages against."""

import json

import pytest

from irrigation_tools.contract import (
    STATUS_TOPIC_FILTER,
    STATUS_TOPIC_TEMPLATE,
    presence_payload,
    status_topic,
    validate_presence,
)


def test_the_status_topic_has_the_mac_as_12_upper_case_hex_digits():
    assert status_topic("02:1a:2b:3c:4d:5e") == "/liwaisi/iot/smart-irrigation/device/021A2B3C4D5E/status"
    assert status_topic("02-1A-2B-3C-4D-5E", "site/{mac}") == "site/021A2B3C4D5E"
    assert STATUS_TOPIC_TEMPLATE.replace("{mac}", "+") == STATUS_TOPIC_FILTER


def test_a_status_topic_needs_a_whole_mac():
    with pytest.raises(ValueError):
        status_topic("02:1A:2B")


def test_the_payload_is_compact_json_in_the_devices_key_order():
    assert presence_payload("online", "AA:BB:CC:DD:EE:FF", "192.168.1.50") == (
        b'{"mac_address":"AA:BB:CC:DD:EE:FF","status":"online","ip_address":"192.168.1.50"}'
    )


@pytest.mark.parametrize("status", ["online", "offline"])
def test_both_statuses_are_valid(status):
    assert validate_presence(presence_payload(status, "AA:BB:CC:DD:EE:FF", "10.0.0.7")) == []


@pytest.mark.parametrize(
    "document, problem",
    [
        ({"mac_address": "aa:bb:cc:dd:ee:ff", "status": "online", "ip_address": "10.0.0.7"}, "mac_address"),
        ({"mac_address": "AA-BB-CC-DD-EE-FF", "status": "online", "ip_address": "10.0.0.7"}, "mac_address"),
        ({"mac_address": "AA:BB:CC:DD:EE:FF", "status": "away", "ip_address": "10.0.0.7"}, "status"),
        ({"mac_address": "AA:BB:CC:DD:EE:FF", "status": "online", "ip_address": "10.0.0.256"}, "ip_address"),
        ({"mac_address": "AA:BB:CC:DD:EE:FF", "status": "online"}, "ip_address: missing"),
        ({"mac_address": "AA:BB:CC:DD:EE:FF", "status": 1, "ip_address": "10.0.0.7"}, "status: missing or not"),
        ({"mac_address": "AA:BB:CC:DD:EE:FF", "status": "online", "ip_address": "10.0.0.7", "x": 1}, "x: unexpected"),
    ],
)
def test_each_rule_is_reported(document, problem):
    violations = validate_presence(json.dumps(document).encode())
    assert any(v.startswith(problem) for v in violations), violations


@pytest.mark.parametrize("payload", [b"", b"[]", b"\xff", b'{"status":NaN}'])
def test_what_is_not_a_json_object_is_reported(payload):
    assert validate_presence(payload)
