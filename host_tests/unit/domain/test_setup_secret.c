/* setup_secret: normalising what people type, encoding random bytes, and the constant-time comparison. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "domain/setup_secret.h"

#define SECRET "7K3M9QXD2F4H8RTV"

static domain_status_t normalize(const char *text, char *out)
{
    return setup_secret_normalize(text, strlen(text), out);
}

static void test_typed_forms_normalise_to_the_canonical_secret(void **state)
{
    (void)state;
    static const char *const typed[] = {
        SECRET, "7K3M 9QXD 2F4H 8RTV", "7k3m-9qxd-2f4h-8rtv", " 7K3M9QXD2F4H8RTV ", "7k3m 9QXD-2f4h 8rtv",
    };
    for (size_t i = 0; i < sizeof(typed) / sizeof(typed[0]); i++) {
        char out[SETUP_SECRET_LEN + 1];
        assert_int_equal(normalize(typed[i], out), DOMAIN_OK);
        assert_string_equal(out, SECRET);
    }
}

static void test_letters_read_as_digits_are_mapped(void **state)
{
    (void)state;
    char out[SETUP_SECRET_LEN + 1];
    assert_int_equal(normalize("IL0O-iloo-11AB-CDEF", out), DOMAIN_OK);
    assert_string_equal(out, "1100110011ABCDEF");
}

static void test_bad_text_is_refused_and_leaves_nothing(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",                    /* empty */
        "7K3M9QXD2F4H8RT",     /* 15 */
        "7K3M9QXD2F4H8RTVW",   /* 17 */
        "7K3M9QXD2F4H8RTU",    /* U is not Crockford */
        "7K3M9QXD2F4H8RT!",    /* punctuation */
        "7K3M9QXD2F4H8RT\xC3", /* not ASCII */
        "7K3M_9QXD2F4H8RTV",   /* only spaces and dashes are separators */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char out[SETUP_SECRET_LEN + 1] = "x";
        assert_int_equal(normalize(bad[i], out), DOMAIN_ERR_INVALID_ARG);
        assert_string_equal(out, "");
    }
    char out[SETUP_SECRET_LEN + 1];
    assert_int_equal(setup_secret_normalize(NULL, 3, out), DOMAIN_ERR_INVALID_ARG);
    assert_int_equal(setup_secret_normalize(SECRET, 16, NULL), DOMAIN_ERR_INVALID_ARG);
    /* an embedded NUL inside the given length is no character */
    assert_int_equal(setup_secret_normalize("7K3M9QXD\0F4H8RTV", 16, out), DOMAIN_ERR_INVALID_ARG);
}

static void test_canonical_form(void **state)
{
    (void)state;
    assert_true(setup_secret_is_canonical(SECRET));
    assert_false(setup_secret_is_canonical("7k3m9qxd2f4h8rtv"));
    assert_false(setup_secret_is_canonical("7K3M 9QXD 2F4H 8RTV"));
    assert_false(setup_secret_is_canonical("7K3M9QXD2F4H8RTI"));
    assert_false(setup_secret_is_canonical(""));
    assert_false(setup_secret_is_canonical(NULL));
}

static void test_random_bytes_encode_like_the_flashing_tool(void **state)
{
    (void)state;
    /* The same 80-bit big-endian values through tools/irrigation_tools/device_secret.py's encoding. */
    typedef struct {
        uint8_t bytes[SETUP_SECRET_RANDOM_BYTES];
        const char *secret;
    } vector_t;
    static const vector_t vectors[] = {
        {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, "000G40R40M30E209"},
        {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, "ZZZZZZZZZZZZZZZZ"},
        {{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x00, 0x11}, "04HMASW9NF6YY00H"},
    };
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        char out[SETUP_SECRET_LEN + 1];
        setup_secret_from_random(vectors[i].bytes, out);
        assert_string_equal(out, vectors[i].secret);
        assert_true(setup_secret_is_canonical(out));
    }
}

static void test_matches_accepts_typed_forms_and_refuses_everything_else(void **state)
{
    (void)state;
    assert_true(setup_secret_matches(SECRET, SECRET, 16));
    assert_true(setup_secret_matches(SECRET, "7k3m 9qxd 2f4h 8rtv", 19));
    assert_false(setup_secret_matches(SECRET, "7K3M9QXD2F4H8RTW", 16)); /* last character */
    assert_false(setup_secret_matches(SECRET, "8K3M9QXD2F4H8RTV", 16)); /* first character */
    assert_false(setup_secret_matches(SECRET, "7K3M9QXD", 8));
    assert_false(setup_secret_matches(SECRET, "", 0));
    assert_false(setup_secret_matches(SECRET, NULL, 0));
    /* a device without a valid secret accepts nothing, not even the empty string or itself */
    assert_false(setup_secret_matches("", "", 0));
    assert_false(setup_secret_matches("short", "short", 5));
    assert_false(setup_secret_matches(NULL, SECRET, 16));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typed_forms_normalise_to_the_canonical_secret),
        cmocka_unit_test(test_letters_read_as_digits_are_mapped),
        cmocka_unit_test(test_bad_text_is_refused_and_leaves_nothing),
        cmocka_unit_test(test_canonical_form),
        cmocka_unit_test(test_random_bytes_encode_like_the_flashing_tool),
        cmocka_unit_test(test_matches_accepts_typed_forms_and_refuses_everything_else),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
