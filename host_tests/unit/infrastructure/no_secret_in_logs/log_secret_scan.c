/* log_secret_scan: see the header. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "log_secret_scan.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "fake_esp_log.h"

/* Room for a whole recorded line (tag and message) once squeezed. */
#define SQUEEZED_MAX (FAKE_ESP_LOG_LINE_MAX + 32)

static struct {
    const char *what;
    char squeezed[SQUEEZED_MAX];
} s_secrets[LOG_SECRET_SCAN_MAX_SECRETS];
static size_t s_secret_count;
static size_t s_next_line; /* fake_esp_log_count() at the last step */
static struct {
    char tag[32];
    size_t lines;
} s_tags[LOG_SECRET_SCAN_MAX_TAGS];
static size_t s_tag_count;

/* Letters and digits only, letters upper-cased: the spelling-free form both sides are compared in. */
static size_t squeeze(const char *text, char *out, size_t out_size)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0' && n + 1 < out_size; p++) {
        if (isalnum(*p)) {
            out[n++] = (char)toupper(*p);
        }
    }
    out[n] = '\0';
    return n;
}

void log_secret_scan_begin(const log_secret_t *secrets, size_t count)
{
    fake_esp_log_reset();
    fake_esp_log_set_echo(0);
    memset(s_secrets, 0, sizeof(s_secrets));
    s_secret_count = 0;
    memset(s_tags, 0, sizeof(s_tags));
    s_tag_count = 0;
    s_next_line = 0;
    for (size_t i = 0; i < count; i++) {
        log_secret_scan_add(&secrets[i]);
    }
}

void log_secret_scan_add(const log_secret_t *secret)
{
    assert_true(s_secret_count < LOG_SECRET_SCAN_MAX_SECRETS);
    const size_t significant =
        squeeze(secret->text, s_secrets[s_secret_count].squeezed, sizeof(s_secrets[s_secret_count].squeezed));
    if (significant < LOG_SECRET_SCAN_MIN_SIGNIFICANT) {
        fail_msg("%s \"%s\" has %zu letters and digits: too few to look for", secret->what, secret->text,
                 significant);
    }
    s_secrets[s_secret_count].what = secret->what;
    s_secret_count++;
}

const char *log_secret_scan_find(const char *text)
{
    char squeezed[SQUEEZED_MAX];
    (void)squeeze(text, squeezed, sizeof(squeezed));
    for (size_t i = 0; i < s_secret_count; i++) {
        if (strstr(squeezed, s_secrets[i].squeezed) != NULL) {
            return s_secrets[i].what;
        }
    }
    return NULL;
}

static void count_tag(const char *tag)
{
    for (size_t i = 0; i < s_tag_count; i++) {
        if (strcmp(s_tags[i].tag, tag) == 0) {
            s_tags[i].lines++;
            return;
        }
    }
    assert_true(s_tag_count < LOG_SECRET_SCAN_MAX_TAGS);
    (void)snprintf(s_tags[s_tag_count].tag, sizeof(s_tags[s_tag_count].tag), "%s", tag);
    s_tags[s_tag_count].lines = 1;
    s_tag_count++;
}

static void check_line(const fake_esp_log_line_t *line)
{
    if (strlen(line->message) + 1 >= sizeof(line->message)) {
        fail_msg("(%s) line cut at %zu bytes, its end cannot be checked: %s", line->tag,
                 sizeof(line->message), line->message);
    }
    char whole[SQUEEZED_MAX];
    (void)snprintf(whole, sizeof(whole), "%s %s", line->tag, line->message);
    const char *found = log_secret_scan_find(whole);
    if (found != NULL) {
        fail_msg("the %s is in a log line: (%s) %s", found, line->tag, line->message);
    }
    count_tag(line->tag);
}

void log_secret_scan_step(void)
{
    const size_t total = fake_esp_log_count();
    const size_t fresh = total - s_next_line;
    if (fresh > FAKE_ESP_LOG_MAX_LINES) {
        fail_msg("%zu lines since the last check, the log fake keeps %d: check after each step", fresh,
                 FAKE_ESP_LOG_MAX_LINES);
    }
    const size_t kept = total < FAKE_ESP_LOG_MAX_LINES ? total : FAKE_ESP_LOG_MAX_LINES;
    for (size_t i = kept - fresh; i < kept; i++) {
        const fake_esp_log_line_t *line = fake_esp_log_line(i);
        assert_non_null(line);
        check_line(line);
    }
    s_next_line = total;
}

size_t log_secret_scan_checked(void)
{
    return s_next_line;
}

size_t log_secret_scan_checked_with_tag(const char *tag)
{
    for (size_t i = 0; i < s_tag_count; i++) {
        if (strcmp(s_tags[i].tag, tag) == 0) {
            return s_tags[i].lines;
        }
    }
    return 0;
}
