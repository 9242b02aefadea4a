/* sim_executor: the application thread fed by a bounded ring that never blocks a poster. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include "sim_executor.h"

#define MAX_SEEN 256

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

static void test_post_returns_false_when_the_ring_is_full(void **state)
{
    (void)state;
    /* Not started: nothing drains the ring. */
    app_event_t e = event_with_token(APP_EVENT_HTTP_STARTED, 0);
    for (int i = 0; i < SIM_EXECUTOR_QUEUE_LEN; i++) {
        assert_true(sim_executor_post(&executor, &e));
    }
    assert_false(sim_executor_post(&executor, &e));
    assert_int_equal(sim_executor_dropped(&executor), 1);
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
        T(test_post_returns_false_when_the_ring_is_full),
        T(test_full_ring_drains_after_start),
        T(test_posted_stop_ends_the_thread_after_handling_it),
        T(test_post_after_stop_is_refused),
        T(test_handler_may_post_without_deadlock),
        T(test_start_twice_is_refused),
        T(test_port_table_points_at_the_adapter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
