/*
 * fleet_executor: many devices' application tasks on a few shared workers. Each device's events run in
 * the order posted and never two at once; a busy device does not hold the others back; STOP ends a device.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fleet_executor.h"

#define DEVICES 8
#define EVENTS  200

typedef struct {
    fleet_executor_queue_t queue;
    atomic_int inside; /* handlers of this device running now */
    atomic_int overlaps;
    int handled[EVENTS + 1]; /* msg_id of each event, in the order handled */
    int count;
    bool repost; /* the handler posts its next event itself */
    int repost_until;
} device_t;

typedef struct {
    fleet_executor_pool_t pool;
    device_t devices[DEVICES];
    pthread_mutex_t order_mutex;
    int order[4 * EVENTS]; /* device index of every event handled, over all devices */
    int order_count;
} fixture_t;

static fixture_t *current;

static void pause_us(long us)
{
    struct timespec ts = {.tv_sec = 0, .tv_nsec = us * 1000};
    nanosleep(&ts, NULL);
}

static app_event_t event_with_id(int32_t id)
{
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = APP_EVENT_CONFIG_CHANGED;
    event.msg_id = id;
    return event;
}

static void handler(const app_event_t *event, void *user_arg)
{
    device_t *device = user_arg;
    if (atomic_fetch_add(&device->inside, 1) != 0) {
        atomic_fetch_add(&device->overlaps, 1);
    }
    pause_us(50); /* widens the window in which a second worker could wrongly enter */
    if (event->kind != APP_EVENT_STOP && device->count < EVENTS) {
        device->handled[device->count++] = event->msg_id;
    }
    pthread_mutex_lock(&current->order_mutex);
    if (current->order_count < (int)(sizeof(current->order) / sizeof(current->order[0]))) {
        current->order[current->order_count++] = (int)(device - current->devices);
    }
    pthread_mutex_unlock(&current->order_mutex);
    if (device->repost && event->kind != APP_EVENT_STOP && event->msg_id < device->repost_until) {
        app_event_t next = event_with_id(event->msg_id + 1);
        assert_true(fleet_executor_post(&device->queue, &next));
    }
    atomic_fetch_sub(&device->inside, 1);
}

static int setup_with(void **state, size_t workers)
{
    fixture_t *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    current = f;
    pthread_mutex_init(&f->order_mutex, NULL);
    assert_true(fleet_executor_pool_start(&f->pool, workers));
    for (int i = 0; i < DEVICES; i++) {
        fleet_executor_queue_init(&f->devices[i].queue, &f->pool);
    }
    *state = f;
    return 0;
}

static int setup(void **state)
{
    return setup_with(state, 4);
}

static int setup_one_worker(void **state)
{
    return setup_with(state, 1);
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    for (int i = 0; i < DEVICES; i++) {
        fleet_executor_queue_stop(&f->devices[i].queue);
    }
    fleet_executor_pool_wait_finished(&f->pool);
    fleet_executor_pool_stop(&f->pool);
    pthread_mutex_destroy(&f->order_mutex);
    free(f);
    return 0;
}

static void start(fixture_t *f, int index)
{
    assert_int_equal(fleet_executor_start(&f->devices[index].queue, handler, &f->devices[index]), APP_OK);
}

/* Posts `count` events 1..count to a device, retrying while its ring is full (the workers drain it). */
static void post_all(device_t *device, int count)
{
    for (int id = 1; id <= count; id++) {
        app_event_t event = event_with_id(id);
        while (!fleet_executor_post(&device->queue, &event)) {
            pause_us(100);
        }
    }
}

static void stop_and_wait(fixture_t *f)
{
    for (int i = 0; i < DEVICES; i++) {
        fleet_executor_queue_stop(&f->devices[i].queue);
    }
    fleet_executor_pool_wait_finished(&f->pool);
}

static void test_each_devices_events_run_in_order_and_never_two_at_once(void **state)
{
    fixture_t *f = *state;
    for (int i = 0; i < DEVICES; i++) {
        start(f, i);
    }
    for (int round = 0; round < EVENTS / 20; round++) {
        for (int i = 0; i < DEVICES; i++) {
            for (int k = 1; k <= 20; k++) {
                app_event_t event = event_with_id(round * 20 + k);
                while (!fleet_executor_post(&f->devices[i].queue, &event)) {
                    pause_us(100);
                }
            }
        }
    }
    stop_and_wait(f);
    for (int i = 0; i < DEVICES; i++) {
        assert_int_equal(f->devices[i].count, EVENTS);
        assert_int_equal(atomic_load(&f->devices[i].overlaps), 0);
        for (int k = 0; k < EVENTS; k++) {
            assert_int_equal(f->devices[i].handled[k], k + 1);
        }
    }
}

static void test_a_busy_device_does_not_hold_back_another(void **state)
{
    fixture_t *f = *state; /* one worker: the order is the run list's */
    f->devices[0].repost = true;
    f->devices[0].repost_until = 50;
    start(f, 0);
    start(f, 1);
    app_event_t first = event_with_id(1);
    pthread_mutex_lock(&f->order_mutex); /* holds the worker in its first event's handler */
    assert_true(fleet_executor_post(&f->devices[0].queue, &first));
    pause_us(2000);
    app_event_t other = event_with_id(1);
    assert_true(fleet_executor_post(&f->devices[1].queue, &other));
    pthread_mutex_unlock(&f->order_mutex);
    /* Device 0's chain ends by itself after its 50th event (a STOP now would cut it short). */
    for (int waited = 0; waited < 5000; waited++) {
        pthread_mutex_lock(&f->order_mutex);
        int handled = f->order_count;
        pthread_mutex_unlock(&f->order_mutex);
        if (handled == 51) {
            break;
        }
        pause_us(1000);
    }
    stop_and_wait(f);
    assert_int_equal(f->devices[0].count, 50);
    /* Device 1's event is handled right after device 0's current one, not after all 50. */
    int position = -1;
    for (int i = 0; i < f->order_count; i++) {
        if (f->order[i] == 1) {
            position = i;
            break;
        }
    }
    assert_true(position >= 1 && position <= 2);
}

static void test_events_posted_before_start_run_after_it(void **state)
{
    fixture_t *f = *state;
    post_all(&f->devices[2], 3);
    pause_us(2000);
    assert_int_equal(f->devices[2].count, 0);
    start(f, 2);
    stop_and_wait(f);
    assert_int_equal(f->devices[2].count, 3);
    assert_int_equal(f->devices[2].handled[2], 3);
}

static void test_a_full_ring_refuses_and_counts(void **state)
{
    fixture_t *f = *state; /* not started: nothing drains the ring */
    for (int i = 0; i < FLEET_EXECUTOR_QUEUE_LEN; i++) {
        app_event_t event = event_with_id(i + 1);
        assert_true(fleet_executor_post(&f->devices[3].queue, &event));
    }
    app_event_t extra = event_with_id(99);
    assert_false(fleet_executor_post(&f->devices[3].queue, &extra));
    assert_false(fleet_executor_post(&f->devices[3].queue, &extra));
    assert_int_equal(fleet_executor_queue_dropped(&f->devices[3].queue), 2);
}

static void test_stop_finishes_a_device_and_later_posts_are_refused(void **state)
{
    fixture_t *f = *state;
    start(f, 4);
    post_all(&f->devices[4], 5);
    fleet_executor_queue_stop(&f->devices[4].queue);
    app_event_t late = event_with_id(6);
    assert_false(fleet_executor_post(&f->devices[4].queue, &late));
    assert_int_equal(fleet_executor_queue_dropped(&f->devices[4].queue), 0); /* refused, not dropped */
    stop_and_wait(f);
    assert_int_equal(f->devices[4].count, 5);
    assert_true(f->devices[4].queue.finished);
}

static void test_devices_never_started_do_not_hold_up_the_stop(void **state)
{
    fixture_t *f = *state;
    start(f, 5);
    stop_and_wait(f); /* devices 0-4 and 6-7 never started: returns once device 5 has stopped */
    assert_true(f->devices[5].queue.finished);
    assert_true(f->devices[0].queue.finished);
}

static void test_start_twice_is_refused(void **state)
{
    fixture_t *f = *state;
    start(f, 6);
    assert_int_equal(fleet_executor_start(&f->devices[6].queue, handler, &f->devices[6]),
                     APP_ERR_INVALID_ARG);
    assert_int_equal(fleet_executor_start(&f->devices[7].queue, NULL, NULL), APP_ERR_INVALID_ARG);
}

static void test_pool_size_is_checked(void **state)
{
    (void)state;
    fleet_executor_pool_t pool;
    assert_false(fleet_executor_pool_start(&pool, 0));
    assert_false(fleet_executor_pool_start(&pool, FLEET_EXECUTOR_MAX_WORKERS + 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_each_devices_events_run_in_order_and_never_two_at_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_busy_device_does_not_hold_back_another, setup_one_worker,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_events_posted_before_start_run_after_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_full_ring_refuses_and_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_finishes_a_device_and_later_posts_are_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_devices_never_started_do_not_hold_up_the_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_start_twice_is_refused, setup, teardown),
        cmocka_unit_test(test_pool_size_is_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
