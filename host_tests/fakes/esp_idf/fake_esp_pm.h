/* Control functions of the esp_pm fake: the configurations given, in order, and an injected error. */
#ifndef FAKE_ESP_PM_CONTROL_H
#define FAKE_ESP_PM_CONTROL_H

#include <stddef.h>

#include "esp_pm.h"

void fake_esp_pm_reset(void);
/* Error esp_pm_configure returns from now on when light sleep is asked for (ESP_OK = none). */
void fake_esp_pm_set_light_sleep_error(esp_err_t err);
/* esp_pm_configure returns err next time, whatever it is asked (e.g. ESP_ERR_INVALID_ARG for a frequency
 * the chip cannot run at). */
void fake_esp_pm_fail_next_configure(esp_err_t err);
size_t fake_esp_pm_configure_calls(void);
/* The configuration last accepted; all zero before any. */
const esp_pm_config_t *fake_esp_pm_current(void);

#endif /* FAKE_ESP_PM_CONTROL_H */
