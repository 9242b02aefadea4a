/*
 * freertos_adapter: the RTOS services of the firmware, each a port of the application.
 *
 *   resource lock (resource_lock_port_t)  a FreeRTOS mutex created statically (xSemaphoreCreateMutexStatic),
 *       taken with a timeout (milliseconds rounded up to whole ticks, never "forever"): a timeout is
 *       APP_ERR_LOCK_TIMEOUT for the caller to handle. Task context only (FreeRTOS mutexes are not for ISRs);
 *       give() from the task that took it (a give by any other task is logged and ignored: FreeRTOS itself
 *       would trip an assert).
 *   executor (executor_port_t)  the application task: a statically allocated queue of app_event_t
 *       (xQueueCreateStatic), a backlog for when that queue is full (app_event_backlog_t, under a spinlock)
 *       and a statically allocated task (xTaskCreateStatic) that calls the handler for each event, one at a
 *       time. post() never blocks (xQueueSend with 0 ticks) and is safe from any task (ESP-MQTT's task, the
 *       default event loop's task, the HTTP server's task, the esp_timer task: esp_timer callbacks with
 *       ESP_TIMER_TASK dispatch run in a task); it must not be called from an ISR (nothing in this firmware
 *       posts from one, so there is no FromISR variant). While the queue is full, or the backlog holds
 *       anything, post() adds to the backlog instead, so nothing posted later overtakes what waits there:
 *       a repeated key replaces its older copy (latest wins; app_event_backlog.h), and post() returns false
 *       only when the backlog refuses a new key (counted as lost). The task handles the queue first and
 *       the backlog whenever the queue is empty, and logs one warning per overflow burst (how many events
 *       waited, were coalesced or lost) once the backlog has drained; post() itself never logs. Events
 *       posted before start() wait. The task subscribes itself to the task watchdog (esp_task_wdt_add) when
 *       CONFIG_ESP_TASK_WDT_EN is set, resets it on every turn of its loop and bounds its idle wait so that
 *       an idle task still resets it; without the watchdog (or when esp_task_wdt_add fails) it logs a
 *       warning and runs unwatched. After APP_EVENT_STOP (simulator only; never posted on the device) the
 *       task unsubscribes and deletes itself.
 *   timers + clock + random (timer_port_t)  one
 * esp_timer one-shot timer per app_timer_id_t, dispatched in the esp_timer task; its callback only posts
 * APP_EVENT_TIMER_FIRED with the id and the token given to arm_once(), and drops an expiry that raced with a
 * re-arm or a cancel (checked against the armed deadline under a spinlock), so a stale token is never posted
 * for a newer arming. now_ms() is esp_timer_get_time() / 1000 (monotonic since boot, counts through light
 * sleep); random_u32() is esp_random(). system info (system_info_port_t)  esp_get_free_heap_size() /
 * esp_get_minimum_free_heap_size(); ctx NULL.
 *
 * All storage is in the structs below, which main/ declares static; the queue buffer and the task stack are
 * given by main/ (sized from Kconfig there). The only sdkconfig values read here are the task watchdog's
 * (CONFIG_ESP_TASK_WDT_*), which belong to the system, not to the application. Nothing here allocates,
 * except esp_timer_create() once at init (and esp_task_wdt_add()'s entry for the subscription).
 */
#ifndef FREERTOS_ADAPTER_H
#define FREERTOS_ADAPTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "application/app_event_backlog.h"
#include "application/ports/executor_port.h"
#include "application/ports/resource_lock_port.h"
#include "application/ports/system_info_port.h"
#include "application/ports/timer_port.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "freertos/queue.h"
#include "freertos/semphr.h"
#include "freertos/task.h"

/* ---- resource lock ---- */

typedef struct {
    StaticSemaphore_t storage;
    SemaphoreHandle_t mutex; /* NULL until init succeeds */
} freertos_adapter_lock_t;

extern const resource_lock_port_t freertos_adapter_lock_port;

/* APP_OK, APP_ERR_INVALID_ARG, or APP_ERR_PLATFORM when the mutex could not be created. */
app_err_t freertos_adapter_lock_init(freertos_adapter_lock_t *lock);

/* Milliseconds to FreeRTOS ticks, rounded up (a 1 ms wait is at least one tick), capped below portMAX_DELAY.
 */
TickType_t freertos_adapter_ms_to_ticks(uint32_t ms);

/* ---- executor (the application task) ---- */

/* Bytes of queue storage for a queue of `length` events. */
#define FREERTOS_ADAPTER_QUEUE_BYTES(length) ((size_t)(length) * sizeof(app_event_t))

typedef struct {
    uint8_t *queue_storage; /* FREERTOS_ADAPTER_QUEUE_BYTES(queue_length) bytes, never freed */
    size_t queue_length;    /* events */
    StackType_t *stack;     /* never freed, internal RAM; depth in bytes (ESP-IDF: StackType_t is a byte) */
    uint32_t stack_size;    /* bytes */
    UBaseType_t priority;
    const char *task_name; /* static string */
} freertos_adapter_executor_config_t;

typedef struct {
    freertos_adapter_executor_config_t config;
    StaticQueue_t queue_buffer;
    QueueHandle_t queue; /* NULL until init succeeds */
    StaticTask_t task_buffer;
    TaskHandle_t task; /* NULL until start() succeeds */
    app_event_handler_fn handler;
    void *user_arg;
    portMUX_TYPE backlog_lock;   /* guards backlog between the posting tasks and the application task */
    app_event_backlog_t backlog; /* events posted while the queue was full, and after them */
} freertos_adapter_executor_t;

extern const executor_port_t freertos_adapter_executor_port;

/* Creates the queue (no task yet). APP_ERR_INVALID_ARG for a missing buffer, zero length or stack; or
 * APP_ERR_PLATFORM when the queue could not be created. */
app_err_t freertos_adapter_executor_init(freertos_adapter_executor_t *executor,
                                         const freertos_adapter_executor_config_t *config);

/* Events that went through the backlog since init: accepted, coalesced (an older copy replaced), lost
 * (refused: post() returned false). Any task. */
app_event_backlog_stats_t freertos_adapter_executor_stats(freertos_adapter_executor_t *executor);

/* ---- timers, clock, random ---- */

struct freertos_adapter_timer;

typedef struct {
    struct freertos_adapter_timer *owner;
    app_timer_id_t id;
    esp_timer_handle_t timer; /* NULL until init succeeds */
    bool armed;               /* these three: under the owner's spinlock */
    uint32_t token;
    int64_t deadline_us;
} freertos_adapter_timer_slot_t;

typedef struct freertos_adapter_timer {
    const executor_port_t *executor;
    void *executor_ctx;
    portMUX_TYPE
        lock; /* guards the slots' armed/token/deadline between the application and esp_timer tasks */
    freertos_adapter_timer_slot_t slots[APP_TIMER_COUNT];
} freertos_adapter_timer_t;

extern const timer_port_t freertos_adapter_timer_port;

/* Creates one esp_timer per app_timer_id_t. APP_ERR_INVALID_ARG, APP_ERR_NO_MEMORY or APP_ERR_PLATFORM. */
app_err_t freertos_adapter_timer_init(freertos_adapter_timer_t *timer, const executor_port_t *executor,
                                      void *executor_ctx);

/* ---- system info (ctx unused: pass NULL) ---- */

/* The application task's name (main/ creates it with this name; system info finds it by it). */
#define FREERTOS_ADAPTER_APP_TASK_NAME "irrigation_app"

/* esp_reset_reason() as text for /status ("power_on", "panic", "task_watchdog", "brownout", ...). */
const char *freertos_adapter_reset_reason_to_str(int reason);

extern const system_info_port_t freertos_adapter_system_info_port;

#endif /* FREERTOS_ADAPTER_H */
