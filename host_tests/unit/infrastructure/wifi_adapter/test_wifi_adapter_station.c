/*
 * wifi_adapter, station part: start with stored credentials, WiFi/IP events translated into app events,
 * the reconnect schedule (30 s doubling to 3600 s for every reason, reset by an IP), low power while waiting,
 * and the network port.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "esp_wifi.h"
#include "fake_esp_event.h"
#include "fake_esp_timer.h"
#include "fake_esp_wifi.h"
#include "wifi_test_support.h"

static void start_station(void)
{
    fake_esp_wifi_store_sta("Finca", "clave-segura");
    wifi_fixture_reboot(); /* the driver loads the stored config at init */
    wifi_adapter_mode_t mode = WIFI_ADAPTER_MODE_NONE;
    assert_int_equal(wifi_adapter_start(&mode), ESP_OK);
    assert_int_equal(mode, WIFI_ADAPTER_MODE_STATION);
    deliver_sta_start();
}

static app_event_t next_event(void)
{
    app_event_t event;
    assert_true(take_event(&event));
    return event;
}

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
    assert_int_equal(fake_esp_wifi_state()->ap_netif_created, 1);
}

static void test_init_accepts_an_event_loop_created_by_main(void **state)
{
    (void)state;
    /* setup already created the default loop: a second init meets ESP_ERR_INVALID_STATE from it */
    assert_int_equal(wifi_adapter_init(&wf.cfg), ESP_OK);
}

static void test_init_rejects_a_missing_port_or_a_bad_retry_policy(void **state)
{
    (void)state;
    wifi_adapter_config_t cfg = wf.cfg;
    cfg.executor = NULL;
    assert_int_equal(wifi_adapter_init(&cfg), ESP_ERR_INVALID_ARG);
    cfg = wf.cfg;
    cfg.power = NULL;
    assert_int_equal(wifi_adapter_init(&cfg), ESP_ERR_INVALID_ARG);
    cfg = wf.cfg;
    cfg.store_device_config = NULL;
    assert_int_equal(wifi_adapter_init(&cfg), ESP_ERR_INVALID_ARG);
    cfg = wf.cfg;
    cfg.retry.initial_ms = 0;
    assert_int_equal(wifi_adapter_init(&cfg), ESP_ERR_INVALID_ARG);
    assert_int_equal(wifi_adapter_init(NULL), ESP_ERR_INVALID_ARG);
}

static void test_has_credentials_follows_the_stored_station_ssid(void **state)
{
    (void)state;
    assert_false(wifi_adapter_has_credentials());
    fake_esp_wifi_store_sta("Finca", "clave-segura");
    wifi_fixture_reboot();
    assert_true(wifi_adapter_has_credentials());
}

static void test_stored_credentials_start_station_mode_and_connect(void **state)
{
    (void)state;
    start_station();
    assert_int_equal(fake_esp_wifi_state()->mode, WIFI_MODE_STA);
    assert_true(fake_esp_wifi_state()->started);
    assert_int_equal(fake_esp_wifi_state()->connect_calls, 1);
    assert_int_equal(wifi_adapter_mode(), WIFI_ADAPTER_MODE_STATION);
    assert_int_equal(pending_events(), 0);
}

static void test_got_ip_posts_network_up_with_octets_in_order(void **state)
{
    (void)state;
    start_station();
    deliver_got_ip(192, 168, 1, 50, true);
    app_event_t event = next_event();
    assert_int_equal(event.kind, APP_EVENT_NETWORK_UP);
    const uint8_t want[4] = {192, 168, 1, 50};
    assert_memory_equal(event.ip.octets, want, 4);
    assert_int_equal(pending_events(), 0);
}

static void test_got_ip_with_another_address_while_up_posts_ip_changed(void **state)
{
    (void)state;
    start_station();
    deliver_got_ip(192, 168, 1, 50, true);
    (void)next_event();
    deliver_got_ip(192, 168, 1, 77, false);
    app_event_t event = next_event();
    assert_int_equal(event.kind, APP_EVENT_IP_CHANGED);
    assert_int_equal(event.ip.octets[3], 77);
}

static void test_got_ip_flagged_changed_while_up_posts_ip_changed(void **state)
{
    (void)state;
    start_station();
    deliver_got_ip(10, 0, 0, 5, true);
    (void)next_event();
    deliver_got_ip(10, 0, 0, 5, true);
    assert_int_equal(next_event().kind, APP_EVENT_IP_CHANGED);
}

static void test_got_ip_renewing_the_same_address_posts_nothing(void **state)
{
    (void)state;
    start_station();
    deliver_got_ip(10, 0, 0, 5, true);
    (void)next_event();
    deliver_got_ip(10, 0, 0, 5, false);
    assert_int_equal(pending_events(), 0);
}

static void test_disconnect_posts_network_down_with_the_reason_once_per_loss(void **state)
{
    (void)state;
    start_station();
    deliver_got_ip(10, 0, 0, 5, true);
    (void)next_event();
    deliver_disconnected(WIFI_REASON_BEACON_TIMEOUT);
    app_event_t event = next_event();
    assert_int_equal(event.kind, APP_EVENT_NETWORK_DOWN);
    assert_int_equal(event.code, WIFI_REASON_BEACON_TIMEOUT);
    deliver_disconnected(WIFI_REASON_NO_AP_FOUND); /* the next failed attempt */
    assert_int_equal(pending_events(), 0);
}

static void test_lost_ip_posts_network_down_and_the_disconnect_after_it_does_not(void **state)
{
    (void)state;
    start_station();
    deliver_got_ip(10, 0, 0, 5, true);
    (void)next_event();
    deliver_lost_ip();
    app_event_t event = next_event();
    assert_int_equal(event.kind, APP_EVENT_NETWORK_DOWN);
    assert_int_equal(event.code, 0);
    deliver_disconnected(WIFI_REASON_AUTH_EXPIRE);
    assert_int_equal(pending_events(), 0);
}

static void test_reconnect_after_a_loss_posts_network_up_again(void **state)
{
    (void)state;
    start_station();
    deliver_got_ip(10, 0, 0, 5, true);
    (void)next_event();
    deliver_disconnected(WIFI_REASON_BEACON_TIMEOUT);
    (void)next_event();
    deliver_got_ip(10, 0, 0, 9, true);
    app_event_t event = next_event();
    assert_int_equal(event.kind, APP_EVENT_NETWORK_UP);
    assert_int_equal(event.ip.octets[3], 9);
}

static void test_failures_before_any_ip_post_nothing(void **state)
{
    (void)state;
    start_station();
    deliver_disconnected(WIFI_REASON_NO_AP_FOUND);
    assert_int_equal(pending_events(), 0);
}

/* Every reason, authentication failures included, gets the same schedule: 30, 60, 120, ... s. */
static void test_retry_delays_double_for_every_reason(void **state)
{
    (void)state;
    static const uint8_t reasons[] = {WIFI_REASON_AUTH_FAIL,         WIFI_REASON_NO_AP_FOUND,
                                      WIFI_REASON_HANDSHAKE_TIMEOUT, WIFI_REASON_4WAY_HANDSHAKE_TIMEOUT,
                                      WIFI_REASON_BEACON_TIMEOUT,    WIFI_REASON_ASSOC_LEAVE,
                                      WIFI_REASON_CONNECTION_FAIL};
    static const uint64_t want_s[] = {30, 60, 120, 240, 480, 960, 1920};
    start_station();
    esp_timer_handle_t retry = timer_named("wifi_retry");
    for (size_t i = 0; i < sizeof(reasons); i++) {
        size_t connects = fake_esp_wifi_state()->connect_calls;
        deliver_disconnected(reasons[i]);
        assert_true(fake_esp_timer_armed(retry));
        assert_int_equal(fake_esp_timer_last_timeout_us(retry), want_s[i] * 1000000u);
        assert_int_equal(fake_esp_wifi_state()->connect_calls, connects); /* the handler does not connect */
        assert_true(expire(retry));
        assert_int_equal(fake_esp_wifi_state()->connect_calls, connects + 1);
    }
}

static void test_retry_delay_is_capped_at_3600_s_and_never_gives_up(void **state)
{
    (void)state;
    start_station();
    esp_timer_handle_t retry = timer_named("wifi_retry");
    for (int i = 0; i < 40; i++) {
        deliver_disconnected(WIFI_REASON_AUTH_FAIL);
        assert_true(expire(retry));
    }
    deliver_disconnected(WIFI_REASON_AUTH_FAIL);
    assert_int_equal(fake_esp_timer_last_timeout_us(retry), 3600ull * 1000000u);
    assert_true(fake_esp_timer_armed(retry));
}

static void test_got_ip_resets_the_schedule_and_cancels_a_pending_retry(void **state)
{
    (void)state;
    start_station();
    esp_timer_handle_t retry = timer_named("wifi_retry");
    deliver_disconnected(WIFI_REASON_NO_AP_FOUND);
    assert_true(expire(retry));
    deliver_disconnected(WIFI_REASON_NO_AP_FOUND); /* 60 s armed */
    deliver_got_ip(10, 0, 0, 5, true);
    assert_false(fake_esp_timer_armed(retry));
    deliver_disconnected(WIFI_REASON_BEACON_TIMEOUT);
    assert_int_equal(fake_esp_timer_last_timeout_us(retry), 30ull * 1000000u);
}

static void test_the_custom_policy_from_settings_is_used(void **state)
{
    (void)state;
    wf.cfg.retry.initial_ms = 1000;
    wf.cfg.retry.max_ms = 4000;
    start_station();
    esp_timer_handle_t retry = timer_named("wifi_retry");
    static const uint64_t want_ms[] = {1000, 2000, 4000, 4000};
    for (size_t i = 0; i < 4; i++) {
        deliver_disconnected(WIFI_REASON_NO_AP_FOUND);
        assert_int_equal(fake_esp_timer_last_timeout_us(retry), want_ms[i] * 1000u);
        assert_true(expire(retry));
    }
}

static void test_low_power_is_requested_while_waiting_and_released_when_the_retry_fires(void **state)
{
    (void)state;
    start_station();
    deliver_disconnected(WIFI_REASON_NO_AP_FOUND);
    assert_true(wf.power.low_power);
    assert_true(expire(timer_named("wifi_retry")));
    assert_false(wf.power.low_power);
}

static void test_low_power_is_released_when_an_ip_arrives_during_the_wait(void **state)
{
    (void)state;
    start_station();
    deliver_disconnected(WIFI_REASON_NO_AP_FOUND);
    assert_true(wf.power.low_power);
    deliver_got_ip(10, 0, 0, 5, true);
    assert_false(wf.power.low_power);
}

static void test_a_refused_connect_is_retried_after_the_same_delay(void **state)
{
    (void)state;
    start_station();
    esp_timer_handle_t retry = timer_named("wifi_retry");
    deliver_disconnected(WIFI_REASON_NO_AP_FOUND);
    fake_esp_wifi_set_error(FAKE_WIFI_FN_CONNECT, ESP_ERR_WIFI_CONN);
    assert_true(expire(retry));
    assert_true(fake_esp_timer_armed(retry));
    assert_int_equal(fake_esp_timer_last_timeout_us(retry), 30ull * 1000000u);
    assert_true(wf.power.low_power);
}

static void test_the_retry_timer_only_posts_and_the_event_loop_task_connects(void **state)
{
    (void)state;
    start_station();
    esp_timer_handle_t retry = timer_named("wifi_retry");
    deliver_disconnected(WIFI_REASON_NO_AP_FOUND);
    int connects = fake_esp_wifi_state()->connect_calls;
    fake_esp_timer_advance_us((int64_t)fake_esp_timer_last_timeout_us(retry)); /* the callback alone */
    assert_int_equal(fake_esp_wifi_state()->connect_calls, connects);
    assert_true(wf.power.low_power);
    assert_int_equal(fake_esp_event_posted_count(), 1);
    assert_int_equal(fake_esp_event_last_post_ticks(), 0); /* never waits for room */
    assert_int_equal(fake_esp_event_run_posted(), 1);
    assert_int_equal(fake_esp_wifi_state()->connect_calls, connects + 1);
    assert_false(wf.power.low_power);
}

static void test_a_full_event_queue_arms_the_timer_again(void **state)
{
    (void)state;
    start_station();
    esp_timer_handle_t retry = timer_named("wifi_retry");
    deliver_disconnected(WIFI_REASON_NO_AP_FOUND);
    int connects = fake_esp_wifi_state()->connect_calls;
    fake_esp_event_fail_next_post(ESP_ERR_TIMEOUT);
    fake_esp_timer_advance_us((int64_t)fake_esp_timer_last_timeout_us(retry));
    assert_int_equal(fake_esp_event_posted_count(), 0);
    assert_true(fake_esp_timer_armed(retry));
    assert_int_equal(fake_esp_timer_last_timeout_us(retry), 1000ull * 1000u);
    assert_true(expire(retry));
    assert_int_equal(fake_esp_wifi_state()->connect_calls, connects + 1);
}

static void test_a_refused_first_connect_arms_the_schedule(void **state)
{
    (void)state;
    fake_esp_wifi_store_sta("Finca", "clave-segura");
    wifi_fixture_reboot();
    assert_int_equal(wifi_adapter_start(NULL), ESP_OK);
    fake_esp_wifi_set_error(FAKE_WIFI_FN_CONNECT, ESP_ERR_WIFI_CONN);
    deliver_sta_start();
    assert_true(fake_esp_timer_armed(timer_named("wifi_retry")));
}

static void test_a_full_queue_loses_the_event_without_blocking(void **state)
{
    (void)state;
    start_station();
    wf.executor.refuse_posts = true;
    deliver_got_ip(10, 0, 0, 5, true);
    assert_int_equal(wf.executor.refused, 1);
    assert_true(logs_contain("network_up lost"));
}

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
    start_station();
    assert_int_equal(net->get_ip(NULL, &ip), APP_ERR_NOT_CONNECTED);
    deliver_got_ip(172, 16, 3, 4, true);
    assert_int_equal(net->get_ip(NULL, &ip), APP_OK);
    const uint8_t want[4] = {172, 16, 3, 4};
    assert_memory_equal(ip.octets, want, 4);
    deliver_disconnected(WIFI_REASON_BEACON_TIMEOUT);
    /* esp_netif still holds the old address for a while; the port does not report it */
    assert_int_equal(net->get_ip(NULL, &ip), APP_ERR_NOT_CONNECTED);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, wifi_fixture_setup, wifi_fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_init_registers_wifi_and_ip_handlers_and_keeps_credentials_in_flash),
        T(test_init_accepts_an_event_loop_created_by_main),
        T(test_init_rejects_a_missing_port_or_a_bad_retry_policy),
        T(test_has_credentials_follows_the_stored_station_ssid),
        T(test_stored_credentials_start_station_mode_and_connect),
        T(test_got_ip_posts_network_up_with_octets_in_order),
        T(test_got_ip_with_another_address_while_up_posts_ip_changed),
        T(test_got_ip_flagged_changed_while_up_posts_ip_changed),
        T(test_got_ip_renewing_the_same_address_posts_nothing),
        T(test_disconnect_posts_network_down_with_the_reason_once_per_loss),
        T(test_lost_ip_posts_network_down_and_the_disconnect_after_it_does_not),
        T(test_reconnect_after_a_loss_posts_network_up_again),
        T(test_failures_before_any_ip_post_nothing),
        T(test_retry_delays_double_for_every_reason),
        T(test_retry_delay_is_capped_at_3600_s_and_never_gives_up),
        T(test_got_ip_resets_the_schedule_and_cancels_a_pending_retry),
        T(test_the_custom_policy_from_settings_is_used),
        T(test_low_power_is_requested_while_waiting_and_released_when_the_retry_fires),
        T(test_low_power_is_released_when_an_ip_arrives_during_the_wait),
        T(test_a_refused_connect_is_retried_after_the_same_delay),
        T(test_the_retry_timer_only_posts_and_the_event_loop_task_connects),
        T(test_a_full_event_queue_arms_the_timer_again),
        T(test_a_refused_first_connect_arms_the_schedule),
        T(test_a_full_queue_loses_the_event_without_blocking),
        T(test_get_mac_reads_the_station_mac),
        T(test_get_ip_is_not_connected_until_an_ip_and_after_a_loss),
    };
    return cmocka_run_group_tests_name("wifi_adapter_station", tests, NULL, NULL);
}
