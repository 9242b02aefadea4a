/*
 * presence: the device's presence on its status topic (domain/device_presence): `online`, retained, after
 * each acknowledged registration; `offline`, retained, as the last will given with every connect and
 * published on a clean shutdown. The registration topic and payload are untouched: the central server's
 * contract stays as it is. Disabled when the status topic template is "". Application task only.
 */
#ifndef APPLICATION_PRESENCE_H
#define APPLICATION_PRESENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "application/app_ports.h"
#include "application/settings.h"
#include "domain/device_presence.h"

typedef struct {
    const app_ports_t *ports;
    const app_settings_t *settings;
    bool enabled;
    char topic[APP_TOPIC_MAX_LEN + 2 * MAC_ADDRESS_LEN];
    char will_payload[DEVICE_PRESENCE_JSON_MAX_SIZE];
    mqtt_message_t will;
} presence_t;

/* Builds the device's status topic from the template and mac; disabled when the template is "" (or, with a
 * notice, when it cannot be built: settings validation refuses such a template first). */
void presence_init(presence_t *p, const app_ports_t *ports, const app_settings_t *settings,
                   const mac_address_t *mac);

/* The last will for a connect from ip (retained offline), or NULL when disabled or ip is unspecified. The
 * message lives in p until the next call. */
const mqtt_message_t *presence_will(presence_t *p, const mac_address_t *mac, const ipv4_address_t *ip);

/* Queues the retained presence message (QoS 1) and reports DOMAIN_EVENT_PRESENCE. APP_OK with *msg_id, the
 * publisher's error, or APP_ERR_NOT_FOUND when disabled. */
app_err_t presence_publish(presence_t *p, device_presence_status_t status, const mac_address_t *mac,
                           const ipv4_address_t *ip, int32_t *msg_id);

#endif
