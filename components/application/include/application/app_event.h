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

/* The application's one-shot timers (timer_port.h). */
typedef enum {
    APP_TIMER_CONNECTION = 0, /* the MQTT connection: retry delay or connect-attempt watchdog */
    APP_TIMER_LINK,           /* the WiFi link: retry delay or the settle delay after new credentials */
    APP_TIMER_COUNT
} app_timer_id_t;

typedef enum {
    APP_EVENT_START = 0,            /* posted by application_start(): the application starts the WiFi link */
    APP_EVENT_WIFI_STARTED,         /* the station interface is up (connect allowed) */
    APP_EVENT_WIFI_DISCONNECTED,    /* code = the driver's disconnect reason */
    APP_EVENT_WIFI_GOT_IP,          /* ip */
    APP_EVENT_WIFI_LOST_IP,         /* the station's address expired */
    APP_EVENT_WIFI_CREDENTIALS_SET, /* the setup form gave new credentials (held in RAM by the driver) */
    APP_EVENT_HTTP_STARTED,
    APP_EVENT_MQTT_BEFORE_CONNECT,
    APP_EVENT_MQTT_CONNECTED,    /* flag = session_present */
    APP_EVENT_MQTT_DISCONNECTED, /* code = platform reason (0 when none) */
    APP_EVENT_MQTT_ERROR,        /* error_kind + code (errno, esp-tls error or CONNACK return code) */
    APP_EVENT_MQTT_PUBLISHED,    /* msg_id: PUBACK for QoS 1 */
    APP_EVENT_MQTT_DELETED,      /* msg_id: dropped from the outbox before PUBACK */
    APP_EVENT_TIMER_FIRED,       /* timer + token: what timer_port arm_once was given */
    APP_EVENT_CONFIG_CHANGED,    /* name or location stored anew: register again if connected */
    APP_EVENT_FACTORY_RESET,     /* reset button or simulator control: forget WiFi, reopen provisioning */
    APP_EVENT_SHUTDOWN, /* a clean stop: offline presence, then disconnect (DOMAIN_EVENT_SHUT_DOWN) */
    APP_EVENT_STOP,     /* the executor ends its task after this event (simulator exit) */
    APP_EVENT_COUNT
} app_event_kind_t;

typedef enum {
    APP_MQTT_ERROR_NONE = 0,
    APP_MQTT_ERROR_TRANSPORT,          /* TCP / WebSocket: code = errno or esp-tls error */
    APP_MQTT_ERROR_CONNECTION_REFUSED, /* code = CONNACK return code */
    APP_MQTT_ERROR_PROTOCOL,           /* e.g. wrong WebSocket path: the broker did not speak MQTT */
    APP_MQTT_ERROR_OTHER,
    APP_MQTT_ERROR_HOST_NOT_FOUND, /* the broker's host name did not resolve */
    APP_MQTT_ERROR_TCP_REFUSED,    /* nothing listens at the broker's address and port */
    APP_MQTT_ERROR_TLS,            /* wss://: the TLS handshake or the certificate check failed */
    APP_MQTT_ERROR_TIMEOUT,        /* the server accepted nothing or answered nothing in time: code = ms */
    APP_MQTT_ERROR_COUNT
} app_mqtt_error_kind_t;

typedef struct {
    app_event_kind_t kind;
    ipv4_address_t ip;
    int32_t msg_id;
    int32_t code;
    uint32_t token;
    app_timer_id_t timer;
    app_mqtt_error_kind_t error_kind;
    bool flag;
} app_event_t;

const char *app_event_kind_to_str(app_event_kind_t kind);
const char *app_mqtt_error_kind_to_str(app_mqtt_error_kind_t kind);
const char *app_timer_id_to_str(app_timer_id_t timer);

#endif /* APPLICATION_APP_EVENT_H */
