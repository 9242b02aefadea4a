/*
 * Control functions of the WiFi, netif and MAC fakes (esp_wifi.h, esp_netif.h, esp_wifi_default.h,
 * esp_mac.h): driver state, the configs given, call counters, scan results, injected errors, the station's
 * IP and the MACs. Single-threaded tests only.
 */
#ifndef FAKE_ESP_WIFI_CONTROL_H
#define FAKE_ESP_WIFI_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_mac.h"
#include "esp_netif.h"
#include "esp_wifi.h"

#define FAKE_ESP_WIFI_MAX_SCAN 16

/* Power-on state: nothing initialised, nothing stored in flash, default MACs, IP 0.0.0.0. */
void fake_esp_wifi_reset(void);
/* Keeps what WIFI_STORAGE_FLASH persisted and forgets the rest (the next boot). */
void fake_esp_wifi_reboot(void);

/* Credentials already in flash (a provisioned device). */
void fake_esp_wifi_store_sta(const char *ssid, const char *password);

void fake_esp_wifi_set_sta_mac(const uint8_t mac[6]);
void fake_esp_wifi_set_ap_mac(const uint8_t mac[6]);
/* The station netif's address, a.b.c.d. */
void fake_esp_netif_set_sta_ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d);

/* Records the next esp_wifi_scan_get_ap_records() returns (copied). */
void fake_esp_wifi_set_scan_results(const wifi_ap_record_t *records, size_t count);

/* Error for the next calls of a function (ESP_OK = none); stays until changed. */
typedef enum {
    FAKE_WIFI_FN_INIT,
    FAKE_WIFI_FN_START,
    FAKE_WIFI_FN_CONNECT,
    FAKE_WIFI_FN_SET_CONFIG,
    FAKE_WIFI_FN_SCAN_START,
    FAKE_WIFI_FN_SET_PS,
    FAKE_WIFI_FN_NETIF_NEW, /* esp_netif_new returns NULL (the error value is not used) */
    FAKE_WIFI_FN_ATTACH_AP,
    FAKE_WIFI_FN_AP_HANDLERS,
    FAKE_WIFI_FN_COUNT
} fake_wifi_fn_t;
void fake_esp_wifi_set_error(fake_wifi_fn_t fn, esp_err_t err);

typedef struct {
    bool initialised;
    bool started;
    wifi_mode_t mode;
    wifi_storage_t storage;
    int nvs_enable; /* what esp_wifi_init() was given */
    wifi_ps_type_t ps;
    size_t init_calls;
    size_t start_calls;
    size_t stop_calls;
    size_t connect_calls;
    size_t disconnect_calls;
    size_t set_mode_calls;
    size_t set_config_calls;
    size_t set_ps_calls;
    size_t scan_start_calls;
    size_t clear_ap_list_calls;
    bool last_scan_block;
    size_t netif_init_calls;
    size_t sta_netif_created;
    size_t
        ap_netif_created; /* by esp_netif_create_default_wifi_ap, or by esp_netif_new with the AP defaults */
    size_t ap_netif_attached;      /* esp_netif_attach_wifi_ap calls that succeeded */
    size_t ap_handlers_set;        /* esp_wifi_set_default_wifi_ap_handlers calls that succeeded */
    size_t ap_netif_destroyed;     /* esp_netif_destroy / esp_netif_destroy_default_wifi of the AP netif */
    wifi_mode_t mode_at_ap_attach; /* the driver's mode when the AP netif was attached */
} fake_esp_wifi_state_t;

const fake_esp_wifi_state_t *fake_esp_wifi_state(void);
/* Configs as the driver holds them now (runtime) and as persisted in flash. */
const wifi_config_t *fake_esp_wifi_config(wifi_interface_t interface);
const wifi_config_t *fake_esp_wifi_flash_config(wifi_interface_t interface);
/* The netif handles created by esp_netif_create_default_wifi_sta/ap or esp_netif_new (NULL before, and the
 * AP's again once destroyed). */
esp_netif_t *fake_esp_netif_sta(void);
esp_netif_t *fake_esp_netif_ap(void);

#endif /* FAKE_ESP_WIFI_CONTROL_H */
