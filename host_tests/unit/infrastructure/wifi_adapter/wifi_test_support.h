/*
 * Fixture of the wifi_adapter tests: every fake reset, the adapter initialised with a fake executor,
 * helpers to deliver WiFi/IP events and to take what the adapter posted.
 */
#ifndef WIFI_TEST_SUPPORT_H
#define WIFI_TEST_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fake_executor.h"
#include "wifi_adapter.h"

typedef struct {
    fake_executor_t executor;
    wifi_adapter_config_t cfg;
} wifi_fixture_t;

extern wifi_fixture_t wf;

/* cmocka setup: resets every fake, fills wf.cfg (channel 6, 2 clients) and calls wifi_adapter_init. */
int wifi_fixture_setup(void **state);

void deliver_sta_start(void);
void deliver_disconnected(uint8_t reason);
void deliver_lost_ip(void);
/* IP_EVENT_STA_GOT_IP with a.b.c.d in lwIP's network byte order; the netif holds the same address. */
void deliver_got_ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d);

/* Takes the oldest posted event; false when none. */
bool take_event(app_event_t *out);
size_t pending_events(void);

/* True when any log line recorded since the last reset contains text. */
bool logs_contain(const char *text);

#endif
