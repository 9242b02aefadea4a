/* netif_port against the ESP-IDF fakes: what the network adapters answer and post, and what they log. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "esp_netif.h"
#include "esp_wifi_default.h"
#include "fake_esp_log.h"
#include "fake_esp_wifi.h"
#include "fake_executor.h"
#include "netif_port.h"

static int setup(void **state)
{
    (void)state;
    fake_esp_log_reset();
    fake_esp_log_set_echo(0);
    fake_esp_wifi_reset();
    return 0;
}

static esp_ip4_addr_t address(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    esp_ip4_addr_t addr;
    const uint8_t bytes[4] = {a, b, c, d}; /* network byte order: first octet first in memory */
    memcpy(&addr.addr, bytes, sizeof(bytes));
    return addr;
}

static void test_esp_ok_is_app_ok_and_logs_nothing(void **state)
{
    (void)state;
    assert_int_equal(netif_port_result("t", ESP_OK, "call"), APP_OK);
    assert_int_equal(fake_esp_log_count(), 0);
}

static void test_no_memory_is_app_no_memory_and_logged_once_under_the_callers_tag(void **state)
{
    (void)state;
    assert_int_equal(netif_port_result("eth_adapter", ESP_ERR_NO_MEM, "esp_eth_start"), APP_ERR_NO_MEMORY);
    assert_int_equal(fake_esp_log_count(), 1);
    assert_string_equal(fake_esp_log_last()->tag, "eth_adapter");
    assert_non_null(strstr(fake_esp_log_last()->message, "esp_eth_start: ESP_ERR_NO_MEM"));
}

static void test_any_other_error_is_app_platform(void **state)
{
    (void)state;
    assert_int_equal(netif_port_result("t", ESP_FAIL, "call"), APP_ERR_PLATFORM);
}

static void test_post_queues_the_event(void **state)
{
    (void)state;
    fake_executor_t executor;
    fake_executor_init(&executor);
    const app_event_t event = {.kind = APP_EVENT_WIFI_LOST_IP};
    netif_port_post("t", &fake_executor_port, &executor, &event);
    assert_int_equal(executor.count, 1);
    assert_int_equal(executor.queue[0].kind, APP_EVENT_WIFI_LOST_IP);
    assert_int_equal(fake_esp_log_count(), 0);
}

static void test_post_to_a_full_queue_logs_the_lost_event(void **state)
{
    (void)state;
    fake_executor_t executor;
    fake_executor_init(&executor);
    executor.refuse_posts = true;
    const app_event_t event = {.kind = APP_EVENT_WIFI_GOT_IP};
    netif_port_post("t", &fake_executor_port, &executor, &event);
    assert_int_equal(executor.count, 0);
    assert_non_null(strstr(fake_esp_log_last()->message, "wifi_got_ip lost"));
}

static void test_ipv4_keeps_the_octets_in_order(void **state)
{
    (void)state;
    const esp_ip4_addr_t addr = address(10, 0, 2, 15);
    const ipv4_address_t ip = netif_port_ipv4(&addr);
    const uint8_t expected[4] = {10, 0, 2, 15};
    assert_memory_equal(ip.octets, expected, 4);
}

static void test_mac_is_the_station_mac(void **state)
{
    (void)state;
    const uint8_t mac[6] = {0x24, 0x6F, 0x28, 0xAA, 0xBB, 0xCC};
    fake_esp_wifi_set_sta_mac(mac);
    mac_address_t out;
    assert_int_equal(netif_port_get_mac("t", &out), APP_OK);
    assert_memory_equal(out.bytes, mac, 6);
    assert_int_equal(netif_port_get_mac("t", NULL), APP_ERR_INVALID_ARG);
}

static void test_ip_of_an_interface_with_an_address(void **state)
{
    (void)state;
    esp_netif_t *netif = esp_netif_create_default_wifi_sta();
    fake_esp_netif_set_sta_ip(192, 168, 1, 50);
    ipv4_address_t ip;
    assert_int_equal(netif_port_get_ip("t", netif, true, &ip), APP_OK);
    const uint8_t expected[4] = {192, 168, 1, 50};
    assert_memory_equal(ip.octets, expected, 4);
}

static void test_no_ip_without_the_flag_a_netif_or_a_real_address(void **state)
{
    (void)state;
    esp_netif_t *netif = esp_netif_create_default_wifi_sta();
    ipv4_address_t ip;
    fake_esp_netif_set_sta_ip(192, 168, 1, 50);
    /* esp_netif keeps the old address for a while after a loss: the flag decides. */
    assert_int_equal(netif_port_get_ip("t", netif, false, &ip), APP_ERR_NOT_CONNECTED);
    assert_int_equal(netif_port_get_ip("t", NULL, true, &ip), APP_ERR_NOT_CONNECTED);
    fake_esp_netif_set_sta_ip(0, 0, 0, 0);
    assert_int_equal(netif_port_get_ip("t", netif, true, &ip), APP_ERR_NOT_CONNECTED);
    assert_int_equal(netif_port_get_ip("t", netif, true, NULL), APP_ERR_INVALID_ARG);
}

static void test_got_ip_event_gives_the_address_and_logs_it(void **state)
{
    (void)state;
    ip_event_got_ip_t info;
    memset(&info, 0, sizeof(info));
    info.ip_info.ip = address(10, 0, 2, 15);
    app_event_t event;
    assert_true(netif_port_ip_event("eth_adapter", IP_EVENT_ETH_GOT_IP, &info, IP_EVENT_ETH_GOT_IP,
                                    IP_EVENT_ETH_LOST_IP, &event));
    assert_int_equal(event.kind, APP_EVENT_WIFI_GOT_IP);
    const uint8_t expected[4] = {10, 0, 2, 15};
    assert_memory_equal(event.ip.octets, expected, 4);
    /* invoke qemu's test waits for this line on the console. */
    assert_string_equal(fake_esp_log_last()->message, "IP 10.0.2.15");
}

static void test_lost_ip_event(void **state)
{
    (void)state;
    app_event_t event;
    assert_true(netif_port_ip_event("t", IP_EVENT_STA_LOST_IP, NULL, IP_EVENT_STA_GOT_IP,
                                    IP_EVENT_STA_LOST_IP, &event));
    assert_int_equal(event.kind, APP_EVENT_WIFI_LOST_IP);
}

static void test_other_ip_events_and_a_got_ip_without_data_give_nothing(void **state)
{
    (void)state;
    app_event_t event;
    assert_false(netif_port_ip_event("t", IP_EVENT_STA_GOT_IP, NULL, IP_EVENT_STA_GOT_IP,
                                     IP_EVENT_STA_LOST_IP, &event));
    assert_false(netif_port_ip_event("t", IP_EVENT_ETH_GOT_IP, NULL, IP_EVENT_STA_GOT_IP,
                                     IP_EVENT_STA_LOST_IP, &event));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_esp_ok_is_app_ok_and_logs_nothing, setup),
        cmocka_unit_test_setup(test_no_memory_is_app_no_memory_and_logged_once_under_the_callers_tag, setup),
        cmocka_unit_test_setup(test_any_other_error_is_app_platform, setup),
        cmocka_unit_test_setup(test_post_queues_the_event, setup),
        cmocka_unit_test_setup(test_post_to_a_full_queue_logs_the_lost_event, setup),
        cmocka_unit_test_setup(test_ipv4_keeps_the_octets_in_order, setup),
        cmocka_unit_test_setup(test_mac_is_the_station_mac, setup),
        cmocka_unit_test_setup(test_ip_of_an_interface_with_an_address, setup),
        cmocka_unit_test_setup(test_no_ip_without_the_flag_a_netif_or_a_real_address, setup),
        cmocka_unit_test_setup(test_got_ip_event_gives_the_address_and_logs_it, setup),
        cmocka_unit_test_setup(test_lost_ip_event, setup),
        cmocka_unit_test_setup(test_other_ip_events_and_a_got_ip_without_data_give_nothing, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
