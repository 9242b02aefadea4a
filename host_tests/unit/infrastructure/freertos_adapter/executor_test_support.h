/*
 * What the freertos_adapter executor tests share: one executor on a QUEUE_LENGTH queue, a handler that
 * records the events it is given, posting helpers and a way to run the application task to its end.
 */
#ifndef EXECUTOR_TEST_SUPPORT_H
#define EXECUTOR_TEST_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "freertos_adapter.h"

#define EXECUTOR_TEST_QUEUE_LENGTH 3
#define EXECUTOR_TEST_STACK_BYTES  4096
#define EXECUTOR_TEST_MAX_HANDLED  64

extern freertos_adapter_executor_t executor_test_executor;
extern StackType_t executor_test_stack[EXECUTOR_TEST_STACK_BYTES];
extern app_event_t executor_test_handled[EXECUTOR_TEST_MAX_HANDLED];
extern size_t executor_test_handled_count;

/* Resets the fakes (FreeRTOS, log, task watchdog) and the record; cmocka setup. */
int executor_test_setup(void **state);
freertos_adapter_executor_config_t executor_test_config(void);
void executor_test_init(void);

app_event_t executor_test_event(app_event_kind_t kind);
/* Posts through the port; the result of post(). */
bool executor_test_post(app_event_t event);
bool executor_test_post_kind(app_event_kind_t kind);
/* Fills the queue with HTTP_STARTED events carrying tokens 0, 1, ... */
void executor_test_fill_queue(void);

/* Starts the executor with the recording handler and runs its task until it returns (after STOP). */
void executor_test_start_and_run(void);

/* Log lines at level WARN whose message contains text. */
size_t executor_test_warnings_containing(const char *text);

#endif
