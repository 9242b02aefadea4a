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

#define APP_DEFAULT_BROKER_URI "ws://mqtt.iot.liwaisi.tech:80"
#define APP_DEFAULT_REGISTRATION_TOPIC "/liwaisi/iot/smart-irrigation/device/registration"
#define APP_DEFAULT_DEVICE_NAME "ESP32-Riego"
#define APP_DEFAULT_LOCATION "Sin ubicacion configurada"
#define APP_TOPIC_MAX_LEN 127
#define APP_FIRMWARE_VERSION_MAX_LEN 31

typedef struct {
    char broker_uri[BROKER_URI_MAX_LEN + 1];
    char ws_path[BROKER_URI_PATH_MAX_LEN + 1]; /* applied when broker_uri has no path; "" means "/mqtt" */
    char topic[APP_TOPIC_MAX_LEN + 1];
    uint8_t qos;               /* 1: the contract's QoS; 0 allowed for experiments, 2 refused (NATS) */
    uint16_t keepalive_s;      /* > 0 */
    uint32_t network_timeout_ms;
    uint32_t buffer_size;      /* MQTT receive buffer, bytes, > 0 */
    uint32_t out_buffer_size;  /* MQTT send buffer, bytes, >= the largest registration */
    uint32_t task_stack_size;  /* ESP-MQTT task stack, bytes (firmware only; > 0) */
    uint8_t task_priority;     /* ESP-MQTT task priority (firmware only) */
    uint32_t outbox_limit;     /* bytes; 0 = unlimited */
    retry_policy_config_t retry;
} mqtt_settings_t;

typedef struct {
    char device_name[DEVICE_NAME_MAX_BYTES + 1];
    char location[DEVICE_LOCATION_MAX_BYTES + 1];
} device_defaults_t;

typedef struct {
    mqtt_settings_t mqtt;
    device_defaults_t defaults;            /* used when storage is empty or holds an invalid value */
    char firmware_version[APP_FIRMWARE_VERSION_MAX_LEN + 1];
    uint32_t lock_timeout_ms;              /* how long any task waits for the shared lock */
} app_settings_t;

/* Product defaults: the broker above, topic, QoS 1, keepalive 60 s, buffers 1024, stack 6144, priority 5,
 * retry 30 s / 3600 s / x2 / 0 %, lock timeout 100 ms. */
void app_settings_defaults(app_settings_t *settings);

#endif /* APPLICATION_SETTINGS_H */
