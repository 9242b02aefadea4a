/*
 * sim_timer: see sim_timer.h.
 */
#include "sim_timer.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

const timer_port_t sim_timer_port = {
    .arm_once = sim_timer_arm_once,
    .cancel = sim_timer_cancel,
    .now_ms = sim_timer_now_ms,
    .random_u32 = sim_timer_random_u32,
};

static uint64_t timespec_to_ms(const struct timespec *ts)
{
    return (uint64_t)ts->tv_sec * 1000u + (uint64_t)ts->tv_nsec / 1000000u;
}

static uint64_t seed_from_os(void)
{
    uint64_t seed = 0;
    if (getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed) || seed == 0) {
        /* No entropy source: a time-based seed is good enough for retry jitter. */
        struct timespec now;
        (void)clock_gettime(CLOCK_MONOTONIC, &now);
        seed = ((uint64_t)now.tv_sec << 32) ^ (uint64_t)now.tv_nsec ^ 0x9E3779B97F4A7C15ull;
    }
    return seed;
}

bool sim_timer_init(sim_timer_t *timer, const executor_port_t *executor, void *executor_ctx, uint64_t seed)
{
    if (timer == NULL || executor == NULL) {
        return false;
    }
    memset(timer, 0, sizeof(*timer));
    timer->executor = executor;
    timer->executor_ctx = executor_ctx;
    timer->rng_state = seed != 0 ? seed : seed_from_os();
    (void)clock_gettime(CLOCK_MONOTONIC, &timer->start);
    if (pthread_mutex_init(&timer->mutex, NULL) != 0) {
        return false;
    }
    pthread_condattr_t attr;
    bool ok = pthread_condattr_init(&attr) == 0;
    ok = ok && pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0;
    ok = ok && pthread_cond_init(&timer->changed, &attr) == 0;
    (void)pthread_condattr_destroy(&attr);
    if (!ok) {
        (void)pthread_mutex_destroy(&timer->mutex);
    }
    return ok;
}

static bool before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* The armed timer due first, or -1 when none is armed. Under the mutex. */
static int earliest(const sim_timer_t *timer)
{
    int found = -1;
    for (int i = 0; i < APP_TIMER_COUNT; i++) {
        if (timer->timers[i].armed &&
            (found < 0 || before(&timer->timers[i].deadline, &timer->timers[found].deadline))) {
            found = i;
        }
    }
    return found;
}

static void *timer_thread(void *arg)
{
    sim_timer_t *timer = arg;
    (void)pthread_mutex_lock(&timer->mutex);
    while (!timer->stop) {
        const int next = earliest(timer);
        if (next < 0) {
            (void)pthread_cond_wait(&timer->changed, &timer->mutex);
            continue;
        }
        struct timespec now;
        (void)clock_gettime(CLOCK_MONOTONIC, &now);
        if (before(&now, &timer->timers[next].deadline)) {
            (void)pthread_cond_timedwait(&timer->changed, &timer->mutex, &timer->timers[next].deadline);
            continue; /* re-check: woken early by arm/cancel/stop, or the deadline passed */
        }
        timer->timers[next].armed = false;
        app_event_t event;
        memset(&event, 0, sizeof(event));
        event.kind = APP_EVENT_TIMER_FIRED;
        event.timer = (app_timer_id_t)next;
        event.token = timer->timers[next].token;
        (void)pthread_mutex_unlock(&timer->mutex);
        bool posted = timer->executor->post(timer->executor_ctx, &event);
        (void)pthread_mutex_lock(&timer->mutex);
        if (posted) {
            timer->fired++;
        } else {
            timer->dropped++;
        }
    }
    (void)pthread_mutex_unlock(&timer->mutex);
    return NULL;
}

bool sim_timer_start(sim_timer_t *timer)
{
    (void)pthread_mutex_lock(&timer->mutex);
    bool ok = timer->thread_running;
    if (!ok && !timer->stop) {
        ok = pthread_create(&timer->thread, NULL, timer_thread, timer) == 0;
        timer->thread_running = ok;
    }
    (void)pthread_mutex_unlock(&timer->mutex);
    return ok;
}

void sim_timer_stop(sim_timer_t *timer)
{
    if (timer == NULL) {
        return;
    }
    (void)pthread_mutex_lock(&timer->mutex);
    timer->stop = true;
    bool join = timer->thread_running;
    timer->thread_running = false;
    (void)pthread_cond_signal(&timer->changed);
    (void)pthread_mutex_unlock(&timer->mutex);
    if (join) {
        (void)pthread_join(timer->thread, NULL);
    }
}

void sim_timer_deinit(sim_timer_t *timer)
{
    if (timer == NULL) {
        return;
    }
    sim_timer_stop(timer);
    (void)pthread_cond_destroy(&timer->changed);
    (void)pthread_mutex_destroy(&timer->mutex);
}

app_err_t sim_timer_arm_once(void *ctx, app_timer_id_t id, uint32_t delay_ms, uint32_t token)
{
    sim_timer_t *timer = ctx;
    if (timer == NULL || (unsigned)id >= (unsigned)APP_TIMER_COUNT) {
        return APP_ERR_INVALID_ARG;
    }
    struct timespec deadline;
    (void)clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += (time_t)(delay_ms / 1000u);
    deadline.tv_nsec += (long)(delay_ms % 1000u) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    (void)pthread_mutex_lock(&timer->mutex);
    timer->timers[id].deadline = deadline;
    timer->timers[id].token = token;
    timer->timers[id].armed = true;
    (void)pthread_cond_signal(&timer->changed);
    (void)pthread_mutex_unlock(&timer->mutex);
    return APP_OK;
}

app_err_t sim_timer_cancel(void *ctx, app_timer_id_t id)
{
    sim_timer_t *timer = ctx;
    if (timer == NULL || (unsigned)id >= (unsigned)APP_TIMER_COUNT) {
        return APP_ERR_INVALID_ARG;
    }
    (void)pthread_mutex_lock(&timer->mutex);
    timer->timers[id].armed = false;
    (void)pthread_cond_signal(&timer->changed);
    (void)pthread_mutex_unlock(&timer->mutex);
    return APP_OK;
}

uint64_t sim_timer_now_ms(void *ctx)
{
    sim_timer_t *timer = ctx;
    struct timespec now;
    (void)clock_gettime(CLOCK_MONOTONIC, &now);
    if (timer == NULL) {
        return timespec_to_ms(&now);
    }
    /* start is immutable after init: no lock needed. */
    return timespec_to_ms(&now) - timespec_to_ms(&timer->start);
}

uint32_t sim_timer_random_u32(void *ctx)
{
    sim_timer_t *timer = ctx;
    if (timer == NULL) {
        return 0;
    }
    (void)pthread_mutex_lock(&timer->mutex);
    /* splitmix64: small, fast and well distributed; jitter needs nothing stronger. */
    uint64_t z = (timer->rng_state += 0x9E3779B97F4A7C15ull);
    (void)pthread_mutex_unlock(&timer->mutex);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (uint32_t)(z >> 32);
}
