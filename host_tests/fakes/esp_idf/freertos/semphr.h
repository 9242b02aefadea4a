/*
 * Fake of ESP-IDF v5.4.2 freertos/semphr.h: the static mutex calls the resource lock uses. The real
 * xSemaphore* names are macros over queue functions; here they are functions with the same signatures.
 * xSemaphoreTake returns what the test set (fake_freertos.h) and records the ticks it was given.
 */
#ifndef FAKE_FREERTOS_SEMPHR_H
#define FAKE_FREERTOS_SEMPHR_H

#include "freertos/FreeRTOS.h"
#include "freertos/queue.h"
#include "freertos/task.h"

typedef QueueHandle_t SemaphoreHandle_t;

SemaphoreHandle_t xSemaphoreCreateMutexStatic(StaticSemaphore_t *pxMutexBuffer);
BaseType_t xSemaphoreTake(SemaphoreHandle_t xSemaphore, TickType_t xBlockTime);
/* A give by a task other than the holder trips a configASSERT in FreeRTOS; the fake records it instead
 * (fake_freertos_foreign_gives) and changes nothing. */
BaseType_t xSemaphoreGive(SemaphoreHandle_t xSemaphore);
/* The task holding the mutex, NULL when free (a macro over xQueueGetMutexHolder in FreeRTOS). */
TaskHandle_t xSemaphoreGetMutexHolder(SemaphoreHandle_t xSemaphore);

#endif
