/*
 * application: start-up and the MqttConnectionUseCase.
 *
 * The entity decides (domain/mqtt_connection); this file only translates app events into entity events,
 * carries out the entity's commands through the ports, reports domain events, and keeps the status
 * snapshot that other tasks read under the shared lock. Everything except application_get_status(),
 * application_uptime_ms() and application_update_config() runs on the application task.
 */
#include "application/application.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "domain/utf8_text.h"

/* Follow-up entity events one command list can cause (connect refused, publish queued or refused, and the
 * QoS 0 acknowledgement), with room to spare. */
#define APP_FOLLOW_UP_MAX 8
/* Long enough for the protocol-error notice with a broker URI of BROKER_URI_MAX_LEN bytes. */
#define APP_NOTICE_MAX (BROKER_URI_MAX_LEN + 128)
/* The clients' network timeout when the setting is 0 (ESP-MQTT's MQTT_NETWORK_TIMEOUT_MS). */
#define APP_DEFAULT_NETWORK_TIMEOUT_MS 10000u
#define APP_WATCHDOG_MARGIN_MS         15000u
#define APP_PROTOCOL_HINT              "check the WebSocket path, NATS needs /mqtt"

typedef struct {
    mqtt_connection_event_t items[APP_FOLLOW_UP_MAX];
    size_t head;
    size_t count;
} follow_up_queue_t;

/* ---- small helpers ---------------------------------------------------------------------------------- */

static void set_text(char *dst, size_t dst_size, const char *src)
{
    if (dst == NULL || dst_size == 0) {
        return;
    }
    size_t len = strlen(src);
    if (len >= dst_size) {
        len = dst_size - 1;
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* strlen that stops at capacity (strnlen is POSIX, not C11): capacity means "no NUL inside". */
static size_t bounded_len(const char *text, size_t capacity)
{
    const char *nul = memchr(text, '\0', capacity);
    return nul == NULL ? capacity : (size_t)(nul - text);
}

static uint64_t now_ms(const application_t *app)
{
    return app->ports.timer->now_ms(app->ports.timer_ctx);
}

static void notice(const application_t *app, app_notice_level_t level, const char *message)
{
    app->ports.events->on_notice(app->ports.events_ctx, level, message);
}

static void noticef(const application_t *app, app_notice_level_t level, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void noticef(const application_t *app, app_notice_level_t level, const char *format, ...)
{
    char message[APP_NOTICE_MAX];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof(message), format, args);
    va_end(args);
    notice(app, level, message);
}

static void set_last_error(application_t *app, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void set_last_error(application_t *app, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(app->status.last_error, sizeof(app->status.last_error), format, args);
    va_end(args);
}

static void emit(const application_t *app, domain_event_t *event)
{
    event->uptime_ms = now_ms(app);
    app->ports.events->on_domain_event(app->ports.events_ctx, event);
}

static bool is_connected_state(mqtt_connection_state_t state)
{
    return state == MQTT_CONNECTION_REGISTERING || state == MQTT_CONNECTION_REGISTERED;
}

/* ---- settings ------------------------------------------------------------------------------------------ */

static app_err_t reject(char *reason, size_t reason_size, app_err_t err, const char *format, ...)
    __attribute__((format(printf, 4, 5)));

static app_err_t reject(char *reason, size_t reason_size, app_err_t err, const char *format, ...)
{
    if (reason != NULL && reason_size > 0) {
        va_list args;
        va_start(args, format);
        vsnprintf(reason, reason_size, format, args);
        va_end(args);
    }
    return err;
}

static app_err_t validate_topic(const char *topic, size_t capacity, char *reason, size_t reason_size)
{
    size_t len = bounded_len(topic, capacity);
    if (len == capacity) {
        return reject(reason, reason_size, APP_ERR_BAD_TOPIC, "topic is longer than %u bytes",
                      (unsigned)(capacity - 1));
    }
    if (len == 0) {
        return reject(reason, reason_size, APP_ERR_BAD_TOPIC, "topic is empty");
    }
    if (!utf8_text_is_valid(topic, len)) {
        return reject(reason, reason_size, APP_ERR_BAD_TOPIC, "topic is not valid UTF-8");
    }
    for (size_t i = 0; i < len; i++) {
        char c = topic[i];
        if (c == '+' || c == '#') {
            return reject(reason, reason_size, APP_ERR_BAD_TOPIC,
                          "topic contains the wildcard '%c': wildcards cannot be published", c);
        }
        if (c == '.' || c == ' ') {
            return reject(reason, reason_size, APP_ERR_BAD_TOPIC,
                          "topic contains '%c': NATS refuses topic levels with '.' or a space", c);
        }
    }
    return APP_OK;
}

app_err_t application_validate_settings(const app_settings_t *settings, char *reason, size_t reason_size)
{
    if (reason != NULL && reason_size > 0) {
        reason[0] = '\0';
    }
    if (settings == NULL) {
        return reject(reason, reason_size, APP_ERR_INVALID_ARG, "no settings");
    }
    const mqtt_settings_t *mqtt = &settings->mqtt;
    if (bounded_len(mqtt->ws_path, sizeof(mqtt->ws_path)) == sizeof(mqtt->ws_path)) {
        return reject(reason, reason_size, APP_ERR_BAD_URI, "ws_path: %s",
                      domain_status_to_str(DOMAIN_ERR_URI_PATH));
    }
    if (mqtt->ws_path[0] != '\0') {
        domain_status_t path_status = broker_uri_check_path(mqtt->ws_path);
        if (path_status != DOMAIN_OK) {
            return reject(reason, reason_size, APP_ERR_BAD_URI, "ws_path: %s",
                          domain_status_to_str(path_status));
        }
    }
    if (bounded_len(mqtt->broker_uri, sizeof(mqtt->broker_uri)) == sizeof(mqtt->broker_uri)) {
        return reject(reason, reason_size, APP_ERR_BAD_URI, "broker_uri: %s",
                      domain_status_to_str(DOMAIN_ERR_URI_TOO_LONG));
    }
    broker_uri_t broker;
    domain_status_t uri_status = broker_uri_parse(mqtt->broker_uri, mqtt->ws_path, &broker);
    if (uri_status != DOMAIN_OK) {
        return reject(reason, reason_size, APP_ERR_BAD_URI, "broker_uri: %s",
                      domain_status_to_str(uri_status));
    }
    app_err_t rc = validate_topic(mqtt->topic, sizeof(mqtt->topic), reason, reason_size);
    if (rc != APP_OK) {
        return rc;
    }
    if (mqtt->qos > 1) {
        return reject(reason, reason_size, APP_ERR_BAD_SETTINGS, "qos %u: only 0 or 1 (NATS refuses QoS 2)",
                      (unsigned)mqtt->qos);
    }
    if (mqtt->keepalive_s == 0) {
        return reject(reason, reason_size, APP_ERR_BAD_SETTINGS, "keepalive_s must be greater than 0");
    }
    if (mqtt->buffer_size == 0) {
        return reject(reason, reason_size, APP_ERR_BAD_SIZE, "buffer_size must be greater than 0");
    }
    if (mqtt->task_stack_size == 0) {
        return reject(reason, reason_size, APP_ERR_BAD_SIZE, "task_stack_size must be greater than 0");
    }
    uint32_t min_out = app_settings_min_out_buffer_size(mqtt->topic);
    if (mqtt->out_buffer_size < min_out) {
        return reject(reason, reason_size, APP_ERR_BAD_SIZE,
                      "out_buffer_size %lu is smaller than the largest registration (%lu bytes)",
                      (unsigned long)mqtt->out_buffer_size, (unsigned long)min_out);
    }
    domain_status_t retry_status = retry_policy_validate(&mqtt->retry);
    if (retry_status != DOMAIN_OK) {
        return reject(reason, reason_size, APP_ERR_BAD_SETTINGS, "retry: %s",
                      domain_status_to_str(retry_status));
    }
    domain_status_t name_status = device_registration_check_name(settings->defaults.device_name);
    if (name_status != DOMAIN_OK) {
        return reject(reason, reason_size, APP_ERR_BAD_SETTINGS, "default %s",
                      domain_status_to_str(name_status));
    }
    domain_status_t location_status = device_registration_check_location(settings->defaults.location);
    if (location_status != DOMAIN_OK) {
        return reject(reason, reason_size, APP_ERR_BAD_SETTINGS, "default %s",
                      domain_status_to_str(location_status));
    }
    return APP_OK;
}

/* ---- status snapshot ----------------------------------------------------------------------------------- */

static void refresh_status(application_t *app)
{
    app_status_snapshot_t *s = &app->status;
    const mqtt_connection_t *conn = &app->connection;
    s->mqtt_enabled = app->mqtt_enabled;
    s->state = conn->state;
    s->connect_attempts = conn->connect_attempts;
    s->consecutive_failures = conn->policy.attempt;
    if (conn->state != MQTT_CONNECTION_BACKOFF) {
        s->next_retry_delay_ms = 0;
        s->next_retry_at_ms = 0;
    }
    if (!is_connected_state(conn->state)) {
        /* A registration queued on a connection that is gone will be published again on the next one. */
        app->registration.pending_msg_id = -1;
    }
    s->pending_msg_id = app->registration.pending_msg_id;
}

/* Copies the task's snapshot to the shared one. The config cache fields are only overwritten when the task
 * holds newer values (config_dirty); otherwise an HTTP update made in between would be lost. */
static void publish_snapshot(application_t *app)
{
    refresh_status(app);
    if (app->ports.lock->take(app->ports.lock_ctx, app->settings.lock_timeout_ms) != APP_OK) {
        app->snapshot_stale = true;
        notice(app, APP_NOTICE_WARNING,
               "status snapshot not updated (shared lock timeout); retried on the next event");
        return;
    }
    if (!app->config_dirty) {
        memcpy(app->status.device_name, app->shared.device_name, sizeof(app->status.device_name));
        memcpy(app->status.location, app->shared.location, sizeof(app->status.location));
    }
    app->shared = app->status;
    app->ports.lock->give(app->ports.lock_ctx);
    app->config_dirty = false;
    app->snapshot_stale = false;
}

static void load_config_cache(application_t *app)
{
    (void)register_device_read_field(&app->registration, CONFIG_FIELD_DEVICE_NAME, app->status.device_name,
                                     sizeof(app->status.device_name));
    (void)register_device_read_field(&app->registration, CONFIG_FIELD_LOCATION, app->status.location,
                                     sizeof(app->status.location));
    app->config_dirty = true;
}

/* ---- commands ------------------------------------------------------------------------------------------ */

static void queue_follow_up(follow_up_queue_t *queue, mqtt_connection_event_kind_t kind, int32_t msg_id,
                            int32_t code)
{
    if (queue->count >= APP_FOLLOW_UP_MAX) {
        return; /* cannot happen: a command list causes at most a few follow-ups */
    }
    mqtt_connection_event_t *ev = &queue->items[(queue->head + queue->count) % APP_FOLLOW_UP_MAX];
    memset(ev, 0, sizeof(*ev));
    ev->kind = kind;
    ev->msg_id = msg_id;
    ev->code = code;
    queue->count++;
}

static void emit_registration_failed(application_t *app, registration_failure_t reason, int32_t detail)
{
    domain_event_t event = {.kind = DOMAIN_EVENT_REGISTRATION_FAILED};
    event.data.registration_failed.reason = reason;
    event.data.registration_failed.detail = detail;
    emit(app, &event);
}

/* ---- sent registrations (stale resend detection) ------------------------------------------------------ */

/* FNV-1a: a cheap fingerprint of the payload; a collision only costs one missed re-registration. */
static uint32_t payload_digest(const char *payload, size_t len)
{
    uint32_t hash = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        hash ^= (uint8_t)payload[i];
        hash *= 16777619u;
    }
    return hash;
}

static void remember_sent(application_t *app, int32_t msg_id)
{
    /* A reused id means the client has forgotten the message that had it: forget it too. */
    for (size_t i = 0; i < APP_SENT_REGISTRATIONS; i++) {
        if (app->sent[i].msg_id == msg_id) {
            app->sent[i].msg_id = -1;
        }
    }
    app->sent_newest = (app->sent_newest + 1) % APP_SENT_REGISTRATIONS;
    app_sent_registration_t *entry = &app->sent[app->sent_newest];
    entry->msg_id = msg_id;
    entry->acked = false;
    entry->digest = payload_digest(app->registration.payload, app->registration.payload_len);
}

/*
 * Records the PUBACK of msg_id; true when it is an older registration acknowledged after the newest one
 * with other content, i.e. the server may now hold stale values. In-order acknowledgements need nothing.
 */
static bool acked_stale_registration(application_t *app, int32_t msg_id)
{
    app_sent_registration_t *newest = &app->sent[app->sent_newest];
    if (msg_id < 0 || newest->msg_id < 0) {
        return false;
    }
    if (msg_id == newest->msg_id) {
        newest->acked = true;
        return false;
    }
    for (size_t i = 0; i < APP_SENT_REGISTRATIONS; i++) {
        app_sent_registration_t *entry = &app->sent[i];
        if (entry->msg_id != msg_id) {
            continue;
        }
        entry->msg_id = -1; /* once: a duplicate PUBACK does not register again */
        return newest->acked && entry->digest != newest->digest && is_connected_state(app->connection.state);
    }
    return false;
}

/* Publishes the registration and queues what the entity must learn from it. */
static void publish_registration(application_t *app, follow_up_queue_t *queue)
{
    int32_t msg_id = -1;
    registration_failure_t failure = REGISTRATION_FAILURE_INVALID_MESSAGE;
    int32_t detail = 0;
    app_err_t rc = register_device_publish(&app->registration, &msg_id, &failure, &detail);
    if (rc != APP_OK) {
        set_last_error(app, "registration not queued: %s (%s)", registration_failure_to_str(failure),
                       failure == REGISTRATION_FAILURE_INVALID_MESSAGE
                           ? domain_status_to_str((domain_status_t)detail)
                           : app_err_to_str(rc));
        notice(app, APP_NOTICE_ERROR, app->status.last_error);
        emit_registration_failed(app, failure, detail);
        queue_follow_up(queue, MQTT_CONNECTION_EV_PUBLISH_FAILED, -1, (int32_t)rc);
        return;
    }
    remember_sent(app, msg_id);
    queue_follow_up(queue, MQTT_CONNECTION_EV_PUBLISH_QUEUED, msg_id, 0);
    if (app->settings.mqtt.qos == 0) {
        /* QoS 0 has no PUBACK: queued is all the confirmation there will ever be. */
        queue_follow_up(queue, MQTT_CONNECTION_EV_REGISTRATION_ACKED, msg_id, 0);
    }
}

static void execute(application_t *app, const mqtt_connection_command_t *cmd, follow_up_queue_t *queue)
{
    const app_ports_t *p = &app->ports;
    app_err_t rc;
    switch (cmd->kind) {
        case MQTT_CONNECTION_CMD_CONNECT: {
            domain_event_t event = {.kind = DOMAIN_EVENT_CONNECT_ATTEMPT};
            event.data.connect_attempt.attempt = app->connection.connect_attempts;
            emit(app, &event);
            rc = p->mqtt->connect(p->mqtt_ctx);
            if (rc != APP_OK) {
                /* No MQTT_DISCONNECTED will come for an attempt that never started: the schedule goes on
                 * as if the attempt had failed. */
                set_last_error(app, "mqtt connect failed: %s", app_err_to_str(rc));
                notice(app, APP_NOTICE_ERROR, app->status.last_error);
                queue_follow_up(queue, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, -1, (int32_t)rc);
            }
            break;
        }
        case MQTT_CONNECTION_CMD_DISCONNECT:
            rc = p->mqtt->disconnect(p->mqtt_ctx);
            if (rc != APP_OK) {
                noticef(app, APP_NOTICE_WARNING, "mqtt disconnect failed: %s", app_err_to_str(rc));
            }
            break;
        case MQTT_CONNECTION_CMD_PUBLISH_REGISTRATION:
            publish_registration(app, queue);
            break;
        case MQTT_CONNECTION_CMD_ARM_RETRY_TIMER: {
            /* The entity arms the timer as a watchdog only when it stays CONNECTING (mqtt_connection.h). */
            const bool watchdog = app->connection.state == MQTT_CONNECTION_CONNECTING;
            app->timer_token++;
            rc = p->timer->arm_once(p->timer_ctx, cmd->delay_ms, app->timer_token);
            if (rc != APP_OK && watchdog) {
                /* The attempt goes on unwatched, as the client's own outcome events still end it. */
                noticef(app, APP_NOTICE_WARNING, "mqtt connect attempt watchdog not armed: %s",
                        app_err_to_str(rc));
                break;
            }
            if (rc != APP_OK) {
                /* Nothing would ever end the backoff; the next network event restarts the schedule. */
                set_last_error(app, "retry timer not armed: %s", app_err_to_str(rc));
                notice(app, APP_NOTICE_ERROR, app->status.last_error);
                break;
            }
            if (watchdog) {
                break; /* not a retry: no RETRY_SCHEDULED, no next_retry_* */
            }
            app->status.next_retry_delay_ms = cmd->delay_ms;
            app->status.next_retry_at_ms = now_ms(app) + cmd->delay_ms;
            domain_event_t event = {.kind = DOMAIN_EVENT_RETRY_SCHEDULED};
            event.data.retry_scheduled.delay_ms = cmd->delay_ms;
            event.data.retry_scheduled.failures = app->connection.policy.attempt;
            emit(app, &event);
            break;
        }
        case MQTT_CONNECTION_CMD_CANCEL_RETRY_TIMER:
            app->timer_token++; /* an expiry already posted is now stale */
            rc = p->timer->cancel(p->timer_ctx);
            if (rc != APP_OK) {
                noticef(app, APP_NOTICE_WARNING, "retry timer cancel failed: %s", app_err_to_str(rc));
            }
            app->status.next_retry_delay_ms = 0;
            app->status.next_retry_at_ms = 0;
            break;
        case MQTT_CONNECTION_CMD_REQUEST_LOW_POWER:
            rc = p->power->request_low_power(p->power_ctx);
            if (rc != APP_OK) {
                noticef(app, APP_NOTICE_WARNING, "low power request failed: %s", app_err_to_str(rc));
            }
            break;
        case MQTT_CONNECTION_CMD_CLEAR_LOW_POWER:
            rc = p->power->release_low_power(p->power_ctx);
            if (rc != APP_OK) {
                noticef(app, APP_NOTICE_WARNING, "low power release failed: %s", app_err_to_str(rc));
            }
            break;
        default:
            break;
    }
}

static void note_registered(application_t *app, int32_t msg_id)
{
    app_status_snapshot_t *s = &app->status;
    s->registrations++;
    s->has_registration = true;
    s->last_registration_ms = now_ms(app);
    s->last_registration_ip = app->registration.last_message.ip;
    app->registration.pending_msg_id = -1;
    domain_event_t event = {.kind = DOMAIN_EVENT_DEVICE_REGISTERED};
    event.data.registered.msg_id = msg_id;
    event.data.registered.ip = app->registration.last_message.ip;
    emit(app, &event);
}

/* Feeds one entity event, carries out its commands, then the follow-ups they caused, in order. */
static void feed(application_t *app, const mqtt_connection_event_t *first)
{
    follow_up_queue_t queue = {.head = 0, .count = 0};
    mqtt_connection_event_t event = *first;
    for (;;) {
        event.random_value = app->ports.timer->random_u32(app->ports.timer_ctx);
        const mqtt_connection_state_t old_state = app->connection.state;
        mqtt_connection_commands_t commands = {.count = 0};
        const mqtt_connection_state_t new_state = mqtt_connection_handle(&app->connection, &event, &commands);
        if (new_state != old_state) {
            domain_event_t changed = {.kind = DOMAIN_EVENT_CONNECTION_STATE_CHANGED};
            changed.data.state_changed.old_state = old_state;
            changed.data.state_changed.new_state = new_state;
            emit(app, &changed);
            if (!is_connected_state(new_state)) {
                app->registration.pending_msg_id = -1;
            }
        }
        if (event.kind == MQTT_CONNECTION_EV_RETRY_TIMER_FIRED && old_state == MQTT_CONNECTION_CONNECTING &&
            new_state == MQTT_CONNECTION_BACKOFF) {
            set_last_error(app, "mqtt connect attempt timed out after %lu ms",
                           (unsigned long)app->connection.attempt_timeout_ms);
            notice(app, APP_NOTICE_WARNING, app->status.last_error);
        }
        if (event.kind == MQTT_CONNECTION_EV_REGISTRATION_ACKED && new_state == MQTT_CONNECTION_REGISTERED &&
            app->registration.pending_msg_id >= 0 && event.msg_id == app->registration.pending_msg_id) {
            note_registered(app, event.msg_id);
        }
        for (size_t i = 0; i < commands.count && i < MQTT_CONNECTION_MAX_COMMANDS; i++) {
            execute(app, &commands.items[i], &queue);
        }
        if (queue.count == 0) {
            break;
        }
        event = queue.items[queue.head];
        queue.head = (queue.head + 1) % APP_FOLLOW_UP_MAX;
        queue.count--;
    }
}

static void feed_kind(application_t *app, mqtt_connection_event_kind_t kind, const app_event_t *source)
{
    if (!app->mqtt_enabled) {
        return; /* MQTT disabled by bad settings: the entity stays WAITING */
    }
    mqtt_connection_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = kind;
    event.ip = source->ip;
    event.msg_id = source->msg_id;
    event.code = source->code;
    feed(app, &event);
}

/* ---- event handling ------------------------------------------------------------------------------------ */

static void on_config_changed(application_t *app, const app_event_t *event)
{
    load_config_cache(app);
    /* When not connected the entity ignores it: the next connect registers with the new values. */
    feed_kind(app, MQTT_CONNECTION_EV_REGISTER_AGAIN, event);
}

static void on_mqtt_published(application_t *app, const app_event_t *event)
{
    feed_kind(app, MQTT_CONNECTION_EV_REGISTRATION_ACKED, event);
    if (app->mqtt_enabled && acked_stale_registration(app, event->msg_id)) {
        noticef(app, APP_NOTICE_INFO,
                "registration msg %ld acknowledged after a newer one: registering the current values again",
                (long)event->msg_id);
        feed_kind(app, MQTT_CONNECTION_EV_REGISTER_AGAIN, event);
    }
}

static void on_mqtt_error(application_t *app, const app_event_t *event)
{
    set_last_error(app, "mqtt error: %s (code %ld)", app_mqtt_error_kind_to_str(event->error_kind),
                   (long)event->code);
    notice(app, APP_NOTICE_WARNING, app->status.last_error);
    if (event->error_kind == APP_MQTT_ERROR_PROTOCOL && app->mqtt_enabled) {
        noticef(app, APP_NOTICE_ERROR, "%s did not answer as an MQTT WebSocket endpoint: " APP_PROTOCOL_HINT,
                app->broker.effective_uri);
    }
    app_event_t source = *event;
    source.code = (int32_t)event->error_kind;
    feed_kind(app, MQTT_CONNECTION_EV_MQTT_ERROR, &source);
}

static void on_mqtt_deleted(application_t *app, const app_event_t *event)
{
    if (!app->mqtt_enabled || app->registration.pending_msg_id < 0 ||
        event->msg_id != app->registration.pending_msg_id) {
        return; /* not the registration we wait for */
    }
    set_last_error(app, "registration msg %ld dropped before PUBACK", (long)event->msg_id);
    notice(app, APP_NOTICE_ERROR, app->status.last_error);
    emit_registration_failed(app, REGISTRATION_FAILURE_DELETED, event->msg_id);
    feed_kind(app, MQTT_CONNECTION_EV_PUBLISH_FAILED, event);
}

void application_handle_event(const app_event_t *event, void *user_arg)
{
    application_t *app = user_arg;
    if (app == NULL || event == NULL) {
        return;
    }
    switch (event->kind) {
        case APP_EVENT_NETWORK_UP:
            app->status.has_ip = true;
            app->status.ip = event->ip;
            feed_kind(app, MQTT_CONNECTION_EV_NETWORK_UP, event);
            break;
        case APP_EVENT_NETWORK_DOWN:
            app->status.has_ip = false;
            feed_kind(app, MQTT_CONNECTION_EV_NETWORK_DOWN, event);
            break;
        case APP_EVENT_IP_CHANGED:
            app->status.has_ip = true;
            app->status.ip = event->ip;
            feed_kind(app, MQTT_CONNECTION_EV_IP_CHANGED, event);
            break;
        case APP_EVENT_HTTP_STARTED:
            feed_kind(app, MQTT_CONNECTION_EV_HTTP_STARTED, event);
            break;
        case APP_EVENT_MQTT_CONNECTED:
            feed_kind(app, MQTT_CONNECTION_EV_MQTT_CONNECTED, event);
            break;
        case APP_EVENT_MQTT_DISCONNECTED:
            feed_kind(app, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, event);
            break;
        case APP_EVENT_MQTT_ERROR:
            on_mqtt_error(app, event);
            break;
        case APP_EVENT_MQTT_PUBLISHED:
            on_mqtt_published(app, event);
            break;
        case APP_EVENT_MQTT_DELETED:
            on_mqtt_deleted(app, event);
            break;
        case APP_EVENT_RETRY_TIMER_FIRED:
            if (event->token == app->timer_token) {
                feed_kind(app, MQTT_CONNECTION_EV_RETRY_TIMER_FIRED, event);
            }
            break;
        case APP_EVENT_CONFIG_CHANGED:
            on_config_changed(app, event);
            break;
        case APP_EVENT_MQTT_BEFORE_CONNECT:
        case APP_EVENT_STOP:
        default:
            break;
    }
    publish_snapshot(app);
}

/* ---- start ----------------------------------------------------------------------------------------------
 */

uint32_t application_attempt_timeout_ms(uint32_t network_timeout_ms)
{
    const uint64_t timeout = network_timeout_ms != 0 ? network_timeout_ms : APP_DEFAULT_NETWORK_TIMEOUT_MS;
    const uint64_t watchdog = 4u * timeout + APP_WATCHDOG_MARGIN_MS;
    return watchdog > UINT32_MAX ? UINT32_MAX : (uint32_t)watchdog;
}

/* A port error must not read as one of the results that mean "nothing runs" (application.h). */
static app_err_t running_error(app_err_t rc)
{
    return (rc == APP_ERR_INVALID_ARG || rc == APP_ERR_MISSING_PORT || rc == APP_ERR_NOT_STARTED)
               ? APP_ERR_PLATFORM
               : rc;
}

static void disable_mqtt(application_t *app, const char *reason)
{
    app->mqtt_enabled = false;
    set_last_error(app, "mqtt disabled: %s", reason);
    notice(app, APP_NOTICE_ERROR, app->status.last_error);
}

app_err_t application_start(application_t *app, const app_ports_t *ports, const app_settings_t *settings)
{
    if (app == NULL || ports == NULL || settings == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    if (app_ports_validate(ports) != APP_OK) {
        return APP_ERR_MISSING_PORT;
    }
    memset(app, 0, sizeof(*app));
    app->ports = *ports;
    app->settings = *settings;
    register_device_init(&app->registration, &app->ports, &app->settings);
    for (size_t i = 0; i < APP_SENT_REGISTRATIONS; i++) {
        app->sent[i].msg_id = -1;
    }
    app->status.pending_msg_id = -1;
    app->status.state = MQTT_CONNECTION_WAITING;

    char reason[APP_LAST_ERROR_MAX_LEN + 1];
    app_err_t result = application_validate_settings(&app->settings, reason, sizeof(reason));
    app->mqtt_enabled = result == APP_OK;
    if (!app->mqtt_enabled) {
        disable_mqtt(app, reason);
    }
    /* With MQTT disabled the retry settings may be the invalid ones: the entity, never fed, gets defaults. */
    const retry_policy_config_t fallback = retry_policy_default_config();
    (void)mqtt_connection_init(&app->connection, app->mqtt_enabled ? &app->settings.mqtt.retry : &fallback);
    (void)mqtt_connection_set_attempt_timeout(
        &app->connection, application_attempt_timeout_ms(app->settings.mqtt.network_timeout_ms));

    app_err_t rc = app->ports.network->get_mac(app->ports.network_ctx, &app->status.mac);
    if (rc != APP_OK) {
        memset(&app->status.mac, 0, sizeof(app->status.mac));
        if (app->mqtt_enabled) {
            snprintf(reason, sizeof(reason), "cannot read the MAC address (%s)", app_err_to_str(rc));
            disable_mqtt(app, reason);
            result = running_error(rc);
        }
    }
    mac_address_client_id(&app->status.mac, app->client_id);
    load_config_cache(app);

    if (app->mqtt_enabled) {
        (void)broker_uri_parse(app->settings.mqtt.broker_uri, app->settings.mqtt.ws_path, &app->broker);
        const mqtt_settings_t *m = &app->settings.mqtt;
        mqtt_client_config_t cfg = {
            .uri = app->broker.effective_uri,
            .client_id = app->client_id,
            .keepalive_s = m->keepalive_s,
            .network_timeout_ms = m->network_timeout_ms,
            .buffer_size = m->buffer_size,
            .out_buffer_size = m->out_buffer_size,
            .task_stack_size = m->task_stack_size,
            .task_priority = m->task_priority,
            .outbox_limit = m->outbox_limit,
        };
        rc = app->ports.mqtt->configure(app->ports.mqtt_ctx, &cfg);
        if (rc != APP_OK) {
            snprintf(reason, sizeof(reason), "client configuration failed (%s)", app_err_to_str(rc));
            disable_mqtt(app, reason);
            result = running_error(rc);
        }
    }
    publish_snapshot(app);

    rc = app->ports.executor->start(app->ports.executor_ctx, application_handle_event, app);
    if (rc != APP_OK) {
        noticef(app, APP_NOTICE_ERROR, "application task not started: %s", app_err_to_str(rc));
        return APP_ERR_NOT_STARTED;
    }
    return result;
}

/* ---- any task -------------------------------------------------------------------------------------------
 */

app_err_t application_get_status(application_t *app, app_status_snapshot_t *out)
{
    if (app == NULL || out == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    if (app->ports.lock->take(app->ports.lock_ctx, app->settings.lock_timeout_ms) != APP_OK) {
        return APP_ERR_LOCK_TIMEOUT;
    }
    *out = app->shared;
    app->ports.lock->give(app->ports.lock_ctx);
    return APP_OK;
}

uint64_t application_uptime_ms(application_t *app)
{
    if (app == NULL || app->ports.timer == NULL) {
        return 0;
    }
    return now_ms(app);
}

static app_err_t check_value(domain_status_t status, char *reason, size_t reason_size)
{
    if (status == DOMAIN_OK) {
        return APP_OK;
    }
    set_text(reason, reason_size, domain_status_to_str(status));
    return (status == DOMAIN_ERR_NAME_TOO_LONG || status == DOMAIN_ERR_LOCATION_TOO_LONG)
               ? APP_ERR_TOO_LONG
               : APP_ERR_INVALID_VALUE;
}

app_err_t application_update_config(application_t *app, const char *device_name, const char *location,
                                    char *reason, size_t reason_size)
{
    set_text(reason, reason_size, "");
    if (app == NULL || (device_name == NULL && location == NULL)) {
        set_text(reason, reason_size, "device_name or location_description required");
        return APP_ERR_INVALID_ARG;
    }
    app_err_t rc;
    if (device_name != NULL &&
        (rc = check_value(device_registration_check_name(device_name), reason, reason_size)) != APP_OK) {
        return rc;
    }
    if (location != NULL &&
        (rc = check_value(device_registration_check_location(location), reason, reason_size)) != APP_OK) {
        return rc;
    }

    /* Storage is slow: never under the lock. */
    const app_ports_t *p = &app->ports;
    bool name_stored = false;
    bool location_stored = false;
    app_err_t result = APP_OK;
    if (device_name != NULL) {
        name_stored = p->config->store(p->config_ctx, CONFIG_FIELD_DEVICE_NAME, device_name) == APP_OK;
        if (!name_stored) {
            result = APP_ERR_STORAGE;
        }
    }
    if (location != NULL && result == APP_OK) {
        location_stored = p->config->store(p->config_ctx, CONFIG_FIELD_LOCATION, location) == APP_OK;
        if (!location_stored) {
            result = APP_ERR_STORAGE;
        }
    }
    if (result != APP_OK) {
        set_text(reason, reason_size, "storing the configuration failed");
        notice(app, APP_NOTICE_ERROR, "config update: storing the configuration failed");
        if (!name_stored) {
            return result;
        }
        /* The name is stored but the location is not: the cache and the registration follow the name. */
    }

    if (p->lock->take(p->lock_ctx, app->settings.lock_timeout_ms) == APP_OK) {
        if (name_stored) {
            set_text(app->shared.device_name, sizeof(app->shared.device_name), device_name);
        }
        if (location_stored) {
            set_text(app->shared.location, sizeof(app->shared.location), location);
        }
        p->lock->give(p->lock_ctx);
    } else {
        /* Stored already, which is what the caller asked for: the application task reloads the cache from
         * storage on the event below. */
        notice(app, APP_NOTICE_WARNING,
               "config update: stored; the cache is refreshed by the application task (shared lock busy)");
    }

    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = APP_EVENT_CONFIG_CHANGED;
    if (!p->executor->post(p->executor_ctx, &event)) {
        notice(app, APP_NOTICE_WARNING,
               "config update: change event lost (queue full); the next connection registers the new values");
    }
    return result;
}
