/*
 * Fake of ESP-IDF v5.4.2 esp_netif.h for host tests: init, the IP info getter (fake_esp_wifi.h sets the
 * station's address), and esp_netif_new / esp_netif_destroy with the default WiFi AP configuration of
 * esp_netif_defaults.h (fake_esp_wifi.h counts them and can make esp_netif_new fail, as it does on no
 * memory).
 */
#ifndef FAKE_ESP_NETIF_H
#define FAKE_ESP_NETIF_H

#include "esp_err.h"
#include "esp_netif_ip_addr.h"
#include "esp_netif_types.h"

esp_err_t esp_netif_init(void);
/* ESP_ERR_INVALID_ARG on NULL arguments (ESP_ERR_ESP_NETIF_INVALID_PARAMS in ESP-IDF). */
esp_err_t esp_netif_get_ip_info(esp_netif_t *esp_netif, esp_netif_ip_info_t *ip_info);
esp_netif_t *esp_netif_get_handle_from_ifkey(const char *if_key);
/* NULL on failure (no memory, bad configuration). */
esp_netif_t *esp_netif_new(const esp_netif_config_t *esp_netif_config);
void esp_netif_destroy(esp_netif_t *esp_netif);

/* esp_netif_defaults.h: the default AP configuration, by the same names. */
extern const esp_netif_inherent_config_t _g_esp_netif_inherent_ap_config;
extern const esp_netif_netstack_config_t *_g_esp_netif_netstack_default_wifi_ap;
#define ESP_NETIF_BASE_DEFAULT_WIFI_AP     &_g_esp_netif_inherent_ap_config
#define ESP_NETIF_NETSTACK_DEFAULT_WIFI_AP _g_esp_netif_netstack_default_wifi_ap
#define ESP_NETIF_DEFAULT_WIFI_AP()                                                                         \
    {                                                                                                       \
        .base = ESP_NETIF_BASE_DEFAULT_WIFI_AP, .driver = NULL, .stack = ESP_NETIF_NETSTACK_DEFAULT_WIFI_AP \
    }

#endif /* FAKE_ESP_NETIF_H */
