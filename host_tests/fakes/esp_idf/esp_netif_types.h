/*
 * Fake of ESP-IDF v5.4.2 esp_netif_types.h for host tests: the netif handle, IP info and IP events, same
 * names, members and enum values.
 */
#ifndef FAKE_ESP_NETIF_TYPES_H
#define FAKE_ESP_NETIF_TYPES_H

#include <stdbool.h>

#include "esp_event_base.h"
#include "esp_netif_ip_addr.h"

typedef struct esp_netif_obj esp_netif_t;

/* Opaque here: only their addresses are compared (which default configuration a netif was made from). */
typedef struct fake_esp_netif_inherent_config esp_netif_inherent_config_t;
typedef struct fake_esp_netif_netstack_config esp_netif_netstack_config_t;
typedef struct fake_esp_netif_driver_ifconfig esp_netif_driver_ifconfig_t;

/* The real members (esp_netif_types.h, struct esp_netif_config). */
typedef struct esp_netif_config {
    const esp_netif_inherent_config_t *base;
    const esp_netif_driver_ifconfig_t *driver;
    const esp_netif_netstack_config_t *stack;
} esp_netif_config_t;

typedef struct {
    esp_ip4_addr_t ip;
    esp_ip4_addr_t netmask;
    esp_ip4_addr_t gw;
} esp_netif_ip_info_t;

typedef enum {
    IP_EVENT_STA_GOT_IP,
    IP_EVENT_STA_LOST_IP,
    IP_EVENT_AP_STAIPASSIGNED,
    IP_EVENT_GOT_IP6,
    IP_EVENT_ETH_GOT_IP,
    IP_EVENT_ETH_LOST_IP,
    IP_EVENT_PPP_GOT_IP,
    IP_EVENT_PPP_LOST_IP,
    IP_EVENT_TX_RX,
} ip_event_t;

ESP_EVENT_DECLARE_BASE(IP_EVENT);

typedef struct {
    esp_netif_t *esp_netif;
    esp_netif_ip_info_t ip_info;
    bool ip_changed;
} ip_event_got_ip_t;

#endif /* FAKE_ESP_NETIF_TYPES_H */
