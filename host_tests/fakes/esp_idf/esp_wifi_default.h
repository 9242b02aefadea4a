/* Fake of ESP-IDF v5.4.2 esp_wifi_default.h for host tests: the default WiFi netifs. */
#ifndef FAKE_ESP_WIFI_DEFAULT_H
#define FAKE_ESP_WIFI_DEFAULT_H

#include "esp_netif.h"

esp_netif_t *esp_netif_create_default_wifi_sta(void);
esp_netif_t *esp_netif_create_default_wifi_ap(void);
/* What esp_netif_create_default_wifi_ap() does (wifi_default.c), step by step. */
esp_err_t esp_netif_attach_wifi_ap(esp_netif_t *esp_netif);
esp_err_t esp_wifi_set_default_wifi_ap_handlers(void);
/* Detaches from WiFi and destroys; a no-operation for NULL (the real one's note). */
void esp_netif_destroy_default_wifi(void *esp_netif);

#endif /* FAKE_ESP_WIFI_DEFAULT_H */
