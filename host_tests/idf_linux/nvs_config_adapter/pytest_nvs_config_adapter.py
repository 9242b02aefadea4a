"""nvs_config_adapter on the real nvs_flash of ESP-IDF's linux target (emulated flash): the layout the
devices in the field already have, the length limits, and the fallback for an over-long stored value.
Every Unity case of main/test_nvs_config_adapter.c runs; pytest-embedded-idf parses each case's result."""

from __future__ import annotations

from conftest import record_unity_results

CASE_TIMEOUT_S = 60


def test_nvs_config_adapter(dut) -> None:
    dut.run_all_single_board_cases(timeout=CASE_TIMEOUT_S)
    failed = record_unity_results("nvs_config_adapter", dut)
    assert not failed, f"Unity cases failed: {failed}"
    assert dut.testsuite.testcases, "no Unity case ran"
