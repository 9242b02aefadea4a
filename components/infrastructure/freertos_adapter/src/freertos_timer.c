/* The application's timers (one esp_timer one-shot each), the monotonic clock and the random source (see
 * freertos_adapter.h). */
#include <string.h>

#include "esp_err.h"
#include "esp_log.h"
#include "esp_random.h"
#include "freertos_adapter.h"

static const char *TAG = "app_timer";

/* Runs on the esp_timer task: decide under the spinlock whether this expiry is the current arming's, then
 * post outside it (never block, never call a port with the spinlock held). */
static void freertos_timer_expired(void *arg)
{
    freertos_adapter_timer_slot_t *slot = arg;
    freertos_adapter_timer_t *timer = slot->owner;
    int64_t now_us = esp_timer_get_time();
    bool current;
    app_event_t event;

    memset(&event, 0, sizeof(event));
    portENTER_CRITICAL(&timer->lock);
    /* An expiry that ran while arm_once() re-armed (its deadline is later) or after cancel() is dropped. */
    current = slot->armed && now_us >= slot->deadline_us;
    if (current) {
        slot->armed = false;
        event.token = slot->token;
    }
    portEXIT_CRITICAL(&timer->lock);
    if (!current) {
        return;
    }
    event.kind = APP_EVENT_TIMER_FIRED;
    event.timer = slot->id;
    if (!timer->executor->post(timer->executor_ctx, &event)) {
        ESP_LOGE(TAG, "application queue full: %s timer expiry (token %u) lost",
                 app_timer_id_to_str(slot->id), (unsigned)event.token);
    }
}

static freertos_adapter_timer_slot_t *slot_of(void *ctx, app_timer_id_t id)
{
    freertos_adapter_timer_t *timer = ctx;
    if (timer == NULL || (unsigned)id >= (unsigned)APP_TIMER_COUNT || timer->slots[id].timer == NULL) {
        return NULL;
    }
    return &timer->slots[id];
}

static app_err_t freertos_timer_cancel(void *ctx, app_timer_id_t id)
{
    freertos_adapter_timer_slot_t *slot = slot_of(ctx, id);
    if (slot == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    portENTER_CRITICAL(&slot->owner->lock);
    slot->armed = false;
    portEXIT_CRITICAL(&slot->owner->lock);
    esp_err_t err = esp_timer_stop(slot->timer);
    /* ESP_ERR_INVALID_STATE: it was not running, which is what cancel() wants. */
    if (err != ESP_OK && err != ESP_ERR_INVALID_STATE) {
        ESP_LOGE(TAG, "esp_timer_stop failed: %s", esp_err_to_name(err));
        return APP_ERR_PLATFORM;
    }
    return APP_OK;
}

static app_err_t freertos_timer_arm_once(void *ctx, app_timer_id_t id, uint32_t delay_ms, uint32_t token)
{
    uint64_t timeout_us = (uint64_t)delay_ms * 1000u;
    /* Replaces any armed timer: esp_timer_start_once refuses a running one. */
    app_err_t status = freertos_timer_cancel(ctx, id);
    if (status != APP_OK) {
        return status;
    }
    freertos_adapter_timer_slot_t *slot = slot_of(ctx, id);
    portENTER_CRITICAL(&slot->owner->lock);
    slot->armed = true;
    slot->token = token;
    /* esp_timer counts from inside esp_timer_start_once, later than this: the real expiry is never before
     * the deadline kept here. */
    slot->deadline_us = esp_timer_get_time() + (int64_t)timeout_us;
    portEXIT_CRITICAL(&slot->owner->lock);
    esp_err_t err = esp_timer_start_once(slot->timer, timeout_us);
    if (err != ESP_OK) {
        portENTER_CRITICAL(&slot->owner->lock);
        slot->armed = false;
        portEXIT_CRITICAL(&slot->owner->lock);
        ESP_LOGE(TAG, "esp_timer_start_once(%u ms) failed: %s", (unsigned)delay_ms, esp_err_to_name(err));
        return APP_ERR_PLATFORM;
    }
    return APP_OK;
}

static uint64_t freertos_timer_now_ms(void *ctx)
{
    (void)ctx;
    return (uint64_t)(esp_timer_get_time() / 1000);
}

static uint32_t freertos_timer_random_u32(void *ctx)
{
    (void)ctx;
    return esp_random();
}

const timer_port_t freertos_adapter_timer_port = {
    .arm_once = freertos_timer_arm_once,
    .cancel = freertos_timer_cancel,
    .now_ms = freertos_timer_now_ms,
    .random_u32 = freertos_timer_random_u32,
};

app_err_t freertos_adapter_timer_init(freertos_adapter_timer_t *timer, const executor_port_t *executor,
                                      void *executor_ctx)
{
    if (timer == NULL || executor == NULL || executor->post == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    memset(timer, 0, sizeof(*timer));
    timer->executor = executor;
    timer->executor_ctx = executor_ctx;
    timer->lock = (portMUX_TYPE)portMUX_INITIALIZER_UNLOCKED;

    for (int i = 0; i < APP_TIMER_COUNT; i++) {
        freertos_adapter_timer_slot_t *slot = &timer->slots[i];
        slot->owner = timer;
        slot->id = (app_timer_id_t)i;
        esp_timer_create_args_t args;
        memset(&args, 0, sizeof(args));
        args.callback = freertos_timer_expired;
        args.arg = slot;
        args.dispatch_method = ESP_TIMER_TASK;
        args.name = app_timer_id_to_str(slot->id); /* a static string */
        esp_err_t err = esp_timer_create(&args, &slot->timer);
        if (err != ESP_OK) {
            slot->timer = NULL;
            ESP_LOGE(TAG, "esp_timer_create(%s) failed: %s", args.name, esp_err_to_name(err));
            return err == ESP_ERR_NO_MEM ? APP_ERR_NO_MEMORY : APP_ERR_PLATFORM;
        }
    }
    return APP_OK;
}
