/*
 * Control and inspection of the FreeRTOS fake (the freertos/ headers). Single-threaded tests only; call
 * fake_freertos_reset() in each test's setup.
 */
#ifndef FAKE_FREERTOS_CONTROL_H
#define FAKE_FREERTOS_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include "freertos/FreeRTOS.h"
#include "freertos/queue.h"
#include "freertos/semphr.h"
#include "freertos/task.h"

#define FAKE_FREERTOS_MAX_QUEUES 4
#define FAKE_FREERTOS_MAX_TASKS  4
/* Receive timeouts after which the fake aborts the test: a task polling a queue nothing fills. */
#define FAKE_FREERTOS_MAX_RECEIVE_TIMEOUTS 1000

void fake_freertos_reset(void);

/* Mutex: the next creation fails (returns NULL) when set. */
void fake_freertos_fail_next_mutex_create(void);
/* What xSemaphoreTake returns (pdTRUE by default) and what it was last given. */
void fake_freertos_set_take_result(BaseType_t result);
TickType_t fake_freertos_last_take_ticks(void);
int fake_freertos_take_count(void);
int fake_freertos_give_count(void);
/* Takes that succeeded minus gives: 1 while held. */
int fake_freertos_mutex_held(void);

/* Queues: the next creation fails when set; the ticks of the last xQueueSend on any queue. */
void fake_freertos_fail_next_queue_create(void);
TickType_t fake_freertos_last_send_ticks(void);
int fake_freertos_send_count(void);

/* Tasks created with xTaskCreateStatic, in creation order. */
typedef struct {
    TaskFunction_t function;
    const char *name;
    uint32_t stack_depth;
    void *parameters;
    UBaseType_t priority;
    StackType_t *stack;
    StaticTask_t *buffer;
    bool deleted;
    eTaskState state; /* what eTaskGetState answers until deleted (eBlocked unless the test sets it) */
    uint32_t
        high_water; /* what uxTaskGetStackHighWaterMark answers; the whole stack until the test sets it */
} fake_freertos_task_t;

/* Sets what eTaskGetState answers for the index-th task created (until it is deleted). */
void fake_freertos_set_task_state(size_t index, eTaskState state);
/* Sets the stack high-water mark of the index-th task created. */
void fake_freertos_set_high_water(size_t index, uint32_t bytes);

void fake_freertos_fail_next_task_create(void);
size_t fake_freertos_task_count(void);
const fake_freertos_task_t *fake_freertos_task(size_t index);
/* Runs the index-th task's function on the calling thread until it returns, as that task (its handle is
 * the current task meanwhile). */
void fake_freertos_run_task(size_t index);
TaskHandle_t fake_freertos_task_handle(size_t index);

/* xQueueReceive with ticks on an empty queue: the hook runs (NULL = none), standing for the other tasks
 * while the caller is blocked; then the queue is looked at once more. Counted: receives that would have
 * blocked, and those that found nothing after the hook (timed out). The ticks of the last receive. */
void fake_freertos_set_receive_hook(void (*hook)(void *arg), void *arg);
int fake_freertos_blocking_receives(void);
int fake_freertos_receive_timeouts(void);
TickType_t fake_freertos_last_receive_ticks(void);
/* xQueueSend on a full queue runs this hook (NULL = none) before returning errQUEUE_FULL: what other tasks
 * did while the sender was between that failure and its next step. */
void fake_freertos_set_send_full_hook(void (*hook)(void *arg), void *arg);

/* vTaskDelay: calls made, ticks asked in total, and a hook run on each call (NULL = none). */
int fake_freertos_delay_count(void);
TickType_t fake_freertos_delayed_ticks(void);
void fake_freertos_set_delay_hook(void (*hook)(void *arg), void *arg);

/* The task the calling code runs as (xTaskGetCurrentTaskHandle, mutex holders); NULL = the default one.
 * Any distinct pointer value works as a task identity, e.g. the address of a local. */
void fake_freertos_set_current_task(TaskHandle_t task);
/* xSemaphoreGive calls by a task that did not hold the mutex (FreeRTOS asserts on them). */
int fake_freertos_foreign_gives(void);

/* Critical sections entered and not yet left, over all spinlocks. */
int fake_freertos_critical_nesting(void);

#endif
