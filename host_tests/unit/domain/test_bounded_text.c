/*
 * bounded_text: measuring and copying C strings into fixed-size arrays, never reading or writing past
 * them, and never cutting a UTF-8 character of a well-formed source in half.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "domain/bounded_text.h"
#include "domain/utf8_text.h"

/* Bytes after the destination's end that must never change. */
#define GUARD      0x5A
#define GUARD_SIZE 8

/* A destination of dst_size bytes followed by guard bytes, pre-filled with garbage. */
typedef struct {
    char bytes[64 + GUARD_SIZE];
    size_t dst_size;
} target_t;

static char *target_reset(target_t *t, size_t dst_size)
{
    assert_true(dst_size + GUARD_SIZE <= sizeof(t->bytes));
    memset(t->bytes, 'X', dst_size);
    memset(t->bytes + dst_size, GUARD, sizeof(t->bytes) - dst_size);
    t->dst_size = dst_size;
    return t->bytes;
}

static void assert_guard_intact(const target_t *t)
{
    for (size_t i = t->dst_size; i < sizeof(t->bytes); i++) {
        if ((unsigned char)t->bytes[i] != GUARD) {
            fail_msg("byte %zu past a %zu-byte destination was written", i, t->dst_size);
        }
    }
}

/* A heap copy of bytes without any terminating NUL, so that AddressSanitizer catches a read past it. */
static char *unterminated(const char *bytes, size_t len)
{
    char *copy = malloc(len);
    assert_non_null(copy);
    memcpy(copy, bytes, len);
    return copy;
}

/* ---- bounded_text_len ---- */

static void test_len_counts_up_to_the_first_nul(void **state)
{
    (void)state;
    assert_int_equal(bounded_text_len("", 8), 0);
    assert_int_equal(bounded_text_len("abc", 8), 3);
    assert_int_equal(bounded_text_len("abc", 4), 3);
    assert_int_equal(bounded_text_len("ab\0cd", 6), 2);
}

static void test_len_is_the_capacity_when_no_nul_is_inside(void **state)
{
    (void)state;
    char *raw = unterminated("abcd", 4);
    assert_int_equal(bounded_text_len(raw, 4), 4);
    assert_int_equal(bounded_text_len(raw, 3), 3);
    assert_int_equal(bounded_text_len(raw, 1), 1);
    free(raw);
    assert_int_equal(bounded_text_len("abc", 3), 3); /* the NUL at [3] is outside the capacity */
}

static void test_len_of_nothing_is_zero(void **state)
{
    (void)state;
    assert_int_equal(bounded_text_len(NULL, 8), 0);
    assert_int_equal(bounded_text_len(NULL, 0), 0);
    assert_int_equal(bounded_text_len("abc", 0), 0);
}

/* ---- bounded_text_copy ---- */

static void test_copy_of_a_source_that_fits_is_whole(void **state)
{
    (void)state;
    target_t t;
    char *dst = target_reset(&t, 16);
    assert_true(bounded_text_copy(dst, 16, "Vereda El Rosal"));
    assert_string_equal(dst, "Vereda El Rosal");
    assert_guard_intact(&t);

    dst = target_reset(&t, 4);
    assert_true(bounded_text_copy(dst, 4, "abc")); /* exactly dst_size - 1 bytes */
    assert_string_equal(dst, "abc");
    assert_guard_intact(&t);

    dst = target_reset(&t, 1);
    assert_true(bounded_text_copy(dst, 1, ""));
    assert_string_equal(dst, "");
    assert_guard_intact(&t);
}

static void test_copy_of_a_long_source_is_cut_and_terminated(void **state)
{
    (void)state;
    target_t t;
    char *dst = target_reset(&t, 4);
    assert_false(bounded_text_copy(dst, 4, "abcd"));
    assert_string_equal(dst, "abc");
    assert_guard_intact(&t);

    dst = target_reset(&t, 8);
    assert_false(bounded_text_copy(dst, 8, "irrigation node"));
    assert_string_equal(dst, "irrigat");
    assert_guard_intact(&t);

    dst = target_reset(&t, 1);
    assert_false(bounded_text_copy(dst, 1, "a"));
    assert_string_equal(dst, "");
    assert_guard_intact(&t);
}

static void test_copy_reads_no_further_than_the_destination_size(void **state)
{
    (void)state;
    /* The source is an array without a NUL, exactly as long as the destination. */
    char *raw = unterminated("abcdef", 6);
    target_t t;
    char *dst = target_reset(&t, 6);
    assert_false(bounded_text_copy(dst, 6, raw));
    assert_string_equal(dst, "abcde");
    assert_guard_intact(&t);
    free(raw);
}

/* The characters of a source, so that its boundaries are known without decoding it. */
typedef struct {
    const char *name;
    const char *pieces[6];
} pieced_t;

static const pieced_t PIECED[] = {
    {"two-byte", {"a", "\xc3\xb1", "\xc3\xb1", "b", "\xc2\x80", NULL}},         /* ñ ñ U+0080 */
    {"three-byte", {"a", "\xe2\x82\xac", "b", "\xef\xbf\xbf", "c", NULL}},      /* € U+FFFF */
    {"four-byte", {"a", "\xf0\x9f\x8c\xb1", "\xf4\x8f\xbf\xbf", "b", NULL}},    /* seedling, U+10FFFF */
    {"lead character", {"\xf0\x9f\x8c\xb1", "\xe2\x82\xac", "\xc3\xb1", NULL}}, /* no ASCII at all */
    {"mixed", {"\xc3\x91", "a", "\xe2\x82\xac", "\xf0\x9f\x8c\xb1", "z", NULL}},
};

/* The longest whole-character prefix of the pieces that fits in limit bytes. */
static size_t expected_prefix(const pieced_t *p, size_t limit, char *out)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; p->pieces[i] != NULL; i++) {
        const size_t len = strlen(p->pieces[i]);
        if (used + len > limit) {
            break;
        }
        memcpy(out + used, p->pieces[i], len);
        used += len;
        out[used] = '\0';
    }
    return used;
}

static void test_a_cut_never_splits_a_utf8_character(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof(PIECED) / sizeof(PIECED[0]); c++) {
        char src[64];
        const size_t src_len = expected_prefix(&PIECED[c], sizeof(src) - 1, src);
        assert_true(utf8_text_is_valid(src, src_len));
        for (size_t size = 1; size <= src_len + 1; size++) {
            char expected[64];
            const size_t expected_len = expected_prefix(&PIECED[c], size - 1, expected);
            target_t t;
            char *dst = target_reset(&t, size);
            const bool whole = bounded_text_copy(dst, size, src);
            if (strcmp(dst, expected) != 0 || whole != (expected_len == src_len)) {
                fail_msg("%s into %zu bytes: got %zu bytes (whole %d), expected %zu", PIECED[c].name, size,
                         strlen(dst), whole, expected_len);
            }
            assert_true(utf8_text_is_valid(dst, strlen(dst)));
            assert_guard_intact(&t);
        }
    }
}

static void test_a_cut_keeps_whole_characters_and_drops_partial_ones(void **state)
{
    (void)state;
    target_t t;
    char *dst = target_reset(&t, 4);
    assert_false(bounded_text_copy(dst, 4, "a\xc3\xb1\xc3\xb1")); /* "añ" is 3 bytes: nothing to drop */
    assert_string_equal(dst, "a\xc3\xb1");

    dst = target_reset(&t, 2);
    assert_false(bounded_text_copy(dst, 2, "\xe2\x82\xac")); /* only a part of € would fit: nothing */
    assert_string_equal(dst, "");

    dst = target_reset(&t, 4);
    assert_false(bounded_text_copy(dst, 4, "\xf0\x9f\x8c\xb1")); /* 3 of 4 bytes would fit: nothing */
    assert_string_equal(dst, "");
    assert_guard_intact(&t);
}

static void test_an_ill_formed_source_is_still_bounded_and_terminated(void **state)
{
    (void)state;
    static const char *const sources[] = {
        "\x80\x80\x80\x80\x80\x80", /* only continuation bytes */
        "ab\xff\xfe\xfd\xfc",       /* bytes that never start a character */
        "\xf0\x9f\x8c",             /* a four-byte character cut short */
    };
    for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
        for (size_t size = 1; size <= 8; size++) {
            target_t t;
            char *dst = target_reset(&t, size);
            const bool whole = bounded_text_copy(dst, size, sources[i]);
            const size_t len = strlen(dst);
            assert_true(len < size);
            assert_memory_equal(dst, sources[i], len); /* a prefix of the source */
            assert_int_equal(whole, len == strlen(sources[i]));
            assert_guard_intact(&t);
        }
    }
}

static void test_copy_without_a_destination_writes_nothing(void **state)
{
    (void)state;
    assert_false(bounded_text_copy(NULL, 8, "abc"));
    assert_false(bounded_text_copy(NULL, 0, NULL));
    target_t t;
    char *dst = target_reset(&t, 0);
    assert_false(bounded_text_copy(dst, 0, "abc"));
    assert_false(bounded_text_copy(dst, 0, ""));
    assert_guard_intact(&t); /* not even a NUL */
}

static void test_copy_of_no_source_gives_an_empty_string(void **state)
{
    (void)state;
    target_t t;
    char *dst = target_reset(&t, 8);
    assert_false(bounded_text_copy(dst, 8, NULL));
    assert_string_equal(dst, "");
    assert_guard_intact(&t);
}

/* ---- bounded_text_copy_whole ---- */

static void test_copy_whole_copies_a_source_that_fits(void **state)
{
    (void)state;
    target_t t;
    char *dst = target_reset(&t, 16);
    assert_true(bounded_text_copy_whole(dst, 16, "ws://broker"));
    assert_string_equal(dst, "ws://broker");

    dst = target_reset(&t, 8);
    assert_true(bounded_text_copy_whole(dst, 8, "\xf0\x9f\x8c\xb1\xe2\x82\xac")); /* 7 bytes: exact fit */
    assert_string_equal(dst, "\xf0\x9f\x8c\xb1\xe2\x82\xac");
    assert_guard_intact(&t);

    dst = target_reset(&t, 1);
    assert_true(bounded_text_copy_whole(dst, 1, ""));
    assert_string_equal(dst, "");
    assert_guard_intact(&t);
}

static void test_copy_whole_leaves_an_empty_string_when_the_source_does_not_fit(void **state)
{
    (void)state;
    target_t t;
    char *dst = target_reset(&t, 4);
    assert_false(bounded_text_copy_whole(dst, 4, "abcd")); /* one byte too long: no partial copy */
    assert_string_equal(dst, "");
    assert_guard_intact(&t);

    dst = target_reset(&t, 8);
    assert_false(bounded_text_copy_whole(dst, 8, "a much longer text"));
    assert_string_equal(dst, "");
    assert_guard_intact(&t);

    char *raw = unterminated("abcdef", 6);
    dst = target_reset(&t, 6);
    assert_false(bounded_text_copy_whole(dst, 6, raw));
    assert_string_equal(dst, "");
    assert_guard_intact(&t);
    free(raw);
}

static void test_copy_whole_of_no_source_gives_an_empty_string(void **state)
{
    (void)state;
    target_t t;
    char *dst = target_reset(&t, 8);
    assert_false(bounded_text_copy_whole(dst, 8, NULL));
    assert_string_equal(dst, "");
    assert_guard_intact(&t);
}

static void test_copy_whole_without_a_destination_writes_nothing(void **state)
{
    (void)state;
    assert_false(bounded_text_copy_whole(NULL, 8, "abc"));
    target_t t;
    char *dst = target_reset(&t, 0);
    assert_false(bounded_text_copy_whole(dst, 0, ""));
    assert_false(bounded_text_copy_whole(dst, 0, NULL));
    assert_guard_intact(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_len_counts_up_to_the_first_nul),
        cmocka_unit_test(test_len_is_the_capacity_when_no_nul_is_inside),
        cmocka_unit_test(test_len_of_nothing_is_zero),
        cmocka_unit_test(test_copy_of_a_source_that_fits_is_whole),
        cmocka_unit_test(test_copy_of_a_long_source_is_cut_and_terminated),
        cmocka_unit_test(test_copy_reads_no_further_than_the_destination_size),
        cmocka_unit_test(test_a_cut_never_splits_a_utf8_character),
        cmocka_unit_test(test_a_cut_keeps_whole_characters_and_drops_partial_ones),
        cmocka_unit_test(test_an_ill_formed_source_is_still_bounded_and_terminated),
        cmocka_unit_test(test_copy_without_a_destination_writes_nothing),
        cmocka_unit_test(test_copy_of_no_source_gives_an_empty_string),
        cmocka_unit_test(test_copy_whole_copies_a_source_that_fits),
        cmocka_unit_test(test_copy_whole_leaves_an_empty_string_when_the_source_does_not_fit),
        cmocka_unit_test(test_copy_whole_of_no_source_gives_an_empty_string),
        cmocka_unit_test(test_copy_whole_without_a_destination_writes_nothing),
    };
    return cmocka_run_group_tests_name("bounded_text", tests, NULL, NULL);
}
