"""`invoke setup`: install what the host build and the tooling need, and say what was done.

Idempotent: Debian packages are checked with dpkg-query and apt-get runs only when one is missing (as
root; else through sudo, which may ask for a password only when stdin is a terminal, and runs as
`sudo -n` otherwise); the pinned Python requirements (requirements.txt) are compared with what the running
interpreter has and pip runs only when one differs.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from irrigation_tools import ToolError

# What the host build, the simulator, the tests and the lint session use (Debian 12 package names).
APT_PACKAGES = (
    "gcc",
    "libc6-dev",
    "cmake",
    "ninja-build",
    "pkg-config",
    "libcmocka-dev",
    "cppcheck",
    "clang-format",
    "nats-server",
    "mosquitto",
    "mosquitto-clients",
    "chromium",  # the setup page's browser test (host_tests/e2e/test_setup_page_browser.py)
    "chromium-driver",
    "libpaho-mqtt-dev",
    "libmicrohttpd-dev",
    "iproute2",
    "git",  # the lint session lists the C files with git ls-files
    "libcjson-dev",  # `invoke benchmark` builds its cJSON comparison against it (never linked into product code)
)

DPKG_FORMAT = "${Package}\t${db:Status-Status}\n"
_PIN_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)")


def dpkg_query(packages: Sequence[str]) -> str:
    """dpkg-query's status lines for the packages (unknown ones are simply absent from the output)."""
    if shutil.which("dpkg-query") is None:
        raise ToolError(
            "dpkg-query not found: `invoke setup` installs packages on Debian/Ubuntu only. Install by hand: "
            + " ".join(APT_PACKAGES)
        )
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=" + DPKG_FORMAT, *packages],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout


def installed_from_dpkg(output: str) -> set[str]:
    """Names whose dpkg status is `installed` (not config-files, half-installed, ...)."""
    installed = set()
    for line in output.splitlines():
        fields = line.split("\t")
        if len(fields) == 2 and fields[1].strip() == "installed":
            installed.add(fields[0].split(":")[0].strip())
    return installed


def missing_packages(packages: Sequence[str], query: Callable[[Sequence[str]], str] = dpkg_query) -> list[str]:
    installed = installed_from_dpkg(query(packages))
    return [p for p in packages if p not in installed]


def sudo_available() -> bool:
    if shutil.which("sudo") is None:
        return False
    return subprocess.run(["sudo", "-n", "true"], capture_output=True, check=False).returncode == 0


def sudo_can_prompt(stdin_isatty: Callable[[], bool] = lambda: sys.stdin.isatty()) -> bool:
    """sudo is installed and stdin is a terminal, so sudo may ask for the user's password."""
    return shutil.which("sudo") is not None and stdin_isatty()


def apt_plan(missing: Sequence[str], *, is_root: bool, sudo_ok: bool, sudo_prompt: bool = False) -> list[list[str]]:
    """The apt-get commands that install `missing` (empty when nothing is missing).

    sudo_prompt: sudo exists and stdin is a terminal (plain sudo, which may ask for a password);
    sudo_ok: `sudo -n` works (password-less sudo, no terminal needed).
    """
    if not missing:
        return []
    if is_root:
        prefix: list[str] = []
    elif sudo_prompt:
        prefix = ["sudo", "env", "DEBIAN_FRONTEND=noninteractive"]
    elif sudo_ok:
        prefix = ["sudo", "-n", "env", "DEBIAN_FRONTEND=noninteractive"]
    else:
        raise ToolError(
            "missing Debian packages: "
            + " ".join(missing)
            + "\nsetup needs root, password-less sudo, or sudo from a terminal to install them; run:\n"
            + "  sudo apt-get install -y "
            + " ".join(missing)
        )
    return [
        [*prefix, "apt-get", "update"],
        [*prefix, "apt-get", "install", "-y", "--no-install-recommends", *missing],
    ]


@dataclass(frozen=True)
class Pin:
    name: str
    version: str


def read_requirements(path: Path) -> list[Pin]:
    pins = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _PIN_RE.match(line)
        if match:
            pins.append(Pin(match.group(1), match.group(2)))
    return pins


def _installed_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def unmet_pins(pins: Iterable[Pin], version_of: Callable[[str], str | None] = _installed_version) -> list[str]:
    """One line per pin the running interpreter does not satisfy, e.g. "gcovr==8.8 (found 7.2)"."""
    unmet = []
    for pin in pins:
        found = version_of(pin.name)
        if found != pin.version:
            unmet.append(f"{pin.name}=={pin.version} ({'missing' if found is None else 'found ' + found})")
    return unmet


def _run(cmd: list[str]) -> int:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    # Plain sudo keeps the terminal (its password prompt); everything else runs without stdin.
    interactive = cmd[:1] == ["sudo"] and "-n" not in cmd[1:2]
    stdin = None if interactive else subprocess.DEVNULL
    return subprocess.run(cmd, env=env, stdin=stdin, check=False).returncode


def run_setup(
    root: Path,
    *,
    skip_apt: bool = False,
    query: Callable[[Sequence[str]], str] = dpkg_query,
    runner: Callable[[list[str]], int] = _run,
    is_root: bool | None = None,
    sudo_ok: Callable[[], bool] = sudo_available,
    sudo_prompt: Callable[[], bool] = sudo_can_prompt,
    version_of: Callable[[str], str | None] = _installed_version,
    say: Callable[[str], None] = print,
    quiet: bool = False,
) -> None:
    """Install missing Debian packages and Python pins; prints one line per step (quiet: only actions)."""
    report_ok = (lambda line: None) if quiet else say
    if skip_apt:
        report_ok("setup: Debian packages: skipped (--skip-apt)")
    else:
        missing = missing_packages(APT_PACKAGES, query)
        if not missing:
            report_ok(f"setup: Debian packages: all {len(APT_PACKAGES)} present, apt-get not run")
        else:
            root_now = os.geteuid() == 0 if is_root is None else is_root
            prompt = (not root_now) and sudo_prompt()
            plan = apt_plan(
                missing, is_root=root_now, sudo_prompt=prompt, sudo_ok=(not root_now) and (not prompt) and sudo_ok()
            )
            say("setup: installing Debian packages: " + " ".join(missing))
            for cmd in plan:
                say("+ " + " ".join(cmd))
                code = runner(cmd)
                if code != 0:
                    raise ToolError(f"`{' '.join(cmd)}` failed (exit {code})", code=code)
            still = missing_packages(missing, query)
            if still:
                raise ToolError("apt-get finished but these packages are still missing: " + " ".join(still))
            say(f"setup: installed {len(missing)} Debian package(s)")

    requirements = root / "requirements.txt"
    pins = read_requirements(requirements)
    unmet = unmet_pins(pins, version_of)
    if not unmet:
        report_ok(f"setup: Python requirements: all {len(pins)} pins satisfied in {sys.prefix}")
        return
    say("setup: installing Python requirements into " + sys.prefix + ": " + ", ".join(unmet))
    cmd = [sys.executable, "-m", "pip", "install", "--no-input", "-r", str(requirements)]
    say("+ " + " ".join(cmd))
    code = runner(cmd)
    if code != 0:
        raise ToolError(f"pip install -r requirements.txt failed (exit {code})", code=code)
    say("setup: Python requirements installed")
