"""SimProcess against a stand-in simulator (a small Python script speaking the same stdin/stdout protocol)."""

import os
import sys
import textwrap

import pytest

from irrigation_tools.sim_process import SimProcess, SimulatorError, find_or_build_simulator, run_simulator

FAKE_SIM = textwrap.dedent(
    r'''
    import http.server, json, signal, sys, threading, time

    T0 = time.monotonic()
    MODE = sys.argv[1] if len(sys.argv) > 1 else "normal"

    def emit(name, **fields):
        line = {"event": name, "t_ms": int((time.monotonic() - T0) * 1000)}
        line.update(fields)
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass
        def do_GET(self):
            body, status = (b"pong", 200) if self.path == "/ping" else (b'{"error":"not found"}', 404)
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            body = self.rfile.read(length)
            self.send_response(400)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    if MODE == "ignore-term":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    emit("started", mac="02:00:00:00:00:01")
    print("a line that is not JSON", flush=True)
    emit("http_started", port=server.server_address[1])
    sys.stderr.write("log line on stderr\n")
    sys.stderr.flush()
    for line in sys.stdin:
        command = line.strip()
        if command == "quit" and MODE == "normal":
            emit("exit", code=0, reason="quit")
            sys.exit(0)
        if command.startswith("ip "):
            emit("network", up=True, ip=command[3:])
    time.sleep(60)
    '''
)


@pytest.fixture
def fake_sim(tmp_path):
    script = tmp_path / "fake_sim.py"
    script.write_text(FAKE_SIM)
    started = []

    def make(mode="normal"):
        sim = SimProcess(sys.executable, [str(script), mode], stderr_path=tmp_path / f"sim-{len(started)}.err")
        started.append(sim)
        return sim.start()

    yield make
    for sim in started:
        sim.stop(timeout=2.0)


def test_events_are_parsed_with_receive_times_and_raw_lines_kept(fake_sim):
    sim = fake_sim()
    started = sim.wait_event("started", timeout=10.0)
    assert started["mac"] == "02:00:00:00:00:01"
    assert isinstance(started["_received"], float)
    sim.wait_event("http_started", timeout=10.0)
    assert "a line that is not JSON" in sim.raw_lines()
    assert [e["event"] for e in sim.all_events()] == ["started", "http_started"]


def test_send_delivers_a_command_and_wait_event_filters_by_predicate(fake_sim):
    sim = fake_sim()
    sim.wait_event("http_started")
    mark = sim.mark()
    sim.send("ip 10.0.0.7")
    sim.send("ip 10.0.0.8")
    event = sim.wait_event("network", lambda e: e["ip"] == "10.0.0.8", timeout=10.0, since=mark)
    assert event["ip"] == "10.0.0.8"
    assert [e["ip"] for e in sim.events("network")] == ["10.0.0.7", "10.0.0.8"]


def test_wait_event_is_bounded(fake_sim):
    sim = fake_sim()
    with pytest.raises(SimulatorError, match="no 'registered' event"):
        sim.wait_event("registered", timeout=0.3)


def test_http_get_and_post_return_status_and_body(fake_sim):
    sim = fake_sim()
    assert sim.get("/ping") == (200, "pong")
    assert sim.get("/nope")[0] == 404
    status, body = sim.post_form("/config", {"device_name": "Riego ñ"})
    assert status == 400
    assert body == "device_name=Riego+%C3%B1"


def test_stop_sends_quit_and_returns_the_exit_status(fake_sim):
    sim = fake_sim()
    sim.wait_event("http_started")
    assert sim.stop() == 0
    assert [e["code"] for e in sim.events("exit")] == [0]
    assert "log line on stderr" in sim.stderr_tail()


def test_stop_falls_back_to_sigterm_when_quit_is_ignored(fake_sim):
    sim = fake_sim("ignore-quit")
    sim.wait_event("http_started")
    assert sim.stop(timeout=1.0) == -15


def test_stop_kills_when_sigterm_is_ignored(fake_sim):
    sim = fake_sim("ignore-term")
    sim.wait_event("http_started")
    pid = sim.pid
    assert sim.stop(timeout=1.0) == -9
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_run_simulator_captures_output_and_status(tmp_path):
    result = run_simulator(sys.executable, ["-c", "import sys; print('x'); sys.exit(2)"])
    assert (result.returncode, result.stdout) == (2, b"x\n")


def test_irrigation_sim_variable_overrides_the_build(tmp_path, monkeypatch):
    binary = tmp_path / "irrigation-sim"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    monkeypatch.setenv("IRRIGATION_SIM", str(binary))
    assert find_or_build_simulator(tmp_path / "nowhere") == binary


def test_irrigation_sim_variable_must_name_an_executable(tmp_path, monkeypatch):
    monkeypatch.setenv("IRRIGATION_SIM", str(tmp_path / "missing"))
    with pytest.raises(SimulatorError, match="not an executable"):
        find_or_build_simulator(tmp_path)


FAKE_CMAKE = """#!/bin/sh
# Logs its arguments; `--build` (re)creates the simulator binary, like a real build of irrigation-sim.
echo "$*" >> "$CMAKE_LOG"
[ -n "$CMAKE_FAIL" ] && { echo "ninja: error: boom" >&2; exit 1; }
if [ "$1" = --build ]; then
    sim="$2/simulator/irrigation-sim"
    mkdir -p "$2/simulator" && printf '#!/bin/sh\\n' > "$sim" && chmod +x "$sim"
fi
exit 0
"""


@pytest.fixture
def fake_cmake(tmp_path, monkeypatch):
    """A cmake on PATH that logs its calls; returns a function giving the logged lines."""
    monkeypatch.delenv("IRRIGATION_SIM", raising=False)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "cmake").write_text(FAKE_CMAKE)
    (bin_dir / "cmake").chmod(0o755)
    log = tmp_path / "cmake.log"
    monkeypatch.setenv("CMAKE_LOG", str(log))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return lambda: log.read_text().splitlines() if log.exists() else []


def test_a_configured_build_is_always_brought_up_to_date(tmp_path, fake_cmake):
    repo = tmp_path / "repo"
    binary = repo / "build/host/simulator/irrigation-sim"
    binary.parent.mkdir(parents=True)
    binary.write_text("#!/bin/sh\n")  # possibly stale: it is rebuilt all the same
    binary.chmod(0o755)
    (repo / "build/host/CMakeCache.txt").write_text("")
    assert find_or_build_simulator(repo) == binary
    assert fake_cmake() == [f"--build {repo}/build/host --target irrigation-sim"]


def test_an_unconfigured_checkout_is_configured_then_built(tmp_path, fake_cmake):
    repo = tmp_path / "repo"
    repo.mkdir()
    assert find_or_build_simulator(repo) == repo / "build/host/simulator/irrigation-sim"
    assert fake_cmake() == [
        f"-S {repo}/host_tests -B {repo}/build/host -G Ninja",
        f"--build {repo}/build/host --target irrigation-sim",
    ]


def test_a_failing_build_is_a_simulator_error_with_the_build_output(tmp_path, fake_cmake, monkeypatch):
    repo = tmp_path / "repo"
    (repo / "build/host").mkdir(parents=True)
    (repo / "build/host/CMakeCache.txt").write_text("")
    monkeypatch.setenv("CMAKE_FAIL", "1")
    with pytest.raises(SimulatorError, match="(?s)--target irrigation-sim exited 1.*ninja: error: boom"):
        find_or_build_simulator(repo)
