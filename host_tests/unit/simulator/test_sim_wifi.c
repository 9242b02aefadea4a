/* sim_wifi: the simulated farm network answering the WiFi port the way esp_wifi does. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_wifi.h"

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
    sim_wifi_t wifi;
} fixture_t;

static const mac_address_t MAC = {{0x02, 0, 0, 0, 0, 0x01}};
static const ipv4_address_t IP = {{10, 0, 0, 5}};

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->stream = open_memstream(&f->buf, &f->size);
    assert_true(sim_event_sink_init(&f->sink, f->stream, NULL, NULL));
    const sim_wifi_config_t config = {.ssid = "Finca", .password = "clave-finca", .provisioned = true};
    assert_true(sim_wifi_init(&f->wifi, &config, &MAC, &IP, &fake_port, &f->executor, &f->sink));
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    sim_wifi_deinit(&f->wifi);
    sim_event_sink_deinit(&f->sink);
    fclose(f->stream);
    free(f->buf);
    free(f);
    return 0;
}

static const wifi_station_port_t *port(void)
{
    return &sim_wifi_station_port;
}

/* start_station, then connect: the station associates. */
static void join(fixture_t *f)
{
    assert_int_equal(port()->start_station(&f->wifi), APP_OK);
    assert_int_equal(port()->connect(&f->wifi), APP_OK);
}

static void test_mac_is_the_configured_one(void **state)
{
    fixture_t *f = *state;
    mac_address_t mac;
    assert_int_equal(sim_wifi_network_port.get_mac(&f->wifi, &mac), APP_OK);
    assert_true(mac_address_equal(&mac, &MAC));
}

static void test_no_ip_before_the_station_associates(void **state)
{
    fixture_t *f = *state;
    ipv4_address_t ip;
    assert_int_equal(sim_wifi_network_port.get_ip(&f->wifi, &ip), APP_ERR_NOT_CONNECTED);
    assert_int_equal(f->executor.count, 0); /* nothing posted before the application starts the station */
}

static void test_start_then_connect_in_range_posts_started_and_got_ip(void **state)
{
    fixture_t *f = *state;
    assert_true(port()->has_credentials(&f->wifi));
    join(f);
    assert_int_equal(f->executor.count, 2);
    assert_int_equal(f->executor.events[0].kind, APP_EVENT_WIFI_STARTED);
    assert_int_equal(f->executor.events[1].kind, APP_EVENT_WIFI_GOT_IP);
    assert_true(ipv4_address_equal(&f->executor.events[1].ip, &IP));
    ipv4_address_t ip;
    assert_int_equal(sim_wifi_network_port.get_ip(&f->wifi, &ip), APP_OK);
    assert_true(ipv4_address_equal(&ip, &IP));
}

static void test_connect_before_start_is_refused(void **state)
{
    fixture_t *f = *state;
    assert_int_equal(port()->connect(&f->wifi), APP_ERR_NOT_STARTED);
    assert_int_equal(f->executor.count, 0);
}

static void test_network_down_disconnects_the_station_and_writes_a_line(void **state)
{
    fixture_t *f = *state;
    join(f);
    assert_true(sim_wifi_set_in_range(&f->wifi, false));
    assert_int_equal(f->executor.events[2].kind, APP_EVENT_WIFI_DISCONNECTED);
    assert_int_equal(f->executor.events[2].code, SIM_WIFI_REASON_BEACON_TIMEOUT);
    ipv4_address_t ip;
    assert_int_equal(sim_wifi_network_port.get_ip(&f->wifi, &ip), APP_ERR_NOT_CONNECTED);
    fflush(f->stream);
    assert_string_equal(f->buf, "{\"event\":\"network\",\"t_ms\":0,\"up\":false,\"ip\":\"10.0.0.5\"}\n");
}

static void test_connect_out_of_range_is_no_ap_found_and_back_in_range_joins(void **state)
{
    fixture_t *f = *state;
    assert_true(sim_wifi_set_in_range(&f->wifi, false));
    join(f);
    assert_int_equal(f->executor.events[1].kind, APP_EVENT_WIFI_DISCONNECTED);
    assert_int_equal(f->executor.events[1].code, SIM_WIFI_REASON_NO_AP_FOUND);
    assert_true(sim_wifi_set_in_range(&f->wifi, true));
    assert_int_equal(f->executor.count, 2); /* in range again: the link connects at its next attempt */
    assert_int_equal(port()->connect(&f->wifi), APP_OK);
    assert_int_equal(f->executor.events[2].kind, APP_EVENT_WIFI_GOT_IP);
}

static void test_ip_change_while_associated_posts_got_ip_with_the_new_address(void **state)
{
    fixture_t *f = *state;
    join(f);
    const ipv4_address_t next = {{10, 0, 0, 6}};
    assert_true(sim_wifi_set_ip(&f->wifi, &next));
    assert_int_equal(f->executor.count, 3);
    assert_int_equal(f->executor.events[2].kind, APP_EVENT_WIFI_GOT_IP);
    assert_true(ipv4_address_equal(&f->executor.events[2].ip, &next));
}

static void test_ip_change_while_away_is_kept_for_the_next_association(void **state)
{
    fixture_t *f = *state;
    const ipv4_address_t next = {{10, 0, 0, 7}};
    assert_true(sim_wifi_set_ip(&f->wifi, &next));
    assert_int_equal(f->executor.count, 0);
    join(f);
    assert_int_equal(f->executor.events[1].kind, APP_EVENT_WIFI_GOT_IP);
    assert_true(ipv4_address_equal(&f->executor.events[1].ip, &next));
}

static void test_unprovisioned_trial_credentials_decide_the_outcome(void **state)
{
    fixture_t *f = *state;
    sim_wifi_deinit(&f->wifi);
    const sim_wifi_config_t config = {.ssid = "Finca", .password = "clave-finca", .provisioned = false};
    assert_true(sim_wifi_init(&f->wifi, &config, &MAC, &IP, &fake_port, &f->executor, &f->sink));
    assert_false(port()->has_credentials(&f->wifi));
    assert_int_equal(port()->start_access_point(&f->wifi, "Riego-Setup-0001", "clave-del-ap"), APP_OK);
    assert_int_equal(port()->set_credentials(&f->wifi, "Finca", "otra-clave"), APP_OK);
    assert_int_equal(port()->connect(&f->wifi), APP_OK);
    assert_int_equal(f->executor.events[1].kind, APP_EVENT_WIFI_DISCONNECTED);
    assert_int_equal(f->executor.events[1].code, SIM_WIFI_REASON_HANDSHAKE_TIMEOUT);
    assert_int_equal(port()->set_credentials(&f->wifi, "Otra", "clave-finca"), APP_OK);
    assert_int_equal(port()->connect(&f->wifi), APP_OK);
    assert_int_equal(f->executor.events[2].code, SIM_WIFI_REASON_NO_AP_FOUND);
    assert_int_equal(port()->set_credentials(&f->wifi, "Finca", "clave-finca"), APP_OK);
    assert_int_equal(port()->connect(&f->wifi), APP_OK);
    assert_int_equal(f->executor.events[3].kind, APP_EVENT_WIFI_GOT_IP);
    assert_false(port()->has_credentials(&f->wifi)); /* tried, not yet persisted */
    assert_int_equal(port()->persist_credentials(&f->wifi), APP_OK);
    assert_true(port()->has_credentials(&f->wifi));
    assert_int_equal(port()->start_access_point(&f->wifi, "x", "short"), APP_ERR_INVALID_ARG);
}

static void
test_forget_credentials_keeps_the_association_until_the_disconnect_then_finds_nothing(void **state)
{
    fixture_t *f = *state;
    join(f);
    assert_int_equal(port()->forget_credentials(&f->wifi), APP_OK);
    assert_false(port()->has_credentials(&f->wifi));
    assert_int_equal(f->executor.count, 2); /* nothing posted by the erase itself */
    ipv4_address_t ip;
    assert_int_equal(sim_wifi_network_port.get_ip(&f->wifi, &ip), APP_OK);
    assert_int_equal(port()->disconnect(&f->wifi), APP_OK);
    assert_int_equal(f->executor.events[2].kind, APP_EVENT_WIFI_DISCONNECTED);
    assert_int_equal(port()->connect(&f->wifi), APP_OK); /* no credentials: the farm network is not found */
    assert_int_equal(f->executor.events[3].code, SIM_WIFI_REASON_NO_AP_FOUND);
    /* The access point opens on the running driver (no second WIFI_STARTED); the setup form's credentials
     * work again, as on a fresh node. */
    assert_int_equal(port()->start_access_point(&f->wifi, "Riego-Setup-0001", "clave-del-ap"), APP_OK);
    assert_int_equal(f->executor.count, 4);
    assert_int_equal(port()->set_credentials(&f->wifi, "Finca", "clave-finca"), APP_OK);
    assert_int_equal(port()->connect(&f->wifi), APP_OK);
    assert_int_equal(f->executor.events[4].kind, APP_EVENT_WIFI_GOT_IP);
}

static void test_scan_lists_the_farm_network_first_and_neighbours(void **state)
{
    fixture_t *f = *state;
    wifi_station_network_t nets[4];
    size_t count = 0;
    assert_int_equal(port()->scan(&f->wifi, nets, 4, &count), APP_OK);
    assert_int_equal(count, 3);
    assert_int_equal(nets[0].ssid_len, 5);
    assert_memory_equal(nets[0].ssid, "Finca", 5);
    assert_true(nets[0].secured);
    assert_true(nets[0].rssi > nets[1].rssi);
    assert_int_equal(port()->scan(&f->wifi, nets, 1, &count), APP_OK);
    assert_int_equal(count, 1);
}

static void test_refused_post_is_reported(void **state)
{
    fixture_t *f = *state;
    f->executor.refuse = true;
    assert_int_equal(port()->start_station(&f->wifi), APP_ERR_QUEUE_FULL);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_mac_is_the_configured_one),
        T(test_no_ip_before_the_station_associates),
        T(test_start_then_connect_in_range_posts_started_and_got_ip),
        T(test_connect_before_start_is_refused),
        T(test_network_down_disconnects_the_station_and_writes_a_line),
        T(test_connect_out_of_range_is_no_ap_found_and_back_in_range_joins),
        T(test_ip_change_while_associated_posts_got_ip_with_the_new_address),
        T(test_ip_change_while_away_is_kept_for_the_next_association),
        T(test_unprovisioned_trial_credentials_decide_the_outcome),
        T(test_forget_credentials_keeps_the_association_until_the_disconnect_then_finds_nothing),
        T(test_scan_lists_the_farm_network_first_and_neighbours),
        T(test_refused_post_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
