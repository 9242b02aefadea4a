"""invoke size-report on a build: finds the last map file, runs esp-idf-size 1.x (NG mode) or 2.x.

esp-idf-size itself is replaced by a fake package of the same name, put first on PYTHONPATH and run by a
real `python -m esp_idf_size` subprocess: like the real 1.x it refuses `--format json2` unless
ESP_IDF_SIZE_NG is set, and it "writes" the real JSON of tests/fixtures for its version.
"""

import json
import os
import sys
import textwrap
from pathlib import Path

import pytest

from irrigation_tools import ToolError
from irrigation_tools import size_report
from irrigation_tools.size_report import SizeReportOptions
from test_size_report_checks import root  # noqa: F401  (fixture: a project root with partitions.csv)

C3 = Path(__file__).parent / "fixtures" / "firmware-size-esp32c3"
FIXTURES_BY_VERSION = {
    "1.7.1": (C3 / "esp-idf-size-1.7.1-summary.json", C3 / "esp-idf-size-2.3.2-archives.json"),
    "2.3.2": (C3 / "esp-idf-size-2.3.2-summary.json", C3 / "esp-idf-size-2.3.2-archives.json"),
}

FAKE_MAIN = textwrap.dedent(
    """
    import json, os, shutil, sys
    from esp_idf_size import __version__, SUMMARY, ARCHIVES, CALLS
    args = sys.argv[1:]
    with open(CALLS, "a") as log:
        log.write(json.dumps({"args": args, "ng": os.environ.get("ESP_IDF_SIZE_NG")}) + "\\n")
    if int(__version__.split(".")[0]) < 2 and "json2" in args and not os.environ.get("ESP_IDF_SIZE_NG"):
        print("esp_idf_size: error: argument --format: invalid choice: 'json2' "
              "(choose from 'text', 'csv', 'json')", file=sys.stderr)
        sys.exit(2)
    if "--output-file" in args:
        shutil.copyfile(ARCHIVES if "--archives" in args else SUMMARY, args[args.index("--output-file") + 1])
    else:
        print("fake esp-idf-size table of", args[-1])
    """
)


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


@pytest.fixture
def project(root):
    """A project root with the real partitions.csv and a finished esp32c3 build."""
    fake_build(root, "build/firmware/esp32c3", "esp32c3")
    return root


@pytest.fixture
def fake_esp_idf_size(tmp_path, monkeypatch):
    """Installs a fake esp-idf-size of the given version; returns the list of its calls so far."""

    def install(version):
        package = tmp_path / "fake" / "esp_idf_size"
        package.mkdir(parents=True)
        summary, archives = FIXTURES_BY_VERSION[version]
        calls = tmp_path / "calls.jsonl"
        (package / "__init__.py").write_text(
            f"__version__ = {version!r}\nSUMMARY = {str(summary)!r}\nARCHIVES = {str(archives)!r}\n"
            f"CALLS = {str(calls)!r}\n"
        )
        (package / "__main__.py").write_text(FAKE_MAIN)
        monkeypatch.setenv("PYTHONPATH", str(package.parent))
        monkeypatch.delenv("ESP_IDF_SIZE_NG", raising=False)
        return lambda: [json.loads(line) for line in calls.read_text().splitlines()] if calls.exists() else []

    return install


def test_without_a_build_the_report_stops_with_a_clear_message(tmp_path):
    with pytest.raises(ToolError) as error:
        size_report.run_size_report(tmp_path, probe=lambda cmd: pytest.fail("must not run"))
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


@pytest.mark.parametrize(
    ("version", "ng"), [("1.7.1", True), ("1.0.0", True), ("2.3.2", False), ("3.0.1", False), ("", True)]
)
def test_ng_mode_is_asked_of_1x_only(version, ng):
    tool = size_report.detect_size_tool("py", probe=lambda cmd: (0, version))
    assert tool.needs_ng is ng
    assert tool.env == ({"ESP_IDF_SIZE_NG": "1"} if ng else {})


def test_the_version_is_asked_of_the_same_interpreter():
    seen = []
    size_report.detect_size_tool("/opt/idf-env/bin/python", probe=lambda cmd: seen.append(cmd) or (0, "1.7.1"))
    assert seen == [["/opt/idf-env/bin/python", "-c", size_report.VERSION_PROBE]]


def test_a_missing_esp_idf_size_says_how_to_get_it():
    def probe(cmd):
        return 1, "Traceback...\nModuleNotFoundError: No module named 'esp_idf_size'"

    with pytest.raises(ToolError) as error:
        size_report.detect_size_tool("py", probe=probe)
    assert "esp-idf-size is not installed for py" in error.value.message
    assert "No module named 'esp_idf_size'" in error.value.message and "./dev setup" in error.value.message


def test_table_summary_and_archives_are_asked_of_esp_idf_size(tmp_path):
    tool = size_report.SizeTool("py", "2.3.2")
    cmds = size_report.size_commands(tool, Path("app.map"), tmp_path)
    assert cmds == [
        ["py", "-m", "esp_idf_size", "app.map"],
        ["py", "-m", "esp_idf_size", "--format", "json2", "--output-file", str(tmp_path / "size-report.json"),
         "app.map"],
        ["py", "-m", "esp_idf_size", "--format", "json2", "--archives", "--output-file",
         str(tmp_path / "size-report-archives.json"), "app.map"],
    ]


def test_esp_idf_size_1x_runs_in_ng_mode_and_its_json_is_read(project, fake_esp_idf_size, capfd):
    calls = fake_esp_idf_size("1.7.1")
    slot = size_report.run_size_report(project)
    out = capfd.readouterr().out  # the table comes from the subprocess
    assert [c["ng"] for c in calls()] == ["1", "1", "1"]
    assert "fake esp-idf-size table of" in out and "esp-idf-size 1.7.1 (NG mode: ESP_IDF_SIZE_NG=1)" in out
    assert (project / "build" / "size-report.json").is_file()
    assert (project / "build" / "size-report-archives.json").is_file()
    # 1.x's JSON has no total_size: the image is summed from the sections, and the report says so
    assert (slot.image_size, slot.exact, slot.slot.name) == (1_010_710, False, "ota_0")
    assert "summed from the sections" in out and "libnet80211.a" in out


def test_esp_idf_size_2x_runs_as_is(project, fake_esp_idf_size, capsys):
    calls = fake_esp_idf_size("2.3.2")
    slot = size_report.run_size_report(project)
    assert [c["ng"] for c in calls()] == [None, None, None]
    assert (slot.image_size, slot.exact) == (1_010_686, True)
    assert "app image 1,010,686 B; smallest app slot ota_0 1,966,080 B" in capsys.readouterr().out


def test_without_ng_mode_esp_idf_size_1x_refuses_json2(project, fake_esp_idf_size):
    calls = fake_esp_idf_size("1.7.1")
    wrongly_detected = size_report.SizeTool(sys.executable, "2.0.0")
    firmware = size_report.find_last_map(project)
    with pytest.raises(ToolError, match=r"esp-idf-size 2\.0\.0 failed on .* \(exit 2\)"):
        size_report.run_esp_idf_size(wrongly_detected, firmware, project / "build")
    assert calls()[-1]["args"][:2] == ["--format", "json2"]


def test_a_failing_esp_idf_size_stops_the_report(project):
    with pytest.raises(ToolError, match=r"esp-idf-size 2\.3\.2 failed .*\(exit 1\)") as error:
        size_report.run_size_report(project, probe=lambda cmd: (0, "2.3.2"), runner=lambda cmd, env: 1)
    assert error.value.code == 1


def test_the_previous_run_can_be_the_baseline(project, fake_esp_idf_size, capsys):
    fake_esp_idf_size("2.3.2")
    previous = json.loads((C3 / "esp-idf-size-2.3.2-archives.json").read_text())
    previous["esp-idf/main/libmain.a"]["memory_types"]["DRAM"]["sections"][".dram0.bss"]["size"] = 12_372
    (project / "build" / "size-report-archives.json").write_text(json.dumps(previous))
    size_report.run_size_report(project, SizeReportOptions(baseline=[project / "build" / "size-report-archives.json"]))
    out = capsys.readouterr().out
    assert "1 archives changed" in out and out.rstrip().splitlines()[-1].split()[-1] == "+1,000"
