/*
 * The ProvisioningUseCase through the whole application and its HTTP API on the port fakes: the access
 * point, the setup form, the trial connection, and the switch to station mode only after an address.
 * (What the WiFi adapter used to do on its own; the form rules are in test_provisioning.c.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "app_test_support.h"
#include "application/http_api.h"

#define FORM "ssid=Finca&password=clave-segura&device_name=Riego+Norte&location_description=Lote+3"

/* One request as the device's owner sends it: POSTs carry the setup secret as a bearer token. */
static void handle_as_owner(struct application *app, http_api_method_t method, const char *path,
                            const char *body, size_t body_len, char *out, size_t out_size,
                            http_api_response_t *resp)
{
    const http_api_request_t req = {
        .method = method,
        .path = path,
        .body = body,
        .body_len = body_len,
        .authorization = method == HTTP_API_POST ? "Bearer " TEST_SECRET : NULL,
        .host = "192.168.1.50",
    };
    http_api_handle(app, &req, out, out_size, resp);
}

typedef struct {
    http_api_response_t resp;
    char body[HTTP_API_RESPONSE_MAX];
} response_t;

static int setup(void **state)
{
    app_fixture_t *f = app_fixture_new();
    f->fakes.wifi.has_credentials = false; /* an unprovisioned node */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    app_fixture_free(*state);
    return 0;
}

static response_t request_sized(app_fixture_t *f, http_api_method_t method, const char *path,
                                const char *body, size_t body_len)
{
    response_t r;
    memset(&r, 0, sizeof(r));
    handle_as_owner(&f->app, method, path, body, body_len, r.body, sizeof(r.body), &r.resp);
    fake_executor_run_all(&f->fakes.executor); /* what the handler posted runs on the application task */
    return r;
}

static response_t request(app_fixture_t *f, http_api_method_t method, const char *path, const char *body)
{
    return request_sized(f, method, path, body, body == NULL ? 0 : strlen(body));
}

/* start without credentials: the access point is up and the form is served. */
static void start_provisioning(app_fixture_t *f)
{
    assert_int_equal(app_fixture_start(f), APP_OK);
    app_fixture_event(f, APP_EVENT_HTTP_STARTED);
    app_fixture_event(f, APP_EVENT_WIFI_STARTED);
}

static void expire_link_timer(app_fixture_t *f)
{
    assert_true(fake_timer_expire(&f->fakes.timer, APP_TIMER_LINK));
    fake_executor_run_all(&f->fakes.executor);
}

static bool notices_contain(const app_fixture_t *f, const char *text)
{
    return fake_event_sink_find_notice(&f->fakes.events, text) != NULL;
}

static void test_no_credentials_open_a_wpa2_access_point_named_after_the_mac(void **state)
{
    app_fixture_t *f = *state;
    start_provisioning(f);
    assert_int_equal(f->fakes.wifi.start_ap_calls, 1);
    assert_int_equal(f->fakes.wifi.start_station_calls, 0);
    assert_string_equal(f->fakes.wifi.ap_ssid, "Riego-Setup-8E01"); /* TEST_MAC ends 0B:8E:01 */
    assert_string_equal(f->fakes.wifi.ap_password, TEST_SECRET);    /* the device's own secret */
    assert_int_equal(f->fakes.wifi.connect_calls, 0);               /* nothing to connect with yet */
    app_status_snapshot_t s = app_fixture_status(f);
    assert_true(s.provisioning);
    assert_int_equal(s.wifi_mode, WIFI_LINK_MODE_PROVISIONING);
    assert_string_equal(s.ap_ssid, "Riego-Setup-8E01");
    assert_int_equal(f->fakes.mqtt.connect_calls, 0);
}

static void test_the_captive_portal_dns_opens_with_the_access_point(void **state)
{
    app_fixture_t *f = *state;
    start_provisioning(f);
    assert_true(f->fakes.portal.open);
    assert_int_equal(f->fakes.portal.open_calls, 1);
    /* phones' connectivity checks are sent to the setup page */
    response_t r = request(f, HTTP_API_GET, "/generate_204", NULL);
    assert_int_equal(r.resp.status, 302);
    assert_string_equal(r.resp.location, "http://192.168.4.1/");
    assert_int_equal(request(f, HTTP_API_POST, "/generate_204", "x=1").resp.status, 404);
}

static void test_a_dns_that_cannot_start_only_costs_the_automatic_opening(void **state)
{
    app_fixture_t *f = *state;
    fake_script_push(&f->fakes.portal.open_results, APP_ERR_PLATFORM);
    start_provisioning(f);
    assert_int_equal(f->fakes.wifi.start_ap_calls, 1);
    assert_true(app_fixture_status(f).provisioning);
    assert_true(
        notices_contain(f, "captive portal DNS not started (platform error): open http://192.168.4.1/ by "
                           "hand"));
}

static void test_without_a_setup_secret_no_access_point_starts(void **state)
{
    app_fixture_t *f = *state;
    static const char *const missing[] = {"", "riego-setup", "7k3m9qxd2f4h8rtv", "7K3M9QXD2F4H8RT"};
    for (size_t i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
        app_fixture_t *g = app_fixture_new();
        g->fakes.wifi.has_credentials = false;
        strcpy(g->settings.security.setup_secret, missing[i]);
        start_provisioning(g);
        assert_int_equal(g->fakes.wifi.start_ap_calls, 0);
        assert_true(notices_contain(g, "no valid setup secret on this device: no access point started"));
        app_fixture_free(g);
    }
    (void)f;
}

static void test_the_form_page_has_the_fields_and_fills_the_list_from_scan(void **state)
{
    app_fixture_t *f = *state;
    start_provisioning(f);
    response_t r = request(f, HTTP_API_GET, "/", NULL);
    assert_int_equal(r.resp.status, 200);
    assert_string_equal(r.resp.content_type, "text/html");
    assert_non_null(strstr(r.body, "Riego-Setup-8E01"));
    assert_non_null(strstr(r.body, "name=\"ssid\""));
    assert_non_null(strstr(r.body, "name=\"password\""));
    assert_non_null(strstr(r.body, "name=\"device_name\""));
    assert_non_null(strstr(r.body, "name=\"location_description\""));
    assert_non_null(strstr(r.body, "fetch('/scan')"));
}

static void test_an_access_point_prefix_with_other_characters_starts_no_access_point(void **state)
{
    app_fixture_t *f = *state;
    /* Markup in the name would need escaping on the page (setup_page escapes it: test_setup_page.c); a
     * prefix of plain characters keeps every page within the response buffer. */
    strcpy(f->settings.wifi.ap_ssid_prefix, "<b>&\"'");
    start_provisioning(f);
    assert_int_equal(f->fakes.wifi.start_ap_calls, 0);
    assert_true(notices_contain(f, "1 to 27 letters, digits, '-' or '_': no access point started"));
}

static void test_the_longest_plain_access_point_name_is_used(void **state)
{
    app_fixture_t *f = *state;
    strcpy(f->settings.wifi.ap_ssid_prefix, "Riego_Finca-La-Esperanza-27"); /* 27 bytes */
    start_provisioning(f);
    assert_string_equal(f->fakes.wifi.ap_ssid, "Riego_Finca-La-Esperanza-27-8E01");
    response_t r = request(f, HTTP_API_GET, "/", NULL);
    assert_int_equal(r.resp.status, 200);
}

static void test_scan_answers_the_networks_strongest_first_as_json(void **state)
{
    app_fixture_t *f = *state;
    fake_wifi_station_add_network(&f->fakes.wifi, "Casa", 4, -60, true);
    fake_wifi_station_add_network(&f->fakes.wifi, "Finca", 5, -40, true);
    fake_wifi_station_add_network(&f->fakes.wifi, "Abierta", 7, -80, false);
    start_provisioning(f);
    response_t r = request(f, HTTP_API_GET, "/scan", NULL);
    assert_int_equal(r.resp.status, 200);
    assert_string_equal(r.body, "[{\"ssid\":\"Finca\",\"rssi\":-40,\"secured\":true},"
                                "{\"ssid\":\"Casa\",\"rssi\":-60,\"secured\":true},"
                                "{\"ssid\":\"Abierta\",\"rssi\":-80,\"secured\":false}]");
}

static void test_a_scan_that_does_not_fit_drops_the_weakest_networks(void **state)
{
    app_fixture_t *f = *state;
    char ssid[33];
    for (int i = 0; i < 16; i++) {
        /* 4 letters naming it, then 28 control bytes that JSON writes as \u0001: about 230 bytes each */
        memset(ssid, 'a' + i, 4);
        memset(ssid + 4, 0x01, 28);
        fake_wifi_station_add_network(&f->fakes.wifi, ssid, 32, (int8_t)(-30 - i), true);
    }
    start_provisioning(f);
    response_t r = request(f, HTTP_API_GET, "/scan", NULL);
    assert_int_equal(r.resp.status, 200);
    assert_non_null(strstr(r.body, "aaaa")); /* the strongest is there */
    assert_null(strstr(r.body, "pppp"));     /* the weakest did not fit */
    assert_int_equal(r.body[r.resp.body_len - 1], ']');
}

static void test_a_failed_scan_answers_503(void **state)
{
    app_fixture_t *f = *state;
    fake_script_push(&f->fakes.wifi.scan_results, APP_ERR_PLATFORM);
    start_provisioning(f);
    response_t r = request(f, HTTP_API_GET, "/scan", NULL);
    assert_int_equal(r.resp.status, 503);
    assert_string_equal(r.body, "{\"error\":\"scan failed\"}");
}

static void test_a_valid_form_stores_the_config_keeps_the_credentials_in_ram_and_answers_200(void **state)
{
    app_fixture_t *f = *state;
    start_provisioning(f);
    response_t r = request(f, HTTP_API_POST, "/provision", FORM);
    assert_int_equal(r.resp.status, 200);
    assert_string_equal(r.resp.content_type, "text/html");
    assert_non_null(strstr(r.body, "se conecta a <b>Finca</b>")); /* Spanish: no ?lang=en */
    assert_string_equal(fake_config_repository_get(&f->fakes.config, CONFIG_FIELD_DEVICE_NAME),
                        "Riego Norte");
    assert_string_equal(fake_config_repository_get(&f->fakes.config, CONFIG_FIELD_LOCATION), "Lote 3");
    assert_int_equal(f->fakes.wifi.set_credentials_calls, 1);
    assert_string_equal(f->fakes.wifi.ssid, "Finca");
    assert_string_equal(f->fakes.wifi.password, "clave-segura");
    assert_int_equal(f->fakes.wifi.persist_calls, 0); /* not before it produced an address */
}

static void test_a_form_without_name_or_location_stores_no_device_config(void **state)
{
    app_fixture_t *f = *state;
    start_provisioning(f);
    response_t r = request(f, HTTP_API_POST, "/provision", "ssid=Finca&password=clave-segura");
    assert_int_equal(r.resp.status, 200);
    assert_int_equal(f->fakes.config.store_calls[CONFIG_FIELD_DEVICE_NAME], 0);
    assert_int_equal(f->fakes.config.store_calls[CONFIG_FIELD_LOCATION], 0);
}

static void test_the_station_connects_after_the_settle_delay_not_in_the_handler(void **state)
{
    app_fixture_t *f = *state;
    start_provisioning(f);
    (void)request(f, HTTP_API_POST, "/provision", FORM);
    assert_int_equal(f->fakes.wifi.connect_calls, 0);
    assert_true(f->fakes.timer.timers[APP_TIMER_LINK].armed);
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_LINK].current.delay_ms, WIFI_LINK_DEFAULT_SETTLE_MS);
    expire_link_timer(f);
    assert_int_equal(f->fakes.wifi.connect_calls, 1);
}

static void test_the_first_address_persists_closes_the_access_point_and_only_then_starts_mqtt(void **state)
{
    app_fixture_t *f = *state;
    start_provisioning(f);
    (void)request(f, HTTP_API_POST, "/provision", FORM);
    expire_link_timer(f);
    app_fixture_event_ip(f, APP_EVENT_WIFI_GOT_IP, TEST_IP);
    assert_int_equal(f->fakes.wifi.persist_calls, 1);
    assert_int_equal(f->fakes.wifi.stop_ap_calls, 1);
    assert_false(f->fakes.portal.open); /* the captive DNS ends with the access point */
    assert_int_equal(f->fakes.portal.close_calls, 1);
    assert_int_equal(f->fakes.mqtt.connect_calls, 1); /* network up only after the switch to station mode */
    app_status_snapshot_t s = app_fixture_status(f);
    assert_false(s.provisioning);
    assert_int_equal(s.wifi_mode, WIFI_LINK_MODE_STATION);
    assert_true(s.has_ip);
    assert_true(notices_contain(f, "provisioning done: station mode"));
    /* the setup routes are gone: nobody on the farm's network can change the credentials */
    assert_int_equal(request(f, HTTP_API_GET, "/", NULL).resp.status, 404);
    assert_int_equal(request(f, HTTP_API_GET, "/scan", NULL).resp.status, 404);
    assert_int_equal(request(f, HTTP_API_POST, "/provision", FORM).resp.status, 404);
    assert_int_equal(f->fakes.wifi.set_credentials_calls, 1);
}

static void test_mqtt_never_starts_while_the_access_point_is_up(void **state)
{
    app_fixture_t *f = *state;
    fake_script_push(&f->fakes.wifi.persist_results, APP_ERR_STORAGE); /* provisioning still finishes */
    start_provisioning(f);
    (void)request(f, HTTP_API_POST, "/provision", FORM);
    expire_link_timer(f);
    /* The trial's address alone starts nothing: the link reports up only after provisioning_finish. */
    const fake_wifi_station_t *wifi = &f->fakes.wifi;
    assert_int_equal(wifi->stop_ap_calls, 0);
    assert_int_equal(f->fakes.mqtt.connect_calls, 0);
    app_fixture_event_ip(f, APP_EVENT_WIFI_GOT_IP, TEST_IP);
    assert_int_equal(wifi->stop_ap_calls, 1);
    assert_true(notices_contain(f, "credentials not persisted"));
    assert_int_equal(f->fakes.mqtt.connect_calls, 1);
}

static void test_a_wrong_password_keeps_the_access_point_and_retries_without_persisting(void **state)
{
    app_fixture_t *f = *state;
    start_provisioning(f);
    (void)request(f, HTTP_API_POST, "/provision", FORM);
    expire_link_timer(f);
    app_event_t failed = {.kind = APP_EVENT_WIFI_DISCONNECTED, .code = 15};
    assert_true(fake_executor_post(&f->fakes.executor, &failed));
    fake_executor_run_all(&f->fakes.executor);
    assert_int_equal(f->fakes.wifi.persist_calls, 0);
    assert_int_equal(f->fakes.wifi.stop_ap_calls, 0);
    assert_true(app_fixture_status(f).provisioning);
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_LINK].current.delay_ms, 30000);
    assert_false(f->fakes.power.low_power); /* the access point must stay responsive */
    assert_int_equal(request(f, HTTP_API_GET, "/", NULL).resp.status, 200);
}

static void test_a_second_form_replaces_the_credentials_and_connects_after_the_settle_delay(void **state)
{
    app_fixture_t *f = *state;
    start_provisioning(f);
    (void)request(f, HTTP_API_POST, "/provision", FORM);
    expire_link_timer(f);
    assert_int_equal(f->fakes.wifi.connect_calls, 1);
    (void)request(f, HTTP_API_POST, "/provision", "ssid=Finca&password=la-correcta");
    assert_string_equal(f->fakes.wifi.password, "la-correcta");
    assert_int_equal(f->fakes.wifi.disconnect_calls, 1); /* the attempt with the old password is dropped */
    assert_int_equal(f->fakes.timer.timers[APP_TIMER_LINK].current.delay_ms, WIFI_LINK_DEFAULT_SETTLE_MS);
    expire_link_timer(f);
    assert_int_equal(f->fakes.wifi.connect_calls, 2);
}

static void test_an_invalid_form_answers_400_with_the_reason_and_changes_nothing(void **state)
{
    app_fixture_t *f = *state;
    start_provisioning(f);
    response_t r = request(f, HTTP_API_POST, "/provision", "password=clave-segura");
    assert_int_equal(r.resp.status, 400);
    assert_string_equal(r.body, "ssid is required");
    r = request(f, HTTP_API_POST, "/provision", "ssid=Finca&password=corta");
    assert_int_equal(r.resp.status, 400);
    assert_string_equal(r.body, "password must be empty, 8 to 63 characters, or 64 hex digits");
    assert_int_equal(f->fakes.wifi.set_credentials_calls, 0);
    assert_false(f->fakes.timer.timers[APP_TIMER_LINK].armed);
}

static void test_an_oversized_form_answers_413(void **state)
{
    app_fixture_t *f = *state;
    start_provisioning(f);
    response_t r = request_sized(f, HTTP_API_POST, "/provision", NULL, HTTP_API_MAX_BODY + 1);
    assert_int_equal(r.resp.status, 413);
    assert_int_equal(f->fakes.wifi.set_credentials_calls, 0);
}

static void test_a_refused_device_config_answers_400_and_a_storage_failure_500(void **state)
{
    app_fixture_t *f = *state;
    start_provisioning(f);
    response_t r =
        request(f, HTTP_API_POST, "/provision", "ssid=Finca&password=clave-segura&device_name=+++");
    assert_int_equal(r.resp.status, 400);
    assert_string_equal(r.body, "device_name is empty or only white space");
    fake_script_push(&f->fakes.config.store_results[CONFIG_FIELD_DEVICE_NAME], APP_ERR_STORAGE);
    r = request(f, HTTP_API_POST, "/provision", FORM);
    assert_int_equal(r.resp.status, 500);
    assert_int_equal(f->fakes.wifi.set_credentials_calls, 0);
}

static void test_credentials_the_driver_refuses_answer_500(void **state)
{
    app_fixture_t *f = *state;
    fake_script_push(&f->fakes.wifi.set_credentials_results, APP_ERR_PLATFORM);
    start_provisioning(f);
    response_t r = request(f, HTTP_API_POST, "/provision", "ssid=Finca&password=clave-segura");
    assert_int_equal(r.resp.status, 500);
    assert_string_equal(r.body, "could not apply the WiFi settings");
}

static void test_a_full_queue_answers_503_send_again(void **state)
{
    app_fixture_t *f = *state;
    start_provisioning(f);
    f->fakes.executor.refuse_posts = true;
    response_t r = request(f, HTTP_API_POST, "/provision", "ssid=Finca&password=clave-segura");
    assert_int_equal(r.resp.status, 503);
    assert_string_equal(r.body, "busy: send the form again");
}

static void test_the_password_never_appears_in_notices_or_responses(void **state)
{
    app_fixture_t *f = *state;
    start_provisioning(f);
    response_t r = request(f, HTTP_API_POST, "/provision", FORM);
    assert_null(strstr(r.body, "clave-segura"));
    r = request(f, HTTP_API_POST, "/provision", "ssid=Finca&password=clave-mala");
    expire_link_timer(f);
    app_fixture_event_ip(f, APP_EVENT_WIFI_GOT_IP, TEST_IP);
    for (size_t i = 0; i < f->fakes.events.notice_count && i < FAKE_EVENT_SINK_MAX_NOTICES; i++) {
        assert_null(strstr(f->fakes.events.notices[i].message, "clave-segura"));
        assert_null(strstr(f->fakes.events.notices[i].message, "clave-mala"));
        assert_null(strstr(f->fakes.events.notices[i].message, TEST_SECRET));
    }
}

static void test_setup_routes_are_404_for_a_provisioned_node(void **state)
{
    app_fixture_t *f = *state;
    f->fakes.wifi.has_credentials = true;
    assert_int_equal(app_fixture_start(f), APP_OK);
    assert_int_equal(request(f, HTTP_API_GET, "/", NULL).resp.status, 404);
    assert_int_equal(request(f, HTTP_API_GET, "/scan?x=1", NULL).resp.status, 404);
    assert_int_equal(request(f, HTTP_API_POST, "/provision", FORM).resp.status, 404);
    assert_int_equal(f->fakes.wifi.scan_calls, 0);
    assert_int_equal(f->fakes.wifi.set_credentials_calls, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_no_credentials_open_a_wpa2_access_point_named_after_the_mac),
        T(test_without_a_setup_secret_no_access_point_starts),
        T(test_the_captive_portal_dns_opens_with_the_access_point),
        T(test_a_dns_that_cannot_start_only_costs_the_automatic_opening),
        T(test_the_form_page_has_the_fields_and_fills_the_list_from_scan),
        T(test_an_access_point_prefix_with_other_characters_starts_no_access_point),
        T(test_the_longest_plain_access_point_name_is_used),
        T(test_scan_answers_the_networks_strongest_first_as_json),
        T(test_a_scan_that_does_not_fit_drops_the_weakest_networks),
        T(test_a_failed_scan_answers_503),
        T(test_a_valid_form_stores_the_config_keeps_the_credentials_in_ram_and_answers_200),
        T(test_a_form_without_name_or_location_stores_no_device_config),
        T(test_the_station_connects_after_the_settle_delay_not_in_the_handler),
        T(test_the_first_address_persists_closes_the_access_point_and_only_then_starts_mqtt),
        T(test_mqtt_never_starts_while_the_access_point_is_up),
        T(test_a_wrong_password_keeps_the_access_point_and_retries_without_persisting),
        T(test_a_second_form_replaces_the_credentials_and_connects_after_the_settle_delay),
        T(test_an_invalid_form_answers_400_with_the_reason_and_changes_nothing),
        T(test_an_oversized_form_answers_413),
        T(test_a_refused_device_config_answers_400_and_a_storage_failure_500),
        T(test_credentials_the_driver_refuses_answer_500),
        T(test_a_full_queue_answers_503_send_again),
        T(test_the_password_never_appears_in_notices_or_responses),
        T(test_setup_routes_are_404_for_a_provisioned_node),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
