/*
 * mqtt_publisher_port: the MqttPublisher, the publishing side of the MQTT client (ESP-MQTT's
 * esp_mqtt_client_enqueue on the ESP32, Paho MQTTAsync_sendMessage on Linux). The session side (connect,
 * disconnect) is mqtt_session_port; one adapter implements both with the same context.
 *
 * publish() queues a message without waiting for the network and returns the msg id its outcome will
 * carry. The outcomes arrive later as app events posted by the adapter:
 *   MQTT_PUBLISHED(msg_id)  the broker's PUBACK (QoS 1): the only proof of delivery;
 *   MQTT_DELETED(msg_id)    the client dropped the message before its PUBACK (outbox expiry).
 * A refused publish is an error now (APP_ERR_OUTBOX_FULL, APP_ERR_NOT_CONNECTED, APP_ERR_PUBLISH), never a
 * later event. Called from the application task only. With ESP-MQTT, publish() may wait for the client
 * lock while a connect step or a socket write holds it (bounded by the network timeout); a full outbox is
 * refused at once.
 */
#ifndef APPLICATION_PORTS_MQTT_PUBLISHER_PORT_H
#define APPLICATION_PORTS_MQTT_PUBLISHER_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "application/app_status.h"
#include "application/ports/mqtt_session_port.h"

typedef struct mqtt_publisher_port {
    /* Queues message (copied) without blocking; *msg_id identifies its outcome. APP_ERR_OUTBOX_FULL when
     * full. */
    app_err_t (*publish)(void *ctx, const mqtt_message_t *message, int32_t *msg_id);
} mqtt_publisher_port_t;

#endif
