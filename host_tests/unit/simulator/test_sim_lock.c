/* sim_lock: the shared lock, always taken with a timeout. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <time.h>

#include "sim_lock.h"

static sim_lock_t lock;

static int setup(void **state)
{
    (void)state;
    assert_true(sim_lock_init(&lock));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sim_lock_deinit(&lock);
    return 0;
}

static uint64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

typedef struct {
    uint32_t timeout_ms;
    app_err_t result;
} take_io_t;

static void *take_in_thread(void *arg)
{
    take_io_t *io = arg;
    io->result = sim_lock_take(&lock, io->timeout_ms);
    if (io->result == APP_OK) {
        sim_lock_give(&lock);
    }
    return NULL;
}

static void test_free_lock_is_taken_and_given(void **state)
{
    (void)state;
    assert_int_equal(sim_lock_take(&lock, 10), APP_OK);
    sim_lock_give(&lock);
    assert_int_equal(sim_lock_take(&lock, 0), APP_OK);
    sim_lock_give(&lock);
}

static void test_held_lock_times_out_after_the_timeout(void **state)
{
    (void)state;
    assert_int_equal(sim_lock_take(&lock, 10), APP_OK);
    take_io_t io = {.timeout_ms = 50, .result = APP_OK};
    uint64_t started = monotonic_ms();
    pthread_t other;
    assert_int_equal(pthread_create(&other, NULL, take_in_thread, &io), 0);
    pthread_join(other, NULL);
    uint64_t waited = monotonic_ms() - started;
    sim_lock_give(&lock);
    assert_int_equal(io.result, APP_ERR_LOCK_TIMEOUT);
    assert_true(waited >= 45); /* it waited, and did not give up at once (clock granularity aside) */
}

static void test_lock_given_back_is_available_to_another_thread(void **state)
{
    (void)state;
    assert_int_equal(sim_lock_take(&lock, 10), APP_OK);
    sim_lock_give(&lock);
    take_io_t io = {.timeout_ms = 50, .result = APP_ERR_LOCK_TIMEOUT};
    pthread_t other;
    assert_int_equal(pthread_create(&other, NULL, take_in_thread, &io), 0);
    pthread_join(other, NULL);
    assert_int_equal(io.result, APP_OK);
}

static void test_second_take_by_the_holder_is_refused_not_deadlocked(void **state)
{
    (void)state;
    assert_int_equal(sim_lock_take(&lock, 10), APP_OK);
    assert_int_equal(sim_lock_take(&lock, 10), APP_ERR_LOCK_TIMEOUT);
    sim_lock_give(&lock);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_free_lock_is_taken_and_given),
        T(test_held_lock_times_out_after_the_timeout),
        T(test_lock_given_back_is_available_to_another_thread),
        T(test_second_take_by_the_holder_is_refused_not_deadlocked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
