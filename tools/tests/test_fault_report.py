"""The fault matrix's reading of event streams: schedule checks, lost registrations, the table."""

from __future__ import annotations

import pytest

from irrigation_tools.fault_report import (
    FaultRow,
    Schedule,
    append_row,
    check_retry_delays,
    connection_sessions,
    expected_delay_ms,
    e2e_session_runs,
    faults_session_args,
    format_table,
    lost_registrations,
    read_rows,
)

SCHEDULE = Schedule(initial_ms=100, max_ms=1600)


def ev(name: str, t_ms: int, **fields) -> dict:
    return {"event": name, "t_ms": t_ms, **fields}


def failing_attempts(start_ms: int, delays: list[int], failures_from: int = 1, connected: bool = False) -> list:
    """connect_attempt, (connected and dropped,) retry_scheduled(delay), ... each attempt exactly on time."""
    events, t = [], start_ms
    for n, delay in enumerate(delays, start=failures_from):
        events.append(ev("connect_attempt", t, attempt=n))
        if connected:
            events.append(ev("state", t + 5, **{"from": "connecting", "to": "registering"}))
            events.append(ev("state", t + 505, **{"from": "registering", "to": "backoff"}))
            t += 500
        events.append(ev("retry_scheduled", t + 10, delay_ms=delay, failures=n))
        t += 10 + delay
    return events


def test_expected_delays_double_up_to_the_cap():
    assert [expected_delay_ms(n, SCHEDULE) for n in range(1, 8)] == [100, 200, 400, 800, 1600, 1600, 1600]


def test_expected_delay_stays_at_the_cap_for_huge_counts():
    assert expected_delay_ms(10_000, Schedule(initial_ms=30_000, max_ms=3_600_000)) == 3_600_000


def test_expected_delay_rejects_zero_failures():
    with pytest.raises(ValueError):
        expected_delay_ms(0, SCHEDULE)


def test_a_doubling_series_on_time_is_ok():
    events = failing_attempts(0, [100, 200, 400, 800, 1600, 1600])
    events.append(ev("connect_attempt", events[-1]["t_ms"] + 1600))
    check = check_retry_delays(events, SCHEDULE, lateness_max_ms=500)
    assert check.ok, check.problems
    assert check.longest_run == [100, 200, 400, 800, 1600, 1600]


def test_a_schedule_restarted_at_connack_is_reported():
    # What a core that resets on CONNECTED does against a broker that never PUBACKs: 100 ms every time.
    events = []
    t = 0
    for _ in range(3):
        events += failing_attempts(t, [100], connected=True)
        t = events[-1]["t_ms"] + 100
    check = check_retry_delays(events, SCHEDULE, lateness_max_ms=500)
    assert not check.ok
    assert "expected failures 2 delay 200 ms" in check.problems[0]


def test_a_registration_restarts_the_count():
    events = failing_attempts(0, [100, 200]) + [ev("registered", 400, msg_id=1, ip="10.0.0.1")]
    events += failing_attempts(1000, [100, 200])
    check = check_retry_delays(events, SCHEDULE, lateness_max_ms=500)
    assert check.ok, check.problems
    assert check.announced == [100, 200, 100, 200]


def test_an_early_attempt_and_a_late_one_are_reported():
    early = [ev("retry_scheduled", 0, delay_ms=100, failures=1), ev("connect_attempt", 50)]
    late = [ev("retry_scheduled", 0, delay_ms=100, failures=1), ev("connect_attempt", 900)]
    assert "came 50 ms after a 100 ms delay" in check_retry_delays(early, SCHEDULE, 500).problems[0]
    assert "more than 500 ms late" in check_retry_delays(late, SCHEDULE, 500).problems[0]


def test_a_wait_cut_short_by_the_network_is_not_timed():
    events = [ev("retry_scheduled", 0, delay_ms=100, failures=1), ev("network", 10, up=True),
              ev("connect_attempt", 20)]
    assert check_retry_delays(events, SCHEDULE, 500).ok


def test_a_session_that_registered_is_not_lost():
    events = [ev("connect_attempt", 0), ev("state", 5, **{"from": "connecting", "to": "registering"}),
              ev("registered", 8, msg_id=1, ip="1.2.3.4")]
    assert lost_registrations(events) == 0


def test_an_unacknowledged_session_followed_by_a_retry_is_not_lost():
    events = failing_attempts(0, [100], connected=True) + [ev("connect_attempt", 5000)]
    assert [s.retried for s in connection_sessions(events)] == [True]
    assert lost_registrations(events) == 0


def test_an_unacknowledged_session_with_no_retry_after_it_is_lost():
    events = [ev("connect_attempt", 0), ev("state", 5, **{"from": "connecting", "to": "registering"})]
    assert lost_registrations(events) == 1


def test_a_registration_again_on_the_same_connection_is_not_a_new_session():
    events = [ev("state", 5, **{"from": "connecting", "to": "registering"}), ev("registered", 8),
              ev("state", 9, **{"from": "registered", "to": "registering"}), ev("registered", 12)]
    assert [s.registrations for s in connection_sessions(events)] == [2]


def test_rows_round_trip_through_the_report_file(tmp_path):
    path = tmp_path / "faults" / "report.jsonl"
    rows = [FaultRow("no_puback", "test", cycles=5, delays=[100, 200], notes=["n"]), FaultRow("cut", "nats")]
    for row in rows:
        append_row(path, row)
    assert read_rows(path) == rows
    assert read_rows(tmp_path / "absent.jsonl") == []


def test_the_table_has_one_line_per_row_sorted_and_the_notes_after_it():
    rows = [
        FaultRow("ss_cut", "nats", cycles=5, registrations=5, polls=80, delays_ok=True, passed=True),
        FaultRow("no_puback", "test", cycles=5, registrations=1, polls=60, misses=1, delays_ok=False,
                 reasons_ok=False, delays=[100, 100, 100, 100, 100, 100, 100], notes=["lacks an option"]),
    ]
    table = format_table(rows)
    lines = table.splitlines()
    assert lines[2].startswith("| no_puback | test | 5 | 1 | 0 | 1 of 60 | **no** | 100 100 100 100 100 100 ... |")
    assert lines[2].endswith("| **no** | **FAIL** |")
    assert lines[3] == "| ss_cut | nats | 5 | 5 | 0 | 0 of 80 | yes |  | n/a | pass |"
    assert lines[-1] == "- no_puback/test: lacks an option"


def test_a_note_shared_by_several_cases_is_listed_once_with_them():
    rows = [FaultRow("b", "nats", notes=["same", "own"]), FaultRow("a", "test", notes=["same"])]
    assert format_table(rows).splitlines()[-2:] == ["- a/test, b/nats: same", "- b/nats: own"]


def test_the_faults_session_runs_the_matrix_with_20_cycles_on_parallel_workers():
    args = faults_session_args([])
    assert args[:2] == ["host_tests/e2e/test_faults.py", "host_tests/e2e/test_http_pressure.py"]
    assert args[args.index("-n") + 1] == "4"
    assert args[args.index("--fault-cycles") + 1] == "20"


def test_the_faults_session_keeps_a_given_count_and_other_pytest_arguments():
    for given in (["--fault-cycles", "50", "-x"], ["--fault-cycles=50", "-x"]):
        args = faults_session_args(given)
        assert args.count("--fault-cycles") + sum(a.startswith("--fault-cycles=") for a in args) == 1
        assert args[-len(given):] == given


def test_a_soak_runs_only_the_soak_in_one_process():
    args = faults_session_args(["--fault-soak", "ss_cut:nats"])
    assert args[0] == "host_tests/e2e/test_faults.py::test_soak"
    assert args[args.index("-n") + 1] == "0"
    assert "--fault-cycles" not in args


def test_the_e2e_session_runs_the_suite_alone_then_the_fault_files_in_parallel():
    serial, parallel = e2e_session_runs(["-x"])
    assert serial == ["host_tests/e2e", "--ignore=host_tests/e2e/test_faults.py",
                      "--ignore=host_tests/e2e/test_http_pressure.py", "-x"]
    assert parallel == ["host_tests/e2e/test_faults.py", "host_tests/e2e/test_http_pressure.py", "-n", "3", "-x"]
