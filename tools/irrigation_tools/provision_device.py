"""`invoke flash` with the device's setup secret, and `invoke label`.

flash: find ESP-IDF and its esptool, read the board's MAC (esptool read_mac), take the secret recorded for
that MAC or generate one (--new-secret forces a new one), record it, build the `provision` NVS image at the
offset and size partitions.csv gives, run `idf.py flash`, write the image with esptool write_flash, and
write the label. The record is saved before anything is written to the board, so a secret never reaches a
device without being on file. --no-secret is the plain `idf.py flash`. --mqtt-username and
--mqtt-password-file add the device's own MQTT credentials to the same image (mqtt_credentials.py); they
are not recorded, so they must be given again at every flash of that board.

The ESP-IDF environment (`. ./export.sh`) puts `esptool.py` on PATH (the IDF Python environment's esptool,
the one idf.py itself runs); a standalone `esptool` found on PATH is used when that is absent.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from irrigation_tools import ToolError, espidf
from irrigation_tools.device_secret import (
    DEFAULT_AP_PREFIX,
    DeviceRecord,
    ap_name,
    build_nvs_image,
    choose_secret,
    find_record,
    loose_permissions,
    normalize_mac,
    normalize_secret,
    now_text,
    private_dir,
    read_partition,
    save_record,
)
from irrigation_tools.label import make_label, write_label
from irrigation_tools.mqtt_credentials import mqtt_credentials

PARTITION_TABLE = "partitions.csv"
ESPTOOL_NAMES = ("esptool.py", "esptool")
_MAC_LINE_RE = re.compile(r"^(?:BASE )?MAC:\s*([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})\s*$", re.MULTILINE)
_PREFIX_RE = re.compile(r'^CONFIG_IRRIGATION_AP_SSID_PREFIX="(.*)"$', re.MULTILINE)


def find_esptool(env: Mapping[str, str]) -> list[str]:
    """The esptool command of the active ESP-IDF environment, or ToolError."""
    for name in ESPTOOL_NAMES:
        found = shutil.which(name, path=env.get("PATH", ""))
        if found:
            return [found]
    raise ToolError(
        "esptool was not found on PATH: it comes with the ESP-IDF environment (`. ./export.sh`), which "
        "`invoke flash` needs to read the board's MAC and write the setup secret. Use --no-secret to flash "
        "without it."
    )


def _chip_and_port(chip: str, port: str | None) -> list[str]:
    return ["--chip", chip, *(["-p", port] if port else [])]


def read_mac(esptool: Sequence[str], chip: str, port: str | None) -> str:
    """The board's station MAC (esptool read_mac prints the factory base MAC, which is the station's)."""
    cmd = [*esptool, *_chip_and_port(chip, port), "read_mac"]
    print("+ " + " ".join(cmd), file=sys.stderr)
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    match = _MAC_LINE_RE.search(result.stdout)
    if result.returncode != 0 or match is None:
        output = (result.stdout + result.stderr).strip()
        raise ToolError(f"esptool read_mac failed (exit {result.returncode}); is the board connected?\n{output}")
    return normalize_mac(match.group(1))


def write_image(esptool: Sequence[str], chip: str, port: str | None, offset: int, image: Path) -> None:
    cmd = [*esptool, *_chip_and_port(chip, port), "write_flash", hex(offset), str(image)]
    print("+ " + " ".join(cmd), file=sys.stderr)
    code = subprocess.run(cmd, check=False).returncode
    if code != 0:
        raise ToolError(f"esptool write_flash of the provision partition failed (exit {code})", code=code)


def ap_prefix(root: Path, target: str) -> str:
    """The access point prefix the firmware was built with (its sdkconfig), else the Kconfig default."""
    try:
        text = (espidf.firmware_build_dir(root, target) / "sdkconfig").read_text(encoding="utf-8")
    except OSError:
        return DEFAULT_AP_PREFIX
    match = _PREFIX_RE.search(text)
    return match.group(1) if match and match.group(1) else DEFAULT_AP_PREFIX


def default_label_path(records: Path, mac: str) -> Path:
    return records.parent / "labels" / f"{mac.replace(':', '')}.svg"


def _save(records: Path, record: DeviceRecord) -> None:
    if loose_permissions(records):
        print(f"warning: {records} was readable by other users; it is now mode 0600", file=sys.stderr)
    save_record(records, record)


@dataclass(frozen=True)
class FlashOptions:
    port: str | None = None
    target: str | None = None
    records: Path = Path("provisioning/devices.csv")
    new_secret: bool = False
    no_secret: bool = False
    mqtt_username: str | None = None
    mqtt_password_file: Path | None = None


def flash(root: Path, options: FlashOptions, env: Mapping[str, str] | None = None) -> Path | None:
    """`invoke flash`: returns the label written (None with --no-secret)."""
    idf_action = [*(["-p", options.port] if options.port else []), "flash"]
    if options.no_secret and options.new_secret:
        raise ToolError("--no-secret and --new-secret exclude each other", code=2)
    if options.no_secret and (options.mqtt_username is not None or options.mqtt_password_file is not None):
        raise ToolError("--no-secret writes no provision partition: it excludes --mqtt-username and "
                        "--mqtt-password-file", code=2)
    if options.no_secret:
        espidf.run_idf(idf_action, target=options.target, root=root, env=env)
        return None
    env = os.environ if env is None else env
    target = espidf.check_target(options.target) if options.target else espidf.last_built_target(root)
    espidf.locate_idf(env)  # the one "install ESP-IDF" message comes before anything else
    mqtt = mqtt_credentials(options.mqtt_username, options.mqtt_password_file)
    if options.mqtt_password_file is not None and loose_permissions(options.mqtt_password_file):
        print(f"warning: {options.mqtt_password_file} is readable by other users", file=sys.stderr)
    partition = read_partition(root / PARTITION_TABLE)
    esptool = find_esptool(env)
    mac = read_mac(esptool, target, options.port)
    secret, reused = choose_secret(options.records, mac, options.new_secret)
    name = ap_name(mac, ap_prefix(root, target))
    _save(options.records, DeviceRecord(mac=mac, ap_name=name, secret=secret, recorded_at=now_text()))
    with private_dir() as work:
        image = build_nvs_image(secret, partition.size, work / "provision.bin", mqtt)
        espidf.run_idf(idf_action, target=target, root=root, env=env)
        write_image(esptool, target, options.port, partition.offset, image)
    label = write_label(make_label(mac, secret, name), default_label_path(options.records, mac))
    origin = f"reused from {options.records}" if reused else f"new, recorded in {options.records}"
    print(f"flash: {mac}: setup network {name}, secret {origin} (partition {partition.name} at "
          f"{partition.offset:#x})")
    if mqtt is not None:
        print(f"flash: MQTT credentials written: {', '.join(key for key, _ in mqtt.entries())} (not recorded)")
    print(f"label: {label}")
    return label


def label(mac: str, secret: str | None, out: Path | None, records: Path, prefix: str | None) -> Path:
    """`invoke label`: the label of one device, its secret from --secret or from the records file."""
    mac = normalize_mac(mac)
    record = find_record(records, mac)
    if secret is None:
        if record is None:
            raise ToolError(
                f"no secret recorded for {mac} in {records}: give --secret, or flash the device with "
                "`invoke flash` (which records it)",
                code=2,
            )
        secret = record.secret
    secret = normalize_secret(secret)
    if prefix:
        name = ap_name(mac, prefix)
    else:
        name = record.ap_name if record is not None else ap_name(mac)
    path = write_label(make_label(mac, secret, name), out or default_label_path(records, mac))
    print(f"label: {path} (network {name})")
    return path
