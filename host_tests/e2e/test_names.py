"""Names and locations: every byte arrives intact up to the limits; nothing invalid is ever published.

Limits (consumer contract): device_name <= 100 bytes, location_description <= 250 bytes, in UTF-8 bytes.
"""

import json
import time

import pytest

from irrigation_tools.sim_process import run_simulator

from e2e_support import (
    DEFAULT_CLIENT_ID,
    DEFAULT_LOCATION,
    DEFAULT_NAME,
    EVENT_TIMEOUT_S,
    REGISTER_TIMEOUT_S,
    accepted,
    expected_registration,
    sim_args,
    whoami,
)


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8"))


def _pad(prefix: str, size: int) -> str:
    text = prefix + "x" * (size - _utf8_len(prefix))
    assert _utf8_len(text) == size
    return text


NAMES = {
    "quotes": 'Riego "Norte" \'bis\'',
    "backslashes": "C:\\riego\\zona\\1 \\\"",
    "spanish": "Huerta Peñalolén – Ñuñoa, Güemes, acción",
    "emoji": "Riego 🌱💧 Norte ☀",
    "control-characters": "línea1\nlínea2\ttab\x01\x07\x1f\x7f fin",
    "json-like": '{"event_type":"x"}</script>',
    "100-bytes-ascii": "n" * 100,
    "100-bytes-two-byte-chars": "ñ" * 50,
    "100-bytes-four-byte-chars": "🌱" * 25,
    "100-bytes-mixed": _pad("Vereda \"Ñame\" \\ 🌱", 100),
}

LOCATIONS = {
    "spanish": "Vereda El Ñame, finca «La Esperanza», municipio de Sopó, Cundinamarca",
    "250-bytes-ascii": "L" * 250,
    "250-bytes-two-byte-chars": "á" * 125,
    "250-bytes-mixed": _pad("Finca \"La Ñ\" \\ lote 🌱\n\t", 250),
}

NAME_101_BYTES = "ñ" * 50 + "x"  # 51 characters: the limit is in bytes
LOCATION_251_BYTES = "á" * 125 + "y"


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_device_name_arrives_intact(name, nats, subscribe, simulator):
    subscriber = subscribe(nats)
    simulator(nats.ws_uri, name=name)
    document = accepted(subscriber.wait_for(timeout=REGISTER_TIMEOUT_S))
    assert document == expected_registration(name=name)


@pytest.mark.parametrize("location", LOCATIONS.values(), ids=LOCATIONS.keys())
def test_location_arrives_intact(location, nats, subscribe, simulator):
    subscriber = subscribe(nats)
    simulator(nats.ws_uri, location=location)
    document = accepted(subscriber.wait_for(timeout=REGISTER_TIMEOUT_S))
    assert document == expected_registration(location=location)


def test_special_values_are_sent_as_print_registration_prints_them(nats, subscribe, simulator, sim_binary, sim_env,
                                                                   tmp_path):
    name, location = NAMES["control-characters"], LOCATIONS["250-bytes-mixed"]
    subscriber = subscribe(nats)
    simulator(nats.ws_uri, name=name, location=location)
    message = subscriber.wait_for(timeout=REGISTER_TIMEOUT_S)
    printed = run_simulator(
        sim_binary,
        sim_args(nats.ws_uri, tmp_path / "print.conf", name=name, location=location) + ["--print-registration"],
        env=sim_env,
    )
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.rstrip(b"\n") == message.payload
    assert b"\n" not in message.payload, "control characters are escaped"


@pytest.mark.parametrize(
    "option, value, limit",
    [("--name", NAME_101_BYTES, "100"), ("--location", LOCATION_251_BYTES, "250")],
    ids=["name-101-bytes", "location-251-bytes"],
)
def test_over_long_option_exits_2_with_a_clear_error_and_publishes_nothing(
    option, value, limit, nats, subscribe, sim_binary, sim_env, tmp_path
):
    subscriber = subscribe(nats)
    args = sim_args(nats.ws_uri, tmp_path / "sim.conf") + [option, value]
    result = run_simulator(sim_binary, args, env=sim_env)
    assert result.returncode == 2
    error = result.stderr.decode("utf-8", errors="replace").strip()
    assert option in error and limit in error, error
    assert len(error.splitlines()) == 1, error
    time.sleep(0.5)
    assert subscriber.count() == 0
    assert DEFAULT_CLIENT_ID not in nats.mqtt_client_ids(state="all")


def test_http_config_with_an_over_long_name_is_400_and_the_old_name_stays(nats, subscriber, simulator):
    sim = simulator(nats.ws_uri, name="Nombre Valido")
    sim.wait_event("registered", timeout=REGISTER_TIMEOUT_S)
    subscriber.wait_for(timeout=REGISTER_TIMEOUT_S)
    code, body = sim.post_form("/config", {"device_name": NAME_101_BYTES})
    assert code == 400
    assert "device_name" in body and "100" in body, body
    assert whoami(sim)["device_name"] == "Nombre Valido"
    # The next registration (an IP change triggers one) still carries the stored valid name.
    mark, received = sim.mark(), subscriber.count()
    sim.send("ip 10.0.0.8")
    sim.wait_event("registered", lambda e: e["ip"] == "10.0.0.8", since=mark, timeout=EVENT_TIMEOUT_S)
    document = accepted(subscriber.wait_for(since=received, timeout=REGISTER_TIMEOUT_S))
    assert document["device_name"] == "Nombre Valido"
    assert document["ip_address"] == "10.0.0.8"


def test_http_config_with_a_valid_name_registers_again_with_it(nats, subscriber, simulator):
    sim = simulator(nats.ws_uri)
    sim.wait_event("registered", timeout=REGISTER_TIMEOUT_S)
    subscriber.wait_for(timeout=REGISTER_TIMEOUT_S)
    received = subscriber.count()
    new_name = "Riego Peñalolén 🌱"
    code, body = sim.post_form("/config", {"device_name": new_name, "location_description": "Lote \"3\""})
    assert code == 200, body
    document = accepted(subscriber.wait_for(since=received, timeout=REGISTER_TIMEOUT_S))
    assert document["device_name"] == new_name
    assert document["location_description"] == 'Lote "3"'
    assert whoami(sim)["device_name"] == new_name


def test_stored_name_is_used_on_the_next_start(nats, subscribe, simulator, tmp_path):
    config = tmp_path / "kept.conf"
    subscriber = subscribe(nats)
    first = simulator(nats.ws_uri, config_file=config, name="Guardado ñ", location="Ubicación guardada")
    subscriber.wait_for(timeout=REGISTER_TIMEOUT_S)
    first.stop()
    received = subscriber.count()
    simulator(nats.ws_uri, config_file=config)
    document = accepted(subscriber.wait_for(since=received, timeout=REGISTER_TIMEOUT_S))
    assert (document["device_name"], document["location_description"]) == ("Guardado ñ", "Ubicación guardada")


@pytest.mark.parametrize(
    "field, over_long, default",
    [
        ("device_name", "N" * 101, DEFAULT_NAME),
        ("location_description", "L" * 251, DEFAULT_LOCATION),
    ],
)
def test_over_long_value_edited_into_the_config_file_falls_back_to_the_default(
    field, over_long, default, nats, subscribe, simulator, tmp_path
):
    config = tmp_path / "edited.conf"
    marker = {"device_name": "MarcadorNombre", "location_description": "MarcadorUbicacion"}
    # Let the simulator write the file in its own format, then edit the stored value by hand.
    writer = simulator(nats.ws_uri, config_file=config, name=marker["device_name"],
                       location=marker["location_description"])
    writer.wait_event("registered", timeout=REGISTER_TIMEOUT_S)
    writer.stop()
    text = config.read_text(encoding="utf-8")
    assert marker[field] in text, f"config file format: {text!r}"
    config.write_text(text.replace(marker[field], over_long), encoding="utf-8")

    subscriber = subscribe(nats)
    sim = simulator(nats.ws_uri, config_file=config)
    document = accepted(subscriber.wait_for(timeout=REGISTER_TIMEOUT_S))
    assert document[field] == default
    other = "location_description" if field == "device_name" else "device_name"
    assert document[other] == marker[other]
    notices = sim.events("notice")
    assert notices, "the fallback is reported"
    assert any(("name" if field == "device_name" else "location") in json.dumps(n).lower() for n in notices), notices
