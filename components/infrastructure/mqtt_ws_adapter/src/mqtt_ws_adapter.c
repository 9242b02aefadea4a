/*
 * mqtt_ws_adapter: see the header. How connect() and disconnect() drive ESP-MQTT (the client at the commit
 * ESP-IDF v5.4.2 pins, mqtt_client.c):
 *   - esp_mqtt_client_start() creates the client task. It refuses ("Client has started", ESP_FAIL) only
 *     when the state is neither INIT nor DISCONNECTED, and INIT is also the state of a running task that is
 *     connecting (after start, or after a reconnect request): a start() at that moment would create a second
 *     task on the same client. It also takes the client lock, which the task holds for a whole connect
 *     attempt. So start() is called only when no task can be alive: never started, or stopped by us.
 *   - After a failed attempt or a lost connection the task closes the transport, enters WAIT_RECONNECT and
 *     dispatches MQTT_EVENT_DISCONNECTED; with auto-reconnect off it then waits for the RECONNECT bit.
 *     esp_mqtt_client_reconnect() sets that bit, without the lock, and only in WAIT_RECONNECT (ESP_FAIL
 *     otherwise, harmless). The state is set before the event is dispatched, so once the application task
 *     has handled DISCONNECTED, a reconnect() from its retry timer is accepted.
 *   - A refused reconnect() (connecting, connected, or the task ended on its own: it does so, without any
 *     DISCONNECTED event, when it cannot allocate its transport) is an error: no attempt started, nothing
 *     posted; the application counts it as a failed attempt. An attempt that never ends is caught by the
 *     application's connect watchdog, which calls disconnect() and later connect(): stop, then start.
 *   - disconnect() is esp_mqtt_client_stop(). It refuses to run on the MQTT task (we are on the application
 *     task); on a running task it sends DISCONNECT when connected, marks the client DISCONNECTED, and waits
 *     (no timeout) for the task to end. It blocks for the rest of a connect attempt (the task holds the
 *     lock: up to the network timeout per step, TCP/WebSocket connect then CONNACK) or, when the task waits
 *     for a reconnect, up to half of network.reconnect_timeout_ms (its wait slice; set below). It posts no
 *     event itself; a DISCONNECTED the task dispatched before stop() got the lock may still arrive (the port
 *     allows both). When the task already ended, or never started, stop() returns ESP_FAIL ("asked to stop,
 *     but was not started") and changes nothing: the client is stopped either way, so disconnect() records
 *     it as stopped and the next connect() is a start(). The task empties the outbox as it ends, without
 *     MQTT_EVENT_DELETED for the messages it drops.
 *   - The one ESP_FAIL from stop() that leaves the task running is a DISCONNECT packet that cannot be built
 *     (it needs 2 bytes of the out buffer), with the client CONNECTED. Then the next start() is refused
 *     (state CONNECTED or WAIT_RECONNECT), never a second task; connect() then tries reconnect(), which
 *     resumes that task once it waits, and takes it over as started.
 *   - After stop() returns, the ending task still writes its final state (DISCONNECTED) before deleting
 *     itself; a start() in that instant could see its new task's INIT overwritten. The application's
 *     connect() after a disconnect() comes from a later timer event, never in the same turn.
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
    /* With auto-reconnect off this only sets how long the waiting task sleeps between checks (half of it),
     * which bounds how long disconnect() waits for an idle task to end. */
    config.network.reconnect_timeout_ms = MQTT_WS_ADAPTER_RECONNECT_WAIT_MS;
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
    esp_err_t err;

    if (adapter == NULL || adapter->client == NULL) {
        ESP_LOGE(TAG, "connect() before a successful configure()");
        return APP_ERR_INVALID_ARG;
    }
    if (adapter->started) {
        /* A task is alive: only ask it to reconnect (never start(), see the top of the file). */
        err = esp_mqtt_client_reconnect(adapter->client);
        if (err != ESP_OK) {
            ESP_LOGE(TAG,
                     "esp_mqtt_client_reconnect refused (%s): the client is not waiting for a reconnection",
                     esp_err_to_name(err));
            return APP_ERR_PLATFORM;
        }
        return APP_OK;
    }
    /* Never started, or stopped by disconnect(): no task is alive. */
    err = esp_mqtt_client_start(adapter->client);
    if (err == ESP_OK) {
        adapter->started = true;
        return APP_OK;
    }
    ESP_LOGE(TAG, "esp_mqtt_client_start failed: %s", esp_err_to_name(err));
    /* Refused because a task survived a failed stop() (see the top of the file): resume it if it waits. */
    if (err == ESP_FAIL && esp_mqtt_client_reconnect(adapter->client) == ESP_OK) {
        ESP_LOGW(TAG, "the previous client task is still running: reconnecting it instead");
        adapter->started = true;
        return APP_OK;
    }
    return APP_ERR_PLATFORM;
}

static app_err_t mqtt_ws_adapter_disconnect(void *ctx)
{
    mqtt_ws_adapter_t *adapter = ctx;
    esp_err_t err;

    if (adapter == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    if (adapter->client == NULL || !adapter->started) {
        return APP_OK; /* never started, or already stopped */
    }
    /* Blocks until the client task has ended (see the top of the file for how long). */
    err = esp_mqtt_client_stop(adapter->client);
    adapter->started = false;
    if (err == ESP_FAIL) {
        /* The task had already ended on its own (or, in theory, kept running: connect() copes). */
        ESP_LOGW(TAG, "esp_mqtt_client_stop: the client task was not running");
        return APP_OK;
    }
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "esp_mqtt_client_stop failed: %s", esp_err_to_name(err));
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
    /* A stopped client still queues a message and returns an id, but no task will ever send it or report
     * its PUBACK or expiry: refuse, so the application backs off instead of waiting for nothing. */
    if (adapter->client == NULL || !adapter->started) {
        return APP_ERR_NOT_CONNECTED;
    }
    /* ESP-MQTT takes strlen(data) when len is 0: an empty payload goes as NULL. store = true: queued in
     * the outbox whatever the QoS, sent by the MQTT task. A full outbox (-2) is refused before any lock;
     * otherwise enqueue waits for the client lock, which the MQTT task holds during a connect attempt and
     * across its socket writes, so this can wait up to the network timeout per blocking step. */
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

const mqtt_session_port_t mqtt_ws_adapter_session_port = {
    .configure = mqtt_ws_adapter_configure,
    .connect = mqtt_ws_adapter_connect,
    .disconnect = mqtt_ws_adapter_disconnect,
};

const mqtt_publisher_port_t mqtt_ws_adapter_publisher_port = {
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
