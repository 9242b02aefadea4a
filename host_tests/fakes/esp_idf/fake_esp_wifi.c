/*
 * WiFi / netif / MAC fake. Event bases WIFI_EVENT and IP_EVENT are defined here, as esp_wifi and esp_netif
 * define them in ESP-IDF.
 */
#include <string.h>

#include "esp_mac.h"
#include "esp_netif.h"
#include "esp_wifi.h"
#include "fake_esp_wifi.h"

ESP_EVENT_DEFINE_BASE(WIFI_EVENT);
ESP_EVENT_DEFINE_BASE(IP_EVENT);

struct esp_netif_obj {
    int id;
};

static struct esp_netif_obj s_sta_netif = {1};
static struct esp_netif_obj s_ap_netif = {2};

static fake_esp_wifi_state_t s_state;
static wifi_config_t s_runtime[2];
static wifi_config_t s_flash[2];
static uint8_t s_sta_mac[6];
static uint8_t s_ap_mac[6];
static esp_netif_ip_info_t s_sta_ip;
static bool s_sta_netif_created;
static bool s_ap_netif_created;
static wifi_ap_record_t s_scan[FAKE_ESP_WIFI_MAX_SCAN];
static size_t s_scan_count;
static size_t s_scan_read; /* records already taken by esp_wifi_scan_get_ap_record */
static esp_err_t s_errors[FAKE_WIFI_FN_COUNT];

static const uint8_t DEFAULT_STA_MAC[6] = {0x24, 0x6F, 0x28, 0xA1, 0xB2, 0xC3};
static const uint8_t DEFAULT_AP_MAC[6] = {0x24, 0x6F, 0x28, 0xA1, 0xB2, 0xC4};

static void boot(void)
{
    memset(&s_state, 0, sizeof(s_state));
    memset(s_runtime, 0, sizeof(s_runtime));
    memset(&s_sta_ip, 0, sizeof(s_sta_ip));
    s_sta_netif_created = false;
    s_ap_netif_created = false;
    s_scan_count = 0;
    s_scan_read = 0;
    memset(s_errors, 0, sizeof(s_errors));
    s_state.ps = WIFI_PS_MIN_MODEM; /* the driver's default in station mode */
}

void fake_esp_wifi_reset(void)
{
    boot();
    memset(s_flash, 0, sizeof(s_flash));
    memcpy(s_sta_mac, DEFAULT_STA_MAC, sizeof(s_sta_mac));
    memcpy(s_ap_mac, DEFAULT_AP_MAC, sizeof(s_ap_mac));
}

void fake_esp_wifi_reboot(void)
{
    boot();
}

void fake_esp_wifi_store_sta(const char *ssid, const char *password)
{
    memset(&s_flash[WIFI_IF_STA], 0, sizeof(s_flash[WIFI_IF_STA]));
    strncpy((char *)s_flash[WIFI_IF_STA].sta.ssid, ssid, sizeof(s_flash[WIFI_IF_STA].sta.ssid));
    strncpy((char *)s_flash[WIFI_IF_STA].sta.password, password, sizeof(s_flash[WIFI_IF_STA].sta.password));
}

void fake_esp_wifi_set_sta_mac(const uint8_t mac[6])
{
    memcpy(s_sta_mac, mac, 6);
}

void fake_esp_wifi_set_ap_mac(const uint8_t mac[6])
{
    memcpy(s_ap_mac, mac, 6);
}

void fake_esp_netif_set_sta_ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    /* Network byte order: the first octet is the first byte in memory. */
    uint8_t bytes[4] = {a, b, c, d};
    memcpy(&s_sta_ip.ip.addr, bytes, sizeof(bytes));
}

void fake_esp_wifi_set_scan_results(const wifi_ap_record_t *records, size_t count)
{
    if (count > FAKE_ESP_WIFI_MAX_SCAN) {
        count = FAKE_ESP_WIFI_MAX_SCAN;
    }
    memcpy(s_scan, records, count * sizeof(records[0]));
    s_scan_count = count;
    s_scan_read = 0;
}

void fake_esp_wifi_set_error(fake_wifi_fn_t fn, esp_err_t err)
{
    if (fn < FAKE_WIFI_FN_COUNT) {
        s_errors[fn] = err;
    }
}

const fake_esp_wifi_state_t *fake_esp_wifi_state(void)
{
    return &s_state;
}

const wifi_config_t *fake_esp_wifi_config(wifi_interface_t interface)
{
    return interface <= WIFI_IF_AP ? &s_runtime[interface] : NULL;
}

const wifi_config_t *fake_esp_wifi_flash_config(wifi_interface_t interface)
{
    return interface <= WIFI_IF_AP ? &s_flash[interface] : NULL;
}

esp_netif_t *fake_esp_netif_sta(void)
{
    return s_sta_netif_created ? &s_sta_netif : NULL;
}

esp_netif_t *fake_esp_netif_ap(void)
{
    return s_ap_netif_created ? &s_ap_netif : NULL;
}

/* ---- esp_netif ---- */

esp_err_t esp_netif_init(void)
{
    s_state.netif_init_calls++;
    return ESP_OK;
}

esp_netif_t *esp_netif_create_default_wifi_sta(void)
{
    s_state.sta_netif_created++;
    s_sta_netif_created = true;
    return &s_sta_netif;
}

esp_netif_t *esp_netif_create_default_wifi_ap(void)
{
    s_state.ap_netif_created++;
    s_ap_netif_created = true;
    return &s_ap_netif;
}

/* esp_netif_defaults.h's names; only their addresses matter here. */
struct fake_esp_netif_inherent_config {
    int unused;
};
const esp_netif_inherent_config_t _g_esp_netif_inherent_ap_config = {0};
static const struct fake_esp_netif_netstack_config {
    int unused;
} s_netstack_wifi_ap = {0};
const esp_netif_netstack_config_t *_g_esp_netif_netstack_default_wifi_ap = &s_netstack_wifi_ap;

/* Only the AP defaults are modelled (the station's netif comes from esp_netif_create_default_wifi_sta). */
esp_netif_t *esp_netif_new(const esp_netif_config_t *esp_netif_config)
{
    if (s_errors[FAKE_WIFI_FN_NETIF_NEW] != ESP_OK || esp_netif_config == NULL ||
        esp_netif_config->base != ESP_NETIF_BASE_DEFAULT_WIFI_AP ||
        esp_netif_config->stack != ESP_NETIF_NETSTACK_DEFAULT_WIFI_AP || s_ap_netif_created) {
        return NULL;
    }
    s_state.ap_netif_created++;
    s_ap_netif_created = true;
    return &s_ap_netif;
}

void esp_netif_destroy(esp_netif_t *esp_netif)
{
    if (esp_netif == &s_ap_netif && s_ap_netif_created) {
        s_ap_netif_created = false;
        s_state.ap_netif_destroyed++;
    }
}

esp_err_t esp_netif_attach_wifi_ap(esp_netif_t *esp_netif)
{
    if (esp_netif != &s_ap_netif || !s_ap_netif_created) {
        return ESP_ERR_INVALID_ARG;
    }
    if (s_errors[FAKE_WIFI_FN_ATTACH_AP] != ESP_OK) {
        return s_errors[FAKE_WIFI_FN_ATTACH_AP];
    }
    s_state.ap_netif_attached++;
    s_state.mode_at_ap_attach = s_state.mode;
    return ESP_OK;
}

esp_err_t esp_wifi_set_default_wifi_ap_handlers(void)
{
    if (s_errors[FAKE_WIFI_FN_AP_HANDLERS] != ESP_OK) {
        return s_errors[FAKE_WIFI_FN_AP_HANDLERS];
    }
    s_state.ap_handlers_set++;
    return ESP_OK;
}

void esp_netif_destroy_default_wifi(void *esp_netif)
{
    esp_netif_destroy(esp_netif);
}

esp_netif_t *esp_netif_get_handle_from_ifkey(const char *if_key)
{
    if (if_key != NULL && strcmp(if_key, "WIFI_STA_DEF") == 0) {
        return fake_esp_netif_sta();
    }
    if (if_key != NULL && strcmp(if_key, "WIFI_AP_DEF") == 0) {
        return fake_esp_netif_ap();
    }
    return NULL;
}

esp_err_t esp_netif_get_ip_info(esp_netif_t *esp_netif, esp_netif_ip_info_t *ip_info)
{
    if (esp_netif == NULL || ip_info == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (esp_netif == &s_sta_netif) {
        *ip_info = s_sta_ip;
    } else {
        memset(ip_info, 0, sizeof(*ip_info));
    }
    return ESP_OK;
}

/* ---- esp_mac ---- */

esp_err_t esp_read_mac(uint8_t *mac, esp_mac_type_t type)
{
    if (mac == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    switch (type) {
        case ESP_MAC_WIFI_STA:
            memcpy(mac, s_sta_mac, 6);
            return ESP_OK;
        case ESP_MAC_WIFI_SOFTAP:
            memcpy(mac, s_ap_mac, 6);
            return ESP_OK;
        default:
            return ESP_ERR_NOT_SUPPORTED;
    }
}

/* ---- esp_wifi ---- */

static size_t bounded_strlen(const uint8_t *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n] != 0) {
        n++;
    }
    return n;
}

static bool interface_enabled(wifi_interface_t interface)
{
    if (interface == WIFI_IF_STA) {
        return s_state.mode == WIFI_MODE_STA || s_state.mode == WIFI_MODE_APSTA;
    }
    if (interface == WIFI_IF_AP) {
        return s_state.mode == WIFI_MODE_AP || s_state.mode == WIFI_MODE_APSTA;
    }
    return false;
}

esp_err_t esp_wifi_init(const wifi_init_config_t *config)
{
    s_state.init_calls++;
    if (s_errors[FAKE_WIFI_FN_INIT] != ESP_OK) {
        return s_errors[FAKE_WIFI_FN_INIT];
    }
    if (config == NULL || config->magic != WIFI_INIT_CONFIG_MAGIC) {
        return ESP_ERR_INVALID_ARG;
    }
    s_state.initialised = true;
    s_state.storage = WIFI_STORAGE_FLASH;
    s_state.nvs_enable = config->nvs_enable;
    /* With NVS enabled the driver loads the configs it persisted (esp_wifi.h: wifi_init_config_t.nvs_enable
     * is the "WiFi NVS flash enable flag"; the driver is closed source, so the fake only claims that nothing
     * is loaded without it). */
    if (config->nvs_enable != 0) {
        memcpy(s_runtime, s_flash, sizeof(s_runtime));
    }
    return ESP_OK;
}

esp_err_t esp_wifi_deinit(void)
{
    if (!s_state.initialised) {
        return ESP_ERR_WIFI_NOT_INIT;
    }
    if (s_state.started) {
        return ESP_ERR_WIFI_NOT_STOPPED;
    }
    s_state.initialised = false;
    return ESP_OK;
}

esp_err_t esp_wifi_set_mode(wifi_mode_t mode)
{
    s_state.set_mode_calls++;
    if (!s_state.initialised) {
        return ESP_ERR_WIFI_NOT_INIT;
    }
    if (mode >= WIFI_MODE_MAX) {
        return ESP_ERR_INVALID_ARG;
    }
    s_state.mode = mode;
    return ESP_OK;
}

esp_err_t esp_wifi_get_mode(wifi_mode_t *mode)
{
    if (!s_state.initialised) {
        return ESP_ERR_WIFI_NOT_INIT;
    }
    if (mode == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    *mode = s_state.mode;
    return ESP_OK;
}

esp_err_t esp_wifi_start(void)
{
    s_state.start_calls++;
    if (!s_state.initialised) {
        return ESP_ERR_WIFI_NOT_INIT;
    }
    if (s_errors[FAKE_WIFI_FN_START] != ESP_OK) {
        return s_errors[FAKE_WIFI_FN_START];
    }
    s_state.started = true;
    return ESP_OK;
}

esp_err_t esp_wifi_stop(void)
{
    s_state.stop_calls++;
    if (!s_state.initialised) {
        return ESP_ERR_WIFI_NOT_INIT;
    }
    s_state.started = false;
    return ESP_OK;
}

esp_err_t esp_wifi_connect(void)
{
    s_state.connect_calls++;
    if (!s_state.initialised) {
        return ESP_ERR_WIFI_NOT_INIT;
    }
    if (!s_state.started) {
        return ESP_ERR_WIFI_NOT_STARTED;
    }
    if (!interface_enabled(WIFI_IF_STA)) {
        return ESP_ERR_WIFI_MODE;
    }
    if (s_errors[FAKE_WIFI_FN_CONNECT] != ESP_OK) {
        return s_errors[FAKE_WIFI_FN_CONNECT];
    }
    return ESP_OK;
}

esp_err_t esp_wifi_disconnect(void)
{
    s_state.disconnect_calls++;
    if (!s_state.initialised) {
        return ESP_ERR_WIFI_NOT_INIT;
    }
    if (!s_state.started) {
        return ESP_ERR_WIFI_NOT_STARTED;
    }
    return ESP_OK;
}

esp_err_t esp_wifi_scan_start(const wifi_scan_config_t *config, bool block)
{
    (void)config;
    s_state.scan_start_calls++;
    s_state.last_scan_block = block;
    if (!s_state.initialised) {
        return ESP_ERR_WIFI_NOT_INIT;
    }
    if (!s_state.started) {
        return ESP_ERR_WIFI_NOT_STARTED;
    }
    if (!interface_enabled(WIFI_IF_STA)) {
        return ESP_ERR_WIFI_MODE; /* scanning needs the station half */
    }
    return s_errors[FAKE_WIFI_FN_SCAN_START];
}

esp_err_t esp_wifi_scan_stop(void)
{
    return s_state.initialised ? ESP_OK : ESP_ERR_WIFI_NOT_INIT;
}

esp_err_t esp_wifi_scan_get_ap_num(uint16_t *number)
{
    if (!s_state.initialised) {
        return ESP_ERR_WIFI_NOT_INIT;
    }
    if (number == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    *number = (uint16_t)s_scan_count;
    return ESP_OK;
}

esp_err_t esp_wifi_scan_get_ap_records(uint16_t *number, wifi_ap_record_t *ap_records)
{
    if (!s_state.initialised) {
        return ESP_ERR_WIFI_NOT_INIT;
    }
    if (number == NULL || ap_records == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    size_t n = *number < s_scan_count ? *number : s_scan_count;
    memcpy(ap_records, s_scan, n * sizeof(s_scan[0]));
    *number = (uint16_t)n;
    /* ESP-IDF frees the driver's list once it has been read. */
    s_scan_count = 0;
    s_scan_read = 0;
    return ESP_OK;
}

/* v5.4.2 esp_wifi.h: one record per call, freed as it is read; ESP_FAIL once the list is empty. */
esp_err_t esp_wifi_scan_get_ap_record(wifi_ap_record_t *ap_record)
{
    if (!s_state.initialised) {
        return ESP_ERR_WIFI_NOT_INIT;
    }
    if (ap_record == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (s_scan_read >= s_scan_count) {
        return ESP_FAIL;
    }
    *ap_record = s_scan[s_scan_read++];
    return ESP_OK;
}

/* v5.4.2 esp_wifi.h: frees the records not read yet. */
esp_err_t esp_wifi_clear_ap_list(void)
{
    if (!s_state.initialised) {
        return ESP_ERR_WIFI_NOT_INIT;
    }
    s_state.clear_ap_list_calls++;
    s_scan_count = 0;
    s_scan_read = 0;
    return ESP_OK;
}

esp_err_t esp_wifi_set_ps(wifi_ps_type_t type)
{
    s_state.set_ps_calls++;
    if (!s_state.initialised) {
        return ESP_ERR_WIFI_NOT_INIT;
    }
    if (s_errors[FAKE_WIFI_FN_SET_PS] != ESP_OK) {
        return s_errors[FAKE_WIFI_FN_SET_PS];
    }
    if (type > WIFI_PS_MAX_MODEM) {
        return ESP_ERR_INVALID_ARG;
    }
    s_state.ps = type;
    return ESP_OK;
}

esp_err_t esp_wifi_get_ps(wifi_ps_type_t *type)
{
    if (!s_state.initialised) {
        return ESP_ERR_WIFI_NOT_INIT;
    }
    if (type == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    *type = s_state.ps;
    return ESP_OK;
}

esp_err_t esp_wifi_get_mac(wifi_interface_t ifx, uint8_t mac[6])
{
    if (!s_state.initialised) {
        return ESP_ERR_WIFI_NOT_INIT;
    }
    if (mac == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (ifx == WIFI_IF_STA) {
        memcpy(mac, s_sta_mac, 6);
        return ESP_OK;
    }
    if (ifx == WIFI_IF_AP) {
        memcpy(mac, s_ap_mac, 6);
        return ESP_OK;
    }
    return ESP_ERR_WIFI_IF;
}

esp_err_t esp_wifi_set_config(wifi_interface_t interface, wifi_config_t *conf)
{
    s_state.set_config_calls++;
    if (!s_state.initialised) {
        return ESP_ERR_WIFI_NOT_INIT;
    }
    if (interface > WIFI_IF_AP) {
        return ESP_ERR_WIFI_IF;
    }
    if (conf == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    if (!interface_enabled(interface)) {
        return ESP_ERR_WIFI_MODE;
    }
    if (s_errors[FAKE_WIFI_FN_SET_CONFIG] != ESP_OK) {
        return s_errors[FAKE_WIFI_FN_SET_CONFIG];
    }
    if (interface == WIFI_IF_AP && conf->ap.authmode != WIFI_AUTH_OPEN &&
        bounded_strlen(conf->ap.password, sizeof(conf->ap.password)) < 8) {
        /* WPA/WPA2 need 8..63 characters. The driver is closed source: this code is the documented one
         * for an invalid password, assumed for this case. */
        return ESP_ERR_WIFI_PASSWORD;
    }
    s_runtime[interface] = *conf;
    if (s_state.storage == WIFI_STORAGE_FLASH) {
        s_flash[interface] = *conf;
    }
    return ESP_OK;
}

esp_err_t esp_wifi_get_config(wifi_interface_t interface, wifi_config_t *conf)
{
    if (!s_state.initialised) {
        return ESP_ERR_WIFI_NOT_INIT;
    }
    if (interface > WIFI_IF_AP) {
        return ESP_ERR_WIFI_IF;
    }
    if (conf == NULL) {
        return ESP_ERR_INVALID_ARG;
    }
    *conf = s_runtime[interface];
    return ESP_OK;
}

esp_err_t esp_wifi_set_storage(wifi_storage_t storage)
{
    if (!s_state.initialised) {
        return ESP_ERR_WIFI_NOT_INIT;
    }
    if (storage != WIFI_STORAGE_FLASH && storage != WIFI_STORAGE_RAM) {
        return ESP_ERR_INVALID_ARG;
    }
    s_state.storage = storage;
    return ESP_OK;
}
