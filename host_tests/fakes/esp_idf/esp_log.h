/*
 * Fake of ESP-IDF v5.4.2 esp_log.h for host tests.
 *
 * The ESP_LOGx macros call esp_log_write() (the function the real macros end in), which the fake records
 * (level, tag, formatted message: see fake_esp_log.h) and prints to stderr, so a test can assert on what an
 * adapter logged and a failing test shows it. ESP_LOGD / ESP_LOGV are recorded too (the real ones are
 * compiled in at LOG_LOCAL_LEVEL; keeping them lets format strings be checked by the compiler).
 */
#ifndef FAKE_ESP_LOG_H
#define FAKE_ESP_LOG_H

#include <stdint.h>

typedef enum {
    ESP_LOG_NONE = 0,
    ESP_LOG_ERROR = 1,
    ESP_LOG_WARN = 2,
    ESP_LOG_INFO = 3,
    ESP_LOG_DEBUG = 4,
    ESP_LOG_VERBOSE = 5,
    ESP_LOG_MAX = 6,
} esp_log_level_t;

void esp_log_level_set(const char *tag, esp_log_level_t level);
void esp_log_write(esp_log_level_t level, const char *tag, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

#define ESP_LOGE(tag, format, ...) esp_log_write(ESP_LOG_ERROR, tag, format, ##__VA_ARGS__)
#define ESP_LOGW(tag, format, ...) esp_log_write(ESP_LOG_WARN, tag, format, ##__VA_ARGS__)
#define ESP_LOGI(tag, format, ...) esp_log_write(ESP_LOG_INFO, tag, format, ##__VA_ARGS__)
#define ESP_LOGD(tag, format, ...) esp_log_write(ESP_LOG_DEBUG, tag, format, ##__VA_ARGS__)
#define ESP_LOGV(tag, format, ...) esp_log_write(ESP_LOG_VERBOSE, tag, format, ##__VA_ARGS__)

#endif
