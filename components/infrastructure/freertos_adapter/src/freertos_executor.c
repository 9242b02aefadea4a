/* The application task: a static queue of app_event_t, its backlog and a static task (see
 * freertos_adapter.h).
 */
#include <string.h>

#include "esp_log.h"
#include "esp_task_wdt.h"
#include "freertos_adapter.h"
#include "sdkconfig.h"

static const char *TAG = "app_task";

/* A queue item that is no event: it only wakes the task (see freertos_executor_post). Never handed on. */
#define WAKE_ONLY_KIND APP_EVENT_COUNT

#if CONFIG_ESP_TASK_WDT_INIT
/* A third of the watchdog timeout: an idle task resets it at least twice per period, and a handler may
 * still take up to two thirds of it. */
#define WATCHED_IDLE_WAIT_MS ((uint32_t)CONFIG_ESP_TASK_WDT_TIMEOUT_S * 1000u / 3u)
#elif CONFIG_ESP_TASK_WDT_EN
/* Not started at boot: only an esp_task_wdt_init() at run time would let the subscription succeed, with a
 * timeout this file cannot know; Kconfig's smallest is 1 s. */
#define WATCHED_IDLE_WAIT_MS 300u
#endif

/* Subscribes the calling task; false (and a warning) when it runs unwatched. */
static bool watchdog_subscribe(void)
{
#if CONFIG_ESP_TASK_WDT_EN
    /* ESP_ERR_INVALID_STATE when the watchdog was never initialised (CONFIG_ESP_TASK_WDT_INIT=n and nobody
     * called esp_task_wdt_init), ESP_ERR_NO_MEM for its entry. Then reset() would fail every turn too. */
    esp_err_t err = esp_task_wdt_add(NULL);
    if (err != ESP_OK) {
        ESP_LOGW(TAG, "not watched: esp_task_wdt_add: %s", esp_err_to_name(err));
        return false;
    }
    return true;
#else
    /* task_wdt.c is not even linked with CONFIG_ESP_TASK_WDT_EN=n: a hung application task goes unnoticed. */
    ESP_LOGW(TAG, "not watched: the task watchdog is disabled (CONFIG_ESP_TASK_WDT_EN)");
    return false;
#endif
}

static void watchdog_reset(bool watched)
{
#if CONFIG_ESP_TASK_WDT_EN
    if (watched) {
        /* Fails only for a task that is not subscribed, which `watched` rules out. */
        (void)esp_task_wdt_reset();
    }
#else
    (void)watched;
#endif
}

static void watchdog_unsubscribe(bool watched)
{
#if CONFIG_ESP_TASK_WDT_EN
    /* A deleted task that stays subscribed would trip the watchdog. */
    if (watched && esp_task_wdt_delete(NULL) != ESP_OK) {
        ESP_LOGW(TAG, "esp_task_wdt_delete failed");
    }
#else
    (void)watched;
#endif
}

static TickType_t idle_wait_ticks(bool watched)
{
#ifdef WATCHED_IDLE_WAIT_MS
    if (watched) {
        return freertos_adapter_ms_to_ticks(WATCHED_IDLE_WAIT_MS);
    }
#else
    (void)watched;
#endif
    return portMAX_DELAY; /* INCLUDE_vTaskSuspend is 1 in ESP-IDF: blocks until an event arrives */
}

static bool receive(freertos_adapter_executor_t *executor, app_event_t *event, TickType_t ticks)
{
    return xQueueReceive(executor->queue, event, ticks) == pdTRUE && event->kind != WAKE_ONLY_KIND;
}

/* One event for the handler: the queue first (whatever it holds was posted before anything now in the
 * backlog, or at the same time by another task), then the backlog, taken under the spinlock and handled
 * outside it; only when both are empty does the task block on the queue. False when the wait ended without an
 * event (timeout, wake-only item). */
static bool next_event(freertos_adapter_executor_t *executor, TickType_t idle_wait, app_event_t *event)
{
    if (receive(executor, event, 0)) {
        return true;
    }
    app_event_backlog_stats_t burst;
    portENTER_CRITICAL(&executor->backlog_lock);
    bool taken = app_event_backlog_take(&executor->backlog, event);
    bool burst_over = app_event_backlog_burst_report(&executor->backlog, &burst);
    portEXIT_CRITICAL(&executor->backlog_lock);
    if (burst_over) {
        ESP_LOGW(
            TAG,
            "application queue was full: %u events went to the backlog (%u replaced an older copy), %u lost",
            (unsigned)burst.accepted, (unsigned)burst.coalesced, (unsigned)burst.lost);
    }
    if (taken) {
        return true;
    }
    return receive(executor, event, idle_wait);
}

static void freertos_executor_task(void *arg)
{
    freertos_adapter_executor_t *executor = arg;
    const bool watched = watchdog_subscribe();
    const TickType_t idle_wait = idle_wait_ticks(watched);
    app_event_t event;

    for (;;) {
        /* Every turn: after each event, and after each idle wait, which is bounded while watched. */
        watchdog_reset(watched);
        if (!next_event(executor, idle_wait, &event)) {
            continue;
        }
        executor->handler(&event, executor->user_arg);
        if (event.kind == APP_EVENT_STOP) {
            break;
        }
    }
    watchdog_unsubscribe(watched);
    ESP_LOGI(TAG, "stopped");
    /* A FreeRTOS task function must not return. */
    vTaskDelete(NULL);
}

static app_err_t freertos_executor_start(void *ctx, app_event_handler_fn handler, void *user_arg)
{
    freertos_adapter_executor_t *executor = ctx;
    if (executor == NULL || executor->queue == NULL || handler == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    if (executor->task != NULL) {
        ESP_LOGE(TAG, "start() called twice");
        return APP_ERR_INVALID_ARG;
    }
    /* Set before the task exists: the task reads them without a lock. */
    executor->handler = handler;
    executor->user_arg = user_arg;
    executor->task = xTaskCreateStatic(freertos_executor_task, executor->config.task_name,
                                       executor->config.stack_size, executor, executor->config.priority,
                                       executor->config.stack, &executor->task_buffer);
    if (executor->task == NULL) {
        ESP_LOGE(TAG, "xTaskCreateStatic failed");
        return APP_ERR_PLATFORM;
    }
    return APP_OK;
}

/* Adds to the backlog; *first is true when the backlog was empty before (the task may be blocked). */
static bool add_to_backlog(freertos_adapter_executor_t *executor, const app_event_t *event, bool *first)
{
    portENTER_CRITICAL(&executor->backlog_lock);
    *first = app_event_backlog_count(&executor->backlog) == 0;
    bool added = app_event_backlog_add(&executor->backlog, event);
    portEXIT_CRITICAL(&executor->backlog_lock);
    return added;
}

/*
 * Why no event waits unseen while the task blocks. The task blocks on the queue only after it found the
 * queue empty and then, under the spinlock, the backlog empty. A post that finds the backlog empty sends
 * to the queue, which wakes the task. A post whose send fails (queue full) and then adds to the backlog
 * cannot do both under the spinlock: ESP-IDF forbids FreeRTOS calls inside a critical section (xQueueSend
 * may yield). In between, the task may drain the whole queue, find the backlog still empty and block. So
 * the post that turns the backlog from empty to non-empty also sends a wake-only item: it either lands (the
 * task wakes and finds the backlog) or the queue is full again (the task has events to receive and looks
 * at the backlog after them). A post that finds the backlog non-empty needs no wake: the task has not yet
 * seen that backlog empty, and a later emptiness is again followed by a first add with its own wake.
 */
static bool freertos_executor_post(void *ctx, const app_event_t *event)
{
    freertos_adapter_executor_t *executor = ctx;
    if (executor == NULL || executor->queue == NULL || event == NULL) {
        return false;
    }
    portENTER_CRITICAL(&executor->backlog_lock);
    bool backlog_empty = app_event_backlog_count(&executor->backlog) == 0;
    portEXIT_CRITICAL(&executor->backlog_lock);
    /* 0 ticks: a caller on the MQTT, event-loop, HTTP or esp_timer task never waits for the application. */
    if (backlog_empty && xQueueSend(executor->queue, event, 0) == pdTRUE) {
        return true;
    }
    bool first = false;
    bool added = add_to_backlog(executor, event, &first);
    if (added && first) {
        app_event_t wake;
        memset(&wake, 0, sizeof(wake));
        wake.kind = WAKE_ONLY_KIND;
        /* A full queue is fine here: see above. */
        (void)xQueueSend(executor->queue, &wake, 0);
    }
    return added;
}

const executor_port_t freertos_adapter_executor_port = {
    .start = freertos_executor_start,
    .post = freertos_executor_post,
};

app_err_t freertos_adapter_executor_init(freertos_adapter_executor_t *executor,
                                         const freertos_adapter_executor_config_t *config)
{
    if (executor == NULL || config == NULL || config->queue_storage == NULL || config->queue_length == 0 ||
        config->stack == NULL || config->stack_size == 0 || config->task_name == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    memset(executor, 0, sizeof(*executor));
    executor->config = *config;
    executor->backlog_lock = (portMUX_TYPE)portMUX_INITIALIZER_UNLOCKED;
    app_event_backlog_init(&executor->backlog);
    executor->queue = xQueueCreateStatic((UBaseType_t)config->queue_length, (UBaseType_t)sizeof(app_event_t),
                                         config->queue_storage, &executor->queue_buffer);
    if (executor->queue == NULL) {
        ESP_LOGE(TAG, "xQueueCreateStatic failed");
        return APP_ERR_PLATFORM;
    }
    return APP_OK;
}

app_event_backlog_stats_t freertos_adapter_executor_stats(freertos_adapter_executor_t *executor)
{
    portENTER_CRITICAL(&executor->backlog_lock);
    app_event_backlog_stats_t stats = app_event_backlog_stats(&executor->backlog);
    portEXIT_CRITICAL(&executor->backlog_lock);
    return stats;
}
