/*
 * freertos_adapter executor against the FreeRTOS, esp_log and esp_task_wdt fakes: the non-blocking post,
 * the backlog behind a full queue (nothing lost, nothing overtaken, latest value wins), the wake that a
 * post racing with the task owes it, one warning per overflow burst, and the task watchdog.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "event_scenarios.h"
#include "executor_test_support.h"
#include "fake_esp_log.h"
#include "fake_esp_task_wdt.h"
#include "fake_freertos.h"

#define EXECUTOR   executor_test_executor
#define HANDLED    executor_test_handled
#define N_HANDLED  executor_test_handled_count
#define QUEUE_LEN  EXECUTOR_TEST_QUEUE_LENGTH
#define setup      executor_test_setup
#define post       executor_test_post
#define post_kind  executor_test_post_kind
#define make       executor_test_event
#define fill_queue executor_test_fill_queue

#define with_code   event_scenarios_with_code
#define published   event_scenarios_published
#define timer_fired event_scenarios_timer_fired

/* The fillers of fill_queue() come first, in order. */
static void assert_fillers_first(void)
{
    assert_true(N_HANDLED >= QUEUE_LEN);
    for (uint32_t i = 0; i < QUEUE_LEN; i++) {
        assert_int_equal(HANDLED[i].kind, APP_EVENT_HTTP_STARTED);
        assert_int_equal(HANDLED[i].token, i);
    }
}

static void ignore_event(const app_event_t *event, void *user_arg)
{
    (void)event;
    (void)user_arg;
}

/* Makes room for one event, as the application task does by receiving one. */
static void receive_one(void)
{
    app_event_t e;
    assert_int_equal(xQueueReceive(EXECUTOR.queue, &e, 0), pdTRUE);
}

/* ---- init, start, post ---- */

static void test_init_rejects_a_zero_length_queue(void **state)
{
    (void)state;
    freertos_adapter_executor_config_t config = executor_test_config();
    config.queue_length = 0;
    assert_int_equal(freertos_adapter_executor_init(&EXECUTOR, &config), APP_ERR_INVALID_ARG);
}

static void test_init_reports_a_queue_that_could_not_be_created(void **state)
{
    (void)state;
    freertos_adapter_executor_config_t config = executor_test_config();
    fake_freertos_fail_next_queue_create();
    assert_int_equal(freertos_adapter_executor_init(&EXECUTOR, &config), APP_ERR_PLATFORM);
}

static void test_post_never_blocks(void **state)
{
    (void)state;
    executor_test_init();
    assert_true(post_kind(APP_EVENT_HTTP_STARTED));
    assert_int_equal(fake_freertos_send_count(), 1);
    assert_int_equal(fake_freertos_last_send_ticks(), 0);
}

static void test_start_creates_the_application_task_from_static_storage(void **state)
{
    (void)state;
    executor_test_init();
    assert_int_equal(freertos_adapter_executor_port.start(&EXECUTOR, ignore_event, NULL), APP_OK);
    assert_int_equal(fake_freertos_task_count(), 1);
    const fake_freertos_task_t *task = fake_freertos_task(0);
    assert_string_equal(task->name, "app");
    assert_int_equal(task->stack_depth, EXECUTOR_TEST_STACK_BYTES);
    assert_ptr_equal(task->stack, executor_test_stack);
    assert_ptr_equal(task->buffer, &EXECUTOR.task_buffer);
    assert_int_equal(task->priority, 4);
}

static void test_start_twice_is_refused(void **state)
{
    (void)state;
    executor_test_init();
    assert_int_equal(freertos_adapter_executor_port.start(&EXECUTOR, ignore_event, NULL), APP_OK);
    assert_int_equal(freertos_adapter_executor_port.start(&EXECUTOR, ignore_event, NULL),
                     APP_ERR_INVALID_ARG);
    assert_int_equal(fake_freertos_task_count(), 1);
}

static void test_start_reports_a_task_that_could_not_be_created(void **state)
{
    (void)state;
    executor_test_init();
    fake_freertos_fail_next_task_create();
    assert_int_equal(freertos_adapter_executor_port.start(&EXECUTOR, ignore_event, NULL), APP_ERR_PLATFORM);
}

static void test_the_task_handles_events_posted_before_start_in_order(void **state)
{
    (void)state;
    executor_test_init();
    assert_true(post_kind(APP_EVENT_WIFI_GOT_IP));
    assert_true(post(timer_fired(APP_TIMER_CONNECTION, 9)));
    assert_true(post_kind(APP_EVENT_STOP));
    executor_test_start_and_run();
    assert_int_equal(N_HANDLED, 3);
    assert_int_equal(HANDLED[0].kind, APP_EVENT_WIFI_GOT_IP);
    assert_int_equal(HANDLED[1].kind, APP_EVENT_TIMER_FIRED);
    assert_int_equal(HANDLED[1].token, 9);
    assert_int_equal(HANDLED[2].kind, APP_EVENT_STOP);
}

static void test_the_task_deletes_itself_after_stop(void **state)
{
    (void)state;
    executor_test_init();
    assert_true(post_kind(APP_EVENT_STOP));
    assert_true(post_kind(APP_EVENT_HTTP_STARTED));
    executor_test_start_and_run();
    assert_true(fake_freertos_task(0)->deleted);
    assert_int_equal(N_HANDLED, 1); /* nothing after STOP */
}

/* ---- a full queue ---- */

/* Posts the scenario beyond a full queue and STOP after it, runs the task, checks what it handled. */
static void run_scenario_beyond_a_full_queue(event_scenarios_t scenario)
{
    executor_test_init();
    fill_queue();
    for (size_t i = 0; i < scenario.post_count; i++) {
        assert_true(post(scenario.posts[i]));
    }
    assert_true(post_kind(APP_EVENT_STOP));
    assert_int_equal(fake_freertos_last_send_ticks(), 0); /* still never blocking */
    executor_test_start_and_run();
    assert_int_equal(N_HANDLED, QUEUE_LEN + scenario.handled_count + 1);
    assert_fillers_first();
    event_scenarios_assert_handled(&scenario, &HANDLED[QUEUE_LEN]);
    assert_int_equal(HANDLED[N_HANDLED - 1].kind, APP_EVENT_STOP);
    app_event_backlog_stats_t stats = freertos_adapter_executor_stats(&EXECUTOR);
    assert_int_equal(stats.coalesced, scenario.coalesced);
    assert_int_equal(stats.lost, 0);
    assert_int_equal(fake_freertos_critical_nesting(), 0); /* every spinlock section was left */
}

static void test_outcomes_posted_beyond_a_full_queue_are_all_handled_in_order(void **state)
{
    (void)state;
    run_scenario_beyond_a_full_queue(event_scenarios_outcomes());
}

static void test_the_latest_value_of_each_key_is_handled_in_the_position_of_its_last_post(void **state)
{
    (void)state;
    run_scenario_beyond_a_full_queue(event_scenarios_latest_wins());
}

static void test_a_post_after_the_queue_has_room_again_does_not_overtake_the_backlog(void **state)
{
    (void)state;
    executor_test_init();
    fill_queue();
    assert_true(post_kind(APP_EVENT_MQTT_DISCONNECTED)); /* backlog */
    receive_one();                                       /* the queue has room again */
    assert_true(post_kind(APP_EVENT_MQTT_CONNECTED));    /* must wait behind DISCONNECTED */
    assert_int_equal(app_event_backlog_count(&EXECUTOR.backlog), 2);
    assert_true(post_kind(APP_EVENT_STOP));
    executor_test_start_and_run();
    assert_int_equal(N_HANDLED, QUEUE_LEN - 1 + 3);
    const app_event_t *after = &HANDLED[QUEUE_LEN - 1];
    assert_int_equal(after[0].kind, APP_EVENT_MQTT_DISCONNECTED);
    assert_int_equal(after[1].kind, APP_EVENT_MQTT_CONNECTED);
    assert_int_equal(after[2].kind, APP_EVENT_STOP);
}

static void test_once_the_backlog_has_drained_posts_use_the_queue_again(void **state)
{
    (void)state;
    executor_test_init();
    fill_queue();
    assert_true(post_kind(APP_EVENT_MQTT_DISCONNECTED));
    assert_true(post_kind(APP_EVENT_STOP));
    executor_test_start_and_run();
    assert_int_equal(app_event_backlog_count(&EXECUTOR.backlog), 0);
    assert_true(post_kind(APP_EVENT_MQTT_CONNECTED));
    assert_int_equal(uxQueueMessagesWaiting(EXECUTOR.queue), 1);
    assert_int_equal(app_event_backlog_count(&EXECUTOR.backlog), 0);
}

static void drain_the_queue_once(void *arg)
{
    (void)arg;
    /* The application task empties the queue between the failed send and the add to the backlog, then
     * finds the backlog empty and blocks. */
    app_event_t e;
    while (xQueueReceive(EXECUTOR.queue, &e, 0) == pdTRUE) {
    }
    fake_freertos_set_send_full_hook(NULL, NULL);
}

static void test_a_post_racing_with_the_draining_task_still_wakes_it(void **state)
{
    (void)state;
    executor_test_init();
    fill_queue();
    fake_freertos_set_send_full_hook(drain_the_queue_once, NULL);
    assert_true(post_kind(APP_EVENT_MQTT_DISCONNECTED));
    assert_int_equal(app_event_backlog_count(&EXECUTOR.backlog), 1);
    /* A wake-only item in the queue: the blocked task returns from xQueueReceive. */
    assert_int_equal(uxQueueMessagesWaiting(EXECUTOR.queue), 1);
    assert_true(post_kind(APP_EVENT_STOP));
    executor_test_start_and_run();
    /* The wake item itself never reaches the handler. */
    assert_int_equal(N_HANDLED, 2);
    assert_int_equal(HANDLED[0].kind, APP_EVENT_MQTT_DISCONNECTED);
    assert_int_equal(HANDLED[1].kind, APP_EVENT_STOP);
}

static void test_only_the_post_that_starts_a_backlog_sends_a_wake(void **state)
{
    (void)state;
    executor_test_init();
    fill_queue();
    assert_true(post_kind(APP_EVENT_MQTT_DISCONNECTED)); /* wake attempted, queue full */
    receive_one();
    assert_true(post_kind(APP_EVENT_MQTT_CONNECTED)); /* backlog not empty: no wake */
    assert_int_equal(uxQueueMessagesWaiting(EXECUTOR.queue), QUEUE_LEN - 1);
}

static void fill_the_backlog_with_message_ids(void)
{
    for (size_t i = 0; i < APP_EVENT_BACKLOG_SIZE; i++) {
        assert_true(post(published((int32_t)i)));
    }
}

static void post_stop_when_idle(void *arg)
{
    (void)arg;
    assert_true(post_kind(APP_EVENT_STOP));
}

static void test_post_returns_false_only_when_the_backlog_refuses_and_counts_the_loss(void **state)
{
    (void)state;
    executor_test_init();
    fill_queue();
    fill_the_backlog_with_message_ids();
    assert_false(post_kind(APP_EVENT_MQTT_DISCONNECTED));
    assert_true(post(published(0))); /* a stored key is still replaced */
    app_event_backlog_stats_t stats = freertos_adapter_executor_stats(&EXECUTOR);
    assert_int_equal(stats.lost, 1);
    assert_int_equal(stats.coalesced, 1);
    assert_int_equal(fake_esp_log_count(), 0); /* post() never logs */
    fake_freertos_set_receive_hook(post_stop_when_idle, NULL);
    executor_test_start_and_run();
    assert_int_equal(N_HANDLED, QUEUE_LEN + APP_EVENT_BACKLOG_SIZE + 1);
    assert_int_equal(HANDLED[N_HANDLED - 2].msg_id, 0); /* the replaced one, last */
    assert_int_equal(executor_test_warnings_containing("1 lost"), 1);
}

static void test_one_warning_per_burst_once_the_backlog_has_drained(void **state)
{
    (void)state;
    executor_test_init();
    fill_queue();
    assert_true(post_kind(APP_EVENT_MQTT_CONNECTED));
    assert_true(post_kind(APP_EVENT_MQTT_DISCONNECTED));
    assert_true(post_kind(APP_EVENT_MQTT_CONNECTED));
    assert_true(post_kind(APP_EVENT_STOP));
    assert_int_equal(fake_esp_log_count(), 0);
    executor_test_start_and_run();
    assert_int_equal(executor_test_warnings_containing("application queue was full"), 1);
    assert_int_equal(
        executor_test_warnings_containing("4 events went to the backlog (1 replaced an older copy), 0 lost"),
        1);
}

static void test_no_warning_without_an_overflow(void **state)
{
    (void)state;
    executor_test_init();
    assert_true(post_kind(APP_EVENT_MQTT_CONNECTED));
    assert_true(post_kind(APP_EVENT_STOP));
    executor_test_start_and_run();
    assert_int_equal(executor_test_warnings_containing("queue"), 0);
}

/* ---- task watchdog (CONFIG_ESP_TASK_WDT_INIT, 30 s, as sdkconfig.defaults) ---- */

static void test_the_task_subscribes_to_the_watchdog_and_resets_it_every_turn(void **state)
{
    (void)state;
    executor_test_init();
    assert_true(post_kind(APP_EVENT_WIFI_STARTED));
    assert_true(post_kind(APP_EVENT_HTTP_STARTED));
    assert_true(post_kind(APP_EVENT_STOP));
    executor_test_start_and_run();
    TaskHandle_t task = fake_freertos_task_handle(0);
    assert_int_equal(fake_esp_task_wdt_add_calls(), 1);
    assert_int_equal(fake_esp_task_wdt_resets_of(task), 3); /* one per event */
    assert_int_equal(fake_esp_task_wdt_reset_calls(), 3);
    /* Unsubscribed before vTaskDelete: a deleted subscriber would trip the watchdog. */
    assert_int_equal(fake_esp_task_wdt_delete_calls(), 1);
    assert_false(fake_esp_task_wdt_subscribed(task));
    assert_int_equal(executor_test_warnings_containing("not watched"), 0);
}

static int s_idle_waits;

static void stop_after_three_idle_waits(void *arg)
{
    (void)arg;
    if (++s_idle_waits == 3) {
        assert_true(post_kind(APP_EVENT_STOP));
    }
}

static void
test_an_idle_task_waits_a_third_of_the_watchdog_timeout_and_resets_it_after_each_wait(void **state)
{
    (void)state;
    s_idle_waits = 0;
    executor_test_init();
    fake_freertos_set_receive_hook(stop_after_three_idle_waits, NULL);
    executor_test_start_and_run();
    assert_int_equal(fake_freertos_receive_timeouts(), 2);
    assert_int_equal(fake_freertos_last_receive_ticks(), freertos_adapter_ms_to_ticks(30000 / 3));
    /* Before the first wait and after each of the two timeouts. */
    assert_int_equal(fake_esp_task_wdt_resets_of(fake_freertos_task_handle(0)), 3);
    assert_int_equal(N_HANDLED, 1);
}

static void test_a_watchdog_that_was_never_initialised_leaves_the_task_unwatched_with_a_warning(void **state)
{
    (void)state;
    fake_esp_task_wdt_set_initialised(false); /* CONFIG_ESP_TASK_WDT_INIT=n */
    executor_test_init();
    fake_freertos_set_receive_hook(post_stop_when_idle, NULL);
    executor_test_start_and_run();
    assert_int_equal(fake_esp_task_wdt_add_calls(), 1);
    assert_int_equal(
        executor_test_warnings_containing("not watched: esp_task_wdt_add: ESP_ERR_INVALID_STATE"), 1);
    /* Nothing to reset: each reset would fail (and ESP-IDF would log an error every turn). */
    assert_int_equal(fake_esp_task_wdt_reset_calls(), 0);
    assert_int_equal(fake_esp_task_wdt_delete_calls(), 0);
    /* Unwatched, the idle task blocks until an event arrives. */
    assert_int_equal(fake_freertos_last_receive_ticks(), portMAX_DELAY);
    assert_int_equal(N_HANDLED, 1);
}

static void test_a_subscription_without_memory_is_a_warning_too(void **state)
{
    (void)state;
    fake_esp_task_wdt_fail_next_add(ESP_ERR_NO_MEM);
    executor_test_init();
    assert_true(post_kind(APP_EVENT_STOP));
    executor_test_start_and_run();
    assert_int_equal(executor_test_warnings_containing("ESP_ERR_NO_MEM"), 1);
    assert_int_equal(fake_esp_task_wdt_reset_calls(), 0);
    assert_int_equal(N_HANDLED, 1);
}

#define T(name) cmocka_unit_test_setup(name, setup)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_init_rejects_a_zero_length_queue),
        T(test_init_reports_a_queue_that_could_not_be_created),
        T(test_post_never_blocks),
        T(test_start_creates_the_application_task_from_static_storage),
        T(test_start_twice_is_refused),
        T(test_start_reports_a_task_that_could_not_be_created),
        T(test_the_task_handles_events_posted_before_start_in_order),
        T(test_the_task_deletes_itself_after_stop),
        T(test_outcomes_posted_beyond_a_full_queue_are_all_handled_in_order),
        T(test_the_latest_value_of_each_key_is_handled_in_the_position_of_its_last_post),
        T(test_a_post_after_the_queue_has_room_again_does_not_overtake_the_backlog),
        T(test_once_the_backlog_has_drained_posts_use_the_queue_again),
        T(test_a_post_racing_with_the_draining_task_still_wakes_it),
        T(test_only_the_post_that_starts_a_backlog_sends_a_wake),
        T(test_post_returns_false_only_when_the_backlog_refuses_and_counts_the_loss),
        T(test_one_warning_per_burst_once_the_backlog_has_drained),
        T(test_no_warning_without_an_overflow),
        T(test_the_task_subscribes_to_the_watchdog_and_resets_it_every_turn),
        T(test_an_idle_task_waits_a_third_of_the_watchdog_timeout_and_resets_it_after_each_wait),
        T(test_a_watchdog_that_was_never_initialised_leaves_the_task_unwatched_with_a_warning),
        T(test_a_subscription_without_memory_is_a_warning_too),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
