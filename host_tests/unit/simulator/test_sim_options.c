/* sim_options: the command line of docs/simulator.md, its defaults and its one-line errors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "sim_options.h"

#define MAX_ARGS 8

static sim_options_t options;
static char error[SIM_OPTIONS_ERROR_MAX];

/* Parses "irrigation-sim" followed by the given arguments (NULL-terminated list). */
static sim_options_result_t parse_args(const char *first, ...)
{
    char *argv[MAX_ARGS + 1];
    int argc = 0;
    argv[argc++] = "irrigation-sim";
    va_list ap;
    va_start(ap, first);
    for (const char *arg = first; arg != NULL && argc < MAX_ARGS; arg = va_arg(ap, const char *)) {
        argv[argc++] = (char *)arg;
    }
    va_end(ap);
    argv[argc] = NULL;
    return sim_options_parse(argc, argv, "/tmp", &options, error, sizeof(error));
}

static void test_defaults_follow_the_spec(void **state)
{
    (void)state;
    assert_int_equal(parse_args(NULL), SIM_OPTIONS_OK);
    assert_string_equal(options.settings.mqtt.broker_uri, "ws://127.0.0.1:18080/mqtt");
    assert_string_equal(options.settings.mqtt.ws_path, "/mqtt");
    assert_string_equal(options.settings.mqtt.topic, "/liwaisi/iot/smart-irrigation/device/registration");
    assert_int_equal(options.settings.mqtt.qos, 1);
    assert_int_equal(options.settings.mqtt.keepalive_s, 60);
    assert_int_equal(options.settings.mqtt.retry.initial_ms, 30000);
    assert_int_equal(options.settings.mqtt.retry.max_ms, 3600000);
    assert_int_equal(options.settings.mqtt.retry.multiplier, 2);
    assert_int_equal(options.settings.mqtt.retry.jitter_percent, 0);
    assert_string_equal(options.http_bind, "127.0.0.1");
    assert_int_equal(options.http_port, 8080);
    assert_false(options.has_name);
    assert_false(options.has_location);
    assert_false(options.once);
    assert_false(options.print_registration);
    assert_int_equal(options.timeout_s, 0);
    const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x01};
    assert_memory_equal(options.mac.bytes, mac, 6);
    const uint8_t ip[4] = {127, 0, 0, 1};
    assert_memory_equal(options.ip.octets, ip, 4);
}

static void test_default_config_file_is_named_after_the_mac_in_tmpdir(void **state)
{
    (void)state;
    char *argv[] = {"irrigation-sim", "--mac", "aa-bb-cc-dd-ee-0f", NULL};
    assert_int_equal(sim_options_parse(3, argv, "/var/tmp/x", &options, error, sizeof(error)),
                     SIM_OPTIONS_OK);
    assert_string_equal(options.config_file, "/var/tmp/x/irrigation-sim-AABBCCDDEE0F.conf");
}

static void test_default_config_file_uses_tmp_without_tmpdir(void **state)
{
    (void)state;
    char *argv[] = {"irrigation-sim", NULL};
    assert_int_equal(sim_options_parse(1, argv, NULL, &options, error, sizeof(error)), SIM_OPTIONS_OK);
    assert_string_equal(options.config_file, "/tmp/irrigation-sim-020000000001.conf");
    assert_int_equal(sim_options_parse(1, argv, "", &options, error, sizeof(error)), SIM_OPTIONS_OK);
    assert_string_equal(options.config_file, "/tmp/irrigation-sim-020000000001.conf");
}

static void test_every_option_is_applied(void **state)
{
    (void)state;
    char *argv[] = {"irrigation-sim",
                    "--broker",
                    "ws://broker:9000",
                    "--ws-path",
                    "/mqtt/x",
                    "--topic",
                    "a/b",
                    "--qos",
                    "0",
                    "--ip",
                    "10.1.2.3",
                    "--name",
                    "Bomba \"Sur\"",
                    "--location",
                    "Finca ñ",
                    "--config-file",
                    "/tmp/c.conf",
                    "--http-bind",
                    "::1",
                    "--http-port",
                    "0",
                    "--keepalive",
                    "30",
                    "--retry-initial-ms",
                    "100",
                    "--retry-max-ms",
                    "1000",
                    "--retry-multiplier",
                    "3",
                    "--retry-jitter-percent",
                    "25",
                    "--firmware-version",
                    "9.9.9",
                    "--print-registration",
                    "--once",
                    "--timeout-s",
                    "12",
                    NULL};
    int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;
    assert_int_equal(sim_options_parse(argc, argv, "/tmp", &options, error, sizeof(error)), SIM_OPTIONS_OK);
    assert_string_equal(options.settings.mqtt.broker_uri, "ws://broker:9000");
    assert_string_equal(options.settings.mqtt.ws_path, "/mqtt/x");
    assert_string_equal(options.settings.mqtt.topic, "a/b");
    assert_int_equal(options.settings.mqtt.qos, 0);
    assert_int_equal(options.ip.octets[0], 10);
    assert_int_equal(options.ip.octets[3], 3);
    assert_true(options.has_name);
    assert_string_equal(options.name, "Bomba \"Sur\"");
    assert_true(options.has_location);
    assert_string_equal(options.location, "Finca ñ");
    assert_string_equal(options.config_file, "/tmp/c.conf");
    assert_string_equal(options.http_bind, "::1");
    assert_int_equal(options.http_port, 0);
    assert_int_equal(options.settings.mqtt.keepalive_s, 30);
    assert_int_equal(options.settings.mqtt.retry.initial_ms, 100);
    assert_int_equal(options.settings.mqtt.retry.max_ms, 1000);
    assert_int_equal(options.settings.mqtt.retry.multiplier, 3);
    assert_int_equal(options.settings.mqtt.retry.jitter_percent, 25);
    assert_string_equal(options.settings.firmware_version, "9.9.9");
    assert_true(options.print_registration);
    assert_true(options.once);
    assert_int_equal(options.timeout_s, 12);
}

static void test_option_equals_value_form_is_accepted(void **state)
{
    (void)state;
    assert_int_equal(parse_args("--http-port=0", "--name=a=b", NULL), SIM_OPTIONS_OK);
    assert_int_equal(options.http_port, 0);
    assert_string_equal(options.name, "a=b");
}

static void test_help_is_reported(void **state)
{
    (void)state;
    assert_int_equal(parse_args("--help", NULL), SIM_OPTIONS_HELP);
    assert_non_null(strstr(sim_options_usage(), "--print-registration"));
}

typedef struct {
    const char *option;
    const char *value;
    const char *expected_error;
} bad_case_t;

static void test_bad_options_say_which_option_and_why(void **state)
{
    (void)state;
    char long_name[102];
    memset(long_name, 'x', 101);
    long_name[101] = '\0';
    char long_location[252];
    memset(long_location, 'y', 251);
    long_location[251] = '\0';
    const bad_case_t cases[] = {
        {"--name", long_name, "--name: device_name is longer than 100 bytes"},
        {"--name", "   ", "--name: device_name is empty or only white space"},
        {"--name", "\xff", "--name: device_name is not valid UTF-8"},
        {"--location", long_location, "--location: location_description is longer than 250 bytes"},
        {"--location", "", "--location: location_description is empty or only white space"},
        {"--qos", "2", "--qos: expected a whole number from 0 to 1"},
        {"--qos", "one", "--qos: expected a whole number from 0 to 1"},
        {"--http-port", "65536", "--http-port: expected a whole number from 0 to 65535"},
        {"--http-port", "-1", "--http-port: expected a whole number from 0 to 65535"},
        {"--keepalive", "0", "--keepalive: expected a whole number from 1 to 65535"},
        {"--retry-initial-ms", "0", "--retry-initial-ms: expected a whole number from 1 to 4294967295"},
        {"--retry-multiplier", "0", "--retry-multiplier: expected a whole number from 1 to 4294967295"},
        {"--retry-jitter-percent", "101", "--retry-jitter-percent: expected a whole number from 0 to 100"},
        {"--timeout-s", "1x", "--timeout-s: expected a whole number from 0 to 4294967295"},
        {"--mac", "02:00:00:00:00", "--mac: MAC address is not six hex pairs with one separator style"},
        {"--ip", "1.2.3.04", "--ip: IPv4 address is not a dotted quad of 0-255 without leading zeros"},
        {"--ip", "0.0.0.0", "--ip: IPv4 address 0.0.0.0 cannot be registered"},
        {"--firmware-version", "0123456789012345678901234567890123",
         "--firmware-version: longer than 31 bytes"},
        {"--config-file", "", "--config-file: empty path"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(parse_args(cases[i].option, cases[i].value, NULL), SIM_OPTIONS_ERROR);
        assert_string_equal(error, cases[i].expected_error);
    }
}

static void test_unknown_option_is_an_error(void **state)
{
    (void)state;
    assert_int_equal(parse_args("--bogus", NULL), SIM_OPTIONS_ERROR);
    assert_string_equal(error, "--bogus: unknown option (see --help)");
    /* Neither a misspelt option's value nor a stray word is echoed: either may be a secret. */
    assert_int_equal(parse_args("--mqtt-pasword=s3cret-value", NULL), SIM_OPTIONS_ERROR);
    assert_string_equal(error, "--mqtt-pasword: unknown option (see --help)");
    /* a value glued to its option is named by the option alone */
    assert_int_equal(parse_args("--setup-secret7K3M9QXD2F4H8RTV", NULL), SIM_OPTIONS_ERROR);
    assert_string_equal(error,
                        "--setup-secret: unknown option: a value goes after a space or '=' (see --help)");
    assert_int_equal(parse_args("--mqtt-passwordhunter2", NULL), SIM_OPTIONS_ERROR);
    assert_null(strstr(error, "hunter2"));
    assert_int_equal(parse_args("--mqtt-password", "two", "words", NULL), SIM_OPTIONS_ERROR);
    assert_string_equal(error, "argument 3: not an option (a value goes right after its option; see --help)");
}

static void test_missing_value_is_an_error(void **state)
{
    (void)state;
    assert_int_equal(parse_args("--broker", NULL), SIM_OPTIONS_ERROR);
    assert_string_equal(error, "--broker: missing value");
}

static void test_flag_with_a_value_is_an_error(void **state)
{
    (void)state;
    assert_int_equal(parse_args("--once=yes", NULL), SIM_OPTIONS_ERROR);
    assert_string_equal(error, "--once: takes no value");
}

static void test_retry_cap_below_initial_is_an_error(void **state)
{
    (void)state;
    assert_int_equal(parse_args("--retry-initial-ms", "500", "--retry-max-ms", "100", NULL),
                     SIM_OPTIONS_ERROR);
    assert_string_equal(error, "--retry-max-ms: must not be less than --retry-initial-ms");
}

static void test_timeout_without_once_is_an_error(void **state)
{
    (void)state;
    assert_int_equal(parse_args("--timeout-s", "5", NULL), SIM_OPTIONS_ERROR);
    assert_string_equal(error, "--timeout-s: only applies with --once");
}

static void test_broker_that_does_not_fit_is_an_error(void **state)
{
    (void)state;
    char uri[BROKER_URI_MAX_LEN + 2];
    memset(uri, 'a', sizeof(uri) - 1);
    uri[sizeof(uri) - 1] = '\0';
    assert_int_equal(parse_args("--broker", uri, NULL), SIM_OPTIONS_ERROR);
    assert_string_equal(error, "--broker: longer than 191 bytes");
}

static void test_malformed_broker_is_left_to_the_application(void **state)
{
    /* The device reports a bad URI at start-up and keeps serving HTTP: not an option error. */
    (void)state;
    assert_int_equal(parse_args("--broker", "http://x", NULL), SIM_OPTIONS_OK);
    assert_string_equal(options.settings.mqtt.broker_uri, "http://x");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_follow_the_spec),
        cmocka_unit_test(test_default_config_file_is_named_after_the_mac_in_tmpdir),
        cmocka_unit_test(test_default_config_file_uses_tmp_without_tmpdir),
        cmocka_unit_test(test_every_option_is_applied),
        cmocka_unit_test(test_option_equals_value_form_is_accepted),
        cmocka_unit_test(test_help_is_reported),
        cmocka_unit_test(test_bad_options_say_which_option_and_why),
        cmocka_unit_test(test_unknown_option_is_an_error),
        cmocka_unit_test(test_missing_value_is_an_error),
        cmocka_unit_test(test_flag_with_a_value_is_an_error),
        cmocka_unit_test(test_retry_cap_below_initial_is_an_error),
        cmocka_unit_test(test_timeout_without_once_is_an_error),
        cmocka_unit_test(test_broker_that_does_not_fit_is_an_error),
        cmocka_unit_test(test_malformed_broker_is_left_to_the_application),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
