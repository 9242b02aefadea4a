/*
 * The factory reset (APP_EVENT_FACTORY_RESET) through the whole application and its HTTP API on the port
 * fakes: the WiFi credentials are erased, the link reopens the setup access point, the MQTT connection
 * sees the network go down, the setup routes answer, and the device name and location stay.
 * (The link entity's side is tested in test_wifi_link.c.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "app_test_support.h"

#define NAME     "Riego Norte"
#define LOCATION "Lote 3"
#define AP_SSID  "Riego-Setup-8E01" /* the default prefix and TEST_MAC's last two bytes */

static int setup(void **state)
{
    app_fixture_t *f = app_fixture_new();
    fake_config_repository_set(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME, NAME);
    fake_config_repository_set(&f->fakes.config, CONFIG_FIELD_LOCATION, LOCATION);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    app_fixture_free(*state);
    return 0;
}

static void wifi_disconnected(app_fixture_t *f, int32_t reason)
{
    app_event_t event = {.kind = APP_EVENT_WIFI_DISCONNECTED, .code = reason};
    assert_true(fake_executor_post(&f->fakes.executor, &event));
    fake_executor_run_all(&f->fakes.executor);
}

static const fake_timer_slot_t *link_timer(const app_fixture_t *f)
{
    return &f->fakes.timer.timers[APP_TIMER_LINK];
}

static bool notices_contain(const app_fixture_t *f, const char *text)
{
    return fake_event_sink_find_notice(&f->fakes.events, text) != NULL;
}

static void assert_name_and_location_unchanged(app_fixture_t *f)
{
    assert_int_equal(f->fakes.config.store_calls[CONFIG_FIELD_DEVICE_NAME], 0);
    assert_int_equal(f->fakes.config.store_calls[CONFIG_FIELD_LOCATION], 0);
    assert_string_equal(fake_config_repository_get(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME), NAME);
    assert_string_equal(fake_config_repository_get(&f->fakes.config, CONFIG_FIELD_LOCATION), LOCATION);
    const app_fixture_response_t r = app_fixture_request(f, HTTP_API_GET, "/whoami", NULL);
    assert_int_equal(r.resp.status, 200);
    assert_non_null(strstr(r.body, "\"device_name\":\"" NAME "\""));
    assert_non_null(strstr(r.body, "\"location_description\":\"" LOCATION "\""));
}

static void test_a_registered_station_reset_opens_the_access_point_and_drops_the_network(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    const unsigned mqtt_disconnects = f->fakes.mqtt.disconnect_calls;
    app_fixture_event(f, APP_EVENT_FACTORY_RESET);

    const fake_wifi_station_t *wifi = &f->fakes.wifi;
    assert_int_equal(wifi->forget_calls, 1);
    assert_false(wifi->has_credentials); /* the next boot provisions too */
    assert_int_equal(wifi->disconnect_calls, 1);
    assert_int_equal(wifi->start_ap_calls, 1);
    assert_string_equal(wifi->ap_ssid, AP_SSID);
    assert_string_equal(wifi->ap_password, TEST_SECRET); /* the boot-time rule: the device's own secret */
    assert_true(notices_contain(f, "factory reset: WiFi credentials erased"));

    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_WAITING);
    assert_int_equal(f->fakes.mqtt.disconnect_calls, mqtt_disconnects + 1);
    const app_status_snapshot_t s = app_fixture_status(f);
    assert_true(s.provisioning);
    assert_int_equal(s.wifi_mode, WIFI_LINK_MODE_PROVISIONING);
    assert_int_equal(s.wifi_state, WIFI_LINK_IDLE);
    assert_false(s.has_ip);
    assert_string_equal(s.ap_ssid, AP_SSID);
    const domain_event_t *changed = fake_event_sink_last(&f->fakes.events, DOMAIN_EVENT_WIFI_LINK_CHANGED);
    assert_int_equal(changed->data.wifi_link.mode, WIFI_LINK_MODE_PROVISIONING);
    assert_int_equal(changed->data.wifi_link.new_state, WIFI_LINK_IDLE);
}

static void test_after_a_reset_the_setup_routes_answer_and_name_and_location_stay(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    assert_int_equal(app_fixture_request(f, HTTP_API_GET, "/", NULL).resp.status, 404);
    app_fixture_event(f, APP_EVENT_FACTORY_RESET);

    const app_fixture_response_t page = app_fixture_request(f, HTTP_API_GET, "/", NULL);
    assert_int_equal(page.resp.status, 200);
    assert_string_equal(page.resp.content_type, "text/html");
    assert_non_null(strstr(page.body, AP_SSID));
    assert_non_null(strstr(page.body, "name=\"ssid\""));
    assert_int_equal(app_fixture_request(f, HTTP_API_GET, "/scan", NULL).resp.status, 200);
    const app_fixture_response_t status = app_fixture_request(f, HTTP_API_GET, "/status", NULL);
    assert_non_null(strstr(status.body, "\"provisioning\":true"));
    assert_name_and_location_unchanged(f);
}

static void test_the_form_after_a_reset_brings_the_station_back_and_it_registers_again(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    app_fixture_event(f, APP_EVENT_FACTORY_RESET);
    wifi_disconnected(f, 8); /* the driver reports the connection dropped on request: no retry */
    assert_false(link_timer(f)->armed);

    const app_fixture_response_t r =
        app_fixture_request(f, HTTP_API_POST, "/provision", "ssid=Finca&password=clave-segura");
    assert_int_equal(r.resp.status, 200);
    assert_int_equal(link_timer(f)->current.delay_ms, WIFI_LINK_DEFAULT_SETTLE_MS);
    const unsigned connects = f->fakes.wifi.connect_calls;
    assert_true(fake_timer_expire(&f->fakes.timer, APP_TIMER_LINK));
    fake_executor_run_all(&f->fakes.executor);
    assert_int_equal(f->fakes.wifi.connect_calls, connects + 1);
    const unsigned mqtt_connects = f->fakes.mqtt.connect_calls;
    fake_network_set_ip(&f->fakes.network, "192.168.1.77"); /* the farm's new network */
    app_fixture_event_ip(f, APP_EVENT_WIFI_GOT_IP, "192.168.1.77");
    assert_int_equal(f->fakes.wifi.persist_calls, 1);
    assert_int_equal(f->fakes.wifi.stop_ap_calls, 1);
    assert_int_equal(f->fakes.mqtt.connect_calls, mqtt_connects + 1);
    assert_false(app_fixture_status(f).provisioning);

    app_fixture_event(f, APP_EVENT_MQTT_CONNECTED);
    char expected[512];
    app_fixture_expected_payload(expected, sizeof(expected), NAME, "192.168.1.77", LOCATION);
    assert_string_equal(fake_mqtt_client_last_publish(&f->fakes.mqtt)->payload, expected);
    assert_name_and_location_unchanged(f);
}

static void test_a_failed_erase_is_an_error_notice_and_the_access_point_still_opens(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    fake_script_push(&f->fakes.wifi.forget_results, APP_ERR_PLATFORM);
    app_fixture_event(f, APP_EVENT_FACTORY_RESET);
    const fake_notice_t *notice = fake_event_sink_find_notice(&f->fakes.events, "factory reset:");
    assert_non_null(notice);
    assert_int_equal(notice->level, APP_NOTICE_ERROR);
    assert_non_null(strstr(notice->message, "not erased (platform error); provisioning anyway"));
    assert_int_equal(f->fakes.wifi.start_ap_calls, 1);
    assert_true(app_fixture_status(f).provisioning);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_WAITING);
}

static void test_a_reset_while_backing_off_ends_the_wait_and_releases_low_power(void **state)
{
    app_fixture_t *f = *state;
    app_fixture_boot_registered(f);
    wifi_disconnected(f, 201);
    assert_true(link_timer(f)->armed);
    assert_true(f->fakes.power.low_power);
    app_fixture_event(f, APP_EVENT_FACTORY_RESET);
    assert_false(link_timer(f)->armed);
    assert_false(f->fakes.power.low_power); /* the access point must stay responsive */
    assert_int_equal(f->fakes.wifi.start_ap_calls, 1);
    assert_int_equal(f->fakes.wifi.disconnect_calls, 0); /* nothing to drop */
}

static void test_a_reset_while_provisioning_keeps_the_access_point(void **state)
{
    app_fixture_t *f = *state;
    f->fakes.wifi.has_credentials = false;
    assert_int_equal(app_fixture_start(f), APP_OK);
    app_fixture_event(f, APP_EVENT_WIFI_STARTED);
    assert_int_equal(f->fakes.wifi.start_ap_calls, 1);
    app_fixture_event(f, APP_EVENT_FACTORY_RESET);
    assert_int_equal(f->fakes.wifi.forget_calls, 1);
    assert_int_equal(f->fakes.wifi.start_ap_calls, 1); /* re-opening it would drop the technician's phone */
    assert_true(app_fixture_status(f).provisioning);
}

static void test_a_reset_applies_the_access_point_password_rule_of_the_boot(void **state)
{
    app_fixture_t *f = *state;
    f->settings.security.setup_secret[0] =
        '\0'; /* no secret: never an open or shared-password access point */
    app_fixture_boot_registered(f);
    app_fixture_event(f, APP_EVENT_FACTORY_RESET);
    assert_int_equal(f->fakes.wifi.start_ap_calls, 0);
    assert_true(notices_contain(f, "no valid setup secret on this device: no access point started"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_a_registered_station_reset_opens_the_access_point_and_drops_the_network),
        T(test_after_a_reset_the_setup_routes_answer_and_name_and_location_stay),
        T(test_the_form_after_a_reset_brings_the_station_back_and_it_registers_again),
        T(test_a_failed_erase_is_an_error_notice_and_the_access_point_still_opens),
        T(test_a_reset_while_backing_off_ends_the_wait_and_releases_low_power),
        T(test_a_reset_while_provisioning_keeps_the_access_point),
        T(test_a_reset_applies_the_access_point_password_rule_of_the_boot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
