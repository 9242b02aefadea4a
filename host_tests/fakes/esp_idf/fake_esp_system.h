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
/* heap_caps_malloc: the next call returns NULL when set; blocks taken and not yet given back; the caps of the
 * last call. */
void fake_heap_caps_fail_next_malloc(void);
int fake_heap_caps_live_blocks(void);
uint32_t fake_heap_caps_last_caps(void);

#endif
