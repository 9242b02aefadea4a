/*
 * reset_button_adapter: the factory reset button (on the development boards, the BOOT button). A press
 * held for the configured time posts APP_EVENT_FACTORY_RESET, once per press, through the executor port;
 * the application then forgets the WiFi credentials and reopens provisioning (wifi_link_use_case.h). The
 * adapter only reads the pad and measures the hold: what a reset does is the core's.
 *
 * The pad is an input with the internal pull-up, active low (the button shorts it to ground), without
 * interrupt. An esp_timer polls it every RESET_BUTTON_ADAPTER_POLL_MS in the esp_timer task; the callback
 * reads one level and posts without blocking. The hold is measured with esp_timer_get_time(), so a late
 * poll never lengthens it. A high sample ends a press. Only a press that starts after a released sample
 * counts: a pad already low at init (a stuck button, a strapping pin held through reset) erases nothing
 * until it has been released once. A refused post (full queue) is logged and tried again at the next poll
 * while the button is still held.
 *
 * Power: the periodic timer wakes the chip from automatic light sleep every poll (it is created with
 * skip_unhandled_events off, so a technician's press is seen even during a long retry wait); a build that
 * needs the deepest sleep disables the button with a negative GPIO.
 *
 * Call order in main/ (app_main task): once, after application_start() (the executor runs). State is
 * static (one button per device).
 */
#ifndef RESET_BUTTON_ADAPTER_H
#define RESET_BUTTON_ADAPTER_H

#include <stdint.h>

#include "application/ports/executor_port.h"
#include "esp_err.h"

#define RESET_BUTTON_ADAPTER_POLL_MS    50u
#define RESET_BUTTON_ADAPTER_HOLD_MAX_S 60u

typedef struct {
    int gpio;        /* the button's pad; negative: no button (nothing configured, nothing polled) */
    uint32_t hold_s; /* how long a press must last: 1..RESET_BUTTON_ADAPTER_HOLD_MAX_S seconds */
    const executor_port_t *executor;
    void *executor_ctx;
} reset_button_adapter_config_t;

/*
 * Configures the pad and starts polling. ESP_OK (also when disabled by a negative GPIO: logged once);
 * ESP_ERR_INVALID_ARG for a missing config or executor, a hold outside 1..60 s or a pad gpio_config()
 * refuses; ESP_ERR_INVALID_STATE when already running; else the esp_timer error. Nothing runs after an
 * error (logged).
 */
esp_err_t reset_button_adapter_init(const reset_button_adapter_config_t *cfg);

/* Stops polling and frees the timer (safe when never started). The pad stays configured. */
void reset_button_adapter_deinit(void);

#endif /* RESET_BUTTON_ADAPTER_H */
