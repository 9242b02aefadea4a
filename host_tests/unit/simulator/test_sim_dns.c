/*
 * sim_dns: the simulator's captive-portal DNS responder over a real UDP socket on 127.0.0.1: a query
 * captured from dig gets the simulated access point's address, refused datagrams get no answer, and the
 * bound port, bind errors and stop are reported as the header says.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "application/captive_dns.h"
#include "sim_dns.h"

/* dig 9.18 (Debian 12): `dig +noedns www.msftconnecttest.com A`. */
static const uint8_t DIG_A_QUERY[] = {0x9f, 0xab, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
                                      0x00, 0x03, 0x77, 0x77, 0x77, 0x0f, 0x6d, 0x73, 0x66, 0x74, 0x63,
                                      0x6f, 0x6e, 0x6e, 0x65, 0x63, 0x74, 0x74, 0x65, 0x73, 0x74, 0x03,
                                      0x63, 0x6f, 0x6d, 0x00, 0x00, 0x01, 0x00, 0x01};

static const ipv4_address_t AP_IP = {{192, 168, 4, 1}};

typedef struct {
    sim_dns_t dns;
    int client;
} fixture_t;

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    assert_int_equal(sim_dns_start(&f->dns, "127.0.0.1", 0, &AP_IP), SIM_DNS_OK);
    f->client = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(f->client >= 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    sim_dns_stop(&f->dns);
    (void)close(f->client);
    free(f);
    return 0;
}

static void send_to_responder(fixture_t *f, const uint8_t *bytes, size_t len)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(f->dns.port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(sendto(f->client, bytes, len, 0, (struct sockaddr *)&addr, sizeof(addr)), (ssize_t)len);
}

/* The next datagram for the client within timeout_ms, its length; -1 when none came. */
static ssize_t receive(fixture_t *f, uint8_t *buf, size_t size, int timeout_ms)
{
    struct pollfd pfd = {.fd = f->client, .events = POLLIN};
    if (poll(&pfd, 1, timeout_ms) != 1) {
        return -1;
    }
    return recv(f->client, buf, size, 0);
}

static void test_bound_port_is_reported(void **state)
{
    fixture_t *f = *state;
    assert_int_not_equal(f->dns.port, 0);
    struct sockaddr_in addr;
    socklen_t len = sizeof(addr);
    assert_int_equal(getsockname(f->dns.fd, (struct sockaddr *)&addr, &len), 0);
    assert_int_equal(ntohs(addr.sin_port), f->dns.port);
}

static void test_real_query_gets_the_access_point_address(void **state)
{
    fixture_t *f = *state;
    send_to_responder(f, DIG_A_QUERY, sizeof(DIG_A_QUERY));
    uint8_t answer[600];
    ssize_t n = receive(f, answer, sizeof(answer), 5000);
    assert_int_equal(n, (ssize_t)(sizeof(DIG_A_QUERY) + 16));
    static const uint8_t header[12] = {0x9f, 0xab, 0x85, 0x00, 0, 1, 0, 1, 0, 0, 0, 0};
    assert_memory_equal(answer, header, sizeof(header));
    assert_memory_equal(&answer[12], &DIG_A_QUERY[12], sizeof(DIG_A_QUERY) - 12);
    static const uint8_t record[16] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 168, 4, 1};
    assert_memory_equal(&answer[sizeof(DIG_A_QUERY)], record, sizeof(record));
    assert_int_equal(atomic_load(&f->dns.answered), 1);
}

static void test_refused_datagrams_get_no_answer(void **state)
{
    fixture_t *f = *state;
    uint8_t response[sizeof(DIG_A_QUERY)];
    memcpy(response, DIG_A_QUERY, sizeof(response));
    response[2] |= 0x80; /* a response, not a query */
    send_to_responder(f, response, sizeof(response));
    send_to_responder(f, DIG_A_QUERY, 5); /* shorter than a header */
    uint8_t oversized[CAPTIVE_DNS_MESSAGE_MAX + 1];
    memset(oversized, 0, sizeof(oversized));
    memcpy(oversized, DIG_A_QUERY, sizeof(DIG_A_QUERY)); /* valid start, but over the UDP DNS limit */
    send_to_responder(f, oversized, sizeof(oversized));
    /* Datagrams on loopback arrive in order: the first answer must be the one for the valid query. */
    uint8_t valid[sizeof(DIG_A_QUERY)];
    memcpy(valid, DIG_A_QUERY, sizeof(valid));
    valid[0] = 0x42;
    send_to_responder(f, valid, sizeof(valid));
    uint8_t answer[600];
    assert_int_equal(receive(f, answer, sizeof(answer), 5000), (ssize_t)(sizeof(valid) + 16));
    assert_int_equal(answer[0], 0x42);
    assert_int_equal(receive(f, answer, sizeof(answer), 100), -1);
    assert_int_equal(atomic_load(&f->dns.dropped), 3);
    assert_int_equal(atomic_load(&f->dns.answered), 1);
}

static void test_aaaa_query_gets_an_empty_answer(void **state)
{
    fixture_t *f = *state;
    uint8_t query[sizeof(DIG_A_QUERY)];
    memcpy(query, DIG_A_QUERY, sizeof(query));
    query[sizeof(query) - 3] = 28; /* QTYPE AAAA */
    send_to_responder(f, query, sizeof(query));
    uint8_t answer[600];
    assert_int_equal(receive(f, answer, sizeof(answer), 5000), (ssize_t)sizeof(query));
    assert_int_equal(answer[3], 0); /* NOERROR */
    assert_int_equal(answer[7], 0); /* no answer record */
}

static void test_port_in_use_and_bad_address_are_reported(void **state)
{
    fixture_t *f = *state;
    sim_dns_t other;
    assert_int_equal(sim_dns_start(&other, "127.0.0.1", f->dns.port, &AP_IP), SIM_DNS_START_FAILED);
    assert_int_equal(errno, EADDRINUSE);
    assert_int_equal(sim_dns_start(&other, "localhost", 0, &AP_IP), SIM_DNS_BAD_ADDRESS);
    assert_int_equal(sim_dns_start(&other, "127.0.0.1", 0, NULL), SIM_DNS_BAD_ADDRESS);
    sim_dns_stop(&other); /* never started: nothing to do */
}

static void test_stop_ends_the_responder_and_can_be_repeated(void **state)
{
    fixture_t *f = *state;
    uint16_t port = f->dns.port;
    sim_dns_stop(&f->dns);
    sim_dns_stop(&f->dns);
    assert_false(f->dns.running);
    /* The port is free again: a new responder can take it. */
    sim_dns_t again;
    assert_int_equal(sim_dns_start(&again, "127.0.0.1", port, &AP_IP), SIM_DNS_OK);
    assert_int_equal(again.port, port);
    sim_dns_stop(&again);
}

static void test_the_portal_port_opens_reports_and_closes_the_responder(void **state)
{
    fixture_t *f = *state;
    char *buf = NULL;
    size_t size = 0;
    FILE *stream = open_memstream(&buf, &size);
    assert_non_null(stream);
    sim_event_sink_t sink;
    assert_true(sim_event_sink_init(&sink, stream, NULL, NULL));
    sim_dns_portal_t portal;
    memset(&portal, 0, sizeof(portal));
    strcpy(portal.bind_address, "127.0.0.1");
    portal.answer_ip = AP_IP;
    portal.sink = &sink;
    assert_int_equal(sim_dns_portal_port.open(&portal), APP_OK);
    assert_int_equal(sim_dns_portal_port.open(&portal), APP_OK); /* already open */
    assert_true(portal.dns.running);
    fflush(stream);
    char expected[128];
    snprintf(expected, sizeof(expected),
             "{\"event\":\"captive_dns\",\"t_ms\":0,\"port\":%u,\"answer\":\"192.168.4.1\"}\n",
             (unsigned)portal.dns.port);
    assert_string_equal(buf, expected); /* one line: the second open changed nothing */
    /* it answers like the responder it wraps */
    f->dns.port = portal.dns.port;
    send_to_responder(f, DIG_A_QUERY, sizeof(DIG_A_QUERY));
    uint8_t answer[CAPTIVE_DNS_MESSAGE_MAX];
    assert_true(receive(f, answer, sizeof(answer), 2000) > 0);
    assert_int_equal(sim_dns_portal_port.close(&portal), APP_OK);
    assert_false(portal.dns.running);
    assert_int_equal(sim_dns_portal_port.close(&portal), APP_OK);
    strcpy(portal.bind_address, "not-an-address");
    assert_int_equal(sim_dns_portal_port.open(&portal), APP_ERR_INVALID_ARG);
    sim_event_sink_deinit(&sink);
    fclose(stream);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bound_port_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_query_gets_the_access_point_address, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_datagrams_get_no_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aaaa_query_gets_an_empty_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_port_in_use_and_bad_address_are_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_ends_the_responder_and_can_be_repeated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_portal_port_opens_reports_and_closes_the_responder, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
