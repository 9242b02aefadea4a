/*
 * fleet_listener: see fleet_listener.h.
 */
#include "fleet_listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* Connections the kernel queues per device before the acceptor takes them. */
#define FLEET_LISTENER_BACKLOG 64
/* Events taken per epoll_wait. */
#define FLEET_LISTENER_EVENTS 64
/* epoll data of the wake-up eventfd (listening sockets carry their fd as u64, never this value). */
#define FLEET_LISTENER_WAKE_TAG UINT64_MAX

static uint64_t route_key(const uint8_t octets[4], uint16_t port)
{
    uint64_t address = ((uint64_t)octets[0] << 24) | ((uint64_t)octets[1] << 16) |
                       ((uint64_t)octets[2] << 8) | (uint64_t)octets[3];
    return ((address << 16) | port) + 1u;
}

static size_t route_slot(uint64_t key, size_t size)
{
    /* Fibonacci hashing: consecutive addresses and ports spread over the table. */
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 17) & (size - 1);
}

/* Caller holds the mutex. */
static bool find_locked(const fleet_listener_t *listener, uint64_t key, uint32_t *index)
{
    for (size_t i = route_slot(key, listener->routes_size);; i = (i + 1) & (listener->routes_size - 1)) {
        if (listener->routes[i].key == 0) {
            return false;
        }
        if (listener->routes[i].key == key) {
            *index = listener->routes[i].index;
            return true;
        }
    }
}

/* Caller holds the mutex; the table has room (it holds at most half its size). */
static void insert_locked(fleet_listener_t *listener, uint64_t key, uint32_t index)
{
    size_t i = route_slot(key, listener->routes_size);
    while (listener->routes[i].key != 0 && listener->routes[i].key != key) {
        i = (i + 1) & (listener->routes_size - 1);
    }
    listener->routes[i].key = key;
    listener->routes[i].index = index;
}

bool fleet_listener_init(fleet_listener_t *listener, size_t capacity, fleet_listener_accept_fn on_accept,
                         void *accept_arg)
{
    if (listener == NULL || capacity == 0 || capacity > SIZE_MAX / 4 || on_accept == NULL) {
        return false;
    }
    memset(listener, 0, sizeof(*listener));
    listener->epoll_fd = -1;
    listener->wake_fd = -1;
    listener->capacity = capacity;
    listener->on_accept = on_accept;
    listener->accept_arg = accept_arg;
    listener->routes_size = 2;
    while (listener->routes_size < 2 * capacity) {
        listener->routes_size *= 2;
    }
    listener->sockets = calloc(capacity, sizeof(int));
    listener->routes = calloc(listener->routes_size, sizeof(fleet_listener_route_t));
    listener->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    listener->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct epoll_event wake = {.events = EPOLLIN, .data.u64 = FLEET_LISTENER_WAKE_TAG};
    bool ok = listener->sockets != NULL && listener->routes != NULL && listener->epoll_fd >= 0 &&
              listener->wake_fd >= 0 &&
              epoll_ctl(listener->epoll_fd, EPOLL_CTL_ADD, listener->wake_fd, &wake) == 0;
    ok = ok && pthread_mutex_init(&listener->mutex, NULL) == 0;
    if (!ok) {
        if (listener->epoll_fd >= 0) {
            (void)close(listener->epoll_fd);
        }
        if (listener->wake_fd >= 0) {
            (void)close(listener->wake_fd);
        }
        free(listener->sockets);
        free(listener->routes);
        memset(listener, 0, sizeof(*listener));
    }
    return ok;
}

static void accept_all(fleet_listener_t *listener, int listening)
{
    for (;;) {
        struct sockaddr_storage peer;
        socklen_t peer_len = sizeof(peer);
        int fd = accept4(listening, (struct sockaddr *)&peer, &peer_len, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) {
            /* EAGAIN: nothing more queued. Anything else (the client gave up, no fd left) ends this round
             * too; the socket stays readable if connections still wait. */
            return;
        }
        listener->accepted++;
        listener->on_accept(listener->accept_arg, fd, (const struct sockaddr *)&peer, peer_len);
    }
}

static void *acceptor(void *arg)
{
    fleet_listener_t *listener = arg;
    struct epoll_event events[FLEET_LISTENER_EVENTS];
    for (;;) {
        int n = epoll_wait(listener->epoll_fd, events, FLEET_LISTENER_EVENTS, -1);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return NULL;
        }
        for (int i = 0; i < n; i++) {
            if (events[i].data.u64 == FLEET_LISTENER_WAKE_TAG) {
                return NULL;
            }
            accept_all(listener, (int)events[i].data.u64);
        }
    }
}

bool fleet_listener_start(fleet_listener_t *listener)
{
    if (listener == NULL || listener->sockets == NULL || listener->running) {
        return false;
    }
    listener->running = pthread_create(&listener->thread, NULL, acceptor, listener) == 0;
    return listener->running;
}

static fleet_listener_result_t result_of(int error)
{
    switch (error) {
        case EACCES:
        case EPERM:
            return FLEET_LISTENER_NO_PERMISSION;
        case EADDRINUSE:
            return FLEET_LISTENER_IN_USE;
        case EADDRNOTAVAIL:
            return FLEET_LISTENER_NO_ADDRESS;
        default:
            return FLEET_LISTENER_FAILED;
    }
}

fleet_listener_result_t fleet_listener_add(fleet_listener_t *listener, const ipv4_address_t *address,
                                           uint16_t port, uint32_t index, uint16_t *bound_port)
{
    if (listener->count == listener->capacity) {
        return FLEET_LISTENER_FULL;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return FLEET_LISTENER_FAILED;
    }
    int one = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)); /* restart while old ones linger */
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    memcpy(&addr.sin_addr, address->octets, sizeof(address->octets));
    socklen_t len = sizeof(addr);
    if (bind(fd, (const struct sockaddr *)&addr, sizeof(addr)) != 0 ||
        listen(fd, FLEET_LISTENER_BACKLOG) != 0 || getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        int error = errno;
        (void)close(fd);
        errno = error;
        return result_of(error);
    }
    struct epoll_event event = {.events = EPOLLIN, .data.u64 = (uint64_t)fd};
    if (epoll_ctl(listener->epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0) {
        int error = errno;
        (void)close(fd);
        errno = error;
        return FLEET_LISTENER_FAILED;
    }
    *bound_port = ntohs(addr.sin_port);
    (void)pthread_mutex_lock(&listener->mutex);
    listener->sockets[listener->count++] = fd;
    insert_locked(listener, route_key(address->octets, *bound_port), index);
    (void)pthread_mutex_unlock(&listener->mutex);
    return FLEET_LISTENER_OK;
}

bool fleet_listener_lookup(fleet_listener_t *listener, const ipv4_address_t *address, uint16_t port,
                           uint32_t *index)
{
    (void)pthread_mutex_lock(&listener->mutex);
    bool found = find_locked(listener, route_key(address->octets, port), index);
    (void)pthread_mutex_unlock(&listener->mutex);
    return found;
}

bool fleet_listener_route(fleet_listener_t *listener, int fd, uint32_t *index)
{
    struct sockaddr_in local;
    socklen_t len = sizeof(local);
    if (getsockname(fd, (struct sockaddr *)&local, &len) != 0 || local.sin_family != AF_INET) {
        return false;
    }
    ipv4_address_t address;
    memcpy(address.octets, &local.sin_addr, sizeof(address.octets));
    return fleet_listener_lookup(listener, &address, ntohs(local.sin_port), index);
}

void fleet_listener_stop(fleet_listener_t *listener)
{
    if (listener == NULL || listener->sockets == NULL) {
        return;
    }
    if (listener->running) {
        uint64_t one = 1;
        (void)!write(listener->wake_fd, &one, sizeof(one));
        (void)pthread_join(listener->thread, NULL);
        listener->running = false;
    }
    (void)pthread_mutex_lock(&listener->mutex);
    for (size_t i = 0; i < listener->count; i++) {
        (void)close(listener->sockets[i]);
    }
    listener->count = 0;
    (void)pthread_mutex_unlock(&listener->mutex);
}

void fleet_listener_deinit(fleet_listener_t *listener)
{
    if (listener == NULL || listener->sockets == NULL) {
        return;
    }
    fleet_listener_stop(listener);
    (void)close(listener->epoll_fd);
    (void)close(listener->wake_fd);
    (void)pthread_mutex_destroy(&listener->mutex);
    free(listener->sockets);
    free(listener->routes);
    memset(listener, 0, sizeof(*listener));
}

const char *fleet_listener_result_to_str(fleet_listener_result_t result)
{
    switch (result) {
        case FLEET_LISTENER_OK:
            return "ok";
        case FLEET_LISTENER_NO_PERMISSION:
            return "permission denied";
        case FLEET_LISTENER_IN_USE:
            return "address already in use";
        case FLEET_LISTENER_NO_ADDRESS:
            return "address not available on this host";
        case FLEET_LISTENER_FULL:
            return "no room for another listening socket";
        case FLEET_LISTENER_FAILED:
        default:
            return "cannot listen";
    }
}
