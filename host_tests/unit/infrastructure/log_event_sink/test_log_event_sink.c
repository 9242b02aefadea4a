/* log_event_sink: the text of each domain event, and one ESP_LOG line per event or notice at its level. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "fake_esp_log.h"
#include "log_event_sink.h"

static int setup(void **state)
{
    (void)state;
    fake_esp_log_reset();
    fake_esp_log_set_echo(0);
    return 0;
}

typedef struct {
    domain_event_t event;
    const char *text;
} format_case_t;

static domain_event_t state_changed(mqtt_connection_state_t from, mqtt_connection_state_t to)
{
    domain_event_t e = {.kind = DOMAIN_EVENT_CONNECTION_STATE_CHANGED};
    e.data.state_changed.old_state = from;
    e.data.state_changed.new_state = to;
    return e;
}

static void test_each_domain_event_has_its_line(void **state)
{
    (void)state;
    format_case_t cases[10];
    size_t n = 0;
    cases[n].event = state_changed(MQTT_CONNECTION_CONNECTING, MQTT_CONNECTION_REGISTERING);
    cases[n++].text = "state connecting -> registering";
    memset(&cases[n].event, 0, sizeof(cases[n].event));
    cases[n].event.kind = DOMAIN_EVENT_CONNECT_ATTEMPT;
    cases[n].event.data.connect_attempt.attempt = 3;
    cases[n].event.data.connect_attempt.broker_index = 1;
    cases[n++].text = "connect attempt 3 (broker 2 of the list)";
    memset(&cases[n].event, 0, sizeof(cases[n].event));
    cases[n].event.kind = DOMAIN_EVENT_RETRY_SCHEDULED;
    cases[n].event.data.retry_scheduled.delay_ms = 60000;
    cases[n].event.data.retry_scheduled.failures = 2;
    cases[n++].text = "retry in 60000 ms (consecutive failures: 2)";
    memset(&cases[n].event, 0, sizeof(cases[n].event));
    cases[n].event.kind = DOMAIN_EVENT_DEVICE_REGISTERED;
    cases[n].event.data.registered.msg_id = 12;
    cases[n].event.data.registered.ip = (ipv4_address_t){{192, 168, 1, 20}};
    cases[n++].text = "registered: msg_id 12, ip 192.168.1.20";
    memset(&cases[n].event, 0, sizeof(cases[n].event));
    cases[n].event.kind = DOMAIN_EVENT_REGISTRATION_FAILED;
    cases[n].event.data.registration_failed.reason = REGISTRATION_FAILURE_PUBLISH_REFUSED;
    cases[n].event.data.registration_failed.detail = 10;
    cases[n].text = NULL; /* filled below: the reason text is the domain's */
    n++;
    memset(&cases[n].event, 0, sizeof(cases[n].event));
    cases[n].event.kind = DOMAIN_EVENT_REGISTRATION_FAILED;
    cases[n].event.data.registration_failed.reason = REGISTRATION_FAILURE_INVALID_MESSAGE;
    cases[n].event.data.registration_failed.detail = DOMAIN_ERR_NAME_TOO_LONG;
    cases[n].text = NULL;
    n++;
    memset(&cases[n].event, 0, sizeof(cases[n].event));
    cases[n].event.kind = DOMAIN_EVENT_WIFI_LINK_CHANGED;
    cases[n].event.data.wifi_link.old_state = WIFI_LINK_CONNECTED;
    cases[n].event.data.wifi_link.new_state = WIFI_LINK_BACKOFF;
    cases[n].event.data.wifi_link.mode = WIFI_LINK_MODE_STATION;
    cases[n].event.data.wifi_link.reason = 201;
    cases[n].event.data.wifi_link.retry_ms = 30000;
    cases[n++].text = "wifi connected -> backoff (station, last reason 201, retry in 30000 ms)";
    memset(&cases[n].event, 0, sizeof(cases[n].event));
    cases[n].event.kind = DOMAIN_EVENT_PRESENCE;
    cases[n].event.data.presence.online = true;
    cases[n].event.data.presence.msg_id = 4;
    cases[n++].text = "presence online queued: msg_id 4";
    memset(&cases[n].event, 0, sizeof(cases[n].event));
    cases[n].event.kind = DOMAIN_EVENT_SHUT_DOWN;
    cases[n++].text = "shut down: the broker session is closed";
    memset(&cases[n].event, 0, sizeof(cases[n].event));
    cases[n].event.kind = DOMAIN_EVENT_COUNT;
    cases[n++].text = "domain event 8";

    char expected_refused[LOG_EVENT_SINK_LINE_MAX];
    char expected_invalid[LOG_EVENT_SINK_LINE_MAX];
    snprintf(expected_refused, sizeof(expected_refused), "registration failed: %s (code 10)",
             registration_failure_to_str(REGISTRATION_FAILURE_PUBLISH_REFUSED));
    snprintf(expected_invalid, sizeof(expected_invalid), "registration failed: %s (%s)",
             registration_failure_to_str(REGISTRATION_FAILURE_INVALID_MESSAGE),
             domain_status_to_str(DOMAIN_ERR_NAME_TOO_LONG));
    cases[4].text = expected_refused;
    cases[5].text = expected_invalid;

    for (size_t i = 0; i < n; i++) {
        char line[LOG_EVENT_SINK_LINE_MAX];
        int len = log_event_sink_format(&cases[i].event, line, sizeof(line));
        assert_string_equal(line, cases[i].text);
        assert_int_equal(len, (int)strlen(cases[i].text));
    }
}

static void test_format_cuts_at_the_buffer_and_terminates(void **state)
{
    (void)state;
    char line[8];
    domain_event_t e = state_changed(MQTT_CONNECTION_WAITING, MQTT_CONNECTION_CONNECTING);
    int len = log_event_sink_format(&e, line, sizeof(line));
    assert_string_equal(line, "state w");
    assert_int_equal(len, (int)strlen("state waiting -> connecting"));
}

static void test_a_domain_event_is_one_info_line_under_one_tag(void **state)
{
    (void)state;
    domain_event_t e = state_changed(MQTT_CONNECTION_REGISTERING, MQTT_CONNECTION_REGISTERED);
    log_event_sink_port.on_domain_event(NULL, &e);
    assert_int_equal(fake_esp_log_count(), 1);
    assert_int_equal(fake_esp_log_last()->level, ESP_LOG_INFO);
    assert_string_equal(fake_esp_log_last()->tag, LOG_EVENT_SINK_TAG);
    assert_string_equal(fake_esp_log_last()->message, "state registering -> registered");
}

static void test_a_registration_failure_is_a_warning(void **state)
{
    (void)state;
    domain_event_t e = {.kind = DOMAIN_EVENT_REGISTRATION_FAILED};
    e.data.registration_failed.reason = REGISTRATION_FAILURE_DELETED;
    log_event_sink_port.on_domain_event(NULL, &e);
    assert_int_equal(fake_esp_log_count(), 1);
    assert_int_equal(fake_esp_log_last()->level, ESP_LOG_WARN);
}

typedef struct {
    app_notice_level_t level;
    esp_log_level_t esp_level;
} notice_case_t;

static void test_a_notice_keeps_its_level_and_text(void **state)
{
    (void)state;
    static const notice_case_t cases[] = {
        {APP_NOTICE_INFO, ESP_LOG_INFO},
        {APP_NOTICE_WARNING, ESP_LOG_WARN},
        {APP_NOTICE_ERROR, ESP_LOG_ERROR},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fake_esp_log_reset();
        log_event_sink_port.on_notice(NULL, cases[i].level, "device_name too long: default used");
        assert_int_equal(fake_esp_log_count(), 1);
        assert_int_equal(fake_esp_log_last()->level, cases[i].esp_level);
        assert_string_equal(fake_esp_log_last()->tag, LOG_EVENT_SINK_TAG);
        assert_string_equal(fake_esp_log_last()->message, "device_name too long: default used");
    }
}

static void test_a_notice_message_is_not_a_format_string(void **state)
{
    (void)state;
    log_event_sink_port.on_notice(NULL, APP_NOTICE_INFO, "100% %s %d");
    assert_string_equal(fake_esp_log_last()->message, "100% %s %d");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_each_domain_event_has_its_line, setup),
        cmocka_unit_test_setup(test_format_cuts_at_the_buffer_and_terminates, setup),
        cmocka_unit_test_setup(test_a_domain_event_is_one_info_line_under_one_tag, setup),
        cmocka_unit_test_setup(test_a_registration_failure_is_a_warning, setup),
        cmocka_unit_test_setup(test_a_notice_keeps_its_level_and_text, setup),
        cmocka_unit_test_setup(test_a_notice_message_is_not_a_format_string, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
