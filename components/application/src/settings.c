/* settings: the product defaults, in one place (Kconfig and the simulator's options start from these). */
#include "application/settings.h"

#include <string.h>

#include "domain/bounded_text.h"

uint32_t app_settings_min_out_buffer_size(const char *topic)
{
    size_t topic_len = topic == NULL ? 0 : strlen(topic);
    return (uint32_t)DEVICE_REGISTRATION_JSON_MAX_SIZE + APP_MQTT_PUBLISH_OVERHEAD_BYTES +
           (uint32_t)topic_len;
}

void app_settings_defaults(app_settings_t *settings)
{
    if (settings == NULL) {
        return;
    }
    memset(settings, 0, sizeof(*settings));
    mqtt_settings_t *mqtt = &settings->mqtt;
    (void)bounded_text_copy(mqtt->broker_uri, sizeof(mqtt->broker_uri), APP_DEFAULT_BROKER_URI);
    (void)bounded_text_copy(mqtt->ws_path, sizeof(mqtt->ws_path), BROKER_URI_DEFAULT_WS_PATH);
    (void)bounded_text_copy(mqtt->topic, sizeof(mqtt->topic), APP_DEFAULT_REGISTRATION_TOPIC);
    mqtt->qos = 1;
    mqtt->keepalive_s = 60;
    mqtt->network_timeout_ms = 10000;
    mqtt->buffer_size = 1024;
    mqtt->out_buffer_size = APP_DEFAULT_OUT_BUFFER_SIZE;
    mqtt->task_stack_size = 6144;
    mqtt->task_priority = 5;
    mqtt->outbox_limit = 0;
    mqtt->registration_timeout_ms = APP_DEFAULT_REGISTRATION_TIMEOUT_MS;
    mqtt->retransmit_ms = APP_DEFAULT_RETRANSMIT_MS;
    mqtt->refresh_interval_s = APP_DEFAULT_REFRESH_INTERVAL_S;
    mqtt->liveness_interval_ms = APP_DEFAULT_LIVENESS_INTERVAL_MS;
    (void)bounded_text_copy(mqtt->status_topic, sizeof(mqtt->status_topic), APP_DEFAULT_STATUS_TOPIC);
    mqtt->retry = retry_policy_default_config();
    (void)bounded_text_copy(settings->defaults.device_name, sizeof(settings->defaults.device_name),
                            APP_DEFAULT_DEVICE_NAME);
    (void)bounded_text_copy(settings->defaults.location, sizeof(settings->defaults.location),
                            APP_DEFAULT_LOCATION);
    (void)bounded_text_copy(settings->firmware_version, sizeof(settings->firmware_version),
                            APP_DEFAULT_FIRMWARE_VERSION);
    (void)bounded_text_copy(settings->wifi.ap_ssid_prefix, sizeof(settings->wifi.ap_ssid_prefix),
                            APP_DEFAULT_AP_SSID_PREFIX);
    settings->security.setup_secret[0] = '\0';
    (void)bounded_text_copy(settings->security.portal_url, sizeof(settings->security.portal_url),
                            APP_DEFAULT_PORTAL_URL);
    settings->wifi.settle_ms = 0;
    settings->lock_timeout_ms = 100;
    settings->config_min_interval_ms = APP_DEFAULT_CONFIG_MIN_INTERVAL_MS;
}
