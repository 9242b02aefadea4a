"""`invoke flash` with the setup secret, against a fake ESP-IDF (idf.py) and a fake esptool on PATH.

The fakes are small scripts that log their arguments; the fake esptool answers read_mac like esptool 4.x
and keeps a copy of every image given to write_flash, so the test decodes what would reach the board.
"""

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from irrigation_tools import ToolError
from irrigation_tools import device_secret as ds
from irrigation_tools import provision_device as pd

ROOT = Path(__file__).resolve().parents[2]
MAC_OUTPUT = "esptool.py v4.8.1\nSerial port /dev/ttyUSB0\nConnecting....\nChip is ESP32-D0WD-V3\nMAC: 24:6f:28:aa:bb:cc\nHard resetting via RTS pin...\n"
PARTITIONS = "nvs, data, nvs, 0x9000, 0x6000,\nphy_init, data, phy, 0xf000, 0x1000,\nprovision, data, nvs, 0x12000, 0x4000,\nfactory, app, factory, 0x20000, 1500K,\n"

FAKE_ESPTOOL = """#!{python}
import json, shutil, sys
from pathlib import Path
log = Path({log!r})
args = sys.argv[1:]
with log.open("a") as f:
    f.write(json.dumps(["esptool"] + args) + "\\n")
if "read_mac" in args:
    if {fail_read!r}:
        print("A fatal error occurred: Failed to connect to ESP32: No serial data received.")
        sys.exit(2)
    sys.stdout.write({mac_output!r})
elif "write_flash" in args:
    at = args.index("write_flash")
    shutil.copy(args[at + 2], log.parent / ("flash-" + args[at + 1] + ".bin"))
"""

FAKE_IDF_PY = """#!/bin/sh
printf '%s\\n' "$*" | sed 's/^/idf.py /' >> {log}
"""


class Bench:
    """A project folder, an ESP-IDF checkout with idf.py and esptool.py on PATH, and their logs."""

    def __init__(self, tmp_path: Path, fail_read=False, with_esptool=True, partitions=PARTITIONS):
        self.root = tmp_path / "project"
        self.root.mkdir(parents=True)
        (self.root / "CMakeLists.txt").write_text("")
        if partitions is not None:
            (self.root / "partitions.csv").write_text(partitions)
        idf = tmp_path / "esp-idf"
        (idf / "tools").mkdir(parents=True)
        (idf / "tools" / "idf.py").write_text("")
        header = idf / "components" / "esp_common" / "include" / "esp_idf_version.h"
        header.parent.mkdir(parents=True)
        header.write_text("#define ESP_IDF_VERSION_MAJOR 5\n#define ESP_IDF_VERSION_MINOR 4\n"
                          "#define ESP_IDF_VERSION_PATCH 2\n")
        self.bin = tmp_path / "bin"
        self.bin.mkdir()
        self.log = tmp_path / "calls.log"
        self.log.touch()
        self._script("idf.py", FAKE_IDF_PY.format(log=self.log))
        if with_esptool:
            self._script("esptool.py", FAKE_ESPTOOL.format(python=sys.executable, log=str(self.log),
                                                           fail_read=fail_read, mac_output=MAC_OUTPUT))
        self.env = {"IDF_PATH": str(idf), "PATH": str(self.bin)}
        self.records = self.root / "provisioning" / "devices.csv"

    def _script(self, name, text):
        path = self.bin / name
        path.write_text(text)
        path.chmod(0o755)

    def calls(self):
        lines = self.log.read_text().splitlines()
        return [json.loads(line) if line.startswith("[") else line.split(" ") for line in lines]

    def flash(self, **options):
        return pd.flash(self.root, pd.FlashOptions(records=self.records, **options), env=self.env)

    def flashed_secret(self):
        image = (self.log.parent / "flash-0x12000.bin").read_bytes()
        assert len(image) == 0x4000
        return ds.read_nvs_strings(image)[("setup", "secret")]


def test_flash_records_writes_and_labels_a_new_secret(tmp_path, capsys):
    bench = Bench(tmp_path)
    label = bench.flash(port="/dev/ttyUSB0", target="esp32")
    record = ds.load_records(bench.records)["24:6F:28:AA:BB:CC"]
    assert record.ap_name == "Riego-Setup-BBCC"
    assert bench.flashed_secret() == record.secret
    assert stat.S_IMODE(bench.records.stat().st_mode) == 0o600
    calls = bench.calls()
    assert calls[0] == ["esptool", "--chip", "esp32", "-p", "/dev/ttyUSB0", "read_mac"]
    assert calls[1][0] == "idf.py" and calls[1][-3:] == ["-p", "/dev/ttyUSB0", "flash"]
    assert calls[2][:6] == ["esptool", "--chip", "esp32", "-p", "/dev/ttyUSB0", "write_flash"]
    assert calls[2][6] == "0x12000"
    assert label == bench.records.parent / "labels" / "246F28AABBCC.svg"
    assert ds.group_secret(record.secret) in label.read_text()
    out = capsys.readouterr().out
    assert f"label: {label}" in out and "Riego-Setup-BBCC" in out
    assert record.secret not in out  # the secret is on the label and in the records file, not the console
    assert not Path(calls[2][7]).parent.exists()  # the private folder of the image and its CSV is gone


def test_flash_again_reuses_the_recorded_secret_and_new_secret_replaces_it(tmp_path, capsys):
    bench = Bench(tmp_path)
    bench.flash(target="esp32")
    first = bench.flashed_secret()
    bench.flash(target="esp32")
    assert bench.flashed_secret() == first
    assert "reused from" in capsys.readouterr().out
    bench.flash(target="esp32", new_secret=True)
    second = bench.flashed_secret()
    assert second != first
    assert ds.load_records(bench.records)["24:6F:28:AA:BB:CC"].secret == second
    assert len(bench.records.read_text().splitlines()) == 2


def test_access_point_prefix_comes_from_the_build_configuration(tmp_path):
    bench = Bench(tmp_path)
    sdkconfig = bench.root / "build" / "firmware" / "esp32c3" / "sdkconfig"
    sdkconfig.parent.mkdir(parents=True)
    sdkconfig.write_text('CONFIG_IRRIGATION_AP_SSID_PREFIX="Finca-Norte"\n')
    bench.flash(target="esp32c3")
    assert ds.load_records(bench.records)["24:6F:28:AA:BB:CC"].ap_name == "Finca-Norte-BBCC"
    assert bench.calls()[0][:3] == ["esptool", "--chip", "esp32c3"]


def test_no_secret_is_the_plain_idf_flash(tmp_path):
    bench = Bench(tmp_path)
    assert bench.flash(target="esp32", no_secret=True) is None
    assert [c[0] for c in bench.calls()] == ["idf.py"]
    assert not bench.records.exists()
    with pytest.raises(ToolError) as error:
        bench.flash(no_secret=True, new_secret=True)
    assert error.value.code == 2


def test_board_not_answering_flashes_and_records_nothing(tmp_path):
    bench = Bench(tmp_path, fail_read=True)
    with pytest.raises(ToolError, match="esptool read_mac failed .*\n.*Failed to connect"):
        bench.flash(target="esp32")
    assert [c[1:] for c in bench.calls()] == [["--chip", "esp32", "read_mac"]]
    assert not bench.records.exists()


def test_missing_esptool_or_partition_is_reported_before_anything_runs(tmp_path):
    bench = Bench(tmp_path / "a", with_esptool=False)
    with pytest.raises(ToolError, match="esptool was not found on PATH.*--no-secret"):
        bench.flash(target="esp32")
    bench = Bench(tmp_path / "b", partitions="nvs, data, nvs, 0x9000, 0x6000,\n")
    with pytest.raises(ToolError, match="no partition named 'provision'"):
        bench.flash(target="esp32")
    assert bench.calls() == []


def test_loose_records_file_is_tightened_with_a_warning(tmp_path, capsys):
    bench = Bench(tmp_path)
    bench.flash(target="esp32")
    bench.records.chmod(0o644)
    bench.flash(target="esp32")
    assert "was readable by other users" in capsys.readouterr().err
    assert stat.S_IMODE(bench.records.stat().st_mode) == 0o600


@pytest.mark.parametrize("line", ["MAC: 24:6f:28:aa:bb:cc", "BASE MAC: 24:6f:28:aa:bb:cc",
                                  "MAC:                24:6f:28:aa:bb:cc"])
def test_read_mac_output_forms_of_esptool_4_and_5(tmp_path, line):
    script = tmp_path / "esptool"
    script.write_text(f"#!/bin/sh\necho 'Chip is ESP32'\necho '{line}'\necho 'MAC_EXT: ff:fe'\n")
    script.chmod(0o755)
    assert pd.read_mac([str(script)], "esp32", None) == "24:6F:28:AA:BB:CC"


def test_invoke_flash_help_lists_the_secret_options():
    result = subprocess.run([sys.executable, "-m", "invoke", "flash", "-h"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0
    for option in ("--new-secret", "--no-secret", "--records"):
        assert option in result.stdout
