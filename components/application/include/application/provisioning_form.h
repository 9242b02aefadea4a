/*
 * provisioning: validation of the provisioning form (POST /provision on the access point) and the JSON of
 * the network scan (GET /scan). The WiFi adapter serves the routes, stores the result and switches to
 * station mode; the rules live here so they are the same everywhere and host-tested.
 *
 * Rules: ssid 1..32 bytes; password empty (open network) or 8..63 bytes (WPA2 passphrase) or exactly 64 hex
 * digits; device_name and location_description as the registration contract demands (optional: empty
 * keeps the stored value). The password is never logged or echoed.
 */
#ifndef APPLICATION_PROVISIONING_H
#define APPLICATION_PROVISIONING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "application/app_status.h"
#include "domain/device_registration.h"

#define PROVISIONING_SSID_MAX_BYTES     32
#define PROVISIONING_PASSWORD_MAX_BYTES 64
#define PROVISIONING_BODY_MAX_BYTES     1024

typedef struct {
    char ssid[PROVISIONING_SSID_MAX_BYTES + 1];
    char password[PROVISIONING_PASSWORD_MAX_BYTES + 1];
    bool has_device_name;
    char device_name[DEVICE_NAME_MAX_BYTES + 1];
    bool has_location;
    char location[DEVICE_LOCATION_MAX_BYTES + 1];
} provisioning_request_t;

/*
 * Parses and validates the form. On error returns APP_ERR_INVALID_VALUE / APP_ERR_TOO_LONG /
 * APP_ERR_NOT_FOUND and writes a one-line reason for the HTTP 400 body into reason (never the password).
 */
app_err_t provisioning_parse_request(const char *body, size_t body_len, provisioning_request_t *out,
                                     char *reason, size_t reason_size);

typedef struct {
    const char *ssid; /* raw bytes from the scan, may be any bytes */
    size_t ssid_len;
    int8_t rssi;
    bool secured;
} provisioning_network_t;

/*
 * Writes [{"ssid":"...","rssi":-60,"secured":true},...] into buf. SSIDs that are not valid UTF-8 are
 * written with invalid bytes replaced by U+FFFD, so the JSON is always valid. APP_ERR_BUFFER_TOO_SMALL when
 * it does not fit.
 */
app_err_t provisioning_scan_json(const provisioning_network_t *networks, size_t count, char *buf,
                                 size_t buf_size, size_t *out_len);

#endif
