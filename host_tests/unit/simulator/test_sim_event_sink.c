/* sim_event_sink: the JSON lines of docs/simulator.md's event stream. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_event_sink.h"

typedef struct {
    FILE *stream;
    char *buf;
    size_t size;
    uint64_t now;
    sim_event_sink_t sink;
    int listened;
    domain_event_kind_t last_kind;
} fixture_t;

static uint64_t fake_clock(void *ctx)
{
    return ((fixture_t *)ctx)->now;
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->stream = open_memstream(&f->buf, &f->size);
    assert_non_null(f->stream);
    f->now = 1234;
    assert_true(sim_event_sink_init(&f->sink, f->stream, fake_clock, f));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    sim_event_sink_deinit(&f->sink);
    fclose(f->stream);
    free(f->buf);
    free(f);
    return 0;
}

static const char *output(fixture_t *f)
{
    fflush(f->stream);
    return f->buf;
}

static domain_event_t event_of(domain_event_kind_t kind)
{
    domain_event_t e;
    memset(&e, 0, sizeof(e));
    e.kind = kind;
    return e;
}

static void test_state_change_line(void **state)
{
    fixture_t *f = *state;
    domain_event_t e = event_of(DOMAIN_EVENT_CONNECTION_STATE_CHANGED);
    e.data.state_changed.old_state = MQTT_CONNECTION_WAITING;
    e.data.state_changed.new_state = MQTT_CONNECTION_CONNECTING;
    sim_event_sink_on_domain_event(&f->sink, &e);
    assert_string_equal(output(f),
                        "{\"event\":\"state\",\"t_ms\":1234,\"from\":\"waiting\",\"to\":\"connecting\"}\n");
}

static void test_connect_attempt_line(void **state)
{
    fixture_t *f = *state;
    domain_event_t e = event_of(DOMAIN_EVENT_CONNECT_ATTEMPT);
    e.data.connect_attempt.attempt = 3;
    e.data.connect_attempt.broker_index = 1;
    sim_event_sink_on_domain_event(&f->sink, &e);
    assert_string_equal(output(f),
                        "{\"event\":\"connect_attempt\",\"t_ms\":1234,\"attempt\":3,\"broker\":1}\n");
}

static void test_connect_attempt_line_names_the_broker_of_the_list(void **state)
{
    fixture_t *f = *state;
    static mqtt_settings_t mqtt;
    strcpy(mqtt.broker_uri, "ws://10.0.0.1:8080,ws://10.0.0.2:8080/mqtt");
    strcpy(mqtt.ws_path, "/mqtt");
    strcpy(mqtt.status_topic, "/farm/{mac}/status");
    const mac_address_t mac = {{0xA4, 0xCF, 0x12, 0x0B, 0x8E, 0x01}};
    sim_event_sink_set_mqtt(&f->sink, &mqtt, &mac);
    domain_event_t e = event_of(DOMAIN_EVENT_CONNECT_ATTEMPT);
    e.data.connect_attempt.attempt = 2;
    e.data.connect_attempt.broker_index = 1;
    sim_event_sink_on_domain_event(&f->sink, &e);
    e = event_of(DOMAIN_EVENT_PRESENCE);
    e.data.presence.online = true;
    e.data.presence.msg_id = 5;
    sim_event_sink_on_domain_event(&f->sink, &e);
    assert_string_equal(output(f), "{\"event\":\"connect_attempt\",\"t_ms\":1234,\"attempt\":2,\"broker\":1,"
                                   "\"uri\":\"ws://10.0.0.2:8080/mqtt\"}\n"
                                   "{\"event\":\"presence\",\"t_ms\":1234,\"status\":\"online\",\"msg_id\":5,"
                                   "\"topic\":\"/farm/A4CF120B8E01/status\"}\n");
}

static void test_retry_scheduled_line(void **state)
{
    fixture_t *f = *state;
    domain_event_t e = event_of(DOMAIN_EVENT_RETRY_SCHEDULED);
    e.data.retry_scheduled.delay_ms = 60000;
    e.data.retry_scheduled.failures = 2;
    sim_event_sink_on_domain_event(&f->sink, &e);
    assert_string_equal(output(f),
                        "{\"event\":\"retry_scheduled\",\"t_ms\":1234,\"delay_ms\":60000,\"failures\":2}\n");
}

static void test_registered_line(void **state)
{
    fixture_t *f = *state;
    domain_event_t e = event_of(DOMAIN_EVENT_DEVICE_REGISTERED);
    e.data.registered.msg_id = 7;
    e.data.registered.ip = (ipv4_address_t){{192, 168, 1, 20}};
    sim_event_sink_on_domain_event(&f->sink, &e);
    assert_string_equal(output(f),
                        "{\"event\":\"registered\",\"t_ms\":1234,\"msg_id\":7,\"ip\":\"192.168.1.20\"}\n");
}

static void test_registration_failed_line_names_the_rule(void **state)
{
    fixture_t *f = *state;
    domain_event_t e = event_of(DOMAIN_EVENT_REGISTRATION_FAILED);
    e.data.registration_failed.reason = REGISTRATION_FAILURE_INVALID_MESSAGE;
    e.data.registration_failed.detail = DOMAIN_ERR_NAME_TOO_LONG;
    sim_event_sink_on_domain_event(&f->sink, &e);
    char expected[256];
    snprintf(expected, sizeof(expected),
             "{\"event\":\"registration_failed\",\"t_ms\":1234,\"reason\":\"%s\",\"detail\":%d,"
             "\"detail_text\":\"device_name is longer than 100 bytes\"}\n",
             registration_failure_to_str(REGISTRATION_FAILURE_INVALID_MESSAGE),
             (int)DOMAIN_ERR_NAME_TOO_LONG);
    assert_string_equal(output(f), expected);
}

static void test_registration_failed_line_with_a_platform_code(void **state)
{
    fixture_t *f = *state;
    domain_event_t e = event_of(DOMAIN_EVENT_REGISTRATION_FAILED);
    e.data.registration_failed.reason = REGISTRATION_FAILURE_PUBLISH_REFUSED;
    e.data.registration_failed.detail = -12;
    sim_event_sink_on_domain_event(&f->sink, &e);
    char expected[256];
    snprintf(expected, sizeof(expected),
             "{\"event\":\"registration_failed\",\"t_ms\":1234,\"reason\":\"%s\",\"detail\":-12}\n",
             registration_failure_to_str(REGISTRATION_FAILURE_PUBLISH_REFUSED));
    assert_string_equal(output(f), expected);
}

static void test_notice_line_escapes_the_message(void **state)
{
    fixture_t *f = *state;
    sim_event_sink_on_notice(&f->sink, APP_NOTICE_WARNING, "name \"x\\y\"\n\ttab ñ \x01");
    assert_string_equal(output(f), "{\"event\":\"notice\",\"t_ms\":1234,\"level\":\"warning\","
                                   "\"message\":\"name \\\"x\\\\y\\\"\\n\\ttab ñ \\u0001\"}\n");
}

static void test_notice_levels(void **state)
{
    fixture_t *f = *state;
    sim_event_sink_on_notice(&f->sink, APP_NOTICE_INFO, "a");
    sim_event_sink_on_notice(&f->sink, APP_NOTICE_ERROR, "b");
    assert_string_equal(output(f),
                        "{\"event\":\"notice\",\"t_ms\":1234,\"level\":\"info\",\"message\":\"a\"}\n"
                        "{\"event\":\"notice\",\"t_ms\":1234,\"level\":\"error\",\"message\":\"b\"}\n");
}

static void test_invalid_utf8_is_replaced_so_the_line_parses(void **state)
{
    fixture_t *f = *state;
    sim_event_sink_on_notice(&f->sink, APP_NOTICE_INFO,
                             "a\xff"
                             "b\xc3"
                             "c\xe2\x82"
                             "d ñ");
    assert_string_equal(
        output(f), "{\"event\":\"notice\",\"t_ms\":1234,\"level\":\"info\",\"message\":\"a?b?c??d ñ\"}\n");
}

static void test_long_notice_is_cut_at_a_character_boundary(void **state)
{
    fixture_t *f = *state;
    static char message[3000];
    for (size_t i = 0; i + 2 < sizeof(message); i += 2) {
        memcpy(message + i, "\xc3\xb1", 2); /* ñ */
    }
    message[sizeof(message) - 1] = '\0';
    sim_event_sink_on_notice(&f->sink, APP_NOTICE_INFO, message);
    const char *out = output(f);
    const char *start = strstr(out, "\"message\":\"") + strlen("\"message\":\"");
    const char *end = strstr(start, "\"}");
    assert_non_null(end);
    assert_int_equal((size_t)(end - start), SIM_EVENT_SINK_MESSAGE_MAX);
}

static void test_started_line(void **state)
{
    fixture_t *f = *state;
    sim_event_started_t s = {.mac = "02:00:00:00:00:01",
                             .ip = "127.0.0.1",
                             .client_id = "ESP32_000001",
                             .broker = "ws://127.0.0.1:18080/mqtt",
                             .config_file = "/tmp/a \"b\".conf"};
    sim_event_sink_started(&f->sink, &s);
    assert_string_equal(output(f), "{\"event\":\"started\",\"t_ms\":1234,\"mac\":\"02:00:00:00:00:01\","
                                   "\"ip\":\"127.0.0.1\",\"client_id\":\"ESP32_000001\","
                                   "\"broker\":\"ws://127.0.0.1:18080/mqtt\","
                                   "\"config_file\":\"/tmp/a \\\"b\\\".conf\"}\n");
}

static void test_http_started_network_and_exit_lines(void **state)
{
    fixture_t *f = *state;
    sim_event_sink_http_started(&f->sink, 40123);
    ipv4_address_t ip = {{10, 0, 0, 9}};
    sim_event_sink_network(&f->sink, false, &ip);
    f->now = 99;
    sim_event_sink_exit(&f->sink, 3, "timeout");
    assert_string_equal(output(f), "{\"event\":\"http_started\",\"t_ms\":1234,\"port\":40123}\n"
                                   "{\"event\":\"network\",\"t_ms\":1234,\"up\":false,\"ip\":\"10.0.0.9\"}\n"
                                   "{\"event\":\"exit\",\"t_ms\":99,\"code\":3,\"reason\":\"timeout\"}\n");
}

static void test_object_members_are_merged_into_the_line(void **state)
{
    fixture_t *f = *state;
    const char body[] = "{\"state\":\"registered\",\"last_registration\":{\"uptime_ms\":5}}";
    assert_true(sim_event_sink_object(&f->sink, "status", body, sizeof(body) - 1));
    assert_string_equal(output(f), "{\"event\":\"status\",\"t_ms\":1234,\"state\":\"registered\","
                                   "\"last_registration\":{\"uptime_ms\":5}}\n");
}

static void test_empty_object_gives_only_the_header(void **state)
{
    fixture_t *f = *state;
    assert_true(sim_event_sink_object(&f->sink, "status", " { } \n", 6));
    assert_string_equal(output(f), "{\"event\":\"status\",\"t_ms\":1234}\n");
}

static void test_non_object_is_refused(void **state)
{
    fixture_t *f = *state;
    assert_false(sim_event_sink_object(&f->sink, "status", "[1]", 3));
    assert_false(sim_event_sink_object(&f->sink, "status", "", 0));
    assert_true(output(f) == NULL || output(f)[0] == '\0');
}

static void test_object_that_does_not_fit_is_refused(void **state)
{
    fixture_t *f = *state;
    static char body[SIM_EVENT_SINK_LINE_MAX + 10];
    memset(body, ' ', sizeof(body));
    body[0] = '{';
    body[sizeof(body) - 1] = '}';
    body[1] = '"';
    body[2] = 'a';
    body[3] = '"';
    body[4] = ':';
    body[5] = '1';
    assert_false(sim_event_sink_object(&f->sink, "status", body, sizeof(body)));
}

static void listener(void *arg, const domain_event_t *event)
{
    fixture_t *f = arg;
    f->listened++;
    f->last_kind = event->kind;
}

static void test_listener_hears_every_domain_event(void **state)
{
    fixture_t *f = *state;
    sim_event_sink_set_listener(&f->sink, listener, f);
    domain_event_t e = event_of(DOMAIN_EVENT_DEVICE_REGISTERED);
    sim_event_sink_on_domain_event(&f->sink, &e);
    assert_int_equal(f->listened, 1);
    assert_int_equal(f->last_kind, DOMAIN_EVENT_DEVICE_REGISTERED);
}

#define WRITERS          4
#define LINES_PER_WRITER 200

static void *writer(void *arg)
{
    fixture_t *f = arg;
    for (int i = 0; i < LINES_PER_WRITER; i++) {
        sim_event_sink_on_notice(&f->sink, APP_NOTICE_INFO,
                                 "a reasonably long message so lines could interleave");
    }
    return NULL;
}

static void test_lines_from_threads_never_interleave(void **state)
{
    fixture_t *f = *state;
    pthread_t threads[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        assert_int_equal(pthread_create(&threads[i], NULL, writer, f), 0);
    }
    for (int i = 0; i < WRITERS; i++) {
        pthread_join(threads[i], NULL);
    }
    const char *expected = "{\"event\":\"notice\",\"t_ms\":1234,\"level\":\"info\","
                           "\"message\":\"a reasonably long message so lines could interleave\"}\n";
    size_t line_len = strlen(expected);
    const char *out = output(f);
    assert_int_equal(strlen(out), line_len * WRITERS * LINES_PER_WRITER);
    for (size_t i = 0; i < WRITERS * LINES_PER_WRITER; i++) {
        assert_memory_equal(out + i * line_len, expected, line_len);
    }
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

static void test_a_device_sink_names_its_mac_in_every_line(void **state)
{
    fixture_t *f = *state;
    mac_address_t mac;
    assert_int_equal(mac_address_parse("02:00:00:00:2a:0f", &mac), DOMAIN_OK);
    sim_event_sink_set_device(&f->sink, &mac);
    domain_event_t e = event_of(DOMAIN_EVENT_CONNECT_ATTEMPT);
    e.data.connect_attempt.attempt = 1;
    sim_event_sink_on_domain_event(&f->sink, &e);
    sim_event_sink_http_started(&f->sink, 80);
    assert_true(sim_event_sink_object(&f->sink, "status", "{\"a\":1}", 7));
    assert_string_equal(
        output(f), "{\"event\":\"connect_attempt\",\"t_ms\":1234,\"mac\":\"02:00:00:00:2A:0F\",\"attempt\":1,"
                   "\"broker\":0}\n"
                   "{\"event\":\"http_started\",\"t_ms\":1234,\"mac\":\"02:00:00:00:2A:0F\",\"port\":80}\n"
                   "{\"event\":\"status\",\"t_ms\":1234,\"mac\":\"02:00:00:00:2A:0F\",\"a\":1}\n");
}

typedef struct {
    sim_event_sink_t sink;
    char message[16];
} device_writer_t;

static void *device_writer(void *arg)
{
    device_writer_t *w = arg;
    for (int i = 0; i < LINES_PER_WRITER; i++) {
        sim_event_sink_on_notice(&w->sink, APP_NOTICE_INFO, w->message);
    }
    return NULL;
}

static void test_sinks_sharing_a_stream_write_whole_lines(void **state)
{
    fixture_t *f = *state;
    static device_writer_t writers[WRITERS];
    pthread_t threads[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        assert_true(sim_event_sink_init(&writers[i].sink, f->stream, NULL, NULL));
        mac_address_t mac = {.bytes = {2, 0, 0, 0, 0, (uint8_t)(i + 1)}};
        sim_event_sink_set_device(&writers[i].sink, &mac);
        snprintf(writers[i].message, sizeof(writers[i].message), "device %d", i + 1);
        assert_int_equal(pthread_create(&threads[i], NULL, device_writer, &writers[i]), 0);
    }
    for (int i = 0; i < WRITERS; i++) {
        pthread_join(threads[i], NULL);
        sim_event_sink_deinit(&writers[i].sink);
    }
    int seen[WRITERS] = {0};
    const char *line = output(f);
    while (*line != '\0') {
        int device = 0;
        int consumed = 0;
        assert_int_equal(sscanf(line,
                                "{\"event\":\"notice\",\"t_ms\":0,\"mac\":\"02:00:00:00:00:%*2d\",\"level\":"
                                "\"info\",\"message\":\"device %d\"}%n",
                                &device, &consumed),
                         1);
        assert_true(device >= 1 && device <= WRITERS);
        assert_int_equal(line[consumed], '\n');
        seen[device - 1]++;
        line += consumed + 1;
    }
    for (int i = 0; i < WRITERS; i++) {
        assert_int_equal(seen[i], LINES_PER_WRITER);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_state_change_line),
        T(test_connect_attempt_line),
        T(test_connect_attempt_line_names_the_broker_of_the_list),
        T(test_retry_scheduled_line),
        T(test_registered_line),
        T(test_registration_failed_line_names_the_rule),
        T(test_registration_failed_line_with_a_platform_code),
        T(test_notice_line_escapes_the_message),
        T(test_notice_levels),
        T(test_invalid_utf8_is_replaced_so_the_line_parses),
        T(test_long_notice_is_cut_at_a_character_boundary),
        T(test_started_line),
        T(test_http_started_network_and_exit_lines),
        T(test_object_members_are_merged_into_the_line),
        T(test_empty_object_gives_only_the_header),
        T(test_non_object_is_refused),
        T(test_object_that_does_not_fit_is_refused),
        T(test_listener_hears_every_domain_event),
        T(test_lines_from_threads_never_interleave),
        T(test_a_device_sink_names_its_mac_in_every_line),
        T(test_sinks_sharing_a_stream_write_whole_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
