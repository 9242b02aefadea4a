/*
 * app_event_backlog: the store an executor falls back on when its queue is full. One test per rule of the
 * header: keys, latest wins in the latest position, refusal when full, oldest first, counters, bursts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "application/app_event_backlog.h"
#include "event_scenarios.h"

static app_event_backlog_t backlog;

static int setup(void **state)
{
    (void)state;
    app_event_backlog_init(&backlog);
    return 0;
}

#define make               event_scenarios_event
#define published          event_scenarios_published
#define timer_fired        event_scenarios_timer_fired
#define disconnected(code) event_scenarios_with_code(APP_EVENT_MQTT_DISCONNECTED, code)

static void add(app_event_t e)
{
    assert_true(app_event_backlog_add(&backlog, &e));
}

static void add_kind(app_event_kind_t kind)
{
    add(make(kind));
}

static app_event_t take(void)
{
    app_event_t e;
    assert_true(app_event_backlog_take(&backlog, &e));
    return e;
}

/* Takes everything and checks the kinds, oldest first. */
static void assert_kinds(const app_event_kind_t *kinds, size_t n)
{
    assert_int_equal(app_event_backlog_count(&backlog), n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(take().kind, kinds[i]);
    }
    assert_int_equal(app_event_backlog_count(&backlog), 0);
}

#define ASSERT_KINDS(...)                                               \
    do {                                                                \
        static const app_event_kind_t expected[] = {__VA_ARGS__};       \
        assert_kinds(expected, sizeof(expected) / sizeof(expected[0])); \
    } while (0)

static void test_an_empty_backlog_has_nothing_to_take(void **state)
{
    (void)state;
    app_event_t e = make(APP_EVENT_START);
    assert_int_equal(app_event_backlog_count(&backlog), 0);
    assert_false(app_event_backlog_take(&backlog, &e));
    assert_int_equal(e.kind, APP_EVENT_START); /* untouched */
}

/* Adds the scenario's posts, then takes everything: the executors' scenarios hold for the backlog alone. */
static void run_scenario(event_scenarios_t scenario)
{
    for (size_t i = 0; i < scenario.post_count; i++) {
        add(scenario.posts[i]);
    }
    app_event_t taken[APP_EVENT_BACKLOG_SIZE];
    assert_int_equal(app_event_backlog_count(&backlog), scenario.handled_count);
    for (size_t i = 0; i < scenario.handled_count; i++) {
        taken[i] = take();
    }
    event_scenarios_assert_handled(&scenario, taken);
    assert_int_equal(app_event_backlog_stats(&backlog).coalesced, scenario.coalesced);
}

static void test_take_returns_events_oldest_first_with_their_values(void **state)
{
    (void)state;
    run_scenario(event_scenarios_outcomes());
}

static void test_the_latest_value_of_each_key_stays_in_the_position_of_its_last_add(void **state)
{
    (void)state;
    run_scenario(event_scenarios_latest_wins());
}

static void test_connected_disconnected_connected_keeps_disconnected_then_connected(void **state)
{
    (void)state;
    add_kind(APP_EVENT_MQTT_CONNECTED);
    add_kind(APP_EVENT_MQTT_DISCONNECTED);
    add_kind(APP_EVENT_MQTT_CONNECTED);
    ASSERT_KINDS(APP_EVENT_MQTT_DISCONNECTED, APP_EVENT_MQTT_CONNECTED);
}

static void test_a_flapping_connection_ends_in_its_final_state(void **state)
{
    (void)state;
    for (int i = 0; i < 10; i++) {
        add_kind(APP_EVENT_MQTT_CONNECTED);
        add_kind(APP_EVENT_MQTT_DISCONNECTED);
    }
    ASSERT_KINDS(APP_EVENT_MQTT_CONNECTED, APP_EVENT_MQTT_DISCONNECTED);
}

static void test_the_latest_value_of_a_key_wins(void **state)
{
    (void)state;
    add(disconnected(1));
    add(disconnected(2));
    assert_int_equal(app_event_backlog_count(&backlog), 1);
    assert_int_equal(take().code, 2);
}

static void test_a_repeated_key_moves_to_the_position_of_the_latest_post(void **state)
{
    (void)state;
    add_kind(APP_EVENT_WIFI_GOT_IP);
    add_kind(APP_EVENT_MQTT_CONNECTED);
    add_kind(APP_EVENT_WIFI_GOT_IP);
    ASSERT_KINDS(APP_EVENT_MQTT_CONNECTED, APP_EVENT_WIFI_GOT_IP);
}

static void test_timers_of_different_ids_are_kept_apart(void **state)
{
    (void)state;
    add(timer_fired(APP_TIMER_CONNECTION, 1));
    add(timer_fired(APP_TIMER_LINK, 2));
    add(timer_fired(APP_TIMER_CONNECTION, 3));
    app_event_t e = take();
    assert_int_equal(e.timer, APP_TIMER_LINK);
    assert_int_equal(e.token, 2);
    e = take();
    assert_int_equal(e.timer, APP_TIMER_CONNECTION);
    assert_int_equal(e.token, 3);
    assert_int_equal(app_event_backlog_count(&backlog), 0);
}

static void test_message_ids_are_kept_apart(void **state)
{
    (void)state;
    add(published(7));
    add(published(8));
    app_event_t deleted = make(APP_EVENT_MQTT_DELETED);
    deleted.msg_id = 7; /* another kind: its own key even with the same id */
    add(deleted);
    add(published(7));
    assert_int_equal(app_event_backlog_count(&backlog), 3);
    assert_int_equal(take().msg_id, 8);
    app_event_t e = take();
    assert_int_equal(e.kind, APP_EVENT_MQTT_DELETED);
    assert_int_equal(e.msg_id, 7);
    e = take();
    assert_int_equal(e.kind, APP_EVENT_MQTT_PUBLISHED);
    assert_int_equal(e.msg_id, 7);
}

static void test_fields_outside_the_key_do_not_tell_events_apart(void **state)
{
    (void)state;
    /* msg_id is a value for a kind keyed by kind alone; the timer is a value for PUBLISHED. */
    app_event_t a = disconnected(0);
    a.msg_id = 1;
    app_event_t b = disconnected(0);
    b.msg_id = 2;
    add(a);
    add(b);
    app_event_t p = published(5);
    p.timer = APP_TIMER_LINK;
    add(p);
    add(published(5));
    assert_int_equal(app_event_backlog_count(&backlog), 2);
}

static void test_one_of_every_kind_fits_with_every_timer_and_a_few_message_ids(void **state)
{
    (void)state;
    for (int kind = 0; kind < APP_EVENT_COUNT; kind++) {
        add_kind((app_event_kind_t)kind);
    }
    add(timer_fired(APP_TIMER_LINK, 0)); /* the kind loop added the connection timer */
    for (int32_t id = 1; id <= APP_EVENT_BACKLOG_MSG_IDS; id++) {
        add(published(id)); /* msg id 0 came with the kind loop */
    }
    assert_int_equal(app_event_backlog_count(&backlog), APP_EVENT_BACKLOG_SIZE);
    assert_int_equal(app_event_backlog_stats(&backlog).lost, 0);
}

static void fill(void)
{
    for (size_t i = 0; i < APP_EVENT_BACKLOG_SIZE; i++) {
        add(published((int32_t)i + 100));
    }
}

static void test_a_new_key_is_refused_when_full_and_counted_as_lost(void **state)
{
    (void)state;
    fill();
    app_event_t e = make(APP_EVENT_MQTT_DISCONNECTED);
    assert_false(app_event_backlog_add(&backlog, &e));
    assert_int_equal(app_event_backlog_count(&backlog), APP_EVENT_BACKLOG_SIZE);
    assert_int_equal(app_event_backlog_stats(&backlog).lost, 1);
    assert_int_equal(take().msg_id, 100); /* nothing stored was pushed out */
}

static void test_a_stored_key_is_still_replaced_when_full(void **state)
{
    (void)state;
    fill();
    add(published(100));
    assert_int_equal(app_event_backlog_count(&backlog), APP_EVENT_BACKLOG_SIZE);
    assert_int_equal(take().msg_id, 101);
    assert_int_equal(app_event_backlog_stats(&backlog).lost, 0);
}

static void test_taking_makes_room_again(void **state)
{
    (void)state;
    fill();
    (void)take();
    add_kind(APP_EVENT_MQTT_DISCONNECTED);
    assert_int_equal(app_event_backlog_count(&backlog), APP_EVENT_BACKLOG_SIZE);
}

static void test_kinds_beyond_the_known_ones_are_keyed_by_kind(void **state)
{
    (void)state;
    /* A kind the core adds later (the table has no row for it) must not be lost or confused. */
    app_event_t later = make((app_event_kind_t)APP_EVENT_COUNT);
    later.msg_id = 1;
    assert_true(app_event_backlog_add(&backlog, &later));
    later.msg_id = 2;
    assert_true(app_event_backlog_add(&backlog, &later));
    add_kind(APP_EVENT_STOP);
    assert_int_equal(app_event_backlog_count(&backlog), 2);
    app_event_t e = take();
    assert_int_equal(e.kind, APP_EVENT_COUNT);
    assert_int_equal(e.msg_id, 2);
}

static void test_clear_empties_and_keeps_the_counters(void **state)
{
    (void)state;
    add_kind(APP_EVENT_MQTT_CONNECTED);
    add_kind(APP_EVENT_MQTT_CONNECTED);
    app_event_backlog_clear(&backlog);
    assert_int_equal(app_event_backlog_count(&backlog), 0);
    app_event_backlog_stats_t stats = app_event_backlog_stats(&backlog);
    assert_int_equal(stats.accepted, 2);
    assert_int_equal(stats.coalesced, 1);
    assert_int_equal(stats.lost, 0);
}

static void test_a_burst_is_reported_once_when_the_backlog_has_drained(void **state)
{
    (void)state;
    app_event_backlog_stats_t burst;
    assert_false(app_event_backlog_burst_report(&backlog, &burst)); /* nothing happened */
    add_kind(APP_EVENT_MQTT_CONNECTED);
    add_kind(APP_EVENT_MQTT_DISCONNECTED);
    add_kind(APP_EVENT_MQTT_CONNECTED);
    assert_false(app_event_backlog_burst_report(&backlog, &burst)); /* still waiting */
    (void)take();
    (void)take();
    assert_true(app_event_backlog_burst_report(&backlog, &burst));
    assert_int_equal(burst.accepted, 3);
    assert_int_equal(burst.coalesced, 1);
    assert_int_equal(burst.lost, 0);
    assert_false(app_event_backlog_burst_report(&backlog, &burst)); /* once */
}

static void test_each_burst_reports_only_its_own_figures(void **state)
{
    (void)state;
    app_event_backlog_stats_t burst;
    add_kind(APP_EVENT_MQTT_CONNECTED);
    (void)take();
    assert_true(app_event_backlog_burst_report(&backlog, &burst));
    fill();
    app_event_t refused = make(APP_EVENT_MQTT_DISCONNECTED);
    assert_false(app_event_backlog_add(&backlog, &refused));
    app_event_backlog_clear(&backlog);
    assert_true(app_event_backlog_burst_report(&backlog, &burst));
    assert_int_equal(burst.accepted, APP_EVENT_BACKLOG_SIZE);
    assert_int_equal(burst.coalesced, 0);
    assert_int_equal(burst.lost, 1);
    app_event_backlog_stats_t totals = app_event_backlog_stats(&backlog);
    assert_int_equal(totals.accepted, APP_EVENT_BACKLOG_SIZE + 1);
    assert_int_equal(totals.lost, 1);
}

#define T(name) cmocka_unit_test_setup(name, setup)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_an_empty_backlog_has_nothing_to_take),
        T(test_take_returns_events_oldest_first_with_their_values),
        T(test_the_latest_value_of_each_key_stays_in_the_position_of_its_last_add),
        T(test_connected_disconnected_connected_keeps_disconnected_then_connected),
        T(test_a_flapping_connection_ends_in_its_final_state),
        T(test_the_latest_value_of_a_key_wins),
        T(test_a_repeated_key_moves_to_the_position_of_the_latest_post),
        T(test_timers_of_different_ids_are_kept_apart),
        T(test_message_ids_are_kept_apart),
        T(test_fields_outside_the_key_do_not_tell_events_apart),
        T(test_one_of_every_kind_fits_with_every_timer_and_a_few_message_ids),
        T(test_a_new_key_is_refused_when_full_and_counted_as_lost),
        T(test_a_stored_key_is_still_replaced_when_full),
        T(test_taking_makes_room_again),
        T(test_kinds_beyond_the_known_ones_are_keyed_by_kind),
        T(test_clear_empties_and_keeps_the_counters),
        T(test_a_burst_is_reported_once_when_the_backlog_has_drained),
        T(test_each_burst_reports_only_its_own_figures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
