"""memory-budget inputs: budget expressions, sdkconfig parsing, and the budget file kept true to the code."""

import re
from pathlib import Path

import pytest

from irrigation_tools import ToolError
from irrigation_tools import memory_budget as mb

ROOT = Path(__file__).resolve().parents[2]
BUDGET = mb.load_budget(ROOT / "tools" / "memory_budget.yaml")


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        ("A * B + 3", 23),
        ("(A + B) // 3", 3),
        ("min(A, 2) * 100", 200),
        ("max(A, B, 7)", 7),
        ("A if B > 4 else 0", 4),
        ("A > 1 and not Z", 1),
        ("Z or A == 4", 1),
        ("1 < A <= 4", 1),
        ("-A", -4),
    ],
)
def test_budget_expressions(expr, value):
    assert mb.evaluate(expr, {"A": 4, "B": 5, "Z": 0}) == value


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        ("A + NOPE", "unknown name NOPE"),
        ("__import__('os')", "not allowed"),
        ("A.real", "not allowed"),
        ("2 ** 64", "not allowed"),
        ("'text'", "not allowed"),
        ("A +", "not an expression"),
    ],
)
def test_anything_but_arithmetic_is_refused(expr, message):
    with pytest.raises(ValueError, match=message):
        mb.evaluate(expr, {"A": 1})


def test_sdkconfig_values_booleans_and_strings():
    numbers, strings = mb.parse_sdkconfig(
        'CONFIG_A=12\nCONFIG_B=y\n# CONFIG_C is not set\nCONFIG_D=0x20\nCONFIG_T="esp32c3"\n'
        "# a comment\nCONFIG_E=\n"
    )
    assert numbers == {"A": 12, "B": 1, "C": 0, "D": 32}
    assert strings == {"T": "esp32c3", "E": ""}


def test_defaults_layer_kconfig_then_sdkconfig_defaults_then_the_target_file(tmp_path):
    (tmp_path / "sdkconfig.defaults").write_text(
        "CONFIG_ESP_MAIN_TASK_STACK_SIZE=5000\nCONFIG_LWIP_TCPIP_TASK_STACK_SIZE=4000\n"
    )
    (tmp_path / "sdkconfig.defaults.esp32c3").write_text("CONFIG_LWIP_TCPIP_TASK_STACK_SIZE=4500\n")
    config = mb.resolve_config(tmp_path, "esp32c3", BUDGET, None)
    assert config.from_defaults
    assert config.values["ESP_MAIN_TASK_STACK_SIZE"] == 5000
    assert config.values["LWIP_TCPIP_TASK_STACK_SIZE"] == 4500
    assert config.values["ESP_TIMER_TASK_STACK_SIZE"] == 3584  # Kconfig default from the budget file
    assert config.values["FREERTOS_UNICORE"] == 1  # per-target default
    assert config.description.startswith("sdkconfig.defaults + sdkconfig.defaults.esp32c3 + Kconfig defaults")


def _kconfig_defaults(path):
    """`config NAME` -> its first plain `default N` in a Kconfig file."""
    found = {}
    for block in re.split(r"^\s*config\s+", path.read_text(), flags=re.MULTILINE)[1:]:
        name = block.split()[0]
        default = re.search(r"^\s*default\s+(\d+)\s*$", block, re.MULTILINE)
        if default:
            found[name] = int(default.group(1))
    return found


def test_the_project_kconfig_defaults_in_the_budget_file_match_main_kconfig():
    projbuild = _kconfig_defaults(ROOT / "main" / "Kconfig.projbuild")
    ours = {name: value for name, value in BUDGET.kconfig_defaults.items() if name.startswith("IRRIGATION_")}
    assert ours and ours == {name: projbuild[name] for name in ours}


@pytest.mark.parametrize("name, header", [
    ("HTTP_ADAPTER_MAX_OPEN_SOCKETS", "components/infrastructure/http_adapter/include/http_adapter.h"),
    ("MQTT_WS_ADAPTER_WORKER_STACK_BYTES", "components/infrastructure/mqtt_ws_adapter/include/mqtt_ws_adapter.h"),
    ("CAPTIVE_DNS_ADAPTER_STACK_SIZE", "components/infrastructure/captive_dns_adapter/include/captive_dns_adapter.h"),
    ("CAPTIVE_DNS_MESSAGE_MAX", "components/application/include/application/captive_dns.h"),
])
def test_the_budget_constants_taken_from_headers_match_them(name, header):
    define = re.search(rf"#define\s+{name}\s+(\d+)", (ROOT / header).read_text())
    assert define and BUDGET.constants[name] == int(define.group(1))


def test_every_budget_item_evaluates_for_every_target():
    for target in BUDGET.targets:
        lines = mb.config_lines(BUDGET, BUDGET.defaults_for(target), BUDGET.targets[target].cores)
        assert lines and all(line.bytes > 0 for line in lines)
        assert all(line.basis in ("config", "estimate") for line in lines)


def test_the_project_archives_are_its_components_and_main():
    names = mb.own_archive_names(ROOT, BUDGET)
    assert {"libmain.a", "libdomain.a", "libapplication.a", "libwifi_adapter.a", "libhttp_adapter.a",
            "libmqtt_ws_adapter.a", "libnvs_config_adapter.a", "libfreertos_adapter.a"} <= names
    assert "libinfrastructure.a" not in names  # a folder of components, not a component


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("limit_bytes: [", "not valid YAML"),
        ("limit_bytes: 1\n", "not a memory budget file"),
        ("limit_bytes: 1\nproject_static: {goal_bytes: 1, component_dirs: []}\ntargets: {}\n"
         "items: [{name: x, bytes: 1, basis: guess, source: y}]\n", "basis must be config or estimate"),
        ("limit_bytes: 1\nproject_static: {goal_bytes: 1, component_dirs: []}\ntargets: {}\n"
         "items: [{name: x, bytes: 1}]\n", "missing basis, source"),
    ],
)
def test_a_broken_budget_file_is_a_clear_error(tmp_path, text, message):
    path = tmp_path / "budget.yaml"
    path.write_text(text)
    with pytest.raises(ToolError, match=message):
        mb.load_budget(path)


def test_an_item_with_an_unknown_name_is_reported_with_the_item(tmp_path):
    path = tmp_path / "budget.yaml"
    path.write_text("limit_bytes: 1\nproject_static: {goal_bytes: 1, component_dirs: []}\ntargets: {}\n"
                    "items: [{name: stack, bytes: NO_SUCH_OPTION, basis: config, source: y}]\n")
    with pytest.raises(ToolError, match="item 'stack': unknown name NO_SUCH_OPTION"):
        mb.config_lines(mb.load_budget(path), {}, 1)
