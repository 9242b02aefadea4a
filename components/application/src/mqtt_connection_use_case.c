/*
 * mqtt_connection_use_case: see the header. The entity decides; this file translates events for it,
 * carries out its commands and reports what happened.
 */
#include "application/mqtt_connection_use_case.h"

#include <string.h>

#include "application/app_report.h"
#include "application/connection_reasons.h"
#include "domain/bounded_text.h"
#include "mqtt_connection_commands.h"

/* The clients' network timeout when the setting is 0 (ESP-MQTT's MQTT_NETWORK_TIMEOUT_MS). */
#define DEFAULT_NETWORK_TIMEOUT_MS 10000u
#define WATCHDOG_MARGIN_MS         15000u

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
    uc->offline_msg_id = -1;
    registration_history_init(&uc->history);
    /* With MQTT disabled the settings may be the invalid ones: the entity, never fed, gets defaults. */
    const retry_policy_config_t fallback = retry_policy_default_config();
    (void)mqtt_connection_init(&uc->connection, enabled ? &settings->mqtt.retry : &fallback);
    const mqtt_settings_t *m = &settings->mqtt;
    const size_t brokers = broker_uri_list_count(m->broker_uri);
    const mqtt_connection_timing_t timing = {
        .attempt_timeout_ms = mqtt_connection_use_case_attempt_timeout_ms(m->network_timeout_ms),
        .registration_timeout_ms = enabled ? m->registration_timeout_ms : 0,
        .refresh_interval_ms = enabled ? m->refresh_interval_s * 1000u : 0,
        .liveness_interval_ms = enabled ? m->liveness_interval_ms : 0,
        .reconnect_ms = 0,
        .broker_count = (uint8_t)(enabled && brokers > 1 ? brokers : 1),
    };
    (void)mqtt_connection_set_timing(&uc->connection, &timing);
}

void mqtt_connection_use_case_disable(mqtt_connection_use_case_t *uc)
{
    uc->enabled = false;
}

bool mqtt_connection_use_case_broker_uri(const mqtt_connection_use_case_t *uc, size_t index, char *out,
                                         size_t out_size)
{
    const mqtt_settings_t *m = &uc->settings->mqtt;
    broker_uri_t broker;
    const domain_status_t rc = broker_uri_list_count(m->broker_uri) > 1
                                   ? broker_uri_list_get(m->broker_uri, index, m->ws_path, &broker)
                                   : broker_uri_parse(m->broker_uri, m->ws_path, &broker);
    return rc == DOMAIN_OK && bounded_text_copy_whole(out, out_size, broker.effective_uri);
}

app_err_t mqtt_connection_use_case_configure(mqtt_connection_use_case_t *uc, const mac_address_t *mac)
{
    mac_address_client_id(mac, uc->client_id);
    presence_init(&uc->presence, uc->ports, uc->settings, mac);
    if (!uc->enabled) {
        return APP_OK;
    }
    const mqtt_settings_t *m = &uc->settings->mqtt;
    (void)mqtt_connection_use_case_broker_uri(uc, 0, uc->uri, sizeof(uc->uri)); /* validated at start-up */
    const mqtt_client_config_t cfg = {
        .uri = uc->uri,
        .client_id = uc->client_id,
        .username = m->username,
        .password = m->password,
        .keepalive_s = m->keepalive_s,
        .network_timeout_ms = m->network_timeout_ms,
        .retransmit_ms = m->retransmit_ms,
        .buffer_size = m->buffer_size,
        .out_buffer_size = m->out_buffer_size,
        .task_stack_size = m->task_stack_size,
        .task_priority = m->task_priority,
        .outbox_limit = m->outbox_limit,
    };
    return uc->ports->mqtt_session->configure(uc->ports->mqtt_session_ctx, &cfg);
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

/* What a timer expiry that ended in BACKOFF meant, for last_error. */
static void report_expiry(mqtt_connection_use_case_t *uc, mqtt_connection_state_t old_state)
{
    if (old_state == MQTT_CONNECTION_CONNECTING) {
        app_report_error(uc->ports, uc->status, APP_NOTICE_WARNING, "connect attempt timed out after %lu ms",
                         (unsigned long)uc->connection.attempt_timeout_ms);
    } else if (old_state == MQTT_CONNECTION_REGISTERING) {
        app_report_error(uc->ports, uc->status, APP_NOTICE_WARNING,
                         "registration not acknowledged within %lu ms",
                         (unsigned long)uc->connection.timing.registration_timeout_ms);
        mqtt_connection_commands_registration_failed(uc, REGISTRATION_FAILURE_NOT_ACKNOWLEDGED, 0);
    }
}

/* Feeds one entity event, carries out its commands, then the follow-ups they caused, in order. */
static void feed(mqtt_connection_use_case_t *uc, const mqtt_connection_event_t *first)
{
    const app_ports_t *p = uc->ports;
    mqtt_connection_commands_queue_t queue = {.head = 0, .count = 0};
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
        if (event.kind == MQTT_CONNECTION_EV_RETRY_TIMER_FIRED && new_state == MQTT_CONNECTION_BACKOFF) {
            report_expiry(uc, old_state);
        }
        if (event.kind == MQTT_CONNECTION_EV_REGISTRATION_ACKED && new_state == MQTT_CONNECTION_REGISTERED &&
            uc->registration->pending_msg_id >= 0 && event.msg_id == uc->registration->pending_msg_id) {
            note_registered(uc, event.msg_id);
        }
        for (size_t i = 0; i < commands.count && i < MQTT_CONNECTION_MAX_COMMANDS; i++) {
            mqtt_connection_commands_execute(uc, &commands.items[i], &queue);
        }
        if (!mqtt_connection_commands_queue_pop(&queue, &event)) {
            break;
        }
    }
}

static void feed_kind(mqtt_connection_use_case_t *uc, mqtt_connection_event_kind_t kind,
                      const ipv4_address_t *ip, int32_t msg_id, int32_t code)
{
    if (!uc->enabled || uc->shutting_down || uc->shut_down) {
        return; /* MQTT disabled by bad settings, or stopping: the entity is not fed any more */
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

static void finish_shutdown(mqtt_connection_use_case_t *uc)
{
    uc->shutting_down = false;
    uc->shut_down = true;
    if (uc->enabled) {
        (void)uc->ports->mqtt_session->disconnect(uc->ports->mqtt_session_ctx);
    }
    domain_event_t event = {.kind = DOMAIN_EVENT_SHUT_DOWN};
    app_report_event(uc->ports, &event);
}

static void on_shutdown(mqtt_connection_use_case_t *uc)
{
    if (uc->shutting_down || uc->shut_down) {
        return;
    }
    const app_ports_t *p = uc->ports;
    if (!uc->enabled || !uc->presence.enabled || !is_connected_state(uc->connection.state) ||
        presence_publish(&uc->presence, DEVICE_PRESENCE_OFFLINE, &uc->status->mac, &uc->connection.ip,
                         &uc->offline_msg_id) != APP_OK) {
        finish_shutdown(uc);
        return;
    }
    /* Wait (bounded) for the broker to hold the offline message before closing the session. */
    uc->shutting_down = true;
    uc->timer_token++;
    if (p->timer->arm_once(p->timer_ctx, APP_TIMER_CONNECTION, MQTT_CONNECTION_USE_CASE_SHUTDOWN_MS,
                           uc->timer_token) != APP_OK) {
        finish_shutdown(uc);
    }
}

static void on_published(mqtt_connection_use_case_t *uc, const app_event_t *event)
{
    if (uc->shutting_down) {
        if (event->msg_id == uc->offline_msg_id) {
            finish_shutdown(uc);
        }
        return;
    }
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
    if (uc->shut_down) {
        return;
    }
    char reason[APP_LAST_ERROR_MAX_LEN + 1];
    connection_reasons_error(event->error_kind, event->code, uc->enabled ? uc->uri : "", reason,
                             sizeof(reason));
    app_report_error(uc->ports, uc->status, APP_NOTICE_WARNING, "%s", reason);
    if (event->error_kind == APP_MQTT_ERROR_PROTOCOL && uc->enabled) {
        app_report_noticef(
            uc->ports, APP_NOTICE_ERROR,
            "%s did not answer as an MQTT WebSocket endpoint: check the WebSocket path, NATS needs "
            "/mqtt",
            uc->uri);
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
    mqtt_connection_commands_registration_failed(uc, REGISTRATION_FAILURE_DELETED, event->msg_id);
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
                if (uc->shutting_down) {
                    finish_shutdown(uc); /* the offline message was not acknowledged in time */
                } else {
                    feed_kind(uc, MQTT_CONNECTION_EV_RETRY_TIMER_FIRED, NULL, 0, 0);
                }
            }
            break;
        case APP_EVENT_SHUTDOWN:
            on_shutdown(uc);
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
    s->broker_index = conn->broker_index;
    (void)bounded_text_copy(s->broker_uri, sizeof(s->broker_uri), uc->enabled ? uc->uri : "");
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
