/*
 * sim_event_sink: see sim_event_sink.h.
 */
#include "sim_event_sink.h"

#include <string.h>

#include "domain/broker_uri.h"
#include "domain/device_presence.h"
#include "domain/domain_status.h"
#include "domain/json_writer.h"
#include "domain/mqtt_connection.h"
#include "domain/utf8_text.h"

const event_sink_port_t sim_event_sink_port = {
    .on_domain_event = sim_event_sink_on_domain_event,
    .on_notice = sim_event_sink_on_notice,
};

bool sim_event_sink_init(sim_event_sink_t *sink, FILE *out, sim_event_sink_clock_fn clock, void *clock_ctx)
{
    if (sink == NULL || out == NULL) {
        return false;
    }
    memset(sink, 0, sizeof(*sink));
    sink->out = out;
    sink->clock = clock;
    sink->clock_ctx = clock_ctx;
    return pthread_mutex_init(&sink->mutex, NULL) == 0;
}

void sim_event_sink_deinit(sim_event_sink_t *sink)
{
    if (sink != NULL) {
        (void)pthread_mutex_destroy(&sink->mutex);
    }
}

void sim_event_sink_set_device(sim_event_sink_t *sink, const mac_address_t *mac)
{
    mac_address_format(mac, sink->device_mac);
}

void sim_event_sink_set_listener(sim_event_sink_t *sink, sim_event_sink_listener_fn fn, void *arg)
{
    (void)pthread_mutex_lock(&sink->mutex);
    sink->listener = fn;
    sink->listener_arg = arg;
    (void)pthread_mutex_unlock(&sink->mutex);
}

/* Copies text into out (at most out_size - 1 bytes, whole characters), bad bytes as '?'. Returns length. */
static size_t sanitize(const char *text, char *out, size_t out_size)
{
    size_t in_len = strlen(text);
    size_t len = 0;
    size_t i = 0;
    while (i < in_len) {
        size_t n = utf8_text_char_len(text + i, in_len - i);
        const bool valid = n > 0;
        if (!valid) {
            n = 1;
        }
        if (len + n + 1 > out_size) {
            break;
        }
        if (valid) {
            memcpy(out + len, text + i, n);
        } else {
            out[len] = '?';
        }
        len += n;
        i += n;
    }
    out[len] = '\0';
    return len;
}

static void member_text(sim_event_sink_t *sink, json_writer_t *w, const char *key, const char *value)
{
    if (value == NULL) {
        json_writer_member_null(w, key);
        return;
    }
    size_t len = sanitize(value, sink->scratch, sizeof(sink->scratch));
    json_writer_member_string(w, key, sink->scratch, len);
}

static void member_ip(json_writer_t *w, const char *key, const ipv4_address_t *ip)
{
    char text[IPV4_ADDRESS_STR_SIZE];
    ipv4_address_format(ip, text);
    json_writer_member_cstr(w, key, text);
}

static void begin_line(sim_event_sink_t *sink, json_writer_t *w, const char *event)
{
    uint64_t now = sink->clock != NULL ? sink->clock(sink->clock_ctx) : 0;
    json_writer_init(w, sink->line, sizeof(sink->line));
    json_writer_begin_object(w);
    json_writer_member_cstr(w, "event", event);
    json_writer_member_uint(w, "t_ms", now);
    if (sink->device_mac[0] != '\0') {
        json_writer_member_cstr(w, "mac", sink->device_mac);
    }
}

/* Ends the object and writes the line; the caller holds the mutex. */
static void end_line(sim_event_sink_t *sink, json_writer_t *w)
{
    json_writer_end_object(w);
    size_t len = 0;
    if (json_writer_finish(w, &len) != DOMAIN_OK) {
        /* Cannot happen with the sizes above; say so on the stream rather than write half a line. */
        json_writer_init(w, sink->line, sizeof(sink->line));
        json_writer_begin_object(w);
        json_writer_member_cstr(w, "event", "notice");
        json_writer_member_cstr(w, "level", "error");
        json_writer_member_cstr(w, "message", "event line too long, dropped");
        json_writer_end_object(w);
        (void)json_writer_finish(w, &len);
    }
    /* The stream's lock keeps the line whole when other sinks write to the same stream. */
    flockfile(sink->out);
    (void)fwrite(sink->line, 1, len, sink->out);
    (void)fputc('\n', sink->out);
    (void)fflush(sink->out);
    funlockfile(sink->out);
}

void sim_event_sink_set_mqtt(sim_event_sink_t *sink, const mqtt_settings_t *mqtt, const mac_address_t *mac)
{
    sink->mqtt = mqtt;
    sink->presence_topic[0] = '\0';
    if (mqtt != NULL && mac != NULL && mqtt->status_topic[0] != '\0' &&
        device_presence_topic(mqtt->status_topic, mac, sink->presence_topic, sizeof(sink->presence_topic)) !=
            DOMAIN_OK) {
        sink->presence_topic[0] = '\0';
    }
}

/* "uri": the effective URI of broker index of the configured list, when known. */
static void member_broker_uri(sim_event_sink_t *sink, json_writer_t *w, uint8_t index)
{
    if (sink->mqtt == NULL) {
        return;
    }
    broker_uri_t broker;
    const domain_status_t rc =
        broker_uri_list_count(sink->mqtt->broker_uri) > 1
            ? broker_uri_list_get(sink->mqtt->broker_uri, index, sink->mqtt->ws_path, &broker)
            : broker_uri_parse(sink->mqtt->broker_uri, sink->mqtt->ws_path, &broker);
    if (rc == DOMAIN_OK) {
        member_text(sink, w, "uri", broker.effective_uri);
    }
}

void sim_event_sink_on_domain_event(void *ctx, const domain_event_t *event)
{
    sim_event_sink_t *sink = ctx;
    if (sink == NULL || event == NULL) {
        return;
    }
    json_writer_t w;
    (void)pthread_mutex_lock(&sink->mutex);
    switch (event->kind) {
        case DOMAIN_EVENT_CONNECTION_STATE_CHANGED:
            begin_line(sink, &w, "state");
            json_writer_member_cstr(&w, "from",
                                    mqtt_connection_state_to_str(event->data.state_changed.old_state));
            json_writer_member_cstr(&w, "to",
                                    mqtt_connection_state_to_str(event->data.state_changed.new_state));
            break;
        case DOMAIN_EVENT_CONNECT_ATTEMPT:
            begin_line(sink, &w, "connect_attempt");
            json_writer_member_uint(&w, "attempt", event->data.connect_attempt.attempt);
            json_writer_member_uint(&w, "broker", event->data.connect_attempt.broker_index);
            member_broker_uri(sink, &w, event->data.connect_attempt.broker_index);
            break;
        case DOMAIN_EVENT_RETRY_SCHEDULED:
            begin_line(sink, &w, "retry_scheduled");
            json_writer_member_uint(&w, "delay_ms", event->data.retry_scheduled.delay_ms);
            json_writer_member_uint(&w, "failures", event->data.retry_scheduled.failures);
            break;
        case DOMAIN_EVENT_DEVICE_REGISTERED:
            begin_line(sink, &w, "registered");
            json_writer_member_int(&w, "msg_id", event->data.registered.msg_id);
            member_ip(&w, "ip", &event->data.registered.ip);
            break;
        case DOMAIN_EVENT_REGISTRATION_FAILED:
            begin_line(sink, &w, "registration_failed");
            json_writer_member_cstr(&w, "reason",
                                    registration_failure_to_str(event->data.registration_failed.reason));
            json_writer_member_int(&w, "detail", event->data.registration_failed.detail);
            if (event->data.registration_failed.reason == REGISTRATION_FAILURE_INVALID_MESSAGE) {
                json_writer_member_cstr(
                    &w, "detail_text",
                    domain_status_to_str((domain_status_t)event->data.registration_failed.detail));
            }
            break;
        case DOMAIN_EVENT_PRESENCE:
            begin_line(sink, &w, "presence");
            json_writer_member_cstr(&w, "status", event->data.presence.online ? "online" : "offline");
            json_writer_member_int(&w, "msg_id", event->data.presence.msg_id);
            if (sink->presence_topic[0] != '\0') {
                member_text(sink, &w, "topic", sink->presence_topic);
            }
            break;
        case DOMAIN_EVENT_SHUT_DOWN:
            begin_line(sink, &w, "shut_down");
            break;
        case DOMAIN_EVENT_WIFI_LINK_CHANGED:
            begin_line(sink, &w, "wifi");
            json_writer_member_cstr(&w, "from", wifi_link_state_to_str(event->data.wifi_link.old_state));
            json_writer_member_cstr(&w, "to", wifi_link_state_to_str(event->data.wifi_link.new_state));
            json_writer_member_cstr(&w, "mode", wifi_link_mode_to_str(event->data.wifi_link.mode));
            json_writer_member_int(&w, "reason", event->data.wifi_link.reason);
            json_writer_member_uint(&w, "retry_ms", event->data.wifi_link.retry_ms);
            break;
        default:
            begin_line(sink, &w, "domain_event");
            json_writer_member_cstr(&w, "kind", domain_event_kind_to_str(event->kind));
            break;
    }
    end_line(sink, &w);
    sim_event_sink_listener_fn listener = sink->listener;
    void *arg = sink->listener_arg;
    (void)pthread_mutex_unlock(&sink->mutex);
    if (listener != NULL) {
        listener(arg, event);
    }
}

void sim_event_sink_on_notice(void *ctx, app_notice_level_t level, const char *message)
{
    sim_event_sink_t *sink = ctx;
    if (sink == NULL) {
        return;
    }
    json_writer_t w;
    (void)pthread_mutex_lock(&sink->mutex);
    begin_line(sink, &w, "notice");
    json_writer_member_cstr(&w, "level", app_notice_level_to_str(level));
    member_text(sink, &w, "message", message != NULL ? message : "");
    end_line(sink, &w);
    (void)pthread_mutex_unlock(&sink->mutex);
}

void sim_event_sink_started(sim_event_sink_t *sink, const sim_event_started_t *started)
{
    json_writer_t w;
    (void)pthread_mutex_lock(&sink->mutex);
    begin_line(sink, &w, "started");
    member_text(sink, &w, "mac", started->mac);
    member_text(sink, &w, "ip", started->ip);
    member_text(sink, &w, "client_id", started->client_id);
    member_text(sink, &w, "broker", started->broker);
    member_text(sink, &w, "config_file", started->config_file);
    end_line(sink, &w);
    (void)pthread_mutex_unlock(&sink->mutex);
}

void sim_event_sink_http_started(sim_event_sink_t *sink, uint16_t port)
{
    json_writer_t w;
    (void)pthread_mutex_lock(&sink->mutex);
    begin_line(sink, &w, "http_started");
    json_writer_member_uint(&w, "port", port);
    end_line(sink, &w);
    (void)pthread_mutex_unlock(&sink->mutex);
}

void sim_event_sink_network(sim_event_sink_t *sink, bool up, const ipv4_address_t *ip)
{
    json_writer_t w;
    (void)pthread_mutex_lock(&sink->mutex);
    begin_line(sink, &w, "network");
    json_writer_member_bool(&w, "up", up);
    member_ip(&w, "ip", ip);
    end_line(sink, &w);
    (void)pthread_mutex_unlock(&sink->mutex);
}

void sim_event_sink_exit(sim_event_sink_t *sink, int code, const char *reason)
{
    json_writer_t w;
    (void)pthread_mutex_lock(&sink->mutex);
    begin_line(sink, &w, "exit");
    json_writer_member_int(&w, "code", code);
    member_text(sink, &w, "reason", reason);
    end_line(sink, &w);
    (void)pthread_mutex_unlock(&sink->mutex);
}

bool sim_event_sink_object(sim_event_sink_t *sink, const char *event, const char *object_json, size_t len)
{
    /* Trim surrounding white space, then require {...}. */
    while (len > 0 && (object_json[0] == ' ' || object_json[0] == '\n' || object_json[0] == '\r' ||
                       object_json[0] == '\t')) {
        object_json++;
        len--;
    }
    while (len > 0 && (object_json[len - 1] == ' ' || object_json[len - 1] == '\n' ||
                       object_json[len - 1] == '\r' || object_json[len - 1] == '\t')) {
        len--;
    }
    if (len < 2 || object_json[0] != '{' || object_json[len - 1] != '}') {
        return false;
    }
    const char *inner = object_json + 1;
    size_t inner_len = len - 2;
    bool empty = true;
    for (size_t i = 0; i < inner_len; i++) {
        if (inner[i] != ' ' && inner[i] != '\n' && inner[i] != '\r' && inner[i] != '\t') {
            empty = false;
            break;
        }
    }

    json_writer_t w;
    bool written = false;
    (void)pthread_mutex_lock(&sink->mutex);
    begin_line(sink, &w, event);
    size_t head_len = 0;
    /* The header is written by json_writer; the members are appended verbatim before the closing brace. */
    if (json_writer_finish(&w, &head_len) == DOMAIN_OK) {
        size_t total = head_len + (empty ? 0 : 1 + inner_len) + 1;
        if (total + 1 <= sizeof(sink->line)) {
            size_t pos = head_len;
            if (!empty) {
                sink->line[pos++] = ',';
                memcpy(sink->line + pos, inner, inner_len);
                pos += inner_len;
            }
            sink->line[pos++] = '}';
            sink->line[pos++] = '\n';
            (void)fwrite(sink->line, 1, pos, sink->out);
            (void)fflush(sink->out);
            written = true;
        }
    }
    (void)pthread_mutex_unlock(&sink->mutex);
    return written;
}
