/*
 * form_decoder: application/x-www-form-urlencoded fields, decoded in place of the caller's buffer.
 * Keys are compared after decoding, so "device%5Fname" finds "device_name"; the first occurrence of a key
 * wins, so a repeated field cannot override the value a client sent first.
 */
#include "application/form_decoder.h"

#include <stdbool.h>
#include <string.h>

#include "domain/hex_digit.h"

/* Decodes the character at text[*pos] (pos < len) into *out and advances *pos; false on a bad escape. */
static bool decode_char(const char *text, size_t len, size_t *pos, char *out)
{
    char c = text[*pos];
    if (c == '+') {
        *out = ' ';
        *pos += 1;
        return true;
    }
    if (c != '%') {
        *out = c;
        *pos += 1;
        return true;
    }
    if (len - *pos < 3) { /* fewer than two characters after '%' */
        return false;
    }
    int hi = hex_digit_value((unsigned char)text[*pos + 1]);
    int lo = hex_digit_value((unsigned char)text[*pos + 2]);
    if (hi < 0 || lo < 0) {
        return false;
    }
    *out = (char)((hi << 4) | lo);
    *pos += 3;
    return true;
}

/* True when the encoded key text[0..len) decodes to exactly key. */
static bool key_matches(const char *text, size_t len, const char *key)
{
    size_t pos = 0;
    size_t k = 0;
    while (pos < len) {
        char c;
        if (!decode_char(text, len, &pos, &c)) {
            return false;
        }
        if (key[k] == '\0' || key[k] != c) {
            return false;
        }
        k++;
    }
    return key[k] == '\0';
}

static app_err_t decode_value(const char *text, size_t len, char *out, size_t out_size)
{
    size_t pos = 0;
    size_t written = 0;
    app_err_t result = APP_OK;
    while (pos < len) {
        char c;
        if (!decode_char(text, len, &pos, &c) || c == '\0') {
            result = APP_ERR_INVALID_VALUE;
            break;
        }
        if (written + 1 >= out_size) {
            result = APP_ERR_TOO_LONG;
            break;
        }
        out[written++] = c;
    }
    out[result == APP_OK ? written : 0] = '\0';
    return result;
}

app_err_t form_decoder_get(const char *body, size_t body_len, const char *key, char *out, size_t out_size)
{
    if (key == NULL || out == NULL || out_size == 0 || (body == NULL && body_len > 0)) {
        return APP_ERR_INVALID_ARG;
    }
    out[0] = '\0';
    size_t start = 0;
    while (start < body_len) {
        size_t end = start;
        while (end < body_len && body[end] != '&') {
            end++;
        }
        size_t eq = start;
        while (eq < end && body[eq] != '=') {
            eq++;
        }
        if (key_matches(body + start, eq - start, key)) {
            size_t value_start = eq < end ? eq + 1 : end;
            return decode_value(body + value_start, end - value_start, out, out_size);
        }
        start = end + 1;
    }
    return APP_ERR_NOT_FOUND;
}
