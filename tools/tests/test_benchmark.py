"""The benchmark's parsing, figures, tables and JSON (the figures themselves are printed, never asserted)."""

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from irrigation_tools import benchmark


def test_parse_figures_reads_name_value_unit_and_skips_other_lines():
    text = "serialize_registration 274.7 ns/message\nnoise\nheap 0 B\nbad x unit\n"
    assert benchmark.parse_figures(text) == [("serialize_registration", 274.7, "ns/message"), ("heap", 0.0, "B")]


def test_format_aligns_names():
    out = benchmark.format_figures([("a", 1.0, "B"), ("longer", 22.25, "ms")])
    lines = out.splitlines()
    assert [line.split() for line in lines] == [["a", "1.0", "B"], ["longer", "22.2", "ms"]]
    assert lines[0].index("1.0") + 3 == lines[1].index("22.2") + 4  # values right-aligned in one column


def test_peak_rss_of_this_process_is_positive_and_gone_process_is_none():
    assert benchmark.peak_rss_kib(os.getpid()) > 0
    assert benchmark.peak_rss_kib(2**22 + 12345) is None


# --- builds ----------------------------------------------------------------------------------------------


def test_each_optimisation_level_has_its_own_build_with_stack_and_call_graph_files():
    o2, os_ = benchmark.configure_cmd("O2"), benchmark.configure_cmd("Os")
    assert "build/bench/O2" in o2 and "build/bench/Os" in os_
    assert "-DCMAKE_C_FLAGS_RELEASE=-O2 -DNDEBUG" in o2 and "-DCMAKE_C_FLAGS_RELEASE=-Os -DNDEBUG" in os_
    assert "-DCMAKE_C_FLAGS=-fstack-usage -fcallgraph-info=su" in o2


def test_builds_use_at_most_two_jobs_and_only_the_benchmark_targets():
    cmd = benchmark.build_cmd("O2")
    assert cmd[cmd.index("--parallel") + 1] == "2"
    assert cmd[cmd.index("--target") + 1:] == ["bench_core", "bench_serializers", "paho_floor"]
    assert benchmark.build_cmd("Os")[-1] == "bench_serializers"


# --- serializer rows -------------------------------------------------------------------------------------

SERIALIZER_OUTPUT = """\
project.typical.available 1 yes
project.typical.bytes 198 B
project.typical.same_output_as_project 1 bool
project.typical.ns_per_msg 95.5 ns/msg
project.typical.allocs_per_msg 0.00 allocations/msg
cjson.typical.available 0 cJSON not found at build time (apt-get install libcjson-dev, then build again)
snprintf.typical.available 1 yes
snprintf.typical.bytes 198 B
snprintf.typical.same_output_as_project 0 bool
snprintf.typical.ns_per_msg 300.0 ns/msg
snprintf.typical.allocs_per_msg 1.50 allocations/msg
"""


def test_serializer_output_becomes_one_row_per_writer_and_message():
    rows = benchmark.parse_serializer_output(SERIALIZER_OUTPUT, "O2")
    assert [(r.writer, r.message, r.opt) for r in rows] == [
        ("project", "typical", "O2"), ("cjson", "typical", "O2"), ("snprintf", "typical", "O2")]
    project, cjson, naive = rows
    assert (project.bytes, project.ns_per_msg, project.allocations_per_msg, project.same_output_as_project) == (
        198, 95.5, 0.0, True)
    assert not cjson.available and cjson.note.startswith("cJSON not found at build time")
    assert naive.same_output_as_project is False and naive.allocations_per_msg == 1.5
    assert project.instructions_per_msg is None  # only callgrind fills it in


def test_row_label_names_the_optimisation_level_of_the_projects_serializer_only():
    assert benchmark.SerializerRow("project", "Os", "typical").label == "project -Os"
    assert benchmark.SerializerRow("cjson", "O2", "typical").label == "cjson"


def test_callgrind_totals_are_read_from_the_totals_or_summary_line():
    assert benchmark.parse_callgrind_totals("events: Ir\nfl=x\n0 5\ntotals: 911025\n") == 911025
    assert benchmark.parse_callgrind_totals("summary: 42\n") == 42
    assert benchmark.parse_callgrind_totals("events: Ir\n") is None


def _script(path, body):
    path.write_text(f"#!{sys.executable}\n" + textwrap.dedent(body))
    path.chmod(0o755)
    return path


def test_without_valgrind_instructions_are_not_measured_and_a_missing_writer_stays_a_row(tmp_path):
    driver = _script(tmp_path / "bench_serializers", f"print({SERIALIZER_OUTPUT!r})\n")
    rows = benchmark.run_serializers(driver, "O2", ("project", "cjson"), valgrind=None)
    assert [r.writer for r in rows] == ["project", "cjson"]
    assert all(r.instructions_per_msg is None for r in rows)
    assert not rows[1].available


def test_callgrind_instructions_divide_the_collected_count_by_the_calls(tmp_path):
    # A stand-in valgrind: checks the options it is given and writes a callgrind file with a total.
    fake = _script(tmp_path / "valgrind", """\
        import sys
        args = sys.argv[1:]
        assert "--tool=callgrind" in args and "--toggle-collect=bench_serializers_loop" in args
        assert args[-4:] == ["--loop", "project", "typical", "1000"]
        out = [a.split("=", 1)[1] for a in args if a.startswith("--callgrind-out-file=")][0]
        open(out, "w").write("events: Ir\\ntotals: 911025\\n")
        """)
    assert benchmark.callgrind_instructions(tmp_path / "driver", "project", "typical", str(fake)) == 911.025


def test_a_failed_callgrind_run_gives_no_figure(tmp_path):
    fake = _script(tmp_path / "valgrind", "import sys; sys.exit(1)\n")
    assert benchmark.callgrind_instructions(tmp_path / "driver", "project", "typical", str(fake)) is None


# --- stack depth -----------------------------------------------------------------------------------------

CI_CALLER = """\
graph: { title: "/src/a.c"
node: { title: "top" label: "top\\n/src/a.c:10:1\\n48 bytes (static)" }
node: { title: "/src/a.c:helper" label: "helper\\n/src/a.c:3:13\\n32 bytes (static)" }
edge: { sourcename: "top" targetname: "/src/a.c:helper" label: "/src/a.c:11:5" }
node: { title: "memcpy" label: "__builtin_memcpy\\n<built-in>" shape : ellipse }
edge: { sourcename: "/src/a.c:helper" targetname: "memcpy" }
node: { title: "deep" label: "deep\\n/src/b.h:4:6" shape : ellipse }
edge: { sourcename: "top" targetname: "deep" label: "/src/a.c:12:5" }
}
"""
CI_CALLEE = """\
graph: { title: "/src/b.c"
node: { title: "deep" label: "deep\\n/src/b.c:4:6\\n24 bytes (static)" }
node: { title: "/src/b.c:leaf" label: "leaf\\n/src/b.c:2:13\\n40 bytes (dynamic,bounded)" }
edge: { sourcename: "deep" targetname: "/src/b.c:leaf" }
edge: { sourcename: "/src/b.c:leaf" targetname: "deep" }
}
"""


def test_call_graphs_of_several_files_merge_and_the_worst_path_sums_its_frames():
    graph = benchmark.parse_callgraph([CI_CALLER, CI_CALLEE])
    assert graph.frame_bytes["deep"] == 24  # defined in b.c, only declared (ellipse) in a.c
    assert graph.frame_bytes["memcpy"] is None
    depth, path = benchmark.worst_stack(graph, "top")
    assert (depth, path) == (48 + 24 + 40, ["top", "deep", "leaf"])  # the recursion back to deep is not followed


def test_stack_usage_reads_real_gcc_call_graph_files(tmp_path):
    if shutil.which("gcc") is None:
        pytest.skip("gcc not installed")
    src = tmp_path / "components" / "domain" / "x.c"
    src.parent.mkdir(parents=True)
    src.write_text(textwrap.dedent("""\
        #include <string.h>
        static __attribute__((noinline, noclone)) void fill(char *out, const char *in) { char t[64]; strcpy(t, in); strcpy(out, t); }
        void device_registration_to_json(char *out) { char big[200]; fill(big, "x"); strcpy(out, big); }
        """))
    subprocess.run(["gcc", "-O2", "-fstack-usage", "-fcallgraph-info=su", "-c", str(src), "-o", str(src) + ".o"],
                   check=True, cwd=tmp_path)
    stack = benchmark.stack_usage(tmp_path)
    assert stack["path"] == ["device_registration_to_json", "fill"]
    assert stack["bytes"] >= 200 + 64
    assert benchmark.stack_usage(tmp_path, root="absent") is None


# --- start-up modes --------------------------------------------------------------------------------------


def test_times_about_100_ms_apart_fall_into_two_modes():
    modes = benchmark.split_modes([112.0, 11.0, 13.0, 111.0, 12.0, 115.0, 12.5])
    assert [(m.count, m.median_ms, m.min_ms, m.max_ms) for m in modes] == [
        (4, 12.25, 11.0, 13.0), (3, 112.0, 111.0, 115.0)]


def test_close_times_are_one_mode_and_a_gap_of_the_threshold_starts_another():
    assert [m.count for m in benchmark.split_modes([10.0, 30.0, 59.0])] == [3]
    assert [m.count for m in benchmark.split_modes([10.0, 60.0])] == [1, 1]
    assert benchmark.split_modes([]) == []


def test_floor_output_gives_the_puback_time():
    assert benchmark.parse_floor_output('noise\n{"event":"puback","t_ms":12.345}\n') == 12.345
    assert benchmark.parse_floor_output('{"event":"other","t_ms":1}\n') is None


def test_simulator_start_to_puback_is_the_first_registered_event():
    events = [{"event": "started", "t_ms": 0}, {"event": "registered", "t_ms": 14}, {"event": "registered", "t_ms": 90}]
    assert benchmark.start_to_puback_ms(events) == 14.0
    assert benchmark.start_to_puback_ms([{"event": "started", "t_ms": 0}]) is None


def test_a_series_reports_runs_failures_and_modes():
    series = benchmark.StartupSeries(runs_ms=[12.0, 112.0, 13.0], failures=1)
    doc = series.to_json()
    assert doc["failures"] == 1 and doc["runs_ms"] == [12.0, 112.0, 13.0]
    assert [m["count"] for m in doc["modes"]] == [2, 1]


def _broker(sim, floor):
    return {"simulator": benchmark.StartupSeries(runs_ms=sim).to_json(),
            "paho_floor": benchmark.StartupSeries(runs_ms=floor).to_json()}


def test_simulator_over_floor_compares_the_fastest_modes():
    assert benchmark.fast_mode_ratio(_broker([13.0, 113.0], [10.0, 12.0, 110.0])) == pytest.approx(13.0 / 11.0)
    assert benchmark.fast_mode_ratio({"simulator": _broker([1.0], [])["simulator"], "paho_floor": None}) is None


def test_start_up_table_shows_each_mode_and_skipped_brokers():
    startup = {"runs": 3, "mode_gap_ms": 50.0,
               "brokers": {"nats": _broker([12.0, 13.0, 112.0], [11.0, 111.0, 112.0]),
                           "mosquitto": {"skipped": "'mosquitto' was not found"}}}
    text = benchmark.format_startup_table(startup)
    assert "2 x 12.5 ms (12.0-13.0); 1 x 112.0 ms (112.0-112.0)" in text
    assert "1 x 11.0 ms (11.0-11.0); 2 x 111.5 ms (111.0-112.0)" in text
    assert "simulator / floor (fastest modes): 1.14 x" in text
    assert "mosquitto  skipped: 'mosquitto' was not found" in text


# --- the serializer table and the JSON document ----------------------------------------------------------


def _rows():
    rows = benchmark.parse_serializer_output(SERIALIZER_OUTPUT, "O2")
    rows[0].instructions_per_msg = 819.0
    return rows


def test_serializer_table_shows_figures_na_and_the_reason_a_writer_is_missing():
    stacks = {"O2": {"bytes": 240, "path": ["device_registration_to_json", "json_writer_member_string"]}, "Os": None}
    text = benchmark.format_serializer_table(_rows(), stacks)
    lines = text.splitlines()
    assert "typical: 198 B" in lines[0]
    project = next(line for line in lines if line.strip().startswith("project -O2"))
    assert project.split() == ["project", "-O2", "typical", "95.5", "819", "0.00", "yes"]
    naive = next(line for line in lines if line.strip().startswith("snprintf"))
    assert naive.split()[3:] == ["n/a", "1.50", "NO"]
    assert any("cjson" in line and "not measured: cJSON not found" in line for line in lines)
    assert "stack -O2: 240 B worst path device_registration_to_json > json_writer_member_string" in text
    assert "stack -Os: n/a" in text


def test_document_has_every_part_and_a_place_for_the_fleet():
    doc = benchmark.benchmark_document([("heap", 0.0, "B")], _rows(), {"O2": None}, None, None, ["a note"])
    assert set(doc) == {"schema", "generated_utc", "host", "notes", "core", "serializer", "startup", "fleet"}
    assert doc["fleet"] is None and doc["startup"] is None and doc["notes"] == ["a note"]
    assert doc["core"] == {"heap": {"value": 0.0, "unit": "B"}}
    assert doc["serializer"]["rows"][0]["instructions_per_msg"] == 819.0
    json.dumps(doc)  # everything is plain JSON


def test_fleet_is_reported_as_not_measured_without_the_option():
    assert "not measured (invoke benchmark --fleet)" in benchmark.format_fleet(None)
    assert "devices: 1000" in benchmark.format_fleet({"devices": 1000})
