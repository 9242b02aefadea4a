/*
 * Control and inspection of the esp_task_wdt fake: whether the watchdog was initialised (as
 * CONFIG_ESP_TASK_WDT_INIT=y does at start-up: the default after reset), the next add() failing with a given
 * code (e.g. ESP_ERR_NO_MEM, the entry allocation), and the calls made. Single-threaded tests only.
 */
#ifndef FAKE_ESP_TASK_WDT_CONTROL_H
#define FAKE_ESP_TASK_WDT_CONTROL_H

#include <stdbool.h>

#include "esp_task_wdt.h"

#define FAKE_ESP_TASK_WDT_MAX_TASKS 4

/* Initialised, nothing subscribed, no call recorded. */
void fake_esp_task_wdt_reset(void);
void fake_esp_task_wdt_set_initialised(bool initialised);
void fake_esp_task_wdt_fail_next_add(esp_err_t err);

/* Calls made, whatever they returned. */
int fake_esp_task_wdt_add_calls(void);
int fake_esp_task_wdt_reset_calls(void);
int fake_esp_task_wdt_delete_calls(void);
/* Resets that succeeded on behalf of task (NULL: the calling task), still counted after it unsubscribed. */
int fake_esp_task_wdt_resets_of(TaskHandle_t task);
bool fake_esp_task_wdt_subscribed(TaskHandle_t task);

#endif
