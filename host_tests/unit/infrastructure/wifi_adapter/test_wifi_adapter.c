/*
 * wifi_adapter: a translator. Driver events become app events, port calls become esp_wifi calls; every
 * decision (retries, low power, provisioning steps) is tested in the core (test_wifi_link.c,
 * test_wifi_link_use_case.c, test_provisioning_use_case.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "esp_event.h"
#include "esp_netif.h"
#include "esp_wifi.h"
#include "fake_esp_event.h"
#include "fake_esp_log.h"
#include "fake_esp_wifi.h"
#include "wifi_test_support.h"

static const wifi_station_port_t *port(void)
{
    return wifi_adapter_station_port();
}

static app_event_t next_event(void)
{
    app_event_t event;
    assert_true(take_event(&event));
    return event;
}

/* ---- init ---- */

static void test_init_registers_wifi_and_ip_handlers_and_keeps_credentials_in_flash(void **state)
{
    (void)state;
    assert_int_equal(fake_esp_event_handler_count(WIFI_EVENT, WIFI_EVENT_STA_DISCONNECTED), 1);
    assert_int_equal(fake_esp_event_handler_count(IP_EVENT, IP_EVENT_STA_GOT_IP), 1);
    assert_int_equal(fake_esp_event_handler_count(IP_EVENT, IP_EVENT_STA_LOST_IP), 1);
    assert_true(fake_esp_event_default_loop_created());
    assert_true(fake_esp_wifi_state()->initialised);
    assert_int_equal(fake_esp_wifi_state()->storage, WIFI_STORAGE_FLASH);
    assert_int_equal(fake_esp_wifi_state()->sta_netif_created, 1);
    assert_int_equal(fake_esp_wifi_state()->ap_netif_created, 0); /* a provisioned node never needs one */
}

static void test_without_nvs_wifi_still_starts_on_ram_and_refuses_to_persist(void **state)
{
    (void)state;
    fake_esp_wifi_reset();
    wf.cfg.nvs_available = false;
    assert_int_equal(wifi_adapter_init(&wf.cfg), ESP_OK);
    assert_int_equal(fake_esp_wifi_state()->nvs_enable, 0);
    assert_int_equal(fake_esp_wifi_state()->storage, WIFI_STORAGE_RAM);
    const wifi_station_port_t *port = wifi_adapter_station_port();
    /* the access point and the station both still work */
    assert_int_equal(port->start_access_point(NULL, "Riego-Setup-8E01", "7K3M9QXD2F4H8RTV"), APP_OK);
    assert_int_equal(port->set_credentials(NULL, "Finca", "clave-segura"), APP_OK);
    assert_int_equal(fake_esp_wifi_state()->storage, WIFI_STORAGE_RAM);
    /* persisting has nowhere to go */
    assert_int_equal(port->persist_credentials(NULL), APP_ERR_STORAGE);
    assert_int_equal(fake_esp_wifi_state()->storage, WIFI_STORAGE_RAM);
}

static void test_init_accepts_an_event_loop_created_by_main(void **state)
{
    (void)state;
    /* setup already created the default loop: a second init meets ESP_ERR_INVALID_STATE from it */
    assert_int_equal(wifi_adapter_init(&wf.cfg), ESP_OK);
}

static void test_init_rejects_a_missing_executor(void **state)
{
    (void)state;
    wifi_adapter_config_t cfg = wf.cfg;
    cfg.executor = NULL;
    assert_int_equal(wifi_adapter_init(&cfg), ESP_ERR_INVALID_ARG);
    assert_int_equal(wifi_adapter_init(NULL), ESP_ERR_INVALID_ARG);
}

static void test_init_reports_an_esp_wifi_init_failure(void **state)
{
    (void)state;
    fake_esp_wifi_reset();
    fake_esp_wifi_set_error(FAKE_WIFI_FN_INIT, ESP_ERR_NO_MEM);
    assert_int_equal(wifi_adapter_init(&wf.cfg), ESP_ERR_NO_MEM);
    assert_false(port()->has_credentials(NULL));
    assert_int_equal(port()->start_station(NULL), APP_ERR_NOT_STARTED);
}

/* ---- events are translated and posted, nothing decided ---- */

static void test_sta_start_posts_wifi_started_and_connects_nothing(void **state)
{
    (void)state;
    deliver_sta_start();
    assert_int_equal(next_event().kind, APP_EVENT_WIFI_STARTED);
    assert_int_equal(fake_esp_wifi_state()->connect_calls, 0);
}

static void test_got_ip_posts_the_octets_in_order_every_time(void **state)
{
    (void)state;
    deliver_got_ip(192, 168, 1, 50);
    deliver_got_ip(192, 168, 1, 50); /* a renewal: the link decides it changes nothing */
    for (int i = 0; i < 2; i++) {
        app_event_t event = next_event();
        assert_int_equal(event.kind, APP_EVENT_WIFI_GOT_IP);
        const uint8_t want[4] = {192, 168, 1, 50};
        assert_memory_equal(event.ip.octets, want, 4);
    }
    assert_int_equal(pending_events(), 0);
}

static void test_disconnect_posts_the_reason_and_schedules_nothing(void **state)
{
    (void)state;
    const uint8_t reasons[] = {WIFI_REASON_AUTH_FAIL, WIFI_REASON_NO_AP_FOUND, WIFI_REASON_BEACON_TIMEOUT};
    for (size_t i = 0; i < sizeof(reasons); i++) {
        deliver_disconnected(reasons[i]);
        app_event_t event = next_event();
        assert_int_equal(event.kind, APP_EVENT_WIFI_DISCONNECTED);
        assert_int_equal(event.code, reasons[i]);
    }
    assert_int_equal(fake_esp_wifi_state()->connect_calls, 0);
    assert_int_equal(fake_esp_wifi_state()->set_ps_calls, 0);
}

static void test_lost_ip_posts_wifi_lost_ip(void **state)
{
    (void)state;
    deliver_lost_ip();
    assert_int_equal(next_event().kind, APP_EVENT_WIFI_LOST_IP);
}

static void test_access_point_events_post_nothing(void **state)
{
    (void)state;
    fake_esp_event_dispatch(WIFI_EVENT, WIFI_EVENT_AP_START, NULL);
    fake_esp_event_dispatch(WIFI_EVENT, WIFI_EVENT_AP_STACONNECTED, NULL);
    assert_int_equal(pending_events(), 0);
}

static void test_a_full_queue_loses_the_event_without_blocking(void **state)
{
    (void)state;
    wf.executor.refuse_posts = true;
    deliver_got_ip(10, 0, 0, 5);
    assert_int_equal(wf.executor.refused, 1);
    assert_true(logs_contain("wifi_got_ip lost"));
}

/* ---- port calls map to the driver ---- */

static void test_has_credentials_follows_the_stored_station_ssid(void **state)
{
    (void)state;
    assert_false(port()->has_credentials(NULL));
    fake_esp_wifi_store_sta("Finca", "clave-segura");
    fake_esp_wifi_reboot();
    assert_int_equal(wifi_adapter_init(&wf.cfg), ESP_OK);
    assert_true(port()->has_credentials(NULL));
}

static void test_start_station_is_station_mode_and_esp_wifi_start_without_connect(void **state)
{
    (void)state;
    assert_int_equal(port()->start_station(NULL), APP_OK);
    assert_int_equal(fake_esp_wifi_state()->mode, WIFI_MODE_STA);
    assert_true(fake_esp_wifi_state()->started);
    assert_int_equal(fake_esp_wifi_state()->connect_calls, 0);
}

static void test_start_access_point_is_apsta_with_a_wpa2_access_point(void **state)
{
    (void)state;
    assert_int_equal(port()->start_access_point(NULL, "Riego-Setup-4D5E", "riego-setup"), APP_OK);
    assert_int_equal(fake_esp_wifi_state()->mode, WIFI_MODE_APSTA);
    assert_true(fake_esp_wifi_state()->started);
    const wifi_config_t *ap = fake_esp_wifi_config(WIFI_IF_AP);
    assert_string_equal((const char *)ap->ap.ssid, "Riego-Setup-4D5E");
    assert_int_equal(ap->ap.ssid_len, 16);
    assert_string_equal((const char *)ap->ap.password, "riego-setup");
    assert_int_equal(ap->ap.authmode, WIFI_AUTH_WPA2_WPA3_PSK); /* WPA3 where the phone speaks it */
    assert_int_equal(ap->ap.sae_pwe_h2e, WPA3_SAE_PWE_BOTH);
    assert_true(ap->ap.pmf_cfg.capable);
    assert_false(ap->ap.pmf_cfg.required);
    assert_int_equal(ap->ap.channel, 6);
    assert_int_equal(ap->ap.max_connection, 2);
    /* its netif, made as esp_netif_create_default_wifi_ap makes it, before the mode switch starts the AP */
    assert_int_equal(fake_esp_wifi_state()->ap_netif_created, 1);
    assert_int_equal(fake_esp_wifi_state()->ap_netif_attached, 1);
    assert_int_equal(fake_esp_wifi_state()->ap_handlers_set, 1);
    assert_int_not_equal(fake_esp_wifi_state()->mode_at_ap_attach, WIFI_MODE_APSTA);
    assert_non_null(fake_esp_netif_ap());
    /* again (a factory reset after provisioning): the same netif, no second one */
    assert_int_equal(port()->stop_access_point(NULL), APP_OK);
    assert_int_equal(port()->start_access_point(NULL, "Riego-Setup-4D5E", "riego-setup"), APP_OK);
    assert_int_equal(fake_esp_wifi_state()->ap_netif_created, 1);
    assert_int_equal(fake_esp_wifi_state()->ap_netif_destroyed, 0);
}

/* No memory for the AP netif is an error the application reports (esp_netif_create_default_wifi_ap would
 * abort); nothing is left half made, and a later attempt can succeed. */
static void test_an_access_point_netif_that_cannot_be_made_leaves_the_mode_alone(void **state)
{
    (void)state;
    static const struct {
        fake_wifi_fn_t fn;
        app_err_t expected;
        size_t destroyed;
    } cases[] = {
        {FAKE_WIFI_FN_NETIF_NEW, APP_ERR_NO_MEMORY, 0},
        {FAKE_WIFI_FN_ATTACH_AP, APP_ERR_NO_MEMORY, 1},
        {FAKE_WIFI_FN_AP_HANDLERS, APP_ERR_PLATFORM, 2},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fake_esp_wifi_set_error(cases[i].fn,
                                cases[i].fn == FAKE_WIFI_FN_ATTACH_AP ? ESP_ERR_NO_MEM : ESP_FAIL);
        assert_int_equal(port()->start_access_point(NULL, "Riego-Setup-4D5E", "riego-setup"),
                         cases[i].expected);
        assert_int_not_equal(fake_esp_wifi_state()->mode, WIFI_MODE_APSTA);
        assert_false(fake_esp_wifi_state()->started);
        assert_null(fake_esp_netif_ap());
        assert_int_equal(fake_esp_wifi_state()->ap_netif_destroyed, cases[i].destroyed);
        fake_esp_wifi_set_error(cases[i].fn, ESP_OK);
    }
    assert_int_equal(port()->start_access_point(NULL, "Riego-Setup-4D5E", "riego-setup"), APP_OK);
    assert_int_equal(fake_esp_wifi_state()->mode, WIFI_MODE_APSTA);
    assert_non_null(fake_esp_netif_ap());
}

static void
test_start_access_point_on_a_running_station_switches_the_mode_without_a_second_start(void **state)
{
    (void)state;
    assert_int_equal(port()->start_station(NULL), APP_OK);
    assert_int_equal(port()->start_access_point(NULL, "Riego-Setup-4D5E", "riego-setup"), APP_OK);
    assert_int_equal(fake_esp_wifi_state()->mode, WIFI_MODE_APSTA);
    assert_int_equal(fake_esp_wifi_state()->start_calls, 1);
    assert_string_equal((const char *)fake_esp_wifi_config(WIFI_IF_AP)->ap.ssid, "Riego-Setup-4D5E");
}

static void test_start_access_point_refuses_an_open_or_unnamed_network(void **state)
{
    (void)state;
    assert_int_equal(port()->start_access_point(NULL, "Riego", "1234567"), APP_ERR_INVALID_ARG);
    assert_int_equal(port()->start_access_point(NULL, "", "riego-setup"), APP_ERR_INVALID_ARG);
    assert_false(fake_esp_wifi_state()->started);
}

static void test_set_credentials_keeps_them_in_ram_with_pmf_capable(void **state)
{
    (void)state;
    assert_int_equal(port()->start_access_point(NULL, "Riego-Setup-4D5E", "riego-setup"), APP_OK);
    assert_int_equal(port()->set_credentials(NULL, "Finca", "clave-segura"), APP_OK);
    assert_int_equal(fake_esp_wifi_state()->storage, WIFI_STORAGE_RAM);
    const wifi_config_t *sta = fake_esp_wifi_config(WIFI_IF_STA);
    assert_string_equal((const char *)sta->sta.ssid, "Finca");
    assert_string_equal((const char *)sta->sta.password, "clave-segura");
    assert_true(sta->sta.pmf_cfg.capable);
    assert_int_equal(sta->sta.threshold.authmode, WIFI_AUTH_WPA2_PSK);            /* no WPA/TKIP impostor */
    assert_int_equal(fake_esp_wifi_flash_config(WIFI_IF_STA)->sta.ssid[0], '\0'); /* nothing persisted */
    assert_int_equal(port()->set_credentials(NULL, "Abierta", ""), APP_OK);
    assert_int_equal(fake_esp_wifi_config(WIFI_IF_STA)->sta.threshold.authmode, WIFI_AUTH_OPEN);
}

static void test_persist_writes_the_credentials_in_use_to_flash(void **state)
{
    (void)state;
    assert_int_equal(port()->start_access_point(NULL, "Riego-Setup-4D5E", "riego-setup"), APP_OK);
    assert_int_equal(port()->set_credentials(NULL, "Finca", "clave-segura"), APP_OK);
    assert_int_equal(port()->persist_credentials(NULL), APP_OK);
    assert_int_equal(fake_esp_wifi_state()->storage, WIFI_STORAGE_FLASH);
    assert_string_equal((const char *)fake_esp_wifi_flash_config(WIFI_IF_STA)->sta.ssid, "Finca");
    assert_string_equal((const char *)fake_esp_wifi_flash_config(WIFI_IF_STA)->sta.password, "clave-segura");
}

static void test_stop_access_point_leaves_station_mode(void **state)
{
    (void)state;
    assert_int_equal(port()->start_access_point(NULL, "Riego-Setup-4D5E", "riego-setup"), APP_OK);
    assert_int_equal(port()->stop_access_point(NULL), APP_OK);
    assert_int_equal(fake_esp_wifi_state()->mode, WIFI_MODE_STA);
}

static void test_connect_and_disconnect_call_the_driver_and_report_refusals(void **state)
{
    (void)state;
    assert_int_equal(port()->start_station(NULL), APP_OK);
    assert_int_equal(port()->connect(NULL), APP_OK);
    assert_int_equal(fake_esp_wifi_state()->connect_calls, 1);
    fake_esp_wifi_set_error(FAKE_WIFI_FN_CONNECT, ESP_ERR_WIFI_CONN);
    assert_int_equal(port()->connect(NULL), APP_ERR_PLATFORM);
    assert_true(logs_contain("esp_wifi_connect"));
    assert_int_equal(port()->disconnect(NULL), APP_OK);
    assert_int_equal(fake_esp_wifi_state()->disconnect_calls, 1);
}

/* A node whose credentials are in flash, booted again and running as a station. */
static void boot_provisioned_station(void)
{
    fake_esp_wifi_store_sta("Finca", "clave-segura");
    fake_esp_wifi_reboot();
    assert_int_equal(wifi_adapter_init(&wf.cfg), ESP_OK);
    assert_int_equal(port()->start_station(NULL), APP_OK);
}

static void test_forget_credentials_erases_the_stored_station_config_for_the_next_boot(void **state)
{
    (void)state;
    boot_provisioned_station();
    assert_true(port()->has_credentials(NULL));
    assert_int_equal(port()->forget_credentials(NULL), APP_OK);
    assert_false(port()->has_credentials(NULL));
    const wifi_config_t *flash = fake_esp_wifi_flash_config(WIFI_IF_STA);
    assert_int_equal(flash->sta.ssid[0], '\0');
    assert_int_equal(flash->sta.password[0], '\0');
    assert_true(logs_contain("station credentials erased"));
    fake_esp_wifi_reboot();
    assert_int_equal(wifi_adapter_init(&wf.cfg), ESP_OK);
    assert_false(port()->has_credentials(NULL)); /* the next boot provisions */
}

static void test_forget_credentials_after_a_trial_drops_the_ram_pair_and_stores_flash_again(void **state)
{
    (void)state;
    assert_int_equal(port()->start_access_point(NULL, "Riego-Setup-4D5E", "riego-setup"), APP_OK);
    assert_int_equal(port()->set_credentials(NULL, "Finca", "clave-segura"), APP_OK);
    assert_int_equal(port()->forget_credentials(NULL), APP_OK);
    assert_int_equal(fake_esp_wifi_state()->storage, WIFI_STORAGE_FLASH);
    assert_int_equal(fake_esp_wifi_config(WIFI_IF_STA)->sta.ssid[0], '\0');
    assert_false(port()->has_credentials(NULL));
    assert_string_equal((const char *)fake_esp_wifi_config(WIFI_IF_AP)->ap.ssid, "Riego-Setup-4D5E");
    assert_false(logs_contain("clave-segura"));
}

static void test_a_refused_erase_is_a_platform_error(void **state)
{
    (void)state;
    boot_provisioned_station();
    fake_esp_wifi_set_error(FAKE_WIFI_FN_SET_CONFIG, ESP_ERR_WIFI_NVS);
    assert_int_equal(port()->forget_credentials(NULL), APP_ERR_PLATFORM);
    assert_true(logs_contain("esp_wifi_set_config(STA, empty)"));
    assert_true(port()->has_credentials(NULL));
}

static void test_forget_credentials_before_init_is_not_started(void **state)
{
    (void)state;
    fake_esp_wifi_reset();
    fake_esp_wifi_set_error(FAKE_WIFI_FN_INIT, ESP_ERR_NO_MEM);
    assert_int_equal(wifi_adapter_init(&wf.cfg), ESP_ERR_NO_MEM);
    assert_int_equal(port()->forget_credentials(NULL), APP_ERR_NOT_STARTED);
}

static void test_scan_reads_records_one_at_a_time_with_all_32_ssid_bytes(void **state)
{
    (void)state;
    assert_int_equal(port()->start_access_point(NULL, "Riego-Setup-4D5E", "riego-setup"), APP_OK);
    wifi_ap_record_t records[3];
    memset(records, 0, sizeof(records));
    memcpy(records[0].ssid, "Casa", 4);
    records[0].rssi = -40;
    records[0].authmode = WIFI_AUTH_WPA2_PSK;
    memset(records[1].ssid, 'x', 32); /* a full 32-byte SSID has no NUL in the driver's 33-byte array */
    records[1].rssi = -70;
    records[1].authmode = WIFI_AUTH_OPEN;
    memcpy(records[2].ssid, "Lejos", 5);
    fake_esp_wifi_set_scan_results(records, 3);
    wifi_station_network_t out[2];
    size_t count = 0;
    assert_int_equal(port()->scan(NULL, out, 2, &count), APP_OK);
    assert_int_equal(count, 2);
    assert_true(fake_esp_wifi_state()->last_scan_block);
    assert_int_equal(out[0].ssid_len, 4);
    assert_memory_equal(out[0].ssid, "Casa", 4);
    assert_int_equal(out[0].rssi, -40);
    assert_true(out[0].secured);
    assert_int_equal(out[1].ssid_len, 32);
    assert_false(out[1].secured);
    /* the third record was not read: the driver's list is freed anyway */
    assert_int_equal(fake_esp_wifi_state()->clear_ap_list_calls, 1);
}

static void test_a_failed_scan_is_an_error(void **state)
{
    (void)state;
    assert_int_equal(port()->start_access_point(NULL, "Riego-Setup-4D5E", "riego-setup"), APP_OK);
    fake_esp_wifi_set_error(FAKE_WIFI_FN_SCAN_START, ESP_ERR_WIFI_STATE);
    wifi_station_network_t out[2];
    size_t count = 7;
    assert_int_equal(port()->scan(NULL, out, 2, &count), APP_ERR_PLATFORM);
    assert_int_equal(count, 0);
}

/* ---- network port ---- */

static void test_get_mac_reads_the_station_mac(void **state)
{
    (void)state;
    const uint8_t mac[6] = {0xAA, 0xBB, 0xCC, 0x01, 0x02, 0x03};
    fake_esp_wifi_set_sta_mac(mac);
    mac_address_t out;
    assert_int_equal(wifi_adapter_network_port()->get_mac(NULL, &out), APP_OK);
    assert_memory_equal(out.bytes, mac, 6);
}

static void test_get_ip_is_not_connected_until_an_ip_and_after_a_loss(void **state)
{
    (void)state;
    const network_port_t *net = wifi_adapter_network_port();
    ipv4_address_t ip;
    assert_int_equal(port()->start_station(NULL), APP_OK);
    assert_int_equal(net->get_ip(NULL, &ip), APP_ERR_NOT_CONNECTED);
    deliver_got_ip(172, 16, 3, 4);
    assert_int_equal(net->get_ip(NULL, &ip), APP_OK);
    const uint8_t want[4] = {172, 16, 3, 4};
    assert_memory_equal(ip.octets, want, 4);
    deliver_disconnected(WIFI_REASON_BEACON_TIMEOUT);
    /* esp_netif still holds the old address for a while; the port does not report it */
    assert_int_equal(net->get_ip(NULL, &ip), APP_ERR_NOT_CONNECTED);
    deliver_got_ip(172, 16, 3, 4);
    deliver_lost_ip();
    assert_int_equal(net->get_ip(NULL, &ip), APP_ERR_NOT_CONNECTED);
}

static void test_the_password_never_reaches_the_log(void **state)
{
    (void)state;
    assert_int_equal(port()->start_access_point(NULL, "Riego-Setup-4D5E", "clave-del-ap"), APP_OK);
    assert_int_equal(port()->set_credentials(NULL, "Finca", "clave-de-la-finca"), APP_OK);
    assert_int_equal(port()->persist_credentials(NULL), APP_OK);
    assert_false(logs_contain("clave-del-ap"));
    assert_false(logs_contain("clave-de-la-finca"));
}

#define T(fn) cmocka_unit_test_setup(fn, wifi_fixture_setup)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_init_registers_wifi_and_ip_handlers_and_keeps_credentials_in_flash),
        T(test_init_accepts_an_event_loop_created_by_main),
        T(test_init_rejects_a_missing_executor),
        T(test_init_reports_an_esp_wifi_init_failure),
        T(test_sta_start_posts_wifi_started_and_connects_nothing),
        T(test_got_ip_posts_the_octets_in_order_every_time),
        T(test_disconnect_posts_the_reason_and_schedules_nothing),
        T(test_lost_ip_posts_wifi_lost_ip),
        T(test_access_point_events_post_nothing),
        T(test_a_full_queue_loses_the_event_without_blocking),
        T(test_has_credentials_follows_the_stored_station_ssid),
        T(test_start_station_is_station_mode_and_esp_wifi_start_without_connect),
        T(test_start_access_point_is_apsta_with_a_wpa2_access_point),
        T(test_an_access_point_netif_that_cannot_be_made_leaves_the_mode_alone),
        T(test_start_access_point_on_a_running_station_switches_the_mode_without_a_second_start),
        T(test_start_access_point_refuses_an_open_or_unnamed_network),
        T(test_set_credentials_keeps_them_in_ram_with_pmf_capable),
        T(test_without_nvs_wifi_still_starts_on_ram_and_refuses_to_persist),
        T(test_persist_writes_the_credentials_in_use_to_flash),
        T(test_stop_access_point_leaves_station_mode),
        T(test_connect_and_disconnect_call_the_driver_and_report_refusals),
        T(test_forget_credentials_erases_the_stored_station_config_for_the_next_boot),
        T(test_forget_credentials_after_a_trial_drops_the_ram_pair_and_stores_flash_again),
        T(test_a_refused_erase_is_a_platform_error),
        T(test_forget_credentials_before_init_is_not_started),
        T(test_scan_reads_records_one_at_a_time_with_all_32_ssid_bytes),
        T(test_a_failed_scan_is_an_error),
        T(test_get_mac_reads_the_station_mac),
        T(test_get_ip_is_not_connected_until_an_ip_and_after_a_loss),
        T(test_the_password_never_reaches_the_log),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
