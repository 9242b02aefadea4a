/*
 * mqtt_ws_adapter_internal: what the adapter's sources share; not part of the component's interface.
 *   mqtt_ws_adapter.c         init, configure (checks, the transport, the ESP-MQTT client), broker URIs, the
 * ports mqtt_ws_adapter_events.c  the ESP-MQTT event handler (MQTT task): translation, error classes, posting
 *   mqtt_ws_adapter_worker.c  connect / disconnect / publish (application task) and the worker task that runs
 *                             esp_mqtt_client_stop / esp_mqtt_set_config / esp_mqtt_client_start
 */
#ifndef MQTT_WS_ADAPTER_INTERNAL_H
#define MQTT_WS_ADAPTER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqtt_ws_adapter.h"

#define MQTT_WS_ADAPTER_LOG_TAG "mqtt_ws"

/* Posts an event carrying only kind, error class and code (any task; never blocks; a refusal is counted). */
void mqtt_ws_adapter_post_kind(mqtt_ws_adapter_t *adapter, app_event_kind_t kind, app_mqtt_error_kind_t error,
                               int32_t code);

/* The handler registered for every ESP-MQTT event (handler_arg is the adapter). */
void mqtt_ws_adapter_on_event(void *handler_arg, esp_event_base_t base, int32_t event_id, void *event_data);

/*
 * Parses uri (ws:// or wss://, the WebSocket path already applied) into broker and writes it to out with an
 * explicit port: esp_mqtt_client_set_uri replaces the port only when the URI has one, so a broker given
 * without one would be reached on the previous broker's port. APP_ERR_BAD_URI when it does not parse or fit.
 */
app_err_t mqtt_ws_adapter_broker_uri(const char *uri, broker_uri_t *broker, char *out, size_t out_size);

/* Destroys the TCP/TLS transport under the ws one and forgets both, once ESP-MQTT destroyed (or may have
 * destroyed) the ws transport it was given: a failed init or set_config, or esp_mqtt_client_destroy. */
void mqtt_ws_adapter_drop_parent_transport(mqtt_ws_adapter_t *adapter);

/* The worker task's body (arg is the adapter): mqtt_ws_adapter_process() forever. */
void mqtt_ws_adapter_worker_task(void *arg);

/* The port functions of the worker's file (ctx is the adapter). */
app_err_t mqtt_ws_adapter_connect(void *ctx, const mqtt_connect_request_t *req);
app_err_t mqtt_ws_adapter_disconnect(void *ctx);
bool mqtt_ws_adapter_is_connected(void *ctx);
app_err_t mqtt_ws_adapter_publish(void *ctx, const mqtt_message_t *message, int32_t *msg_id);

#endif /* MQTT_WS_ADAPTER_INTERNAL_H */
