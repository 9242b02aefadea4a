/* utf8_text: RFC 3629 validation, Go-compatible trimming, cutting at character boundaries. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "domain/utf8_text.h"

typedef struct {
    const char *name;
    const char *bytes;
    size_t len;
} bytes_case_t;

#define BYTES(name, literal)               \
    {                                      \
        name, literal, sizeof(literal) - 1 \
    }

static void test_valid_sequences_are_accepted(void **state)
{
    (void)state;
    static const bytes_case_t cases[] = {
        BYTES("empty", ""),
        BYTES("ascii", "Vereda El Rosal, Tolima"),
        BYTES("embedded NUL", "a\0b"),
        BYTES("DEL", "\x7f"),
        BYTES("U+0080 first two-byte", "\xc2\x80"),
        BYTES("U+00D1 N tilde", "\xc3\x91"
                                "ame"),
        BYTES("U+07FF last two-byte", "\xdf\xbf"),
        BYTES("U+0800 first three-byte", "\xe0\xa0\x80"),
        BYTES("U+D7FF before surrogates", "\xed\x9f\xbf"),
        BYTES("U+E000 after surrogates", "\xee\x80\x80"),
        BYTES("U+FFFF last three-byte", "\xef\xbf\xbf"),
        BYTES("U+10000 first four-byte", "\xf0\x90\x80\x80"),
        BYTES("U+1F331 seedling emoji", "\xf0\x9f\x8c\xb1"),
        BYTES("U+10FFFF last code point", "\xf4\x8f\xbf\xbf"),
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (!utf8_text_is_valid(cases[i].bytes, cases[i].len)) {
            fail_msg("rejected %s", cases[i].name);
        }
    }
}

static void test_ill_formed_sequences_are_rejected(void **state)
{
    (void)state;
    static const bytes_case_t cases[] = {
        BYTES("lone continuation 0x80", "\x80"),
        BYTES("lone continuation 0xBF after ascii", "ab\xbf"),
        BYTES("overlong two-byte C0", "\xc0\xaf"),
        BYTES("overlong two-byte C1", "\xc1\xbf"),
        BYTES("overlong three-byte", "\xe0\x80\xaf"),
        BYTES("overlong three-byte upper edge", "\xe0\x9f\xbf"),
        BYTES("overlong four-byte", "\xf0\x80\x80\xaf"),
        BYTES("overlong four-byte upper edge", "\xf0\x8f\xbf\xbf"),
        BYTES("surrogate U+D800", "\xed\xa0\x80"),
        BYTES("surrogate U+DFFF", "\xed\xbf\xbf"),
        BYTES("above U+10FFFF", "\xf4\x90\x80\x80"),
        BYTES("lead F5", "\xf5\x80\x80\x80"),
        BYTES("lead FF", "\xff"),
        BYTES("truncated two-byte", "\xc3"),
        BYTES("truncated three-byte", "\xe2\x82"),
        BYTES("truncated four-byte", "\xf0\x9f\x8c"),
        BYTES("missing continuation", "\xc3"
                                      "A"),
        BYTES("bad third byte", "\xe2\x82\x41"),
        BYTES("bad fourth byte", "\xf0\x9f\x8c\x41"),
        BYTES("valid then invalid", "\xc3\x91"
                                    "ame\xff"),
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        if (utf8_text_is_valid(cases[i].bytes, cases[i].len)) {
            fail_msg("accepted %s", cases[i].name);
        }
    }
}

static void test_validation_stops_at_the_given_length(void **state)
{
    (void)state;
    /* The buffer holds a whole character, but only its first byte is inside the given length. */
    assert_false(utf8_text_is_valid("\xc3\x91", 1));
    assert_true(utf8_text_is_valid("ab\xff", 2));
    assert_true(utf8_text_is_valid(NULL, 0));
    assert_false(utf8_text_is_valid(NULL, 1));
}

typedef struct {
    const char *name;
    const char *text;
    size_t start;
    size_t len;
} trim_case_t;

static void check_trim(const trim_case_t *c)
{
    size_t start = 99;
    size_t len = 99;
    utf8_text_trim(c->text, strlen(c->text), &start, &len);
    if (start != c->start || len != c->len) {
        fail_msg("%s: got start %zu len %zu, expected %zu %zu", c->name, start, len, c->start, c->len);
    }
}

static void test_trim_removes_every_go_white_space_character(void **state)
{
    (void)state;
    /* Each of Go's unicode.IsSpace characters, alone on both sides of "x". */
    static const char *const spaces[] = {
        "\t",           "\n",           "\v",           "\f",           "\r",           " ",
        "\xc2\x85",     "\xc2\xa0",     "\xe1\x9a\x80", "\xe2\x80\x80", "\xe2\x80\x81", "\xe2\x80\x82",
        "\xe2\x80\x83", "\xe2\x80\x84", "\xe2\x80\x85", "\xe2\x80\x86", "\xe2\x80\x87", "\xe2\x80\x88",
        "\xe2\x80\x89", "\xe2\x80\x8a", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xe2\x80\xaf", "\xe2\x81\x9f",
        "\xe3\x80\x80",
    };
    for (size_t i = 0; i < sizeof(spaces) / sizeof(spaces[0]); i++) {
        char text[16];
        const size_t n = strlen(spaces[i]);
        memcpy(text, spaces[i], n);
        text[n] = 'x';
        memcpy(text + n + 1, spaces[i], n);
        text[2 * n + 1] = '\0';
        const trim_case_t c = {spaces[i], text, n, 1};
        check_trim(&c);
    }
}

static void test_trim_keeps_inner_space_and_non_white_space_characters(void **state)
{
    (void)state;
    static const trim_case_t cases[] = {
        {"nothing to trim", "Finca La Esperanza", 0, 18},
        {"inner spaces kept", "  a b  ", 2, 3},
        {"no-break spaces",
         "\xc2\xa0"
         "Lote 4"
         "\xc2\xa0",
         2, 6},
        {"mixed white space",
         " \t\xe3\x80\x80"
         "Campo\xe2\x80\xaf\n",
         5, 5},
        {"zero width space is not white space",
         "\xe2\x80\x8b"
         "a",
         0, 4},
        {"U+180E is not white space (Go)",
         "\xe1\xa0\x8e"
         "a",
         0, 4},
        {"U+200B at the end is kept", "a\xe2\x80\x8b", 0, 4},
        {"multi-byte text kept whole",
         " \xc3\x91"
         "ame ",
         1, 5},
        {"emoji at the end kept", "\xf0\x9f\x8c\xb1 ", 0, 4},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        check_trim(&cases[i]);
    }
}

static void test_trim_of_only_white_space_is_empty(void **state)
{
    (void)state;
    static const trim_case_t cases[] = {
        {"empty", "", 0, 0},
        {"spaces", "    ", 4, 0},
        {"no-break space only", "\xc2\xa0", 2, 0},
        {"ideographic and ascii", "\xe3\x80\x80 \t", 5, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t start;
        size_t len = 99;
        utf8_text_trim(cases[i].text, strlen(cases[i].text), &start, &len);
        assert_int_equal(len, 0);
    }
}

static void test_trim_stops_at_an_invalid_byte(void **state)
{
    (void)state;
    /* Go reads an invalid byte as U+FFFD, which is not white space. */
    static const trim_case_t cases[] = {
        {"invalid first", "\xff a", 0, 3},
        {"invalid last", " a\xff", 1, 2},
        {"truncated no-break space at the end", " a\xc2", 1, 2},
        {"stray continuation at the end", "a \x80", 0, 3},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        check_trim(&cases[i]);
    }
}

static void test_trim_never_reads_past_the_given_length(void **state)
{
    (void)state;
    size_t start;
    size_t len;
    /* The no-break space is cut in the middle by the length: its first byte alone is not white space. */
    utf8_text_trim(" a\xc2\xa0", 3, &start, &len);
    assert_int_equal(start, 1);
    assert_int_equal(len, 2);
    utf8_text_trim(NULL, 5, &start, &len);
    assert_int_equal(len, 0);
}

static void test_cut_len_keeps_short_text_whole(void **state)
{
    (void)state;
    assert_int_equal(utf8_text_cut_len("abc", 3, 3), 3);
    assert_int_equal(utf8_text_cut_len("abc", 3, 100), 3);
    assert_int_equal(utf8_text_cut_len("", 0, 0), 0);
}

static void test_cut_len_never_splits_a_character(void **state)
{
    (void)state;
    const char *name = "\xc3\x91"
                       "a\xf0\x9f\x8c\xb1"; /* "Ña🌱": 2 + 1 + 4 bytes */
    const size_t len = strlen(name);
    assert_int_equal(utf8_text_cut_len(name, len, 0), 0);
    assert_int_equal(utf8_text_cut_len(name, len, 1), 0);
    assert_int_equal(utf8_text_cut_len(name, len, 2), 2);
    assert_int_equal(utf8_text_cut_len(name, len, 3), 3);
    assert_int_equal(utf8_text_cut_len(name, len, 4), 3);
    assert_int_equal(utf8_text_cut_len(name, len, 5), 3);
    assert_int_equal(utf8_text_cut_len(name, len, 6), 3);
    assert_int_equal(utf8_text_cut_len(name, len, 7), 7);
    assert_int_equal(utf8_text_cut_len(NULL, 5, 2), 0);
}

static void test_char_len_measures_one_well_formed_character(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        size_t avail;
        size_t expected;
    } cases[] = {
        {"a", 1, 1},
        {"\xC3\x91"
         "ame",
         5, 2},                     /* Ñ */
        {"\xE2\x80\x94", 3, 3},     /* em dash */
        {"\xF0\x9F\x8C\xB1", 4, 4}, /* seedling emoji */
        {"\xF0\x9F\x8C\xB1", 3, 0}, /* cut short by avail */
        {"\x80", 1, 0},             /* stray continuation byte */
        {"\xC0\xAF", 2, 0},         /* overlong */
        {"\xED\xA0\x80", 3, 0},     /* surrogate */
        {"\xF4\x90\x80\x80", 4, 0}, /* beyond U+10FFFF */
        {"a", 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(utf8_text_char_len(cases[i].bytes, cases[i].avail), cases[i].expected);
    }
    assert_int_equal(utf8_text_char_len(NULL, 4), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_sequences_are_accepted),
        cmocka_unit_test(test_ill_formed_sequences_are_rejected),
        cmocka_unit_test(test_validation_stops_at_the_given_length),
        cmocka_unit_test(test_trim_removes_every_go_white_space_character),
        cmocka_unit_test(test_trim_keeps_inner_space_and_non_white_space_characters),
        cmocka_unit_test(test_trim_of_only_white_space_is_empty),
        cmocka_unit_test(test_trim_stops_at_an_invalid_byte),
        cmocka_unit_test(test_trim_never_reads_past_the_given_length),
        cmocka_unit_test(test_cut_len_keeps_short_text_whole),
        cmocka_unit_test(test_cut_len_never_splits_a_character),
        cmocka_unit_test(test_char_len_measures_one_well_formed_character),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
