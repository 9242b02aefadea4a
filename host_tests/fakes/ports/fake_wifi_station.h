/*
 * fake_wifi_station: in-memory wifi_station_port. Records every call (the access point's name and password,
 * the credentials given, persist, stop, forget) and returns scripted results; has_credentials is set by
 * the test (true by default: station mode); a successful forget_credentials clears it and the credentials. It
 * posts nothing by itself: tests post APP_EVENT_WIFI_STARTED / WIFI_GOT_IP / WIFI_DISCONNECTED through the
 * executor, as the real adapter would after these calls.
 */
#ifndef FAKE_WIFI_STATION_H
#define FAKE_WIFI_STATION_H

#include <stdbool.h>
#include <stddef.h>

#include "application/ports/wifi_station_port.h"
#include "fake_script.h"

#define FAKE_WIFI_MAX_NETWORKS 24

typedef struct {
    bool has_credentials;
    unsigned has_credentials_calls;
    unsigned start_station_calls;
    fake_script_t start_station_results;
    unsigned start_ap_calls;
    fake_script_t start_ap_results;
    char ap_ssid[WIFI_STATION_SSID_MAX_BYTES + 1];
    char ap_password[64];
    unsigned connect_calls;
    fake_script_t connect_results;
    unsigned disconnect_calls;
    unsigned set_credentials_calls;
    fake_script_t set_credentials_results;
    char ssid[WIFI_STATION_SSID_MAX_BYTES + 1];
    char password[65];
    unsigned persist_calls;
    fake_script_t persist_results;
    unsigned stop_ap_calls;
    fake_script_t stop_ap_results;
    unsigned scan_calls;
    fake_script_t scan_results;
    unsigned forget_calls;
    fake_script_t forget_results;
    wifi_station_network_t networks[FAKE_WIFI_MAX_NETWORKS];
    size_t network_count;
} fake_wifi_station_t;

extern const wifi_station_port_t fake_wifi_station_port;

/* Credentials stored, every call succeeds, no networks in range. */
void fake_wifi_station_init(fake_wifi_station_t *fake);
/* Adds a network the scan reports (ssid as given bytes). */
void fake_wifi_station_add_network(fake_wifi_station_t *fake, const char *ssid, size_t ssid_len, int8_t rssi,
                                   bool secured);

#endif
