/*
 * sim_lock: see sim_lock.h.
 */
#include "sim_lock.h"

#include <errno.h>
#include <time.h>

const resource_lock_port_t sim_lock_port = {
    .take = sim_lock_take,
    .give = sim_lock_give,
};

bool sim_lock_init(sim_lock_t *lock)
{
    if (lock == NULL) {
        return false;
    }
    /* Error-checking type: a give without take, or a second take by the holder, is reported, not UB. */
    pthread_mutexattr_t attr;
    bool ok = pthread_mutexattr_init(&attr) == 0;
    ok = ok && pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK) == 0;
    ok = ok && pthread_mutex_init(&lock->mutex, &attr) == 0;
    (void)pthread_mutexattr_destroy(&attr);
    return ok;
}

void sim_lock_deinit(sim_lock_t *lock)
{
    if (lock != NULL) {
        (void)pthread_mutex_destroy(&lock->mutex);
    }
}

app_err_t sim_lock_take(void *ctx, uint32_t timeout_ms)
{
    sim_lock_t *lock = ctx;
    if (lock == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    struct timespec deadline;
    (void)clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += (time_t)(timeout_ms / 1000u);
    deadline.tv_nsec += (long)(timeout_ms % 1000u) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    int rc = pthread_mutex_timedlock(&lock->mutex, &deadline);
    if (rc == 0) {
        return APP_OK;
    }
    /* ETIMEDOUT, or EDEADLK when the holder takes it again: either way the caller did not get it. */
    return APP_ERR_LOCK_TIMEOUT;
}

void sim_lock_give(void *ctx)
{
    sim_lock_t *lock = ctx;
    if (lock != NULL) {
        (void)pthread_mutex_unlock(&lock->mutex);
    }
}
