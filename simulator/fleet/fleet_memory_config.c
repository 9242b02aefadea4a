/*
 * fleet_memory_config: see fleet_memory_config.h.
 */
#include "fleet_memory_config.h"

const config_repository_port_t fleet_memory_config_port = {
    .load = fleet_memory_config_load,
    .store = fleet_memory_config_store,
};

/* The overlay's base: a store that holds nothing. The overlay never writes through, so store() is never
 * called; it refuses, as a store that cannot keep anything should. */
static app_err_t empty_load(void *ctx, config_field_t field, char *buf, size_t buf_size)
{
    (void)ctx;
    (void)field;
    if (buf != NULL && buf_size > 0) {
        buf[0] = '\0';
    }
    return APP_ERR_NOT_FOUND;
}

static app_err_t empty_store(void *ctx, config_field_t field, const char *value)
{
    (void)ctx;
    (void)field;
    (void)value;
    return APP_ERR_STORAGE;
}

static const config_repository_port_t empty_port = {
    .load = empty_load,
    .store = empty_store,
};

app_err_t fleet_memory_config_init(fleet_memory_config_t *config)
{
    if (config == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    app_err_t rc = sim_config_overlay_init(&config->overlay, &empty_port, NULL);
    if (rc == APP_OK && pthread_mutex_init(&config->mutex, NULL) != 0) {
        rc = APP_ERR_PLATFORM;
    }
    return rc;
}

void fleet_memory_config_deinit(fleet_memory_config_t *config)
{
    if (config != NULL) {
        (void)pthread_mutex_destroy(&config->mutex);
    }
}

app_err_t fleet_memory_config_load(void *ctx, config_field_t field, char *buf, size_t buf_size)
{
    fleet_memory_config_t *config = ctx;
    if (config == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    (void)pthread_mutex_lock(&config->mutex);
    app_err_t rc = sim_config_overlay_load(&config->overlay, field, buf, buf_size);
    (void)pthread_mutex_unlock(&config->mutex);
    return rc;
}

app_err_t fleet_memory_config_store(void *ctx, config_field_t field, const char *value)
{
    fleet_memory_config_t *config = ctx;
    if (config == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    (void)pthread_mutex_lock(&config->mutex);
    app_err_t rc = sim_config_overlay_store(&config->overlay, field, value);
    (void)pthread_mutex_unlock(&config->mutex);
    return rc;
}
