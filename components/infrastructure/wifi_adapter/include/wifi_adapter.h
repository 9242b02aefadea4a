/*
 * wifi_adapter: WiFi station (with credentials kept by esp_wifi in NVS), the provisioning access point
 * used when none are stored, and the network_port_t (MAC and station IPv4).
 *
 * Station: event handlers (event-loop task) only translate and post, never block:
 *   IP_EVENT_STA_GOT_IP        -> APP_EVENT_NETWORK_UP(ip), or APP_EVENT_IP_CHANGED(ip) when ESP-IDF flags
 *                                 an IP change or the address differs from the one already up;
 *                                 resets the retry policy and releases the low-power request
 *   IP_EVENT_STA_LOST_IP,
 *   WIFI_EVENT_STA_DISCONNECTED -> APP_EVENT_NETWORK_DOWN(code = disconnect reason, 0 for lost IP), once per
 *                                 loss; the disconnect also arms a one-shot esp_timer with the next delay
 *                                 of the retry policy (30 s doubling to 3600 s by default) for EVERY reason
 *                                 (auth failures included: passwords get fixed, routers reboot), and
 *                                 requests low power until the timer fires; its callback only posts to the
 *                                 default event loop, whose task releases low power and calls
 *                                 esp_wifi_connect() (esp_timer callbacks must not block; the WiFi calls
 *                                 wait for the WiFi task). The adapter never gives up.
 * Provisioning (no stored station SSID): WIFI_MODE_APSTA (the station half makes scanning possible), a
 * WPA2-PSK access point "<prefix>-XXXX" (last two bytes of the station MAC, upper-case hex) with the
 * configured password (never an open network: shorter than 8 bytes is refused), and three routes on the
 * HTTP adapter's server: GET / (form), GET /scan (JSON list of networks), POST /provision. A valid POST
 * stores name/location through the store_device_config callback, gives the credentials to esp_wifi in RAM
 * storage only, answers 200 and, from an esp_timer via the event loop (not in the handler), starts the
 * station connection.
 * The access point stays up until the station gets an IP, so a wrong password can be corrected by
 * posting the form again; on the first IP the credentials are persisted (WIFI_STORAGE_FLASH), the access
 * point is switched off (station-only mode) and the three routes are removed from the server (nobody on
 * the station's network can change the credentials); that step runs on the HTTP server task
 * (http_adapter_queue_work), the only task that may change the server's handler table. GET /scan scans
 * blocking (about 2 s) on the HTTP server task, acceptable there in provisioning mode. Nothing is posted for
 * the access point interface, so MQTT never starts in provisioning mode. The password is never logged or
 * echoed.
 *
 * State is static (one WiFi per device). Call order in main/ (app_main task):
 *   nvs_config_adapter_init_flash(); wifi_adapter_init(&cfg); power_adapter_init(..);
 *   application_start(..); http_adapter_start(..); wifi_adapter_start(&mode);
 */
#ifndef WIFI_ADAPTER_H
#define WIFI_ADAPTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "application/app_status.h"
#include "application/ports/executor_port.h"
#include "application/ports/network_port.h"
#include "application/ports/power_port.h"
#include "application/ports/timer_port.h"
#include "domain/retry_policy.h"
#include "esp_err.h"

/* WPA2 needs 8..63 characters. */
#define WIFI_ADAPTER_AP_PASSWORD_MIN_LEN 8
#define WIFI_ADAPTER_AP_PASSWORD_MAX_LEN 63
/* "<prefix>-XXXX" must fit the 32-byte SSID. */
#define WIFI_ADAPTER_AP_PREFIX_MAX_LEN 27

/*
 * Stores device name and/or location from the provisioning form (NULL = keep the stored value). Called on
 * the HTTP server task. Returns APP_OK or an error with a one-line reason for the 400/500 answer.
 * main/ passes wifi_adapter_store_via_application with ctx = the application_t.
 */
typedef app_err_t (*wifi_adapter_store_config_fn)(void *ctx, const char *device_name, const char *location,
                                                  char *reason, size_t reason_size);

typedef struct {
    const executor_port_t *executor; /* NETWORK_UP / NETWORK_DOWN / IP_CHANGED */
    void *executor_ctx;
    const power_port_t *power;  /* low power while waiting for a reconnect: the adapter's own */
    void *power_ctx;            /*   requester (a power_adapter_client_t of its own) */
    const timer_port_t *random; /* only random_u32() is used, for the policy's optional jitter */
    void *random_ctx;
    retry_policy_config_t retry; /* the same policy as MQTT: settings.mqtt.retry */
    const char *ap_ssid_prefix;  /* e.g. CONFIG_..._AP_SSID_PREFIX; at most 27 bytes */
    const char *ap_password;     /* 8..63 characters (WPA2-PSK) */
    uint8_t ap_channel;          /* 1..13; 0 means 1 */
    uint8_t ap_max_connections;  /* 0 means 4 */
    wifi_adapter_store_config_fn store_device_config;
    void *store_ctx;
} wifi_adapter_config_t;

typedef enum {
    WIFI_ADAPTER_MODE_NONE = 0,
    WIFI_ADAPTER_MODE_STATION,      /* stored credentials: connecting as a station */
    WIFI_ADAPTER_MODE_PROVISIONING, /* no credentials: access point + provisioning routes */
} wifi_adapter_mode_t;

/*
 * esp_netif_init, default event loop (an existing one is fine), default STA and AP netifs, esp_wifi_init,
 * WIFI_STORAGE_FLASH, event handlers, the retry timer. Requires nvs_flash initialised. Copies cfg (strings
 * must outlive the adapter: literals or Kconfig strings). ESP_ERR_INVALID_ARG on a missing port, a bad
 * retry policy or a missing callback; else the first ESP-IDF error (logged).
 */
esp_err_t wifi_adapter_init(const wifi_adapter_config_t *cfg);

/* True when esp_wifi holds a station SSID (esp_wifi_get_config(WIFI_IF_STA) with a non-empty ssid). */
bool wifi_adapter_has_credentials(void);

/*
 * Station mode with the stored credentials, or provisioning when there are none (needs the HTTP adapter
 * started: the routes go on its server). *mode (may be NULL) tells which. ESP_ERR_INVALID_ARG when the
 * access point password is shorter than 8 or longer than 63 characters or the prefix too long (no AP is
 * started: never an open network); else the first ESP-IDF / HTTP registration error (logged).
 */
esp_err_t wifi_adapter_start(wifi_adapter_mode_t *mode);

/* The current mode (NONE before start). */
wifi_adapter_mode_t wifi_adapter_mode(void);

/* The network port (static, never NULL). Its ctx is unused: pass NULL. Any task. */
const network_port_t *wifi_adapter_network_port(void);

/* wifi_adapter_store_config_fn over application_update_config(); ctx is the application_t*. */
app_err_t wifi_adapter_store_via_application(void *ctx, const char *device_name, const char *location,
                                             char *reason, size_t reason_size);

#endif /* WIFI_ADAPTER_H */
