/* device_registration: the consumer contract's rules on creation, and the exact JSON bytes it sends. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "domain/device_registration.h"

#define GUARD_BYTE ((char)0x5A)
#define GUARD_SIZE 32

static const mac_address_t MAC = {{0x24, 0x6F, 0x28, 0xA1, 0xB2, 0xC3}};
static const ipv4_address_t IP = {{192, 168, 1, 50}};

/* Fills out with unit repeated count times (plus a NUL); returns out. */
static char *repeat(char *out, size_t out_size, const char *unit, size_t count)
{
    const size_t unit_len = strlen(unit);
    assert_true(unit_len * count < out_size);
    for (size_t i = 0; i < count; i++) {
        memcpy(out + i * unit_len, unit, unit_len);
    }
    out[unit_len * count] = '\0';
    return out;
}

static domain_status_t create(device_registration_t *msg, const char *name, const char *location)
{
    return device_registration_create(msg, &MAC, &IP, name, location);
}

static void expect_json(const char *name, const char *location, const char *expected)
{
    device_registration_t msg;
    char buf[DEVICE_REGISTRATION_JSON_MAX_SIZE];
    size_t len = 0;
    assert_int_equal(create(&msg, name, location), DOMAIN_OK);
    assert_int_equal(device_registration_to_json(&msg, buf, sizeof(buf), &len), DOMAIN_OK);
    assert_string_equal(buf, expected);
    assert_int_equal(len, strlen(expected));
    assert_int_equal(device_registration_json_len(&msg), len);
}

/* ---- creation ---- */

static void test_create_stores_all_fields(void **state)
{
    (void)state;
    device_registration_t msg;
    assert_int_equal(create(&msg, "Sensor Lote 4", "Vereda El Rosal, Tolima"), DOMAIN_OK);
    assert_true(mac_address_equal(&msg.mac, &MAC));
    assert_true(ipv4_address_equal(&msg.ip, &IP));
    assert_string_equal(msg.device_name, "Sensor Lote 4");
    assert_string_equal(msg.location, "Vereda El Rosal, Tolima");
}

static void test_create_stores_trimmed_values(void **state)
{
    (void)state;
    device_registration_t msg;
    assert_int_equal(create(&msg, " \t Sensor 1\n",
                            "\xc2\xa0"
                            "Finca\xe3\x80\x80"),
                     DOMAIN_OK);
    assert_string_equal(msg.device_name, "Sensor 1");
    assert_string_equal(msg.location, "Finca");
}

static void test_empty_or_white_space_name_is_rejected(void **state)
{
    (void)state;
    static const char *const names[] = {"", " ", "\t\n\r\v\f", "\xc2\xa0", "\xe2\x80\x80\xe3\x80\x80"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        device_registration_t msg;
        assert_int_equal(create(&msg, names[i], "Finca"), DOMAIN_ERR_NAME_EMPTY);
        assert_int_equal(device_registration_check_name(names[i]), DOMAIN_ERR_NAME_EMPTY);
    }
}

static void test_empty_or_white_space_location_is_rejected(void **state)
{
    (void)state;
    static const char *const locations[] = {"", "   ", "\xc2\x85", "\xe2\x80\xa8\xe2\x80\xa9"};
    for (size_t i = 0; i < sizeof(locations) / sizeof(locations[0]); i++) {
        device_registration_t msg;
        assert_int_equal(create(&msg, "Sensor", locations[i]), DOMAIN_ERR_LOCATION_EMPTY);
        assert_int_equal(device_registration_check_location(locations[i]), DOMAIN_ERR_LOCATION_EMPTY);
    }
}

static void test_name_of_exactly_100_bytes_is_accepted(void **state)
{
    (void)state;
    char ascii[128];
    char multibyte[128];
    device_registration_t msg;
    repeat(ascii, sizeof(ascii), "a", 100);
    repeat(multibyte, sizeof(multibyte), "\xc3\x91", 50); /* 50 x "Ñ" = 100 bytes, 50 characters */
    assert_int_equal(create(&msg, ascii, "Finca"), DOMAIN_OK);
    assert_int_equal(strlen(msg.device_name), 100);
    assert_int_equal(create(&msg, multibyte, "Finca"), DOMAIN_OK);
    assert_string_equal(msg.device_name, multibyte);
}

static void test_name_of_101_bytes_is_too_long(void **state)
{
    (void)state;
    char ascii[128];
    char multibyte[128];
    device_registration_t msg;
    repeat(ascii, sizeof(ascii), "a", 101);
    /* 33 x "€" (3 bytes) = 99 bytes, then "Ñ" = 101 bytes but only 34 characters */
    repeat(multibyte, sizeof(multibyte), "\xe2\x82\xac", 33);
    strcat(multibyte, "\xc3\x91");
    assert_int_equal(create(&msg, ascii, "Finca"), DOMAIN_ERR_NAME_TOO_LONG);
    assert_int_equal(create(&msg, multibyte, "Finca"), DOMAIN_ERR_NAME_TOO_LONG);
    assert_int_equal(device_registration_check_name(multibyte), DOMAIN_ERR_NAME_TOO_LONG);
}

static void test_name_limit_applies_after_trimming(void **state)
{
    (void)state;
    char name[128];
    device_registration_t msg;
    strcpy(name, "   ");
    repeat(name + 3, sizeof(name) - 3, "b", 100);
    strcat(name, "\xc2\xa0\xc2\xa0"); /* 107 raw bytes, 100 after trimming */
    assert_int_equal(create(&msg, name, "Finca"), DOMAIN_OK);
    assert_int_equal(strlen(msg.device_name), 100);
}

static void test_clean_values_are_trimmed_and_limited_after_trimming(void **state)
{
    (void)state;
    char raw[DEVICE_NAME_MAX_BYTES + 3];
    memset(raw, 'n', sizeof(raw) - 1);
    raw[0] = ' ';
    raw[sizeof(raw) - 2] = ' '; /* 100 bytes between two spaces */
    raw[sizeof(raw) - 1] = '\0';
    char name[DEVICE_NAME_MAX_BYTES + 1];
    assert_int_equal(device_registration_clean_name(raw, name, sizeof(name)), DOMAIN_OK);
    assert_int_equal(strlen(name), DEVICE_NAME_MAX_BYTES);
    assert_int_equal(name[0], 'n');
    char location[DEVICE_LOCATION_MAX_BYTES + 1];
    assert_int_equal(
        device_registration_clean_location("\t Finca \xC2\xA0Norte \xC2\xA0\n", location, sizeof(location)),
        DOMAIN_OK);
    assert_string_equal(location, "Finca \xC2\xA0Norte");
    /* errors leave "" */
    strcpy(name, "old");
    assert_int_equal(device_registration_clean_name("   ", name, sizeof(name)), DOMAIN_ERR_NAME_EMPTY);
    assert_string_equal(name, "");
    assert_int_equal(device_registration_clean_name("Riego", name, 3), DOMAIN_ERR_BUFFER_TOO_SMALL);
    assert_string_equal(name, "");
    assert_int_equal(device_registration_clean_location("\xFF", location, sizeof(location)),
                     DOMAIN_ERR_LOCATION_INVALID_UTF8);
    assert_int_equal(device_registration_clean_name("x", NULL, 4), DOMAIN_ERR_INVALID_ARG);
    assert_int_equal(device_registration_clean_name(NULL, name, sizeof(name)), DOMAIN_ERR_INVALID_ARG);
}

static void test_location_of_exactly_250_bytes_is_accepted(void **state)
{
    (void)state;
    char location[300];
    device_registration_t msg;
    /* 62 x emoji (4 bytes) = 248 bytes, then "Ñ" = 250 bytes */
    repeat(location, sizeof(location), "\xf0\x9f\x8c\xb1", 62);
    strcat(location, "\xc3\x91");
    assert_int_equal(create(&msg, "Sensor", location), DOMAIN_OK);
    assert_string_equal(msg.location, location);
    repeat(location, sizeof(location), "x", 250);
    assert_int_equal(device_registration_check_location(location), DOMAIN_OK);
}

static void test_location_of_251_bytes_is_too_long(void **state)
{
    (void)state;
    char location[300];
    device_registration_t msg;
    repeat(location, sizeof(location), "x", 251);
    assert_int_equal(create(&msg, "Sensor", location), DOMAIN_ERR_LOCATION_TOO_LONG);
    /* 83 x "€" = 249 bytes, then "Ñ" = 251 bytes */
    repeat(location, sizeof(location), "\xe2\x82\xac", 83);
    strcat(location, "\xc3\x91");
    assert_int_equal(create(&msg, "Sensor", location), DOMAIN_ERR_LOCATION_TOO_LONG);
    assert_int_equal(device_registration_check_location(location), DOMAIN_ERR_LOCATION_TOO_LONG);
}

typedef struct {
    const char *name;
    const char *bytes;
} invalid_text_t;

static const invalid_text_t INVALID_UTF8[] = {
    {"overlong slash", "a\xc0\xaf"},
    {"overlong three-byte", "a\xe0\x80\xaf"},
    {"surrogate", "a\xed\xa0\x80"},
    {"truncated", "a\xe2\x82"},
    {"above U+10FFFF", "a\xf4\x90\x80\x80"},
    {"lone continuation", "a\x80"
                          "b"},
    {"latin-1 byte", "Pe\xf1"
                     "a"},
};

static void test_invalid_utf8_name_is_rejected(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(INVALID_UTF8) / sizeof(INVALID_UTF8[0]); i++) {
        device_registration_t msg;
        if (create(&msg, INVALID_UTF8[i].bytes, "Finca") != DOMAIN_ERR_NAME_INVALID_UTF8) {
            fail_msg("name accepted: %s", INVALID_UTF8[i].name);
        }
    }
}

static void test_invalid_utf8_location_is_rejected(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(INVALID_UTF8) / sizeof(INVALID_UTF8[0]); i++) {
        device_registration_t msg;
        if (create(&msg, "Sensor", INVALID_UTF8[i].bytes) != DOMAIN_ERR_LOCATION_INVALID_UTF8) {
            fail_msg("location accepted: %s", INVALID_UTF8[i].name);
        }
    }
}

static void test_invalid_utf8_is_reported_before_length(void **state)
{
    (void)state;
    char name[160];
    char location[300];
    repeat(name, sizeof(name), "a", 150);
    name[149] = (char)0xff;
    repeat(location, sizeof(location), "a", 280);
    location[0] = (char)0x80;
    assert_int_equal(device_registration_check_name(name), DOMAIN_ERR_NAME_INVALID_UTF8);
    assert_int_equal(device_registration_check_location(location), DOMAIN_ERR_LOCATION_INVALID_UTF8);
}

static void test_rules_are_checked_name_then_location_then_ip(void **state)
{
    (void)state;
    device_registration_t msg;
    const ipv4_address_t zero = {{0, 0, 0, 0}};
    assert_int_equal(device_registration_create(&msg, &MAC, &zero, "", ""), DOMAIN_ERR_NAME_EMPTY);
    assert_int_equal(device_registration_create(&msg, &MAC, &zero, "Sensor", ""), DOMAIN_ERR_LOCATION_EMPTY);
    assert_int_equal(device_registration_create(&msg, &MAC, &zero, "Sensor", "Finca"),
                     DOMAIN_ERR_IP_UNSPECIFIED);
}

static void test_unspecified_ip_is_rejected(void **state)
{
    (void)state;
    device_registration_t msg;
    const ipv4_address_t zero = {{0, 0, 0, 0}};
    assert_int_equal(device_registration_create(&msg, &MAC, &zero, "Sensor", "Finca"),
                     DOMAIN_ERR_IP_UNSPECIFIED);
}

static void test_failed_create_leaves_the_message_unchanged(void **state)
{
    (void)state;
    device_registration_t msg;
    device_registration_t before;
    assert_int_equal(create(&msg, "Old name", "Old place"), DOMAIN_OK);
    before = msg;
    assert_int_equal(create(&msg, "New name", ""), DOMAIN_ERR_LOCATION_EMPTY);
    assert_memory_equal(&msg, &before, sizeof(msg));
}

static void test_null_arguments_are_rejected(void **state)
{
    (void)state;
    device_registration_t msg;
    assert_int_equal(device_registration_create(NULL, &MAC, &IP, "a", "b"), DOMAIN_ERR_INVALID_ARG);
    assert_int_equal(device_registration_create(&msg, NULL, &IP, "a", "b"), DOMAIN_ERR_INVALID_ARG);
    assert_int_equal(device_registration_create(&msg, &MAC, NULL, "a", "b"), DOMAIN_ERR_INVALID_ARG);
    assert_int_equal(device_registration_create(&msg, &MAC, &IP, NULL, "b"), DOMAIN_ERR_INVALID_ARG);
    assert_int_equal(device_registration_create(&msg, &MAC, &IP, "a", NULL), DOMAIN_ERR_INVALID_ARG);
    assert_int_equal(device_registration_check_name(NULL), DOMAIN_ERR_INVALID_ARG);
    assert_int_equal(device_registration_check_location(NULL), DOMAIN_ERR_INVALID_ARG);
}

/* ---- serialization ---- */

static void test_json_has_the_contract_fields_in_order(void **state)
{
    (void)state;
    expect_json("Sensor Lote 4", "Vereda El Rosal, Tolima",
                "{\"event_type\":\"register\",\"mac_address\":\"24:6F:28:A1:B2:C3\","
                "\"device_name\":\"Sensor Lote 4\",\"ip_address\":\"192.168.1.50\","
                "\"location_description\":\"Vereda El Rosal, Tolima\"}");
}

static void test_json_escapes_quote_and_backslash(void **state)
{
    (void)state;
    expect_json("Sensor \"A\"", "C:\\campo\\lote",
                "{\"event_type\":\"register\",\"mac_address\":\"24:6F:28:A1:B2:C3\","
                "\"device_name\":\"Sensor \\\"A\\\"\",\"ip_address\":\"192.168.1.50\","
                "\"location_description\":\"C:\\\\campo\\\\lote\"}");
}

static void test_json_escapes_control_characters(void **state)
{
    (void)state;
    /* Inner control characters survive trimming and are escaped; 0x7F passes through. */
    expect_json("a\tb\nc", "x\x01y\x1fz\bq\fr\rs\x7f",
                "{\"event_type\":\"register\",\"mac_address\":\"24:6F:28:A1:B2:C3\","
                "\"device_name\":\"a\\tb\\nc\",\"ip_address\":\"192.168.1.50\","
                "\"location_description\":\"x\\u0001y\\u001fz\\bq\\fr\\rs\x7f\"}");
}

static void test_json_passes_utf8_through(void **state)
{
    (void)state;
    expect_json("\xc3\x91"
                "ame \xf0\x9f\x8c\xb1",
                "Vereda El Rosal, Tolima \xe2\x80\x94 Colombia",
                "{\"event_type\":\"register\",\"mac_address\":\"24:6F:28:A1:B2:C3\","
                "\"device_name\":\"\xc3\x91"
                "ame \xf0\x9f\x8c\xb1\",\"ip_address\":\"192.168.1.50\","
                "\"location_description\":\"Vereda El Rosal, Tolima \xe2\x80\x94 Colombia\"}");
}

static void test_json_len_matches_written_length(void **state)
{
    (void)state;
    device_registration_t msg;
    char buf[DEVICE_REGISTRATION_JSON_MAX_SIZE];
    size_t len = 0;
    assert_int_equal(create(&msg, "\"\\\x01\xc3\x91", "\x02 place"), DOMAIN_OK);
    assert_int_equal(device_registration_to_json(&msg, buf, sizeof(buf), &len), DOMAIN_OK);
    assert_int_equal(device_registration_json_len(&msg), len);
    assert_int_equal(strlen(buf), len);
}

static void test_worst_case_message_fits_the_max_size(void **state)
{
    (void)state;
    char name[DEVICE_NAME_MAX_BYTES + 1];
    char location[DEVICE_LOCATION_MAX_BYTES + 1];
    device_registration_t msg;
    char buf[DEVICE_REGISTRATION_JSON_MAX_SIZE];
    size_t len = 0;
    repeat(name, sizeof(name), "\x01", DEVICE_NAME_MAX_BYTES);
    repeat(location, sizeof(location), "\x1e", DEVICE_LOCATION_MAX_BYTES);
    assert_int_equal(create(&msg, name, location), DOMAIN_OK);
    assert_int_equal(device_registration_to_json(&msg, buf, sizeof(buf), &len), DOMAIN_OK);
    assert_true(len + 1 <= DEVICE_REGISTRATION_JSON_MAX_SIZE);
    assert_int_equal(len, device_registration_json_len(&msg));
}

static void test_exact_buffer_fits_and_one_byte_less_does_not(void **state)
{
    (void)state;
    device_registration_t msg;
    assert_int_equal(create(&msg, "Sensor \"\xc3\x91\"", "Tolima\t\xf0\x9f\x8c\xb1"), DOMAIN_OK);
    const size_t needed = device_registration_json_len(&msg);
    char expected[DEVICE_REGISTRATION_JSON_MAX_SIZE];
    assert_int_equal(device_registration_to_json(&msg, expected, sizeof(expected), NULL), DOMAIN_OK);

    char buf[DEVICE_REGISTRATION_JSON_MAX_SIZE + GUARD_SIZE];
    size_t len = 0;
    memset(buf, GUARD_BYTE, sizeof(buf));
    assert_int_equal(device_registration_to_json(&msg, buf, needed + 1, &len), DOMAIN_OK);
    assert_int_equal(len, needed);
    assert_string_equal(buf, expected);
    for (size_t i = needed + 1; i < needed + 1 + GUARD_SIZE; i++) {
        assert_int_equal(buf[i], GUARD_BYTE);
    }

    memset(buf, GUARD_BYTE, sizeof(buf));
    len = 12345;
    assert_int_equal(device_registration_to_json(&msg, buf, needed, &len), DOMAIN_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(len, 12345); /* not reported as written */
    assert_int_equal(buf[needed - 1], '\0');
    for (size_t i = needed; i < needed + GUARD_SIZE; i++) {
        if (buf[i] != GUARD_BYTE) {
            fail_msg("byte %zu written past a buffer of %zu", i, needed);
        }
    }
}

static void test_every_short_buffer_is_refused_without_overrun(void **state)
{
    (void)state;
    device_registration_t msg;
    assert_int_equal(create(&msg, "N\x01", "L\""), DOMAIN_OK);
    const size_t needed = device_registration_json_len(&msg);
    for (size_t size = 1; size <= needed; size++) {
        char buf[256 + GUARD_SIZE];
        memset(buf, GUARD_BYTE, sizeof(buf));
        assert_int_equal(device_registration_to_json(&msg, buf, size, NULL), DOMAIN_ERR_BUFFER_TOO_SMALL);
        for (size_t i = size; i < size + GUARD_SIZE; i++) {
            assert_int_equal(buf[i], GUARD_BYTE);
        }
    }
}

static void test_to_json_rejects_bad_arguments(void **state)
{
    (void)state;
    device_registration_t msg;
    char buf[8];
    assert_int_equal(create(&msg, "Sensor", "Finca"), DOMAIN_OK);
    assert_int_equal(device_registration_to_json(NULL, buf, sizeof(buf), NULL), DOMAIN_ERR_INVALID_ARG);
    assert_int_equal(device_registration_to_json(&msg, NULL, 10, NULL), DOMAIN_ERR_INVALID_ARG);
    assert_int_equal(device_registration_to_json(&msg, NULL, 0, NULL), DOMAIN_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(device_registration_json_len(NULL), 0);
}

static void test_unterminated_fields_are_not_over_read(void **state)
{
    (void)state;
    /* A struct filled by hand without NULs: serialization stays inside the arrays. */
    device_registration_t msg;
    char buf[DEVICE_REGISTRATION_JSON_MAX_SIZE];
    size_t len = 0;
    msg.mac = MAC;
    msg.ip = IP;
    memset(msg.device_name, 'n', sizeof(msg.device_name));
    memset(msg.location, 'l', sizeof(msg.location));
    assert_int_equal(device_registration_to_json(&msg, buf, sizeof(buf), &len), DOMAIN_OK);
    assert_int_equal(len, device_registration_json_len(&msg));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_stores_all_fields),
        cmocka_unit_test(test_create_stores_trimmed_values),
        cmocka_unit_test(test_empty_or_white_space_name_is_rejected),
        cmocka_unit_test(test_empty_or_white_space_location_is_rejected),
        cmocka_unit_test(test_name_of_exactly_100_bytes_is_accepted),
        cmocka_unit_test(test_name_of_101_bytes_is_too_long),
        cmocka_unit_test(test_name_limit_applies_after_trimming),
        cmocka_unit_test(test_clean_values_are_trimmed_and_limited_after_trimming),
        cmocka_unit_test(test_location_of_exactly_250_bytes_is_accepted),
        cmocka_unit_test(test_location_of_251_bytes_is_too_long),
        cmocka_unit_test(test_invalid_utf8_name_is_rejected),
        cmocka_unit_test(test_invalid_utf8_location_is_rejected),
        cmocka_unit_test(test_invalid_utf8_is_reported_before_length),
        cmocka_unit_test(test_rules_are_checked_name_then_location_then_ip),
        cmocka_unit_test(test_unspecified_ip_is_rejected),
        cmocka_unit_test(test_failed_create_leaves_the_message_unchanged),
        cmocka_unit_test(test_null_arguments_are_rejected),
        cmocka_unit_test(test_json_has_the_contract_fields_in_order),
        cmocka_unit_test(test_json_escapes_quote_and_backslash),
        cmocka_unit_test(test_json_escapes_control_characters),
        cmocka_unit_test(test_json_passes_utf8_through),
        cmocka_unit_test(test_json_len_matches_written_length),
        cmocka_unit_test(test_worst_case_message_fits_the_max_size),
        cmocka_unit_test(test_exact_buffer_fits_and_one_byte_less_does_not),
        cmocka_unit_test(test_every_short_buffer_is_refused_without_overrun),
        cmocka_unit_test(test_to_json_rejects_bad_arguments),
        cmocka_unit_test(test_unterminated_fields_are_not_over_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
