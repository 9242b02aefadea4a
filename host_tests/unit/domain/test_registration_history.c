/*
 * registration_history: noticing when an older registration's PUBACK arrives after the newest one's, so
 * that the server may now hold older content and the device must register again.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "domain/registration_history.h"

#define CONTENT_A 0xA0A0A0A0u
#define CONTENT_B 0xB0B0B0B0u
#define CONTENT_C 0xC0C0C0C0u

static uint32_t digest_of(const char *text)
{
    return registration_history_digest(text, strlen(text));
}

static void fresh(registration_history_t *history)
{
    memset(history, 0xA5, sizeof(*history));
    registration_history_init(history);
}

/* ---- the digest ---- */

static void test_digest_is_fnv1a_32(void **state)
{
    (void)state;
    /* Reference values of FNV-1a 32 (offset basis 0x811c9dc5, prime 16777619). */
    assert_int_equal(registration_history_digest("", 0), 0x811c9dc5u);
    assert_int_equal(digest_of("a"), 0xe40c292cu);
    assert_int_equal(digest_of("foobar"), 0xbf9cf968u);
    assert_int_equal(registration_history_digest("\xff", 1), 0x7a0b824eu); /* bytes taken unsigned */
}

static void test_digest_covers_exactly_len_bytes(void **state)
{
    (void)state;
    assert_int_equal(registration_history_digest("a\0b", 3), 0x10f3abd2u); /* an inner NUL counts */
    assert_int_equal(registration_history_digest("abc", 1), digest_of("a"));
    assert_int_equal(registration_history_digest("abc", 0), 0x811c9dc5u);
}

static void test_digest_tells_payloads_that_differ_only_in_the_ip(void **state)
{
    (void)state;
    const uint32_t old_ip = digest_of("{\"device_name\":\"bed-1\",\"ip\":\"192.168.1.10\"}");
    const uint32_t new_ip = digest_of("{\"device_name\":\"bed-1\",\"ip\":\"192.168.1.77\"}");
    assert_int_not_equal(old_ip, new_ip);
}

/* ---- acknowledgements ---- */

static void test_nothing_recorded_needs_nothing(void **state)
{
    (void)state;
    registration_history_t history;
    fresh(&history);
    for (size_t i = 0; i < REGISTRATION_HISTORY_SIZE; i++) {
        assert_int_equal(history.entries[i].msg_id, -1);
    }
    assert_false(registration_history_acked(&history, 1));
    assert_false(registration_history_acked(&history, 0));
}

static void test_acks_in_order_need_nothing(void **state)
{
    (void)state;
    registration_history_t history;
    fresh(&history);
    registration_history_record(&history, 1, CONTENT_A);
    registration_history_record(&history, 2, CONTENT_B);
    registration_history_record(&history, 3, CONTENT_C);
    assert_false(registration_history_acked(&history, 1));
    assert_false(registration_history_acked(&history, 2));
    assert_false(registration_history_acked(&history, 3));
}

static void test_each_ack_before_the_next_registration_needs_nothing(void **state)
{
    (void)state;
    registration_history_t history;
    fresh(&history);
    registration_history_record(&history, 1, CONTENT_A);
    assert_false(registration_history_acked(&history, 1));
    registration_history_record(&history, 2, CONTENT_B);
    assert_false(registration_history_acked(&history, 2));
    registration_history_record(&history, 3, CONTENT_A);
    assert_false(registration_history_acked(&history, 3));
}

static void test_an_older_registration_acked_after_the_newest_with_other_content_says_so_once(void **state)
{
    (void)state;
    registration_history_t history;
    fresh(&history);
    registration_history_record(&history, 1, CONTENT_A);
    registration_history_record(&history, 2, CONTENT_B);
    assert_false(registration_history_acked(&history, 2));
    assert_true(registration_history_acked(&history, 1));
    assert_false(registration_history_acked(&history, 1)); /* a duplicate PUBACK does not repeat it */
}

static void test_an_older_registration_with_the_same_content_needs_nothing(void **state)
{
    (void)state;
    registration_history_t history;
    fresh(&history);
    registration_history_record(&history, 1, CONTENT_A);
    registration_history_record(&history, 2, CONTENT_A);
    assert_false(registration_history_acked(&history, 2));
    assert_false(registration_history_acked(&history, 1));
}

static void test_an_older_ack_before_the_newest_ack_needs_nothing(void **state)
{
    (void)state;
    registration_history_t history;
    fresh(&history);
    registration_history_record(&history, 1, CONTENT_A);
    registration_history_record(&history, 2, CONTENT_B);
    assert_false(registration_history_acked(&history, 1));
    assert_false(registration_history_acked(&history, 2));
    assert_false(registration_history_acked(&history, 1));
}

static void test_an_older_ack_waits_for_the_newest_registrations_ack(void **state)
{
    (void)state;
    registration_history_t history;
    fresh(&history);
    registration_history_record(&history, 1, CONTENT_A);
    registration_history_record(&history, 2, CONTENT_B);
    assert_false(registration_history_acked(&history, 2));
    registration_history_record(&history, 3, CONTENT_C); /* newest, not acknowledged yet */
    assert_false(registration_history_acked(&history, 1));
    assert_false(registration_history_acked(&history, 3));
}

static void test_a_duplicate_puback_of_the_newest_is_false(void **state)
{
    (void)state;
    registration_history_t history;
    fresh(&history);
    registration_history_record(&history, 1, CONTENT_A);
    registration_history_record(&history, 2, CONTENT_B);
    assert_false(registration_history_acked(&history, 2));
    assert_false(registration_history_acked(&history, 2));
    assert_false(registration_history_acked(&history, 2));
    assert_true(registration_history_acked(&history, 1)); /* the late older one is still noticed */
}

static void test_every_older_registration_with_other_content_is_noticed(void **state)
{
    (void)state;
    registration_history_t history;
    fresh(&history);
    registration_history_record(&history, 1, CONTENT_A);
    registration_history_record(&history, 2, CONTENT_C);
    registration_history_record(&history, 3, CONTENT_B);
    registration_history_record(&history, 4, CONTENT_C);
    assert_false(registration_history_acked(&history, 4));
    assert_true(registration_history_acked(&history, 3));
    assert_false(registration_history_acked(&history, 2)); /* same content as the newest */
    assert_true(registration_history_acked(&history, 1));
}

static void test_a_reused_msg_id_forgets_the_older_entry(void **state)
{
    (void)state;
    registration_history_t history;
    fresh(&history);
    registration_history_record(&history, 5, CONTENT_A);
    registration_history_record(&history, 5, CONTENT_B); /* the client reused 5: its first message is gone */
    registration_history_record(&history, 9, CONTENT_B);
    assert_false(registration_history_acked(&history, 9));
    /* PUBACK 5 is for the second message, whose content is the newest's. */
    assert_false(registration_history_acked(&history, 5));
}

static void test_a_reused_msg_id_is_the_newest(void **state)
{
    (void)state;
    registration_history_t history;
    fresh(&history);
    registration_history_record(&history, 5, CONTENT_A);
    registration_history_record(&history, 6, CONTENT_B);
    registration_history_record(&history, 5, CONTENT_C);
    assert_false(registration_history_acked(&history, 5));
    assert_true(registration_history_acked(&history, 6));
}

static void test_a_forgotten_msg_id_is_no_older_registration(void **state)
{
    (void)state;
    registration_history_t history;
    fresh(&history);
    registration_history_record(&history, 5, CONTENT_A);
    registration_history_record(&history, 6, CONTENT_B);
    assert_false(registration_history_acked(&history, 6));
    registration_history_forget(&history, 5); /* 5 now names a presence message */
    assert_false(registration_history_acked(&history, 5));
    registration_history_forget(&history, 77); /* unknown: nothing happens */
    registration_history_forget(NULL, 5);
    assert_false(registration_history_acked(&history, 6));
}

static void test_the_ring_forgets_entries_beyond_its_size(void **state)
{
    (void)state;
    registration_history_t history;
    fresh(&history);
    for (int32_t id = 1; id <= REGISTRATION_HISTORY_SIZE + 1; id++) {
        registration_history_record(&history, id, CONTENT_A + (uint32_t)id);
    }
    assert_false(registration_history_acked(&history, REGISTRATION_HISTORY_SIZE + 1));
    assert_false(registration_history_acked(&history, 1)); /* pushed out of the ring */
    for (int32_t id = 2; id <= REGISTRATION_HISTORY_SIZE; id++) {
        assert_true(registration_history_acked(&history, id));
    }
}

static void test_the_ring_keeps_working_after_many_registrations(void **state)
{
    (void)state;
    registration_history_t history;
    fresh(&history);
    for (int32_t id = 100; id < 1100; id++) {
        registration_history_record(&history, id, (id % 2) != 0 ? CONTENT_A : CONTENT_B);
        assert_false(registration_history_acked(&history, id));
    }
    registration_history_record(&history, 2000, CONTENT_A);
    registration_history_record(&history, 2001, CONTENT_B);
    assert_false(registration_history_acked(&history, 2001));
    assert_true(registration_history_acked(&history, 2000));
}

static void test_an_unknown_or_negative_msg_id_is_false(void **state)
{
    (void)state;
    registration_history_t history;
    fresh(&history);
    registration_history_record(&history, 1, CONTENT_A);
    registration_history_record(&history, 2, CONTENT_B);
    assert_false(registration_history_acked(&history, 2));
    assert_false(registration_history_acked(&history, 77));
    assert_false(registration_history_acked(&history, -1));
    assert_false(registration_history_acked(&history, INT32_MIN));
    assert_true(registration_history_acked(&history, 1)); /* the unknown ids changed nothing */
}

static void test_a_missing_history_is_tolerated(void **state)
{
    (void)state;
    registration_history_init(NULL);
    registration_history_record(NULL, 1, CONTENT_A);
    assert_false(registration_history_acked(NULL, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digest_is_fnv1a_32),
        cmocka_unit_test(test_digest_covers_exactly_len_bytes),
        cmocka_unit_test(test_digest_tells_payloads_that_differ_only_in_the_ip),
        cmocka_unit_test(test_nothing_recorded_needs_nothing),
        cmocka_unit_test(test_acks_in_order_need_nothing),
        cmocka_unit_test(test_each_ack_before_the_next_registration_needs_nothing),
        cmocka_unit_test(test_an_older_registration_acked_after_the_newest_with_other_content_says_so_once),
        cmocka_unit_test(test_an_older_registration_with_the_same_content_needs_nothing),
        cmocka_unit_test(test_an_older_ack_before_the_newest_ack_needs_nothing),
        cmocka_unit_test(test_an_older_ack_waits_for_the_newest_registrations_ack),
        cmocka_unit_test(test_a_duplicate_puback_of_the_newest_is_false),
        cmocka_unit_test(test_every_older_registration_with_other_content_is_noticed),
        cmocka_unit_test(test_a_reused_msg_id_forgets_the_older_entry),
        cmocka_unit_test(test_a_forgotten_msg_id_is_no_older_registration),
        cmocka_unit_test(test_a_reused_msg_id_is_the_newest),
        cmocka_unit_test(test_the_ring_forgets_entries_beyond_its_size),
        cmocka_unit_test(test_the_ring_keeps_working_after_many_registrations),
        cmocka_unit_test(test_an_unknown_or_negative_msg_id_is_false),
        cmocka_unit_test(test_a_missing_history_is_tolerated),
    };
    return cmocka_run_group_tests_name("registration_history", tests, NULL, NULL);
}
