/* sim_network: the simulated station's identity, address and link events. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_network.h"

#define MAX_POSTS 8

typedef struct {
    int count;
    app_event_t events[MAX_POSTS];
    bool refuse;
} fake_executor_t;

static bool fake_post(void *ctx, const app_event_t *event)
{
    fake_executor_t *f = ctx;
    if (f->refuse) {
        return false;
    }
    if (f->count < MAX_POSTS) {
        f->events[f->count] = *event;
    }
    f->count++;
    return true;
}

static app_err_t fake_start(void *ctx, app_event_handler_fn handler, void *user_arg)
{
    (void)ctx;
    (void)handler;
    (void)user_arg;
    return APP_OK;
}

static const executor_port_t fake_port = {.start = fake_start, .post = fake_post};

typedef struct {
    fake_executor_t executor;
    FILE *stream;
    char *buf;
    size_t size;
    sim_event_sink_t sink;
    sim_network_t net;
} fixture_t;

static const mac_address_t MAC = {{0x02, 0, 0, 0, 0, 0x01}};
static const ipv4_address_t IP = {{10, 0, 0, 5}};

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->stream = open_memstream(&f->buf, &f->size);
    assert_true(sim_event_sink_init(&f->sink, f->stream, NULL, NULL));
    assert_true(sim_network_init(&f->net, &MAC, &IP, &fake_port, &f->executor, &f->sink));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    sim_network_deinit(&f->net);
    sim_event_sink_deinit(&f->sink);
    fclose(f->stream);
    free(f->buf);
    free(f);
    return 0;
}

static void test_mac_is_the_configured_one(void **state)
{
    fixture_t *f = *state;
    mac_address_t mac;
    assert_int_equal(sim_network_get_mac(&f->net, &mac), APP_OK);
    assert_true(mac_address_equal(&mac, &MAC));
}

static void test_no_ip_while_the_link_is_down(void **state)
{
    fixture_t *f = *state;
    ipv4_address_t ip;
    assert_int_equal(sim_network_get_ip(&f->net, &ip), APP_ERR_NOT_CONNECTED);
}

static void test_link_up_posts_network_up_with_the_ip_and_writes_a_line(void **state)
{
    fixture_t *f = *state;
    assert_true(sim_network_set_up(&f->net, true));
    assert_int_equal(f->executor.count, 1);
    assert_int_equal(f->executor.events[0].kind, APP_EVENT_NETWORK_UP);
    assert_true(ipv4_address_equal(&f->executor.events[0].ip, &IP));
    ipv4_address_t ip;
    assert_int_equal(sim_network_get_ip(&f->net, &ip), APP_OK);
    assert_true(ipv4_address_equal(&ip, &IP));
    fflush(f->stream);
    assert_string_equal(f->buf, "{\"event\":\"network\",\"t_ms\":0,\"up\":true,\"ip\":\"10.0.0.5\"}\n");
}

static void test_link_down_posts_network_down(void **state)
{
    fixture_t *f = *state;
    assert_true(sim_network_set_up(&f->net, true));
    assert_true(sim_network_set_up(&f->net, false));
    assert_int_equal(f->executor.events[1].kind, APP_EVENT_NETWORK_DOWN);
    ipv4_address_t ip;
    assert_int_equal(sim_network_get_ip(&f->net, &ip), APP_ERR_NOT_CONNECTED);
}

static void test_ip_change_while_up_posts_ip_changed(void **state)
{
    fixture_t *f = *state;
    assert_true(sim_network_set_up(&f->net, true));
    const ipv4_address_t next = {{10, 0, 0, 6}};
    assert_true(sim_network_set_ip(&f->net, &next));
    assert_int_equal(f->executor.count, 2);
    assert_int_equal(f->executor.events[1].kind, APP_EVENT_IP_CHANGED);
    assert_true(ipv4_address_equal(&f->executor.events[1].ip, &next));
}

static void test_ip_change_while_down_is_kept_for_the_next_up(void **state)
{
    fixture_t *f = *state;
    const ipv4_address_t next = {{10, 0, 0, 7}};
    assert_true(sim_network_set_ip(&f->net, &next));
    assert_int_equal(f->executor.count, 0);
    assert_true(sim_network_set_up(&f->net, true));
    assert_int_equal(f->executor.events[0].kind, APP_EVENT_NETWORK_UP);
    assert_true(ipv4_address_equal(&f->executor.events[0].ip, &next));
}

static void test_refused_post_is_reported(void **state)
{
    fixture_t *f = *state;
    f->executor.refuse = true;
    assert_false(sim_network_set_up(&f->net, true));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_mac_is_the_configured_one),
        T(test_no_ip_while_the_link_is_down),
        T(test_link_up_posts_network_up_with_the_ip_and_writes_a_line),
        T(test_link_down_posts_network_down),
        T(test_ip_change_while_up_posts_ip_changed),
        T(test_ip_change_while_down_is_kept_for_the_next_up),
        T(test_refused_post_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
