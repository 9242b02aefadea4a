/*
 * network_port: identity and address of the station interface (esp_netif on the ESP32; options and
 * control commands in the simulator).
 *
 * Changes are not polled: the adapter posts APP_EVENT_NETWORK_UP / NETWORK_DOWN / IP_CHANGED, only for the
 * station interface (never in provisioning AP mode). These getters are cheap and may be called from any task.
 */
#ifndef APPLICATION_PORTS_NETWORK_PORT_H
#define APPLICATION_PORTS_NETWORK_PORT_H

#include "application/app_status.h"
#include "domain/ipv4_address.h"
#include "domain/mac_address.h"

typedef struct network_port {
    app_err_t (*get_mac)(void *ctx, mac_address_t *out);
    /* APP_ERR_NOT_CONNECTED when the station has no IP. */
    app_err_t (*get_ip)(void *ctx, ipv4_address_t *out);
} network_port_t;

#endif
