/*
 * sim_lock: the resource lock port on Linux, a pthread mutex taken with pthread_mutex_timedlock.
 *
 * The deadline is on CLOCK_REALTIME because that is the clock pthread_mutex_timedlock measures; a timeout
 * returns APP_ERR_LOCK_TIMEOUT, which callers handle (HTTP answers 503). Any thread.
 */
#ifndef SIM_LOCK_H
#define SIM_LOCK_H

#include <pthread.h>
#include <stdbool.h>

#include "application/ports/resource_lock_port.h"

typedef struct {
    pthread_mutex_t mutex;
} sim_lock_t;

extern const resource_lock_port_t sim_lock_port;

bool sim_lock_init(sim_lock_t *lock);
void sim_lock_deinit(sim_lock_t *lock);

/* Port functions (ctx = sim_lock_t *). */
app_err_t sim_lock_take(void *ctx, uint32_t timeout_ms);
void sim_lock_give(void *ctx);

#endif /* SIM_LOCK_H */
