/*
 * mqtt_ws_adapter: see the header. Why connect() uses start() then reconnect() (ESP-MQTT at the commit
 * ESP-IDF v5.4.2 pins, mqtt_client.c):
 *   - esp_mqtt_client_start() creates the client task; it returns ESP_FAIL ("Client has started") unless the
 *     client is in its INIT state (never started) or DISCONNECTED state (its task has ended). So it works
 *     exactly once in normal operation.
 *   - After a failed attempt or a lost connection the task closes the transport, enters WAIT_RECONNECT and
 *     dispatches MQTT_EVENT_DISCONNECTED. With auto_reconnect off it then waits, indefinitely, for the
 *     RECONNECT bit. esp_mqtt_client_reconnect() sets that bit, but only in WAIT_RECONNECT (ESP_FAIL in any
 *     other state); the state is set before the DISCONNECTED event is dispatched, so by the time the
 *     application task has handled that event and its retry timer fires, reconnect() is accepted and the
 *     task goes back to INIT: BEFORE_CONNECT, transport connect, CONNECT/CONNACK.
 *   - The task ends on its own only if it cannot create its transport; it is then DISCONNECTED and only
 *     start() helps. So: first connect() -> start(); later -> reconnect(), falling back to start() when
 *     reconnect() is refused. If both are refused (the client is connecting or connected, which the state
 *     machine does not ask for) or start() cannot create the task, connect() returns APP_ERR_PLATFORM and
 *     posts nothing: no attempt started, and the application counts the error as a failed attempt itself
 *     (it feeds its own MQTT_DISCONNECTED to the state machine), so the retry schedule goes on.
 *   - esp_mqtt_client_stop() is never used: it must not run on the MQTT task, and it blocks until the task
 *     has ended; a stop/start cycle would also drop the outbox. disconnect() uses
 *     esp_mqtt_client_disconnect(), which only sets a bit that the task acts on when connected (DISCONNECT
 *     sent, then DISCONNECTED event and WAIT_RECONNECT), so the next connect() is a reconnect().
 */
#include "mqtt_ws_adapter.h"

#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "esp_err.h"
#include "esp_log.h"

static const char *TAG = "mqtt_ws";

static void mqtt_ws_adapter_post(mqtt_ws_adapter_t *adapter, const app_event_t *event)
{
    if (!adapter->executor->post(adapter->executor_ctx, event)) {
        unsigned lost = atomic_fetch_add(&adapter->lost_events, 1u) + 1u;
        ESP_LOGE(TAG, "application queue full: %s lost (%u so far)", app_event_kind_to_str(event->kind),
                 lost);
    }
}

static void mqtt_ws_adapter_translate_error(const esp_mqtt_error_codes_t *codes, app_event_t *out)
{
    if (codes == NULL) {
        out->error_kind = APP_MQTT_ERROR_OTHER;
        out->code = 0;
        ESP_LOGW(TAG, "MQTT error without details");
        return;
    }
    switch (codes->error_type) {
        case MQTT_ERROR_TYPE_TCP_TRANSPORT:
            /* The socket errno says most (ECONNREFUSED, ETIMEDOUT...); when the failure came from esp-tls
             * before any socket error (e.g. the host name did not resolve), its esp_err_t is the code. */
            out->error_kind = APP_MQTT_ERROR_TRANSPORT;
            out->code = codes->esp_transport_sock_errno != 0 ? (int32_t)codes->esp_transport_sock_errno
                                                             : (int32_t)codes->esp_tls_last_esp_err;
            ESP_LOGW(TAG, "transport error: errno %d, esp-tls 0x%x (%s), tls stack 0x%x",
                     codes->esp_transport_sock_errno, (unsigned)codes->esp_tls_last_esp_err,
                     esp_err_to_name(codes->esp_tls_last_esp_err), (unsigned)codes->esp_tls_stack_err);
            break;
        case MQTT_ERROR_TYPE_CONNECTION_REFUSED:
            out->error_kind = APP_MQTT_ERROR_CONNECTION_REFUSED;
            out->code = (int32_t)codes->connect_return_code;
            ESP_LOGW(TAG, "connection refused by the broker: CONNACK return code %d",
                     (int)codes->connect_return_code);
            break;
        default:
            out->error_kind = APP_MQTT_ERROR_OTHER;
            out->code = (int32_t)codes->error_type;
            ESP_LOGW(TAG, "MQTT error type %d", (int)codes->error_type);
            break;
    }
}

/* Runs on the ESP-MQTT task: translate, post without blocking, return. */
static void mqtt_ws_adapter_on_event(void *handler_arg, esp_event_base_t base, int32_t event_id,
                                     void *event_data)
{
    mqtt_ws_adapter_t *adapter = handler_arg;
    const esp_mqtt_event_t *event = event_data;
    app_event_t out;
    (void)base;

    if (adapter == NULL || event == NULL) {
        return;
    }
    memset(&out, 0, sizeof(out));
    switch ((esp_mqtt_event_id_t)event_id) {
        case MQTT_EVENT_BEFORE_CONNECT:
            out.kind = APP_EVENT_MQTT_BEFORE_CONNECT;
            break;
        case MQTT_EVENT_CONNECTED:
            out.kind = APP_EVENT_MQTT_CONNECTED;
            out.flag = event->session_present != 0;
            break;
        case MQTT_EVENT_DISCONNECTED:
            /* ESP-MQTT gives no reason: a preceding MQTT_EVENT_ERROR carries it when there is one. */
            out.kind = APP_EVENT_MQTT_DISCONNECTED;
            out.code = 0;
            break;
        case MQTT_EVENT_ERROR:
            out.kind = APP_EVENT_MQTT_ERROR;
            mqtt_ws_adapter_translate_error(event->error_handle, &out);
            break;
        case MQTT_EVENT_PUBLISHED:
            out.kind = APP_EVENT_MQTT_PUBLISHED;
            out.msg_id = (int32_t)event->msg_id;
            break;
        case MQTT_EVENT_DELETED:
            out.kind = APP_EVENT_MQTT_DELETED;
            out.msg_id = (int32_t)event->msg_id;
            ESP_LOGW(TAG, "message %d expired in the outbox before its PUBACK", event->msg_id);
            break;
        default:
            /* SUBSCRIBED, UNSUBSCRIBED, DATA, USER_EVENT: the node neither subscribes nor receives. */
            return;
    }
    mqtt_ws_adapter_post(adapter, &out);
}

static app_err_t mqtt_ws_adapter_configure(void *ctx, const mqtt_client_config_t *cfg)
{
    mqtt_ws_adapter_t *adapter = ctx;
    esp_mqtt_client_config_t config;
    esp_mqtt_client_handle_t client;
    esp_err_t err;
    size_t uri_len;
    size_t id_len;

    if (adapter == NULL || cfg == NULL || cfg->uri == NULL || cfg->client_id == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    if (adapter->client != NULL) {
        ESP_LOGE(TAG, "configure() called twice");
        return APP_ERR_INVALID_ARG;
    }
    uri_len = strlen(cfg->uri);
    if (uri_len == 0 || uri_len > BROKER_URI_MAX_LEN) {
        ESP_LOGE(TAG, "broker URI empty or longer than %d bytes", BROKER_URI_MAX_LEN);
        return APP_ERR_BAD_URI;
    }
    id_len = strlen(cfg->client_id);
    if (id_len == 0 || id_len > MQTT_WS_ADAPTER_CLIENT_ID_MAX_LEN) {
        ESP_LOGE(TAG, "client id empty or longer than %d bytes", MQTT_WS_ADAPTER_CLIENT_ID_MAX_LEN);
        return APP_ERR_INVALID_ARG;
    }
    /* ESP-MQTT keeps these as int. */
    if (cfg->network_timeout_ms > INT_MAX || cfg->buffer_size > INT_MAX || cfg->out_buffer_size > INT_MAX ||
        cfg->task_stack_size > INT_MAX) {
        ESP_LOGE(TAG, "a size or timeout does not fit ESP-MQTT's int fields");
        return APP_ERR_BAD_SIZE;
    }
    memcpy(adapter->uri, cfg->uri, uri_len + 1);
    memcpy(adapter->client_id, cfg->client_id, id_len + 1);

    memset(&config, 0, sizeof(config));
    config.broker.address.uri = adapter->uri;
    config.credentials.client_id = adapter->client_id;
    /* Clean session: the node has no subscriptions to keep, and QoS 1 redelivery is the outbox's job. */
    config.session.disable_clean_session = false;
    config.session.keepalive = (int)cfg->keepalive_s;
    config.session.protocol_ver = MQTT_PROTOCOL_V_3_1_1;
    /* Only the application's retry schedule reconnects (see the comment at the top). */
    config.network.disable_auto_reconnect = true;
    config.network.timeout_ms = (int)cfg->network_timeout_ms;
    config.task.priority = (int)cfg->task_priority;
    config.task.stack_size = (int)cfg->task_stack_size;
    config.buffer.size = (int)cfg->buffer_size;
    config.buffer.out_size = (int)cfg->out_buffer_size;
    config.outbox.limit = cfg->outbox_limit;

    client = esp_mqtt_client_init(&config);
    if (client == NULL) {
        /* ESP-MQTT logged the cause (URI parse error or no memory); the application disables MQTT. */
        ESP_LOGE(TAG, "esp_mqtt_client_init failed for %s", adapter->uri);
        return APP_ERR_PLATFORM;
    }
    err = esp_mqtt_client_register_event(client, MQTT_EVENT_ANY, mqtt_ws_adapter_on_event, adapter);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "esp_mqtt_client_register_event failed: %s", esp_err_to_name(err));
        (void)esp_mqtt_client_destroy(client);
        return err == ESP_ERR_NO_MEM ? APP_ERR_NO_MEMORY : APP_ERR_PLATFORM;
    }
    adapter->client = client;
    adapter->started = false;
    ESP_LOGI(TAG, "client %s for %s (keepalive %u s, auto-reconnect off)", adapter->client_id, adapter->uri,
             (unsigned)cfg->keepalive_s);
    return APP_OK;
}

static app_err_t mqtt_ws_adapter_connect(void *ctx)
{
    mqtt_ws_adapter_t *adapter = ctx;
    const char *call = "esp_mqtt_client_start";
    esp_err_t err;

    if (adapter == NULL || adapter->client == NULL) {
        ESP_LOGE(TAG, "connect() before a successful configure()");
        return APP_ERR_INVALID_ARG;
    }
    if (!adapter->started) {
        err = esp_mqtt_client_start(adapter->client);
        adapter->started = err == ESP_OK;
    } else {
        call = "esp_mqtt_client_reconnect";
        err = esp_mqtt_client_reconnect(adapter->client);
        if (err == ESP_FAIL) {
            /* Not waiting for a reconnection: its task may have ended, then start() runs it again. */
            call = "esp_mqtt_client_start";
            err = esp_mqtt_client_start(adapter->client);
        }
    }
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "%s failed: %s", call, esp_err_to_name(err));
        return APP_ERR_PLATFORM;
    }
    return APP_OK;
}

static app_err_t mqtt_ws_adapter_disconnect(void *ctx)
{
    mqtt_ws_adapter_t *adapter = ctx;
    esp_err_t err;

    if (adapter == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    if (adapter->client == NULL || !adapter->started) {
        return APP_OK;
    }
    err = esp_mqtt_client_disconnect(adapter->client);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "esp_mqtt_client_disconnect failed: %s", esp_err_to_name(err));
        return APP_ERR_PLATFORM;
    }
    return APP_OK;
}

static app_err_t mqtt_ws_adapter_publish(void *ctx, const char *topic, const char *payload,
                                         size_t payload_len, uint8_t qos, int32_t *msg_id)
{
    mqtt_ws_adapter_t *adapter = ctx;
    int id;

    if (adapter == NULL || topic == NULL || msg_id == NULL || (payload == NULL && payload_len > 0) ||
        payload_len > INT_MAX || qos > 2) {
        return APP_ERR_INVALID_ARG;
    }
    if (adapter->client == NULL) {
        return APP_ERR_NOT_CONNECTED;
    }
    /* ESP-MQTT takes strlen(data) when len is 0: an empty payload goes as NULL. store = true: queued in
     * the outbox whatever the QoS, sent by the MQTT task; this never blocks on the network. */
    id = esp_mqtt_client_enqueue(adapter->client, topic, payload_len > 0 ? payload : NULL, (int)payload_len,
                                 qos, 0, true);
    if (id == -2) {
        ESP_LOGW(TAG, "enqueue refused: outbox full (-2)");
        return APP_ERR_OUTBOX_FULL;
    }
    if (id < 0) {
        ESP_LOGW(TAG, "enqueue refused (%d)", id);
        return APP_ERR_PUBLISH;
    }
    *msg_id = (int32_t)id;
    return APP_OK;
}

const mqtt_client_port_t mqtt_ws_adapter_port = {
    .configure = mqtt_ws_adapter_configure,
    .connect = mqtt_ws_adapter_connect,
    .disconnect = mqtt_ws_adapter_disconnect,
    .publish = mqtt_ws_adapter_publish,
};

app_err_t mqtt_ws_adapter_init(mqtt_ws_adapter_t *adapter, const executor_port_t *executor,
                               void *executor_ctx)
{
    if (adapter == NULL || executor == NULL || executor->post == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    memset(adapter, 0, sizeof(*adapter));
    adapter->executor = executor;
    adapter->executor_ctx = executor_ctx;
    atomic_init(&adapter->lost_events, 0u);
    return APP_OK;
}
