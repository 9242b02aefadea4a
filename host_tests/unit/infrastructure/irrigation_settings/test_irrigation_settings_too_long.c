/*
 * irrigation_settings: a Kconfig string longer than its settings field is reported and left empty (so the
 * application disables MQTT with a reason) rather than cut into a different, valid-looking URI; an empty
 * firmware version falls back to the application description's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "application/settings_validation.h"
#include "esp_app_desc.h"
#include "irrigation_settings.h"

static void test_an_over_long_broker_uri_is_reported_with_the_option_name(void **state)
{
    (void)state;
    app_settings_t settings;
    char reason[96];
    assert_int_equal(irrigation_settings_from_kconfig(&settings, reason, sizeof(reason)), APP_ERR_TOO_LONG);
    assert_non_null(strstr(reason, "CONFIG_IRRIGATION_BROKER_URI"));
}

static void test_an_over_long_broker_uri_is_left_empty_and_disables_mqtt(void **state)
{
    (void)state;
    app_settings_t settings;
    char reason[96];
    (void)irrigation_settings_from_kconfig(&settings, reason, sizeof(reason));
    assert_string_equal(settings.mqtt.broker_uri, "");
    assert_int_equal(settings_validation_check(&settings, reason, sizeof(reason)), APP_ERR_BAD_URI);
}

static void test_the_other_options_are_still_mapped(void **state)
{
    (void)state;
    app_settings_t settings;
    (void)irrigation_settings_from_kconfig(&settings, NULL, 0);
    assert_string_equal(settings.mqtt.topic, "/liwaisi/iot/smart-irrigation/device/registration");
    assert_string_equal(settings.defaults.device_name, "ESP32-Riego");
}

static void test_an_empty_firmware_version_uses_the_app_description(void **state)
{
    (void)state;
    app_settings_t settings;
    (void)irrigation_settings_from_kconfig(&settings, NULL, 0);
    assert_string_equal(settings.firmware_version, esp_app_get_description()->version);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_over_long_broker_uri_is_reported_with_the_option_name),
        cmocka_unit_test(test_an_over_long_broker_uri_is_left_empty_and_disables_mqtt),
        cmocka_unit_test(test_the_other_options_are_still_mapped),
        cmocka_unit_test(test_an_empty_firmware_version_uses_the_app_description),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
