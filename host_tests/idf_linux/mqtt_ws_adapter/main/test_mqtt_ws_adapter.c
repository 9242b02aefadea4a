/*
 * mqtt_ws_adapter on ESP-IDF's linux target: the project's adapter driving the real ESP-MQTT over ws://
 * against real brokers, through the two ports the application uses (mqtt_session_port_t,
 * mqtt_publisher_port_t), so the cases keep their meaning while the adapter changes inside. Two cases look
 * at the socket under the adapter's own WebSocket transport (adapter.ws): one reads TCP_NODELAY back, one
 * shuts the socket down to lose the connection without an MQTT DISCONNECT, as a power cut would.
 *
 * The brokers are started by the pytest fixture (host_tests/idf_linux/conftest.py), which passes their
 * addresses in the environment:
 *   IRRIGATION_TEST_NATS_WS         ws://127.0.0.1:P/mqtt of nats-server (the production stand-in)
 *   IRRIGATION_TEST_NATS_WRONG_PATH the same listener with the path "/nats" (NATS's own protocol, not MQTT)
 *   IRRIGATION_TEST_MOSQUITTO_WS    ws://127.0.0.1:P/mqtt of mosquitto
 *   IRRIGATION_TEST_VICTIM_WS, IRRIGATION_TEST_VICTIM_PID  a NATS of its own that one case kills
 *   IRRIGATION_TEST_PUBACK_RUNS, IRRIGATION_TEST_PUBLISH_RUNS, IRRIGATION_TEST_CYCLES  counts (20, 50, 100)
 * Figures are printed as "figure: NAME VALUE..." lines, which the pytest side collects and prints.
 */
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include "domain/device_presence.h"
#include "domain/device_registration.h"
#include "esp_timer.h"
#include "event_recorder.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "mqtt_ws_adapter.h"
#include "unity.h"

/* tcp_transport's private API (private_include/esp_transport_internal.h, defined in transport.c), which the
 * adapter uses the same way: the ws transport answers its parent's socket. */
int esp_transport_get_socket(esp_transport_handle_t t);

#define TOPIC               "/liwaisi/iot/smart-irrigation/device/registration"
#define STATUS_TOPIC        "/liwaisi/iot/smart-irrigation/device/{mac}/status"
#define CONNECT_TIMEOUT_MS  10000
#define PUBACK_TIMEOUT_MS   10000
#define RETAINED_TIMEOUT_MS 5000
#define EVENT_QUEUE_DEPTH   64
/* Longer than the adapter's reconnect wait slice and ESP-MQTT's default reconnect delay would matter: any
 * reconnection of ESP-MQTT's own would show as a BEFORE_CONNECT in this window. */
#define NO_RECONNECT_WINDOW_MS 5000
/* Between disconnect() and the next connect(): the application never does both in one event either. */
#define RECONNECT_GAP_MS       100
#define CONNECT_RETRY_LIMIT_MS 15000
#define HEAP_SETTLE_MS         1500
#define WARM_UP_CYCLES         5
/* A leak of more than 5 bytes per cycle over 100 cycles exceeds this (measured growth: 0 B). */
#define HEAP_GROWTH_LIMIT_BYTES 512

/* ESP-IDF's esp_timer is headers-only on the linux target (facts, esp-idf-v5.4.2.md); ESP-MQTT's platform
 * layer reads the time through it, so the test app provides it from the host's monotonic clock. */
int64_t esp_timer_get_time(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
}

/* Bytes the C library's allocator has handed out and not taken back: every allocation of ESP-MQTT, its
 * transport and its task (FreeRTOS's linux port allocates with malloc). The fixture sets MALLOC_ARENA_MAX=1
 * so that one arena holds them all and mallinfo2() sees every thread's allocations, and turns glibc's
 * per-thread cache off (GLIBC_TUNABLES), whose cached chunks would count as in use. */
static size_t heap_in_use(void)
{
    const struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}

static const char *env_text(const char *name)
{
    const char *value = getenv(name);
    if (value == NULL || value[0] == '\0') {
        char message[96];
        snprintf(message, sizeof(message), "%s is not set (run through pytest, see conftest.py)", name);
        TEST_FAIL_MESSAGE(message);
    }
    return value;
}

static int env_count(const char *name, int fallback)
{
    const char *value = getenv(name);
    return value != NULL && atoi(value) > 0 ? atoi(value) : fallback;
}

/* One simulated device: the adapter, its events, and the last will the application would give it (the
 * retained "offline" presence on its status topic). */
typedef struct {
    mqtt_ws_adapter_t adapter;
    event_recorder_t events;
    const char *uri;
    char will_topic[MQTT_WS_ADAPTER_WILL_TOPIC_MAX_LEN + 1];
    char will_payload[DEVICE_PRESENCE_JSON_MAX_SIZE];
    mqtt_message_t will;
} client_t;

/* The application's last will for a device with this MAC (presence.c: QoS 1, retained, "offline"). */
static void make_will(client_t *client, const mac_address_t *mac)
{
    const ipv4_address_t ip = {.octets = {192, 168, 1, 50}};
    size_t len = 0;
    TEST_ASSERT_EQUAL(
        DOMAIN_OK, device_presence_topic(STATUS_TOPIC, mac, client->will_topic, sizeof(client->will_topic)));
    TEST_ASSERT_EQUAL(DOMAIN_OK,
                      device_presence_to_json(mac, DEVICE_PRESENCE_OFFLINE, &ip, client->will_payload,
                                              sizeof(client->will_payload), &len));
    client->will = (mqtt_message_t){.topic = client->will_topic,
                                    .payload = client->will_payload,
                                    .payload_len = len,
                                    .qos = 1,
                                    .retain = true};
}

/* One adapter per case: configure() is once per adapter, as in the firmware. Not freed: the port has no
 * destroy, and the process ends with the test run. The client id is the application's for the MAC. */
static client_t *client_create(const char *uri, uint8_t mac_last_byte)
{
    const mac_address_t mac = {.bytes = {0x24, 0x6F, 0x28, 0x1D, 0x1A, mac_last_byte}};
    char client_id[MAC_ADDRESS_CLIENT_ID_SIZE];
    client_t *client = calloc(1, sizeof(*client));
    TEST_ASSERT_NOT_NULL(client);
    TEST_ASSERT_TRUE(event_recorder_init(&client->events, EVENT_QUEUE_DEPTH));
    TEST_ASSERT_EQUAL(APP_OK,
                      mqtt_ws_adapter_init(&client->adapter, &event_recorder_port, &client->events, NULL));
    mac_address_client_id(&mac, client_id);
    make_will(client, &mac);
    client->uri = uri;
    const mqtt_client_config_t config = {
        .uri = uri,
        .client_id = client_id,
        .username = "",
        .password = "",
        .keepalive_s = 60,
        .network_timeout_ms = 10000,
        .retransmit_ms = 1000,
        .buffer_size = 1024,
        .out_buffer_size = 2560,
        .task_stack_size = 6144,
        .task_priority = 5,
        .outbox_limit = 0,
    };
    TEST_ASSERT_EQUAL(APP_OK, mqtt_ws_adapter_session_port.configure(&client->adapter, &config));
    return client;
}

/* connect() as the application makes it: the broker and the last will. */
static app_err_t client_connect(client_t *client)
{
    const mqtt_connect_request_t request = {.uri = client->uri, .will = &client->will};
    return mqtt_ws_adapter_session_port.connect(&client->adapter, &request);
}

static app_err_t client_publish(client_t *client, const char *topic, const char *payload, size_t len,
                                int32_t *msg_id)
{
    const mqtt_message_t message = {.topic = topic, .payload = payload, .payload_len = len, .qos = 1};
    return mqtt_ws_adapter_publisher_port.publish(&client->adapter, &message, msg_id);
}

/* The socket under the adapter's WebSocket transport (the connection ESP-MQTT holds). */
static int client_socket(client_t *client)
{
    return esp_transport_get_socket(client->adapter.ws);
}

static void describe(const app_event_t *event, char *text, size_t size)
{
    snprintf(text, size, "%s (error %s, code %" PRId32 ", msg id %" PRId32 ")",
             app_event_kind_to_str(event->kind), app_mqtt_error_kind_to_str(event->error_kind), event->code,
             event->msg_id);
}

/* The next event other than BEFORE_CONNECT must be `kind`; any other event fails the case, naming it. */
static app_event_t expect_event(client_t *client, app_event_kind_t kind, uint32_t timeout_ms)
{
    app_event_t event;
    char text[160];
    const int64_t deadline_us = esp_timer_get_time() + (int64_t)timeout_ms * 1000;
    for (;;) {
        const int64_t left_us = deadline_us - esp_timer_get_time();
        if (left_us <= 0 || !event_recorder_next(&client->events, (uint32_t)(left_us / 1000) + 1, &event)) {
            snprintf(text, sizeof(text), "no %s within %" PRIu32 " ms", app_event_kind_to_str(kind),
                     timeout_ms);
            TEST_FAIL_MESSAGE(text);
        }
        if (event.kind == kind) {
            return event;
        }
        if (event.kind != APP_EVENT_MQTT_BEFORE_CONNECT) {
            char got[120];
            describe(&event, got, sizeof(got));
            snprintf(text, sizeof(text), "expected %s, got %s", app_event_kind_to_str(kind), got);
            TEST_FAIL_MESSAGE(text);
        }
    }
}

static void expect_silence(client_t *client, uint32_t window_ms)
{
    app_event_t event;
    if (event_recorder_next(&client->events, window_ms, &event)) {
        char got[120];
        char text[160];
        describe(&event, got, sizeof(got));
        snprintf(text, sizeof(text), "expected no event for %" PRIu32 " ms, got %s", window_ms, got);
        TEST_FAIL_MESSAGE(text);
    }
}

/* connect() after a disconnect_and_clear(). An adapter that stops its client on a worker may refuse while
 * the stop is still running: retried. */
static void connect_again(client_t *client)
{
    const int64_t deadline_us = esp_timer_get_time() + (int64_t)CONNECT_RETRY_LIMIT_MS * 1000;
    while (client_connect(client) != APP_OK) {
        TEST_ASSERT_TRUE_MESSAGE(esp_timer_get_time() < deadline_us, "connect() refused for 15 s");
        vTaskDelay(pdMS_TO_TICKS(RECONNECT_GAP_MS));
    }
}

/* disconnect(), then a pause before any connect(), as the application's retry timer makes: never both in
 * one turn. */
static void disconnect_and_clear(client_t *client)
{
    TEST_ASSERT_EQUAL(APP_OK, mqtt_ws_adapter_session_port.disconnect(&client->adapter));
    vTaskDelay(pdMS_TO_TICKS(RECONNECT_GAP_MS));
    event_recorder_clear(&client->events);
}

/* A registration message as the application builds it, at its usual size (about 200 bytes). */
static size_t registration_payload(char *buf, size_t size)
{
    const mac_address_t mac = {.bytes = {0x24, 0x6F, 0x28, 0xAA, 0xBB, 0xCC}};
    const ipv4_address_t ip = {.octets = {192, 168, 1, 50}};
    device_registration_t message;
    size_t len = 0;
    TEST_ASSERT_EQUAL(DOMAIN_OK, device_registration_create(&message, &mac, &ip, "Riego Invernadero Norte",
                                                            "Invernadero 3, fila 7, sector de tomates"));
    TEST_ASSERT_EQUAL(DOMAIN_OK, device_registration_to_json(&message, buf, size, &len));
    return len;
}

typedef struct {
    double connected_ms; /* connect() -> CONNECTED */
    double puback_ms;    /* connect() -> PUBLISHED */
} timing_t;

static double ms_since(int64_t started_us)
{
    return (double)(esp_timer_get_time() - started_us) / 1000.0;
}

/* connect, CONNECTED, a QoS 1 registration, PUBLISHED with the msg id publish() returned. */
static timing_t connect_and_register(client_t *client, bool first)
{
    timing_t timing;
    const int64_t started_us = esp_timer_get_time();
    static char payload[DEVICE_REGISTRATION_JSON_MAX_SIZE];
    const size_t len = registration_payload(payload, sizeof(payload));
    int32_t msg_id = -1;

    if (first) {
        TEST_ASSERT_EQUAL(APP_OK, client_connect(client));
    } else {
        connect_again(client);
    }
    expect_event(client, APP_EVENT_MQTT_CONNECTED, CONNECT_TIMEOUT_MS);
    timing.connected_ms = ms_since(started_us);
    TEST_ASSERT_EQUAL(APP_OK, client_publish(client, TOPIC, payload, len, &msg_id));
    TEST_ASSERT_GREATER_THAN_INT32(0, msg_id);
    const app_event_t published = expect_event(client, APP_EVENT_MQTT_PUBLISHED, PUBACK_TIMEOUT_MS);
    TEST_ASSERT_EQUAL_INT32(msg_id, published.msg_id);
    timing.puback_ms = ms_since(started_us);
    return timing;
}

/* The adapter sets TCP_NODELAY on CONNECTED (before it posts the event): read it back from the socket. */
static void expect_no_delay(client_t *client)
{
    const int sock = client_socket(client);
    int value = 0;
    socklen_t len = sizeof(value);
    TEST_ASSERT_GREATER_OR_EQUAL_INT_MESSAGE(0, sock, "no socket under the ws transport");
    TEST_ASSERT_EQUAL_INT(0, getsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &value, &len));
    TEST_ASSERT_NOT_EQUAL_MESSAGE(0, value, "TCP_NODELAY is off on the connected socket");
}

TEST_CASE("NATS: connect, registration QoS 1, PUBLISHED with the same msg id", "[mqtt][nats]")
{
    client_t *client = client_create(env_text("IRRIGATION_TEST_NATS_WS"), 0x01);
    connect_and_register(client, true);
    expect_no_delay(client);
    disconnect_and_clear(client);
}

TEST_CASE("Mosquitto: connect, registration QoS 1, PUBLISHED with the same msg id", "[mqtt][mosquitto]")
{
    client_t *client = client_create(env_text("IRRIGATION_TEST_MOSQUITTO_WS"), 0x02);
    connect_and_register(client, true);
    expect_no_delay(client);
    disconnect_and_clear(client);
}

TEST_CASE("wrong WebSocket path: ERROR then DISCONNECTED, never CONNECTED", "[mqtt][nats]")
{
    client_t *client = client_create(env_text("IRRIGATION_TEST_NATS_WRONG_PATH"), 0x03);
    TEST_ASSERT_EQUAL(APP_OK, client_connect(client));
    const app_event_t error = expect_event(client, APP_EVENT_MQTT_ERROR, CONNECT_TIMEOUT_MS);
    printf("wrong path: %s error, code %" PRId32 "\n", app_mqtt_error_kind_to_str(error.error_kind),
           error.code);
    expect_event(client, APP_EVENT_MQTT_DISCONNECTED, CONNECT_TIMEOUT_MS);
    expect_silence(client, NO_RECONNECT_WINDOW_MS);
    disconnect_and_clear(client);
}

TEST_CASE("broker killed: ERROR then DISCONNECTED, no reconnect until connect() again", "[mqtt][nats]")
{
    const pid_t victim = (pid_t)atoi(env_text("IRRIGATION_TEST_VICTIM_PID"));
    TEST_ASSERT_GREATER_THAN_INT(1, victim);
    client_t *client = client_create(env_text("IRRIGATION_TEST_VICTIM_WS"), 0x04);
    connect_and_register(client, true);

    TEST_ASSERT_EQUAL_MESSAGE(0, kill(victim, SIGKILL), "kill(victim broker)");
    const app_event_t error = expect_event(client, APP_EVENT_MQTT_ERROR, CONNECT_TIMEOUT_MS);
    TEST_ASSERT_EQUAL(APP_MQTT_ERROR_TRANSPORT, error.error_kind);
    expect_event(client, APP_EVENT_MQTT_DISCONNECTED, CONNECT_TIMEOUT_MS);
    /* Auto-reconnect is off: not even an attempt (BEFORE_CONNECT) until the application asks. */
    expect_silence(client, NO_RECONNECT_WINDOW_MS);

    /* Asked: exactly one attempt, refused by the host (nothing listens any more), ending in DISCONNECTED. */
    TEST_ASSERT_EQUAL(APP_OK, client_connect(client));
    expect_event(client, APP_EVENT_MQTT_BEFORE_CONNECT, CONNECT_TIMEOUT_MS);
    const app_event_t refused = expect_event(client, APP_EVENT_MQTT_ERROR, CONNECT_TIMEOUT_MS);
    TEST_ASSERT_EQUAL(APP_MQTT_ERROR_TCP_REFUSED, refused.error_kind);
    TEST_ASSERT_EQUAL_INT32(ECONNREFUSED, refused.code);
    expect_event(client, APP_EVENT_MQTT_DISCONNECTED, CONNECT_TIMEOUT_MS);
    expect_silence(client, NO_RECONNECT_WINDOW_MS);
    disconnect_and_clear(client);
}

/* ---- the last will: an independent subscriber (a plain ESP-MQTT client) sees what the broker stored ---- */

typedef struct {
    char data[DEVICE_PRESENCE_JSON_MAX_SIZE];
    int len;
    bool retain;
} observed_t;

typedef struct {
    esp_mqtt_client_handle_t client;
    QueueHandle_t messages; /* observed_t, from the observer's MQTT task */
    const char *topic;
} observer_t;

static void observer_on_event(void *arg, esp_event_base_t base, int32_t event_id, void *event_data)
{
    observer_t *observer = arg;
    const esp_mqtt_event_t *event = event_data;
    (void)base;
    if (event_id == MQTT_EVENT_CONNECTED) {
        /* Subscribing from the handler is ESP-MQTT's own example pattern: it only queues the packet. */
        (void)esp_mqtt_client_subscribe(observer->client, observer->topic, 1);
    } else if (event_id == MQTT_EVENT_DATA && event->data_len < (int)sizeof(((observed_t *)0)->data)) {
        observed_t message = {.len = event->data_len, .retain = event->retain};
        memcpy(message.data, event->data, (size_t)event->data_len);
        (void)xQueueSend(observer->messages, &message, 0);
    }
}

static observer_t *observer_start(const char *uri, const char *client_id, const char *topic)
{
    observer_t *observer = calloc(1, sizeof(*observer));
    TEST_ASSERT_NOT_NULL(observer);
    observer->topic = topic;
    observer->messages = xQueueCreate(4, sizeof(observed_t));
    TEST_ASSERT_NOT_NULL(observer->messages);
    const esp_mqtt_client_config_t config = {
        .broker.address.uri = uri,
        .credentials.client_id = client_id,
        .network.disable_auto_reconnect = true,
    };
    observer->client = esp_mqtt_client_init(&config);
    TEST_ASSERT_NOT_NULL(observer->client);
    TEST_ASSERT_EQUAL(ESP_OK, esp_mqtt_client_register_event(observer->client, MQTT_EVENT_ANY,
                                                             observer_on_event, observer));
    TEST_ASSERT_EQUAL(ESP_OK, esp_mqtt_client_start(observer->client));
    return observer;
}

static bool observer_next(observer_t *observer, uint32_t timeout_ms, observed_t *out)
{
    return xQueueReceive(observer->messages, out, pdMS_TO_TICKS(timeout_ms)) == pdTRUE;
}

static void observer_stop(observer_t *observer)
{
    (void)esp_mqtt_client_stop(observer->client);
    (void)esp_mqtt_client_destroy(observer->client);
    vQueueDelete(observer->messages);
    free(observer);
}

static void expect_will(observer_t *observer, const client_t *client, bool retained)
{
    observed_t message;
    TEST_ASSERT_TRUE_MESSAGE(observer_next(observer, RETAINED_TIMEOUT_MS, &message),
                             retained ? "no retained last will for a new subscriber"
                                      : "no last will published");
    TEST_ASSERT_EQUAL_INT((int)client->will.payload_len, message.len);
    TEST_ASSERT_EQUAL_MEMORY(client->will.payload, message.data, client->will.payload_len);
    TEST_ASSERT_EQUAL(retained, message.retain);
}

TEST_CASE("NATS: connection lost without DISCONNECT: the broker publishes the retained last will",
          "[mqtt][nats][will]")
{
    const char *uri = env_text("IRRIGATION_TEST_NATS_WS");
    client_t *client = client_create(uri, 0x07);
    observed_t unexpected;
    observer_t *watching = observer_start(uri, "will-observer-1", client->will_topic);
    connect_and_register(client, true);
    /* Connected and registered: nothing on the status topic yet (the will is held by the broker). */
    TEST_ASSERT_FALSE_MESSAGE(observer_next(watching, 1000, &unexpected), "status published before the loss");

    /* The connection ends without an MQTT DISCONNECT, as when the device loses power or its link: both
     * directions of the socket under the adapter's transport are shut down. */
    TEST_ASSERT_EQUAL_INT(0, shutdown(client_socket(client), SHUT_RDWR));
    expect_event(client, APP_EVENT_MQTT_ERROR, CONNECT_TIMEOUT_MS);
    expect_event(client, APP_EVENT_MQTT_DISCONNECTED, CONNECT_TIMEOUT_MS);
    expect_will(watching, client, false); /* a live delivery to an existing subscription: retain 0 */
    observer_stop(watching);

    /* A subscriber that comes later gets it as the retained message (retain 1), as the dashboard would. */
    observer_t *later = observer_start(uri, "will-observer-2", client->will_topic);
    expect_will(later, client, true);
    /* Tidy: an empty retained message clears it on the broker. */
    (void)esp_mqtt_client_publish(later->client, client->will_topic, NULL, 0, 1, 1);
    vTaskDelay(pdMS_TO_TICKS(RECONNECT_GAP_MS));
    observer_stop(later);
    disconnect_and_clear(client);
}

static void print_figure(const char *name, const double *values, int count)
{
    printf("figure: %s", name);
    for (int i = 0; i < count; i++) {
        printf(" %.3f", values[i]);
    }
    printf("\n");
}

TEST_CASE("NATS: connect -> PUBACK time of fresh connections", "[mqtt][nats][figure]")
{
    enum { MAX_RUNS = 200 };
    static double connected_ms[MAX_RUNS];
    static double puback_ms[MAX_RUNS];
    static char payload[DEVICE_REGISTRATION_JSON_MAX_SIZE];
    int runs = env_count("IRRIGATION_TEST_PUBACK_RUNS", 20);
    runs = runs > MAX_RUNS ? MAX_RUNS : runs;
    client_t *client = client_create(env_text("IRRIGATION_TEST_NATS_WS"), 0x05);
    for (int run = 0; run < runs; run++) {
        const timing_t timing = connect_and_register(client, run == 0);
        connected_ms[run] = timing.connected_ms;
        puback_ms[run] = timing.puback_ms;
        disconnect_and_clear(client);
    }
    /* Printed after the runs: ESP-MQTT's own log lines would otherwise cut them. */
    printf("figure: registration_bytes %zu\n", registration_payload(payload, sizeof(payload)));
    print_figure("connect_to_connected_ms", connected_ms, runs);
    print_figure("connect_to_puback_ms", puback_ms, runs);
}

TEST_CASE("NATS: publish -> PUBACK time on an open connection", "[mqtt][nats][figure]")
{
    enum { MAX_RUNS = 500 };
    static double puback_ms[MAX_RUNS];
    static char payload[DEVICE_REGISTRATION_JSON_MAX_SIZE];
    int runs = env_count("IRRIGATION_TEST_PUBLISH_RUNS", 50);
    runs = runs > MAX_RUNS ? MAX_RUNS : runs;
    const size_t len = registration_payload(payload, sizeof(payload));
    client_t *client = client_create(env_text("IRRIGATION_TEST_NATS_WS"), 0x08);
    connect_and_register(client, true);
    for (int run = 0; run < runs; run++) {
        int32_t msg_id = -1;
        const int64_t started_us = esp_timer_get_time();
        TEST_ASSERT_EQUAL(APP_OK, client_publish(client, TOPIC, payload, len, &msg_id));
        const app_event_t published = expect_event(client, APP_EVENT_MQTT_PUBLISHED, PUBACK_TIMEOUT_MS);
        TEST_ASSERT_EQUAL_INT32(msg_id, published.msg_id);
        puback_ms[run] = ms_since(started_us);
    }
    disconnect_and_clear(client);
    print_figure("publish_to_puback_ms", puback_ms, runs);
}

static void idle_task(void *arg)
{
    (void)arg;
    vTaskDelete(NULL);
}

/* The same number of bare FreeRTOS task lifetimes (ESP-MQTT starts one task per connect): what the linux
 * port of FreeRTOS and the C library keep per thread, measured the same way, printed beside the figure. */
static long task_cycles_growth(int cycles)
{
    vTaskDelay(pdMS_TO_TICKS(HEAP_SETTLE_MS));
    const size_t before = heap_in_use();
    for (int cycle = 0; cycle < cycles; cycle++) {
        TaskHandle_t task = NULL;
        TEST_ASSERT_EQUAL(pdPASS, xTaskCreate(idle_task, "bare", 6144, NULL, 5, &task));
        vTaskDelay(pdMS_TO_TICKS(10));
    }
    vTaskDelay(pdMS_TO_TICKS(HEAP_SETTLE_MS));
    return (long)heap_in_use() - (long)before;
}

TEST_CASE("100 disconnect/connect cycles: no heap growth", "[mqtt][nats][figure]")
{
    const int cycles = env_count("IRRIGATION_TEST_CYCLES", 100);
    client_t *client = client_create(env_text("IRRIGATION_TEST_NATS_WS"), 0x06);
    /* Warm-up: what the first connections allocate for good (resolver, ESP-MQTT's first-use state). */
    const size_t start = heap_in_use();
    connect_and_register(client, true);
    disconnect_and_clear(client);
    for (int cycle = 1; cycle < WARM_UP_CYCLES; cycle++) {
        connect_again(client);
        expect_event(client, APP_EVENT_MQTT_CONNECTED, CONNECT_TIMEOUT_MS);
        disconnect_and_clear(client);
    }
    /* FreeRTOS frees a deleted task's stack later, on its idle task. */
    vTaskDelay(pdMS_TO_TICKS(HEAP_SETTLE_MS));
    const size_t before = heap_in_use();
    size_t halfway = before;

    for (int cycle = 0; cycle < cycles; cycle++) {
        connect_again(client);
        expect_event(client, APP_EVENT_MQTT_CONNECTED, CONNECT_TIMEOUT_MS);
        disconnect_and_clear(client);
        if (cycle + 1 == cycles / 2) {
            halfway = heap_in_use();
        }
    }
    vTaskDelay(pdMS_TO_TICKS(HEAP_SETTLE_MS));
    const size_t after = heap_in_use();
    const long growth = (long)after - (long)before;
    const long bare_tasks = task_cycles_growth(cycles);
    printf("figure: heap_in_use_bytes warm_up=%ld before=%zu halfway=%zu after=%zu growth=%ld cycles=%d "
           "bare_task_growth=%ld\n",
           (long)before - (long)start, before, halfway, after, growth, cycles, bare_tasks);
    TEST_ASSERT_LESS_OR_EQUAL_INT32(HEAP_GROWTH_LIMIT_BYTES, (int32_t)growth);
}

void app_main(void)
{
    /* Before ESP-MQTT creates any thread: one malloc arena, so heap_in_use() sees all threads. */
    mallopt(M_ARENA_MAX, 1);
    unity_run_menu();
}
