/*
 * log_secret_scan: checks every line the esp_log fake records for secrets while a test drives the firmware's
 * adapters (issue 10: no secret in any log but the boot-time console line).
 *
 * The fake keeps only its last FAKE_ESP_LOG_MAX_LINES lines, so a test calls log_secret_scan_step() after
 * each action: it checks the lines recorded since the previous step, and fails the test when a line has
 * already been dropped unchecked or was cut at the fake's line size (its lost end could hold a secret).
 *
 * A secret is found in any spelling a person or a bug could give it: letters are compared without regard to
 * case and every character other than a letter or a digit is skipped on both sides, so "7K3M9QXD2F4H8RTV",
 * "7k3m 9qxd 2f4h 8rtv" and "7K3M-9QXD-2F4H-8RTV" are one secret. Each secret keeps at least
 * LOG_SECRET_SCAN_MIN_SIGNIFICANT letters and digits, so that ordinary words cannot match by chance.
 *
 * Single-threaded tests only (static state, like the fake it reads).
 */
#ifndef LOG_SECRET_SCAN_H
#define LOG_SECRET_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#define LOG_SECRET_SCAN_MAX_SECRETS     16
#define LOG_SECRET_SCAN_MIN_SIGNIFICANT 8
#define LOG_SECRET_SCAN_MAX_TAGS        16

typedef struct {
    const char *what; /* named in a failure, e.g. "setup secret" */
    const char *text; /* the secret as it is sent or stored */
} log_secret_t;

/* Forgets every recorded line, counter and secret (fake_esp_log_reset, echo off), then adds secrets. */
void log_secret_scan_begin(const log_secret_t *secrets, size_t count);

/* Looks for one more secret from the next step on, e.g. one the device generated (its `what` is kept by
 * pointer and must outlive the scan; the text is copied). Fails the test when the secret is too short to be
 * looked for safely or there are too many. */
void log_secret_scan_add(const log_secret_t *secret);

/* Checks the lines recorded since the last step (see above). */
void log_secret_scan_step(void);

/* Lines checked since log_secret_scan_begin(), in all and with the given tag. */
size_t log_secret_scan_checked(void);
size_t log_secret_scan_checked_with_tag(const char *tag);

/* What the secret found in text is (its `what`), NULL when text holds none. A plain function, without
 * assertions, so that a test can show the check finds what it must. */
const char *log_secret_scan_find(const char *text);

#endif /* LOG_SECRET_SCAN_H */
