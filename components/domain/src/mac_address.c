#include "domain/mac_address.h"

#include <string.h>

#include "domain/hex_digit.h"

static const char HEX_UPPER[] = "0123456789ABCDEF";

domain_status_t mac_address_parse(const char *text, mac_address_t *out)
{
    if (text == NULL || out == NULL) {
        return DOMAIN_ERR_INVALID_ARG;
    }
    /* Exactly "XX?XX?XX?XX?XX?XX": 17 characters, the separator fixed by the first one. */
    if (strlen(text) != MAC_ADDRESS_STR_SIZE - 1) {
        return DOMAIN_ERR_MAC_INVALID;
    }
    const char separator = text[2];
    if (separator != ':' && separator != '-') {
        return DOMAIN_ERR_MAC_INVALID;
    }
    mac_address_t mac;
    for (size_t i = 0; i < MAC_ADDRESS_LEN; i++) {
        const char *pair = &text[i * 3];
        const int high = hex_digit_value(pair[0]);
        const int low = hex_digit_value(pair[1]);
        if (high < 0 || low < 0) {
            return DOMAIN_ERR_MAC_INVALID;
        }
        if (i + 1 < MAC_ADDRESS_LEN && pair[2] != separator) {
            return DOMAIN_ERR_MAC_INVALID;
        }
        mac.bytes[i] = (uint8_t)((high << 4) | low);
    }
    *out = mac;
    return DOMAIN_OK;
}

void mac_address_format(const mac_address_t *mac, char out[MAC_ADDRESS_STR_SIZE])
{
    if (out == NULL) {
        return;
    }
    if (mac == NULL) {
        out[0] = '\0';
        return;
    }
    size_t pos = 0;
    for (size_t i = 0; i < MAC_ADDRESS_LEN; i++) {
        if (i > 0) {
            out[pos++] = ':';
        }
        out[pos++] = HEX_UPPER[mac->bytes[i] >> 4];
        out[pos++] = HEX_UPPER[mac->bytes[i] & 0x0F];
    }
    out[pos] = '\0';
}

void mac_address_client_id(const mac_address_t *mac, char out[MAC_ADDRESS_CLIENT_ID_SIZE])
{
    static const char prefix[] = "ESP32_";
    if (out == NULL) {
        return;
    }
    if (mac == NULL) {
        out[0] = '\0';
        return;
    }
    memcpy(out, prefix, sizeof(prefix) - 1);
    size_t pos = sizeof(prefix) - 1;
    for (size_t i = MAC_ADDRESS_LEN - 3; i < MAC_ADDRESS_LEN; i++) {
        out[pos++] = HEX_UPPER[mac->bytes[i] >> 4];
        out[pos++] = HEX_UPPER[mac->bytes[i] & 0x0F];
    }
    out[pos] = '\0';
}

bool mac_address_equal(const mac_address_t *a, const mac_address_t *b)
{
    if (a == NULL || b == NULL) {
        return a == b;
    }
    return memcmp(a->bytes, b->bytes, MAC_ADDRESS_LEN) == 0;
}
