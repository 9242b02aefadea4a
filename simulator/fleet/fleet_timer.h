/*
 * fleet_timer: the timer port for many devices in one process: ONE timer thread and one min-heap of the
 * deadlines of every device's timers, the process's CLOCK_MONOTONIC as the clock, and a PRNG per device.
 *
 * Each device has a fleet_timer_slot_t (its timer port context) with one one-shot timer per app_timer_id_t,
 * like sim_timer: arm_once() replaces that id's armed timer, cancel() disarms it; both update the heap
 * under the mutex (O(log n)) and wake the thread only when the earliest deadline changed, so they never
 * block the device's application task for long. The thread sleeps until the earliest deadline on a
 * condition variable, measured on CLOCK_MONOTONIC; on expiry it posts APP_EVENT_TIMER_FIRED (id and armed
 * token) through the device's executor port, outside the mutex.
 *
 * now_ms() is the time since fleet_timer_init() (every device of the process shares that "boot");
 * random_u32() is a splitmix64 stream per device, seeded at slot init, lock-free (an atomic counter).
 * The heap's storage is allocated once at init for every slot the process will have.
 */
#ifndef FLEET_TIMER_H
#define FLEET_TIMER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "application/ports/executor_port.h"
#include "application/ports/timer_port.h"

struct fleet_timer;

typedef struct {
    struct fleet_timer *timer;
    const executor_port_t *executor;
    void *executor_ctx;
    struct {
        uint64_t deadline_ms; /* since init */
        uint32_t token;
        size_t heap_index; /* FLEET_TIMER_NOT_ARMED when not in the heap */
    } timers[APP_TIMER_COUNT];
    _Atomic uint64_t rng_state;
} fleet_timer_slot_t;

#define FLEET_TIMER_NOT_ARMED SIZE_MAX

typedef struct {
    fleet_timer_slot_t *slot;
    app_timer_id_t id;
} fleet_timer_entry_t;

typedef struct fleet_timer {
    pthread_mutex_t mutex;
    pthread_cond_t changed; /* waited on with CLOCK_MONOTONIC deadlines */
    struct timespec start;  /* uptime zero */
    fleet_timer_entry_t *heap;
    size_t count;
    size_t capacity;
    bool stop;
    bool thread_running;
    pthread_t thread;
    unsigned long fired;   /* expiries posted */
    unsigned long dropped; /* expiries the executor refused */
} fleet_timer_t;

extern const timer_port_t fleet_timer_port;

/* Starts the clock and the thread, with room for slots * APP_TIMER_COUNT timers. */
bool fleet_timer_init(fleet_timer_t *timer, size_t slots);
/* Stops and joins the thread: once it returns nothing is posted any more. The clock keeps working.
 * Idempotent. */
void fleet_timer_stop(fleet_timer_t *timer);
/* fleet_timer_stop(), then frees the heap and the primitives. */
void fleet_timer_deinit(fleet_timer_t *timer);

/* A device's timers: expiries are posted through executor/executor_ctx. seed 0 means "from getrandom()". */
void fleet_timer_slot_init(fleet_timer_slot_t *slot, fleet_timer_t *timer, const executor_port_t *executor,
                           void *executor_ctx, uint64_t seed);

/* Milliseconds since fleet_timer_init() (ctx = fleet_timer_t *): the clock of the event lines. */
uint64_t fleet_timer_uptime_ms(void *ctx);

/* Port functions (ctx = fleet_timer_slot_t *). arm_once: APP_ERR_NO_MEMORY when the heap is full (more
 * slots than fleet_timer_init() was given). */
app_err_t fleet_timer_arm_once(void *ctx, app_timer_id_t id, uint32_t delay_ms, uint32_t token);
app_err_t fleet_timer_cancel(void *ctx, app_timer_id_t id);
uint64_t fleet_timer_now_ms(void *ctx);
uint32_t fleet_timer_random_u32(void *ctx);

#endif /* FLEET_TIMER_H */
