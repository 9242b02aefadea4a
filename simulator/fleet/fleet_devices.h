/*
 * fleet_devices: who the devices of a fleet process are: generated ones (--devices N) or the lines of a
 * device file (--device-file), and the loopback address of each device with --distinct-ips.
 *
 * Device numbers count from 1 over the whole fleet, across processes (a process's first device is
 * --first-index). Generated device n has MAC 02:00:00:00:HH:LL (n in the last two bytes: locally
 * administered, never a vendor's; the same as the tooling's generated_mac) and the name "<prefix>-NN"
 * (n with at least two digits). With --distinct-ips, device n reports and serves at
 * 127.0.(k / 250).(k % 250 + 2) with k = n - 1: 127.0.0.2 ... 127.0.0.251, 127.0.1.2 ...; 127.0.0.1 (where
 * the brokers and tools listen) and the .0/.1/.252-.255 host parts are never used, and 64,000 devices fit.
 *
 * A device file holds one device per line, as an application/x-www-form-urlencoded record (the tooling
 * writes it with urlencode): mac (required, AA:BB:CC:DD:EE:FF), name, location (validated like --name and
 * --location), ip (the IPv4 address the device reports) and http_port; empty lines are skipped. Pure: the
 * caller reads the file.
 */
#ifndef FLEET_DEVICES_H
#define FLEET_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/device_registration.h"
#include "domain/ipv4_address.h"
#include "domain/mac_address.h"

/* The largest device number: the last one with a distinct loopback address (and a generated MAC). */
#define FLEET_DEVICES_MAX 64000u
/* The longest line of a device file (every byte of a 100-byte name and a 250-byte location as %XX). */
#define FLEET_DEVICES_LINE_MAX  1536u
#define FLEET_DEVICES_ERROR_MAX 160u

typedef struct {
    mac_address_t mac;
    bool has_name;
    char name[DEVICE_NAME_MAX_BYTES + 1];
    bool has_location;
    char location[DEVICE_LOCATION_MAX_BYTES + 1];
    bool has_ip; /* the address the device reports */
    ipv4_address_t ip;
    bool has_http_port;
    uint16_t http_port;
} fleet_device_spec_t;

/* 127.0.(k / 250).(k % 250 + 2) for k = number - 1. False when number is 0 or above FLEET_DEVICES_MAX. */
bool fleet_devices_distinct_ip(uint32_t number, ipv4_address_t *out);

/* Generated device `number` (1..FLEET_DEVICES_MAX): its MAC, the name "<name_prefix>-NN" and location
 * (NULL: none, the application's default). False, with the reason in error, when the name or the location
 * breaks the registration's rules. */
bool fleet_devices_generate(uint32_t number, const char *name_prefix, const char *location,
                            fleet_device_spec_t *out, char *error, size_t error_size);

/* One line of a device file (len bytes, no newline needed). False, with "field: reason" in error, when a
 * field is missing or breaks a rule. */
bool fleet_devices_parse_line(const char *line, size_t len, fleet_device_spec_t *out, char *error,
                              size_t error_size);

/* True when line (len bytes) holds nothing but blanks: skipped, not a device. */
bool fleet_devices_blank_line(const char *line, size_t len);

#endif /* FLEET_DEVICES_H */
