"""mqtt_ws_adapter with the real ESP-MQTT on ESP-IDF's linux target, against local NATS and Mosquitto.

Runs every Unity case of the test app (main/test_mqtt_ws_adapter.c); pytest-embedded-idf parses each case's
result. Then prints the figures the app measured, with the connect -> PUBACK time of a bare Paho C program
on the same NATS in the same run beside ESP-MQTT's (printed, never asserted).
"""

from __future__ import annotations

from pathlib import Path

from conftest import FIGURES, REPO_ROOT, record_unity_results
from irrigation_tools import idf_linux

PAHO_RUNS = 20
CASE_TIMEOUT_S = 300
TOPIC = "/liwaisi/iot/smart-irrigation/device/registration"


def _figure_lines(figures: dict[str, list[str]], nats) -> list[str]:
    lines = []
    if "connect_to_puback_ms" in figures:
        esp_mqtt = idf_linux.series_of(figures["connect_to_puback_ms"])
        payload_bytes = int(figures.get("registration_bytes", ["200"])[0])
        binary, why = idf_linux.paho_floor(REPO_ROOT, idf_linux.build_dir(REPO_ROOT, "paho_floor"))
        paho = None
        if binary is not None:
            paho, why = idf_linux.run_paho_floor(binary, nats.ws_uri, TOPIC, payload_bytes, PAHO_RUNS)
        lines += idf_linux.comparison(esp_mqtt, paho, why)
    if "connect_to_connected_ms" in figures:
        connected = idf_linux.series_of(figures["connect_to_connected_ms"])
        lines.append(f"connect -> CONNECTED, NATS, ESP-MQTT (linux target): {connected.describe()}")
    if "publish_to_puback_ms" in figures:
        published = idf_linux.series_of(figures["publish_to_puback_ms"])
        lines.append(f"publish -> PUBACK, open connection, NATS, ESP-MQTT: {published.describe()}")
    if "heap_in_use_bytes" in figures:
        lines.append("heap in use (glibc mallinfo2, one arena): " + " ".join(figures["heap_in_use_bytes"]))
    return lines


def test_mqtt_ws_adapter(brokers, dut) -> None:
    dut.run_all_single_board_cases(timeout=CASE_TIMEOUT_S)
    failed = record_unity_results("mqtt_ws_adapter", dut)
    figures = idf_linux.parse_figures(Path(dut.logfile).read_text(encoding="utf-8", errors="replace"))
    FIGURES.extend(_figure_lines(figures, brokers["nats"]))
    assert not failed, f"Unity cases failed: {failed}"
    assert dut.testsuite.testcases, "no Unity case ran"
