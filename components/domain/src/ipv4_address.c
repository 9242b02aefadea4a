#include "domain/ipv4_address.h"

#include <stddef.h>

domain_status_t ipv4_address_parse(const char *text, ipv4_address_t *out)
{
    if (text == NULL || out == NULL) {
        return DOMAIN_ERR_INVALID_ARG;
    }
    ipv4_address_t ip;
    const char *p = text;
    for (size_t i = 0; i < 4; i++) {
        if (i > 0) {
            if (*p != '.') {
                return DOMAIN_ERR_IP_INVALID;
            }
            p++;
        }
        /* One to three digits; a leading zero only as the whole octet ("0"), as Go's parser requires. */
        unsigned value = 0;
        size_t digits = 0;
        while (p[digits] >= '0' && p[digits] <= '9') {
            if (digits == 3) {
                return DOMAIN_ERR_IP_INVALID;
            }
            value = value * 10u + (unsigned)(p[digits] - '0');
            digits++;
        }
        if (digits == 0 || value > 255u || (digits > 1 && p[0] == '0')) {
            return DOMAIN_ERR_IP_INVALID;
        }
        ip.octets[i] = (uint8_t)value;
        p += digits;
    }
    if (*p != '\0') {
        return DOMAIN_ERR_IP_INVALID;
    }
    *out = ip;
    return DOMAIN_OK;
}

void ipv4_address_format(const ipv4_address_t *ip, char out[IPV4_ADDRESS_STR_SIZE])
{
    if (out == NULL) {
        return;
    }
    if (ip == NULL) {
        out[0] = '\0';
        return;
    }
    size_t pos = 0;
    for (size_t i = 0; i < 4; i++) {
        const unsigned value = ip->octets[i];
        if (i > 0) {
            out[pos++] = '.';
        }
        if (value >= 100u) {
            out[pos++] = (char)('0' + value / 100u);
        }
        if (value >= 10u) {
            out[pos++] = (char)('0' + (value / 10u) % 10u);
        }
        out[pos++] = (char)('0' + value % 10u);
    }
    out[pos] = '\0';
}

bool ipv4_address_equal(const ipv4_address_t *a, const ipv4_address_t *b)
{
    if (a == NULL || b == NULL) {
        return a == b;
    }
    return a->octets[0] == b->octets[0] && a->octets[1] == b->octets[1] && a->octets[2] == b->octets[2] &&
           a->octets[3] == b->octets[3];
}

bool ipv4_address_is_unspecified(const ipv4_address_t *ip)
{
    if (ip == NULL) {
        return true;
    }
    return ip->octets[0] == 0 && ip->octets[1] == 0 && ip->octets[2] == 0 && ip->octets[3] == 0;
}
