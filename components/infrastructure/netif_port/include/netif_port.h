/*
 * netif_port: what the network adapters (wifi_adapter, eth_adapter) have in common on esp_netif: the
 * network_port_t answers (the station MAC, the interface's IPv4 address), the conversion of an esp_netif
 * address, and the one way they turn an ESP-IDF error into the port's result and post an event.
 *
 * Plain functions over the caller's state (the adapter keeps its netif and its "has an address" flag); safe
 * from any task. Every ESP-IDF error is logged here, once, under the caller's tag.
 */
#ifndef NETIF_PORT_H
#define NETIF_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "application/app_event.h"
#include "application/app_status.h"
#include "application/ports/executor_port.h"
#include "domain/ipv4_address.h"
#include "domain/mac_address.h"
#include "esp_err.h"
#include "esp_netif.h"

/* APP_OK for ESP_OK; else logs "<what>: <error>" under tag and gives APP_ERR_NO_MEMORY or APP_ERR_PLATFORM.
 */
app_err_t netif_port_result(const char *tag, esp_err_t err, const char *what);

/* Posts without blocking; a full application queue is logged under tag (the event is lost). */
void netif_port_post(const char *tag, const executor_port_t *executor, void *executor_ctx,
                     const app_event_t *event);

/* An esp_netif address (network byte order) as the domain's value. */
ipv4_address_t netif_port_ipv4(const esp_ip4_addr_t *addr);

/*
 * The app event of an IP_EVENT: got_ip_id (e.g. IP_EVENT_STA_GOT_IP) gives APP_EVENT_WIFI_GOT_IP with the
 * address from data (ip_event_got_ip_t), logged "IP a.b.c.d"; lost_ip_id gives APP_EVENT_WIFI_LOST_IP. False
 * (nothing to post) for any other id or a GOT_IP without data.
 */
bool netif_port_ip_event(const char *tag, int32_t id, const void *data, int32_t got_ip_id, int32_t lost_ip_id,
                         app_event_t *out);

/* The device's identity: the station MAC (esp_read_mac(ESP_MAC_WIFI_STA)), whatever the interface. */
app_err_t netif_port_get_mac(const char *tag, mac_address_t *out);

/* The interface's address; APP_ERR_NOT_CONNECTED without one (has_ip false, no netif, or 0.0.0.0). */
app_err_t netif_port_get_ip(const char *tag, esp_netif_t *netif, bool has_ip, ipv4_address_t *out);

#endif /* NETIF_PORT_H */
