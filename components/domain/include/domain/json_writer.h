/*
 * json_writer: writes compact JSON into a caller-owned buffer, with RFC 8259 string escaping.
 *
 * Used for the registration payload and for the HTTP bodies, so that every JSON the device emits follows
 * one escaping rule: '"' and '\\' are escaped, control characters become \b \f \n \r \t or \u00XX, and
 * UTF-8 passes through unchanged (the caller validates UTF-8 first). The writer never writes past
 * capacity; once something does not fit it records the overflow and keeps counting, so that a writer of
 * capacity 0 (buffer NULL) measures the exact size a document needs. No heap, no globals.
 *
 * Cost: a string is scanned once with a 256-entry table for the next byte to escape, and each plain run
 * before it is stored with one bounded copy, so plain text costs a few instructions per byte, not a bounds
 * check and a switch per byte.
 */
#ifndef DOMAIN_JSON_WRITER_H
#define DOMAIN_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/domain_status.h"

typedef struct {
    char *buf;       /* may be NULL when capacity is 0 (measuring); set only by json_writer_init */
    size_t capacity; /* bytes available in buf, including room for the terminating NUL */
    size_t length;   /* bytes the document needs so far, excluding the NUL (may exceed capacity) */
    bool need_comma; /* a member was written in the current object */
} json_writer_t;

void json_writer_init(json_writer_t *w, char *buf, size_t capacity);

/* Structural pieces. Objects may nest. */
void json_writer_begin_object(json_writer_t *w);
void json_writer_end_object(json_writer_t *w);

/* Members "key":value of the current object; a comma is inserted as needed. */
void json_writer_member_string(json_writer_t *w, const char *key, const char *value, size_t value_len);
void json_writer_member_cstr(json_writer_t *w, const char *key, const char *value);
void json_writer_member_uint(json_writer_t *w, const char *key, uint64_t value);
void json_writer_member_int(json_writer_t *w, const char *key, int64_t value);
void json_writer_member_bool(json_writer_t *w, const char *key, bool value);
void json_writer_member_null(json_writer_t *w, const char *key);
/* "key": followed by a nested object the caller then writes with begin/end. */
void json_writer_member_object_begin(json_writer_t *w, const char *key);

/* Arrays of strings: "key": then begin_array, elements, end_array (json_writer_member_object_begin gives the
 * "key": part, as for a nested object). */
void json_writer_begin_array(json_writer_t *w);
void json_writer_end_array(json_writer_t *w);
void json_writer_element_cstr(json_writer_t *w, const char *value);

/* Escaped length of value (quotes not included): what json_writer_member_string adds for the value. */
size_t json_writer_escaped_len(const char *value, size_t value_len);

/*
 * Ends the document: writes the NUL and returns DOMAIN_OK with *out_len = length, or
 * DOMAIN_ERR_BUFFER_TOO_SMALL when length + 1 > capacity (buf then holds a NUL-terminated prefix,
 * nothing past capacity). *out_len is set in both cases (on error: the length the document needs, which
 * is how a measuring writer reports its result). out_len may be NULL.
 */
domain_status_t json_writer_finish(json_writer_t *w, size_t *out_len);

#endif /* DOMAIN_JSON_WRITER_H */
