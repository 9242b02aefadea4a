/* presence: see the header. */
#include "application/presence.h"

#include <string.h>

#include "application/app_report.h"

void presence_init(presence_t *p, const app_ports_t *ports, const app_settings_t *settings,
                   const mac_address_t *mac)
{
    memset(p, 0, sizeof(*p));
    p->ports = ports;
    p->settings = settings;
    if (settings->mqtt.status_topic[0] == '\0') {
        return;
    }
    if (device_presence_topic(settings->mqtt.status_topic, mac, p->topic, sizeof(p->topic)) != DOMAIN_OK) {
        app_report_notice(ports, APP_NOTICE_ERROR, "presence disabled: the status topic cannot be built");
        return;
    }
    p->enabled = true;
}

const mqtt_message_t *presence_will(presence_t *p, const mac_address_t *mac, const ipv4_address_t *ip)
{
    size_t len = 0;
    if (!p->enabled || device_presence_to_json(mac, DEVICE_PRESENCE_OFFLINE, ip, p->will_payload,
                                               sizeof(p->will_payload), &len) != DOMAIN_OK) {
        return NULL;
    }
    p->will = (mqtt_message_t){
        .topic = p->topic, .payload = p->will_payload, .payload_len = len, .qos = 1, .retain = true};
    return &p->will;
}

app_err_t presence_publish(presence_t *p, device_presence_status_t status, const mac_address_t *mac,
                           const ipv4_address_t *ip, int32_t *msg_id)
{
    *msg_id = -1;
    if (!p->enabled) {
        return APP_ERR_NOT_FOUND;
    }
    char payload[DEVICE_PRESENCE_JSON_MAX_SIZE];
    size_t len = 0;
    app_err_t rc = APP_ERR_INVALID_VALUE;
    if (device_presence_to_json(mac, status, ip, payload, sizeof(payload), &len) == DOMAIN_OK) {
        const mqtt_message_t message = {
            .topic = p->topic, .payload = payload, .payload_len = len, .qos = 1, .retain = true};
        rc = p->ports->mqtt_publisher->publish(p->ports->mqtt_publisher_ctx, &message, msg_id);
    }
    domain_event_t event = {.kind = DOMAIN_EVENT_PRESENCE};
    event.data.presence.online = status == DEVICE_PRESENCE_ONLINE;
    event.data.presence.msg_id = rc == APP_OK ? *msg_id : -1;
    app_report_event(p->ports, &event);
    if (rc != APP_OK) {
        app_report_noticef(p->ports, APP_NOTICE_WARNING, "presence %s not queued: %s",
                           device_presence_status_to_str(status), app_err_to_str(rc));
    }
    return rc;
}
