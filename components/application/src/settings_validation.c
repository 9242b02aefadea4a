/* settings_validation: see the header. */
#include "application/settings_validation.h"

#include <stdarg.h>
#include <stdio.h>

#include "domain/bounded_text.h"
#include "domain/broker_uri.h"
#include "domain/device_presence.h"
#include "domain/device_registration.h"
#include "domain/utf8_text.h"

static app_err_t reject(char *reason, size_t reason_size, app_err_t err, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static app_err_t reject(char *reason, size_t reason_size, app_err_t err, const char *format, ...)
{
    if (reason != NULL && reason_size > 0) {
        va_list args;
        va_start(args, format);
        vsnprintf(reason, reason_size, format, args);
        va_end(args);
    }
    return err;
}

static app_err_t validate_topic(const char *topic, size_t capacity, char *reason, size_t reason_size)
{
    size_t len = bounded_text_len(topic, capacity);
    if (len == capacity) {
        return reject(reason, reason_size, APP_ERR_BAD_TOPIC, "topic is longer than %u bytes",
                      (unsigned)(capacity - 1));
    }
    if (len == 0) {
        return reject(reason, reason_size, APP_ERR_BAD_TOPIC, "topic is empty");
    }
    if (!utf8_text_is_valid(topic, len)) {
        return reject(reason, reason_size, APP_ERR_BAD_TOPIC, "topic is not valid UTF-8");
    }
    for (size_t i = 0; i < len; i++) {
        char c = topic[i];
        if (c == '+' || c == '#') {
            return reject(reason, reason_size, APP_ERR_BAD_TOPIC,
                          "topic contains the wildcard '%c': wildcards cannot be published", c);
        }
        if (c == '.' || c == ' ') {
            return reject(reason, reason_size, APP_ERR_BAD_TOPIC,
                          "topic contains '%c': NATS refuses topic levels with '.' or a space", c);
        }
    }
    return APP_OK;
}

app_err_t settings_validation_check(const app_settings_t *settings, char *reason, size_t reason_size)
{
    if (reason != NULL && reason_size > 0) {
        reason[0] = '\0';
    }
    if (settings == NULL) {
        return reject(reason, reason_size, APP_ERR_INVALID_ARG, "no settings");
    }
    const mqtt_settings_t *mqtt = &settings->mqtt;
    if (bounded_text_len(mqtt->ws_path, sizeof(mqtt->ws_path)) == sizeof(mqtt->ws_path)) {
        return reject(reason, reason_size, APP_ERR_BAD_URI, "ws_path: %s",
                      domain_status_to_str(DOMAIN_ERR_URI_PATH));
    }
    if (mqtt->ws_path[0] != '\0') {
        domain_status_t path_status = broker_uri_check_path(mqtt->ws_path);
        if (path_status != DOMAIN_OK) {
            return reject(reason, reason_size, APP_ERR_BAD_URI, "ws_path: %s",
                          domain_status_to_str(path_status));
        }
    }
    if (bounded_text_len(mqtt->broker_uri, sizeof(mqtt->broker_uri)) == sizeof(mqtt->broker_uri)) {
        return reject(reason, reason_size, APP_ERR_BAD_URI, "broker_uri: %s",
                      domain_status_to_str(DOMAIN_ERR_URI_TOO_LONG));
    }
    const size_t brokers = broker_uri_list_count(mqtt->broker_uri);
    if (brokers > MQTT_CONNECTION_MAX_BROKERS) {
        return reject(reason, reason_size, APP_ERR_BAD_URI, "broker_uri: more than %d brokers in the list",
                      MQTT_CONNECTION_MAX_BROKERS);
    }
    broker_uri_t broker;
    bool first_secure = false;
    for (size_t i = 0; i < brokers || i == 0; i++) {
        domain_status_t uri_status = brokers == 0
                                         ? broker_uri_parse(mqtt->broker_uri, mqtt->ws_path, &broker)
                                         : broker_uri_list_get(mqtt->broker_uri, i, mqtt->ws_path, &broker);
        if (uri_status != DOMAIN_OK) {
            if (brokers > 1) {
                return reject(reason, reason_size, APP_ERR_BAD_URI, "broker_uri (entry %u): %s",
                              (unsigned)(i + 1), domain_status_to_str(uri_status));
            }
            return reject(reason, reason_size, APP_ERR_BAD_URI, "broker_uri: %s",
                          domain_status_to_str(uri_status));
        }
        /* The client's transport (TCP or TLS under the WebSocket) is built once for the whole list. */
        if (i == 0) {
            first_secure = broker.secure;
        } else if (broker.secure != first_secure) {
            return reject(reason, reason_size, APP_ERR_BAD_URI,
                          "broker_uri (entry %u): every broker of a list must use the same scheme (ws:// or "
                          "wss://)",
                          (unsigned)(i + 1));
        }
    }
    app_err_t rc = validate_topic(mqtt->topic, sizeof(mqtt->topic), reason, reason_size);
    if (rc != APP_OK) {
        return rc;
    }
    if (mqtt->status_topic[0] != '\0') {
        rc = validate_topic(mqtt->status_topic, sizeof(mqtt->status_topic), reason, reason_size);
        if (rc != APP_OK) {
            return rc;
        }
        char topic[APP_TOPIC_MAX_LEN + 16];
        const mac_address_t any = {{0}};
        if (device_presence_topic(mqtt->status_topic, &any, topic, sizeof(topic)) != DOMAIN_OK) {
            return reject(reason, reason_size, APP_ERR_BAD_TOPIC,
                          "status_topic must contain " DEVICE_PRESENCE_MAC_PLACEHOLDER " exactly once");
        }
    }
    if (mqtt->registration_timeout_ms != 0 && mqtt->registration_timeout_ms < 1000u) {
        return reject(reason, reason_size, APP_ERR_BAD_SETTINGS,
                      "registration_timeout_ms must be 0 (none) or at least 1000");
    }
    if (mqtt->retransmit_ms < 100u) {
        return reject(reason, reason_size, APP_ERR_BAD_SETTINGS, "retransmit_ms must be at least 100");
    }
    if (mqtt->refresh_interval_s > UINT32_MAX / 1000u) {
        return reject(reason, reason_size, APP_ERR_BAD_SETTINGS, "refresh_interval_s is too large");
    }
    if (mqtt->qos > 1) {
        return reject(reason, reason_size, APP_ERR_BAD_SETTINGS, "qos %u: only 0 or 1 (NATS refuses QoS 2)",
                      (unsigned)mqtt->qos);
    }
    if (mqtt->keepalive_s == 0) {
        return reject(reason, reason_size, APP_ERR_BAD_SETTINGS, "keepalive_s must be greater than 0");
    }
    if (mqtt->buffer_size == 0) {
        return reject(reason, reason_size, APP_ERR_BAD_SIZE, "buffer_size must be greater than 0");
    }
    if (mqtt->task_stack_size == 0) {
        return reject(reason, reason_size, APP_ERR_BAD_SIZE, "task_stack_size must be greater than 0");
    }
    uint32_t min_out = app_settings_min_out_buffer_size(mqtt->topic);
    if (mqtt->out_buffer_size < min_out) {
        return reject(reason, reason_size, APP_ERR_BAD_SIZE,
                      "out_buffer_size %lu is smaller than the largest registration (%lu bytes)",
                      (unsigned long)mqtt->out_buffer_size, (unsigned long)min_out);
    }
    domain_status_t retry_status = retry_policy_validate(&mqtt->retry);
    if (retry_status != DOMAIN_OK) {
        return reject(reason, reason_size, APP_ERR_BAD_SETTINGS, "retry: %s",
                      domain_status_to_str(retry_status));
    }
    domain_status_t name_status = device_registration_check_name(settings->defaults.device_name);
    if (name_status != DOMAIN_OK) {
        return reject(reason, reason_size, APP_ERR_BAD_SETTINGS, "default %s",
                      domain_status_to_str(name_status));
    }
    domain_status_t location_status = device_registration_check_location(settings->defaults.location);
    if (location_status != DOMAIN_OK) {
        return reject(reason, reason_size, APP_ERR_BAD_SETTINGS, "default %s",
                      domain_status_to_str(location_status));
    }
    return APP_OK;
}
