/* Fake of ESP-IDF v5.4.2 esp_wifi_default.h for host tests: the default WiFi netifs. */
#ifndef FAKE_ESP_WIFI_DEFAULT_H
#define FAKE_ESP_WIFI_DEFAULT_H

#include "esp_netif.h"

esp_netif_t *esp_netif_create_default_wifi_sta(void);
esp_netif_t *esp_netif_create_default_wifi_ap(void);

#endif /* FAKE_ESP_WIFI_DEFAULT_H */
