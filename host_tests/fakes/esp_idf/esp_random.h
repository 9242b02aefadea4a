/*
 * Fake of ESP-IDF v5.4.2 esp_random.h: esp_random() returns the value a test sets (fake_esp_system.h);
 * esp_fill_random() fills the buffer from esp_random() words as the real one does (hw_random.c: each word
 * copied in memory order, the last one cut to the bytes left).
 */
#ifndef FAKE_ESP_RANDOM_H
#define FAKE_ESP_RANDOM_H

#include <stddef.h>
#include <stdint.h>

uint32_t esp_random(void);
void esp_fill_random(void *buf, size_t len);

#endif
