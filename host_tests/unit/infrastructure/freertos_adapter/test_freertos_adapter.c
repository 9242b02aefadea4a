/*
 * freertos_adapter against the FreeRTOS / esp_timer / esp_system fakes: lock timeouts, the retry timer's
 * token and stale expiries, clock, random, heap figures. The executor has its own file
 * (test_freertos_executor.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "fake_esp_log.h"
#include "esp_system.h"
#include "fake_esp_system.h"
#include "fake_esp_timer.h"
#include "fake_executor.h"
#include "fake_freertos.h"
#include "freertos_adapter.h"

static freertos_adapter_lock_t s_lock;
static freertos_adapter_timer_t s_timer;
static fake_executor_t s_app_queue;

static int setup(void **state)
{
    (void)state;
    fake_freertos_reset();
    fake_esp_timer_reset();
    fake_esp_system_reset();
    fake_esp_log_reset();
    fake_esp_log_set_echo(0);
    fake_executor_init(&s_app_queue);
    return 0;
}

static void init_timer(void)
{
    assert_int_equal(freertos_adapter_timer_init(&s_timer, &fake_executor_port, &s_app_queue), APP_OK);
}

static const app_event_t *app_queue_event(size_t index)
{
    assert_true(index < s_app_queue.count);
    return &s_app_queue.queue[(s_app_queue.head + index) % FAKE_EXECUTOR_QUEUE_MAX];
}

/* ---- resource lock ---- */

static void test_lock_init_creates_a_static_mutex(void **state)
{
    (void)state;
    assert_int_equal(freertos_adapter_lock_init(&s_lock), APP_OK);
    assert_non_null(s_lock.mutex);
}

static void test_lock_init_reports_a_mutex_that_could_not_be_created(void **state)
{
    (void)state;
    fake_freertos_fail_next_mutex_create();
    assert_int_equal(freertos_adapter_lock_init(&s_lock), APP_ERR_PLATFORM);
}

static void test_lock_take_that_times_out_returns_lock_timeout(void **state)
{
    (void)state;
    assert_int_equal(freertos_adapter_lock_init(&s_lock), APP_OK);
    fake_freertos_set_take_result(pdFALSE);
    assert_int_equal(freertos_adapter_lock_port.take(&s_lock, 100), APP_ERR_LOCK_TIMEOUT);
    assert_int_equal(fake_freertos_mutex_held(), 0);
}

static void test_lock_take_waits_the_timeout_in_ticks(void **state)
{
    (void)state;
    assert_int_equal(freertos_adapter_lock_init(&s_lock), APP_OK);
    assert_int_equal(freertos_adapter_lock_port.take(&s_lock, 250), APP_OK);
    assert_int_equal(fake_freertos_last_take_ticks(), 25); /* 100 Hz */
}

static void test_lock_give_releases_the_mutex(void **state)
{
    (void)state;
    assert_int_equal(freertos_adapter_lock_init(&s_lock), APP_OK);
    assert_int_equal(freertos_adapter_lock_port.take(&s_lock, 100), APP_OK);
    assert_int_equal(fake_freertos_mutex_held(), 1);
    freertos_adapter_lock_port.give(&s_lock);
    assert_int_equal(fake_freertos_mutex_held(), 0);
}

static void test_lock_give_without_take_is_logged(void **state)
{
    (void)state;
    assert_int_equal(freertos_adapter_lock_init(&s_lock), APP_OK);
    freertos_adapter_lock_port.give(&s_lock);
    assert_int_equal(fake_esp_log_count(), 1);
    assert_int_equal(fake_esp_log_last()->level, ESP_LOG_ERROR);
}

static void test_lock_give_by_a_task_that_does_not_hold_it_is_refused_before_freertos(void **state)
{
    (void)state;
    int other_task;
    assert_int_equal(freertos_adapter_lock_init(&s_lock), APP_OK);
    assert_int_equal(freertos_adapter_lock_port.take(&s_lock, 100), APP_OK);
    fake_freertos_set_current_task((TaskHandle_t)(void *)&other_task);
    freertos_adapter_lock_port.give(&s_lock);
    assert_int_equal(fake_freertos_foreign_gives(), 0); /* FreeRTOS would have asserted */
    assert_int_equal(fake_freertos_mutex_held(), 1);
    assert_int_equal(fake_esp_log_last()->level, ESP_LOG_ERROR);
    fake_freertos_set_current_task(NULL); /* the holder */
    freertos_adapter_lock_port.give(&s_lock);
    assert_int_equal(fake_freertos_mutex_held(), 0);
}

typedef struct {
    uint32_t ms;
    TickType_t ticks;
} ticks_case_t;

static void test_ms_to_ticks_rounds_up_and_never_means_forever(void **state)
{
    (void)state;
    static const ticks_case_t cases[] = {
        {0, 0}, {1, 1}, {10, 1}, {11, 2}, {100, 10}, {1000, 100}, {UINT32_MAX, 429496730},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(freertos_adapter_ms_to_ticks(cases[i].ms), cases[i].ticks);
        assert_true(freertos_adapter_ms_to_ticks(cases[i].ms) != portMAX_DELAY);
    }
}

/* ---- timers, clock, random ---- */

#define CONN_TIMER s_timer.slots[APP_TIMER_CONNECTION].timer
#define LINK_TIMER s_timer.slots[APP_TIMER_LINK].timer

static void test_timer_callbacks_run_in_the_esp_timer_task(void **state)
{
    (void)state;
    init_timer();
    assert_int_equal(fake_esp_timer_count(), APP_TIMER_COUNT);
    assert_int_equal(fake_esp_timer_args(CONN_TIMER)->dispatch_method, ESP_TIMER_TASK);
    assert_int_equal(fake_esp_timer_args(LINK_TIMER)->dispatch_method, ESP_TIMER_TASK);
}

static void test_each_timer_id_fires_on_its_own_with_its_id(void **state)
{
    (void)state;
    init_timer();
    assert_int_equal(freertos_adapter_timer_port.arm_once(&s_timer, APP_TIMER_CONNECTION, 2000, 5), APP_OK);
    assert_int_equal(freertos_adapter_timer_port.arm_once(&s_timer, APP_TIMER_LINK, 1000, 9), APP_OK);
    fake_esp_timer_advance_us(1000000);
    assert_int_equal(s_app_queue.count, 1);
    assert_int_equal(app_queue_event(0)->timer, APP_TIMER_LINK);
    assert_int_equal(app_queue_event(0)->token, 9);
    assert_true(fake_esp_timer_armed(CONN_TIMER)); /* arming the link timer left the other one alone */
    fake_esp_timer_advance_us(1000000);
    assert_int_equal(s_app_queue.count, 2);
    assert_int_equal(app_queue_event(1)->timer, APP_TIMER_CONNECTION);
    assert_int_equal(app_queue_event(1)->token, 5);
    assert_int_equal(freertos_adapter_timer_port.arm_once(&s_timer, APP_TIMER_COUNT, 10, 1),
                     APP_ERR_INVALID_ARG);
    assert_int_equal(freertos_adapter_timer_port.cancel(&s_timer, APP_TIMER_COUNT), APP_ERR_INVALID_ARG);
}

static void test_timer_init_reports_esp_timer_create_failure(void **state)
{
    (void)state;
    fake_esp_timer_fail_next_create(ESP_ERR_NO_MEM);
    assert_int_equal(freertos_adapter_timer_init(&s_timer, &fake_executor_port, &s_app_queue),
                     APP_ERR_NO_MEMORY);
}

static void test_arm_once_starts_a_one_shot_of_the_delay_in_microseconds(void **state)
{
    (void)state;
    init_timer();
    assert_int_equal(freertos_adapter_timer_port.arm_once(&s_timer, APP_TIMER_CONNECTION, 30000, 1), APP_OK);
    assert_true(fake_esp_timer_armed(CONN_TIMER));
    assert_int_equal(fake_esp_timer_last_timeout_us(CONN_TIMER), 30000000u);
}

static void test_expiry_posts_retry_timer_fired_with_the_token(void **state)
{
    (void)state;
    init_timer();
    assert_int_equal(freertos_adapter_timer_port.arm_once(&s_timer, APP_TIMER_CONNECTION, 30000, 7), APP_OK);
    fake_esp_timer_advance_us(29999999);
    assert_int_equal(s_app_queue.count, 0);
    fake_esp_timer_advance_us(1);
    assert_int_equal(s_app_queue.count, 1);
    assert_int_equal(app_queue_event(0)->kind, APP_EVENT_TIMER_FIRED);
    assert_int_equal(app_queue_event(0)->token, 7);
    assert_int_equal(fake_freertos_critical_nesting(), 0);
}

static void test_arm_once_replaces_the_armed_timer(void **state)
{
    (void)state;
    init_timer();
    assert_int_equal(freertos_adapter_timer_port.arm_once(&s_timer, APP_TIMER_CONNECTION, 1000, 1), APP_OK);
    assert_int_equal(freertos_adapter_timer_port.arm_once(&s_timer, APP_TIMER_CONNECTION, 2000, 2), APP_OK);
    fake_esp_timer_advance_us(1000000);
    assert_int_equal(s_app_queue.count, 0);
    fake_esp_timer_advance_us(1000000);
    assert_int_equal(s_app_queue.count, 1);
    assert_int_equal(app_queue_event(0)->token, 2);
}

static void test_an_expiry_racing_with_a_rearm_is_dropped(void **state)
{
    (void)state;
    init_timer();
    assert_int_equal(freertos_adapter_timer_port.arm_once(&s_timer, APP_TIMER_CONNECTION, 1000, 1), APP_OK);
    /* The first timer is due, but before its callback runs the application arms again. */
    fake_esp_timer_set_time_us(1000000);
    assert_int_equal(freertos_adapter_timer_port.arm_once(&s_timer, APP_TIMER_CONNECTION, 5000, 2), APP_OK);
    fake_esp_timer_fire(CONN_TIMER); /* the late callback of the first arming */
    assert_int_equal(s_app_queue.count, 0);
}

static void test_an_expiry_after_cancel_is_dropped(void **state)
{
    (void)state;
    init_timer();
    assert_int_equal(freertos_adapter_timer_port.arm_once(&s_timer, APP_TIMER_CONNECTION, 1000, 1), APP_OK);
    fake_esp_timer_set_time_us(1000000);
    assert_int_equal(freertos_adapter_timer_port.cancel(&s_timer, APP_TIMER_CONNECTION), APP_OK);
    fake_esp_timer_fire(CONN_TIMER);
    assert_int_equal(s_app_queue.count, 0);
    assert_false(fake_esp_timer_armed(CONN_TIMER));
}

static void test_cancel_without_an_armed_timer_is_ok(void **state)
{
    (void)state;
    init_timer();
    assert_int_equal(freertos_adapter_timer_port.cancel(&s_timer, APP_TIMER_CONNECTION), APP_OK);
}

static void test_an_expiry_the_full_queue_refuses_is_logged(void **state)
{
    (void)state;
    init_timer();
    s_app_queue.refuse_posts = true;
    assert_int_equal(freertos_adapter_timer_port.arm_once(&s_timer, APP_TIMER_CONNECTION, 10, 3), APP_OK);
    fake_esp_timer_advance_us(10000);
    assert_int_equal(s_app_queue.refused, 1);
    assert_int_equal(fake_esp_log_last()->level, ESP_LOG_ERROR);
}

static void test_now_ms_is_esp_timer_time_in_milliseconds(void **state)
{
    (void)state;
    init_timer();
    fake_esp_timer_set_time_us(123456789);
    assert_int_equal(freertos_adapter_timer_port.now_ms(&s_timer), 123456);
}

static void test_random_comes_from_esp_random(void **state)
{
    (void)state;
    init_timer();
    fake_esp_random_set(0xdeadbeefu);
    assert_int_equal(freertos_adapter_timer_port.random_u32(&s_timer), 0xdeadbeefu);
}

/* ---- system info ---- */

static void test_system_info_reports_the_heap_figures(void **state)
{
    (void)state;
    fake_esp_system_set_heap(180000, 150000);
    assert_int_equal(freertos_adapter_system_info_port.free_heap_bytes(NULL), 180000);
    assert_int_equal(freertos_adapter_system_info_port.min_free_heap_bytes(NULL), 150000);
}

static void noop_task(void *arg)
{
    (void)arg;
}

static void test_system_info_reports_stacks_by_task_name_the_largest_block_and_the_reset_reason(void **state)
{
    (void)state;
    static StackType_t stacks[2][64];
    static StaticTask_t buffers[2];
    assert_non_null(
        xTaskCreateStatic(noop_task, FREERTOS_ADAPTER_APP_TASK_NAME, 6144, NULL, 4, stacks[0], &buffers[0]));
    assert_non_null(xTaskCreateStatic(noop_task, "mqtt_task", 6144, NULL, 5, stacks[1], &buffers[1]));
    const size_t first = fake_freertos_task_count() - 2;
    fake_freertos_set_high_water(first, 2304);
    fake_freertos_set_high_water(first + 1, 1876);
    fake_esp_system_set_largest_block(94208);
    fake_esp_system_set_reset_reason(ESP_RST_TASK_WDT);
    system_info_runtime_t rt;
    freertos_adapter_system_info_port.runtime(NULL, &rt);
    assert_int_equal(rt.largest_free_block, 94208);
    assert_int_equal(rt.stack_high_water[SYSTEM_INFO_TASK_APP], 2304);
    assert_int_equal(rt.stack_high_water[SYSTEM_INFO_TASK_MQTT], 1876);
    assert_int_equal(rt.stack_high_water[SYSTEM_INFO_TASK_HTTP], -1); /* no "httpd" task */
    assert_string_equal(rt.reset_reason, "task_watchdog");
}

static void test_reset_reasons_have_names(void **state)
{
    (void)state;
    assert_string_equal(freertos_adapter_reset_reason_to_str(ESP_RST_POWERON), "power_on");
    assert_string_equal(freertos_adapter_reset_reason_to_str(ESP_RST_PANIC), "panic");
    assert_string_equal(freertos_adapter_reset_reason_to_str(ESP_RST_BROWNOUT), "brownout");
    assert_string_equal(freertos_adapter_reset_reason_to_str(ESP_RST_SW), "software");
    assert_string_equal(freertos_adapter_reset_reason_to_str(ESP_RST_UNKNOWN), "unknown");
    assert_string_equal(freertos_adapter_reset_reason_to_str(999), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_lock_init_creates_a_static_mutex, setup),
        cmocka_unit_test_setup(test_lock_init_reports_a_mutex_that_could_not_be_created, setup),
        cmocka_unit_test_setup(test_lock_take_that_times_out_returns_lock_timeout, setup),
        cmocka_unit_test_setup(test_lock_take_waits_the_timeout_in_ticks, setup),
        cmocka_unit_test_setup(test_lock_give_releases_the_mutex, setup),
        cmocka_unit_test_setup(test_lock_give_without_take_is_logged, setup),
        cmocka_unit_test_setup(test_lock_give_by_a_task_that_does_not_hold_it_is_refused_before_freertos,
                               setup),
        cmocka_unit_test_setup(test_ms_to_ticks_rounds_up_and_never_means_forever, setup),
        cmocka_unit_test_setup(test_timer_callbacks_run_in_the_esp_timer_task, setup),
        cmocka_unit_test_setup(test_timer_init_reports_esp_timer_create_failure, setup),
        cmocka_unit_test_setup(test_arm_once_starts_a_one_shot_of_the_delay_in_microseconds, setup),
        cmocka_unit_test_setup(test_each_timer_id_fires_on_its_own_with_its_id, setup),
        cmocka_unit_test_setup(test_expiry_posts_retry_timer_fired_with_the_token, setup),
        cmocka_unit_test_setup(test_arm_once_replaces_the_armed_timer, setup),
        cmocka_unit_test_setup(test_an_expiry_racing_with_a_rearm_is_dropped, setup),
        cmocka_unit_test_setup(test_an_expiry_after_cancel_is_dropped, setup),
        cmocka_unit_test_setup(test_cancel_without_an_armed_timer_is_ok, setup),
        cmocka_unit_test_setup(test_an_expiry_the_full_queue_refuses_is_logged, setup),
        cmocka_unit_test_setup(test_now_ms_is_esp_timer_time_in_milliseconds, setup),
        cmocka_unit_test_setup(test_random_comes_from_esp_random, setup),
        cmocka_unit_test_setup(test_system_info_reports_the_heap_figures, setup),
        cmocka_unit_test_setup(
            test_system_info_reports_stacks_by_task_name_the_largest_block_and_the_reset_reason, setup),
        cmocka_unit_test_setup(test_reset_reasons_have_names, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
