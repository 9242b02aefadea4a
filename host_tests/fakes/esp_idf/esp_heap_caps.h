/* Fake of ESP-IDF v5.4.2 esp_heap_caps.h: the largest free block (set by the test, fake_esp_system.h). */
#ifndef FAKE_ESP_HEAP_CAPS_H
#define FAKE_ESP_HEAP_CAPS_H

#include <stddef.h>
#include <stdint.h>

#define MALLOC_CAP_8BIT (1 << 2)

size_t heap_caps_get_largest_free_block(uint32_t caps);

#endif
