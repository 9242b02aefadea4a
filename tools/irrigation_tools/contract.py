"""The central server's acceptance rules for registration messages, and an independent subscriber.

validate_registration() reimplements the consumer's checks (shared facts, consumer-contract.md: a Go
service using encoding/json, strings.TrimSpace, strings.ToUpper, regexp and net.ParseIP) so that tests can
say "the server would accept this" about the bytes that actually arrived. Where Go would quietly repair a
payload that our device must never send anyway (invalid UTF-8 turned into U+FFFD, JSON null taken as "",
keys matched case-insensitively), this checker is stricter and reports a violation.

RegistrationSubscriber listens the way the consumer does (MQTT 3.1.1, clean session, QoS 1 subscription,
plain TCP), and records every message with its QoS, retain flag and arrival time. Given a status topic
(status_topic()) it reads presence messages too, retained ones included; validate_presence() checks them.
"""

from __future__ import annotations

import ipaddress
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Callable, Optional

import paho.mqtt.client as mqtt

TOPIC = "/liwaisi/iot/smart-irrigation/device/registration"
FIELDS = ("event_type", "mac_address", "device_name", "ip_address", "location_description")
EVENT_TYPE = "register"
DEVICE_NAME_MAX_BYTES = 100
LOCATION_MAX_BYTES = 250  # the database column; the validator alone would allow 255
# Presence (issue 12): one retained status topic per device, {mac} = 12 upper-case hex digits.
STATUS_TOPIC_TEMPLATE = "/liwaisi/iot/smart-irrigation/device/{mac}/status"
STATUS_TOPIC_FILTER = "/liwaisi/iot/smart-irrigation/device/+/status"
PRESENCE_FIELDS = ("mac_address", "status", "ip_address")
PRESENCE_STATUSES = ("online", "offline")

# Go's strings.TrimSpace trims unicode.IsSpace runes: the Unicode White_Space property. Python's
# str.strip() differs (it also strips U+001C..U+001F), so the set is spelled out.
_GO_SPACE = frozenset(
    "\t\n\v\f\r \u0085\u00a0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
# fullmatch: Go's `$` (no multiline flag) matches only at the very end, unlike Python's `$`.
_MAC_RE = re.compile(r"([0-9A-Fa-f]{2}[:-]){5}([0-9A-Fa-f]{2})")
_PRESENCE_MAC_RE = re.compile(r"([0-9A-F]{2}:){5}[0-9A-F]{2}")
_IPV4_PART_RE = re.compile(r"[0-9]{1,3}")
_IPV6_CHARS_RE = re.compile(r"[0-9A-Fa-f:.]+")


def go_trim_space(text: str) -> str:
    """strings.TrimSpace: strips leading and trailing Unicode White_Space."""
    start, end = 0, len(text)
    while start < end and text[start] in _GO_SPACE:
        start += 1
    while end > start and text[end - 1] in _GO_SPACE:
        end -= 1
    return text[start:end]


def _parse_ipv4(text: str) -> bool:
    # net.ParseIP (Go >= 1.17): four decimal parts 0..255, no leading zeros, nothing else.
    parts = text.split(".")
    if len(parts) != 4:
        return False
    for part in parts:
        if not _IPV4_PART_RE.fullmatch(part):
            return False
        if len(part) > 1 and part[0] == "0":
            return False
        if int(part) > 255:
            return False
    return True


def go_parse_ip(text: str) -> bool:
    """True when Go's net.ParseIP would return a non-nil address (IPv4 or IPv6, no zone)."""
    if _parse_ipv4(text):
        return True
    if ":" not in text or not _IPV6_CHARS_RE.fullmatch(text):
        return False  # no zone ("%eth0"), no brackets, no spaces
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    if "." in text:
        # An embedded IPv4 tail follows the same rules (no leading zeros).
        return _parse_ipv4(text.rsplit(":", 1)[1])
    return True


def _utf8_len(text: str) -> int:
    # surrogatepass: a lone surrogate escape is reported on its own, it must not crash the length check.
    return len(text.encode("utf-8", "surrogatepass"))


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def validate_registration(payload: bytes) -> list[str]:
    """Every rule of the consumer contract the payload breaks; an empty list means it would be stored."""
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [f"payload is not valid UTF-8: {exc}"]
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:
        return [f"payload is not JSON: {exc}"]
    if not isinstance(document, dict):
        return [f"payload is a JSON {type(document).__name__}, not an object"]

    violations: list[str] = []
    values: dict[str, str] = {}
    for field in FIELDS:
        if field not in document:
            violations.append(f"{field}: missing")
        elif not isinstance(document[field], str):
            violations.append(f"{field}: must be a string, got {json.dumps(document[field])}")
        else:
            values[field] = document[field]
            if any(0xD800 <= ord(ch) <= 0xDFFF for ch in document[field]):
                violations.append(f"{field}: contains an unpaired surrogate escape")

    if "event_type" in values and values["event_type"] != EVENT_TYPE:
        violations.append(f"event_type: must be exactly {EVENT_TYPE!r}, got {values['event_type']!r}")

    if "mac_address" in values:
        mac = go_trim_space(values["mac_address"]).upper()
        if not _MAC_RE.fullmatch(mac):
            violations.append(f"mac_address: {mac!r} is not six hex pairs separated by ':' or '-'")
        elif len({mac[i] for i in range(2, 17, 3)}) != 1:
            violations.append(f"mac_address: {mac!r} mixes ':' and '-' separators")

    if "device_name" in values:
        name = go_trim_space(values["device_name"])
        if not name:
            violations.append("device_name: required (empty or only white space)")
        elif _utf8_len(name) > DEVICE_NAME_MAX_BYTES:
            violations.append(f"device_name: {_utf8_len(name)} bytes, more than {DEVICE_NAME_MAX_BYTES}")

    if "ip_address" in values:
        ip = go_trim_space(values["ip_address"])
        if not ip:
            violations.append("ip_address: required (empty or only white space)")
        elif not go_parse_ip(ip):
            violations.append(f"ip_address: {ip!r} is not an IPv4 or IPv6 address")

    if "location_description" in values:
        location = go_trim_space(values["location_description"])
        if not location:
            violations.append("location_description: required (empty or only white space)")
        elif _utf8_len(location) > LOCATION_MAX_BYTES:
            violations.append(
                f"location_description: {_utf8_len(location)} bytes, more than {LOCATION_MAX_BYTES}"
            )
    return violations


def status_topic(mac: str, template: str = STATUS_TOPIC_TEMPLATE) -> str:
    """The presence topic of a device: the template with {mac} = the MAC's 12 hex digits, upper case."""
    digits = re.sub(r"[^0-9A-Fa-f]", "", mac).upper()
    if len(digits) != 12:
        raise ValueError(f"{mac!r} is not a MAC address")
    return template.replace("{mac}", digits)


def presence_payload(status: str, mac: str, ip: str) -> bytes:
    """The exact bytes the device publishes for a presence status (compact JSON, this key order)."""
    document = {"mac_address": mac, "status": status, "ip_address": ip}
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def validate_presence(payload: bytes) -> list[str]:
    """Every rule a presence message breaks: a JSON object with exactly mac_address (AA:BB:CC:DD:EE:FF, upper
    case), status ("online" or "offline") and ip_address (an address Go's net.ParseIP takes), as strings."""
    try:
        document = json.loads(payload.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        return [f"payload is not UTF-8 JSON: {exc}"]
    if not isinstance(document, dict):
        return [f"payload is a JSON {type(document).__name__}, not an object"]
    violations = [f"{key}: unexpected field" for key in document if key not in PRESENCE_FIELDS]
    for key in PRESENCE_FIELDS:
        if not isinstance(document.get(key), str):
            violations.append(f"{key}: missing or not a string")
    if violations:
        return violations
    mac = document["mac_address"]
    if not _PRESENCE_MAC_RE.fullmatch(mac):
        violations.append(f"mac_address: {mac!r} is not AA:BB:CC:DD:EE:FF in upper case")
    if document["status"] not in PRESENCE_STATUSES:
        violations.append(f"status: {document['status']!r} is not one of {PRESENCE_STATUSES}")
    if not go_parse_ip(document["ip_address"]):
        violations.append(f"ip_address: {document['ip_address']!r} is not an IPv4 or IPv6 address")
    return violations


@dataclass(frozen=True)
class ReceivedMessage:
    topic: str
    payload: bytes
    qos: int
    retain: bool
    received_at: float  # time.monotonic() when the subscriber's callback ran

    def json(self):
        return json.loads(self.payload.decode("utf-8"))


class SubscriberError(RuntimeError):
    """The subscriber could not connect or subscribe."""


class RegistrationSubscriber:
    """An independent MQTT 3.1.1 client that records what arrives on the registration topic.

    Like the central consumer: clean session, QoS 1 subscription. Plain TCP by default; transport
    "websockets" with ws_path for checking a broker's WebSocket listener.
    """

    def __init__(
        self,
        port: int,
        host: str = "127.0.0.1",
        topic: str = TOPIC,
        client_id: Optional[str] = None,
        qos: int = 1,
        transport: str = "tcp",
        ws_path: str = "/mqtt",
        keepalive_s: int = 60,
        username: Optional[str] = None,
        password: Optional[str] = None,
    ) -> None:
        self.host = host
        self.port = port
        self.topic = topic
        self.qos = qos
        self.keepalive_s = keepalive_s
        self.client_id = client_id or f"registration-subscriber-{uuid.uuid4().hex[:8]}"
        self._cond = threading.Condition()
        self._messages: list[ReceivedMessage] = []
        self._subscribed = False
        self._granted_qos: Optional[int] = None
        self._connect_error: Optional[str] = None
        self._started = False
        self._client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            clean_session=True,
            protocol=mqtt.MQTTv311,
            transport=transport,
        )
        if transport == "websockets":
            self._client.ws_set_options(path=ws_path)
        if username is not None:
            self._client.username_pw_set(username, password)
        self._client.on_connect = self._on_connect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_message = self._on_message

    # --- paho callbacks (network thread) -----------------------------------------------------------
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            with self._cond:
                self._connect_error = f"CONNACK refused: {reason_code}"
                self._cond.notify_all()
            return
        # Subscribing on every connect keeps the subscription across paho's reconnects (clean session).
        client.subscribe(self.topic, qos=self.qos)

    def _on_subscribe(self, client, userdata, mid, reason_code_list, properties) -> None:
        with self._cond:
            code = reason_code_list[0] if reason_code_list else None
            if code is None or code.is_failure:
                self._connect_error = f"SUBACK refused: {code}"
            else:
                self._subscribed = True
                self._granted_qos = code.value
            self._cond.notify_all()

    def _on_message(self, client, userdata, message) -> None:
        record = ReceivedMessage(
            topic=message.topic,
            payload=bytes(message.payload),
            qos=message.qos,
            retain=bool(message.retain),
            received_at=time.monotonic(),
        )
        with self._cond:
            self._messages.append(record)
            self._cond.notify_all()

    # --- API ---------------------------------------------------------------------------------------
    @property
    def granted_qos(self) -> Optional[int]:
        return self._granted_qos

    def start(self, timeout_s: float = 10.0) -> "RegistrationSubscriber":
        """Connects and returns once the broker has acknowledged the subscription."""
        try:
            self._client.connect(self.host, self.port, keepalive=self.keepalive_s)
        except OSError as exc:
            raise SubscriberError(f"cannot connect to {self.host}:{self.port}: {exc}") from exc
        self._client.loop_start()
        self._started = True
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while not self._subscribed and self._connect_error is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            error = self._connect_error
            subscribed = self._subscribed
        if not subscribed:
            self.stop()
            raise SubscriberError(error or f"no SUBACK from {self.host}:{self.port} within {timeout_s} s")
        return self

    def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        try:
            self._client.disconnect()
        finally:
            self._client.loop_stop()

    def __enter__(self) -> "RegistrationSubscriber":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def messages(self) -> list[ReceivedMessage]:
        """A copy of everything received so far, in arrival order."""
        with self._cond:
            return list(self._messages)

    def count(self) -> int:
        with self._cond:
            return len(self._messages)

    def wait_for(
        self,
        predicate: Optional[Callable[[ReceivedMessage], bool]] = None,
        timeout: float = 10.0,
        since: int = 0,
    ) -> ReceivedMessage:
        """The first message (from index `since`) satisfying predicate; TimeoutError after timeout s."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for record in self._messages[since:]:
                    if predicate is None or predicate(record):
                        return record
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"no matching message on {self.topic!r} within {timeout} s; received "
                        f"{[m.payload for m in self._messages[since:]]!r}"
                    )
                self._cond.wait(remaining)
