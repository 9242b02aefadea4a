/*
 * power_adapter: the power_port_t on the ESP32: WiFi modem sleep (esp_wifi_set_ps) and, when
 * CONFIG_PM_ENABLE is set, automatic light sleep (esp_pm_configure) while the device waits for a retry.
 *
 * Several requesters may want low power at once (the application's MQTT retry wait and the WiFi adapter's
 * reconnect wait). Each requester owns one power_adapter_client_t and passes it as the port's ctx; a
 * client's request/release is idempotent (the port's contract), and the adapter counts clients: low power
 * is entered when the first client requests and left when the last one releases.
 *   low power:  esp_wifi_set_ps(WIFI_PS_MAX_MODEM); with CONFIG_PM_ENABLE, esp_pm_configure(max, min,
 *               light_sleep_enable = true): frequency scaling down to min and automatic light sleep
 *   released:   esp_wifi_set_ps(WIFI_PS_MIN_MODEM) (the ESP-IDF station default); with CONFIG_PM_ENABLE,
 *               esp_pm_configure(max, max, light_sleep_enable = false): the CPU stays at max, which is
 *               ESP-IDF's own state before any esp_pm_configure (CONFIG_PM_DFS_INIT_AUTO is off)
 * power_adapter_init() applies the released PM configuration once, so the steady state is explicit and the
 * same before the first request and after the last release.
 * Automatic light sleep with WiFi also needs CONFIG_FREERTOS_USE_TICKLESS_IDLE; without it esp_pm_configure
 * refuses light sleep (ESP_ERR_NOT_SUPPORTED), which is logged and returned as APP_ERR_PLATFORM while the
 * modem sleep part still applies.
 *
 * Called from the application task and from the WiFi adapter's event-loop task. Never
 * blocks and takes no lock: the count and each client's flag are C11 atomics, and after changing the mode
 * the caller re-reads the count and applies again if another task changed it meanwhile, so the last
 * applied mode always matches the count.
 *
 * Usage (main/): power_adapter_init(&cfg) once after esp_wifi_init(); one client per requester:
 *   static power_adapter_client_t mqtt_power, wifi_power;
 *   power_adapter_client_init(&mqtt_power, "mqtt"); ports.power = power_adapter_port(); ports.power_ctx =
 *   &mqtt_power; and the WiFi adapter gets power_adapter_port() with &wifi_power.
 */
#ifndef POWER_ADAPTER_H
#define POWER_ADAPTER_H

#include <stdatomic.h>
#include <stdbool.h>

#include "application/ports/power_port.h"
#include "esp_err.h"

typedef struct {
    int max_freq_mhz; /* CPU frequency while busy, e.g. CONFIG_ESP_DEFAULT_CPU_FREQ_MHZ */
    int min_freq_mhz; /* lowest CPU frequency when idle (the XTAL frequency, e.g. 40) */
} power_adapter_config_t;

typedef struct {
    const char *name;      /* for the log: "mqtt", "wifi" */
    atomic_bool requested; /* this client currently holds a low-power request */
} power_adapter_client_t;

/* Stores the frequencies, forgets any request and, with CONFIG_PM_ENABLE, applies the released PM
 * configuration (esp_pm_configure(max, max, no light sleep)). ESP_ERR_INVALID_ARG on NULL or bad frequencies;
 * esp_pm_configure's error otherwise (logged; the port still works and retries at each change). */
esp_err_t power_adapter_init(const power_adapter_config_t *config);

/* Prepares a client (not requesting). name must outlive the client (a string literal). */
void power_adapter_client_init(power_adapter_client_t *client, const char *name);

/* The port (static, never NULL). ctx = a power_adapter_client_t*. */
const power_port_t *power_adapter_port(void);

/* Number of clients holding a request (diagnostics and tests). */
unsigned power_adapter_active_requests(void);

#endif /* POWER_ADAPTER_H */
