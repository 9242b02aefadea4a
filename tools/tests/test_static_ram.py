"""static-ram: which files count for which archive, what `size -A` sections count, the report, the skip."""

import json
import os
import subprocess
from pathlib import Path

import pytest

from irrigation_tools import static_ram

ROOT = Path(__file__).resolve().parents[2]

SIZE_A_OUTPUT = """main.c.o  :
section                      size   addr
.text.app_main                 412      0
.rodata.str1.4                 300      0
.sdata.s_power                   8      0
.sbss.s_lock                    88      0
.bss.s_app                    5416      0
.data                            0      0
.dram1.2                        16      0
.debug_info                   9999      0
Total                        16239
"""


def test_static_bytes_counts_data_sdata_bss_sbss_and_dram_only():
    assert static_ram.static_bytes(SIZE_A_OUTPUT) == 8 + 88 + 5416 + 0 + 16


@pytest.mark.parametrize(
    "relative, archive",
    [
        ("main/main.c", "libmain.a"),
        ("components/domain/src/json_writer.c", "libdomain.a"),
        ("components/application/src/application.c", "libapplication.a"),
        ("components/infrastructure/http_adapter/src/http_adapter.c", "libhttp_adapter.a"),
        ("simulator/main.c", None),
        ("host_tests/unit/domain/test_json_writer.c", None),
    ],
)
def test_archive_of_a_project_source(relative, archive):
    assert static_ram.archive_of(ROOT / relative, ROOT) == archive


def test_archive_of_a_file_outside_the_project_is_none(tmp_path):
    assert static_ram.archive_of(tmp_path / "esp-idf" / "components" / "log" / "log.c", ROOT) is None


def test_project_entries_keep_the_projects_c_files_with_their_commands(tmp_path):
    commands = [
        {"directory": str(tmp_path), "file": str(ROOT / "main" / "main.c"),
         "command": "riscv32-esp-elf-gcc -Os -I/x -o esp-idf/main/main.c.obj -c main.c"},
        {"directory": str(tmp_path), "file": "/opt/esp-idf/components/log/log.c",
         "command": "riscv32-esp-elf-gcc -o log.obj -c log.c"},
        {"directory": str(tmp_path), "file": str(ROOT / "components" / "domain" / "src" / "hex_digit.c"),
         "arguments": ["riscv32-esp-elf-gcc", "-o", "hex.obj", "-c", "hex_digit.c"]},
    ]
    entries = static_ram.project_entries(commands, ROOT)
    assert [(e.archive, e.source.name) for e in entries] == [("libmain.a", "main.c"), ("libdomain.a", "hex_digit.c")]
    assert entries[0].args[:2] == ("riscv32-esp-elf-gcc", "-Os")


def test_with_output_redirects_the_object_and_drops_the_dependency_file():
    args = ["gcc", "-MD", "-MT", "a.obj", "-MF", "a.obj.d", "-o", "a.obj", "-c", "a.c"]
    assert static_ram.with_output(args, Path("/scratch/a.o")) == ["gcc", "-o", "/scratch/a.o", "-c", "a.c"]


def test_size_tool_is_the_compilers_own():
    assert static_ram.size_tool_of("/opt/bin/riscv32-esp-elf-gcc") == "/opt/bin/riscv32-esp-elf-size"
    assert static_ram.size_tool_of("xtensa-esp32-elf-gcc") == "xtensa-esp32-elf-size"


def test_measure_sums_objects_per_archive_and_reports_failures(tmp_path):
    entries = [
        static_ram.Entry(Path("/p/main/main.c"), tmp_path, ("cc", "-o", "x", "-c", "main.c"), "libmain.a"),
        static_ram.Entry(Path("/p/main/settings.c"), tmp_path, ("cc", "-o", "x", "-c", "s.c"), "libmain.a"),
        static_ram.Entry(Path("/p/components/domain/src/bad.c"), tmp_path, ("cc", "-o", "x", "-c", "bad.c"),
                         "libdomain.a"),
    ]

    def run(cmd, cwd):
        if cmd[0] == "cc":
            failed = cmd[-1] == "bad.c"
            return subprocess.CompletedProcess(cmd, 1 if failed else 0, "", "bad.c:1: error" if failed else "")
        return subprocess.CompletedProcess(cmd, 0, ".bss.x  100  0\n.sdata.y  4  0\n", "")

    result = static_ram.measure(entries, tmp_path / "objects", run)
    assert result.per_archive == {"libmain.a": 208}
    assert len(result.failures) == 1 and "bad.c" in result.failures[0]


def test_report_counts_linked_archives_against_the_goal_and_shows_changes():
    measurement = static_ram.Measurement({"libmain.a": 8068, "libhttp_adapter.a": 24, "libeth_adapter.a": 14}, [])
    lines = static_ram.report_lines(measurement, {"libmain.a": 14724, "libhttp_adapter.a": 3097},
                                    unlinked=["libeth_adapter.a"])
    assert lines[0].split() == ["libmain.a", "8,068", "B", "-6,656", "B", "(was", "14,724)"]
    assert "not linked" in lines[2]
    assert lines[-2].split()[-2:] == ["8,092", "B"]
    assert lines[-1].endswith("within")


def test_report_over_the_goal_says_so():
    lines = static_ram.report_lines(static_ram.Measurement({"libmain.a": 17851}, []))
    assert lines[-1].endswith("OVER")


def test_json_round_trip_serves_as_a_baseline(tmp_path):
    path = tmp_path / "static-ram.json"
    static_ram.save(static_ram.Measurement({"libmain.a": 8068}, []), path)
    assert json.loads(path.read_text())["total"] == 8068
    assert static_ram.load_baseline(path) == {"libmain.a": 8068}


def test_configure_reads_the_target_defaults_and_for_ethernet_the_qemu_file():
    options = static_ram.StaticRamOptions(target="esp32c3", ethernet=True)
    cmd = static_ram.configure_cmd(["/idf/tools/idf.py"], ROOT, options)
    defaults = next(word for word in cmd if word.startswith("-DSDKCONFIG_DEFAULTS=")).split("=", 1)[1].split(";")
    assert defaults == [str(ROOT / "sdkconfig.defaults"), str(ROOT / "sdkconfig.defaults.esp32c3"),
                        str(ROOT / "host_tests" / "qemu" / "sdkconfig.qemu")]
    assert "-DIDF_TARGET=esp32c3" in cmd and cmd[-1] == "reconfigure"
    assert cmd[cmd.index("-B") + 1] == str(ROOT / "build" / "static_ram" / "esp32c3-ethernet")


def test_the_variant_not_chosen_is_not_counted():
    assert "libeth_adapter.a" in static_ram.unlinked_archives(static_ram.StaticRamOptions())
    assert "libwifi_adapter.a" in static_ram.unlinked_archives(static_ram.StaticRamOptions(ethernet=True))


def test_the_captive_dns_adapter_is_counted_now_that_main_wires_it():
    assert "captive_dns_adapter_portal_port" in (ROOT / "main" / "main.c").read_text(encoding="utf-8")
    for ethernet in (False, True):
        unlinked = static_ram.unlinked_archives(static_ram.StaticRamOptions(ethernet=ethernet))
        assert "libcaptive_dns_adapter.a" not in unlinked


def test_without_esp_idf_it_skips_with_one_line(tmp_path, monkeypatch):
    monkeypatch.delenv("IDF_PATH", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    said = []
    code = static_ram.run_static_ram(ROOT, static_ram.StaticRamOptions(build_dir=tmp_path), said.append)
    assert code == 0
    assert len(said) == 1 and said[0].startswith("static-ram SKIPPED (not passed):")


def test_the_compile_commands_are_renewed_when_a_source_list_or_the_configuration_changes(tmp_path):
    for name in ("CMakeLists.txt", "sdkconfig.defaults", "sdkconfig.defaults.esp32c3",
                 "components/domain/CMakeLists.txt", "components/infrastructure/wifi_adapter/CMakeLists.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    commands = tmp_path / "build" / "compile_commands.json"
    assert static_ram.needs_configure(tmp_path, commands)  # none yet
    commands.parent.mkdir()
    commands.write_text("[]")
    assert not static_ram.needs_configure(tmp_path, commands)
    for name in ("components/infrastructure/wifi_adapter/CMakeLists.txt", "sdkconfig.defaults.esp32c3"):
        later = commands.stat().st_mtime + 5
        os.utime(tmp_path / name, (later, later))
        assert static_ram.needs_configure(tmp_path, commands)
        os.utime(commands, (later + 1, later + 1))
        assert not static_ram.needs_configure(tmp_path, commands)
