/*
 * Control and inspection of the esp_log fake: the last FAKE_ESP_LOG_MAX_LINES lines written through
 * esp_log_write(), oldest first, and the level each tag was set to. Single-threaded tests only.
 */
#ifndef FAKE_ESP_LOG_CONTROL_H
#define FAKE_ESP_LOG_CONTROL_H

#include <stddef.h>

#include "esp_log.h"

#define FAKE_ESP_LOG_MAX_LINES 32
#define FAKE_ESP_LOG_LINE_MAX  256

typedef struct {
    esp_log_level_t level;
    char tag[32];
    char message[FAKE_ESP_LOG_LINE_MAX]; /* formatted, without the level letter, tag or newline */
} fake_esp_log_line_t;

void fake_esp_log_reset(void);
/* Lines recorded since the last reset (may exceed FAKE_ESP_LOG_MAX_LINES; only the last ones are kept). */
size_t fake_esp_log_count(void);
/* The index-th kept line (0 = oldest kept), NULL when out of range. */
const fake_esp_log_line_t *fake_esp_log_line(size_t index);
/* The most recent line, NULL when none. */
const fake_esp_log_line_t *fake_esp_log_last(void);
/* Silences the copy to stderr (on by default). */
void fake_esp_log_set_echo(int echo);
/* Level last given to esp_log_level_set() for tag, ESP_LOG_MAX when never set. */
esp_log_level_t fake_esp_log_level_of(const char *tag);

#endif
