/*
 * sim_config_overlay: a config repository port that answers some fields from memory and the rest from
 * another repository, and never writes through.
 *
 * Used by --print-registration: the --name/--location given on the command line must shape the printed
 * message exactly as a normal run would send it, but printing is a query, so nothing may be written to the
 * config file (whose default path is shared by every run with the same MAC). Fields set here take
 * precedence; the others are loaded from the base repository (the config file), and the application falls
 * back to its defaults as usual when that has nothing.
 *
 * Values are copied at set time (no pointer to the caller's buffer is kept); values longer than a field's
 * limit are refused, as the options parser refuses them. store() keeps the value in memory only. load() and
 * store() are not synchronised: the overlay serves one thread (main, before any other thread exists).
 */
#ifndef SIM_CONFIG_OVERLAY_H
#define SIM_CONFIG_OVERLAY_H

#include <stdbool.h>

#include "application/ports/config_repository_port.h"
#include "domain/device_registration.h"

typedef struct {
    const config_repository_port_t *base; /* consulted for fields not set here */
    void *base_ctx;
    bool present[CONFIG_FIELD_COUNT];
    char values[CONFIG_FIELD_COUNT][DEVICE_LOCATION_MAX_BYTES + 1]; /* the larger of the two limits */
} sim_config_overlay_t;

extern const config_repository_port_t sim_config_overlay_port;

/* Nothing set: every load goes to base. APP_ERR_INVALID_ARG when overlay or base is NULL. */
app_err_t sim_config_overlay_init(sim_config_overlay_t *overlay, const config_repository_port_t *base,
                                  void *base_ctx);

/* Sets a field in memory. APP_ERR_TOO_LONG when value is longer than the field's limit (100 bytes for the
 * name, 250 for the location); APP_ERR_INVALID_ARG for a NULL value or an unknown field. */
app_err_t sim_config_overlay_set(sim_config_overlay_t *overlay, config_field_t field, const char *value);

/* Port functions (ctx = sim_config_overlay_t *): load answers a set field (APP_ERR_TOO_LONG with "" when it
 * does not fit buf_size), otherwise whatever base->load answers. store sets the field in memory (APP_OK, or
 * APP_ERR_STORAGE when the value is refused); base is never written. */
app_err_t sim_config_overlay_load(void *ctx, config_field_t field, char *buf, size_t buf_size);
app_err_t sim_config_overlay_store(void *ctx, config_field_t field, const char *value);

#endif /* SIM_CONFIG_OVERLAY_H */
