"""The firmware end to end in Espressif's QEMU (`invoke qemu`): the Ethernet variant against a local NATS.

Espressif's QEMU machines esp32 and esp32c3 emulate the OpenCores Ethernet MAC (and no radio), so the firmware
is built with the Ethernet adapter (host_tests/qemu/sdkconfig.qemu after the project's own defaults) in
build/qemu/<target>. QEMU's user-mode network shows the host as 10.0.2.2: the firmware's broker URI is
ws://10.0.2.2:BROKER_WS_PORT/mqtt, and nats-server listens for it on the host's 127.0.0.1 at that port. The
device's HTTP server (port 80) is reached through a port forward, -nic user,model=open_eth,hostfwd=...

- `invoke qemu`: build, start NATS, `idf.py qemu` in the foreground (serial console; Ctrl-A X quits QEMU).
- `invoke qemu --test`: build, then host_tests/qemu with pytest-embedded-qemu, which starts QEMU itself and
  waits for the registration on the broker and for /whoami through the port forward.

Without an exported ESP-IDF, or without the QEMU binary from ESP-IDF's tools installer, it is skipped with
one line: skipped, not passed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence

from irrigation_tools.brokers import NatsBroker, port_accepts
from irrigation_tools.espidf import IdfInstall
from irrigation_tools.idf_linux import find_idf, idf_py

# The port the firmware of sdkconfig.qemu dials (CONFIG_IRRIGATION_BROKER_URI); a test checks they agree.
BROKER_WS_PORT = 18084
QEMU_DEFAULTS = Path("host_tests") / "qemu" / "sdkconfig.qemu"
QEMU_PROGRAMS = {"esp32": "qemu-system-xtensa", "esp32c3": "qemu-system-riscv32"}
DEFAULT_TARGET = "esp32c3"
GUEST_HTTP_PORT = 80


def sdkconfig_defaults(root: Path, target: str, ethernet: bool) -> list[Path]:
    """The defaults files ESP-IDF reads, in order: the project's, the target's (when present), the QEMU one."""
    files = [root / "sdkconfig.defaults"]
    if (root / f"sdkconfig.defaults.{target}").is_file():
        files.append(root / f"sdkconfig.defaults.{target}")
    if ethernet:
        files.append(root / QEMU_DEFAULTS)
    return files


def build_dir(root: Path, target: str) -> Path:
    return root / "build" / "qemu" / target


def find(target: str, env: Optional[Mapping[str, str]] = None) -> tuple[Optional[IdfInstall], str]:
    """The exported ESP-IDF when QEMU for target is installed too, else None and the one skip line."""
    install, skipped = find_idf(env, "qemu", "to build the firmware and run it in QEMU")
    if install is None:
        return None, skipped
    program = QEMU_PROGRAMS[target]
    path = (env or {}).get("PATH") if env is not None else None
    if shutil.which(program, path=path) is None:
        return None, (
            f"qemu SKIPPED (not passed): {program} is not on PATH; install it with ESP-IDF's tools installer "
            f"(python $IDF_PATH/tools/idf_tools.py install {program.replace('-system-', '-')}) and export again"
        )
    return install, ""


def idf_base(install: IdfInstall, root: Path, target: str) -> list[str]:
    build = build_dir(root, target)
    defaults = ";".join(str(p) for p in sdkconfig_defaults(root, target, ethernet=True))
    return [*idf_py(install), "-C", str(root), "-B", str(build), f"-DIDF_TARGET={target}",
            f"-DSDKCONFIG={build / 'sdkconfig'}", f"-DSDKCONFIG_DEFAULTS={defaults}"]


def nic_args(http_port: int) -> str:
    """QEMU's NIC: the OpenCores MAC on user-mode networking, the guest's port 80 on the host's http_port."""
    return f"-nic user,model=open_eth,hostfwd=tcp:127.0.0.1:{http_port}-:{GUEST_HTTP_PORT}"


def build_cmd(install: IdfInstall, root: Path, target: str) -> list[str]:
    return [*idf_base(install, root, target), "build"]


def run_cmd(install: IdfInstall, root: Path, target: str, http_port: int) -> list[str]:
    return [*idf_base(install, root, target), "qemu", "--qemu-extra-args", nic_args(http_port)]


def pytest_cmd(root: Path, target: str, posargs: Sequence[str] = ()) -> list[str]:
    stage = root / "host_tests" / "qemu"
    return [sys.executable, "-m", "pytest", "-c", str(stage / "pytest.ini"), "--rootdir", str(stage),
            "--target", target, str(stage), *posargs]


def broker_port_in_defaults(root: Path) -> Optional[int]:
    """The port of CONFIG_IRRIGATION_BROKER_URI in sdkconfig.qemu (None when it has no explicit port)."""
    text = (root / QEMU_DEFAULTS).read_text(encoding="utf-8")
    match = re.search(r'^CONFIG_IRRIGATION_BROKER_URI="ws://10\.0\.2\.2:(\d+)/', text, re.MULTILINE)
    return int(match.group(1)) if match else None


class QemuNats(NatsBroker):
    """nats-server whose WebSocket listener is on BROKER_WS_PORT (the port the QEMU firmware dials)."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
        self.ws_port = BROKER_WS_PORT

    def start(self, timeout_s: float = 10.0):
        if port_accepts(BROKER_WS_PORT):
            raise RuntimeError(f"port {BROKER_WS_PORT} on 127.0.0.1 is taken: the QEMU firmware needs it for NATS")
        return super().start(timeout_s=timeout_s)


@dataclass(frozen=True)
class QemuOptions:
    target: str = DEFAULT_TARGET
    test: bool = False
    http_port: int = 8080


Runner = Callable[[Sequence[str]], int]


def _call(cmd: Sequence[str]) -> int:
    print("+ " + " ".join(cmd), file=sys.stderr)
    try:
        return subprocess.run(list(cmd), check=False).returncode
    except KeyboardInterrupt:
        return 130


def run_qemu(root: Path, options: QemuOptions, workdir: Path, say: Callable[[str], None] = print,
             call: Runner = _call, env: Optional[Mapping[str, str]] = None) -> int:
    """Build the Ethernet variant and run it (or its test). 0 also when skipped, after saying so."""
    install, skipped = find(options.target, env)
    if install is None:
        say(skipped)
        return 0
    code = call(build_cmd(install, root, options.target))
    if code != 0:
        say(f"qemu: the build failed (exit {code})")
        return code
    if options.test:
        return call(pytest_cmd(root, options.target))
    nats = QemuNats(workdir / "nats").start()
    try:
        say(f"qemu: NATS on ws://127.0.0.1:{BROKER_WS_PORT}/mqtt (the guest dials 10.0.2.2); "
            f"the device's HTTP on http://127.0.0.1:{options.http_port}/whoami; Ctrl-A X quits QEMU")
        return call(run_cmd(install, root, options.target, options.http_port))
    finally:
        nats.stop()
