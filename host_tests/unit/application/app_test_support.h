/*
 * app_test_support: a whole application on the in-memory port fakes, and the steps every scenario starts
 * with (boot, connect, register). Events go through the fake executor and run synchronously.
 */
#ifndef APP_TEST_SUPPORT_H
#define APP_TEST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "application/application.h"
#include "application/http_api.h"
#include "fake_ports.h"

#define TEST_IP  "192.168.1.50"
#define TEST_MAC "A4:CF:12:0B:8E:01"

typedef struct {
    fake_ports_t fakes;
    app_settings_t settings;
    application_t app;
} app_fixture_t;

/* Fakes initialised, MAC TEST_MAC, IP TEST_IP (known to the network port, not yet posted), default
 * settings. Free with app_fixture_free. */
app_fixture_t *app_fixture_new(void);
void app_fixture_free(app_fixture_t *f);

/* application_start, then the queued START is run (the link starts the station: fake wifi start_station). */
app_err_t app_fixture_start(app_fixture_t *f);

/* Post one event through the fake executor and run the queue. */
void app_fixture_event(app_fixture_t *f, app_event_kind_t kind);
void app_fixture_event_ip(app_fixture_t *f, app_event_kind_t kind, const char *ip);
void app_fixture_event_msg(app_fixture_t *f, app_event_kind_t kind, int32_t msg_id);
void app_fixture_event_token(app_fixture_t *f, uint32_t token);
void app_fixture_mqtt_error(app_fixture_t *f, app_mqtt_error_kind_t kind, int32_t code);
/* The WiFi link reports the network: the driver started (first time) and the station got ip. */
void app_fixture_network_up(app_fixture_t *f, const char *ip);
/* The station lost its link (WIFI_DISCONNECTED): the link reports the network down. */
void app_fixture_network_down(app_fixture_t *f);
/* The station got another address while up: the link reports an IP change. */
void app_fixture_ip_changed(app_fixture_t *f, const char *ip);
/* Fires the armed connection timer (advancing the clock) and runs the queue; fails the test if none is armed.
 */
void app_fixture_expire_timer(app_fixture_t *f);

/* start + network up (TEST_IP) + HTTP_STARTED: a connect attempt is under way. */
void app_fixture_boot_connecting(app_fixture_t *f);
/* ... + MQTT_CONNECTED: the registration is queued (msg id 1). */
void app_fixture_boot_registering(app_fixture_t *f);
/* ... + PUBACK of msg 1. */
void app_fixture_boot_registered(app_fixture_t *f);

/* An HTTP request through http_api, as the HTTP task makes it; what the handler posted then runs. */
typedef struct {
    http_api_response_t resp;
    char body[HTTP_API_RESPONSE_MAX];
} app_fixture_response_t;
app_fixture_response_t app_fixture_request(app_fixture_t *f, http_api_method_t method, const char *path,
                                           const char *body);

mqtt_connection_state_t app_fixture_state(const app_fixture_t *f);
/* The shared snapshot (asserts the lock was available). */
app_status_snapshot_t app_fixture_status(app_fixture_t *f);

/* The exact registration JSON for the fixture's MAC and the given values. */
void app_fixture_expected_payload(char *out, size_t out_size, const char *name, const char *ip,
                                  const char *location);

#endif
