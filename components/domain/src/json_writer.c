#include "domain/json_writer.h"

#include <string.h>

/*
 * ESCAPE[c] is 0 for a byte that goes out as it is, otherwise the character after the backslash of its
 * escape: '"', '\\', 'b', 'f', 'n', 'r', 't', or 'u' for the \u00XX form of the other control characters.
 * UTF-8 lead and continuation bytes, and DEL, are legal in a JSON string as they are. One table drives the
 * scan for plain runs, the escape itself and the escaped length.
 */
static const unsigned char ESCAPE[256] = {
    'u',         'u',           'u', 'u', 'u', 'u', 'u', 'u',
    'b',         't',           'n', 'u', 'f', 'r', 'u', 'u', /* 0x00-0x0F */
    'u',         'u',           'u', 'u', 'u', 'u', 'u', 'u',
    'u',         'u',           'u', 'u', 'u', 'u', 'u', 'u', /* 0x10-0x1F */
    ['"'] = '"', ['\\'] = '\\',
};

static const char HEX_LOWER[] = "0123456789abcdef";

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

static void put_escape(json_writer_t *w, unsigned char c)
{
    const unsigned char e = ESCAPE[c];
    if (e == 'u') {
        const char u[6] = {'\\', 'u', '0', '0', HEX_LOWER[c >> 4], HEX_LOWER[c & 0x0Fu]};
        put_bytes(w, u, sizeof(u));
    } else {
        const char s[2] = {'\\', (char)e};
        put_bytes(w, s, sizeof(s));
    }
}

/* The first byte in [p, end) that needs escaping, or end. Unrolled: four table lookups per step. */
static inline const unsigned char *scan_plain(const unsigned char *p, const unsigned char *end)
{
    for (size_t steps = (size_t)(end - p) / 4; steps > 0; steps--) {
        if (ESCAPE[p[0]] != 0) {
            return p;
        }
        if (ESCAPE[p[1]] != 0) {
            return p + 1;
        }
        if (ESCAPE[p[2]] != 0) {
            return p + 2;
        }
        if (ESCAPE[p[3]] != 0) {
            return p + 3;
        }
        p += 4;
    }
    while (p < end && ESCAPE[*p] == 0) {
        p++;
    }
    return p;
}

/*
 * The first byte of a NUL-terminated text that needs escaping or is its NUL. NUL is a control character,
 * so the table stops the scan there and the text needs no strlen first. A byte is read only after every
 * byte before it was found to be neither special nor NUL, so nothing past the NUL is read.
 */
static const unsigned char *scan_plain_cstr(const unsigned char *p)
{
    for (;;) {
        if (ESCAPE[p[0]] != 0) {
            return p;
        }
        if (ESCAPE[p[1]] != 0) {
            return p + 1;
        }
        if (ESCAPE[p[2]] != 0) {
            return p + 2;
        }
        if (ESCAPE[p[3]] != 0) {
            return p + 3;
        }
        p += 4;
    }
}

/* Each plain run goes out with one bounded copy, each special byte as its escape. */
static void put_escaped(json_writer_t *w, const char *value, size_t value_len)
{
    const unsigned char *p = (const unsigned char *)value;
    const unsigned char *const end = p + value_len;
    while (p != end) {
        const unsigned char *stop = scan_plain(p, end);
        if (stop != p) {
            put_bytes(w, (const char *)p, (size_t)(stop - p));
        }
        if (stop == end) {
            return;
        }
        put_escape(w, *stop);
        p = stop + 1;
    }
}

static void put_escaped_cstr(json_writer_t *w, const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    for (;;) {
        const unsigned char *stop = scan_plain_cstr(p);
        if (stop != p) {
            put_bytes(w, (const char *)p, (size_t)(stop - p));
        }
        if (*stop == '\0') {
            return;
        }
        put_escape(w, *stop);
        p = stop + 1;
    }
}

/* Writes [,]"key (the comma after a first member) and leaves the key's closing quote to the caller, which
 * joins it with what follows (":" or ":"") into one store. */
static void put_key_open(json_writer_t *w, const char *key)
{
    if (w->need_comma) {
        put_bytes(w, ",\"", 2);
    } else {
        put_bytes(w, "\"", 1);
    }
    if (key != NULL) {
        put_escaped_cstr(w, key);
    }
    w->need_comma = true;
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
    put_key_open(w, key);
    put_bytes(w, "\":\"", 3);
    if (value != NULL) {
        put_escaped(w, value, value_len);
    }
    put_bytes(w, "\"", 1);
}

void json_writer_member_cstr(json_writer_t *w, const char *key, const char *value)
{
    if (w == NULL) {
        return;
    }
    if (value == NULL) {
        json_writer_member_null(w, key);
        return;
    }
    put_key_open(w, key);
    put_bytes(w, "\":\"", 3);
    put_escaped_cstr(w, value);
    put_bytes(w, "\"", 1);
}

void json_writer_member_uint(json_writer_t *w, const char *key, uint64_t value)
{
    if (w == NULL) {
        return;
    }
    put_key_open(w, key);
    put_bytes(w, "\":", 2);
    put_uint(w, value);
}

void json_writer_member_int(json_writer_t *w, const char *key, int64_t value)
{
    if (w == NULL) {
        return;
    }
    put_key_open(w, key);
    if (value < 0) {
        put_bytes(w, "\":-", 3);
        /* Negate in unsigned arithmetic: -INT64_MIN does not fit in int64_t. */
        put_uint(w, (uint64_t)0 - (uint64_t)value);
    } else {
        put_bytes(w, "\":", 2);
        put_uint(w, (uint64_t)value);
    }
}

void json_writer_member_bool(json_writer_t *w, const char *key, bool value)
{
    if (w == NULL) {
        return;
    }
    put_key_open(w, key);
    if (value) {
        put_bytes(w, "\":true", 6);
    } else {
        put_bytes(w, "\":false", 7);
    }
}

void json_writer_member_null(json_writer_t *w, const char *key)
{
    if (w == NULL) {
        return;
    }
    put_key_open(w, key);
    put_bytes(w, "\":null", 6);
}

void json_writer_member_object_begin(json_writer_t *w, const char *key)
{
    if (w == NULL) {
        return;
    }
    put_key_open(w, key);
    put_bytes(w, "\":", 2);
}

size_t json_writer_escaped_len(const char *value, size_t value_len)
{
    if (value == NULL) {
        return 0;
    }
    /* Every byte counts 1; an escape adds 1 (\X) or 5 (\u00XX). */
    const unsigned char *p = (const unsigned char *)value;
    const unsigned char *const end = p + value_len;
    size_t total = value_len;
    while ((p = scan_plain(p, end)) != end) {
        total += ESCAPE[*p] == 'u' ? 5u : 1u;
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
