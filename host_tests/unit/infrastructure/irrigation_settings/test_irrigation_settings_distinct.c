/* irrigation_settings: every Kconfig option lands in its own settings field, in the field's unit. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "application/settings_validation.h"
#include "irrigation_settings.h"

static app_settings_t s_settings;

static int setup(void **state)
{
    char reason[96];
    (void)state;
    memset(&s_settings, 0xA5, sizeof(s_settings));
    assert_int_equal(irrigation_settings_from_kconfig(&s_settings, reason, sizeof(reason)), APP_OK);
    assert_string_equal(reason, "");
    return 0;
}

static void test_the_broker_options_map_to_the_mqtt_settings(void **state)
{
    (void)state;
    const mqtt_settings_t *m = &s_settings.mqtt;
    assert_string_equal(m->broker_uri, "ws://broker.test:8080");
    assert_string_equal(m->ws_path, "/mqtt-x");
    assert_string_equal(m->topic, "/test/registration");
    assert_int_equal(m->qos, 0);
    assert_int_equal(m->keepalive_s, 45);
    assert_int_equal(m->network_timeout_ms, 7000);
    assert_string_equal(m->status_topic, "/test/{mac}/presence");
    assert_string_equal(m->username, "nodo7");
    assert_string_equal(m->password, "clave-mqtt");
}

static void test_the_timers_map_in_their_units(void **state)
{
    (void)state;
    const mqtt_settings_t *m = &s_settings.mqtt;
    assert_int_equal(m->registration_timeout_ms, 15000);
    assert_int_equal(m->retransmit_ms, 3000);
    assert_int_equal(m->refresh_interval_s, 3600);
    assert_int_equal(m->liveness_interval_ms, 30000);
}

static void test_the_client_resources_map_to_the_mqtt_settings(void **state)
{
    (void)state;
    const mqtt_settings_t *m = &s_settings.mqtt;
    assert_int_equal(m->buffer_size, 2048);
    assert_int_equal(m->out_buffer_size, 4096);
    assert_int_equal(m->task_stack_size, 7168);
    assert_int_equal(m->task_priority, 6);
    assert_int_equal(m->outbox_limit, 8192);
}

static void test_the_retry_schedule_is_converted_from_seconds_to_milliseconds(void **state)
{
    (void)state;
    const retry_policy_config_t *r = &s_settings.mqtt.retry;
    assert_int_equal(r->initial_ms, 5000);
    assert_int_equal(r->max_ms, 86400000);
    assert_int_equal(r->multiplier, 3);
    assert_int_equal(r->jitter_percent, 10);
}

static void test_the_device_defaults_and_application_options_are_mapped(void **state)
{
    (void)state;
    assert_string_equal(s_settings.defaults.device_name, "Nodo \"7\"");
    assert_string_equal(s_settings.defaults.location, "Finca Norte, Lote 3");
    assert_int_equal(s_settings.lock_timeout_ms, 250);
    assert_string_equal(s_settings.firmware_version, "2.3.4-test");
    assert_string_equal(s_settings.wifi.ap_ssid_prefix, "Nodo-Setup");
    assert_string_equal(s_settings.security.setup_secret, ""); /* never from Kconfig */
    assert_int_equal(s_settings.config_min_interval_ms, 5000);
}

static void test_the_mapped_settings_are_valid_for_the_application(void **state)
{
    (void)state;
    char reason[96];
    assert_int_equal(settings_validation_check(&s_settings, reason, sizeof(reason)), APP_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_the_broker_options_map_to_the_mqtt_settings, setup),
        cmocka_unit_test_setup(test_the_client_resources_map_to_the_mqtt_settings, setup),
        cmocka_unit_test_setup(test_the_timers_map_in_their_units, setup),
        cmocka_unit_test_setup(test_the_retry_schedule_is_converted_from_seconds_to_milliseconds, setup),
        cmocka_unit_test_setup(test_the_device_defaults_and_application_options_are_mapped, setup),
        cmocka_unit_test_setup(test_the_mapped_settings_are_valid_for_the_application, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
