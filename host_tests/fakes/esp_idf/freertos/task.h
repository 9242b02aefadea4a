/*
 * Fake of ESP-IDF v5.4.2 freertos/task.h: static task creation is recorded, not run; a test runs the task
 * function itself (fake_freertos_run_task). vTaskDelete(NULL) records the deletion and returns; vTaskDelay
 * returns at once.
 */
#ifndef FAKE_FREERTOS_TASK_H
#define FAKE_FREERTOS_TASK_H

#include "freertos/FreeRTOS.h"

typedef struct fake_task *TaskHandle_t;
typedef void (*TaskFunction_t)(void *);

/* The real enum (FreeRTOS-Kernel/include/freertos/task.h). */
typedef enum { eRunning = 0, eReady, eBlocked, eSuspended, eDeleted, eInvalid } eTaskState;

TaskHandle_t xTaskCreateStatic(TaskFunction_t pxTaskCode, const char *const pcName,
                               const uint32_t ulStackDepth, void *const pvParameters, UBaseType_t uxPriority,
                               StackType_t *const puxStackBuffer, StaticTask_t *const pxTaskBuffer);
/* Dynamic creation: recorded like the static one (no buffers; the fake allocates nothing). */
BaseType_t xTaskCreate(TaskFunction_t pxTaskCode, const char *const pcName, const uint32_t usStackDepth,
                       void *const pvParameters, UBaseType_t uxPriority, TaskHandle_t *const pxCreatedTask);
void vTaskDelete(TaskHandle_t xTaskToDelete);
/* Returns at once; the ticks are recorded and the test's delay hook runs (fake_freertos.h), standing for
 * whatever other tasks do meanwhile. A wait for ever (portMAX_DELAY) inside a task that
 * fake_freertos_run_task runs ends that run instead: the task stays blocked in it. */
void vTaskDelay(const TickType_t xTicksToDelay);
/* The task the test says it runs as (fake_freertos_set_current_task); one fixed handle by default. */
TaskHandle_t xTaskGetCurrentTaskHandle(void);
TaskHandle_t xTaskGetHandle(const char *pcNameToQuery);
UBaseType_t uxTaskGetStackHighWaterMark(TaskHandle_t xTask);
/* eDeleted once deleted, else what the test set (fake_freertos_set_task_state); eBlocked by default: the
 * fake runs no task concurrently, so a created task is never running while the test's code is. */
eTaskState eTaskGetState(TaskHandle_t xTask);

#endif
