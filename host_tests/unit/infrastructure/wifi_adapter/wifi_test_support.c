#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "wifi_test_support.h"

#include <stdio.h>
#include <string.h>

#include "esp_event.h"
#include "esp_netif.h"
#include "esp_wifi.h"
#include "fake_esp_event.h"
#include "fake_esp_log.h"
#include "fake_esp_wifi.h"

wifi_fixture_t wf;

int wifi_fixture_setup(void **state)
{
    (void)state;
    fake_esp_log_reset();
    fake_esp_log_set_echo(0);
    fake_esp_event_reset();
    fake_esp_wifi_reset();
    memset(&wf, 0, sizeof(wf));
    fake_executor_init(&wf.executor);
    wf.cfg = (wifi_adapter_config_t){
        .executor = &fake_executor_port,
        .executor_ctx = &wf.executor,
        .ap_channel = 6,
        .ap_max_connections = 2,
        .nvs_available = true,
    };
    assert_int_equal(wifi_adapter_init(&wf.cfg), ESP_OK);
    return 0;
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

void deliver_got_ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    ip_event_got_ip_t info;
    memset(&info, 0, sizeof(info));
    const uint8_t bytes[4] = {a, b, c, d};
    memcpy(&info.ip_info.ip.addr, bytes, sizeof(bytes));
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
