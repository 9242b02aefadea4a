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

static domain_status_t clean_text(const char *raw, const text_rule_t *rule, char *out, size_t out_size)
{
    if (out == NULL || out_size == 0) {
        return DOMAIN_ERR_INVALID_ARG;
    }
    out[0] = '\0';
    size_t start;
    size_t len;
    const domain_status_t status = check_text(raw, rule, &start, &len);
    if (status != DOMAIN_OK) {
        return status;
    }
    if (len + 1 > out_size) {
        return DOMAIN_ERR_BUFFER_TOO_SMALL;
    }
    memcpy(out, raw + start, len);
    out[len] = '\0';
    return DOMAIN_OK;
}

domain_status_t device_registration_clean_name(const char *raw, char *out, size_t out_size)
{
    return clean_text(raw, &NAME_RULE, out, out_size);
}

domain_status_t device_registration_clean_location(const char *raw, char *out, size_t out_size)
{
    return clean_text(raw, &LOCATION_RULE, out, out_size);
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

#define KEY_NAME     "device_name"
#define KEY_LOCATION "location_description"

/* The message through the JSON writer's members: the definition, used to measure it. */
static void write_json(json_writer_t *w, const device_registration_t *msg)
{
    char mac_text[MAC_ADDRESS_STR_SIZE];
    char ip_text[IPV4_ADDRESS_STR_SIZE];
    mac_address_format(&msg->mac, mac_text);
    ipv4_address_format(&msg->ip, ip_text);
    json_writer_begin_object(w);
    json_writer_member_cstr(w, "event_type", DEVICE_REGISTRATION_EVENT_TYPE);
    json_writer_member_cstr(w, "mac_address", mac_text);
    json_writer_member_string(w, KEY_NAME, msg->device_name,
                              field_len(msg->device_name, sizeof(msg->device_name)));
    json_writer_member_cstr(w, "ip_address", ip_text);
    json_writer_member_string(w, KEY_LOCATION, msg->location,
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

/*
 * device_registration_to_json writes the same text as write_json, faster: the message is fixed text, the
 * MAC and IP, which never need escaping (hex digits and ':', digits and '.'), and two text members. The
 * fixed text, the MAC and IP, and a name or location with nothing to escape (the usual case) are copied in
 * bulk; only a name or location that needs escaping goes through the writer's member. So the writer does
 * not scan the constant keys again at every message. test_json_writer_differential checks that the bytes,
 * lengths and overflow behaviour are those of the original writer.
 */
static const char TEXT_HEAD[] = "{\"event_type\":\"" DEVICE_REGISTRATION_EVENT_TYPE "\",\"mac_address\":\"";
static const char TEXT_VALUE_END[] = "\",";
static const char TEXT_NAME_OPEN[] = "\"" KEY_NAME "\":\"";
static const char TEXT_IP_OPEN[] = ",\"ip_address\":\"";
static const char TEXT_LOCATION_OPEN[] = "\"" KEY_LOCATION "\":\"";
#define TEXT_LEN(piece) (sizeof(piece) - 1)

/* Where the message goes: the caller's buffer and the message's length so far, stored or not. */
typedef struct {
    char *buf;
    size_t size;
    size_t len;
} json_out_t;

/*
 * Appends text that needs no escaping under the JSON writer's rule (json_writer.h): bytes are stored only
 * while a NUL still fits after them, and all are counted, so a too-small buffer ends with the same
 * NUL-terminated prefix as with the writer.
 */
static inline void put_piece(json_out_t *out, const char *text, size_t len)
{
    if (out->len + len < out->size) {
        memcpy(out->buf + out->len, text, len);
    } else if (out->len + 1 < out->size) {
        memcpy(out->buf + out->len, text, out->size - 1 - out->len);
    }
    out->len += len;
}

/* "key":"value" copied raw when the value needs no escaping; false (nothing written) when it does. */
static bool put_raw_member(json_out_t *out, const char *open, size_t open_len, const char *value, size_t len)
{
    if (json_writer_escaped_len(value, len) != len) {
        return false;
    }
    put_piece(out, open, open_len);
    put_piece(out, value, len);
    put_piece(out, "\"", 1);
    return true;
}

/* A writer whose output continues out: same buffer, same NUL rule, so its cut falls where out's would. */
static void writer_at(json_writer_t *w, const json_out_t *out)
{
    const bool room = out->len < out->size;
    json_writer_init(w, room ? out->buf + out->len : NULL, room ? out->size - out->len : 0);
}

domain_status_t device_registration_to_json(const device_registration_t *msg, char *buf, size_t buf_size,
                                            size_t *out_len)
{
    if (msg == NULL || (buf == NULL && buf_size > 0)) {
        return DOMAIN_ERR_INVALID_ARG;
    }
    /*
     * Everything in this one frame, the writer included, so that a member that needs escaping runs only two
     * calls deeper. Each part has its own block: the MAC's text, the IP's and the writer never live at the
     * same time, and the compiler can give them one stack slot.
     */
    json_out_t out = {buf, buf_size, 0};
    {
        char mac_text[MAC_ADDRESS_STR_SIZE];
        mac_address_format(&msg->mac, mac_text);
        put_piece(&out, TEXT_HEAD, TEXT_LEN(TEXT_HEAD));
        put_piece(&out, mac_text, MAC_ADDRESS_STR_SIZE - 1);
        put_piece(&out, TEXT_VALUE_END, TEXT_LEN(TEXT_VALUE_END));
    }
    const size_t name_len = field_len(msg->device_name, sizeof(msg->device_name));
    if (!put_raw_member(&out, TEXT_NAME_OPEN, TEXT_LEN(TEXT_NAME_OPEN), msg->device_name, name_len)) {
        json_writer_t w;
        writer_at(&w, &out);
        json_writer_member_string(&w, KEY_NAME, msg->device_name, name_len);
        out.len += w.length;
    }
    {
        char ip_text[IPV4_ADDRESS_STR_SIZE];
        ipv4_address_format(&msg->ip, ip_text);
        put_piece(&out, TEXT_IP_OPEN, TEXT_LEN(TEXT_IP_OPEN));
        put_piece(&out, ip_text, strlen(ip_text));
        put_piece(&out, TEXT_VALUE_END, TEXT_LEN(TEXT_VALUE_END));
    }
    const size_t location_len = field_len(msg->location, sizeof(msg->location));
    if (!put_raw_member(&out, TEXT_LOCATION_OPEN, TEXT_LEN(TEXT_LOCATION_OPEN), msg->location,
                        location_len)) {
        json_writer_t w;
        writer_at(&w, &out);
        json_writer_member_string(&w, KEY_LOCATION, msg->location, location_len);
        out.len += w.length;
    }
    put_piece(&out, "}", 1);

    if (out.len + 1 > buf_size) {
        if (buf_size > 0) {
            buf[buf_size - 1] = '\0';
        }
        return DOMAIN_ERR_BUFFER_TOO_SMALL;
    }
    buf[out.len] = '\0';
    if (out_len != NULL) {
        *out_len = out.len;
    }
    return DOMAIN_OK;
}
