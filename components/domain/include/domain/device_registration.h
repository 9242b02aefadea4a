/*
 * device_registration: the DeviceRegistrationMessage value object.
 *
 * The central server silently drops any registration it does not accept (shared facts,
 * consumer-contract.md), so creation enforces every rule of that contract and returns one specific error
 * per rule: event_type "register"; MAC "AA:BB:CC:DD:EE:FF"; device_name non-empty after trimming and at most
 * 100 bytes; location_description non-empty after trimming and at most 250 bytes (the database column, not
 * the 255 of the validator); both valid UTF-8; a specified IPv4 address. Values are stored trimmed, so the
 * bytes we send are the bytes the server stores.
 *
 * Serialization writes compact JSON, fields in this order:
 *   {"event_type":"register","mac_address":...,"device_name":...,"ip_address":...,"location_description":...}
 * into a caller buffer, never past its end. No heap, no globals.
 */
#ifndef DOMAIN_DEVICE_REGISTRATION_H
#define DOMAIN_DEVICE_REGISTRATION_H

#include <stddef.h>

#include "domain/domain_status.h"
#include "domain/ipv4_address.h"
#include "domain/mac_address.h"

#define DEVICE_NAME_MAX_BYTES          100
#define DEVICE_LOCATION_MAX_BYTES      250
#define DEVICE_REGISTRATION_EVENT_TYPE "register"
/* Worst case: every byte of name and location escaped as \u00XX, plus the fixed parts. */
#define DEVICE_REGISTRATION_JSON_MAX_SIZE (6 * (DEVICE_NAME_MAX_BYTES + DEVICE_LOCATION_MAX_BYTES) + 160)

typedef struct {
    mac_address_t mac;
    ipv4_address_t ip;
    char device_name[DEVICE_NAME_MAX_BYTES + 1];
    char location[DEVICE_LOCATION_MAX_BYTES + 1];
} device_registration_t;

/* Validates one text field against the contract (used where values are written, e.g. HTTP config). */
domain_status_t device_registration_check_name(const char *name);
domain_status_t device_registration_check_location(const char *location);

/*
 * Validates like the check functions and writes the value the server will store: raw without the white space
 * around it (out: DEVICE_NAME_MAX_BYTES + 1 / DEVICE_LOCATION_MAX_BYTES + 1 bytes or more). What is stored
 * and shown is then exactly what is sent. out is "" on any error.
 */
domain_status_t device_registration_clean_name(const char *raw, char *out, size_t out_size);
domain_status_t device_registration_clean_location(const char *raw, char *out, size_t out_size);

/* Builds a valid message or returns the first rule broken (checked in the order: name, location, IP). */
domain_status_t device_registration_create(device_registration_t *out, const mac_address_t *mac,
                                           const ipv4_address_t *ip, const char *device_name,
                                           const char *location);

/* Exact number of bytes the JSON needs, excluding the terminating NUL. */
size_t device_registration_json_len(const device_registration_t *msg);

/*
 * Writes the JSON and a NUL into buf[0..buf_size). Returns DOMAIN_OK and *out_len (may be NULL), or
 * DOMAIN_ERR_BUFFER_TOO_SMALL when json_len + 1 > buf_size, writing nothing past buf_size (*out_len is
 * then left as it was), or DOMAIN_ERR_INVALID_ARG for a NULL msg or a NULL buf with a non-zero size.
 */
domain_status_t device_registration_to_json(const device_registration_t *msg, char *buf, size_t buf_size,
                                            size_t *out_len);

#endif /* DOMAIN_DEVICE_REGISTRATION_H */
