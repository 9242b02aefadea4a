/*
 * MqttConnectionUseCase, what keeps a fleet healthy: a cycle succeeds only on the registration's PUBACK, the
 * registration is bounded, failures rotate through the broker list, a lost session is noticed by the
 * liveness check, and the registration is refreshed while connected.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "app_test_support.h"

static int setup(void **state)
{
    *state = app_fixture_new();
    return 0;
}

static int teardown(void **state)
{
    app_fixture_free(*state);
    return 0;
}

static const fake_timer_slot_t *connection_timer(const app_fixture_t *f)
{
    return &f->fakes.timer.timers[APP_TIMER_CONNECTION];
}

/* ---- the registration is bounded, and only its PUBACK resets the schedule ---- */

static void test_registration_not_acknowledged_in_time_drops_the_session(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registering(f);
    assert_int_equal(connection_timer(f)->current.delay_ms, 20000);
    app_fixture_expire_timer(f);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
    assert_int_equal(f->fakes.mqtt.disconnect_calls, 1); /* no client task wakes during the wait */
    assert_int_equal(connection_timer(f)->current.delay_ms, 30000);
    assert_true(f->fakes.power.low_power);
    const domain_event_t *failed = fake_event_sink_last(&f->fakes.events, DOMAIN_EVENT_REGISTRATION_FAILED);
    assert_non_null(failed);
    assert_int_equal(failed->data.registration_failed.reason, REGISTRATION_FAILURE_NOT_ACKNOWLEDGED);
    app_status_snapshot_t s = app_fixture_status(f);
    assert_string_equal(s.last_error, "registration not acknowledged within 20000 ms");
    assert_int_equal(s.pending_msg_id, -1);
    assert_int_equal(s.consecutive_failures, 1);
    assert_int_equal(s.registrations, 0);
}

static void test_a_broker_that_never_acknowledges_sees_the_delays_double(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_connecting(f);
    const uint32_t expected[] = {30000, 60000, 120000, 240000, 480000, 960000, 1920000, 3600000, 3600000};
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
        app_fixture_mqtt_connected(f); /* CONNACK every time ... */
        assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERING);
        app_fixture_expire_timer(f); /* ... never a PUBACK */
        assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
        assert_int_equal(connection_timer(f)->current.delay_ms, expected[i]);
        assert_int_equal(fake_event_sink_last(&f->fakes.events, DOMAIN_EVENT_RETRY_SCHEDULED)
                             ->data.retry_scheduled.delay_ms,
                         expected[i]);
        f->fakes.mqtt.connected = false;
        app_fixture_expire_timer(f);
        assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_CONNECTING);
    }
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_DEVICE_REGISTERED), 0);
}

static void test_disconnect_before_the_puback_keeps_counting(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registering(f);
    app_fixture_mqtt_disconnected(f); /* the broker closed on publish */
    assert_int_equal(connection_timer(f)->current.delay_ms, 30000);
    app_fixture_expire_timer(f);
    app_fixture_mqtt_connected(f);
    app_fixture_mqtt_disconnected(f);
    assert_int_equal(connection_timer(f)->current.delay_ms, 60000);
    app_fixture_expire_timer(f);
    app_fixture_mqtt_connected(f);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, app_fixture_last_registration(f)->msg_id);
    assert_int_equal(app_fixture_status(f).consecutive_failures, 0);
    app_fixture_mqtt_disconnected(f);
    assert_int_equal(connection_timer(f)->current.delay_ms, 30000); /* the PUBACK started it over */
}

static void test_a_late_puback_after_the_timeout_changes_nothing(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registering(f);
    app_fixture_expire_timer(f);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 1);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_DEVICE_REGISTERED), 0);
    assert_int_equal(app_fixture_status(f).consecutive_failures, 1);
}

static void test_registration_timeout_zero_waits_for_the_client(void **state)
{
    app_fixture_t *f = *state;
    f->settings.mqtt.registration_timeout_ms = 0;
    app_fixture_boot_registering(f);
    assert_false(connection_timer(f)->armed);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 1);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED);
}

/* ---- broker failover ---- */

#define BROKERS "ws://10.0.0.1:8080,ws://10.0.0.2:8080/mqtt,ws://10.0.0.3:9000/mqtt"

static void test_the_first_broker_of_the_list_is_configured_and_tried_first(void **state)
{
    app_fixture_t *f = *state;
    strcpy(f->settings.mqtt.broker_uri, BROKERS);
    app_fixture_boot_connecting(f);
    assert_string_equal(f->fakes.mqtt.uri, "ws://10.0.0.1:8080/mqtt"); /* the ws path is added */
    assert_string_equal(f->fakes.mqtt.connect_uri, "ws://10.0.0.1:8080/mqtt");
    assert_int_equal(fake_event_sink_last(&f->fakes.events, DOMAIN_EVENT_CONNECT_ATTEMPT)
                         ->data.connect_attempt.broker_index,
                     0);
}

static void test_a_failed_attempt_moves_to_the_next_broker_and_a_full_round_backs_off(void **state)
{
    app_fixture_t *f = *state;
    strcpy(f->settings.mqtt.broker_uri, BROKERS);
    app_fixture_boot_connecting(f);
    static const char *const next[] = {"ws://10.0.0.2:8080/mqtt", "ws://10.0.0.3:9000/mqtt"};
    for (size_t i = 0; i < 2; i++) {
        app_fixture_mqtt_error(f, APP_MQTT_ERROR_TCP_REFUSED, 111);
        app_fixture_mqtt_disconnected(f);
        /* brokers of the round are left: the next one at once, no low power, no retry of the schedule */
        assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
        assert_int_equal(connection_timer(f)->current.delay_ms, 500);
        assert_false(f->fakes.power.low_power);
        assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_RETRY_SCHEDULED), 0);
        app_fixture_expire_timer(f);
        assert_string_equal(f->fakes.mqtt.connect_uri, next[i]);
        assert_int_equal(app_fixture_status(f).broker_index, i + 1);
    }
    assert_string_equal(app_fixture_status(f).last_error,
                        "connection refused by the broker host (ws://10.0.0.2:8080/mqtt)");
    app_fixture_mqtt_disconnected(f); /* the third broker fails too: a full round */
    assert_int_equal(connection_timer(f)->current.delay_ms, 30000);
    assert_true(f->fakes.power.low_power);
    const domain_event_t *retry = fake_event_sink_last(&f->fakes.events, DOMAIN_EVENT_RETRY_SCHEDULED);
    assert_int_equal(retry->data.retry_scheduled.failures, 1);
    app_fixture_expire_timer(f);
    assert_string_equal(f->fakes.mqtt.connect_uri, "ws://10.0.0.1:8080/mqtt"); /* round two starts over */
    assert_int_equal(
        fake_event_sink_last(&f->fakes.events, DOMAIN_EVENT_CONNECT_ATTEMPT)->data.connect_attempt.attempt,
        4);
    /* the second full round doubles the delay */
    for (size_t i = 0; i < 3; i++) {
        app_fixture_mqtt_disconnected(f);
        if (i < 2) {
            app_fixture_expire_timer(f);
        }
    }
    assert_int_equal(connection_timer(f)->current.delay_ms, 60000);
}

static void test_registration_through_another_broker_resets_the_round(void **state)
{
    app_fixture_t *f = *state;
    strcpy(f->settings.mqtt.broker_uri, BROKERS);
    app_fixture_boot_connecting(f);
    app_fixture_mqtt_disconnected(f); /* broker 1 is down */
    app_fixture_expire_timer(f);
    app_fixture_mqtt_connected(f); /* broker 2 answers */
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 1);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED);
    assert_int_equal(app_fixture_status(f).broker_index, 1);
    /* broker 2 goes away: brokers 3 and 1 are tried before any wait of the schedule */
    app_fixture_mqtt_disconnected(f);
    assert_int_equal(connection_timer(f)->current.delay_ms, 500);
    app_fixture_expire_timer(f);
    assert_string_equal(f->fakes.mqtt.connect_uri, "ws://10.0.0.3:9000/mqtt");
    app_fixture_mqtt_disconnected(f);
    assert_int_equal(connection_timer(f)->current.delay_ms, 500);
    app_fixture_expire_timer(f);
    assert_string_equal(f->fakes.mqtt.connect_uri, "ws://10.0.0.1:8080/mqtt");
    app_fixture_mqtt_disconnected(f);
    assert_int_equal(connection_timer(f)->current.delay_ms, 30000);
}

static void test_the_last_will_goes_with_every_broker_of_the_list(void **state)
{
    app_fixture_t *f = *state;
    strcpy(f->settings.mqtt.broker_uri, BROKERS);
    app_fixture_boot_connecting(f);
    assert_true(f->fakes.mqtt.connect_had_will);
    app_fixture_mqtt_disconnected(f);
    f->fakes.mqtt.connect_had_will = false;
    app_fixture_expire_timer(f);
    assert_true(f->fakes.mqtt.connect_had_will);
    assert_string_equal(f->fakes.mqtt.will.topic, TEST_STATUS_TOPIC);
}

/* ---- liveness ---- */

static void test_liveness_check_while_registered_leaves_a_live_session_alone(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    assert_int_equal(connection_timer(f)->current.delay_ms, 60000);
    for (int i = 0; i < 3; i++) {
        app_fixture_expire_timer(f);
        assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED);
        assert_int_equal(connection_timer(f)->current.delay_ms, 60000);
    }
    assert_int_equal(f->fakes.mqtt.disconnect_calls, 0);
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_RETRY_SCHEDULED), 0);
}

static void test_liveness_check_notices_a_lost_disconnect(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    f->fakes.mqtt.connected = false; /* the client is gone, its DISCONNECTED never reached the queue */
    app_fixture_expire_timer(f);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
    assert_int_equal(f->fakes.mqtt.disconnect_calls, 1);
    assert_int_equal(connection_timer(f)->current.delay_ms, 30000);
    assert_string_equal(app_fixture_status(f).last_error,
                        "mqtt session lost without a disconnect report: reconnecting");
    app_fixture_expire_timer(f);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_CONNECTING);
    assert_int_equal(f->fakes.mqtt.connect_calls, 2);
}

static void test_liveness_zero_arms_nothing_while_registered(void **state)
{
    app_fixture_t *f = *state;
    f->settings.mqtt.liveness_interval_ms = 0;
    f->settings.mqtt.refresh_interval_s = 0;
    app_fixture_boot_registered(f);
    assert_false(connection_timer(f)->armed);
}

/* ---- periodic re-registration ---- */

static void test_the_registration_is_refreshed_every_interval(void **state)
{
    app_fixture_t *f = *state;
    f->settings.mqtt.refresh_interval_s = 150; /* ticks at 60 s, 120 s, then the refresh at 150 s */
    app_fixture_boot_registered(f);
    const uint64_t registered_at = f->fakes.timer.now_ms;
    app_fixture_expire_timer(f);
    app_fixture_expire_timer(f);
    assert_int_equal(app_fixture_registrations_sent(f), 1);
    assert_int_equal(connection_timer(f)->current.delay_ms, 30000);
    app_fixture_expire_timer(f);
    assert_int_equal(f->fakes.timer.now_ms - registered_at, 150000);
    assert_int_equal(app_fixture_registrations_sent(f), 2);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERING);
    assert_int_equal(connection_timer(f)->current.delay_ms, 20000); /* the same bound as any registration */
    assert_int_equal(f->fakes.mqtt.disconnect_calls, 0);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, app_fixture_last_registration(f)->msg_id);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED);
    assert_int_equal(app_fixture_status(f).registrations, 2);
    assert_int_equal(connection_timer(f)->current.delay_ms, 60000); /* and the next interval starts */
}

static void test_an_unacknowledged_refresh_counts_as_a_failure(void **state)
{
    app_fixture_t *f = *state;
    f->settings.mqtt.refresh_interval_s = 60;
    app_fixture_boot_registered(f);
    app_fixture_expire_timer(f); /* refresh */
    assert_int_equal(app_fixture_registrations_sent(f), 2);
    app_fixture_expire_timer(f); /* no PUBACK within the registration timeout */
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
    assert_int_equal(f->fakes.mqtt.disconnect_calls, 1);
    assert_int_equal(connection_timer(f)->current.delay_ms, 30000);
}

static void test_refresh_zero_only_checks_liveness(void **state)
{
    app_fixture_t *f = *state;
    f->settings.mqtt.refresh_interval_s = 0;
    app_fixture_boot_registered(f);
    for (int i = 0; i < 10; i++) {
        app_fixture_expire_timer(f);
    }
    assert_int_equal(app_fixture_registrations_sent(f), 1);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED);
}

/* ---- clear reasons ---- */

static void test_each_connect_failure_has_its_reason(void **state)
{
    app_fixture_t *f = *state;
    strcpy(f->settings.mqtt.broker_uri, "ws://broker.farm.example:8080");
    app_fixture_boot_connecting(f);
    typedef struct {
        app_mqtt_error_kind_t kind;
        int32_t code;
        const char *text;
    } reason_case_t;
    static const reason_case_t cases[] = {
        {APP_MQTT_ERROR_HOST_NOT_FOUND, 202,
         "broker host did not resolve (ws://broker.farm.example:8080/mqtt)"},
        {APP_MQTT_ERROR_TCP_REFUSED, 111,
         "connection refused by the broker host (ws://broker.farm.example:8080/mqtt)"},
        {APP_MQTT_ERROR_PROTOCOL, -1,
         "WebSocket path rejected (the server did not speak MQTT): ws://broker.farm.example:8080/mqtt"},
        {APP_MQTT_ERROR_CONNECTION_REFUSED, 4, "CONNACK refused (code 4): bad user name or password"},
        {APP_MQTT_ERROR_CONNECTION_REFUSED, 9, "CONNACK refused (code 9): unknown"},
        {APP_MQTT_ERROR_TLS, -0x2700,
         "TLS handshake or certificate check failed (code -9984): ws://broker.farm.example:8080/mqtt"},
        {APP_MQTT_ERROR_TIMEOUT, 10000,
         "connect attempt timed out after 10000 ms (ws://broker.farm.example:8080/mqtt)"},
        {APP_MQTT_ERROR_TRANSPORT, 104, "mqtt error: transport (code 104)"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        app_fixture_mqtt_error(f, cases[i].kind, cases[i].code);
        assert_string_equal(app_fixture_status(f).last_error, cases[i].text);
        assert_non_null(fake_event_sink_find_notice(&f->fakes.events, cases[i].text));
    }
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_CONNECTING); /* DISCONNECTED decides */
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_registration_not_acknowledged_in_time_drops_the_session),
        T(test_a_broker_that_never_acknowledges_sees_the_delays_double),
        T(test_disconnect_before_the_puback_keeps_counting),
        T(test_a_late_puback_after_the_timeout_changes_nothing),
        T(test_registration_timeout_zero_waits_for_the_client),
        T(test_the_first_broker_of_the_list_is_configured_and_tried_first),
        T(test_a_failed_attempt_moves_to_the_next_broker_and_a_full_round_backs_off),
        T(test_registration_through_another_broker_resets_the_round),
        T(test_the_last_will_goes_with_every_broker_of_the_list),
        T(test_liveness_check_while_registered_leaves_a_live_session_alone),
        T(test_liveness_check_notices_a_lost_disconnect),
        T(test_liveness_zero_arms_nothing_while_registered),
        T(test_the_registration_is_refreshed_every_interval),
        T(test_an_unacknowledged_refresh_counts_as_a_failure),
        T(test_refresh_zero_only_checks_liveness),
        T(test_each_connect_failure_has_its_reason),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
