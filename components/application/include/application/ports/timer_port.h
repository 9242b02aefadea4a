/*
 * timer_port: the retry timer, the monotonic clock and a random source (esp_timer / esp_random on the
 * ESP32; a timer thread, CLOCK_MONOTONIC and a PRNG on Linux).
 *
 * One one-shot retry timer: arm_once() replaces any armed one. On expiry the adapter posts
 * APP_EVENT_RETRY_TIMER_FIRED carrying the token it was armed with (from its own timer context, without
 * blocking), so the application can tell a stale expiry from the current one. The application uses the
 * same timer as the connect-attempt watchdog while an attempt is under way (mqtt_connection.h): the
 * adapter need not know which use it serves.
 */
#ifndef APPLICATION_PORTS_TIMER_PORT_H
#define APPLICATION_PORTS_TIMER_PORT_H

#include <stdint.h>

#include "application/app_status.h"

typedef struct timer_port {
    app_err_t (*arm_once)(void *ctx, uint32_t delay_ms, uint32_t token);
    app_err_t (*cancel)(void *ctx);
    /* Milliseconds since boot (start of the simulator); monotonic. */
    uint64_t (*now_ms)(void *ctx);
    uint32_t (*random_u32)(void *ctx);
} timer_port_t;

#endif
