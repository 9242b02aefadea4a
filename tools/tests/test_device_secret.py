"""The setup secret: format and entropy source, partitions.csv, the NVS image, the records file."""

import secrets
import stat
import struct
from collections import Counter
from pathlib import Path

import pytest

from irrigation_tools import ToolError
from irrigation_tools import device_secret as ds

CONTRACT_TABLE = """\
# Name,   Type, SubType, Offset,  Size, Flags
nvs,      data, nvs,     0x9000,  0x6000,
phy_init, data, phy,     0xf000,  0x1000,
provision, data, nvs,    0x12000, 0x4000,
factory,  app,  factory, 0x20000, 1500K,
"""


def test_secret_is_16_crockford_characters_of_80_random_bits():
    asked = []

    def randbits(bits):
        asked.append(bits)
        return 0

    assert ds.generate_secret(randbits) == "0" * 16
    assert asked == [80]
    assert ds.generate_secret(lambda bits: (1 << 80) - 1) == "Z" * 16
    # Most significant 5 bits first: 1 then fifteen 0s, and the alphabet's order without I, L, O, U.
    assert ds.generate_secret(lambda bits: 1 << 75) == "1" + "0" * 15
    assert ds.generate_secret(lambda bits: sum(i << (5 * (15 - i)) for i in range(16))) == "0123456789ABCDEF"
    assert ds.generate_secret(lambda bits: sum((16 + i) << (5 * (15 - i)) for i in range(16))) == \
        "GHJKMNPQRSTVWXYZ"


def test_secret_comes_from_the_secrets_csprng_by_default():
    assert ds.generate_secret.__defaults__ == (secrets.randbits,)
    drawn = [ds.generate_secret() for _ in range(400)]
    assert len(set(drawn)) == len(drawn)
    assert all(len(s) == 16 and set(s) <= set(ds.CROCKFORD_ALPHABET) for s in drawn)
    counts = Counter("".join(drawn))  # 6400 characters, 200 expected for each of the 32
    assert set(counts) == set(ds.CROCKFORD_ALPHABET)
    assert min(counts.values()) > 100 and max(counts.values()) < 320


def test_out_of_range_random_value_is_refused():
    with pytest.raises(ValueError):
        ds.generate_secret(lambda bits: 1 << 80)


@pytest.mark.parametrize("typed", ["7k3m9qxd2f4h8rtv", "7K3M 9QXD 2F4H 8RTV", "7K3M-9QXD-2F4H-8RTV"])
def test_typed_secret_is_normalised(typed):
    assert ds.normalize_secret(typed) == "7K3M9QXD2F4H8RTV"


@pytest.mark.parametrize("bad", ["7K3M9QXD2F4H8RT", "7K3M9QXD2F4H8RTVW", "IK3M9QXD2F4H8RTV", "LK3M9QXD2F4H8RTV",
                                 "OK3M9QXD2F4H8RTV", "UK3M9QXD2F4H8RTV", "7K3M9QXD2F4H8RT!", ""])
def test_malformed_secret_is_an_option_error(bad):
    with pytest.raises(ToolError) as error:
        ds.normalize_secret(bad)
    assert error.value.code == 2 and "Crockford" in error.value.message


def test_secret_is_grouped_by_four_for_reading():
    assert ds.group_secret("7K3M9QXD2F4H8RTV") == "7K3M 9QXD 2F4H 8RTV"


@pytest.mark.parametrize("typed", ["24:6f:28:aa:bb:cc", "24-6F-28-AA-BB-CC", "246F28AABBCC", " 24:6F:28:AA:BB:CC "])
def test_mac_forms_are_normalised(typed):
    assert ds.normalize_mac(typed) == "24:6F:28:AA:BB:CC"


@pytest.mark.parametrize("bad", ["24:6F:28:AA:BB", "24:6F:28-AA:BB:CC", "24:6F:28:AA:BB:CG", "246F28AABBCCDD"])
def test_malformed_mac_is_an_option_error(bad):
    with pytest.raises(ToolError) as error:
        ds.normalize_mac(bad)
    assert error.value.code == 2


def test_access_point_name_uses_the_last_two_mac_bytes():
    assert ds.ap_name("24:6f:28:aa:bb:cc") == "Riego-Setup-BBCC"
    assert ds.ap_name("24:6F:28:AA:0B:0C", "Finca") == "Finca-0B0C"


def test_provision_partition_is_read_from_the_table(tmp_path):
    table = tmp_path / "partitions.csv"
    table.write_text(CONTRACT_TABLE)
    assert ds.read_partition(table) == ds.Partition("provision", 0x12000, 0x4000)
    assert ds.read_partition(table, "factory").size == 1500 * 1024


@pytest.mark.parametrize("content, message", [
    ("nvs, data, nvs, 0x9000, 0x6000,\n", "has no partition named 'provision'"),
    ("provision, data, nvs, , 0x4000,\n", "needs an explicit offset and size"),
    ("provision, data, nvs, 0x12000, 16Q,\n", "not a partition size or offset"),
])
def test_unusable_partition_table_is_reported(tmp_path, content, message):
    table = tmp_path / "partitions.csv"
    table.write_text(content)
    with pytest.raises(ToolError, match=message):
        ds.read_partition(table)


def test_missing_partition_table_is_reported(tmp_path):
    with pytest.raises(ToolError, match="cannot read the partition table"):
        ds.read_partition(tmp_path / "partitions.csv")


def test_nvs_csv_declares_the_namespace_then_the_secret_string():
    assert ds.nvs_csv("7K3M9QXD2F4H8RTV").splitlines() == [
        "key,type,encoding,value",
        "setup,namespace,,",
        "secret,data,string,7K3M9QXD2F4H8RTV",
    ]


def entries(image: bytes):
    """(namespace index, type, span, key) of every written entry of the first page."""
    found = []
    index = 0
    while index < 126:
        if (image[32 + index // 4] >> ((index % 4) * 2)) & 0b11 != 0b10:
            index += 1
            continue
        at = 64 + 32 * index
        ns, kind, span = image[at], image[at + 1], image[at + 2]
        found.append((ns, kind, span, image[at + 8:at + 24].rstrip(b"\0").decode()))
        index += max(span, 1)
    return found


def test_nvs_image_holds_the_secret_where_the_firmware_reads_it(tmp_path):
    out = ds.build_nvs_image("7k3m 9qxd 2f4h 8rtv", 0x4000, tmp_path / "provision.bin")
    image = out.read_bytes()
    assert len(image) == 0x4000
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    # The page is active, format version 2; namespace "setup" gets index 1; "secret" is a string (0x21)
    # spanning its header entry plus one 32-byte data entry (16 characters and the NUL).
    assert struct.unpack_from("<I", image, 0)[0] == 0xFFFFFFFE and image[8] == 0xFE
    assert entries(image) == [(0, 0x01, 1, "setup"), (1, 0x21, 2, "secret")]
    assert image[64 + 24] == 1
    assert image[64 + 64:64 + 64 + 17] == b"7K3M9QXD2F4H8RTV\0"
    assert ds.read_nvs_strings(image) == {("setup", "secret"): "7K3M9QXD2F4H8RTV"}
    assert image[0x1000:] == b"\xff" * (0x4000 - 0x1000)  # the other pages are left erased


def test_corrupted_nvs_image_is_detected(tmp_path):
    image = bytearray(ds.build_nvs_image("7K3M9QXD2F4H8RTV", 0x3000, tmp_path / "p.bin").read_bytes())
    image[64 + 64] ^= 0x01  # one bit of the secret's data
    with pytest.raises(ValueError, match="data CRC"):
        ds.read_nvs_strings(bytes(image))
    image[64 + 64] ^= 0x01
    image[64 + 40] ^= 0x01  # one bit of the string entry's key
    with pytest.raises(ValueError, match="CRC mismatch"):
        ds.read_nvs_strings(bytes(image))


def test_nvs_tool_refusal_is_reported(tmp_path):
    with pytest.raises(ToolError, match="NVS partition tool failed"):
        ds.build_nvs_image("7K3M9QXD2F4H8RTV", 0x3100, tmp_path / "p.bin")  # not a multiple of the 4096-byte page


def record(mac="24:6F:28:AA:BB:CC", secret="7K3M9QXD2F4H8RTV"):
    return ds.DeviceRecord(mac=mac, ap_name=ds.ap_name(mac), secret=secret, recorded_at="2026-12-04T10:00:00+00:00")


def test_records_file_is_created_private(tmp_path):
    path = tmp_path / "provisioning" / "devices.csv"
    ds.save_record(path, record())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.read_text().splitlines() == [
        "mac,ap_name,secret,recorded_at",
        "24:6F:28:AA:BB:CC,Riego-Setup-BBCC,7K3M9QXD2F4H8RTV,2026-12-04T10:00:00+00:00",
    ]
    assert [p.name for p in path.parent.iterdir()] == ["devices.csv"]  # no temporary file left behind


def test_a_recorded_secret_is_reused_and_new_secret_replaces_it(tmp_path):
    path = tmp_path / "devices.csv"
    ds.save_record(path, record())
    ds.save_record(path, record(mac="24:6F:28:00:00:01", secret="0000000000000001"))
    assert ds.choose_secret(path, "24:6f:28:aa:bb:cc", new_secret=False) == ("7K3M9QXD2F4H8RTV", True)
    fresh, reused = ds.choose_secret(path, "24:6F:28:AA:BB:CC", new_secret=True, generate=lambda: "Z" * 16)
    assert (fresh, reused) == ("Z" * 16, False)
    assert ds.choose_secret(path, "24:6F:28:99:99:99", new_secret=False, generate=lambda: "Y" * 16) == \
        ("Y" * 16, False)
    ds.save_record(path, record(secret=fresh))
    assert ds.load_records(path)["24:6F:28:AA:BB:CC"].secret == "Z" * 16  # replaced, not appended
    assert len(path.read_text().splitlines()) == 3


def test_loose_permissions_are_detected(tmp_path):
    path = tmp_path / "devices.csv"
    ds.save_record(path, record())
    assert not ds.loose_permissions(path)
    path.chmod(0o644)
    assert ds.loose_permissions(path)
    ds.save_record(path, record())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_records_file_with_other_columns_is_refused(tmp_path):
    path = tmp_path / "devices.csv"
    path.write_text("mac,secret\n24:6F:28:AA:BB:CC,7K3M9QXD2F4H8RTV\n")
    with pytest.raises(ToolError, match="unexpected columns"):
        ds.load_records(path)


def test_missing_records_file_is_empty(tmp_path):
    assert ds.load_records(tmp_path / "none.csv") == {}
    assert ds.find_record(tmp_path / "none.csv", "24:6F:28:AA:BB:CC") is None


def test_records_default_is_gitignored():
    root = Path(__file__).resolve().parents[2]
    assert "/provisioning/" in (root / ".gitignore").read_text().splitlines()
    assert ds.DEFAULT_RECORDS == Path("provisioning/devices.csv")
