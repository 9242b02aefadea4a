/*
 * Fake of ESP-IDF v5.4.2 esp_task_wdt.h (component esp_system): the task subscription calls the executor
 * makes, with the return values of the real task_wdt.c. Every call on a watchdog that was never
 * initialised is ESP_ERR_INVALID_STATE (what CONFIG_ESP_TASK_WDT_INIT=n leaves until someone calls
 * esp_task_wdt_init); add() of a task already subscribed is ESP_ERR_INVALID_ARG; reset() by, and delete()
 * of, a task that is not subscribed is ESP_ERR_NOT_FOUND. NULL means the calling task
 * (xTaskGetCurrentTaskHandle of the FreeRTOS fake). The calls are recorded (fake_esp_task_wdt.h). The
 * watchdog never fires here: tests assert on the resets instead.
 */
#ifndef FAKE_ESP_TASK_WDT_H
#define FAKE_ESP_TASK_WDT_H

#include "esp_err.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

esp_err_t esp_task_wdt_add(TaskHandle_t task_handle);
esp_err_t esp_task_wdt_reset(void);
esp_err_t esp_task_wdt_delete(TaskHandle_t task_handle);
/* ESP_OK when subscribed, ESP_ERR_NOT_FOUND when not, ESP_ERR_INVALID_STATE when never initialised. */
esp_err_t esp_task_wdt_status(TaskHandle_t task_handle);

#endif
