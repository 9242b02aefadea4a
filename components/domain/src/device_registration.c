#include "domain/device_registration.h"

#include <stdbool.h>
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

/* What a message's JSON is made of besides its fixed text: the formatted MAC and IP and the two fields. */
typedef struct {
    char mac[MAC_ADDRESS_STR_SIZE];
    char ip[IPV4_ADDRESS_STR_SIZE];
    size_t name_len;
    size_t location_len;
} json_values_t;

static void json_values(const device_registration_t *msg, json_values_t *v)
{
    mac_address_format(&msg->mac, v->mac);
    ipv4_address_format(&msg->ip, v->ip);
    v->name_len = field_len(msg->device_name, sizeof(msg->device_name));
    v->location_len = field_len(msg->location, sizeof(msg->location));
}

#define KEY_EVENT_TYPE "event_type"
#define KEY_MAC        "mac_address"
#define KEY_NAME       "device_name"
#define KEY_IP         "ip_address"
#define KEY_LOCATION   "location_description"

/* The message through the general writer: measuring, a buffer too small for it, and the reference the fast
 * path below must match. */
static void write_json(json_writer_t *w, const device_registration_t *msg, const json_values_t *v)
{
    json_writer_begin_object(w);
    json_writer_member_cstr(w, KEY_EVENT_TYPE, DEVICE_REGISTRATION_EVENT_TYPE);
    json_writer_member_cstr(w, KEY_MAC, v->mac);
    json_writer_member_string(w, KEY_NAME, msg->device_name, v->name_len);
    json_writer_member_cstr(w, KEY_IP, v->ip);
    json_writer_member_string(w, KEY_LOCATION, msg->location, v->location_len);
    json_writer_end_object(w);
}

/*
 * The fixed text of the message, as write_json produces it: keys, punctuation and "register" never need
 * escaping, and neither do a formatted MAC (hex digits and ':') or IP (digits and '.'). The fast path copies
 * these pieces in bulk instead of having the writer scan every key again for characters to escape.
 */
static const char TEXT_HEAD[] =
    "{\"" KEY_EVENT_TYPE "\":\"" DEVICE_REGISTRATION_EVENT_TYPE "\",\"" KEY_MAC "\":\"";
static const char TEXT_VALUE_END[] = "\",";
static const char TEXT_NAME_OPEN[] = "\"" KEY_NAME "\":\"";
static const char TEXT_IP_OPEN[] = ",\"" KEY_IP "\":\"";
static const char TEXT_LOCATION_OPEN[] = "\"" KEY_LOCATION "\":\"";
#define TEXT_LEN(piece) (sizeof(piece) - 1)

static char *append(char *out, const char *text, size_t len)
{
    memcpy(out, text, len);
    return out + len;
}

/*
 * "key":"value" at out, whose room is known to suffice: the raw value when it needs no escaping (names and
 * locations rarely do), else the writer's member, which escapes it. open is "key":" as text.
 */
static char *put_text_member(char *out, size_t room, const char *open, size_t open_len, const char *key,
                             const char *value, size_t len, size_t escaped_len)
{
    if (escaped_len == len) {
        out = append(out, open, open_len);
        out = append(out, value, len);
        *out = '"';
        return out + 1;
    }
    json_writer_t w;
    json_writer_init(&w, out, room);
    json_writer_member_string(&w, key, value, len);
    return out + w.length;
}

/*
 * The fast path: when the whole message and its NUL fit, writes it as the fixed pieces, the MAC and IP and
 * the two text members, and returns true. Otherwise returns false having written nothing, and the caller
 * takes the general path (whose overflow behaviour this one need not repeat). Byte for byte the general
 * path's output: test_json_writer_differential compares both with the original writer.
 */
static bool write_fast(const device_registration_t *msg, const json_values_t *v, char *buf, size_t buf_size,
                       size_t *out_len)
{
    const size_t mac_len = MAC_ADDRESS_STR_SIZE - 1;
    const size_t ip_len = strlen(v->ip);
    const size_t name_escaped = json_writer_escaped_len(msg->device_name, v->name_len);
    const size_t location_escaped = json_writer_escaped_len(msg->location, v->location_len);
    /* A text member is "key":" + the escaped value + its closing quote. */
    const size_t name_member = TEXT_LEN(TEXT_NAME_OPEN) + name_escaped + 1;
    const size_t location_member = TEXT_LEN(TEXT_LOCATION_OPEN) + location_escaped + 1;
    const size_t len = TEXT_LEN(TEXT_HEAD) + mac_len + TEXT_LEN(TEXT_VALUE_END) + name_member +
                       TEXT_LEN(TEXT_IP_OPEN) + ip_len + TEXT_LEN(TEXT_VALUE_END) + location_member +
                       1; /* } */
    if (len >= buf_size) {
        return false;
    }
    char *const end = buf + buf_size;
    char *out = append(buf, TEXT_HEAD, TEXT_LEN(TEXT_HEAD));
    out = append(out, v->mac, mac_len);
    out = append(out, TEXT_VALUE_END, TEXT_LEN(TEXT_VALUE_END));
    out = put_text_member(out, (size_t)(end - out), TEXT_NAME_OPEN, TEXT_LEN(TEXT_NAME_OPEN), KEY_NAME,
                          msg->device_name, v->name_len, name_escaped);
    out = append(out, TEXT_IP_OPEN, TEXT_LEN(TEXT_IP_OPEN));
    out = append(out, v->ip, ip_len);
    out = append(out, TEXT_VALUE_END, TEXT_LEN(TEXT_VALUE_END));
    out = put_text_member(out, (size_t)(end - out), TEXT_LOCATION_OPEN, TEXT_LEN(TEXT_LOCATION_OPEN),
                          KEY_LOCATION, msg->location, v->location_len, location_escaped);
    out[0] = '}';
    out[1] = '\0';
    if (out_len != NULL) {
        *out_len = len;
    }
    return true;
}

size_t device_registration_json_len(const device_registration_t *msg)
{
    if (msg == NULL) {
        return 0;
    }
    json_values_t v;
    json_values(msg, &v);
    json_writer_t w;
    json_writer_init(&w, NULL, 0);
    write_json(&w, msg, &v);
    return w.length;
}

domain_status_t device_registration_to_json(const device_registration_t *msg, char *buf, size_t buf_size,
                                            size_t *out_len)
{
    if (msg == NULL || (buf == NULL && buf_size > 0)) {
        return DOMAIN_ERR_INVALID_ARG;
    }
    json_values_t v;
    json_values(msg, &v);
    if (write_fast(msg, &v, buf, buf_size, out_len)) {
        return DOMAIN_OK;
    }
    json_writer_t w;
    json_writer_init(&w, buf, buf_size);
    write_json(&w, msg, &v);
    size_t len = 0;
    const domain_status_t status = json_writer_finish(&w, &len);
    if (status == DOMAIN_OK && out_len != NULL) {
        *out_len = len;
    }
    return status;
}
