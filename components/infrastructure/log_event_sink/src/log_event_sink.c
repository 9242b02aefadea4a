/* Domain events and notices as ESP_LOG lines (see log_event_sink.h). */
#include "log_event_sink.h"

#include <stdio.h>

#include "domain/domain_status.h"
#include "domain/ipv4_address.h"
#include "domain/mqtt_connection.h"
#include "esp_log.h"

static const char *TAG = LOG_EVENT_SINK_TAG;

int log_event_sink_format(const domain_event_t *event, char *buf, size_t buf_size)
{
    char ip[IPV4_ADDRESS_STR_SIZE];

    if (event == NULL) {
        return snprintf(buf, buf_size, "(no event)");
    }
    switch (event->kind) {
        case DOMAIN_EVENT_CONNECTION_STATE_CHANGED:
            return snprintf(buf, buf_size, "state %s -> %s",
                            mqtt_connection_state_to_str(event->data.state_changed.old_state),
                            mqtt_connection_state_to_str(event->data.state_changed.new_state));
        case DOMAIN_EVENT_CONNECT_ATTEMPT:
            return snprintf(buf, buf_size, "connect attempt %lu (broker %u of the list)",
                            (unsigned long)event->data.connect_attempt.attempt,
                            (unsigned)event->data.connect_attempt.broker_index + 1u);
        case DOMAIN_EVENT_RETRY_SCHEDULED:
            return snprintf(buf, buf_size, "retry in %lu ms (consecutive failures: %lu)",
                            (unsigned long)event->data.retry_scheduled.delay_ms,
                            (unsigned long)event->data.retry_scheduled.failures);
        case DOMAIN_EVENT_DEVICE_REGISTERED:
            ipv4_address_format(&event->data.registered.ip, ip);
            return snprintf(buf, buf_size, "registered: msg_id %ld, ip %s",
                            (long)event->data.registered.msg_id, ip);
        case DOMAIN_EVENT_REGISTRATION_FAILED:
            if (event->data.registration_failed.reason == REGISTRATION_FAILURE_INVALID_MESSAGE) {
                return snprintf(
                    buf, buf_size, "registration failed: %s (%s)",
                    registration_failure_to_str(event->data.registration_failed.reason),
                    domain_status_to_str((domain_status_t)event->data.registration_failed.detail));
            }
            return snprintf(buf, buf_size, "registration failed: %s (code %ld)",
                            registration_failure_to_str(event->data.registration_failed.reason),
                            (long)event->data.registration_failed.detail);
        case DOMAIN_EVENT_WIFI_LINK_CHANGED:
            return snprintf(buf, buf_size, "wifi %s -> %s (%s, last reason %ld, retry in %lu ms)",
                            wifi_link_state_to_str(event->data.wifi_link.old_state),
                            wifi_link_state_to_str(event->data.wifi_link.new_state),
                            wifi_link_mode_to_str(event->data.wifi_link.mode),
                            (long)event->data.wifi_link.reason,
                            (unsigned long)event->data.wifi_link.retry_ms);
        case DOMAIN_EVENT_PRESENCE:
            return snprintf(buf, buf_size, "presence %s queued: msg_id %ld",
                            event->data.presence.online ? "online" : "offline",
                            (long)event->data.presence.msg_id);
        case DOMAIN_EVENT_SHUT_DOWN:
            return snprintf(buf, buf_size, "shut down: the broker session is closed");
        default:
            return snprintf(buf, buf_size, "domain event %d", (int)event->kind);
    }
}

static void log_event_sink_on_domain_event(void *ctx, const domain_event_t *event)
{
    char line[LOG_EVENT_SINK_LINE_MAX];
    (void)ctx;

    (void)log_event_sink_format(event, line, sizeof(line));
    if (event != NULL && event->kind == DOMAIN_EVENT_REGISTRATION_FAILED) {
        ESP_LOGW(TAG, "%s", line);
    } else {
        ESP_LOGI(TAG, "%s", line);
    }
}

static void log_event_sink_on_notice(void *ctx, app_notice_level_t level, const char *message)
{
    (void)ctx;
    if (message == NULL) {
        message = "";
    }
    switch (level) {
        case APP_NOTICE_ERROR:
            ESP_LOGE(TAG, "%s", message);
            break;
        case APP_NOTICE_WARNING:
            ESP_LOGW(TAG, "%s", message);
            break;
        default:
            ESP_LOGI(TAG, "%s", message);
            break;
    }
}

const event_sink_port_t log_event_sink_port = {
    .on_domain_event = log_event_sink_on_domain_event,
    .on_notice = log_event_sink_on_notice,
};
