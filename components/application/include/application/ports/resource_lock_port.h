/*
 * resource_lock_port: the shared semaphore that HTTP handlers and MQTT work both take (FreeRTOS mutex on
 * the ESP32, pthread mutex on Linux).
 *
 * It guards the device config cache and the status snapshot. Always taken with a timeout; a timeout is an
 * error path the caller handles (HTTP answers 503, the application task keeps its previous snapshot).
 * Critical sections only copy in or out: never hold it across network or storage I/O.
 */
#ifndef APPLICATION_PORTS_RESOURCE_LOCK_PORT_H
#define APPLICATION_PORTS_RESOURCE_LOCK_PORT_H

#include <stdint.h>

#include "application/app_status.h"

typedef struct resource_lock_port {
    /* APP_OK or APP_ERR_LOCK_TIMEOUT. */
    app_err_t (*take)(void *ctx, uint32_t timeout_ms);
    void (*give)(void *ctx);
} resource_lock_port_t;

#endif
