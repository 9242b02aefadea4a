/*
 * sim_mqtt: the MQTT session and publisher ports on Linux with Eclipse Paho C MQTTAsync (MQTT 3.1.1 over
 * ws://), one adapter with one context for both.
 *
 * Port calls come from the application task and never wait on the network: MQTTAsync_connect,
 * MQTTAsync_sendMessage and MQTTAsync_disconnect only queue work for Paho's threads. Paho's callbacks run
 * on Paho's threads and only translate and post app events through the executor port (never calling the
 * application or the event sink, never waiting on the application; see below for the one stderr line):
 * connect success -> MQTT_CONNECTED(session present); connect failure ->
 * MQTT_ERROR(kind, code) then MQTT_DISCONNECTED; connection lost -> MQTT_DISCONNECTED; PUBACK
 * (deliveryComplete, QoS 1) -> MQTT_PUBLISHED(msg_id = the token sendMessage returned); a publish Paho
 * gives up on -> MQTT_DELETED. Paho's automatic reconnect is off: the application's retry schedule
 * decides. An attempt state under a mutex guarantees the port contract "exactly one MQTT_DISCONNECTED per
 * connect() that does not end in MQTT_CONNECTED", whatever order Paho reports in.
 *
 * Each connect() after the first uses a fresh Paho client (destroy + create, on the application task):
 * Paho 1.3.12 delays every further connect of a reused client by about a second and reports a wrong
 * WebSocket path differently on it. Callbacks carry the generation of the client they belong to, so a late
 * callback of a destroyed client is ignored.
 *
 * Paho error codes are logged once, here, on stderr. A broker that accepts the TCP connection but does not
 * complete the MQTT-over-WebSocket handshake (NATS answering a non-MQTT WebSocket path) is reported as a
 * protocol error (APP_MQTT_ERROR_PROTOCOL); the application turns that into the notice naming the likely
 * cause (the WebSocket path), on its own task.
 *
 * What a callback may do besides posting: one fprintf(stderr) line (Paho's code and text, which only this
 * adapter knows). That is the one exception to "translate and post", and it is deliberate: stderr is
 * unbuffered, so one call is one write(2) of one line, under no lock of ours or the application's; it cannot
 * deadlock, and it could only stall Paho's thread if whoever reads stderr stopped reading (the tests and
 * the tools send it to a file). Event-sink notices (a mutex shared with every thread, stdout) are never
 * written from a callback.
 */
#ifndef SIM_MQTT_H
#define SIM_MQTT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "application/app_event.h"
#include "application/ports/executor_port.h"
#include "application/ports/mqtt_publisher_port.h"
#include "application/ports/mqtt_session_port.h"
#include "application/settings.h"
#include "domain/broker_uri.h"
#include "domain/device_presence.h"
#include "domain/mac_address.h"

typedef enum {
    SIM_MQTT_IDLE = 0,   /* no attempt running, not connected */
    SIM_MQTT_CONNECTING, /* connect() called, no outcome yet */
    SIM_MQTT_CONNECTED,
} sim_mqtt_link_t;

struct sim_mqtt;

/* The context Paho hands to callbacks: which adapter, and which client generation. */
typedef struct {
    struct sim_mqtt *owner;
    unsigned generation;
} sim_mqtt_binding_t;

typedef struct sim_mqtt {
    pthread_mutex_t mutex;
    void *client;                     /* MQTTAsync; NULL until configure() */
    bool client_used;                 /* connect() was called on this client */
    unsigned generation;              /* of the current client; guarded by mutex */
    sim_mqtt_binding_t bindings[2];   /* alternate between generations */
    char uri[BROKER_URI_MAX_LEN + 1]; /* the broker of the current client */
    char client_id[MAC_ADDRESS_CLIENT_ID_SIZE];
    char username[APP_CREDENTIAL_MAX_LEN + 1];
    char password[APP_CREDENTIAL_MAX_LEN + 1];
    char ca_file[256]; /* wss:// trust store ("" = the system's) */
    uint16_t keepalive_s;
    uint32_t network_timeout_ms;
    int retry_interval_s;
    bool has_will; /* the last will of the current attempt */
    bool will_retained;
    uint8_t will_qos;
    char will_topic[APP_TOPIC_MAX_LEN + 2 * MAC_ADDRESS_LEN + 1];
    char will_payload[DEVICE_PRESENCE_JSON_MAX_SIZE];
    size_t will_len;
    sim_mqtt_link_t link;  /* guarded by mutex */
    atomic_bool tls_error; /* the TLS handshake of the current attempt failed (ssl_error_cb) */
    const executor_port_t *executor;
    void *executor_ctx;
} sim_mqtt_t;

extern const mqtt_session_port_t sim_mqtt_session_port;
extern const mqtt_publisher_port_t sim_mqtt_publisher_port;

/* ca_file: the trust store for wss:// brokers (PEM file; NULL or "" = the system's). */
bool sim_mqtt_init(sim_mqtt_t *mqtt, const executor_port_t *executor, void *executor_ctx,
                   const char *ca_file);
/* Disconnects (briefly) and destroys the Paho client. Call after the application task has ended. */
void sim_mqtt_deinit(sim_mqtt_t *mqtt);

/*
 * Pure classification of a Paho connect failure (code and message from MQTTAsync_failureData, uri the
 * effective broker URI, tls_error: OpenSSL reported a handshake error during the attempt): CONNACK return
 * codes 1..5 -> CONNECTION_REFUSED; a TLS handshake error -> TLS; MQTTASYNC_BAD_PROTOCOL / WRONG_MQTT_VERSION
 * or a CONNACK code above 5 -> PROTOCOL; a connection the broker accepted and then dropped during the
 * handshake ("connect completion failure", or "socket error" when the WebSocket path does not start with
 * /mqtt) -> PROTOCOL; no message at all (the name did not resolve) -> HOST_NOT_FOUND; "TCP/TLS connect
 * failure" -> TCP_REFUSED; a message with "timeout" -> TIMEOUT; anything else (unreachable) -> TRANSPORT.
 */
app_mqtt_error_kind_t sim_mqtt_classify_failure(int code, const char *message, const char *uri,
                                                bool tls_error);

/* Port functions (ctx = sim_mqtt_t *). */
app_err_t sim_mqtt_configure(void *ctx, const mqtt_client_config_t *cfg);
app_err_t sim_mqtt_connect(void *ctx, const mqtt_connect_request_t *req);
app_err_t sim_mqtt_disconnect(void *ctx);
bool sim_mqtt_is_connected(void *ctx);
app_err_t sim_mqtt_publish(void *ctx, const mqtt_message_t *message, int32_t *msg_id);

#endif /* SIM_MQTT_H */
