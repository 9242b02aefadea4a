/* sim_timer: the one-shot retry timer thread, the monotonic clock and the random source. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "sim_timer.h"

/* A recording executor port whose post() can be waited on. */
typedef struct {
    pthread_mutex_t mutex;
    pthread_cond_t posted;
    int count;
    app_event_t last;
    bool refuse;
} fake_executor_t;

static fake_executor_t fake;
static sim_timer_t timer;

static bool fake_post(void *ctx, const app_event_t *event)
{
    fake_executor_t *f = ctx;
    pthread_mutex_lock(&f->mutex);
    bool accepted = !f->refuse;
    if (accepted) {
        f->count++;
        f->last = *event;
    }
    pthread_cond_broadcast(&f->posted);
    pthread_mutex_unlock(&f->mutex);
    return accepted;
}

static app_err_t fake_start(void *ctx, app_event_handler_fn handler, void *user_arg)
{
    (void)ctx;
    (void)handler;
    (void)user_arg;
    return APP_OK;
}

static const executor_port_t fake_port = {.start = fake_start, .post = fake_post};

/* Waits (real time, generous) until count posts arrived; false on timeout. */
static bool wait_posts(int count, int timeout_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&fake.mutex);
    int rc = 0;
    while (fake.count < count && rc != ETIMEDOUT) {
        rc = pthread_cond_timedwait(&fake.posted, &fake.mutex, &deadline);
    }
    bool reached = fake.count >= count;
    pthread_mutex_unlock(&fake.mutex);
    return reached;
}

static int setup(void **state)
{
    (void)state;
    memset(&fake, 0, sizeof(fake));
    pthread_mutex_init(&fake.mutex, NULL);
    pthread_cond_init(&fake.posted, NULL);
    assert_true(sim_timer_init(&timer, &fake_port, &fake, 12345));
    assert_true(sim_timer_start(&timer));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sim_timer_deinit(&timer);
    pthread_cond_destroy(&fake.posted);
    pthread_mutex_destroy(&fake.mutex);
    return 0;
}

static void test_expiry_posts_retry_timer_fired_with_the_token(void **state)
{
    (void)state;
    uint64_t armed_at = sim_timer_now_ms(&timer);
    assert_int_equal(sim_timer_arm_once(&timer, APP_TIMER_CONNECTION, 20, 77), APP_OK);
    assert_true(wait_posts(1, 5000));
    assert_true(sim_timer_now_ms(&timer) >= armed_at + 20);
    assert_int_equal(fake.last.kind, APP_EVENT_TIMER_FIRED);
    assert_int_equal(fake.last.timer, APP_TIMER_CONNECTION);
    assert_int_equal(fake.last.token, 77);
}

static void test_each_timer_fires_on_its_own_deadline_with_its_id(void **state)
{
    (void)state;
    assert_int_equal(sim_timer_arm_once(&timer, APP_TIMER_CONNECTION, 200, 1), APP_OK);
    assert_int_equal(sim_timer_arm_once(&timer, APP_TIMER_LINK, 10, 2), APP_OK);
    assert_true(wait_posts(1, 5000));
    assert_int_equal(fake.last.timer, APP_TIMER_LINK);
    assert_int_equal(fake.last.token, 2);
    assert_true(wait_posts(2, 5000));
    assert_int_equal(fake.last.timer, APP_TIMER_CONNECTION);
    assert_int_equal(fake.last.token, 1);
    assert_int_equal(sim_timer_arm_once(&timer, APP_TIMER_COUNT, 1, 1), APP_ERR_INVALID_ARG);
    assert_int_equal(sim_timer_cancel(&timer, APP_TIMER_COUNT), APP_ERR_INVALID_ARG);
}

static void test_timer_is_one_shot(void **state)
{
    (void)state;
    assert_int_equal(sim_timer_arm_once(&timer, APP_TIMER_CONNECTION, 5, 1), APP_OK);
    assert_true(wait_posts(1, 5000));
    assert_false(wait_posts(2, 100));
    assert_int_equal(fake.count, 1);
}

static void test_arm_replaces_the_armed_timer(void **state)
{
    (void)state;
    assert_int_equal(sim_timer_arm_once(&timer, APP_TIMER_CONNECTION, 10000, 1), APP_OK);
    assert_int_equal(sim_timer_arm_once(&timer, APP_TIMER_CONNECTION, 10, 2), APP_OK);
    assert_true(wait_posts(1, 5000));
    assert_int_equal(fake.last.token, 2);
    assert_false(wait_posts(2, 100));
}

static void test_cancel_disarms(void **state)
{
    (void)state;
    assert_int_equal(sim_timer_arm_once(&timer, APP_TIMER_CONNECTION, 30, 5), APP_OK);
    assert_int_equal(sim_timer_cancel(&timer, APP_TIMER_CONNECTION), APP_OK);
    assert_false(wait_posts(1, 150));
    assert_int_equal(fake.count, 0);
}

static void test_refused_expiry_is_counted(void **state)
{
    (void)state;
    fake.refuse = true;
    assert_int_equal(sim_timer_arm_once(&timer, APP_TIMER_CONNECTION, 1, 9), APP_OK);
    for (int i = 0; i < 500; i++) {
        pthread_mutex_lock(&timer.mutex);
        unsigned long dropped = timer.dropped;
        pthread_mutex_unlock(&timer.mutex);
        if (dropped == 1) {
            return;
        }
        struct timespec pause = {0, 2000000};
        nanosleep(&pause, NULL);
    }
    fail_msg("the refused expiry was not counted");
}

static void test_clock_starts_near_zero_and_never_goes_back(void **state)
{
    (void)state;
    uint64_t first = sim_timer_now_ms(&timer);
    assert_true(first < 1000);
    uint64_t previous = first;
    for (int i = 0; i < 1000; i++) {
        uint64_t now = sim_timer_now_ms(&timer);
        assert_true(now >= previous);
        previous = now;
    }
}

static void test_random_is_reproducible_for_a_seed(void **state)
{
    (void)state;
    sim_timer_t a;
    sim_timer_t b;
    sim_timer_t c;
    assert_true(sim_timer_init(&a, &fake_port, &fake, 42));
    assert_true(sim_timer_init(&b, &fake_port, &fake, 42));
    assert_true(sim_timer_init(&c, &fake_port, &fake, 43));
    bool differs = false;
    for (int i = 0; i < 8; i++) {
        uint32_t va = sim_timer_random_u32(&a);
        assert_int_equal(va, sim_timer_random_u32(&b));
        differs = differs || va != sim_timer_random_u32(&c);
    }
    assert_true(differs);
    sim_timer_deinit(&a);
    sim_timer_deinit(&b);
    sim_timer_deinit(&c);
}

static void test_random_values_vary(void **state)
{
    (void)state;
    uint32_t first = sim_timer_random_u32(&timer);
    bool varied = false;
    for (int i = 0; i < 16 && !varied; i++) {
        varied = sim_timer_random_u32(&timer) != first;
    }
    assert_true(varied);
}

static void test_stop_ends_the_posts_and_keeps_the_clock(void **state)
{
    (void)state;
    assert_int_equal(sim_timer_arm_once(&timer, APP_TIMER_CONNECTION, 20, 3), APP_OK);
    sim_timer_stop(&timer);
    assert_false(timer.thread_running);
    /* the armed expiry never comes: after stop() the executor may be gone */
    assert_false(wait_posts(1, 150));
    assert_int_equal(fake.count, 0);
    /* arming after the stop is harmless and posts nothing */
    assert_int_equal(sim_timer_arm_once(&timer, APP_TIMER_CONNECTION, 1, 4), APP_OK);
    assert_false(wait_posts(1, 50));
    uint64_t before = sim_timer_now_ms(&timer);
    assert_true(sim_timer_now_ms(&timer) >= before);
    sim_timer_stop(&timer);                /* idempotent */
    assert_false(sim_timer_start(&timer)); /* and final */
}

static void test_stop_without_a_thread_is_harmless(void **state)
{
    (void)state;
    sim_timer_t idle;
    assert_true(sim_timer_init(&idle, &fake_port, &fake, 7));
    sim_timer_stop(&idle);
    sim_timer_stop(NULL);
    sim_timer_deinit(&idle);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_expiry_posts_retry_timer_fired_with_the_token),
        T(test_timer_is_one_shot),
        T(test_arm_replaces_the_armed_timer),
        T(test_each_timer_fires_on_its_own_deadline_with_its_id),
        T(test_cancel_disarms),
        T(test_refused_expiry_is_counted),
        T(test_clock_starts_near_zero_and_never_goes_back),
        T(test_random_is_reproducible_for_a_seed),
        T(test_random_values_vary),
        T(test_stop_ends_the_posts_and_keeps_the_clock),
        T(test_stop_without_a_thread_is_harmless),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
