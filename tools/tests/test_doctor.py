"""invoke doctor: what is found, and what each missing piece disables."""

from pathlib import Path

from irrigation_tools.doctor import Probes, diagnose, report

NAMES = [
    "ESP-IDF v5.4.2", "xtensa toolchain", "riscv toolchain", "cmake", "ninja", "gcc", "cmocka", "paho-mqtt C",
    "libmicrohttpd", "nats-server", "mosquitto", "clang-format", "cppcheck", "gcovr",
]


def bare_machine(tmp_path):
    return Probes(
        which=lambda program: None,
        run=lambda cmd: (127, ""),
        env={"PATH": str(tmp_path)},
        include_dirs=(tmp_path,),
        python_version=lambda name: None,
    )


def test_every_piece_is_reported():
    assert [f.name for f in diagnose(bare_machine(Path("/nonexistent")))] == NAMES


def test_on_a_bare_machine_everything_is_missing_with_what_it_disables(tmp_path):
    findings = diagnose(bare_machine(tmp_path))
    assert not any(f.present for f in findings)
    text = report(findings)
    assert text.count("-> disables:") == len(NAMES)
    assert "summary: 0 present, 14 missing" in text
    assert "firmware build, flash, monitor" in text
    assert "nox -s coverage" in text


def test_present_tools_show_their_version_line(tmp_path):
    outputs = {"cmake": "cmake version 3.25.1\n\nCMake suite\n", "pkg-config": "1.1.5\n"}
    (tmp_path / "MQTTAsync.h").write_text("")
    probes = Probes(
        which=lambda program: f"/usr/bin/{program}",
        run=lambda cmd: (0, outputs.get(Path(cmd[0]).name, "x 1.0\n")),
        env={"PATH": str(tmp_path)},
        include_dirs=(tmp_path,),
        python_version=lambda name: "8.8",
    )
    findings = {f.name: f for f in diagnose(probes)}
    assert findings["cmake"].present and "cmake version 3.25.1" in findings["cmake"].detail
    assert findings["cmocka"].detail == "cmocka 1.1.5"
    assert findings["paho-mqtt C"].present
    assert findings["gcovr"].detail == "gcovr 8.8 (Python package)"
    assert not findings["ESP-IDF v5.4.2"].present  # which() does not find idf.py through env PATH


def test_old_idf_is_present_with_a_warning(tmp_path):
    idf = tmp_path / "esp-idf"
    (idf / "tools").mkdir(parents=True)
    (idf / "tools" / "idf.py").write_text("")
    header = idf / "components" / "esp_common" / "include" / "esp_idf_version.h"
    header.parent.mkdir(parents=True)
    header.write_text(
        "#define ESP_IDF_VERSION_MAJOR 5\n#define ESP_IDF_VERSION_MINOR 2\n#define ESP_IDF_VERSION_PATCH 3\n"
    )
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "idf.py").write_text("#!/bin/sh\n")
    (bin_dir / "idf.py").chmod(0o755)
    probes = Probes(
        which=lambda program: None, run=lambda cmd: (127, ""),
        env={"IDF_PATH": str(idf), "PATH": str(bin_dir)}, include_dirs=(tmp_path,), python_version=lambda n: None,
    )
    idf_finding = diagnose(probes)[0]
    assert idf_finding.present and idf_finding.detail.startswith("v5.2.3")
    assert "5.4.x expected" in report([idf_finding])
