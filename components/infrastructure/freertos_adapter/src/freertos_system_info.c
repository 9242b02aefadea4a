/* Runtime figures for /status (see freertos_adapter.h). */
#include "esp_heap_caps.h"
#include "esp_system.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos_adapter.h"

/* The tasks /status reports, by the names they are created with: the application task (main/main.c), the
 * ESP-MQTT client task (mqtt_client.c creates "mqtt_task") and esp_http_server's (httpd_main.c, "httpd"). */
static const char *const TASK_NAMES[SYSTEM_INFO_TASK_COUNT] = {
    [SYSTEM_INFO_TASK_APP] = FREERTOS_ADAPTER_APP_TASK_NAME,
    [SYSTEM_INFO_TASK_MQTT] = "mqtt_task",
    [SYSTEM_INFO_TASK_HTTP] = "httpd",
};

static uint32_t freertos_system_free_heap_bytes(void *ctx)
{
    (void)ctx;
    return esp_get_free_heap_size();
}

static uint32_t freertos_system_min_free_heap_bytes(void *ctx)
{
    (void)ctx;
    return esp_get_minimum_free_heap_size();
}

const char *freertos_adapter_reset_reason_to_str(int reason)
{
    switch (reason) {
        case ESP_RST_POWERON:
            return "power_on";
        case ESP_RST_EXT:
            return "external_pin";
        case ESP_RST_SW:
            return "software";
        case ESP_RST_PANIC:
            return "panic";
        case ESP_RST_INT_WDT:
            return "interrupt_watchdog";
        case ESP_RST_TASK_WDT:
            return "task_watchdog";
        case ESP_RST_WDT:
            return "other_watchdog";
        case ESP_RST_DEEPSLEEP:
            return "deep_sleep";
        case ESP_RST_BROWNOUT:
            return "brownout";
        case ESP_RST_SDIO:
            return "sdio";
        default:
            return "unknown";
    }
}

static void freertos_system_runtime(void *ctx, system_info_runtime_t *out)
{
    (void)ctx;
    out->largest_free_block = (int64_t)heap_caps_get_largest_free_block(MALLOC_CAP_8BIT);
    for (size_t i = 0; i < SYSTEM_INFO_TASK_COUNT; i++) {
        /* xTaskGetHandle walks the task lists (INCLUDE_xTaskGetHandle is 1 in ESP-IDF's FreeRTOSConfig.h);
         * a task that is not running (MQTT stopped during a wait) is unknown. ESP-IDF's stacks are counted
         * in bytes (StackType_t is uint8_t), so the high-water mark is in bytes. */
        TaskHandle_t task = xTaskGetHandle(TASK_NAMES[i]);
        out->stack_high_water[i] = task != NULL ? (int64_t)uxTaskGetStackHighWaterMark(task) : -1;
    }
    out->reset_reason = freertos_adapter_reset_reason_to_str((int)esp_reset_reason());
}

const system_info_port_t freertos_adapter_system_info_port = {
    .free_heap_bytes = freertos_system_free_heap_bytes,
    .min_free_heap_bytes = freertos_system_min_free_heap_bytes,
    .runtime = freertos_system_runtime,
};
