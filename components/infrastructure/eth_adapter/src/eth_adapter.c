/* eth_adapter: see the header. Driver set-up as in ESP-IDF v5.4.2's protocol_examples_common (eth_connect.c,
 * its OpenCores branch): an OpenCores MAC with a DP83848 PHY model, which is what QEMU's open_eth answers as.
 */
#include "eth_adapter.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "application/app_event.h"
#include "esp_eth.h"
#include "esp_event.h"
#include "esp_log.h"
#include "esp_netif.h"
#include "netif_port.h"
#include "sdkconfig.h"

static const char *TAG = "eth_adapter";

/* QEMU's PHY model answers at once; the driver's default auto-negotiation wait is meant for real cables. */
#define ETH_ADAPTER_AUTONEGO_TIMEOUT_MS 100

static eth_adapter_config_t s_cfg;
static esp_netif_t *s_netif;
static esp_eth_handle_t s_eth;
static bool s_initialised;
/* The interface holds an address (for get_ip): esp_netif keeps the old one for a while after a link loss. */
static atomic_bool s_has_ip;

static app_err_t to_app(esp_err_t err, const char *what)
{
    return netif_port_result(TAG, err, what);
}

static void post(const app_event_t *event)
{
    netif_port_post(TAG, s_cfg.executor, s_cfg.executor_ctx, event);
}

/* ---- events (default event-loop task): translate and post ---------------------------------------------- */

static void on_eth_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    (void)base;
    (void)data;
    app_event_t event;
    memset(&event, 0, sizeof(event));
    if (id == ETHERNET_EVENT_START) {
        event.kind = APP_EVENT_WIFI_STARTED;
    } else if (id == ETHERNET_EVENT_DISCONNECTED) {
        event.kind = APP_EVENT_WIFI_DISCONNECTED;
        event.code = ETH_ADAPTER_REASON_LINK_DOWN;
        atomic_store(&s_has_ip, false);
        ESP_LOGW(TAG, "link down");
    } else {
        if (id == ETHERNET_EVENT_CONNECTED) {
            ESP_LOGI(TAG, "link up"); /* DHCP follows; the application waits for the address */
        }
        return;
    }
    post(&event);
}

static void on_ip_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    (void)base;
    app_event_t event;
    if (netif_port_ip_event(TAG, id, data, IP_EVENT_ETH_GOT_IP, IP_EVENT_ETH_LOST_IP, &event)) {
        atomic_store(&s_has_ip, event.kind == APP_EVENT_WIFI_GOT_IP);
        post(&event);
    }
}

#if CONFIG_ETH_USE_OPENETH
static esp_err_t install_driver(void)
{
    eth_mac_config_t mac_config = ETH_MAC_DEFAULT_CONFIG();
    eth_phy_config_t phy_config = ETH_PHY_DEFAULT_CONFIG();
    phy_config.autonego_timeout_ms = ETH_ADAPTER_AUTONEGO_TIMEOUT_MS;
    esp_eth_mac_t *mac = esp_eth_mac_new_openeth(&mac_config);
    esp_eth_phy_t *phy = esp_eth_phy_new_dp83848(&phy_config);
    if (mac == NULL || phy == NULL) {
        ESP_LOGE(TAG, "OpenCores MAC or PHY not created");
        return ESP_ERR_NO_MEM;
    }
    const esp_eth_config_t config = ETH_DEFAULT_CONFIG(mac, phy);
    esp_err_t err = esp_eth_driver_install(&config, &s_eth);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "esp_eth_driver_install: %s (0x%x)", esp_err_to_name(err), err);
    }
    return err;
}
#else
static esp_err_t install_driver(void)
{
    ESP_LOGE(TAG, "built without CONFIG_ETH_USE_OPENETH: no Ethernet MAC to drive");
    return ESP_ERR_NOT_SUPPORTED;
}
#endif

esp_err_t eth_adapter_init(const eth_adapter_config_t *cfg)
{
    if (cfg == NULL || cfg->executor == NULL || cfg->executor->post == NULL) {
        ESP_LOGE(TAG, "init: missing executor port");
        return ESP_ERR_INVALID_ARG;
    }
    s_cfg = *cfg;
    s_initialised = false;
    atomic_init(&s_has_ip, false);

    const esp_netif_config_t netif_config = ESP_NETIF_DEFAULT_ETH();
    s_netif = esp_netif_new(&netif_config);
    if (s_netif == NULL) {
        ESP_LOGE(TAG, "esp_netif_new(ETH) failed");
        return ESP_ERR_NO_MEM;
    }
    esp_err_t err = install_driver();
    if (err != ESP_OK) {
        return err;
    }
    esp_eth_netif_glue_handle_t glue = esp_eth_new_netif_glue(s_eth);
    err = glue != NULL ? esp_netif_attach(s_netif, glue) : ESP_ERR_NO_MEM;
    if (err == ESP_OK) {
        err = esp_event_handler_instance_register(ETH_EVENT, ESP_EVENT_ANY_ID, on_eth_event, NULL, NULL);
    }
    if (err == ESP_OK) {
        err = esp_event_handler_instance_register(IP_EVENT, ESP_EVENT_ANY_ID, on_ip_event, NULL, NULL);
    }
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "init: %s (0x%x)", esp_err_to_name(err), err);
        return err;
    }
    s_initialised = true;
    return ESP_OK;
}

/* ---- wifi_station_port ------------------------------------------------------------------------------------
 */

static bool station_has_credentials(void *ctx)
{
    (void)ctx;
    return true;
}

static app_err_t station_start_station(void *ctx)
{
    (void)ctx;
    if (!s_initialised) {
        return APP_ERR_NOT_STARTED;
    }
    return to_app(esp_eth_start(s_eth), "esp_eth_start");
}

static app_err_t station_no_op(void *ctx)
{
    (void)ctx;
    return APP_OK;
}

/* Everything provisioning asks of a radio: refused, logged once per call. */
static app_err_t no_access_point(const char *what)
{
    ESP_LOGE(TAG, "%s: there is no access point on Ethernet", what);
    return APP_ERR_PLATFORM;
}

static app_err_t station_start_access_point(void *ctx, const char *ssid, const char *password)
{
    (void)ctx;
    (void)ssid;
    (void)password;
    return no_access_point("start_access_point");
}

static app_err_t station_set_credentials(void *ctx, const char *ssid, const char *password)
{
    (void)ctx;
    (void)ssid;
    (void)password;
    return no_access_point("set_credentials");
}

static app_err_t station_persist_credentials(void *ctx)
{
    (void)ctx;
    return no_access_point("persist_credentials");
}

static app_err_t station_forget_credentials(void *ctx)
{
    (void)ctx;
    return APP_OK; /* a cable keeps no credentials: nothing to forget (the access point that follows is
                      refused) */
}

static app_err_t station_stop_access_point(void *ctx)
{
    (void)ctx;
    return no_access_point("stop_access_point");
}

static app_err_t station_scan(void *ctx, wifi_station_network_t *out, size_t max, size_t *count)
{
    (void)ctx;
    (void)out;
    (void)max;
    *count = 0;
    return no_access_point("scan");
}

static const wifi_station_port_t s_station_port = {
    .has_credentials = station_has_credentials,
    .start_station = station_start_station,
    .start_access_point = station_start_access_point,
    .connect = station_no_op,
    .disconnect = station_no_op,
    .set_credentials = station_set_credentials,
    .persist_credentials = station_persist_credentials,
    .forget_credentials = station_forget_credentials,
    .stop_access_point = station_stop_access_point,
    .scan = station_scan,
};

const wifi_station_port_t *eth_adapter_station_port(void)
{
    return &s_station_port;
}

/* ---- network_port -----------------------------------------------------------------------------------------
 */

static app_err_t get_mac(void *ctx, mac_address_t *out)
{
    (void)ctx;
    return netif_port_get_mac(TAG, out);
}

static app_err_t get_ip(void *ctx, ipv4_address_t *out)
{
    (void)ctx;
    return netif_port_get_ip(TAG, s_netif, atomic_load(&s_has_ip), out);
}

static const network_port_t s_network_port = {
    .get_mac = get_mac,
    .get_ip = get_ip,
};

const network_port_t *eth_adapter_network_port(void)
{
    return &s_network_port;
}
