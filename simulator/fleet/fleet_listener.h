/*
 * fleet_listener: the listening sockets of every device of a fleet process, ONE thread that accepts on all
 * of them, and the routing table that tells which device an accepted connection belongs to.
 *
 * Each device listens on its own IPv4 address and port (with --distinct-ips its own loopback address and
 * the same port for all, e.g. 127.0.0.2:80, 127.0.0.3:80, ...; otherwise 127.0.0.1 and a port of its own).
 * The acceptor waits with epoll on every listening socket and hands each accepted connection to the
 * accept callback (the fleet gives it to the one HTTP daemon, sim_http routed mode). A request is routed
 * by the address the client connected to: getsockname() of the connection's socket, looked up in a hash
 * table of (address, port) -> device index, the same whether a socket was bound to one device's address
 * or to a wildcard.
 *
 * add() binds and listens at once (a client may connect before the acceptor gets to it: the kernel queues
 * it), so devices become reachable one by one while the fleet starts. add() is called from one thread (the
 * fleet's main); lookups come from the HTTP daemon's thread meanwhile: the table is under a mutex.
 */
#ifndef FLEET_LISTENER_H
#define FLEET_LISTENER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "domain/ipv4_address.h"

typedef enum {
    FLEET_LISTENER_OK = 0,
    FLEET_LISTENER_NO_PERMISSION, /* EACCES: a port below net.ipv4.ip_unprivileged_port_start */
    FLEET_LISTENER_IN_USE,        /* EADDRINUSE */
    FLEET_LISTENER_NO_ADDRESS,    /* EADDRNOTAVAIL: the address is not local */
    FLEET_LISTENER_FULL,          /* more sockets than fleet_listener_init() was given */
    FLEET_LISTENER_FAILED,        /* anything else (errno tells): out of file descriptors, ... */
} fleet_listener_result_t;

/* Gets every accepted connection (fd is the callee's from now on). Called on the acceptor thread. */
typedef void (*fleet_listener_accept_fn)(void *arg, int fd, const struct sockaddr *addr, socklen_t addr_len);

typedef struct {
    uint64_t key; /* 0: empty; else ((address << 16) | port) + 1 */
    uint32_t index;
} fleet_listener_route_t;

typedef struct {
    pthread_mutex_t mutex; /* guards routes and count */
    int *sockets;
    size_t count;
    size_t capacity;
    fleet_listener_route_t *routes; /* open addressing, routes_size a power of two >= 2 * capacity */
    size_t routes_size;
    int epoll_fd;
    int wake_fd; /* eventfd: ends the acceptor */
    fleet_listener_accept_fn on_accept;
    void *accept_arg;
    pthread_t thread;
    bool running;
    unsigned long accepted;
} fleet_listener_t;

/* Room for `capacity` listening sockets. False when memory, epoll or the eventfd are not available. */
bool fleet_listener_init(fleet_listener_t *listener, size_t capacity, fleet_listener_accept_fn on_accept,
                         void *accept_arg);
/* Starts the acceptor thread. */
bool fleet_listener_start(fleet_listener_t *listener);

/* Listens on address:port for device `index` (port 0: a free port); *bound_port gets the port. */
fleet_listener_result_t fleet_listener_add(fleet_listener_t *listener, const ipv4_address_t *address,
                                           uint16_t port, uint32_t index, uint16_t *bound_port);

/* The device whose address:port the connection on fd was made to. False when none (or not IPv4). */
bool fleet_listener_route(fleet_listener_t *listener, int fd, uint32_t *index);
/* The device listening on address:port. */
bool fleet_listener_lookup(fleet_listener_t *listener, const ipv4_address_t *address, uint16_t port,
                           uint32_t *index);

/* Ends the acceptor and closes every listening socket (connections already handed over live on). */
void fleet_listener_stop(fleet_listener_t *listener);
/* fleet_listener_stop(), then frees everything. */
void fleet_listener_deinit(fleet_listener_t *listener);

/* A readable name of a result, for the one-line error messages. */
const char *fleet_listener_result_to_str(fleet_listener_result_t result);

#endif /* FLEET_LISTENER_H */
