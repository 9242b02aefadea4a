#include "domain/device_registration.h"

#include <string.h>

#include "domain/json_writer.h"
#include "domain/utf8_text.h"

typedef struct {
    domain_status_t invalid_utf8;
    domain_status_t empty;
    domain_status_t too_long;
    size_t max_bytes;
} text_rule_t;

static const text_rule_t NAME_RULE = {
    DOMAIN_ERR_NAME_INVALID_UTF8,
    DOMAIN_ERR_NAME_EMPTY,
    DOMAIN_ERR_NAME_TOO_LONG,
    DEVICE_NAME_MAX_BYTES,
};

static const text_rule_t LOCATION_RULE = {
    DOMAIN_ERR_LOCATION_INVALID_UTF8,
    DOMAIN_ERR_LOCATION_EMPTY,
    DOMAIN_ERR_LOCATION_TOO_LONG,
    DEVICE_LOCATION_MAX_BYTES,
};

/*
 * The server trims first and then measures, so the limits apply to the trimmed bytes. UTF-8 is checked
 * before anything else because trimming and measuring are only meaningful on well-formed text.
 */
static domain_status_t check_text(const char *text, const text_rule_t *rule, size_t *start, size_t *len)
{
    if (text == NULL) {
        return DOMAIN_ERR_INVALID_ARG;
    }
    const size_t raw_len = strlen(text);
    if (!utf8_text_is_valid(text, raw_len)) {
        return rule->invalid_utf8;
    }
    utf8_text_trim(text, raw_len, start, len);
    if (*len == 0) {
        return rule->empty;
    }
    if (*len > rule->max_bytes) {
        return rule->too_long;
    }
    return DOMAIN_OK;
}

domain_status_t device_registration_check_name(const char *name)
{
    size_t start;
    size_t len;
    return check_text(name, &NAME_RULE, &start, &len);
}

domain_status_t device_registration_check_location(const char *location)
{
    size_t start;
    size_t len;
    return check_text(location, &LOCATION_RULE, &start, &len);
}

domain_status_t device_registration_create(device_registration_t *out, const mac_address_t *mac,
                                           const ipv4_address_t *ip, const char *device_name,
                                           const char *location)
{
    if (out == NULL || mac == NULL || ip == NULL) {
        return DOMAIN_ERR_INVALID_ARG;
    }
    size_t name_start;
    size_t name_len;
    domain_status_t status = check_text(device_name, &NAME_RULE, &name_start, &name_len);
    if (status != DOMAIN_OK) {
        return status;
    }
    size_t location_start;
    size_t location_len;
    status = check_text(location, &LOCATION_RULE, &location_start, &location_len);
    if (status != DOMAIN_OK) {
        return status;
    }
    if (ipv4_address_is_unspecified(ip)) {
        return DOMAIN_ERR_IP_UNSPECIFIED;
    }
    /* Nothing is written to out until every rule has passed: a failed create leaves it as it was. */
    out->mac = *mac;
    out->ip = *ip;
    memcpy(out->device_name, device_name + name_start, name_len);
    out->device_name[name_len] = '\0';
    memcpy(out->location, location + location_start, location_len);
    out->location[location_len] = '\0';
    return DOMAIN_OK;
}

/* Length of a stored field, bounded by its array: a hand-filled struct without a NUL is not over-read. */
static size_t field_len(const char *field, size_t size)
{
    const char *nul = memchr(field, '\0', size);
    return nul == NULL ? size : (size_t)(nul - field);
}

/* One writer for both measuring and writing, so json_len can never disagree with to_json. */
static void write_json(json_writer_t *w, const device_registration_t *msg)
{
    char mac_text[MAC_ADDRESS_STR_SIZE];
    char ip_text[IPV4_ADDRESS_STR_SIZE];
    mac_address_format(&msg->mac, mac_text);
    ipv4_address_format(&msg->ip, ip_text);

    json_writer_begin_object(w);
    json_writer_member_cstr(w, "event_type", DEVICE_REGISTRATION_EVENT_TYPE);
    json_writer_member_cstr(w, "mac_address", mac_text);
    json_writer_member_string(w, "device_name", msg->device_name,
                              field_len(msg->device_name, sizeof(msg->device_name)));
    json_writer_member_cstr(w, "ip_address", ip_text);
    json_writer_member_string(w, "location_description", msg->location,
                              field_len(msg->location, sizeof(msg->location)));
    json_writer_end_object(w);
}

size_t device_registration_json_len(const device_registration_t *msg)
{
    if (msg == NULL) {
        return 0;
    }
    json_writer_t w;
    json_writer_init(&w, NULL, 0);
    write_json(&w, msg);
    return w.length;
}

domain_status_t device_registration_to_json(const device_registration_t *msg, char *buf, size_t buf_size,
                                            size_t *out_len)
{
    if (msg == NULL || (buf == NULL && buf_size > 0)) {
        return DOMAIN_ERR_INVALID_ARG;
    }
    json_writer_t w;
    json_writer_init(&w, buf, buf_size);
    write_json(&w, msg);
    size_t len = 0;
    const domain_status_t status = json_writer_finish(&w, &len);
    if (status == DOMAIN_OK && out_len != NULL) {
        *out_len = len;
    }
    return status;
}
