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
/* The fixture device's setup secret (settings.security.setup_secret). */
#define TEST_SECRET "7K3M9QXD2F4H8RTV"

typedef struct {
    fake_ports_t fakes;
    app_settings_t settings;
    application_t app;
} app_fixture_t;

/* Fakes initialised, MAC TEST_MAC, IP TEST_IP (known to the network port, not yet posted), default
 * settings with the setup secret TEST_SECRET. Free with app_fixture_free. */
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
/* The client reports the session up (is_connected() answers true from now on) / down. */
void app_fixture_mqtt_connected(app_fixture_t *f);
void app_fixture_mqtt_disconnected(app_fixture_t *f);
/* Fires the armed connection timer (advancing the clock) and runs the queue; fails the test if none is armed.
 */
void app_fixture_expire_timer(app_fixture_t *f);

/* start + network up (TEST_IP) + HTTP_STARTED: a connect attempt is under way. */
void app_fixture_boot_connecting(app_fixture_t *f);
/* ... + MQTT_CONNECTED (app_fixture_mqtt_connected): the registration is queued (msg id 1). */
void app_fixture_boot_registering(app_fixture_t *f);
/* ... + PUBACK of msg 1: registered; the presence message goes out as msg 2. */
void app_fixture_boot_registered(app_fixture_t *f);

/* Registrations sent (publishes on the registration topic) and the last one (NULL when none). */
size_t app_fixture_registrations_sent(const app_fixture_t *f);
const fake_mqtt_publish_t *app_fixture_last_registration(const app_fixture_t *f);
/* The fixture device's presence topic (TEST_MAC in the default template) and what was published on it. */
#define TEST_STATUS_TOPIC "/liwaisi/iot/smart-irrigation/device/A4CF120B8E01/status"
size_t app_fixture_presence_sent(const app_fixture_t *f);
const fake_mqtt_publish_t *app_fixture_last_presence(const app_fixture_t *f);
/* An HTTP request through http_api, as the HTTP task makes it (POSTs with the setup secret as a bearer
 * token); what the handler posted then runs. */
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
