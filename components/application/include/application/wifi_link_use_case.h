/*
 * wifi_link_use_case: the WiFiLinkUseCase. It owns the WiFi link entity (domain/wifi_link), feeds it the
 * driver's events (APP_EVENT_START, WIFI_*, the link timer) and carries out its commands: the WiFi port
 * (start, connect, disconnect), the link timer, low power (power_arbiter, station mode only), the
 * provisioning steps (provisioning_start / provisioning_finish) and the network reports, which it hands to
 * the MQTT connection through on_network (NETWORK_UP / NETWORK_DOWN / IP_CHANGED). Application task only.
 *
 * A refused connect call is fed back as CONNECT_REFUSED (the link waits again); the end of provisioning as
 * PROVISIONING_FINISHED, after provisioning_finish has run. Every state or mode change is reported as a
 * DOMAIN_EVENT_WIFI_LINK_CHANGED.
 *
 * APP_EVENT_FACTORY_RESET: the WiFi port forgets the station credentials first, then the link gets
 * FACTORY_RESET (network down, attempt dropped, provisioning_start: the access point with the boot-time
 * password rule). A port failure is an error notice and the link still goes to provisioning, since the
 * technician stands by the node; the credentials may then come back after a reboot. Name and location are
 * not touched.
 */
#ifndef APPLICATION_WIFI_LINK_USE_CASE_H
#define APPLICATION_WIFI_LINK_USE_CASE_H

#include <stdint.h>

#include "application/app_event.h"
#include "application/app_ports.h"
#include "application/power_arbiter.h"
#include "application/provisioning.h"
#include "application/settings.h"
#include "application/status_snapshot.h"
#include "domain/mqtt_connection.h"
#include "domain/wifi_link.h"

/* Receives the link's network reports: kind is MQTT_CONNECTION_EV_NETWORK_UP, _NETWORK_DOWN or _IP_CHANGED.
 */
typedef void (*wifi_link_use_case_network_fn)(void *arg, mqtt_connection_event_kind_t kind,
                                              const ipv4_address_t *ip);

typedef struct {
    const app_ports_t *ports;
    app_status_snapshot_t *status;
    power_arbiter_t *power;
    provisioning_t *provisioning;
    wifi_link_use_case_network_fn on_network;
    void *network_arg;
    wifi_link_t link;
    uint32_t timer_token; /* token of the armed link timer */
} wifi_link_use_case_t;

/* retry: the shared retry policy (a valid one: the caller falls back to the defaults). */
void wifi_link_use_case_init(wifi_link_use_case_t *uc, const app_ports_t *ports,
                             const retry_policy_config_t *retry, uint32_t settle_ms,
                             app_status_snapshot_t *status, power_arbiter_t *power,
                             provisioning_t *provisioning, wifi_link_use_case_network_fn on_network,
                             void *network_arg);

/* START, WIFI_STARTED, WIFI_DISCONNECTED, WIFI_GOT_IP, WIFI_LOST_IP, WIFI_CREDENTIALS_SET, FACTORY_RESET,
 * and TIMER_FIRED for APP_TIMER_LINK; other kinds are ignored. */
void wifi_link_use_case_handle(wifi_link_use_case_t *uc, const app_event_t *event);

/* Writes the link fields of the working snapshot (wifi_state, wifi_mode, provisioning). */
void wifi_link_use_case_refresh_status(wifi_link_use_case_t *uc);

#endif
