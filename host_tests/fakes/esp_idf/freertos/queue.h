/*
 * Fake of ESP-IDF v5.4.2 freertos/queue.h: a working FIFO of fixed-size items kept in the storage the
 * caller gives to xQueueCreateStatic (as the real one does). Nothing ever blocks: a full queue makes
 * xQueueSend return errQUEUE_FULL whatever the ticks, an empty one makes xQueueReceive return pdFALSE;
 * the ticks passed are recorded so that tests can assert on them (fake_freertos.h).
 */
#ifndef FAKE_FREERTOS_QUEUE_H
#define FAKE_FREERTOS_QUEUE_H

#include "freertos/FreeRTOS.h"

typedef struct fake_queue *QueueHandle_t;

QueueHandle_t xQueueCreateStatic(UBaseType_t uxQueueLength, UBaseType_t uxItemSize, uint8_t *pucQueueStorage,
                                 StaticQueue_t *pxQueueBuffer);
/* Dynamic creation: the fake keeps the items in a buffer of its own (FAKE_FREERTOS_DYNAMIC_QUEUE_BYTES). */
QueueHandle_t xQueueCreate(UBaseType_t uxQueueLength, UBaseType_t uxItemSize);
void vQueueDelete(QueueHandle_t xQueue);
BaseType_t xQueueSend(QueueHandle_t xQueue, const void *pvItemToQueue, TickType_t xTicksToWait);
BaseType_t xQueueReceive(QueueHandle_t xQueue, void *pvBuffer, TickType_t xTicksToWait);
UBaseType_t uxQueueMessagesWaiting(QueueHandle_t xQueue);

#endif
