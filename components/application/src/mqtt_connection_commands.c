/* mqtt_connection_commands: see the header. */
#include "mqtt_connection_commands.h"

#include <string.h>

#include "application/app_report.h"

void mqtt_connection_commands_queue_push(mqtt_connection_commands_queue_t *queue,
                                         mqtt_connection_event_kind_t kind, int32_t msg_id, int32_t code)
{
    if (queue->count >= MQTT_CONNECTION_COMMANDS_FOLLOW_UP_MAX) {
        return; /* cannot happen: a command list causes at most a few follow-ups */
    }
    mqtt_connection_event_t *ev =
        &queue->items[(queue->head + queue->count) % MQTT_CONNECTION_COMMANDS_FOLLOW_UP_MAX];
    memset(ev, 0, sizeof(*ev));
    ev->kind = kind;
    ev->msg_id = msg_id;
    ev->code = code;
    queue->count++;
}

bool mqtt_connection_commands_queue_pop(mqtt_connection_commands_queue_t *queue, mqtt_connection_event_t *out)
{
    if (queue->count == 0) {
        return false;
    }
    *out = queue->items[queue->head];
    queue->head = (queue->head + 1) % MQTT_CONNECTION_COMMANDS_FOLLOW_UP_MAX;
    queue->count--;
    return true;
}

void mqtt_connection_commands_registration_failed(const mqtt_connection_use_case_t *uc,
                                                  registration_failure_t reason, int32_t detail)
{
    domain_event_t event = {.kind = DOMAIN_EVENT_REGISTRATION_FAILED};
    event.data.registration_failed.reason = reason;
    event.data.registration_failed.detail = detail;
    app_report_event(uc->ports, &event);
}

/* Publishes the registration and queues what the entity must learn from it. */
static void publish_registration(mqtt_connection_use_case_t *uc, mqtt_connection_commands_queue_t *queue)
{
    int32_t msg_id = -1;
    registration_failure_t failure = REGISTRATION_FAILURE_INVALID_MESSAGE;
    int32_t detail = 0;
    const app_err_t rc = register_device_publish(uc->registration, &msg_id, &failure, &detail);
    if (rc != APP_OK) {
        app_report_error(uc->ports, uc->status, APP_NOTICE_ERROR, "registration not queued: %s (%s)",
                         registration_failure_to_str(failure),
                         failure == REGISTRATION_FAILURE_INVALID_MESSAGE
                             ? domain_status_to_str((domain_status_t)detail)
                             : app_err_to_str(rc));
        mqtt_connection_commands_registration_failed(uc, failure, detail);
        mqtt_connection_commands_queue_push(queue, MQTT_CONNECTION_EV_PUBLISH_FAILED, -1, (int32_t)rc);
        return;
    }
    registration_history_record(
        &uc->history, msg_id,
        registration_history_digest(uc->registration->payload, uc->registration->payload_len));
    mqtt_connection_commands_queue_push(queue, MQTT_CONNECTION_EV_PUBLISH_QUEUED, msg_id, 0);
    if (uc->settings->mqtt.qos == 0) {
        /* QoS 0 has no PUBACK: queued is all the confirmation there will ever be. */
        mqtt_connection_commands_queue_push(queue, MQTT_CONNECTION_EV_REGISTRATION_ACKED, msg_id, 0);
    }
}

static void connect_broker(mqtt_connection_use_case_t *uc, uint8_t broker_index,
                           mqtt_connection_commands_queue_t *queue)
{
    const app_ports_t *p = uc->ports;
    (void)mqtt_connection_use_case_broker_uri(uc, broker_index, uc->uri, sizeof(uc->uri));
    domain_event_t event = {.kind = DOMAIN_EVENT_CONNECT_ATTEMPT};
    event.data.connect_attempt.attempt = uc->connection.connect_attempts;
    event.data.connect_attempt.broker_index = broker_index;
    app_report_event(p, &event);
    const mqtt_connect_request_t request = {
        .uri = uc->uri,
        .will = presence_will(&uc->presence, &uc->status->mac, &uc->connection.ip),
    };
    const app_err_t rc = p->mqtt_session->connect(p->mqtt_session_ctx, &request);
    if (rc != APP_OK) {
        /* No MQTT_DISCONNECTED will come for an attempt that never started: the schedule goes on as if the
         * attempt had failed. */
        app_report_error(p, uc->status, APP_NOTICE_ERROR, "mqtt connect failed: %s", app_err_to_str(rc));
        mqtt_connection_commands_queue_push(queue, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, -1, (int32_t)rc);
    }
}

/* What the one connection timer means in a state (mqtt_connection.h), for messages. */
static const char *timer_purpose(mqtt_connection_state_t state)
{
    switch (state) {
        case MQTT_CONNECTION_CONNECTING:
            return "connect attempt watchdog";
        case MQTT_CONNECTION_REGISTERING:
            return "registration timeout";
        case MQTT_CONNECTION_REGISTERED:
            return "refresh and liveness timer";
        default:
            return "retry timer";
    }
}

static void arm_timer(mqtt_connection_use_case_t *uc, uint32_t delay_ms)
{
    const app_ports_t *p = uc->ports;
    const mqtt_connection_state_t state = uc->connection.state;
    const bool wait = state == MQTT_CONNECTION_BACKOFF;
    uc->timer_token++;
    const app_err_t rc = p->timer->arm_once(p->timer_ctx, APP_TIMER_CONNECTION, delay_ms, uc->timer_token);
    if (rc != APP_OK && !wait) {
        /* The attempt or registration goes on unwatched: the client's own outcome events still end it. */
        app_report_noticef(p, APP_NOTICE_WARNING, "mqtt %s not armed: %s", timer_purpose(state),
                           app_err_to_str(rc));
        return;
    }
    if (rc != APP_OK) {
        /* Nothing would ever end the wait; the next network event restarts the schedule. */
        app_report_error(p, uc->status, APP_NOTICE_ERROR, "retry timer not armed: %s", app_err_to_str(rc));
        return;
    }
    if (!wait) {
        return;
    }
    uc->status->next_retry_delay_ms = delay_ms;
    uc->status->next_retry_at_ms = p->timer->now_ms(p->timer_ctx) + delay_ms;
    if (!uc->connection.low_power) {
        return; /* a quick reconnect (next broker of the list, new IP) is no retry of the schedule */
    }
    domain_event_t event = {.kind = DOMAIN_EVENT_RETRY_SCHEDULED};
    event.data.retry_scheduled.delay_ms = delay_ms;
    event.data.retry_scheduled.failures = uc->connection.policy.attempt;
    app_report_event(p, &event);
}

static void set_low_power(mqtt_connection_use_case_t *uc, bool low)
{
    const app_err_t rc = power_arbiter_set(uc->power, POWER_REQUESTER_CONNECTION, low);
    if (rc != APP_OK) {
        app_report_noticef(uc->ports, APP_NOTICE_WARNING, "low power %s failed: %s",
                           low ? "request" : "release", app_err_to_str(rc));
    }
}

static void check_session(mqtt_connection_use_case_t *uc, mqtt_connection_commands_queue_t *queue)
{
    if (!uc->ports->mqtt_session->is_connected(uc->ports->mqtt_session_ctx)) {
        app_report_error(uc->ports, uc->status, APP_NOTICE_WARNING,
                         "mqtt session lost without a disconnect report: reconnecting");
        mqtt_connection_commands_queue_push(queue, MQTT_CONNECTION_EV_SESSION_LOST, -1, 0);
    }
}

static void publish_online(mqtt_connection_use_case_t *uc)
{
    int32_t msg_id = -1;
    if (uc->presence.enabled && presence_publish(&uc->presence, DEVICE_PRESENCE_ONLINE, &uc->status->mac,
                                                 &uc->connection.ip, &msg_id) == APP_OK) {
        registration_history_forget(&uc->history, msg_id);
    }
}

void mqtt_connection_commands_execute(mqtt_connection_use_case_t *uc, const mqtt_connection_command_t *cmd,
                                      mqtt_connection_commands_queue_t *queue)
{
    const app_ports_t *p = uc->ports;
    app_err_t rc;
    switch (cmd->kind) {
        case MQTT_CONNECTION_CMD_CONNECT:
            connect_broker(uc, cmd->broker_index, queue);
            break;
        case MQTT_CONNECTION_CMD_DISCONNECT:
            rc = p->mqtt_session->disconnect(p->mqtt_session_ctx);
            if (rc != APP_OK) {
                app_report_noticef(p, APP_NOTICE_WARNING, "mqtt disconnect failed: %s", app_err_to_str(rc));
            }
            break;
        case MQTT_CONNECTION_CMD_PUBLISH_REGISTRATION:
            publish_registration(uc, queue);
            break;
        case MQTT_CONNECTION_CMD_ARM_RETRY_TIMER:
            arm_timer(uc, cmd->delay_ms);
            break;
        case MQTT_CONNECTION_CMD_CANCEL_RETRY_TIMER:
            uc->timer_token++; /* an expiry already posted is now stale */
            rc = p->timer->cancel(p->timer_ctx, APP_TIMER_CONNECTION);
            if (rc != APP_OK) {
                app_report_noticef(p, APP_NOTICE_WARNING, "retry timer cancel failed: %s",
                                   app_err_to_str(rc));
            }
            uc->status->next_retry_delay_ms = 0;
            uc->status->next_retry_at_ms = 0;
            break;
        case MQTT_CONNECTION_CMD_REQUEST_LOW_POWER:
            set_low_power(uc, true);
            break;
        case MQTT_CONNECTION_CMD_CLEAR_LOW_POWER:
            set_low_power(uc, false);
            break;
        case MQTT_CONNECTION_CMD_PUBLISH_ONLINE:
            publish_online(uc);
            break;
        case MQTT_CONNECTION_CMD_CHECK_SESSION:
            check_session(uc, queue);
            break;
        default:
            break;
    }
}
