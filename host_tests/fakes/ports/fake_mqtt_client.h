/*
 * fake_mqtt_client: in-memory mqtt_session_port and mqtt_publisher_port (one fake, the same context for both,
 * as the real adapters). Records configure (with copies of the strings), connect,
 * disconnect and every publish (topic, payload bytes, QoS, the msg id it handed out), and returns scripted
 * results. Msg ids count up from 1 like ESP-MQTT's. It posts nothing by itself: tests post
 * APP_EVENT_MQTT_CONNECTED / PUBLISHED / ... through the executor, as the real adapter would.
 */
#ifndef FAKE_MQTT_CLIENT_H
#define FAKE_MQTT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "application/app_ports.h"
#include "application/settings.h"
#include "domain/broker_uri.h"
#include "domain/device_registration.h"
#include "domain/mac_address.h"
#include "fake_script.h"

#define FAKE_MQTT_MAX_PUBLISHES 32

typedef struct {
    char topic[APP_TOPIC_MAX_LEN + 16]; /* room for a presence topic (the MAC replaces "{mac}") */
    char payload[DEVICE_REGISTRATION_JSON_MAX_SIZE + 1]; /* NUL-terminated copy */
    size_t payload_len;
    uint8_t qos;
    bool retain;
    int32_t msg_id;   /* id handed out, or -1 when the publish was refused */
    app_err_t result; /* what publish() returned */
} fake_mqtt_publish_t;

typedef struct {
    /* configure */
    unsigned configure_calls;
    mqtt_client_config_t config; /* last config; uri and client_id point into the copies below */
    char uri[BROKER_URI_MAX_LEN + 1];
    char client_id[MAC_ADDRESS_CLIENT_ID_SIZE];
    fake_script_t configure_results;
    /* connect / disconnect */
    unsigned connect_calls;
    fake_script_t connect_results;
    char connect_uri[BROKER_URI_MAX_LEN + 1]; /* the URI of the last connect */
    bool connect_had_will;                    /* the last connect gave a last will */
    fake_mqtt_publish_t will;                 /* ... which was this (msg_id unused) */
    bool connected;                           /* what is_connected() answers; the test sets it */
    unsigned disconnect_calls;
    fake_script_t disconnect_results;
    /* publish */
    unsigned publish_calls;                                 /* every call, refused ones included */
    fake_mqtt_publish_t publishes[FAKE_MQTT_MAX_PUBLISHES]; /* the first FAKE_MQTT_MAX_PUBLISHES calls */
    fake_script_t publish_results;
    int32_t next_msg_id;
} fake_mqtt_client_t;

extern const mqtt_session_port_t fake_mqtt_session_port;
extern const mqtt_publisher_port_t fake_mqtt_publisher_port;

void fake_mqtt_client_init(fake_mqtt_client_t *fake);
/* The last recorded publish, or NULL when none. */
const fake_mqtt_publish_t *fake_mqtt_client_last_publish(const fake_mqtt_client_t *fake);
/* How many recorded publishes went to topic, and the last of them (NULL when none). */
size_t fake_mqtt_client_count_on(const fake_mqtt_client_t *fake, const char *topic);
const fake_mqtt_publish_t *fake_mqtt_client_last_on(const fake_mqtt_client_t *fake, const char *topic);
/* The msg id the next successful publish will return. */
void fake_mqtt_client_set_next_msg_id(fake_mqtt_client_t *fake, int32_t msg_id);

#endif
