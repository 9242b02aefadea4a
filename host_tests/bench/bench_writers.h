/*
 * bench_writers: the registration serializers the benchmark puts side by side, and the messages they
 * serialize.
 *
 * Every writer turns the same validated device_registration_t into the same compact JSON (fields in the
 * contract's order) in a caller buffer and returns its length, 0 when it failed or did not fit:
 * - project: device_registration_to_json, the product's serializer (no heap);
 * - cjson: Debian's cJSON 1.7 the idiomatic way: build a cJSON object with five string members,
 *   cJSON_PrintUnformatted (heap), copy the text into the caller buffer, free both;
 * - snprintf: the naive hand-written way: each text field is escaped byte by byte with a switch into a
 *   stack buffer (snprintf "\\u%04x" for the other control characters), then one snprintf with the whole
 *   document as its format string assembles the result.
 * MAC and IP are formatted by the domain's own functions for every writer, so only serialization differs.
 */
#ifndef BENCH_WRITERS_H
#define BENCH_WRITERS_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/device_registration.h"

typedef size_t (*bench_writers_fn_t)(const device_registration_t *msg, char *buf, size_t size);

typedef struct {
    const char *name;
    bench_writers_fn_t write; /* NULL when the writer was not built (cJSON missing) */
    const char *missing_reason;
} bench_writers_writer_t;

typedef struct {
    const char *name;
    device_registration_t msg;
} bench_writers_message_t;

enum { BENCH_WRITERS_COUNT = 3, BENCH_WRITERS_MESSAGE_COUNT = 2 };

/* The writers, the project's first. */
const bench_writers_writer_t *bench_writers_all(void);

/* Builds the benchmark's messages: "typical" and "escape_heavy". False when one is not a valid message. */
bool bench_writers_messages(bench_writers_message_t out[BENCH_WRITERS_MESSAGE_COUNT]);

#endif /* BENCH_WRITERS_H */
