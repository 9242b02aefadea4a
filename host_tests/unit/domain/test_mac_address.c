/* mac_address: strict parsing (the server's regex and one-separator rule), upper-case formatting, client id.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "domain/mac_address.h"

static const mac_address_t SAMPLE = {{0x24, 0x6F, 0x28, 0xA1, 0xB2, 0xC3}};

static void test_parse_accepts_colon_separators(void **state)
{
    (void)state;
    mac_address_t mac;
    assert_int_equal(mac_address_parse("24:6F:28:A1:B2:C3", &mac), DOMAIN_OK);
    assert_memory_equal(mac.bytes, SAMPLE.bytes, MAC_ADDRESS_LEN);
}

static void test_parse_accepts_dash_separators(void **state)
{
    (void)state;
    mac_address_t mac;
    assert_int_equal(mac_address_parse("24-6F-28-A1-B2-C3", &mac), DOMAIN_OK);
    assert_memory_equal(mac.bytes, SAMPLE.bytes, MAC_ADDRESS_LEN);
}

static void test_parse_accepts_lower_and_mixed_case(void **state)
{
    (void)state;
    mac_address_t mac;
    assert_int_equal(mac_address_parse("24:6f:28:a1:B2:c3", &mac), DOMAIN_OK);
    assert_memory_equal(mac.bytes, SAMPLE.bytes, MAC_ADDRESS_LEN);
}

static void test_parse_rejects_malformed_text(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",                     /* empty */
        "24:6F:28:A1:B2",       /* five pairs */
        "24:6F:28:A1:B2:C3:D4", /* seven pairs */
        "24:6F:28:A1:B2:C",     /* short last pair */
        "24:6F:28:A1:B2:C3:",   /* trailing separator */
        "24:6F-28:A1:B2:C3",    /* mixed separators */
        "24-6F-28-A1-B2:C3",    /* mixed separators at the end */
        "24.6F.28.A1.B2.C3",    /* wrong separator */
        "246F28A1B2C3",         /* no separators */
        "246F:28:A1:B2:C3:0",   /* separator in the wrong place */
        "G4:6F:28:A1:B2:C3",    /* not hex */
        "24:6F:28:A1:B2:CZ",    /* not hex at the end */
        " 24:6F:28:A1:B2:C3",   /* leading space */
        "24:6F:28:A1:B2:C3 ",   /* trailing space */
        "24:6F:28:A1:B2:C3\n",  /* trailing newline */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        mac_address_t mac = SAMPLE;
        if (mac_address_parse(bad[i], &mac) != DOMAIN_ERR_MAC_INVALID) {
            fail_msg("accepted \"%s\"", bad[i]);
        }
        assert_memory_equal(mac.bytes, SAMPLE.bytes, MAC_ADDRESS_LEN); /* untouched on failure */
    }
}

static void test_parse_rejects_null_arguments(void **state)
{
    (void)state;
    mac_address_t mac;
    assert_int_equal(mac_address_parse(NULL, &mac), DOMAIN_ERR_INVALID_ARG);
    assert_int_equal(mac_address_parse("24:6F:28:A1:B2:C3", NULL), DOMAIN_ERR_INVALID_ARG);
}

static void test_format_writes_upper_case_with_colons(void **state)
{
    (void)state;
    char text[MAC_ADDRESS_STR_SIZE];
    const mac_address_t mac = {{0x0a, 0xbc, 0xde, 0xf0, 0x01, 0xff}};
    mac_address_format(&mac, text);
    assert_string_equal(text, "0A:BC:DE:F0:01:FF");
}

static void test_format_round_trips_through_parse(void **state)
{
    (void)state;
    char text[MAC_ADDRESS_STR_SIZE];
    mac_address_t parsed;
    mac_address_format(&SAMPLE, text);
    assert_int_equal(mac_address_parse(text, &parsed), DOMAIN_OK);
    assert_true(mac_address_equal(&parsed, &SAMPLE));
}

static void test_client_id_is_esp32_and_last_three_bytes(void **state)
{
    (void)state;
    char id[MAC_ADDRESS_CLIENT_ID_SIZE];
    mac_address_client_id(&SAMPLE, id);
    assert_string_equal(id, "ESP32_A1B2C3");
}

static void test_client_id_is_upper_case_and_zero_padded(void **state)
{
    (void)state;
    char id[MAC_ADDRESS_CLIENT_ID_SIZE];
    const mac_address_t mac = {{0xff, 0xff, 0xff, 0x0a, 0x00, 0xbe}};
    mac_address_client_id(&mac, id);
    assert_string_equal(id, "ESP32_0A00BE");
    assert_int_equal(strlen(id), MAC_ADDRESS_CLIENT_ID_SIZE - 1);
}

static void test_equal_compares_every_byte(void **state)
{
    (void)state;
    mac_address_t other = SAMPLE;
    assert_true(mac_address_equal(&SAMPLE, &other));
    other.bytes[5] ^= 1;
    assert_false(mac_address_equal(&SAMPLE, &other));
    assert_false(mac_address_equal(&SAMPLE, NULL));
}

static void test_null_inputs_format_as_empty_text(void **state)
{
    (void)state;
    char text[MAC_ADDRESS_STR_SIZE] = "x";
    char id[MAC_ADDRESS_CLIENT_ID_SIZE] = "x";
    mac_address_format(NULL, text);
    mac_address_client_id(NULL, id);
    assert_string_equal(text, "");
    assert_string_equal(id, "");
    mac_address_format(&SAMPLE, NULL); /* no crash */
    mac_address_client_id(&SAMPLE, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_accepts_colon_separators),
        cmocka_unit_test(test_parse_accepts_dash_separators),
        cmocka_unit_test(test_parse_accepts_lower_and_mixed_case),
        cmocka_unit_test(test_parse_rejects_malformed_text),
        cmocka_unit_test(test_parse_rejects_null_arguments),
        cmocka_unit_test(test_format_writes_upper_case_with_colons),
        cmocka_unit_test(test_format_round_trips_through_parse),
        cmocka_unit_test(test_client_id_is_esp32_and_last_three_bytes),
        cmocka_unit_test(test_client_id_is_upper_case_and_zero_padded),
        cmocka_unit_test(test_equal_compares_every_byte),
        cmocka_unit_test(test_null_inputs_format_as_empty_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
