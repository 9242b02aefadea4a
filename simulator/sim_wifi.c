/*
 * sim_network: see sim_network.h.
 */
#include "sim_network.h"

#include <string.h>

const network_port_t sim_network_port = {
    .get_mac = sim_network_get_mac,
    .get_ip = sim_network_get_ip,
};

bool sim_network_init(sim_network_t *net, const mac_address_t *mac, const ipv4_address_t *ip,
                      const executor_port_t *executor, void *executor_ctx, sim_event_sink_t *sink)
{
    if (net == NULL || mac == NULL || ip == NULL || executor == NULL) {
        return false;
    }
    memset(net, 0, sizeof(*net));
    net->mac = *mac;
    net->ip = *ip;
    net->executor = executor;
    net->executor_ctx = executor_ctx;
    net->sink = sink;
    return pthread_mutex_init(&net->mutex, NULL) == 0;
}

void sim_network_deinit(sim_network_t *net)
{
    if (net != NULL) {
        (void)pthread_mutex_destroy(&net->mutex);
    }
}

static bool post(sim_network_t *net, app_event_kind_t kind, const ipv4_address_t *ip)
{
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = kind;
    event.ip = *ip;
    return net->executor->post(net->executor_ctx, &event);
}

bool sim_network_set_up(sim_network_t *net, bool up)
{
    (void)pthread_mutex_lock(&net->mutex);
    net->up = up;
    ipv4_address_t ip = net->ip;
    /* Posted under the mutex so that the events reach the application in the order of the changes. */
    bool posted = post(net, up ? APP_EVENT_NETWORK_UP : APP_EVENT_NETWORK_DOWN, &ip);
    (void)pthread_mutex_unlock(&net->mutex);
    if (net->sink != NULL) {
        sim_event_sink_network(net->sink, up, &ip);
    }
    return posted;
}

bool sim_network_set_ip(sim_network_t *net, const ipv4_address_t *ip)
{
    (void)pthread_mutex_lock(&net->mutex);
    net->ip = *ip;
    bool up = net->up;
    bool posted = up ? post(net, APP_EVENT_IP_CHANGED, ip) : true;
    (void)pthread_mutex_unlock(&net->mutex);
    if (net->sink != NULL) {
        sim_event_sink_network(net->sink, up, ip);
    }
    return posted;
}

app_err_t sim_network_get_mac(void *ctx, mac_address_t *out)
{
    sim_network_t *net = ctx;
    if (net == NULL || out == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    *out = net->mac; /* immutable after init */
    return APP_OK;
}

app_err_t sim_network_get_ip(void *ctx, ipv4_address_t *out)
{
    sim_network_t *net = ctx;
    if (net == NULL || out == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    (void)pthread_mutex_lock(&net->mutex);
    bool up = net->up;
    *out = net->ip;
    (void)pthread_mutex_unlock(&net->mutex);
    return up ? APP_OK : APP_ERR_NOT_CONNECTED;
}
