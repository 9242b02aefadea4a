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
    conn->timing.broker_count = 1;
    conn->timing.reconnect_ms = MQTT_CONNECTION_DEFAULT_RECONNECT_MS;
    conn->policy = policy;
    return DOMAIN_OK;
}

domain_status_t mqtt_connection_set_attempt_timeout(mqtt_connection_t *conn, uint32_t timeout_ms)
{
    if (conn == NULL) {
        return DOMAIN_ERR_INVALID_ARG;
    }
    conn->attempt_timeout_ms = timeout_ms;
    conn->timing.attempt_timeout_ms = timeout_ms;
    return DOMAIN_OK;
}

domain_status_t mqtt_connection_set_timing(mqtt_connection_t *conn, const mqtt_connection_timing_t *timing)
{
    if (conn == NULL || timing == NULL || timing->broker_count > MQTT_CONNECTION_MAX_BROKERS) {
        return DOMAIN_ERR_INVALID_ARG;
    }
    conn->timing = *timing;
    if (conn->timing.broker_count == 0) {
        conn->timing.broker_count = 1;
    }
    if (conn->timing.reconnect_ms == 0) {
        conn->timing.reconnect_ms = MQTT_CONNECTION_DEFAULT_RECONNECT_MS;
    }
    conn->attempt_timeout_ms = timing->attempt_timeout_ms;
    conn->broker_index = 0;
    return DOMAIN_OK;
}

static mqtt_connection_command_t *emit(mqtt_connection_commands_t *out, mqtt_connection_command_kind_t kind,
                                       uint32_t delay_ms)
{
    /* The longest transition emits three commands; the bound keeps a future mistake from overrunning. */
    if (out->count >= MQTT_CONNECTION_MAX_COMMANDS) {
        return NULL;
    }
    mqtt_connection_command_t *cmd = &out->items[out->count++];
    memset(cmd, 0, sizeof(*cmd));
    cmd->kind = kind;
    cmd->delay_ms = delay_ms;
    return cmd;
}

static bool is_connected(mqtt_connection_state_t state)
{
    return state == MQTT_CONNECTION_REGISTERING || state == MQTT_CONNECTION_REGISTERED;
}

static bool prerequisites_met(const mqtt_connection_t *conn)
{
    return conn->network_up && conn->http_started;
}

static void clear_low_power(mqtt_connection_t *conn, mqtt_connection_commands_t *out)
{
    if (conn->low_power) {
        conn->low_power = false;
        emit(out, MQTT_CONNECTION_CMD_CLEAR_LOW_POWER, 0);
    }
}

static void start_connect(mqtt_connection_t *conn, mqtt_connection_commands_t *out)
{
    clear_low_power(conn, out);
    mqtt_connection_command_t *cmd = emit(out, MQTT_CONNECTION_CMD_CONNECT, 0);
    if (cmd != NULL) {
        cmd->broker_index = conn->broker_index;
    }
    if (conn->attempt_timeout_ms != 0) {
        emit(out, MQTT_CONNECTION_CMD_ARM_RETRY_TIMER, conn->attempt_timeout_ms);
    }
    conn->connect_attempts++;
    conn->state = MQTT_CONNECTION_CONNECTING;
}

/* The timer of the state just left is no longer wanted (nothing replaces it). */
static void cancel_state_timer(const mqtt_connection_t *conn, mqtt_connection_commands_t *out)
{
    bool armed = false;
    switch (conn->state) {
        case MQTT_CONNECTION_CONNECTING:
            armed = conn->attempt_timeout_ms != 0;
            break;
        case MQTT_CONNECTION_REGISTERING:
            armed = conn->timing.registration_timeout_ms != 0;
            break;
        case MQTT_CONNECTION_REGISTERED:
            armed = conn->tick_ms != 0;
            break;
        case MQTT_CONNECTION_BACKOFF:
            armed = true;
            break;
        default:
            break;
    }
    if (armed) {
        emit(out, MQTT_CONNECTION_CMD_CANCEL_RETRY_TIMER, 0);
    }
}

/* Publishes the registration (again): REGISTERING, bounded by the registration timeout when set. A new
 * registration replaces the one in flight: its PUBACK (if it ever comes) no longer counts. */
static void register_again(mqtt_connection_t *conn, mqtt_connection_commands_t *out)
{
    if (conn->timing.registration_timeout_ms == 0) {
        cancel_state_timer(conn, out);
    }
    conn->pending_msg_id = NO_PENDING_MSG_ID;
    emit(out, MQTT_CONNECTION_CMD_PUBLISH_REGISTRATION, 0);
    if (conn->timing.registration_timeout_ms != 0) {
        emit(out, MQTT_CONNECTION_CMD_ARM_RETRY_TIMER, conn->timing.registration_timeout_ms);
    }
    conn->state = MQTT_CONNECTION_REGISTERING;
}

static uint32_t min_nonzero(uint32_t a, uint32_t b)
{
    if (a == 0) {
        return b;
    }
    if (b == 0) {
        return a;
    }
    return a < b ? a : b;
}

/* Arms the next REGISTERED tick (the earlier of the refresh and the liveness check), or none. */
static void arm_tick(mqtt_connection_t *conn, mqtt_connection_commands_t *out)
{
    const uint32_t refresh = conn->timing.refresh_interval_ms != 0 ? conn->refresh_remaining_ms : 0;
    conn->tick_ms = min_nonzero(refresh, conn->timing.liveness_interval_ms);
    if (conn->tick_ms != 0) {
        emit(out, MQTT_CONNECTION_CMD_ARM_RETRY_TIMER, conn->tick_ms);
    }
}

/* A failure: stop the client, then the next broker after the quick delay, or after a full round of the
 * list the policy's next delay with low power. */
static void fail(mqtt_connection_t *conn, uint32_t random_value, mqtt_connection_commands_t *out)
{
    emit(out, MQTT_CONNECTION_CMD_DISCONNECT, 0);
    conn->pending_msg_id = NO_PENDING_MSG_ID;
    conn->broker_index = (uint8_t)((conn->broker_index + 1u) % conn->timing.broker_count);
    conn->round_failures++;
    uint32_t delay;
    if (conn->round_failures >= conn->timing.broker_count) {
        conn->round_failures = 0;
        delay = retry_policy_next_delay_ms(&conn->policy, random_value);
        emit(out, MQTT_CONNECTION_CMD_ARM_RETRY_TIMER, delay);
        if (!conn->low_power) {
            conn->low_power = true;
            emit(out, MQTT_CONNECTION_CMD_REQUEST_LOW_POWER, 0);
        }
    } else {
        delay = conn->timing.reconnect_ms;
        emit(out, MQTT_CONNECTION_CMD_ARM_RETRY_TIMER, delay);
    }
    conn->last_delay_ms = delay;
    conn->state = MQTT_CONNECTION_BACKOFF;
}

/* Drops the session and reconnects to the same broker after the quick delay, without counting a failure. */
static void reconnect_soon(mqtt_connection_t *conn, mqtt_connection_commands_t *out)
{
    emit(out, MQTT_CONNECTION_CMD_DISCONNECT, 0);
    conn->pending_msg_id = NO_PENDING_MSG_ID;
    conn->last_delay_ms = conn->timing.reconnect_ms;
    emit(out, MQTT_CONNECTION_CMD_ARM_RETRY_TIMER, conn->timing.reconnect_ms);
    conn->state = MQTT_CONNECTION_BACKOFF;
}

/* Records the station IP; a real change while connecting or connected reconnects from the new address. */
static void on_ip(mqtt_connection_t *conn, const ipv4_address_t *ip, mqtt_connection_commands_t *out)
{
    const bool changed = !ipv4_address_equal(&conn->ip, ip);
    conn->ip = *ip;
    if (changed && (conn->state == MQTT_CONNECTION_CONNECTING || is_connected(conn->state))) {
        reconnect_soon(conn, out);
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
    if (conn->state == MQTT_CONNECTION_WAITING) {
        return;
    }
    if (conn->state != MQTT_CONNECTION_BACKOFF) {
        emit(out, MQTT_CONNECTION_CMD_DISCONNECT, 0);
    }
    cancel_state_timer(conn, out);
    clear_low_power(conn, out);
    conn->state = MQTT_CONNECTION_WAITING;
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
        case MQTT_CONNECTION_WAITING:
            /* The client already reported this attempt's end, or the application stopped it (network down,
             * watchdog, refused publish): a session already given up, which no PUBACK or DISCONNECTED would
             * follow. Drop it; the armed timer stays the only way forward. */
            emit(out, MQTT_CONNECTION_CMD_DISCONNECT, 0);
            break;
        case MQTT_CONNECTION_CONNECTING:
            register_again(conn, out); /* the registration timeout replaces the watchdog */
            break;
        default:
            break; /* duplicate */
    }
}

static void on_failure_event(mqtt_connection_t *conn, uint32_t random_value, mqtt_connection_commands_t *out)
{
    if (conn->state == MQTT_CONNECTION_CONNECTING || is_connected(conn->state)) {
        fail(conn, random_value, out);
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
        fail(conn, random_value, out);
    }
}

static void on_registration_acked(mqtt_connection_t *conn, int32_t msg_id, mqtt_connection_commands_t *out)
{
    if (conn->state != MQTT_CONNECTION_REGISTERING || conn->pending_msg_id == NO_PENDING_MSG_ID ||
        msg_id != conn->pending_msg_id) {
        return;
    }
    /* The cycle succeeded: only now does the schedule start over. */
    if (conn->timing.registration_timeout_ms != 0) {
        emit(out, MQTT_CONNECTION_CMD_CANCEL_RETRY_TIMER, 0);
    }
    retry_policy_reset(&conn->policy);
    conn->round_failures = 0;
    conn->pending_msg_id = NO_PENDING_MSG_ID;
    conn->state = MQTT_CONNECTION_REGISTERED;
    conn->refresh_remaining_ms = conn->timing.refresh_interval_ms;
    emit(out, MQTT_CONNECTION_CMD_PUBLISH_ONLINE, 0);
    arm_tick(conn, out);
}

static void on_registered_tick(mqtt_connection_t *conn, mqtt_connection_commands_t *out)
{
    if (conn->timing.refresh_interval_ms != 0) {
        conn->refresh_remaining_ms =
            conn->refresh_remaining_ms > conn->tick_ms ? conn->refresh_remaining_ms - conn->tick_ms : 0;
        if (conn->refresh_remaining_ms == 0) {
            conn->tick_ms = 0; /* fired: nothing armed any more */
            register_again(conn, out);
            return;
        }
    }
    if (conn->timing.liveness_interval_ms != 0) {
        emit(out, MQTT_CONNECTION_CMD_CHECK_SESSION, 0);
    }
    arm_tick(conn, out);
}

static void on_retry_timer_fired(mqtt_connection_t *conn, uint32_t random_value,
                                 mqtt_connection_commands_t *out)
{
    switch (conn->state) {
        case MQTT_CONNECTION_BACKOFF:
            if (prerequisites_met(conn)) {
                start_connect(conn, out);
            }
            break;
        case MQTT_CONNECTION_CONNECTING:
            if (conn->attempt_timeout_ms != 0) {
                fail(conn, random_value, out); /* the attempt timed out: the client may still be trying */
            }
            break;
        case MQTT_CONNECTION_REGISTERING:
            if (conn->timing.registration_timeout_ms != 0) {
                fail(conn, random_value, out); /* the registration was not acknowledged in time */
            }
            break;
        case MQTT_CONNECTION_REGISTERED:
            if (conn->tick_ms != 0) {
                on_registered_tick(conn, out);
            }
            break;
        default:
            break;
    }
}

static void on_register_again(mqtt_connection_t *conn, mqtt_connection_commands_t *out)
{
    if (is_connected(conn->state)) {
        if (conn->state == MQTT_CONNECTION_REGISTERED && conn->timing.registration_timeout_ms == 0 &&
            conn->tick_ms != 0) {
            conn->tick_ms = 0; /* cancelled by register_again below */
            emit(out, MQTT_CONNECTION_CMD_CANCEL_RETRY_TIMER, 0);
            conn->pending_msg_id = NO_PENDING_MSG_ID;
            emit(out, MQTT_CONNECTION_CMD_PUBLISH_REGISTRATION, 0);
            conn->state = MQTT_CONNECTION_REGISTERING;
            return;
        }
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
            conn->last_code = event->code;
            on_failure_event(conn, event->random_value, out);
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
            on_registration_acked(conn, event->msg_id, out);
            break;
        case MQTT_CONNECTION_EV_RETRY_TIMER_FIRED:
            on_retry_timer_fired(conn, event->random_value, out);
            break;
        case MQTT_CONNECTION_EV_REGISTER_AGAIN:
            on_register_again(conn, out);
            break;
        case MQTT_CONNECTION_EV_SESSION_LOST:
            /* Only REGISTERED asks CHECK_SESSION; in any other state the answer is about a session already
             * given up. */
            if (conn->state == MQTT_CONNECTION_REGISTERED) {
                fail(conn, event->random_value, out);
            }
            break;
        default:
            break;
    }
    return conn->state;
}
