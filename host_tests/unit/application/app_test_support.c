#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "app_test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

app_fixture_t *app_fixture_new(void)
{
    app_fixture_t *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    fake_ports_init(&f->fakes);
    fake_network_set_mac(&f->fakes.network, TEST_MAC);
    fake_network_set_ip(&f->fakes.network, TEST_IP);
    app_settings_defaults(&f->settings);
    strcpy(f->settings.security.setup_secret, TEST_SECRET);
    return f;
}

void app_fixture_free(app_fixture_t *f)
{
    free(f);
}

app_err_t app_fixture_start(app_fixture_t *f)
{
    const app_err_t rc = application_start(&f->app, &f->fakes.ports, &f->settings);
    fake_executor_run_all(&f->fakes.executor); /* START: the WiFi link starts the station */
    return rc;
}

static void post_and_run(app_fixture_t *f, const app_event_t *event)
{
    assert_true(fake_executor_post(&f->fakes.executor, event));
    fake_executor_run_all(&f->fakes.executor);
}

void app_fixture_event(app_fixture_t *f, app_event_kind_t kind)
{
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = kind;
    post_and_run(f, &event);
}

void app_fixture_event_ip(app_fixture_t *f, app_event_kind_t kind, const char *ip)
{
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = kind;
    assert_int_equal(ipv4_address_parse(ip, &event.ip), DOMAIN_OK);
    post_and_run(f, &event);
}

void app_fixture_event_msg(app_fixture_t *f, app_event_kind_t kind, int32_t msg_id)
{
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = kind;
    event.msg_id = msg_id;
    post_and_run(f, &event);
}

void app_fixture_event_token(app_fixture_t *f, uint32_t token)
{
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = APP_EVENT_TIMER_FIRED;
    event.timer = APP_TIMER_CONNECTION;
    event.token = token;
    post_and_run(f, &event);
}

void app_fixture_mqtt_error(app_fixture_t *f, app_mqtt_error_kind_t kind, int32_t code)
{
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = APP_EVENT_MQTT_ERROR;
    event.error_kind = kind;
    event.code = code;
    post_and_run(f, &event);
}

void app_fixture_mqtt_connected(app_fixture_t *f)
{
    f->fakes.mqtt.connected = true;
    app_fixture_event(f, APP_EVENT_MQTT_CONNECTED);
}

void app_fixture_mqtt_disconnected(app_fixture_t *f)
{
    f->fakes.mqtt.connected = false;
    app_fixture_event(f, APP_EVENT_MQTT_DISCONNECTED);
}

void app_fixture_expire_timer(app_fixture_t *f)
{
    assert_true(fake_timer_expire(&f->fakes.timer, APP_TIMER_CONNECTION));
    fake_executor_run_all(&f->fakes.executor);
}

void app_fixture_network_up(app_fixture_t *f, const char *ip)
{
    if (f->app.link.link.state == WIFI_LINK_STARTING || f->app.link.link.state == WIFI_LINK_IDLE) {
        app_fixture_event(f, APP_EVENT_WIFI_STARTED);
    }
    app_fixture_event_ip(f, APP_EVENT_WIFI_GOT_IP, ip);
}

void app_fixture_network_down(app_fixture_t *f)
{
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = APP_EVENT_WIFI_DISCONNECTED;
    event.code = 8; /* WIFI_REASON_ASSOC_LEAVE */
    post_and_run(f, &event);
}

void app_fixture_ip_changed(app_fixture_t *f, const char *ip)
{
    app_fixture_event_ip(f, APP_EVENT_WIFI_GOT_IP, ip);
}

void app_fixture_boot_connecting(app_fixture_t *f)
{
    assert_int_equal(app_fixture_start(f), APP_OK);
    app_fixture_network_up(f, TEST_IP);
    app_fixture_event(f, APP_EVENT_HTTP_STARTED);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_CONNECTING);
}

void app_fixture_boot_registering(app_fixture_t *f)
{
    app_fixture_boot_connecting(f);
    app_fixture_mqtt_connected(f);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERING);
}

void app_fixture_boot_registered(app_fixture_t *f)
{
    app_fixture_boot_registering(f);
    app_fixture_event_msg(f, APP_EVENT_MQTT_PUBLISHED, 1);
    assert_int_equal(app_fixture_state(f), MQTT_CONNECTION_REGISTERED);
}

size_t app_fixture_registrations_sent(const app_fixture_t *f)
{
    return fake_mqtt_client_count_on(&f->fakes.mqtt, f->settings.mqtt.topic);
}

const fake_mqtt_publish_t *app_fixture_last_registration(const app_fixture_t *f)
{
    return fake_mqtt_client_last_on(&f->fakes.mqtt, f->settings.mqtt.topic);
}

size_t app_fixture_presence_sent(const app_fixture_t *f)
{
    return fake_mqtt_client_count_on(&f->fakes.mqtt, TEST_STATUS_TOPIC);
}

const fake_mqtt_publish_t *app_fixture_last_presence(const app_fixture_t *f)
{
    return fake_mqtt_client_last_on(&f->fakes.mqtt, TEST_STATUS_TOPIC);
}

app_fixture_response_t app_fixture_request(app_fixture_t *f, http_api_method_t method, const char *path,
                                           const char *body)
{
    app_fixture_response_t r;
    memset(&r, 0, sizeof(r));
    const http_api_request_t req = {
        .method = method,
        .path = path,
        .body = body,
        .body_len = body == NULL ? 0 : strlen(body),
        .authorization = method == HTTP_API_POST ? "Bearer " TEST_SECRET : NULL,
        .host = "192.168.4.1",
    };
    http_api_handle(&f->app, &req, r.body, sizeof(r.body), &r.resp);
    fake_executor_run_all(&f->fakes.executor);
    return r;
}

mqtt_connection_state_t app_fixture_state(const app_fixture_t *f)
{
    return f->app.mqtt.connection.state;
}

app_status_snapshot_t app_fixture_status(app_fixture_t *f)
{
    app_status_snapshot_t s;
    assert_int_equal(application_get_status(&f->app, &s), APP_OK);
    return s;
}

void app_fixture_expected_payload(char *out, size_t out_size, const char *name, const char *ip,
                                  const char *location)
{
    snprintf(
        out, out_size,
        "{\"event_type\":\"register\",\"mac_address\":\"%s\",\"device_name\":\"%s\",\"ip_address\":\"%s\","
        "\"location_description\":\"%s\"}",
        TEST_MAC, name, ip, location);
}
