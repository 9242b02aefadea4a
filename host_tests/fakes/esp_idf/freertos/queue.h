/*
 * Fake of ESP-IDF v5.4.2 freertos/queue.h: a working bounded FIFO of fixed-size items kept in the storage the
 * caller gives to xQueueCreateStatic (as the real one does).
 *
 * What the real kernel does (components/freertos/FreeRTOS-Kernel/queue.c of v5.4.2; xQueueSend is
 * xQueueGenericSend(..., queueSEND_TO_BACK) in queue.h): inside the queue's own critical section, a queue
 * with room gets a copy of the item at the back and the call returns pdPASS (waking the highest-priority
 * task blocked in xQueueReceive); a full queue with xTicksToWait == 0 returns errQUEUE_FULL at once, the
 * queue unchanged ("The queue was full and no block time is specified ... so leave now"). xQueueReceive
 * copies out the oldest item (pdPASS); on an empty queue it returns errQUEUE_EMPTY at once with 0 ticks,
 * otherwise blocks until an item arrives or the ticks run out (forever with portMAX_DELAY, as
 * INCLUDE_vTaskSuspend is 1 in ESP-IDF).
 *
 * Here nothing blocks: a full queue makes xQueueSend return errQUEUE_FULL whatever the ticks (after the
 * test's send-full hook ran: what other tasks did meanwhile). xQueueReceive with ticks on an empty queue
 * runs the test's receive hook (standing for what other tasks do while the caller is blocked) and looks
 * once more: an item posted by the hook is returned, otherwise errQUEUE_EMPTY as if the wait had timed
 * out. A wait of portMAX_DELAY that would never end, or FAKE_FREERTOS_MAX_RECEIVE_TIMEOUTS timed-out waits,
 * abort the test instead of hanging it. The ticks
 * passed are recorded so that tests can assert on them (fake_freertos.h).
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
