/*
 * power_arbiter: one low-power wish per requester (the MQTT connection's retry wait, the WiFi link's
 * retry wait), one power port. Low power is requested when the first requester wants it and released when
 * the last one no longer does, so neither wait undoes the other's. Application task only.
 */
#ifndef APPLICATION_POWER_ARBITER_H
#define APPLICATION_POWER_ARBITER_H

#include <stdbool.h>

#include "application/app_status.h"
#include "application/ports/power_port.h"

typedef enum {
    POWER_REQUESTER_CONNECTION = 0,
    POWER_REQUESTER_LINK,
    POWER_REQUESTER_COUNT
} power_requester_t;

typedef struct {
    const power_port_t *port;
    void *ctx;
    bool wants[POWER_REQUESTER_COUNT];
    bool low_power; /* what the port was last asked for */
} power_arbiter_t;

void power_arbiter_init(power_arbiter_t *arbiter, const power_port_t *port, void *ctx);

/* Records the requester's wish and calls the port when the combined wish changes (APP_OK otherwise). The
 * port's error is returned for the caller to report; the change counts as made either way. */
app_err_t power_arbiter_set(power_arbiter_t *arbiter, power_requester_t requester, bool low_power);

#endif
