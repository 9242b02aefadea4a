"""Commands of the lint and host-test sessions, and which files the format check covers."""

import shutil
import subprocess
from pathlib import Path

import pytest

from irrigation_tools import host_build, lint

ROOT = Path(__file__).resolve().parents[2]


def git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_format_check_covers_tracked_and_new_c_files_but_not_ignored_ones(tmp_path):
    git(tmp_path, "init", "-q")
    for name in ["components/domain/src/a.c", "simulator/sim.h", "host_tests/unit/t.c", "tools/x.c",
                 "components/domain/src/notes.txt", "build/host/gen.c", "main/main.c"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    (tmp_path / ".gitignore").write_text("/build/\n")
    git(tmp_path, "add", "components/domain/src/a.c")
    assert lint.c_sources(tmp_path) == [
        "components/domain/src/a.c", "host_tests/unit/t.c", "main/main.c", "simulator/sim.h",
    ]


def test_outside_git_every_c_file_except_build_output_is_covered(tmp_path):
    for name in ["components/x/build/gen.c", "components/x/src/a.c", "main/b.h"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    (tmp_path / "components" / "x" / "build" / "gen.c").unlink()
    (tmp_path / ".git").write_text("not a repository")  # git fails here
    assert lint.c_sources(tmp_path) == ["components/x/src/a.c", "main/b.h"]


def formatted_project(tmp_path, source):
    """A directory with the repository's .clang-format and one C file holding `source`."""
    shutil.copy(ROOT / ".clang-format", tmp_path / ".clang-format")
    (tmp_path / "a.c").write_text(source)
    return tmp_path


def run_check(directory):
    cmd = lint.clang_format_check_cmd(["a.c"])
    return subprocess.run(cmd, cwd=directory, capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(shutil.which("clang-format") is None, reason="clang-format not installed")
def test_format_check_fails_on_a_badly_formatted_file(tmp_path):
    project = formatted_project(tmp_path, "int   f( int x ){return x+1;}\n")
    result = run_check(project)
    assert result.returncode != 0
    assert "a.c" in result.stderr


@pytest.mark.skipif(shutil.which("clang-format") is None, reason="clang-format not installed")
def test_format_check_passes_once_format_has_been_applied(tmp_path):
    project = formatted_project(tmp_path, "int   f( int x ){return x+1;}\n")
    subprocess.run(lint.clang_format_fix_cmd(["a.c"]), cwd=project, check=True, timeout=60)
    assert run_check(project).returncode == 0


def test_cppcheck_fails_the_session_and_sees_the_public_headers(tmp_path):
    (tmp_path / "components" / "infrastructure" / "nvs_adapter" / "include").mkdir(parents=True)
    cmd = lint.cppcheck_cmd(tmp_path)
    assert "--error-exitcode=1" in cmd and cmd[-1] == "components"
    assert "-Icomponents/domain/include" in cmd
    assert "-Icomponents/infrastructure/nvs_adapter/include" in cmd
    assert "--suppress=missingIncludeSystem" in cmd


def test_host_passes_use_their_own_build_directories():
    plain = ["cmake", "-S", "host_tests", "-B", "build/host", "-G", "Ninja"]
    assert host_build.configure_cmd(host_build.PLAIN) == plain
    assert host_build.configure_cmd(host_build.SANITIZE)[-1] == "-DIRRIGATION_SANITIZE=ON"
    assert host_build.configure_cmd(host_build.COVERAGE)[4:] == ["build/host-cov", "-G", "Ninja",
                                                                  "-DIRRIGATION_COVERAGE=ON"]
    assert host_build.ctest_cmd(host_build.SANITIZE)[:3] == ["ctest", "--test-dir", "build/host-asan"]


@pytest.mark.skipif(shutil.which("ctest") is None, reason="ctest not installed")
def test_ctest_fails_when_the_build_registered_no_test(tmp_path):
    (tmp_path / "build" / "host").mkdir(parents=True)
    (tmp_path / "build" / "host" / "CTestTestfile.cmake").write_text("# no add_test\n")
    result = subprocess.run(host_build.ctest_cmd(host_build.PLAIN), cwd=tmp_path, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0
    assert "No tests were found" in result.stdout + result.stderr


def test_coverage_gate_is_95_percent_of_lines_in_domain_and_application():
    cmd = host_build.gcovr_gate_cmd(Path("/repo"))
    assert cmd[cmd.index("--fail-under-line") + 1] == "95"
    filters = [cmd[i + 1] for i, arg in enumerate(cmd) if arg == "--filter"]
    assert filters == ["components/domain/", "components/application/"]
    assert cmd[-1] == "build/host-cov"  # only the coverage pass's data


def test_coverage_report_is_html_of_all_components():
    cmd = host_build.gcovr_report_cmd(Path("/repo"))
    assert cmd[cmd.index("--html-details") + 1] == "build/coverage/index.html"
    assert cmd[cmd.index("--filter") + 1] == "components/"
    assert cmd[-1] == "build/host-cov"
