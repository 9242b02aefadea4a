/* esp_pm fake: records the accepted configuration. */
#include <string.h>

#include "esp_pm.h"
#include "fake_esp_pm.h"

static esp_pm_config_t s_current;
static size_t s_calls;
static esp_err_t s_light_sleep_error;
static esp_err_t s_next_error;

void fake_esp_pm_reset(void)
{
    memset(&s_current, 0, sizeof(s_current));
    s_calls = 0;
    s_light_sleep_error = ESP_OK;
    s_next_error = ESP_OK;
}

void fake_esp_pm_fail_next_configure(esp_err_t err)
{
    s_next_error = err;
}

void fake_esp_pm_set_light_sleep_error(esp_err_t err)
{
    s_light_sleep_error = err;
}

size_t fake_esp_pm_configure_calls(void)
{
    return s_calls;
}

const esp_pm_config_t *fake_esp_pm_current(void)
{
    return &s_current;
}

esp_err_t esp_pm_configure(const void *config)
{
    s_calls++;
    const esp_pm_config_t *cfg = config;
    if (s_next_error != ESP_OK) {
        esp_err_t err = s_next_error;
        s_next_error = ESP_OK;
        return err;
    }
    if (cfg == NULL || cfg->min_freq_mhz <= 0 || cfg->max_freq_mhz < cfg->min_freq_mhz) {
        return ESP_ERR_INVALID_ARG;
    }
#ifndef CONFIG_FREERTOS_USE_TICKLESS_IDLE
    if (cfg->light_sleep_enable) {
        return ESP_ERR_NOT_SUPPORTED;
    }
#endif
    if (cfg->light_sleep_enable && s_light_sleep_error != ESP_OK) {
        return s_light_sleep_error;
    }
    s_current = *cfg;
    return ESP_OK;
}

esp_err_t esp_pm_get_configuration(void *config)
{
    if (config == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    memcpy(config, &s_current, sizeof(s_current));
    return ESP_OK;
}
