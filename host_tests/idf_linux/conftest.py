"""Fixtures of the ESP-IDF test stage (nox -s idf_linux): real brokers for the test apps, where the apps were
built, and the per-case Unity results.

The test apps are host processes started by pytest-embedded-idf (its `dut` fixture); they inherit this
process's environment, which is how they learn the brokers' addresses (see test_mqtt_ws_adapter.c). The
brokers are session-wide, so they are running before any app starts; each is stopped by PID at the end.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from irrigation_tools import idf_linux
from irrigation_tools.brokers import MosquittoBroker, NatsBroker

REPO_ROOT = Path(__file__).resolve().parents[2]

# Every Unity case of every app, in the order run: (app, case, result).
UNITY_RESULTS: list[tuple[str, str, str]] = []
# Figures the tests measured, printed at the end of the run (a passing test's output is not shown).
FIGURES: list[str] = []


@pytest.fixture
def build_dir(app_path: str) -> str:
    """pytest-embedded's build directory of the app: build/idf_linux/<app>, where `nox -s idf_linux` builds."""
    return str(idf_linux.build_dir(REPO_ROOT, Path(app_path).name))


@pytest.fixture(scope="session")
def brokers(tmp_path_factory) -> Iterator[dict]:
    """NATS and Mosquitto for the cases, plus a NATS of its own that one case kills (by its PID)."""
    workdir = tmp_path_factory.mktemp("brokers")
    nats = NatsBroker(workdir / "nats").start()
    mosquitto = MosquittoBroker(workdir / "mosquitto").start()
    victim = NatsBroker(workdir / "victim").start()
    env = {
        "IRRIGATION_TEST_NATS_WS": nats.ws_uri,
        # A path NATS does not route to MQTT (only /mqtt... is). Not "/": the adapter, like the application,
        # takes "/" for no path and applies the default /mqtt (domain/broker_uri.h).
        "IRRIGATION_TEST_NATS_WRONG_PATH": nats.ws_uri_no_path + "/nats",
        "IRRIGATION_TEST_MOSQUITTO_WS": mosquitto.ws_uri,
        "IRRIGATION_TEST_VICTIM_WS": victim.ws_uri,
        "IRRIGATION_TEST_VICTIM_PID": str(victim.pid),
        # One malloc arena for every thread, so the app's heap figure (mallinfo2) covers them all, and no
        # per-thread cache: chunks kept in a thread's tcache count as in use and grew the figure by about
        # 10 B per cycle with no leak behind it (measured; 0 B with the cache off).
        "MALLOC_ARENA_MAX": "1",
        "GLIBC_TUNABLES": "glibc.malloc.tcache_count=0",
    }
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield {"nats": nats, "mosquitto": mosquitto, "victim": victim}
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        for broker in (nats, mosquitto, victim):
            broker.stop()


def record_unity_results(app: str, dut) -> list[str]:
    """Keeps the per-case results pytest-embedded parsed from the Unity output; returns the failed names."""
    failed = []
    for case in dut.testsuite.testcases:
        UNITY_RESULTS.append((app, case.name, case.result))
        if case.result == "FAIL":
            failed.append(case.name)
    return failed


def pytest_terminal_summary(terminalreporter) -> None:
    if FIGURES:
        terminalreporter.section("Figures (printed, never asserted)")
        for line in FIGURES:
            terminalreporter.write_line(line)
    if not UNITY_RESULTS:
        return
    terminalreporter.section("Unity cases on the linux target")
    for app, name, result in UNITY_RESULTS:
        terminalreporter.write_line(f"{result:<5} {app}: {name}")
    passed = sum(1 for _, _, result in UNITY_RESULTS if result == "PASS")
    failed = sum(1 for _, _, result in UNITY_RESULTS if result == "FAIL")
    terminalreporter.write_line(f"Unity: {passed} passed, {failed} failed, {len(UNITY_RESULTS)} cases")
