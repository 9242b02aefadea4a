/*
 * wifi_adapter, provisioning part: the WPA2 access point and its three routes on the HTTP adapter's server.
 *
 * GET /scan runs a blocking scan (about 2 s with the default dwell times) on the HTTP server task: the
 * server is otherwise idle in provisioning mode (one user with a phone), and a blocking scan keeps the
 * handler simple and its buffers static. The access point's clients may miss a few beacons meanwhile.
 *
 * All buffers are static: the handlers run one at a time on the server task.
 */
#include <stdio.h>
#include <string.h>

#include "application/provisioning.h"
#include "esp_log.h"
#include "esp_mac.h"
#include "esp_wifi.h"
#include "http_adapter.h"
#include "wifi_adapter_internal.h"

static const char *TAG = "wifi_prov";

static wifi_adapter_state_t *const s_wifi = &wifi_adapter_state;

#define WIFI_PROV_SCAN_MAX 16
/* Worst case per network: a 32-byte SSID of invalid bytes, each written as U+FFFD (3 bytes), plus the
 * fixed part of the object. */
#define WIFI_PROV_SCAN_JSON_MAX (WIFI_PROV_SCAN_MAX * (32 * 6 + 48) + 8)
#define WIFI_PROV_PAGE_MAX      2048
#define WIFI_PROV_REASON_MAX    160

static char s_ap_ssid[33];
static char s_body[PROVISIONING_BODY_MAX_BYTES + 1];
static char s_page[WIFI_PROV_PAGE_MAX];
static char s_scan_json[WIFI_PROV_SCAN_JSON_MAX];
static wifi_ap_record_t s_records[WIFI_PROV_SCAN_MAX];
static provisioning_network_t s_networks[WIFI_PROV_SCAN_MAX];
static provisioning_request_t s_request;

/* Writes text into out with &, <, >, " and ' escaped; always NUL-terminated, cut at a whole entity. */
static void html_escape(const char *text, char *out, size_t out_size)
{
    size_t o = 0;
    for (const char *p = text; *p != '\0'; p++) {
        const char *rep = NULL;
        switch (*p) {
            case '&':
                rep = "&amp;";
                break;
            case '<':
                rep = "&lt;";
                break;
            case '>':
                rep = "&gt;";
                break;
            case '"':
                rep = "&quot;";
                break;
            case '\'':
                rep = "&#39;";
                break;
            default:
                break;
        }
        size_t n = rep != NULL ? strlen(rep) : 1;
        if (o + n + 1 > out_size) {
            break;
        }
        if (rep != NULL) {
            memcpy(out + o, rep, n);
        } else {
            out[o] = *p;
        }
        o += n;
    }
    if (out_size > 0) {
        out[o] = '\0';
    }
}

static const char PAGE_HEAD[] =
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>";
static const char PAGE_FORM[] =
    "</h1><form method=\"post\" action=\"/provision\">"
    "<p><label>WiFi network<br><input name=\"ssid\" list=\"networks\" maxlength=\"32\" required></label>"
    "<datalist id=\"networks\"></datalist></p>"
    "<p><label>Password<br><input name=\"password\" type=\"password\" maxlength=\"64\"></label></p>"
    "<p><label>Device name<br><input name=\"device_name\" maxlength=\"100\"></label></p>"
    "<p><label>Location<br><input name=\"location_description\" maxlength=\"250\"></label></p>"
    "<p><button type=\"submit\">Save</button></p></form>"
    /* The datalist is filled through the DOM (option.value), never as markup, so SSIDs cannot inject HTML. */
    "<script>fetch('/scan').then(function(r){return r.json();}).then(function(l){"
    "var d=document.getElementById('networks');l.forEach(function(n){"
    "var o=document.createElement('option');o.value=n.ssid;d.appendChild(o);});}).catch(function(){});"
    "</script></body></html>";

static esp_err_t handle_root(httpd_req_t *req)
{
    char title[sizeof(s_ap_ssid) * 6];
    html_escape(s_ap_ssid, title, sizeof(title));
    int n = snprintf(s_page, sizeof(s_page), "%s%s</title></head><body><h1>%s%s", PAGE_HEAD, title, title,
                     PAGE_FORM);
    if (n < 0 || (size_t)n >= sizeof(s_page)) {
        static const char msg[] = "page too large";
        return http_adapter_send(req, 500, "text/plain", msg, sizeof(msg) - 1);
    }
    return http_adapter_send(req, 200, "text/html", s_page, (size_t)n);
}

static size_t ssid_len(const uint8_t *ssid, size_t max)
{
    size_t n = 0;
    while (n < max && ssid[n] != 0) {
        n++;
    }
    return n;
}

static esp_err_t handle_scan(httpd_req_t *req)
{
    static const char busy[] = "{\"error\":\"scan failed\"}";
    esp_err_t err = esp_wifi_scan_start(NULL, true);
    uint16_t count = WIFI_PROV_SCAN_MAX;
    if (err == ESP_OK) {
        err = esp_wifi_scan_get_ap_records(&count, s_records);
    }
    if (err != ESP_OK) {
        ESP_LOGW(TAG, "scan: %s (0x%x)", esp_err_to_name(err), err);
        return http_adapter_send(req, 503, "application/json", busy, sizeof(busy) - 1);
    }
    for (uint16_t i = 0; i < count; i++) {
        s_networks[i] = (provisioning_network_t){
            .ssid = (const char *)s_records[i].ssid,
            .ssid_len = ssid_len(s_records[i].ssid, sizeof(s_records[i].ssid) - 1),
            .rssi = s_records[i].rssi,
            .secured = s_records[i].authmode != WIFI_AUTH_OPEN,
        };
    }
    size_t len = 0;
    size_t shown = count;
    app_err_t rc;
    /* Sized for the worst case; should it still not fit, drop the weakest (last) networks. */
    while ((rc = provisioning_scan_json(s_networks, shown, s_scan_json, sizeof(s_scan_json), &len)) ==
               APP_ERR_BUFFER_TOO_SMALL &&
           shown > 0) {
        shown--;
    }
    if (rc != APP_OK) {
        return http_adapter_send(req, 503, "application/json", busy, sizeof(busy) - 1);
    }
    return http_adapter_send(req, 200, "application/json", s_scan_json, len);
}

static esp_err_t send_text(httpd_req_t *req, uint16_t status, const char *text)
{
    return http_adapter_send(req, status, "text/plain", text, strlen(text));
}

static uint16_t status_for(app_err_t err)
{
    switch (err) {
        case APP_ERR_INVALID_VALUE:
        case APP_ERR_TOO_LONG:
        case APP_ERR_NOT_FOUND:
        case APP_ERR_INVALID_ARG:
            return 400;
        case APP_ERR_LOCK_TIMEOUT:
            return 503;
        default:
            return 500;
    }
}

static void arm_step(wifi_prov_step_t step)
{
    atomic_store(&s_wifi->prov_step, step);
    (void)esp_timer_stop(s_wifi->prov_timer); /* a newer step replaces one not yet run */
    esp_err_t err =
        esp_timer_start_once(s_wifi->prov_timer, (uint64_t)WIFI_ADAPTER_PROVISION_DELAY_MS * 1000u);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "provisioning timer: %s (0x%x)", esp_err_to_name(err), err);
    }
}

static esp_err_t handle_provision(httpd_req_t *req)
{
    size_t len = 0;
    http_adapter_body_t body =
        http_adapter_read_body(req, s_body, sizeof(s_body), PROVISIONING_BODY_MAX_BYTES, &len);
    if (body == HTTP_ADAPTER_BODY_TOO_LARGE) {
        send_text(req, 413, "form is larger than 1024 bytes");
        return ESP_FAIL; /* close instead of draining the unread body */
    }
    if (body == HTTP_ADAPTER_BODY_ERROR) {
        return ESP_FAIL;
    }

    char reason[WIFI_PROV_REASON_MAX] = "";
    memset(&s_request, 0, sizeof(s_request));
    app_err_t rc = provisioning_parse_request(s_body, len, &s_request, reason, sizeof(reason));
    memset(s_body, 0, sizeof(s_body)); /* the body holds the password: do not keep it */
    if (rc != APP_OK) {
        ESP_LOGW(TAG, "provisioning form refused: %s", reason);
        memset(&s_request, 0, sizeof(s_request));
        return send_text(req, 400, reason[0] != '\0' ? reason : app_err_to_str(rc));
    }

    if (s_request.has_device_name || s_request.has_location) {
        rc = s_wifi->cfg.store_device_config(
            s_wifi->cfg.store_ctx, s_request.has_device_name ? s_request.device_name : NULL,
            s_request.has_location ? s_request.location : NULL, reason, sizeof(reason));
        if (rc != APP_OK) {
            ESP_LOGW(TAG, "device config not stored: %s (%s)", app_err_to_str(rc), reason);
            memset(&s_request, 0, sizeof(s_request));
            return send_text(req, status_for(rc), reason[0] != '\0' ? reason : app_err_to_str(rc));
        }
    }

    wifi_config_t conf;
    memset(&conf, 0, sizeof(conf));
    size_t ssid_bytes = strlen(s_request.ssid);
    size_t password_bytes = strlen(s_request.password);
    memcpy(conf.sta.ssid, s_request.ssid, ssid_bytes);             /* <= 32, validated */
    memcpy(conf.sta.password, s_request.password, password_bytes); /* <= 64, validated */
    conf.sta.scan_method = WIFI_ALL_CHANNEL_SCAN;
    conf.sta.sort_method = WIFI_CONNECT_AP_BY_SIGNAL;
    conf.sta.threshold.authmode = password_bytes == 0 ? WIFI_AUTH_OPEN : WIFI_AUTH_WPA_PSK;
    conf.sta.pmf_cfg.capable = true;
    char ssid_log[PROVISIONING_SSID_MAX_BYTES + 1];
    memcpy(ssid_log, s_request.ssid, ssid_bytes + 1);
    memset(&s_request, 0, sizeof(s_request));

    /* RAM only until the station proves the credentials with an IP: a wrong password is not kept, and a
     * reboot comes back to provisioning. */
    esp_err_t err = esp_wifi_set_storage(WIFI_STORAGE_RAM);
    if (err == ESP_OK) {
        err = esp_wifi_set_config(WIFI_IF_STA, &conf);
    }
    memset(&conf, 0, sizeof(conf));
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "esp_wifi_set_config(STA): %s (0x%x)", esp_err_to_name(err), err);
        return send_text(req, 500, "could not apply the WiFi settings");
    }
    atomic_store(&s_wifi->sta_configured, true);
    atomic_store(&s_wifi->credentials_pending, true);
    ESP_LOGI(TAG, "credentials received for \"%s\"; connecting", ssid_log);

    char ssid_html[PROVISIONING_SSID_MAX_BYTES * 6 + 1];
    html_escape(ssid_log, ssid_html, sizeof(ssid_html));
    int n =
        snprintf(s_page, sizeof(s_page),
                 "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Saved</title></head><body>"
                 "<p>Saved. The device is joining <b>%s</b>. This access point closes once it is connected; "
                 "if it stays, the network or password was wrong: send the form again.</p></body></html>",
                 ssid_html);
    esp_err_t sent = http_adapter_send(req, 200, "text/html", s_page, n > 0 ? (size_t)n : 0);
    /* Connect from a timer, after the answer has left: the station's scan moves the radio off the AP
     * channel. */
    arm_step(WIFI_PROV_STEP_CONNECT);
    return sent;
}

static const httpd_uri_t s_routes[] = {
    {.uri = "/", .method = HTTP_GET, .handler = handle_root, .user_ctx = NULL},
    {.uri = "/scan", .method = HTTP_GET, .handler = handle_scan, .user_ctx = NULL},
    {.uri = "/provision", .method = HTTP_POST, .handler = handle_provision, .user_ctx = NULL},
};

/*
 * Runs on the HTTP server task (queued when the provisioning timer's step runs): httpd_unregister_uri_handler
 * edits the server's handler table without a lock while the server task reads it, so only the server task
 * itself may call it; the NVS writes (storage FLASH + set_config) run there too, off the timer's path.
 */
static void finish(void *arg)
{
    (void)arg;
    /* The credentials worked: keep them (set_config again with flash storage), close the access point and
     * its routes. */
    wifi_config_t conf;
    memset(&conf, 0, sizeof(conf));
    esp_err_t err = esp_wifi_set_storage(WIFI_STORAGE_FLASH);
    if (err == ESP_OK) {
        err = esp_wifi_get_config(WIFI_IF_STA, &conf);
    }
    if (err == ESP_OK) {
        err = esp_wifi_set_config(WIFI_IF_STA, &conf);
    }
    memset(&conf, 0, sizeof(conf));
    if (err != ESP_OK) {
        /* The device stays connected; it will ask for credentials again after a reboot. */
        ESP_LOGE(TAG, "persisting the credentials: %s (0x%x)", esp_err_to_name(err), err);
    }
    err = esp_wifi_set_mode(WIFI_MODE_STA);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "esp_wifi_set_mode(STA): %s (0x%x)", esp_err_to_name(err), err);
    }
    for (size_t i = 0; i < sizeof(s_routes) / sizeof(s_routes[0]); i++) {
        (void)http_adapter_unregister_handler(s_routes[i].uri, s_routes[i].method);
    }
    atomic_store(&s_wifi->credentials_pending, false);
    atomic_store(&s_wifi->mode, WIFI_ADAPTER_MODE_STATION);
    ESP_LOGI(TAG, "provisioning done: station mode");
}

/* Event-loop task: hand the finishing step to the HTTP server task. */
static void queue_finish(void)
{
    esp_err_t err = http_adapter_queue_work(finish, NULL);
    if (err == ESP_ERR_INVALID_STATE) {
        /* No server (stopped): nothing reads the handler table, so finishing here is safe. */
        finish(NULL);
    } else if (err != ESP_OK) {
        /* The server's control socket refused it (logged): try again after the usual delay. */
        arm_step(WIFI_PROV_STEP_FINISH);
    }
}

void wifi_provisioning_on_timer(void)
{
    wifi_prov_step_t step = (wifi_prov_step_t)atomic_exchange(&s_wifi->prov_step, WIFI_PROV_STEP_NONE);
    if (step == WIFI_PROV_STEP_CONNECT) {
        /* A connection with older credentials may be under way: drop it, then connect with the new ones. */
        (void)esp_wifi_disconnect();
        wifi_adapter_connect_now();
    } else if (step == WIFI_PROV_STEP_FINISH) {
        queue_finish();
    }
}

void wifi_provisioning_on_station_ip(void)
{
    arm_step(WIFI_PROV_STEP_FINISH);
}

static bool ap_settings_valid(void)
{
    size_t password_len = strlen(s_wifi->cfg.ap_password);
    if (password_len < WIFI_ADAPTER_AP_PASSWORD_MIN_LEN || password_len > WIFI_ADAPTER_AP_PASSWORD_MAX_LEN) {
        ESP_LOGE(TAG, "access point password must have %d to %d characters: refusing to start an AP",
                 WIFI_ADAPTER_AP_PASSWORD_MIN_LEN, WIFI_ADAPTER_AP_PASSWORD_MAX_LEN);
        return false;
    }
    if (s_wifi->cfg.ap_ssid_prefix[0] == '\0' ||
        strlen(s_wifi->cfg.ap_ssid_prefix) > WIFI_ADAPTER_AP_PREFIX_MAX_LEN) {
        ESP_LOGE(TAG, "access point SSID prefix must have 1 to %d bytes", WIFI_ADAPTER_AP_PREFIX_MAX_LEN);
        return false;
    }
    return true;
}

esp_err_t wifi_provisioning_start(void)
{
    if (!ap_settings_valid()) {
        return ESP_ERR_INVALID_ARG;
    }
    uint8_t mac[6];
    esp_err_t err = esp_read_mac(mac, ESP_MAC_WIFI_STA);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "esp_read_mac: %s (0x%x)", esp_err_to_name(err), err);
        return err;
    }
    /* The station MAC's last bytes: the identity the central system registers, so the AP is easy to match. */
    snprintf(s_ap_ssid, sizeof(s_ap_ssid), "%s-%02X%02X", s_wifi->cfg.ap_ssid_prefix, mac[4], mac[5]);

    for (size_t i = 0; i < sizeof(s_routes) / sizeof(s_routes[0]); i++) {
        err = http_adapter_register_handler(&s_routes[i]);
        if (err != ESP_OK) {
            return err; /* logged by the HTTP adapter; ESP_ERR_INVALID_STATE when its server is not running */
        }
    }

    wifi_config_t conf;
    memset(&conf, 0, sizeof(conf));
    size_t ssid_bytes = strlen(s_ap_ssid);
    memcpy(conf.ap.ssid, s_ap_ssid, ssid_bytes);
    conf.ap.ssid_len = (uint8_t)ssid_bytes;
    memcpy(conf.ap.password, s_wifi->cfg.ap_password, strlen(s_wifi->cfg.ap_password));
    conf.ap.channel = s_wifi->cfg.ap_channel != 0 ? s_wifi->cfg.ap_channel : 1;
    conf.ap.max_connection = s_wifi->cfg.ap_max_connections != 0 ? s_wifi->cfg.ap_max_connections : 4;
    conf.ap.authmode = WIFI_AUTH_WPA2_PSK;
    conf.ap.pmf_cfg.required = false;

    /* APSTA: the station half is what makes scanning possible. */
    err = esp_wifi_set_mode(WIFI_MODE_APSTA);
    if (err == ESP_OK) {
        err = esp_wifi_set_config(WIFI_IF_AP, &conf);
    }
    memset(&conf, 0, sizeof(conf));
    if (err == ESP_OK) {
        atomic_store(&s_wifi->mode, WIFI_ADAPTER_MODE_PROVISIONING);
        err = esp_wifi_start();
    }
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "starting the access point: %s (0x%x)", esp_err_to_name(err), err);
        return err;
    }
    ESP_LOGI(TAG, "provisioning: access point \"%s\" (WPA2), form at http://192.168.4.1/", s_ap_ssid);
    return ESP_OK;
}
