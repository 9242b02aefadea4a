"""Test sessions (nox). Thin: the commands are built in tools/irrigation_tools (host_build, lint).

`nox` runs host_tests, tools_tests, e2e and lint; `nox -s coverage` adds the gcovr report.
"""

import os
import sys
from pathlib import Path

import nox
import nox.command

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tools"))

from irrigation_tools import fault_report, host_build
from irrigation_tools import idf_linux as idf_linux_stage
from irrigation_tools import lint as lint_rules  # the session below is called lint

# Sessions run in the current environment instead of a nox-made virtualenv: `./dev` has already created
# .venv with the pinned requirements.txt, so one environment serves invoke, nox and pytest, and no
# session needs network access to install anything.
nox.options.default_venv_backend = "none"
nox.options.sessions = ["host_tests", "tools_tests", "e2e", "lint"]
nox.options.error_on_missing_interpreters = True

PYTHON_ENV = {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "tools"), os.environ.get("PYTHONPATH")]))}


def _host_pass(session, host_pass):
    session.run(*host_build.configure_cmd(host_pass))
    session.run(*host_build.build_cmd(host_pass))
    session.run(*host_build.ctest_cmd(host_pass))


@nox.session
def host_tests(session):
    """Host C unit tests with CTest, then again under ASan + UBSan."""
    session.chdir(ROOT)
    _host_pass(session, host_build.PLAIN)
    _host_pass(session, host_build.SANITIZE)


@nox.session
def coverage(session):
    """Host tests with gcov; gcovr HTML in build/coverage/, >= 95% lines in domain+application."""
    session.chdir(ROOT)
    (ROOT / "build" / "coverage").mkdir(parents=True, exist_ok=True)
    _host_pass(session, host_build.COVERAGE)
    session.log("coverage of components/ (HTML: build/coverage/index.html)")
    session.run(*host_build.gcovr_report_cmd(ROOT))
    gated = ", ".join(host_build.COVERAGE_GATED)
    session.log(f"line coverage gate: {gated} >= {host_build.COVERAGE_FAIL_UNDER_LINE}%")
    session.run(*host_build.gcovr_gate_cmd(ROOT))


@nox.session
def lint(session):
    """clang-format check, cppcheck on components/, and the layering rule."""
    session.chdir(ROOT)
    files = lint_rules.c_sources(ROOT)
    session.log(f"clang-format --dry-run on {len(files)} files")
    session.run(*lint_rules.clang_format_check_cmd(files))
    (ROOT / "build" / "cppcheck").mkdir(parents=True, exist_ok=True)
    session.run(*lint_rules.cppcheck_cmd(ROOT))
    session.run(sys.executable, "-m", "irrigation_tools.layering", str(ROOT), env=PYTHON_ENV)


@nox.session
def tools_tests(session):
    """pytest on the Python tooling (tools/tests)."""
    session.chdir(ROOT)
    session.run(sys.executable, "-m", "pytest", "tools/tests", *session.posargs, env=PYTHON_ENV)


def _build_simulator(session):
    session.chdir(ROOT)
    if not host_build.is_configured(ROOT, host_build.PLAIN):
        session.run(*host_build.configure_cmd(host_build.PLAIN))
    session.run(*host_build.build_cmd(host_build.PLAIN, host_build.SIMULATOR_TARGET))


@nox.session
def e2e(session):
    """End-to-end pytest: the simulator against local NATS and Mosquitto."""
    _build_simulator(session)
    # The suite in one process, then the fault matrix on parallel workers; both run, either may fail.
    failed = []
    for args in fault_report.e2e_session_runs(session.posargs):
        try:
            session.run(sys.executable, "-m", "pytest", *args, env=PYTHON_ENV,
                        success_codes=[0, fault_report.NO_TESTS_COLLECTED])
        except nox.command.CommandFailed:
            failed.append(args[0])
    if failed:
        session.error(f"e2e failed in: {', '.join(failed)}")


@nox.session
def faults(session):
    """Fault matrix x 20 cycles and its table (`-- --fault-cycles N`; `-- --fault-soak FAULT:BROKER` soaks one)."""
    _build_simulator(session)
    args = fault_report.faults_session_args(session.posargs)
    session.run(sys.executable, "-m", "pytest", *args, env=PYTHON_ENV)


@nox.session
def benchmark(session):
    """Speed and memory figures (ns/message, heap, latency medians); prints, never fails on speed."""
    session.chdir(ROOT)
    session.run(sys.executable, "-c", "import sys; from pathlib import Path; "
                "from irrigation_tools.benchmark import run_benchmark; run_benchmark(Path('.'))", env=PYTHON_ENV)


@nox.session
def idf_linux(session):
    """Adapters on ESP-IDF's linux target (Unity + pytest-embedded-idf, real brokers); skipped without ESP-IDF."""
    session.chdir(ROOT)
    install, skipped = idf_linux_stage.find_idf()
    if install is None:
        session.skip(skipped)
    for app in idf_linux_stage.APPS:
        if not idf_linux_stage.is_configured(ROOT, app):
            session.run(*idf_linux_stage.configure_cmd(install, ROOT, app), external=True)
        session.run(*idf_linux_stage.build_cmd(ROOT, app), external=True)
    session.run(*idf_linux_stage.pytest_cmd(ROOT, session.posargs), env=PYTHON_ENV)
