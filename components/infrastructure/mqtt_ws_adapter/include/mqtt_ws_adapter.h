/*
 * mqtt_ws_adapter: the MqttWebSocketAdapter: mqtt_session_port_t and mqtt_publisher_port_t on ESP-MQTT (MQTT
 * 3.1.1 over ws://), one adapter with one context for both ports.
 *
 * configure() builds the ESP-MQTT client from the application's mqtt_client_config_t: the effective URI (the
 * application already applied the WebSocket path; NATS needs /mqtt), client id, clean session, keepalive,
 * network timeout, buffer sizes, task stack and priority, outbox limit, and ESP-MQTT's own auto-reconnect
 * turned off (network.disable_auto_reconnect) so that the application's retry schedule is the only one.
 * A client that cannot be created (malformed URI, no memory) is an error returned from configure(): the
 * application then runs with MQTT disabled; nothing here aborts or reboots.
 *
 * The event handler runs on the ESP-MQTT task. It only translates BEFORE_CONNECT, CONNECTED
 * (session_present), DISCONNECTED, ERROR (transport errno / esp-tls error, or CONNACK return code),
 * PUBLISHED and DELETED (msg id) into app_event_t, posts them through the executor port without blocking,
 * and logs the platform codes once. It never calls back into ESP-MQTT (never esp_mqtt_client_stop(), which
 * must not run on the MQTT task).
 *
 * connect(), disconnect() and publish() are called from the application task only (never from the MQTT
 * task). connect() is esp_mqtt_client_start() the first time and after a disconnect(), otherwise
 * esp_mqtt_client_reconnect() (accepted only while the client waits after MQTT_EVENT_DISCONNECTED; refused
 * = APP_ERR_PLATFORM, nothing posted). disconnect() is esp_mqtt_client_stop(): it posts no event of its own
 * and waits for the client task to end, i.e. for the rest of a connect attempt in progress (bounded by the
 * network timeout) or up to MQTT_WS_ADAPTER_RECONNECT_WAIT_MS / 2 when the task is idle; the outbox is
 * emptied. publish() uses esp_mqtt_client_enqueue, which stores the message in the outbox and does not
 * send it, but it takes the client lock that the MQTT task holds during a connect attempt and across its
 * socket writes: it may wait that long (each blocking step bounded by the network timeout); a full outbox
 * is refused at once.
 *
 * Usage (main/): static mqtt_ws_adapter_t mqtt; mqtt_ws_adapter_init(&mqtt, executor_port, executor_ctx);
 * then ports.mqtt_session = &mqtt_ws_adapter_session_port, ports.mqtt_publisher =
 * &mqtt_ws_adapter_publisher_port, both contexts &mqtt. The adapter keeps no heap of its own;
 * ESP-MQTT allocates its client, buffers and task at configure()/first connect().
 */
#ifndef MQTT_WS_ADAPTER_H
#define MQTT_WS_ADAPTER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "application/ports/executor_port.h"
#include "application/ports/mqtt_publisher_port.h"
#include "application/ports/mqtt_session_port.h"
#include "domain/broker_uri.h"
#include "mqtt_client.h"

/* Longest client id kept (the application's is "ESP32_A1B2C3"). */
#define MQTT_WS_ADAPTER_CLIENT_ID_MAX_LEN 63

/* ESP-MQTT's network.reconnect_timeout_ms. Auto-reconnect is off, so it only sets the waiting task's sleep
 * slice (half of it): the longest disconnect() waits for an idle task, and its wake-up period. */
#define MQTT_WS_ADAPTER_RECONNECT_WAIT_MS 2000

typedef struct {
    const executor_port_t *executor;
    void *executor_ctx;
    esp_mqtt_client_handle_t client;  /* NULL until configure() succeeds */
    bool started;                     /* a client task may be alive: started, not stopped by disconnect() */
    char uri[BROKER_URI_MAX_LEN + 1]; /* kept for the log and for ESP-MQTT's lifetime */
    char client_id[MQTT_WS_ADAPTER_CLIENT_ID_MAX_LEN + 1];
    atomic_uint lost_events; /* posts refused by a full application queue */
} mqtt_ws_adapter_t;

/* The ports; ctx is a mqtt_ws_adapter_t initialised with mqtt_ws_adapter_init(). */
extern const mqtt_session_port_t mqtt_ws_adapter_session_port;
extern const mqtt_publisher_port_t mqtt_ws_adapter_publisher_port;

/* Prepares the adapter (no ESP-MQTT call yet). APP_ERR_INVALID_ARG when an argument or the executor's post
 * function is missing. */
app_err_t mqtt_ws_adapter_init(mqtt_ws_adapter_t *adapter, const executor_port_t *executor,
                               void *executor_ctx);

#endif /* MQTT_WS_ADAPTER_H */
