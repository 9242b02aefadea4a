/*
 * mqtt_session_port: the session side of the MQTT 3.1.1 over WebSocket client (ESP-MQTT on the ESP32, Paho
 * MQTTAsync on Linux): configure once, connect, disconnect. The publishing side is mqtt_publisher_port.
 * One adapter implements both, with the same context.
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
 * Bounded waits: with ESP-MQTT, disconnect() waits for the client task to end, i.e. for the rest of an
 * attempt in progress (each of its steps, TCP connect, WebSocket upgrade and CONNACK, bounded by the
 * network timeout; about 1 s when idle). It never waits for a broker's reply.
 * Should a client break the first rule anyway (its task dies mid-attempt), the application's attempt
 * watchdog ends the attempt (see mqtt_connection_use_case.h): the retry schedule never stalls.
 */
#ifndef APPLICATION_PORTS_MQTT_SESSION_PORT_H
#define APPLICATION_PORTS_MQTT_SESSION_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "application/app_status.h"

typedef struct {
    const char *uri;       /* effective ws:// URI, WebSocket path applied */
    const char *client_id; /* "ESP32_A1B2C3" */
    uint16_t keepalive_s;
    uint32_t network_timeout_ms;
    uint32_t buffer_size;
    uint32_t out_buffer_size;
    uint32_t task_stack_size;
    uint8_t task_priority;
    uint32_t outbox_limit;
} mqtt_client_config_t;

typedef struct mqtt_session_port {
    /* Builds the client from cfg (strings are copied). Called once at start; an error disables MQTT. */
    app_err_t (*configure)(void *ctx, const mqtt_client_config_t *cfg);
    /* Starts one connection attempt (first start or a reconnect). */
    app_err_t (*connect)(void *ctx);
    /* Drops the connection (network down, attempt given up); safe when not connected. */
    app_err_t (*disconnect)(void *ctx);
} mqtt_session_port_t;

#endif
