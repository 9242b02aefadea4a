"""invoke setup: the apt plan from dpkg-query's answer, and the Python pins."""

import pytest

from irrigation_tools import ToolError
from irrigation_tools import host_setup
from irrigation_tools.host_setup import APT_PACKAGES, Pin


def dpkg_output(installed, other_status=None):
    lines = [f"{name}\tinstalled" for name in installed]
    lines += [f"{name}\t{status}" for name, status in (other_status or {}).items()]
    return "\n".join(lines) + "\n"


def test_only_packages_in_installed_state_count():
    output = dpkg_output(["gcc", "cmake"], {"cppcheck": "config-files", "curl": "half-installed"})
    assert host_setup.installed_from_dpkg(output) == {"gcc", "cmake"}


def test_architecture_suffix_is_ignored():
    assert host_setup.installed_from_dpkg("libcmocka-dev:amd64\tinstalled\n") == {"libcmocka-dev"}


def test_missing_packages_are_those_dpkg_does_not_report_installed():
    query = lambda packages: dpkg_output([p for p in packages if p not in ("nats-server", "git")])
    assert host_setup.missing_packages(APT_PACKAGES, query) == ["nats-server", "git"]


def test_nothing_missing_means_no_apt_commands():
    assert host_setup.apt_plan([], is_root=True, sudo_ok=False) == []


def test_root_runs_apt_get_directly_and_non_interactively():
    assert host_setup.apt_plan(["curl"], is_root=True, sudo_ok=False) == [
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "--no-install-recommends", "curl"],
    ]


def test_non_root_without_a_terminal_uses_sudo_without_a_password_prompt():
    plan = host_setup.apt_plan(["curl"], is_root=False, sudo_ok=True)
    assert all(cmd[:4] == ["sudo", "-n", "env", "DEBIAN_FRONTEND=noninteractive"] for cmd in plan)
    assert plan[1][-4:] == ["install", "-y", "--no-install-recommends", "curl"]


def test_non_root_on_a_terminal_uses_sudo_that_may_ask_for_the_password():
    plan = host_setup.apt_plan(["curl"], is_root=False, sudo_ok=False, sudo_prompt=True)
    assert plan == [
        ["sudo", "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "update"],
        ["sudo", "env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "install", "-y", "--no-install-recommends",
         "curl"],
    ]


@pytest.mark.parametrize("has_sudo, tty, expected", [(True, True, True), (True, False, False), (False, True, False)])
def test_sudo_can_prompt_only_when_installed_and_stdin_is_a_terminal(tmp_path, monkeypatch, has_sudo, tty, expected):
    if has_sudo:
        (tmp_path / "sudo").write_text("#!/bin/sh\n")
        (tmp_path / "sudo").chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert host_setup.sudo_can_prompt(lambda: tty) is expected


def test_non_root_without_sudo_says_what_to_run():
    with pytest.raises(ToolError) as error:
        host_setup.apt_plan(["curl", "gcc"], is_root=False, sudo_ok=False)
    assert "sudo apt-get install -y curl gcc" in error.value.message


def run_setup(tmp_path, installed_before, versions, runner_calls, installed_after=None, quiet=False, **kwargs):
    (tmp_path / "requirements.txt").write_text("invoke==3.0.3\n# comment\ngcovr==8.8  # coverage\n")
    state = {"installed": set(installed_before)}

    def query(packages):
        return dpkg_output([p for p in packages if p in state["installed"]])

    def runner(cmd):
        runner_calls.append(cmd)
        if "install" in cmd and "apt-get" in cmd:
            state["installed"] |= set(installed_after if installed_after is not None else APT_PACKAGES)
        return 0

    said = []
    options = dict(is_root=True, sudo_ok=lambda: False, sudo_prompt=lambda: False)
    options.update(kwargs)
    host_setup.run_setup(
        tmp_path, query=query, runner=runner, version_of=versions.get, say=said.append, quiet=quiet, **options
    )
    return said


def test_setup_with_everything_present_runs_nothing(tmp_path):
    calls = []
    said = run_setup(tmp_path, APT_PACKAGES, {"invoke": "3.0.3", "gcovr": "8.8"}, calls)
    assert calls == []
    assert "apt-get not run" in said[0]
    assert "all 2 pins satisfied" in said[1]


def test_setup_installs_exactly_the_missing_packages(tmp_path):
    calls = []
    present = [p for p in APT_PACKAGES if p not in ("mosquitto", "iproute2")]
    said = run_setup(tmp_path, present, {"invoke": "3.0.3", "gcovr": "8.8"}, calls)
    assert calls == [
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "--no-install-recommends", "mosquitto", "iproute2"],
    ]
    assert any("installed 2 Debian package(s)" in line for line in said)


def test_setup_by_a_sudo_user_on_a_terminal_runs_sudo_with_its_prompt(tmp_path):
    calls = []
    present = [p for p in APT_PACKAGES if p != "git"]

    def sudo_n_must_not_be_tried():
        raise AssertionError("sudo -n probed although sudo may prompt")

    run_setup(tmp_path, present, {"invoke": "3.0.3", "gcovr": "8.8"}, calls, is_root=False,
              sudo_prompt=lambda: True, sudo_ok=sudo_n_must_not_be_tried)
    assert [cmd[:4] for cmd in calls] == [["sudo", "env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]] * 2


def test_setup_by_a_sudo_user_without_a_terminal_needs_password_less_sudo(tmp_path):
    calls = []
    present = [p for p in APT_PACKAGES if p != "git"]
    with pytest.raises(ToolError, match="sudo from a terminal"):
        run_setup(tmp_path, present, {}, calls, is_root=False, sudo_prompt=lambda: False, sudo_ok=lambda: False)
    assert calls == []


def test_setup_fails_when_apt_did_not_install_a_package(tmp_path):
    present = [p for p in APT_PACKAGES if p != "git"]
    with pytest.raises(ToolError, match="still missing: git"):
        run_setup(tmp_path, present, {}, [], installed_after=[])


def test_setup_installs_requirements_when_a_pin_differs(tmp_path):
    calls = []
    said = run_setup(tmp_path, APT_PACKAGES, {"invoke": "3.0.3", "gcovr": "7.0"}, calls)
    assert len(calls) == 1
    assert calls[0][1:] == ["-m", "pip", "install", "--no-input", "-r", str(tmp_path / "requirements.txt")]
    assert any("gcovr==8.8 (found 7.0)" in line for line in said)


def test_unmet_pins_name_missing_and_wrong_versions():
    pins = [Pin("invoke", "3.0.3"), Pin("nox", "2026.10.20"), Pin("pyyaml", "6.0.3")]
    versions = {"invoke": "3.0.3", "pyyaml": "5.4"}
    assert host_setup.unmet_pins(pins, versions.get) == ["nox==2026.10.20 (missing)", "pyyaml==6.0.3 (found 5.4)"]


def test_requirement_lines_are_read_as_exact_pins_only(tmp_path):
    (tmp_path / "r.txt").write_text("# c\ninvoke==3.0.3\nnox>=1\n  gcovr == 8.8 ; python_version>'3'\n")
    assert host_setup.read_requirements(tmp_path / "r.txt") == [Pin("invoke", "3.0.3"), Pin("gcovr", "8.8")]


def test_quiet_setup_with_nothing_to_do_prints_nothing(tmp_path):
    assert run_setup(tmp_path, APT_PACKAGES, {"invoke": "3.0.3", "gcovr": "8.8"}, [], quiet=True) == []


def test_quiet_setup_still_says_what_it_installs(tmp_path):
    calls = []
    present = [p for p in APT_PACKAGES if p != "git"]
    said = run_setup(tmp_path, present, {"invoke": "3.0.3", "gcovr": "8.8"}, calls, quiet=True)
    assert said[0] == "setup: installing Debian packages: git"
