/* Fake of esp_log_write / esp_log_level_set: see esp_log.h and fake_esp_log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "esp_log.h"
#include "fake_esp_log.h"

#define FAKE_ESP_LOG_MAX_TAGS 16

static fake_esp_log_line_t s_lines[FAKE_ESP_LOG_MAX_LINES];
static size_t s_count;
static int s_echo = 1;
static struct {
    char tag[32];
    esp_log_level_t level;
} s_levels[FAKE_ESP_LOG_MAX_TAGS];
static size_t s_level_count;

static char level_letter(esp_log_level_t level)
{
    static const char letters[] = "NEWIDV";
    return (level >= ESP_LOG_NONE && level < ESP_LOG_MAX) ? letters[level] : '?';
}

void esp_log_write(esp_log_level_t level, const char *tag, const char *format, ...)
{
    fake_esp_log_line_t *line = &s_lines[s_count % FAKE_ESP_LOG_MAX_LINES];
    va_list args;
    memset(line, 0, sizeof(*line));
    line->level = level;
    snprintf(line->tag, sizeof(line->tag), "%s", tag != NULL ? tag : "");
    va_start(args, format);
    vsnprintf(line->message, sizeof(line->message), format, args);
    va_end(args);
    s_count++;
    if (s_echo) {
        fprintf(stderr, "%c (%s) %s\n", level_letter(level), line->tag, line->message);
    }
}

void esp_log_level_set(const char *tag, esp_log_level_t level)
{
    for (size_t i = 0; i < s_level_count; i++) {
        if (strcmp(s_levels[i].tag, tag) == 0) {
            s_levels[i].level = level;
            return;
        }
    }
    if (s_level_count < FAKE_ESP_LOG_MAX_TAGS) {
        snprintf(s_levels[s_level_count].tag, sizeof(s_levels[s_level_count].tag), "%s", tag);
        s_levels[s_level_count].level = level;
        s_level_count++;
    }
}

void fake_esp_log_reset(void)
{
    memset(s_lines, 0, sizeof(s_lines));
    s_count = 0;
    s_level_count = 0;
}

size_t fake_esp_log_count(void)
{
    return s_count;
}

const fake_esp_log_line_t *fake_esp_log_line(size_t index)
{
    size_t kept = s_count < FAKE_ESP_LOG_MAX_LINES ? s_count : FAKE_ESP_LOG_MAX_LINES;
    if (index >= kept) {
        return NULL;
    }
    return &s_lines[(s_count - kept + index) % FAKE_ESP_LOG_MAX_LINES];
}

const fake_esp_log_line_t *fake_esp_log_last(void)
{
    return s_count == 0 ? NULL : &s_lines[(s_count - 1) % FAKE_ESP_LOG_MAX_LINES];
}

void fake_esp_log_set_echo(int echo)
{
    s_echo = echo;
}

esp_log_level_t fake_esp_log_level_of(const char *tag)
{
    for (size_t i = 0; i < s_level_count; i++) {
        if (strcmp(s_levels[i].tag, tag) == 0) {
            return s_levels[i].level;
        }
    }
    return ESP_LOG_MAX;
}
