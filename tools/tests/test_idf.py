"""ESP-IDF wrappers: version parsing, finding the install, the one message when it is missing."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from irrigation_tools import ToolError
from irrigation_tools import espidf
from irrigation_tools.espidf import IdfVersion, parse_idf_version

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ESP-IDF v5.4.2", IdfVersion(5, 4, 2)),
        ("ESP-IDF v5.4.2-dirty", IdfVersion(5, 4, 2, "-dirty")),
        ("v5.4", IdfVersion(5, 4, 0)),
        ("ESP-IDF v5.5-dev-1234-gabcdef", IdfVersion(5, 5, 0, "-dev-1234-gabcdef")),
        ("5.3.1", IdfVersion(5, 3, 1)),
        ("no version here", None),
    ],
)
def test_parse_idf_version(text, expected):
    assert parse_idf_version(text) == expected


@pytest.mark.parametrize(
    "version, supported",
    [
        (IdfVersion(5, 4, 2), True),
        (IdfVersion(5, 4, 0), True),
        (IdfVersion(5, 3, 2), False),
        (IdfVersion(5, 5, 0), False),
    ],
)
def test_only_the_5_4_series_is_supported(version, supported):
    assert version.is_supported_series is supported


def make_idf_checkout(path: Path, major=5, minor=4, patch=2) -> Path:
    (path / "tools").mkdir(parents=True)
    (path / "tools" / "idf.py").write_text("#!/bin/sh\n")
    header = path / "components" / "esp_common" / "include" / "esp_idf_version.h"
    header.parent.mkdir(parents=True)
    header.write_text(
        f"#define ESP_IDF_VERSION_MAJOR   {major}\n#define ESP_IDF_VERSION_MINOR   {minor}\n"
        f"#define ESP_IDF_VERSION_PATCH   {patch}\n"
    )
    return path


def make_idf_py_on_path(bin_dir: Path, log: Path | None = None) -> Path:
    bin_dir.mkdir(parents=True, exist_ok=True)
    script = bin_dir / "idf.py"
    script.write_text("#!/bin/sh\n" + (f'echo "$@" >> {log}\n' if log else "") + "exit 0\n")
    script.chmod(0o755)
    return script


def test_version_is_read_from_the_checkout_header(tmp_path):
    idf = make_idf_checkout(tmp_path / "esp-idf", 5, 4, 2)
    assert espidf.read_version_header(idf) == IdfVersion(5, 4, 2)


def test_missing_idf_raises_one_message_saying_how_to_install(tmp_path):
    with pytest.raises(ToolError) as error:
        espidf.locate_idf({"PATH": str(tmp_path)})
    assert "ESP-IDF is not installed" in error.value.message
    assert "Install ESP-IDF v5.4.2" in error.value.message
    assert "export.sh" in error.value.message
    assert error.value.code != 0


def test_idf_path_without_active_environment_says_to_run_export(tmp_path):
    idf = make_idf_checkout(tmp_path / "esp-idf")
    with pytest.raises(ToolError) as error:
        espidf.locate_idf({"IDF_PATH": str(idf), "PATH": str(tmp_path / "empty")})
    assert f". {idf}/export.sh" in error.value.message


def test_idf_path_that_is_not_a_checkout_is_reported(tmp_path):
    with pytest.raises(ToolError, match="is not an ESP-IDF checkout"):
        espidf.locate_idf({"IDF_PATH": str(tmp_path), "PATH": ""})


def test_active_install_is_found_with_its_version(tmp_path):
    idf = make_idf_checkout(tmp_path / "esp-idf", 5, 4, 2)
    idf_py = make_idf_py_on_path(tmp_path / "bin")
    install = espidf.locate_idf({"IDF_PATH": str(idf), "PATH": str(idf_py.parent)})
    assert install.version == IdfVersion(5, 4, 2)
    assert install.idf_py == idf_py
    assert espidf.version_warning(install) is None


def test_other_idf_version_gives_a_warning(tmp_path):
    idf = make_idf_checkout(tmp_path / "esp-idf", 5, 3, 1)
    install = espidf.locate_idf({"IDF_PATH": str(idf), "PATH": str(make_idf_py_on_path(tmp_path / "bin").parent)})
    warning = espidf.version_warning(install)
    assert "v5.3.1" in warning and "5.4.x expected" in warning


def test_build_command_uses_a_per_target_build_dir_and_sdkconfig(tmp_path):
    idf = make_idf_checkout(tmp_path / "esp-idf")
    env = {"IDF_PATH": str(idf), "PATH": str(make_idf_py_on_path(tmp_path / "bin").parent)}
    project = tmp_path / "project"
    project.mkdir()
    (project / "CMakeLists.txt").write_text("")
    calls = []
    espidf.run_idf(["build"], target="esp32s3", root=project, env=env, runner=lambda cmd: calls.append(cmd) or 0)
    build_dir = project / "build" / "firmware" / "esp32s3"
    assert calls == [[
        str(tmp_path / "bin" / "idf.py"), "-C", str(project), "-B", str(build_dir),
        "-DIDF_TARGET=esp32s3", f"-DSDKCONFIG={build_dir / 'sdkconfig'}", "build",
    ]]


def test_unsupported_target_is_an_option_error(tmp_path):
    idf = make_idf_checkout(tmp_path / "esp-idf")
    env = {"IDF_PATH": str(idf), "PATH": str(make_idf_py_on_path(tmp_path / "bin").parent)}
    (tmp_path / "CMakeLists.txt").write_text("")
    with pytest.raises(ToolError) as error:
        espidf.run_idf(["build"], target="esp8266", root=tmp_path, env=env, runner=lambda cmd: 0)
    assert error.value.code == 2
    assert "esp32, esp32s3, esp32c3" in error.value.message


def test_unsupported_target_is_reported_before_looking_for_esp_idf(tmp_path):
    (tmp_path / "CMakeLists.txt").write_text("")
    with pytest.raises(ToolError) as error:
        espidf.run_idf(["build"], target="esp32s2", root=tmp_path, env={"PATH": ""}, runner=lambda cmd: 0)
    assert error.value.code == 2
    assert error.value.message.startswith("--target esp32s2: unsupported")


def test_failing_idf_py_is_reported_with_its_exit_code(tmp_path):
    idf = make_idf_checkout(tmp_path / "esp-idf")
    env = {"IDF_PATH": str(idf), "PATH": str(make_idf_py_on_path(tmp_path / "bin").parent)}
    (tmp_path / "CMakeLists.txt").write_text("")
    with pytest.raises(ToolError) as error:
        espidf.run_idf(["flash"], target="esp32", root=tmp_path, env=env, runner=lambda cmd: 2)
    assert error.value.code == 2 and "idf.py flash failed for esp32" in error.value.message


def test_last_built_target_is_the_newest_build(tmp_path):
    assert espidf.last_built_target(tmp_path) == "esp32"
    for age, target in ((100, "esp32"), (50, "esp32c3")):
        description = tmp_path / "build" / "firmware" / target / "project_description.json"
        description.parent.mkdir(parents=True)
        description.write_text("{}")
        stamp = 1_700_000_000 - age
        os.utime(description, (stamp, stamp))
    assert espidf.last_built_target(tmp_path) == "esp32c3"


@pytest.mark.parametrize("task", ["build", "flash", "monitor", "menuconfig", "clean"])
def test_invoke_task_without_idf_exits_non_zero_with_one_message(tmp_path, task):
    env = {k: v for k, v in os.environ.items() if k != "IDF_PATH"}
    env["PATH"] = str(tmp_path)  # no idf.py anywhere
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "--search-root", str(ROOT), task],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.count("ESP-IDF is not installed") == 1
    assert "Install ESP-IDF v5.4.2" in result.stderr
