/*
 * power_adapter: reference-counted low-power requests (see the header).
 */
#include "power_adapter.h"

#include <stdatomic.h>
#include <stddef.h>

#include "esp_log.h"
#include "esp_wifi.h"
#include "sdkconfig.h"
#if CONFIG_PM_ENABLE
#include "esp_pm.h"
#endif

static const char *TAG = "power_adapter";

static power_adapter_config_t s_config;
static atomic_uint s_requests;

#if CONFIG_PM_ENABLE
/*
 * Awake: min = max, light sleep off: the CPU stays at its default frequency, which is what ESP-IDF runs at
 * before anyone calls esp_pm_configure (without CONFIG_PM_DFS_INIT_AUTO every PM mode is set to the default
 * frequency), so releasing returns exactly to the start-up state instead of leaving frequency scaling on.
 * Waiting: min = the configured minimum (XTAL) and automatic light sleep.
 */
static esp_err_t configure_pm(bool low)
{
    const esp_pm_config_t pm = {
        .max_freq_mhz = s_config.max_freq_mhz,
        .min_freq_mhz = low ? s_config.min_freq_mhz : s_config.max_freq_mhz,
        .light_sleep_enable = low,
    };
    return esp_pm_configure(&pm);
}
#endif

/* Applies the mode for "low" (true = waiting). APP_OK or APP_ERR_PLATFORM (logged). */
static app_err_t apply_mode(bool low)
{
    app_err_t result = APP_OK;
    wifi_ps_type_t ps = low ? WIFI_PS_MAX_MODEM : WIFI_PS_MIN_MODEM;
    esp_err_t err = esp_wifi_set_ps(ps);
    if (err != ESP_OK) {
        ESP_LOGW(TAG, "esp_wifi_set_ps(%d): %s (0x%x)", (int)ps, esp_err_to_name(err), err);
        result = APP_ERR_PLATFORM;
    }
#if CONFIG_PM_ENABLE
    err = configure_pm(low);
    if (err != ESP_OK) {
        /* ESP_ERR_NOT_SUPPORTED: light sleep needs CONFIG_FREERTOS_USE_TICKLESS_IDLE. Modem sleep still
         * applies. */
        ESP_LOGW(TAG, "esp_pm_configure(light sleep %s): %s (0x%x)", low ? "on" : "off", esp_err_to_name(err),
                 err);
        result = APP_ERR_PLATFORM;
    }
#endif
    return result;
}

/* Applies the mode the count asks for until the count stays the same across the application, so that a
 * request and a release racing on two tasks cannot leave the wrong mode behind. */
static app_err_t settle(void)
{
    app_err_t result;
    bool low;
    do {
        low = atomic_load(&s_requests) > 0;
        result = apply_mode(low);
    } while ((atomic_load(&s_requests) > 0) != low);
    return result;
}

static app_err_t request_low_power(void *ctx)
{
    power_adapter_client_t *client = ctx;
    if (client == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    if (atomic_exchange(&client->requested, true)) {
        return APP_OK; /* this client already holds a request */
    }
    if (atomic_fetch_add(&s_requests, 1u) != 0) {
        return APP_OK; /* another client already put the device in low power */
    }
    ESP_LOGI(TAG, "low power on (%s)", client->name != NULL ? client->name : "?");
    return settle();
}

static app_err_t release_low_power(void *ctx)
{
    power_adapter_client_t *client = ctx;
    if (client == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    if (!atomic_exchange(&client->requested, false)) {
        return APP_OK; /* nothing held */
    }
    if (atomic_fetch_sub(&s_requests, 1u) != 1) {
        return APP_OK; /* another client still waits */
    }
    ESP_LOGI(TAG, "low power off (%s)", client->name != NULL ? client->name : "?");
    return settle();
}

static const power_port_t s_port = {
    .request_low_power = request_low_power,
    .release_low_power = release_low_power,
};

esp_err_t power_adapter_init(const power_adapter_config_t *config)
{
    if (config == NULL || config->min_freq_mhz <= 0 || config->max_freq_mhz < config->min_freq_mhz) {
        return ESP_ERR_INVALID_ARG;
    }
    s_config = *config;
    atomic_store(&s_requests, 0u);
#if CONFIG_PM_ENABLE
    /* The awake state, explicitly (see configure_pm): no request yet. */
    esp_err_t err = configure_pm(false);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "esp_pm_configure(%d MHz, light sleep off): %s (0x%x)", s_config.max_freq_mhz,
                 esp_err_to_name(err), err);
        return err;
    }
#endif
    return ESP_OK;
}

void power_adapter_client_init(power_adapter_client_t *client, const char *name)
{
    client->name = name;
    atomic_init(&client->requested, false);
}

const power_port_t *power_adapter_port(void)
{
    return &s_port;
}

unsigned power_adapter_active_requests(void)
{
    return atomic_load(&s_requests);
}
