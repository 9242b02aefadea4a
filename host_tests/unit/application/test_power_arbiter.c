/* power_arbiter: one low-power wish per requester, one port call per change of the combined wish. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "application/power_arbiter.h"
#include "fake_power.h"

static fake_power_t s_power;
static power_arbiter_t s_arbiter;

static int setup(void **state)
{
    (void)state;
    fake_power_init(&s_power);
    power_arbiter_init(&s_arbiter, &fake_power_port, &s_power);
    return 0;
}

static void test_the_first_wish_requests_and_the_last_release_releases(void **state)
{
    (void)state;
    assert_int_equal(power_arbiter_set(&s_arbiter, POWER_REQUESTER_CONNECTION, true), APP_OK);
    assert_int_equal(power_arbiter_set(&s_arbiter, POWER_REQUESTER_LINK, true), APP_OK);
    assert_int_equal(s_power.requests, 1);
    assert_int_equal(power_arbiter_set(&s_arbiter, POWER_REQUESTER_CONNECTION, false), APP_OK);
    assert_int_equal(s_power.releases, 0);
    assert_true(s_power.low_power);
    assert_int_equal(power_arbiter_set(&s_arbiter, POWER_REQUESTER_LINK, false), APP_OK);
    assert_int_equal(s_power.releases, 1);
    assert_false(s_power.low_power);
}

static void test_repeating_a_wish_calls_nothing(void **state)
{
    (void)state;
    assert_int_equal(power_arbiter_set(&s_arbiter, POWER_REQUESTER_LINK, false), APP_OK);
    assert_int_equal(power_arbiter_set(&s_arbiter, POWER_REQUESTER_LINK, true), APP_OK);
    assert_int_equal(power_arbiter_set(&s_arbiter, POWER_REQUESTER_LINK, true), APP_OK);
    assert_int_equal(s_power.requests, 1);
    assert_int_equal(s_power.releases, 0);
}

static void test_a_port_error_is_returned_and_the_opposite_call_still_made(void **state)
{
    (void)state;
    fake_script_push(&s_power.request_results, APP_ERR_PLATFORM);
    assert_int_equal(power_arbiter_set(&s_arbiter, POWER_REQUESTER_CONNECTION, true), APP_ERR_PLATFORM);
    assert_int_equal(power_arbiter_set(&s_arbiter, POWER_REQUESTER_CONNECTION, false), APP_OK);
    assert_int_equal(s_power.releases, 1);
    assert_int_equal(power_arbiter_set(&s_arbiter, POWER_REQUESTER_COUNT, true), APP_ERR_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_the_first_wish_requests_and_the_last_release_releases, setup),
        cmocka_unit_test_setup(test_repeating_a_wish_calls_nothing, setup),
        cmocka_unit_test_setup(test_a_port_error_is_returned_and_the_opposite_call_still_made, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
