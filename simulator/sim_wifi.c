/*
 * sim_wifi: see sim_wifi.h.
 */
#include "sim_wifi.h"

#include <string.h>

#include "domain/bounded_text.h"

bool sim_wifi_init(sim_wifi_t *wifi, const sim_wifi_config_t *config, const mac_address_t *mac,
                   const ipv4_address_t *ip, const executor_port_t *executor, void *executor_ctx,
                   sim_event_sink_t *sink)
{
    if (wifi == NULL || config == NULL || config->ssid == NULL || config->password == NULL || mac == NULL ||
        ip == NULL || executor == NULL) {
        return false;
    }
    memset(wifi, 0, sizeof(*wifi));
    wifi->mac = *mac;
    wifi->ip = *ip;
    wifi->in_range = true;
    wifi->executor = executor;
    wifi->executor_ctx = executor_ctx;
    wifi->sink = sink;
    if (!bounded_text_copy(wifi->net_ssid, sizeof(wifi->net_ssid), config->ssid) ||
        !bounded_text_copy(wifi->net_password, sizeof(wifi->net_password), config->password)) {
        return false;
    }
    if (config->provisioned) {
        wifi->stored = true;
        memcpy(wifi->sta_ssid, wifi->net_ssid, sizeof(wifi->sta_ssid));
        memcpy(wifi->sta_password, wifi->net_password, sizeof(wifi->sta_password));
    }
    return pthread_mutex_init(&wifi->mutex, NULL) == 0;
}

void sim_wifi_deinit(sim_wifi_t *wifi)
{
    if (wifi != NULL) {
        (void)pthread_mutex_destroy(&wifi->mutex);
    }
}

/* Under the mutex, so that events reach the application in the order of the changes. */
static bool post_locked(sim_wifi_t *wifi, app_event_kind_t kind, int32_t code)
{
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = kind;
    event.code = code;
    event.ip = wifi->ip;
    return wifi->executor->post(wifi->executor_ctx, &event);
}

bool sim_wifi_set_in_range(sim_wifi_t *wifi, bool in_range)
{
    (void)pthread_mutex_lock(&wifi->mutex);
    wifi->in_range = in_range;
    bool posted = true;
    if (!in_range && wifi->associated) {
        wifi->associated = false;
        posted = post_locked(wifi, APP_EVENT_WIFI_DISCONNECTED, SIM_WIFI_REASON_BEACON_TIMEOUT);
    }
    ipv4_address_t ip = wifi->ip;
    (void)pthread_mutex_unlock(&wifi->mutex);
    if (wifi->sink != NULL) {
        sim_event_sink_network(wifi->sink, in_range, &ip);
    }
    return posted;
}

bool sim_wifi_set_ip(sim_wifi_t *wifi, const ipv4_address_t *ip)
{
    (void)pthread_mutex_lock(&wifi->mutex);
    wifi->ip = *ip;
    bool posted = wifi->associated ? post_locked(wifi, APP_EVENT_WIFI_GOT_IP, 0) : true;
    bool in_range = wifi->in_range;
    (void)pthread_mutex_unlock(&wifi->mutex);
    if (wifi->sink != NULL) {
        sim_event_sink_network(wifi->sink, in_range, ip);
    }
    return posted;
}

void sim_wifi_assume_associated(sim_wifi_t *wifi)
{
    (void)pthread_mutex_lock(&wifi->mutex);
    wifi->associated = true;
    (void)pthread_mutex_unlock(&wifi->mutex);
}

/* ---- wifi_station_port ------------------------------------------------------------------------------------
 */

static bool sim_has_credentials(void *ctx)
{
    sim_wifi_t *wifi = ctx;
    (void)pthread_mutex_lock(&wifi->mutex);
    bool stored = wifi->stored;
    (void)pthread_mutex_unlock(&wifi->mutex);
    return stored;
}

static app_err_t start(sim_wifi_t *wifi, const char *ap_ssid)
{
    (void)pthread_mutex_lock(&wifi->mutex);
    if (ap_ssid != NULL) {
        wifi->ap_up = true;
        (void)bounded_text_copy(wifi->ap_ssid, sizeof(wifi->ap_ssid), ap_ssid);
    }
    /* A running station (factory reset) only switches mode: esp_wifi posts no second station start. */
    bool posted = wifi->started || post_locked(wifi, APP_EVENT_WIFI_STARTED, 0);
    wifi->started = true;
    (void)pthread_mutex_unlock(&wifi->mutex);
    return posted ? APP_OK : APP_ERR_QUEUE_FULL;
}

static app_err_t sim_start_station(void *ctx)
{
    return start(ctx, NULL);
}

static app_err_t sim_start_access_point(void *ctx, const char *ssid, const char *password)
{
    if (ssid == NULL || password == NULL || ssid[0] == '\0' || strlen(password) < 8) {
        return APP_ERR_INVALID_ARG; /* like the device: never an open or unnamed access point */
    }
    return start(ctx, ssid);
}

static app_err_t sim_connect(void *ctx)
{
    sim_wifi_t *wifi = ctx;
    (void)pthread_mutex_lock(&wifi->mutex);
    if (!wifi->started) {
        (void)pthread_mutex_unlock(&wifi->mutex);
        return APP_ERR_NOT_STARTED;
    }
    bool posted;
    if (!wifi->in_range || strcmp(wifi->sta_ssid, wifi->net_ssid) != 0) {
        posted = post_locked(wifi, APP_EVENT_WIFI_DISCONNECTED, SIM_WIFI_REASON_NO_AP_FOUND);
    } else if (strcmp(wifi->sta_password, wifi->net_password) != 0) {
        posted = post_locked(wifi, APP_EVENT_WIFI_DISCONNECTED, SIM_WIFI_REASON_HANDSHAKE_TIMEOUT);
    } else {
        wifi->associated = true;
        posted = post_locked(wifi, APP_EVENT_WIFI_GOT_IP, 0);
    }
    (void)pthread_mutex_unlock(&wifi->mutex);
    return posted ? APP_OK : APP_ERR_QUEUE_FULL;
}

static app_err_t sim_disconnect(void *ctx)
{
    sim_wifi_t *wifi = ctx;
    (void)pthread_mutex_lock(&wifi->mutex);
    bool was = wifi->associated;
    wifi->associated = false;
    /* esp_wifi reports the disconnect it was asked for (WIFI_REASON_ASSOC_LEAVE, 8). */
    bool posted = was ? post_locked(wifi, APP_EVENT_WIFI_DISCONNECTED, 8) : true;
    (void)pthread_mutex_unlock(&wifi->mutex);
    return posted ? APP_OK : APP_ERR_QUEUE_FULL;
}

static app_err_t sim_set_credentials(void *ctx, const char *ssid, const char *password)
{
    sim_wifi_t *wifi = ctx;
    (void)pthread_mutex_lock(&wifi->mutex);
    bool ok = bounded_text_copy_whole(wifi->sta_ssid, sizeof(wifi->sta_ssid), ssid) &&
              bounded_text_copy_whole(wifi->sta_password, sizeof(wifi->sta_password), password);
    (void)pthread_mutex_unlock(&wifi->mutex);
    return ok ? APP_OK : APP_ERR_INVALID_ARG;
}

static app_err_t sim_persist_credentials(void *ctx)
{
    sim_wifi_t *wifi = ctx;
    (void)pthread_mutex_lock(&wifi->mutex);
    wifi->stored = true;
    (void)pthread_mutex_unlock(&wifi->mutex);
    return APP_OK;
}

static app_err_t sim_stop_access_point(void *ctx)
{
    sim_wifi_t *wifi = ctx;
    (void)pthread_mutex_lock(&wifi->mutex);
    wifi->ap_up = false;
    (void)pthread_mutex_unlock(&wifi->mutex);
    return APP_OK;
}

static app_err_t sim_forget_credentials(void *ctx)
{
    sim_wifi_t *wifi = ctx;
    (void)pthread_mutex_lock(&wifi->mutex);
    /* Like the device: the association in use lasts until the link's disconnect. */
    wifi->stored = false;
    memset(wifi->sta_ssid, 0, sizeof(wifi->sta_ssid));
    memset(wifi->sta_password, 0, sizeof(wifi->sta_password));
    (void)pthread_mutex_unlock(&wifi->mutex);
    return APP_OK;
}

static void add_network(wifi_station_network_t *out, const char *ssid, int8_t rssi, bool secured)
{
    memset(out, 0, sizeof(*out));
    (void)bounded_text_copy(out->ssid, sizeof(out->ssid), ssid);
    out->ssid_len = (uint8_t)strlen(out->ssid);
    out->rssi = rssi;
    out->secured = secured;
}

static app_err_t sim_scan(void *ctx, wifi_station_network_t *out, size_t max, size_t *count)
{
    sim_wifi_t *wifi = ctx;
    *count = 0;
    (void)pthread_mutex_lock(&wifi->mutex);
    if (wifi->in_range && *count < max) {
        add_network(&out[(*count)++], wifi->net_ssid, -48, wifi->net_password[0] != '\0');
    }
    (void)pthread_mutex_unlock(&wifi->mutex);
    if (*count < max) {
        add_network(&out[(*count)++], "Vecino-2G", -71, true);
    }
    if (*count < max) {
        add_network(&out[(*count)++], "Tienda \"La Esquina\"", -83, false);
    }
    return APP_OK;
}

const wifi_station_port_t sim_wifi_station_port = {
    .has_credentials = sim_has_credentials,
    .start_station = sim_start_station,
    .start_access_point = sim_start_access_point,
    .connect = sim_connect,
    .disconnect = sim_disconnect,
    .set_credentials = sim_set_credentials,
    .persist_credentials = sim_persist_credentials,
    .stop_access_point = sim_stop_access_point,
    .scan = sim_scan,
    .forget_credentials = sim_forget_credentials,
};

/* ---- network_port -----------------------------------------------------------------------------------------
 */

static app_err_t sim_get_mac(void *ctx, mac_address_t *out)
{
    sim_wifi_t *wifi = ctx;
    if (wifi == NULL || out == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    *out = wifi->mac; /* immutable after init */
    return APP_OK;
}

static app_err_t sim_get_ip(void *ctx, ipv4_address_t *out)
{
    sim_wifi_t *wifi = ctx;
    if (wifi == NULL || out == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    (void)pthread_mutex_lock(&wifi->mutex);
    bool associated = wifi->associated;
    *out = wifi->ip;
    (void)pthread_mutex_unlock(&wifi->mutex);
    return associated ? APP_OK : APP_ERR_NOT_CONNECTED;
}

const network_port_t sim_wifi_network_port = {
    .get_mac = sim_get_mac,
    .get_ip = sim_get_ip,
};
