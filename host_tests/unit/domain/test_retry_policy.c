/* retry_policy: the schedule, its cap, overflow safety for any attempt, jitter bounds, reset. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "domain/retry_policy.h"

static retry_policy_config_t config_of(uint32_t initial_ms, uint32_t max_ms, uint32_t multiplier,
                                       uint8_t jitter_percent)
{
    const retry_policy_config_t config = {initial_ms, max_ms, multiplier, jitter_percent};
    return config;
}

static void test_default_config_is_30s_doubling_to_one_hour_without_jitter(void **state)
{
    (void)state;
    const retry_policy_config_t config = retry_policy_default_config();
    assert_int_equal(config.initial_ms, 30000);
    assert_int_equal(config.max_ms, 3600000);
    assert_int_equal(config.multiplier, 2);
    assert_int_equal(config.jitter_percent, 0);
    assert_int_equal(retry_policy_validate(&config), DOMAIN_OK);
}

static void test_default_schedule_doubles_then_caps(void **state)
{
    (void)state;
    static const uint32_t expected_s[] = {30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600, 3600};
    retry_policy_t policy;
    const retry_policy_config_t config = retry_policy_default_config();
    assert_int_equal(retry_policy_init(&policy, &config), DOMAIN_OK);
    for (size_t i = 0; i < sizeof(expected_s) / sizeof(expected_s[0]); i++) {
        assert_int_equal(retry_policy_next_delay_ms(&policy, 0), expected_s[i] * 1000u);
        assert_int_equal(policy.attempt, i + 1);
    }
}

static void test_delay_is_a_pure_function_of_the_attempt(void **state)
{
    (void)state;
    const retry_policy_config_t config = retry_policy_default_config();
    assert_int_equal(retry_policy_delay_ms(&config, 0, 0), 30000);
    assert_int_equal(retry_policy_delay_ms(&config, 6, 0), 1920000);
    assert_int_equal(retry_policy_delay_ms(&config, 7, 0), 3600000);
    assert_int_equal(retry_policy_delay_ms(&config, 6, 0), 1920000); /* same input, same output */
}

static void test_custom_parameters(void **state)
{
    (void)state;
    const retry_policy_config_t config = config_of(100, 5000, 3, 0);
    static const uint32_t expected[] = {100, 300, 900, 2700, 5000, 5000};
    for (uint32_t n = 0; n < 6; n++) {
        assert_int_equal(retry_policy_delay_ms(&config, n, 0), expected[n]);
    }
}

static void test_initial_equal_to_max_never_grows(void **state)
{
    (void)state;
    const retry_policy_config_t config = config_of(500, 500, 2, 0);
    assert_int_equal(retry_policy_delay_ms(&config, 0, 0), 500);
    assert_int_equal(retry_policy_delay_ms(&config, 40, 0), 500);
}

static void test_multiplier_one_keeps_the_initial_delay(void **state)
{
    (void)state;
    const retry_policy_config_t config = config_of(1000, 60000, 1, 0);
    assert_int_equal(retry_policy_delay_ms(&config, 0, 0), 1000);
    assert_int_equal(retry_policy_delay_ms(&config, 1000, 0), 1000);
    assert_int_equal(retry_policy_delay_ms(&config, UINT32_MAX, 0), 1000); /* returns at once */
}

static void test_huge_multiplier_caps_without_overflow(void **state)
{
    (void)state;
    const retry_policy_config_t config = config_of(30000, UINT32_MAX, UINT32_MAX, 0);
    assert_int_equal(retry_policy_delay_ms(&config, 0, 0), 30000);
    assert_int_equal(retry_policy_delay_ms(&config, 1, 0), UINT32_MAX);
    assert_int_equal(retry_policy_delay_ms(&config, 2, 0), UINT32_MAX);
}

static void test_products_beyond_32_bits_cap_at_max(void **state)
{
    (void)state;
    const retry_policy_config_t config = config_of(3, UINT32_MAX, 2, 0);
    assert_int_equal(retry_policy_delay_ms(&config, 30, 0), 3221225472u); /* 3 * 2^30 fits */
    assert_int_equal(retry_policy_delay_ms(&config, 31, 0), UINT32_MAX);  /* 3 * 2^31 does not */
    assert_int_equal(retry_policy_delay_ms(&config, 64, 0), UINT32_MAX);  /* 2^64 would wrap to 0 */
}

static void test_attempts_near_uint32_max_stay_capped(void **state)
{
    (void)state;
    const retry_policy_config_t config = retry_policy_default_config();
    assert_int_equal(retry_policy_delay_ms(&config, UINT32_MAX - 1, 0), 3600000);
    assert_int_equal(retry_policy_delay_ms(&config, UINT32_MAX, 0), 3600000);
}

static void test_attempt_counter_saturates_at_uint32_max(void **state)
{
    (void)state;
    retry_policy_t policy;
    const retry_policy_config_t config = retry_policy_default_config();
    assert_int_equal(retry_policy_init(&policy, &config), DOMAIN_OK);
    policy.attempt = UINT32_MAX - 1;
    assert_int_equal(retry_policy_next_delay_ms(&policy, 0), 3600000);
    assert_int_equal(policy.attempt, UINT32_MAX);
    assert_int_equal(retry_policy_next_delay_ms(&policy, 0), 3600000);
    assert_int_equal(policy.attempt, UINT32_MAX);
}

static void test_reset_starts_the_schedule_again(void **state)
{
    (void)state;
    retry_policy_t policy;
    const retry_policy_config_t config = retry_policy_default_config();
    assert_int_equal(retry_policy_init(&policy, &config), DOMAIN_OK);
    (void)retry_policy_next_delay_ms(&policy, 0);
    (void)retry_policy_next_delay_ms(&policy, 0);
    assert_int_equal(retry_policy_next_delay_ms(&policy, 0), 120000);
    retry_policy_reset(&policy);
    assert_int_equal(policy.attempt, 0);
    assert_int_equal(retry_policy_next_delay_ms(&policy, 0), 30000);
}

static void test_zero_jitter_ignores_the_random_value(void **state)
{
    (void)state;
    const retry_policy_config_t config = retry_policy_default_config();
    assert_int_equal(retry_policy_delay_ms(&config, 0, 0), 30000);
    assert_int_equal(retry_policy_delay_ms(&config, 0, 1000), 30000);
    assert_int_equal(retry_policy_delay_ms(&config, 0, UINT32_MAX), 30000);
}

static void test_jitter_50_percent_lowers_by_at_most_half(void **state)
{
    (void)state;
    const retry_policy_config_t config = config_of(30000, 3600000, 2, 50);
    /* reduction = (delay * 50 / 100) * (random % 1001) / 1000 */
    assert_int_equal(retry_policy_delay_ms(&config, 0, 0), 30000);    /* random 0: no reduction */
    assert_int_equal(retry_policy_delay_ms(&config, 0, 1000), 15000); /* largest share */
    assert_int_equal(retry_policy_delay_ms(&config, 0, 500), 22500);  /* half of the span */
    assert_int_equal(retry_policy_delay_ms(&config, 0, 1001), 30000); /* 1001 % 1001 == 0 */
    /* UINT32_MAX % 1001 = 619: 15000 * 619 / 1000 = 9285 */
    assert_int_equal(retry_policy_delay_ms(&config, 0, UINT32_MAX), 20715);
}

static void test_jitter_stays_within_bounds_for_many_random_values(void **state)
{
    (void)state;
    const retry_policy_config_t config = config_of(30000, 3600000, 2, 50);
    uint32_t random_value = 12345;
    for (int i = 0; i < 10000; i++) {
        random_value = random_value * 1103515245u + 12345u; /* any sequence will do */
        for (uint32_t n = 0; n < 10; n++) {
            const uint32_t base = retry_policy_delay_ms(&config, n, 0);
            const uint32_t delay = retry_policy_delay_ms(&config, n, random_value);
            assert_true(delay <= base);
            assert_true(delay >= base / 2);
            assert_true(delay <= config.max_ms);
        }
    }
}

static void test_jitter_100_percent_can_reach_zero_but_not_below(void **state)
{
    (void)state;
    const retry_policy_config_t config = config_of(30000, 3600000, 2, 100);
    assert_int_equal(retry_policy_delay_ms(&config, 0, 0), 30000);
    assert_int_equal(retry_policy_delay_ms(&config, 0, 1000), 0);
    assert_int_equal(retry_policy_delay_ms(&config, 20, 1000), 0);
    assert_int_equal(retry_policy_delay_ms(&config, 20, UINT32_MAX),
                     1371600); /* 3600000 - 3600000 * 619 / 1000 */
}

static void test_jitter_at_the_cap_with_max_uint32_does_not_overflow(void **state)
{
    (void)state;
    const retry_policy_config_t config = config_of(1, UINT32_MAX, 2, 100);
    const uint32_t delay = retry_policy_delay_ms(&config, UINT32_MAX, 1000);
    assert_int_equal(delay, 0);
    /* UINT32_MAX - UINT32_MAX * 999 / 1000, computed in 64 bits */
    assert_int_equal(retry_policy_delay_ms(&config, UINT32_MAX, 999), 4294968u);
}

static void test_next_delay_passes_the_random_value_through(void **state)
{
    (void)state;
    retry_policy_t policy;
    const retry_policy_config_t config = config_of(1000, 100000, 2, 50);
    assert_int_equal(retry_policy_init(&policy, &config), DOMAIN_OK);
    assert_int_equal(retry_policy_next_delay_ms(&policy, 1000), 500);
    assert_int_equal(retry_policy_next_delay_ms(&policy, 0), 2000);
}

static void test_invalid_configs_are_rejected(void **state)
{
    (void)state;
    const retry_policy_config_t bad[] = {
        config_of(0, 1000, 2, 0),    /* initial 0 */
        config_of(2000, 1000, 2, 0), /* max below initial */
        config_of(1000, 2000, 0, 0), /* multiplier 0 */
        config_of(1000, 2000, 2, 101),
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        retry_policy_t policy;
        assert_int_equal(retry_policy_validate(&bad[i]), DOMAIN_ERR_RETRY_CONFIG);
        assert_int_equal(retry_policy_init(&policy, &bad[i]), DOMAIN_ERR_RETRY_CONFIG);
    }
    const retry_policy_config_t edge = config_of(1, 1, 1, 100);
    assert_int_equal(retry_policy_validate(&edge), DOMAIN_OK);
}

static void test_null_arguments_are_handled(void **state)
{
    (void)state;
    retry_policy_t policy;
    const retry_policy_config_t config = retry_policy_default_config();
    assert_int_equal(retry_policy_validate(NULL), DOMAIN_ERR_INVALID_ARG);
    assert_int_equal(retry_policy_init(NULL, &config), DOMAIN_ERR_INVALID_ARG);
    assert_int_equal(retry_policy_init(&policy, NULL), DOMAIN_ERR_INVALID_ARG);
    assert_int_equal(retry_policy_delay_ms(NULL, 0, 0), 0);
    assert_int_equal(retry_policy_next_delay_ms(NULL, 0), 0);
    retry_policy_reset(NULL);
}

static void test_unvalidated_configs_do_not_misbehave(void **state)
{
    (void)state;
    /* The pure function may be handed a config nobody validated: it still terminates and never wraps. */
    const retry_policy_config_t zero_initial = config_of(0, 1000, 2, 0);
    const retry_policy_config_t zero_multiplier = config_of(100, 1000, 0, 0);
    const retry_policy_config_t max_below_initial = config_of(5000, 1000, 2, 0);
    const retry_policy_config_t jitter_over_100 = config_of(1000, 1000, 2, 200);
    assert_int_equal(retry_policy_delay_ms(&zero_initial, UINT32_MAX, 0), 0);
    assert_int_equal(retry_policy_delay_ms(&zero_multiplier, UINT32_MAX, 0), 100);
    assert_int_equal(retry_policy_delay_ms(&max_below_initial, 3, 0), 1000);
    assert_int_equal(retry_policy_delay_ms(&jitter_over_100, 0, 1000), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_config_is_30s_doubling_to_one_hour_without_jitter),
        cmocka_unit_test(test_default_schedule_doubles_then_caps),
        cmocka_unit_test(test_delay_is_a_pure_function_of_the_attempt),
        cmocka_unit_test(test_custom_parameters),
        cmocka_unit_test(test_initial_equal_to_max_never_grows),
        cmocka_unit_test(test_multiplier_one_keeps_the_initial_delay),
        cmocka_unit_test(test_huge_multiplier_caps_without_overflow),
        cmocka_unit_test(test_products_beyond_32_bits_cap_at_max),
        cmocka_unit_test(test_attempts_near_uint32_max_stay_capped),
        cmocka_unit_test(test_attempt_counter_saturates_at_uint32_max),
        cmocka_unit_test(test_reset_starts_the_schedule_again),
        cmocka_unit_test(test_zero_jitter_ignores_the_random_value),
        cmocka_unit_test(test_jitter_50_percent_lowers_by_at_most_half),
        cmocka_unit_test(test_jitter_stays_within_bounds_for_many_random_values),
        cmocka_unit_test(test_jitter_100_percent_can_reach_zero_but_not_below),
        cmocka_unit_test(test_jitter_at_the_cap_with_max_uint32_does_not_overflow),
        cmocka_unit_test(test_next_delay_passes_the_random_value_through),
        cmocka_unit_test(test_invalid_configs_are_rejected),
        cmocka_unit_test(test_null_arguments_are_handled),
        cmocka_unit_test(test_unvalidated_configs_do_not_misbehave),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
