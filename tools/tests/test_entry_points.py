"""`invoke --list` and `nox --list` describe every task and session; every task option has help."""

import inspect
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TASKS = {"setup", "doctor", "build", "flash", "label", "monitor", "menuconfig", "clean", "size-report", "test",
         "format", "simulate", "benchmark", "memory-budget", "screenshot", "static-ram", "qemu"}
SESSIONS = {"host_tests", "coverage", "lint", "tools_tests", "e2e", "faults", "benchmark", "idf_linux"}


def listing(*args):
    result = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_invoke_lists_every_task_with_a_description():
    described = dict(re.findall(r"^  (\S+)\s+(\S.*)$", listing("invoke", "--list"), re.MULTILINE))
    assert set(described) == TASKS


def test_nox_lists_every_session_with_a_description_and_the_default_selection():
    text = listing("nox", "--list")
    sessions = {name: mark for mark, name in re.findall(r"^([*-]) (\w+) -> \S", text, re.MULTILINE)}
    assert set(sessions) == SESSIONS
    assert {name for name, mark in sessions.items() if mark == "*"} == {"host_tests", "tools_tests", "e2e", "lint"}


def test_every_task_has_a_one_line_docstring_and_help_for_each_option():
    sys.path.insert(0, str(ROOT))
    try:
        import tasks
    finally:
        sys.path.remove(str(ROOT))
    for task in [t for t in vars(tasks).values() if t.__class__.__name__ == "Task"]:
        doc = inspect.getdoc(task.body)
        assert doc and "\n" not in doc, task.name
        options = [p for p in inspect.signature(task.body).parameters if p != "c"]
        assert sorted(task.help) == sorted(options), task.name


def test_every_task_shows_its_help_with_dash_h():
    for name in sorted(TASKS):
        result = subprocess.run([sys.executable, "-m", "invoke", name, "-h"], cwd=ROOT, capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 0, (name, result.stderr)
        assert result.stdout.startswith(f"Usage: inv[oke] [--core-opts] {name} "), name


def test_arguments_after_a_double_dash_reach_pytest_through_nox():
    # Runs one fast test of this file through `invoke test`: the -k after -- must reach pytest.
    selected = "test_every_task_has_a_one_line_docstring_and_help_for_each_option"
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "test", "--session", "tools_tests", "--", "-k", selected],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"= 1 passed, \d+ deselected in ", result.stdout), result.stdout
