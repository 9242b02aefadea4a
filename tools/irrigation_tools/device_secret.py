"""The per-device setup secret: generation, the `provision` NVS partition image, and the records file.

The secret is 16 characters of Crockford base32 upper case (80 bits from the `secrets` CSPRNG). It is the
provisioning access point's WPA2 passphrase and the token that authorises writes over HTTP. The firmware
reads it from the NVS partition labelled `provision` (namespace `setup`, key `secret`); this module builds
that partition's image with Espressif's NVS partition tool (PyPI `esp-idf-nvs-partition-gen`), at the size
partitions.csv gives. The image may also hold per-device MQTT credentials (namespace `mqtt`, see
mqtt_credentials.py).

Every secret handed to a device is recorded first in a local CSV file (default provisioning/devices.csv:
MAC, access point name, secret, date), created with mode 0600 in a 0700 folder, so the label can be printed
again and a reflashed board keeps its secret. That file is as sensitive as the devices' passwords.
"""

from __future__ import annotations

import csv
import io
import os
import re
import secrets
import stat
import struct
import subprocess
import sys
import tempfile
import zlib
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from irrigation_tools import ToolError
from irrigation_tools.mqtt_credentials import MQTT_NAMESPACE, MqttCredentials

CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
SECRET_LENGTH = 16
SECRET_BITS = SECRET_LENGTH * 5  # 80
DEFAULT_AP_PREFIX = "Riego-Setup"
PARTITION_LABEL = "provision"
NVS_NAMESPACE = "setup"
NVS_KEY = "secret"
DEFAULT_RECORDS = Path("provisioning") / "devices.csv"
RECORD_FIELDS = ("mac", "ap_name", "secret", "recorded_at")

_MAC_RE = re.compile(r"^[0-9A-F]{2}([:-]?)[0-9A-F]{2}(?:\1[0-9A-F]{2}){4}$")


def generate_secret(randbits: Callable[[int], int] = secrets.randbits) -> str:
    """A new secret: 80 bits from the CSPRNG, 5 bits per character, most significant first."""
    value = randbits(SECRET_BITS)
    if not 0 <= value < 1 << SECRET_BITS:
        raise ValueError("randbits returned a value outside 80 bits")
    return "".join(CROCKFORD_ALPHABET[(value >> (5 * (SECRET_LENGTH - 1 - i))) & 31] for i in range(SECRET_LENGTH))


def normalize_secret(text: str) -> str:
    """A secret as typed (any case, grouped with spaces or hyphens) in its stored form, or ToolError."""
    secret = re.sub(r"[\s-]", "", text).upper()
    if len(secret) != SECRET_LENGTH or any(c not in CROCKFORD_ALPHABET for c in secret):
        raise ToolError(
            f"--secret: expected {SECRET_LENGTH} characters of {CROCKFORD_ALPHABET} (Crockford base32; "
            "spaces and hyphens between groups are ignored)",
            code=2,
        )
    return secret


def group_secret(secret: str, size: int = 4) -> str:
    """The secret in groups for reading aloud and typing: XXXX XXXX XXXX XXXX."""
    return " ".join(secret[i : i + size] for i in range(0, len(secret), size))


def normalize_mac(text: str) -> str:
    """A MAC address in the registration's form (upper case, ':'), from ':' '-' or no separators."""
    mac = text.strip().upper()
    if not _MAC_RE.match(mac):
        raise ToolError(f"--mac {text!r}: expected six hex bytes, e.g. 24:6F:28:AA:BB:CC", code=2)
    digits = re.sub(r"[:-]", "", mac)
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def ap_name(mac: str, prefix: str = DEFAULT_AP_PREFIX) -> str:
    """The provisioning access point's name: prefix-XXXX, XXXX the station MAC's last two bytes."""
    mac = normalize_mac(mac)
    return f"{prefix}-{mac[12:14]}{mac[15:17]}"


# --- partitions.csv --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Partition:
    name: str
    offset: int
    size: int


def parse_size(text: str) -> int:
    """A partition table number: 0x4000, 16K, 1M or decimal (ESP-IDF's gen_esp32part.py forms)."""
    value = text.strip().upper()
    multiplier = 1
    if value.endswith(("K", "M")):
        multiplier = 1024 if value.endswith("K") else 1024 * 1024
        value = value[:-1]
    try:
        return int(value, 0) * multiplier
    except ValueError:
        raise ValueError(f"not a partition size or offset: {text!r}") from None


def read_partition(table: Path, name: str = PARTITION_LABEL) -> Partition:
    """The offset and size of partition `name` in an ESP-IDF partition table CSV, or ToolError."""
    try:
        lines = table.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ToolError(f"cannot read the partition table {table}: {exc.strerror}") from None
    for row in csv.reader(line for line in lines if not line.lstrip().startswith("#")):
        fields = [f.strip() for f in row]
        if len(fields) < 5 or fields[0] != name:
            continue
        if not fields[3] or not fields[4]:
            raise ToolError(f"{table}: partition {name!r} needs an explicit offset and size")
        try:
            return Partition(name=name, offset=parse_size(fields[3]), size=parse_size(fields[4]))
        except ValueError as exc:
            raise ToolError(f"{table}: partition {name!r}: {exc}") from None
    raise ToolError(f"{table} has no partition named {name!r} (expected a line like "
                    f"`{name}, data, nvs, 0x12000, 0x4000`)")


# --- private files ---------------------------------------------------------------------------------------


class private_dir:  # noqa: N801 (used as a context manager, like tempfile's)
    """A temporary folder only the user can read (mode 0700), removed with its contents on exit."""

    def __enter__(self) -> Path:
        self._dir = tempfile.TemporaryDirectory(prefix="irrigation-secret-")
        path = Path(self._dir.name)
        path.chmod(0o700)
        return path

    def __exit__(self, *exc_info: object) -> None:
        self._dir.cleanup()


def write_private(path: Path, content: str | bytes) -> None:
    """Writes path atomically with mode 0600 (the file is never readable by others, even briefly)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- the NVS image ---------------------------------------------------------------------------------------


def nvs_csv(secret: str, mqtt: MqttCredentials | None = None) -> str:
    """The NVS partition tool's input: the `setup` namespace and the secret as a string, then the `mqtt`
    namespace and its strings when given (quoted as CSV where needed: the tool reads it with csv.DictReader)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows([("key", "type", "encoding", "value"), (NVS_NAMESPACE, "namespace", "", ""),
                      (NVS_KEY, "data", "string", secret)])
    if mqtt is not None and mqtt.entries():
        writer.writerow((MQTT_NAMESPACE, "namespace", "", ""))
        writer.writerows((key, "data", "string", value) for key, value in mqtt.entries())
    return out.getvalue()


def expected_strings(secret: str, mqtt: MqttCredentials | None = None) -> dict[tuple[str, str], str]:
    """(namespace, key) -> value of every string the `provision` image must hold."""
    expected = {(NVS_NAMESPACE, NVS_KEY): secret}
    if mqtt is not None:
        expected.update({(MQTT_NAMESPACE, key): value for key, value in mqtt.entries()})
    return expected


def build_nvs_image(secret: str, size: int, out: Path, mqtt: MqttCredentials | None = None) -> Path:
    """Writes the `provision` partition image holding secret (and mqtt, when given) to out (a .bin file) with
    mode 0600."""
    secret = normalize_secret(secret)
    with private_dir() as work:
        source = work / "provision.csv"
        write_private(source, nvs_csv(secret, mqtt))
        image = work / "provision.bin"
        cmd = [sys.executable, "-m", "esp_idf_nvs_partition_gen", "generate", str(source), str(image), hex(size)]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0 or not image.is_file():
            raise ToolError(
                "the NVS partition tool failed (esp-idf-nvs-partition-gen, pinned in requirements.txt):\n"
                + (result.stdout + result.stderr).strip()
            )
        data = image.read_bytes()
    if len(data) != size:
        raise ToolError(f"the NVS partition tool wrote {len(data)} bytes, the partition has {size}")
    # Read back what the firmware will read, so a tool change that broke the layout stops here, not on a board.
    try:
        stored = read_nvs_strings(data)
    except ValueError as exc:
        raise ToolError(f"the NVS image does not decode: {exc}") from None
    for (namespace, key), value in expected_strings(secret, mqtt).items():
        if stored.get((namespace, key)) != value:
            raise ToolError(f"the NVS image does not hold {namespace}/{key} as written")
    write_private(out, data)
    return out


NVS_PAGE_SIZE = 4096
NVS_ENTRY_SIZE = 32
NVS_FIRST_ENTRY = 64
NVS_ENTRIES_PER_PAGE = 126
NVS_TYPE_U8 = 0x01
NVS_TYPE_STR = 0x21
NVS_PAGE_UNUSED = 0xFFFFFFFF


def _nvs_crc(data: bytes) -> int:
    # ESP-IDF's NVS CRC (esp_rom_crc32_le(0xffffffff, ...)), as Espressif's partition tool computes it.
    return zlib.crc32(data, 0xFFFFFFFF) & 0xFFFFFFFF


def read_nvs_strings(image: bytes) -> dict[tuple[str, str], str]:
    """(namespace, key) -> value of every string entry in an NVS partition image (format version 2).

    Checks the page header, entry and data CRCs the firmware checks; ValueError on any mismatch. Only the
    entry kinds this project writes (namespaces and strings) are decoded; others are skipped.
    """
    namespaces: dict[int, str] = {}
    strings: dict[tuple[int, str], str] = {}
    for page_at in range(0, len(image) - len(image) % NVS_PAGE_SIZE, NVS_PAGE_SIZE):
        page = image[page_at : page_at + NVS_PAGE_SIZE]
        (state,) = struct.unpack_from("<I", page, 0)
        if state == NVS_PAGE_UNUSED:
            continue
        if struct.unpack_from("<I", page, 28)[0] != _nvs_crc(page[4:28]):
            raise ValueError(f"page at {page_at:#x}: header CRC mismatch")
        index = 0
        while index < NVS_ENTRIES_PER_PAGE:
            bits = (page[32 + index // 4] >> ((index % 4) * 2)) & 0b11
            if bits != 0b10:  # 0b11 empty, 0b00 erased
                index += 1
                continue
            at = NVS_FIRST_ENTRY + index * NVS_ENTRY_SIZE
            entry = page[at : at + NVS_ENTRY_SIZE]
            ns, kind, span = entry[0], entry[1], max(entry[2], 1)
            if struct.unpack_from("<I", entry, 4)[0] != _nvs_crc(entry[0:4] + entry[8:32]):
                raise ValueError(f"page at {page_at:#x}, entry {index}: CRC mismatch")
            key = entry[8:24].split(b"\0", 1)[0].decode("ascii")
            if kind == NVS_TYPE_U8 and ns == 0:
                namespaces[entry[24]] = key
            elif kind == NVS_TYPE_STR:
                size, _, data_crc = struct.unpack_from("<HHI", entry, 24)
                data = page[at + NVS_ENTRY_SIZE : at + NVS_ENTRY_SIZE * span][:size]
                if len(data) != size or _nvs_crc(data) != data_crc:
                    raise ValueError(f"string {key!r}: data CRC mismatch")
                strings[(ns, key)] = data.rstrip(b"\0").decode("utf-8")
            index += span
    return {(namespaces.get(ns, f"#{ns}"), key): value for (ns, key), value in strings.items()}


# --- the records file ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceRecord:
    mac: str
    ap_name: str
    secret: str
    recorded_at: str


def now_text() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _rows(path: Path) -> Iterator[DeviceRecord]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ToolError(f"cannot read the records file {path}: {exc.strerror}") from None
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:
        return
    if tuple(reader.fieldnames) != RECORD_FIELDS:
        raise ToolError(f"{path}: unexpected columns {reader.fieldnames}; expected {', '.join(RECORD_FIELDS)}")
    for row in reader:
        yield DeviceRecord(**{field: row[field] or "" for field in RECORD_FIELDS})


def load_records(path: Path) -> dict[str, DeviceRecord]:
    """The records by MAC (the last row of a MAC wins)."""
    return {record.mac: record for record in _rows(path)}


def find_record(path: Path, mac: str) -> DeviceRecord | None:
    return load_records(path).get(normalize_mac(mac))


def loose_permissions(path: Path) -> bool:
    """True when group or others may read or write the records file."""
    try:
        return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))
    except FileNotFoundError:
        return False


def save_record(path: Path, record: DeviceRecord) -> None:
    """Adds or replaces the row of record.mac; the file is rewritten atomically with mode 0600."""
    records = load_records(path)
    records[record.mac] = record
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=RECORD_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in records.values():
        writer.writerow(asdict(row))
    write_private(path, out.getvalue())


def choose_secret(
    path: Path, mac: str, new_secret: bool, generate: Callable[[], str] = generate_secret
) -> tuple[str, bool]:
    """The device's recorded secret (reused=True) unless new_secret, else a fresh one (reused=False)."""
    existing = find_record(path, mac)
    if existing is not None and not new_secret:
        return normalize_secret(existing.secret), True
    return generate(), False
