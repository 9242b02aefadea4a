/* fleet_devices: generated devices, the lines of a device file, and the distinct loopback addresses. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "fleet_devices.h"

static char error[FLEET_DEVICES_ERROR_MAX];

static void assert_ip(uint32_t number, const char *expected)
{
    ipv4_address_t ip;
    assert_true(fleet_devices_distinct_ip(number, &ip));
    char text[IPV4_ADDRESS_STR_SIZE];
    ipv4_address_format(&ip, text);
    assert_string_equal(text, expected);
}

static void test_distinct_ips_skip_dot_0_dot_1_and_the_top_of_each_block(void **state)
{
    (void)state;
    assert_ip(1, "127.0.0.2");
    assert_ip(2, "127.0.0.3");
    assert_ip(250, "127.0.0.251");
    assert_ip(251, "127.0.1.2");
    assert_ip(10000, "127.0.39.251");
    assert_ip(FLEET_DEVICES_MAX, "127.0.255.251");
    ipv4_address_t ip;
    assert_false(fleet_devices_distinct_ip(0, &ip));
    assert_false(fleet_devices_distinct_ip(FLEET_DEVICES_MAX + 1, &ip));
}

static void test_generated_devices_count_up_in_the_mac_and_the_name(void **state)
{
    (void)state;
    fleet_device_spec_t spec;
    assert_true(fleet_devices_generate(1, "Riego", "Finca", &spec, error, sizeof(error)));
    char mac[MAC_ADDRESS_STR_SIZE];
    mac_address_format(&spec.mac, mac);
    assert_string_equal(mac, "02:00:00:00:00:01");
    assert_string_equal(spec.name, "Riego-01");
    assert_true(spec.has_location);
    assert_string_equal(spec.location, "Finca");
    assert_false(spec.has_ip);
    assert_false(spec.has_http_port);

    assert_true(fleet_devices_generate(10000, "Riego", NULL, &spec, error, sizeof(error)));
    mac_address_format(&spec.mac, mac);
    assert_string_equal(mac, "02:00:00:00:27:10");
    assert_string_equal(spec.name, "Riego-10000");
    assert_false(spec.has_location);
}

static void test_generated_values_follow_the_registration_rules(void **state)
{
    (void)state;
    fleet_device_spec_t spec;
    char prefix[DEVICE_NAME_MAX_BYTES + 1];
    memset(prefix, 'x', 98);
    prefix[98] = '\0';
    assert_false(fleet_devices_generate(7, prefix, NULL, &spec, error, sizeof(error)));
    assert_string_equal(error, "name: device_name is longer than 100 bytes");
    assert_false(fleet_devices_generate(7, "R", "   ", &spec, error, sizeof(error)));
    assert_string_equal(error, "location: location_description is empty or only white space");
    assert_false(fleet_devices_generate(0, "R", NULL, &spec, error, sizeof(error)));
}

static bool parse(const char *line, fleet_device_spec_t *spec)
{
    return fleet_devices_parse_line(line, strlen(line), spec, error, sizeof(error));
}

static void test_a_device_line_with_every_field(void **state)
{
    (void)state;
    fleet_device_spec_t spec;
    assert_true(
        parse("mac=aa%3Abb%3Acc%3Add%3Aee%3A01&name=Riego+Norte&location=Invernadero+%22Los+%C3%81lamos%22"
              "&ip=192.168.1.50&http_port=8090",
              &spec));
    char mac[MAC_ADDRESS_STR_SIZE];
    mac_address_format(&spec.mac, mac);
    assert_string_equal(mac, "AA:BB:CC:DD:EE:01");
    assert_string_equal(spec.name, "Riego Norte");
    assert_string_equal(spec.location, "Invernadero \"Los Álamos\"");
    assert_true(spec.has_ip);
    char ip[IPV4_ADDRESS_STR_SIZE];
    ipv4_address_format(&spec.ip, ip);
    assert_string_equal(ip, "192.168.1.50");
    assert_true(spec.has_http_port);
    assert_int_equal(spec.http_port, 8090);
}

static void test_a_line_with_only_the_mac_leaves_the_rest_to_the_defaults(void **state)
{
    (void)state;
    fleet_device_spec_t spec;
    assert_true(parse("mac=02:00:00:00:00:05&unknown=kept+out\r\n", &spec));
    assert_false(spec.has_name || spec.has_location || spec.has_ip || spec.has_http_port);
}

static void test_each_bad_field_is_named(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        const char *error;
    } cases[] = {
        {"name=x", "mac: required"},
        {"mac=02-00-00:00:00:05", "mac: MAC address is not six hex pairs with one separator style"},
        {"mac=02:00:00:00:00:05&name=+++", "name: device_name is empty or only white space"},
        {"mac=02:00:00:00:00:05&name=%ff", "name: device_name is not valid UTF-8"},
        {"mac=02:00:00:00:00:05&location=%zz", "location: malformed %-escape or a NUL byte"},
        {"mac=02:00:00:00:00:05&ip=10.0.0.256",
         "ip: IPv4 address is not a dotted quad of 0-255 without leading zeros"},
        {"mac=02:00:00:00:00:05&ip=0.0.0.0", "ip: IPv4 address 0.0.0.0 cannot be registered"},
        {"mac=02:00:00:00:00:05&http_port=65536", "http_port: expected a port number from 0 to 65535"},
        {"mac=02:00:00:00:00:05&http_port=-1", "http_port: expected a port number from 0 to 65535"},
        {"mac=02:00:00:00:00:05&http_port=", "http_port: expected a port number from 0 to 65535"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fleet_device_spec_t spec;
        assert_false(parse(cases[i].line, &spec));
        assert_string_equal(error, cases[i].error);
    }
}

static void test_over_long_values_are_refused(void **state)
{
    (void)state;
    char line[FLEET_DEVICES_LINE_MAX];
    int n = snprintf(line, sizeof(line), "mac=02:00:00:00:00:05&name=");
    memset(line + n, 'a', 101);
    line[n + 101] = '\0';
    fleet_device_spec_t spec;
    assert_false(parse(line, &spec));
    assert_string_equal(error, "name: device_name is longer than 100 bytes");
    n = snprintf(line, sizeof(line), "mac=02:00:00:00:00:05&location=");
    memset(line + n, 'a', 300);
    line[n + 300] = '\0';
    assert_false(parse(line, &spec));
    assert_string_equal(error, "location: longer than its limit");
}

static void test_blank_lines(void **state)
{
    (void)state;
    assert_true(fleet_devices_blank_line(" \t\r\n", 4));
    assert_true(fleet_devices_blank_line("", 0));
    assert_false(fleet_devices_blank_line(" m", 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distinct_ips_skip_dot_0_dot_1_and_the_top_of_each_block),
        cmocka_unit_test(test_generated_devices_count_up_in_the_mac_and_the_name),
        cmocka_unit_test(test_generated_values_follow_the_registration_rules),
        cmocka_unit_test(test_a_device_line_with_every_field),
        cmocka_unit_test(test_a_line_with_only_the_mac_leaves_the_rest_to_the_defaults),
        cmocka_unit_test(test_each_bad_field_is_named),
        cmocka_unit_test(test_over_long_values_are_refused),
        cmocka_unit_test(test_blank_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
