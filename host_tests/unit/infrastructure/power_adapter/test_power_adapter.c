/*
 * power_adapter against the WiFi and esp_pm fakes: modem sleep and light sleep while any client waits,
 * normal power (full speed, no frequency scaling, as at start-up) when the last one releases, idempotent
 * requests per client.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "esp_wifi.h"
#include "fake_esp_log.h"
#include "fake_esp_pm.h"
#include "fake_esp_wifi.h"
#include "power_adapter.h"

static power_adapter_client_t mqtt_client;
static power_adapter_client_t wifi_client;
static const power_port_t *port;

static int setup(void **state)
{
    (void)state;
    fake_esp_log_reset();
    fake_esp_log_set_echo(0);
    fake_esp_wifi_reset();
    fake_esp_pm_reset();
    const wifi_init_config_t init = WIFI_INIT_CONFIG_DEFAULT();
    assert_int_equal(esp_wifi_init(&init), ESP_OK);
    const power_adapter_config_t cfg = {.max_freq_mhz = 160, .min_freq_mhz = 40};
    assert_int_equal(power_adapter_init(&cfg), ESP_OK);
    power_adapter_client_init(&mqtt_client, "mqtt");
    power_adapter_client_init(&wifi_client, "wifi");
    port = power_adapter_port();
    return 0;
}

static void test_request_enters_max_modem_sleep_and_light_sleep(void **state)
{
    (void)state;
    assert_int_equal(port->request_low_power(&mqtt_client), APP_OK);
    assert_int_equal(fake_esp_wifi_state()->ps, WIFI_PS_MAX_MODEM);
    const esp_pm_config_t *pm = fake_esp_pm_current();
    assert_true(pm->light_sleep_enable);
    assert_int_equal(pm->max_freq_mhz, 160);
    assert_int_equal(pm->min_freq_mhz, 40);
    assert_int_equal(power_adapter_active_requests(), 1);
}

static void test_release_restores_min_modem_and_turns_light_sleep_off(void **state)
{
    (void)state;
    port->request_low_power(&mqtt_client);
    assert_int_equal(port->release_low_power(&mqtt_client), APP_OK);
    assert_int_equal(fake_esp_wifi_state()->ps, WIFI_PS_MIN_MODEM);
    assert_false(fake_esp_pm_current()->light_sleep_enable);
    assert_int_equal(fake_esp_pm_current()->max_freq_mhz, 160);
    assert_int_equal(power_adapter_active_requests(), 0);
}

static void test_init_configures_full_speed_without_light_sleep(void **state)
{
    (void)state;
    /* setup ran power_adapter_init: the state ESP-IDF starts in, made explicit. */
    assert_int_equal(fake_esp_pm_configure_calls(), 1);
    const esp_pm_config_t *pm = fake_esp_pm_current();
    assert_int_equal(pm->max_freq_mhz, 160);
    assert_int_equal(pm->min_freq_mhz, 160);
    assert_false(pm->light_sleep_enable);
}

static void test_release_leaves_no_frequency_scaling_behind(void **state)
{
    (void)state;
    port->request_low_power(&mqtt_client);
    assert_int_equal(fake_esp_pm_current()->min_freq_mhz, 40);
    port->release_low_power(&mqtt_client);
    assert_int_equal(fake_esp_pm_current()->min_freq_mhz, 160);
    assert_int_equal(fake_esp_pm_current()->max_freq_mhz, 160);
}

static void test_init_reports_a_refused_pm_configuration(void **state)
{
    (void)state;
    const power_adapter_config_t odd = {.max_freq_mhz = 160, .min_freq_mhz = 40};
    fake_esp_pm_fail_next_configure(ESP_ERR_INVALID_ARG);
    assert_int_equal(power_adapter_init(&odd), ESP_ERR_INVALID_ARG);
    /* The port still works. */
    assert_int_equal(port->request_low_power(&mqtt_client), APP_OK);
    assert_true(fake_esp_pm_current()->light_sleep_enable);
}

static void test_a_repeated_request_by_one_client_counts_once(void **state)
{
    (void)state;
    port->request_low_power(&mqtt_client);
    port->request_low_power(&mqtt_client);
    assert_int_equal(power_adapter_active_requests(), 1);
    assert_int_equal(fake_esp_wifi_state()->set_ps_calls, 1);
    port->release_low_power(&mqtt_client);
    assert_int_equal(fake_esp_wifi_state()->ps, WIFI_PS_MIN_MODEM);
}

static void test_release_without_request_changes_nothing(void **state)
{
    (void)state;
    assert_int_equal(port->release_low_power(&wifi_client), APP_OK);
    assert_int_equal(fake_esp_wifi_state()->set_ps_calls, 0);
    assert_int_equal(fake_esp_pm_configure_calls(), 1); /* power_adapter_init's only */
    assert_int_equal(power_adapter_active_requests(), 0);
}

static void test_low_power_lasts_until_the_last_client_releases(void **state)
{
    (void)state;
    port->request_low_power(&wifi_client);
    port->request_low_power(&mqtt_client);
    assert_int_equal(power_adapter_active_requests(), 2);
    assert_int_equal(fake_esp_wifi_state()->set_ps_calls, 1); /* the second request changes nothing */

    port->release_low_power(&wifi_client);
    assert_int_equal(fake_esp_wifi_state()->ps, WIFI_PS_MAX_MODEM);
    assert_true(fake_esp_pm_current()->light_sleep_enable);

    port->release_low_power(&mqtt_client);
    assert_int_equal(fake_esp_wifi_state()->ps, WIFI_PS_MIN_MODEM);
    assert_false(fake_esp_pm_current()->light_sleep_enable);
}

static void test_light_sleep_refused_reports_platform_error_but_keeps_modem_sleep(void **state)
{
    (void)state;
    fake_esp_pm_set_light_sleep_error(ESP_ERR_NOT_SUPPORTED);
    assert_int_equal(port->request_low_power(&mqtt_client), APP_ERR_PLATFORM);
    assert_int_equal(fake_esp_wifi_state()->ps, WIFI_PS_MAX_MODEM);
    assert_int_equal(power_adapter_active_requests(), 1);
}

static void test_set_ps_failure_is_a_platform_error(void **state)
{
    (void)state;
    fake_esp_wifi_set_error(FAKE_WIFI_FN_SET_PS, ESP_ERR_WIFI_NOT_INIT);
    assert_int_equal(port->request_low_power(&mqtt_client), APP_ERR_PLATFORM);
}

static void test_null_client_is_invalid(void **state)
{
    (void)state;
    assert_int_equal(port->request_low_power(NULL), APP_ERR_INVALID_ARG);
    assert_int_equal(port->release_low_power(NULL), APP_ERR_INVALID_ARG);
}

static void test_init_rejects_bad_frequencies(void **state)
{
    (void)state;
    const power_adapter_config_t zero = {.max_freq_mhz = 160, .min_freq_mhz = 0};
    const power_adapter_config_t inverted = {.max_freq_mhz = 40, .min_freq_mhz = 80};
    assert_int_equal(power_adapter_init(NULL), ESP_ERR_INVALID_ARG);
    assert_int_equal(power_adapter_init(&zero), ESP_ERR_INVALID_ARG);
    assert_int_equal(power_adapter_init(&inverted), ESP_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_request_enters_max_modem_sleep_and_light_sleep, setup),
        cmocka_unit_test_setup(test_release_restores_min_modem_and_turns_light_sleep_off, setup),
        cmocka_unit_test_setup(test_init_configures_full_speed_without_light_sleep, setup),
        cmocka_unit_test_setup(test_release_leaves_no_frequency_scaling_behind, setup),
        cmocka_unit_test_setup(test_init_reports_a_refused_pm_configuration, setup),
        cmocka_unit_test_setup(test_a_repeated_request_by_one_client_counts_once, setup),
        cmocka_unit_test_setup(test_release_without_request_changes_nothing, setup),
        cmocka_unit_test_setup(test_low_power_lasts_until_the_last_client_releases, setup),
        cmocka_unit_test_setup(test_light_sleep_refused_reports_platform_error_but_keeps_modem_sleep, setup),
        cmocka_unit_test_setup(test_set_ps_failure_is_a_platform_error, setup),
        cmocka_unit_test_setup(test_null_client_is_invalid, setup),
        cmocka_unit_test_setup(test_init_rejects_bad_frequencies, setup),
    };
    return cmocka_run_group_tests_name("power_adapter", tests, NULL, NULL);
}
