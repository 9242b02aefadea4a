/*
 * Fixture shared by the wifi_adapter tests: every fake reset, the adapter initialised with port fakes
 * (executor, power, random), helpers to deliver WiFi/IP events and to take what the adapter posted.
 */
#ifndef WIFI_TEST_SUPPORT_H
#define WIFI_TEST_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp_timer.h"
#include "fake_executor.h"
#include "fake_power.h"
#include "fake_timer.h"
#include "wifi_adapter.h"

#define TEST_AP_PREFIX   "RIEGO"
#define TEST_AP_PASSWORD "riego-setup"

typedef struct {
    fake_executor_t executor;
    fake_power_t power;
    fake_timer_t random;
    wifi_adapter_config_t cfg;
    /* store_device_config calls */
    unsigned store_calls;
    bool store_had_name;
    bool store_had_location;
    char stored_name[128];
    char stored_location[300];
    app_err_t store_result;
    const char *store_reason;
} wifi_fixture_t;

extern wifi_fixture_t wf;

/* cmocka setup: resets every fake, fills wf.cfg (defaults: 30 s x2 up to 3600 s, no jitter) and calls
 * wifi_adapter_init. */
int wifi_fixture_setup(void **state);
/* cmocka teardown: stops the HTTP adapter if it runs. */
int wifi_fixture_teardown(void **state);

/* A reboot: event handlers and timers are gone, esp_wifi keeps only what it persisted, then
 * wifi_adapter_init(&wf.cfg) again. */
void wifi_fixture_reboot(void);

/* Starts the HTTP adapter (needed for provisioning routes). */
void wifi_fixture_start_http(void);

void deliver_sta_start(void);
void deliver_disconnected(uint8_t reason);
void deliver_lost_ip(void);
/* IP_EVENT_STA_GOT_IP with a.b.c.d in lwIP's network byte order; the netif holds the same address. */
void deliver_got_ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d, bool ip_changed);

/* Takes the oldest posted event; false when none. */
bool take_event(app_event_t *out);
size_t pending_events(void);

esp_timer_handle_t timer_named(const char *name);
/* Fires the timer if armed (as its expiry would) and runs what its callback posted to the event loop; false
 * if it was not armed. */
bool expire(esp_timer_handle_t timer);

/* True when any log line recorded since the last reset contains text. */
bool logs_contain(const char *text);

#endif
