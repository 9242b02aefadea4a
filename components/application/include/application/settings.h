/*
 * settings: the application's configuration DTOs.
 *
 * Filled in exactly one place per platform: from Kconfig in main/ (firmware) and from the command line in
 * the simulator. app_settings_defaults() gives the product defaults (the same as Kconfig's).
 */
#ifndef APPLICATION_SETTINGS_H
#define APPLICATION_SETTINGS_H

#include <stdint.h>

#include "domain/broker_uri.h"
#include "domain/device_registration.h"
#include "domain/retry_policy.h"

#define APP_DEFAULT_BROKER_URI         "ws://mqtt.iot.liwaisi.tech:80"
#define APP_DEFAULT_REGISTRATION_TOPIC "/liwaisi/iot/smart-irrigation/device/registration"
#define APP_DEFAULT_DEVICE_NAME        "ESP32-Riego"
#define APP_DEFAULT_LOCATION           "Sin ubicacion configurada"
#define APP_TOPIC_MAX_LEN              127
#define APP_FIRMWARE_VERSION_MAX_LEN   31
#define APP_DEFAULT_FIRMWARE_VERSION   "0.1.0"

typedef struct {
    char broker_uri[BROKER_URI_MAX_LEN + 1];
    char ws_path[BROKER_URI_PATH_MAX_LEN + 1]; /* applied when broker_uri has no path; "" means "/mqtt" */
    char topic[APP_TOPIC_MAX_LEN + 1];
    uint8_t qos;          /* 1: the contract's QoS; 0 allowed for experiments, 2 refused (NATS) */
    uint16_t keepalive_s; /* > 0 */
    uint32_t network_timeout_ms;
    uint32_t buffer_size;     /* MQTT receive buffer, bytes, > 0 */
    uint32_t out_buffer_size; /* MQTT send buffer, bytes, >= the largest registration */
    uint32_t task_stack_size; /* ESP-MQTT task stack, bytes (firmware only; > 0) */
    uint8_t task_priority;    /* ESP-MQTT task priority (firmware only) */
    uint32_t outbox_limit;    /* bytes; 0 = unlimited */
    retry_policy_config_t retry;
} mqtt_settings_t;

typedef struct {
    char device_name[DEVICE_NAME_MAX_BYTES + 1];
    char location[DEVICE_LOCATION_MAX_BYTES + 1];
} device_defaults_t;

/* The provisioning access point "<prefix>-XXXX" (XXXX: the last two bytes of the station MAC). */
#define APP_AP_SSID_PREFIX_MAX_LEN 27
#define APP_AP_PASSWORD_MIN_LEN    8
#define APP_AP_PASSWORD_MAX_LEN    63
#define APP_DEFAULT_AP_SSID_PREFIX "Riego-Setup"
#define APP_DEFAULT_AP_PASSWORD    "riego-setup"

typedef struct {
    char ap_ssid_prefix[APP_AP_SSID_PREFIX_MAX_LEN + 1]; /* 1..27 bytes */
    char ap_password[APP_AP_PASSWORD_MAX_LEN + 1];       /* WPA2: 8..63 characters */
    uint32_t settle_ms; /* pause between accepting credentials and trying them; 0 = the link's default */
} wifi_settings_t;

typedef struct {
    mqtt_settings_t mqtt; /* mqtt.retry is the schedule of the WiFi link too */
    wifi_settings_t wifi;
    device_defaults_t defaults; /* used when storage is empty or holds an invalid value */
    char firmware_version[APP_FIRMWARE_VERSION_MAX_LEN + 1];
    uint32_t lock_timeout_ms; /* how long any task waits for the shared lock */
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
 * APP_DEFAULT_DEVICE_NAME and APP_DEFAULT_LOCATION, access point APP_DEFAULT_AP_SSID_PREFIX /
 * APP_DEFAULT_AP_PASSWORD. They pass settings_validation_check(). */
void app_settings_defaults(app_settings_t *settings);

#endif /* APPLICATION_SETTINGS_H */
