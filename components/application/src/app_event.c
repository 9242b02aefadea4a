/* app_event: names of the events adapters post, for logs and the simulator's event stream. */
#include "application/app_event.h"

const char *app_event_kind_to_str(app_event_kind_t kind)
{
    switch (kind) {
        case APP_EVENT_NETWORK_UP:
            return "network_up";
        case APP_EVENT_NETWORK_DOWN:
            return "network_down";
        case APP_EVENT_IP_CHANGED:
            return "ip_changed";
        case APP_EVENT_HTTP_STARTED:
            return "http_started";
        case APP_EVENT_MQTT_BEFORE_CONNECT:
            return "mqtt_before_connect";
        case APP_EVENT_MQTT_CONNECTED:
            return "mqtt_connected";
        case APP_EVENT_MQTT_DISCONNECTED:
            return "mqtt_disconnected";
        case APP_EVENT_MQTT_ERROR:
            return "mqtt_error";
        case APP_EVENT_MQTT_PUBLISHED:
            return "mqtt_published";
        case APP_EVENT_MQTT_DELETED:
            return "mqtt_deleted";
        case APP_EVENT_RETRY_TIMER_FIRED:
            return "retry_timer_fired";
        case APP_EVENT_CONFIG_CHANGED:
            return "config_changed";
        case APP_EVENT_STOP:
            return "stop";
        default:
            return "unknown";
    }
}

const char *app_mqtt_error_kind_to_str(app_mqtt_error_kind_t kind)
{
    switch (kind) {
        case APP_MQTT_ERROR_NONE:
            return "none";
        case APP_MQTT_ERROR_TRANSPORT:
            return "transport";
        case APP_MQTT_ERROR_CONNECTION_REFUSED:
            return "connection refused";
        case APP_MQTT_ERROR_PROTOCOL:
            return "protocol";
        case APP_MQTT_ERROR_OTHER:
            return "other";
        default:
            return "unknown";
    }
}
