/*
 * Fake of ESP-IDF v5.4.2 esp_log.h for host tests: the ESP_LOGx macros print to stderr with the tag, so a
 * failing test shows what the adapter logged. esp_log_level_set is recorded.
 */
#ifndef FAKE_ESP_LOG_H
#define FAKE_ESP_LOG_H

#include <stdio.h>

typedef enum {
    ESP_LOG_NONE,
    ESP_LOG_ERROR,
    ESP_LOG_WARN,
    ESP_LOG_INFO,
    ESP_LOG_DEBUG,
    ESP_LOG_VERBOSE
} esp_log_level_t;

void esp_log_level_set(const char *tag, esp_log_level_t level);

#define FAKE_ESP_LOG(letter, tag, format, ...) fprintf(stderr, letter " (%s) " format "\n", tag, ##__VA_ARGS__)
#define ESP_LOGE(tag, format, ...) FAKE_ESP_LOG("E", tag, format, ##__VA_ARGS__)
#define ESP_LOGW(tag, format, ...) FAKE_ESP_LOG("W", tag, format, ##__VA_ARGS__)
#define ESP_LOGI(tag, format, ...) FAKE_ESP_LOG("I", tag, format, ##__VA_ARGS__)
#define ESP_LOGD(tag, format, ...) ((void)(tag))
#define ESP_LOGV(tag, format, ...) ((void)(tag))

#endif
