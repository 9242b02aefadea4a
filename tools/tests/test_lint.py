"""Commands of the lint and host-test sessions, and which files the format check covers."""

import subprocess
from pathlib import Path

from irrigation_tools import host_build, lint


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


def test_format_check_fails_on_any_difference():
    assert lint.clang_format_check_cmd(["a.c"]) == ["clang-format", "--dry-run", "--Werror", "a.c"]


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
    assert host_build.ctest_cmd(host_build.SANITIZE) == ["ctest", "--test-dir", "build/host-asan",
                                                          "--output-on-failure"]


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
