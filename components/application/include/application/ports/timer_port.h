/*
 * timer_port: one-shot timers, the monotonic clock and a random source (esp_timer / esp_random on the
 * ESP32; a timer thread, CLOCK_MONOTONIC and a PRNG on Linux).
 *
 * One one-shot timer per app_timer_id_t: the MQTT connection's (retry delay, or the attempt watchdog while
 * an attempt is under way) and the WiFi link's (retry delay, or the settle delay after new credentials).
 * arm_once() replaces that id's armed timer. On expiry the adapter posts APP_EVENT_TIMER_FIRED carrying the
 * id and the token it was armed with (from its own timer context, without blocking), so the application can
 * tell a stale expiry from the current one. The adapter need not know what a timer is used for.
 */
#ifndef APPLICATION_PORTS_TIMER_PORT_H
#define APPLICATION_PORTS_TIMER_PORT_H

#include <stdint.h>

#include "application/app_event.h"
#include "application/app_status.h"

typedef struct timer_port {
    app_err_t (*arm_once)(void *ctx, app_timer_id_t timer, uint32_t delay_ms, uint32_t token);
    app_err_t (*cancel)(void *ctx, app_timer_id_t timer);
    /* Milliseconds since boot (start of the simulator); monotonic. */
    uint64_t (*now_ms)(void *ctx);
    uint32_t (*random_u32)(void *ctx);
} timer_port_t;

#endif
