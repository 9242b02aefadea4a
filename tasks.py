"""Developer tasks (invoke). Thin: options are parsed here, the logic is in tools/irrigation_tools.

`./dev <task>` bootstraps the environment and runs `invoke <task>`; `invoke --list` lists the tasks.
"""

import shlex
import subprocess
import sys
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
            "records": "sensitive records file of the devices' secrets (default provisioning/devices.csv)"})
def flash(c, port=None, target=None, new_secret=False, no_secret=False, records=None):
    """Flash the last firmware build plus the board's setup secret, then write its label."""
    options = _provision.FlashOptions(port=port, target=target, records=_records_path(records),
                                      new_secret=new_secret, no_secret=no_secret)
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
        "devices": "number of simulated devices (MACs 02:00:00:00:00:01, ...; names <name>-01, ...)",
        "fleet": "YAML file listing the devices (mac, name, location, ip, http_port)",
        "name": "device name (with --devices N: the prefix of the names)",
        "location": "location description of every device",
        "http_port": "HTTP port of the first device, the next ones count up (0: free ports)",
        "retry_initial_ms": "first retry delay in ms (0: the simulator's default, 30000)",
        "count": "stop after this many registrations (0: run until Ctrl-C); "
                 "devices reconnect to register again when N exceeds --devices",
        "timeout_s": "give up after this many seconds, exit 1 if --count was not reached "
                     "(default: 120 with --count, none without)",
    },
)
def simulate(c, broker=None, cluster=0, subscribe_host=None, subscribe_port=0, no_subscribe=False, devices=1,
             fleet=None, name=None, location=None, http_port=0, retry_initial_ms=0, count=0, timeout_s=0):
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
    )
    with _user_errors():
        code = _simulate.run_simulation(options, ROOT)
    if code != 0:
        raise Exit(code=code)


@task(help={"runs": "start -> PUBACK runs of the simulator and of the bare Paho floor, per broker (default 20)",
            "core_only": "only the C core and serializer figures (no broker, no simulator)"})
def benchmark(c, runs=20, core_only=False):
    """Print speed and memory figures of the core and the simulator (never a pass/fail)."""
    with _user_errors():
        _benchmark.run_benchmark(ROOT, runs=int(runs), simulator=not core_only)
