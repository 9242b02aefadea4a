"""The printable setup label: network name, secret and a WiFi QR code a phone camera joins with.

One layout (millimetres, 100 x 44 mm, a common thermal label size), two renderers: SVG (text stays text, the
QR code is one path of whole modules) and PNG through Pillow at 300 dpi. The text is in Spanish and English
(the technicians are Colombian); the secret is shown in groups of four for reading and typing, while the QR
code holds it ungrouped in the `WIFI:T:WPA;S:<ssid>;P:<secret>;;` form, with \\ ; , : and " escaped by a
backslash as that format requires. The QR code is made by segno (PyPI).

The label holds the device's secret: it is written with mode 0600, like the records file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import segno

from irrigation_tools import ToolError
from irrigation_tools.device_secret import group_secret, normalize_mac, normalize_secret, write_private

WIFI_QR_SPECIAL = '\\;,:"'
WIDTH_MM = 100.0
HEIGHT_MM = 44.0
PNG_DPI = 300
QR_BORDER_MODULES = 4  # the quiet zone QR readers need, inside the QR's own square
QR_SIZE_MM = 40.0
TEXT_X_MM = 44.0
TEXT_WIDTH_MM = WIDTH_MM - TEXT_X_MM - 2.0
# Average advance of a character as a fraction of the font size, to keep long names inside the label.
SANS_ADVANCE = 0.62
MONO_ADVANCE = 0.6021  # DejaVu Sans Mono: 1233 / 2048 em

SVG_SANS = "DejaVu Sans, Arial, Helvetica, sans-serif"
SVG_MONO = "DejaVu Sans Mono, Consolas, Menlo, monospace"
PNG_FONTS = {  # Pillow looks these up in the system font folders (Debian: fonts-dejavu-core)
    (False, False): "DejaVuSans.ttf",
    (True, False): "DejaVuSans-Bold.ttf",
    (False, True): "DejaVuSansMono.ttf",
    (True, True): "DejaVuSansMono-Bold.ttf",
}


def wifi_qr_escape(text: str) -> str:
    """Escapes the characters the WiFi QR format gives a meaning to (backslash first)."""
    return "".join("\\" + c if c in WIFI_QR_SPECIAL else c for c in text)


def wifi_qr_payload(ssid: str, password: str) -> str:
    """What the QR code holds: a WPA network with its password (the secret, ungrouped)."""
    return f"WIFI:T:WPA;S:{wifi_qr_escape(ssid)};P:{wifi_qr_escape(password)};;"


@dataclass(frozen=True)
class Label:
    ssid: str
    secret: str
    mac: str

    @property
    def payload(self) -> str:
        return wifi_qr_payload(self.ssid, self.secret)


@dataclass(frozen=True)
class TextLine:
    text: str
    y_mm: float  # baseline
    size_mm: float
    bold: bool = False
    mono: bool = False


def _fit(text: str, size_mm: float, advance: float) -> float:
    """The font size, shrunk when needed so that text fits in the text column."""
    needed = len(text) * advance * size_mm
    return size_mm if needed <= TEXT_WIDTH_MM else TEXT_WIDTH_MM / (len(text) * advance)


def text_lines(label: Label) -> list[TextLine]:
    grouped = group_secret(label.secret)
    return [
        TextLine("Red WiFi / WiFi network", 7.0, 3.0),
        TextLine(label.ssid, 13.0, _fit(label.ssid, 4.6, SANS_ADVANCE), bold=True),
        TextLine("Clave / Password", 20.0, 3.0),
        TextLine(grouped, 26.5, _fit(grouped, 4.6, MONO_ADVANCE), bold=True, mono=True),
        TextLine("Escanee para configurar /", 33.0, 2.8),
        TextLine("Scan to set up", 36.6, 2.8),
        TextLine(f"MAC {label.mac}", 41.5, 2.2, mono=True),
    ]


def qr_code(label: Label) -> segno.QRCode:
    # Level M (15 % recovery): a worn or smudged label still scans; never a Micro QR (phones cannot read it).
    return segno.make(label.payload, error="m", micro=False)


def qr_path(qr: segno.QRCode) -> str:
    """The dark modules as one SVG path in module units, quiet zone included in the coordinates."""
    parts = []
    for y, row in enumerate(qr.matrix):
        for x, dark in enumerate(row):
            if dark:
                parts.append(f"M{x + QR_BORDER_MODULES} {y + QR_BORDER_MODULES}h1v1h-1z")
    return "".join(parts)


def render_svg(label: Label) -> str:
    qr = qr_code(label)
    modules = qr.symbol_size(border=QR_BORDER_MODULES)[0]
    top = (HEIGHT_MM - QR_SIZE_MM) / 2
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH_MM:g}mm" height="{HEIGHT_MM:g}mm" '
        f'viewBox="0 0 {WIDTH_MM:g} {HEIGHT_MM:g}">',
        f"<title>{xml_escape(label.ssid)}</title>",
        f'<rect width="{WIDTH_MM:g}" height="{HEIGHT_MM:g}" fill="#fff"/>',
        f'<svg x="2" y="{top:g}" width="{QR_SIZE_MM:g}" height="{QR_SIZE_MM:g}" viewBox="0 0 {modules} {modules}" '
        'shape-rendering="crispEdges">',
        f'<path fill="#000" d="{qr_path(qr)}"/>',
        "</svg>",
    ]
    for line in text_lines(label):
        family = SVG_MONO if line.mono else SVG_SANS
        weight = ' font-weight="bold"' if line.bold else ""
        out.append(
            f'<text x="{TEXT_X_MM:g}" y="{line.y_mm:g}" font-family="{family}" font-size="{line.size_mm:.2f}"'
            f'{weight} xml:space="preserve">{xml_escape(line.text)}</text>'
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _png_font(line: TextLine, size_px: int):
    from PIL import ImageFont

    try:
        return ImageFont.truetype(PNG_FONTS[(line.bold, line.mono)], size_px)
    except OSError:
        return ImageFont.load_default(size=size_px)  # Pillow's own font when DejaVu is not installed


def render_png(label: Label, dpi: int = PNG_DPI) -> bytes:
    from PIL import Image, ImageDraw

    def px(mm: float) -> int:
        return round(mm * dpi / 25.4)

    image = Image.new("L", (px(WIDTH_MM), px(HEIGHT_MM)), 255)
    qr = qr_code(label)
    modules = qr.symbol_size(border=QR_BORDER_MODULES)[0]
    scale = max(1, px(QR_SIZE_MM) // modules)  # whole pixels per module keep the edges sharp
    qr_png = io.BytesIO()
    qr.save(qr_png, kind="png", scale=scale, border=QR_BORDER_MODULES)
    qr_png.seek(0)
    qr_image = Image.open(qr_png).convert("L")
    image.paste(qr_image, (px(2), px((HEIGHT_MM - QR_SIZE_MM) / 2) + (px(QR_SIZE_MM) - qr_image.height) // 2))
    draw = ImageDraw.Draw(image)
    for line in text_lines(label):
        draw.text((px(TEXT_X_MM), px(line.y_mm)), line.text, fill=0, font=_png_font(line, px(line.size_mm)),
                  anchor="ls")
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi))
    return out.getvalue()


def make_label(mac: str, secret: str, ssid: str) -> Label:
    return Label(ssid=ssid, secret=normalize_secret(secret), mac=normalize_mac(mac))


def write_label(label: Label, out: Path) -> Path:
    """Writes the label as SVG or PNG, by out's suffix, with mode 0600."""
    suffix = out.suffix.lower()
    if suffix == ".svg":
        write_private(out, render_svg(label))
    elif suffix == ".png":
        write_private(out, render_png(label))
    else:
        raise ToolError(f"--out {out}: the label is written as .svg or .png", code=2)
    return out
