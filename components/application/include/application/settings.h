/*
 * settings: the application's configuration DTOs.
 *
 * Filled in exactly one place per platform: from Kconfig in main/ (firmware) and from the command line in
 * the simulator. app_settings_defaults() gives the product defaults (the same as Kconfig's).
 */
#ifndef APPLICATION_SETTINGS_H
#define APPLICATION_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/broker_uri.h"
#include "domain/device_registration.h"
#include "domain/mqtt_connection.h"
#include "domain/retry_policy.h"
#include "domain/setup_secret.h"

#define APP_DEFAULT_BROKER_URI         "ws://mqtt.iot.liwaisi.tech:80"
#define APP_DEFAULT_REGISTRATION_TOPIC "/liwaisi/iot/smart-irrigation/device/registration"
#define APP_DEFAULT_DEVICE_NAME        "ESP32-Riego"
#define APP_DEFAULT_LOCATION           "Sin ubicacion configurada"
#define APP_TOPIC_MAX_LEN              127
#define APP_FIRMWARE_VERSION_MAX_LEN   31
#define APP_DEFAULT_FIRMWARE_VERSION   "0.1.0"
/* A comma-separated list of up to MQTT_CONNECTION_MAX_BROKERS broker URIs. */
#define APP_BROKER_LIST_MAX_LEN  ((BROKER_URI_MAX_LEN + 2) * MQTT_CONNECTION_MAX_BROKERS)
#define APP_DEFAULT_STATUS_TOPIC "/liwaisi/iot/smart-irrigation/device/{mac}/status"
#define APP_CREDENTIAL_MAX_LEN   64
/* Defaults below ESP-MQTT's 30 s outbox expiry, so the registration is given up on before the client drops
 * it silently; 5 s between resends instead of ESP-MQTT's 1 s, so a slow broker gets few duplicates. */
#define APP_DEFAULT_REGISTRATION_TIMEOUT_MS 20000u
#define APP_DEFAULT_RETRANSMIT_MS           5000u
#define APP_DEFAULT_REFRESH_INTERVAL_S      21600u
#define APP_DEFAULT_LIVENESS_INTERVAL_MS    60000u
#define APP_DEFAULT_CONFIG_MIN_INTERVAL_MS  10000u

typedef struct {
    char broker_uri[APP_BROKER_LIST_MAX_LEN + 1]; /* one URI, or a comma-separated list (failover) */
    char ws_path[BROKER_URI_PATH_MAX_LEN + 1];    /* applied when a URI has no path; "" means "/mqtt" */
    char topic[APP_TOPIC_MAX_LEN + 1];
    char status_topic[APP_TOPIC_MAX_LEN + 1];  /* presence topic template with "{mac}"; "" = no presence */
    char username[APP_CREDENTIAL_MAX_LEN + 1]; /* "" = none */
    char password[APP_CREDENTIAL_MAX_LEN + 1]; /* "" = none; never logged */
    uint8_t qos;          /* 1: the contract's QoS; 0 allowed for experiments, 2 refused (NATS) */
    uint16_t keepalive_s; /* > 0 */
    uint32_t network_timeout_ms;
    uint32_t buffer_size;             /* MQTT receive buffer, bytes, > 0 */
    uint32_t out_buffer_size;         /* MQTT send buffer, bytes, >= the largest registration */
    uint32_t task_stack_size;         /* ESP-MQTT task stack, bytes (firmware only; > 0) */
    uint8_t task_priority;            /* ESP-MQTT task priority (firmware only) */
    uint32_t outbox_limit;            /* bytes; 0 = unlimited */
    uint32_t registration_timeout_ms; /* bound of REGISTERING; 0 = none */
    uint32_t retransmit_ms;           /* QoS 1 resend interval of the client */
    uint32_t refresh_interval_s;      /* register again this often while registered; 0 = never */
    uint32_t liveness_interval_ms;    /* check the client's session this often while registered; 0 = never */
    retry_policy_config_t retry;
} mqtt_settings_t;

typedef struct {
    char device_name[DEVICE_NAME_MAX_BYTES + 1];
    char location[DEVICE_LOCATION_MAX_BYTES + 1];
} device_defaults_t;

/* The provisioning access point "<prefix>-XXXX" (XXXX: the last two bytes of the station MAC). */
#define APP_AP_SSID_PREFIX_MAX_LEN 27
#define APP_DEFAULT_AP_SSID_PREFIX "Riego-Setup"
/* Where a captive-portal redirect sends phones: the access point's own address on the device. */
#define APP_PORTAL_URL_MAX_LEN 63
#define APP_DEFAULT_PORTAL_URL "http://192.168.4.1/"

typedef struct {
    char ap_ssid_prefix[APP_AP_SSID_PREFIX_MAX_LEN + 1]; /* 1..27 bytes */
    uint32_t settle_ms; /* pause between accepting credentials and trying them; 0 = the link's default */
} wifi_settings_t;

/*
 * The device's setup secret (domain/setup_secret.h) is the access point's WPA2 passphrase and the token of
 * every HTTP write. There is no default: the composition root reads it from the device's storage (or
 * generates and stores one) before application_start(). Without a valid one the access point stays off and
 * every write is refused (fail closed).
 */
typedef struct {
    char setup_secret[SETUP_SECRET_LEN + 1];     /* canonical, or "" = none */
    char portal_url[APP_PORTAL_URL_MAX_LEN + 1]; /* captive-portal redirect target */
} security_settings_t;

typedef struct {
    mqtt_settings_t mqtt; /* mqtt.retry is the schedule of the WiFi link too */
    wifi_settings_t wifi;
    security_settings_t security;
    device_defaults_t defaults; /* used when storage is empty or holds an invalid value */
    char firmware_version[APP_FIRMWARE_VERSION_MAX_LEN + 1];
    uint32_t lock_timeout_ms; /* how long any task waits for the shared lock */
    uint32_t
        config_min_interval_ms; /* minimum time between two accepted config writes (flash wear); 0 = none */
    bool storage_unavailable;   /* the composition root could not open persistent storage: running on RAM */
} app_settings_t;

/*
 * Bytes an MQTT PUBLISH adds around its payload, at most: fixed header (1), remaining length (up to 4),
 * topic length (2) and packet id (2). The topic's own bytes come on top.
 */
#define APP_MQTT_PUBLISH_OVERHEAD_BYTES 9u

/*
 * Send buffer default. ESP-MQTT's own default (1024) is smaller than the largest registration the contract
 * allows (DEVICE_REGISTRATION_JSON_MAX_SIZE, every byte of a 100-byte name and a 250-byte location escaped
 * as \u00XX, plus the PUBLISH header and a topic of up to APP_TOPIC_MAX_LEN bytes), so that value would
 * make the client refuse some valid registrations. 2560 fits the worst case with any allowed topic.
 */
#define APP_DEFAULT_OUT_BUFFER_SIZE 2560u

/* Smallest out_buffer_size that holds the largest registration published on topic. */
uint32_t app_settings_min_out_buffer_size(const char *topic);

/* Product defaults: the broker above (ws_path "/mqtt"), topic, QoS 1, keepalive 60 s, network timeout
 * 10000 ms, receive buffer 1024, send buffer APP_DEFAULT_OUT_BUFFER_SIZE, stack 6144, priority 5, outbox
 * limit 0 (unlimited), retry 30 s / 3600 s / x2 / 0 %, lock timeout 100 ms, firmware "0.1.0", defaults
 * APP_DEFAULT_DEVICE_NAME and APP_DEFAULT_LOCATION, access point prefix APP_DEFAULT_AP_SSID_PREFIX, portal
 * URL APP_DEFAULT_PORTAL_URL, no setup secret (never a shared default). They pass
 * settings_validation_check(). */
void app_settings_defaults(app_settings_t *settings);

#endif /* APPLICATION_SETTINGS_H */
