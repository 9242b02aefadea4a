"""Per-device MQTT credentials for the `provision` partition (`invoke flash --mqtt-username/--mqtt-password-file`).

The firmware reads namespace `mqtt`, keys `username` and `password` (strings) of the `provision` NVS
partition and, when present, uses them instead of the build-wide IRRIGATION_MQTT_USERNAME / _PASSWORD
(components/infrastructure/provision_store_adapter). The password is read from a file, never taken on the
command line (where shell history and `ps` would show it), and is not kept in the records file: it is
written to the board's image only.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from irrigation_tools import ToolError

MQTT_NAMESPACE = "mqtt"
MQTT_USERNAME_KEY = "username"
MQTT_PASSWORD_KEY = "password"
# The firmware's buffers for each of the two (APP_CREDENTIAL_MAX_LEN in application/settings.h), in bytes
# without the NUL: the device would refuse a longer value, so it is refused here.
CREDENTIAL_MAX_BYTES = 64


@dataclass(frozen=True)
class MqttCredentials:
    """What goes into the `mqtt` namespace: each of the two may be absent. The password is kept out of repr."""

    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def entries(self) -> list[tuple[str, str]]:
        """(key, value) of the values present, in the order they are written."""
        pairs = [(MQTT_USERNAME_KEY, self.username), (MQTT_PASSWORD_KEY, self.password)]
        return [(key, value) for key, value in pairs if value is not None]


def check_value(option: str, value: str, max_bytes: int = CREDENTIAL_MAX_BYTES) -> str:
    """value when the firmware can take it (non-empty, one line, at most max_bytes of UTF-8), else ToolError."""
    if value == "":
        raise ToolError(f"{option}: empty", code=2)
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise ToolError(f"{option}: control characters (newline, tab, ...) are not allowed", code=2)
    if len(value.encode("utf-8")) > max_bytes:
        raise ToolError(f"{option}: longer than {max_bytes} bytes, the firmware's limit", code=2)
    return value


def read_password_file(path: Path) -> str:
    """The password in path: its text without the line ending(s) an editor or `echo` adds, or ToolError."""
    option = f"--mqtt-password-file {path}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ToolError(f"{option}: no such file", code=2) from None
    except UnicodeDecodeError:
        raise ToolError(f"{option}: not UTF-8 text", code=2) from None
    except OSError as exc:
        raise ToolError(f"{option}: cannot read it: {exc.strerror}", code=2) from None
    return check_value(option, text.rstrip("\r\n"))


def mqtt_credentials(username: str | None, password_file: Path | None) -> MqttCredentials | None:
    """The credentials the flash options give, None when neither option was given."""
    if username is None and password_file is None:
        return None
    return MqttCredentials(
        username=None if username is None else check_value("--mqtt-username", username),
        password=None if password_file is None else read_password_file(password_file),
    )
