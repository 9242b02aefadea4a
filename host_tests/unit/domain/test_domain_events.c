/* domain_events: the names used for logs and the simulator's event stream. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "domain/domain_events.h"

static void test_event_kinds_use_the_simulator_stream_names(void **state)
{
    (void)state;
    assert_string_equal(domain_event_kind_to_str(DOMAIN_EVENT_CONNECTION_STATE_CHANGED), "state");
    assert_string_equal(domain_event_kind_to_str(DOMAIN_EVENT_CONNECT_ATTEMPT), "connect_attempt");
    assert_string_equal(domain_event_kind_to_str(DOMAIN_EVENT_RETRY_SCHEDULED), "retry_scheduled");
    assert_string_equal(domain_event_kind_to_str(DOMAIN_EVENT_DEVICE_REGISTERED), "registered");
    assert_string_equal(domain_event_kind_to_str(DOMAIN_EVENT_REGISTRATION_FAILED), "registration_failed");
}

static void test_out_of_range_event_kind_reads_unknown(void **state)
{
    (void)state;
    assert_string_equal(domain_event_kind_to_str(DOMAIN_EVENT_COUNT), "unknown");
    assert_string_equal(domain_event_kind_to_str((domain_event_kind_t)-1), "unknown");
}

static void test_registration_failures_have_snake_case_names(void **state)
{
    (void)state;
    assert_string_equal(registration_failure_to_str(REGISTRATION_FAILURE_INVALID_MESSAGE), "invalid_message");
    assert_string_equal(registration_failure_to_str(REGISTRATION_FAILURE_NO_IP), "no_ip");
    assert_string_equal(registration_failure_to_str(REGISTRATION_FAILURE_PUBLISH_REFUSED), "publish_refused");
    assert_string_equal(registration_failure_to_str(REGISTRATION_FAILURE_DELETED), "deleted");
}

static void test_out_of_range_registration_failure_reads_unknown(void **state)
{
    (void)state;
    assert_string_equal(registration_failure_to_str(REGISTRATION_FAILURE_COUNT), "unknown");
    assert_string_equal(registration_failure_to_str((registration_failure_t)-1), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_kinds_use_the_simulator_stream_names),
        cmocka_unit_test(test_out_of_range_event_kind_reads_unknown),
        cmocka_unit_test(test_registration_failures_have_snake_case_names),
        cmocka_unit_test(test_out_of_range_registration_failure_reads_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
