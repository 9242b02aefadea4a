/*
 * config_repository_port: persistent device configuration (NVS on the ESP32, a small file on Linux).
 *
 * Values are NUL-terminated UTF-8. load() reads into a sized buffer and says precisely what it found, so
 * that the application can fall back to a default and log why; store() persists one value (callers
 * validate first). Called from the application task and from HTTP handlers, never while holding the
 * shared lock (storage is slow I/O).
 */
#ifndef APPLICATION_PORTS_CONFIG_REPOSITORY_PORT_H
#define APPLICATION_PORTS_CONFIG_REPOSITORY_PORT_H

#include <stddef.h>

#include "application/app_status.h"

typedef enum {
    CONFIG_FIELD_DEVICE_NAME = 0, /* NVS key "device_name" */
    CONFIG_FIELD_LOCATION,        /* NVS key "device_location" */
    CONFIG_FIELD_COUNT
} config_field_t;

typedef struct config_repository_port {
    /* APP_OK (value copied), APP_ERR_NOT_FOUND (nothing stored), APP_ERR_TOO_LONG (stored value does not
     * fit buf_size; buf holds "" ), APP_ERR_STORAGE (read failed). */
    app_err_t (*load)(void *ctx, config_field_t field, char *buf, size_t buf_size);
    /* APP_OK or APP_ERR_STORAGE. */
    app_err_t (*store)(void *ctx, config_field_t field, const char *value);
} config_repository_port_t;

const char *config_field_to_str(config_field_t field);

#endif
