/*
 * fake_config_repository: in-memory config_repository_port. Holds one raw value per field (any bytes, so
 * tests can plant over-long or invalid UTF-8 values as a hand-edited store would), answers load() exactly
 * as the port documents (NOT_FOUND, TOO_LONG with "" in the buffer), counts calls, and returns scripted
 * errors per field (e.g. APP_ERR_STORAGE).
 */
#ifndef FAKE_CONFIG_REPOSITORY_H
#define FAKE_CONFIG_REPOSITORY_H

#include <stdbool.h>

#include "application/ports/config_repository_port.h"
#include "fake_script.h"

#define FAKE_CONFIG_VALUE_MAX 1024

typedef struct {
    bool present[CONFIG_FIELD_COUNT];
    char values[CONFIG_FIELD_COUNT][FAKE_CONFIG_VALUE_MAX + 1];
    unsigned load_calls[CONFIG_FIELD_COUNT];
    unsigned store_calls[CONFIG_FIELD_COUNT];
    fake_script_t load_results[CONFIG_FIELD_COUNT];  /* APP_OK means "answer from the stored value" */
    fake_script_t store_results[CONFIG_FIELD_COUNT]; /* APP_OK means "store it" */
} fake_config_repository_t;

extern const config_repository_port_t fake_config_repository_port;

/* Empty store: every field NOT_FOUND. */
void fake_config_repository_init(fake_config_repository_t *fake);
/* Plants a value (NULL removes it). */
void fake_config_repository_set(fake_config_repository_t *fake, config_field_t field, const char *value);
/* The stored value, or NULL when none. */
const char *fake_config_repository_get(const fake_config_repository_t *fake, config_field_t field);

#endif
