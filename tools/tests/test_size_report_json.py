"""Reading esp-idf-size's JSON: 2.x (JSON 1.2) and 1.x in NG mode (JSON 1.1), summaries and --archives."""

import json
from pathlib import Path

import pytest

from irrigation_tools import ToolError, size_json
from irrigation_tools.size_json import BSS, DATA, FLASH_CODE, FLASH_DATA, IRAM, OTHER

FIXTURES = Path(__file__).parent / "fixtures"
C3 = FIXTURES / "firmware-size-esp32c3"
ESP32 = FIXTURES / "firmware-size-esp32"


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("name", ["esp-idf-size-2.3.2-summary.json", "esp-idf-size-1.7.1-summary.json"])
def test_both_summary_formats_give_the_same_static_figures(name):
    sizes, how = size_json.load([C3 / name]).static_sizes()
    assert how == "summary"
    assert (sizes[DATA], sizes[BSS], sizes[IRAM]) == (11_760, 44_752, 87_134)
    assert (sizes[FLASH_CODE], sizes[FLASH_DATA]) == (769_020, 142_744)
    assert sizes[OTHER] == 52  # RTC SLOW: a separate bank


def test_the_image_size_is_exact_from_2x_and_summed_from_the_sections_of_1x():
    assert size_json.load([C3 / "esp-idf-size-2.3.2-summary.json"]).image_size() == (1_010_686, True)
    # esp-idf-size's own rule without an ELF: every section but .bss/noinit; within 24 B here
    assert size_json.load([C3 / "esp-idf-size-1.7.1-summary.json"]).image_size() == (1_010_710, False)


def test_esp32_keeps_iram_in_its_own_memory_type():
    sizes, _ = size_json.load([ESP32 / "esp-idf-size-2.3.2-summary.json"]).static_sizes()
    assert (sizes[IRAM], sizes.ram) == (105_171, 60_440)


def test_archives_are_sorted_into_data_bss_iram_and_flash():
    report = size_json.load([C3 / "esp-idf-size-2.3.2-archives.json"])
    main = report.archives["esp-idf/main/libmain.a"]
    assert main.name == "libmain.a"
    sizes = main.sizes
    assert (sizes[BSS], sizes[DATA], sizes[FLASH_CODE], sizes[FLASH_DATA]) == (13_372, 0, 1934, 1406)
    pp = next(a for a in report.archives.values() if a.name == "libpp.a")
    assert pp.sizes[IRAM] == 15_206
    sizes, how = report.static_sizes()
    assert how == "sum of archives"  # linker padding is not in any archive
    assert (sizes[IRAM], sizes.ram) == (87_134, 56_159)


def test_summary_and_archives_together_take_totals_from_the_summary():
    report = size_json.load([C3 / "esp-idf-size-2.3.2-archives.json", C3 / "esp-idf-size-2.3.2-summary.json"])
    assert report.archives is not None and report.summary is not None
    assert report.static_sizes()[0].ram == 56_512


@pytest.mark.parametrize(
    ("files", "target"),
    [
        ([C3 / "esp-idf-size-2.3.2-archives.json"], "esp32c3"),
        ([C3 / "esp-idf-size-1.7.1-summary.json"], "esp32c3"),
        ([ESP32 / "esp-idf-size-2.3.2-summary.json"], "esp32"),
        ([ESP32 / "esp-idf-size-2.3.2-archives.json"], "esp32"),
    ],
)
def test_the_target_is_recognised(files, target):
    assert size_json.load(files).guess_target() == target


def test_an_esp32s3_layout_is_recognised_by_its_diram(tmp_path):
    summary = {"version": "1.2", "total_size": 10, "layout": [
        {"name": "DIRAM", "total": 100, "used": 10, "free": 90, "parts": {".bss": {"size": 6}, ".text": {"size": 4}}},
    ]}
    report = size_json.load([write(tmp_path, "s3.json", summary)])
    assert report.guess_target() == "esp32s3"
    assert (report.static_sizes()[0][BSS], report.static_sizes()[0][IRAM]) == (6, 4)


def test_legacy_1x_json_is_refused_with_how_to_make_the_right_one(tmp_path):
    legacy_summary = write(tmp_path, "legacy.json", {"dram_data": 1, "dram_bss": 2, "used_dram": 3, "flash_code": 4})
    legacy_archives = write(tmp_path, "legacy-archives.json", {"libmain.a": {".dram0.bss": 12, ".flash.text": 3}})
    for path in (legacy_summary, legacy_archives):
        with pytest.raises(ToolError, match="legacy JSON .*ESP_IDF_SIZE_NG=1"):
            size_json.load([path])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not JSON"),
        ("[]", "expected an object"),
        ('{"something": 1}', "not an esp-idf-size summary or --archives JSON"),
        ('{"layout": [{"name": "DRAM", "parts": {".bss": {"size": "big"}}}]}', "malformed"),
    ],
)
def test_anything_else_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "x.json"
    path.write_text(content)
    with pytest.raises(ToolError, match=message):
        size_json.load([path])


def test_two_files_of_the_same_kind_are_refused():
    with pytest.raises(ToolError, match="a second summary JSON"):
        size_json.load([C3 / "esp-idf-size-2.3.2-summary.json", C3 / "esp-idf-size-1.7.1-summary.json"])


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ToolError, match="cannot read size JSON .*nope.json"):
        size_json.load([tmp_path / "nope.json"])
