/*
 * bench_core: speed and memory figures of the portable core (domain + application), printed as
 * "name value unit" lines for the benchmark task to show.
 *
 * Speed is compared with a reference measured in the same run on the same machine (copying the finished
 * payload with memcpy, the least any serializer must do), so the ratio is meaningful where absolute
 * nanoseconds are not. Memory: the static footprint of the objects the firmware allocates (sizes on this
 * host; a 32-bit ESP32 has smaller pointers) and the heap the core uses while working, which must be 0.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "application/application.h"
#include "domain/device_registration.h"
#include "domain/mqtt_connection.h"

#define ITERATIONS 200000u

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Keeps the compiler from dropping work whose result is otherwise unused. */
static volatile size_t sink;

static device_registration_t sample_message(void)
{
    mac_address_t mac;
    ipv4_address_t ip;
    (void)mac_address_parse("A4:CF:12:0B:8E:01", &mac);
    (void)ipv4_address_parse("192.168.100.200", &ip);
    device_registration_t msg;
    (void)device_registration_create(&msg, &mac, &ip,
                                     "Riego \"Lote 3\" \xc3\x91"
                                     "ame \\ norte",
                                     "Vereda El Rosal, Tolima \xe2\x80\x94 finca La Esperanza\tsector 2");
    return msg;
}

static void bench_serialize(void)
{
    const device_registration_t msg = sample_message();
    static char out[DEVICE_REGISTRATION_JSON_MAX_SIZE];
    static char copy[DEVICE_REGISTRATION_JSON_MAX_SIZE];
    size_t len = 0;
    (void)device_registration_to_json(&msg, out, sizeof(out), &len);

    uint64_t start = now_ns();
    for (uint32_t i = 0; i < ITERATIONS; i++) {
        size_t n = 0;
        (void)device_registration_to_json(&msg, out, sizeof(out), &n);
        sink += n;
    }
    const double serialize_ns = (double)(now_ns() - start) / ITERATIONS;

    start = now_ns();
    for (uint32_t i = 0; i < ITERATIONS; i++) {
        memcpy(copy, out, len + 1);
        sink += (size_t)copy[i % len];
    }
    const double memcpy_ns = (double)(now_ns() - start) / ITERATIONS;

    printf("registration_payload_bytes %zu B\n", len);
    printf("serialize_registration %.1f ns/message\n", serialize_ns);
    printf("reference_memcpy_payload %.1f ns/message\n", memcpy_ns);
    printf("serialize_vs_memcpy %.1f x\n", memcpy_ns > 0 ? serialize_ns / memcpy_ns : 0.0);
}

static void bench_state_machine(void)
{
    mqtt_connection_t conn;
    (void)mqtt_connection_init(&conn, NULL);
    mqtt_connection_commands_t out;
    mqtt_connection_event_t ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = MQTT_CONNECTION_EV_HTTP_STARTED;
    (void)mqtt_connection_handle(&conn, &ev, &out);
    /* One lap: up, connected, queued, acked, lost, retry, ... the everyday path of a rural link. */
    static const mqtt_connection_event_kind_t lap[] = {
        MQTT_CONNECTION_EV_NETWORK_UP,        MQTT_CONNECTION_EV_MQTT_CONNECTED,
        MQTT_CONNECTION_EV_PUBLISH_QUEUED,    MQTT_CONNECTION_EV_REGISTRATION_ACKED,
        MQTT_CONNECTION_EV_MQTT_DISCONNECTED, MQTT_CONNECTION_EV_RETRY_TIMER_FIRED,
        MQTT_CONNECTION_EV_MQTT_CONNECTED,    MQTT_CONNECTION_EV_NETWORK_DOWN,
    };
    const size_t lap_len = sizeof(lap) / sizeof(lap[0]);
    ev.msg_id = 7;
    const uint64_t start = now_ns();
    for (uint32_t i = 0; i < ITERATIONS; i++) {
        ev.kind = lap[i % lap_len];
        sink += (size_t)mqtt_connection_handle(&conn, &ev, &out) + out.count;
    }
    printf("state_machine_transition %.1f ns/event\n", (double)(now_ns() - start) / ITERATIONS);
}

static void report_memory(void)
{
    printf("sizeof_application_t %zu B\n", sizeof(application_t));
    printf("sizeof_register_device_t %zu B\n", sizeof(register_device_t));
    printf("sizeof_mqtt_connection_t %zu B\n", sizeof(mqtt_connection_t));
    printf("sizeof_status_snapshot_t %zu B\n", sizeof(app_status_snapshot_t));
    printf("sizeof_app_event_t %zu B\n", sizeof(app_event_t));

    /* The core promises no heap: measure it over a burst of real work. */
    const struct mallinfo2 before = mallinfo2();
    const device_registration_t msg = sample_message();
    static char out[DEVICE_REGISTRATION_JSON_MAX_SIZE];
    for (int i = 0; i < 1000; i++) {
        size_t n = 0;
        (void)device_registration_to_json(&msg, out, sizeof(out), &n);
        sink += n;
    }
    const struct mallinfo2 after = mallinfo2();
    printf("core_heap_growth %zd B\n", (ssize_t)(after.uordblks - before.uordblks));
}

int main(void)
{
    bench_serialize();
    bench_state_machine();
    report_memory();
    return 0;
}
