/*
 * mqtt_ws_adapter_worker: connect(), disconnect(), is_connected() and publish() on the application task, and
 * the worker task that carries out connect and disconnect. What the worker relies on (ESP-MQTT at the commit
 * ESP-IDF v5.4.2 pins, mqtt_client.c):
 *   - esp_mqtt_client_start() creates the client task and only succeeds from the INIT or DISCONNECTED state;
 *     esp_mqtt_client_stop() refuses to run on the MQTT task, sends DISCONNECT when connected, marks the
 *     client DISCONNECTED and waits (no timeout) for the task's STOPPED_BIT; the task then still writes its
 *     state and drops the outbox without MQTT_EVENT_DELETED (end of esp_mqtt_task). Both run on the worker
 *     only, so no second task is ever started on the client and the application task never waits.
 *   - With network.transport set, the task never ends by itself (esp_mqtt_task ends only when stopped or when
 *     it cannot build a transport of its own): a stop() that answers ESP_FAIL while the adapter started the
 *     client means the DISCONNECT packet could not be built, and the task still runs.
 *   - esp_mqtt_set_config() stores a whole configuration: fields left 0 fall back to their defaults (e.g.
 *     auto-reconnect on) and NULL strings keep the stored ones, so the adapter passes its full kept
 *     configuration and changes only the URI and the last will in it. A last will cannot be removed that way
 *     (a NULL topic keeps the old one); the application's will only ever changes its payload.
 *   - A set_config that fails frees the client's configuration and destroys network.transport
 *     (esp_mqtt_destroy_config): the client is unusable from then on (another set_config would free its input
 *     buffer twice, start() would read the freed configuration), so the adapter marks it broken.
 *   - With network.transport set, ESP-MQTT neither builds a transport nor applies the URI's path: the worker
 *     sets the WebSocket path of the broker it connects to.
 */
#include <limits.h>
#include <string.h>

#include "domain/bounded_text.h"
#include "esp_err.h"
#include "esp_log.h"
#include "esp_transport_ws.h"
#include "mqtt_ws_adapter_internal.h"

static const char *TAG = MQTT_WS_ADAPTER_LOG_TAG;

/* ---- worker task: stop / switch / start -------------------------------------------------------------------
 */

/* Ends the client task if one may run. false when it still runs (the DISCONNECT packet could not be built);
 * the adapter then keeps it as started, so the next connect() or disconnect() tries to stop it again. */
static bool stop_client(mqtt_ws_adapter_t *adapter)
{
    if (!atomic_load(&adapter->started)) {
        return true;
    }
    atomic_store(&adapter->connected, false);
    /* Blocks until the client task has ended: fine here, never on the application task. */
    const esp_err_t err = esp_mqtt_client_stop(adapter->client);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "esp_mqtt_client_stop failed (%s): the client task still runs", esp_err_to_name(err));
        return false;
    }
    atomic_store(&adapter->started, false);
    /* The ended task writes its final state after stop() returned; a start() before that would be undone. */
    vTaskDelay(pdMS_TO_TICKS(MQTT_WS_ADAPTER_RESTART_GAP_MS));
    return true;
}

static bool same_will(const mqtt_ws_adapter_request_t *a, const mqtt_ws_adapter_request_t *b)
{
    if (a->has_will != b->has_will) {
        return false;
    }
    return !a->has_will || (strcmp(a->will_topic, b->will_topic) == 0 && a->will_len == b->will_len &&
                            memcmp(a->will_payload, b->will_payload, a->will_len) == 0);
}

/* Points the stopped client at the requested broker and last will. */
static esp_err_t apply_request(mqtt_ws_adapter_t *adapter, const mqtt_ws_adapter_request_t *req)
{
    esp_err_t err = ESP_OK;
    if (!adapter->config_applied || !same_will(req, &adapter->applied)) {
        adapter->applied = *req;
        mqtt_ws_adapter_request_t *a = &adapter->applied;
        esp_mqtt_client_config_t *c = &adapter->config;
        c->broker.address.uri = a->uri;
        c->session.last_will.topic = a->has_will ? a->will_topic : NULL;
        c->session.last_will.msg = a->has_will ? a->will_payload : NULL;
        c->session.last_will.msg_len = a->has_will ? (int)a->will_len : 0;
        c->session.last_will.qos = a->has_will ? 1 : 0;
        c->session.last_will.retain = a->has_will ? 1 : 0;
        err = esp_mqtt_set_config(adapter->client, c);
        adapter->config_applied = err == ESP_OK;
        if (err != ESP_OK && err != ESP_ERR_INVALID_ARG) {
            /* ESP_ERR_INVALID_ARG is a conflict reported after storing; anything else is the failure path. */
            ESP_LOGE(TAG, "esp_mqtt_set_config failed (%s): the MQTT client is lost until restart",
                     esp_err_to_name(err));
            adapter->broken = true;
            mqtt_ws_adapter_drop_parent_transport(adapter);
            return err;
        }
    } else if (strcmp(req->uri, adapter->applied.uri) != 0) {
        err = esp_mqtt_client_set_uri(adapter->client, req->uri);
        if (err == ESP_OK) {
            adapter->applied = *req;
        }
    }
    broker_uri_t broker;
    if (err == ESP_OK && broker_uri_parse(req->uri, NULL, &broker) == DOMAIN_OK) {
        esp_transport_ws_set_path(adapter->ws, broker.path);
    }
    return err;
}

static void do_connect(mqtt_ws_adapter_t *adapter)
{
    mqtt_ws_adapter_request_t req;
    portENTER_CRITICAL(&adapter->lock);
    req = adapter->requested;
    portEXIT_CRITICAL(&adapter->lock);
    esp_err_t err = ESP_ERR_INVALID_STATE;
    if (adapter->broken) {
        ESP_LOGE(TAG, "connect to %s refused: the MQTT client was lost", req.uri);
    } else if (stop_client(adapter)) {
        err = apply_request(adapter, &req);
        if (err == ESP_OK) {
            err = esp_mqtt_client_start(adapter->client);
        }
    }
    if (err != ESP_OK) {
        /* The port's rule: every connect() that does not end in CONNECTED ends in one DISCONNECTED. */
        ESP_LOGE(TAG, "connect to %s failed to start: %s", req.uri, esp_err_to_name(err));
        mqtt_ws_adapter_post_kind(adapter, APP_EVENT_MQTT_ERROR, APP_MQTT_ERROR_OTHER, (int32_t)err);
        mqtt_ws_adapter_post_kind(adapter, APP_EVENT_MQTT_DISCONNECTED, APP_MQTT_ERROR_NONE, 0);
        return;
    }
    atomic_store(&adapter->started, true);
}

bool mqtt_ws_adapter_process(mqtt_ws_adapter_t *adapter, TickType_t wait_ticks)
{
    uint8_t cmd;
    if (adapter == NULL || adapter->queue == NULL ||
        xQueueReceive(adapter->queue, &cmd, wait_ticks) != pdTRUE) {
        return false;
    }
    if (cmd == MQTT_WS_ADAPTER_CMD_CONNECT) {
        do_connect(adapter);
    } else if (!adapter->broken) {
        (void)stop_client(adapter);
    }
    return true;
}

void mqtt_ws_adapter_worker_task(void *arg)
{
    for (;;) {
        (void)mqtt_ws_adapter_process(arg, portMAX_DELAY);
    }
}

/* ---- ports (application task)
 * -------------------------------------------------------------------------------- */

static app_err_t queue_command(mqtt_ws_adapter_t *adapter, mqtt_ws_adapter_cmd_t cmd)
{
    const uint8_t item = (uint8_t)cmd;
    if (xQueueSend(adapter->queue, &item, 0) != pdTRUE) {
        ESP_LOGE(TAG, "worker queue full: %s refused",
                 cmd == MQTT_WS_ADAPTER_CMD_CONNECT ? "connect" : "disconnect");
        return APP_ERR_QUEUE_FULL;
    }
    return APP_OK;
}

app_err_t mqtt_ws_adapter_connect(void *ctx, const mqtt_connect_request_t *req)
{
    mqtt_ws_adapter_t *adapter = ctx;
    if (adapter == NULL || req == NULL || req->uri == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    if (adapter->client == NULL) {
        ESP_LOGE(TAG, "connect() before a successful configure()");
        return APP_ERR_INVALID_ARG;
    }
    mqtt_ws_adapter_request_t next;
    memset(&next, 0, sizeof(next));
    broker_uri_t broker;
    if (mqtt_ws_adapter_broker_uri(req->uri, &broker, next.uri, sizeof(next.uri)) != APP_OK) {
        ESP_LOGE(TAG, "broker URI not usable: %s", req->uri);
        return APP_ERR_BAD_URI;
    }
    if (broker.secure != adapter->secure) {
        /* The transport (TCP or TLS under the WebSocket) was built once, at configure(). */
        ESP_LOGE(TAG, "%s: every broker of the list must use %s", req->uri,
                 adapter->secure ? "wss://" : "ws://");
        return APP_ERR_BAD_URI;
    }
    if (req->will != NULL) {
        if (req->will->topic == NULL || (req->will->payload == NULL && req->will->payload_len > 0)) {
            return APP_ERR_INVALID_ARG;
        }
        if (!bounded_text_copy_whole(next.will_topic, sizeof(next.will_topic), req->will->topic) ||
            req->will->payload_len > sizeof(next.will_payload)) {
            return APP_ERR_TOO_LONG;
        }
        if (req->will->payload_len > 0) {
            memcpy(next.will_payload, req->will->payload, req->will->payload_len);
        }
        next.will_len = req->will->payload_len;
        next.has_will = true;
    }
    portENTER_CRITICAL(&adapter->lock);
    adapter->requested = next;
    portEXIT_CRITICAL(&adapter->lock);
    return queue_command(adapter, MQTT_WS_ADAPTER_CMD_CONNECT);
}

app_err_t mqtt_ws_adapter_disconnect(void *ctx)
{
    mqtt_ws_adapter_t *adapter = ctx;
    if (adapter == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    if (adapter->client == NULL) {
        return APP_OK; /* never configured: nothing runs */
    }
    atomic_store(&adapter->connected, false);
    return queue_command(adapter, MQTT_WS_ADAPTER_CMD_DISCONNECT);
}

bool mqtt_ws_adapter_is_connected(void *ctx)
{
    const mqtt_ws_adapter_t *adapter = ctx;
    return adapter != NULL && atomic_load(&adapter->connected);
}

app_err_t mqtt_ws_adapter_publish(void *ctx, const mqtt_message_t *message, int32_t *msg_id)
{
    mqtt_ws_adapter_t *adapter = ctx;
    if (adapter == NULL || message == NULL || message->topic == NULL || msg_id == NULL ||
        (message->payload == NULL && message->payload_len > 0) || message->payload_len > INT_MAX ||
        message->qos > 2) {
        return APP_ERR_INVALID_ARG;
    }
    /* A stopped client still queues a message and returns an id, but no task will ever send it or report
     * its PUBACK or expiry: refuse, so the application backs off instead of waiting for nothing. */
    if (adapter->client == NULL || !atomic_load(&adapter->started)) {
        return APP_ERR_NOT_CONNECTED;
    }
    /* ESP-MQTT takes strlen(data) when len is 0 (esp_mqtt_client_publish): an empty payload goes as NULL. */
    const int id = esp_mqtt_client_publish(adapter->client, message->topic,
                                           message->payload_len > 0 ? message->payload : NULL,
                                           (int)message->payload_len, message->qos, message->retain ? 1 : 0);
    if (id == -2) {
        ESP_LOGW(TAG, "publish refused: outbox full (-2)");
        return APP_ERR_OUTBOX_FULL;
    }
    if (id < 0) {
        ESP_LOGW(TAG, "publish refused (%d)", id);
        return APP_ERR_PUBLISH;
    }
    *msg_id = (int32_t)id;
    return APP_OK;
}
