/*
 * sim_network: the network port on Linux. The simulated station's MAC and IPv4 come from the options;
 * the control channel (sim_control) changes its link and address at run time.
 *
 * sim_network_set_up() / set_ip() post APP_EVENT_NETWORK_UP / NETWORK_DOWN / IP_CHANGED through the
 * executor (never blocking) and write a `network` event line. Getters are cheap and may be called from
 * any thread; get_ip() answers APP_ERR_NOT_CONNECTED while the link is down.
 */
#ifndef SIM_NETWORK_H
#define SIM_NETWORK_H

#include <pthread.h>
#include <stdbool.h>

#include "application/ports/executor_port.h"
#include "application/ports/network_port.h"
#include "sim_event_sink.h"

typedef struct {
    pthread_mutex_t mutex;
    mac_address_t mac;
    ipv4_address_t ip;
    bool up;
    const executor_port_t *executor;
    void *executor_ctx;
    sim_event_sink_t *sink; /* may be NULL: no event lines */
} sim_network_t;

extern const network_port_t sim_network_port;

/* The link starts down; main calls sim_network_set_up(true) once the application runs. */
bool sim_network_init(sim_network_t *net, const mac_address_t *mac, const ipv4_address_t *ip,
                      const executor_port_t *executor, void *executor_ctx, sim_event_sink_t *sink);
void sim_network_deinit(sim_network_t *net);

/* Link up (NETWORK_UP with the current IP) or down (NETWORK_DOWN). False when the event was not posted. */
bool sim_network_set_up(sim_network_t *net, bool up);
/* New address: IP_CHANGED while up (re-registers when connected); stored for the next up otherwise. */
bool sim_network_set_ip(sim_network_t *net, const ipv4_address_t *ip);

/* Port functions (ctx = sim_network_t *). */
app_err_t sim_network_get_mac(void *ctx, mac_address_t *out);
app_err_t sim_network_get_ip(void *ctx, ipv4_address_t *out);

#endif /* SIM_NETWORK_H */
