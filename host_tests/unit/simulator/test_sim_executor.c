/*
 * sim_executor: the application thread fed by a bounded ring that never blocks a poster, with the backlog
 * behind it (nothing lost, nothing overtaken, latest value wins), also under a flood from two threads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>

#include "event_scenarios.h"
#include "sim_executor.h"

#define MAX_SEEN 8192

typedef struct {
    pthread_mutex_t mutex;
    int count;
    app_event_t seen[MAX_SEEN];
    sim_executor_t *executor; /* for handlers that post */
    pthread_t handler_thread;
} recorder_t;

static recorder_t recorder;
static sim_executor_t executor;

static int setup(void **state)
{
    (void)state;
    memset(&recorder, 0, sizeof(recorder));
    pthread_mutex_init(&recorder.mutex, NULL);
    recorder.executor = &executor;
    assert_true(sim_executor_init(&executor));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sim_executor_deinit(&executor);
    pthread_mutex_destroy(&recorder.mutex);
    return 0;
}

static void record(const app_event_t *event, void *user_arg)
{
    recorder_t *r = user_arg;
    pthread_mutex_lock(&r->mutex);
    if (r->count < MAX_SEEN) {
        r->seen[r->count] = *event;
    }
    r->count++;
    r->handler_thread = pthread_self();
    pthread_mutex_unlock(&r->mutex);
}

static app_event_t event_with_token(app_event_kind_t kind, uint32_t token)
{
    app_event_t e;
    memset(&e, 0, sizeof(e));
    e.kind = kind;
    e.token = token;
    return e;
}

static void test_events_are_handled_in_order_on_another_thread(void **state)
{
    (void)state;
    assert_int_equal(sim_executor_start(&executor, record, &recorder), APP_OK);
    for (uint32_t i = 0; i < 10; i++) {
        app_event_t e = event_with_token(APP_EVENT_TIMER_FIRED, i);
        assert_true(sim_executor_post(&executor, &e));
    }
    sim_executor_stop(&executor);
    assert_int_equal(recorder.count, 11); /* ten events and the STOP */
    for (uint32_t i = 0; i < 10; i++) {
        assert_int_equal(recorder.seen[i].token, i);
    }
    assert_int_equal(recorder.seen[10].kind, APP_EVENT_STOP);
    assert_false(pthread_equal(recorder.handler_thread, pthread_self()));
}

static void fill_ring(void)
{
    /* Not started: nothing drains the ring. */
    for (uint32_t i = 0; i < SIM_EXECUTOR_QUEUE_LEN; i++) {
        app_event_t e = event_with_token(APP_EVENT_HTTP_STARTED, i);
        assert_true(sim_executor_post(&executor, &e));
    }
}

/* Starts, stops (which joins) and checks that the ring's fillers came first, in order. */
static const app_event_t *run_after_fillers(int expected_after)
{
    assert_int_equal(sim_executor_start(&executor, record, &recorder), APP_OK);
    sim_executor_stop(&executor);
    assert_int_equal(recorder.count, SIM_EXECUTOR_QUEUE_LEN + expected_after);
    for (uint32_t i = 0; i < SIM_EXECUTOR_QUEUE_LEN; i++) {
        assert_int_equal(recorder.seen[i].kind, APP_EVENT_HTTP_STARTED);
        assert_int_equal(recorder.seen[i].token, i);
    }
    return &recorder.seen[SIM_EXECUTOR_QUEUE_LEN];
}

/* Posts the scenario beyond a full ring, then starts and stops; checks what the thread handled. */
static void run_scenario_beyond_a_full_ring(event_scenarios_t scenario)
{
    fill_ring();
    for (size_t i = 0; i < scenario.post_count; i++) {
        assert_true(sim_executor_post(&executor, &scenario.posts[i]));
    }
    const app_event_t *after = run_after_fillers((int)scenario.handled_count + 1);
    event_scenarios_assert_handled(&scenario, after);
    assert_int_equal(after[scenario.handled_count].kind, APP_EVENT_STOP);
    app_event_backlog_stats_t stats = sim_executor_stats(&executor);
    assert_int_equal(stats.coalesced, scenario.coalesced);
    assert_int_equal(stats.lost, 0);
}

static void test_outcomes_posted_beyond_a_full_ring_are_all_handled_in_order(void **state)
{
    (void)state;
    run_scenario_beyond_a_full_ring(event_scenarios_outcomes());
}

static void test_the_latest_value_of_each_key_is_handled_in_the_position_of_its_last_post(void **state)
{
    (void)state;
    run_scenario_beyond_a_full_ring(event_scenarios_latest_wins());
}

static void test_post_returns_false_only_when_the_backlog_refuses(void **state)
{
    (void)state;
    fill_ring();
    for (size_t i = 0; i < APP_EVENT_BACKLOG_SIZE; i++) {
        app_event_t e = event_scenarios_published((int32_t)i);
        assert_true(sim_executor_post(&executor, &e));
    }
    app_event_t e = event_with_token(APP_EVENT_MQTT_DISCONNECTED, 0);
    assert_false(sim_executor_post(&executor, &e));
    assert_int_equal(sim_executor_dropped(&executor), 1);
    /* stop() waits for room in the backlog: shutdown is not lost. */
    (void)run_after_fillers((int)APP_EVENT_BACKLOG_SIZE + 1);
    assert_int_equal(recorder.seen[recorder.count - 1].kind, APP_EVENT_STOP);
}

static void test_full_ring_drains_after_start(void **state)
{
    (void)state;
    app_event_t e = event_with_token(APP_EVENT_HTTP_STARTED, 0);
    for (int i = 0; i < SIM_EXECUTOR_QUEUE_LEN; i++) {
        assert_true(sim_executor_post(&executor, &e));
    }
    assert_int_equal(sim_executor_start(&executor, record, &recorder), APP_OK);
    sim_executor_stop(&executor); /* waits for room for the STOP */
    assert_int_equal(recorder.count, SIM_EXECUTOR_QUEUE_LEN + 1);
}

static void test_posted_stop_ends_the_thread_after_handling_it(void **state)
{
    (void)state;
    assert_int_equal(sim_executor_start(&executor, record, &recorder), APP_OK);
    app_event_t stop = event_with_token(APP_EVENT_STOP, 0);
    assert_true(sim_executor_post(&executor, &stop));
    sim_executor_stop(&executor); /* joins */
    assert_int_equal(recorder.count, 1);
    assert_int_equal(recorder.seen[0].kind, APP_EVENT_STOP);
    assert_true(executor.finished);
}

static void test_post_after_stop_is_refused(void **state)
{
    (void)state;
    assert_int_equal(sim_executor_start(&executor, record, &recorder), APP_OK);
    sim_executor_stop(&executor);
    app_event_t e = event_with_token(APP_EVENT_HTTP_STARTED, 0);
    assert_false(sim_executor_post(&executor, &e));
    assert_int_equal(recorder.count, 1);
}

static void post_follow_up(const app_event_t *event, void *user_arg)
{
    recorder_t *r = user_arg;
    record(event, user_arg);
    if (event->kind == APP_EVENT_WIFI_GOT_IP) {
        app_event_t follow = event_with_token(APP_EVENT_HTTP_STARTED, 42);
        assert_true(sim_executor_post(r->executor, &follow));
    }
}

static void test_handler_may_post_without_deadlock(void **state)
{
    (void)state;
    assert_int_equal(sim_executor_start(&executor, post_follow_up, &recorder), APP_OK);
    app_event_t e = event_with_token(APP_EVENT_WIFI_GOT_IP, 0);
    assert_true(sim_executor_post(&executor, &e));
    /* Wait until the follow-up has been handled before stopping, so the STOP comes after it. */
    for (;;) {
        pthread_mutex_lock(&recorder.mutex);
        int count = recorder.count;
        pthread_mutex_unlock(&recorder.mutex);
        if (count >= 2) {
            break;
        }
        sched_yield();
    }
    sim_executor_stop(&executor);
    assert_int_equal(recorder.seen[1].kind, APP_EVENT_HTTP_STARTED);
    assert_int_equal(recorder.seen[1].token, 42);
}

static void test_start_twice_is_refused(void **state)
{
    (void)state;
    assert_int_equal(sim_executor_start(&executor, record, &recorder), APP_OK);
    assert_int_equal(sim_executor_start(&executor, record, &recorder), APP_ERR_INVALID_ARG);
    sim_executor_stop(&executor);
}

/* ---- a flood from two threads while the application thread runs ---- */

#define FLOOD_POSTS 3000
#define FLOOD_KEYS  3

/* Each poster cycles over keys of its own; token = its sequence number, so that the handled events of one
 * poster must show increasing tokens, and the last one handled per key must be the last one posted. */
typedef struct {
    app_event_t keys[FLOOD_KEYS];
    int refused;
    atomic_int posted;
} poster_t;

static poster_t *s_posters[2];

static void *flood(void *arg)
{
    poster_t *poster = arg;
    for (uint32_t seq = 1; seq <= FLOOD_POSTS; seq++) {
        app_event_t e = poster->keys[seq % FLOOD_KEYS];
        e.token = seq;
        if (!sim_executor_post(&executor, &e)) {
            poster->refused++;
        }
        atomic_fetch_add(&poster->posted, 1);
        if (seq % 64 == 0) {
            sched_yield();
        }
    }
    return NULL;
}

static void slow_record(const app_event_t *event, void *user_arg)
{
    recorder_t *r = user_arg;
    bool first = r->count == 0;
    record(event, user_arg);
    if (first) {
        /* Held until both posters are half-way: the ring overflows for certain, and the rest of the flood
         * runs while this thread handles the backlog. */
        while (atomic_load(&s_posters[0]->posted) < FLOOD_POSTS / 2 ||
               atomic_load(&s_posters[1]->posted) < FLOOD_POSTS / 2) {
            sched_yield();
        }
    }
    /* Slower than the posters, so that the ring overflows again and again. */
    for (volatile int i = 0; i < 2000; i++) {
    }
}

static bool same_key(const app_event_t *a, const app_event_t *b)
{
    return a->kind == b->kind && a->timer == b->timer;
}

static void check_poster(const poster_t *poster)
{
    uint32_t last_token = 0;
    uint32_t last_of_key[FLOOD_KEYS] = {0};
    for (int i = 0; i < recorder.count && i < MAX_SEEN; i++) {
        for (int k = 0; k < FLOOD_KEYS; k++) {
            if (same_key(&recorder.seen[i], &poster->keys[k])) {
                assert_true(recorder.seen[i].token > last_token); /* not reordered */
                last_token = recorder.seen[i].token;
                last_of_key[k] = last_token;
            }
        }
    }
    for (int k = 0; k < FLOOD_KEYS; k++) {
        /* The last post of each key (seq with seq % FLOOD_KEYS == k, the highest) was handled. */
        uint32_t last_posted = FLOOD_POSTS - (uint32_t)((FLOOD_POSTS - k) % FLOOD_KEYS);
        assert_int_equal(last_of_key[k], last_posted);
    }
    assert_int_equal(poster->refused, 0);
}

static void test_a_flood_from_two_threads_loses_nothing_and_reorders_nothing_per_key(void **state)
{
    (void)state;
    poster_t mqtt = {.keys = {event_with_token(APP_EVENT_MQTT_CONNECTED, 0),
                              event_with_token(APP_EVENT_MQTT_DISCONNECTED, 0),
                              event_with_token(APP_EVENT_TIMER_FIRED, 0)}};
    mqtt.keys[2].timer = APP_TIMER_CONNECTION;
    poster_t wifi = {.keys = {event_with_token(APP_EVENT_WIFI_GOT_IP, 0),
                              event_with_token(APP_EVENT_WIFI_LOST_IP, 0),
                              event_with_token(APP_EVENT_TIMER_FIRED, 0)}};
    wifi.keys[2].timer = APP_TIMER_LINK;
    atomic_init(&mqtt.posted, 0);
    atomic_init(&wifi.posted, 0);
    s_posters[0] = &mqtt;
    s_posters[1] = &wifi;
    assert_int_equal(sim_executor_start(&executor, slow_record, &recorder), APP_OK);
    pthread_t a;
    pthread_t b;
    assert_int_equal(pthread_create(&a, NULL, flood, &mqtt), 0);
    assert_int_equal(pthread_create(&b, NULL, flood, &wifi), 0);
    assert_int_equal(pthread_join(a, NULL), 0);
    assert_int_equal(pthread_join(b, NULL), 0);
    sim_executor_stop(&executor);

    assert_true(recorder.count <= MAX_SEEN);
    assert_int_equal(recorder.seen[recorder.count - 1].kind, APP_EVENT_STOP);
    check_poster(&mqtt);
    check_poster(&wifi);
    /* Every post was handled or replaced by a newer one of its key. */
    app_event_backlog_stats_t stats = sim_executor_stats(&executor);
    assert_int_equal(stats.lost, 0);
    assert_true(stats.coalesced > 0);
    assert_int_equal((uint32_t)(recorder.count - 1) + stats.coalesced, 2 * FLOOD_POSTS);
}

static void test_port_table_points_at_the_adapter(void **state)
{
    (void)state;
    assert_ptr_equal(sim_executor_port.start, sim_executor_start);
    assert_ptr_equal(sim_executor_port.post, sim_executor_post);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_events_are_handled_in_order_on_another_thread),
        T(test_outcomes_posted_beyond_a_full_ring_are_all_handled_in_order),
        T(test_the_latest_value_of_each_key_is_handled_in_the_position_of_its_last_post),
        T(test_post_returns_false_only_when_the_backlog_refuses),
        T(test_a_flood_from_two_threads_loses_nothing_and_reorders_nothing_per_key),
        T(test_full_ring_drains_after_start),
        T(test_posted_stop_ends_the_thread_after_handling_it),
        T(test_post_after_stop_is_refused),
        T(test_handler_may_post_without_deadlock),
        T(test_start_twice_is_refused),
        T(test_port_table_points_at_the_adapter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
