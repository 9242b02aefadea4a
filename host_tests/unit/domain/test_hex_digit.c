/* hex_digit: the value of one hexadecimal digit, checked for every byte value, EOF and other ints. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>

#include "domain/hex_digit.h"

/* The expected value written out digit by digit, independent of any character-class function. */
static int expected_value(int c)
{
    static const char lower[] = "0123456789abcdef";
    static const char upper[] = "0123456789ABCDEF";
    for (int v = 0; v < 16; v++) {
        if (c == lower[v] || c == upper[v]) {
            return v;
        }
    }
    return -1;
}

static void test_every_byte_value(void **state)
{
    (void)state;
    int digits = 0;
    for (int c = 0; c <= 255; c++) {
        const int value = hex_digit_value(c);
        if (value != expected_value(c)) {
            fail_msg("byte 0x%02x: %d, expected %d", (unsigned)c, value, expected_value(c));
        }
        digits += value >= 0 ? 1 : 0;
    }
    assert_int_equal(digits, 22); /* 10 decimal digits, 6 lower-case and 6 upper-case letters */
}

static void test_digits_letters_and_their_neighbours(void **state)
{
    (void)state;
    assert_int_equal(hex_digit_value('0'), 0);
    assert_int_equal(hex_digit_value('9'), 9);
    assert_int_equal(hex_digit_value('a'), 10);
    assert_int_equal(hex_digit_value('f'), 15);
    assert_int_equal(hex_digit_value('A'), 10);
    assert_int_equal(hex_digit_value('F'), 15);
    assert_int_equal(hex_digit_value('/'), -1); /* just before '0' */
    assert_int_equal(hex_digit_value(':'), -1); /* just after '9' */
    assert_int_equal(hex_digit_value('`'), -1); /* just before 'a' */
    assert_int_equal(hex_digit_value('g'), -1);
    assert_int_equal(hex_digit_value('@'), -1); /* just before 'A' */
    assert_int_equal(hex_digit_value('G'), -1);
    assert_int_equal(hex_digit_value('x'), -1);
    assert_int_equal(hex_digit_value(' '), -1);
    assert_int_equal(hex_digit_value('\0'), -1);
}

static void test_eof_and_other_ints_are_not_digits(void **state)
{
    (void)state;
    assert_int_equal(hex_digit_value(EOF), -1);
    assert_int_equal(hex_digit_value(-1), -1);
    assert_int_equal(hex_digit_value(INT_MIN), -1);
    assert_int_equal(hex_digit_value(INT_MAX), -1);
    assert_int_equal(hex_digit_value(256 + '0'), -1);
    assert_int_equal(hex_digit_value(256 + 'a'), -1);
    /* A plain char holding a byte above 0x7F may arrive sign-extended. */
    for (int c = -128; c < 0; c++) {
        assert_int_equal(hex_digit_value(c), -1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_byte_value),
        cmocka_unit_test(test_digits_letters_and_their_neighbours),
        cmocka_unit_test(test_eof_and_other_ints_are_not_digits),
    };
    return cmocka_run_group_tests_name("hex_digit", tests, NULL, NULL);
}
