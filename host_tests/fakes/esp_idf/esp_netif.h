/*
 * Fake of ESP-IDF v5.4.2 esp_netif.h for host tests: init and the IP info getter (fake_esp_wifi.h sets the
 * station's address).
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

#endif /* FAKE_ESP_NETIF_H */
