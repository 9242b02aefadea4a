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
 * Connection policy: /whoami is the central server's health check, so idle or slow clients must never
 * keep it out (the firmware's esp_http_server purges its least recently used socket for the same reason).
 * microhttpd polls with epoll on one internal thread (every callback of this module runs there), and each
 * open connection owns a slot of a fixed table (its request body and answer buffers live there, so no
 * request ever waits for a free slot). When a connection arrives while SIM_HTTP_MAX_CONNECTIONS are open,
 * the one whose last answer (or accept, when it never got one) is the oldest is shut down: idle sockets
 * and slow-loris clients trickling a header never get an answer, so they go first, whatever they send. A
 * connection silent for SIM_HTTP_IDLE_TIMEOUT_S is closed by microhttpd. No per-address limit: a health
 * checker on the same host as an abusive client must still get in.
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

/* Open connections kept; one more makes the least recently answered one close. */
#define SIM_HTTP_MAX_CONNECTIONS 32
/* microhttpd's own limit and the slot table: room above SIM_HTTP_MAX_CONNECTIONS for connections that were
 * shut down and that microhttpd has not closed yet (it accepts several in one poll round). */
#define SIM_HTTP_CONNECTION_LIMIT 64
/* A connection with no traffic for this long is closed (microhttpd counts whole seconds). */
#define SIM_HTTP_IDLE_TIMEOUT_S 5
#define SIM_HTTP_PATH_MAX       256

struct application;
struct MHD_Daemon;

typedef struct {
    bool used;             /* a connection owns it */
    bool evicted;          /* shut down to make room; microhttpd closes it at its next poll */
    int fd;                /* the connection's socket */
    uint64_t answered_seq; /* when it was last answered (or accepted) */
    size_t body_len;       /* bytes announced by the client so far (may exceed HTTP_API_MAX_BODY) */
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
    pthread_mutex_t mutex; /* guards the slot table and the counters below */
    sim_http_slot_t slots[SIM_HTTP_CONNECTION_LIMIT];
    uint64_t seq; /* orders accepts and answers: the smallest answered_seq is the least recently used */
    unsigned long requests;
    unsigned long evictions;   /* connections shut down to make room for a newer one */
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

/* Connections shut down to make room so far, and connections open now (tests, diagnostics). */
unsigned long sim_http_evictions(sim_http_t *http);
size_t sim_http_open_connections(sim_http_t *http);

/* Stops the daemon (waits for its thread); safe when never started. */
void sim_http_stop(sim_http_t *http);

/* Maps an HTTP method name to the application's method enum. */
http_api_method_t sim_http_method(const char *method);

#endif /* SIM_HTTP_H */
