/* Fake of the ESP-MQTT client: see mqtt_client.h and fake_esp_mqtt_client.h (which cites the sources). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_esp_mqtt_client.h"

struct esp_mqtt_client {
    bool created;
    bool configured; /* false after a failed set_config freed the configuration */
    fake_esp_mqtt_state_t state;
    bool run;           /* ESP-MQTT's client->run: a task is alive */
    int tasks;          /* client tasks alive; more than one is the bug the adapter must never cause */
    bool task_stopping; /* a stopped task has still to write its final state */
};

static struct esp_mqtt_client s_client;
static fake_esp_mqtt_settings_t s_settings;
static esp_mqtt_client_config_t s_last;
static struct {
    char uri[FAKE_ESP_MQTT_STRING_MAX];
    char client_id[FAKE_ESP_MQTT_STRING_MAX];
    char username[FAKE_ESP_MQTT_STRING_MAX];
    char password[FAKE_ESP_MQTT_STRING_MAX];
    char will_topic[FAKE_ESP_MQTT_STRING_MAX];
    char will_msg[FAKE_ESP_MQTT_STRING_MAX];
} s_last_strings;
static char s_journal[FAKE_ESP_MQTT_JOURNAL_MAX];
static fake_esp_mqtt_init_failure_t s_init_failure;
static esp_err_t s_register_error;
static esp_err_t s_set_config_error;
static bool s_fail_start;
static bool s_fail_stop;
static int s_enqueue_result;
static int s_inits, s_set_configs, s_set_uris, s_starts, s_stops, s_reconnects, s_disconnects, s_destroys;
static int s_max_tasks, s_raced, s_misuses, s_from_handler;
static bool s_in_handler;
static fake_esp_mqtt_enqueue_t s_enqueue;
static esp_event_handler_t s_handler;
static void *s_handler_arg;
static esp_mqtt_event_id_t s_handler_event;
static esp_mqtt_error_codes_t s_error_handle;

static const char s_mqtt_events_base[] = "MQTT_EVENTS";

void fake_esp_mqtt_reset(void)
{
    memset(&s_client, 0, sizeof(s_client));
    memset(&s_settings, 0, sizeof(s_settings));
    memset(&s_last, 0, sizeof(s_last));
    memset(&s_last_strings, 0, sizeof(s_last_strings));
    s_journal[0] = '\0';
    s_init_failure = FAKE_ESP_MQTT_INIT_OK;
    s_register_error = ESP_OK;
    s_set_config_error = ESP_OK;
    s_fail_start = false;
    s_fail_stop = false;
    s_enqueue_result = 1;
    s_inits = s_set_configs = s_set_uris = s_starts = s_stops = s_reconnects = s_disconnects = s_destroys = 0;
    s_max_tasks = s_raced = s_misuses = s_from_handler = 0;
    s_in_handler = false;
    memset(&s_enqueue, 0, sizeof(s_enqueue));
    s_handler = NULL;
    s_handler_arg = NULL;
    s_handler_event = MQTT_EVENT_ANY;
    memset(&s_error_handle, 0, sizeof(s_error_handle));
}

/* Journals a call and counts it when made from the event handler. */
static void called(const char *name)
{
    const size_t used = strlen(s_journal);
    (void)snprintf(s_journal + used, sizeof(s_journal) - used, "%s%s", used > 0 ? " " : "", name);
    if (s_in_handler) {
        s_from_handler++;
    }
}

static bool valid(const struct esp_mqtt_client *client)
{
    return client == &s_client && s_client.created;
}

static void copy_text(char *dst, const char *src)
{
    (void)snprintf(dst, FAKE_ESP_MQTT_STRING_MAX, "%s", src);
}

/* Keeps what the caller gave, with the strings copied (the caller's may change afterwards). */
static void record_config(const esp_mqtt_client_config_t *config)
{
    s_last = *config;
    const char *const sources[] = {config->broker.address.uri, config->credentials.client_id,
                                   config->credentials.username, config->credentials.authentication.password,
                                   config->session.last_will.topic};
    char *const copies[] = {s_last_strings.uri, s_last_strings.client_id, s_last_strings.username,
                            s_last_strings.password, s_last_strings.will_topic};
    const char **const fields[] = {&s_last.broker.address.uri, &s_last.credentials.client_id,
                                   &s_last.credentials.username, &s_last.credentials.authentication.password,
                                   &s_last.session.last_will.topic};
    for (size_t i = 0; i < sizeof(copies) / sizeof(copies[0]); i++) {
        if (sources[i] != NULL) {
            copy_text(copies[i], sources[i]);
            *fields[i] = copies[i];
        }
    }
    if (config->session.last_will.msg != NULL) {
        const size_t n = config->session.last_will.msg_len > 0 ? (size_t)config->session.last_will.msg_len
                                                               : strlen(config->session.last_will.msg);
        const size_t keep = n < FAKE_ESP_MQTT_STRING_MAX - 1 ? n : FAKE_ESP_MQTT_STRING_MAX - 1;
        memcpy(s_last_strings.will_msg, config->session.last_will.msg, keep);
        s_last_strings.will_msg[keep] = '\0';
        s_last.session.last_will.msg = s_last_strings.will_msg;
    }
}

/* scheme://host[:port][path]; the query and user info are not modelled. */
static esp_err_t store_uri(const char *uri)
{
    const char *sep = strstr(uri, "://");
    if (sep == NULL || sep == uri || (size_t)(sep - uri) >= sizeof(s_settings.scheme)) {
        return ESP_FAIL; /* "Error parse uri" */
    }
    const char *host = sep + 3;
    const size_t authority = strcspn(host, "/");
    const char *colon = memchr(host, ':', authority);
    const size_t host_len = colon != NULL ? (size_t)(colon - host) : authority;
    if (host_len == 0 || host_len >= FAKE_ESP_MQTT_STRING_MAX) {
        return ESP_FAIL;
    }
    (void)snprintf(s_settings.scheme, sizeof(s_settings.scheme), "%.*s", (int)(sep - uri), uri);
    (void)snprintf(s_settings.host, sizeof(s_settings.host), "%.*s", (int)host_len, host);
    copy_text(s_settings.path, host + authority); /* "" when the URI has none */
    if (colon != NULL) {
        s_settings.port = (uint32_t)strtoul(colon + 1, NULL, 10);
    }
    return ESP_OK;
}

static void set_if_given(char *stored, bool *has, const char *given)
{
    if (given != NULL) {
        copy_text(stored, given);
        if (has != NULL) {
            *has = true;
        }
    }
}

static int or_default(int value, int fallback)
{
    return value > 0 ? value : fallback;
}

/* esp_mqtt_set_config, field by field; the URI last. */
static esp_err_t store_config(const esp_mqtt_client_config_t *c)
{
    fake_esp_mqtt_settings_t *s = &s_settings;
    s->buffer_size = or_default(c->buffer.size, 1024);
    s->out_buffer_size = or_default(c->buffer.out_size, s->buffer_size);
    s->retransmit_ms = or_default(c->session.message_retransmit_timeout, 1000);
    s->task_priority = or_default(c->task.priority, 5);
    s->task_stack = or_default(c->task.stack_size, 6144);
    if (c->broker.address.port != 0) {
        s->port = c->broker.address.port;
    }
    set_if_given(s->host, NULL, c->broker.address.hostname);
    set_if_given(s->path, NULL, c->broker.address.path);
    set_if_given(s->username, &s->has_username, c->credentials.username);
    set_if_given(s->password, &s->has_password, c->credentials.authentication.password);
    if (!c->credentials.set_null_client_id) {
        set_if_given(s->client_id, NULL, c->credentials.client_id);
        if (s->client_id[0] == '\0') {
            copy_text(s->client_id, "ESP32_000000"); /* platform_create_id_string: ESP32_ + 3 MAC bytes */
        }
    }
    set_if_given(s->will_topic, NULL, c->session.last_will.topic);
    if (c->session.last_will.msg != NULL) {
        const int n = c->session.last_will.msg_len > 0 ? c->session.last_will.msg_len
                                                       : (int)strlen(c->session.last_will.msg);
        (void)snprintf(s->will_msg, sizeof(s->will_msg), "%.*s", n, c->session.last_will.msg);
        s->will_len = n;
    }
    if (c->session.last_will.qos != 0) {
        s->will_qos = c->session.last_will.qos;
    }
    if (c->session.last_will.retain != 0) {
        s->will_retain = c->session.last_will.retain;
    }
    s->clean_session = !c->session.disable_clean_session;
    if (c->session.keepalive != 0) {
        s->keepalive_s = c->session.keepalive;
    }
    s->keepalive_s = c->session.disable_keepalive ? 0 : or_default(s->keepalive_s, 120);
    if (c->session.protocol_ver != MQTT_PROTOCOL_UNDEFINED) {
        s->protocol_ver = c->session.protocol_ver;
    }
    if (s->protocol_ver == MQTT_PROTOCOL_UNDEFINED) {
        s->protocol_ver = MQTT_PROTOCOL_V_3_1_1;
    }
    s->network_timeout_ms = or_default(c->network.timeout_ms, 10000);
    s->auto_reconnect = !c->network.disable_auto_reconnect;
    s->reconnect_timeout_ms = c->network.reconnect_timeout_ms != 0 ? c->network.reconnect_timeout_ms : 10000;
    if (c->network.transport != NULL) {
        s->transport = c->network.transport;
    }
    if (c->broker.address.uri != NULL && store_uri(c->broker.address.uri) != ESP_OK) {
        return ESP_FAIL;
    }
    s->outbox_limit = c->outbox.limit;
    /* esp_mqtt_check_cfg_conflict: the whole configuration is stored, and still refused. */
    const bool ssl_scheme = strcmp(s->scheme, "mqtts") == 0 || strcmp(s->scheme, "wss") == 0;
    const bool ssl_config =
        c->broker.verification.use_global_ca_store || c->broker.verification.certificate != NULL;
    if ((!ssl_scheme && ssl_config) || (c->broker.address.uri != NULL && c->broker.address.transport != 0)) {
        return ESP_ERR_INVALID_ARG;
    }
    return ESP_OK;
}

/* esp_mqtt_destroy_config: the configuration is freed and the caller's transport destroyed. */
static void destroy_configuration(void)
{
    if (s_client.configured) {
        (void)esp_transport_destroy(s_settings.transport);
    }
    s_client.configured = false;
    memset(&s_settings, 0, sizeof(s_settings));
}

esp_mqtt_client_handle_t esp_mqtt_client_init(const esp_mqtt_client_config_t *config)
{
    called("init");
    s_inits++;
    const fake_esp_mqtt_init_failure_t failure = s_init_failure;
    s_init_failure = FAKE_ESP_MQTT_INIT_OK;
    if (config == NULL || failure == FAKE_ESP_MQTT_INIT_FAILS_BEFORE_TRANSPORT) {
        return NULL;
    }
    if (failure == FAKE_ESP_MQTT_INIT_FAILS_AFTER_TRANSPORT) {
        (void)esp_transport_destroy(config->network.transport);
        return NULL;
    }
    record_config(config);
    memset(&s_client, 0, sizeof(s_client));
    memset(&s_settings, 0, sizeof(s_settings));
    if (store_config(config) != ESP_OK) {
        (void)esp_transport_destroy(config->network.transport);
        memset(&s_settings, 0, sizeof(s_settings));
        return NULL;
    }
    s_client.created = true;
    s_client.configured = true;
    s_client.state = FAKE_ESP_MQTT_STATE_INIT;
    return &s_client;
}

esp_err_t esp_mqtt_set_config(esp_mqtt_client_handle_t client, const esp_mqtt_client_config_t *config)
{
    called("set_config");
    s_set_configs++;
    if (!valid(client) || config == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!client->configured) {
        s_misuses++; /* the input buffer freed by the failed call would be freed again */
        return ESP_ERR_INVALID_STATE;
    }
    record_config(config);
    if (s_set_config_error != ESP_OK) {
        const esp_err_t err = s_set_config_error;
        s_set_config_error = ESP_OK;
        destroy_configuration();
        return err;
    }
    esp_err_t err = store_config(config);
    if (err == ESP_FAIL) {
        destroy_configuration(); /* the URI did not parse: the failure path */
    }
    return err;
}

esp_err_t esp_mqtt_client_set_uri(esp_mqtt_client_handle_t client, const char *uri)
{
    called("set_uri");
    s_set_uris++;
    if (!valid(client) || uri == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!client->configured) {
        s_misuses++;
        return ESP_FAIL;
    }
    return store_uri(uri);
}

esp_err_t esp_mqtt_client_start(esp_mqtt_client_handle_t client)
{
    called("start");
    s_starts++;
    if (!valid(client)) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!client->configured) {
        s_misuses++;
        return ESP_FAIL;
    }
    if (client->state != FAKE_ESP_MQTT_STATE_INIT && client->state != FAKE_ESP_MQTT_STATE_DISCONNECTED) {
        return ESP_FAIL; /* "Client has started" */
    }
    if (s_fail_start) {
        s_fail_start = false;
        return ESP_FAIL; /* "Error create mqtt task" */
    }
    if (client->task_stopping) {
        s_raced++;
    }
    client->tasks++;
    if (client->tasks > s_max_tasks) {
        s_max_tasks = client->tasks;
    }
    client->run = true;
    client->state = FAKE_ESP_MQTT_STATE_INIT;
    if (s_settings.port == 0) {
        s_settings.port = (uint32_t)esp_transport_get_default_port(s_settings.transport);
    }
    return ESP_OK;
}

esp_err_t esp_mqtt_client_reconnect(esp_mqtt_client_handle_t client)
{
    called("reconnect");
    s_reconnects++;
    if (!valid(client)) {
        return ESP_ERR_INVALID_ARG;
    }
    if (client->state != FAKE_ESP_MQTT_STATE_WAIT_RECONNECT) {
        return ESP_FAIL;
    }
    client->state = FAKE_ESP_MQTT_STATE_INIT;
    return ESP_OK;
}

esp_err_t esp_mqtt_client_disconnect(esp_mqtt_client_handle_t client)
{
    called("disconnect");
    s_disconnects++;
    return valid(client) ? ESP_OK : ESP_ERR_INVALID_ARG;
}

esp_err_t esp_mqtt_client_stop(esp_mqtt_client_handle_t client)
{
    called("stop");
    s_stops++;
    if (!valid(client)) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!client->run || s_in_handler) {
        return ESP_FAIL; /* "not started" / "cannot be stopped from MQTT task" */
    }
    if (s_fail_stop && client->state == FAKE_ESP_MQTT_STATE_CONNECTED) {
        s_fail_stop = false;
        return ESP_FAIL; /* "Disconnect message cannot be created": the task keeps running */
    }
    client->run = false;
    client->tasks = 0;
    client->state = FAKE_ESP_MQTT_STATE_DISCONNECTED;
    client->task_stopping = true;
    return ESP_OK;
}

void fake_esp_mqtt_finish_stopped_task(void *unused)
{
    (void)unused;
    if (s_client.task_stopping) {
        called("task_end");
        s_client.task_stopping = false;
        s_client.state = FAKE_ESP_MQTT_STATE_DISCONNECTED;
    }
}

int esp_mqtt_client_enqueue(esp_mqtt_client_handle_t client, const char *topic, const char *data, int len,
                            int qos, int retain, bool store)
{
    called("enqueue");
    if (!valid(client)) {
        return -1;
    }
    if (!client->configured) {
        s_misuses++;
        return -1;
    }
    s_enqueue.calls++;
    copy_text(s_enqueue.topic, topic != NULL ? topic : "");
    s_enqueue.data_null = data == NULL;
    const int n = data == NULL ? 0 : (len > 0 ? len : (int)strlen(data)); /* len 0: strlen(data) */
    (void)snprintf(s_enqueue.data, sizeof(s_enqueue.data), "%.*s", n, data != NULL ? data : "");
    s_enqueue.len = len;
    s_enqueue.qos = qos;
    s_enqueue.retain = retain;
    s_enqueue.store = store;
    s_enqueue.published = false;
    return s_enqueue_result;
}

/* mqtt_client.c esp_mqtt_client_publish: the outbox limit (-2) and the enqueue into the outbox come first
 * (store false: only QoS > 0 stays there); connected, the message is written at once on the calling task
 * (esp_mqtt_write; a failed write aborts the connection and gives -1); not connected, a QoS > 0 message
 * stays in the outbox and its id is returned, QoS 0 gives -1. The fake answers the scripted result and
 * records the call like enqueue (store false, published true). */
int esp_mqtt_client_publish(esp_mqtt_client_handle_t client, const char *topic, const char *data, int len,
                            int qos, int retain)
{
    const int result = esp_mqtt_client_enqueue(client, topic, data, len, qos, retain, false);
    s_enqueue.published = true;
    return result;
}

esp_err_t esp_mqtt_client_destroy(esp_mqtt_client_handle_t client)
{
    called("destroy");
    s_destroys++;
    if (!valid(client)) {
        return ESP_ERR_INVALID_ARG;
    }
    destroy_configuration();
    memset(&s_client, 0, sizeof(s_client));
    s_handler = NULL;
    return ESP_OK;
}

esp_err_t esp_mqtt_client_register_event(esp_mqtt_client_handle_t client, esp_mqtt_event_id_t event,
                                         esp_event_handler_t event_handler, void *event_handler_arg)
{
    called("register");
    if (!valid(client)) {
        return ESP_ERR_INVALID_ARG;
    }
    if (s_register_error != ESP_OK) {
        const esp_err_t err = s_register_error;
        s_register_error = ESP_OK;
        return err;
    }
    s_handler = event_handler;
    s_handler_arg = event_handler_arg;
    s_handler_event = event;
    return ESP_OK;
}

void fake_esp_mqtt_fail_next_init(fake_esp_mqtt_init_failure_t where)
{
    s_init_failure = where;
}

void fake_esp_mqtt_fail_next_register(esp_err_t err)
{
    s_register_error = err;
}

void fake_esp_mqtt_fail_next_set_config(esp_err_t err)
{
    s_set_config_error = err;
}

void fake_esp_mqtt_fail_next_start(void)
{
    s_fail_start = true;
}

void fake_esp_mqtt_fail_next_stop_while_connected(void)
{
    s_fail_stop = true;
}

void fake_esp_mqtt_set_enqueue_result(int result)
{
    s_enqueue_result = result;
}

int fake_esp_mqtt_init_count(void)
{
    return s_inits;
}

int fake_esp_mqtt_set_config_count(void)
{
    return s_set_configs;
}

int fake_esp_mqtt_set_uri_count(void)
{
    return s_set_uris;
}

int fake_esp_mqtt_start_count(void)
{
    return s_starts;
}

int fake_esp_mqtt_stop_count(void)
{
    return s_stops;
}

int fake_esp_mqtt_reconnect_count(void)
{
    return s_reconnects;
}

int fake_esp_mqtt_disconnect_count(void)
{
    return s_disconnects;
}

int fake_esp_mqtt_destroy_count(void)
{
    return s_destroys;
}

const char *fake_esp_mqtt_journal(void)
{
    return s_journal;
}

const esp_mqtt_client_config_t *fake_esp_mqtt_last_config(void)
{
    return &s_last;
}

const fake_esp_mqtt_settings_t *fake_esp_mqtt_settings(void)
{
    return &s_settings;
}

const fake_esp_mqtt_enqueue_t *fake_esp_mqtt_last_enqueue(void)
{
    return &s_enqueue;
}

bool fake_esp_mqtt_handler_registered(void)
{
    return s_handler != NULL;
}

esp_mqtt_event_id_t fake_esp_mqtt_registered_event_id(void)
{
    return s_handler_event;
}

fake_esp_mqtt_state_t fake_esp_mqtt_state(void)
{
    return s_client.state;
}

bool fake_esp_mqtt_task_running(void)
{
    return s_client.run && s_client.tasks > 0;
}

int fake_esp_mqtt_max_tasks(void)
{
    return s_max_tasks;
}

int fake_esp_mqtt_raced_starts(void)
{
    return s_raced;
}

int fake_esp_mqtt_misuses(void)
{
    return s_misuses;
}

int fake_esp_mqtt_calls_from_handler(void)
{
    return s_from_handler;
}

bool fake_esp_mqtt_dispatch(esp_mqtt_event_t *event)
{
    if (s_handler == NULL) {
        return false;
    }
    if (s_handler_event != MQTT_EVENT_ANY && s_handler_event != event->event_id) {
        return true;
    }
    if (event->event_id == MQTT_EVENT_CONNECTED) {
        s_client.state = FAKE_ESP_MQTT_STATE_CONNECTED;
    } else if (event->event_id == MQTT_EVENT_DISCONNECTED) {
        s_client.state = FAKE_ESP_MQTT_STATE_WAIT_RECONNECT;
    }
    event->client = &s_client;
    if (event->error_handle == NULL) {
        memset(&s_error_handle, 0, sizeof(s_error_handle));
        event->error_handle = &s_error_handle;
    }
    s_in_handler = true;
    s_handler(s_handler_arg, s_mqtt_events_base, (int32_t)event->event_id, event);
    s_in_handler = false;
    return true;
}
