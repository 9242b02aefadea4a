/*
 * mac_address: value object for a 48-bit station MAC address.
 *
 * The central server accepts "AA:BB:CC:DD:EE:FF" or the '-' form, one separator style throughout; we
 * always format upper case with ':'. The MQTT client id is derived from the last three bytes
 * ("ESP32_A1B2C3"), the same identity the ESP-MQTT default would use, but set explicitly.
 */
#ifndef DOMAIN_MAC_ADDRESS_H
#define DOMAIN_MAC_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/domain_status.h"

#define MAC_ADDRESS_LEN 6
/* "AA:BB:CC:DD:EE:FF" plus the terminating NUL. */
#define MAC_ADDRESS_STR_SIZE 18
/* "ESP32_A1B2C3" plus the terminating NUL. */
#define MAC_ADDRESS_CLIENT_ID_SIZE 13

typedef struct {
    uint8_t bytes[MAC_ADDRESS_LEN];
} mac_address_t;

/* Parses six hex pairs separated all by ':' or all by '-' (any letter case). No surrounding spaces. */
domain_status_t mac_address_parse(const char *text, mac_address_t *out);

/* Writes "AA:BB:CC:DD:EE:FF" (upper case) into out, which must hold MAC_ADDRESS_STR_SIZE bytes. */
void mac_address_format(const mac_address_t *mac, char out[MAC_ADDRESS_STR_SIZE]);

/* Writes "ESP32_" + last three bytes in upper-case hex into out (MAC_ADDRESS_CLIENT_ID_SIZE bytes). */
void mac_address_client_id(const mac_address_t *mac, char out[MAC_ADDRESS_CLIENT_ID_SIZE]);

bool mac_address_equal(const mac_address_t *a, const mac_address_t *b);

#endif /* DOMAIN_MAC_ADDRESS_H */
