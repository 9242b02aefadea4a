/*
 * The WiFiLinkUseCase through the whole application on the port fakes: the link entity's commands carried
 * out on the WiFi port, the link timer and the power port, and its reports reaching the MQTT connection.
 * (What the WiFi adapter used to decide on its own; the entity itself is tested in test_wifi_link.c.)
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

static void wifi_disconnected(app_fixture_t *f, int32_t reason)
{
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = APP_EVENT_WIFI_DISCONNECTED;
    event.code = reason;
    assert_true(fake_executor_post(&f->fakes.executor, &event));
    fake_executor_run_all(&f->fakes.executor);
}

static const fake_timer_slot_t *link_timer(const app_fixture_t *f)
{
    return &f->fakes.timer.timers[APP_TIMER_LINK];
}

static void expire_link_timer(app_fixture_t *f)
{
    assert_true(fake_timer_expire(&f->fakes.timer, APP_TIMER_LINK));
    fake_executor_run_all(&f->fakes.executor);
}

static void test_start_with_credentials_starts_the_station_and_connects_once_it_is_up(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    assert_int_equal(f->fakes.wifi.start_station_calls, 1);
    assert_int_equal(f->fakes.wifi.start_ap_calls, 0);
    assert_int_equal(f->fakes.wifi.connect_calls, 0); /* not before WIFI_STARTED */
    app_fixture_event(f, APP_EVENT_WIFI_STARTED);
    assert_int_equal(f->fakes.wifi.connect_calls, 1);
    assert_int_equal(app_fixture_status(f).wifi_state, WIFI_LINK_CONNECTING);
    assert_int_equal(app_fixture_status(f).wifi_mode, WIFI_LINK_MODE_STATION);
}

static void test_an_address_is_the_network_up_the_mqtt_connection_waits_for(void **state)
{
    app_fixture_t *f = *state;
    assert_int_equal(app_fixture_start(f), APP_OK);
    app_fixture_event(f, APP_EVENT_HTTP_STARTED);
    assert_int_equal(f->fakes.mqtt.connect_calls, 0);
    app_fixture_network_up(f, TEST_IP);
    assert_int_equal(f->fakes.mqtt.connect_calls, 1);
    app_status_snapshot_t s = app_fixture_status(f);
    assert_true(s.has_ip);
    assert_int_equal(s.wifi_state, WIFI_LINK_CONNECTED);
    const domain_event_t *changed = fake_event_sink_last(&f->fakes.events, DOMAIN_EVENT_WIFI_LINK_CHANGED);
    assert_non_null(changed);
    assert_int_equal(changed->data.wifi_link.new_state, WIFI_LINK_CONNECTED);
}

static void test_every_disconnect_reason_backs_off_doubling_with_low_power_and_reconnects(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    const int32_t reasons[] = {2, 15, 201, 202, 204};
    const uint32_t delays[] = {30000, 60000, 120000, 240000, 480000};
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
        wifi_disconnected(f, reasons[i]);
        assert_true(link_timer(f)->armed);
        assert_int_equal(link_timer(f)->current.delay_ms, delays[i]);
        assert_true(f->fakes.power.low_power); /* the radio sleeps while the link waits */
        assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_WAITING);
        const unsigned connects = f->fakes.wifi.connect_calls;
        expire_link_timer(f);
        assert_int_equal(f->fakes.wifi.connect_calls, connects + 1);
        assert_false(f->fakes.power.low_power);
    }
    const domain_event_t *changed = fake_event_sink_last(&f->fakes.events, DOMAIN_EVENT_WIFI_LINK_CHANGED);
    assert_int_equal(changed->data.wifi_link.reason, 204);
}

static void test_an_address_resets_the_schedule_and_the_network_comes_back_for_mqtt(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    wifi_disconnected(f, 201);
    expire_link_timer(f);
    wifi_disconnected(f, 201);
    assert_int_equal(link_timer(f)->current.delay_ms, 60000);
    app_fixture_event_ip(f, APP_EVENT_WIFI_GOT_IP, TEST_IP); /* arrives during the wait */
    assert_false(link_timer(f)->armed);
    assert_false(f->fakes.power.low_power);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_CONNECTING);
    wifi_disconnected(f, 201);
    assert_int_equal(link_timer(f)->current.delay_ms, 30000);
}

static void test_a_refused_connect_waits_the_same_delay_again(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    wifi_disconnected(f, 201);
    fake_script_push(&f->fakes.wifi.connect_results, APP_ERR_PLATFORM);
    expire_link_timer(f);
    assert_true(link_timer(f)->armed);
    assert_int_equal(link_timer(f)->current.delay_ms, 30000);
    assert_non_null(fake_event_sink_find_notice(&f->fakes.events, "wifi: connect refused"));
    expire_link_timer(f);
    assert_int_equal(f->fakes.wifi.connect_calls, 3);
}

static void test_a_lost_address_is_the_network_down(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    app_fixture_event(f, APP_EVENT_WIFI_LOST_IP);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_WAITING);
    assert_false(app_fixture_status(f).has_ip);
    assert_int_equal(f->fakes.mqtt.disconnect_calls, 1);
    assert_false(link_timer(f)->armed); /* still associated: the DHCP client asks again */
}

static void test_a_stale_link_timer_expiry_is_ignored(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    wifi_disconnected(f, 201);
    const uint32_t stale = link_timer(f)->current.token;
    app_fixture_event_ip(f, APP_EVENT_WIFI_GOT_IP, TEST_IP); /* cancels the wait */
    const unsigned connects = f->fakes.wifi.connect_calls;
    app_event_t fired = {.kind = APP_EVENT_TIMER_FIRED, .timer = APP_TIMER_LINK, .token = stale};
    assert_true(fake_executor_post(&f->fakes.executor, &fired));
    fake_executor_run_all(&f->fakes.executor);
    assert_int_equal(f->fakes.wifi.connect_calls, connects);
}

static void test_the_link_and_the_connection_share_low_power(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_connecting(f);
    app_fixture_event(f, APP_EVENT_MQTT_DISCONNECTED); /* MQTT backs off: low power */
    assert_true(f->fakes.power.low_power);
    assert_int_equal(f->fakes.power.requests, 1);
    wifi_disconnected(f, 201); /* the MQTT wait ends (network down), the link's begins */
    assert_true(f->fakes.power.low_power);
    assert_int_equal(f->fakes.power.requests, 1); /* one request for both: nothing toggled */
    assert_int_equal(f->fakes.power.releases, 0);
    expire_link_timer(f);
    assert_false(f->fakes.power.low_power);
    assert_int_equal(f->fakes.power.releases, 1);
}

static void test_a_station_that_fails_to_start_is_reported(void **state)
{
    app_fixture_t *f = *state;
    fake_script_push(&f->fakes.wifi.start_station_results, APP_ERR_PLATFORM);
    assert_int_equal(app_fixture_start(f), APP_OK);
    assert_non_null(
        fake_event_sink_find_notice(&f->fakes.events, "wifi: station not started: platform error"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_start_with_credentials_starts_the_station_and_connects_once_it_is_up),
        T(test_an_address_is_the_network_up_the_mqtt_connection_waits_for),
        T(test_every_disconnect_reason_backs_off_doubling_with_low_power_and_reconnects),
        T(test_an_address_resets_the_schedule_and_the_network_comes_back_for_mqtt),
        T(test_a_refused_connect_waits_the_same_delay_again),
        T(test_a_lost_address_is_the_network_down),
        T(test_a_stale_link_timer_expiry_is_ignored),
        T(test_the_link_and_the_connection_share_low_power),
        T(test_a_station_that_fails_to_start_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
