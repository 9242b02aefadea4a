/*
 * sim_http: the HTTP server adapter on Linux with GNU libmicrohttpd.
 *
 * Every request goes to the application's http_api_handle(), so the simulator serves the same routes and
 * bytes as the firmware. microhttpd runs its own polling thread; the handler runs there and takes the
 * shared lock only inside http_api_handle(). POST bodies are accumulated up to HTTP_API_MAX_BODY bytes in
 * a per-connection slot from a fixed pool (no heap of ours); longer bodies are counted, not stored, and
 * their length is passed on so the application answers 413. After the daemon is listening,
 * sim_http_start() posts APP_EVENT_HTTP_STARTED and writes the `http_started` event line with the real
 * port (port 0 asks the kernel for a free one).
 *
 * Routed mode (the fleet engine: many applications in one process, one daemon for all of them): the daemon
 * has no listening socket of its own; whoever accepts connections hands them over with
 * sim_http_add_connection(), and for each request the router names the application that serves the
 * connection's socket (the fleet picks the device whose address the client connected to). A request no
 * application serves is answered 404 {"error":"no device at this address"}. The daemon polls with epoll,
 * so socket numbers above FD_SETSIZE are fine.
 */
#ifndef SIM_HTTP_H
#define SIM_HTTP_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "application/http_api.h"
#include "application/ports/executor_port.h"
#include "sim_event_sink.h"

#define SIM_HTTP_MAX_CONNECTIONS 16
#define SIM_HTTP_PATH_MAX        256

struct application;
struct MHD_Daemon;

typedef struct {
    bool used;
    size_t body_len; /* bytes announced by the client so far (may exceed HTTP_API_MAX_BODY) */
    char body[HTTP_API_MAX_BODY + 1];
    char path[SIM_HTTP_PATH_MAX]; /* the path with its query string, rebuilt */
    char response[HTTP_API_RESPONSE_MAX];
} sim_http_slot_t;

/* Routed mode: the application that serves the connection whose socket is fd, or NULL for none. Called on
 * the daemon's thread; must not block. */
typedef struct application *(*sim_http_router_fn)(void *arg, int fd);

typedef struct {
    struct MHD_Daemon *daemon;
    struct application *app;
    uint16_t port; /* the bound port once listening */
    int listen_fd; /* the listening socket (microhttpd closes it at stop) */
    bool listening;
    pthread_mutex_t mutex; /* guards slot allocation */
    sim_http_slot_t slots[SIM_HTTP_MAX_CONNECTIONS];
    unsigned long requests;
    sim_http_router_fn router; /* routed mode only */
    void *router_arg;
} sim_http_t;

typedef enum {
    SIM_HTTP_OK = 0,
    SIM_HTTP_BAD_ADDRESS,  /* bind address is not an IPv4 or IPv6 literal */
    SIM_HTTP_START_FAILED, /* microhttpd could not listen (port in use, no permission) */
} sim_http_result_t;

/*
 * Binds and listens on bind_address:port (port 0: a free one) without serving yet, so the caller learns the
 * port first (http->port): the simulator's captive-portal address is http://<bind>:<port>/, which the
 * application needs before it starts. Optional: sim_http_start() listens itself when this was not called.
 */
sim_http_result_t sim_http_listen(sim_http_t *http, const char *bind_address, uint16_t port);

/*
 * Serves the socket of sim_http_listen() (or listens on bind_address:port first) and then reports it
 * (HTTP_STARTED to the application, the event line to sink). sink may be NULL.
 */
sim_http_result_t sim_http_start(sim_http_t *http, struct application *app, const char *bind_address,
                                 uint16_t port, const executor_port_t *executor, void *executor_ctx,
                                 sim_event_sink_t *sink);
/* Routed mode (see above): starts the daemon without a listening socket. Nothing is reported: the caller
 * reports each application's HTTP start when its address accepts connections. */
sim_http_result_t sim_http_start_routed(sim_http_t *http, sim_http_router_fn router, void *router_arg);
/* Routed mode: serves an accepted connection (fd is the daemon's from now on: closed on failure too).
 * False when the daemon refused it (connection limit, memory). Any thread. */
bool sim_http_add_connection(sim_http_t *http, int fd, const struct sockaddr *addr, socklen_t addr_len);

/* Stops the daemon (waits for its thread); safe when never started. */
void sim_http_stop(sim_http_t *http);

/* Maps an HTTP method name to the application's method enum. */
http_api_method_t sim_http_method(const char *method);

#endif /* SIM_HTTP_H */
