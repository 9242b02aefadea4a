/* wifi_adapter: the station port's scan (see wifi_adapter.h). */
#include <string.h>

#include "esp_wifi.h"
#include "wifi_adapter_internal.h"

static size_t ssid_length(const uint8_t *ssid, size_t max)
{
    size_t n = 0;
    while (n < max && ssid[n] != 0) {
        n++;
    }
    return n;
}

app_err_t wifi_adapter_scan(void *ctx, wifi_station_network_t *out, size_t max, size_t *count)
{
    (void)ctx;
    *count = 0;
    app_err_t rc = wifi_adapter_to_app(esp_wifi_scan_start(NULL, true), "esp_wifi_scan_start");
    if (rc != APP_OK) {
        return rc;
    }
    wifi_ap_record_t record;
    while (*count < max && esp_wifi_scan_get_ap_record(&record) == ESP_OK) {
        wifi_station_network_t *n = &out[*count];
        memset(n, 0, sizeof(*n));
        const size_t len = ssid_length(record.ssid, sizeof(record.ssid) - 1 < WIFI_STATION_SSID_MAX_BYTES
                                                        ? sizeof(record.ssid) - 1
                                                        : WIFI_STATION_SSID_MAX_BYTES);
        memcpy(n->ssid, record.ssid, len);
        n->ssid_len = (uint8_t)len;
        n->rssi = record.rssi;
        n->secured = record.authmode != WIFI_AUTH_OPEN;
        (*count)++;
    }
    /* Records not read are still held by the driver. */
    (void)esp_wifi_clear_ap_list();
    return APP_OK;
}
