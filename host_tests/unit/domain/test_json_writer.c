/* json_writer: compact output, RFC 8259 escaping, nesting, measuring, and never writing past capacity. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "domain/json_writer.h"

#define GUARD_BYTE ((char)0xA5)
#define GUARD_SIZE 16

/* Writes one string member {"k":value} into a buffer and returns the text. */
static const char *string_doc(char *buf, size_t size, const char *value, size_t value_len)
{
    json_writer_t w;
    json_writer_init(&w, buf, size);
    json_writer_begin_object(&w);
    json_writer_member_string(&w, "k", value, value_len);
    json_writer_end_object(&w);
    assert_int_equal(json_writer_finish(&w, NULL), DOMAIN_OK);
    return buf;
}

static void test_empty_object(void **state)
{
    (void)state;
    char buf[8];
    json_writer_t w;
    size_t len = 0;
    json_writer_init(&w, buf, sizeof(buf));
    json_writer_begin_object(&w);
    json_writer_end_object(&w);
    assert_int_equal(json_writer_finish(&w, &len), DOMAIN_OK);
    assert_string_equal(buf, "{}");
    assert_int_equal(len, 2);
}

static void test_members_are_comma_separated_and_compact(void **state)
{
    (void)state;
    char buf[128];
    json_writer_t w;
    json_writer_init(&w, buf, sizeof(buf));
    json_writer_begin_object(&w);
    json_writer_member_cstr(&w, "s", "v");
    json_writer_member_uint(&w, "u", 42);
    json_writer_member_int(&w, "i", -7);
    json_writer_member_bool(&w, "t", true);
    json_writer_member_bool(&w, "f", false);
    json_writer_member_null(&w, "n");
    json_writer_end_object(&w);
    assert_int_equal(json_writer_finish(&w, NULL), DOMAIN_OK);
    assert_string_equal(buf, "{\"s\":\"v\",\"u\":42,\"i\":-7,\"t\":true,\"f\":false,\"n\":null}");
}

static void test_integer_extremes(void **state)
{
    (void)state;
    char buf[128];
    json_writer_t w;
    json_writer_init(&w, buf, sizeof(buf));
    json_writer_begin_object(&w);
    json_writer_member_uint(&w, "a", 0);
    json_writer_member_uint(&w, "b", UINT64_MAX);
    json_writer_member_int(&w, "c", INT64_MIN);
    json_writer_member_int(&w, "d", INT64_MAX);
    json_writer_member_int(&w, "e", 0);
    json_writer_end_object(&w);
    assert_int_equal(json_writer_finish(&w, NULL), DOMAIN_OK);
    assert_string_equal(buf, "{\"a\":0,\"b\":18446744073709551615,\"c\":-9223372036854775808,"
                             "\"d\":9223372036854775807,\"e\":0}");
}

static void test_nested_objects_get_commas_right(void **state)
{
    (void)state;
    char buf[128];
    json_writer_t w;
    json_writer_init(&w, buf, sizeof(buf));
    json_writer_begin_object(&w);
    json_writer_member_uint(&w, "a", 1);
    json_writer_member_object_begin(&w, "o");
    json_writer_begin_object(&w);
    json_writer_member_uint(&w, "b", 2);
    json_writer_member_object_begin(&w, "e");
    json_writer_begin_object(&w);
    json_writer_end_object(&w);
    json_writer_end_object(&w);
    json_writer_member_uint(&w, "c", 3);
    json_writer_end_object(&w);
    assert_int_equal(json_writer_finish(&w, NULL), DOMAIN_OK);
    assert_string_equal(buf, "{\"a\":1,\"o\":{\"b\":2,\"e\":{}},\"c\":3}");
}

static void test_arrays_of_strings(void **state)
{
    (void)state;
    char buf[128];
    json_writer_t w;
    json_writer_init(&w, buf, sizeof(buf));
    json_writer_begin_object(&w);
    json_writer_member_object_begin(&w, "none");
    json_writer_begin_array(&w);
    json_writer_end_array(&w);
    json_writer_member_object_begin(&w, "two");
    json_writer_begin_array(&w);
    json_writer_element_cstr(&w, "a\"b");
    json_writer_element_cstr(&w, "c");
    json_writer_end_array(&w);
    json_writer_member_uint(&w, "n", 1);
    json_writer_end_object(&w);
    assert_int_equal(json_writer_finish(&w, NULL), DOMAIN_OK);
    assert_string_equal(buf, "{\"none\":[],\"two\":[\"a\\\"b\",\"c\"],\"n\":1}");
    /* measuring counts the same bytes */
    json_writer_init(&w, NULL, 0);
    json_writer_begin_array(&w);
    json_writer_element_cstr(&w, "xy");
    json_writer_element_cstr(&w, NULL);
    json_writer_end_array(&w);
    size_t len = 0;
    assert_int_equal(json_writer_finish(&w, &len), DOMAIN_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(len, strlen("[\"xy\",\"\"]"));
    json_writer_begin_array(NULL);
    json_writer_end_array(NULL);
    json_writer_element_cstr(NULL, "x");
}

static void test_nested_object_as_first_member(void **state)
{
    (void)state;
    char buf[64];
    json_writer_t w;
    json_writer_init(&w, buf, sizeof(buf));
    json_writer_begin_object(&w);
    json_writer_member_object_begin(&w, "o");
    json_writer_begin_object(&w);
    json_writer_member_bool(&w, "x", true);
    json_writer_end_object(&w);
    json_writer_end_object(&w);
    assert_int_equal(json_writer_finish(&w, NULL), DOMAIN_OK);
    assert_string_equal(buf, "{\"o\":{\"x\":true}}");
}

static void test_quote_and_backslash_are_escaped(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(string_doc(buf, sizeof(buf), "a\"b\\c", 5), "{\"k\":\"a\\\"b\\\\c\"}");
}

static void test_solidus_and_del_pass_through(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(string_doc(buf, sizeof(buf), "a/b\x7f", 4), "{\"k\":\"a/b\x7f\"}");
}

static void test_every_control_character_is_escaped(void **state)
{
    (void)state;
    static const char *const expected[32] = {
        "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
        "\\b",     "\\t",     "\\n",     "\\u000b", "\\f",     "\\r",     "\\u000e", "\\u000f",
        "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
        "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f",
    };
    for (unsigned c = 0; c < 32; c++) {
        char buf[32];
        char want[32];
        const char value = (char)c;
        string_doc(buf, sizeof(buf), &value, 1);
        strcpy(want, "{\"k\":\"");
        strcat(want, expected[c]);
        strcat(want, "\"}");
        if (strcmp(buf, want) != 0) {
            fail_msg("control 0x%02x: got %s, want %s", c, buf, want);
        }
        assert_int_equal(json_writer_escaped_len(&value, 1), strlen(expected[c]));
    }
}

static void test_utf8_passes_through_unchanged(void **state)
{
    (void)state;
    char buf[64];
    const char *text = "\xc3\x91"
                       "ame \xf0\x9f\x8c\xb1"; /* "Ñame 🌱" */
    assert_string_equal(string_doc(buf, sizeof(buf), text, strlen(text)), "{\"k\":\"\xc3\x91"
                                                                          "ame \xf0\x9f\x8c\xb1\"}");
    assert_int_equal(json_writer_escaped_len(text, strlen(text)), strlen(text));
}

static void test_keys_are_escaped_too(void **state)
{
    (void)state;
    char buf[64];
    json_writer_t w;
    json_writer_init(&w, buf, sizeof(buf));
    json_writer_begin_object(&w);
    json_writer_member_uint(&w, "a\"\n", 1);
    json_writer_end_object(&w);
    assert_int_equal(json_writer_finish(&w, NULL), DOMAIN_OK);
    assert_string_equal(buf, "{\"a\\\"\\n\":1}");
}

static void test_null_string_values(void **state)
{
    (void)state;
    char buf[64];
    json_writer_t w;
    json_writer_init(&w, buf, sizeof(buf));
    json_writer_begin_object(&w);
    json_writer_member_cstr(&w, "c", NULL);
    json_writer_member_string(&w, "s", NULL, 0);
    json_writer_end_object(&w);
    assert_int_equal(json_writer_finish(&w, NULL), DOMAIN_OK);
    assert_string_equal(buf, "{\"c\":null,\"s\":\"\"}");
    assert_int_equal(json_writer_escaped_len(NULL, 3), 0);
}

static void test_escaped_len_counts_each_class(void **state)
{
    (void)state;
    /* quote 2, backslash 2, \n 2, 0x01 6, 'a' 1, two-byte char 2 */
    assert_int_equal(json_writer_escaped_len("\"\\\n\x01"
                                             "a\xc3\x91",
                                             7),
                     2 + 2 + 2 + 6 + 1 + 2);
}

/* Writes a fixed document; used to compare measuring with writing. */
static void sample_document(json_writer_t *w)
{
    json_writer_begin_object(w);
    json_writer_member_cstr(w, "name", "Lote \"4\"\t\xc3\x91");
    json_writer_member_int(w, "n", -12345);
    json_writer_member_object_begin(w, "o");
    json_writer_begin_object(w);
    json_writer_member_null(w, "z");
    json_writer_end_object(w);
    json_writer_end_object(w);
}

static void test_null_buffer_measures_the_exact_length(void **state)
{
    (void)state;
    json_writer_t measure;
    size_t needed = 0;
    json_writer_init(&measure, NULL, 0);
    sample_document(&measure);
    assert_int_equal(json_writer_finish(&measure, &needed), DOMAIN_ERR_BUFFER_TOO_SMALL);

    char buf[128];
    json_writer_t w;
    size_t written = 0;
    json_writer_init(&w, buf, sizeof(buf));
    sample_document(&w);
    assert_int_equal(json_writer_finish(&w, &written), DOMAIN_OK);
    assert_int_equal(needed, written);
    assert_int_equal(strlen(buf), written);
    assert_int_equal(measure.length, written);
}

static void test_exact_capacity_fits_and_one_less_overflows(void **state)
{
    (void)state;
    json_writer_t measure;
    json_writer_init(&measure, NULL, 0);
    sample_document(&measure);
    const size_t needed = measure.length;

    for (size_t capacity = 0; capacity <= needed + 1; capacity++) {
        char buf[128 + GUARD_SIZE];
        memset(buf, GUARD_BYTE, sizeof(buf));
        json_writer_t w;
        size_t len = 0;
        json_writer_init(&w, capacity == 0 ? NULL : buf, capacity);
        sample_document(&w);
        const domain_status_t status = json_writer_finish(&w, &len);
        assert_int_equal(len, needed);
        if (capacity >= needed + 1) {
            assert_int_equal(status, DOMAIN_OK);
            assert_int_equal(strlen(buf), needed);
        } else {
            assert_int_equal(status, DOMAIN_ERR_BUFFER_TOO_SMALL);
            if (capacity > 0) {
                /* A NUL-terminated prefix, cut at capacity - 1. */
                assert_int_equal(buf[capacity - 1], '\0');
                assert_int_equal(strlen(buf), capacity - 1);
            }
        }
        for (size_t i = capacity; i < sizeof(buf); i++) {
            if (buf[i] != GUARD_BYTE) {
                fail_msg("capacity %zu: byte %zu written past the end", capacity, i);
            }
        }
    }
}

static void test_buffer_without_capacity_is_untouched(void **state)
{
    (void)state;
    char buf[4] = {GUARD_BYTE, GUARD_BYTE, GUARD_BYTE, GUARD_BYTE};
    json_writer_t w;
    json_writer_init(&w, buf, 0);
    json_writer_begin_object(&w);
    json_writer_end_object(&w);
    assert_int_equal(json_writer_finish(&w, NULL), DOMAIN_ERR_BUFFER_TOO_SMALL);
    for (size_t i = 0; i < sizeof(buf); i++) {
        assert_int_equal(buf[i], GUARD_BYTE);
    }
}

static void test_null_writer_is_ignored(void **state)
{
    (void)state;
    json_writer_init(NULL, NULL, 0);
    json_writer_begin_object(NULL);
    json_writer_member_string(NULL, "k", "v", 1);
    json_writer_member_cstr(NULL, "k", "v");
    json_writer_member_uint(NULL, "k", 1);
    json_writer_member_int(NULL, "k", 1);
    json_writer_member_bool(NULL, "k", true);
    json_writer_member_null(NULL, "k");
    json_writer_member_object_begin(NULL, "k");
    json_writer_end_object(NULL);
    assert_int_equal(json_writer_finish(NULL, NULL), DOMAIN_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_object),
        cmocka_unit_test(test_members_are_comma_separated_and_compact),
        cmocka_unit_test(test_integer_extremes),
        cmocka_unit_test(test_nested_objects_get_commas_right),
        cmocka_unit_test(test_arrays_of_strings),
        cmocka_unit_test(test_nested_object_as_first_member),
        cmocka_unit_test(test_quote_and_backslash_are_escaped),
        cmocka_unit_test(test_solidus_and_del_pass_through),
        cmocka_unit_test(test_every_control_character_is_escaped),
        cmocka_unit_test(test_utf8_passes_through_unchanged),
        cmocka_unit_test(test_keys_are_escaped_too),
        cmocka_unit_test(test_null_string_values),
        cmocka_unit_test(test_escaped_len_counts_each_class),
        cmocka_unit_test(test_null_buffer_measures_the_exact_length),
        cmocka_unit_test(test_exact_capacity_fits_and_one_less_overflows),
        cmocka_unit_test(test_buffer_without_capacity_is_untouched),
        cmocka_unit_test(test_null_writer_is_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
