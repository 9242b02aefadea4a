"""--print-registration is a query: it prints the message a normal run would send first and stores nothing.

--name/--location are validated as usual (exit 2) and used for the printed message, but never written to
the config file; fields without an option come from the config file, then from the defaults, as in a run.
The default config file lives in $TMPDIR (one per MAC), so a side effect here would leak into later runs.
"""

import json

import pytest

from irrigation_tools.sim_process import run_simulator

from e2e_support import DEFAULT_LOCATION, DEFAULT_MAC, DEFAULT_NAME, expected_registration, sim_args

BROKER = "ws://127.0.0.1:9/mqtt"  # printing never connects


def print_registration(sim_binary, sim_env, config_file, **options) -> dict:
    result = run_simulator(sim_binary, sim_args(BROKER, config_file, **options) + ["--print-registration"], env=sim_env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def store(simulator, absent_broker_uri):
    """store(config_file, name=..., location=...): a normal run stores the values, as a user's run would."""

    def run(config_file, **options) -> None:
        simulator(absent_broker_uri, config_file=config_file, **options).stop()
        assert config_file.exists()

    return run


def test_options_are_printed_and_no_config_file_is_written(sim_binary, sim_env, tmp_path):
    config = tmp_path / "print.conf"
    printed = print_registration(sim_binary, sim_env, config, name="Lote 3", location="Vereda Alta")
    assert printed == expected_registration(name="Lote 3", location="Vereda Alta")
    assert not config.exists()


def test_an_existing_config_file_is_left_unchanged(sim_binary, sim_env, tmp_path, store):
    config = tmp_path / "stored.conf"
    store(config, name="Stored name", location="Stored place")
    before = config.read_bytes()
    print_registration(sim_binary, sim_env, config, name="Other name", location="Other place")
    assert config.read_bytes() == before


def test_without_options_the_stored_values_are_printed(sim_binary, sim_env, tmp_path, store):
    config = tmp_path / "stored.conf"
    store(config, name="Stored name", location="Stored place")
    assert print_registration(sim_binary, sim_env, config) == expected_registration(
        name="Stored name", location="Stored place"
    )


def test_an_option_takes_precedence_over_the_stored_value_field_by_field(sim_binary, sim_env, tmp_path, store):
    config = tmp_path / "stored.conf"
    store(config, name="Stored name")
    printed = print_registration(sim_binary, sim_env, config, location="Option place")
    assert printed == expected_registration(name="Stored name", location="Option place")


def test_with_nothing_stored_and_no_options_the_defaults_are_printed(sim_binary, sim_env, tmp_path):
    printed = print_registration(sim_binary, sim_env, tmp_path / "empty.conf")
    assert printed == expected_registration(name=DEFAULT_NAME, location=DEFAULT_LOCATION)


def test_a_print_leaves_nothing_behind_in_the_shared_default_config_file(sim_binary, sim_env):
    # No --config-file: both runs use $TMPDIR/irrigation-sim-<MAC hex>.conf (sim_env points TMPDIR at tmp_path).
    def run(*options: str) -> dict:
        result = run_simulator(sim_binary, ["--mac", DEFAULT_MAC, *options, "--print-registration"], env=sim_env)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    assert run("--name", "First run")["device_name"] == "First run"
    assert run()["device_name"] == DEFAULT_NAME


def test_an_invalid_option_still_exits_2_and_writes_nothing(sim_binary, sim_env, tmp_path):
    config = tmp_path / "print.conf"
    result = run_simulator(sim_binary, sim_args(BROKER, config, name="x" * 101) + ["--print-registration"], env=sim_env)
    assert result.returncode == 2
    assert b"--name" in result.stderr and b"100" in result.stderr
    assert result.stdout == b""
    assert not config.exists()
