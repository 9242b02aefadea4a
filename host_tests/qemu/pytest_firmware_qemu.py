"""The firmware end to end in QEMU: Ethernet by DHCP, the registration on the broker, /whoami through QEMU's
port forward, and both describing the same device."""

from __future__ import annotations

import json
import time
import urllib.request

from irrigation_tools.contract import validate_registration

QEMU_GUEST_IP = "10.0.2.15"  # the first DHCP address of QEMU's user-mode network
BOOT_TIMEOUT_S = 60


def _whoami(http_port: int, timeout_s: float) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/whoami", timeout=2) as response:
                return json.loads(response.read().decode("utf-8"))
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_firmware_registers_and_answers_whoami(nats, subscriber, http_port, dut) -> None:
    dut.expect_exact("eth_adapter: IP " + QEMU_GUEST_IP, timeout=BOOT_TIMEOUT_S)
    message = subscriber.wait_for(timeout=BOOT_TIMEOUT_S)
    assert validate_registration(message.payload) == []
    registration = message.json()
    assert registration["ip_address"] == QEMU_GUEST_IP

    whoami = _whoami(http_port, timeout_s=30)
    assert whoami["mac_address"] == registration["mac_address"]
    assert whoami["ip_address"] == QEMU_GUEST_IP
    assert whoami["device_name"] == registration["device_name"]
