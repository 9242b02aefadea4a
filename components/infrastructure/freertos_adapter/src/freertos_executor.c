/* The application task: a static queue of app_event_t and a static task (see freertos_adapter.h). */
#include <string.h>

#include "esp_log.h"
#include "freertos_adapter.h"

static const char *TAG = "app_task";

static void freertos_executor_task(void *arg)
{
    freertos_adapter_executor_t *executor = arg;
    app_event_t event;

    for (;;) {
        /* portMAX_DELAY blocks until an event arrives (INCLUDE_vTaskSuspend is 1 in ESP-IDF). */
        if (xQueueReceive(executor->queue, &event, portMAX_DELAY) != pdTRUE) {
            continue;
        }
        executor->handler(&event, executor->user_arg);
        if (event.kind == APP_EVENT_STOP) {
            break;
        }
    }
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

static bool freertos_executor_post(void *ctx, const app_event_t *event)
{
    freertos_adapter_executor_t *executor = ctx;
    if (executor == NULL || executor->queue == NULL || event == NULL) {
        return false;
    }
    /* 0 ticks: a caller on the MQTT, event-loop, HTTP or esp_timer task never waits for the application. */
    if (xQueueSend(executor->queue, event, 0) != pdTRUE) {
        atomic_fetch_add(&executor->refused, 1u);
        return false;
    }
    return true;
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
    atomic_init(&executor->refused, 0u);
    executor->queue = xQueueCreateStatic((UBaseType_t)config->queue_length, (UBaseType_t)sizeof(app_event_t),
                                         config->queue_storage, &executor->queue_buffer);
    if (executor->queue == NULL) {
        ESP_LOGE(TAG, "xQueueCreateStatic failed");
        return APP_ERR_PLATFORM;
    }
    return APP_OK;
}
