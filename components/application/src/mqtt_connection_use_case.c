/*
 * mqtt_connection_use_case: see the header. The entity decides; this file translates events for it,
 * carries out its commands and reports what happened.
 */
#include "application/mqtt_connection_use_case.h"

#include <string.h>

#include "application/app_report.h"

/* Follow-up entity events one command list can cause (connect refused, publish queued or refused, and the
 * QoS 0 acknowledgement), with room to spare. */
#define FOLLOW_UP_MAX 8
/* The clients' network timeout when the setting is 0 (ESP-MQTT's MQTT_NETWORK_TIMEOUT_MS). */
#define DEFAULT_NETWORK_TIMEOUT_MS 10000u
#define WATCHDOG_MARGIN_MS         15000u
#define PROTOCOL_HINT              "check the WebSocket path, NATS needs /mqtt"

typedef struct {
    mqtt_connection_event_t items[FOLLOW_UP_MAX];
    size_t head;
    size_t count;
} follow_up_queue_t;

static bool is_connected_state(mqtt_connection_state_t state)
{
    return state == MQTT_CONNECTION_REGISTERING || state == MQTT_CONNECTION_REGISTERED;
}

uint32_t mqtt_connection_use_case_attempt_timeout_ms(uint32_t network_timeout_ms)
{
    const uint64_t timeout = network_timeout_ms != 0 ? network_timeout_ms : DEFAULT_NETWORK_TIMEOUT_MS;
    const uint64_t watchdog = 4u * timeout + WATCHDOG_MARGIN_MS;
    return watchdog > UINT32_MAX ? UINT32_MAX : (uint32_t)watchdog;
}

void mqtt_connection_use_case_init(mqtt_connection_use_case_t *uc, const app_ports_t *ports,
                                   const app_settings_t *settings, app_status_snapshot_t *status,
                                   register_device_t *registration, power_arbiter_t *power, bool enabled)
{
    memset(uc, 0, sizeof(*uc));
    uc->ports = ports;
    uc->settings = settings;
    uc->status = status;
    uc->registration = registration;
    uc->power = power;
    uc->enabled = enabled;
    registration_history_init(&uc->history);
    /* With MQTT disabled the retry settings may be the invalid ones: the entity, never fed, gets defaults. */
    const retry_policy_config_t fallback = retry_policy_default_config();
    (void)mqtt_connection_init(&uc->connection, enabled ? &settings->mqtt.retry : &fallback);
    (void)mqtt_connection_set_attempt_timeout(
        &uc->connection, mqtt_connection_use_case_attempt_timeout_ms(settings->mqtt.network_timeout_ms));
}

void mqtt_connection_use_case_disable(mqtt_connection_use_case_t *uc)
{
    uc->enabled = false;
}

app_err_t mqtt_connection_use_case_configure(mqtt_connection_use_case_t *uc, const mac_address_t *mac)
{
    mac_address_client_id(mac, uc->client_id);
    if (!uc->enabled) {
        return APP_OK;
    }
    const mqtt_settings_t *m = &uc->settings->mqtt;
    (void)broker_uri_parse(m->broker_uri, m->ws_path, &uc->broker); /* validated at start-up */
    const mqtt_client_config_t cfg = {
        .uri = uc->broker.effective_uri,
        .client_id = uc->client_id,
        .keepalive_s = m->keepalive_s,
        .network_timeout_ms = m->network_timeout_ms,
        .buffer_size = m->buffer_size,
        .out_buffer_size = m->out_buffer_size,
        .task_stack_size = m->task_stack_size,
        .task_priority = m->task_priority,
        .outbox_limit = m->outbox_limit,
    };
    return uc->ports->mqtt_session->configure(uc->ports->mqtt_session_ctx, &cfg);
}

/* ---- commands --------------------------------------------------------------------------------------------
 */

static void queue_follow_up(follow_up_queue_t *queue, mqtt_connection_event_kind_t kind, int32_t msg_id,
                            int32_t code)
{
    if (queue->count >= FOLLOW_UP_MAX) {
        return; /* cannot happen: a command list causes at most a few follow-ups */
    }
    mqtt_connection_event_t *ev = &queue->items[(queue->head + queue->count) % FOLLOW_UP_MAX];
    memset(ev, 0, sizeof(*ev));
    ev->kind = kind;
    ev->msg_id = msg_id;
    ev->code = code;
    queue->count++;
}

static void emit_registration_failed(const mqtt_connection_use_case_t *uc, registration_failure_t reason,
                                     int32_t detail)
{
    domain_event_t event = {.kind = DOMAIN_EVENT_REGISTRATION_FAILED};
    event.data.registration_failed.reason = reason;
    event.data.registration_failed.detail = detail;
    app_report_event(uc->ports, &event);
}

/* Publishes the registration and queues what the entity must learn from it. */
static void publish_registration(mqtt_connection_use_case_t *uc, follow_up_queue_t *queue)
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
        emit_registration_failed(uc, failure, detail);
        queue_follow_up(queue, MQTT_CONNECTION_EV_PUBLISH_FAILED, -1, (int32_t)rc);
        return;
    }
    registration_history_record(
        &uc->history, msg_id,
        registration_history_digest(uc->registration->payload, uc->registration->payload_len));
    queue_follow_up(queue, MQTT_CONNECTION_EV_PUBLISH_QUEUED, msg_id, 0);
    if (uc->settings->mqtt.qos == 0) {
        /* QoS 0 has no PUBACK: queued is all the confirmation there will ever be. */
        queue_follow_up(queue, MQTT_CONNECTION_EV_REGISTRATION_ACKED, msg_id, 0);
    }
}

static void arm_timer(mqtt_connection_use_case_t *uc, uint32_t delay_ms)
{
    const app_ports_t *p = uc->ports;
    /* The entity arms the timer as a watchdog only when it stays CONNECTING (mqtt_connection.h). */
    const bool watchdog = uc->connection.state == MQTT_CONNECTION_CONNECTING;
    uc->timer_token++;
    const app_err_t rc = p->timer->arm_once(p->timer_ctx, APP_TIMER_CONNECTION, delay_ms, uc->timer_token);
    if (rc != APP_OK && watchdog) {
        /* The attempt goes on unwatched, as the client's own outcome events still end it. */
        app_report_noticef(p, APP_NOTICE_WARNING, "mqtt connect attempt watchdog not armed: %s",
                           app_err_to_str(rc));
        return;
    }
    if (rc != APP_OK) {
        /* Nothing would ever end the backoff; the next network event restarts the schedule. */
        app_report_error(p, uc->status, APP_NOTICE_ERROR, "retry timer not armed: %s", app_err_to_str(rc));
        return;
    }
    if (watchdog) {
        return; /* not a retry: no RETRY_SCHEDULED, no next_retry_* */
    }
    uc->status->next_retry_delay_ms = delay_ms;
    uc->status->next_retry_at_ms = p->timer->now_ms(p->timer_ctx) + delay_ms;
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

static void execute(mqtt_connection_use_case_t *uc, const mqtt_connection_command_t *cmd,
                    follow_up_queue_t *queue)
{
    const app_ports_t *p = uc->ports;
    app_err_t rc;
    switch (cmd->kind) {
        case MQTT_CONNECTION_CMD_CONNECT: {
            domain_event_t event = {.kind = DOMAIN_EVENT_CONNECT_ATTEMPT};
            event.data.connect_attempt.attempt = uc->connection.connect_attempts;
            app_report_event(p, &event);
            rc = p->mqtt_session->connect(p->mqtt_session_ctx);
            if (rc != APP_OK) {
                /* No MQTT_DISCONNECTED will come for an attempt that never started: the schedule goes on
                 * as if the attempt had failed. */
                app_report_error(p, uc->status, APP_NOTICE_ERROR, "mqtt connect failed: %s",
                                 app_err_to_str(rc));
                queue_follow_up(queue, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, -1, (int32_t)rc);
            }
            break;
        }
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
        default:
            break;
    }
}

static void note_registered(mqtt_connection_use_case_t *uc, int32_t msg_id)
{
    app_status_snapshot_t *s = uc->status;
    s->registrations++;
    s->has_registration = true;
    s->last_registration_ms = uc->ports->timer->now_ms(uc->ports->timer_ctx);
    s->last_registration_ip = uc->registration->last_message.ip;
    uc->registration->pending_msg_id = -1;
    domain_event_t event = {.kind = DOMAIN_EVENT_DEVICE_REGISTERED};
    event.data.registered.msg_id = msg_id;
    event.data.registered.ip = uc->registration->last_message.ip;
    app_report_event(uc->ports, &event);
}

/* Feeds one entity event, carries out its commands, then the follow-ups they caused, in order. */
static void feed(mqtt_connection_use_case_t *uc, const mqtt_connection_event_t *first)
{
    const app_ports_t *p = uc->ports;
    follow_up_queue_t queue = {.head = 0, .count = 0};
    mqtt_connection_event_t event = *first;
    for (;;) {
        event.random_value = p->timer->random_u32(p->timer_ctx);
        const mqtt_connection_state_t old_state = uc->connection.state;
        mqtt_connection_commands_t commands = {.count = 0};
        const mqtt_connection_state_t new_state = mqtt_connection_handle(&uc->connection, &event, &commands);
        if (new_state != old_state) {
            domain_event_t changed = {.kind = DOMAIN_EVENT_CONNECTION_STATE_CHANGED};
            changed.data.state_changed.old_state = old_state;
            changed.data.state_changed.new_state = new_state;
            app_report_event(p, &changed);
            if (!is_connected_state(new_state)) {
                uc->registration->pending_msg_id = -1;
            }
        }
        if (event.kind == MQTT_CONNECTION_EV_RETRY_TIMER_FIRED && old_state == MQTT_CONNECTION_CONNECTING &&
            new_state == MQTT_CONNECTION_BACKOFF) {
            app_report_error(p, uc->status, APP_NOTICE_WARNING, "mqtt connect attempt timed out after %lu ms",
                             (unsigned long)uc->connection.attempt_timeout_ms);
        }
        if (event.kind == MQTT_CONNECTION_EV_REGISTRATION_ACKED && new_state == MQTT_CONNECTION_REGISTERED &&
            uc->registration->pending_msg_id >= 0 && event.msg_id == uc->registration->pending_msg_id) {
            note_registered(uc, event.msg_id);
        }
        for (size_t i = 0; i < commands.count && i < MQTT_CONNECTION_MAX_COMMANDS; i++) {
            execute(uc, &commands.items[i], &queue);
        }
        if (queue.count == 0) {
            break;
        }
        event = queue.items[queue.head];
        queue.head = (queue.head + 1) % FOLLOW_UP_MAX;
        queue.count--;
    }
}

static void feed_kind(mqtt_connection_use_case_t *uc, mqtt_connection_event_kind_t kind,
                      const ipv4_address_t *ip, int32_t msg_id, int32_t code)
{
    if (!uc->enabled) {
        return; /* MQTT disabled by bad settings: the entity stays WAITING */
    }
    mqtt_connection_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = kind;
    if (ip != NULL) {
        event.ip = *ip;
    }
    event.msg_id = msg_id;
    event.code = code;
    feed(uc, &event);
}

/* ---- events -------------------------------------------------------------------------------------------- */

void mqtt_connection_use_case_on_network(mqtt_connection_use_case_t *uc, mqtt_connection_event_kind_t kind,
                                         const ipv4_address_t *ip)
{
    feed_kind(uc, kind, ip, 0, 0);
}

void mqtt_connection_use_case_register_again(mqtt_connection_use_case_t *uc)
{
    /* When not connected the entity ignores it: the next connect registers with the new values. */
    feed_kind(uc, MQTT_CONNECTION_EV_REGISTER_AGAIN, NULL, 0, 0);
}

static void on_published(mqtt_connection_use_case_t *uc, const app_event_t *event)
{
    feed_kind(uc, MQTT_CONNECTION_EV_REGISTRATION_ACKED, NULL, event->msg_id, 0);
    if (uc->enabled && registration_history_acked(&uc->history, event->msg_id) &&
        is_connected_state(uc->connection.state)) {
        app_report_noticef(
            uc->ports, APP_NOTICE_INFO,
            "registration msg %ld acknowledged after a newer one: registering the current values "
            "again",
            (long)event->msg_id);
        mqtt_connection_use_case_register_again(uc);
    }
}

static void on_error(mqtt_connection_use_case_t *uc, const app_event_t *event)
{
    app_report_error(uc->ports, uc->status, APP_NOTICE_WARNING, "mqtt error: %s (code %ld)",
                     app_mqtt_error_kind_to_str(event->error_kind), (long)event->code);
    if (event->error_kind == APP_MQTT_ERROR_PROTOCOL && uc->enabled) {
        app_report_noticef(uc->ports, APP_NOTICE_ERROR,
                           "%s did not answer as an MQTT WebSocket endpoint: " PROTOCOL_HINT,
                           uc->broker.effective_uri);
    }
    feed_kind(uc, MQTT_CONNECTION_EV_MQTT_ERROR, NULL, 0, (int32_t)event->error_kind);
}

static void on_deleted(mqtt_connection_use_case_t *uc, const app_event_t *event)
{
    if (!uc->enabled || uc->registration->pending_msg_id < 0 ||
        event->msg_id != uc->registration->pending_msg_id) {
        return; /* not the registration we wait for */
    }
    app_report_error(uc->ports, uc->status, APP_NOTICE_ERROR, "registration msg %ld dropped before PUBACK",
                     (long)event->msg_id);
    emit_registration_failed(uc, REGISTRATION_FAILURE_DELETED, event->msg_id);
    feed_kind(uc, MQTT_CONNECTION_EV_PUBLISH_FAILED, NULL, event->msg_id, 0);
}

void mqtt_connection_use_case_handle(mqtt_connection_use_case_t *uc, const app_event_t *event)
{
    switch (event->kind) {
        case APP_EVENT_HTTP_STARTED:
            feed_kind(uc, MQTT_CONNECTION_EV_HTTP_STARTED, NULL, 0, 0);
            break;
        case APP_EVENT_MQTT_CONNECTED:
            feed_kind(uc, MQTT_CONNECTION_EV_MQTT_CONNECTED, NULL, 0, 0);
            break;
        case APP_EVENT_MQTT_DISCONNECTED:
            feed_kind(uc, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, NULL, 0, event->code);
            break;
        case APP_EVENT_MQTT_ERROR:
            on_error(uc, event);
            break;
        case APP_EVENT_MQTT_PUBLISHED:
            on_published(uc, event);
            break;
        case APP_EVENT_MQTT_DELETED:
            on_deleted(uc, event);
            break;
        case APP_EVENT_TIMER_FIRED:
            if (event->timer == APP_TIMER_CONNECTION && event->token == uc->timer_token) {
                feed_kind(uc, MQTT_CONNECTION_EV_RETRY_TIMER_FIRED, NULL, 0, 0);
            }
            break;
        default:
            break;
    }
}

void mqtt_connection_use_case_refresh_status(mqtt_connection_use_case_t *uc)
{
    app_status_snapshot_t *s = uc->status;
    const mqtt_connection_t *conn = &uc->connection;
    s->mqtt_enabled = uc->enabled;
    s->state = conn->state;
    s->connect_attempts = conn->connect_attempts;
    s->consecutive_failures = conn->policy.attempt;
    if (conn->state != MQTT_CONNECTION_BACKOFF) {
        s->next_retry_delay_ms = 0;
        s->next_retry_at_ms = 0;
    }
    if (!is_connected_state(conn->state)) {
        /* A registration queued on a connection that is gone will be published again on the next one. */
        uc->registration->pending_msg_id = -1;
    }
    s->pending_msg_id = uc->registration->pending_msg_id;
}
