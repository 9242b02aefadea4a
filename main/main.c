/*
 * Composition root of the firmware: creates every adapter (static storage), maps Kconfig to the
 * application's settings (irrigation_settings.c), starts the application with all its ports, then the HTTP
 * server and WiFi.
 *
 * Start order WiFi -> HTTP server -> MQTT is the application's business: its START event starts the WiFi
 * link (station with stored credentials, else the provisioning access point), and MQTT connects only after
 * the HTTP adapter has posted APP_EVENT_HTTP_STARTED and the WiFi link reports the network up (station mode
 * only: never while the provisioning access point is up). Here the services are only started, in the order
 * their dependencies need: the adapters the application calls, then the application (its task and queue),
 * then the HTTP server, which posts to it.
 *
 * Errors degrade, they never reboot: a settings error disables MQTT but HTTP keeps answering; an NVS
 * failure runs WiFi without NVS (credentials in RAM, /status "degraded": "storage unavailable"); an HTTP or
 * WiFi failure is logged and the rest keeps running. app_main returns when everything is started (its task
 * ends; the application task, the HTTP server and the WiFi/MQTT tasks carry on).
 *
 * Secrets: the device's setup secret comes from the `provision` NVS partition (written by `invoke flash`, or
 * generated there at first boot from the hardware RNG). While the node has no WiFi credentials it is
 * printed once on the serial console, grouped as on the label: physical access only, and the one deliberate
 * exception to "no secret in any log" (it goes through printf, not ESP_LOG, so it is never in a log
 * capture of the tags). MQTT credentials: Kconfig's, overridden by the partition's per-device values.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <stdio.h>
#include <string.h>

#include "application/app_ports.h"
#include "application/application.h"
#include "captive_dns_adapter.h"
#include "esp_err.h"
#include "esp_event.h"
#include "esp_heap_caps.h"
#include "esp_log.h"
#include "esp_netif.h"
#include "freertos_adapter.h"
#include "http_adapter.h"
#include "irrigation_settings.h"
#include "log_event_sink.h"
#include "mqtt_ws_adapter.h"
#include "nvs_config_adapter.h"
#include "power_adapter.h"
#include "provision_store.h"
#include "reset_button_adapter.h"
#include "sdkconfig.h"

/* The network adapter (Kconfig choice IRRIGATION_NETWORK): both give the WiFi station and network ports. */
#if CONFIG_IRRIGATION_NETWORK_ETHERNET_OPENETH
#include "eth_adapter.h"
#define IRRIGATION_NETWORK_TAG "eth_adapter"
#else
#include "wifi_adapter.h"
#define IRRIGATION_NETWORK_TAG "wifi_adapter"
#endif
#if CONFIG_IRRIGATION_TLS_TRUST_BUNDLE
#include "esp_crt_bundle.h"
#endif

static const char *TAG = "main";

/* With XTAL autodetection (ESP32 only) the crystal is unknown at build time; 40 MHz is at or above every
 * supported crystal, which is all esp_pm_configure() asks of the minimum frequency. */
#if CONFIG_XTAL_FREQ > 0
#define IRRIGATION_MIN_CPU_FREQ_MHZ CONFIG_XTAL_FREQ
#else
#define IRRIGATION_MIN_CPU_FREQ_MHZ 40
#endif

/* Static storage of everything the firmware creates (nothing of this lives on app_main's stack), except the
 * application task's stack and queue buffer: those come from the heap once at start (app_task_memory()). */
static application_t s_app;
static app_settings_t s_settings;
static freertos_adapter_lock_t s_lock;
static freertos_adapter_executor_t s_executor;
static freertos_adapter_timer_t s_timer;
static mqtt_ws_adapter_t s_mqtt;
static power_adapter_client_t s_power;
/* ESP-IDF's default access point netif is 192.168.4.1/24 (esp_netif_defaults.h). */
static captive_dns_adapter_portal_t s_portal = {.ap_ip = {{192, 168, 4, 1}}};

#if CONFIG_IRRIGATION_TLS_TRUST_CA_FILE
/* The CA embedded by main/CMakeLists.txt (target_add_binary_data ... TEXT: NUL-terminated). */
extern const char _binary_irrigation_broker_ca_start[];
#endif

/* The project's own tags, for CONFIG_IRRIGATION_LOG_LEVEL. */
static const char *const s_log_tags[] = {
    "main",        LOG_EVENT_SINK_TAG, "mqtt_ws",         "app_task",      "rtos_lock",
    "app_timer",   "nvs_config",       "http_adapter",    "power_adapter", IRRIGATION_NETWORK_TAG,
    "captive_dns", "reset_button",     "provision_store",
};

/* How wss:// brokers are verified (menuconfig: IRRIGATION_TLS_TRUST). */
static mqtt_ws_adapter_tls_t tls_trust(void)
{
    mqtt_ws_adapter_tls_t tls = {.crt_bundle_attach = NULL, .ca_pem = NULL};
#if CONFIG_IRRIGATION_TLS_TRUST_BUNDLE
    tls.crt_bundle_attach = esp_crt_bundle_attach;
#elif CONFIG_IRRIGATION_TLS_TRUST_CA_FILE
    tls.ca_pem = _binary_irrigation_broker_ca_start;
#endif
    return tls;
}

static void set_log_levels(void)
{
    for (size_t i = 0; i < sizeof(s_log_tags) / sizeof(s_log_tags[0]); i++) {
        esp_log_level_set(s_log_tags[i], (esp_log_level_t)CONFIG_IRRIGATION_LOG_LEVEL);
    }
}

/* The application task's stack and queue buffer, allocated once and never freed (the task runs for ever).
 * From the heap rather than .bss: the same bytes, but static RAM is the project's budget line
 * (docs/firmware.md) and a heap buffer shows in the free-heap figures of /status. Internal RAM: a task stack
 * must not be in PSRAM. */
static bool app_task_memory(StackType_t **stack, uint8_t **queue_storage)
{
    const uint32_t caps = MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT;
    *stack = heap_caps_malloc(CONFIG_IRRIGATION_APP_TASK_STACK_SIZE, caps);
    *queue_storage = heap_caps_malloc(FREERTOS_ADAPTER_QUEUE_BYTES(CONFIG_IRRIGATION_APP_QUEUE_LENGTH), caps);
    if (*stack == NULL || *queue_storage == NULL) {
        ESP_LOGE(TAG, "no memory for the application task (%d B stack, %u B queue)",
                 CONFIG_IRRIGATION_APP_TASK_STACK_SIZE,
                 (unsigned)FREERTOS_ADAPTER_QUEUE_BYTES(CONFIG_IRRIGATION_APP_QUEUE_LENGTH));
        heap_caps_free(*stack);
        heap_caps_free(*queue_storage);
        return false;
    }
    return true;
}

/* The RTOS services every other part posts to or locks; false when the application cannot run at all. */
static bool create_rtos_services(void)
{
    StackType_t *stack = NULL;
    uint8_t *queue_storage = NULL;
    if (!app_task_memory(&stack, &queue_storage)) {
        return false;
    }
    const freertos_adapter_executor_config_t executor_config = {
        .queue_storage = queue_storage,
        .queue_length = CONFIG_IRRIGATION_APP_QUEUE_LENGTH,
        .stack = stack,
        .stack_size = CONFIG_IRRIGATION_APP_TASK_STACK_SIZE,
        .priority = CONFIG_IRRIGATION_APP_TASK_PRIORITY,
        .task_name = FREERTOS_ADAPTER_APP_TASK_NAME,
    };
    app_err_t rc = freertos_adapter_lock_init(&s_lock);
    if (rc == APP_OK) {
        rc = freertos_adapter_executor_init(&s_executor, &executor_config);
    }
    if (rc == APP_OK) {
        rc = freertos_adapter_timer_init(&s_timer, &freertos_adapter_executor_port, &s_executor);
    }
    if (rc == APP_OK) {
        const mqtt_ws_adapter_tls_t tls = tls_trust();
        rc = mqtt_ws_adapter_init(&s_mqtt, &freertos_adapter_executor_port, &s_executor, &tls);
    }
    if (rc != APP_OK) {
        ESP_LOGE(TAG, "RTOS services not created: %s", app_err_to_str(rc));
        return false;
    }
    return true;
}

static void start_power_management(void)
{
    const power_adapter_config_t power_config = {
        .max_freq_mhz = CONFIG_ESP_DEFAULT_CPU_FREQ_MHZ,
        .min_freq_mhz = IRRIGATION_MIN_CPU_FREQ_MHZ,
    };
    esp_err_t err = power_adapter_init(&power_config);
    if (err != ESP_OK) {
        /* The power port still answers; low power requests then only fail and are logged. */
        ESP_LOGE(TAG, "power_adapter_init: %s", esp_err_to_name(err));
    }
    /* One requester: the application combines the MQTT connection's and the WiFi link's wishes. */
    power_adapter_client_init(&s_power, "app");
}

#if CONFIG_IRRIGATION_NETWORK_ETHERNET_OPENETH
static esp_err_t start_wifi_adapter(bool nvs_available)
{
    (void)nvs_available; /* the Ethernet variant keeps no credentials */
    const eth_adapter_config_t eth_config = {
        .executor = &freertos_adapter_executor_port,
        .executor_ctx = &s_executor,
    };
    return eth_adapter_init(&eth_config);
}
#define IRRIGATION_NETWORK_PORT() eth_adapter_network_port()
#define IRRIGATION_STATION_PORT() eth_adapter_station_port()
#else
static esp_err_t start_wifi_adapter(bool nvs_available)
{
    const wifi_adapter_config_t wifi_config = {
        .executor = &freertos_adapter_executor_port,
        .executor_ctx = &s_executor,
        .ap_channel = 1,
        .ap_max_connections = 4,
        .nvs_available = nvs_available,
    };
    return wifi_adapter_init(&wifi_config);
}
#define IRRIGATION_NETWORK_PORT() wifi_adapter_network_port()
#define IRRIGATION_STATION_PORT() wifi_adapter_station_port()
#endif

/* The device's own secrets from the provision partition (see the header). Failures leave the secret empty:
 * the access point stays off and every write is refused (fail closed), reported in /status. */
static void load_device_secrets(app_settings_t *settings)
{
    esp_err_t err = provision_store_init();
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "provision partition unusable (%s): no setup secret, writes refused",
                 esp_err_to_name(err));
        return;
    }
    bool created = false;
    err = provision_store_load_secret(settings->security.setup_secret, &created);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "setup secret unusable (%s): writes refused, no access point", esp_err_to_name(err));
    } else if (created) {
        ESP_LOGW(TAG, "no setup secret was flashed: a new one was generated and stored");
    }
    char username[APP_CREDENTIAL_MAX_LEN + 1];
    char password[APP_CREDENTIAL_MAX_LEN + 1];
    bool found = false;
    err =
        provision_store_load_mqtt_credentials(username, sizeof(username), password, sizeof(password), &found);
    if (err == ESP_OK && found) {
        memcpy(settings->mqtt.username, username, sizeof(username));
        memcpy(settings->mqtt.password, password, sizeof(password));
    } else if (err != ESP_OK) {
        ESP_LOGE(TAG, "MQTT credentials of this device unreadable (%s): using the build's",
                 esp_err_to_name(err));
    }
    memset(password, 0, sizeof(password));
}

/* Once per boot while unprovisioned: the secret a technician needs to join the setup network, on the serial
 * console only (see the header). */
static void show_setup_secret(const app_settings_t *settings)
{
    const char *s = settings->security.setup_secret;
    if (s[0] == '\0' || IRRIGATION_STATION_PORT()->has_credentials(NULL)) {
        return;
    }
    printf("\n*** Setup network password (setup secret): %.4s %.4s %.4s %.4s ***\n\n", s, s + 4, s + 8,
           s + 12);
    (void)fflush(stdout);
}

static void start_reset_button(void)
{
    const reset_button_adapter_config_t button_config = {
        .gpio = CONFIG_IRRIGATION_FACTORY_RESET_GPIO,
        .hold_s = CONFIG_IRRIGATION_FACTORY_RESET_HOLD_S,
        .executor = &freertos_adapter_executor_port,
        .executor_ctx = &s_executor,
    };
    const esp_err_t err = reset_button_adapter_init(&button_config);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "reset button not started: %s (no factory reset by button)", esp_err_to_name(err));
    }
}

static app_ports_t build_ports(void)
{
    app_ports_t ports = {
        .mqtt_session = &mqtt_ws_adapter_session_port,
        .mqtt_session_ctx = &s_mqtt,
        .mqtt_publisher = &mqtt_ws_adapter_publisher_port,
        .mqtt_publisher_ctx = &s_mqtt,
        .config = nvs_config_adapter_port(),
        .config_ctx = NULL,
        .network = IRRIGATION_NETWORK_PORT(),
        .network_ctx = NULL,
        .wifi = IRRIGATION_STATION_PORT(),
        .wifi_ctx = NULL,
        .lock = &freertos_adapter_lock_port,
        .lock_ctx = &s_lock,
        .timer = &freertos_adapter_timer_port,
        .timer_ctx = &s_timer,
        .power = power_adapter_port(),
        .power_ctx = &s_power,
        .executor = &freertos_adapter_executor_port,
        .executor_ctx = &s_executor,
        .events = &log_event_sink_port,
        .events_ctx = NULL,
        .system = &freertos_adapter_system_info_port,
        .system_ctx = NULL,
        .portal = &captive_dns_adapter_portal_port,
        .portal_ctx = &s_portal,
    };
    return ports;
}

/* Called once by ESP-IDF's start-up code on the main task. */
void app_main(void);

void app_main(void)
{
    char reason[96];
    esp_err_t err;

    set_log_levels();

    /* NVS holds the device config and the WiFi credentials; without it the device runs on defaults, WiFi
     * without NVS, and /status says so. */
    err = nvs_config_adapter_init_flash();
    const bool nvs_available = err == ESP_OK;
    if (!nvs_available) {
        ESP_LOGE(TAG, "NVS unavailable (%s): running on defaults, WiFi credentials cannot be kept",
                 esp_err_to_name(err));
    }
    err = esp_netif_init();
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "esp_netif_init: %s", esp_err_to_name(err));
    }
    err = esp_event_loop_create_default();
    if (err != ESP_OK && err != ESP_ERR_INVALID_STATE) {
        ESP_LOGE(TAG, "esp_event_loop_create_default: %s", esp_err_to_name(err));
    }

    app_err_t rc = irrigation_settings_from_kconfig(&s_settings, reason, sizeof(reason));
    if (rc != APP_OK) {
        ESP_LOGE(TAG, "settings: %s (MQTT will be disabled)", reason);
    }
    s_settings.storage_unavailable = !nvs_available;
    load_device_secrets(&s_settings);
    if (!create_rtos_services()) {
        /* Without its task and lock the application cannot run; rebooting would only repeat this. */
        return;
    }
    start_power_management();

    /* Before application_start(): its START event drives the WiFi port, and the network port (the MAC)
     * must be usable. */
    err = start_wifi_adapter(nvs_available);
    if (err != ESP_OK) {
        ESP_LOGE(TAG, "wifi_adapter_init: %s (no network: HTTP and MQTT will wait)", esp_err_to_name(err));
    } else {
        show_setup_secret(&s_settings);
    }

    const app_ports_t ports = build_ports();
    rc = application_start(&s_app, &ports, &s_settings);
    if (rc == APP_ERR_MISSING_PORT || rc == APP_ERR_NOT_STARTED) {
        /* No application task: nothing could handle an event; rebooting would only repeat this. */
        ESP_LOGE(TAG, "application not started: %s", app_err_to_str(rc));
        return;
    }
    if (rc != APP_OK) {
        /* Any other code: the application runs with MQTT disabled (the event sink reported why); WiFi and
         * HTTP come up so /whoami and provisioning still answer. Logged once, here. */
        ESP_LOGE(TAG, "application running with MQTT disabled: %s", app_err_to_str(rc));
    }

    const http_adapter_config_t http_config = {
        .port = CONFIG_IRRIGATION_HTTP_PORT,
        .app = &s_app,
        .executor = &freertos_adapter_executor_port,
        .executor_ctx = &s_executor,
        .stack_size = CONFIG_IRRIGATION_HTTP_TASK_STACK_SIZE,
    };
    err = http_adapter_start(&http_config);
    if (err == ESP_ERR_TIMEOUT) {
        /* The server runs; only the HTTP_STARTED event was refused by a full application queue. */
        ESP_LOGE(TAG, "HTTP server running, but HTTP_STARTED could not be posted: MQTT will not start");
    } else if (err != ESP_OK) {
        ESP_LOGE(TAG, "HTTP server not started: %s (MQTT waits for it)", esp_err_to_name(err));
    }
    start_reset_button();
}
