/*
 * sim_timer: the timer port on Linux: one timer thread serving a one-shot timer per app_timer_id_t,
 * CLOCK_MONOTONIC for now_ms() (relative to sim_timer_init), and a PRNG seeded from getrandom() for
 * random_u32().
 *
 * arm_once() replaces that id's armed timer, cancel() disarms it; both only update the deadline under the
 * mutex and wake the thread, so they never block the application task. The thread waits for the earliest
 * deadline on a condition variable bound to CLOCK_MONOTONIC (wall-clock jumps do not move deadlines); on
 * expiry it posts APP_EVENT_TIMER_FIRED with the id and armed token through the executor port, outside
 * the mutex.
 */
#ifndef SIM_TIMER_H
#define SIM_TIMER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "application/ports/executor_port.h"
#include "application/ports/timer_port.h"

typedef struct {
    pthread_mutex_t mutex;
    pthread_cond_t changed;
    struct timespec start; /* CLOCK_MONOTONIC at init: uptime zero */
    struct {
        bool armed;
        struct timespec deadline; /* CLOCK_MONOTONIC */
        uint32_t token;
    } timers[APP_TIMER_COUNT];
    bool stop;
    bool thread_running;
    pthread_t thread;
    uint64_t rng_state; /* guarded by mutex */
    const executor_port_t *executor;
    void *executor_ctx;
    unsigned long fired;   /* expiries posted */
    unsigned long dropped; /* expiries the executor refused */
} sim_timer_t;

extern const timer_port_t sim_timer_port;

/* Starts the clock; seed 0 means "from getrandom()". The thread starts with sim_timer_start(). */
bool sim_timer_init(sim_timer_t *timer, const executor_port_t *executor, void *executor_ctx, uint64_t seed);
bool sim_timer_start(sim_timer_t *timer);
/*
 * Stops and joins the thread (if running): once it returns nothing is posted to the executor any more, so
 * the executor may be destroyed. The clock and random_u32 keep working (the event sink reads the clock
 * until the end). Idempotent; the thread cannot be started again.
 */
void sim_timer_stop(sim_timer_t *timer);
/* sim_timer_stop(), then frees the primitives. */
void sim_timer_deinit(sim_timer_t *timer);

/* Port functions (ctx = sim_timer_t *). */
app_err_t sim_timer_arm_once(void *ctx, app_timer_id_t id, uint32_t delay_ms, uint32_t token);
app_err_t sim_timer_cancel(void *ctx, app_timer_id_t id);
uint64_t sim_timer_now_ms(void *ctx);
uint32_t sim_timer_random_u32(void *ctx);

#endif /* SIM_TIMER_H */
