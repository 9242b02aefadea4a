/*
 * wifi_adapter: station mode, event translation, the reconnect schedule and the network port (see the
 * header). Provisioning lives in wifi_provisioning.c.
 */
#include <stdint.h>
#include <string.h>

#include "application/app_event.h"
#include "application/application.h"
#include "esp_event.h"
#include "esp_log.h"
#include "esp_mac.h"
#include "esp_wifi.h"
#include "wifi_adapter_internal.h"

static const char *TAG = "wifi_adapter";

ESP_EVENT_DEFINE_BASE(WIFI_ADAPTER_TIMER_EVENT);

wifi_adapter_state_t wifi_adapter_state;
static wifi_adapter_state_t *const s_wifi = &wifi_adapter_state;

static void post(const app_event_t *event)
{
    if (!s_wifi->cfg.executor->post(s_wifi->cfg.executor_ctx, event)) {
        ESP_LOGE(TAG, "application queue full: %s lost", app_event_kind_to_str(event->kind));
    }
}

static void set_low_power(bool low)
{
    app_err_t err = low ? s_wifi->cfg.power->request_low_power(s_wifi->cfg.power_ctx)
                        : s_wifi->cfg.power->release_low_power(s_wifi->cfg.power_ctx);
    if (err != APP_OK) {
        ESP_LOGW(TAG, "low power %s: %s", low ? "request" : "release", app_err_to_str(err));
    }
}

static void stop_retry_timer(void)
{
    /* ESP_ERR_INVALID_STATE means it was not armed: nothing to do. */
    (void)esp_timer_stop(s_wifi->retry_timer);
}

/*
 * A refused esp_wifi_connect() is followed by no DISCONNECTED event, so the schedule would stop: wait again,
 * reusing the last delay (a refusal is not a failed attempt: the policy does not advance). Event-loop task.
 */
static void rearm_after_refused_connect(esp_err_t err, uint32_t delay_ms)
{
    ESP_LOGW(TAG, "esp_wifi_connect: %s (0x%x); trying again in %u s", esp_err_to_name(err), err,
             (unsigned)(delay_ms / 1000u));
    err = esp_timer_start_once(s_wifi->retry_timer, (uint64_t)delay_ms * 1000u);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "retry timer: %s (0x%x); no reconnect scheduled", esp_err_to_name(err), err);
        return;
    }
    set_low_power(true);
}

/* Event-loop task (posted by the retry timer): the wait is over; connect with normal power. */
static void on_retry_due(void)
{
    set_low_power(false);
    if (atomic_load(&s_wifi->has_ip)) {
        return; /* connected meanwhile (e.g. after new credentials): nothing to retry */
    }
    esp_err_t err = esp_wifi_connect();
    if (err != ESP_OK) {
        rearm_after_refused_connect(err, atomic_load(&s_wifi->last_delay_ms));
    }
}

void wifi_adapter_connect_now(void)
{
    stop_retry_timer();
    set_low_power(false);
    esp_err_t err = esp_wifi_connect();
    if (err != ESP_OK) {
        rearm_after_refused_connect(err, s_wifi->cfg.retry.initial_ms);
    }
}

/*
 * esp_timer task: the timers only post to the default event loop, whose task runs the work. esp_timer's
 * rule is that callbacks never block, and the work does not qualify: esp_wifi_connect(),
 * esp_wifi_disconnect() and esp_wifi_set_ps() (low power) are synchronous calls into the closed WiFi driver
 * that wait for its task to take the request (their headers do not promise otherwise), and provisioning's
 * finishing step is queued from there too. The event-loop task is where ESP-IDF's WiFi guide calls
 * esp_wifi_connect() from, and it already owns the retry policy. A full event queue (posting does not wait: 0
 * ticks) arms the timer again.
 */
static void timer_to_event_loop(void *arg)
{
    int32_t id = (int32_t)(intptr_t)arg;
    esp_timer_handle_t timer = id == WIFI_ADAPTER_TIMER_RETRY ? s_wifi->retry_timer : s_wifi->prov_timer;
    esp_err_t err = esp_event_post(WIFI_ADAPTER_TIMER_EVENT, id, NULL, 0, 0);
    if (err == ESP_OK) {
        return;
    }
    ESP_LOGW(TAG, "event loop refused the %s timer: %s (0x%x); again in %u ms",
             id == WIFI_ADAPTER_TIMER_RETRY ? "retry" : "provisioning", esp_err_to_name(err), err,
             (unsigned)WIFI_ADAPTER_EVENT_POST_RETRY_MS);
    err = esp_timer_start_once(timer, (uint64_t)WIFI_ADAPTER_EVENT_POST_RETRY_MS * 1000u);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "re-arming the timer: %s (0x%x)", esp_err_to_name(err), err);
    }
}

/* Event-loop task: what a timer posted. */
static void on_timer_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    (void)base;
    (void)data;
    if (id == WIFI_ADAPTER_TIMER_RETRY) {
        on_retry_due();
    } else if (id == WIFI_ADAPTER_TIMER_PROV) {
        wifi_provisioning_on_timer();
    }
}

/* Event-loop task: schedule the next attempt for any reason, never giving up. */
static void arm_retry(const char *why)
{
    uint32_t random = s_wifi->cfg.random->random_u32(s_wifi->cfg.random_ctx);
    uint32_t delay_ms = retry_policy_next_delay_ms(&s_wifi->policy, random);
    atomic_store(&s_wifi->last_delay_ms, delay_ms);
    stop_retry_timer();
    esp_err_t err = esp_timer_start_once(s_wifi->retry_timer, (uint64_t)delay_ms * 1000u);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "retry timer: %s (0x%x); no reconnect scheduled", esp_err_to_name(err), err);
        return;
    }
    ESP_LOGI(TAG, "%s: reconnecting in %u s (attempt %u)", why, (unsigned)(delay_ms / 1000u),
             (unsigned)s_wifi->policy.attempt);
    set_low_power(true);
}

static void report_down(int32_t code)
{
    atomic_store(&s_wifi->has_ip, false);
    if (!s_wifi->reported_up) {
        return; /* once per loss */
    }
    s_wifi->reported_up = false;
    const app_event_t event = {.kind = APP_EVENT_NETWORK_DOWN, .code = code};
    post(&event);
}

static void on_wifi_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    (void)base;
    if (id == WIFI_EVENT_STA_START) {
        if (atomic_load(&s_wifi->sta_configured)) {
            esp_err_t err = esp_wifi_connect();
            if (err != ESP_OK) {
                ESP_LOGW(TAG, "esp_wifi_connect: %s (0x%x)", esp_err_to_name(err), err);
                arm_retry("connect refused");
            }
        }
    } else if (id == WIFI_EVENT_STA_DISCONNECTED) {
        const wifi_event_sta_disconnected_t *info = data;
        int32_t reason = info != NULL ? (int32_t)info->reason : 0;
        ESP_LOGW(TAG, "station disconnected, reason %d", (int)reason);
        report_down(reason);
        if (atomic_load(&s_wifi->sta_configured)) {
            arm_retry("disconnected");
        }
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

static void on_ip_event(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    (void)arg;
    (void)base;
    if (id == IP_EVENT_STA_GOT_IP) {
        const ip_event_got_ip_t *info = data;
        if (info == NULL) {
            return;
        }
        ipv4_address_t ip = to_ipv4(&info->ip_info.ip);
        retry_policy_reset(&s_wifi->policy);
        stop_retry_timer();
        set_low_power(false);
        atomic_store(&s_wifi->has_ip, true);
        app_event_t event = {.ip = ip};
        if (!s_wifi->reported_up) {
            event.kind = APP_EVENT_NETWORK_UP;
        } else if (info->ip_changed || !ipv4_address_equal(&ip, &s_wifi->ip)) {
            event.kind = APP_EVENT_IP_CHANGED;
        } else {
            return; /* the same address renewed: nothing changed for the application */
        }
        s_wifi->reported_up = true;
        s_wifi->ip = ip;
        char text[IPV4_ADDRESS_STR_SIZE];
        ipv4_address_format(&ip, text);
        ESP_LOGI(TAG, "station IP %s (%s)", text, app_event_kind_to_str(event.kind));
        post(&event);
        if (atomic_load(&s_wifi->credentials_pending)) {
            wifi_provisioning_on_station_ip();
        }
    } else if (id == IP_EVENT_STA_LOST_IP) {
        ESP_LOGW(TAG, "station lost its IP");
        report_down(0);
    }
}

static bool config_valid(const wifi_adapter_config_t *cfg)
{
    return cfg != NULL && cfg->executor != NULL && cfg->executor->post != NULL && cfg->power != NULL &&
           cfg->power->request_low_power != NULL && cfg->power->release_low_power != NULL &&
           cfg->random != NULL && cfg->random->random_u32 != NULL && cfg->store_device_config != NULL &&
           cfg->ap_ssid_prefix != NULL && cfg->ap_password != NULL &&
           retry_policy_validate(&cfg->retry) == DOMAIN_OK;
}

#define RETURN_ON_ERROR(expr, what)                                            \
    do {                                                                       \
        esp_err_t err_ = (expr);                                               \
        if (err_ != ESP_OK) {                                                  \
            ESP_LOGE(TAG, "%s: %s (0x%x)", what, esp_err_to_name(err_), err_); \
            return err_;                                                       \
        }                                                                      \
    } while (0)

esp_err_t wifi_adapter_init(const wifi_adapter_config_t *cfg)
{
    if (!config_valid(cfg)) {
        ESP_LOGE(TAG, "init: missing port, callback or AP setting, or invalid retry policy");
        return ESP_ERR_INVALID_ARG;
    }
    memset(s_wifi, 0, sizeof(*s_wifi));
    s_wifi->cfg = *cfg;
    (void)retry_policy_init(&s_wifi->policy, &cfg->retry);
    atomic_init(&s_wifi->has_ip, false);
    atomic_init(&s_wifi->sta_configured, false);
    atomic_init(&s_wifi->credentials_pending, false);
    atomic_init(&s_wifi->mode, WIFI_ADAPTER_MODE_NONE);
    atomic_init(&s_wifi->prov_step, WIFI_PROV_STEP_NONE);

    RETURN_ON_ERROR(esp_netif_init(), "esp_netif_init");
    esp_err_t err = esp_event_loop_create_default();
    if (err != ESP_OK && err != ESP_ERR_INVALID_STATE) { /* INVALID_STATE: main/ created it already */
        ESP_LOGE(TAG, "esp_event_loop_create_default: %s (0x%x)", esp_err_to_name(err), err);
        return err;
    }
    s_wifi->sta_netif = esp_netif_create_default_wifi_sta();
    if (s_wifi->sta_netif == NULL) {
        ESP_LOGE(TAG, "esp_netif_create_default_wifi_sta failed");
        return ESP_ERR_NO_MEM;
    }
    /* Both default netifs exist before esp_wifi_init(), as in ESP-IDF's provisioning example: the AP one is
     * used only in provisioning mode. */
    s_wifi->ap_netif = esp_netif_create_default_wifi_ap();
    if (s_wifi->ap_netif == NULL) {
        ESP_LOGE(TAG, "esp_netif_create_default_wifi_ap failed");
        return ESP_ERR_NO_MEM;
    }
    wifi_init_config_t init = WIFI_INIT_CONFIG_DEFAULT();
    RETURN_ON_ERROR(esp_wifi_init(&init), "esp_wifi_init");
    /* Credentials given to esp_wifi_set_config() persist in NVS (the default, made explicit). */
    RETURN_ON_ERROR(esp_wifi_set_storage(WIFI_STORAGE_FLASH), "esp_wifi_set_storage");
    RETURN_ON_ERROR(
        esp_event_handler_instance_register(WIFI_EVENT, ESP_EVENT_ANY_ID, on_wifi_event, NULL, NULL),
        "register WIFI_EVENT");
    RETURN_ON_ERROR(esp_event_handler_instance_register(IP_EVENT, ESP_EVENT_ANY_ID, on_ip_event, NULL, NULL),
                    "register IP_EVENT");
    RETURN_ON_ERROR(esp_event_handler_instance_register(WIFI_ADAPTER_TIMER_EVENT, ESP_EVENT_ANY_ID,
                                                        on_timer_event, NULL, NULL),
                    "register WIFI_ADAPTER_TIMER_EVENT");
    const esp_timer_create_args_t retry_args = {
        .callback = timer_to_event_loop,
        .arg = (void *)(intptr_t)WIFI_ADAPTER_TIMER_RETRY,
        .dispatch_method = ESP_TIMER_TASK,
        .name = "wifi_retry",
        .skip_unhandled_events = true,
    };
    RETURN_ON_ERROR(esp_timer_create(&retry_args, &s_wifi->retry_timer), "esp_timer_create(wifi_retry)");
    const esp_timer_create_args_t prov_args = {
        .callback = timer_to_event_loop,
        .arg = (void *)(intptr_t)WIFI_ADAPTER_TIMER_PROV,
        .dispatch_method = ESP_TIMER_TASK,
        .name = "wifi_prov",
        .skip_unhandled_events = true,
    };
    RETURN_ON_ERROR(esp_timer_create(&prov_args, &s_wifi->prov_timer), "esp_timer_create(wifi_prov)");
    return ESP_OK;
}

bool wifi_adapter_has_credentials(void)
{
    wifi_config_t conf;
    memset(&conf, 0, sizeof(conf));
    if (esp_wifi_get_config(WIFI_IF_STA, &conf) != ESP_OK) {
        return false;
    }
    return conf.sta.ssid[0] != '\0';
}

static esp_err_t start_station(void)
{
    RETURN_ON_ERROR(esp_wifi_set_mode(WIFI_MODE_STA), "esp_wifi_set_mode(STA)");
    atomic_store(&s_wifi->sta_configured, true);
    atomic_store(&s_wifi->mode, WIFI_ADAPTER_MODE_STATION);
    /* The first attempt starts on WIFI_EVENT_STA_START. */
    RETURN_ON_ERROR(esp_wifi_start(), "esp_wifi_start");
    ESP_LOGI(TAG, "station mode with stored credentials");
    return ESP_OK;
}

esp_err_t wifi_adapter_start(wifi_adapter_mode_t *mode)
{
    if (mode != NULL) {
        *mode = WIFI_ADAPTER_MODE_NONE;
    }
    if (s_wifi->retry_timer == NULL) {
        return ESP_ERR_INVALID_STATE; /* wifi_adapter_init() did not succeed */
    }
    esp_err_t err = wifi_adapter_has_credentials() ? start_station() : wifi_provisioning_start();
    if (err == ESP_OK && mode != NULL) {
        *mode = (wifi_adapter_mode_t)atomic_load(&s_wifi->mode);
    }
    return err;
}

wifi_adapter_mode_t wifi_adapter_mode(void)
{
    return (wifi_adapter_mode_t)atomic_load(&s_wifi->mode);
}

static app_err_t get_mac(void *ctx, mac_address_t *out)
{
    (void)ctx;
    if (out == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    esp_err_t err = esp_read_mac(out->bytes, ESP_MAC_WIFI_STA);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "esp_read_mac: %s (0x%x)", esp_err_to_name(err), err);
        return APP_ERR_PLATFORM;
    }
    return APP_OK;
}

static app_err_t get_ip(void *ctx, ipv4_address_t *out)
{
    (void)ctx;
    if (out == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    /* esp_netif keeps the old address for a while after a disconnect: our own flag says whether it counts. */
    if (!atomic_load(&s_wifi->has_ip) || s_wifi->sta_netif == NULL) {
        return APP_ERR_NOT_CONNECTED;
    }
    esp_netif_ip_info_t info;
    esp_err_t err = esp_netif_get_ip_info(s_wifi->sta_netif, &info);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "esp_netif_get_ip_info: %s (0x%x)", esp_err_to_name(err), err);
        return APP_ERR_PLATFORM;
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

app_err_t wifi_adapter_store_via_application(void *ctx, const char *device_name, const char *location,
                                             char *reason, size_t reason_size)
{
    return application_update_config((application_t *)ctx, device_name, location, reason, reason_size);
}
