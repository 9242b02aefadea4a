/*
 * wifi_adapter, provisioning part: the WPA2 access point (never open), the form page, the scan JSON and
 * POST /provision (valid, invalid, oversized), the deferred switch to the station, persistence only after an
 * IP, and a password that never appears in logs or responses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "application/provisioning.h"
#include "esp_wifi.h"
#include "fake_esp_event.h"
#include "fake_esp_http_server.h"
#include "fake_esp_log.h"
#include "fake_esp_timer.h"
#include "fake_esp_wifi.h"
#include "wifi_test_support.h"

#define SECRET "s3cret-Passw0rd"

static void start_provisioning(void)
{
    wifi_fixture_start_http();
    wifi_adapter_mode_t mode = WIFI_ADAPTER_MODE_NONE;
    assert_int_equal(wifi_adapter_start(&mode), ESP_OK);
    assert_int_equal(mode, WIFI_ADAPTER_MODE_PROVISIONING);
    fake_esp_event_dispatch(WIFI_EVENT, WIFI_EVENT_AP_START, NULL);
    fake_esp_event_dispatch(WIFI_EVENT, WIFI_EVENT_STA_START, NULL);
}

static const fake_httpd_response_t *post_form(const char *body)
{
    return fake_httpd_request(HTTP_POST, "/provision", body, strlen(body), strlen(body));
}

static void test_no_credentials_start_an_apsta_access_point_with_wpa2(void **state)
{
    (void)state;
    start_provisioning();
    assert_int_equal(fake_esp_wifi_state()->mode, WIFI_MODE_APSTA);
    assert_true(fake_esp_wifi_state()->started);
    const wifi_ap_config_t *ap = &fake_esp_wifi_config(WIFI_IF_AP)->ap;
    assert_int_equal(ap->authmode, WIFI_AUTH_WPA2_PSK);
    assert_string_equal((const char *)ap->password, TEST_AP_PASSWORD);
    assert_int_equal(ap->channel, 6);
    assert_int_equal(ap->max_connection, 2);
    assert_int_equal(wifi_adapter_mode(), WIFI_ADAPTER_MODE_PROVISIONING);
}

static void test_ap_ssid_is_the_prefix_and_the_last_two_station_mac_bytes(void **state)
{
    (void)state;
    const uint8_t mac[6] = {0x24, 0x6F, 0x28, 0xA1, 0x0B, 0xEF};
    fake_esp_wifi_set_sta_mac(mac);
    start_provisioning();
    const wifi_ap_config_t *ap = &fake_esp_wifi_config(WIFI_IF_AP)->ap;
    assert_memory_equal(ap->ssid, "RIEGO-0BEF", 10);
    assert_int_equal(ap->ssid_len, 10);
}

static void test_ap_password_outside_8_to_63_characters_is_refused(void **state)
{
    (void)state;
    static char long_password[65];
    memset(long_password, 'p', 64);
    const char *bad[] = {"", "1234567", long_password};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        wf.cfg.ap_password = bad[i];
        wifi_fixture_reboot();
        wifi_fixture_start_http();
        assert_int_equal(wifi_adapter_start(NULL), ESP_ERR_INVALID_ARG);
        assert_false(fake_esp_wifi_state()->started);
        assert_int_equal(fake_esp_wifi_state()->set_config_calls, 0);
        assert_null(fake_httpd_find("/provision", HTTP_POST));
    }
}

static void test_ap_password_of_exactly_8_characters_is_accepted(void **state)
{
    (void)state;
    wf.cfg.ap_password = "12345678";
    wifi_fixture_reboot();
    start_provisioning();
    assert_string_equal((const char *)fake_esp_wifi_config(WIFI_IF_AP)->ap.password, "12345678");
}

static void test_provisioning_needs_the_http_server(void **state)
{
    (void)state;
    assert_int_equal(wifi_adapter_start(NULL), ESP_ERR_INVALID_STATE);
    assert_false(fake_esp_wifi_state()->started);
}

static void test_access_point_events_post_nothing_and_do_not_connect(void **state)
{
    (void)state;
    start_provisioning();
    assert_int_equal(pending_events(), 0);
    assert_int_equal(fake_esp_wifi_state()->connect_calls, 0);
}

static void test_form_page_has_the_fields_and_fills_the_datalist_from_scan(void **state)
{
    (void)state;
    start_provisioning();
    const fake_httpd_response_t *r = fake_httpd_request(HTTP_GET, "/", NULL, 0, 0);
    assert_string_equal(r->status, "200 OK");
    assert_string_equal(r->content_type, "text/html");
    static const char *const parts[] = {
        "name=\"ssid\"",         "list=\"networks\"",    "<datalist id=\"networks\">",
        "name=\"password\"",     "name=\"device_name\"", "name=\"location_description\"",
        "action=\"/provision\"", "fetch('/scan')",       "RIEGO-B2C3"};
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        assert_non_null(strstr(r->body, parts[i]));
    }
}

static void test_form_page_escapes_the_dynamic_ssid(void **state)
{
    (void)state;
    wf.cfg.ap_ssid_prefix = "<b>&'\"";
    wifi_fixture_reboot();
    start_provisioning();
    const fake_httpd_response_t *r = fake_httpd_request(HTTP_GET, "/", NULL, 0, 0);
    assert_non_null(strstr(r->body, "&lt;b&gt;&amp;&#39;&quot;-B2C3"));
    assert_null(strstr(r->body, "<b>"));
}

static wifi_ap_record_t record(const char *ssid, int8_t rssi, wifi_auth_mode_t auth)
{
    wifi_ap_record_t r;
    memset(&r, 0, sizeof(r));
    memcpy(r.ssid, ssid, strlen(ssid));
    r.rssi = rssi;
    r.authmode = auth;
    return r;
}

static void test_scan_answers_the_networks_as_json(void **state)
{
    (void)state;
    start_provisioning();
    const wifi_ap_record_t records[] = {record("Finca", -40, WIFI_AUTH_WPA2_PSK),
                                        record("Cafe \"Libre\"", -75, WIFI_AUTH_OPEN)};
    fake_esp_wifi_set_scan_results(records, 2);
    const provisioning_network_t nets[] = {
        {.ssid = "Finca", .ssid_len = 5, .rssi = -40, .secured = true},
        {.ssid = "Cafe \"Libre\"", .ssid_len = 12, .rssi = -75, .secured = false},
    };
    char want[512];
    size_t want_len = 0;
    assert_int_equal(provisioning_scan_json(nets, 2, want, sizeof(want), &want_len), APP_OK);

    const fake_httpd_response_t *r = fake_httpd_request(HTTP_GET, "/scan", NULL, 0, 0);
    assert_string_equal(r->status, "200 OK");
    assert_string_equal(r->content_type, "application/json");
    assert_int_equal(r->body_len, want_len);
    assert_memory_equal(r->body, want, want_len);
    assert_true(fake_esp_wifi_state()->last_scan_block);
}

static void test_scan_of_a_full_32_byte_ssid_uses_all_bytes(void **state)
{
    (void)state;
    start_provisioning();
    wifi_ap_record_t r = record("", -50, WIFI_AUTH_WPA2_PSK);
    memset(r.ssid, 'S', 32);
    fake_esp_wifi_set_scan_results(&r, 1);
    const fake_httpd_response_t *resp = fake_httpd_request(HTTP_GET, "/scan", NULL, 0, 0);
    char want[40];
    memset(want, 'S', 32);
    want[32] = '\0';
    assert_non_null(strstr(resp->body, want));
}

static void test_scan_failure_answers_503(void **state)
{
    (void)state;
    start_provisioning();
    fake_esp_wifi_set_error(FAKE_WIFI_FN_SCAN_START, ESP_ERR_WIFI_STATE);
    const fake_httpd_response_t *r = fake_httpd_request(HTTP_GET, "/scan", NULL, 0, 0);
    assert_string_equal(r->status, "503 Service Unavailable");
    assert_string_equal(r->content_type, "application/json");
}

static void test_valid_form_stores_config_and_credentials_in_ram_and_answers_200(void **state)
{
    (void)state;
    start_provisioning();
    const fake_httpd_response_t *r =
        post_form("ssid=Finca&password=" SECRET "&device_name=Riego+Norte&location_description=Lote%207");
    assert_string_equal(r->status, "200 OK");
    assert_string_equal(r->content_type, "text/html");
    assert_non_null(strstr(r->body, "Finca"));
    assert_int_equal(wf.store_calls, 1);
    assert_string_equal(wf.stored_name, "Riego Norte");
    assert_string_equal(wf.stored_location, "Lote 7");
    assert_string_equal((const char *)fake_esp_wifi_config(WIFI_IF_STA)->sta.ssid, "Finca");
    assert_string_equal((const char *)fake_esp_wifi_config(WIFI_IF_STA)->sta.password, SECRET);
    /* not persisted until the network accepts the credentials */
    assert_int_equal(fake_esp_wifi_state()->storage, WIFI_STORAGE_RAM);
    assert_int_equal(fake_esp_wifi_flash_config(WIFI_IF_STA)->sta.ssid[0], 0);
}

static void test_form_without_name_or_location_stores_no_device_config(void **state)
{
    (void)state;
    start_provisioning();
    assert_string_equal(post_form("ssid=Finca&password=" SECRET)->status, "200 OK");
    assert_int_equal(wf.store_calls, 0);
}

static void test_the_station_connects_from_a_timer_not_from_the_handler(void **state)
{
    (void)state;
    start_provisioning();
    post_form("ssid=Finca&password=" SECRET);
    assert_int_equal(fake_esp_wifi_state()->connect_calls, 0);
    esp_timer_handle_t prov = timer_named("wifi_prov");
    assert_true(fake_esp_timer_armed(prov));
    assert_true(expire(prov));
    assert_int_equal(fake_esp_wifi_state()->connect_calls, 1);
}

static void test_first_ip_posts_network_up_persists_and_closes_the_access_point(void **state)
{
    (void)state;
    start_provisioning();
    post_form("ssid=Finca&password=" SECRET);
    esp_timer_handle_t prov = timer_named("wifi_prov");
    assert_true(expire(prov));
    deliver_got_ip(192, 168, 0, 23, true);
    app_event_t event;
    assert_true(take_event(&event));
    assert_int_equal(event.kind, APP_EVENT_NETWORK_UP);
    assert_int_equal(event.ip.octets[3], 23);

    assert_true(expire(prov)); /* the finishing step, also deferred */
    assert_int_equal(fake_httpd_run_queued_work(), 1);
    assert_string_equal((const char *)fake_esp_wifi_flash_config(WIFI_IF_STA)->sta.ssid, "Finca");
    assert_string_equal((const char *)fake_esp_wifi_flash_config(WIFI_IF_STA)->sta.password, SECRET);
    assert_int_equal(fake_esp_wifi_state()->storage, WIFI_STORAGE_FLASH);
    assert_int_equal(fake_esp_wifi_state()->mode, WIFI_MODE_STA);
    assert_int_equal(wifi_adapter_mode(), WIFI_ADAPTER_MODE_STATION);
    assert_null(fake_httpd_find("/provision", HTTP_POST));
    assert_null(fake_httpd_find("/scan", HTTP_GET));
    assert_null(fake_httpd_find("/", HTTP_GET));
}

static void test_the_finishing_step_runs_on_the_http_server_task_not_on_the_timer(void **state)
{
    (void)state;
    start_provisioning();
    post_form("ssid=Finca&password=" SECRET);
    esp_timer_handle_t prov = timer_named("wifi_prov");
    assert_true(expire(prov));
    deliver_got_ip(192, 168, 0, 23, true);
    assert_true(expire(prov));
    /* The timer only queued it: nothing persisted, the routes still there. */
    assert_int_equal(fake_httpd_queued_work(), 1);
    assert_int_equal(fake_esp_wifi_state()->storage, WIFI_STORAGE_RAM);
    assert_non_null(fake_httpd_find("/provision", HTTP_POST));
    assert_int_equal(fake_httpd_run_queued_work(), 1);
    assert_null(fake_httpd_find("/provision", HTTP_POST));
    assert_int_equal(fake_esp_wifi_state()->storage, WIFI_STORAGE_FLASH);
    assert_int_equal(fake_httpd_unregisters_off_server_task(), 0);
}

static void test_a_refused_queueing_of_the_finishing_step_is_tried_again_later(void **state)
{
    (void)state;
    start_provisioning();
    post_form("ssid=Finca&password=" SECRET);
    esp_timer_handle_t prov = timer_named("wifi_prov");
    assert_true(expire(prov));
    deliver_got_ip(192, 168, 0, 23, true);
    fake_httpd_fail_next_queue_work();
    assert_true(expire(prov));
    assert_int_equal(fake_httpd_queued_work(), 0);
    assert_true(fake_esp_timer_armed(prov)); /* the step armed again */
    assert_true(expire(prov));
    assert_int_equal(fake_httpd_run_queued_work(), 1);
    assert_int_equal(wifi_adapter_mode(), WIFI_ADAPTER_MODE_STATION);
    assert_int_equal(fake_httpd_unregisters_off_server_task(), 0);
}

static void test_wrong_password_keeps_the_access_point_and_retries_without_persisting(void **state)
{
    (void)state;
    start_provisioning();
    post_form("ssid=Finca&password=" SECRET);
    assert_true(expire(timer_named("wifi_prov")));
    deliver_disconnected(WIFI_REASON_AUTH_FAIL);
    assert_int_equal(pending_events(), 0);
    assert_true(fake_esp_timer_armed(timer_named("wifi_retry")));
    assert_int_equal(fake_esp_wifi_state()->mode, WIFI_MODE_APSTA);
    assert_non_null(fake_httpd_find("/provision", HTTP_POST));
    wifi_fixture_reboot();
    assert_false(wifi_adapter_has_credentials()); /* back to provisioning after a reboot */
}

static void test_a_second_form_replaces_the_credentials_and_connects_at_once(void **state)
{
    (void)state;
    start_provisioning();
    post_form("ssid=Finca&password=wrong-password");
    assert_true(expire(timer_named("wifi_prov")));
    deliver_disconnected(WIFI_REASON_AUTH_FAIL);
    post_form("ssid=Finca&password=" SECRET);
    assert_true(expire(timer_named("wifi_prov")));
    assert_false(fake_esp_timer_armed(timer_named("wifi_retry")));
    assert_string_equal((const char *)fake_esp_wifi_config(WIFI_IF_STA)->sta.password, SECRET);
    assert_int_equal(fake_esp_wifi_state()->connect_calls, 2);
}

static void test_invalid_form_answers_400_with_the_reason_and_changes_nothing(void **state)
{
    (void)state;
    start_provisioning();
    const fake_httpd_response_t *r = post_form("password=" SECRET);
    assert_string_equal(r->status, "400 Bad Request");
    assert_string_equal(r->content_type, "text/plain");
    assert_non_null(strstr(r->body, "ssid"));
    assert_int_equal(wf.store_calls, 0);
    assert_int_equal(fake_esp_wifi_config(WIFI_IF_STA)->sta.ssid[0], 0);
    assert_false(fake_esp_timer_armed(timer_named("wifi_prov")));
}

static void test_oversized_form_answers_413_without_reading_it(void **state)
{
    (void)state;
    start_provisioning();
    static char big[PROVISIONING_BODY_MAX_BYTES + 2];
    memset(big, 'a', sizeof(big) - 1);
    const fake_httpd_response_t *r =
        fake_httpd_request(HTTP_POST, "/provision", big, sizeof(big) - 1, sizeof(big) - 1);
    assert_string_equal(r->status, "413 Payload Too Large");
    assert_int_equal(r->body_bytes_read, 0);
    assert_int_equal(r->handler_result, ESP_FAIL);
}

static void test_device_config_refused_answers_400_with_its_reason(void **state)
{
    (void)state;
    start_provisioning();
    wf.store_result = APP_ERR_INVALID_VALUE;
    wf.store_reason = "device_name is empty after trimming";
    const fake_httpd_response_t *r = post_form("ssid=Finca&password=" SECRET "&device_name=Riego");
    assert_string_equal(r->status, "400 Bad Request");
    assert_string_equal(r->body, "device_name is empty after trimming");
    assert_int_equal(fake_esp_wifi_config(WIFI_IF_STA)->sta.ssid[0], 0);
}

static void test_device_config_storage_failure_answers_500(void **state)
{
    (void)state;
    start_provisioning();
    wf.store_result = APP_ERR_STORAGE;
    assert_string_equal(post_form("ssid=Finca&password=" SECRET "&device_name=Riego")->status,
                        "500 Internal Server Error");
}

static void test_password_never_appears_in_logs_or_responses(void **state)
{
    (void)state;
    start_provisioning();
    static const char *const forms[] = {
        "ssid=Finca&password=" SECRET,
        "ssid=&password=" SECRET,
        "ssid=Finca&password=" SECRET "&device_name=%FF",
        "ssid=123456789012345678901234567890123&password=" SECRET,
    };
    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        fake_esp_log_reset();
        fake_esp_log_set_echo(0);
        const fake_httpd_response_t *r = post_form(forms[i]);
        assert_null(strstr(r->body, SECRET));
        assert_false(logs_contain(SECRET));
        (void)expire(timer_named("wifi_prov")); /* armed only for accepted forms */
        assert_false(logs_contain(SECRET));
    }
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, wifi_fixture_setup, wifi_fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_no_credentials_start_an_apsta_access_point_with_wpa2),
        T(test_ap_ssid_is_the_prefix_and_the_last_two_station_mac_bytes),
        T(test_ap_password_outside_8_to_63_characters_is_refused),
        T(test_ap_password_of_exactly_8_characters_is_accepted),
        T(test_provisioning_needs_the_http_server),
        T(test_access_point_events_post_nothing_and_do_not_connect),
        T(test_form_page_has_the_fields_and_fills_the_datalist_from_scan),
        T(test_form_page_escapes_the_dynamic_ssid),
        T(test_scan_answers_the_networks_as_json),
        T(test_scan_of_a_full_32_byte_ssid_uses_all_bytes),
        T(test_scan_failure_answers_503),
        T(test_valid_form_stores_config_and_credentials_in_ram_and_answers_200),
        T(test_form_without_name_or_location_stores_no_device_config),
        T(test_the_station_connects_from_a_timer_not_from_the_handler),
        T(test_first_ip_posts_network_up_persists_and_closes_the_access_point),
        T(test_the_finishing_step_runs_on_the_http_server_task_not_on_the_timer),
        T(test_a_refused_queueing_of_the_finishing_step_is_tried_again_later),
        T(test_wrong_password_keeps_the_access_point_and_retries_without_persisting),
        T(test_a_second_form_replaces_the_credentials_and_connects_at_once),
        T(test_invalid_form_answers_400_with_the_reason_and_changes_nothing),
        T(test_oversized_form_answers_413_without_reading_it),
        T(test_device_config_refused_answers_400_with_its_reason),
        T(test_device_config_storage_failure_answers_500),
        T(test_password_never_appears_in_logs_or_responses),
    };
    return cmocka_run_group_tests_name("wifi_adapter_provisioning", tests, NULL, NULL);
}
