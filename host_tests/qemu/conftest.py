"""Fixtures of the QEMU stage: the firmware's project and build, QEMU's NIC with the HTTP port forward, the
NATS the firmware dials (10.0.2.2:BROKER_WS_PORT from the guest) and an independent subscriber."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from irrigation_tools import qemu
from irrigation_tools.brokers import free_port
from irrigation_tools.contract import RegistrationSubscriber

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_path() -> str:
    """The firmware project (the repository root), not this folder."""
    return str(REPO_ROOT)


@pytest.fixture
def build_dir(target: str) -> str:
    return str(qemu.build_dir(REPO_ROOT, target))


@pytest.fixture(scope="session")
def http_port() -> int:
    return free_port()


@pytest.fixture
def qemu_extra_args(http_port: int) -> str:
    return qemu.nic_args(http_port)


@pytest.fixture(scope="session")
def nats(tmp_path_factory) -> Iterator[qemu.QemuNats]:
    broker = qemu.QemuNats(tmp_path_factory.mktemp("nats")).start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def subscriber(nats) -> Iterator[RegistrationSubscriber]:
    with RegistrationSubscriber(nats.mqtt_port) as sub:
        yield sub
