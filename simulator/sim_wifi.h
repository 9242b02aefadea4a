/*
 * sim_wifi: the WiFi station port and the network port on Linux: a simulated farm network answering the
 * way esp_wifi does, so the application's WiFi link (the same code as on the device) decides everything.
 *
 * The farm network (SSID and password from the options) is in range or not (control: `network up` /
 * `network down`) and its DHCP gives the station the address from the options (control: `ip A.B.C.D`).
 * Driver calls post what esp_wifi would post, through the executor, never blocking:
 *   start_station / start_access_point -> WIFI_STARTED (the first start only: later a mode switch)
 *   connect  -> WIFI_GOT_IP(ip) when the network is in range and the credentials in use match it;
 *               WIFI_DISCONNECTED(201 NO_AP_FOUND) out of range, (15 4WAY_HANDSHAKE_TIMEOUT) wrong password
 *   network down while associated -> WIFI_DISCONNECTED(200 BEACON_TIMEOUT)
 *   ip change while associated    -> WIFI_GOT_IP(new address)
 * Credentials: the simulator starts provisioned (station credentials stored) unless told otherwise; then
 * set_credentials holds a trial pair and persist_credentials stores it; forget_credentials (factory reset)
 * drops both, so has_credentials is false and a connect finds no network until the form is sent again. scan
 * lists the farm network and two neighbours. Every port call and getter may come from any thread (a mutex
 * guards the state; events are posted under it, so they reach the application in the order of the changes).
 */
#ifndef SIM_WIFI_H
#define SIM_WIFI_H

#include <pthread.h>
#include <stdbool.h>

#include "application/ports/executor_port.h"
#include "application/ports/network_port.h"
#include "application/ports/wifi_station_port.h"
#include "sim_event_sink.h"

/* esp_wifi's disconnect reasons the simulation uses (wifi_err_reason_t). */
#define SIM_WIFI_REASON_HANDSHAKE_TIMEOUT 15
#define SIM_WIFI_REASON_BEACON_TIMEOUT    200
#define SIM_WIFI_REASON_NO_AP_FOUND       201

typedef struct {
    const char *ssid;     /* the farm network */
    const char *password; /* "" for an open network */
    bool provisioned;     /* station credentials (the farm network's) already stored */
} sim_wifi_config_t;

typedef struct {
    pthread_mutex_t mutex;
    mac_address_t mac;
    ipv4_address_t ip;
    bool in_range;   /* the farm network is reachable */
    bool associated; /* connected, holding ip */
    bool started;
    bool ap_up;
    bool stored; /* station credentials persisted */
    char net_ssid[WIFI_STATION_SSID_MAX_BYTES + 1];
    char net_password[65];
    char sta_ssid[WIFI_STATION_SSID_MAX_BYTES + 1]; /* credentials in use */
    char sta_password[65];
    char ap_ssid[WIFI_STATION_SSID_MAX_BYTES + 1];
    const executor_port_t *executor;
    void *executor_ctx;
    sim_event_sink_t *sink; /* may be NULL: no event lines */
} sim_wifi_t;

extern const wifi_station_port_t sim_wifi_station_port;
extern const network_port_t sim_wifi_network_port;

/* The farm network starts in range; nothing is posted before the application starts the station. */
bool sim_wifi_init(sim_wifi_t *wifi, const sim_wifi_config_t *config, const mac_address_t *mac,
                   const ipv4_address_t *ip, const executor_port_t *executor, void *executor_ctx,
                   sim_event_sink_t *sink);
void sim_wifi_deinit(sim_wifi_t *wifi);

/* Control: the farm network comes into range (the link connects at its next attempt) or goes away
 * (an associated station is disconnected). Writes a `network` event line. False when a post was refused. */
bool sim_wifi_set_in_range(sim_wifi_t *wifi, bool in_range);
/* Control: DHCP hands out another address (posted at once to an associated station). */
bool sim_wifi_set_ip(sim_wifi_t *wifi, const ipv4_address_t *ip);
/* --print-registration: the station counts as associated, without any event (no application runs). */
void sim_wifi_assume_associated(sim_wifi_t *wifi);

#endif /* SIM_WIFI_H */
