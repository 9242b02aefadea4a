/*
 * Presence: "online" published retained after each acknowledged registration, "offline" as the retained last
 * will of every connect and published on a clean shutdown, whose wait for the broker is bounded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "app_test_support.h"

#define ONLINE_JSON \
    "{\"mac_address\":\"A4:CF:12:0B:8E:01\",\"status\":\"online\",\"ip_address\":\"192.168.1.50\"}"
#define OFFLINE_JSON \
    "{\"mac_address\":\"A4:CF:12:0B:8E:01\",\"status\":\"offline\",\"ip_address\":\"192.168.1.50\"}"

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

/* ---- online and the last will ---- */

static void test_every_connect_carries_the_offline_will(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_connecting(f);
    assert_true(f->fakes.mqtt.connect_had_will);
    const fake_mqtt_publish_t *will = &f->fakes.mqtt.will;
    assert_string_equal(will->topic, TEST_STATUS_TOPIC);
    assert_string_equal(will->payload, OFFLINE_JSON);
    assert_int_equal(will->payload_len, strlen(OFFLINE_JSON));
    assert_int_equal(will->qos, 1);
    assert_true(will->retain);
}

static void test_online_follows_the_registration_puback_retained(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registering(f);
    assert_int_equal(app_fixture_presence_sent(f), 0); /* not before the server knows the device */
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 1);
    assert_int_equal(app_fixture_presence_sent(f), 1);
    const fake_mqtt_publish_t *online = app_fixture_last_presence(f);
    assert_string_equal(online->payload, ONLINE_JSON);
    assert_int_equal(online->qos, 1);
    assert_true(online->retain);
    const domain_event_t *event = fake_event_sink_last(&f->fakes.events, DOMAIN_EVENT_PRESENCE);
    assert_non_null(event);
    assert_true(event->data.presence.online);
    assert_int_equal(event->data.presence.msg_id, online->msg_id);
    /* the registration itself is unchanged: not retained, on its own topic */
    assert_false(app_fixture_last_registration(f)->retain);
}

static void test_online_again_after_each_registration(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    app_fixture_event(f, APP_EVENT_CONFIG_CHANGED);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, app_fixture_last_registration(f)->msg_id);
    assert_int_equal(app_fixture_presence_sent(f), 2);
}

static void test_the_status_topic_template_takes_the_mac(void **state)
{
    app_fixture_t *f = *state;
    strcpy(f->settings.mqtt.status_topic, "/farm/{mac}/presence");
    app_fixture_boot_registered(f);
    assert_string_equal(f->fakes.mqtt.will.topic, "/farm/A4CF120B8E01/presence");
    assert_string_equal(fake_mqtt_client_last_publish(&f->fakes.mqtt)->topic, "/farm/A4CF120B8E01/presence");
}

static void test_an_empty_status_topic_turns_presence_off(void **state)
{
    app_fixture_t *f = *state;
    f->settings.mqtt.status_topic[0] = '\0';
    app_fixture_boot_registered(f);
    assert_false(f->fakes.mqtt.connect_had_will);
    assert_int_equal(f->fakes.mqtt.publish_calls, 1); /* the registration only */
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_PRESENCE), 0);
}

static void test_a_refused_online_message_is_warned_about_and_changes_nothing(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registering(f);
    fake_script_push(&f->fakes.mqtt.publish_results, APP_ERR_OUTBOX_FULL);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 1);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED);
    assert_non_null(fake_event_sink_find_notice(&f->fakes.events, "presence online not queued"));
    assert_int_equal(fake_event_sink_last(&f->fakes.events, DOMAIN_EVENT_PRESENCE)->data.presence.msg_id, -1);
}

static void test_the_puback_of_the_online_message_is_no_registration(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    const int32_t online_id = app_fixture_last_presence(f)->msg_id;
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, online_id);
    assert_int_equal(app_fixture_status(f).registrations, 1);
    assert_int_equal(app_fixture_registrations_sent(f), 1);
}

/* ---- clean shutdown ---- */

static void test_shutdown_publishes_offline_and_closes_after_its_puback(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    app_fixture_event(f, APP_EVENT_SHUTDOWN);
    const fake_mqtt_publish_t *offline = app_fixture_last_presence(f);
    assert_string_equal(offline->payload, OFFLINE_JSON);
    assert_true(offline->retain);
    assert_int_equal(offline->qos, 1);
    assert_int_equal(f->fakes.mqtt.disconnect_calls, 0); /* not before the broker holds it */
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_CONNECTION].current.delay_ms, 2000);
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_SHUT_DOWN), 0);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, offline->msg_id);
    assert_int_equal(f->fakes.mqtt.disconnect_calls, 1);
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_SHUT_DOWN), 1);
    /* nothing reconnects afterwards */
    app_fixture_mqtt_disconnected(f);
    app_fixture_event(f, APP_EVENT_SHUTDOWN);
    assert_int_equal(f->fakes.mqtt.connect_calls, 1);
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_SHUT_DOWN), 1);
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_RETRY_SCHEDULED), 0);
}

static void test_shutdown_without_a_puback_closes_when_its_bound_expires(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    const uint64_t asked_at = f->fakes.timer.now_ms;
    app_fixture_event(f, APP_EVENT_SHUTDOWN);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 77); /* another message's PUBACK: still waiting */
    assert_int_equal(f->fakes.mqtt.disconnect_calls, 0);
    app_fixture_expire_timer(f);
    assert_int_equal(f->fakes.timer.now_ms - asked_at, 2000);
    assert_int_equal(f->fakes.mqtt.disconnect_calls, 1);
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_SHUT_DOWN), 1);
}

static void test_shutdown_while_not_connected_closes_at_once(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_connecting(f);
    app_fixture_event(f, APP_EVENT_SHUTDOWN);
    assert_int_equal(app_fixture_presence_sent(f), 0);
    assert_int_equal(f->fakes.mqtt.disconnect_calls, 1);
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_SHUT_DOWN), 1);
    app_fixture_mqtt_connected(f); /* the attempt that was under way: ignored */
    assert_int_equal(app_fixture_registrations_sent(f), 0);
}

static void test_shutdown_with_mqtt_disabled_still_reports_done(void **state)
{
    app_fixture_t *f = *state;
    strcpy(f->settings.mqtt.broker_uri, "http://not-a-broker");
    assert_int_not_equal(app_fixture_start(f), APP_OK);
    app_fixture_event(f, APP_EVENT_SHUTDOWN);
    assert_int_equal(f->fakes.mqtt.disconnect_calls, 0);
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_SHUT_DOWN), 1);
}

static void test_a_refused_offline_message_closes_at_once(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    fake_script_push(&f->fakes.mqtt.publish_results, APP_ERR_OUTBOX_FULL);
    app_fixture_event(f, APP_EVENT_SHUTDOWN);
    assert_int_equal(f->fakes.mqtt.disconnect_calls, 1);
    assert_int_equal(fake_event_sink_count(&f->fakes.events, DOMAIN_EVENT_SHUT_DOWN), 1);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_every_connect_carries_the_offline_will),
        T(test_online_follows_the_registration_puback_retained),
        T(test_online_again_after_each_registration),
        T(test_the_status_topic_template_takes_the_mac),
        T(test_an_empty_status_topic_turns_presence_off),
        T(test_a_refused_online_message_is_warned_about_and_changes_nothing),
        T(test_the_puback_of_the_online_message_is_no_registration),
        T(test_shutdown_publishes_offline_and_closes_after_its_puback),
        T(test_shutdown_without_a_puback_closes_when_its_bound_expires),
        T(test_shutdown_while_not_connected_closes_at_once),
        T(test_shutdown_with_mqtt_disabled_still_reports_done),
        T(test_a_refused_offline_message_closes_at_once),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
