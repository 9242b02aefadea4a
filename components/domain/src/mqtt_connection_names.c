/* The names of mqtt_connection's states, events and commands (logs, the simulator's event stream). */
#include "domain/mqtt_connection.h"

const char *mqtt_connection_state_to_str(mqtt_connection_state_t state)
{
    static const char *const names[MQTT_CONNECTION_STATE_COUNT] = {
        [MQTT_CONNECTION_WAITING] = "waiting",         [MQTT_CONNECTION_CONNECTING] = "connecting",
        [MQTT_CONNECTION_REGISTERING] = "registering", [MQTT_CONNECTION_REGISTERED] = "registered",
        [MQTT_CONNECTION_BACKOFF] = "backoff",
    };
    if ((unsigned)state >= (unsigned)MQTT_CONNECTION_STATE_COUNT) {
        return "unknown";
    }
    return names[state];
}

const char *mqtt_connection_event_to_str(mqtt_connection_event_kind_t kind)
{
    static const char *const names[MQTT_CONNECTION_EV_COUNT] = {
        [MQTT_CONNECTION_EV_NETWORK_UP] = "network_up",
        [MQTT_CONNECTION_EV_NETWORK_DOWN] = "network_down",
        [MQTT_CONNECTION_EV_IP_CHANGED] = "ip_changed",
        [MQTT_CONNECTION_EV_HTTP_STARTED] = "http_started",
        [MQTT_CONNECTION_EV_MQTT_CONNECTED] = "mqtt_connected",
        [MQTT_CONNECTION_EV_MQTT_DISCONNECTED] = "mqtt_disconnected",
        [MQTT_CONNECTION_EV_MQTT_ERROR] = "mqtt_error",
        [MQTT_CONNECTION_EV_PUBLISH_QUEUED] = "publish_queued",
        [MQTT_CONNECTION_EV_PUBLISH_FAILED] = "publish_failed",
        [MQTT_CONNECTION_EV_REGISTRATION_ACKED] = "registration_acked",
        [MQTT_CONNECTION_EV_RETRY_TIMER_FIRED] = "retry_timer_fired",
        [MQTT_CONNECTION_EV_REGISTER_AGAIN] = "register_again",
        [MQTT_CONNECTION_EV_SESSION_LOST] = "session_lost",
    };
    if ((unsigned)kind >= (unsigned)MQTT_CONNECTION_EV_COUNT) {
        return "unknown";
    }
    return names[kind];
}

const char *mqtt_connection_command_to_str(mqtt_connection_command_kind_t kind)
{
    static const char *const names[MQTT_CONNECTION_CMD_COUNT] = {
        [MQTT_CONNECTION_CMD_CONNECT] = "connect",
        [MQTT_CONNECTION_CMD_DISCONNECT] = "disconnect",
        [MQTT_CONNECTION_CMD_PUBLISH_REGISTRATION] = "publish_registration",
        [MQTT_CONNECTION_CMD_ARM_RETRY_TIMER] = "arm_retry_timer",
        [MQTT_CONNECTION_CMD_CANCEL_RETRY_TIMER] = "cancel_retry_timer",
        [MQTT_CONNECTION_CMD_REQUEST_LOW_POWER] = "request_low_power",
        [MQTT_CONNECTION_CMD_CLEAR_LOW_POWER] = "clear_low_power",
        [MQTT_CONNECTION_CMD_PUBLISH_ONLINE] = "publish_online",
        [MQTT_CONNECTION_CMD_CHECK_SESSION] = "check_session",
    };
    if ((unsigned)kind >= (unsigned)MQTT_CONNECTION_CMD_COUNT) {
        return "unknown";
    }
    return names[kind];
}
