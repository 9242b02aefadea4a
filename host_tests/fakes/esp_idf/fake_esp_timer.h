/*
 * Control of the esp_timer fake: the clock only moves when the test says so, and a timer's callback only
 * runs from fake_esp_timer_advance_us() (when its deadline is reached) or fake_esp_timer_fire().
 */
#ifndef FAKE_ESP_TIMER_CONTROL_H
#define FAKE_ESP_TIMER_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include "esp_timer.h"

#define FAKE_ESP_TIMER_MAX 4

void fake_esp_timer_reset(void);
void fake_esp_timer_set_time_us(int64_t now_us);
/* Moves the clock and runs the callback of every armed timer whose deadline is reached (disarming a one-shot
 * timer; a periodic one runs once per period reached, all at the new time: advance by at most one period to
 * see each run at its own time). */
void fake_esp_timer_advance_us(int64_t delta_us);
/* Runs the timer's callback now, armed or not, without moving the clock (a late or racing expiry). */
void fake_esp_timer_fire(esp_timer_handle_t timer);
void fake_esp_timer_fail_next_create(esp_err_t err);

size_t fake_esp_timer_count(void);
esp_timer_handle_t fake_esp_timer_handle(size_t index);
bool fake_esp_timer_armed(esp_timer_handle_t timer);
uint64_t fake_esp_timer_last_timeout_us(esp_timer_handle_t timer); /* the period, for a periodic timer */
bool fake_esp_timer_periodic(esp_timer_handle_t timer);
int fake_esp_timer_start_count(esp_timer_handle_t timer);
int fake_esp_timer_stop_count(esp_timer_handle_t timer);
const esp_timer_create_args_t *fake_esp_timer_args(esp_timer_handle_t timer);

#endif
