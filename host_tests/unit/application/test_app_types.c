/* The application's enums and their texts, and the port check application_start relies on. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "application/app_event.h"
#include "application/app_ports.h"
#include "application/app_status.h"

static void test_every_status_has_its_own_text(void **state)
{
    (void)state;
    assert_string_equal(app_err_to_str(APP_OK), "ok");
    assert_string_equal(app_err_to_str(APP_ERR_OUTBOX_FULL), "the MQTT outbox is full");
    assert_string_equal(app_err_to_str(APP_ERR_PLATFORM), "platform error");
    for (int i = 0; i < APP_STATUS_COUNT; i++) {
        for (int j = i + 1; j < APP_STATUS_COUNT; j++) {
            assert_string_not_equal(app_err_to_str((app_err_t)i), app_err_to_str((app_err_t)j));
        }
    }
}

static void test_status_out_of_range_is_unknown(void **state)
{
    (void)state;
    assert_string_equal(app_err_to_str(APP_STATUS_COUNT), "unknown");
    assert_string_equal(app_err_to_str((app_err_t)-1), "unknown");
}

static void test_every_event_kind_has_a_name(void **state)
{
    (void)state;
    for (int i = 0; i < APP_EVENT_COUNT; i++) {
        assert_string_not_equal(app_event_kind_to_str((app_event_kind_t)i), "unknown");
    }
    assert_string_equal(app_event_kind_to_str(APP_EVENT_WIFI_GOT_IP), "wifi_got_ip");
    assert_string_equal(app_event_kind_to_str(APP_EVENT_TIMER_FIRED), "timer_fired");
    assert_string_equal(app_event_kind_to_str(APP_EVENT_STOP), "stop");
    assert_string_equal(app_event_kind_to_str(APP_EVENT_FACTORY_RESET), "factory_reset");
    assert_string_equal(app_event_kind_to_str(APP_EVENT_COUNT), "unknown");
}

static void test_every_mqtt_error_kind_has_a_name(void **state)
{
    (void)state;
    for (int i = 0; i < APP_MQTT_ERROR_COUNT; i++) {
        assert_string_not_equal(app_mqtt_error_kind_to_str((app_mqtt_error_kind_t)i), "unknown");
    }
    assert_string_equal(app_mqtt_error_kind_to_str(APP_MQTT_ERROR_TRANSPORT), "transport");
    assert_string_equal(app_mqtt_error_kind_to_str(APP_MQTT_ERROR_COUNT), "unknown");
}

static void test_config_fields_and_notice_levels_have_names(void **state)
{
    (void)state;
    assert_string_equal(config_field_to_str(CONFIG_FIELD_DEVICE_NAME), "device_name");
    assert_string_equal(config_field_to_str(CONFIG_FIELD_LOCATION), "location_description");
    assert_string_equal(config_field_to_str(CONFIG_FIELD_COUNT), "unknown");
    assert_string_equal(app_notice_level_to_str(APP_NOTICE_INFO), "info");
    assert_string_equal(app_notice_level_to_str(APP_NOTICE_WARNING), "warning");
    assert_string_equal(app_notice_level_to_str(APP_NOTICE_ERROR), "error");
    assert_string_equal(app_notice_level_to_str((app_notice_level_t)7), "unknown");
}

static void test_null_port_set_is_missing(void **state)
{
    (void)state;
    assert_int_equal(app_ports_validate(NULL), APP_ERR_MISSING_PORT);
    app_ports_t empty;
    memset(&empty, 0, sizeof(empty));
    assert_int_equal(app_ports_validate(&empty), APP_ERR_MISSING_PORT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_status_has_its_own_text),
        cmocka_unit_test(test_status_out_of_range_is_unknown),
        cmocka_unit_test(test_every_event_kind_has_a_name),
        cmocka_unit_test(test_every_mqtt_error_kind_has_a_name),
        cmocka_unit_test(test_config_fields_and_notice_levels_have_names),
        cmocka_unit_test(test_null_port_set_is_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
