/* ipv4_address: strict dotted-quad parsing (what Go's net.ParseIP accepts), formatting, predicates. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "domain/ipv4_address.h"

typedef struct {
    const char *text;
    uint8_t octets[4];
} valid_case_t;

static void test_parse_accepts_dotted_quads(void **state)
{
    (void)state;
    static const valid_case_t cases[] = {
        {"192.168.1.10", {192, 168, 1, 10}},       {"0.0.0.0", {0, 0, 0, 0}},
        {"255.255.255.255", {255, 255, 255, 255}}, {"10.0.0.1", {10, 0, 0, 1}},
        {"1.22.133.244", {1, 22, 133, 244}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ipv4_address_t ip;
        assert_int_equal(ipv4_address_parse(cases[i].text, &ip), DOMAIN_OK);
        assert_memory_equal(ip.octets, cases[i].octets, 4);
    }
}

static void test_parse_rejects_malformed_text(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",          "192.168.1",  "192.168.1.", "192.168.1.10.", "192.168.1.10.5", ".192.168.1.10",
        "192..1.10", "256.1.1.1",  "1.1.1.256",  "999.1.1.1",     "1000.1.1.1",     "01.2.3.4",
        "1.2.3.04",  "1.2.3.00",   "00.0.0.0",   " 1.2.3.4",      "1.2.3.4 ",       "1.2. 3.4",
        "1.2.3.4\n", "a.b.c.d",    "1.2.3.x",    "-1.2.3.4",      "+1.2.3.4",       "1,2,3,4",
        "::1",       "1.2.3.4/24",
    };
    const ipv4_address_t before = {{9, 9, 9, 9}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ipv4_address_t ip = before;
        if (ipv4_address_parse(bad[i], &ip) != DOMAIN_ERR_IP_INVALID) {
            fail_msg("accepted \"%s\"", bad[i]);
        }
        assert_true(ipv4_address_equal(&ip, &before)); /* untouched on failure */
    }
}

static void test_parse_rejects_null_arguments(void **state)
{
    (void)state;
    ipv4_address_t ip;
    assert_int_equal(ipv4_address_parse(NULL, &ip), DOMAIN_ERR_INVALID_ARG);
    assert_int_equal(ipv4_address_parse("1.2.3.4", NULL), DOMAIN_ERR_INVALID_ARG);
}

static void test_format_writes_dotted_quad_without_padding(void **state)
{
    (void)state;
    char text[IPV4_ADDRESS_STR_SIZE];
    const ipv4_address_t ip = {{10, 0, 100, 9}};
    ipv4_address_format(&ip, text);
    assert_string_equal(text, "10.0.100.9");
}

static void test_format_of_the_longest_address_fits(void **state)
{
    (void)state;
    char text[IPV4_ADDRESS_STR_SIZE + 1];
    text[IPV4_ADDRESS_STR_SIZE] = 'G'; /* guard */
    const ipv4_address_t ip = {{255, 255, 255, 255}};
    ipv4_address_format(&ip, text);
    assert_string_equal(text, "255.255.255.255");
    assert_int_equal(text[IPV4_ADDRESS_STR_SIZE], 'G');
}

static void test_format_round_trips_through_parse(void **state)
{
    (void)state;
    for (unsigned v = 0; v < 256; v++) {
        const ipv4_address_t ip = {{(uint8_t)v, (uint8_t)(255 - v), (uint8_t)(v / 2), 1}};
        char text[IPV4_ADDRESS_STR_SIZE];
        ipv4_address_t parsed;
        ipv4_address_format(&ip, text);
        assert_int_equal(ipv4_address_parse(text, &parsed), DOMAIN_OK);
        assert_true(ipv4_address_equal(&ip, &parsed));
    }
}

static void test_equal_compares_every_octet(void **state)
{
    (void)state;
    const ipv4_address_t a = {{1, 2, 3, 4}};
    for (size_t i = 0; i < 4; i++) {
        ipv4_address_t b = a;
        b.octets[i]++;
        assert_false(ipv4_address_equal(&a, &b));
    }
    assert_true(ipv4_address_equal(&a, &a));
    assert_false(ipv4_address_equal(&a, NULL));
}

static void test_only_zero_address_is_unspecified(void **state)
{
    (void)state;
    const ipv4_address_t zero = {{0, 0, 0, 0}};
    const ipv4_address_t one = {{0, 0, 0, 1}};
    const ipv4_address_t high = {{1, 0, 0, 0}};
    assert_true(ipv4_address_is_unspecified(&zero));
    assert_false(ipv4_address_is_unspecified(&one));
    assert_false(ipv4_address_is_unspecified(&high));
    assert_true(ipv4_address_is_unspecified(NULL));
}

static void test_null_address_formats_as_empty_text(void **state)
{
    (void)state;
    char text[IPV4_ADDRESS_STR_SIZE] = "x";
    ipv4_address_format(NULL, text);
    assert_string_equal(text, "");
    const ipv4_address_t ip = {{1, 2, 3, 4}};
    ipv4_address_format(&ip, NULL); /* no crash */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_accepts_dotted_quads),
        cmocka_unit_test(test_parse_rejects_malformed_text),
        cmocka_unit_test(test_parse_rejects_null_arguments),
        cmocka_unit_test(test_format_writes_dotted_quad_without_padding),
        cmocka_unit_test(test_format_of_the_longest_address_fits),
        cmocka_unit_test(test_format_round_trips_through_parse),
        cmocka_unit_test(test_equal_compares_every_octet),
        cmocka_unit_test(test_only_zero_address_is_unspecified),
        cmocka_unit_test(test_null_address_formats_as_empty_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
