/*
 * ipv4_address: value object for the station's IPv4 address, as reported in the registration.
 *
 * Parsing is strict (what Go's net.ParseIP, used by the central server, accepts for IPv4): four decimal
 * octets 0-255, no leading zeros, no spaces. Octets are stored in network order (octets[0] is the first).
 */
#ifndef DOMAIN_IPV4_ADDRESS_H
#define DOMAIN_IPV4_ADDRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/domain_status.h"

/* "255.255.255.255" plus the terminating NUL. */
#define IPV4_ADDRESS_STR_SIZE 16

typedef struct {
    uint8_t octets[4];
} ipv4_address_t;

domain_status_t ipv4_address_parse(const char *text, ipv4_address_t *out);

/* Writes the dotted quad into out (IPV4_ADDRESS_STR_SIZE bytes). */
void ipv4_address_format(const ipv4_address_t *ip, char out[IPV4_ADDRESS_STR_SIZE]);

bool ipv4_address_equal(const ipv4_address_t *a, const ipv4_address_t *b);

/* 0.0.0.0: what a station has before DHCP; never registered. */
bool ipv4_address_is_unspecified(const ipv4_address_t *ip);

#endif /* DOMAIN_IPV4_ADDRESS_H */
