/* Fake of driver/gpio.h: see driver/gpio.h and fake_gpio.h. */
#include <string.h>

#include "fake_gpio.h"

static int s_levels[GPIO_NUM_MAX];
static uint64_t s_inputs; /* pads configured as inputs */
static gpio_config_t s_last;
static size_t s_config_calls;
static size_t s_get_level_calls;
static esp_err_t s_next_error;

void fake_gpio_reset(void)
{
    for (int i = 0; i < GPIO_NUM_MAX; i++) {
        s_levels[i] = 1;
    }
    s_inputs = 0;
    memset(&s_last, 0, sizeof(s_last));
    s_config_calls = 0;
    s_get_level_calls = 0;
    s_next_error = ESP_OK;
}

void fake_gpio_set_level(int gpio, int level)
{
    if (gpio >= 0 && gpio < GPIO_NUM_MAX) {
        s_levels[gpio] = level != 0;
    }
}

void fake_gpio_fail_next_config(esp_err_t err)
{
    s_next_error = err;
}

esp_err_t gpio_config(const gpio_config_t *pGPIOConfig)
{
    s_config_calls++;
    if (pGPIOConfig == NULL || pGPIOConfig->pin_bit_mask == 0 ||
        (pGPIOConfig->pin_bit_mask >> GPIO_NUM_MAX) != 0) {
        return ESP_ERR_INVALID_ARG;
    }
    if (s_next_error != ESP_OK) {
        const esp_err_t err = s_next_error;
        s_next_error = ESP_OK;
        return err;
    }
    if ((pGPIOConfig->mode & GPIO_MODE_INPUT) != 0) {
        s_inputs |= pGPIOConfig->pin_bit_mask;
    } else {
        s_inputs &= ~pGPIOConfig->pin_bit_mask;
    }
    s_last = *pGPIOConfig;
    return ESP_OK;
}

int gpio_get_level(gpio_num_t gpio_num)
{
    s_get_level_calls++;
    if (gpio_num < 0 || gpio_num >= GPIO_NUM_MAX || (s_inputs & (1ULL << gpio_num)) == 0) {
        return 0;
    }
    return s_levels[gpio_num];
}

size_t fake_gpio_config_calls(void)
{
    return s_config_calls;
}

const gpio_config_t *fake_gpio_last_config(void)
{
    return &s_last;
}

size_t fake_gpio_get_level_calls(void)
{
    return s_get_level_calls;
}
