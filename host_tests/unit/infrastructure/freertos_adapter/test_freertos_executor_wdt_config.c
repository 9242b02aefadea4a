/*
 * The executor built as the other task watchdog configurations would build it (one binary per
 * configuration, see CMakeLists.txt): CONFIG_ESP_TASK_WDT_EN=n (FAKE_SDKCONFIG_TASK_WDT_OFF) and
 * CONFIG_ESP_TASK_WDT_EN=y with CONFIG_ESP_TASK_WDT_INIT=n (FAKE_SDKCONFIG_TASK_WDT_NO_INIT).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "executor_test_support.h"
#include "fake_esp_task_wdt.h"
#include "fake_freertos.h"

static void post_stop_when_idle(void *arg)
{
    (void)arg;
    assert_true(executor_test_post_kind(APP_EVENT_STOP));
}

static void run_until_idle_then_stop(void)
{
    executor_test_init();
    fake_freertos_set_receive_hook(post_stop_when_idle, NULL);
    executor_test_start_and_run();
    assert_int_equal(executor_test_handled_count, 1);
}

#if defined(FAKE_SDKCONFIG_TASK_WDT_OFF)

static void test_without_the_watchdog_the_task_runs_unwatched_and_says_so(void **state)
{
    (void)state;
    run_until_idle_then_stop();
    assert_int_equal(fake_esp_task_wdt_add_calls(), 0); /* task_wdt.c is not linked: no call at all */
    assert_int_equal(fake_esp_task_wdt_reset_calls(), 0);
    assert_int_equal(executor_test_warnings_containing("the task watchdog is disabled"), 1);
    assert_int_equal(fake_freertos_last_receive_ticks(), portMAX_DELAY);
}

#define CONFIG_TESTS \
    cmocka_unit_test_setup(test_without_the_watchdog_the_task_runs_unwatched_and_says_so, executor_test_setup)

#elif defined(FAKE_SDKCONFIG_TASK_WDT_NO_INIT)

static void test_a_watchdog_not_started_at_boot_leaves_the_task_unwatched(void **state)
{
    (void)state;
    fake_esp_task_wdt_set_initialised(false);
    run_until_idle_then_stop();
    assert_int_equal(fake_esp_task_wdt_add_calls(), 1);
    assert_int_equal(executor_test_warnings_containing("ESP_ERR_INVALID_STATE"), 1);
    assert_int_equal(fake_esp_task_wdt_reset_calls(), 0);
    assert_int_equal(fake_freertos_last_receive_ticks(), portMAX_DELAY);
}

static void test_a_watchdog_started_at_run_time_is_reset_within_its_shortest_timeout(void **state)
{
    (void)state;
    /* esp_task_wdt_init() called by someone before start(): the timeout is unknown here, at least 1 s. */
    run_until_idle_then_stop();
    assert_int_equal(fake_esp_task_wdt_resets_of(fake_freertos_task_handle(0)), 1);
    assert_int_equal(fake_freertos_last_receive_ticks(), freertos_adapter_ms_to_ticks(300));
}

#define CONFIG_TESTS                                                                                     \
    cmocka_unit_test_setup(test_a_watchdog_not_started_at_boot_leaves_the_task_unwatched,                \
                           executor_test_setup),                                                         \
        cmocka_unit_test_setup(test_a_watchdog_started_at_run_time_is_reset_within_its_shortest_timeout, \
                               executor_test_setup)

#else
#error "build this file with FAKE_SDKCONFIG_TASK_WDT_OFF or FAKE_SDKCONFIG_TASK_WDT_NO_INIT"
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {CONFIG_TESTS};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
