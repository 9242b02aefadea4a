/*
 * device_presence: the presence message of a device on its status topic, next to (never instead of) the
 * registration the central server consumes.
 *
 *   topic:   the configured template with "{mac}" replaced by the 12 upper-case hex digits of the MAC
 *            (no separators: MQTT topic levels stay plain), e.g.
 *            /liwaisi/iot/smart-irrigation/device/A4CF120B8E01/status
 *   payload: {"mac_address":"AA:BB:CC:DD:EE:FF","status":"online","ip_address":"192.168.1.50"}
 *            status "online" (published retained after each acknowledged registration) or "offline" (the
 *            retained last will, and what a clean shutdown publishes). Built by the same JSON writer and
 *            value objects as the registration, so it is valid by construction; the IP must be specified.
 * Pure, caller buffers only.
 */
#ifndef DOMAIN_DEVICE_PRESENCE_H
#define DOMAIN_DEVICE_PRESENCE_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/domain_status.h"
#include "domain/ipv4_address.h"
#include "domain/mac_address.h"

#define DEVICE_PRESENCE_MAC_PLACEHOLDER "{mac}"
/* {"mac_address":"..17..","status":"offline","ip_address":"..15.."} and a NUL, with room. */
#define DEVICE_PRESENCE_JSON_MAX_SIZE 96

typedef enum {
    DEVICE_PRESENCE_ONLINE = 0,
    DEVICE_PRESENCE_OFFLINE,
} device_presence_status_t;

/* "online" / "offline". */
const char *device_presence_status_to_str(device_presence_status_t status);

/*
 * Writes the topic for mac into out: DOMAIN_ERR_INVALID_ARG when the template does not contain the
 * placeholder exactly once, DOMAIN_ERR_BUFFER_TOO_SMALL when the result does not fit (out then "").
 */
domain_status_t device_presence_topic(const char *topic_template, const mac_address_t *mac, char *out,
                                      size_t out_size);

/* Writes the payload; DOMAIN_ERR_IP_UNSPECIFIED for 0.0.0.0, DOMAIN_ERR_BUFFER_TOO_SMALL when it does not
 * fit. *out_len (may be NULL) gets the length. */
domain_status_t device_presence_to_json(const mac_address_t *mac, device_presence_status_t status,
                                        const ipv4_address_t *ip, char *out, size_t out_size,
                                        size_t *out_len);

#endif /* DOMAIN_DEVICE_PRESENCE_H */
