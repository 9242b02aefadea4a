/*
 * Fake of ESP-IDF v5.4.2 driver/gpio.h, with the few types it takes from hal/gpio_types.h and
 * soc/gpio_num.h: only what the adapters use (gpio_config, gpio_get_level) on simulated pads the test drives
 * (fake_gpio.h). As documented there: gpio_config() overwrites the pad's whole configuration and answers
 * ESP_ERR_INVALID_ARG for an empty or out-of-range mask; gpio_get_level() reads 0 on a pad not configured
 * as an input.
 */
#ifndef FAKE_DRIVER_GPIO_H
#define FAKE_DRIVER_GPIO_H

#include <stdint.h>

#include "esp_err.h"

/* The classic ESP32's pad count (esp32c3 has 22, esp32s3 49); GPIO_NUM_NC marks "not connected". */
typedef enum {
    GPIO_NUM_NC = -1,
    GPIO_NUM_0 = 0,
    GPIO_NUM_9 = 9,
    GPIO_NUM_MAX = 40,
} gpio_num_t;

typedef enum {
    GPIO_MODE_DISABLE = 0,
    GPIO_MODE_INPUT = 1,
    GPIO_MODE_OUTPUT = 2,
} gpio_mode_t;

typedef enum {
    GPIO_PULLUP_DISABLE = 0,
    GPIO_PULLUP_ENABLE = 1,
} gpio_pullup_t;

typedef enum {
    GPIO_PULLDOWN_DISABLE = 0,
    GPIO_PULLDOWN_ENABLE = 1,
} gpio_pulldown_t;

typedef enum {
    GPIO_INTR_DISABLE = 0,
    GPIO_INTR_ANYEDGE = 3,
} gpio_int_type_t;

typedef struct {
    uint64_t pin_bit_mask;
    gpio_mode_t mode;
    gpio_pullup_t pull_up_en;
    gpio_pulldown_t pull_down_en;
    gpio_int_type_t intr_type;
} gpio_config_t;

esp_err_t gpio_config(const gpio_config_t *pGPIOConfig);
int gpio_get_level(gpio_num_t gpio_num);

#endif /* FAKE_DRIVER_GPIO_H */
