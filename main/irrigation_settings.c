/* Kconfig -> app_settings_t (see irrigation_settings.h). */
#include "irrigation_settings.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "esp_app_desc.h"
#include "sdkconfig.h"

typedef struct {
    app_err_t status;
    char *reason;
    size_t reason_size;
} mapping_t;

/* Copies value into field when it fits; else leaves the field empty and records the first failure. */
static void copy_option(mapping_t *m, const char *option, char *field, size_t field_size, const char *value)
{
    size_t len = strlen(value);
    if (len < field_size) {
        memcpy(field, value, len + 1);
        return;
    }
    field[0] = '\0';
    if (m->status == APP_OK) {
        m->status = APP_ERR_TOO_LONG;
        if (m->reason != NULL && m->reason_size > 0) {
            snprintf(m->reason, m->reason_size, "%s is longer than %u bytes", option,
                     (unsigned)(field_size - 1));
        }
    }
}

app_err_t irrigation_settings_from_kconfig(app_settings_t *out, char *reason, size_t reason_size)
{
    mapping_t m = {.status = APP_OK, .reason = reason, .reason_size = reason_size};
    if (out == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    if (reason != NULL && reason_size > 0) {
        reason[0] = '\0';
    }
    app_settings_defaults(out);

    mqtt_settings_t *mqtt = &out->mqtt;
    copy_option(&m, "CONFIG_IRRIGATION_BROKER_URI", mqtt->broker_uri, sizeof(mqtt->broker_uri),
                CONFIG_IRRIGATION_BROKER_URI);
    copy_option(&m, "CONFIG_IRRIGATION_WS_PATH", mqtt->ws_path, sizeof(mqtt->ws_path),
                CONFIG_IRRIGATION_WS_PATH);
    copy_option(&m, "CONFIG_IRRIGATION_REGISTRATION_TOPIC", mqtt->topic, sizeof(mqtt->topic),
                CONFIG_IRRIGATION_REGISTRATION_TOPIC);
    copy_option(&m, "CONFIG_IRRIGATION_STATUS_TOPIC", mqtt->status_topic, sizeof(mqtt->status_topic),
                CONFIG_IRRIGATION_STATUS_TOPIC);
    copy_option(&m, "CONFIG_IRRIGATION_MQTT_USERNAME", mqtt->username, sizeof(mqtt->username),
                CONFIG_IRRIGATION_MQTT_USERNAME);
    copy_option(&m, "CONFIG_IRRIGATION_MQTT_PASSWORD", mqtt->password, sizeof(mqtt->password),
                CONFIG_IRRIGATION_MQTT_PASSWORD);
    mqtt->registration_timeout_ms = (uint32_t)CONFIG_IRRIGATION_REGISTRATION_TIMEOUT_MS;
    mqtt->retransmit_ms = (uint32_t)CONFIG_IRRIGATION_MQTT_RETRANSMIT_MS;
    mqtt->refresh_interval_s = (uint32_t)CONFIG_IRRIGATION_REFRESH_INTERVAL_S;
    /* Kconfig keeps it within 3600 s. */
    mqtt->liveness_interval_ms = (uint32_t)CONFIG_IRRIGATION_LIVENESS_INTERVAL_S * 1000u;
    mqtt->qos = (uint8_t)CONFIG_IRRIGATION_MQTT_QOS;
    mqtt->keepalive_s = (uint16_t)CONFIG_IRRIGATION_MQTT_KEEPALIVE_S;
    mqtt->network_timeout_ms = (uint32_t)CONFIG_IRRIGATION_MQTT_NETWORK_TIMEOUT_MS;
    mqtt->buffer_size = (uint32_t)CONFIG_IRRIGATION_MQTT_BUFFER_SIZE;
    mqtt->out_buffer_size = (uint32_t)CONFIG_IRRIGATION_MQTT_OUT_BUFFER_SIZE;
    mqtt->task_stack_size = (uint32_t)CONFIG_IRRIGATION_MQTT_TASK_STACK_SIZE;
    mqtt->task_priority = (uint8_t)CONFIG_IRRIGATION_MQTT_TASK_PRIORITY;
    mqtt->outbox_limit = (uint32_t)CONFIG_IRRIGATION_MQTT_OUTBOX_LIMIT;
    /* Kconfig ranges keep these within 86400 s, so the products fit uint32_t. */
    mqtt->retry.initial_ms = (uint32_t)CONFIG_IRRIGATION_RETRY_INITIAL_S * 1000u;
    mqtt->retry.max_ms = (uint32_t)CONFIG_IRRIGATION_RETRY_MAX_S * 1000u;
    mqtt->retry.multiplier = (uint32_t)CONFIG_IRRIGATION_RETRY_MULTIPLIER;
    mqtt->retry.jitter_percent = (uint8_t)CONFIG_IRRIGATION_RETRY_JITTER_PERCENT;

    copy_option(&m, "CONFIG_IRRIGATION_DEFAULT_DEVICE_NAME", out->defaults.device_name,
                sizeof(out->defaults.device_name), CONFIG_IRRIGATION_DEFAULT_DEVICE_NAME);
    copy_option(&m, "CONFIG_IRRIGATION_DEFAULT_LOCATION", out->defaults.location,
                sizeof(out->defaults.location), CONFIG_IRRIGATION_DEFAULT_LOCATION);

    /* The version is only reported, never validated: an over-long one is cut rather than left empty. */
    const char *version = CONFIG_IRRIGATION_FIRMWARE_VERSION;
    if (version[0] == '\0') {
        version = esp_app_get_description()->version;
    }
    snprintf(out->firmware_version, sizeof(out->firmware_version), "%s", version);

    copy_option(&m, "CONFIG_IRRIGATION_AP_SSID_PREFIX", out->wifi.ap_ssid_prefix,
                sizeof(out->wifi.ap_ssid_prefix), CONFIG_IRRIGATION_AP_SSID_PREFIX);
    /* The setup secret is the device's own (main/ reads it from the provision partition), never Kconfig's. */
    out->security.setup_secret[0] = '\0';

    out->lock_timeout_ms = (uint32_t)CONFIG_IRRIGATION_LOCK_TIMEOUT_MS;
    out->config_min_interval_ms = (uint32_t)CONFIG_IRRIGATION_CONFIG_MIN_INTERVAL_S * 1000u;
    return m.status;
}
