"""The simulated devices of `invoke simulate`: one, N generated ones, or a fleet file (YAML).

A fleet file is a list of devices (or a mapping with a `devices:` list), for example:

    - mac: "02:00:00:00:00:01"      # required; quote it (YAML reads 10:20:30:40:50:01 as a number)
      name: Riego Norte              # required, 1..100 bytes of UTF-8
      location: Invernadero 1        # optional, 1..250 bytes (default: the simulator's)
      ip: 192.168.1.50               # optional IPv4 the device reports (default 127.0.0.1)
      http_port: 0                   # optional; 0 = a free port chosen by the system

Every device must have its own MAC; non-zero HTTP ports must differ. All problems of a file are reported
at once, one line each, naming the entry (`FleetError`).

The devices run in irrigation-fleet processes (docs/fleet.md): `plan_processes` splits them into slices,
one per process, and `write_device_file` gives a process its slice, one form-encoded line per device.
With distinct addresses, device n (counting from 1 over the whole fleet) is at `distinct_ip(n)`, the same
formula as irrigation-fleet's.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from irrigation_tools import ToolError

NAME_MAX_BYTES = 100
LOCATION_MAX_BYTES = 250
# The fleet numbers irrigation-fleet accepts: the last one with a distinct loopback address.
MAX_DEVICES = 64_000
DEFAULT_NAME = "ESP32-Riego"
# Devices per irrigation-fleet process at most: Paho finds the client of every packet it reads by a linear
# scan of the process's clients, so its receive thread slows down with the clients per process; a
# 10,000-device fleet starts fastest as four processes of 2,500 here (docs/fleet.md).
DEVICES_PER_PROCESS = 2_500
# File descriptors an irrigation-fleet process needs per device (the MQTT socket and the listening socket),
# and besides its devices.
FDS_PER_DEVICE = 2
FD_RESERVE = 80
_MAC_RE = re.compile(r"[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}")
_KEYS = {"mac", "name", "location", "ip", "http_port"}


class FleetError(ToolError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code=2)


@dataclass(frozen=True)
class Device:
    mac: str
    name: str | None = None
    location: str | None = None
    ip: str | None = None
    http_port: int = 0

    def device_line(self) -> str:
        """The device's line in an irrigation-fleet device file (form-encoded, no newline)."""
        fields = {"mac": self.mac}
        if self.name is not None:
            fields["name"] = self.name
        if self.location is not None:
            fields["location"] = self.location
        if self.ip is not None:
            fields["ip"] = self.ip
        if self.http_port:
            fields["http_port"] = str(self.http_port)
        return urllib.parse.urlencode(fields, encoding="utf-8")

    def simulator_args(self) -> list[str]:
        args = ["--mac", self.mac, "--http-port", str(self.http_port)]
        if self.name is not None:
            args += ["--name", self.name]
        if self.location is not None:
            args += ["--location", self.location]
        if self.ip is not None:
            args += ["--ip", self.ip]
        return args


def distinct_ip(number: int) -> str:
    """Device number's own loopback address: 127.0.(k // 250).(k % 250 + 2), k = number - 1."""
    if not 1 <= number <= MAX_DEVICES:
        raise FleetError(f"device {number}: no distinct address (devices 1..{MAX_DEVICES} have one)")
    k = number - 1
    return f"127.0.{k // 250}.{k % 250 + 2}"


def plan_processes(count: int, cpus: int, per_process: int = DEVICES_PER_PROCESS) -> list[tuple[int, int]]:
    """Slices (first device number, devices) of a fleet of `count`: one process per CPU at least (every core
    works), more when a slice would pass `per_process`; slices differ by one device at most."""
    if count < 1:
        return []
    processes = min(count, max(cpus, math.ceil(count / max(per_process, 1))))
    size, extra = divmod(count, processes)
    slices = []
    first = 1
    for index in range(processes):
        devices = size + (1 if index < extra else 0)
        slices.append((first, devices))
        first += devices
    return slices


def devices_per_process_limit(fd_limit: int, per_process: int = DEVICES_PER_PROCESS) -> int:
    """The devices one process can hold under an RLIMIT_NOFILE of fd_limit (at most per_process)."""
    return max(1, min(per_process, (fd_limit - FD_RESERVE) // FDS_PER_DEVICE))


UNPRIVILEGED_PORT_START = Path("/proc/sys/net/ipv4/ip_unprivileged_port_start")
CAP_NET_BIND_SERVICE = 10


def _ambient_capabilities(status: Path = Path("/proc/self/status")) -> int:
    try:
        for line in status.read_text().splitlines():
            if line.startswith("CapAmb:"):
                return int(line.split()[1], 16)
    except (OSError, ValueError, IndexError):
        pass
    return 0


def privileged_port_problem(
    port: int,
    euid: int | None = None,
    unprivileged_start: Path = UNPRIVILEGED_PORT_START,
    status: Path = Path("/proc/self/status"),
) -> str | None:
    """Why a process started from here cannot listen on `port`, with the one-line fix; None when it can
    (root, a port at or above net.ipv4.ip_unprivileged_port_start, or CAP_NET_BIND_SERVICE as an ambient
    capability, the kind a child process inherits)."""
    if (os.geteuid() if euid is None else euid) == 0:
        return None
    try:
        start = int(unprivileged_start.read_text().strip())
    except (OSError, ValueError):
        start = 1024
    if port >= start or _ambient_capabilities(status) & (1 << CAP_NET_BIND_SERVICE):
        return None
    return (
        f"port {port} is below net.ipv4.ip_unprivileged_port_start ({start}) and this is not root: run "
        f"`sudo sysctl net.ipv4.ip_unprivileged_port_start={port}` (until reboot), or give "
        "CAP_NET_BIND_SERVICE, or ask for another port (--http-fallback-port 8080)"
    )


def write_device_file(path: Path, devices: list[Device]) -> None:
    path.write_text("".join(device.device_line() + "\n" for device in devices), encoding="utf-8")


def generated_mac(index: int) -> str:
    """02:00:00:00:00:01 for index 1: locally administered, unicast, never a real vendor's."""
    return "02:00:00:00:" + ":".join(f"{b:02X}" for b in index.to_bytes(2, "big"))


def generate(
    count: int, name: str | None = None, location: str | None = None, http_port: int = 0
) -> list[Device]:
    """`count` devices with distinct MACs and names (<name>-01, -02, ...; a single device keeps `name`).

    http_port 0 gives every device a free port; N gives ports N, N+1, ...
    """
    if not 1 <= count <= MAX_DEVICES:
        raise FleetError(f"--devices {count}: must be between 1 and {MAX_DEVICES}")
    if not 0 <= http_port <= 65535 - (count - 1):
        raise FleetError(f"--http-port {http_port}: ports {http_port}..{http_port + count - 1} are not all valid")
    devices = []
    for index in range(1, count + 1):
        if count == 1:
            device_name = name
        else:
            device_name = f"{name or DEFAULT_NAME}-{index:02d}"
        port = http_port + index - 1 if http_port else 0
        devices.append(Device(mac=generated_mac(index), name=device_name, location=location, http_port=port))
    for device in devices:
        problems = _text_problems("name", device.name, NAME_MAX_BYTES) + _text_problems(
            "location", device.location, LOCATION_MAX_BYTES
        )
        if problems:
            raise FleetError("--" + problems[0])
    return devices


def _text_problems(key: str, value: Any, max_bytes: int) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, str):
        return [f"{key}: must be text, got {value!r} (quote it in YAML)"]
    if not value.strip():
        return [f"{key}: must not be empty"]
    size = len(value.encode("utf-8"))
    if size > max_bytes:
        return [f"{key}: {size} bytes, at most {max_bytes} allowed"]
    return []


def _entry_problems(entry: Any) -> tuple[Device | None, list[str]]:
    if not isinstance(entry, dict):
        return None, [f"must be a mapping with mac/name/location/ip, got {entry!r}"]
    problems = [f"unknown key {key!r} (allowed: {', '.join(sorted(_KEYS))})" for key in entry if key not in _KEYS]
    mac = entry.get("mac")
    if mac is None:
        problems.append("mac: required")
    elif not isinstance(mac, str):
        problems.append(f"mac: must be a quoted string, YAML read it as {mac!r}")
    elif not _MAC_RE.fullmatch(mac.strip()):
        problems.append(f"mac: {mac!r} is not AA:BB:CC:DD:EE:FF")
    if entry.get("name") is None:
        problems.append("name: required")
    problems += _text_problems("name", entry.get("name"), NAME_MAX_BYTES)
    problems += _text_problems("location", entry.get("location"), LOCATION_MAX_BYTES)
    ip = entry.get("ip")
    if ip is not None:
        try:
            if not isinstance(ip, str):
                raise ValueError(ip)
            ipaddress.IPv4Address(ip)
        except ValueError:
            problems.append(f"ip: {ip!r} is not an IPv4 address (A.B.C.D)")
    port = entry.get("http_port", 0)
    if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
        problems.append(f"http_port: {port!r} is not a port number 0..65535")
    if problems:
        return None, problems
    return (
        Device(
            mac=mac.strip().upper(),
            name=entry["name"],
            location=entry.get("location"),
            ip=ip,
            http_port=port,
        ),
        [],
    )


def parse_fleet(text: str, source: str = "fleet file") -> list[Device]:
    """Devices from YAML text; FleetError listing every problem."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FleetError(f"{source}: not valid YAML: {exc}") from exc
    if isinstance(document, dict) and set(document) == {"devices"}:
        document = document["devices"]
    if not isinstance(document, list) or not document:
        raise FleetError(f"{source}: expected a non-empty list of devices (or `devices:` with one)")
    if len(document) > MAX_DEVICES:
        raise FleetError(f"{source}: {len(document)} devices, at most {MAX_DEVICES}")
    devices: list[Device] = []
    errors: list[str] = []
    for number, entry in enumerate(document, start=1):
        device, problems = _entry_problems(entry)
        label = f"{source}: device {number}"
        if isinstance(entry, dict) and isinstance(entry.get("mac"), str):
            label += f" ({entry['mac']})"
        errors += [f"{label}: {p}" for p in problems]
        if device is not None:
            devices.append(device)
    seen_macs: dict[str, int] = {}
    seen_ports: dict[int, int] = {}
    for number, device in enumerate(devices, start=1):
        if device.mac in seen_macs:
            errors.append(f"{source}: mac {device.mac} is used by more than one device")
        seen_macs.setdefault(device.mac, number)
        if device.http_port:
            if device.http_port in seen_ports:
                errors.append(f"{source}: http_port {device.http_port} is used by more than one device")
            seen_ports.setdefault(device.http_port, number)
    if errors:
        raise FleetError("\n".join(errors))
    return devices


def load_fleet(path: Path) -> list[Device]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FleetError(f"{path}: cannot read the fleet file: {exc.strerror or exc}") from exc
    return parse_fleet(text, source=str(path))
