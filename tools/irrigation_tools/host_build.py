"""Commands of the host build (CMake project host_tests/): unit tests, sanitizer pass, coverage.

noxfile.py runs these lists; keeping them here lets tools/tests check the flags without running CMake.
Each pass has its own build directory so switching passes never reconfigures another one.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

SIMULATOR_TARGET = "irrigation-sim"
COVERAGE_GATED = ("components/domain", "components/application")
COVERAGE_FAIL_UNDER_LINE = 95
# The pinned gcovr of this interpreter's environment (.venv is not necessarily on PATH).
GCOVR = (sys.executable, "-m", "gcovr")


@dataclass(frozen=True)
class HostPass:
    name: str
    build_dir: str  # relative to the repository root
    cmake_options: tuple[str, ...] = ()


PLAIN = HostPass("plain", "build/host")
SANITIZE = HostPass("asan+ubsan", "build/host-asan", ("-DIRRIGATION_SANITIZE=ON",))
COVERAGE = HostPass("coverage", "build/host-cov", ("-DIRRIGATION_COVERAGE=ON",))


def configure_cmd(host_pass: HostPass) -> list[str]:
    return ["cmake", "-S", "host_tests", "-B", host_pass.build_dir, "-G", "Ninja", *host_pass.cmake_options]


def build_cmd(host_pass: HostPass, target: str | None = None) -> list[str]:
    return ["cmake", "--build", host_pass.build_dir, *(["--target", target] if target else [])]


def ctest_cmd(host_pass: HostPass) -> list[str]:
    # CTest prints its summary line ("100% tests passed, 0 tests failed out of N") at the end. Without
    # --no-tests=error a build directory that registered no test would pass.
    return ["ctest", "--test-dir", host_pass.build_dir, "--output-on-failure", "--no-tests=error"]


def is_configured(root: Path, host_pass: HostPass) -> bool:
    return (root / host_pass.build_dir / "CMakeCache.txt").is_file()


def gcovr_report_cmd(root: Path) -> list[str]:
    """HTML report of every component plus a text summary (per file, and the line/branch totals)."""
    return [
        *GCOVR,
        "--root",
        str(root),
        "--filter",
        "components/",
        "--html-details",
        "build/coverage/index.html",
        "--txt",
        "-",
        "--print-summary",
        # Only this pass's data: other build directories under build/ may hold .gcda files too.
        COVERAGE.build_dir,
    ]


def gcovr_gate_cmd(root: Path) -> list[str]:
    """The line-coverage gate on the portable core (domain + application), with its own summary."""
    cmd = [*GCOVR, "--root", str(root)]
    for directory in COVERAGE_GATED:
        cmd += ["--filter", directory + "/"]
    return cmd + ["--print-summary", "--fail-under-line", str(COVERAGE_FAIL_UNDER_LINE), COVERAGE.build_dir]
