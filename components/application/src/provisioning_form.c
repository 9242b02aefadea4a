/*
 * provisioning_form: the rules of the setup form and the scan list. Reasons are fixed texts: the password
 * never reaches a reason, a log or a response.
 */
#include "application/provisioning_form.h"

#include <string.h>

#include "application/form_decoder.h"
#include "domain/bounded_text.h"
#include "domain/hex_digit.h"
#include "domain/json_writer.h"
#include "domain/utf8_text.h"

#define PROVISIONING_PASSWORD_MIN_BYTES   8
#define PROVISIONING_PASSPHRASE_MAX_BYTES 63
#define PROVISIONING_PSK_HEX_DIGITS       64

static bool password_is_valid(const char *password)
{
    size_t len = strlen(password);
    if (len == 0) {
        return true; /* open network */
    }
    if (len >= PROVISIONING_PASSWORD_MIN_BYTES && len <= PROVISIONING_PASSPHRASE_MAX_BYTES) {
        return true;
    }
    if (len != PROVISIONING_PSK_HEX_DIGITS) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (hex_digit_value((unsigned char)password[i]) < 0) {
            return false;
        }
    }
    return true;
}

/* Reads an optional registration field: absent or empty keeps the stored value. */
static app_err_t parse_text_field(const char *body, size_t body_len, const char *key, bool is_name, char *out,
                                  size_t out_size, bool *present, char *reason, size_t reason_size)
{
    *present = false;
    app_err_t rc = form_decoder_get(body, body_len, key, out, out_size);
    if (rc == APP_ERR_NOT_FOUND) {
        out[0] = '\0';
        return APP_OK;
    }
    if (rc == APP_ERR_TOO_LONG) {
        (void)bounded_text_copy(
            reason, reason_size,
            domain_status_to_str(is_name ? DOMAIN_ERR_NAME_TOO_LONG : DOMAIN_ERR_LOCATION_TOO_LONG));
        return APP_ERR_TOO_LONG;
    }
    if (rc != APP_OK) {
        (void)bounded_text_copy(reason, reason_size,
                                is_name ? "device_name is not correctly form-encoded"
                                        : "location_description is not correctly form-encoded");
        return APP_ERR_INVALID_VALUE;
    }
    if (out[0] == '\0') {
        return APP_OK;
    }
    domain_status_t check =
        is_name ? device_registration_check_name(out) : device_registration_check_location(out);
    if (check != DOMAIN_OK) {
        (void)bounded_text_copy(reason, reason_size, domain_status_to_str(check));
        return (check == DOMAIN_ERR_NAME_TOO_LONG || check == DOMAIN_ERR_LOCATION_TOO_LONG)
                   ? APP_ERR_TOO_LONG
                   : APP_ERR_INVALID_VALUE;
    }
    *present = true;
    return APP_OK;
}

static app_err_t parse_request(const char *body, size_t body_len, provisioning_form_t *out, char *reason,
                               size_t reason_size)
{
    if (body_len > PROVISIONING_BODY_MAX_BYTES) {
        (void)bounded_text_copy(reason, reason_size, "form is larger than 1024 bytes");
        return APP_ERR_TOO_LONG;
    }
    app_err_t rc = form_decoder_get(body, body_len, "ssid", out->ssid, sizeof(out->ssid));
    switch (rc) {
        case APP_OK:
            break;
        case APP_ERR_NOT_FOUND:
            (void)bounded_text_copy(reason, reason_size, "ssid is required");
            return APP_ERR_NOT_FOUND;
        case APP_ERR_TOO_LONG:
            (void)bounded_text_copy(reason, reason_size, "ssid is longer than 32 bytes");
            return APP_ERR_TOO_LONG;
        default:
            (void)bounded_text_copy(reason, reason_size, "ssid is not correctly form-encoded");
            return APP_ERR_INVALID_VALUE;
    }
    if (out->ssid[0] == '\0') {
        (void)bounded_text_copy(reason, reason_size, "ssid is empty");
        return APP_ERR_INVALID_VALUE;
    }

    rc = form_decoder_get(body, body_len, "password", out->password, sizeof(out->password));
    if (rc == APP_ERR_NOT_FOUND) {
        out->password[0] = '\0';
    } else if (rc == APP_ERR_TOO_LONG) {
        (void)bounded_text_copy(reason, reason_size, "password is longer than 64 bytes");
        return APP_ERR_TOO_LONG;
    } else if (rc != APP_OK) {
        (void)bounded_text_copy(reason, reason_size, "password is not correctly form-encoded");
        return APP_ERR_INVALID_VALUE;
    }
    if (!password_is_valid(out->password)) {
        (void)bounded_text_copy(reason, reason_size,
                                "password must be empty, 8 to 63 characters, or 64 hex digits");
        return APP_ERR_INVALID_VALUE;
    }

    rc = parse_text_field(body, body_len, "device_name", true, out->device_name, sizeof(out->device_name),
                          &out->has_device_name, reason, reason_size);
    if (rc != APP_OK) {
        return rc;
    }
    return parse_text_field(body, body_len, "location_description", false, out->location,
                            sizeof(out->location), &out->has_location, reason, reason_size);
}

app_err_t provisioning_form_parse(const char *body, size_t body_len, provisioning_form_t *out, char *reason,
                                  size_t reason_size)
{
    (void)bounded_text_copy(reason, reason_size, "");
    if (out == NULL || (body == NULL && body_len > 0)) {
        (void)bounded_text_copy(reason, reason_size, "invalid request");
        return APP_ERR_INVALID_ARG;
    }
    memset(out, 0, sizeof(*out));
    app_err_t rc = parse_request(body, body_len, out, reason, reason_size);
    if (rc != APP_OK) {
        /* Leave no secret behind in a rejected request. */
        memset(out, 0, sizeof(*out));
    }
    return rc;
}

/* Replacement character U+FFFD, what a decoder shows for bytes that are not UTF-8. */
static const char replacement_char[] = "\xEF\xBF\xBD";

/* Copies ssid into out with every byte that does not start a valid UTF-8 character replaced by U+FFFD. */
static size_t sanitize_ssid(const char *ssid, size_t len, char *out)
{
    size_t in = 0;
    size_t written = 0;
    while (in < len) {
        const size_t seq = utf8_text_char_len(ssid + in, len - in);
        if (seq > 0) {
            memcpy(out + written, ssid + in, seq);
            written += seq;
            in += seq;
        } else {
            memcpy(out + written, replacement_char, sizeof(replacement_char) - 1);
            written += sizeof(replacement_char) - 1;
            in++;
        }
    }
    return written;
}

/* Appends one byte at *pos, counting it even when it does not fit (the total is reported either way). */
static void put_char(char *buf, size_t buf_size, size_t *pos, char c)
{
    if (*pos + 1 < buf_size) {
        buf[*pos] = c;
    }
    (*pos)++;
}

app_err_t provisioning_form_scan_json(const wifi_station_network_t *networks, size_t count, char *buf,
                                      size_t buf_size, size_t *out_len)
{
    if ((networks == NULL && count > 0) || (buf == NULL && buf_size > 0)) {
        return APP_ERR_INVALID_ARG;
    }
    size_t pos = 0;
    put_char(buf, buf_size, &pos, '[');
    for (size_t i = 0; i < count; i++) {
        if (i > 0) {
            put_char(buf, buf_size, &pos, ',');
        }
        char ssid[PROVISIONING_SSID_MAX_BYTES * (sizeof(replacement_char) - 1)];
        size_t ssid_len = networks[i].ssid_len;
        if (ssid_len > PROVISIONING_SSID_MAX_BYTES) {
            ssid_len = PROVISIONING_SSID_MAX_BYTES;
        }
        size_t clean_len = sanitize_ssid(networks[i].ssid, ssid_len, ssid);

        json_writer_t w;
        bool fits = pos < buf_size;
        json_writer_init(&w, fits ? buf + pos : NULL, fits ? buf_size - pos : 0);
        json_writer_begin_object(&w);
        json_writer_member_string(&w, "ssid", ssid, clean_len);
        json_writer_member_int(&w, "rssi", networks[i].rssi);
        json_writer_member_bool(&w, "secured", networks[i].secured);
        json_writer_end_object(&w);
        size_t object_len = 0;
        (void)json_writer_finish(&w, &object_len);
        pos += w.length;
    }
    put_char(buf, buf_size, &pos, ']');
    if (pos + 1 > buf_size) {
        if (buf_size > 0) {
            buf[0] = '\0';
        }
        return APP_ERR_BUFFER_TOO_SMALL;
    }
    buf[pos] = '\0';
    if (out_len != NULL) {
        *out_len = pos;
    }
    return APP_OK;
}
