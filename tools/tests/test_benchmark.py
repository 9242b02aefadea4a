"""The benchmark's parsing and figure extraction (the figures themselves are printed, never asserted)."""

from irrigation_tools import benchmark


def test_parse_figures_reads_name_value_unit_and_skips_other_lines():
    text = "serialize_registration 274.7 ns/message\nnoise\nheap 0 B\nbad x unit\n"
    assert benchmark.parse_figures(text) == [("serialize_registration", 274.7, "ns/message"), ("heap", 0.0, "B")]


def test_latency_runs_from_the_last_attempt_before_the_first_registration():
    events = [
        {"event": "connect_attempt", "t_ms": 10},
        {"event": "retry_scheduled", "t_ms": 12},
        {"event": "connect_attempt", "t_ms": 120},
        {"event": "registered", "t_ms": 135},
        {"event": "registered", "t_ms": 900},
    ]
    assert benchmark.registration_latency_ms(events) == 15.0


def test_latency_is_none_without_registration():
    assert benchmark.registration_latency_ms([{"event": "connect_attempt", "t_ms": 1}]) is None


def test_peak_rss_of_this_process_is_positive_and_gone_process_is_none():
    import os

    assert benchmark.peak_rss_kib(os.getpid()) > 0
    assert benchmark.peak_rss_kib(2**22 + 12345) is None


def test_format_aligns_names():
    out = benchmark.format_figures([("a", 1.0, "B"), ("longer", 22.25, "ms")])
    lines = out.splitlines()
    assert [line.split() for line in lines] == [["a", "1.0", "B"], ["longer", "22.2", "ms"]]
    assert lines[0].index("1.0") + 3 == lines[1].index("22.2") + 4  # values right-aligned in one column
