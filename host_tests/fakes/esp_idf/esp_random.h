/* Fake of ESP-IDF v5.4.2 esp_random.h: esp_random() returns the values a test queues (fake_esp_system.h). */
#ifndef FAKE_ESP_RANDOM_H
#define FAKE_ESP_RANDOM_H

#include <stdint.h>

uint32_t esp_random(void);

#endif
