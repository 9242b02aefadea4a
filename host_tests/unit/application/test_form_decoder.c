/* form_decoder: application/x-www-form-urlencoded fields. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "application/form_decoder.h"

static app_err_t get(const char *body, const char *key, char *out, size_t out_size)
{
    return form_decoder_get(body, strlen(body), key, out, out_size);
}

static void test_plain_value_is_returned(void **state)
{
    (void)state;
    char out[32];
    assert_int_equal(get("device_name=Riego1", "device_name", out, sizeof(out)), APP_OK);
    assert_string_equal(out, "Riego1");
}

static void test_plus_decodes_to_space(void **state)
{
    (void)state;
    char out[32];
    assert_int_equal(get("device_name=Huerta+Norte", "device_name", out, sizeof(out)), APP_OK);
    assert_string_equal(out, "Huerta Norte");
}

static void test_percent_escapes_decode_in_either_case(void **state)
{
    (void)state;
    char out[32];
    assert_int_equal(get("n=Cami%C3%B3n%2b%2B%26%3d%25", "n", out, sizeof(out)), APP_OK);
    assert_string_equal(out, "Cami\xC3\xB3n++&=%");
}

typedef struct {
    const char *body;
    app_err_t expected;
} bad_case_t;

static void test_bad_escapes_are_invalid(void **state)
{
    (void)state;
    static const bad_case_t cases[] = {
        {"n=abc%", APP_ERR_INVALID_VALUE},  {"n=abc%4", APP_ERR_INVALID_VALUE},
        {"n=%G1", APP_ERR_INVALID_VALUE},   {"n=%1G", APP_ERR_INVALID_VALUE},
        {"n=a%00b", APP_ERR_INVALID_VALUE}, {"n=%%41", APP_ERR_INVALID_VALUE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[32] = "junk";
        assert_int_equal(get(cases[i].body, "n", out, sizeof(out)), cases[i].expected);
        assert_string_equal(out, "");
    }
}

static void test_raw_nul_in_value_is_invalid(void **state)
{
    (void)state;
    static const char body[] = "n=a\0b";
    char out[8];
    assert_int_equal(form_decoder_get(body, sizeof(body) - 1, "n", out, sizeof(out)), APP_ERR_INVALID_VALUE);
}

static void test_missing_key_is_not_found(void **state)
{
    (void)state;
    char out[8] = "junk";
    assert_int_equal(get("a=1&b=2", "c", out, sizeof(out)), APP_ERR_NOT_FOUND);
    assert_string_equal(out, "");
    assert_int_equal(get("", "c", out, sizeof(out)), APP_ERR_NOT_FOUND);
    assert_int_equal(form_decoder_get(NULL, 0, "c", out, sizeof(out)), APP_ERR_NOT_FOUND);
}

static void test_value_longer_than_the_buffer_is_too_long_and_empty(void **state)
{
    (void)state;
    char out[4] = "xyz";
    assert_int_equal(get("n=abcd", "n", out, sizeof(out)), APP_ERR_TOO_LONG);
    assert_string_equal(out, "");
}

static void test_value_exactly_filling_the_buffer_fits(void **state)
{
    (void)state;
    char out[4];
    assert_int_equal(get("n=a%20c", "n", out, sizeof(out)), APP_OK);
    assert_string_equal(out, "a c");
}

static void test_duplicate_key_first_wins(void **state)
{
    (void)state;
    char out[8];
    assert_int_equal(get("n=first&n=second", "n", out, sizeof(out)), APP_OK);
    assert_string_equal(out, "first");
}

static void test_key_that_is_a_prefix_of_another_is_not_confused(void **state)
{
    (void)state;
    char out[16];
    assert_int_equal(get("device_name_extra=x&device_name=real", "device_name", out, sizeof(out)), APP_OK);
    assert_string_equal(out, "real");
    assert_int_equal(get("device=x&device_name=real", "device_name", out, sizeof(out)), APP_OK);
    assert_string_equal(out, "real");
    assert_int_equal(get("device_name=real", "device", out, sizeof(out)), APP_ERR_NOT_FOUND);
}

static void test_encoded_key_matches(void **state)
{
    (void)state;
    char out[8];
    assert_int_equal(get("device%5Fname=ok", "device_name", out, sizeof(out)), APP_OK);
    assert_string_equal(out, "ok");
    assert_int_equal(get("device%5name=ok&device_name=real", "device_name", out, sizeof(out)), APP_OK);
    assert_string_equal(out, "real");
}

static void test_key_without_equals_has_an_empty_value(void **state)
{
    (void)state;
    char out[8] = "junk";
    assert_int_equal(get("a=1&flag&b=2", "flag", out, sizeof(out)), APP_OK);
    assert_string_equal(out, "");
    assert_int_equal(get("a=1&b=", "b", out, sizeof(out)), APP_OK);
    assert_string_equal(out, "");
}

static void test_empty_pairs_are_skipped(void **state)
{
    (void)state;
    char out[8];
    assert_int_equal(get("&&a=1&&", "a", out, sizeof(out)), APP_OK);
    assert_string_equal(out, "1");
}

static void test_body_is_read_only_up_to_its_length(void **state)
{
    (void)state;
    char out[8];
    assert_int_equal(form_decoder_get("a=12345", 4, "a", out, sizeof(out)), APP_OK);
    assert_string_equal(out, "12");
}

static void test_bad_arguments_are_rejected(void **state)
{
    (void)state;
    char out[8];
    assert_int_equal(form_decoder_get("a=1", 3, NULL, out, sizeof(out)), APP_ERR_INVALID_ARG);
    assert_int_equal(form_decoder_get("a=1", 3, "a", NULL, 8), APP_ERR_INVALID_ARG);
    assert_int_equal(form_decoder_get("a=1", 3, "a", out, 0), APP_ERR_INVALID_ARG);
    assert_int_equal(form_decoder_get(NULL, 3, "a", out, sizeof(out)), APP_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_value_is_returned),
        cmocka_unit_test(test_plus_decodes_to_space),
        cmocka_unit_test(test_percent_escapes_decode_in_either_case),
        cmocka_unit_test(test_bad_escapes_are_invalid),
        cmocka_unit_test(test_raw_nul_in_value_is_invalid),
        cmocka_unit_test(test_missing_key_is_not_found),
        cmocka_unit_test(test_value_longer_than_the_buffer_is_too_long_and_empty),
        cmocka_unit_test(test_value_exactly_filling_the_buffer_fits),
        cmocka_unit_test(test_duplicate_key_first_wins),
        cmocka_unit_test(test_key_that_is_a_prefix_of_another_is_not_confused),
        cmocka_unit_test(test_encoded_key_matches),
        cmocka_unit_test(test_key_without_equals_has_an_empty_value),
        cmocka_unit_test(test_empty_pairs_are_skipped),
        cmocka_unit_test(test_body_is_read_only_up_to_its_length),
        cmocka_unit_test(test_bad_arguments_are_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
