/* reset_button_adapter: see the header. */
#include "reset_button_adapter.h"

#include <stdbool.h>
#include <string.h>

#include "application/app_event.h"
#include "driver/gpio.h"
#include "esp_log.h"
#include "esp_timer.h"

static const char *TAG = "reset_button";

/* Written by init/deinit on the app_main task while the timer is stopped, read by the timer callback. */
static reset_button_adapter_config_t s_cfg;
static esp_timer_handle_t s_timer;
/* Only the esp_timer task touches these once polling runs. */
static bool s_released_seen;
static bool s_pressed;
static bool s_posted;  /* this press has been turned into one event */
static bool s_refused; /* a refusal was logged for this press */
static int64_t s_pressed_at_us;

static void on_poll(void *arg)
{
    (void)arg;
    const bool low = gpio_get_level((gpio_num_t)s_cfg.gpio) == 0;
    if (!low) {
        s_released_seen = true;
        s_pressed = false;
        return;
    }
    if (!s_released_seen) {
        return;
    }
    const int64_t now_us = esp_timer_get_time();
    if (!s_pressed) {
        s_pressed = true;
        s_posted = false;
        s_refused = false;
        s_pressed_at_us = now_us;
    }
    if (s_posted || now_us - s_pressed_at_us < (int64_t)s_cfg.hold_s * 1000000) {
        return;
    }
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = APP_EVENT_FACTORY_RESET;
    if (s_cfg.executor->post(s_cfg.executor_ctx, &event)) {
        s_posted = true;
        ESP_LOGW(TAG, "button held %u s: factory reset", (unsigned)s_cfg.hold_s);
    } else if (!s_refused) {
        s_refused = true;
        ESP_LOGE(TAG, "application queue full: factory reset not posted yet, retried while held");
    }
}

esp_err_t reset_button_adapter_init(const reset_button_adapter_config_t *cfg)
{
    if (cfg == NULL || cfg->executor == NULL || cfg->executor->post == NULL) {
        ESP_LOGE(TAG, "init: missing executor port");
        return ESP_ERR_INVALID_ARG;
    }
    if (s_timer != NULL) {
        ESP_LOGE(TAG, "init: already running");
        return ESP_ERR_INVALID_STATE;
    }
    if (cfg->gpio < 0) {
        ESP_LOGI(TAG, "no reset button (GPIO %d)", cfg->gpio);
        return ESP_OK;
    }
    if (cfg->hold_s == 0 || cfg->hold_s > RESET_BUTTON_ADAPTER_HOLD_MAX_S || cfg->gpio >= GPIO_NUM_MAX) {
        ESP_LOGE(TAG, "init: GPIO %d, hold %u s: out of range", cfg->gpio, (unsigned)cfg->hold_s);
        return ESP_ERR_INVALID_ARG;
    }
    const gpio_config_t pad = {
        .pin_bit_mask = 1ULL << (unsigned)cfg->gpio,
        .mode = GPIO_MODE_INPUT,
        .pull_up_en = GPIO_PULLUP_ENABLE,
        .pull_down_en = GPIO_PULLDOWN_DISABLE,
        .intr_type = GPIO_INTR_DISABLE,
    };
    esp_err_t err = gpio_config(&pad);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "gpio_config(GPIO %d): %s (0x%x)", cfg->gpio, esp_err_to_name(err), err);
        return err;
    }
    s_cfg = *cfg;
    s_released_seen = false;
    s_pressed = false;
    s_posted = false;
    s_refused = false;
    const esp_timer_create_args_t args = {
        .callback = on_poll,
        .arg = NULL,
        .dispatch_method = ESP_TIMER_TASK,
        .name = "reset_button",
        .skip_unhandled_events = false,
    };
    err = esp_timer_create(&args, &s_timer);
    if (err == ESP_OK) {
        err = esp_timer_start_periodic(s_timer, (uint64_t)RESET_BUTTON_ADAPTER_POLL_MS * 1000u);
        if (err != ESP_OK) {
            (void)esp_timer_delete(s_timer);
        }
    }
    if (err != ESP_OK) {
        s_timer = NULL;
        ESP_LOGE(TAG, "poll timer: %s (0x%x)", esp_err_to_name(err), err);
        return err;
    }
    ESP_LOGI(TAG, "GPIO %d: hold %u s for a factory reset", cfg->gpio, (unsigned)cfg->hold_s);
    return ESP_OK;
}

void reset_button_adapter_deinit(void)
{
    if (s_timer == NULL) {
        return;
    }
    (void)esp_timer_stop(s_timer); /* ESP_ERR_INVALID_STATE when not running: nothing to stop */
    (void)esp_timer_delete(s_timer);
    s_timer = NULL;
}
