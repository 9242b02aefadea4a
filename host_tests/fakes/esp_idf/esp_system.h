/*
 * Fake of ESP-IDF v5.4.2 esp_system.h: the heap figures (set by the test, fake_esp_system.h) and
 * esp_restart, which the fake records instead of rebooting.
 */
#ifndef FAKE_ESP_SYSTEM_H
#define FAKE_ESP_SYSTEM_H

#include <stdint.h>

#include "esp_err.h"

uint32_t esp_get_free_heap_size(void);
uint32_t esp_get_minimum_free_heap_size(void);
void esp_restart(void);

#endif
