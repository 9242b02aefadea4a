/* The shared resource lock on a statically created FreeRTOS mutex (see freertos_adapter.h). */
#include <string.h>

#include "esp_log.h"
#include "freertos_adapter.h"

static const char *TAG = "rtos_lock";

TickType_t freertos_adapter_ms_to_ticks(uint32_t ms)
{
    /* Rounded up: pdMS_TO_TICKS rounds down, so a timeout under one tick (10 ms at 100 Hz) would not wait
     * at all; and computed in 64 bits, where pdMS_TO_TICKS overflows for long timeouts. */
    uint64_t ticks = ((uint64_t)ms * (uint64_t)configTICK_RATE_HZ + 999u) / 1000u;
    if (ticks >= (uint64_t)portMAX_DELAY) {
        ticks = (uint64_t)portMAX_DELAY - 1u; /* portMAX_DELAY would mean "wait forever" */
    }
    return (TickType_t)ticks;
}

static app_err_t freertos_lock_take(void *ctx, uint32_t timeout_ms)
{
    freertos_adapter_lock_t *lock = ctx;
    if (lock == NULL || lock->mutex == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    if (xSemaphoreTake(lock->mutex, freertos_adapter_ms_to_ticks(timeout_ms)) != pdTRUE) {
        return APP_ERR_LOCK_TIMEOUT;
    }
    return APP_OK;
}

static void freertos_lock_give(void *ctx)
{
    freertos_adapter_lock_t *lock = ctx;
    if (lock == NULL || lock->mutex == NULL) {
        return;
    }
    /* Checked before giving: FreeRTOS does not return an error for a give by a task that does not hold the
     * mutex while another task does; it trips configASSERT in xTaskPriorityDisinherit (abort and reboot
     * with assertions on; with them off the holder's mutex count is corrupted). Comparing the holder with
     * the calling task is reliable for this question (FreeRTOS semphr.h). A give of a free mutex would
     * only fail, but is the same caller bug, so it is reported the same way. */
    TaskHandle_t holder = xSemaphoreGetMutexHolder(lock->mutex);
    if (holder != xTaskGetCurrentTaskHandle()) {
        ESP_LOGE(TAG, "give() by a task that does not hold the lock (%s): ignored",
                 holder == NULL ? "not taken" : "held by another task");
        return;
    }
    if (xSemaphoreGive(lock->mutex) != pdTRUE) {
        ESP_LOGE(TAG, "xSemaphoreGive failed");
    }
}

const resource_lock_port_t freertos_adapter_lock_port = {
    .take = freertos_lock_take,
    .give = freertos_lock_give,
};

app_err_t freertos_adapter_lock_init(freertos_adapter_lock_t *lock)
{
    if (lock == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    memset(lock, 0, sizeof(*lock));
    lock->mutex = xSemaphoreCreateMutexStatic(&lock->storage);
    if (lock->mutex == NULL) {
        ESP_LOGE(TAG, "xSemaphoreCreateMutexStatic failed");
        return APP_ERR_PLATFORM;
    }
    return APP_OK;
}
