/* Control of the esp_system / esp_random fakes. */
#ifndef FAKE_ESP_SYSTEM_CONTROL_H
#define FAKE_ESP_SYSTEM_CONTROL_H

#include <stddef.h>
#include <stdint.h>

void fake_esp_system_reset(void);
void fake_esp_system_set_heap(uint32_t free_bytes, uint32_t min_free_bytes);
/* esp_random() returns value from now on. */
void fake_esp_random_set(uint32_t value);
int fake_esp_restart_count(void);
void fake_esp_system_set_reset_reason(int reason);
void fake_esp_system_set_largest_block(size_t bytes);

#endif
