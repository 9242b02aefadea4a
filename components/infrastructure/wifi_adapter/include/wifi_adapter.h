/*
 * wifi_adapter: the wifi_station_port_t and network_port_t on esp_wifi / esp_netif. A translator: it decides
 * nothing (retries, low power and the provisioning steps are the core's: domain/wifi_link.h,
 * application/wifi_link_use_case.h, application/provisioning.h).
 *
 * Events (default event-loop task) are translated and posted without blocking:
 *   WIFI_EVENT_STA_START        -> APP_EVENT_WIFI_STARTED
 *   WIFI_EVENT_STA_DISCONNECTED -> APP_EVENT_WIFI_DISCONNECTED (code = the reason)
 *   IP_EVENT_STA_GOT_IP         -> APP_EVENT_WIFI_GOT_IP (ip)
 *   IP_EVENT_STA_LOST_IP        -> APP_EVENT_WIFI_LOST_IP
 * Port calls (application task; scan and set_credentials on the HTTP task) map to the driver:
 *   has_credentials      esp_wifi_get_config(WIFI_IF_STA) holds an SSID
 *   start_station        WIFI_MODE_STA, esp_wifi_start (connect comes after WIFI_STARTED)
 *   start_access_point   WIFI_MODE_APSTA (the station half makes scanning and trying credentials possible),
 *                        a WPA2-PSK access point with the given name and password, esp_wifi_start unless
 *                        the driver runs already (after a factory reset the mode switch starts the AP)
 *   connect, disconnect  esp_wifi_connect, esp_wifi_disconnect
 *   set_credentials      WIFI_STORAGE_RAM, then the station config: nothing persists until it worked
 *   persist_credentials  WIFI_STORAGE_FLASH, then the same station config again (now written to NVS)
 *   stop_access_point    WIFI_MODE_STA
 *   scan                 a blocking esp_wifi_scan_start, records read one at a time (no big buffer)
 *   forget_credentials   WIFI_STORAGE_FLASH, then an all-zero station config: the stored one is replaced in
 *                        the driver's own NVS namespace (ESP-IDF's provisioning manager resets the same
 *                        way); the device name and location (namespace device_config) stay. Not
 *                        esp_wifi_restore(): it also resets the mode, protocol, bandwidth and AP config
 * The password is never logged. State is static (one WiFi per device).
 *
 * Call order in main/ (app_main task): nvs_config_adapter_init_flash(); wifi_adapter_init(&cfg);
 * application_start(..) (whose START event makes the application call start_station or
 * start_access_point); http_adapter_start(..).
 */
#ifndef WIFI_ADAPTER_H
#define WIFI_ADAPTER_H

#include <stdint.h>

#include "application/ports/executor_port.h"
#include "application/ports/network_port.h"
#include "application/ports/wifi_station_port.h"
#include "esp_err.h"

typedef struct {
    const executor_port_t *executor; /* where the translated events go */
    void *executor_ctx;
    uint8_t ap_channel;         /* 1..13; 0 means 1 */
    uint8_t ap_max_connections; /* 0 means 4 */
    /* false when main/ could not initialise NVS: the driver then runs with nvs_enable = 0 and RAM storage
     * (esp_wifi_init with NVS enabled fails when NVS does not work, which left no WiFi at all): station and
     * access point still come up, credentials live until the next reboot, and persisting them is refused
     * with APP_ERR_STORAGE. */
    bool nvs_available;
} wifi_adapter_config_t;

/*
 * esp_netif_init, default event loop (an existing one is fine), the default STA netif, esp_wifi_init,
 * WIFI_STORAGE_FLASH, event handlers. The AP netif is created by the first start_access_point of the boot
 * (provisioning, factory reset) and kept until reboot: a provisioned node never has one. Requires nvs_flash
 * initialised. ESP_ERR_INVALID_ARG on a missing executor; else the first ESP-IDF error (logged).
 */
esp_err_t wifi_adapter_init(const wifi_adapter_config_t *cfg);

/* The ports (static, never NULL). Their ctx is unused: pass NULL. */
const wifi_station_port_t *wifi_adapter_station_port(void);
const network_port_t *wifi_adapter_network_port(void);

#endif /* WIFI_ADAPTER_H */
