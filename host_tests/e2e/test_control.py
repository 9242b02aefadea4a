"""The control channel refuses what it does not know: a warning naming the accepted commands, nothing changes.

docs/simulator.md: anything other than `network down`, `network up`, `ip A.B.C.D`, `factory-reset`, `status`,
`quit` (and
`ip` with an address that is not a usable IPv4 address) gets a warning `notice`; a blank line is ignored.
"""

import pytest

from e2e_support import DEFAULT_IP, EVENT_TIMEOUT_S, REGISTER_TIMEOUT_S, events_since, wait_status, whoami

ACCEPTED = ("network down", "network up", "ip A.B.C.D", "factory-reset", "status", "quit")

REFUSED = {
    "unknown-verb": "reboot",
    "upper-case": "Network down",
    "unknown-argument": "network sideways",
    "argument-to-status": "status now",
    "factory-reset-with-a-space": "factory reset",
    "ip-out-of-range": "ip 999.1.1.1",
    "ip-unspecified": "ip 0.0.0.0",
    "ip-without-address": "ip",
    "ip-hostname": "ip localhost",
    "over-long-line": "ip " + "1" * 200,
}


@pytest.fixture
def registered(nats, simulator):
    sim = simulator(nats.ws_uri)
    sim.wait_event("registered", timeout=REGISTER_TIMEOUT_S)
    wait_status(sim, lambda d: d["state"] == "registered", what="/status registered")
    return sim


@pytest.mark.parametrize("line", REFUSED.values(), ids=REFUSED.keys())
def test_a_refused_line_gets_a_warning_naming_the_commands_and_changes_nothing(line, registered):
    sim = registered
    mark = sim.mark()
    sim.send(line)
    notice = sim.wait_event("notice", lambda e: e["message"].startswith("control:"), since=mark,
                            timeout=EVENT_TIMEOUT_S)
    assert notice["level"] == "warning"
    assert all(command in notice["message"] for command in ACCEPTED), notice["message"]
    # Nothing changed: same IP, same connection, still registered.
    sim.send("status")
    status = sim.wait_event("status", since=mark, timeout=EVENT_TIMEOUT_S)
    assert status["state"] == "registered"
    assert status["registrations"] == 1
    assert whoami(sim)["ip_address"] == DEFAULT_IP
    for name in ("network", "connect_attempt", "registered", "state"):
        assert events_since(sim, name, mark) == [], name


def test_an_invalid_ip_is_reported_as_such(registered):
    mark = registered.mark()
    registered.send("ip 10.0.0")
    notice = registered.wait_event("notice", since=mark, timeout=EVENT_TIMEOUT_S)
    assert "not a usable IPv4 address" in notice["message"] and "ip 10.0.0" in notice["message"]


def test_a_blank_line_is_ignored_without_a_notice(registered):
    mark = registered.mark()
    registered.send("   ")
    registered.send("status")  # processed in order: once it is answered, the blank line was read
    registered.wait_event("status", since=mark, timeout=EVENT_TIMEOUT_S)
    assert events_since(registered, "notice", mark) == []
