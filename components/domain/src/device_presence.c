#include "domain/device_presence.h"

#include <string.h>

#include "domain/json_writer.h"

static const char HEX_UPPER[] = "0123456789ABCDEF";

const char *device_presence_status_to_str(device_presence_status_t status)
{
    return status == DEVICE_PRESENCE_ONLINE ? "online" : "offline";
}

domain_status_t device_presence_topic(const char *topic_template, const mac_address_t *mac, char *out,
                                      size_t out_size)
{
    if (topic_template == NULL || mac == NULL || out == NULL || out_size == 0) {
        return DOMAIN_ERR_INVALID_ARG;
    }
    out[0] = '\0';
    const char *mark = strstr(topic_template, DEVICE_PRESENCE_MAC_PLACEHOLDER);
    const size_t mark_len = sizeof(DEVICE_PRESENCE_MAC_PLACEHOLDER) - 1;
    if (mark == NULL || strstr(mark + mark_len, DEVICE_PRESENCE_MAC_PLACEHOLDER) != NULL) {
        return DOMAIN_ERR_INVALID_ARG;
    }
    const size_t prefix_len = (size_t)(mark - topic_template);
    const size_t suffix_len = strlen(mark + mark_len);
    const size_t total = prefix_len + 2u * MAC_ADDRESS_LEN + suffix_len;
    if (total + 1 > out_size) {
        return DOMAIN_ERR_BUFFER_TOO_SMALL;
    }
    memcpy(out, topic_template, prefix_len);
    char *hex = out + prefix_len;
    for (size_t i = 0; i < MAC_ADDRESS_LEN; i++) {
        hex[2 * i] = HEX_UPPER[mac->bytes[i] >> 4];
        hex[2 * i + 1] = HEX_UPPER[mac->bytes[i] & 0x0Fu];
    }
    memcpy(hex + 2u * MAC_ADDRESS_LEN, mark + mark_len, suffix_len + 1);
    return DOMAIN_OK;
}

domain_status_t device_presence_to_json(const mac_address_t *mac, device_presence_status_t status,
                                        const ipv4_address_t *ip, char *out, size_t out_size, size_t *out_len)
{
    if (mac == NULL || ip == NULL || (out == NULL && out_size > 0)) {
        return DOMAIN_ERR_INVALID_ARG;
    }
    if (ipv4_address_is_unspecified(ip)) {
        return DOMAIN_ERR_IP_UNSPECIFIED;
    }
    char mac_text[MAC_ADDRESS_STR_SIZE];
    char ip_text[IPV4_ADDRESS_STR_SIZE];
    mac_address_format(mac, mac_text);
    ipv4_address_format(ip, ip_text);
    json_writer_t w;
    json_writer_init(&w, out, out_size);
    json_writer_begin_object(&w);
    json_writer_member_cstr(&w, "mac_address", mac_text);
    json_writer_member_cstr(&w, "status", device_presence_status_to_str(status));
    json_writer_member_cstr(&w, "ip_address", ip_text);
    json_writer_end_object(&w);
    size_t len = 0;
    const domain_status_t rc = json_writer_finish(&w, &len);
    if (rc == DOMAIN_OK && out_len != NULL) {
        *out_len = len;
    }
    return rc;
}
