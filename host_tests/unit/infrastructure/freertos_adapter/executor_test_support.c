/* See executor_test_support.h. */
#include "executor_test_support.h"

#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "fake_esp_log.h"
#include "fake_esp_task_wdt.h"
#include "fake_freertos.h"

freertos_adapter_executor_t executor_test_executor;
StackType_t executor_test_stack[EXECUTOR_TEST_STACK_BYTES];
app_event_t executor_test_handled[EXECUTOR_TEST_MAX_HANDLED];
size_t executor_test_handled_count;
static uint8_t s_queue_storage[FREERTOS_ADAPTER_QUEUE_BYTES(EXECUTOR_TEST_QUEUE_LENGTH)];

int executor_test_setup(void **state)
{
    (void)state;
    fake_freertos_reset();
    fake_esp_log_reset();
    fake_esp_log_set_echo(0);
    fake_esp_task_wdt_reset();
    memset(executor_test_handled, 0, sizeof(executor_test_handled));
    executor_test_handled_count = 0;
    return 0;
}

freertos_adapter_executor_config_t executor_test_config(void)
{
    freertos_adapter_executor_config_t config = {
        .queue_storage = s_queue_storage,
        .queue_length = EXECUTOR_TEST_QUEUE_LENGTH,
        .stack = executor_test_stack,
        .stack_size = EXECUTOR_TEST_STACK_BYTES,
        .priority = 4,
        .task_name = "app",
    };
    return config;
}

void executor_test_init(void)
{
    freertos_adapter_executor_config_t config = executor_test_config();
    assert_int_equal(freertos_adapter_executor_init(&executor_test_executor, &config), APP_OK);
}

app_event_t executor_test_event(app_event_kind_t kind)
{
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = kind;
    return event;
}

bool executor_test_post(app_event_t event)
{
    return freertos_adapter_executor_port.post(&executor_test_executor, &event);
}

bool executor_test_post_kind(app_event_kind_t kind)
{
    return executor_test_post(executor_test_event(kind));
}

void executor_test_fill_queue(void)
{
    for (uint32_t i = 0; i < EXECUTOR_TEST_QUEUE_LENGTH; i++) {
        app_event_t filler = executor_test_event(APP_EVENT_HTTP_STARTED);
        filler.token = i;
        assert_true(executor_test_post(filler));
    }
    assert_int_equal(uxQueueMessagesWaiting(executor_test_executor.queue), EXECUTOR_TEST_QUEUE_LENGTH);
}

static void record_event(const app_event_t *event, void *user_arg)
{
    (void)user_arg;
    assert_true(executor_test_handled_count < EXECUTOR_TEST_MAX_HANDLED);
    executor_test_handled[executor_test_handled_count++] = *event;
}

void executor_test_start_and_run(void)
{
    assert_int_equal(freertos_adapter_executor_port.start(&executor_test_executor, record_event, NULL),
                     APP_OK);
    fake_freertos_run_task(fake_freertos_task_count() - 1);
}

size_t executor_test_warnings_containing(const char *text)
{
    size_t found = 0;
    for (size_t i = 0; fake_esp_log_line(i) != NULL; i++) {
        const fake_esp_log_line_t *line = fake_esp_log_line(i);
        if (line->level == ESP_LOG_WARN && strstr(line->message, text) != NULL) {
            found++;
        }
    }
    return found;
}
