/*
 * fleet_timer: every device's timers on one thread and one heap. A timer fires once with its id and token
 * through its own device's executor; re-arming replaces, cancel disarms; expiries come in deadline order
 * whatever order the timers were armed in; the clock and the random streams.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fleet_timer.h"

#define SLOTS     100
#define MAX_FIRED 1024

typedef struct {
    int slot;
    app_event_t event;
} fired_t;

typedef struct {
    fleet_timer_t timer;
    fleet_timer_slot_t slots[SLOTS];
    int ids[SLOTS]; /* executor context of each slot: which slot fired */
    pthread_mutex_t mutex;
    pthread_cond_t changed;
    fired_t fired[MAX_FIRED];
    int count;
    bool refuse; /* the executor refuses posts */
} fixture_t;

static fixture_t *current;

static bool record_post(void *ctx, const app_event_t *event)
{
    fixture_t *f = current;
    pthread_mutex_lock(&f->mutex);
    bool accept = !f->refuse && f->count < MAX_FIRED;
    if (accept) {
        f->fired[f->count].slot = *(const int *)ctx;
        f->fired[f->count].event = *event;
        f->count++;
        pthread_cond_broadcast(&f->changed);
    }
    pthread_mutex_unlock(&f->mutex);
    return accept;
}

static app_err_t unused_start(void *ctx, app_event_handler_fn handler, void *user_arg)
{
    (void)ctx;
    (void)handler;
    (void)user_arg;
    return APP_OK;
}

static const executor_port_t recording_executor = {.start = unused_start, .post = record_post};

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    current = f;
    pthread_mutex_init(&f->mutex, NULL);
    pthread_cond_init(&f->changed, NULL);
    assert_true(fleet_timer_init(&f->timer, SLOTS));
    for (int i = 0; i < SLOTS; i++) {
        f->ids[i] = i;
        fleet_timer_slot_init(&f->slots[i], &f->timer, &recording_executor, &f->ids[i], (uint64_t)i + 1);
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    fleet_timer_deinit(&f->timer);
    pthread_cond_destroy(&f->changed);
    pthread_mutex_destroy(&f->mutex);
    free(f);
    return 0;
}

/* Waits (at most 5 s) until `count` expiries were posted; returns how many there are. */
static int wait_fired(fixture_t *f, int count)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 5;
    pthread_mutex_lock(&f->mutex);
    while (f->count < count && pthread_cond_timedwait(&f->changed, &f->mutex, &deadline) == 0) {
    }
    int fired = f->count;
    pthread_mutex_unlock(&f->mutex);
    return fired;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void test_a_timer_fires_once_with_its_id_and_token_on_its_device(void **state)
{
    fixture_t *f = *state;
    uint64_t armed_at = fleet_timer_now_ms(&f->slots[7]);
    assert_int_equal(fleet_timer_arm_once(&f->slots[7], APP_TIMER_LINK, 20, 4242), APP_OK);
    assert_int_equal(wait_fired(f, 1), 1);
    assert_true(fleet_timer_now_ms(&f->slots[7]) >= armed_at + 20);
    assert_int_equal(f->fired[0].slot, 7);
    assert_int_equal(f->fired[0].event.kind, APP_EVENT_TIMER_FIRED);
    assert_int_equal(f->fired[0].event.timer, APP_TIMER_LINK);
    assert_int_equal(f->fired[0].event.token, 4242);
    sleep_ms(30);
    assert_int_equal(f->count, 1);
}

static void test_re_arming_replaces_the_armed_timer(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(fleet_timer_arm_once(&f->slots[1], APP_TIMER_CONNECTION, 10, 1), APP_OK);
    assert_int_equal(fleet_timer_arm_once(&f->slots[1], APP_TIMER_CONNECTION, 30, 2), APP_OK);
    assert_int_equal(wait_fired(f, 1), 1);
    sleep_ms(40);
    assert_int_equal(f->count, 1);
    assert_int_equal(f->fired[0].event.token, 2);
}

static void test_cancel_disarms_only_that_timer(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(fleet_timer_arm_once(&f->slots[2], APP_TIMER_CONNECTION, 10, 1), APP_OK);
    assert_int_equal(fleet_timer_arm_once(&f->slots[2], APP_TIMER_LINK, 20, 2), APP_OK);
    assert_int_equal(fleet_timer_arm_once(&f->slots[3], APP_TIMER_CONNECTION, 15, 3), APP_OK);
    assert_int_equal(fleet_timer_cancel(&f->slots[2], APP_TIMER_CONNECTION), APP_OK);
    assert_int_equal(fleet_timer_cancel(&f->slots[4], APP_TIMER_LINK), APP_OK); /* not armed: fine */
    assert_int_equal(wait_fired(f, 2), 2);
    sleep_ms(30);
    assert_int_equal(f->count, 2);
    assert_int_equal(f->fired[0].event.token, 3);
    assert_int_equal(f->fired[1].event.token, 2);
}

#define LATE_DELAY 650u

static uint32_t scrambled_delay(int n)
{
    return 10u + 3u * (uint32_t)((n * 149) % (SLOTS * APP_TIMER_COUNT));
}

static void test_expiries_come_in_deadline_order_whatever_the_arming_order(void **state)
{
    fixture_t *f = *state;
    /* 2 timers per slot, delays 10..607 ms, 3 ms apart (arming them all takes well under that), in a
     * scrambled order; every third one cancelled again and every fifth one re-armed with a later delay. */
    uint32_t expected_tokens = 0;
    for (int i = 0; i < SLOTS; i++) {
        for (int id = 0; id < APP_TIMER_COUNT; id++) {
            int n = i * APP_TIMER_COUNT + id;
            uint32_t delay = scrambled_delay(n);
            assert_int_equal(fleet_timer_arm_once(&f->slots[i], (app_timer_id_t)id, delay, (uint32_t)n),
                             APP_OK);
        }
    }
    for (int i = 0; i < SLOTS; i++) {
        for (int id = 0; id < APP_TIMER_COUNT; id++) {
            int n = i * APP_TIMER_COUNT + id;
            if (n % 3 == 0) {
                assert_int_equal(fleet_timer_cancel(&f->slots[i], (app_timer_id_t)id), APP_OK);
            } else if (n % 5 == 0) {
                assert_int_equal(
                    fleet_timer_arm_once(&f->slots[i], (app_timer_id_t)id, LATE_DELAY, 100000u + (uint32_t)n),
                    APP_OK);
                expected_tokens++;
            } else {
                expected_tokens++;
            }
        }
    }
    assert_int_equal(wait_fired(f, (int)expected_tokens), (int)expected_tokens);
    sleep_ms(20);
    assert_int_equal(f->count, (int)expected_tokens);
    uint64_t previous = 0;
    for (int k = 0; k < f->count; k++) {
        uint32_t token = f->fired[k].event.token;
        int n = token >= 100000u ? (int)(token - 100000u) : (int)token;
        assert_true(n % 3 != 0);
        uint64_t deadline = token >= 100000u ? LATE_DELAY : scrambled_delay(n);
        assert_true(deadline >= previous);
        previous = deadline;
        assert_int_equal(f->fired[k].slot, n / APP_TIMER_COUNT);
        assert_int_equal(f->fired[k].event.timer, n % APP_TIMER_COUNT);
    }
}

static void test_a_refused_post_is_counted(void **state)
{
    fixture_t *f = *state;
    f->refuse = true;
    assert_int_equal(fleet_timer_arm_once(&f->slots[9], APP_TIMER_LINK, 1, 1), APP_OK);
    for (int i = 0; i < 500; i++) {
        pthread_mutex_lock(&f->timer.mutex);
        unsigned long dropped = f->timer.dropped;
        pthread_mutex_unlock(&f->timer.mutex);
        if (dropped == 1) {
            return;
        }
        sleep_ms(2);
    }
    fail_msg("the refused expiry was not counted");
}

static void test_a_heap_with_room_for_one_slot_refuses_a_third_timer(void **state)
{
    (void)state;
    fleet_timer_t timer;
    assert_true(fleet_timer_init(&timer, 1));
    fleet_timer_slot_t a;
    fleet_timer_slot_t b;
    int id = 0;
    fleet_timer_slot_init(&a, &timer, &recording_executor, &id, 1);
    fleet_timer_slot_init(&b, &timer, &recording_executor, &id, 2);
    assert_int_equal(fleet_timer_arm_once(&a, APP_TIMER_CONNECTION, 1000, 1), APP_OK);
    assert_int_equal(fleet_timer_arm_once(&a, APP_TIMER_LINK, 1000, 1), APP_OK);
    assert_int_equal(fleet_timer_arm_once(&b, APP_TIMER_LINK, 1000, 1), APP_ERR_NO_MEMORY);
    assert_int_equal(fleet_timer_arm_once(&a, APP_TIMER_LINK, 500, 2), APP_OK); /* re-arming needs no room */
    assert_int_equal(fleet_timer_arm_once(&a, APP_TIMER_COUNT, 1, 1), APP_ERR_INVALID_ARG);
    assert_int_equal(fleet_timer_cancel(&a, APP_TIMER_COUNT), APP_ERR_INVALID_ARG);
    fleet_timer_deinit(&timer);
}

static void test_every_slot_shares_the_clock_and_has_its_own_random_stream(void **state)
{
    fixture_t *f = *state;
    uint64_t a = fleet_timer_now_ms(&f->slots[0]);
    uint64_t b = fleet_timer_uptime_ms(&f->timer);
    assert_true(b >= a && b - a < 1000);
    assert_int_equal(fleet_timer_now_ms(NULL), 0);

    fleet_timer_slot_t same_seed;
    int id = 0;
    fleet_timer_slot_init(&same_seed, &f->timer, &recording_executor, &id, 1); /* slot 0's seed */
    uint32_t first = fleet_timer_random_u32(&f->slots[0]);
    assert_int_equal(fleet_timer_random_u32(&same_seed), first);
    assert_int_not_equal(fleet_timer_random_u32(&f->slots[1]), first);
    assert_int_not_equal(fleet_timer_random_u32(&f->slots[0]), first);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_a_timer_fires_once_with_its_id_and_token_on_its_device),
        T(test_re_arming_replaces_the_armed_timer),
        T(test_cancel_disarms_only_that_timer),
        T(test_expiries_come_in_deadline_order_whatever_the_arming_order),
        T(test_a_refused_post_is_counted),
        cmocka_unit_test(test_a_heap_with_room_for_one_slot_refuses_a_third_timer),
        T(test_every_slot_shares_the_clock_and_has_its_own_random_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
