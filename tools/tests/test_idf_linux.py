"""The ESP-IDF test stage's tooling: skipping without ESP-IDF, the build commands, the figures it prints."""

import subprocess
import sys
from pathlib import Path

import pytest

from irrigation_tools import idf_linux
from irrigation_tools.espidf import IdfInstall, IdfVersion

ROOT = Path(__file__).resolve().parents[2]


def _fake_idf(tmp_path: Path) -> IdfInstall:
    return IdfInstall(path=tmp_path, idf_py=tmp_path / "tools" / "idf.py", version=IdfVersion(5, 4, 2))


def test_without_esp_idf_the_stage_is_skipped_with_one_line_that_says_so():
    install, reason = idf_linux.find_idf({"PATH": "/nonexistent"})
    assert install is None
    assert "\n" not in reason
    assert reason.startswith("idf_linux SKIPPED (not passed):")
    assert "IDF_PATH" in reason


def test_nox_session_without_esp_idf_skips_and_exits_zero():
    env = {"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "HOME": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "nox", "-s", "idf_linux"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Session idf_linux skipped: idf_linux SKIPPED (not passed)" in result.stdout + result.stderr


def test_every_app_has_an_idf_project_and_a_pytest_file():
    for app in idf_linux.APPS:
        folder = idf_linux.app_dir(ROOT, app)
        assert (folder / "CMakeLists.txt").is_file()
        assert "CONFIG_IDF_TARGET=\"linux\"" in (folder / "sdkconfig.defaults").read_text()
        assert (folder / f"pytest_{app}.py").is_file()


def test_configure_targets_linux_as_a_preview_target_with_the_sdkconfig_in_the_build_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("IDF_PYTHON_ENV_PATH", raising=False)
    cmd = idf_linux.configure_cmd(_fake_idf(tmp_path), ROOT, "mqtt_ws_adapter")
    assert cmd[:2] == [str(tmp_path / "tools" / "idf.py"), "--preview"]
    build = ROOT / "build" / "idf_linux" / "mqtt_ws_adapter"
    assert cmd[cmd.index("-B") + 1] == str(build)
    assert "-DIDF_TARGET=linux" in cmd
    # An absolute path: kconfgen resolves a relative one against the app folder, not the build folder.
    assert f"-DSDKCONFIG={build / 'sdkconfig'}" in cmd
    assert cmd[-1] == "reconfigure"


def test_build_uses_two_jobs():
    cmd = idf_linux.build_cmd(ROOT, "nvs_config_adapter")
    assert cmd[cmd.index("--parallel") + 1] == "2"
    assert str(ROOT / "build" / "idf_linux" / "nvs_config_adapter") in cmd


def test_pytest_runs_the_stage_with_its_own_ini_and_passes_posargs():
    cmd = idf_linux.pytest_cmd(ROOT, ["-k", "nvs"])
    assert cmd[:3] == [sys.executable, "-m", "pytest"]
    assert cmd[cmd.index("-c") + 1] == str(ROOT / "host_tests" / "idf_linux" / "pytest.ini")
    assert cmd[-2:] == ["-k", "nvs"]


def test_pytest_embedded_is_off_outside_the_stage():
    assert "-p no:pytest_embedded" in (ROOT / "pyproject.toml").read_text()
    assert "-p pytest_embedded" in (ROOT / "host_tests" / "idf_linux" / "pytest.ini").read_text()


def test_figures_are_read_by_name_and_the_last_line_wins():
    text = (
        "I (12) mqtt_ws: client ESP32_1D1A05\n"
        "figure: registration_bytes 193\n"
        "figure: connect_to_puback_ms 1.5 2.5 3.5\n"
        "figure: connect_to_puback_ms 4.0\r\n"
        "not a figure: x 1\n"
    )
    assert idf_linux.parse_figures(text) == {"registration_bytes": ["193"], "connect_to_puback_ms": ["4.0"]}


def test_paho_floor_output_gives_its_puback_time():
    assert idf_linux.puback_ms_of_floor('{"event":"puback","t_ms":12.75}\n') == 12.75
    assert idf_linux.puback_ms_of_floor("paho_floor: failed (code -1)\n") is None


def test_comparison_prints_both_medians_and_their_ratio():
    lines = idf_linux.comparison(idf_linux.Series((2.0, 3.0, 100.0)), idf_linux.Series((1.0, 2.0, 4.0)))
    assert "median 3.00 ms, min 2.00, max 100.00 (3 runs)" in lines[0]
    assert "median 2.00 ms" in lines[1]
    assert lines[2] == "ratio of medians ESP-MQTT / Paho: 1.50 (goal <= 1.2)"


def test_comparison_without_paho_says_why():
    lines = idf_linux.comparison(idf_linux.Series((2.0,)), None, "host_tests/bench/paho_floor.c is not in this tree")
    assert lines[-1].endswith("not measured (host_tests/bench/paho_floor.c is not in this tree)")


def test_paho_floor_absent_source_is_a_reason_not_an_error(tmp_path):
    binary, why = idf_linux.paho_floor(tmp_path, tmp_path / "out")
    assert binary is None
    assert "paho_floor.c is not in this tree" in why


@pytest.mark.parametrize("values, median", [((5.0,), 5.0), ((1.0, 9.0), 5.0), ((3.0, 1.0, 2.0), 2.0)])
def test_series_median(values, median):
    assert idf_linux.Series(values).median == median


def test_idf_py_runs_with_esp_idfs_own_python_when_exported(tmp_path):
    python = tmp_path / "venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("")
    install = _fake_idf(tmp_path)
    assert idf_linux.idf_py(install, {"IDF_PYTHON_ENV_PATH": str(tmp_path / "venv")}) == [
        str(python), str(install.idf_py)]
    assert idf_linux.idf_py(install, {}) == [str(install.idf_py)]
