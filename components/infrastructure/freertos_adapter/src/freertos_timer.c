/* The retry timer (esp_timer one-shot), the monotonic clock and the random source (see freertos_adapter.h).
 */
#include <string.h>

#include "esp_err.h"
#include "esp_log.h"
#include "esp_random.h"
#include "freertos_adapter.h"

static const char *TAG = "retry_timer";

/* Runs on the esp_timer task: decide under the spinlock whether this expiry is the current arming's, then
 * post outside it (never block, never call a port with the spinlock held). */
static void freertos_timer_expired(void *arg)
{
    freertos_adapter_timer_t *timer = arg;
    int64_t now_us = esp_timer_get_time();
    bool current;
    app_event_t event;

    memset(&event, 0, sizeof(event));
    portENTER_CRITICAL(&timer->lock);
    /* An expiry that ran while arm_once() re-armed (its deadline is later) or after cancel() is dropped. */
    current = timer->armed && now_us >= timer->deadline_us;
    if (current) {
        timer->armed = false;
        event.token = timer->token;
    }
    portEXIT_CRITICAL(&timer->lock);
    if (!current) {
        return;
    }
    event.kind = APP_EVENT_RETRY_TIMER_FIRED;
    if (!timer->executor->post(timer->executor_ctx, &event)) {
        ESP_LOGE(TAG, "application queue full: retry timer expiry (token %u) lost", (unsigned)event.token);
    }
}

static app_err_t freertos_timer_cancel(void *ctx)
{
    freertos_adapter_timer_t *timer = ctx;
    esp_err_t err;

    if (timer == NULL || timer->timer == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    portENTER_CRITICAL(&timer->lock);
    timer->armed = false;
    portEXIT_CRITICAL(&timer->lock);
    err = esp_timer_stop(timer->timer);
    /* ESP_ERR_INVALID_STATE: it was not running, which is what cancel() wants. */
    if (err != ESP_OK && err != ESP_ERR_INVALID_STATE) {
        ESP_LOGE(TAG, "esp_timer_stop failed: %s", esp_err_to_name(err));
        return APP_ERR_PLATFORM;
    }
    return APP_OK;
}

static app_err_t freertos_timer_arm_once(void *ctx, uint32_t delay_ms, uint32_t token)
{
    freertos_adapter_timer_t *timer = ctx;
    uint64_t timeout_us = (uint64_t)delay_ms * 1000u;
    app_err_t status;
    esp_err_t err;

    /* Replaces any armed timer: esp_timer_start_once refuses a running one. */
    status = freertos_timer_cancel(ctx);
    if (status != APP_OK) {
        return status;
    }
    portENTER_CRITICAL(&timer->lock);
    timer->armed = true;
    timer->token = token;
    /* esp_timer counts from inside esp_timer_start_once, later than this: the real expiry is never before
     * the deadline kept here. */
    timer->deadline_us = esp_timer_get_time() + (int64_t)timeout_us;
    portEXIT_CRITICAL(&timer->lock);
    err = esp_timer_start_once(timer->timer, timeout_us);
    if (err != ESP_OK) {
        portENTER_CRITICAL(&timer->lock);
        timer->armed = false;
        portEXIT_CRITICAL(&timer->lock);
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
    esp_timer_create_args_t args;
    esp_err_t err;

    if (timer == NULL || executor == NULL || executor->post == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    memset(timer, 0, sizeof(*timer));
    timer->executor = executor;
    timer->executor_ctx = executor_ctx;
    timer->lock = (portMUX_TYPE)portMUX_INITIALIZER_UNLOCKED;

    memset(&args, 0, sizeof(args));
    args.callback = freertos_timer_expired;
    args.arg = timer;
    args.dispatch_method = ESP_TIMER_TASK;
    args.name = "retry";
    err = esp_timer_create(&args, &timer->timer);
    if (err != ESP_OK) {
        timer->timer = NULL;
        ESP_LOGE(TAG, "esp_timer_create failed: %s", esp_err_to_name(err));
        return err == ESP_ERR_NO_MEM ? APP_ERR_NO_MEMORY : APP_ERR_PLATFORM;
    }
    return APP_OK;
}
