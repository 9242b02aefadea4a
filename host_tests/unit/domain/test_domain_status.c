/* domain_status: every status has its own text, and out-of-range values are reported, not crashed on. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "domain/domain_status.h"

static void test_ok_reads_ok(void **state)
{
    (void)state;
    assert_string_equal(domain_status_to_str(DOMAIN_OK), "ok");
}

static void test_every_status_has_a_distinct_non_empty_text(void **state)
{
    (void)state;
    for (int i = 0; i < DOMAIN_STATUS_COUNT; i++) {
        const char *text = domain_status_to_str((domain_status_t)i);
        assert_non_null(text);
        assert_true(strlen(text) > 0);
        assert_string_not_equal(text, "unknown");
        for (int j = 0; j < i; j++) {
            assert_string_not_equal(text, domain_status_to_str((domain_status_t)j));
        }
    }
}

static void test_specific_texts_name_the_rule(void **state)
{
    (void)state;
    assert_string_equal(domain_status_to_str(DOMAIN_ERR_BUFFER_TOO_SMALL), "buffer too small");
    assert_string_equal(domain_status_to_str(DOMAIN_ERR_NAME_TOO_LONG),
                        "device_name is longer than 100 bytes");
    assert_string_equal(domain_status_to_str(DOMAIN_ERR_LOCATION_TOO_LONG),
                        "location_description is longer than 250 bytes");
}

static void test_out_of_range_status_reads_unknown(void **state)
{
    (void)state;
    assert_string_equal(domain_status_to_str(DOMAIN_STATUS_COUNT), "unknown");
    assert_string_equal(domain_status_to_str((domain_status_t)-1), "unknown");
    assert_string_equal(domain_status_to_str((domain_status_t)1000), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ok_reads_ok),
        cmocka_unit_test(test_every_status_has_a_distinct_non_empty_text),
        cmocka_unit_test(test_specific_texts_name_the_rule),
        cmocka_unit_test(test_out_of_range_status_reads_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
