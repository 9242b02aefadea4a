/*
 * Fake of ESP-IDF v5.4.2 esp_pm.h for host tests: esp_pm_config_t and esp_pm_configure (records the last
 * configuration; fake_esp_pm.h). Like ESP-IDF, light_sleep_enable without tickless idle is refused with
 * ESP_ERR_NOT_SUPPORTED (the fake's sdkconfig.h turns tickless idle on; tests can force the refusal).
 */
#ifndef FAKE_ESP_PM_H
#define FAKE_ESP_PM_H

#include <stdbool.h>
#include <stdint.h>

#include "esp_err.h"
#include "sdkconfig.h"

typedef struct {
    int max_freq_mhz;
    int min_freq_mhz;
    bool light_sleep_enable;
} esp_pm_config_t;

esp_err_t esp_pm_configure(const void *config);
esp_err_t esp_pm_get_configuration(void *config);

#endif /* FAKE_ESP_PM_H */
