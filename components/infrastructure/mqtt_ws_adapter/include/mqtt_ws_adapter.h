/*
 * mqtt_ws_adapter: the MqttWebSocketAdapter: mqtt_session_port_t and mqtt_publisher_port_t on ESP-MQTT (MQTT
 * 3.1.1 over ws:// or wss://), one adapter with one context for both ports.
 *
 * configure() builds the ESP-MQTT client from the application's mqtt_client_config_t: client id, clean
 * session, keepalive, credentials, network timeout, QoS 1 retransmit interval, buffers, task stack and
 * priority, outbox limit, and ESP-MQTT's own auto-reconnect turned off so that the application's retry
 * schedule is the only one. The transport is the adapter's own (network.transport): WebSocket over TCP, or
 * over TLS for wss:// (verified with the certificate bundle or the CA given at init; without either,
 * configure() refuses a wss:// broker instead of connecting unverified), so that once connected the socket
 * gets TCP_NODELAY: ESP-MQTT's ws transport writes a frame header and its payload separately, and with Nagle
 * every request/reply would wait for the broker's delayed ACK (~43 ms measured). Every broker of a list must
 * use the configured scheme (the transport is built once): connect() refuses another one (APP_ERR_BAD_URI).
 * Every URI handed to ESP-MQTT carries its port (ESP-MQTT keeps the previous broker's port for a URI without
 * one). A client that cannot be created is an error returned from configure(): the application runs with MQTT
 * disabled; nothing here aborts or reboots.
 *
 * The event handler runs on the ESP-MQTT task: it translates BEFORE_CONNECT, CONNECTED, DISCONNECTED, ERROR
 * (classified: host not found, TCP refused, TLS, WebSocket upgrade refused (protocol), CONNACK refusal,
 * transport), PUBLISHED and DELETED into app events, posts them without blocking, keeps the is_connected()
 * flag and sets TCP_NODELAY on CONNECTED. It never calls back into ESP-MQTT.
 *
 * connect() and disconnect() never block the application task: esp_mqtt_client_stop() waits for the client
 * task to end (up to a whole connect attempt), so the adapter queues the request to a small worker task of
 * its own, which runs them in order: disconnect = stop; connect = stop if running, switch to the requested
 * URI (esp_mqtt_client_set_uri + the ws path) and last will (esp_mqtt_set_config with the full kept
 * configuration: set_config puts defaults back in fields it is given as 0, e.g. auto-reconnect on), then
 * esp_mqtt_client_start(). Between a stop
 * and the next start the worker waits MQTT_WS_ADAPTER_RESTART_GAP_MS: the stopped task still writes its final
 * state after stop() returns (mqtt_client.c, esp_mqtt_task after the loop), which a start() in that instant
 * would have overwritten. A start that fails is posted as ERROR + DISCONNECTED (the port's rule: every
 * connect() ends in CONNECTED or one DISCONNECTED), and so is a connect() while a stop() failed (the old task
 * still runs; the next request stops it again) or after a set_config that failed (ESP-MQTT then has freed the
 * client's configuration: the client is never touched again, MQTT stays down until restart). A full worker
 * queue refuses the call (APP_ERR_QUEUE_FULL).
 *
 * publish() uses esp_mqtt_client_publish: while connected it writes the message at once, on the calling task
 * (a QoS 1 message also stays in the outbox until its PUBACK, for the retransmits); while not connected it
 * keeps a QoS 1 message in the outbox for the next session and refuses QoS 0. enqueue() would leave every
 * message for the MQTT task's next poll, up to CONFIG_MQTT_POLL_READ_TIMEOUT_MS (1000) later: measured on the
 * linux target, connect -> PUBACK took 11.7x a bare Paho client that way. The write may wait for the client
 * lock (the MQTT task holds it across a connect step or a socket write) and for the socket, both bounded by
 * the network timeout, well inside the task watchdog. A full outbox is refused at once (-2); a write that
 * fails aborts the connection (ESP-MQTT) and is refused (-1), so the application backs off. A stopped client
 * would accept a message and never send it: publish() refuses while no client task runs.
 *
 * Usage (main/): static mqtt_ws_adapter_t mqtt; mqtt_ws_adapter_init(&mqtt, executor_port, executor_ctx,
 * &tls); then ports.mqtt_session = &mqtt_ws_adapter_session_port, ports.mqtt_publisher =
 * &mqtt_ws_adapter_publisher_port, both contexts &mqtt. ESP-MQTT allocates its client, buffers and task at
 * configure()/first connect(); the worker task and its queue are allocated at configure().
 */
#ifndef MQTT_WS_ADAPTER_H
#define MQTT_WS_ADAPTER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "application/ports/executor_port.h"
#include "application/ports/mqtt_publisher_port.h"
#include "application/ports/mqtt_session_port.h"
#include "application/settings.h"
#include "domain/broker_uri.h"
#include "domain/device_presence.h"
#include "esp_transport.h"
#include "freertos/FreeRTOS.h"
#include "freertos/queue.h"
#include "freertos/task.h"
#include "mqtt_client.h"

/* Longest client id kept (the application's is "ESP32_A1B2C3"). */
#define MQTT_WS_ADAPTER_CLIENT_ID_MAX_LEN 63
/* Pause between stopping the client and starting it again (see above). */
#define MQTT_WS_ADAPTER_RESTART_GAP_MS 20
/* The worker task: stop/start/set_config only. */
#define MQTT_WS_ADAPTER_WORKER_STACK_BYTES 3072
#define MQTT_WS_ADAPTER_WORKER_QUEUE_LEN   4
/* A topic of the last will: the presence topic with the MAC in place of "{mac}". */
#define MQTT_WS_ADAPTER_WILL_TOPIC_MAX_LEN (APP_TOPIC_MAX_LEN + 2 * MAC_ADDRESS_LEN)

/* How wss:// brokers are verified (the composition root decides; both NULL refuses wss://). */
typedef struct {
    esp_err_t (*crt_bundle_attach)(
        void *conf);    /* esp_crt_bundle_attach (CONFIG_MBEDTLS_CERTIFICATE_BUNDLE) */
    const char *ca_pem; /* or one CA certificate, PEM, NUL-terminated, static */
} mqtt_ws_adapter_tls_t;

typedef enum {
    MQTT_WS_ADAPTER_CMD_CONNECT = 0,
    MQTT_WS_ADAPTER_CMD_DISCONNECT,
} mqtt_ws_adapter_cmd_t;

/* What the last connect() asked for, handed to the worker under the spinlock. */
typedef struct {
    char uri[BROKER_URI_MAX_LEN + 1];
    bool has_will;
    char will_topic[MQTT_WS_ADAPTER_WILL_TOPIC_MAX_LEN + 1];
    char will_payload[DEVICE_PRESENCE_JSON_MAX_SIZE];
    size_t will_len;
} mqtt_ws_adapter_request_t;

typedef struct {
    const executor_port_t *executor;
    void *executor_ctx;
    mqtt_ws_adapter_tls_t tls;
    esp_mqtt_client_handle_t client; /* NULL until configure() succeeds */
    esp_transport_handle_t ws;       /* the WebSocket transport handed to ESP-MQTT (it owns it) */
    esp_transport_handle_t base;     /* TCP or TLS under ws: the adapter's (ESP-MQTT never destroys it) */
    esp_mqtt_client_config_t config; /* the full configuration, applied again with a new last will */
    char client_id[MQTT_WS_ADAPTER_CLIENT_ID_MAX_LEN + 1];
    char username[APP_CREDENTIAL_MAX_LEN + 1];
    char password[APP_CREDENTIAL_MAX_LEN + 1];
    bool secure; /* the transport is wss:// */
    portMUX_TYPE lock;
    mqtt_ws_adapter_request_t requested; /* under lock */
    /* worker task only: */
    mqtt_ws_adapter_request_t applied;
    bool config_applied;
    bool broken; /* a failed esp_mqtt_set_config freed the client's configuration: never used again */
    QueueHandle_t queue;
    TaskHandle_t worker;
    atomic_bool started;     /* a client task may be alive (publish() reads it) */
    atomic_bool connected;   /* CONNECTED reported, no disconnect since */
    atomic_uint lost_events; /* posts refused by a full application queue */
} mqtt_ws_adapter_t;

/* The ports; ctx is a mqtt_ws_adapter_t initialised with mqtt_ws_adapter_init(). */
extern const mqtt_session_port_t mqtt_ws_adapter_session_port;
extern const mqtt_publisher_port_t mqtt_ws_adapter_publisher_port;

/* Prepares the adapter (no ESP-MQTT call yet). tls may be NULL (wss:// refused). APP_ERR_INVALID_ARG when an
 * argument or the executor's post function is missing. */
app_err_t mqtt_ws_adapter_init(mqtt_ws_adapter_t *adapter, const executor_port_t *executor,
                               void *executor_ctx, const mqtt_ws_adapter_tls_t *tls);

/* The worker's body: waits up to wait_ticks for one request and carries it out. true when one was handled.
 * The worker task loops on it; host tests call it directly. */
bool mqtt_ws_adapter_process(mqtt_ws_adapter_t *adapter, TickType_t wait_ticks);

#endif /* MQTT_WS_ADAPTER_H */
