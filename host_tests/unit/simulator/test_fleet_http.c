/*
 * The fleet's HTTP: one microhttpd daemon in routed mode (sim_http) fed by the fleet listener, serving two
 * applications (their ports are the in-memory fakes) at two loopback addresses on the same port. Each
 * address answers with its own device's http_api; a connection to an address no device has gets 404.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "application/application.h"
#include "fake_ports.h"
#include "fleet_listener.h"
#include "sim_http.h"

#define DEVICES 2

typedef struct {
    fake_ports_t fakes[DEVICES];
    application_t apps[DEVICES];
    fleet_listener_t listener;
    sim_http_t http;
    uint16_t port;
    char response[8192];
} fixture_t;

static const char *const MACS[DEVICES] = {"02:00:00:00:00:0A", "02:00:00:00:00:0B"};
static const char *const ADDRESSES[DEVICES] = {"127.0.0.12", "127.0.0.13"};

static struct application *route(void *arg, int fd)
{
    fixture_t *f = arg;
    uint32_t index = 0;
    return fleet_listener_route(&f->listener, fd, &index) && index < DEVICES ? &f->apps[index] : NULL;
}

static void on_accept(void *arg, int fd, const struct sockaddr *addr, socklen_t addr_len)
{
    fixture_t *f = arg;
    assert_true(sim_http_add_connection(&f->http, fd, addr, addr_len));
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    app_settings_t settings;
    app_settings_defaults(&settings);
    assert_int_equal(sim_http_start_routed(&f->http, route, f), SIM_HTTP_OK);
    assert_true(fleet_listener_init(&f->listener, DEVICES, on_accept, f));
    assert_true(fleet_listener_start(&f->listener));
    for (int i = 0; i < DEVICES; i++) {
        fake_ports_init(&f->fakes[i]);
        fake_network_set_mac(&f->fakes[i].network, MACS[i]);
        assert_int_equal(application_start(&f->apps[i], &f->fakes[i].ports, &settings), APP_OK);
        fake_executor_run_all(&f->fakes[i].executor);
        ipv4_address_t address;
        assert_int_equal(ipv4_address_parse(ADDRESSES[i], &address), DOMAIN_OK);
        uint16_t bound = 0;
        assert_int_equal(fleet_listener_add(&f->listener, &address, f->port, (uint32_t)i, &bound),
                         FLEET_LISTENER_OK);
        f->port = bound; /* the first device's free port, then the same port for the second one */
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    fleet_listener_deinit(&f->listener);
    sim_http_stop(&f->http);
    free(f);
    return 0;
}

/* GET path from a socket connected to address:port; the status, the whole answer in f->response. */
static int get_from(fixture_t *f, int fd, const char *path)
{
    char request[256];
    int len =
        snprintf(request, sizeof(request), "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path);
    assert_int_equal(write(fd, request, (size_t)len), len);
    size_t total = 0;
    ssize_t n;
    while ((n = read(fd, f->response + total, sizeof(f->response) - 1 - total)) > 0) {
        total += (size_t)n;
    }
    close(fd);
    f->response[total] = '\0';
    int status = 0;
    assert_int_equal(sscanf(f->response, "HTTP/1.1 %d", &status), 1);
    return status;
}

static int connect_to(const char *address, uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
    assert_int_equal(inet_pton(AF_INET, address, &addr.sin_addr), 1);
    assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    return fd;
}

static const char *body_of(const fixture_t *f)
{
    const char *body = strstr(f->response, "\r\n\r\n");
    return body != NULL ? body + 4 : "";
}

static void test_each_address_answers_with_its_own_device(void **state)
{
    fixture_t *f = *state;
    for (int round = 0; round < 2; round++) {
        for (int i = DEVICES - 1; i >= 0; i--) {
            assert_int_equal(get_from(f, connect_to(ADDRESSES[i], f->port), "/whoami"), 200);
            char expected[64];
            snprintf(expected, sizeof(expected), "{\"mac_address\":\"%s\",", MACS[i]);
            assert_memory_equal(body_of(f), expected, strlen(expected));
        }
    }
    assert_int_equal(f->listener.accepted, 2 * DEVICES);
}

static void test_every_route_of_the_device_is_served(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(get_from(f, connect_to(ADDRESSES[1], f->port), "/ping"), 200);
    assert_string_equal(body_of(f), "pong");
    assert_int_equal(get_from(f, connect_to(ADDRESSES[1], f->port), "/nope"), 404);
}

static void test_a_connection_to_no_devices_address_gets_404(void **state)
{
    fixture_t *f = *state;
    /* A connection accepted elsewhere (here by hand) and handed to the daemon: its address is no device's. */
    int server = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    assert_int_equal(bind(server, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(listen(server, 1), 0);
    assert_int_equal(getsockname(server, (struct sockaddr *)&addr, &len), 0);
    int client = connect_to("127.0.0.1", ntohs(addr.sin_port));
    struct sockaddr_in peer;
    socklen_t peer_len = sizeof(peer);
    int accepted = accept(server, (struct sockaddr *)&peer, &peer_len);
    assert_true(accepted >= 0);
    assert_true(sim_http_add_connection(&f->http, accepted, (struct sockaddr *)&peer, peer_len));
    assert_int_equal(get_from(f, client, "/whoami"), 404);
    assert_string_equal(body_of(f), "{\"error\":\"no device at this address\"}");
    close(server);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_each_address_answers_with_its_own_device),
        T(test_every_route_of_the_device_is_served),
        T(test_a_connection_to_no_devices_address_gets_404),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
