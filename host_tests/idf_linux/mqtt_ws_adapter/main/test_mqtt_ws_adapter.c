/*
 * mqtt_ws_adapter on ESP-IDF's linux target: the project's adapter driving the real ESP-MQTT over ws://
 * against real brokers, through the two ports the application uses (mqtt_session_port_t,
 * mqtt_publisher_port_t) and nothing else of the adapter, so the cases keep their meaning while the adapter
 * changes inside.
 *
 * The brokers are started by the pytest fixture (host_tests/idf_linux/conftest.py), which passes their
 * addresses in the environment:
 *   IRRIGATION_TEST_NATS_WS         ws://127.0.0.1:P/mqtt of nats-server (the production stand-in)
 *   IRRIGATION_TEST_NATS_WRONG_PATH the same listener with the path "/" (NATS's own protocol, not MQTT)
 *   IRRIGATION_TEST_MOSQUITTO_WS    ws://127.0.0.1:P/mqtt of mosquitto
 *   IRRIGATION_TEST_VICTIM_WS, IRRIGATION_TEST_VICTIM_PID  a NATS of its own that one case kills
 *   IRRIGATION_TEST_PUBACK_RUNS, IRRIGATION_TEST_CYCLES     counts (defaults 20 and 100)
 * Figures are printed as "figure: NAME VALUE..." lines, which the pytest side collects and prints.
 */
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "domain/device_registration.h"
#include "esp_timer.h"
#include "event_recorder.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "mqtt_ws_adapter.h"
#include "unity.h"

#define TOPIC              "/liwaisi/iot/smart-irrigation/device/registration"
#define CONNECT_TIMEOUT_MS 10000
#define PUBACK_TIMEOUT_MS  10000
#define EVENT_QUEUE_DEPTH  64
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

typedef struct {
    mqtt_ws_adapter_t adapter;
    event_recorder_t events;
} client_t;

/* One adapter per case: configure() is once per adapter, as in the firmware. Not freed: the port has no
 * destroy, and the process ends with the test run. */
static client_t *client_create(const char *uri, const char *client_id)
{
    client_t *client = calloc(1, sizeof(*client));
    TEST_ASSERT_NOT_NULL(client);
    TEST_ASSERT_TRUE(event_recorder_init(&client->events, EVENT_QUEUE_DEPTH));
    TEST_ASSERT_EQUAL(APP_OK, mqtt_ws_adapter_init(&client->adapter, &event_recorder_port, &client->events));
    const mqtt_client_config_t config = {
        .uri = uri,
        .client_id = client_id,
        .keepalive_s = 60,
        .network_timeout_ms = 10000,
        .buffer_size = 1024,
        .out_buffer_size = 2560,
        .task_stack_size = 6144,
        .task_priority = 5,
        .outbox_limit = 0,
    };
    TEST_ASSERT_EQUAL(APP_OK, mqtt_ws_adapter_session_port.configure(&client->adapter, &config));
    return client;
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
    while (mqtt_ws_adapter_session_port.connect(&client->adapter) != APP_OK) {
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
        TEST_ASSERT_EQUAL(APP_OK, mqtt_ws_adapter_session_port.connect(&client->adapter));
    } else {
        connect_again(client);
    }
    expect_event(client, APP_EVENT_MQTT_CONNECTED, CONNECT_TIMEOUT_MS);
    timing.connected_ms = ms_since(started_us);
    TEST_ASSERT_EQUAL(
        APP_OK, mqtt_ws_adapter_publisher_port.publish(&client->adapter, TOPIC, payload, len, 1, &msg_id));
    TEST_ASSERT_GREATER_THAN_INT32(0, msg_id);
    const app_event_t published = expect_event(client, APP_EVENT_MQTT_PUBLISHED, PUBACK_TIMEOUT_MS);
    TEST_ASSERT_EQUAL_INT32(msg_id, published.msg_id);
    timing.puback_ms = ms_since(started_us);
    return timing;
}

TEST_CASE("NATS: connect, registration QoS 1, PUBLISHED with the same msg id", "[mqtt][nats]")
{
    client_t *client = client_create(env_text("IRRIGATION_TEST_NATS_WS"), "ESP32_1D1A01");
    connect_and_register(client, true);
    disconnect_and_clear(client);
}

TEST_CASE("Mosquitto: connect, registration QoS 1, PUBLISHED with the same msg id", "[mqtt][mosquitto]")
{
    client_t *client = client_create(env_text("IRRIGATION_TEST_MOSQUITTO_WS"), "ESP32_1D1A02");
    connect_and_register(client, true);
    disconnect_and_clear(client);
}

TEST_CASE("wrong WebSocket path: ERROR then DISCONNECTED, never CONNECTED", "[mqtt][nats]")
{
    client_t *client = client_create(env_text("IRRIGATION_TEST_NATS_WRONG_PATH"), "ESP32_1D1A03");
    TEST_ASSERT_EQUAL(APP_OK, mqtt_ws_adapter_session_port.connect(&client->adapter));
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
    client_t *client = client_create(env_text("IRRIGATION_TEST_VICTIM_WS"), "ESP32_1D1A04");
    connect_and_register(client, true);

    TEST_ASSERT_EQUAL_MESSAGE(0, kill(victim, SIGKILL), "kill(victim broker)");
    const app_event_t error = expect_event(client, APP_EVENT_MQTT_ERROR, CONNECT_TIMEOUT_MS);
    TEST_ASSERT_EQUAL(APP_MQTT_ERROR_TRANSPORT, error.error_kind);
    expect_event(client, APP_EVENT_MQTT_DISCONNECTED, CONNECT_TIMEOUT_MS);
    /* Auto-reconnect is off: not even an attempt (BEFORE_CONNECT) until the application asks. */
    expect_silence(client, NO_RECONNECT_WINDOW_MS);

    /* Asked: exactly one attempt, refused by the host (nothing listens any more), ending in DISCONNECTED. */
    TEST_ASSERT_EQUAL(APP_OK, mqtt_ws_adapter_session_port.connect(&client->adapter));
    expect_event(client, APP_EVENT_MQTT_BEFORE_CONNECT, CONNECT_TIMEOUT_MS);
    const app_event_t refused = expect_event(client, APP_EVENT_MQTT_ERROR, CONNECT_TIMEOUT_MS);
    TEST_ASSERT_EQUAL(APP_MQTT_ERROR_TRANSPORT, refused.error_kind);
    TEST_ASSERT_EQUAL_INT32(ECONNREFUSED, refused.code);
    expect_event(client, APP_EVENT_MQTT_DISCONNECTED, CONNECT_TIMEOUT_MS);
    expect_silence(client, NO_RECONNECT_WINDOW_MS);
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
    client_t *client = client_create(env_text("IRRIGATION_TEST_NATS_WS"), "ESP32_1D1A05");
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
    client_t *client = client_create(env_text("IRRIGATION_TEST_NATS_WS"), "ESP32_1D1A06");
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
