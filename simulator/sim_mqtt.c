/*
 * sim_mqtt: see sim_mqtt.h.
 */
#include "sim_mqtt.h"

#include <MQTTAsync.h>
#include <stdio.h>
#include <string.h>

#include "domain/bounded_text.h"

/* How long disconnect() lets Paho flush before it closes the socket; Paho does this on its own thread. */
#define SIM_MQTT_DISCONNECT_TIMEOUT_MS 100
#define SIM_MQTT_DESTROY_TIMEOUT_MS    200

const mqtt_session_port_t sim_mqtt_session_port = {
    .configure = sim_mqtt_configure,
    .connect = sim_mqtt_connect,
    .disconnect = sim_mqtt_disconnect,
    .is_connected = sim_mqtt_is_connected,
};

const mqtt_publisher_port_t sim_mqtt_publisher_port = {
    .publish = sim_mqtt_publish,
};

static void destroy_client(sim_mqtt_t *mqtt);

static void log_code(const char *what, int code, const char *message)
{
    const char *text = MQTTAsync_strerror(code);
    (void)fprintf(stderr, "irrigation-sim: mqtt: %s: code %d (%s)%s%s\n", what, code,
                  text != NULL ? text : "?", message != NULL ? ": " : "", message != NULL ? message : "");
}

bool sim_mqtt_init(sim_mqtt_t *mqtt, const executor_port_t *executor, void *executor_ctx, const char *ca_file)
{
    if (mqtt == NULL || executor == NULL) {
        return false;
    }
    memset(mqtt, 0, sizeof(*mqtt));
    mqtt->executor = executor;
    mqtt->executor_ctx = executor_ctx;
    if (ca_file != NULL && !bounded_text_copy_whole(mqtt->ca_file, sizeof(mqtt->ca_file), ca_file)) {
        return false;
    }
    return pthread_mutex_init(&mqtt->mutex, NULL) == 0;
}

void sim_mqtt_deinit(sim_mqtt_t *mqtt)
{
    if (mqtt == NULL) {
        return;
    }
    MQTTAsync client = mqtt->client;
    if (client != NULL) {
        (void)pthread_mutex_lock(&mqtt->mutex);
        bool connected = mqtt->link == SIM_MQTT_CONNECTED;
        mqtt->link = SIM_MQTT_IDLE;
        (void)pthread_mutex_unlock(&mqtt->mutex);
        if (connected) {
            MQTTAsync_disconnectOptions opts = MQTTAsync_disconnectOptions_initializer;
            opts.timeout = SIM_MQTT_DESTROY_TIMEOUT_MS;
            (void)MQTTAsync_disconnect(client, &opts);
        }
        destroy_client(mqtt);
    }
    (void)pthread_mutex_destroy(&mqtt->mutex);
}

/* True when the path of scheme://host[:port][/path] starts with /mqtt (what NATS routes to MQTT). */
static bool path_is_mqtt(const char *uri)
{
    const char *authority = uri != NULL ? strstr(uri, "://") : NULL;
    if (authority == NULL) {
        return false;
    }
    const char *path = strchr(authority + 3, '/');
    return path != NULL && strncmp(path, "/mqtt", 5) == 0;
}

app_mqtt_error_kind_t sim_mqtt_classify_failure(int code, const char *message, const char *uri,
                                                bool tls_error)
{
    if (code >= 1 && code <= 5) {
        return APP_MQTT_ERROR_CONNECTION_REFUSED;
    }
    /* Measured with Paho 1.3.11 against a TLS server with an unknown CA: the failure says only "TCP/TLS
     * connect failure", exactly like a refused port; what tells them apart is OpenSSL's error string, which
     * Paho hands to ssl_error_cb during the handshake ("certificate verify failed"). */
    if (tls_error) {
        return APP_MQTT_ERROR_TLS;
    }
    /* Paho's own failures are negative; a positive code is the CONNACK return code, and MQTT 3.1.1 has none
     * above 5. Measured against NATS on a wrong WebSocket path: Paho read a byte of NATS's INFO text
     * (97 'a', 49 '1', ...) as the return code, i.e. the broker did not speak MQTT on that path. */
    if (code > 5) {
        return APP_MQTT_ERROR_PROTOCOL;
    }
    if (code == MQTTASYNC_BAD_PROTOCOL || code == MQTTASYNC_WRONG_MQTT_VERSION) {
        return APP_MQTT_ERROR_PROTOCOL;
    }
    /* Measured with Paho 1.3.12 against NATS 2.9 on a path other than /mqtt: NATS accepts the WebSocket,
     * answers in its own protocol and closes, and Paho says either "TCP connect completion failure" or
     * "socket error" (it races). On /mqtt the same words mean the broker closed an MQTT connection before
     * its CONNACK (measured: a NATS cluster node whose JetStream request timed out after 4 s), not a path
     * problem. */
    if (message != NULL &&
        (strstr(message, "completion failure") != NULL || strcmp(message, "socket error") == 0) &&
        !path_is_mqtt(uri)) {
        return APP_MQTT_ERROR_PROTOCOL;
    }
    /* Measured with Paho 1.3.11: a host name getaddrinfo cannot resolve fails before any socket exists, with
     * MQTTASYNC_FAILURE and no message; a port nobody listens on says "TCP/TLS connect failure" (ws:// and
     * wss:// alike); an unreachable address "socket error", a silent one "TCP connect timeout". */
    if (code == MQTTASYNC_FAILURE && message == NULL) {
        return APP_MQTT_ERROR_HOST_NOT_FOUND;
    }
    /* "TCP connect timeout": Paho's connectTimeout ran out (a host that drops the SYN, or a server that
     * accepts and never answers the WebSocket upgrade or the CONNECT). */
    if (message != NULL && strstr(message, "timeout") != NULL) {
        return APP_MQTT_ERROR_TIMEOUT;
    }
    if (message != NULL && strcmp(message, "TCP/TLS connect failure") == 0) {
        return APP_MQTT_ERROR_TCP_REFUSED;
    }
    return APP_MQTT_ERROR_TRANSPORT;
}

/* True when the callback's client is the current one (not one destroyed since); caller holds the mutex. */
static bool is_current_locked(const sim_mqtt_binding_t *binding)
{
    return binding->generation == binding->owner->generation;
}

static void post(sim_mqtt_t *mqtt, const app_event_t *event)
{
    if (!mqtt->executor->post(mqtt->executor_ctx, event)) {
        (void)fprintf(stderr, "irrigation-sim: mqtt: %s lost (application queue full)\n",
                      app_event_kind_to_str(event->kind));
    }
}

static void post_kind(sim_mqtt_t *mqtt, app_event_kind_t kind, int32_t code)
{
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = kind;
    event.code = code;
    post(mqtt, &event);
}

/* ---- Paho callbacks (Paho's threads): translate and post, plus one stderr line at most (see header) -----
 */

static void on_connect_success(void *context, MQTTAsync_successData *response)
{
    const sim_mqtt_binding_t *binding = context;
    sim_mqtt_t *mqtt = binding->owner;
    (void)pthread_mutex_lock(&mqtt->mutex);
    bool current = is_current_locked(binding) && mqtt->link == SIM_MQTT_CONNECTING;
    if (current) {
        mqtt->link = SIM_MQTT_CONNECTED;
    }
    (void)pthread_mutex_unlock(&mqtt->mutex);
    if (!current) {
        return; /* the application dropped this attempt (network down) */
    }
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = APP_EVENT_MQTT_CONNECTED;
    event.flag = response != NULL && response->alt.connect.sessionPresent != 0;
    post(mqtt, &event);
}

/* Paho counts whole seconds; rounded up so that a sub-second setting still gets a timeout. */
static int connect_timeout_s(const sim_mqtt_t *mqtt)
{
    const int seconds = (int)((mqtt->network_timeout_ms + 999u) / 1000u);
    return seconds < 1 ? 1 : seconds;
}

/* OpenSSL's error during a handshake (Paho's thread): only remembered, for the failure that follows. */
static int on_tls_error(const char *text, size_t len, void *context)
{
    (void)text;
    (void)len;
    sim_mqtt_t *mqtt = context;
    atomic_store(&mqtt->tls_error, true);
    return 0;
}

static void on_connect_failure(void *context, MQTTAsync_failureData *response)
{
    const sim_mqtt_binding_t *binding = context;
    sim_mqtt_t *mqtt = binding->owner;
    int code = response != NULL ? response->code : MQTTASYNC_FAILURE;
    const char *message = response != NULL ? response->message : NULL;
    log_code("connect failed", code, message);

    (void)pthread_mutex_lock(&mqtt->mutex);
    bool current = is_current_locked(binding) && mqtt->link == SIM_MQTT_CONNECTING;
    if (current) {
        mqtt->link = SIM_MQTT_IDLE;
    }
    (void)pthread_mutex_unlock(&mqtt->mutex);
    if (!current) {
        return;
    }
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = APP_EVENT_MQTT_ERROR;
    event.error_kind =
        sim_mqtt_classify_failure(code, message, mqtt->uri, atomic_exchange(&mqtt->tls_error, false));
    /* A timeout's code is the time waited (Paho counts whole seconds: connect_timeout_s). */
    event.code = event.error_kind == APP_MQTT_ERROR_TIMEOUT ? (int32_t)connect_timeout_s(mqtt) * 1000 : code;
    post(mqtt, &event); /* a PROTOCOL kind makes the application name the likely cause (the path) */
    post_kind(mqtt, APP_EVENT_MQTT_DISCONNECTED, code);
}

static void on_connection_lost(void *context, char *cause)
{
    const sim_mqtt_binding_t *binding = context;
    sim_mqtt_t *mqtt = binding->owner;
    (void)fprintf(stderr, "irrigation-sim: mqtt: connection lost%s%s\n", cause != NULL ? ": " : "",
                  cause != NULL ? cause : "");
    (void)pthread_mutex_lock(&mqtt->mutex);
    bool report = is_current_locked(binding) && mqtt->link != SIM_MQTT_IDLE;
    if (report) {
        mqtt->link = SIM_MQTT_IDLE;
    }
    (void)pthread_mutex_unlock(&mqtt->mutex);
    if (report) {
        post_kind(mqtt, APP_EVENT_MQTT_DISCONNECTED, 0);
    }
}

static void on_delivery_complete(void *context, MQTTAsync_token token)
{
    /* QoS 1: called on PUBACK with the token MQTTAsync_sendMessage returned (the msg_id we handed out). */
    const sim_mqtt_binding_t *binding = context;
    sim_mqtt_t *mqtt = binding->owner;
    (void)pthread_mutex_lock(&mqtt->mutex);
    bool current = is_current_locked(binding);
    (void)pthread_mutex_unlock(&mqtt->mutex);
    if (!current) {
        return; /* a PUBACK for a client already replaced: its msg ids mean nothing now */
    }
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = APP_EVENT_MQTT_PUBLISHED;
    event.msg_id = (int32_t)token;
    post(mqtt, &event);
}

static void on_publish_failure(void *context, MQTTAsync_failureData *response)
{
    const sim_mqtt_binding_t *binding = context;
    sim_mqtt_t *mqtt = binding->owner;
    (void)pthread_mutex_lock(&mqtt->mutex);
    bool current = is_current_locked(binding);
    (void)pthread_mutex_unlock(&mqtt->mutex);
    if (!current) {
        return;
    }
    int code = response != NULL ? response->code : MQTTASYNC_FAILURE;
    log_code("publish dropped", code, response != NULL ? response->message : NULL);
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = APP_EVENT_MQTT_DELETED;
    event.msg_id = response != NULL ? (int32_t)response->token : -1;
    event.code = code;
    post(mqtt, &event);
}

static int on_message_arrived(void *context, char *topic, int topic_len, MQTTAsync_message *message)
{
    /* The device subscribes to nothing; anything that arrives anyway is freed and acknowledged. */
    (void)context;
    (void)topic_len;
    MQTTAsync_freeMessage(&message);
    MQTTAsync_free(topic);
    return 1;
}

/* ---- port (application task) --------------------------------------------------------------------------- */

/* Creates the Paho client of the next generation (the previous one is already destroyed). */
static app_err_t create_client(sim_mqtt_t *mqtt)
{
    /* Paho needs "wss://" only with its SSL library (paho-mqtt3as), which the simulator links. */
    MQTTAsync_createOptions create = MQTTAsync_createOptions_initializer;
    create.MQTTVersion = MQTTVERSION_3_1_1;
    create.sendWhileDisconnected = 0;
    MQTTAsync client = NULL;
    int rc = MQTTAsync_createWithOptions(&client, mqtt->uri, mqtt->client_id, MQTTCLIENT_PERSISTENCE_NONE,
                                         NULL, &create);
    if (rc != MQTTASYNC_SUCCESS) {
        log_code("create failed", rc, mqtt->uri);
        return rc == MQTTASYNC_BAD_PROTOCOL ? APP_ERR_BAD_URI : APP_ERR_PLATFORM;
    }
    (void)pthread_mutex_lock(&mqtt->mutex);
    mqtt->generation++;
    sim_mqtt_binding_t *binding = &mqtt->bindings[mqtt->generation % 2];
    binding->owner = mqtt;
    binding->generation = mqtt->generation;
    (void)pthread_mutex_unlock(&mqtt->mutex);
    rc =
        MQTTAsync_setCallbacks(client, binding, on_connection_lost, on_message_arrived, on_delivery_complete);
    if (rc != MQTTASYNC_SUCCESS) {
        log_code("setCallbacks failed", rc, NULL);
        MQTTAsync_destroy(&client);
        return APP_ERR_PLATFORM;
    }
    mqtt->client = client;
    mqtt->client_used = false;
    return APP_OK;
}

static void destroy_client(sim_mqtt_t *mqtt)
{
    MQTTAsync client = mqtt->client;
    mqtt->client = NULL;
    if (client != NULL) {
        MQTTAsync_destroy(&client);
    }
}

app_err_t sim_mqtt_configure(void *ctx, const mqtt_client_config_t *cfg)
{
    sim_mqtt_t *mqtt = ctx;
    if (mqtt == NULL || cfg == NULL || cfg->uri == NULL || cfg->client_id == NULL || cfg->username == NULL ||
        cfg->password == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    if (!bounded_text_copy_whole(mqtt->username, sizeof(mqtt->username), cfg->username) ||
        !bounded_text_copy_whole(mqtt->password, sizeof(mqtt->password), cfg->password)) {
        return APP_ERR_TOO_LONG;
    }
    /* Paho retries unacknowledged publishes every retryInterval seconds (0: only on reconnect). */
    mqtt->retry_interval_s = (int)((cfg->retransmit_ms + 999u) / 1000u);
    if (mqtt->client != NULL) {
        return APP_ERR_INVALID_ARG; /* configured once at start */
    }
    size_t uri_len = strlen(cfg->uri);
    size_t id_len = strlen(cfg->client_id);
    if (uri_len + 1 > sizeof(mqtt->uri) || id_len + 1 > sizeof(mqtt->client_id)) {
        return APP_ERR_TOO_LONG;
    }
    memcpy(mqtt->uri, cfg->uri, uri_len + 1);
    memcpy(mqtt->client_id, cfg->client_id, id_len + 1);
    mqtt->keepalive_s = cfg->keepalive_s;
    mqtt->network_timeout_ms = cfg->network_timeout_ms;

    /* Created here (not at the first connect) so that a URI Paho refuses is reported at start-up. */
    return create_client(mqtt);
}

/* Keeps the last will of this attempt (Paho copies nothing before connect). */
static bool keep_will(sim_mqtt_t *mqtt, const mqtt_message_t *will)
{
    mqtt->has_will = will != NULL;
    if (will == NULL) {
        return true;
    }
    if (!bounded_text_copy_whole(mqtt->will_topic, sizeof(mqtt->will_topic), will->topic) ||
        will->payload_len > sizeof(mqtt->will_payload)) {
        return false;
    }
    memcpy(mqtt->will_payload, will->payload, will->payload_len);
    mqtt->will_len = will->payload_len;
    mqtt->will_retained = will->retain;
    mqtt->will_qos = will->qos;
    return true;
}

app_err_t sim_mqtt_connect(void *ctx, const mqtt_connect_request_t *req)
{
    sim_mqtt_t *mqtt = ctx;
    if (mqtt == NULL || mqtt->client == NULL || req == NULL || req->uri == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    if (!keep_will(mqtt, req->will)) {
        return APP_ERR_TOO_LONG;
    }
    if (strcmp(req->uri, mqtt->uri) != 0) {
        /* Another broker of the list: a client for that URI. */
        if (!bounded_text_copy_whole(mqtt->uri, sizeof(mqtt->uri), req->uri)) {
            return APP_ERR_BAD_URI;
        }
        mqtt->client_used = true;
    }
    if (mqtt->client_used) {
        /* Every further attempt on a fresh client: see the header. */
        destroy_client(mqtt);
        app_err_t created = create_client(mqtt);
        if (created != APP_OK) {
            return created;
        }
    }
    mqtt->client_used = true;
    post_kind(mqtt, APP_EVENT_MQTT_BEFORE_CONNECT, 0);

    MQTTAsync_connectOptions opts = MQTTAsync_connectOptions_initializer;
    opts.MQTTVersion = MQTTVERSION_3_1_1;
    opts.cleansession = 1;
    opts.keepAliveInterval = mqtt->keepalive_s;
    opts.connectTimeout = connect_timeout_s(mqtt);
    opts.automaticReconnect = 0;
    opts.retryInterval = mqtt->retry_interval_s;
    if (mqtt->username[0] != '\0') {
        opts.username = mqtt->username;
    }
    if (mqtt->password[0] != '\0') {
        opts.password = mqtt->password;
    }
    MQTTAsync_willOptions will = MQTTAsync_willOptions_initializer;
    if (mqtt->has_will) {
        will.topicName = mqtt->will_topic;
        will.message = NULL;
        will.payload.data = mqtt->will_payload;
        will.payload.len = (int)mqtt->will_len;
        will.retained = mqtt->will_retained ? 1 : 0;
        will.qos = mqtt->will_qos;
        opts.will = &will;
    }
    MQTTAsync_SSLOptions ssl = MQTTAsync_SSLOptions_initializer;
    atomic_store(&mqtt->tls_error, false);
    if (strncmp(mqtt->uri, "wss://", 6) == 0) {
        ssl.ssl_error_cb = on_tls_error;
        ssl.ssl_error_context = mqtt;
        /* Verified: the server's certificate against the CA file (or the system's store) and its name. */
        ssl.trustStore = mqtt->ca_file[0] != '\0' ? mqtt->ca_file : NULL;
        ssl.enableServerCertAuth = 1;
        ssl.verify = 1;
        opts.ssl = &ssl;
    }
    opts.onSuccess = on_connect_success;
    opts.onFailure = on_connect_failure;
    (void)pthread_mutex_lock(&mqtt->mutex);
    opts.context = &mqtt->bindings[mqtt->generation % 2];
    (void)pthread_mutex_unlock(&mqtt->mutex);

    /* Set before the call (the outcome may arrive on Paho's thread before it returns); not held across it,
     * so that Paho never waits on our mutex while we wait on Paho's. */
    (void)pthread_mutex_lock(&mqtt->mutex);
    mqtt->link = SIM_MQTT_CONNECTING;
    (void)pthread_mutex_unlock(&mqtt->mutex);
    int rc = MQTTAsync_connect(mqtt->client, &opts);
    if (rc != MQTTASYNC_SUCCESS) {
        (void)pthread_mutex_lock(&mqtt->mutex);
        mqtt->link = SIM_MQTT_IDLE;
        (void)pthread_mutex_unlock(&mqtt->mutex);
        /* The attempt never started: no callback will come, the application counts it as failed. */
        log_code("connect not started", rc, NULL);
        return APP_ERR_PLATFORM;
    }
    return APP_OK;
}

app_err_t sim_mqtt_disconnect(void *ctx)
{
    sim_mqtt_t *mqtt = ctx;
    if (mqtt == NULL || mqtt->client == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    (void)pthread_mutex_lock(&mqtt->mutex);
    /* From here on no outcome of the current attempt or connection is reported: the application asked. */
    mqtt->link = SIM_MQTT_IDLE;
    (void)pthread_mutex_unlock(&mqtt->mutex);
    MQTTAsync_disconnectOptions opts = MQTTAsync_disconnectOptions_initializer;
    opts.timeout = SIM_MQTT_DISCONNECT_TIMEOUT_MS;
    int rc = MQTTAsync_disconnect(mqtt->client, &opts);
    if (rc != MQTTASYNC_SUCCESS && rc != MQTTASYNC_DISCONNECTED) {
        log_code("disconnect", rc, NULL);
    }
    return APP_OK; /* "safe when not connected" */
}

bool sim_mqtt_is_connected(void *ctx)
{
    sim_mqtt_t *mqtt = ctx;
    if (mqtt == NULL) {
        return false;
    }
    (void)pthread_mutex_lock(&mqtt->mutex);
    const bool connected = mqtt->link == SIM_MQTT_CONNECTED;
    (void)pthread_mutex_unlock(&mqtt->mutex);
    return connected;
}

app_err_t sim_mqtt_publish(void *ctx, const mqtt_message_t *publish, int32_t *msg_id)
{
    sim_mqtt_t *mqtt = ctx;
    if (mqtt == NULL || mqtt->client == NULL || publish == NULL || publish->topic == NULL ||
        (publish->payload == NULL && publish->payload_len > 0) || msg_id == NULL || publish->qos > 1 ||
        publish->payload_len > (size_t)INT32_MAX) {
        return APP_ERR_INVALID_ARG;
    }
    const char *topic = publish->topic;
    MQTTAsync_message message = MQTTAsync_message_initializer;
    message.payload = (void *)publish->payload; /* Paho copies it before sendMessage returns */
    message.payloadlen = (int)publish->payload_len;
    message.qos = publish->qos;
    message.retained = publish->retain ? 1 : 0;
    MQTTAsync_responseOptions response = MQTTAsync_responseOptions_initializer;
    response.onFailure = on_publish_failure;
    (void)pthread_mutex_lock(&mqtt->mutex);
    response.context = &mqtt->bindings[mqtt->generation % 2];
    (void)pthread_mutex_unlock(&mqtt->mutex);
    int rc = MQTTAsync_sendMessage(mqtt->client, topic, &message, &response);
    switch (rc) {
        case MQTTASYNC_SUCCESS:
            *msg_id = (int32_t)response.token;
            return APP_OK;
        case MQTTASYNC_MAX_BUFFERED_MESSAGES:
        case MQTTASYNC_MAX_MESSAGES_INFLIGHT:
        case MQTTASYNC_NO_MORE_MSGIDS:
            log_code("publish refused", rc, NULL);
            return APP_ERR_OUTBOX_FULL;
        case MQTTASYNC_DISCONNECTED:
            log_code("publish refused", rc, NULL);
            return APP_ERR_NOT_CONNECTED;
        default:
            log_code("publish refused", rc, NULL);
            return APP_ERR_PUBLISH;
    }
}
