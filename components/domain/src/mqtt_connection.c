#include "domain/mqtt_connection.h"

#include <string.h>

#define NO_PENDING_MSG_ID (-1)

domain_status_t mqtt_connection_init(mqtt_connection_t *conn, const retry_policy_config_t *retry)
{
    if (conn == NULL) {
        return DOMAIN_ERR_INVALID_ARG;
    }
    const retry_policy_config_t defaults = retry_policy_default_config();
    retry_policy_t policy;
    const domain_status_t status = retry_policy_init(&policy, retry != NULL ? retry : &defaults);
    if (status != DOMAIN_OK) {
        return status;
    }
    memset(conn, 0, sizeof(*conn));
    conn->state = MQTT_CONNECTION_WAITING;
    conn->pending_msg_id = NO_PENDING_MSG_ID;
    conn->policy = policy;
    return DOMAIN_OK;
}

domain_status_t mqtt_connection_set_attempt_timeout(mqtt_connection_t *conn, uint32_t timeout_ms)
{
    if (conn == NULL) {
        return DOMAIN_ERR_INVALID_ARG;
    }
    conn->attempt_timeout_ms = timeout_ms;
    return DOMAIN_OK;
}

static void emit(mqtt_connection_commands_t *out, mqtt_connection_command_kind_t kind, uint32_t delay_ms)
{
    /* The longest transition emits three commands; the bound keeps a future mistake from overrunning. */
    if (out->count < MQTT_CONNECTION_MAX_COMMANDS) {
        out->items[out->count].kind = kind;
        out->items[out->count].delay_ms = delay_ms;
        out->count++;
    }
}

static bool has_watchdog(const mqtt_connection_t *conn)
{
    return conn->attempt_timeout_ms != 0;
}

static void start_connect(mqtt_connection_t *conn, mqtt_connection_commands_t *out)
{
    emit(out, MQTT_CONNECTION_CMD_CONNECT, 0);
    if (has_watchdog(conn)) {
        /* Not a retry delay: last_delay_ms and the policy are left alone. */
        emit(out, MQTT_CONNECTION_CMD_ARM_RETRY_TIMER, conn->attempt_timeout_ms);
    }
    conn->connect_attempts++;
    conn->state = MQTT_CONNECTION_CONNECTING;
}

static void cancel_watchdog(const mqtt_connection_t *conn, mqtt_connection_commands_t *out)
{
    if (has_watchdog(conn)) {
        emit(out, MQTT_CONNECTION_CMD_CANCEL_RETRY_TIMER, 0);
    }
}

static bool is_connected(mqtt_connection_state_t state)
{
    return state == MQTT_CONNECTION_REGISTERING || state == MQTT_CONNECTION_REGISTERED;
}

/* A new registration replaces the one in flight: its PUBACK (if it ever comes) no longer counts. */
static void register_again(mqtt_connection_t *conn, mqtt_connection_commands_t *out)
{
    conn->state = MQTT_CONNECTION_REGISTERING;
    conn->pending_msg_id = NO_PENDING_MSG_ID;
    emit(out, MQTT_CONNECTION_CMD_PUBLISH_REGISTRATION, 0);
}

static void back_off(mqtt_connection_t *conn, uint32_t random_value, mqtt_connection_commands_t *out)
{
    const uint32_t delay = retry_policy_next_delay_ms(&conn->policy, random_value);
    conn->last_delay_ms = delay;
    conn->pending_msg_id = NO_PENDING_MSG_ID;
    conn->state = MQTT_CONNECTION_BACKOFF;
    emit(out, MQTT_CONNECTION_CMD_ARM_RETRY_TIMER, delay);
    emit(out, MQTT_CONNECTION_CMD_REQUEST_LOW_POWER, 0);
}

static bool prerequisites_met(const mqtt_connection_t *conn)
{
    return conn->network_up && conn->http_started;
}

/* Records the station IP; when connected and it really changed, the registration is published again. */
static void on_ip(mqtt_connection_t *conn, const ipv4_address_t *ip, mqtt_connection_commands_t *out)
{
    const bool changed = !ipv4_address_equal(&conn->ip, ip);
    conn->ip = *ip;
    if (changed && is_connected(conn->state)) {
        register_again(conn, out);
    }
}

static void on_network_up(mqtt_connection_t *conn, const ipv4_address_t *ip, mqtt_connection_commands_t *out)
{
    conn->network_up = true;
    if (conn->state == MQTT_CONNECTION_WAITING) {
        conn->ip = *ip;
        if (prerequisites_met(conn)) {
            start_connect(conn, out);
        }
        return;
    }
    on_ip(conn, ip, out);
}

static void on_network_down(mqtt_connection_t *conn, mqtt_connection_commands_t *out)
{
    conn->network_up = false;
    conn->pending_msg_id = NO_PENDING_MSG_ID;
    switch (conn->state) {
        case MQTT_CONNECTION_CONNECTING:
            emit(out, MQTT_CONNECTION_CMD_DISCONNECT, 0);
            cancel_watchdog(conn, out);
            conn->state = MQTT_CONNECTION_WAITING;
            break;
        case MQTT_CONNECTION_REGISTERING:
        case MQTT_CONNECTION_REGISTERED:
            emit(out, MQTT_CONNECTION_CMD_DISCONNECT, 0);
            conn->state = MQTT_CONNECTION_WAITING;
            break;
        case MQTT_CONNECTION_BACKOFF:
            emit(out, MQTT_CONNECTION_CMD_CANCEL_RETRY_TIMER, 0);
            emit(out, MQTT_CONNECTION_CMD_CLEAR_LOW_POWER, 0);
            conn->state = MQTT_CONNECTION_WAITING;
            break;
        default:
            break;
    }
}

static void on_http_started(mqtt_connection_t *conn, mqtt_connection_commands_t *out)
{
    conn->http_started = true;
    if (conn->state == MQTT_CONNECTION_WAITING && prerequisites_met(conn)) {
        start_connect(conn, out);
    }
}

static void on_mqtt_connected(mqtt_connection_t *conn, mqtt_connection_commands_t *out)
{
    switch (conn->state) {
        case MQTT_CONNECTION_BACKOFF:
            /* The client already reported this attempt's end, or the application stopped it (watchdog,
             * refused publish): a CONNECTED now is a session already given up, which no PUBACK or
             * DISCONNECTED would follow. Drop it; the armed retry stays the only way forward. */
            emit(out, MQTT_CONNECTION_CMD_DISCONNECT, 0);
            break;
        case MQTT_CONNECTION_CONNECTING:
            cancel_watchdog(conn, out);
            retry_policy_reset(&conn->policy);
            register_again(conn, out);
            break;
        case MQTT_CONNECTION_WAITING:
            /* The network went down while connecting: a session we no longer want. */
            emit(out, MQTT_CONNECTION_CMD_DISCONNECT, 0);
            break;
        default:
            break; /* duplicate */
    }
}

static void on_mqtt_disconnected(mqtt_connection_t *conn, const mqtt_connection_event_t *event,
                                 mqtt_connection_commands_t *out)
{
    conn->last_code = event->code;
    if (conn->state == MQTT_CONNECTION_CONNECTING || is_connected(conn->state)) {
        back_off(conn, event->random_value, out); /* in CONNECTING the retry delay replaces the watchdog */
    }
}

static void on_publish_queued(mqtt_connection_t *conn, int32_t msg_id)
{
    if (conn->state == MQTT_CONNECTION_REGISTERING) {
        conn->pending_msg_id = msg_id;
    }
}

static void on_publish_failed(mqtt_connection_t *conn, uint32_t random_value, mqtt_connection_commands_t *out)
{
    if (conn->state == MQTT_CONNECTION_REGISTERING) {
        emit(out, MQTT_CONNECTION_CMD_DISCONNECT, 0);
        back_off(conn, random_value, out);
    }
}

static void on_registration_acked(mqtt_connection_t *conn, int32_t msg_id)
{
    if (conn->state == MQTT_CONNECTION_REGISTERING && conn->pending_msg_id != NO_PENDING_MSG_ID &&
        msg_id == conn->pending_msg_id) {
        conn->state = MQTT_CONNECTION_REGISTERED;
        conn->pending_msg_id = NO_PENDING_MSG_ID;
    }
}

static void on_retry_timer_fired(mqtt_connection_t *conn, uint32_t random_value,
                                 mqtt_connection_commands_t *out)
{
    if (conn->state == MQTT_CONNECTION_BACKOFF && prerequisites_met(conn)) {
        emit(out, MQTT_CONNECTION_CMD_CLEAR_LOW_POWER, 0);
        start_connect(conn, out);
    } else if (conn->state == MQTT_CONNECTION_CONNECTING && has_watchdog(conn)) {
        /* The attempt timed out: the client may still be trying, so stop it before the retry. */
        emit(out, MQTT_CONNECTION_CMD_DISCONNECT, 0);
        back_off(conn, random_value, out);
    }
}

static void on_register_again(mqtt_connection_t *conn, mqtt_connection_commands_t *out)
{
    if (is_connected(conn->state)) {
        register_again(conn, out);
    }
}

mqtt_connection_state_t mqtt_connection_handle(mqtt_connection_t *conn, const mqtt_connection_event_t *event,
                                               mqtt_connection_commands_t *out)
{
    mqtt_connection_commands_t scratch;
    if (out == NULL) {
        out = &scratch;
    }
    out->count = 0;
    if (conn == NULL) {
        return MQTT_CONNECTION_WAITING;
    }
    if (event == NULL) {
        return conn->state;
    }
    switch (event->kind) {
        case MQTT_CONNECTION_EV_NETWORK_UP:
            on_network_up(conn, &event->ip, out);
            break;
        case MQTT_CONNECTION_EV_NETWORK_DOWN:
            on_network_down(conn, out);
            break;
        case MQTT_CONNECTION_EV_IP_CHANGED:
            on_ip(conn, &event->ip, out);
            break;
        case MQTT_CONNECTION_EV_HTTP_STARTED:
            on_http_started(conn, out);
            break;
        case MQTT_CONNECTION_EV_MQTT_CONNECTED:
            on_mqtt_connected(conn, out);
            break;
        case MQTT_CONNECTION_EV_MQTT_DISCONNECTED:
            on_mqtt_disconnected(conn, event, out);
            break;
        case MQTT_CONNECTION_EV_MQTT_ERROR:
            conn->last_code = event->code; /* informational: DISCONNECTED follows and decides */
            break;
        case MQTT_CONNECTION_EV_PUBLISH_QUEUED:
            on_publish_queued(conn, event->msg_id);
            break;
        case MQTT_CONNECTION_EV_PUBLISH_FAILED:
            on_publish_failed(conn, event->random_value, out);
            break;
        case MQTT_CONNECTION_EV_REGISTRATION_ACKED:
            on_registration_acked(conn, event->msg_id);
            break;
        case MQTT_CONNECTION_EV_RETRY_TIMER_FIRED:
            on_retry_timer_fired(conn, event->random_value, out);
            break;
        case MQTT_CONNECTION_EV_REGISTER_AGAIN:
            on_register_again(conn, out);
            break;
        default:
            break;
    }
    return conn->state;
}

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
    };
    if ((unsigned)kind >= (unsigned)MQTT_CONNECTION_CMD_COUNT) {
        return "unknown";
    }
    return names[kind];
}
