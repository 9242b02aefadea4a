/*
 * fake_network: in-memory network_port. The test sets the MAC and the current IP (or "no IP"); scripted
 * errors for get_mac. Changing the IP here does not post anything: post APP_EVENT_WIFI_GOT_IP
 * through the executor as the real adapter would.
 */
#ifndef FAKE_NETWORK_H
#define FAKE_NETWORK_H

#include <stdbool.h>

#include "application/ports/network_port.h"
#include "fake_script.h"

typedef struct {
    mac_address_t mac;
    bool has_ip;
    ipv4_address_t ip;
    fake_script_t get_mac_results;
    unsigned get_mac_calls;
    unsigned get_ip_calls;
} fake_network_t;

extern const network_port_t fake_network_port;

/* MAC 02:00:00:00:00:01, no IP. */
void fake_network_init(fake_network_t *fake);
void fake_network_set_mac(fake_network_t *fake, const char *mac_text);
/* "a.b.c.d", or NULL for no IP (get_ip answers APP_ERR_NOT_CONNECTED). */
void fake_network_set_ip(fake_network_t *fake, const char *ip_text);

#endif
