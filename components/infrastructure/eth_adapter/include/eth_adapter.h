/*
 * eth_adapter: the wifi_station_port_t and network_port_t on Ethernet (esp_eth + esp_netif), for the
 * OpenCores Ethernet MAC that Espressif's QEMU emulates (CONFIG_ETH_USE_OPENETH; QEMU machines esp32 and
 * esp32c3). It lets the unchanged application (its WiFi link, MQTT, HTTP) run end to end in QEMU, where there
 * is no radio. Selected in main/Kconfig.projbuild (IRRIGATION_NETWORK_ETHERNET_OPENETH); the WiFi build never
 * links it.
 *
 * The application sees a WiFi station that always has credentials and never provisions:
 *   has_credentials      true (a cable needs none)
 *   start_station        esp_eth_start(); the driver's ETHERNET_EVENT_START becomes APP_EVENT_WIFI_STARTED
 *   connect, disconnect  APP_OK, nothing else: the link comes and goes with the cable (QEMU's is always in),
 *                        and DHCP runs by itself once the link is up
 *   start_access_point, set_credentials, persist_credentials, stop_access_point, scan
 *                        APP_ERR_PLATFORM (logged): there is no access point on Ethernet
 * Events (default event-loop task) are translated the way the WiFi adapter translates its own and posted
 * without blocking:
 *   ETHERNET_EVENT_START        -> APP_EVENT_WIFI_STARTED
 *   ETHERNET_EVENT_DISCONNECTED -> APP_EVENT_WIFI_DISCONNECTED (code ETH_ADAPTER_REASON_LINK_DOWN)
 *   IP_EVENT_ETH_GOT_IP         -> APP_EVENT_WIFI_GOT_IP (ip)
 *   IP_EVENT_ETH_LOST_IP        -> APP_EVENT_WIFI_LOST_IP
 * The network port's MAC is the station MAC (esp_read_mac(ESP_MAC_WIFI_STA)), so a device keeps one identity
 * in both builds; its IP is the Ethernet interface's. State is static (one Ethernet per device).
 *
 * Call order in main/ (app_main task), the same as the WiFi adapter's: eth_adapter_init(&cfg) after
 * esp_netif_init() and the default event loop, before application_start().
 */
#ifndef ETH_ADAPTER_H
#define ETH_ADAPTER_H

#include "application/ports/executor_port.h"
#include "application/ports/network_port.h"
#include "application/ports/wifi_station_port.h"
#include "esp_err.h"

/* The WIFI_DISCONNECTED code for a lost Ethernet link: outside the 802.11 reason codes (1..1023). */
#define ETH_ADAPTER_REASON_LINK_DOWN 0x10000

typedef struct {
    const executor_port_t *executor; /* where the translated events go */
    void *executor_ctx;
} eth_adapter_config_t;

/*
 * Creates the Ethernet netif, the OpenCores MAC and its PHY, installs the driver, attaches it to the netif
 * and registers the event handlers; the driver starts later (start_station). Requires esp_netif_init() and
 * the default event loop. ESP_ERR_INVALID_ARG on a missing executor, ESP_ERR_NOT_SUPPORTED in a build without
 * CONFIG_ETH_USE_OPENETH; else the first ESP-IDF error (logged).
 */
esp_err_t eth_adapter_init(const eth_adapter_config_t *cfg);

/* The ports (static, never NULL). Their ctx is unused: pass NULL. */
const wifi_station_port_t *eth_adapter_station_port(void);
const network_port_t *eth_adapter_network_port(void);

#endif /* ETH_ADAPTER_H */
