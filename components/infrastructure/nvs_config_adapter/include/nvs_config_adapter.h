/*
 * nvs_config_adapter: the config_repository_port_t on NVS (ESP-IDF nvs_flash).
 *
 * Layout kept from the devices already in the field: namespace "device_config", keys "device_name" and
 * "device_location" (NUL-terminated strings). Reads are sized: the stored length is asked first, so a value
 * that does not fit the caller's buffer is reported as APP_ERR_TOO_LONG (buffer set to ""), never
 * truncated. Writes longer than the contract limits (DEVICE_NAME_MAX_BYTES / DEVICE_LOCATION_MAX_BYTES) are
 * refused with APP_ERR_TOO_LONG so nothing over-long is ever stored; content rules (UTF-8, trimming) are the
 * application's. Each call opens the namespace, does its I/O and closes it: no handle is kept, so the
 * adapter needs no lock of its own (NVS serialises access internally).
 *
 * Called from the application task and from HTTP handlers (never while holding the shared lock: flash I/O
 * is slow). The platform code (esp_err_t) is logged here, where it is converted.
 *
 * Usage (main/): nvs_config_adapter_init_flash() once at boot, before WiFi (which keeps its credentials in
 * NVS too); then ports.config = nvs_config_adapter_port(), ports.config_ctx = NULL (no context: the
 * adapter has no state).
 */
#ifndef NVS_CONFIG_ADAPTER_H
#define NVS_CONFIG_ADAPTER_H

#include "application/ports/config_repository_port.h"
#include "esp_err.h"

#define NVS_CONFIG_ADAPTER_NAMESPACE    "device_config"
#define NVS_CONFIG_ADAPTER_KEY_NAME     "device_name"
#define NVS_CONFIG_ADAPTER_KEY_LOCATION "device_location"

/*
 * nvs_flash_init(); when the partition has no free pages or was written by a newer NVS version, erases it
 * and initialises again (what every ESP-IDF example does). Returns the esp_err_t of the last step; the
 * caller decides (main/ logs it and goes on: the device then runs on defaults and cannot keep WiFi
 * credentials, but still serves HTTP).
 */
esp_err_t nvs_config_adapter_init_flash(void);

/* The port (static, never NULL). Its ctx argument is unused: pass NULL. */
const config_repository_port_t *nvs_config_adapter_port(void);

#endif /* NVS_CONFIG_ADAPTER_H */
