"""Shared values and small helpers of the end-to-end suite (fixtures are in conftest.py)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Optional

from irrigation_tools.contract import (
    ReceivedMessage,
    presence_payload,
    status_topic,
    validate_presence,
    validate_registration,
)
from irrigation_tools.sim_process import SimProcess

DEFAULT_MAC = "02:1A:2B:3C:4D:5E"
DEFAULT_CLIENT_ID = "ESP32_3C4D5E"  # "ESP32_" + the last three MAC bytes, upper-case hex
DEFAULT_IP = "192.168.50.23"
DEFAULT_NAME = "ESP32-Riego"  # docs/simulator.md: used when nothing is stored
DEFAULT_LOCATION = "Sin ubicacion configurada"
RETRY_INITIAL_MS = 100
RETRY_MAX_MS = 800
# The scaled schedule: initial 100 ms, doubling, capped at 800 ms.
SCALED_SCHEDULE_MS = [100, 200, 400, 800, 800]
# How late an attempt may come after its delay and still count as on schedule. Never early is checked
# exactly; lateness only has to tell "the delay was used" from "a different delay was used", so the bound
# is generous: a loaded machine (scheduling, Paho's failure report, pipes) must not fail the test.
SCHEDULE_LATENESS_MAX_MS = 2000
# The cap for tests that start a broker inside a retry wait: the wait must outlast the broker's start and
# the subscriber's SUBACK by far, whatever the machine's speed.
RESTART_RETRY_MAX_MS = 3000
# Reaching the first wait at that cap takes 100 + 200 + 400 + 800 + 1600 ms of delays plus the failures'
# detection; the bound leaves ample room.
RESTART_WAIT_TIMEOUT_S = 20.0

# Every simulator of the suite gets this setup secret (the device's own, as on its label): writes need it.
SETUP_SECRET = "7K3M9QXD2F4H8RTV"

REGISTER_TIMEOUT_S = 15.0
EVENT_TIMEOUT_S = 10.0


def sim_args(
    broker_uri: str,
    config_file: Path,
    mac: str = DEFAULT_MAC,
    ip: str = DEFAULT_IP,
    name: Optional[str] = None,
    location: Optional[str] = None,
    retry_max_ms: int = RETRY_MAX_MS,
    extra: tuple = (),
) -> list[str]:
    """The simulator's command line for a test: scaled retry schedule, free HTTP port, private config."""
    args = [
        "--broker", broker_uri,
        "--mac", mac,
        "--ip", ip,
        "--http-port", "0",
        "--config-file", str(config_file),
        "--retry-initial-ms", str(RETRY_INITIAL_MS),
        "--retry-max-ms", str(retry_max_ms),
        "--setup-secret", SETUP_SECRET,
    ]
    if name is not None:
        args += ["--name", name]
    if location is not None:
        args += ["--location", location]
    return args + list(extra)


def expected_registration(
    mac: str = DEFAULT_MAC, ip: str = DEFAULT_IP, name: str = DEFAULT_NAME, location: str = DEFAULT_LOCATION
) -> dict:
    return {
        "event_type": "register",
        "mac_address": mac,
        "device_name": name,
        "ip_address": ip,
        "location_description": location,
    }


def accepted(message: ReceivedMessage) -> dict:
    """Asserts the consumer would store the message; returns the decoded JSON."""
    violations = validate_registration(message.payload)
    assert violations == [], f"the consumer would drop {message.payload!r}: {violations}"
    return json.loads(message.payload.decode("utf-8"))


def payload_ip(ip: str):
    """Subscriber predicate: a registration reporting this IP."""
    return lambda message: json.loads(message.payload.decode("utf-8")).get("ip_address") == ip


def events_since(sim: SimProcess, name: str, since: int) -> list[dict]:
    return [e for e in sim.all_events()[since:] if e.get("event") == name]


def wait_fresh_retry(sim: SimProcess, min_delay_ms: int, timeout: float = EVENT_TIMEOUT_S) -> dict:
    """Waits for a retry_scheduled event emitted from now on with delay_ms >= min_delay_ms.

    The retry it announces has just started, so the caller has about that long before the next attempt.
    """
    deadline = time.monotonic() + timeout
    while True:
        mark = sim.mark()
        event = sim.wait_event("retry_scheduled", since=mark, timeout=max(0.0, deadline - time.monotonic()))
        if event["delay_ms"] >= min_delay_ms:
            return event


def wait_until(condition, timeout: float = EVENT_TIMEOUT_S, interval: float = 0.05, what: str = "condition"):
    """Polls condition() until it returns a true value (returned); AssertionError after timeout s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout} s")
        time.sleep(interval)


def whoami(sim: SimProcess) -> dict:
    status, body = sim.get("/whoami", timeout=3.0)
    assert status == 200, f"/whoami answered {status}: {body}"
    return json.loads(body)


def status(sim: SimProcess) -> dict:
    code, body = sim.get("/status", timeout=3.0)
    assert code == 200, f"/status answered {code}: {body}"
    return json.loads(body)


def wait_status(sim: SimProcess, predicate, what: str, timeout: float = EVENT_TIMEOUT_S) -> dict:
    """Polls /status until predicate(document) holds. The snapshot HTTP reads is published by the
    application task right after it writes the event line, so a read just after an event may be older."""
    found: list = []

    def check() -> bool:
        document = status(sim)
        found[:] = [document]
        return bool(predicate(document))

    wait_until(check, timeout=timeout, what=what)
    return found[0]


def wait_whoami(sim: SimProcess, predicate, what: str, timeout: float = EVENT_TIMEOUT_S) -> dict:
    """Polls /whoami (each answer must be 200) until predicate(document) holds."""
    found: list = []

    def check() -> bool:
        document = whoami(sim)
        found[:] = [document]
        return bool(predicate(document))

    wait_until(check, timeout=timeout, what=what)
    return found[0]


# --- presence, broker lists, credentials (issues 10 and 12) ---------------------------------------------
DEFAULT_STATUS_TOPIC = status_topic(DEFAULT_MAC)  # /liwaisi/iot/smart-irrigation/device/021A2B3C4D5E/status


def broker_list_args(uris) -> tuple:
    """`--broker` for every URI after the first (sim_args gives the first): the simulator's broker list."""
    return tuple(arg for uri in uris for arg in ("--broker", uri))


def presence(message: ReceivedMessage, status: str, mac: str = DEFAULT_MAC, ip: str = DEFAULT_IP) -> ReceivedMessage:
    """Asserts a presence message is valid and exactly the device's `status` payload; returns it."""
    assert validate_presence(message.payload) == [], validate_presence(message.payload)
    assert message.payload == presence_payload(status, mac, ip)
    return message


def is_status(status: str):
    """Subscriber predicate: a presence message with this status."""
    return lambda message: json.loads(message.payload.decode("utf-8")).get("status") == status


def assert_secret_absent(sim: SimProcess, secret: str, *more_texts: str) -> None:
    """The secret appears nowhere in what the simulator printed (events, other stdout lines, stderr) nor in
    the extra texts given (e.g. a /status body)."""
    printed = [json.dumps(sim.all_events(), ensure_ascii=False), *sim.raw_lines()]
    if sim.stderr_path is not None and sim.stderr_path.exists():
        printed.append(sim.stderr_path.read_text(encoding="utf-8", errors="replace"))
    leaks = [text[:200] for text in [*printed, *more_texts] if secret in text]
    assert not leaks, f"the secret appears in the simulator's output: {leaks}"
