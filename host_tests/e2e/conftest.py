"""Fixtures of the end-to-end suite: real brokers, the simulator, an independent subscriber.

The suite describes the device's observable behaviour: what reaches the broker, what /whoami answers, how
the connection recovers. Each test gets fresh brokers (own ports, own temp dirs) and fresh simulators;
everything is stopped by PID at teardown, and every wait is bounded. The retry schedule is scaled down by
the simulator's options (100 ms initial, 800 ms cap) so that fault tests run in seconds.

"No broker there" is made true, not assumed: an absent broker's port stays bound by a socket that does not
listen (absent_broker_uri; a broker created with start=False holds its ports the same way until it starts).
Cutting a live connection needs `ss -K` (root, or password-less `sudo -n`): without it those tests are
skipped with the reason, and fail instead when the CI variable is set.

The fault matrix (test_faults.py) takes --fault-cycles (or $FAULT_CYCLES; 5 by default) and writes one
JSON line per case to --fault-report (build/faults/report.jsonl); the session ends with the table, also
written next to it as table.md. Under pytest-xdist the workers append rows and the controller prints.
"""

from __future__ import annotations

import fcntl
import itertools
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Callable, Iterator, Optional

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# tools/ for the irrigation_tools package, this folder for e2e_support (whatever pytest's import mode).
for _path in (str(REPO_ROOT / "tools"), str(Path(__file__).resolve().parent)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from irrigation_tools.brokers import MosquittoBroker, NatsBroker, reserve_closed_port  # noqa: E402
from irrigation_tools.contract import RegistrationSubscriber  # noqa: E402
from irrigation_tools.sim_process import SimProcess, SimulatorError, find_or_build_simulator  # noqa: E402

from e2e_support import sim_args  # noqa: E402
from faults import cycles_from  # noqa: E402
from irrigation_tools.fault_report import format_table, read_rows  # noqa: E402

BROKER_CLASSES = {"nats": NatsBroker, "mosquitto": MosquittoBroker}
DEFAULT_FAULT_REPORT = REPO_ROOT / "build" / "faults" / "report.jsonl"


def pytest_addoption(parser) -> None:
    group = parser.getgroup("faults", "fault matrix (test_faults.py)")
    group.addoption("--fault-cycles", default=None,
                    help="times each fault is repeated (default: $FAULT_CYCLES, else 5)")
    group.addoption("--fault-report", default=str(DEFAULT_FAULT_REPORT),
                    help="JSON lines file of the fault table (table.md is written beside it)")
    group.addoption("--fault-soak", default=None, metavar="FAULT[:BROKER]",
                    help="also run test_soak: this fault for --fault-soak-cycles cycles, printing the RSS")
    group.addoption("--fault-soak-cycles", type=int, default=300, help="cycles of the soak (default 300)")


def _is_xdist_worker(config) -> bool:
    return hasattr(config, "workerinput")


def pytest_sessionstart(session) -> None:
    if not _is_xdist_worker(session.config):
        Path(session.config.getoption("--fault-report")).unlink(missing_ok=True)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if _is_xdist_worker(config):
        return
    report = Path(config.getoption("--fault-report"))
    rows = read_rows(report)
    if not rows:
        return
    table = format_table(rows)
    report.with_name("table.md").write_text(table, encoding="utf-8")
    terminalreporter.section("fault matrix")
    terminalreporter.write(table)
    terminalreporter.write_line(f"(also in {report.with_name('table.md')})")


@pytest.fixture(scope="session")
def fault_cycles(pytestconfig) -> int:
    return cycles_from(pytestconfig.getoption("--fault-cycles"))


@pytest.fixture(scope="session")
def fault_report_path(pytestconfig) -> Path:
    return Path(pytestconfig.getoption("--fault-report"))


@pytest.fixture(scope="session")
def fault_soak(pytestconfig):
    return pytestconfig.getoption("--fault-soak")


@pytest.fixture(scope="session")
def fault_soak_cycles(pytestconfig) -> int:
    return pytestconfig.getoption("--fault-soak-cycles")


@pytest.fixture(scope="session")
def sim_binary() -> Path:
    # One build at a time: pytest-xdist workers each ask, and two ninja runs in one build tree collide.
    lock_path = REPO_ROOT / "build" / ".irrigation-sim.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return find_or_build_simulator(REPO_ROOT)
        except SimulatorError as exc:
            pytest.fail(f"the simulator binary is not available: {exc}", pytrace=False)


@pytest.fixture
def make_broker(tmp_path) -> Callable:
    """make_broker(kind, start=True): a NATS or Mosquitto broker in a fresh directory, stopped at teardown."""
    brokers = []
    counter = itertools.count()

    def make(kind: str, start: bool = True):
        broker = BROKER_CLASSES[kind](tmp_path / f"{kind}-{next(counter)}")
        brokers.append(broker)
        return broker.start() if start else broker

    yield make
    for broker in brokers:
        broker.stop()


@pytest.fixture
def absent_broker_uri() -> Iterator[str]:
    """A ws:// broker URI where no broker is for the whole test: its port stays bound by a socket that does
    not listen, so every connect is refused at once and no other process can start listening there."""
    with reserve_closed_port() as port:
        yield f"ws://127.0.0.1:{port}/mqtt"


@pytest.fixture
def nats(make_broker) -> NatsBroker:
    return make_broker("nats")


@pytest.fixture
def mosquitto(make_broker) -> MosquittoBroker:
    return make_broker("mosquitto")


@pytest.fixture(params=["nats", "mosquitto"])
def broker(request, make_broker):
    """Each broker in turn: NATS (production's stand-in) and Mosquitto."""
    return make_broker(request.param)


@pytest.fixture
def subscribe() -> Callable:
    """subscribe(broker): a started RegistrationSubscriber on the broker's TCP port, stopped at teardown."""
    subscribers = []

    def make(broker, **kwargs) -> RegistrationSubscriber:
        subscriber = RegistrationSubscriber(broker.mqtt_port, **kwargs)
        subscribers.append(subscriber)
        return subscriber.start()

    yield make
    for subscriber in subscribers:
        subscriber.stop()


@pytest.fixture
def subscriber(nats, subscribe) -> RegistrationSubscriber:
    return subscribe(nats)


@pytest.fixture
def sim_env(tmp_path) -> dict:
    env = dict(os.environ)
    env["TMPDIR"] = str(tmp_path)  # the default config file lives under $TMPDIR
    return env


@pytest.fixture
def simulator(sim_binary, tmp_path, sim_env) -> Callable:
    """simulator(broker_uri, **sim_args options): a started simulator (HTTP up); all stopped at teardown."""
    started: list[SimProcess] = []
    counter = itertools.count()

    def make(broker_uri: str, config_file: Optional[Path] = None, wait_http: bool = True, **options) -> SimProcess:
        n = next(counter)
        config = config_file or tmp_path / f"sim-{n}.conf"
        sim = SimProcess(
            sim_binary,
            sim_args(broker_uri, config, **options),
            stderr_path=tmp_path / f"sim-{n}.stderr",
            env=sim_env,
        )
        started.append(sim)
        sim.start()
        if wait_http:
            sim.wait_event("http_started", timeout=10.0)
        return sim

    yield make
    for sim in started:
        sim.stop()


def _ss_kill_command(port: int) -> list[str]:
    """`ss -K` for every TCP connection to 127.0.0.1:<port>; through `sudo -n` (never a password prompt)
    when the tests do not run as root, since destroying a socket needs CAP_NET_ADMIN."""
    command = ["ss", "-K", "dst", "127.0.0.1", "dport", "=", str(port)]
    return command if os.geteuid() == 0 else ["sudo", "-n", *command]


def _ss_kill_works() -> tuple[bool, str]:
    """`ss -K` needs root and a kernel with socket destroy support: try it on a connection of our own."""
    try:
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port), timeout=2.0)
        accepted, _ = server.accept()
    except OSError as exc:
        return False, f"cannot make a loopback connection: {exc}"
    command = _ss_kill_command(port)
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=5)
        client.settimeout(2.0)
        try:
            data = client.recv(1)
            killed = data == b""
        except TimeoutError:  # an OSError too, but it means the connection is still alive
            killed = False
        except OSError:  # reset or aborted: cut
            killed = True
        killed = killed and result.returncode == 0
        return killed, (
            f"`{' '.join(command)}` did not close a test connection (status {result.returncode}: "
            f"{result.stderr.strip()}); the cut-connection tests need root or password-less sudo for ss"
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"`{' '.join(command)}` is not usable: {exc}"
    finally:
        for sock in (client, accepted, server):
            sock.close()


@pytest.fixture(scope="session")
def ss_kill() -> Callable[[int], None]:
    """ss_kill(port): cuts every live TCP connection to 127.0.0.1:<port> from the client side.

    Where ss -K cannot work, the tests that need it are skipped with the reason, except under CI (the CI
    variable set), where a skipped fault test would let a run pass without testing recovery: they fail.
    """
    works, reason = _ss_kill_works()
    if not works:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and {reason}", pytrace=False)
        pytest.skip(reason)

    def kill(port: int) -> None:
        result = subprocess.run(_ss_kill_command(port), capture_output=True, text=True, timeout=5, check=False)
        assert result.returncode == 0, f"ss -K failed with status {result.returncode}: {result.stderr.strip()}"

    return kill
