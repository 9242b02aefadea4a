/* provisioning: the provisioning form's rules and the scan list JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "application/provisioning_form.h"

static void repeat(char *out, char c, size_t n)
{
    memset(out, c, n);
    out[n] = '\0';
}

static app_err_t parse(const char *body, provisioning_form_t *req, char *reason, size_t reason_size)
{
    return provisioning_form_parse(body, strlen(body), req, reason, reason_size);
}

static void test_ssid_and_password_are_read(void **state)
{
    (void)state;
    provisioning_form_t req;
    char reason[128];
    assert_int_equal(parse("ssid=Finca+Casa&password=secret123", &req, reason, sizeof(reason)), APP_OK);
    assert_string_equal(req.ssid, "Finca Casa");
    assert_string_equal(req.password, "secret123");
    assert_false(req.has_device_name);
    assert_false(req.has_location);
    assert_string_equal(reason, "");
}

typedef struct {
    size_t ssid_len;
    app_err_t expected;
    const char *reason;
} ssid_case_t;

static void test_ssid_length_limits(void **state)
{
    (void)state;
    static const ssid_case_t cases[] = {
        {0, APP_ERR_INVALID_VALUE, "ssid is empty"},
        {1, APP_OK, ""},
        {32, APP_OK, ""},
        {33, APP_ERR_TOO_LONG, "ssid is longer than 32 bytes"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char ssid[40];
        repeat(ssid, 's', cases[i].ssid_len);
        char body[128];
        snprintf(body, sizeof(body), "ssid=%s&password=", ssid);
        provisioning_form_t req;
        char reason[128];
        assert_int_equal(parse(body, &req, reason, sizeof(reason)), cases[i].expected);
        assert_string_equal(reason, cases[i].reason);
        if (cases[i].expected == APP_OK) {
            assert_int_equal(strlen(req.ssid), cases[i].ssid_len);
        }
    }
}

static void test_missing_ssid_is_reported(void **state)
{
    (void)state;
    provisioning_form_t req;
    char reason[128];
    assert_int_equal(parse("password=secret123", &req, reason, sizeof(reason)), APP_ERR_NOT_FOUND);
    assert_string_equal(reason, "ssid is required");
}

static void test_bad_ssid_encoding_is_reported(void **state)
{
    (void)state;
    provisioning_form_t req;
    char reason[128];
    assert_int_equal(parse("ssid=a%ZZ", &req, reason, sizeof(reason)), APP_ERR_INVALID_VALUE);
    assert_string_equal(reason, "ssid is not correctly form-encoded");
}

typedef struct {
    char fill;
    size_t len;
    app_err_t expected;
} password_case_t;

static void test_password_rules(void **state)
{
    (void)state;
    static const password_case_t cases[] = {
        {'p', 0, APP_OK},                /* open network */
        {'p', 7, APP_ERR_INVALID_VALUE}, /* too short for WPA2 */
        {'p', 8, APP_OK},
        {'p', 63, APP_OK},
        {'a', 64, APP_OK},                /* 64 hex digits: a raw PSK */
        {'p', 64, APP_ERR_INVALID_VALUE}, /* 64 characters that are not hex */
        {'a', 65, APP_ERR_TOO_LONG},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char password[80];
        repeat(password, cases[i].fill, cases[i].len);
        char body[160];
        snprintf(body, sizeof(body), "ssid=Net&password=%s", password);
        provisioning_form_t req;
        char reason[128];
        app_err_t rc = parse(body, &req, reason, sizeof(reason));
        assert_int_equal(rc, cases[i].expected);
        if (rc == APP_OK) {
            assert_string_equal(req.password, password);
        } else {
            assert_true(strlen(reason) > 0);
            /* The password never reaches the reason, and is not left in the rejected request. */
            if (cases[i].len > 0) {
                assert_null(strstr(reason, password));
            }
            assert_string_equal(req.password, "");
        }
    }
}

static void test_mixed_hex_password_of_64_digits_is_accepted(void **state)
{
    (void)state;
    char body[160];
    snprintf(body, sizeof(body), "ssid=Net&password=%s",
             "0123456789abcdefABCDEF0123456789abcdefABCDEF0123456789abcdef0123");
    provisioning_form_t req;
    assert_int_equal(parse(body, &req, NULL, 0), APP_OK);
    body[sizeof("ssid=Net&password=") + 10] = 'g';
    char reason[128];
    assert_int_equal(parse(body, &req, reason, sizeof(reason)), APP_ERR_INVALID_VALUE);
    assert_string_equal(reason, "password must be empty, 8 to 63 characters, or 64 hex digits");
}

static void test_bad_password_encoding_never_echoes_it(void **state)
{
    (void)state;
    provisioning_form_t req;
    char reason[128];
    assert_int_equal(parse("ssid=Net&password=topsecret%G", &req, reason, sizeof(reason)),
                     APP_ERR_INVALID_VALUE);
    assert_string_equal(reason, "password is not correctly form-encoded");
    assert_null(strstr(reason, "topsecret"));
}

static void test_device_name_and_location_are_optional_and_validated(void **state)
{
    (void)state;
    provisioning_form_t req;
    char reason[128];
    assert_int_equal(parse("ssid=Net&device_name=Riego+Norte&location_description=Lote+%C3%91", &req, reason,
                           sizeof(reason)),
                     APP_OK);
    assert_true(req.has_device_name);
    assert_string_equal(req.device_name, "Riego Norte");
    assert_true(req.has_location);
    assert_string_equal(req.location, "Lote \xC3\x91");
}

static void test_empty_device_name_keeps_the_stored_value(void **state)
{
    (void)state;
    provisioning_form_t req;
    assert_int_equal(parse("ssid=Net&device_name=&location_description=", &req, NULL, 0), APP_OK);
    assert_false(req.has_device_name);
    assert_false(req.has_location);
}

static void test_device_name_over_the_limit_is_rejected(void **state)
{
    (void)state;
    char name[DEVICE_NAME_MAX_BYTES + 2];
    repeat(name, 'n', DEVICE_NAME_MAX_BYTES + 1);
    char body[256];
    snprintf(body, sizeof(body), "ssid=Net&password=secret123&device_name=%s", name);
    provisioning_form_t req;
    char reason[128];
    assert_int_equal(parse(body, &req, reason, sizeof(reason)), APP_ERR_TOO_LONG);
    assert_string_equal(reason, "device_name is longer than 100 bytes");
    assert_string_equal(req.password, "");
}

static void test_location_over_the_limit_is_rejected(void **state)
{
    (void)state;
    char location[DEVICE_LOCATION_MAX_BYTES + 2];
    repeat(location, 'l', DEVICE_LOCATION_MAX_BYTES + 1);
    char body[400];
    snprintf(body, sizeof(body), "ssid=Net&location_description=%s", location);
    provisioning_form_t req;
    char reason[128];
    assert_int_equal(parse(body, &req, reason, sizeof(reason)), APP_ERR_TOO_LONG);
    assert_string_equal(reason, "location_description is longer than 250 bytes");
}

static void test_blank_or_invalid_name_is_rejected_with_the_domain_reason(void **state)
{
    (void)state;
    provisioning_form_t req;
    char reason[128];
    assert_int_equal(parse("ssid=Net&device_name=+++", &req, reason, sizeof(reason)), APP_ERR_INVALID_VALUE);
    assert_string_equal(reason, "device_name is empty or only white space");
    assert_int_equal(parse("ssid=Net&location_description=%FF", &req, reason, sizeof(reason)),
                     APP_ERR_INVALID_VALUE);
    assert_string_equal(reason, "location_description is not valid UTF-8");
    assert_int_equal(parse("ssid=Net&device_name=%F", &req, reason, sizeof(reason)), APP_ERR_INVALID_VALUE);
    assert_string_equal(reason, "device_name is not correctly form-encoded");
}

static void test_form_over_the_body_limit_is_rejected(void **state)
{
    (void)state;
    static char body[PROVISIONING_BODY_MAX_BYTES + 2];
    memcpy(body, "ssid=Net&x=", 11);
    memset(body + 11, 'x', sizeof(body) - 12);
    body[sizeof(body) - 1] = '\0';
    provisioning_form_t req;
    char reason[128];
    assert_int_equal(parse(body, &req, reason, sizeof(reason)), APP_ERR_TOO_LONG);
    assert_string_equal(reason, "form is larger than 1024 bytes");
}

static void test_parse_rejects_bad_arguments(void **state)
{
    (void)state;
    char reason[128];
    provisioning_form_t req;
    assert_int_equal(provisioning_form_parse("ssid=a", 6, NULL, reason, sizeof(reason)), APP_ERR_INVALID_ARG);
    assert_int_equal(provisioning_form_parse(NULL, 6, &req, reason, sizeof(reason)), APP_ERR_INVALID_ARG);
    assert_int_equal(provisioning_form_parse(NULL, 0, &req, reason, sizeof(reason)), APP_ERR_NOT_FOUND);
}

static void test_reason_is_cut_to_its_buffer(void **state)
{
    (void)state;
    provisioning_form_t req;
    char reason[5];
    assert_int_equal(parse("password=x", &req, reason, sizeof(reason)), APP_ERR_NOT_FOUND);
    assert_string_equal(reason, "ssid");
}

/* ---- scan JSON ---- */

/* A scan entry as the WiFi port gives it: up to 32 raw bytes; ssid_len as given (the writer caps it). */
static wifi_station_network_t net_of(const char *raw, size_t len, int8_t rssi, bool secured)
{
    wifi_station_network_t net;
    memset(&net, 0, sizeof(net));
    memcpy(net.ssid, raw, len < WIFI_STATION_SSID_MAX_BYTES ? len : WIFI_STATION_SSID_MAX_BYTES);
    net.ssid_len = (uint8_t)len;
    net.rssi = rssi;
    net.secured = secured;
    return net;
}

static void test_scan_json_lists_networks(void **state)
{
    (void)state;
    const wifi_station_network_t nets[] = {
        net_of("Casa", 4, -60, true),
        net_of("Cafe \"Ñ\"", 9, -85, false),
    };
    char buf[256];
    size_t len = 0;
    assert_int_equal(provisioning_form_scan_json(nets, 2, buf, sizeof(buf), &len), APP_OK);
    const char *expected = "[{\"ssid\":\"Casa\",\"rssi\":-60,\"secured\":true},"
                           "{\"ssid\":\"Cafe \\\"\xC3\x91\\\"\",\"rssi\":-85,\"secured\":false}]";
    assert_string_equal(buf, expected);
    assert_int_equal(len, strlen(expected));
}

static void test_scan_json_of_no_networks_is_an_empty_array(void **state)
{
    (void)state;
    char buf[8];
    size_t len = 0;
    assert_int_equal(provisioning_form_scan_json(NULL, 0, buf, sizeof(buf), &len), APP_OK);
    assert_string_equal(buf, "[]");
    assert_int_equal(len, 2);
}

static void test_scan_json_replaces_invalid_utf8_with_replacement_character(void **state)
{
    (void)state;
    /* a stray continuation byte, a truncated 2-byte sequence, an overlong form, then valid "é" */
    const char raw[] = "a\x80"
                       "b\xC3"
                       "c\xC0\xAF"
                       "\xC3\xA9";
    const wifi_station_network_t net = net_of(raw, sizeof(raw) - 1, -50, true);
    char buf[128];
    assert_int_equal(provisioning_form_scan_json(&net, 1, buf, sizeof(buf), NULL), APP_OK);
    assert_string_equal(buf, "[{\"ssid\":\"a\xEF\xBF\xBD"
                             "b\xEF\xBF\xBD"
                             "c\xEF\xBF\xBD\xEF\xBF\xBD\xC3\xA9\","
                             "\"rssi\":-50,\"secured\":true}]");
}

static void test_scan_json_keeps_valid_multibyte_characters(void **state)
{
    (void)state;
    /* 2-, 3- and 4-byte characters pass through; a 4-byte lead cut short does not */
    const char raw[] = "\xC3\xB1\xE2\x82\xAC\xF0\x9F\x8C\xB1\xF0\x9F";
    const wifi_station_network_t net = net_of(raw, sizeof(raw) - 1, -1, false);
    char buf[128];
    assert_int_equal(provisioning_form_scan_json(&net, 1, buf, sizeof(buf), NULL), APP_OK);
    assert_string_equal(buf, "[{\"ssid\":\"\xC3\xB1\xE2\x82\xAC\xF0\x9F\x8C\xB1\xEF\xBF\xBD\xEF\xBF\xBD\","
                             "\"rssi\":-1,\"secured\":false}]");
}

static void test_scan_json_escapes_control_bytes_and_caps_ssid_at_32_bytes(void **state)
{
    (void)state;
    char raw[40];
    memset(raw, 'x', sizeof(raw));
    raw[0] = '\n';
    raw[1] = '\0';
    const wifi_station_network_t net = net_of(raw, sizeof(raw), 0, false);
    char buf[128];
    assert_int_equal(provisioning_form_scan_json(&net, 1, buf, sizeof(buf), NULL), APP_OK);
    char expected[128];
    snprintf(expected, sizeof(expected), "[{\"ssid\":\"\\n\\u0000%s\",\"rssi\":0,\"secured\":false}]",
             "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    assert_string_equal(buf, expected);
}

static void test_scan_json_too_small_buffer_is_reported(void **state)
{
    (void)state;
    const wifi_station_network_t nets[] = {net_of("Casa", 4, -60, true), net_of("Otra", 4, -70, true)};
    char full[128];
    size_t len = 0;
    assert_int_equal(provisioning_form_scan_json(nets, 2, full, sizeof(full), &len), APP_OK);
    for (size_t size = 0; size <= len; size++) {
        char buf[128];
        memset(buf, '#', sizeof(buf));
        assert_int_equal(provisioning_form_scan_json(nets, 2, size == 0 ? NULL : buf, size, NULL),
                         APP_ERR_BUFFER_TOO_SMALL);
        for (size_t i = size; i < sizeof(buf); i++) {
            assert_int_equal(buf[i], '#');
        }
    }
    char exact[128];
    assert_int_equal(provisioning_form_scan_json(nets, 2, exact, len + 1, NULL), APP_OK);
    assert_string_equal(exact, full);
}

static void test_scan_json_rejects_null_networks(void **state)
{
    (void)state;
    char buf[16];
    assert_int_equal(provisioning_form_scan_json(NULL, 1, buf, sizeof(buf), NULL), APP_ERR_INVALID_ARG);
    const wifi_station_network_t hidden = net_of("", 0, -40, true); /* a hidden network: no SSID bytes */
    assert_int_equal(provisioning_form_scan_json(&hidden, 1, buf, sizeof(buf), NULL),
                     APP_ERR_BUFFER_TOO_SMALL);
    char big[64];
    assert_int_equal(provisioning_form_scan_json(&hidden, 1, big, sizeof(big), NULL), APP_OK);
    assert_string_equal(big, "[{\"ssid\":\"\",\"rssi\":-40,\"secured\":true}]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ssid_and_password_are_read),
        cmocka_unit_test(test_ssid_length_limits),
        cmocka_unit_test(test_missing_ssid_is_reported),
        cmocka_unit_test(test_bad_ssid_encoding_is_reported),
        cmocka_unit_test(test_password_rules),
        cmocka_unit_test(test_mixed_hex_password_of_64_digits_is_accepted),
        cmocka_unit_test(test_bad_password_encoding_never_echoes_it),
        cmocka_unit_test(test_device_name_and_location_are_optional_and_validated),
        cmocka_unit_test(test_empty_device_name_keeps_the_stored_value),
        cmocka_unit_test(test_device_name_over_the_limit_is_rejected),
        cmocka_unit_test(test_location_over_the_limit_is_rejected),
        cmocka_unit_test(test_blank_or_invalid_name_is_rejected_with_the_domain_reason),
        cmocka_unit_test(test_form_over_the_body_limit_is_rejected),
        cmocka_unit_test(test_parse_rejects_bad_arguments),
        cmocka_unit_test(test_reason_is_cut_to_its_buffer),
        cmocka_unit_test(test_scan_json_lists_networks),
        cmocka_unit_test(test_scan_json_of_no_networks_is_an_empty_array),
        cmocka_unit_test(test_scan_json_replaces_invalid_utf8_with_replacement_character),
        cmocka_unit_test(test_scan_json_keeps_valid_multibyte_characters),
        cmocka_unit_test(test_scan_json_escapes_control_bytes_and_caps_ssid_at_32_bytes),
        cmocka_unit_test(test_scan_json_too_small_buffer_is_reported),
        cmocka_unit_test(test_scan_json_rejects_null_networks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
