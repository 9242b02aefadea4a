/* wifi_adapter: see the header. */
#include "wifi_adapter.h"
#include "wifi_adapter_internal.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>

#include "application/app_event.h"
#include "esp_event.h"
#include "esp_log.h"
#include "esp_mac.h"
#include "esp_netif.h"
#include "esp_wifi.h"
#include "sdkconfig.h"

/* The access point offers WPA3 (SAE) next to WPA2 when the WiFi library is built with SoftAP SAE support
 * (CONFIG_ESP_WIFI_SOFTAP_SAE_SUPPORT, on by default in v5.4.2 for every target with WPA3 enabled). */
#if defined(CONFIG_ESP_WIFI_SOFTAP_SAE_SUPPORT) && CONFIG_ESP_WIFI_SOFTAP_SAE_SUPPORT
#define WIFI_ADAPTER_AP_WPA3      1
#define WIFI_ADAPTER_AP_AUTH_NAME "WPA2/WPA3"
#else
#define WIFI_ADAPTER_AP_WPA3      0
#define WIFI_ADAPTER_AP_AUTH_NAME "WPA2"
#endif

static const char *TAG = "wifi_adapter";

static wifi_adapter_config_t s_cfg;
static esp_netif_t *s_sta_netif;
/* Created at the first provisioning of this boot and kept until reboot (below); NULL on a provisioned boot.
 */
static esp_netif_t *s_ap_netif;
static bool s_initialised;
/* esp_wifi_start() succeeded: a factory reset switches a running station to APSTA by esp_wifi_set_mode()
 * alone, as ESP-IDF's provisioning manager does (wifi_prov_mgr_start_provisioning starts the station, its
 * softAP scheme then only sets APSTA and the AP config). */
static bool s_started;
/* The station holds an address (for get_ip): esp_netif keeps the old one for a while after a disconnect. */
static atomic_bool s_has_ip;

#define RETURN_ON_ERROR(expr, what)                                            \
    do {                                                                       \
        esp_err_t err_ = (expr);                                               \
        if (err_ != ESP_OK) {                                                  \
            ESP_LOGE(TAG, "%s: %s (0x%x)", what, esp_err_to_name(err_), err_); \
            return err_;                                                       \
        }                                                                      \
    } while (0)

app_err_t wifi_adapter_to_app(esp_err_t err, const char *what)
{
    if (err == ESP_OK) {
        return APP_OK;
    }
    ESP_LOGE(TAG, "%s: %s (0x%x)", what, esp_err_to_name(err), err);
    return err == ESP_ERR_NO_MEM ? APP_ERR_NO_MEMORY : APP_ERR_PLATFORM;
}

static void post(const app_event_t *event)
{
    if (!s_cfg.executor->post(s_cfg.executor_ctx, event)) {
        ESP_LOGE(TAG, "application queue full: %s lost", app_event_kind_to_str(event->kind));
    }
}

static ipv4_address_t to_ipv4(const esp_ip4_addr_t *addr)
{
    ipv4_address_t ip;
    /* addr holds network byte order: byte 0 in memory is the first octet on any host. */
    for (int i = 0; i < 4; i++) {
        ip.octets[i] = esp_ip4_addr_get_byte(addr, i);
    }
    return ip;
}

/* ---- events (default event-loop task): translate and post ---------------------------------------------- */

static void on_wifi_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    (void)base;
    app_event_t event;
    memset(&event, 0, sizeof(event));
    if (id == WIFI_EVENT_STA_START) {
        event.kind = APP_EVENT_WIFI_STARTED;
    } else if (id == WIFI_EVENT_STA_DISCONNECTED) {
        const wifi_event_sta_disconnected_t *info = data;
        event.kind = APP_EVENT_WIFI_DISCONNECTED;
        event.code = info != NULL ? (int32_t)info->reason : 0;
        atomic_store(&s_has_ip, false);
        ESP_LOGW(TAG, "station disconnected, reason %d", (int)event.code);
    } else {
        return; /* access point events and the rest: nothing the application needs */
    }
    post(&event);
}

static void on_ip_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    (void)base;
    app_event_t event;
    memset(&event, 0, sizeof(event));
    if (id == IP_EVENT_STA_GOT_IP) {
        const ip_event_got_ip_t *info = data;
        if (info == NULL) {
            return;
        }
        event.kind = APP_EVENT_WIFI_GOT_IP;
        event.ip = to_ipv4(&info->ip_info.ip);
        atomic_store(&s_has_ip, true);
        char text[IPV4_ADDRESS_STR_SIZE];
        ipv4_address_format(&event.ip, text);
        ESP_LOGI(TAG, "station IP %s", text);
    } else if (id == IP_EVENT_STA_LOST_IP) {
        event.kind = APP_EVENT_WIFI_LOST_IP;
        atomic_store(&s_has_ip, false);
        ESP_LOGW(TAG, "station lost its IP");
    } else {
        return;
    }
    post(&event);
}

esp_err_t wifi_adapter_init(const wifi_adapter_config_t *cfg)
{
    if (cfg == NULL || cfg->executor == NULL || cfg->executor->post == NULL) {
        ESP_LOGE(TAG, "init: missing executor port");
        return ESP_ERR_INVALID_ARG;
    }
    s_cfg = *cfg;
    s_initialised = false;
    s_started = false;
    s_ap_netif = NULL;
    atomic_init(&s_has_ip, false);

    RETURN_ON_ERROR(esp_netif_init(), "esp_netif_init");
    esp_err_t err = esp_event_loop_create_default();
    if (err != ESP_OK && err != ESP_ERR_INVALID_STATE) { /* INVALID_STATE: main/ created it already */
        ESP_LOGE(TAG, "esp_event_loop_create_default: %s (0x%x)", esp_err_to_name(err), err);
        return err;
    }
    s_sta_netif = esp_netif_create_default_wifi_sta();
    if (s_sta_netif == NULL) {
        ESP_LOGE(TAG, "esp_netif_create_default_wifi_sta failed");
        return ESP_ERR_NO_MEM;
    }
    /* No AP netif here: a provisioned node (every boot but the first) never needs one; start_access_point
     * creates it. */
    wifi_init_config_t init = WIFI_INIT_CONFIG_DEFAULT();
    if (!s_cfg.nvs_available) {
        init.nvs_enable = 0; /* degraded: see wifi_adapter_config_t */
        ESP_LOGW(TAG, "NVS unavailable: WiFi runs without it, credentials kept in RAM only");
    }
    RETURN_ON_ERROR(esp_wifi_init(&init), "esp_wifi_init");
    /* Credentials given to esp_wifi_set_config() persist in NVS (the default, made explicit), when there is
     * one. */
    RETURN_ON_ERROR(esp_wifi_set_storage(s_cfg.nvs_available ? WIFI_STORAGE_FLASH : WIFI_STORAGE_RAM),
                    "esp_wifi_set_storage");
    RETURN_ON_ERROR(
        esp_event_handler_instance_register(WIFI_EVENT, ESP_EVENT_ANY_ID, on_wifi_event, NULL, NULL),
        "register WIFI_EVENT");
    RETURN_ON_ERROR(esp_event_handler_instance_register(IP_EVENT, ESP_EVENT_ANY_ID, on_ip_event, NULL, NULL),
                    "register IP_EVENT");
    s_initialised = true;
    return ESP_OK;
}

/* ---- wifi_station_port ------------------------------------------------------------------------------------
 */

static bool station_has_credentials(void *ctx)
{
    (void)ctx;
    wifi_config_t conf;
    memset(&conf, 0, sizeof(conf));
    if (!s_initialised || esp_wifi_get_config(WIFI_IF_STA, &conf) != ESP_OK) {
        return false;
    }
    const bool stored = conf.sta.ssid[0] != '\0';
    memset(&conf, 0, sizeof(conf)); /* the password */
    return stored;
}

static app_err_t station_start_station(void *ctx)
{
    (void)ctx;
    if (!s_initialised) {
        return APP_ERR_NOT_STARTED;
    }
    app_err_t rc = wifi_adapter_to_app(esp_wifi_set_mode(WIFI_MODE_STA), "esp_wifi_set_mode(STA)");
    if (rc == APP_OK) {
        rc = wifi_adapter_to_app(esp_wifi_start(), "esp_wifi_start");
    }
    s_started = s_started || rc == APP_OK;
    return rc;
}

/*
 * The access point's netif, made the way esp_netif_create_default_wifi_ap() makes it (wifi_default.c,
 * v5.4.2: esp_netif_new with ESP_NETIF_DEFAULT_WIFI_AP, esp_netif_attach_wifi_ap,
 * esp_wifi_set_default_wifi_ap_handlers) but without its assert and ESP_ERROR_CHECK: no memory at
 * provisioning time is an error the application reports, not an abort (and a reboot into provisioning
 * again). Attaching only allocates the driver handle (wifi_netif.c esp_wifi_create_if_driver); the driver is
 * bound at WIFI_EVENT_AP_START, which comes after the mode switch below, so creating it after esp_wifi_init()
 * is fine. It is kept until reboot: destroying it would race the AP_STOP handling on the event loop, and the
 * node reboots into station mode with no AP netif anyway.
 */
static app_err_t create_ap_netif(void)
{
    if (s_ap_netif != NULL) {
        return APP_OK;
    }
    const esp_netif_config_t config = ESP_NETIF_DEFAULT_WIFI_AP();
    esp_netif_t *netif = esp_netif_new(&config);
    if (netif == NULL) {
        ESP_LOGE(TAG, "esp_netif_new(WIFI_AP) failed");
        return APP_ERR_NO_MEMORY;
    }
    esp_err_t err = esp_netif_attach_wifi_ap(netif);
    if (err != ESP_OK) {
        esp_netif_destroy(netif);
        return wifi_adapter_to_app(err, "esp_netif_attach_wifi_ap");
    }
    err = esp_wifi_set_default_wifi_ap_handlers();
    if (err != ESP_OK) {
        esp_netif_destroy_default_wifi(netif); /* detaches it from the driver, then destroys it */
        return wifi_adapter_to_app(err, "esp_wifi_set_default_wifi_ap_handlers");
    }
    s_ap_netif = netif;
    return APP_OK;
}

static app_err_t station_start_access_point(void *ctx, const char *ssid, const char *password)
{
    (void)ctx;
    if (!s_initialised) {
        return APP_ERR_NOT_STARTED;
    }
    const size_t ssid_len = strlen(ssid);
    const size_t password_len = strlen(password);
    wifi_config_t conf;
    memset(&conf, 0, sizeof(conf));
    if (ssid_len == 0 || ssid_len > sizeof(conf.ap.ssid) || password_len < 8 ||
        password_len >= sizeof(conf.ap.password)) {
        return APP_ERR_INVALID_ARG; /* never an open or unnamed access point */
    }
    memcpy(conf.ap.ssid, ssid, ssid_len);
    conf.ap.ssid_len = (uint8_t)ssid_len;
    memcpy(conf.ap.password, password, password_len);
    conf.ap.channel = s_cfg.ap_channel != 0 ? s_cfg.ap_channel : 1;
    conf.ap.max_connection = s_cfg.ap_max_connections != 0 ? s_cfg.ap_max_connections : 4;
#if WIFI_ADAPTER_AP_WPA3
    /* WPA2/WPA3 mixed: phones that speak WPA3 get SAE (no offline dictionary attack on the captured
     * handshake), the others WPA2; PMF is then advertised as capable (esp_wifi_types_generic.h:
     * wifi_ap_config_t, pmf_cfg and sae_pwe_h2e). */
    conf.ap.authmode = WIFI_AUTH_WPA2_WPA3_PSK;
    conf.ap.sae_pwe_h2e = WPA3_SAE_PWE_BOTH;
#else
    conf.ap.authmode = WIFI_AUTH_WPA2_PSK;
#endif
    conf.ap.pmf_cfg.capable = true;
    conf.ap.pmf_cfg.required = false; /* WPA2-only phones without PMF must still join */
    app_err_t rc = create_ap_netif();
    if (rc == APP_OK) {
        rc = wifi_adapter_to_app(esp_wifi_set_mode(WIFI_MODE_APSTA), "esp_wifi_set_mode(APSTA)");
    }
    if (rc == APP_OK) {
        rc = wifi_adapter_to_app(esp_wifi_set_config(WIFI_IF_AP, &conf), "esp_wifi_set_config(AP)");
    }
    memset(&conf, 0, sizeof(conf));
    if (rc == APP_OK && !s_started) {
        rc = wifi_adapter_to_app(esp_wifi_start(), "esp_wifi_start");
        s_started = rc == APP_OK;
    }
    if (rc == APP_OK) {
        ESP_LOGI(TAG, "access point \"%s\" (%s) started", ssid, WIFI_ADAPTER_AP_AUTH_NAME);
    }
    return rc;
}

static app_err_t station_connect(void *ctx)
{
    (void)ctx;
    return wifi_adapter_to_app(esp_wifi_connect(), "esp_wifi_connect");
}

static app_err_t station_disconnect(void *ctx)
{
    (void)ctx;
    return wifi_adapter_to_app(esp_wifi_disconnect(), "esp_wifi_disconnect");
}

static app_err_t station_set_credentials(void *ctx, const char *ssid, const char *password)
{
    (void)ctx;
    const size_t ssid_len = strlen(ssid);
    const size_t password_len = strlen(password);
    wifi_config_t conf;
    memset(&conf, 0, sizeof(conf));
    if (ssid_len == 0 || ssid_len > sizeof(conf.sta.ssid) || password_len > sizeof(conf.sta.password)) {
        return APP_ERR_INVALID_ARG;
    }
    memcpy(conf.sta.ssid, ssid, ssid_len);
    memcpy(conf.sta.password, password, password_len);
    conf.sta.scan_method = WIFI_ALL_CHANNEL_SCAN;
    conf.sta.sort_method = WIFI_CONNECT_AP_BY_SIGNAL;
    /* WPA2 at least when the network has a password: an impostor offering WEP or WPA/TKIP under the same
     * name is refused. An empty password is the technician's choice of an open network. */
    conf.sta.threshold.authmode = password_len == 0 ? WIFI_AUTH_OPEN : WIFI_AUTH_WPA2_PSK;
    conf.sta.pmf_cfg.capable = true;
    /* RAM only until the station proves the credentials with an address: a wrong password is not kept, and
     * a reboot comes back to provisioning. */
    app_err_t rc = wifi_adapter_to_app(esp_wifi_set_storage(WIFI_STORAGE_RAM), "esp_wifi_set_storage(RAM)");
    if (rc == APP_OK) {
        rc = wifi_adapter_to_app(esp_wifi_set_config(WIFI_IF_STA, &conf), "esp_wifi_set_config(STA)");
    }
    memset(&conf, 0, sizeof(conf));
    return rc;
}

/* esp_wifi.h (v5.4.2): esp_wifi_set_config() needs the interface enabled (STA or APSTA: true once the link
 * has started) and stores the config in NVS under WIFI_STORAGE_FLASH; after a trial the storage is RAM, so it
 * is set first. */
static app_err_t write_station_config(wifi_config_t *conf, const char *what)
{
    if (!s_cfg.nvs_available) {
        return APP_ERR_STORAGE; /* nowhere to keep them: RAM only until the next reboot */
    }
    app_err_t rc =
        wifi_adapter_to_app(esp_wifi_set_storage(WIFI_STORAGE_FLASH), "esp_wifi_set_storage(FLASH)");
    if (rc == APP_OK) {
        rc = wifi_adapter_to_app(esp_wifi_set_config(WIFI_IF_STA, conf), what);
    }
    return rc;
}

static app_err_t station_persist_credentials(void *ctx)
{
    (void)ctx;
    wifi_config_t conf;
    memset(&conf, 0, sizeof(conf));
    app_err_t rc = wifi_adapter_to_app(esp_wifi_get_config(WIFI_IF_STA, &conf), "esp_wifi_get_config(STA)");
    if (rc == APP_OK) {
        rc = write_station_config(&conf, "esp_wifi_set_config(STA)");
    }
    memset(&conf, 0, sizeof(conf));
    return rc;
}

static app_err_t station_stop_access_point(void *ctx)
{
    (void)ctx;
    return wifi_adapter_to_app(esp_wifi_set_mode(WIFI_MODE_STA), "esp_wifi_set_mode(STA)");
}

static app_err_t station_forget_credentials(void *ctx)
{
    (void)ctx;
    if (!s_initialised) {
        return APP_ERR_NOT_STARTED;
    }
    wifi_config_t empty;
    memset(&empty, 0, sizeof(empty));
    const app_err_t rc = write_station_config(&empty, "esp_wifi_set_config(STA, empty)");
    if (rc == APP_OK) {
        ESP_LOGW(TAG, "station credentials erased (factory reset)");
    }
    return rc;
}

static const wifi_station_port_t s_station_port = {
    .has_credentials = station_has_credentials,
    .start_station = station_start_station,
    .start_access_point = station_start_access_point,
    .connect = station_connect,
    .disconnect = station_disconnect,
    .set_credentials = station_set_credentials,
    .persist_credentials = station_persist_credentials,
    .stop_access_point = station_stop_access_point,
    .scan = wifi_adapter_scan,
    .forget_credentials = station_forget_credentials,
};

const wifi_station_port_t *wifi_adapter_station_port(void)
{
    return &s_station_port;
}

/* ---- network_port -----------------------------------------------------------------------------------------
 */

static app_err_t get_mac(void *ctx, mac_address_t *out)
{
    (void)ctx;
    if (out == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    return wifi_adapter_to_app(esp_read_mac(out->bytes, ESP_MAC_WIFI_STA), "esp_read_mac");
}

static app_err_t get_ip(void *ctx, ipv4_address_t *out)
{
    (void)ctx;
    if (out == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    if (!atomic_load(&s_has_ip) || s_sta_netif == NULL) {
        return APP_ERR_NOT_CONNECTED;
    }
    esp_netif_ip_info_t info;
    app_err_t rc = wifi_adapter_to_app(esp_netif_get_ip_info(s_sta_netif, &info), "esp_netif_get_ip_info");
    if (rc != APP_OK) {
        return rc;
    }
    *out = to_ipv4(&info.ip);
    return ipv4_address_is_unspecified(out) ? APP_ERR_NOT_CONNECTED : APP_OK;
}

static const network_port_t s_network_port = {
    .get_mac = get_mac,
    .get_ip = get_ip,
};

const network_port_t *wifi_adapter_network_port(void)
{
    return &s_network_port;
}
