#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "wifi_test_support.h"

#include <stdio.h>
#include <string.h>

#include "application/application.h"
#include "esp_event.h"
#include "esp_netif.h"
#include "esp_wifi.h"
#include "fake_esp_event.h"
#include "fake_esp_http_server.h"
#include "fake_esp_log.h"
#include "fake_esp_timer.h"
#include "fake_esp_wifi.h"
#include "http_adapter.h"

wifi_fixture_t wf;

/* The HTTP adapter needs an application for its API routes; these tests only call the provisioning routes,
 * so the application is never started nor used. */
static application_t unused_app;
static fake_executor_t http_executor;

static app_err_t record_store(void *ctx, const char *device_name, const char *location, char *reason,
                              size_t reason_size)
{
    wifi_fixture_t *f = ctx;
    f->store_calls++;
    f->store_had_name = device_name != NULL;
    f->store_had_location = location != NULL;
    snprintf(f->stored_name, sizeof(f->stored_name), "%s", device_name != NULL ? device_name : "");
    snprintf(f->stored_location, sizeof(f->stored_location), "%s", location != NULL ? location : "");
    if (f->store_result != APP_OK && reason != NULL && reason_size > 0) {
        snprintf(reason, reason_size, "%s", f->store_reason != NULL ? f->store_reason : "");
    }
    return f->store_result;
}

int wifi_fixture_setup(void **state)
{
    (void)state;
    fake_esp_log_reset();
    fake_esp_log_set_echo(0);
    fake_esp_event_reset();
    fake_esp_wifi_reset();
    fake_esp_timer_reset();
    fake_httpd_reset();
    memset(&wf, 0, sizeof(wf));
    fake_executor_init(&wf.executor);
    fake_power_init(&wf.power);
    fake_timer_init(&wf.random);
    wf.cfg = (wifi_adapter_config_t){
        .executor = &fake_executor_port,
        .executor_ctx = &wf.executor,
        .power = &fake_power_port,
        .power_ctx = &wf.power,
        .random = &fake_timer_port,
        .random_ctx = &wf.random,
        .retry = retry_policy_default_config(),
        .ap_ssid_prefix = TEST_AP_PREFIX,
        .ap_password = TEST_AP_PASSWORD,
        .ap_channel = 6,
        .ap_max_connections = 2,
        .store_device_config = record_store,
        .store_ctx = &wf,
    };
    assert_int_equal(wifi_adapter_init(&wf.cfg), ESP_OK);
    return 0;
}

int wifi_fixture_teardown(void **state)
{
    (void)state;
    http_adapter_stop();
    return 0;
}

void wifi_fixture_reboot(void)
{
    http_adapter_stop();
    fake_httpd_reset();
    fake_esp_event_reset();
    fake_esp_timer_reset();
    fake_esp_wifi_reboot();
    assert_int_equal(wifi_adapter_init(&wf.cfg), ESP_OK);
}

void wifi_fixture_start_http(void)
{
    fake_executor_init(&http_executor);
    const http_adapter_config_t cfg = {
        .app = &unused_app,
        .executor = &fake_executor_port,
        .executor_ctx = &http_executor,
    };
    assert_int_equal(http_adapter_start(&cfg), ESP_OK);
}

void deliver_sta_start(void)
{
    fake_esp_event_dispatch(WIFI_EVENT, WIFI_EVENT_STA_START, NULL);
}

void deliver_disconnected(uint8_t reason)
{
    wifi_event_sta_disconnected_t info;
    memset(&info, 0, sizeof(info));
    info.reason = reason;
    info.rssi = -70;
    fake_esp_event_dispatch(WIFI_EVENT, WIFI_EVENT_STA_DISCONNECTED, &info);
}

void deliver_lost_ip(void)
{
    fake_esp_event_dispatch(IP_EVENT, IP_EVENT_STA_LOST_IP, NULL);
}

void deliver_got_ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d, bool ip_changed)
{
    ip_event_got_ip_t info;
    memset(&info, 0, sizeof(info));
    const uint8_t bytes[4] = {a, b, c, d};
    memcpy(&info.ip_info.ip.addr, bytes, sizeof(bytes));
    info.ip_changed = ip_changed;
    info.esp_netif = fake_esp_netif_sta();
    fake_esp_netif_set_sta_ip(a, b, c, d);
    fake_esp_event_dispatch(IP_EVENT, IP_EVENT_STA_GOT_IP, &info);
}

bool take_event(app_event_t *out)
{
    fake_executor_t *e = &wf.executor;
    if (e->count == 0) {
        return false;
    }
    *out = e->queue[e->head];
    e->head = (e->head + 1) % FAKE_EXECUTOR_QUEUE_MAX;
    e->count--;
    return true;
}

size_t pending_events(void)
{
    return wf.executor.count;
}

esp_timer_handle_t timer_named(const char *name)
{
    for (size_t i = 0; i < fake_esp_timer_count(); i++) {
        esp_timer_handle_t t = fake_esp_timer_handle(i);
        const esp_timer_create_args_t *args = fake_esp_timer_args(t);
        if (args != NULL && args->name != NULL && strcmp(args->name, name) == 0) {
            return t;
        }
    }
    fail_msg("no timer named %s", name);
    return NULL;
}

bool expire(esp_timer_handle_t timer)
{
    if (!fake_esp_timer_armed(timer)) {
        return false;
    }
    fake_esp_timer_advance_us((int64_t)fake_esp_timer_last_timeout_us(timer));
    /* The callback only posted to the event loop: its task runs the work. */
    (void)fake_esp_event_run_posted();
    return true;
}

bool logs_contain(const char *text)
{
    for (size_t i = 0; i < FAKE_ESP_LOG_MAX_LINES; i++) {
        const fake_esp_log_line_t *line = fake_esp_log_line(i);
        if (line == NULL) {
            break;
        }
        if (strstr(line->message, text) != NULL || strstr(line->tag, text) != NULL) {
            return true;
        }
    }
    return false;
}
