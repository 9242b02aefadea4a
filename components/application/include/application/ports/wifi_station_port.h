/*
 * wifi_station_port: the WiFi driver as the WiFi link use case and the provisioning use case drive it
 * (esp_wifi / esp_netif on the ESP32; a simulated access point in the simulator).
 *
 * The adapter decides nothing: it carries out these calls and translates the driver's events into app
 * events (WIFI_STARTED, WIFI_DISCONNECTED(code = reason), WIFI_GOT_IP(ip), WIFI_LOST_IP), posted without
 * blocking. Retries, low power and the provisioning steps are the core's (domain/wifi_link.h).
 *
 * Called from the application task, except scan() (the HTTP task, provisioning mode only) and
 * set_credentials() (the HTTP task, from the setup form). Credentials are never logged.
 */
#ifndef APPLICATION_PORTS_WIFI_STATION_PORT_H
#define APPLICATION_PORTS_WIFI_STATION_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "application/app_status.h"

#define WIFI_STATION_SSID_MAX_BYTES 32

typedef struct {
    char ssid[WIFI_STATION_SSID_MAX_BYTES + 1]; /* raw bytes, may be any bytes; ssid_len tells the length */
    uint8_t ssid_len;
    int8_t rssi;
    bool secured;
} wifi_station_network_t;

typedef struct wifi_station_port {
    /* True when the driver holds stored station credentials. */
    bool (*has_credentials)(void *ctx);
    /* Station mode with the stored credentials; WIFI_STARTED follows (no connect yet). */
    app_err_t (*start_station)(void *ctx);
    /* Provisioning: the access point (WPA2, ssid, password: 8..63 chars) with the station half idle, so it
     * can scan and later try the credentials; WIFI_STARTED follows. */
    app_err_t (*start_access_point)(void *ctx, const char *ssid, const char *password);
    /* One connection attempt; WIFI_GOT_IP or WIFI_DISCONNECTED follows. */
    app_err_t (*connect)(void *ctx);
    app_err_t (*disconnect)(void *ctx);
    /* Station credentials for the next connect, kept in RAM only (not persisted) until persist. */
    app_err_t (*set_credentials)(void *ctx, const char *ssid, const char *password);
    /* Persists the credentials in use (they produced an address). */
    app_err_t (*persist_credentials)(void *ctx);
    /* Closes the access point (station only from now on). */
    app_err_t (*stop_access_point)(void *ctx);
    /* Blocking scan (about 2 s): up to max networks in range into out, in any order; *count set. */
    app_err_t (*scan)(void *ctx, wifi_station_network_t *out, size_t max, size_t *count);
    /* Factory reset: erases the station credentials, stored and held in RAM alike, so has_credentials is
     * false from now on and the next boot provisions. Nothing else stored is touched (the device name and
     * location live in the config repository and survive). The driver keeps running; the association in
     * use may end (WIFI_DISCONNECTED) or last until the link's disconnect. */
    app_err_t (*forget_credentials)(void *ctx);
} wifi_station_port_t;

#endif
