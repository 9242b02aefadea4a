/*
 * app_event: what adapters post to the application task through the executor port.
 *
 * Adapter callbacks (ESP-MQTT handler, WiFi/IP handlers, timers, Paho and microhttpd callbacks) fill one of
 * these and post it without blocking; the application handles it later on its own task. Copied by value:
 * no pointers into adapter memory.
 */
#ifndef APPLICATION_APP_EVENT_H
#define APPLICATION_APP_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/ipv4_address.h"

typedef enum {
    APP_EVENT_NETWORK_UP = 0, /* station got an IP: ip */
    APP_EVENT_NETWORK_DOWN,   /* station lost link or IP: code = platform reason */
    APP_EVENT_IP_CHANGED,     /* station IP changed while up: ip */
    APP_EVENT_HTTP_STARTED,
    APP_EVENT_MQTT_BEFORE_CONNECT,
    APP_EVENT_MQTT_CONNECTED,    /* flag = session_present */
    APP_EVENT_MQTT_DISCONNECTED, /* code = platform reason (0 when none) */
    APP_EVENT_MQTT_ERROR,        /* error_kind + code (errno, esp-tls error or CONNACK return code) */
    APP_EVENT_MQTT_PUBLISHED,    /* msg_id: PUBACK for QoS 1 */
    APP_EVENT_MQTT_DELETED,      /* msg_id: dropped from the outbox before PUBACK */
    APP_EVENT_RETRY_TIMER_FIRED, /* token: the token given to timer_port arm_once */
    APP_EVENT_CONFIG_CHANGED,    /* name or location stored anew: register again if connected */
    APP_EVENT_STOP,              /* the executor ends its task after this event (simulator exit) */
    APP_EVENT_COUNT
} app_event_kind_t;

typedef enum {
    APP_MQTT_ERROR_NONE = 0,
    APP_MQTT_ERROR_TRANSPORT,          /* TCP / WebSocket: code = errno or esp-tls error */
    APP_MQTT_ERROR_CONNECTION_REFUSED, /* code = CONNACK return code */
    APP_MQTT_ERROR_PROTOCOL,           /* e.g. wrong WebSocket path: the broker did not speak MQTT */
    APP_MQTT_ERROR_OTHER,
    APP_MQTT_ERROR_COUNT
} app_mqtt_error_kind_t;

typedef struct {
    app_event_kind_t kind;
    ipv4_address_t ip;
    int32_t msg_id;
    int32_t code;
    uint32_t token;
    app_mqtt_error_kind_t error_kind;
    bool flag;
} app_event_t;

const char *app_event_kind_to_str(app_event_kind_t kind);
const char *app_mqtt_error_kind_to_str(app_mqtt_error_kind_t kind);

#endif /* APPLICATION_APP_EVENT_H */
