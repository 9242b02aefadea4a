"""Developer tasks (invoke). Thin: options are parsed here, the logic is in tools/irrigation_tools.

`./dev <task>` bootstraps the environment and runs `invoke <task>`; `invoke --list` lists the tasks.
"""

import os
import shlex
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from invoke import Exit, task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tools"))

from irrigation_tools import ToolError  # noqa: E402
from irrigation_tools import doctor as _doctor  # noqa: E402
from irrigation_tools import benchmark as _benchmark  # noqa: E402
from irrigation_tools import espidf, host_setup, lint, size_report  # noqa: E402
from irrigation_tools import memory_budget as _memory_budget  # noqa: E402
from irrigation_tools import simulate as _simulate  # noqa: E402
from irrigation_tools import device_secret as _device_secret  # noqa: E402
from irrigation_tools import provision_device as _provision  # noqa: E402
from irrigation_tools import qemu as _qemu  # noqa: E402
from irrigation_tools import static_ram as _static_ram  # noqa: E402

TARGETS = ", ".join(espidf.SUPPORTED_TARGETS)


@contextmanager
def _user_errors():
    # A ToolError is a message for the user: print it and exit non-zero, without a traceback.
    try:
        yield
    except ToolError as exc:
        raise Exit(str(exc), code=exc.code) from None


def _call(cmd, what):
    code = subprocess.run(cmd, cwd=ROOT, check=False).returncode
    if code != 0:
        raise Exit(f"{what} failed (exit {code})", code=code)


@task(help={"skip_apt": "do not check or install Debian packages (Python requirements only)",
            "quiet": "print only what was installed (used by ./dev before every task)"})
def setup(c, skip_apt=False, quiet=False):
    """Install missing Debian packages and pinned Python requirements."""
    with _user_errors():
        host_setup.run_setup(ROOT, skip_apt=skip_apt, quiet=quiet)


@task
def doctor(c):
    """Report the tools present and what each missing one disables."""
    _doctor.run_doctor()


@task(help={"target": f"chip to build for: {TARGETS} (default esp32)"})
def build(c, target=espidf.DEFAULT_TARGET):
    """Build the firmware (ESP-IDF v5.4.2) in build/firmware/<target>."""
    with _user_errors():
        espidf.run_idf(["build"], target=target, root=ROOT)


@task(help={"port": "serial port of the board (default: idf.py's auto-detection)",
            "target": f"firmware build to flash: {TARGETS} (default: the last one built)",
            "new_secret": "generate a new setup secret even if the records file has one for this board",
            "no_secret": "plain idf.py flash: do not write the setup secret, record nor label",
            "records": "sensitive records file of the devices' secrets (default provisioning/devices.csv)",
            "mqtt_username": "this board's own MQTT username (overrides the build's; not recorded)",
            "mqtt_password_file": "file holding this board's own MQTT password (never on the command line; "
                                  "not recorded)"})
def flash(c, port=None, target=None, new_secret=False, no_secret=False, records=None, mqtt_username=None,
          mqtt_password_file=None):
    """Flash the last firmware build plus the board's setup secret, then write its label."""
    options = _provision.FlashOptions(port=port, target=target, records=_records_path(records),
                                      new_secret=new_secret, no_secret=no_secret, mqtt_username=mqtt_username,
                                      mqtt_password_file=Path(mqtt_password_file) if mqtt_password_file else None)
    with _user_errors():
        _provision.flash(ROOT, options)


def _records_path(records):
    return ROOT / (records or _device_secret.DEFAULT_RECORDS)


@task(help={"mac": "the board's MAC address, e.g. 24:6F:28:AA:BB:CC",
            "secret": "the setup secret (default: the one recorded for this MAC by `invoke flash`)",
            "out": "label file, .svg or .png (default provisioning/labels/<MAC>.svg)",
            "records": "records file to read the secret from (default provisioning/devices.csv)",
            "prefix": "access point name prefix (default: the recorded name, else Riego-Setup)"})
def label(c, mac=None, secret=None, out=None, records=None, prefix=None):
    """Write a device's printable setup label (network name, secret, WiFi QR code)."""
    # mac is an option, not a positional argument, so that `invoke label -h` shows the help.
    if not mac:
        raise Exit("--mac is required (the board's MAC address, e.g. 24:6F:28:AA:BB:CC)", code=2)
    with _user_errors():
        _provision.label(mac, secret, Path(out) if out else None, _records_path(records), prefix)


@task(help={"port": "serial port of the board (default: idf.py's auto-detection)",
            "target": f"firmware build whose ELF decodes the log: {TARGETS} (default: the last one built)"})
def monitor(c, port=None, target=None):
    """Open a board's serial monitor (idf.py monitor; Ctrl-] quits)."""
    with _user_errors():
        espidf.run_idf([*(["-p", port] if port else []), "monitor"], target=target, root=ROOT)


@task(help={"target": f"configuration to edit: {TARGETS} (default: the last one built)"})
def menuconfig(c, target=None):
    """Edit a target's sdkconfig (idf.py menuconfig)."""
    with _user_errors():
        espidf.run_idf(["menuconfig"], target=target, root=ROOT)


@task(help={"target": f"firmware build to delete: {TARGETS} (default: the last one built)"})
def clean(c, target=None):
    """Delete a firmware build directory (idf.py fullclean)."""
    with _user_errors():
        espidf.run_idf(["fullclean"], target=target, root=ROOT)


@task(
    name="size-report",
    iterable=["size_json", "baseline"],
    help={
        "size_json": "read this esp-idf-size JSON (summary or --archives; may be given twice) "
                     "instead of running esp-idf-size on the last build",
        "baseline": "compare per archive with a previous run's JSON (build/size-report*.json; may be given twice)",
        "markdown": "print (and write build/size-report.md) a Markdown table for a PR comment",
        "target": "with --size-json: the chip, when the JSON does not tell",
    },
)
def size_report_task(c, size_json=None, baseline=None, markdown=False, target=None):
    """Size table of the last build, JSON in build/, OTA slot check (>= 25 % free)."""
    options = size_report.SizeReportOptions(
        size_json=[Path(p) for p in size_json or []],
        baseline=[Path(p) for p in baseline or []],
        markdown=markdown,
        target=target,
    )
    with _user_errors():
        size_report.run_size_report(ROOT, options)


@task(
    name="memory-budget",
    iterable=["size_json"],
    help={
        "size_json": "esp-idf-size JSON to read (summary and/or --archives; may be given twice); "
                     "default: the last build's, written by `invoke size-report`",
        "sdkconfig": "configuration to read (default: the last build's; with --size-json none: "
                     "sdkconfig.defaults + Kconfig defaults)",
        "target": f"chip: {TARGETS} (default: from the sdkconfig, the build or the JSON)",
        "budget": "budget file (default tools/memory_budget.yaml)",
    },
)
def memory_budget(c, size_json=None, sdkconfig=None, target=None, budget=None):
    """RAM breakdown against the 200 KB budget; exits 1 over it."""
    with _user_errors():
        options = _memory_budget.BudgetOptions(
            size_json=[Path(p) for p in size_json or []],
            sdkconfig=Path(sdkconfig) if sdkconfig else None,
            target=espidf.check_target(target) if target else None,
            budget=Path(budget) if budget else None,
        )
        code = _memory_budget.run_memory_budget(ROOT, options)
    if code != 0:
        raise Exit(code=code)


def nox_cmd(session=None, remainder=""):
    """`invoke test [--session S] [-- ARGS]`: the nox command; ARGS reach the sessions as posargs (pytest)."""
    selection = ["-s", session] if session else []
    posargs = shlex.split(remainder or "")
    return [sys.executable, "-m", "nox", *selection, *(["--", *posargs] if posargs else [])]


@task(help={"session": "run only this nox session (default: host_tests, tools_tests, e2e, lint); "
                       "arguments after -- go to pytest, e.g. -- -k name"})
def test(c, session=None):
    """Run the tests: host C (plain, ASan/UBSan), tools, e2e, lint."""
    _call(nox_cmd(session, c.remainder), "nox " + (session or "(default sessions)"))


@task(name="format")
def format_(c):
    """Apply clang-format to every C file of the project."""
    files = lint.c_sources(ROOT)
    _call(lint.clang_format_fix_cmd(files), "clang-format")
    print(f"format: {len(files)} C files formatted with .clang-format")


# auto_shortflags=False: --http-port would otherwise take -h, and `simulate -h` would not show the help.
@task(
    auto_shortflags=False,
    iterable=["broker"],
    help={
        "broker": "use this broker (ws:// or wss://host[:port][/path]) instead of starting a local nats-server; "
                  "repeat it for a broker list the devices fail over along",
        "cluster": "start a local N-node NATS cluster (e.g. 3) instead of one nats-server; the devices get "
                   "its N URIs as their broker list",
        "subscribe_host": "with --broker: host of its plain MQTT listener (default: the URI's host)",
        "subscribe_port": "with --broker: port of its plain MQTT listener (default 1883)",
        "no_subscribe": "do not subscribe; show only what the devices report",
        "devices": "number of simulated devices, up to 64000 (MACs 02:00:00:00:00:01, ...; names <name>-01, ...)",
        "fleet": "YAML file listing the devices (mac, name, location, ip, http_port)",
        "name": "device name (with --devices N: the prefix of the names)",
        "location": "location description of every device",
        "http_port": "HTTP port of the first device, the next ones count up (0: automatic ports); "
                     "with --distinct-ips the port of every device (default 80)",
        "distinct_ips": "each device reports and serves at its own loopback address 127.0.x.y (docs/fleet.md)",
        "http_fallback_port": "with --distinct-ips: the port to use when port 80 may not be bound",
        "processes": "irrigation-fleet processes to spread the devices over (default: per core, <= 2500 each)",
        "retry_initial_ms": "first retry delay in ms (0: the simulator's default, 30000)",
        "count": "stop after this many registrations (0: run until Ctrl-C); "
                 "devices reconnect to register again when N exceeds --devices",
        "timeout_s": "give up after this many seconds, exit 1 if --count was not reached "
                     "(default: 120 with --count, none without)",
    },
)
def simulate(c, broker=None, cluster=0, subscribe_host=None, subscribe_port=0, no_subscribe=False, devices=1,
             fleet=None, name=None, location=None, http_port=0, retry_initial_ms=0, count=0, timeout_s=0,
             distinct_ips=False, http_fallback_port=0, processes=0):
    """Run simulated devices on a broker (or a local cluster); check each registration, show presence."""
    options = _simulate.SimulateOptions(
        brokers=tuple(broker or ()),
        cluster=int(cluster),
        subscribe_host=subscribe_host,
        subscribe_port=subscribe_port or None,
        no_subscribe=no_subscribe,
        devices=devices,
        fleet=Path(fleet) if fleet else None,
        name=name,
        location=location,
        http_port=http_port,
        retry_initial_ms=retry_initial_ms or None,
        count=count,
        timeout_s=float(timeout_s) if timeout_s else None,
        distinct_ips=distinct_ips,
        http_fallback_port=int(http_fallback_port) or None,
        processes=int(processes) or None,
    )
    with _user_errors():
        code = _simulate.run_simulation(options, ROOT)
    if code != 0:
        raise Exit(code=code)


@task(help={"runs": "start -> PUBACK runs of the simulator and of the bare Paho floor, per broker (default 20)",
            "core_only": "only the C core and serializer figures (no broker, no simulator)",
            "fleet": "also the fleet engine: 1,000 and 10,000 devices started, registered, stopped; KiB/device"})
def benchmark(c, runs=20, core_only=False, fleet=False):
    """Print speed and memory figures of the core and the simulator (never a pass/fail)."""
    with _user_errors():
        _benchmark.run_benchmark(ROOT, runs=int(runs), simulator=not core_only, fleet=fleet)


SETUP_PAGE_BROWSER_TEST = "host_tests/e2e/test_setup_page_browser.py"


@task(help={"out": "PNG file to write (default docs/setup-page.png)"})
def screenshot(c, out="docs/setup-page.png"):
    """Screenshot the setup page in Spanish on a 360x740 phone (headless Chromium, simulator)."""
    target = (ROOT / out).resolve()
    before = target.stat().st_mtime_ns if target.exists() else None
    # The browser test's Spanish page step saves what the phone shows when SETUP_PAGE_SCREENSHOT is set.
    env = dict(os.environ, SETUP_PAGE_SCREENSHOT=str(target))
    cmd = [sys.executable, "-m", "pytest", SETUP_PAGE_BROWSER_TEST, "-q", "-k", "loads_in_spanish"]
    code = subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode
    if code != 0:
        raise Exit(f"screenshot: the browser test failed (exit {code})", code=code)
    if not target.exists() or target.stat().st_mtime_ns == before:
        raise Exit("screenshot: nothing written (the browser test was skipped: see its reason; ./dev setup "
                   "installs chromium and chromium-driver)", code=1)
    print(f"screenshot: {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")


@task(name="static-ram",
      help={"target": "chip to configure for (default esp32c3)",
            "ethernet": "the Ethernet (QEMU) variant instead of WiFi",
            "build_dir": "an ESP-IDF build directory with compile_commands.json (default build/static_ram/...)",
            "baseline": "a previous run's --json-out file: print the change per archive",
            "json_out": "write the per-archive figures to this JSON file (a later run's --baseline)"})
def static_ram(c, target=_static_ram.DEFAULT_TARGET, ethernet=False, build_dir=None, baseline=None, json_out=None):
    """Static RAM (.data + .bss) of the project's own archives, compiled for a target; skips without ESP-IDF."""
    options = _static_ram.StaticRamOptions(
        target=espidf.check_target(target), ethernet=ethernet,
        build_dir=Path(build_dir) if build_dir else None,
        baseline=Path(baseline) if baseline else None, json_out=Path(json_out) if json_out else None)
    with _user_errors():
        code = _static_ram.run_static_ram(ROOT, options)
    if code != 0:
        raise Exit(code=code)


# auto_shortflags=False: --http-port would otherwise take -h, and `qemu -h` would not show the help.
@task(auto_shortflags=False,
      help={"target": "QEMU machine: esp32c3 (default) or esp32",
            "test": "run the pytest-embedded-qemu test (registration on NATS, /whoami) instead of a console",
            "http_port": "host port forwarded to the device's HTTP port 80 (default 8080)"})
def qemu(c, target=_qemu.DEFAULT_TARGET, test=False, http_port=8080):
    """Build the Ethernet variant and run it in Espressif's QEMU against a local NATS; skips without ESP-IDF/QEMU."""
    if target not in _qemu.QEMU_PROGRAMS:
        raise Exit(f"--target {target}: QEMU runs esp32 or esp32c3", code=2)
    options = _qemu.QemuOptions(target=target, test=test, http_port=int(http_port))
    with tempfile.TemporaryDirectory(prefix="irrigation-qemu-") as workdir, _user_errors():
        code = _qemu.run_qemu(ROOT, options, Path(workdir))
    if code != 0:
        raise Exit(code=code)
