"""The fleet benchmark's bookkeeping: processes planned like `invoke simulate`, phases timed from the fleet
events, memory read from /proc, the table and the JSON entry. Figures are printed, never asserted."""

import os
from pathlib import Path

from irrigation_tools import fleet_bench
from irrigation_tools.fleet_bench import FleetRun, format_fleet_table, process_memory_kib, run_fleet_size

from test_fleet_process import write_fake_fleet


def test_a_size_runs_in_the_planned_processes_and_every_one_is_stopped(tmp_path):
    binary = write_fake_fleet(tmp_path)
    run = run_fleet_size(binary, "ws://127.0.0.1:1/mqtt", 5, tmp_path, cpus=2, fd_limit=20000)
    assert run.devices == 5 and run.processes == 2
    assert 0 <= run.started_s <= run.registered_s <= run.total_s
    assert run.stopped_s <= run.total_s
    files = sorted(tmp_path.glob("devices-5-*.txt"))
    assert [len(f.read_text().splitlines()) for f in files] == [3, 2]


def test_memory_of_a_live_process_and_of_a_gone_one():
    rss, peak = process_memory_kib(os.getpid())
    assert 0 < rss <= peak
    assert process_memory_kib(2**22 + 12345) == (0, 0)


def test_the_table_has_one_column_per_size_and_the_json_entry_rounds():
    runs = [
        FleetRun(1000, 2, 0.16, 0.34, 0.21, 0.55, 28_300, 28_000),
        FleetRun(10000, 4, 1.67, 4.01, 1.57, 5.58, 196_000, 195_800),
    ]
    lines = format_fleet_table(runs).splitlines()
    assert lines[0].split() == ["fleet_devices", "1000", "10000"]
    assert lines[3].split()[:3] == ["fleet_registered", "0.34", "4.01"]
    assert lines[6].split()[:3] == ["fleet_rss_per_device", "28.3", "19.6"]
    assert len({line.index("  ", len("fleet_rss_per_device")) for line in lines}) == 1  # one name column
    assert runs[1].as_dict() == {
        "devices": 10000, "processes": 4, "started_s": 1.67, "registered_s": 4.01, "stopped_s": 1.57,
        "total_s": 5.58, "rss_kib": 196_000, "rss_per_device_kib": 19.6, "peak_rss_kib": 195_800,
    }


class FakeBroker:
    def __init__(self, workdir: Path):
        self.ws_uri = "ws://127.0.0.1:1/mqtt"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


def test_run_fleet_bench_prints_the_table_and_returns_the_entry(tmp_path, monkeypatch):
    binary = write_fake_fleet(tmp_path)
    monkeypatch.setattr(fleet_bench, "find_or_build_fleet", lambda root: binary)
    lines = []
    entry = fleet_bench.run_fleet_bench(tmp_path, sizes=(3, 4), say=lines.append, broker_factory=FakeBroker)
    assert [run["devices"] for run in entry["runs"]] == [3, 4]
    assert entry["cpus"] >= 1 and entry["fd_limit"] > 0
    assert lines[0].startswith("fleet: irrigation-fleet against a local NATS")
    assert lines[1].splitlines()[0].split() == ["fleet_devices", "3", "4"]
