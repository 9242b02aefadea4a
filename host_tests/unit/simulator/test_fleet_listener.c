/*
 * fleet_listener: every device's listening socket, one acceptor, and the routing of an accepted connection
 * to the device whose address and port the client connected to. Real sockets on loopback addresses
 * (all of 127.0.0.0/8 is local on Linux).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fleet_listener.h"

#define MAX_ACCEPTED 16

typedef struct {
    fleet_listener_t listener;
    pthread_mutex_t mutex;
    pthread_cond_t changed;
    int accepted[MAX_ACCEPTED];
    int count;
} fixture_t;

static void on_accept(void *arg, int fd, const struct sockaddr *addr, socklen_t addr_len)
{
    fixture_t *f = arg;
    assert_true(addr_len >= (socklen_t)sizeof(struct sockaddr_in));
    assert_int_equal(addr->sa_family, AF_INET);
    pthread_mutex_lock(&f->mutex);
    if (f->count < MAX_ACCEPTED) {
        f->accepted[f->count++] = fd;
    } else {
        close(fd);
    }
    pthread_cond_broadcast(&f->changed);
    pthread_mutex_unlock(&f->mutex);
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    pthread_mutex_init(&f->mutex, NULL);
    pthread_cond_init(&f->changed, NULL);
    assert_true(fleet_listener_init(&f->listener, 4, on_accept, f));
    assert_true(fleet_listener_start(&f->listener));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    fleet_listener_deinit(&f->listener);
    for (int i = 0; i < f->count; i++) {
        close(f->accepted[i]);
    }
    pthread_cond_destroy(&f->changed);
    pthread_mutex_destroy(&f->mutex);
    free(f);
    return 0;
}

static ipv4_address_t address(const char *text)
{
    ipv4_address_t ip;
    assert_int_equal(ipv4_address_parse(text, &ip), DOMAIN_OK);
    return ip;
}

/* Connects to text:port; returns the client socket (-1 when refused). */
static int connect_to(const char *text, uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    assert_int_equal(inet_pton(AF_INET, text, &addr.sin_addr), 1);
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        int error = errno;
        close(fd);
        errno = error;
        return -1;
    }
    return fd;
}

/* The server side of the next accepted connection (waits at most 5 s). */
static int next_accepted(fixture_t *f, int already)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 5;
    pthread_mutex_lock(&f->mutex);
    while (f->count <= already && pthread_cond_timedwait(&f->changed, &f->mutex, &deadline) == 0) {
    }
    int fd = f->count > already ? f->accepted[already] : -1;
    pthread_mutex_unlock(&f->mutex);
    assert_true(fd >= 0);
    return fd;
}

static void test_connections_are_routed_by_the_address_connected_to(void **state)
{
    fixture_t *f = *state;
    ipv4_address_t a = address("127.0.0.2");
    ipv4_address_t b = address("127.0.0.3");
    uint16_t port = 0;
    uint16_t same = 0;
    assert_int_equal(fleet_listener_add(&f->listener, &a, 0, 10, &port), FLEET_LISTENER_OK);
    assert_true(port > 0);
    /* The same port on another loopback address is another device. */
    assert_int_equal(fleet_listener_add(&f->listener, &b, port, 11, &same), FLEET_LISTENER_OK);
    assert_int_equal(same, port);

    int client_b = connect_to("127.0.0.3", port);
    int client_a = connect_to("127.0.0.2", port);
    assert_true(client_a >= 0 && client_b >= 0);
    uint32_t first = 0;
    uint32_t second = 0;
    assert_true(fleet_listener_route(&f->listener, next_accepted(f, 0), &first));
    assert_true(fleet_listener_route(&f->listener, next_accepted(f, 1), &second));
    /* Accepted in whatever order the acceptor got them: one connection each. */
    assert_true((first == 11 && second == 10) || (first == 10 && second == 11));
    close(client_a);
    close(client_b);
}

static void test_lookup_by_address_and_port(void **state)
{
    fixture_t *f = *state;
    ipv4_address_t a = address("127.0.0.4");
    uint16_t port = 0;
    assert_int_equal(fleet_listener_add(&f->listener, &a, 0, 3, &port), FLEET_LISTENER_OK);
    uint32_t index = 0;
    assert_true(fleet_listener_lookup(&f->listener, &a, port, &index));
    assert_int_equal(index, 3);
    assert_false(fleet_listener_lookup(&f->listener, &a, (uint16_t)(port + 1), &index));
    ipv4_address_t other = address("127.0.0.5");
    assert_false(fleet_listener_lookup(&f->listener, &other, port, &index));
}

static void test_a_socket_that_is_not_a_device_address_is_not_routed(void **state)
{
    fixture_t *f = *state;
    int server = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(server, (struct sockaddr *)&addr, sizeof(addr)), 0);
    uint32_t index = 0;
    assert_false(fleet_listener_route(&f->listener, server, &index));
    assert_false(fleet_listener_route(&f->listener, -1, &index));
    close(server);
}

static void test_bind_failures_are_told_apart(void **state)
{
    fixture_t *f = *state;
    ipv4_address_t a = address("127.0.0.6");
    uint16_t port = 0;
    uint16_t ignored = 0;
    assert_int_equal(fleet_listener_add(&f->listener, &a, 0, 0, &port), FLEET_LISTENER_OK);
    assert_int_equal(fleet_listener_add(&f->listener, &a, port, 1, &ignored), FLEET_LISTENER_IN_USE);
    ipv4_address_t remote = address("192.0.2.1"); /* TEST-NET-1: never an address of this host */
    assert_int_equal(fleet_listener_add(&f->listener, &remote, 0, 1, &ignored), FLEET_LISTENER_NO_ADDRESS);
    if (geteuid() != 0) {
        /* Below net.ipv4.ip_unprivileged_port_start, unless that was lowered. */
        fleet_listener_result_t rc = fleet_listener_add(&f->listener, &a, 1, 1, &ignored);
        assert_true(rc == FLEET_LISTENER_NO_PERMISSION || rc == FLEET_LISTENER_OK);
    }
    assert_string_equal(fleet_listener_result_to_str(FLEET_LISTENER_NO_PERMISSION), "permission denied");
}

static void test_room_is_what_init_was_given(void **state)
{
    fixture_t *f = *state;
    uint16_t port = 0;
    for (int i = 0; i < 4; i++) {
        ipv4_address_t a = address("127.0.0.7");
        assert_int_equal(fleet_listener_add(&f->listener, &a, 0, (uint32_t)i, &port), FLEET_LISTENER_OK);
    }
    ipv4_address_t a = address("127.0.0.7");
    assert_int_equal(fleet_listener_add(&f->listener, &a, 0, 4, &port), FLEET_LISTENER_FULL);
}

static void test_stop_closes_the_listening_sockets(void **state)
{
    fixture_t *f = *state;
    ipv4_address_t a = address("127.0.0.8");
    uint16_t port = 0;
    assert_int_equal(fleet_listener_add(&f->listener, &a, 0, 0, &port), FLEET_LISTENER_OK);
    fleet_listener_stop(&f->listener);
    assert_int_equal(connect_to("127.0.0.8", port), -1);
    assert_int_equal(errno, ECONNREFUSED);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_connections_are_routed_by_the_address_connected_to),
        T(test_lookup_by_address_and_port),
        T(test_a_socket_that_is_not_a_device_address_is_not_routed),
        T(test_bind_failures_are_told_apart),
        T(test_room_is_what_init_was_given),
        T(test_stop_closes_the_listening_sockets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
