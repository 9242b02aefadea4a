/*
 * fleet_options: irrigation-fleet's own options, the irrigation-sim options every device shares (parsed by
 * sim_options), and the ones a fleet refuses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fleet_options.h"

static fleet_options_t options;
static char error[FLEET_OPTIONS_ERROR_MAX];

#define PARSE(...)                                                                                   \
    fleet_options_parse((int)(sizeof((char *[]){"irrigation-fleet", __VA_ARGS__}) / sizeof(char *)), \
                        (char *[]){"irrigation-fleet", __VA_ARGS__}, &options, error, sizeof(error))

static void test_defaults_one_generated_device_two_workers_automatic_ports(void **state)
{
    (void)state;
    char *argv[] = {"irrigation-fleet"};
    assert_int_equal(fleet_options_parse(1, argv, &options, error, sizeof(error)), FLEET_OPTIONS_OK);
    assert_int_equal(options.devices, 1);
    assert_int_equal(options.first_index, 1);
    assert_int_equal(options.workers, FLEET_OPTIONS_DEFAULT_WORKERS);
    assert_false(options.distinct_ips);
    assert_true(options.auto_http_ports);
    assert_string_equal(options.device_file, "");
    assert_string_equal(options.config_dir, "");
    assert_string_equal(options.shared.settings.mqtt.broker_uri, SIM_OPTIONS_DEFAULT_BROKER);
}

static void test_fleet_options_are_taken(void **state)
{
    (void)state;
    assert_int_equal(PARSE("--devices", "2500", "--first-index=2501", "--workers", "3", "--config-dir",
                           "/tmp/c", "--http-fallback-port", "8080"),
                     FLEET_OPTIONS_OK);
    assert_int_equal(options.devices, 2500);
    assert_int_equal(options.first_index, 2501);
    assert_int_equal(options.workers, 3);
    assert_string_equal(options.config_dir, "/tmp/c");
    assert_int_equal(options.http_fallback_port, 8080);
}

static void test_distinct_ips_listen_on_port_80_unless_told(void **state)
{
    (void)state;
    assert_int_equal(PARSE("--distinct-ips"), FLEET_OPTIONS_OK);
    assert_true(options.distinct_ips);
    assert_false(options.auto_http_ports);
    assert_int_equal(options.shared.http_port, 80);
    assert_int_equal(PARSE("--distinct-ips", "--http-port", "8080"), FLEET_OPTIONS_OK);
    assert_int_equal(options.shared.http_port, 8080);
}

static void test_an_explicit_port_is_used_as_given(void **state)
{
    (void)state;
    assert_int_equal(PARSE("--http-port", "0"), FLEET_OPTIONS_OK);
    assert_false(options.auto_http_ports);
    assert_int_equal(options.shared.http_port, 0);
    assert_int_equal(PARSE("--devices", "3", "--http-port=9000"), FLEET_OPTIONS_OK);
    assert_int_equal(options.shared.http_port, 9000);
}

static void test_shared_options_reach_sim_options(void **state)
{
    (void)state;
    assert_int_equal(PARSE("--broker", "ws://127.0.0.1:1/mqtt", "--devices", "4", "--retry-initial-ms=250",
                           "--name", "--devices", "--location", "Finca Sur", "--unprovisioned"),
                     FLEET_OPTIONS_OK);
    assert_string_equal(options.shared.settings.mqtt.broker_uri, "ws://127.0.0.1:1/mqtt");
    assert_int_equal(options.shared.settings.mqtt.retry.initial_ms, 250);
    assert_int_equal(options.devices, 4);
    /* --name takes a value: "--devices" after it is the name (the prefix), not the option. */
    assert_true(options.shared.has_name);
    assert_string_equal(options.shared.name, "--devices");
    assert_string_equal(options.shared.location, "Finca Sur");
    assert_true(options.shared.unprovisioned);
}

static void test_shared_option_errors_are_sim_options_own(void **state)
{
    (void)state;
    assert_int_equal(PARSE("--qos", "2"), FLEET_OPTIONS_ERROR);
    assert_string_equal(error, "--qos: expected a whole number from 0 to 1");
    assert_int_equal(PARSE("--broker"), FLEET_OPTIONS_ERROR);
    assert_string_equal(error, "--broker: missing value");
}

static void test_options_of_one_device_are_refused_with_the_reason(void **state)
{
    (void)state;
    assert_int_equal(PARSE("--mac", "02:00:00:00:00:01"), FLEET_OPTIONS_ERROR);
    assert_string_equal(error, "--mac: not a fleet option (devices come from --devices or --device-file)");
    assert_int_equal(PARSE("--ip=10.0.0.1"), FLEET_OPTIONS_ERROR);
    assert_true(strncmp(error, "--ip=10.0.0.1: not a fleet option", 33) == 0);
    assert_int_equal(PARSE("--once"), FLEET_OPTIONS_ERROR);
    assert_int_equal(PARSE("--config-file", "x"), FLEET_OPTIONS_ERROR);
}

static void test_rules_between_options(void **state)
{
    (void)state;
    assert_int_equal(PARSE("--devices", "2", "--device-file", "d.txt"), FLEET_OPTIONS_ERROR);
    assert_string_equal(error, "--devices: give --devices or --device-file, not both");
    assert_int_equal(PARSE("--device-file", "d.txt"), FLEET_OPTIONS_OK);
    assert_int_equal(options.devices, 0);
    assert_int_equal(PARSE("--devices", "64000", "--first-index", "2"), FLEET_OPTIONS_ERROR);
    assert_string_equal(error, "--devices: devices 2..64001: the last one is above 64000");
    assert_int_equal(PARSE("--distinct-ips", "--http-bind", "127.0.0.1"), FLEET_OPTIONS_ERROR);
    assert_int_equal(PARSE("--devices", "10", "--http-port", "65530"), FLEET_OPTIONS_ERROR);
    assert_string_equal(error, "--http-port: the devices' ports would pass 65535");
}

static void test_bad_values_and_unknown_options(void **state)
{
    (void)state;
    assert_int_equal(PARSE("--devices", "0"), FLEET_OPTIONS_ERROR);
    assert_string_equal(error, "--devices: expected a whole number from 1 to 64000");
    assert_int_equal(PARSE("--workers", "x"), FLEET_OPTIONS_ERROR);
    assert_int_equal(PARSE("--distinct-ips=yes"), FLEET_OPTIONS_ERROR);
    assert_string_equal(error, "--distinct-ips: takes no value");
    assert_int_equal(PARSE("--devices"), FLEET_OPTIONS_ERROR);
    assert_string_equal(error, "--devices: missing value");
    assert_int_equal(PARSE("--config-dir", ""), FLEET_OPTIONS_ERROR);
    assert_int_equal(PARSE("--frobnicate"), FLEET_OPTIONS_ERROR);
    assert_string_equal(error, "--frobnicate: unknown option (see --help)");
    assert_int_equal(PARSE("devices"), FLEET_OPTIONS_ERROR);
}

static void test_help(void **state)
{
    (void)state;
    assert_int_equal(PARSE("--devices", "3", "--help"), FLEET_OPTIONS_HELP);
    assert_non_null(strstr(fleet_options_usage(), "--distinct-ips"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_one_generated_device_two_workers_automatic_ports),
        cmocka_unit_test(test_fleet_options_are_taken),
        cmocka_unit_test(test_distinct_ips_listen_on_port_80_unless_told),
        cmocka_unit_test(test_an_explicit_port_is_used_as_given),
        cmocka_unit_test(test_shared_options_reach_sim_options),
        cmocka_unit_test(test_shared_option_errors_are_sim_options_own),
        cmocka_unit_test(test_options_of_one_device_are_refused_with_the_reason),
        cmocka_unit_test(test_rules_between_options),
        cmocka_unit_test(test_bad_values_and_unknown_options),
        cmocka_unit_test(test_help),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
