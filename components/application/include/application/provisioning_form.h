/*
 * provisioning_form: validation of the setup form (POST /provision on the access point) and the JSON of
 * the network scan (GET /scan), for the provisioning use case. The rules live here so they are the same on
 * every platform and host-tested.
 *
 * Rules: ssid 1..32 bytes; password empty (open network) or 8..63 bytes (WPA2 passphrase) or exactly 64 hex
 * digits; device_name and location_description as the registration contract demands (optional: empty
 * keeps the stored value). The password is never logged or echoed.
 */
#ifndef APPLICATION_PROVISIONING_FORM_H
#define APPLICATION_PROVISIONING_FORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "application/app_status.h"
#include "application/ports/wifi_station_port.h"
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
} provisioning_form_t;

/*
 * Parses and validates the form. On error returns APP_ERR_INVALID_VALUE / APP_ERR_TOO_LONG /
 * APP_ERR_NOT_FOUND and writes a one-line reason for the HTTP 400 body into reason (never the password).
 */
app_err_t provisioning_form_parse(const char *body, size_t body_len, provisioning_form_t *out, char *reason,
                                  size_t reason_size);

/*
 * Writes [{"ssid":"...","rssi":-60,"secured":true},...] into buf. SSIDs that are not valid UTF-8 are
 * written with invalid bytes replaced by U+FFFD, so the JSON is always valid. APP_ERR_BUFFER_TOO_SMALL when
 * it does not fit (buf then holds "").
 */
app_err_t provisioning_form_scan_json(const wifi_station_network_t *networks, size_t count, char *buf,
                                      size_t buf_size, size_t *out_len);

#endif
