"""invoke memory-budget: the breakdown from real size reports, the gate, the project's own static RAM."""

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from irrigation_tools import ToolError
from irrigation_tools import memory_budget as mb
from irrigation_tools.memory_budget import BudgetOptions

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
C3_ARCHIVES = FIXTURES / "firmware-size-esp32c3" / "esp-idf-size-2.3.2-archives.json"
C3_SUMMARY_1X = FIXTURES / "firmware-size-esp32c3" / "esp-idf-size-1.7.1-summary.json"
ESP32 = [FIXTURES / "firmware-size-esp32" / name for name in ("esp-idf-size-2.3.2-summary.json",
                                                              "esp-idf-size-2.3.2-archives.json")]
ROW = re.compile(r"^\s+([\d,]+)\s+(measured|config|estimate)\s+(.*)$")


def run(capsys, root=ROOT, **options):
    code = mb.run_memory_budget(root, BudgetOptions(**options))
    return code, capsys.readouterr().out


def rows(out, section="counted"):
    """(bytes, basis, text) of the counted lines, or of the "not added" ones."""
    head, _, tail = out.partition("  not added:")
    part = head if section == "counted" else tail.split("  measured =")[0]
    return [(int(m.group(1).replace(",", "")), m.group(2), m.group(3)) for m in map(ROW.match, part.splitlines()) if m]


def test_esp32c3_reference_build_is_over_budget_and_names_the_biggest_items(capsys):
    code, out = run(capsys, size_json=[C3_ARCHIVES])
    assert code == 1
    counted = rows(out)
    assert [size for size, _, _ in counted] == sorted((size for size, _, _ in counted), reverse=True)
    assert counted[0] == (87_134, "measured", "IRAM code  (shares SRAM with data on esp32c3: counted)")
    total = int(re.search(r"^\s+([\d,]+)\s+total", out, re.MULTILINE).group(1).replace(",", ""))
    assert total == sum(size for size, _, _ in counted) > 204_800
    fail = out.strip().splitlines()[-1]
    assert fail.startswith(f"OVER BUDGET on esp32c3: {total:,} B is {total - 204_800:,} B over 204,800 B")
    assert "biggest items: IRAM code 87,134 B; static RAM (.data + .bss) of ESP-IDF and other libraries" in fail


def test_every_line_says_measured_config_or_estimate(capsys):
    _, out = run(capsys, size_json=[C3_ARCHIVES])
    counted = rows(out)
    assert {basis for _, basis, _ in counted} == {"measured", "config", "estimate"}
    by_text = {text: (size, basis) for size, basis, text in counted}
    assert by_text["WiFi static RX buffers (10 x 1,600 B)"] == (16_000, "config")
    assert by_text["ESP-MQTT task stack"] == (6144, "config")
    assert by_text["ESP-MQTT buffers (in 1,024 + out 2,560 B)"] == (3584, "config")
    assert by_text["WiFi dynamic RX buffers in use (4 of at most 32)"][1] == "estimate"
    assert by_text["idle task stacks (1 x 1,536 B)"] == (1536, "config")  # esp32c3: one core
    assert not any(text.startswith("IPC task") for text in by_text)


def test_project_static_ram_is_its_own_line_with_a_warning_over_its_goal(capsys):
    code, out = run(capsys, size_json=[C3_ARCHIVES])
    own = next(row for row in rows(out) if "project's archives" in row[2])
    assert own[:2] == (25_671, "measured")
    assert ("warning: the project's own static RAM is 25,671 B, over its goal of 12,288 B "
            "(libmain.a 13,372, libwifi_adapter.a 9,190, libhttp_adapter.a 3,097)") in out


def test_startup_and_provisioning_only_items_are_listed_but_not_added(capsys):
    _, out = run(capsys, size_json=[C3_ARCHIVES])
    listed = {text: size for size, _, text in rows(out, "not added")}
    assert listed["main task stack (app_main)  (start-up only: freed before steady state)"] == 4096
    assert listed["captive portal DNS responder (stack, TCB, datagram)  "
                  "(provisioning only: not held in steady state)"] == 3072 + 352 + 513
    counted = {text: size for size, _, text in rows(out)}
    assert counted["application task stack"] == 6144  # heap (main.c app_task_memory), so counted here
    assert counted["MQTT adapter worker task stack (mqtt_ws_ctl)"] == 3072


def test_an_unknown_phase_is_refused(tmp_path):
    budget = tmp_path / "budget.yaml"
    text = (ROOT / "tools" / "memory_budget.yaml").read_text().replace("phase: provisioning", "phase: sometimes")
    budget.write_text(text)
    with pytest.raises(ToolError, match="phase must be one of startup, provisioning, not 'sometimes'"):
        mb.load_budget(budget)


def test_esp32_counts_iram_apart_and_is_within_budget(capsys):
    code, out = run(capsys, size_json=ESP32)
    assert code == 0
    listed = {text: size for size, _, text in rows(out, "not added")}
    assert listed["IRAM code  (a separate bank on esp32: not counted)"] == 105_171
    counted = {text: size for size, _, text in rows(out)}
    # summary totals (with linker padding) minus the project's archives
    assert counted["static RAM (.data + .bss) of ESP-IDF and other libraries  (summary)"] == 60_440 - 25_675
    assert counted["idle task stacks (2 x 1,536 B)"] == 3072 and counted["IPC task stacks (2 x 1,024 B)"] == 2048
    assert re.search(r"within budget on esp32: [\d,]+ B to spare$", out.strip())


def test_a_summary_without_archives_cannot_tell_the_project_share(capsys):
    _, out = run(capsys, size_json=[C3_SUMMARY_1X])
    counted = {text: size for size, _, text in rows(out)}
    assert counted["static RAM (.data + .bss) of every archive  (summary)"] == 56_512
    assert "note: the project's own static RAM is unknown without the --archives JSON" in out


def test_missing_sdkconfig_falls_back_to_the_defaults_and_says_so(capsys, tmp_path):
    _, out = run(capsys, size_json=[C3_ARCHIVES], sdkconfig=tmp_path / "sdkconfig")
    assert (f"configuration: sdkconfig.defaults + sdkconfig.defaults.esp32c3 + Kconfig defaults from "
            f"memory_budget.yaml ({tmp_path / 'sdkconfig'} does not exist: defaults used)") in out
    # sdkconfig.defaults sets the main task stack to 4096 (Kconfig default 3584)
    assert "4,096  config    main task stack (app_main)" in out


def test_a_real_sdkconfig_decides_sizes_counts_and_cores(capsys, tmp_path):
    sdkconfig = tmp_path / "sdkconfig"
    sdkconfig.write_text(
        'CONFIG_IDF_TARGET="esp32"\nCONFIG_IRRIGATION_MQTT_TASK_STACK_SIZE=5000\nCONFIG_FREERTOS_UNICORE=y\n'
        "CONFIG_ESP_WIFI_STATIC_RX_BUFFER_NUM=4\nCONFIG_IRRIGATION_MQTT_OUTBOX_LIMIT=0x1000\n"
        "# CONFIG_ESP_WIFI_DYNAMIC_TX_BUFFER is not set\nCONFIG_ESP_WIFI_STATIC_TX_BUFFER=y\n"
    )
    _, out = run(capsys, size_json=ESP32, sdkconfig=sdkconfig)
    assert f"configuration: sdkconfig {sdkconfig}" in out
    counted = {text: size for size, _, text in rows(out)}
    assert counted["ESP-MQTT task stack"] == 5000
    assert counted["WiFi static RX buffers (4 x 1,600 B)"] == 6400
    assert counted["WiFi static TX buffers (16 x 1,600 B)"] == 25_600
    assert counted["MQTT outbox (limit 4,096 B)"] == 4096
    assert counted["idle task stacks (1 x 1,536 B)"] == 1536  # FREERTOS_UNICORE: one core
    assert not any(text.startswith(("WiFi dynamic TX", "IPC task", "MQTT outbox (no limit")) for text in counted)


def test_the_target_comes_from_the_sdkconfig_before_the_json(capsys, tmp_path):
    sdkconfig = tmp_path / "sdkconfig"
    sdkconfig.write_text('CONFIG_IDF_TARGET="esp32s3"\n')
    _, out = run(capsys, size_json=[C3_ARCHIVES], sdkconfig=sdkconfig)
    assert out.startswith("memory budget for esp32s3:")
    assert "IPC task stacks (2 x 1,280 B)" in out  # the esp32s3 default of ESP_IPC_TASK_STACK_SIZE


def test_over_budget_exits_non_zero_naming_the_biggest_item(capsys, tmp_path):
    budget = tmp_path / "budget.yaml"
    budget.write_text(
        "limit_bytes: 1000\nfail_names: 1\n"
        "project_static: {goal_bytes: 100000, component_dirs: [main]}\n"
        "targets: {esp32: {cores: 2, iram_shared: false}}\n"
        "kconfig_defaults: {BIG_STACK: 900}\n"
        "items:\n"
        "  - {name: big task stack, bytes: BIG_STACK, basis: config, source: test}\n"
        "  - {name: small thing, bytes: 10, basis: estimate, source: test}\n"
    )
    summary = tmp_path / "summary.json"
    summary.write_text(json.dumps({"version": "1.2", "total_size": 1, "layout": [
        {"name": "DRAM", "total": 0, "used": 200, "free": 0, "parts": {".bss": {"size": 150}, ".data": {"size": 50}}},
        {"name": "IRAM", "total": 0, "used": 9000, "free": 0, "parts": {".text": {"size": 9000}}},
    ]}))
    code, out = run(capsys, size_json=[summary], budget=budget, target="esp32")
    assert code == 1
    assert out.strip().splitlines()[-1] == (
        "OVER BUDGET on esp32: 1,110 B is 110 B over 1,000 B; biggest items: big task stack 900 B"
    )


def test_an_unknown_target_needs_to_be_named(capsys, tmp_path):
    summary = tmp_path / "summary.json"
    summary.write_text(json.dumps({"version": "1.2", "layout": []}))
    with pytest.raises(ToolError, match="cannot tell the target"):
        mb.run_memory_budget(ROOT, BudgetOptions(size_json=[summary]))


def test_the_last_build_is_read_from_the_size_report_it_wrote(capsys, tmp_path):
    root = tmp_path / "project"
    (root / "tools").mkdir(parents=True)
    shutil.copyfile(ROOT / "tools" / "memory_budget.yaml", root / "tools" / "memory_budget.yaml")
    build = root / "build" / "firmware" / "esp32"
    build.mkdir(parents=True)
    (build / "project_description.json").write_text(json.dumps({"app_elf": "node.elf", "target": "esp32"}))
    (build / "node.map").write_text("map")
    os.utime(build / "node.map", (1_700_000_000, 1_700_000_000))
    with pytest.raises(ToolError, match="run `invoke size-report` first"):
        mb.run_memory_budget(root)
    shutil.copyfile(ESP32[0], root / "build" / "size-report.json")
    shutil.copyfile(ESP32[1], root / "build" / "size-report-archives.json")
    (build / "sdkconfig").write_text("CONFIG_IRRIGATION_HTTP_TASK_STACK_SIZE=4096\n")
    assert mb.run_memory_budget(root) == 0
    out = capsys.readouterr().out
    assert out.startswith("memory budget for esp32:") and f"configuration: sdkconfig {build / 'sdkconfig'}" in out
    assert "4,096  config    esp_http_server task stack" in out
    # no component folders in this copy: nothing counts as the project's own archives
    assert "the project's own static RAM: 0 B" in out
