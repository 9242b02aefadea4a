"""./dev: what the day-one bootstrap runs, on a fake machine.

Each test copies `dev` and a requirements.txt into a temporary directory and runs it with a PATH that holds
only stub commands (python3, sudo, apt-get, id; the venv's python and invoke are stubs that python3 -m venv
writes) and the few real utilities the script needs. Every stub appends one line to a log, so the tests
assert what ./dev ran, in which order, and with which stdin.
"""

import os
import pty
import shutil
import subprocess
from pathlib import Path

import pytest

DEV = Path(__file__).resolve().parents[2] / "dev"
REAL_TOOLS = ("bash", "env", "cat", "cut", "sha256sum", "dirname", "rm", "mkdir", "cp", "chmod", "touch", "true")

# `python3`: ready (ensurepip, venv, pip importable) only once apt-get has installed python3-venv.
PYTHON3 = r"""#!/bin/bash
echo "python3 $*" >> "$DEV_LOG"
ready() { [ -f "$DEV_STATE/python3-venv" ]; }
case "$1 $2" in
    "-c import ensurepip, venv") ready ;;
    "-m pip") ready ;;
    "-m venv")
        ready || exit 1
        mkdir -p "$3/bin"
        cp "$DEV_STUBS/venv-python" "$3/bin/python"
        cp "$DEV_STUBS/venv-invoke" "$3/bin/invoke"
        ;;
    *) exit 99 ;;
esac
"""
VENV_PYTHON = r"""#!/bin/bash
case "$*" in
    "-m pip --version") exit 0 ;;
    "-m pip install "*) echo "venv-pip $*" >> "$DEV_LOG" ;;
    "-c import sys; print(sys.version)") echo "3.11.stub" ;;
    *) exit 99 ;;
esac
"""
VENV_INVOKE = r"""#!/bin/bash
if [ -t 0 ]; then stdin=tty; else stdin=none; fi
echo "invoke $* (stdin: $stdin)" >> "$DEV_LOG"
"""
APT_GET = r"""#!/bin/bash
echo "apt-get $* (DEBIAN_FRONTEND=$DEBIAN_FRONTEND)" >> "$DEV_LOG"
[ "$1" = install ] && touch "$DEV_STATE/python3-venv"
exit 0
"""
SUDO = r"""#!/bin/bash
echo "sudo $*" >> "$DEV_LOG"
if [ "$1" = -n ]; then
    [ -f "$DEV_STATE/sudo-nopasswd" ] || exit 1
    shift
fi
exec "$@"
"""
ID = r"""#!/bin/bash
[ "$1" = -u ] && echo "$DEV_UID"
"""


class FakeMachine:
    def __init__(self, tmp_path, uid=0, python3_venv=True, sudo=True, sudo_nopasswd=False):
        self.repo, self.stubs, self.state = tmp_path / "repo", tmp_path / "stubs", tmp_path / "state"
        for directory in (self.repo, self.stubs, self.state):
            directory.mkdir()
        shutil.copy(DEV, self.repo / "dev")
        self.requirements("invoke==3.0.3\n")
        stubs = {"python3": PYTHON3, "venv-python": VENV_PYTHON, "venv-invoke": VENV_INVOKE, "apt-get": APT_GET,
                 "id": ID, **({"sudo": SUDO} if sudo else {})}
        for name, text in stubs.items():
            (self.stubs / name).write_text(text)
            (self.stubs / name).chmod(0o755)
        for tool in REAL_TOOLS:
            (self.stubs / tool).symlink_to(shutil.which(tool))
        if python3_venv:
            (self.state / "python3-venv").touch()
        if sudo_nopasswd:
            (self.state / "sudo-nopasswd").touch()
        self.log = tmp_path / "log"
        self.env = {"PATH": str(self.stubs), "DEV_LOG": str(self.log), "DEV_STATE": str(self.state),
                    "DEV_STUBS": str(self.stubs), "DEV_UID": str(uid), "HOME": str(tmp_path)}

    def requirements(self, text):
        (self.repo / "requirements.txt").write_text(text)

    def run(self, *args, tty=False):
        """Runs ./dev ARGS (stdin: a pseudo-terminal, or /dev/null); returns (exit status, stderr, log lines)."""
        if self.log.exists():
            self.log.unlink()
        primary, secondary = pty.openpty() if tty else (None, None)
        try:
            result = subprocess.run(
                [str(self.stubs / "bash"), str(self.repo / "dev"), *args], env=self.env, cwd=self.repo,
                stdin=secondary if tty else subprocess.DEVNULL, capture_output=True, text=True, timeout=30,
            )
        finally:
            for fd in (primary, secondary):
                if fd is not None:
                    os.close(fd)
        lines = self.log.read_text().splitlines() if self.log.exists() else []
        return result.returncode, result.stderr, lines


def actions(lines):
    """The lines that change the machine or run a task (not the readiness probes)."""
    return [line for line in lines if not line.startswith(("python3 -c", "python3 -m pip", "sudo -n true"))]


@pytest.fixture
def machine(tmp_path):
    return FakeMachine(tmp_path)


def test_first_run_creates_the_venv_installs_the_pins_runs_setup_then_the_task(machine):
    code, _, lines = machine.run("--list")
    assert code == 0
    venv = machine.repo / ".venv"
    assert actions(lines) == [
        f"python3 -m venv {venv}",
        f"venv-pip -m pip install --no-input -q -r {machine.repo / 'requirements.txt'}",
        f"invoke --search-root {machine.repo} setup --quiet (stdin: none)",
        f"invoke --search-root {machine.repo} --list (stdin: none)",
    ]


def test_second_run_does_not_reinstall_anything(machine):
    machine.run("--list")
    code, _, lines = machine.run("--list")
    assert code == 0
    assert actions(lines) == [
        f"invoke --search-root {machine.repo} setup --quiet (stdin: none)",
        f"invoke --search-root {machine.repo} --list (stdin: none)",
    ]


def test_a_changed_requirements_file_is_installed_again(machine):
    machine.run("--list")
    machine.requirements("invoke==3.0.3\nnox==2026.10.20\n")
    _, _, lines = machine.run("--list")
    assert sum(line.startswith("venv-pip -m pip install") for line in lines) == 1


def test_no_arguments_lists_the_tasks(machine):
    _, _, lines = machine.run()
    assert lines[-1] == f"invoke --search-root {machine.repo} --list (stdin: none)"


@pytest.mark.parametrize("task", ["setup", "doctor"])
def test_setup_and_doctor_are_not_preceded_by_setup(machine, task):
    _, _, lines = machine.run(task)
    assert [line for line in lines if line.startswith("invoke")] == [
        f"invoke --search-root {machine.repo} {task} (stdin: none)"
    ]


def test_from_a_terminal_setup_keeps_the_terminal_for_sudo_prompts(machine):
    code, _, lines = machine.run("simulate", tty=True)
    assert code == 0
    assert f"invoke --search-root {machine.repo} setup --quiet (stdin: tty)" in lines


def test_apt_get_runs_as_root_only_when_python3_venv_is_missing(tmp_path):
    machine = FakeMachine(tmp_path, uid=0, python3_venv=False)
    code, _, lines = machine.run("--list")
    assert code == 0
    assert actions(lines)[:2] == [
        "apt-get update -q (DEBIAN_FRONTEND=noninteractive)",
        "apt-get install -y -q --no-install-recommends python3 python3-venv python3-pip "
        "(DEBIAN_FRONTEND=noninteractive)",
    ]
    _, _, again = machine.run("--list")
    assert not any(line.startswith("apt-get") for line in again)


def test_a_user_with_password_less_sudo_gets_apt_get_through_sudo_n(tmp_path):
    machine = FakeMachine(tmp_path, uid=1000, python3_venv=False, sudo_nopasswd=True)
    code, _, lines = machine.run("--list")
    assert code == 0
    assert "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -q" in lines
    assert "apt-get update -q (DEBIAN_FRONTEND=noninteractive)" in lines


def test_a_sudo_user_on_a_terminal_gets_plain_sudo_which_may_prompt(tmp_path):
    machine = FakeMachine(tmp_path, uid=1000, python3_venv=False)
    code, _, lines = machine.run("--list", tty=True)
    assert code == 0
    assert "sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q" in lines


def test_without_root_or_usable_sudo_it_says_what_to_run_and_fails(tmp_path):
    machine = FakeMachine(tmp_path, uid=1000, python3_venv=False, sudo=False)
    code, stderr, lines = machine.run("--list")
    assert code == 1
    assert "dev: need root to run: apt-get update -q" in stderr
    assert not any(line.startswith(("apt-get", "invoke")) for line in lines)


def test_dev_can_be_run_as_dot_slash_dev():
    assert os.access(DEV, os.X_OK)
