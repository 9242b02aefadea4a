#include "domain/json_writer.h"

#include <string.h>

static const char HEX_LOWER[] = "0123456789abcdef";

/* Every byte goes through here: it counts always and stores only while a NUL still fits after it. */
static void put_char(json_writer_t *w, char c)
{
    if (w->buf != NULL && w->length + 1 < w->capacity) {
        w->buf[w->length] = c;
    }
    w->length++;
}

static void put_raw(json_writer_t *w, const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        put_char(w, text[i]);
    }
}

/* Short escape for c, or NULL when c passes through or needs the \u00XX form. */
static const char *short_escape(unsigned char c)
{
    switch (c) {
        case '"':
            return "\\\"";
        case '\\':
            return "\\\\";
        case '\b':
            return "\\b";
        case '\f':
            return "\\f";
        case '\n':
            return "\\n";
        case '\r':
            return "\\r";
        case '\t':
            return "\\t";
        default:
            return NULL;
    }
}

static size_t escaped_char_len(unsigned char c)
{
    if (short_escape(c) != NULL) {
        return 2;
    }
    return c < 0x20u ? 6 : 1;
}

static void put_escaped(json_writer_t *w, const char *value, size_t value_len)
{
    for (size_t i = 0; i < value_len; i++) {
        const unsigned char c = (unsigned char)value[i];
        const char *esc = short_escape(c);
        if (esc != NULL) {
            put_raw(w, esc, 2);
        } else if (c < 0x20u) {
            const char u[6] = {'\\', 'u', '0', '0', HEX_LOWER[c >> 4], HEX_LOWER[c & 0x0Fu]};
            put_raw(w, u, sizeof(u));
        } else {
            /* UTF-8 lead and continuation bytes, and DEL, are legal in a JSON string as they are. */
            put_char(w, (char)c);
        }
    }
}

static void put_string(json_writer_t *w, const char *value, size_t value_len)
{
    put_char(w, '"');
    if (value != NULL) {
        put_escaped(w, value, value_len);
    }
    put_char(w, '"');
}

static void put_key(json_writer_t *w, const char *key)
{
    if (w->need_comma) {
        put_char(w, ',');
    }
    put_string(w, key, key == NULL ? 0 : strlen(key));
    put_char(w, ':');
    w->need_comma = true;
}

static void put_uint(json_writer_t *w, uint64_t value)
{
    char digits[20]; /* UINT64_MAX has 20 decimal digits */
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + (int)(value % 10u));
        value /= 10u;
    } while (value != 0);
    while (n > 0) {
        put_char(w, digits[--n]);
    }
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
    put_char(w, '{');
    w->need_comma = false;
}

void json_writer_end_object(json_writer_t *w)
{
    if (w == NULL) {
        return;
    }
    put_char(w, '}');
    /* The closed object was a member of its parent (if any), so the parent's next member needs a comma. */
    w->need_comma = true;
}

void json_writer_member_string(json_writer_t *w, const char *key, const char *value, size_t value_len)
{
    if (w == NULL) {
        return;
    }
    put_key(w, key);
    put_string(w, value, value_len);
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
    json_writer_member_string(w, key, value, strlen(value));
}

void json_writer_member_uint(json_writer_t *w, const char *key, uint64_t value)
{
    if (w == NULL) {
        return;
    }
    put_key(w, key);
    put_uint(w, value);
}

void json_writer_member_int(json_writer_t *w, const char *key, int64_t value)
{
    if (w == NULL) {
        return;
    }
    put_key(w, key);
    if (value < 0) {
        put_char(w, '-');
        /* Negate in unsigned arithmetic: -INT64_MIN does not fit in int64_t. */
        put_uint(w, (uint64_t)0 - (uint64_t)value);
    } else {
        put_uint(w, (uint64_t)value);
    }
}

void json_writer_member_bool(json_writer_t *w, const char *key, bool value)
{
    if (w == NULL) {
        return;
    }
    put_key(w, key);
    if (value) {
        put_raw(w, "true", 4);
    } else {
        put_raw(w, "false", 5);
    }
}

void json_writer_member_null(json_writer_t *w, const char *key)
{
    if (w == NULL) {
        return;
    }
    put_key(w, key);
    put_raw(w, "null", 4);
}

void json_writer_member_object_begin(json_writer_t *w, const char *key)
{
    if (w == NULL) {
        return;
    }
    put_key(w, key);
}

size_t json_writer_escaped_len(const char *value, size_t value_len)
{
    if (value == NULL) {
        return 0;
    }
    size_t total = 0;
    for (size_t i = 0; i < value_len; i++) {
        total += escaped_char_len((unsigned char)value[i]);
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
