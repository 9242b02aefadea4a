/*
 * captive_portal_port: the DNS responder of the provisioning access point (captive_dns_adapter on the ESP32,
 * sim_dns in the simulator). While open, every name a phone on the access point asks for resolves to the
 * access point's own address, so the phone's connectivity check lands on the setup page (http_api answers
 * it with a redirect) and the technician need not know the address.
 *
 * The provisioning use case opens it once the access point is up and closes it when provisioning ends.
 * open() on an open portal and close() on a closed one succeed. Application task only.
 */
#ifndef APPLICATION_PORTS_CAPTIVE_PORTAL_PORT_H
#define APPLICATION_PORTS_CAPTIVE_PORTAL_PORT_H

#include "application/app_status.h"

typedef struct captive_portal_port {
    app_err_t (*open)(void *ctx);
    app_err_t (*close)(void *ctx);
} captive_portal_port_t;

#endif
