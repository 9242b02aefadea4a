#include "fake_wifi_station.h"

#include <string.h>

#include "domain/bounded_text.h"

static bool fake_has_credentials(void *ctx)
{
    fake_wifi_station_t *fake = ctx;
    fake->has_credentials_calls++;
    return fake->has_credentials;
}

static app_err_t fake_start_station(void *ctx)
{
    fake_wifi_station_t *fake = ctx;
    fake->start_station_calls++;
    return fake_script_next(&fake->start_station_results);
}

static app_err_t fake_start_access_point(void *ctx, const char *ssid, const char *password)
{
    fake_wifi_station_t *fake = ctx;
    fake->start_ap_calls++;
    (void)bounded_text_copy(fake->ap_ssid, sizeof(fake->ap_ssid), ssid);
    (void)bounded_text_copy(fake->ap_password, sizeof(fake->ap_password), password);
    return fake_script_next(&fake->start_ap_results);
}

static app_err_t fake_connect(void *ctx)
{
    fake_wifi_station_t *fake = ctx;
    fake->connect_calls++;
    return fake_script_next(&fake->connect_results);
}

static app_err_t fake_disconnect(void *ctx)
{
    fake_wifi_station_t *fake = ctx;
    fake->disconnect_calls++;
    return APP_OK;
}

static app_err_t fake_set_credentials(void *ctx, const char *ssid, const char *password)
{
    fake_wifi_station_t *fake = ctx;
    fake->set_credentials_calls++;
    (void)bounded_text_copy(fake->ssid, sizeof(fake->ssid), ssid);
    (void)bounded_text_copy(fake->password, sizeof(fake->password), password);
    return fake_script_next(&fake->set_credentials_results);
}

static app_err_t fake_persist(void *ctx)
{
    fake_wifi_station_t *fake = ctx;
    fake->persist_calls++;
    app_err_t rc = fake_script_next(&fake->persist_results);
    if (rc == APP_OK) {
        fake->has_credentials = true;
    }
    return rc;
}

static app_err_t fake_stop_access_point(void *ctx)
{
    fake_wifi_station_t *fake = ctx;
    fake->stop_ap_calls++;
    return fake_script_next(&fake->stop_ap_results);
}

static app_err_t fake_scan(void *ctx, wifi_station_network_t *out, size_t max, size_t *count)
{
    fake_wifi_station_t *fake = ctx;
    fake->scan_calls++;
    app_err_t rc = fake_script_next(&fake->scan_results);
    *count = 0;
    if (rc != APP_OK) {
        return rc;
    }
    size_t n = fake->network_count < max ? fake->network_count : max;
    memcpy(out, fake->networks, n * sizeof(out[0]));
    *count = n;
    return APP_OK;
}

static app_err_t fake_forget_credentials(void *ctx)
{
    fake_wifi_station_t *fake = ctx;
    fake->forget_calls++;
    app_err_t rc = fake_script_next(&fake->forget_results);
    if (rc == APP_OK) {
        fake->has_credentials = false;
        memset(fake->ssid, 0, sizeof(fake->ssid));
        memset(fake->password, 0, sizeof(fake->password));
    }
    return rc;
}

const wifi_station_port_t fake_wifi_station_port = {
    .has_credentials = fake_has_credentials,
    .start_station = fake_start_station,
    .start_access_point = fake_start_access_point,
    .connect = fake_connect,
    .disconnect = fake_disconnect,
    .set_credentials = fake_set_credentials,
    .persist_credentials = fake_persist,
    .stop_access_point = fake_stop_access_point,
    .scan = fake_scan,
    .forget_credentials = fake_forget_credentials,
};

void fake_wifi_station_init(fake_wifi_station_t *fake)
{
    memset(fake, 0, sizeof(*fake));
    fake->has_credentials = true;
    fake_script_init(&fake->start_station_results);
    fake_script_init(&fake->start_ap_results);
    fake_script_init(&fake->connect_results);
    fake_script_init(&fake->set_credentials_results);
    fake_script_init(&fake->persist_results);
    fake_script_init(&fake->stop_ap_results);
    fake_script_init(&fake->scan_results);
    fake_script_init(&fake->forget_results);
}

void fake_wifi_station_add_network(fake_wifi_station_t *fake, const char *ssid, size_t ssid_len, int8_t rssi,
                                   bool secured)
{
    if (fake->network_count >= FAKE_WIFI_MAX_NETWORKS) {
        return;
    }
    wifi_station_network_t *n = &fake->networks[fake->network_count++];
    memset(n, 0, sizeof(*n));
    if (ssid_len > WIFI_STATION_SSID_MAX_BYTES) {
        ssid_len = WIFI_STATION_SSID_MAX_BYTES;
    }
    memcpy(n->ssid, ssid, ssid_len);
    n->ssid_len = (uint8_t)ssid_len;
    n->rssi = rssi;
    n->secured = secured;
}
