/*
 * mqtt_ws_adapter: see the header. This file: init, configure() and the ports. How configure() relies on
 * ESP-IDF v5.4.2 and the ESP-MQTT it pins:
 *   - The adapter builds the transport itself (network.transport) so that it can reach the socket after
 *     connect. ESP-MQTT then owns the WebSocket transport it was given: esp_mqtt_client_destroy destroys it
 *     (mqtt_client.c esp_mqtt_destroy_config), but not its TCP/TLS parent, which the ws transport leaves
 * alone too (tcp_transport transport_ws.c ws_destroy): the parent is the adapter's to destroy.
 *   - A failed esp_mqtt_client_init destroys network.transport only when esp_mqtt_set_config had already
 *     stored it (its failure path runs esp_mqtt_client_destroy): the adapter cannot tell, so it leaves the ws
 *     transport alone then (lost, never freed twice) and destroys the parent.
 *   - esp_mqtt_client_set_uri replaces the port only when the URI has one: every URI handed to ESP-MQTT
 *     carries its port (mqtt_ws_adapter_broker_uri).
 */
#include "mqtt_ws_adapter.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "domain/bounded_text.h"
#include "esp_err.h"
#include "esp_log.h"
#include "esp_transport_ssl.h"
#include "esp_transport_tcp.h"
#include "esp_transport_ws.h"
#include "mqtt_ws_adapter_internal.h"

static const char *TAG = MQTT_WS_ADAPTER_LOG_TAG;

app_err_t mqtt_ws_adapter_broker_uri(const char *uri, broker_uri_t *broker, char *out, size_t out_size)
{
    if (broker_uri_parse(uri, NULL, broker) != DOMAIN_OK) {
        return APP_ERR_BAD_URI;
    }
    const int n = snprintf(out, out_size, "%s://%s:%u%s", broker->secure ? "wss" : "ws", broker->host,
                           (unsigned)broker->port, broker->path);
    return n > 0 && (size_t)n < out_size ? APP_OK : APP_ERR_BAD_URI;
}

/* The WebSocket transport over TCP, or over TLS verified with the bundle or the CA (configure() checked one
 * is there). Sets adapter->base and adapter->ws, or neither. */
static app_err_t build_transport(mqtt_ws_adapter_t *adapter)
{
    esp_transport_handle_t base = adapter->secure ? esp_transport_ssl_init() : esp_transport_tcp_init();
    if (base == NULL) {
        return APP_ERR_NO_MEMORY;
    }
    if (adapter->secure && adapter->tls.crt_bundle_attach != NULL) {
        esp_transport_ssl_crt_bundle_attach(base, adapter->tls.crt_bundle_attach);
    } else if (adapter->secure) {
        /* PEM: the length counts the terminating NUL (esp-tls hands it to mbedtls_x509_crt_parse). */
        esp_transport_ssl_set_cert_data(base, adapter->tls.ca_pem, (int)strlen(adapter->tls.ca_pem) + 1);
    }
    const int port = adapter->secure ? 443 : 80;
    (void)esp_transport_set_default_port(base, port);
    esp_transport_handle_t ws = esp_transport_ws_init(base);
    if (ws == NULL) {
        (void)esp_transport_destroy(base);
        return APP_ERR_NO_MEMORY;
    }
    (void)esp_transport_set_default_port(ws, port);
    (void)esp_transport_ws_set_subprotocol(ws, "mqtt");
    adapter->base = base;
    adapter->ws = ws;
    return APP_OK;
}

void mqtt_ws_adapter_drop_parent_transport(mqtt_ws_adapter_t *adapter)
{
    (void)esp_transport_destroy(adapter->base);
    adapter->ws = NULL;
    adapter->base = NULL;
}

static app_err_t check_config(const mqtt_client_config_t *cfg, broker_uri_t *broker, char *uri,
                              size_t uri_size)
{
    if (cfg == NULL || cfg->uri == NULL || cfg->client_id == NULL || cfg->username == NULL ||
        cfg->password == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    if (mqtt_ws_adapter_broker_uri(cfg->uri, broker, uri, uri_size) != APP_OK) {
        ESP_LOGE(TAG, "broker URI not usable: %s", cfg->uri);
        return APP_ERR_BAD_URI;
    }
    const size_t id_len = strlen(cfg->client_id);
    if (id_len == 0 || id_len > MQTT_WS_ADAPTER_CLIENT_ID_MAX_LEN ||
        strlen(cfg->username) > APP_CREDENTIAL_MAX_LEN || strlen(cfg->password) > APP_CREDENTIAL_MAX_LEN) {
        ESP_LOGE(TAG, "client id or credentials empty or too long");
        return APP_ERR_INVALID_ARG;
    }
    /* ESP-MQTT keeps these as int. */
    if (cfg->network_timeout_ms > INT_MAX || cfg->buffer_size > INT_MAX || cfg->out_buffer_size > INT_MAX ||
        cfg->task_stack_size > INT_MAX || cfg->retransmit_ms > INT_MAX) {
        ESP_LOGE(TAG, "a size or timeout does not fit ESP-MQTT's int fields");
        return APP_ERR_BAD_SIZE;
    }
    return APP_OK;
}

static void fill_config(mqtt_ws_adapter_t *adapter, const mqtt_client_config_t *cfg)
{
    esp_mqtt_client_config_t *c = &adapter->config;
    memset(c, 0, sizeof(*c));
    c->broker.address.uri = adapter->applied.uri;
    c->credentials.client_id = adapter->client_id;
    c->credentials.username = adapter->username[0] != '\0' ? adapter->username : NULL;
    c->credentials.authentication.password = adapter->password[0] != '\0' ? adapter->password : NULL;
    /* Clean session: the node has no subscriptions to keep, and QoS 1 redelivery is the outbox's job. */
    c->session.disable_clean_session = false;
    c->session.keepalive = (int)cfg->keepalive_s;
    c->session.protocol_ver = MQTT_PROTOCOL_V_3_1_1;
    c->session.message_retransmit_timeout = (int)cfg->retransmit_ms;
    /* Only the application's retry schedule reconnects; a stopped client has no task to wake up. */
    c->network.disable_auto_reconnect = true;
    c->network.timeout_ms = (int)cfg->network_timeout_ms;
    c->network.transport = adapter->ws;
    c->task.priority = (int)cfg->task_priority;
    c->task.stack_size = (int)cfg->task_stack_size;
    c->buffer.size = (int)cfg->buffer_size;
    c->buffer.out_size = (int)cfg->out_buffer_size;
    c->outbox.limit = cfg->outbox_limit;
}

/* The event handler, the worker's queue and task; on failure the client is destroyed (with the ws transport).
 */
static app_err_t start_client(mqtt_ws_adapter_t *adapter, esp_mqtt_client_handle_t client, uint8_t priority)
{
    esp_err_t err = esp_mqtt_client_register_event(client, MQTT_EVENT_ANY, mqtt_ws_adapter_on_event, adapter);
    if (err == ESP_OK) {
        adapter->queue = xQueueCreate(MQTT_WS_ADAPTER_WORKER_QUEUE_LEN, sizeof(uint8_t));
        if (adapter->queue == NULL ||
            xTaskCreate(mqtt_ws_adapter_worker_task, "mqtt_ws_ctl", MQTT_WS_ADAPTER_WORKER_STACK_BYTES,
                        adapter, (UBaseType_t)priority, &adapter->worker) != pdPASS) {
            err = ESP_ERR_NO_MEM;
        }
    }
    if (err == ESP_OK) {
        return APP_OK;
    }
    ESP_LOGE(TAG, "client setup failed: %s", esp_err_to_name(err));
    if (adapter->queue != NULL) {
        vQueueDelete(adapter->queue);
        adapter->queue = NULL;
    }
    (void)esp_mqtt_client_destroy(client);
    mqtt_ws_adapter_drop_parent_transport(adapter);
    return err == ESP_ERR_NO_MEM ? APP_ERR_NO_MEMORY : APP_ERR_PLATFORM;
}

static app_err_t adapter_configure(void *ctx, const mqtt_client_config_t *cfg)
{
    mqtt_ws_adapter_t *adapter = ctx;
    broker_uri_t broker;
    if (adapter == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    if (adapter->client != NULL) {
        ESP_LOGE(TAG, "configure() called twice");
        return APP_ERR_INVALID_ARG;
    }
    app_err_t rc = check_config(cfg, &broker, adapter->applied.uri, sizeof(adapter->applied.uri));
    if (rc != APP_OK) {
        return rc;
    }
    adapter->secure = broker.secure;
    if (adapter->secure && adapter->tls.crt_bundle_attach == NULL && adapter->tls.ca_pem == NULL) {
        ESP_LOGE(TAG,
                 "wss:// needs the certificate bundle or a CA certificate: refusing to connect unverified");
        return APP_ERR_BAD_SETTINGS;
    }
    (void)bounded_text_copy(adapter->client_id, sizeof(adapter->client_id), cfg->client_id);
    (void)bounded_text_copy(adapter->username, sizeof(adapter->username), cfg->username);
    (void)bounded_text_copy(adapter->password, sizeof(adapter->password), cfg->password);
    rc = build_transport(adapter);
    if (rc != APP_OK) {
        ESP_LOGE(TAG, "no memory for the WebSocket transport");
        return rc;
    }
    fill_config(adapter, cfg);
    esp_mqtt_client_handle_t client = esp_mqtt_client_init(&adapter->config);
    if (client == NULL) {
        /* ESP-MQTT logged the cause (URI parse error or no memory); the application disables MQTT. */
        ESP_LOGE(TAG, "esp_mqtt_client_init failed for %s", adapter->applied.uri);
        mqtt_ws_adapter_drop_parent_transport(adapter);
        return APP_ERR_PLATFORM;
    }
    rc = start_client(adapter, client, cfg->task_priority);
    if (rc != APP_OK) {
        return rc;
    }
    adapter->client = client;
    adapter->config_applied = true;
    ESP_LOGI(TAG, "client %s for %s (keepalive %u s, retransmit %u ms, auto-reconnect off)",
             adapter->client_id, adapter->applied.uri, (unsigned)cfg->keepalive_s,
             (unsigned)cfg->retransmit_ms);
    return APP_OK;
}

const mqtt_session_port_t mqtt_ws_adapter_session_port = {
    .configure = adapter_configure,
    .connect = mqtt_ws_adapter_connect,
    .disconnect = mqtt_ws_adapter_disconnect,
    .is_connected = mqtt_ws_adapter_is_connected,
};

const mqtt_publisher_port_t mqtt_ws_adapter_publisher_port = {
    .publish = mqtt_ws_adapter_publish,
};

app_err_t mqtt_ws_adapter_init(mqtt_ws_adapter_t *adapter, const executor_port_t *executor,
                               void *executor_ctx, const mqtt_ws_adapter_tls_t *tls)
{
    if (adapter == NULL || executor == NULL || executor->post == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    memset(adapter, 0, sizeof(*adapter));
    adapter->executor = executor;
    adapter->executor_ctx = executor_ctx;
    if (tls != NULL) {
        adapter->tls = *tls;
    }
    adapter->lock = (portMUX_TYPE)portMUX_INITIALIZER_UNLOCKED;
    atomic_init(&adapter->started, false);
    atomic_init(&adapter->connected, false);
    atomic_init(&adapter->lost_events, 0u);
    return APP_OK;
}
