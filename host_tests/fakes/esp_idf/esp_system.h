/*
 * Fake of ESP-IDF v5.4.2 esp_system.h: the heap figures and the reset reason (set by the test,
 * fake_esp_system.h; esp_reset_reason_t in the real order of v5.4.2) and esp_restart, which the fake records
 * instead of rebooting.
 */
#ifndef FAKE_ESP_SYSTEM_H
#define FAKE_ESP_SYSTEM_H

#include <stdint.h>

#include "esp_err.h"

typedef enum {
    ESP_RST_UNKNOWN,
    ESP_RST_POWERON,
    ESP_RST_EXT,
    ESP_RST_SW,
    ESP_RST_PANIC,
    ESP_RST_INT_WDT,
    ESP_RST_TASK_WDT,
    ESP_RST_WDT,
    ESP_RST_DEEPSLEEP,
    ESP_RST_BROWNOUT,
    ESP_RST_SDIO,
    ESP_RST_USB,
    ESP_RST_JTAG,
    ESP_RST_EFUSE,
    ESP_RST_PWR_GLITCH,
    ESP_RST_CPU_LOCKUP,
} esp_reset_reason_t;

esp_reset_reason_t esp_reset_reason(void);
uint32_t esp_get_free_heap_size(void);
uint32_t esp_get_minimum_free_heap_size(void);
void esp_restart(void);

#endif
