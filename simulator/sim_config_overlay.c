/*
 * sim_config_overlay: see sim_config_overlay.h.
 */
#include "sim_config_overlay.h"

#include <string.h>

const config_repository_port_t sim_config_overlay_port = {
    .load = sim_config_overlay_load,
    .store = sim_config_overlay_store,
};

static size_t field_max_bytes(config_field_t field)
{
    return field == CONFIG_FIELD_DEVICE_NAME ? DEVICE_NAME_MAX_BYTES : DEVICE_LOCATION_MAX_BYTES;
}

app_err_t sim_config_overlay_init(sim_config_overlay_t *overlay, const config_repository_port_t *base,
                                  void *base_ctx)
{
    if (overlay == NULL || base == NULL || base->load == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    memset(overlay, 0, sizeof(*overlay));
    overlay->base = base;
    overlay->base_ctx = base_ctx;
    return APP_OK;
}

app_err_t sim_config_overlay_set(sim_config_overlay_t *overlay, config_field_t field, const char *value)
{
    if (overlay == NULL || value == NULL || (unsigned)field >= CONFIG_FIELD_COUNT) {
        return APP_ERR_INVALID_ARG;
    }
    size_t len = strlen(value);
    if (len > field_max_bytes(field)) {
        return APP_ERR_TOO_LONG;
    }
    memcpy(overlay->values[field], value, len + 1);
    overlay->present[field] = true;
    return APP_OK;
}

app_err_t sim_config_overlay_load(void *ctx, config_field_t field, char *buf, size_t buf_size)
{
    sim_config_overlay_t *overlay = ctx;
    if (overlay == NULL || buf == NULL || buf_size == 0 || (unsigned)field >= CONFIG_FIELD_COUNT) {
        return APP_ERR_INVALID_ARG;
    }
    if (!overlay->present[field]) {
        return overlay->base->load(overlay->base_ctx, field, buf, buf_size);
    }
    size_t len = strlen(overlay->values[field]);
    if (len + 1 > buf_size) {
        buf[0] = '\0';
        return APP_ERR_TOO_LONG;
    }
    memcpy(buf, overlay->values[field], len + 1);
    return APP_OK;
}

app_err_t sim_config_overlay_store(void *ctx, config_field_t field, const char *value)
{
    return sim_config_overlay_set(ctx, field, value) == APP_OK ? APP_OK : APP_ERR_STORAGE;
}
