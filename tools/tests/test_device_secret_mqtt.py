"""Per-device MQTT credentials in the `provision` image: `invoke flash --mqtt-username/--mqtt-password-file`.

The images are built by Espressif's real NVS partition tool and decoded by read_nvs_strings; the flash flow
runs against the fake idf.py / esptool.py of test_device_secret_flash.
"""

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from test_device_secret_flash import Bench

from irrigation_tools import ToolError
from irrigation_tools import device_secret as ds
from irrigation_tools import mqtt_credentials as mc

ROOT = Path(__file__).resolve().parents[2]
SECRET = "7K3M9QXD2F4H8RTV"
HEADER = ROOT / "components" / "infrastructure" / "provision_store_adapter" / "include" / "provision_store.h"
SETTINGS = ROOT / "components" / "application" / "include" / "application" / "settings.h"


def password_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mqtt-password"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def test_layout_matches_the_firmware_reader():
    defines = dict(re.findall(r'#define (PROVISION_STORE_\w+)\s+"([^"]*)"', HEADER.read_text(encoding="utf-8")))
    assert defines["PROVISION_STORE_PARTITION"] == ds.PARTITION_LABEL
    assert defines["PROVISION_STORE_SETUP_NAMESPACE"] == ds.NVS_NAMESPACE
    assert defines["PROVISION_STORE_SECRET_KEY"] == ds.NVS_KEY
    assert defines["PROVISION_STORE_MQTT_NAMESPACE"] == mc.MQTT_NAMESPACE
    assert defines["PROVISION_STORE_MQTT_USERNAME_KEY"] == mc.MQTT_USERNAME_KEY
    assert defines["PROVISION_STORE_MQTT_PASSWORD_KEY"] == mc.MQTT_PASSWORD_KEY


def test_length_limit_matches_the_firmware_buffers():
    match = re.search(r"#define APP_CREDENTIAL_MAX_LEN\s+(\d+)", SETTINGS.read_text(encoding="utf-8"))
    assert match is not None and int(match.group(1)) == mc.CREDENTIAL_MAX_BYTES


def test_nvs_csv_adds_the_mqtt_namespace_and_quotes_what_needs_it():
    creds = mc.MqttCredentials(username="node-bbcc", password='p,w "q"')
    text = ds.nvs_csv(SECRET, creds)
    assert text.splitlines()[:5] == [
        "key,type,encoding,value",
        "setup,namespace,,",
        f"secret,data,string,{SECRET}",
        "mqtt,namespace,,",
        "username,data,string,node-bbcc",
    ]
    rows = list(csv.DictReader(io.StringIO(text)))  # how the NVS partition tool reads it
    assert rows[-1] == {"key": "password", "type": "data", "encoding": "string", "value": 'p,w "q"'}


def test_nvs_csv_without_credentials_is_unchanged():
    assert ds.nvs_csv(SECRET) == ds.nvs_csv(SECRET, None) == ds.nvs_csv(SECRET, mc.MqttCredentials())
    assert "mqtt" not in ds.nvs_csv(SECRET)


@pytest.mark.parametrize("password", ["hunter2", 'p,w "q" ;\\ x', "contraseña-ñandú", "x" * 64])
def test_image_holds_the_credentials_where_the_firmware_reads_them(tmp_path, password):
    creds = mc.MqttCredentials(username="node-bbcc", password=password)
    image = ds.build_nvs_image(SECRET, 0x4000, tmp_path / "p.bin", creds).read_bytes()
    assert ds.read_nvs_strings(image) == {
        ("setup", "secret"): SECRET,
        ("mqtt", "username"): "node-bbcc",
        ("mqtt", "password"): password,
    }


def test_image_with_one_credential_holds_only_that_key(tmp_path):
    image = ds.build_nvs_image(SECRET, 0x4000, tmp_path / "p.bin", mc.MqttCredentials(username="u")).read_bytes()
    assert ds.read_nvs_strings(image) == {("setup", "secret"): SECRET, ("mqtt", "username"): "u"}


def test_image_check_reads_the_credentials_back(tmp_path, monkeypatch):
    # A tool that drops the password is caught by the read-back, before anything reaches a board.
    creds = mc.MqttCredentials(username="u", password="p")
    real_csv = ds.nvs_csv
    monkeypatch.setattr(ds, "nvs_csv", lambda secret, mqtt: real_csv(secret, mc.MqttCredentials(mqtt.username)))
    with pytest.raises(ToolError, match="does not hold mqtt/password as written"):
        ds.build_nvs_image(SECRET, 0x4000, tmp_path / "p.bin", creds)
    assert not (tmp_path / "p.bin").exists()


@pytest.mark.parametrize("text", ["s3cret\n", "s3cret\r\n", "s3cret\n\n", "s3cret"])
def test_password_file_line_ending_is_stripped(tmp_path, text):
    assert mc.read_password_file(password_file(tmp_path, text)) == "s3cret"


def test_password_file_keeps_inner_and_trailing_spaces(tmp_path):
    assert mc.read_password_file(password_file(tmp_path, " a b \n")) == " a b "


def test_missing_password_file_is_a_clear_error(tmp_path):
    with pytest.raises(ToolError, match=r"--mqtt-password-file .*nope: no such file") as error:
        mc.read_password_file(tmp_path / "nope")
    assert error.value.code == 2


@pytest.mark.parametrize(("text", "message"), [
    ("\n", "empty"),
    ("line one\nline two\n", "control characters"),
    ("tab\there", "control characters"),
    ("x" * 65, "longer than 64 bytes, the firmware's limit"),
    ("ñ" * 33, "longer than 64 bytes"),
])
def test_unusable_password_file_is_refused(tmp_path, text, message):
    with pytest.raises(ToolError, match=message):
        mc.read_password_file(password_file(tmp_path, text))


def test_username_is_checked_like_the_password():
    with pytest.raises(ToolError, match="--mqtt-username: empty"):
        mc.mqtt_credentials("", None)
    with pytest.raises(ToolError, match="--mqtt-username: control characters"):
        mc.mqtt_credentials("a\nb", None)
    assert mc.mqtt_credentials("u" * 64, None) == mc.MqttCredentials(username="u" * 64)
    with pytest.raises(ToolError, match="--mqtt-username: longer than 64 bytes"):
        mc.mqtt_credentials("u" * 65, None)


def test_no_option_means_no_credentials_and_repr_hides_the_password(tmp_path):
    assert mc.mqtt_credentials(None, None) is None
    creds = mc.mqtt_credentials("node", password_file(tmp_path, "hunter2\n"))
    assert creds == mc.MqttCredentials(username="node", password="hunter2")
    assert "hunter2" not in repr(creds)


# --- the flash flow ------------------------------------------------------------------------------------


def test_flash_writes_the_credentials_but_records_and_prints_no_password(tmp_path, capsys):
    bench = Bench(tmp_path)
    secret_file = password_file(tmp_path, "hunter2-hunter2\n")
    bench.flash(target="esp32", mqtt_username="node-bbcc", mqtt_password_file=secret_file)
    image = (bench.log.parent / "flash-0x12000.bin").read_bytes()
    strings = ds.read_nvs_strings(image)
    assert strings[("mqtt", "username")] == "node-bbcc"
    assert strings[("mqtt", "password")] == "hunter2-hunter2"
    assert strings[("setup", "secret")] == ds.load_records(bench.records)["24:6F:28:AA:BB:CC"].secret
    assert "hunter2" not in bench.records.read_text()
    out, err = capsys.readouterr()
    assert "hunter2" not in out + err
    assert "MQTT credentials written: username, password (not recorded)" in out


def test_reflash_without_the_options_drops_the_credentials(tmp_path):
    bench = Bench(tmp_path)
    bench.flash(target="esp32", mqtt_username="node-bbcc")
    bench.flash(target="esp32")
    image = (bench.log.parent / "flash-0x12000.bin").read_bytes()
    assert ("mqtt", "username") not in ds.read_nvs_strings(image)


def test_missing_password_file_stops_before_the_board_is_touched(tmp_path):
    bench = Bench(tmp_path)
    with pytest.raises(ToolError, match="no such file"):
        bench.flash(target="esp32", mqtt_password_file=tmp_path / "missing")
    assert bench.calls() == []
    assert not bench.records.exists()


def test_readable_password_file_is_warned_about(tmp_path, capsys):
    bench = Bench(tmp_path)
    secret_file = password_file(tmp_path, "pw\n")
    secret_file.chmod(0o644)
    bench.flash(target="esp32", mqtt_password_file=secret_file)
    assert "is readable by other users" in capsys.readouterr().err


def test_no_secret_excludes_the_mqtt_options(tmp_path):
    bench = Bench(tmp_path)
    with pytest.raises(ToolError, match="excludes --mqtt-username") as error:
        bench.flash(target="esp32", no_secret=True, mqtt_username="node")
    assert error.value.code == 2
    assert bench.calls() == []


def test_invoke_flash_help_lists_the_mqtt_options_and_takes_no_password():
    result = subprocess.run([sys.executable, "-m", "invoke", "flash", "-h"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0
    assert "--mqtt-username" in result.stdout and "--mqtt-password-file" in result.stdout
    assert not re.search(r"--mqtt-password(?!-file)", result.stdout)
