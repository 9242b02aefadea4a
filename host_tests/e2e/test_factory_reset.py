"""The factory reset (control `factory-reset`, the reset button's long press on the device; docs/simulator.md).

A provisioned node registered with NATS forgets its WiFi credentials: the network is reported down (MQTT
waits), the setup access point and form come back, /status says provisioning, and the device name and
location stay. The setup form then brings it back to the farm network, and it registers again with them.
"""

import pytest

from e2e_support import (
    DEFAULT_MAC,
    EVENT_TIMEOUT_S,
    REGISTER_TIMEOUT_S,
    accepted,
    expected_registration,
    wait_status,
    whoami,
)

NAME = "Riego Norte"
LOCATION = "Lote 3, válvula 2"
AP_SSID = "Riego-Setup-4D5E"  # the default prefix and the last two bytes of DEFAULT_MAC
FARM_NETWORK = {"ssid": "Finca-Riego", "password": "riego-finca-2026"}  # the simulator's default farm


@pytest.fixture
def registered(nats, subscriber, simulator):
    sim = simulator(nats.ws_uri, name=NAME, location=LOCATION)
    sim.wait_event("registered", timeout=REGISTER_TIMEOUT_S)
    subscriber.wait_for(timeout=REGISTER_TIMEOUT_S)
    wait_status(sim, lambda d: d["state"] == "registered", what="/status registered")
    return sim


def reset(sim) -> None:
    mark = sim.mark()
    sim.send("factory-reset")
    sim.wait_event("wifi", lambda e: e["mode"] == "provisioning" and e["to"] == "idle", since=mark,
                   timeout=EVENT_TIMEOUT_S)
    notice = sim.wait_event("notice", lambda e: e["message"].startswith("factory reset:"), since=mark,
                            timeout=EVENT_TIMEOUT_S)
    assert notice["level"] == "info" and "credentials erased" in notice["message"], notice


def test_factory_reset_reopens_provisioning_and_keeps_name_and_location(registered):
    sim = registered
    assert sim.get("/")[0] == 404  # no setup form while the node is a station
    reset(sim)

    document = wait_status(sim, lambda d: d["provisioning"] and d["state"] == "waiting",
                           what="/status provisioning, MQTT waiting")
    assert document["wifi_mode"] == "provisioning"
    assert document["wifi_state"] == "idle"
    code, page = sim.get("/")
    assert code == 200
    assert AP_SSID in page and 'name="ssid"' in page and 'name="password"' in page
    assert sim.get("/scan")[0] == 200
    identity = whoami(sim)
    assert identity["device_name"] == NAME
    assert identity["location_description"] == LOCATION
    assert identity["mac_address"] == DEFAULT_MAC
    assert identity["mqtt_state"] == "waiting"


def test_the_setup_form_after_a_reset_brings_the_node_back_and_it_registers_again(registered, subscriber):
    sim = registered
    reset(sim)
    wait_status(sim, lambda d: d["provisioning"], what="/status provisioning")
    mark = sim.mark()
    code, body = sim.post_form("/provision", FARM_NETWORK)
    assert code == 200, body

    sim.wait_event("registered", since=mark, timeout=REGISTER_TIMEOUT_S)
    message = subscriber.wait_for(timeout=REGISTER_TIMEOUT_S, since=1)  # the one after the first
    assert accepted(message) == expected_registration(name=NAME, location=LOCATION)
    document = wait_status(sim, lambda d: d["state"] == "registered" and not d["provisioning"],
                           what="/status registered, provisioning over")
    assert document["wifi_mode"] == "station"
    assert sim.get("/")[0] == 404  # the setup routes are gone again
