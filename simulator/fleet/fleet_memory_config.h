/*
 * fleet_memory_config: the config repository port of a fleet device kept in memory (the fleet's default;
 * --config-dir gives each device a config file instead).
 *
 * A fleet of thousands of throw-away devices need not write thousands of files (each write is an fsync):
 * each device starts with the name and location it was given and keeps what POST /config stores until the
 * process ends. The values and their limits are sim_config_overlay's (an overlay over an empty store);
 * this adds the mutex that the overlay leaves out, because the device's application task and the HTTP
 * daemon's thread both call load() and store().
 */
#ifndef FLEET_MEMORY_CONFIG_H
#define FLEET_MEMORY_CONFIG_H

#include <pthread.h>

#include "application/ports/config_repository_port.h"
#include "sim_config_overlay.h"

typedef struct {
    pthread_mutex_t mutex;
    sim_config_overlay_t overlay;
} fleet_memory_config_t;

extern const config_repository_port_t fleet_memory_config_port;

/* Nothing stored: load() answers APP_ERR_NOT_FOUND (the application uses its defaults). */
app_err_t fleet_memory_config_init(fleet_memory_config_t *config);
void fleet_memory_config_deinit(fleet_memory_config_t *config);

/* Port functions (ctx = fleet_memory_config_t *), with sim_config_overlay's answers. store() is also how
 * the fleet sets a device's initial name and location. */
app_err_t fleet_memory_config_load(void *ctx, config_field_t field, char *buf, size_t buf_size);
app_err_t fleet_memory_config_store(void *ctx, config_field_t field, const char *value);

#endif /* FLEET_MEMORY_CONFIG_H */
