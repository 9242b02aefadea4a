/* MqttConnectionUseCase: the connection lifecycle through the ports, event by event. */
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

static void assert_state_change(const domain_event_t *event, mqtt_connection_state_t from,
                                mqtt_connection_state_t to)
{
    assert_non_null(event);
    assert_int_equal(event->data.state_changed.old_state, from);
    assert_int_equal(event->data.state_changed.new_state, to);
}

static void assert_ip(const ipv4_address_t *ip, const char *text)
{
    char buf[IPV4_ADDRESS_STR_SIZE];
    ipv4_address_format(ip, buf);
    assert_string_equal(buf, text);
}

/* A second registration on the same session: the payload reads the live IP, a config change sends it. */
static void queue_new_content(app_fixture_t *f, const char *ip)
{
    fake_network_set_ip(&f->fakes.network, ip);
    app_fixture_event(f, APP_EVENT_CONFIG_CHANGED);
}

/* ---- boot ---- */

static void test_http_before_network_connects_when_the_network_comes_up(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    app_fixture_event(f, APP_EVENT_HTTP_STARTED);
    assert_int_equal(f->fakes.mqtt.connect_calls, 0);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_WAITING);

    app_fixture_network_up(f, TEST_IP);
    assert_int_equal(f->fakes.mqtt.connect_calls, 1);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_CONNECTING);
    const domain_event_t *attempt = fake_event_sink_last(&f->fakes.events, DOMAIN_EVENT_CONNECT_ATTEMPT);
    assert_non_null(attempt);
    assert_int_equal(attempt->data.connect_attempt.attempt, 1);
    assert_state_change(fake_event_sink_last(&f->fakes.events, DOMAIN_EVENT_CONNECTION_STATE_CHANGED),
                        MQTT_CONNECTION_WAITING, MQTT_CONNECTION_CONNECTING);
    app_status_snapshot_t s = app_fixture_status(f);
    assert_int_equal(s.state, MQTT_CONNECTION_CONNECTING);
    assert_int_equal(s.connect_attempts, 1);
    assert_true(s.has_ip);
    assert_ip(&s.ip, TEST_IP);
}

static void test_network_before_http_connects_when_http_starts(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    app_fixture_network_up(f, TEST_IP);
    assert_int_equal(f->fakes.mqtt.connect_calls, 0);
    app_fixture_event(f, APP_EVENT_HTTP_STARTED);
    assert_int_equal(f->fakes.mqtt.connect_calls, 1);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_CONNECTING);
}

static void test_connected_publishes_the_registration_with_qos1(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registering(f);
    assert_int_equal(f->fakes.mqtt.publish_calls, 1);
    const fake_mqtt_publish_t *pub = app_fixture_last_registration(f);
    char expected[512];
    app_fixture_expected_payload(expected, sizeof(expected), "ESP32-Riego", TEST_IP,
                                 "Sin ubicacion configurada");
    assert_string_equal(pub->topic, "/liwaisi/iot/smart-irrigation/device/registration");
    assert_int_equal(pub->qos, 1);
    assert_int_equal(pub->payload_len, strlen(expected));
    assert_memory_equal(pub->payload, expected, pub->payload_len);
    assert_false(pub->retain);
    assert_int_equal(app_fixture_status(f).pending_msg_id, 1);
    /* the registration timeout replaces the attempt watchdog; waiting for a PUBACK is no retry */
    assert_true(f->fakes.timer.timers[APP_TIMER_CONNECTION].armed);
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].current.delay_ms, 20000);
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_RETRY_SCHEDULED), 0);
}

static void test_puback_confirms_the_registration(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registering(f);
    fake_timer_set_now(&f->fakes.timer, 4200);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 1);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED);
    const domain_event_t *reg = fake_event_sink_last(&f->fakes.events, DOMAIN_EVENT_DEVICE_REGISTERED);
    assert_non_null(reg);
    assert_int_equal(reg->data.registered.msg_id, 1);
    assert_ip(&reg->data.registered.ip, TEST_IP);
    assert_int_equal(reg->uptime_ms, 4200);
    assert_state_change(fake_event_sink_last(&f->fakes.events, DOMAIN_EVENT_CONNECTION_STATE_CHANGED),
                        MQTT_CONNECTION_REGISTERING, MQTT_CONNECTION_REGISTERED);
    app_status_snapshot_t s = app_fixture_status(f);
    assert_int_equal(s.state, MQTT_CONNECTION_REGISTERED);
    assert_int_equal(s.registrations, 1);
    assert_true(s.has_registration);
    assert_int_equal(s.last_registration_ms, 4200);
    assert_ip(&s.last_registration_ip, TEST_IP);
    assert_int_equal(s.pending_msg_id, -1);
}

static void test_puback_of_an_older_message_does_not_confirm(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registering(f);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 99); /* never queued */
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERING);
    queue_new_content(f, "192.168.1.77"); /* queues msg 2 */
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 2);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 1);
    /* msg 1 confirms nothing (and, acknowledged after msg 2, makes the current values go out again) */
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_DEVICE_REGISTERED), 1);
    assert_int_equal(
        fake_event_sink_last(&f->fakes.events, DOMAIN_EVENT_DEVICE_REGISTERED)->data.registered.msg_id, 2);
}

static void test_duplicate_puback_registers_once(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 1);
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_DEVICE_REGISTERED), 1);
    assert_int_equal(app_fixture_status(f).registrations, 1);
}

/* ---- retry schedule ---- */

static void test_broker_down_three_times_then_up(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_connecting(f);
    const uint32_t expected_delays[] = {30000, 60000, 120000};
    for (size_t i = 0; i < 3; i++) {
        /* each attempt arms its watchdog first, then the failure replaces it with the retry delay */
        assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].arms[2 * i].delay_ms, 55000);
        app_fixture_mqtt_error(f, APP_MQTT_ERROR_TRANSPORT, 111);
        app_fixture_event(f, APP_EVENT_MQTT_DISCONNECTED);
        assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
        assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].arm_calls, 2 * i + 2);
        assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].arms[2 * i + 1].delay_ms,
                         expected_delays[i]);
        assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].arms[2 * i + 1].token,
                         f->app.mqtt.timer_token);
        assert_true(f->fakes.power.low_power);
        const domain_event_t *retry = fake_event_sink_last(&f->fakes.events, DOMAIN_EVENT_RETRY_SCHEDULED);
        assert_int_equal(retry->data.retry_scheduled.delay_ms, expected_delays[i]);
        assert_int_equal(retry->data.retry_scheduled.failures, i + 1);
        app_status_snapshot_t s = app_fixture_status(f);
        assert_int_equal(s.next_retry_delay_ms, expected_delays[i]);
        assert_int_equal(s.next_retry_at_ms, f->fakes.timer.now_ms + expected_delays[i]);
        assert_int_equal(s.consecutive_failures, i + 1);

        app_fixture_expire_timer(f);
        assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_CONNECTING);
        assert_int_equal(f->fakes.mqtt.connect_calls, i + 2);
        assert_false(f->fakes.power.low_power);
    }
    assert_int_equal(f->fakes.timer.now_ms, 210000);
    assert_int_equal(f->fakes.power.requests, 3);
    assert_int_equal(f->fakes.power.releases, 3);
    /* tokens are all different */
    for (size_t i = 1; i < f->fakes.timer.timers[APP_TIMER_CONNECTION].arm_calls; i++) {
        assert_true(f->fakes.timer.timers[APP_TIMER_CONNECTION].arms[i - 1].token !=
                    f->fakes.timer.timers[APP_TIMER_CONNECTION].arms[i].token);
    }
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_RETRY_SCHEDULED), 3);

    app_fixture_event(f, APP_EVENT_MQTT_CONNECTED);
    assert_int_equal(f->fakes.mqtt.publish_calls, 1);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 1);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED);
    app_status_snapshot_t s = app_fixture_status(f);
    assert_int_equal(s.connect_attempts, 4);
    assert_int_equal(s.consecutive_failures, 0);
    assert_int_equal(s.next_retry_delay_ms, 0);
    assert_int_equal(s.last_registration_ms, 210000);
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_CONNECT_ATTEMPT), 4);
    assert_string_equal(s.last_error, "mqtt error: transport (code 111)");
}

static void test_success_resets_the_schedule(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_connecting(f);
    app_fixture_event(f, APP_EVENT_MQTT_DISCONNECTED);
    app_fixture_expire_timer(f);
    app_fixture_event(f, APP_EVENT_MQTT_DISCONNECTED);
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].current.delay_ms, 60000);
    app_fixture_expire_timer(f);
    app_fixture_event(f, APP_EVENT_MQTT_CONNECTED);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 1);
    app_fixture_event(f, APP_EVENT_MQTT_DISCONNECTED); /* connection lost while registered */
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].current.delay_ms, 30000);
}

static void test_mqtt_error_sets_last_error_and_waits_for_the_disconnect(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_connecting(f);
    app_fixture_mqtt_error(f, APP_MQTT_ERROR_CONNECTION_REFUSED, 5);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_CONNECTING);
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].arm_calls,
                     1); /* only the attempt watchdog */
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_RETRY_SCHEDULED), 0);
    assert_string_equal(app_fixture_status(f).last_error, "CONNACK refused (code 5): not authorized");
    const fake_notice_t *n = fake_event_sink_find_notice(&f->fakes.events, "CONNACK refused");
    assert_non_null(n);
    assert_int_equal(n->level, APP_NOTICE_WARNING);
}

static void test_connect_call_error_counts_as_a_failed_attempt(void **state)
{
    app_fixture_t *f = *state;
    fake_script_push(&f->fakes.mqtt.connect_results, APP_ERR_PLATFORM);
    assert_int_equal(app_fixture_start(f), APP_OK);
    app_fixture_network_up(f, TEST_IP);
    app_fixture_event(f, APP_EVENT_HTTP_STARTED);
    assert_int_equal(f->fakes.mqtt.connect_calls, 1);
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_CONNECT_ATTEMPT), 1);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].arm_calls,
                     2); /* the watchdog, then the retry that replaces it */
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].current.delay_ms, 30000);
    app_status_snapshot_t s = app_fixture_status(f);
    assert_string_equal(s.last_error, "mqtt connect failed: platform error");
    assert_non_null(fake_event_sink_find_notice(&f->fakes.events, "mqtt connect failed"));
    /* the retry works */
    app_fixture_expire_timer(f);
    assert_int_equal(f->fakes.mqtt.connect_calls, 2);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_CONNECTING);
}

static void test_publish_refused_outbox_full_backs_off(void **state)
{
    app_fixture_t *f = *state;
    fake_script_push(&f->fakes.mqtt.publish_results, APP_ERR_OUTBOX_FULL);
    app_fixture_boot_connecting(f);
    app_fixture_event(f, APP_EVENT_MQTT_CONNECTED);
    assert_int_equal(f->fakes.mqtt.publish_calls, 1);
    const domain_event_t *failed = fake_event_sink_last(&f->fakes.events, DOMAIN_EVENT_REGISTRATION_FAILED);
    assert_non_null(failed);
    assert_int_equal(failed->data.registration_failed.reason, REGISTRATION_FAILURE_PUBLISH_REFUSED);
    assert_int_equal(failed->data.registration_failed.detail, APP_ERR_OUTBOX_FULL);
    assert_int_equal(f->fakes.mqtt.disconnect_calls, 1);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].current.delay_ms, 30000);
    app_status_snapshot_t s = app_fixture_status(f);
    assert_string_equal(s.last_error, "registration not queued: publish_refused (the MQTT outbox is full)");
    assert_int_equal(s.pending_msg_id, -1);

    /* the retry reconnects and registers */
    app_fixture_expire_timer(f);
    app_fixture_event(f, APP_EVENT_MQTT_CONNECTED);
    assert_int_equal(f->fakes.mqtt.publish_calls, 2);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERING);
}

static void test_publish_without_ip_is_a_failed_registration(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_connecting(f);
    fake_network_set_ip(&f->fakes.network, NULL);
    app_fixture_event(f, APP_EVENT_MQTT_CONNECTED);
    const domain_event_t *failed = fake_event_sink_last(&f->fakes.events, DOMAIN_EVENT_REGISTRATION_FAILED);
    assert_int_equal(failed->data.registration_failed.reason, REGISTRATION_FAILURE_NO_IP);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
}

static void test_publish_with_invalid_defaults_reports_the_rule(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_connecting(f);
    /* settings were valid at start; a store returning garbage and broken defaults cannot produce a message */
    strcpy(f->app.settings.defaults.device_name, "");
    app_fixture_event(f, APP_EVENT_MQTT_CONNECTED);
    const domain_event_t *failed = fake_event_sink_last(&f->fakes.events, DOMAIN_EVENT_REGISTRATION_FAILED);
    assert_int_equal(failed->data.registration_failed.reason, REGISTRATION_FAILURE_INVALID_MESSAGE);
    assert_int_equal(failed->data.registration_failed.detail, DOMAIN_ERR_NAME_EMPTY);
    assert_string_equal(
        app_fixture_status(f).last_error,
        "registration not queued: invalid_message (device_name is empty or only white space)");
}

static void test_deleted_registration_backs_off(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registering(f);
    app_fixture_event_msg(f, APP_EVENT_MQTT_DELETED, 1);
    const domain_event_t *failed = fake_event_sink_last(&f->fakes.events, DOMAIN_EVENT_REGISTRATION_FAILED);
    assert_non_null(failed);
    assert_int_equal(failed->data.registration_failed.reason, REGISTRATION_FAILURE_DELETED);
    assert_int_equal(failed->data.registration_failed.detail, 1);
    assert_int_equal(f->fakes.mqtt.disconnect_calls, 1);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
    assert_string_equal(app_fixture_status(f).last_error, "registration msg 1 dropped before PUBACK");
}

static void test_deleted_other_message_is_ignored(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registering(f);
    app_fixture_event_msg(f, APP_EVENT_MQTT_DELETED, 7);
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_REGISTRATION_FAILED), 0);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERING);
    /* and once registered nothing is pending any more */
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 1);
    app_fixture_event_msg(f, APP_EVENT_MQTT_DELETED, 1);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED);
}

static void test_stale_timer_token_is_ignored(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_connecting(f);
    app_fixture_event(f, APP_EVENT_MQTT_DISCONNECTED);
    const uint32_t first_token = f->fakes.timer.timers[APP_TIMER_CONNECTION].current.token;
    app_fixture_expire_timer(f);
    app_fixture_event(f, APP_EVENT_MQTT_DISCONNECTED);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
    assert_int_equal(f->fakes.mqtt.connect_calls, 2);

    app_fixture_event_token(f, first_token); /* a late expiry of the first timer */
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
    assert_int_equal(f->fakes.mqtt.connect_calls, 2);

    app_fixture_event_token(f, f->fakes.timer.timers[APP_TIMER_CONNECTION].current.token);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_CONNECTING);
    assert_int_equal(f->fakes.mqtt.connect_calls, 3);
}

static void test_expiry_queued_before_a_cancel_is_stale(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_connecting(f);
    app_fixture_event(f, APP_EVENT_MQTT_DISCONNECTED);
    const uint32_t old_token = f->fakes.timer.timers[APP_TIMER_CONNECTION].current.token;
    /* The network drops and comes back, and the next attempt fails at once, so the application is in
     * BACKOFF again when the expiry of the cancelled timer, already queued, is handled. */
    fake_script_push(&f->fakes.mqtt.connect_results, APP_ERR_PLATFORM);
    assert_true(fake_executor_post_kind(&f->fakes.executor, APP_EVENT_WIFI_DISCONNECTED));
    app_event_t up = {.kind = APP_EVENT_WIFI_GOT_IP};
    assert_int_equal(ipv4_address_parse(TEST_IP, &up.ip), DOMAIN_OK);
    assert_true(fake_executor_post(&f->fakes.executor, &up));
    app_event_t fired = {.kind = APP_EVENT_TIMER_FIRED, .timer = APP_TIMER_CONNECTION, .token = old_token};
    assert_true(fake_executor_post(&f->fakes.executor, &fired));
    fake_executor_run_all(&f->fakes.executor);

    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
    assert_int_equal(f->fakes.mqtt.connect_calls, 2); /* the stale expiry started no third attempt */
    assert_true(f->fakes.timer.timers[APP_TIMER_CONNECTION].current.token != old_token);
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].current.delay_ms, 60000);
}

static void test_network_down_during_backoff_cancels_the_retry(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_connecting(f);
    app_fixture_event(f, APP_EVENT_MQTT_DISCONNECTED);
    assert_true(f->fakes.power.low_power);
    app_fixture_network_down(f);
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].cancel_calls, 1);
    assert_false(f->fakes.timer.timers[APP_TIMER_CONNECTION].armed);
    /* The connection no longer asks for low power; the WiFi link does now, while it waits to reconnect. */
    assert_false(f->app.power.wants[POWER_REQUESTER_CONNECTION]);
    assert_true(f->fakes.power.low_power);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_WAITING);
    app_status_snapshot_t s = app_fixture_status(f);
    assert_false(s.has_ip);
    assert_int_equal(s.next_retry_delay_ms, 0);
    assert_int_equal(s.next_retry_at_ms, 0);
    assert_int_equal(f->fakes.mqtt.connect_calls, 1);

    app_fixture_network_up(f, TEST_IP);
    assert_int_equal(f->fakes.mqtt.connect_calls, 2);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_CONNECTING);
}

static void test_network_down_while_registered_disconnects(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    /* watchdog, registration timeout, then the liveness tick of REGISTERED */
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].arm_calls, 3);
    app_fixture_network_down(f);
    assert_int_equal(f->fakes.mqtt.disconnect_calls, 1);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_WAITING);
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].arm_calls, 3);
    assert_false(f->fakes.timer.timers[APP_TIMER_CONNECTION].armed);
}

static void test_ip_change_reconnects_at_once_and_registers_the_new_ip(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    fake_network_set_ip(&f->fakes.network, "10.0.0.7");
    app_fixture_ip_changed(f, "10.0.0.7");
    /* lwIP aborts sockets bound to the old address: the session is dropped and rebuilt at once, without a
     * failure counted, without low power and without a retry event */
    assert_int_equal(f->fakes.mqtt.disconnect_calls, 1);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].current.delay_ms, 500);
    assert_false(f->fakes.power.low_power);
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_RETRY_SCHEDULED), 0);
    assert_int_equal(app_fixture_status(f).consecutive_failures, 0);
    app_fixture_expire_timer(f);
    assert_int_equal(f->fakes.mqtt.connect_calls, 2);
    app_fixture_mqtt_connected(f);
    assert_int_equal(app_fixture_registrations_sent(f), 2);
    const fake_mqtt_publish_t *pub = app_fixture_last_registration(f);
    char expected[512];
    app_fixture_expected_payload(expected, sizeof(expected), "ESP32-Riego", "10.0.0.7",
                                 "Sin ubicacion configurada");
    assert_int_equal(pub->payload_len, strlen(expected));
    assert_memory_equal(pub->payload, expected, pub->payload_len);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERING);

    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, pub->msg_id);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED);
    app_status_snapshot_t s = app_fixture_status(f);
    assert_ip(&s.ip, "10.0.0.7");
    assert_ip(&s.last_registration_ip, "10.0.0.7");
    assert_int_equal(s.registrations, 2);
    const domain_event_t *reg = fake_event_sink_last(&f->fakes.events, DOMAIN_EVENT_DEVICE_REGISTERED);
    assert_ip(&reg->data.registered.ip, "10.0.0.7");
}

static void test_a_burst_of_ip_changes_reconnects_once_with_the_last_ip(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    static const char *const ips[] = {"10.0.0.7", "10.0.0.8", "10.0.0.9"};
    for (size_t i = 0; i < 3; i++) {
        fake_network_set_ip(&f->fakes.network, ips[i]);
        app_fixture_ip_changed(f, ips[i]);
    }
    assert_int_equal(f->fakes.mqtt.disconnect_calls, 1); /* only the first change had a session to drop */
    app_fixture_expire_timer(f);
    app_fixture_mqtt_connected(f);
    assert_non_null(strstr(app_fixture_last_registration(f)->payload, "\"ip_address\":\"10.0.0.9\""));
    assert_int_equal(f->fakes.mqtt.connect_calls, 2);
}

static void test_same_ip_reported_again_does_not_register_again(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    app_fixture_ip_changed(f, TEST_IP);
    app_fixture_network_up(f, TEST_IP);
    assert_int_equal(app_fixture_registrations_sent(f), 1);
    assert_int_equal(f->fakes.mqtt.disconnect_calls, 0);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED);
}

static void test_qos0_registration_counts_as_registered_when_queued(void **state)
{
    app_fixture_t *f = *state;
    f->settings.mqtt.qos = 0;
    app_fixture_boot_connecting(f);
    app_fixture_mqtt_connected(f);
    assert_int_equal(app_fixture_last_registration(f)->qos, 0);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED);
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_DEVICE_REGISTERED), 1);
}

/* ---- the attempt watchdog ---- */

static void test_attempt_is_watched_without_announcing_a_retry(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_connecting(f);
    assert_true(f->fakes.timer.timers[APP_TIMER_CONNECTION].armed);
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].arm_calls, 1);
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].current.delay_ms,
                     55000); /* 4 * 10000 + 15000 */
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].current.token, f->app.mqtt.timer_token);
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_RETRY_SCHEDULED), 0);
    app_status_snapshot_t s = app_fixture_status(f);
    assert_int_equal(s.next_retry_delay_ms, 0);
    assert_int_equal(s.next_retry_at_ms, 0);
    assert_int_equal(s.consecutive_failures, 0);
    assert_false(f->fakes.power.low_power);
}

static void test_silent_client_times_out_and_the_schedule_goes_on(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_connecting(f);
    app_fixture_expire_timer(f); /* the client never reported anything */
    assert_int_equal(f->fakes.timer.now_ms, 55000);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
    assert_int_equal(f->fakes.mqtt.disconnect_calls, 1);
    assert_true(f->fakes.power.low_power);
    const fake_notice_t *n = fake_event_sink_find_notice(&f->fakes.events, "connect attempt timed out");
    assert_non_null(n);
    assert_string_equal(n->message, "connect attempt timed out after 55000 ms");
    assert_int_equal(n->level, APP_NOTICE_WARNING);
    const domain_event_t *retry = fake_event_sink_last(&f->fakes.events, DOMAIN_EVENT_RETRY_SCHEDULED);
    assert_non_null(retry);
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_RETRY_SCHEDULED), 1);
    assert_int_equal(retry->data.retry_scheduled.delay_ms, 30000);
    assert_int_equal(retry->data.retry_scheduled.failures, 1);
    app_status_snapshot_t s = app_fixture_status(f);
    assert_string_equal(s.last_error, "connect attempt timed out after 55000 ms");
    assert_int_equal(s.next_retry_delay_ms, 30000);
    assert_int_equal(s.next_retry_at_ms, 55000 + 30000);
    assert_int_equal(s.consecutive_failures, 1);

    /* the retry is watched again, and a second silent attempt doubles the delay */
    app_fixture_expire_timer(f);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_CONNECTING);
    assert_int_equal(f->fakes.mqtt.connect_calls, 2);
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].current.delay_ms, 55000);
    assert_int_equal(app_fixture_status(f).next_retry_delay_ms, 0);
    app_fixture_expire_timer(f);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].current.delay_ms, 60000);
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_RETRY_SCHEDULED), 2);
}

static void test_custom_network_timeout_sets_the_watchdog(void **state)
{
    app_fixture_t *f = *state;
    f->settings.mqtt.network_timeout_ms = 1500;
    app_fixture_boot_connecting(f);
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].current.delay_ms, 21000);
    app_fixture_expire_timer(f);
    assert_string_equal(app_fixture_status(f).last_error, "connect attempt timed out after 21000 ms");
}

static void test_connected_cancels_the_watchdog_and_its_late_expiry_is_stale(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_connecting(f);
    const uint32_t watchdog_token = f->fakes.timer.timers[APP_TIMER_CONNECTION].current.token;
    /* the expiry was already queued when CONNECTED arrived */
    assert_true(fake_executor_post_kind(&f->fakes.executor, APP_EVENT_MQTT_CONNECTED));
    app_event_t fired = {
        .kind = APP_EVENT_TIMER_FIRED, .timer = APP_TIMER_CONNECTION, .token = watchdog_token};
    assert_true(fake_executor_post(&f->fakes.executor, &fired));
    fake_executor_run_all(&f->fakes.executor);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERING);
    /* armed again, for the registration timeout, under a new token */
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].current.delay_ms, 20000);
    assert_true(f->fakes.timer.timers[APP_TIMER_CONNECTION].current.token != watchdog_token);
    assert_int_equal(f->fakes.mqtt.disconnect_calls, 0);
    assert_null(fake_event_sink_find_notice(&f->fakes.events, "timed out"));
}

static void test_network_down_while_connecting_cancels_the_watchdog(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_connecting(f);
    app_fixture_network_down(f);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_WAITING);
    assert_int_equal(f->fakes.mqtt.disconnect_calls, 1);
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].cancel_calls, 1);
    assert_false(f->fakes.timer.timers[APP_TIMER_CONNECTION].armed);
    assert_false(f->app.power.wants[POWER_REQUESTER_CONNECTION]);
}

static void test_watchdog_arm_failure_is_warned_about_and_the_attempt_goes_on(void **state)
{
    app_fixture_t *f = *state;
    fake_script_push(&f->fakes.timer.timers[APP_TIMER_CONNECTION].arm_results, APP_ERR_PLATFORM);
    app_fixture_boot_connecting(f);
    const fake_notice_t *n = fake_event_sink_find_notice(&f->fakes.events, "watchdog not armed");
    assert_non_null(n);
    assert_string_equal(n->message, "mqtt connect attempt watchdog not armed: platform error");
    assert_int_equal(n->level, APP_NOTICE_WARNING);
    assert_string_equal(app_fixture_status(f).last_error, "");
    /* the client's own outcome still ends the attempt */
    app_fixture_event(f, APP_EVENT_MQTT_DISCONNECTED);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].current.delay_ms, 30000);
}

/* ---- stale registrations resent by the client ---- */

static void test_stale_registration_acked_after_a_newer_one_registers_again(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registering(f);      /* msg 1 carries TEST_IP */
    queue_new_content(f, "192.168.1.77"); /* msg 2 */
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 2);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED); /* presence online: msg 3 */
    /* the client resent msg 1 after msg 2: the server now holds the old IP */
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 1);
    assert_int_equal(app_fixture_registrations_sent(f), 3);
    const fake_mqtt_publish_t *pub = app_fixture_last_registration(f);
    char expected[512];
    app_fixture_expected_payload(expected, sizeof(expected), "ESP32-Riego", "192.168.1.77",
                                 "Sin ubicacion configurada");
    assert_string_equal(pub->payload, expected);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERING);
    const fake_notice_t *n = fake_event_sink_find_notice(&f->fakes.events, "acknowledged after a newer one");
    assert_non_null(n);
    assert_int_equal(n->level, APP_NOTICE_INFO);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, pub->msg_id);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED);
    assert_int_equal(app_fixture_status(f).registrations, 2);
    /* a duplicate PUBACK of msg 1 does not start it again, nor does the presence message's PUBACK */
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 1);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 3);
    assert_int_equal(app_fixture_registrations_sent(f), 3);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED);
}

static void test_older_puback_with_the_current_content_changes_nothing(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registering(f);                   /* msg 1 */
    app_fixture_event(f, APP_EVENT_MQTT_DISCONNECTED); /* lost before its PUBACK */
    app_fixture_expire_timer(f);
    app_fixture_mqtt_connected(f); /* msg 2, same content */
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 1);
    assert_int_equal(app_fixture_registrations_sent(f), 2);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERING);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 2);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED);
    assert_int_equal(app_fixture_registrations_sent(f), 2);
}

static void test_stale_puback_while_not_connected_is_left_to_the_next_connect(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registering(f);
    queue_new_content(f, "192.168.1.77"); /* msg 2 */
    app_fixture_mqtt_disconnected(f);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 1);
    assert_int_equal(app_fixture_registrations_sent(f), 2);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
}

static void test_a_reused_msg_id_forgets_the_message_that_had_it(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registering(f);      /* msg 1, TEST_IP */
    queue_new_content(f, "192.168.1.77"); /* msg 2 */
    app_fixture_mqtt_disconnected(f);
    app_fixture_expire_timer(f);
    fake_mqtt_client_set_next_msg_id(&f->fakes.mqtt, 1); /* a fresh client counts from 1 again */
    app_fixture_mqtt_connected(f);                       /* msg 1 again, now with .77 */
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 1);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED);
    assert_int_equal(app_fixture_registrations_sent(f), 3);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 2); /* the presence message (and an old id) */
    assert_int_equal(app_fixture_registrations_sent(f), 3);
}

static void test_only_the_last_few_registrations_are_remembered(void **state)
{
    app_fixture_t *f = *state;
    static const char *const ips[] = {"10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"};
    app_fixture_boot_registering(f); /* msg 1 */
    for (size_t i = 0; i < sizeof(ips) / sizeof(ips[0]); i++) {
        queue_new_content(f, ips[i]); /* msgs 2..6 */
    }
    assert_int_equal(app_fixture_registrations_sent(f), 6);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 6); /* the newest is acknowledged first */
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 2); /* forgotten: the ring holds 3..6 */
    assert_int_equal(app_fixture_registrations_sent(f), 6);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 3); /* remembered, older IP, after the newest */
    assert_int_equal(app_fixture_registrations_sent(f), 7);
}

static void test_in_order_acknowledgements_register_nothing_more(void **state)
{
    /* Older before newer is the order the server applied them in: it holds the newest already. */
    app_fixture_t *f = *state;
    app_fixture_boot_registering(f);  /* msg 1 */
    queue_new_content(f, "10.0.0.9"); /* msg 2 */
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 1);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 2);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED);
    assert_int_equal(app_fixture_registrations_sent(f), 2);
}

static void test_a_lost_ip_event_cannot_start_a_registration_loop(void **state)
{
    /* The payload reads the live IP; the entity only learns it from IP events. A lost IP_CHANGED post must
     * not make every older acknowledgement look stale. */
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);                      /* msg 1 with TEST_IP, presence msg 2 */
    fake_network_set_ip(&f->fakes.network, "10.0.0.10"); /* IP_CHANGED lost: never posted */
    app_fixture_event(f, APP_EVENT_CONFIG_CHANGED);      /* msg 3, carrying 10.0.0.10 */
    app_fixture_event(f, APP_EVENT_CONFIG_CHANGED);      /* msg 4, same content */
    for (int32_t id = 3; id <= 4; id++) {
        app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, id);
    }
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED);
    assert_int_equal(app_fixture_registrations_sent(f), 3);
}

/* ---- protocol errors ---- */

static void test_protocol_error_names_the_websocket_path(void **state)
{
    app_fixture_t *f = *state;
    strcpy(f->settings.mqtt.broker_uri, "ws://127.0.0.1:18080/ws");
    app_fixture_boot_connecting(f);
    app_fixture_mqtt_error(f, APP_MQTT_ERROR_PROTOCOL, -1);
    const fake_notice_t *n = fake_event_sink_find_notice(&f->fakes.events, "check the WebSocket path");
    assert_non_null(n);
    assert_string_equal(n->message, "ws://127.0.0.1:18080/ws did not answer as an MQTT WebSocket endpoint: "
                                    "check the WebSocket path, NATS needs /mqtt");
    assert_int_equal(n->level, APP_NOTICE_ERROR);
    assert_string_equal(app_fixture_status(f).last_error,
                        "WebSocket path rejected (the server did not speak MQTT): ws://127.0.0.1:18080/ws");
}

static void test_transport_error_gives_no_path_hint(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_connecting(f);
    app_fixture_mqtt_error(f, APP_MQTT_ERROR_TRANSPORT, 111);
    assert_null(fake_event_sink_find_notice(&f->fakes.events, "WebSocket path"));
    assert_string_equal(app_fixture_status(f).last_error, "mqtt error: transport (code 111)");
}

/* ---- lock timeouts ---- */

static void test_lock_timeout_keeps_going_and_catches_up_on_the_next_event(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    fake_lock_set_busy(&f->fakes.lock, true);
    app_fixture_event(f, APP_EVENT_MQTT_DISCONNECTED);
    /* the work itself went on */
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].arm_calls, 4);
    assert_true(f->app.store.stale);
    const fake_notice_t *n = fake_event_sink_find_notice(&f->fakes.events, "shared lock timeout");
    assert_non_null(n);
    assert_int_equal(n->level, APP_NOTICE_WARNING);
    app_status_snapshot_t s;
    assert_int_equal(application_get_status(&f->app, &s), APP_ERR_LOCK_TIMEOUT);

    fake_lock_set_busy(&f->fakes.lock, false);
    s = app_fixture_status(f);
    assert_int_equal(s.state, MQTT_CONNECTION_REGISTERED); /* still the old copy */
    app_fixture_event(f, APP_EVENT_MQTT_BEFORE_CONNECT);   /* any event refreshes it */
    s = app_fixture_status(f);
    assert_int_equal(s.state, MQTT_CONNECTION_BACKOFF);
    assert_int_equal(s.next_retry_delay_ms, 30000);
    assert_false(f->app.store.stale);
    assert_int_equal(f->fakes.lock.nested_takes, 0);
    assert_int_equal(f->fakes.lock.unbalanced_gives, 0);
    assert_false(f->fakes.lock.held);
}

/* ---- port errors that only get reported ---- */

static void test_timer_arm_failure_is_reported(void **state)
{
    app_fixture_t *f = *state;
    fake_script_push(&f->fakes.timer.timers[APP_TIMER_CONNECTION].arm_results, APP_OK); /* the watchdog */
    fake_script_push(&f->fakes.timer.timers[APP_TIMER_CONNECTION].arm_results, APP_ERR_PLATFORM);
    app_fixture_boot_connecting(f);
    app_fixture_event(f, APP_EVENT_MQTT_DISCONNECTED);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_BACKOFF);
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_RETRY_SCHEDULED), 0);
    assert_string_equal(app_fixture_status(f).last_error, "retry timer not armed: platform error");
    /* a network change restarts the schedule */
    app_fixture_network_down(f);
    app_fixture_network_up(f, TEST_IP);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_CONNECTING);
}

static void test_failing_disconnect_cancel_and_power_calls_are_warned_about(void **state)
{
    app_fixture_t *f = *state;
    fake_script_set_fallback(&f->fakes.mqtt.disconnect_results, APP_ERR_PLATFORM);
    fake_script_set_fallback(&f->fakes.timer.timers[APP_TIMER_CONNECTION].cancel_results, APP_ERR_PLATFORM);
    fake_script_set_fallback(&f->fakes.power.request_results, APP_ERR_PLATFORM);
    fake_script_set_fallback(&f->fakes.power.release_results, APP_ERR_PLATFORM);
    app_fixture_boot_connecting(f);
    app_fixture_event(f, APP_EVENT_MQTT_DISCONNECTED); /* arm + request low power */
    app_fixture_network_down(f);                       /* cancel + release */
    app_fixture_network_up(f, TEST_IP);
    app_fixture_event(f, APP_EVENT_MQTT_CONNECTED);
    app_fixture_network_down(f); /* disconnect */
    assert_non_null(
        fake_event_sink_find_notice(&f->fakes.events, "low power request failed: platform error"));
    assert_non_null(fake_event_sink_find_notice(&f->fakes.events, "low power release failed"));
    assert_non_null(fake_event_sink_find_notice(&f->fakes.events, "retry timer cancel failed"));
    assert_non_null(fake_event_sink_find_notice(&f->fakes.events, "mqtt disconnect failed"));
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_WAITING);
}

static void test_before_connect_and_stop_change_nothing(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_connecting(f);
    size_t events_before = f->fakes.events.event_count;
    app_fixture_event(f, APP_EVENT_MQTT_BEFORE_CONNECT);
    app_fixture_event(f, APP_EVENT_STOP);
    app_fixture_event(f, APP_EVENT_COUNT);
    assert_int_equal(f->fakes.events.event_count, events_before);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_CONNECTING);
}

static void test_every_entity_event_gets_a_random_value_from_the_timer_port(void **state)
{
    app_fixture_t *f = *state;
    f->settings.mqtt.retry.jitter_percent = 50;
    const uint32_t randoms[] = {0, 0, 1000};
    fake_timer_script_random(&f->fakes.timer, randoms, 3);
    app_fixture_boot_connecting(f);                    /* network up, http started: randoms 0, 0 */
    app_fixture_event(f, APP_EVENT_MQTT_DISCONNECTED); /* random 1000: the whole jitter share */
    assert_int_equal(f->fakes.timer.random_calls, 3);
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].current.delay_ms, 15000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_http_before_network_connects_when_the_network_comes_up, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_network_before_http_connects_when_http_starts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connected_publishes_the_registration_with_qos1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_puback_confirms_the_registration, setup, teardown),
        cmocka_unit_test_setup_teardown(test_puback_of_an_older_message_does_not_confirm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_puback_registers_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_broker_down_three_times_then_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_success_resets_the_schedule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mqtt_error_sets_last_error_and_waits_for_the_disconnect, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_connect_call_error_counts_as_a_failed_attempt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_publish_refused_outbox_full_backs_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_publish_without_ip_is_a_failed_registration, setup, teardown),
        cmocka_unit_test_setup_teardown(test_publish_with_invalid_defaults_reports_the_rule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_registration_backs_off, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_other_message_is_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_timer_token_is_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expiry_queued_before_a_cancel_is_stale, setup, teardown),
        cmocka_unit_test_setup_teardown(test_network_down_during_backoff_cancels_the_retry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_network_down_while_registered_disconnects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ip_change_reconnects_at_once_and_registers_the_new_ip, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_burst_of_ip_changes_reconnects_once_with_the_last_ip, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_same_ip_reported_again_does_not_register_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_qos0_registration_counts_as_registered_when_queued, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_attempt_is_watched_without_announcing_a_retry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_silent_client_times_out_and_the_schedule_goes_on, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_custom_network_timeout_sets_the_watchdog, setup, teardown),
        cmocka_unit_test_setup_teardown(test_connected_cancels_the_watchdog_and_its_late_expiry_is_stale,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_network_down_while_connecting_cancels_the_watchdog, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_watchdog_arm_failure_is_warned_about_and_the_attempt_goes_on,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_stale_registration_acked_after_a_newer_one_registers_again,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_in_order_acknowledgements_register_nothing_more, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_lost_ip_event_cannot_start_a_registration_loop, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_older_puback_with_the_current_content_changes_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_stale_puback_while_not_connected_is_left_to_the_next_connect,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_reused_msg_id_forgets_the_message_that_had_it, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_only_the_last_few_registrations_are_remembered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_protocol_error_names_the_websocket_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transport_error_gives_no_path_hint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_timeout_keeps_going_and_catches_up_on_the_next_event, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_timer_arm_failure_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_disconnect_cancel_and_power_calls_are_warned_about,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_before_connect_and_stop_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_entity_event_gets_a_random_value_from_the_timer_port,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
