/*
 * sim_power: the power port on Linux: a no-op that records the requests (architecture.md), so the status
 * event and the tests can see that the application asked for low power while it waited for a retry.
 * Called from the application task; the counters are read from any thread.
 */
#ifndef SIM_POWER_H
#define SIM_POWER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "application/ports/power_port.h"

typedef struct {
    pthread_mutex_t mutex;
    bool low_power;
    uint32_t requests; /* request_low_power calls */
    uint32_t releases; /* release_low_power calls */
} sim_power_t;

typedef struct {
    bool low_power;
    uint32_t requests;
    uint32_t releases;
} sim_power_counts_t;

extern const power_port_t sim_power_port;

bool sim_power_init(sim_power_t *power);
void sim_power_deinit(sim_power_t *power);
sim_power_counts_t sim_power_counts(sim_power_t *power);

/* Port functions (ctx = sim_power_t *). */
app_err_t sim_power_request_low_power(void *ctx);
app_err_t sim_power_release_low_power(void *ctx);

#endif /* SIM_POWER_H */
