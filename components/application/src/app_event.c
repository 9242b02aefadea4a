/* app_event: names of the events adapters post, for logs and the simulator's event stream. */
#include "application/app_event.h"

const char *app_event_kind_to_str(app_event_kind_t kind)
{
    static const char *const names[APP_EVENT_COUNT] = {
        [APP_EVENT_START] = "start",
        [APP_EVENT_WIFI_STARTED] = "wifi_started",
        [APP_EVENT_WIFI_DISCONNECTED] = "wifi_disconnected",
        [APP_EVENT_WIFI_GOT_IP] = "wifi_got_ip",
        [APP_EVENT_WIFI_LOST_IP] = "wifi_lost_ip",
        [APP_EVENT_WIFI_CREDENTIALS_SET] = "wifi_credentials_set",
        [APP_EVENT_HTTP_STARTED] = "http_started",
        [APP_EVENT_MQTT_BEFORE_CONNECT] = "mqtt_before_connect",
        [APP_EVENT_MQTT_CONNECTED] = "mqtt_connected",
        [APP_EVENT_MQTT_DISCONNECTED] = "mqtt_disconnected",
        [APP_EVENT_MQTT_ERROR] = "mqtt_error",
        [APP_EVENT_MQTT_PUBLISHED] = "mqtt_published",
        [APP_EVENT_MQTT_DELETED] = "mqtt_deleted",
        [APP_EVENT_TIMER_FIRED] = "timer_fired",
        [APP_EVENT_CONFIG_CHANGED] = "config_changed",
        [APP_EVENT_FACTORY_RESET] = "factory_reset",
        [APP_EVENT_SHUTDOWN] = "shutdown",
        [APP_EVENT_STOP] = "stop",
    };
    return (unsigned)kind < (unsigned)APP_EVENT_COUNT ? names[kind] : "unknown";
}

const char *app_mqtt_error_kind_to_str(app_mqtt_error_kind_t kind)
{
    static const char *const names[APP_MQTT_ERROR_COUNT] = {
        [APP_MQTT_ERROR_NONE] = "none",
        [APP_MQTT_ERROR_TRANSPORT] = "transport",
        [APP_MQTT_ERROR_CONNECTION_REFUSED] = "connection refused",
        [APP_MQTT_ERROR_PROTOCOL] = "protocol",
        [APP_MQTT_ERROR_OTHER] = "other",
        [APP_MQTT_ERROR_HOST_NOT_FOUND] = "host not found",
        [APP_MQTT_ERROR_TCP_REFUSED] = "tcp refused",
        [APP_MQTT_ERROR_TLS] = "tls",
        [APP_MQTT_ERROR_TIMEOUT] = "timeout",
    };
    return (unsigned)kind < (unsigned)APP_MQTT_ERROR_COUNT ? names[kind] : "unknown";
}

const char *app_timer_id_to_str(app_timer_id_t timer)
{
    static const char *const names[APP_TIMER_COUNT] = {
        [APP_TIMER_CONNECTION] = "connection",
        [APP_TIMER_LINK] = "link",
    };
    return (unsigned)timer < (unsigned)APP_TIMER_COUNT ? names[timer] : "unknown";
}
