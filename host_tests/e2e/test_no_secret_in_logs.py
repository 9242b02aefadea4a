"""No secret in the simulator's output (issue 10, item 4).

The simulator runs unprovisioned, with its setup secret, a farm network with a password and MQTT
credentials, through what a technician does: the setup form refused without the secret and with a wrong one,
sent with a wrong WiFi password, then corrected; config changes with the secret as a bearer token, as HTTP
Basic and as the form field, and a wrong one; a factory reset and provisioning again; a clean SIGTERM stop.
Its event stream (stdout) and human-readable log (stderr) are then searched for every secret, in any
spelling (letters without regard to case, everything but letters and digits skipped): the one allowed
print is the stderr line that shows the setup secret at start, as the device shows it on its serial console.
NATS runs without authentication (the broker helper has no password file), so the credentials are passed and
sent but not checked by the broker.

--print-registration and option errors are searched the same way: they must not echo a --mqtt-password or
--setup-secret value, even one given wrongly (a stray word of an unquoted password, a misspelt option).
"""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import urllib.parse

import pytest

from irrigation_tools.sim_process import RECEIVED_KEY, SimProcess, run_simulator

from e2e_support import EVENT_TIMEOUT_S, REGISTER_TIMEOUT_S, SETUP_SECRET, sim_args, wait_status

TYPED_SECRET = "7k3m 9qxd 2f4h 8rtv"  # SETUP_SECRET as typed from the label
WRONG_SECRET = "7K3M9QXD2F4H8RTW"  # a mistyped label: one character off, nearly the secret
FARM_SSID = "Finca El Rosal"
WIFI_PASSWORD = "Cafetal&Lote 7"
WRONG_WIFI_PASSWORD = "Cafetal&Lote 8"
MQTT_USERNAME = "riego-norte"
MQTT_PASSWORD = "m9-Broker-Clave"


def basic(user: str, secret: str) -> str:
    return base64.b64encode(f"{user}:{secret}".encode("ascii")).decode("ascii")


SECRETS = {
    "setup secret": SETUP_SECRET,
    "wrong setup secret": WRONG_SECRET,
    "Basic credential": basic("tecnico", SETUP_SECRET),
    "wrong Basic credential": basic("tecnico", WRONG_SECRET),
    "WiFi password": WIFI_PASSWORD,
    "form-encoded WiFi password": urllib.parse.quote_plus(WIFI_PASSWORD),
    "wrong WiFi password": WRONG_WIFI_PASSWORD,
    "form-encoded wrong WiFi password": urllib.parse.quote_plus(WRONG_WIFI_PASSWORD),
    "MQTT password": MQTT_PASSWORD,
}
SECRET_LINE = f"irrigation-sim: setup secret: {SETUP_SECRET}"


def squeeze(text: str) -> str:
    """Letters and digits only, upper case: the spelling-free form secrets are looked for in."""
    return re.sub(r"[^0-9A-Za-z]", "", text).upper()


def secrets_in(text: str) -> list[str]:
    """What secrets text holds, in any spelling."""
    squeezed = squeeze(text)
    return [what for what, secret in SECRETS.items() if squeeze(secret) in squeezed]


def test_the_secret_check_finds_each_secret_in_any_spelling():
    for what, secret in SECRETS.items():
        for spelling in (secret, secret.lower(), f"x {secret} y", " ".join(secret)):
            assert what in secrets_in(spelling), (what, spelling)
    assert secrets_in("7k3m-9qxd-2f4h-8rtv") == ["setup secret"]
    notice = f'{{"event":"notice","message":"provisioning: credentials received for \\"{FARM_SSID}\\""}}'
    assert secrets_in(notice) == []


def event_lines(sim: SimProcess) -> list[str]:
    """Every stdout line: events as JSON text (their values decoded, so no escape hides a secret), then any
    line that was not JSON."""
    lines = [json.dumps({k: v for k, v in e.items() if k != RECEIVED_KEY}, ensure_ascii=False)
             for e in sim.all_events()]
    return lines + sim.raw_lines()


def write(sim: SimProcess, answers: list[str], path: str, fields: dict, authorization: str = "") -> int:
    """One POST, its secret where the caller puts it (a header, or the form field setup_secret); the answer's
    body is kept to be searched too."""
    headers = {"Authorization": authorization} if authorization else {}
    code, body = sim.post_form(path, fields, authorize=False, headers=headers)
    answers.append(body)
    return code


def setup_form(password: str, **fields: str) -> dict:
    return {"ssid": FARM_SSID, "password": password, **fields}


@pytest.fixture
def device(simulator, nats):
    extra = (
        "--unprovisioned",
        "--wifi-ssid", FARM_SSID,
        "--wifi-password", WIFI_PASSWORD,
        "--mqtt-username", MQTT_USERNAME,
        "--mqtt-password", MQTT_PASSWORD,
        "--config-min-interval-ms", "0",
    )
    sim = simulator(nats.ws_uri, extra=extra)
    wait_status(sim, lambda d: d["provisioning"], what="/status provisioning")
    return sim


def provision_through_mistakes(sim: SimProcess, answers: list[str]) -> None:
    """The form without the secret, with a wrong one in each form, with a wrong WiFi password, then right."""
    wrong = setup_form(WRONG_WIFI_PASSWORD)
    assert write(sim, answers, "/provision", wrong) == 401
    assert write(sim, answers, "/provision", wrong, f"Bearer {WRONG_SECRET}") == 401
    assert write(sim, answers, "/provision", wrong, f"Basic {basic('tecnico', WRONG_SECRET)}") == 401
    assert write(sim, answers, "/provision", setup_form(WRONG_WIFI_PASSWORD, setup_secret=WRONG_SECRET)) == 401

    mark = sim.mark()
    assert write(sim, answers, "/provision", setup_form(WRONG_WIFI_PASSWORD, setup_secret=TYPED_SECRET)) == 200
    sim.wait_event("wifi", lambda e: e["to"] == "backoff" and e["reason"] == 15, since=mark,
                   timeout=EVENT_TIMEOUT_S)

    mark = sim.mark()
    right_basic = f"Basic {basic('tecnico', SETUP_SECRET)}"
    assert write(sim, answers, "/provision", setup_form(WIFI_PASSWORD), right_basic) == 200
    sim.wait_event("registered", since=mark, timeout=REGISTER_TIMEOUT_S)


def change_config(sim: SimProcess, answers: list[str]) -> None:
    """A config change with the secret in each accepted form, and one with a wrong secret; the node registers
    its new name."""
    mark = sim.mark()
    assert write(sim, answers, "/config", {"device_name": "Riego Sur"}, f"Bearer {TYPED_SECRET}") == 200
    assert write(sim, answers, "/config", {"location_description": "Lote 4"},
                 f"Basic {basic('tecnico', SETUP_SECRET)}") == 200
    assert write(sim, answers, "/config", {"device_name": "Riego Este", "setup_secret": SETUP_SECRET}) == 200
    assert write(sim, answers, "/config", {"device_name": "Intruso"}, f"Bearer {WRONG_SECRET}") == 401
    sim.wait_event("registered", since=mark, timeout=REGISTER_TIMEOUT_S)


def factory_reset_and_provision_again(sim: SimProcess, answers: list[str]) -> None:
    mark = sim.mark()
    sim.send("factory-reset")
    sim.wait_event("wifi", lambda e: e["mode"] == "provisioning" and e["to"] == "idle", since=mark,
                   timeout=EVENT_TIMEOUT_S)
    wait_status(sim, lambda d: d["provisioning"], what="/status provisioning")
    mark = sim.mark()
    assert write(sim, answers, "/provision", setup_form(WIFI_PASSWORD, setup_secret=SETUP_SECRET)) == 200
    sim.wait_event("registered", since=mark, timeout=REGISTER_TIMEOUT_S)


def test_provisioning_config_changes_a_reset_and_a_stop_print_no_secret_but_the_setup_line(device):
    sim = device
    answers: list[str] = []
    provision_through_mistakes(sim, answers)
    change_config(sim, answers)
    factory_reset_and_provision_again(sim, answers)
    os.kill(sim.pid, signal.SIGTERM)
    assert sim.wait_exit(timeout=EVENT_TIMEOUT_S) == 0
    assert sim.events("exit")[-1]["reason"] == "SIGTERM"

    stdout = event_lines(sim)
    stderr = sim.stderr_path.read_text(encoding="utf-8", errors="replace").splitlines()
    # Something was captured: the whole story is there to be searched.
    assert len(sim.events("registered")) >= 3 and len(sim.events("wifi")) >= 6, stdout[-20:]
    assert any("factory reset" in line for line in stdout)
    print(f"searched {len(stdout)} stdout lines and {len(stderr)} stderr lines")

    leaks = [(line, secrets_in(line)) for line in stdout if secrets_in(line)]
    assert leaks == [], leaks
    assert stderr.count(SECRET_LINE) == 1, stderr
    leaks = [(line, secrets_in(line)) for line in stderr if line != SECRET_LINE and secrets_in(line)]
    assert leaks == [], leaks
    # Nor is any secret echoed in an HTTP answer.
    leaks = [(body, secrets_in(body)) for body in answers if secrets_in(body)]
    assert leaks == [], leaks


def test_print_registration_prints_no_secret(sim_binary, sim_env, tmp_path):
    args = sim_args("ws://127.0.0.1:9/mqtt", tmp_path / "print.conf") + [
        "--print-registration",
        "--unprovisioned",
        "--wifi-password", WIFI_PASSWORD,
        "--mqtt-username", MQTT_USERNAME,
        "--mqtt-password", MQTT_PASSWORD,
    ]
    result = run_simulator(sim_binary, args, env=sim_env)
    assert result.returncode == 0, result.stderr
    stdout = result.stdout.decode("utf-8")
    assert json.loads(stdout)["event_type"] == "register"
    assert secrets_in(stdout) == [] and secrets_in(result.stderr.decode("utf-8")) == []


SPLIT_PASSWORD = ("Clave", "Finca-Cafetera-2026")  # `--mqtt-password Clave Finca-Cafetera-2026`, unquoted
BAD_OPTIONS = {
    # case: (arguments, the option the error must name, the values it must not echo)
    "another option's value": (["--mqtt-password", MQTT_PASSWORD, "--qos", "7"], "--qos", [MQTT_PASSWORD]),
    "a rule across options": (["--setup-secret", SETUP_SECRET, "--retry-initial-ms", "5", "--retry-max-ms", "1"],
                              "--retry-max-ms", [SETUP_SECRET]),
    "a secret too long": (["--setup-secret", SETUP_SECRET + "X"], "--setup-secret", [SETUP_SECRET]),
    "a secret too short": (["--setup-secret", WRONG_SECRET[:12]], "--setup-secret", [WRONG_SECRET[:12]]),
    "a password too long": (["--mqtt-password", MQTT_PASSWORD * 5], "--mqtt-password", [MQTT_PASSWORD]),
    "a misspelt option": (["--mqtt-pasword=" + MQTT_PASSWORD], "--mqtt-pasword", [MQTT_PASSWORD]),
    "an unquoted password": (["--mqtt-password", *SPLIT_PASSWORD], "argument 3", [SPLIT_PASSWORD[1]]),
    "a secret without its option": (["--unprovisioned", SETUP_SECRET], "argument 2", [SETUP_SECRET]),
}


@pytest.mark.parametrize("case", list(BAD_OPTIONS))
def test_an_option_error_names_the_option_and_echoes_no_secret(sim_binary, sim_env, tmp_path, case):
    args, option, values = BAD_OPTIONS[case]
    config = tmp_path / "bad.conf"
    result = run_simulator(sim_binary, args + ["--config-file", str(config)], env=sim_env)
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 2, stderr
    assert stderr.startswith(f"irrigation-sim: {option}: ") and stderr.count("\n") == 1, stderr
    output = stderr + result.stdout.decode("utf-8")
    echoed = [value for value in values if squeeze(value) in squeeze(output)]
    assert echoed == [], stderr
    assert not config.exists()
