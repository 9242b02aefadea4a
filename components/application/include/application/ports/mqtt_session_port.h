/*
 * mqtt_session_port: the session side of the MQTT 3.1.1 over WebSocket client (ESP-MQTT on the ESP32, Paho
 * MQTTAsync on Linux): configure once, connect, disconnect. The publishing side is mqtt_publisher_port.
 * One adapter implements both, with the same context. TLS verification material (wss://) is the adapter's
 * own, given by the composition root (the certificate bundle or an embedded CA on the device, a CA file in
 * the simulator); the application only picks the URI.
 *
 * Called from the application task only. No call waits for the network's answer: each starts work and
 * returns; outcomes arrive later as app events posted by the adapter (MQTT_BEFORE_CONNECT, MQTT_CONNECTED,
 * MQTT_DISCONNECTED, MQTT_ERROR). The adapter never reconnects by itself (ESP-MQTT and Paho auto-reconnect
 * are off): the application's retry schedule decides.
 *
 * Contract every adapter keeps, because the MqttConnection entity relies on it:
 *   - every connect() that does not end in MQTT_CONNECTED ends in exactly one MQTT_DISCONNECTED
 *     (an MQTT_ERROR may come before it);
 *   - a lost connection gives MQTT_DISCONNECTED;
 *   - disconnect() requested by the application may or may not give MQTT_DISCONNECTED, ends any attempt
 *     in progress, and drops unacknowledged messages without MQTT_DELETED (a pending registration is lost;
 *     the next connect registers again). connect() never follows disconnect() in the same event.
 *   - connect() and disconnect() never block the application task: an adapter whose client blocks to stop
 *     (ESP-MQTT) does that work on a task of its own, in the order asked.
 *   - is_connected() is cheap and non-blocking: the adapter's own record of the last CONNECTED not followed
 *     by a disconnect (the liveness check compares it with the application's view).
 * Should a client break the first rule anyway (its task dies mid-attempt), the application's attempt
 * watchdog ends the attempt (see mqtt_connection_use_case.h): the retry schedule never stalls.
 */
#ifndef APPLICATION_PORTS_MQTT_SESSION_PORT_H
#define APPLICATION_PORTS_MQTT_SESSION_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "application/app_status.h"

/* One message: the registration, a presence message, or the last will. */
typedef struct {
    const char *topic;
    const char *payload;
    size_t payload_len;
    uint8_t qos;
    bool retain;
} mqtt_message_t;

typedef struct {
    const char *uri;       /* effective ws:// / wss:// URI of the first broker, WebSocket path applied */
    const char *client_id; /* "ESP32_A1B2C3" */
    const char *username;  /* "" = none */
    const char *password;  /* "" = none; never logged */
    uint16_t keepalive_s;
    uint32_t network_timeout_ms;
    uint32_t retransmit_ms; /* QoS 1 resend interval while unacknowledged */
    uint32_t buffer_size;
    uint32_t out_buffer_size;
    uint32_t task_stack_size;
    uint8_t task_priority;
    uint32_t outbox_limit;
} mqtt_client_config_t;

typedef struct {
    const char *uri;            /* the broker to try (the adapter switches to it when it differs) */
    const mqtt_message_t *will; /* the last will (retained offline presence), or NULL for none */
} mqtt_connect_request_t;

typedef struct mqtt_session_port {
    /* Builds the client from cfg (strings are copied). Called once at start; an error disables MQTT. */
    app_err_t (*configure)(void *ctx, const mqtt_client_config_t *cfg);
    /* Starts one connection attempt (first start or a reconnect); req's strings are copied. */
    app_err_t (*connect)(void *ctx, const mqtt_connect_request_t *req);
    /* Drops the connection (network down, attempt given up); safe when not connected. */
    app_err_t (*disconnect)(void *ctx);
    /* True while the client holds a connection (CONNECTED reported and no disconnect since). */
    bool (*is_connected)(void *ctx);
} mqtt_session_port_t;

#endif
