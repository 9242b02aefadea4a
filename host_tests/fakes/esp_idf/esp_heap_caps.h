/*
 * Fake of ESP-IDF v5.4.2 esp_heap_caps.h (components/heap/include): the largest free block (set by the test),
 * and heap_caps_malloc/heap_caps_free on the host heap, counted, with a failure switch (fake_esp_system.h).
 * The caps values are the real ones.
 */
#ifndef FAKE_ESP_HEAP_CAPS_H
#define FAKE_ESP_HEAP_CAPS_H

#include <stddef.h>
#include <stdint.h>

#define MALLOC_CAP_8BIT     (1 << 2)
#define MALLOC_CAP_INTERNAL (1 << 11)

size_t heap_caps_get_largest_free_block(uint32_t caps);
void *heap_caps_malloc(size_t size, uint32_t caps);
void heap_caps_free(void *ptr);

#endif
