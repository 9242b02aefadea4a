"""invoke size-report: finds the last firmware map file; a clear message without a build."""

import json
import os
import sys

import pytest

from irrigation_tools import ToolError
from irrigation_tools import size_report


def fake_build(root, relative, target, project="irrigation_node", age=0):
    build_dir = root / relative
    build_dir.mkdir(parents=True, exist_ok=True)
    (build_dir / "project_description.json").write_text(
        json.dumps({"project_name": project, "app_elf": f"{project}.elf", "target": target})
    )
    map_file = build_dir / f"{project}.map"
    map_file.write_text("map")
    stamp = 1_700_000_000 - age
    os.utime(map_file, (stamp, stamp))
    return map_file


def test_without_a_build_the_report_stops_with_a_clear_message(tmp_path):
    with pytest.raises(ToolError) as error:
        size_report.run_size_report(tmp_path, runner=lambda cmd: pytest.fail("must not run"))
    assert error.value.code != 0
    assert "no firmware build found" in error.value.message and "invoke build" in error.value.message


def test_a_configured_build_without_map_file_is_not_a_build(tmp_path):
    fake_build(tmp_path, "build/firmware/esp32", "esp32").unlink()
    with pytest.raises(ToolError, match="no firmware build found"):
        size_report.find_last_map(tmp_path)


def test_the_newest_map_file_is_reported(tmp_path):
    fake_build(tmp_path, "build/firmware/esp32", "esp32", age=100)
    newest = fake_build(tmp_path, "build/firmware/esp32c3", "esp32c3", age=10)
    fake_build(tmp_path, "build", "esp32s3", age=50)
    found = size_report.find_last_map(tmp_path)
    assert found.map_file == newest and found.target == "esp32c3"


def test_table_and_json_are_produced_by_esp_idf_size(tmp_path):
    map_file = fake_build(tmp_path, "build/firmware/esp32", "esp32")
    calls = []
    json_out = size_report.run_size_report(tmp_path, runner=lambda cmd: calls.append(cmd) or 0)
    assert json_out == tmp_path / "build" / "size-report.json"
    assert calls == [
        [sys.executable, "-m", "esp_idf_size", str(map_file)],
        [sys.executable, "-m", "esp_idf_size", "--format", "json2", "--output-file", str(json_out), str(map_file)],
    ]


def test_a_failing_esp_idf_size_is_an_error(tmp_path):
    fake_build(tmp_path, "build/firmware/esp32", "esp32")
    with pytest.raises(ToolError, match="esp-idf-size failed"):
        size_report.run_size_report(tmp_path, runner=lambda cmd: 1)
