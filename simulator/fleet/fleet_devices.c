/*
 * fleet_devices: see fleet_devices.h.
 */
#include "fleet_devices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "application/form_decoder.h"
#include "domain/domain_status.h"

bool fleet_devices_distinct_ip(uint32_t number, ipv4_address_t *out)
{
    if (number == 0 || number > FLEET_DEVICES_MAX) {
        return false;
    }
    uint32_t k = number - 1;
    out->octets[0] = 127;
    out->octets[1] = 0;
    out->octets[2] = (uint8_t)(k / 250u);
    out->octets[3] = (uint8_t)(k % 250u + 2u);
    return true;
}

static bool failed(char *error, size_t error_size, const char *field, const char *reason)
{
    (void)snprintf(error, error_size, "%s: %s", field, reason);
    return false;
}

/* Validates value by the registration's rule for field and copies it (dst holds the longest valid value). */
static bool take_text(const char *field, const char *value, bool is_name, char *dst, bool *present,
                      char *error, size_t error_size)
{
    domain_status_t status =
        is_name ? device_registration_check_name(value) : device_registration_check_location(value);
    if (status != DOMAIN_OK) {
        return failed(error, error_size, field, domain_status_to_str(status));
    }
    memcpy(dst, value, strlen(value) + 1);
    *present = true;
    return true;
}

bool fleet_devices_generate(uint32_t number, const char *name_prefix, const char *location,
                            fleet_device_spec_t *out, char *error, size_t error_size)
{
    memset(out, 0, sizeof(*out));
    if (number == 0 || number > FLEET_DEVICES_MAX) {
        return failed(error, error_size, "device number", "out of range");
    }
    out->mac.bytes[0] = 0x02;
    out->mac.bytes[4] = (uint8_t)(number >> 8);
    out->mac.bytes[5] = (uint8_t)number;
    char name[DEVICE_NAME_MAX_BYTES + 16];
    int n = snprintf(name, sizeof(name), "%s-%02lu", name_prefix, (unsigned long)number);
    if (n < 0 || (size_t)n >= sizeof(name)) {
        return failed(error, error_size, "name", domain_status_to_str(DOMAIN_ERR_NAME_TOO_LONG));
    }
    if (!take_text("name", name, true, out->name, &out->has_name, error, error_size)) {
        return false;
    }
    return location == NULL ||
           take_text("location", location, false, out->location, &out->has_location, error, error_size);
}

bool fleet_devices_blank_line(const char *line, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r' && line[i] != '\n') {
            return false;
        }
    }
    return true;
}

/* Decodes field into value (*present: it was there). False, with the reason in error, when it is malformed.
 */
static bool field_value(const char *line, size_t len, const char *field, char *value, size_t value_size,
                        bool *present, char *error, size_t error_size)
{
    app_err_t rc = form_decoder_get(line, len, field, value, value_size);
    *present = rc == APP_OK;
    if (rc == APP_OK || rc == APP_ERR_NOT_FOUND) {
        return true;
    }
    return failed(error, error_size, field,
                  rc == APP_ERR_TOO_LONG ? "longer than its limit" : "malformed %-escape or a NUL byte");
}

bool fleet_devices_parse_line(const char *line, size_t len, fleet_device_spec_t *out, char *error,
                              size_t error_size)
{
    memset(out, 0, sizeof(*out));
    char
        value[DEVICE_LOCATION_MAX_BYTES + 2]; /* one byte more than the longest valid value: too long shows */
    bool present = false;
    domain_status_t status = DOMAIN_OK;

    if (!field_value(line, len, "mac", value, sizeof(value), &present, error, error_size)) {
        return false;
    }
    if (!present) {
        return failed(error, error_size, "mac", "required");
    }
    status = mac_address_parse(value, &out->mac);
    if (status != DOMAIN_OK) {
        return failed(error, error_size, "mac", domain_status_to_str(status));
    }

    if (!field_value(line, len, "name", value, sizeof(value), &present, error, error_size) ||
        (present && !take_text("name", value, true, out->name, &out->has_name, error, error_size))) {
        return false;
    }
    if (!field_value(line, len, "location", value, sizeof(value), &present, error, error_size) ||
        (present &&
         !take_text("location", value, false, out->location, &out->has_location, error, error_size))) {
        return false;
    }

    if (!field_value(line, len, "ip", value, sizeof(value), &present, error, error_size)) {
        return false;
    }
    if (present) {
        status = ipv4_address_parse(value, &out->ip);
        if (status == DOMAIN_OK && ipv4_address_is_unspecified(&out->ip)) {
            status = DOMAIN_ERR_IP_UNSPECIFIED;
        }
        if (status != DOMAIN_OK) {
            return failed(error, error_size, "ip", domain_status_to_str(status));
        }
        out->has_ip = true;
    }

    if (!field_value(line, len, "http_port", value, sizeof(value), &present, error, error_size)) {
        return false;
    }
    if (present) {
        char *end = NULL;
        unsigned long port = value[0] >= '0' && value[0] <= '9' ? strtoul(value, &end, 10) : 65536ul;
        if (end == NULL || *end != '\0' || port > 65535ul) {
            return failed(error, error_size, "http_port", "expected a port number from 0 to 65535");
        }
        out->http_port = (uint16_t)port;
        out->has_http_port = true;
    }
    return true;
}
