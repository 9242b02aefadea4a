"""Size report on JSON files: the partition table, the OTA slot check, --baseline and --markdown."""

import json
import shutil
from pathlib import Path

import pytest

from irrigation_tools import ToolError, size_json, size_report
from irrigation_tools.size_report import Partition, SizeReportOptions

ROOT = Path(__file__).resolve().parents[2]
C3 = Path(__file__).parent / "fixtures" / "firmware-size-esp32c3"
C3_BOTH = [C3 / "esp-idf-size-2.3.2-summary.json", C3 / "esp-idf-size-2.3.2-archives.json"]


def archives_json(tmp_path, name, archives):
    """A small --archives JSON: {archive path: {kind: size}} with esp-idf-size's section names."""
    sections = {"bss": ("DRAM", ".dram0.bss"), "data": ("DRAM", ".dram0.data"), "iram": ("DRAM", ".iram0.text"),
                "code": ("Flash Code", ".flash.text"), "rodata": ("Flash Data", ".flash.rodata")}
    data = {}
    for path, sizes in archives.items():
        types = {}
        for kind, size in sizes.items():
            mem, section = sections[kind]
            types.setdefault(mem, {"size": 0, "size_diff": 0, "sections": {}})
            types[mem]["sections"][section] = {"size": size, "size_diff": 0, "abbrev_name": section}
            types[mem]["size"] += size
        total = sum(sizes.values())
        data[path] = {"abbrev_name": Path(path).name, "size": total, "size_diff": 0, "memory_types": types}
    out = tmp_path / name
    out.write_text(json.dumps(data))
    return out


@pytest.fixture
def root(tmp_path):
    """A project root with the real partitions.csv."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copyfile(ROOT / "partitions.csv", root / "partitions.csv")
    return root


def test_the_project_partition_table_has_two_ota_slots_and_the_provision_partition():
    parts = size_report.read_partitions(ROOT / "partitions.csv")
    assert [(p.name, p.type, p.subtype, p.offset, p.size) for p in parts] == [
        ("nvs", "data", "nvs", 0x9000, 0x6000),
        ("otadata", "data", "ota", 0xF000, 0x2000),
        ("phy_init", "data", "phy", 0x11000, 0x1000),
        ("provision", "data", "nvs", 0x12000, 0x4000),
        ("ota_0", "app", "ota_0", 0x20000, 0x1E0000),
        ("ota_1", "app", "ota_1", 0x200000, 0x1E0000),
    ]
    assert parts[-1].offset + parts[-1].size <= 4 * 1024 * 1024  # fits the 4 MB flash of sdkconfig.defaults
    for before, after in zip(parts, parts[1:]):
        assert before.offset + before.size <= after.offset  # no overlap


def test_sizes_in_k_and_m_and_blank_offsets_follow_esp_idf_rules(tmp_path):
    table = tmp_path / "p.csv"
    table.write_text(
        "# comment\nnvs, data, nvs, , 24K\n\nphy, data, phy, , 4K # tail comment\nfactory, app, factory, , 1M\n"
    )
    parts = size_report.read_partitions(table)
    assert [(p.name, hex(p.offset), p.size) for p in parts] == [
        ("nvs", "0x9000", 24 * 1024), ("phy", "0xf000", 4096), ("factory", "0x10000", 1024 * 1024)]


def test_a_bad_partition_row_names_its_line(tmp_path):
    table = tmp_path / "p.csv"
    table.write_text("nvs, data, nvs, 0x9000, 0x6000\nota_0, app, ota_0, 0x20000, lots\n")
    with pytest.raises(ToolError, match=r"p\.csv:2: not a partition row"):
        size_report.read_partitions(table)


@pytest.mark.parametrize(("image", "ok"), [(750, True), (751, False), (100, True)])
def test_the_image_must_leave_a_quarter_of_the_smallest_slot_free(tmp_path, image, ok):
    summary = tmp_path / "s.json"
    summary.write_text(json.dumps({"version": "1.2", "total_size": image, "layout": []}))
    slots = [Partition("ota_0", "app", "ota_0", 0x10000, 1000), Partition("big", "app", "ota_1", 0x20000, 5000)]
    check = size_report.check_slot(size_json.load([summary]), slots)
    assert (check.slot.name, check.ok) == ("ota_0", ok)
    assert check.free == 1000 - image


def test_an_image_too_big_for_a_slot_fails_the_report_after_printing_it(root, tmp_path, capsys):
    (root / "partitions.csv").write_text("nvs, data, nvs, 0x9000, 0x6000\nfactory, app, factory, 0x10000, 0x100000\n")
    with pytest.raises(ToolError, match=r"leaves 3\.6 % of factory free, below the 25 %"):
        size_report.run_size_report(root, SizeReportOptions(size_json=C3_BOTH))
    assert "TOO BIG" in capsys.readouterr().out


def test_json_files_are_reported_without_esp_idf_size(root, capsys):
    slot = size_report.run_size_report(root, SizeReportOptions(size_json=C3_BOTH))
    out = capsys.readouterr().out
    assert slot.ok and slot.free_percent == pytest.approx(48.59, abs=0.01)
    assert "size report: esp32c3, JSON files" in out
    assert ".data + .bss       56,512 B" in out and "IRAM code          87,134 B" in out
    assert "biggest 10 archives:" in out and "libnet80211.a" in out


def test_the_baseline_diff_lists_changed_archives_biggest_change_first(root, tmp_path, capsys):
    before = archives_json(tmp_path, "before.json", {
        "esp-idf/main/libmain.a": {"bss": 13_000, "code": 2000},
        "esp-idf/domain/libdomain.a": {"code": 7000},
        "esp-idf/old/libold.a": {"code": 100},
    })
    after = archives_json(tmp_path, "after.json", {
        "esp-idf/main/libmain.a": {"bss": 5000, "code": 2100},
        "esp-idf/domain/libdomain.a": {"code": 7000},
        "esp-idf/new/libnew.a": {"iram": 300},
    })
    size_report.run_size_report(root, SizeReportOptions(size_json=[after], baseline=[before], target="esp32c3"))
    out = capsys.readouterr().out
    table = out[out.index("3 archives changed"):].splitlines()
    assert [line.split()[0] for line in table[2:]] == ["libmain.a", "libnew.a", "libold.a"]  # libdomain.a: same
    assert table[2].split()[1:] == ["5,000", "0", "2,100", "7,100", "-7,900"]
    assert table[3].split()[-1] == "+300" and table[4].split()[-1] == "-100"


def test_a_baseline_without_archives_still_gives_the_totals(root, capsys):
    size_report.run_size_report(
        root, SizeReportOptions(size_json=C3_BOTH, baseline=[C3 / "esp-idf-size-1.7.1-summary.json"])
    )
    out = capsys.readouterr().out
    assert "app image       1,010,686 B  -24" in out
    assert "per-archive change: not available (the baseline has no --archives JSON)" in out


def test_a_baseline_of_archives_only_is_compared_with_the_archive_sums(root, capsys):
    # the summary counts linker padding that no archive holds: comparing it with a sum of archives would
    # report changes that are not there
    size_report.run_size_report(root, SizeReportOptions(size_json=C3_BOTH, baseline=[C3_BOTH[1]]))
    out = capsys.readouterr().out
    assert "  .data + .bss       56,512 B  +0" in out and "  app image       1,010,686 B  +0" in out
    assert "no archive changed" in out


def test_markdown_for_a_pr_comment_is_printed_and_written(root, tmp_path, capsys):
    data = json.loads((C3 / "esp-idf-size-2.3.2-archives.json").read_text())
    data["esp-idf/main/libmain.a"]["memory_types"]["Flash Data"]["sections"][".flash.rodata"]["size"] = 0
    before = tmp_path / "before.json"
    before.write_text(json.dumps(data))
    options = SizeReportOptions(size_json=C3_BOTH, baseline=[C3 / "esp-idf-size-2.3.2-summary.json", before],
                                markdown=True)
    size_report.run_size_report(root, options)
    out = capsys.readouterr().out
    written = (root / "build" / "size-report.md").read_text()
    assert written in out
    lines = written.splitlines()
    assert lines[0] == "### Firmware size: esp32c3"
    assert "App image 1,010,686 B in `ota_0` (1,966,080 B): 48.6 % free (ok)." in lines
    assert "| app image | 1,010,686 | +0 |" in lines and "| .data + .bss | 56,512 | +0 |" in lines
    assert "| archive | .data + .bss | IRAM | flash | total | change |" in lines
    assert "1 archives changed, biggest change first:" in lines
    assert lines[-1] == "| `libmain.a` | 13,372 | 0 | 3,340 | 16,712 | +1,406 |"
