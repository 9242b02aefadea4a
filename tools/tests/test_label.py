"""The setup label: WiFi QR payload escaping, SVG text and QR modules, the PNG decoded by a real QR reader."""

import io
import re
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import segno
import segno.helpers
import zxingcpp
from PIL import Image

from irrigation_tools import ToolError
from irrigation_tools import device_secret as ds
from irrigation_tools import label as lb

ROOT = Path(__file__).resolve().parents[2]
SVG_NS = {"svg": "http://www.w3.org/2000/svg"}
LABEL = lb.make_label("24:6f:28:aa:bb:cc", "7K3M9QXD2F4H8RTV", "Riego-Setup-BBCC")


@pytest.mark.parametrize("text, escaped", [
    ("plain-Name_1", "plain-Name_1"),
    ("a;b", "a\\;b"),
    ("a,b", "a\\,b"),
    ("a:b", "a\\:b"),
    ('a"b', 'a\\"b'),
    ("a\\b", "a\\\\b"),
    ('\\;,:"', '\\\\\\;\\,\\:\\"'),
])
def test_wifi_qr_special_characters_are_escaped(text, escaped):
    assert lb.wifi_qr_escape(text) == escaped


def test_payload_names_a_wpa_network_with_the_ungrouped_secret():
    assert LABEL.payload == "WIFI:T:WPA;S:Riego-Setup-BBCC;P:7K3M9QXD2F4H8RTV;;"


@pytest.mark.parametrize("ssid", ["Riego-Setup-BBCC", 'Fin;ca:"Sur"\\-0B0C', "Café-0B0C"])
def test_payload_matches_segno_s_own_wifi_helper(ssid):
    # segno escapes the same characters except ',' (which the format lists too), so compare without commas.
    assert lb.wifi_qr_payload(ssid, "7K3M9QXD2F4H8RTV") == segno.helpers.make_wifi_data(
        ssid=ssid, password="7K3M9QXD2F4H8RTV", security="WPA")


def svg_texts(svg: str) -> list[str]:
    return [t.text for t in ET.fromstring(svg.encode()).iterfind("svg:text", SVG_NS)]


def test_svg_shows_name_grouped_secret_and_both_languages():
    texts = svg_texts(lb.render_svg(LABEL))
    assert "Riego-Setup-BBCC" in texts
    assert "7K3M 9QXD 2F4H 8RTV" in texts
    assert "7K3M9QXD2F4H8RTV" not in lb.render_svg(LABEL)  # as text only grouped; the QR code is a path
    for phrase in ("Red WiFi / WiFi network", "Clave / Password", "Escanee para configurar /", "Scan to set up"):
        assert phrase in texts
    assert "MAC 24:6F:28:AA:BB:CC" in texts


def test_svg_escapes_markup_in_the_network_name():
    label = lb.make_label("24:6F:28:AA:BB:CC", "7K3M9QXD2F4H8RTV", "<b>&Finca-BBCC")
    svg = lb.render_svg(label)
    assert "<b>&Finca-BBCC" in svg_texts(svg)  # parsed back as text, so it was escaped
    assert "<b>" not in svg


def svg_modules(svg: str) -> set[tuple[int, int]]:
    path = ET.fromstring(svg.encode()).find("svg:svg/svg:path", SVG_NS).get("d")
    return {(int(x), int(y)) for x, y in re.findall(r"M(\d+) (\d+)h1v1h-1z", path)}


def test_svg_qr_modules_are_those_of_the_payload():
    svg = lb.render_svg(LABEL)
    expected = segno.make("WIFI:T:WPA;S:Riego-Setup-BBCC;P:7K3M9QXD2F4H8RTV;;", error="m", micro=False)
    border = lb.QR_BORDER_MODULES
    dark = {(x + border, y + border) for y, row in enumerate(expected.matrix) for x, v in enumerate(row) if v}
    assert svg_modules(svg) == dark
    inner = ET.fromstring(svg.encode()).find("svg:svg", SVG_NS)
    size = expected.symbol_size(border=border)[0]
    assert inner.get("viewBox") == f"0 0 {size} {size}"  # the quiet zone is part of the square


def decode_png(data: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(data)))]


def test_png_qr_code_is_read_back_by_a_qr_reader():
    assert decode_png(lb.render_png(LABEL)) == [LABEL.payload]


def test_png_qr_code_with_special_characters_is_read_back_exactly():
    label = lb.make_label("24:6F:28:AA:0B:0C", "ZZZZ0000ZZZZ0000", 'Fin;ca,"Sur":\\-0B0C')
    assert decode_png(lb.render_png(label)) == ['WIFI:T:WPA;S:Fin\\;ca\\,\\"Sur\\"\\:\\\\-0B0C;P:ZZZZ0000ZZZZ0000;;']


def test_png_has_the_label_size_at_300_dpi():
    image = Image.open(io.BytesIO(lb.render_png(LABEL)))
    assert image.size == (1181, 520)  # 100 x 44 mm
    assert round(image.info["dpi"][0]) == 300


def test_long_network_names_are_shrunk_to_fit():
    short = lb.text_lines(LABEL)[1]
    long = lb.text_lines(lb.make_label("24:6F:28:AA:BB:CC", "7K3M9QXD2F4H8RTV", "X" * 27 + "-BBCC"))[1]
    assert long.size_mm < short.size_mm
    assert len(long.text) * lb.SANS_ADVANCE * long.size_mm <= lb.TEXT_WIDTH_MM + 1e-9


def test_label_files_are_private_and_typed_by_suffix(tmp_path):
    svg = lb.write_label(LABEL, tmp_path / "l.svg")
    png = lb.write_label(LABEL, tmp_path / "l.png")
    assert svg.read_text().startswith("<?xml") and png.read_bytes().startswith(b"\x89PNG")
    assert {stat.S_IMODE(p.stat().st_mode) for p in (svg, png)} == {0o600}
    with pytest.raises(ToolError) as error:
        lb.write_label(LABEL, tmp_path / "l.pdf")
    assert error.value.code == 2


def invoke(*args):
    return subprocess.run([sys.executable, "-m", "invoke", "--search-root", str(ROOT), "label", *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_invoke_label_takes_the_secret_from_the_records_file(tmp_path):
    records = tmp_path / "devices.csv"
    ds.save_record(records, ds.DeviceRecord("24:6F:28:AA:BB:CC", "Finca-BBCC", "7K3M9QXD2F4H8RTV", "2026-12-04"))
    out = tmp_path / "label.png"
    result = invoke("--mac", "24-6f-28-aa-bb-cc", "--records", str(records), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"label: {out} (network Finca-BBCC)" in result.stdout
    assert decode_png(out.read_bytes()) == ["WIFI:T:WPA;S:Finca-BBCC;P:7K3M9QXD2F4H8RTV;;"]


def test_invoke_label_with_a_given_secret_and_the_default_path(tmp_path):
    records = tmp_path / "sub" / "devices.csv"
    result = invoke("--mac", "24:6F:28:AA:BB:CC", "--secret", "7k3m-9qxd-2f4h-8rtv", "--records", str(records))
    assert result.returncode == 0, result.stderr
    written = records.parent / "labels" / "246F28AABBCC.svg"
    assert "7K3M 9QXD 2F4H 8RTV" in svg_texts(written.read_text())
    assert not records.exists()  # printing a label records nothing


def test_invoke_label_without_a_secret_says_how_to_get_one(tmp_path):
    result = invoke("--mac", "24:6F:28:AA:BB:CC", "--records", str(tmp_path / "devices.csv"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "no secret recorded for 24:6F:28:AA:BB:CC" in result.stderr
