"""invoke qemu: the skip lines, the Ethernet build's configuration, QEMU's NIC, what runs in which order."""

from pathlib import Path

import pytest

from irrigation_tools import qemu
from irrigation_tools.espidf import IdfInstall, IdfVersion

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fake_idf(tmp_path) -> dict:
    """An exported ESP-IDF as far as locate_idf can tell: IDF_PATH with tools/idf.py, idf.py on PATH."""
    tools = tmp_path / "esp-idf" / "tools"
    tools.mkdir(parents=True)
    (tools / "idf.py").write_text("#!/bin/sh\n")
    (tools / "idf.py").chmod(0o755)
    return {"IDF_PATH": str(tmp_path / "esp-idf"), "PATH": str(tools)}


def _install(tmp_path) -> IdfInstall:
    return IdfInstall(path=tmp_path, idf_py=tmp_path / "idf.py", version=IdfVersion(5, 4, 2))


def test_without_esp_idf_it_is_skipped_with_one_line():
    install, reason = qemu.find("esp32c3", {"PATH": "/nonexistent"})
    assert install is None
    assert reason.startswith("qemu SKIPPED (not passed):") and "\n" not in reason


def test_without_the_qemu_binary_it_is_skipped_naming_it(fake_idf):
    install, reason = qemu.find("esp32c3", fake_idf)
    assert install is None
    assert reason.startswith("qemu SKIPPED (not passed): qemu-system-riscv32 is not on PATH")
    assert "idf_tools.py install qemu-riscv32" in reason


def test_with_esp_idf_and_qemu_it_runs(fake_idf, tmp_path):
    program = Path(fake_idf["PATH"]) / "qemu-system-xtensa"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    install, reason = qemu.find("esp32", fake_idf)
    assert install is not None and reason == ""


def test_the_firmware_dials_the_port_the_broker_listens_on():
    assert qemu.broker_port_in_defaults(ROOT) == qemu.BROKER_WS_PORT
    text = (ROOT / qemu.QEMU_DEFAULTS).read_text()
    assert "CONFIG_IRRIGATION_NETWORK_ETHERNET_OPENETH=y" in text


def test_the_build_reads_the_project_defaults_then_the_qemu_ones(tmp_path):
    cmd = qemu.build_cmd(_install(tmp_path), ROOT, "esp32c3")
    defaults = next(w for w in cmd if w.startswith("-DSDKCONFIG_DEFAULTS=")).split("=", 1)[1].split(";")
    assert defaults == [str(ROOT / "sdkconfig.defaults"), str(ROOT / "sdkconfig.defaults.esp32c3"),
                        str(ROOT / "host_tests" / "qemu" / "sdkconfig.qemu")]
    assert cmd[cmd.index("-B") + 1] == str(ROOT / "build" / "qemu" / "esp32c3")
    assert cmd[-1] == "build"


def test_esp32_has_no_target_defaults_file_of_its_own():
    assert qemu.sdkconfig_defaults(ROOT, "esp32", ethernet=True) == [
        ROOT / "sdkconfig.defaults", ROOT / "host_tests" / "qemu" / "sdkconfig.qemu"]


def test_the_run_forwards_the_devices_http_port_on_the_opencores_nic(tmp_path):
    cmd = qemu.run_cmd(_install(tmp_path), ROOT, "esp32c3", 8123)
    assert cmd[-3:] == ["qemu", "--qemu-extra-args", "-nic user,model=open_eth,hostfwd=tcp:127.0.0.1:8123-:80"]


def test_the_test_mode_builds_then_runs_pytest_embedded_qemu(fake_idf, tmp_path, monkeypatch):
    monkeypatch.setattr(qemu, "find", lambda target, env=None: (_install(tmp_path), ""))
    calls = []
    code = qemu.run_qemu(ROOT, qemu.QemuOptions(test=True), tmp_path, say=lambda _: None,
                         call=lambda cmd: calls.append(list(cmd)) or 0)
    assert code == 0
    assert calls[0][-1] == "build"
    assert calls[1][1:4] == ["-m", "pytest", "-c"] and "--target" in calls[1]


def test_a_failed_build_stops_before_qemu(tmp_path, monkeypatch):
    monkeypatch.setattr(qemu, "find", lambda target, env=None: (_install(tmp_path), ""))
    calls, said = [], []
    code = qemu.run_qemu(ROOT, qemu.QemuOptions(), tmp_path, say=said.append,
                         call=lambda cmd: calls.append(list(cmd)) or 2)
    assert code == 2 and len(calls) == 1
    assert said == ["qemu: the build failed (exit 2)"]


def test_skipped_is_said_once_and_exits_zero(tmp_path, monkeypatch):
    monkeypatch.setattr(qemu, "find", lambda target, env=None: (None, "qemu SKIPPED (not passed): no ESP-IDF"))
    said = []
    assert qemu.run_qemu(ROOT, qemu.QemuOptions(), tmp_path, say=said.append, call=lambda cmd: 1) == 0
    assert said == ["qemu SKIPPED (not passed): no ESP-IDF"]
