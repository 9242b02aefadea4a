/*
 * Control of the GPIO fake (driver/gpio.h): what each pad reads, the configurations given, an injected
 * gpio_config error. Single-threaded tests only.
 */
#ifndef FAKE_GPIO_CONTROL_H
#define FAKE_GPIO_CONTROL_H

#include <stddef.h>

#include "driver/gpio.h"

/* Every pad unconfigured and reading high (a button at rest against its pull-up); no error injected. */
void fake_gpio_reset(void);
/* The level the pad reads from now on, once configured as an input. */
void fake_gpio_set_level(int gpio, int level);
/* gpio_config() answers err once, changing nothing. */
void fake_gpio_fail_next_config(esp_err_t err);

size_t fake_gpio_config_calls(void);
/* The last configuration gpio_config() accepted (zeroed before any). */
const gpio_config_t *fake_gpio_last_config(void);
size_t fake_gpio_get_level_calls(void);

#endif /* FAKE_GPIO_CONTROL_H */
