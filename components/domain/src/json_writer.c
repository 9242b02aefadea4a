#include "domain/json_writer.h"

#include <string.h>

/*
 * ESCAPED_LEN[c] is 0 for a byte that goes out as it is, otherwise the length of its escape: 2 for '"',
 * '\\' and the control characters with a short form (\b \f \n \r \t), 6 for the \u00XX form of the other
 * control characters. UTF-8 lead and continuation bytes, and DEL, are legal in a JSON string as they are.
 * One table drives the scan for plain runs, the escapes and the escaped length.
 */
/* clang-format off */
static const unsigned char ESCAPED_LEN[256] = {
    6, 6, 6, 6, 6, 6, 6, 6, 2, 2, 2, 6, 2, 2, 6, 6, /* 0x00-0x0F */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, /* 0x10-0x1F */
    ['"'] = 2,
    ['\\'] = 2,
};

/* The escape of each control character: the short form where RFC 8259 has one, else \u00XX (lower case). */
static const char CONTROL_ESCAPES[32][7] = {
    "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
    "\\b",     "\\t",     "\\n",     "\\u000b", "\\f",     "\\r",     "\\u000e", "\\u000f",
    "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
    "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f",
};
/* clang-format on */

static const char *escape_text(unsigned char c)
{
    if (c < 0x20u) {
        return CONTROL_ESCAPES[c];
    }
    return c == '"' ? "\\\"" : "\\\\";
}

/* The slow half of put_bytes: stores the part that still fits before the NUL's place, if any. */
static void put_cut(json_writer_t *w, const char *src, size_t n)
{
    if (w->buf != NULL && w->length + 1 < w->capacity) {
        const size_t room = w->capacity - 1 - w->length;
        memcpy(w->buf + w->length, src, n < room ? n : room);
    }
}

/*
 * The writer's one storage rule: a byte is stored only while a NUL still fits after it, and every byte is
 * counted, stored or not. When all n bytes fit (the usual case) that is one memcpy, which the compiler
 * turns into plain moves for the constant-size structural tokens. A writer made by json_writer_init has
 * capacity 0 whenever buf is NULL, so a capacity large enough here implies a buffer.
 */
static inline void put_bytes(json_writer_t *w, const char *src, size_t n)
{
    if (w->length + n < w->capacity) {
        memcpy(w->buf + w->length, src, n);
    } else {
        put_cut(w, src, n);
    }
    w->length += n;
}

/* The first byte in [p, end) that needs escaping, or end. Unrolled: four table lookups per step. */
static inline const unsigned char *scan_plain(const unsigned char *p, const unsigned char *end)
{
    for (size_t steps = (size_t)(end - p) / 4; steps > 0; steps--) {
        if (ESCAPED_LEN[p[0]] != 0) {
            return p;
        }
        if (ESCAPED_LEN[p[1]] != 0) {
            return p + 1;
        }
        if (ESCAPED_LEN[p[2]] != 0) {
            return p + 2;
        }
        if (ESCAPED_LEN[p[3]] != 0) {
            return p + 3;
        }
        p += 4;
    }
    while (p < end && ESCAPED_LEN[*p] == 0) {
        p++;
    }
    return p;
}

/* put_text's length for a NUL-terminated text (no real text is SIZE_MAX bytes long). */
#define NUL_TERMINATED SIZE_MAX

/*
 * Writes text escaped: each plain run goes out with one bounded copy, each special byte as its escape.
 * Called straight from the text members, so that writing a member stays two calls deep (stack goal: 256 B
 * for a registration). NULL text writes nothing.
 */
static void put_text(json_writer_t *w, const char *text, size_t len)
{
    if (text == NULL) {
        return;
    }
    if (len == NUL_TERMINATED) {
        len = strlen(text);
    }
    const unsigned char *p = (const unsigned char *)text;
    const unsigned char *const end = p + len;
    for (;;) {
        const unsigned char *stop = scan_plain(p, end);
        if (stop != p) {
            put_bytes(w, (const char *)p, (size_t)(stop - p));
        }
        if (stop == end) {
            return;
        }
        put_bytes(w, escape_text(*stop), ESCAPED_LEN[*stop]);
        p = stop + 1;
    }
}

/* Writes [,]" before a key (the comma after a first member); the caller writes the key and what follows. */
static inline void put_key_start(json_writer_t *w)
{
    if (w->need_comma) {
        put_bytes(w, ",\"", 2);
    } else {
        put_bytes(w, "\"", 1);
    }
    w->need_comma = true;
}

/*
 * Writes [,]"key then tail, what follows the key (":" before a number, ":null", ...), so that the key's
 * closing quote and the value's start are one store.
 */
static void put_head(json_writer_t *w, const char *key, const char *tail, size_t tail_len)
{
    put_key_start(w);
    put_text(w, key, NUL_TERMINATED);
    put_bytes(w, tail, tail_len);
}

static void put_uint(json_writer_t *w, uint64_t value)
{
    char digits[20]; /* UINT64_MAX has 20 decimal digits */
    size_t n = sizeof(digits);
    do {
        digits[--n] = (char)('0' + (int)(value % 10u));
        value /= 10u;
    } while (value != 0);
    put_bytes(w, digits + n, sizeof(digits) - n);
}

void json_writer_init(json_writer_t *w, char *buf, size_t capacity)
{
    if (w == NULL) {
        return;
    }
    w->buf = buf;
    w->capacity = (buf == NULL) ? 0 : capacity;
    w->length = 0;
    w->need_comma = false;
    if (buf != NULL && capacity > 0) {
        buf[0] = '\0';
    }
}

void json_writer_begin_object(json_writer_t *w)
{
    if (w == NULL) {
        return;
    }
    put_bytes(w, "{", 1);
    w->need_comma = false;
}

void json_writer_end_object(json_writer_t *w)
{
    if (w == NULL) {
        return;
    }
    put_bytes(w, "}", 1);
    /* The closed object was a member of its parent (if any), so the parent's next member needs a comma. */
    w->need_comma = true;
}

void json_writer_member_string(json_writer_t *w, const char *key, const char *value, size_t value_len)
{
    if (w == NULL) {
        return;
    }
    /* Not through put_head: the text members are what registrations and HTTP bodies are made of, and one
     * call level less keeps their stack small. */
    put_key_start(w);
    put_text(w, key, NUL_TERMINATED);
    put_bytes(w, "\":\"", 3);
    if (value != NULL) {
        put_text(w, value, value_len);
    }
    put_bytes(w, "\"", 1);
}

void json_writer_member_cstr(json_writer_t *w, const char *key, const char *value)
{
    if (w == NULL) {
        return;
    }
    put_key_start(w);
    put_text(w, key, NUL_TERMINATED);
    if (value == NULL) {
        put_bytes(w, "\":null", 6);
        return;
    }
    put_bytes(w, "\":\"", 3);
    put_text(w, value, NUL_TERMINATED);
    put_bytes(w, "\"", 1);
}

void json_writer_member_uint(json_writer_t *w, const char *key, uint64_t value)
{
    if (w == NULL) {
        return;
    }
    put_head(w, key, "\":", 2);
    put_uint(w, value);
}

void json_writer_member_int(json_writer_t *w, const char *key, int64_t value)
{
    if (w == NULL) {
        return;
    }
    if (value < 0) {
        put_head(w, key, "\":-", 3);
        /* Negate in unsigned arithmetic: -INT64_MIN does not fit in int64_t. */
        put_uint(w, (uint64_t)0 - (uint64_t)value);
    } else {
        put_head(w, key, "\":", 2);
        put_uint(w, (uint64_t)value);
    }
}

void json_writer_member_bool(json_writer_t *w, const char *key, bool value)
{
    if (w == NULL) {
        return;
    }
    if (value) {
        put_head(w, key, "\":true", 6);
    } else {
        put_head(w, key, "\":false", 7);
    }
}

void json_writer_member_null(json_writer_t *w, const char *key)
{
    if (w == NULL) {
        return;
    }
    put_head(w, key, "\":null", 6);
}

void json_writer_member_object_begin(json_writer_t *w, const char *key)
{
    if (w == NULL) {
        return;
    }
    put_head(w, key, "\":", 2);
}

void json_writer_begin_array(json_writer_t *w)
{
    if (w == NULL) {
        return;
    }
    put_bytes(w, "[", 1);
    w->need_comma = false;
}

void json_writer_end_array(json_writer_t *w)
{
    if (w == NULL) {
        return;
    }
    put_bytes(w, "]", 1);
    w->need_comma = true;
}

void json_writer_element_cstr(json_writer_t *w, const char *value)
{
    if (w == NULL) {
        return;
    }
    put_bytes(w, w->need_comma ? ",\"" : "\"", w->need_comma ? 2 : 1);
    if (value != NULL) {
        put_text(w, value, NUL_TERMINATED);
    }
    put_bytes(w, "\"", 1);
    w->need_comma = true;
}

size_t json_writer_escaped_len(const char *value, size_t value_len)
{
    if (value == NULL) {
        return 0;
    }
    /* Every byte counts 1; an escaped one counts its escape's length instead. */
    const unsigned char *p = (const unsigned char *)value;
    const unsigned char *const end = p + value_len;
    size_t total = value_len;
    while ((p = scan_plain(p, end)) != end) {
        total += ESCAPED_LEN[*p] - 1u;
        p++;
    }
    return total;
}

domain_status_t json_writer_finish(json_writer_t *w, size_t *out_len)
{
    if (w == NULL) {
        return DOMAIN_ERR_INVALID_ARG;
    }
    if (out_len != NULL) {
        *out_len = w->length;
    }
    if (w->length + 1 > w->capacity) {
        if (w->buf != NULL && w->capacity > 0) {
            w->buf[w->capacity - 1] = '\0';
        }
        return DOMAIN_ERR_BUFFER_TOO_SMALL;
    }
    w->buf[w->length] = '\0';
    return DOMAIN_OK;
}
