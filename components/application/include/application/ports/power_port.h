/*
 * power_port: a low-power hint while the device waits for a retry (WiFi modem sleep and, with
 * CONFIG_PM_ENABLE, automatic light sleep on the ESP32; recorded only in the simulator).
 * Called from the application task; requests and releases are idempotent.
 */
#ifndef APPLICATION_PORTS_POWER_PORT_H
#define APPLICATION_PORTS_POWER_PORT_H

#include "application/app_status.h"

typedef struct power_port {
    app_err_t (*request_low_power)(void *ctx);
    app_err_t (*release_low_power)(void *ctx);
} power_port_t;

#endif
