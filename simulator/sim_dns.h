/*
 * sim_dns: the simulator's captive-portal DNS responder, the POSIX twin of the firmware's
 * captive_dns_adapter: a UDP socket and one thread that answers every query with captive_dns_answer()
 * (every name resolves to the simulated access point's address) and drops what that refuses.
 *
 * The bind address and port are given (port 0 asks the kernel for a free one; the bound port is in
 * dns->port after a successful start), so tests and several simulated devices run without root and
 * without clashing over port 53. Like the firmware's adapter, the socket has a SIM_DNS_POLL_MS receive
 * timeout after which the thread looks at the stop flag, so sim_dns_stop() returns within that time; the
 * thread is joined before the socket is closed. Datagrams over CAPTIVE_DNS_MESSAGE_MAX bytes are dropped,
 * never parsed truncated. The counters are for diagnostics and tests; the thread is the only writer.
 */
#ifndef SIM_DNS_H
#define SIM_DNS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "application/ports/captive_portal_port.h"
#include "domain/ipv4_address.h"
#include "sim_event_sink.h"

#define SIM_DNS_POLL_MS 100

typedef enum {
    SIM_DNS_OK = 0,
    SIM_DNS_BAD_ADDRESS,  /* bind address is not an IPv4 literal, or NULL arguments */
    SIM_DNS_START_FAILED, /* socket, option, bind (port in use, no permission) or thread failed; errno kept */
} sim_dns_result_t;

typedef struct {
    int fd;
    pthread_t thread;
    bool running;
    atomic_bool stop_requested;
    ipv4_address_t answer_ip;
    uint16_t port;        /* the bound port, valid after SIM_DNS_OK */
    atomic_uint answered; /* answers built and sent (with or without an A record) */
    atomic_uint dropped;  /* datagrams refused by captive_dns or over the size limit */
} sim_dns_t;

/* Binds bind_address:port (UDP) and starts answering with answer_ip. */
sim_dns_result_t sim_dns_start(sim_dns_t *dns, const char *bind_address, uint16_t port,
                               const ipv4_address_t *answer_ip);
/* Asks the thread to end, joins it (within SIM_DNS_POLL_MS) and closes the socket; safe when never started
 * and when called twice. */
void sim_dns_stop(sim_dns_t *dns);

/*
 * The captive_portal_port on sim_dns: open() starts the responder on bind_address:port answering answer_ip
 * (the simulator's own HTTP address plays the access point's) and writes a `captive_dns` event line with the
 * bound port when sink is set; close() stops it. Both are idempotent.
 */
typedef struct {
    sim_dns_t dns;
    char bind_address[64];
    uint16_t port;
    ipv4_address_t answer_ip;
    sim_event_sink_t *sink; /* may be NULL */
} sim_dns_portal_t;

extern const captive_portal_port_t sim_dns_portal_port;

#endif /* SIM_DNS_H */
