/*
 * sim_power: see sim_power.h.
 */
#include "sim_power.h"

#include <string.h>

const power_port_t sim_power_port = {
    .request_low_power = sim_power_request_low_power,
    .release_low_power = sim_power_release_low_power,
};

bool sim_power_init(sim_power_t *power)
{
    if (power == NULL) {
        return false;
    }
    memset(power, 0, sizeof(*power));
    return pthread_mutex_init(&power->mutex, NULL) == 0;
}

void sim_power_deinit(sim_power_t *power)
{
    if (power != NULL) {
        (void)pthread_mutex_destroy(&power->mutex);
    }
}

sim_power_counts_t sim_power_counts(sim_power_t *power)
{
    (void)pthread_mutex_lock(&power->mutex);
    sim_power_counts_t counts = {
        .low_power = power->low_power, .requests = power->requests, .releases = power->releases};
    (void)pthread_mutex_unlock(&power->mutex);
    return counts;
}

app_err_t sim_power_request_low_power(void *ctx)
{
    sim_power_t *power = ctx;
    if (power == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    (void)pthread_mutex_lock(&power->mutex);
    power->low_power = true;
    power->requests++;
    (void)pthread_mutex_unlock(&power->mutex);
    return APP_OK;
}

app_err_t sim_power_release_low_power(void *ctx)
{
    sim_power_t *power = ctx;
    if (power == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    (void)pthread_mutex_lock(&power->mutex);
    power->low_power = false;
    power->releases++;
    (void)pthread_mutex_unlock(&power->mutex);
    return APP_OK;
}
