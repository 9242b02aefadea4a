/* Fake of the FreeRTOS kernel calls the adapters make: see the freertos/ headers and fake_freertos.h. */
#include <assert.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_freertos.h"

#define FAKE_FREERTOS_DYNAMIC_QUEUE_BYTES 256

struct fake_queue {
    uint8_t own_storage[FAKE_FREERTOS_DYNAMIC_QUEUE_BYTES]; /* xQueueCreate's items */
    bool used;
    bool is_mutex;
    UBaseType_t length;
    UBaseType_t item_size;
    uint8_t *storage;
    UBaseType_t head;
    UBaseType_t count;
    TaskHandle_t holder; /* mutex: the task that took it, NULL when free */
};

struct fake_task {
    fake_freertos_task_t info;
};

static struct fake_queue s_queues[FAKE_FREERTOS_MAX_QUEUES];
static struct fake_task s_tasks[FAKE_FREERTOS_MAX_TASKS];
static size_t s_task_count;
static bool s_fail_mutex;
static bool s_fail_queue;
static bool s_fail_task;
static BaseType_t s_take_result = pdTRUE;
static TickType_t s_last_take_ticks;
static int s_takes;
static int s_gives;
static int s_held;
static TickType_t s_last_send_ticks;
static int s_sends;
static int s_critical;

static int s_delays;
static struct fake_task s_test_task; /* the task the test runs as, unless it says otherwise */
static TaskHandle_t s_current_task = &s_test_task;
static int s_foreign_gives;
static TickType_t s_delayed_ticks;
static void (*s_delay_hook)(void *arg);
static void *s_delay_hook_arg;
static void (*s_receive_hook)(void *arg);
static void *s_receive_hook_arg;
static void (*s_send_full_hook)(void *arg);
static void *s_send_full_hook_arg;
static TickType_t s_last_receive_ticks;
static int s_blocking_receives;
static int s_receive_timeouts;

void fake_freertos_reset(void)
{
    memset(s_queues, 0, sizeof(s_queues));
    memset(s_tasks, 0, sizeof(s_tasks));
    s_task_count = 0;
    s_fail_mutex = false;
    s_fail_queue = false;
    s_fail_task = false;
    s_take_result = pdTRUE;
    s_last_take_ticks = 0;
    s_takes = 0;
    s_gives = 0;
    s_held = 0;
    s_last_send_ticks = 0;
    s_sends = 0;
    s_critical = 0;
    s_delays = 0;
    s_current_task = &s_test_task;
    s_foreign_gives = 0;
    s_delayed_ticks = 0;
    s_delay_hook = NULL;
    s_delay_hook_arg = NULL;
    s_receive_hook = NULL;
    s_receive_hook_arg = NULL;
    s_send_full_hook = NULL;
    s_send_full_hook_arg = NULL;
    s_last_receive_ticks = 0;
    s_blocking_receives = 0;
    s_receive_timeouts = 0;
}

static struct fake_queue *queue_alloc(void)
{
    for (size_t i = 0; i < FAKE_FREERTOS_MAX_QUEUES; i++) {
        if (!s_queues[i].used) {
            memset(&s_queues[i], 0, sizeof(s_queues[i]));
            s_queues[i].used = true;
            return &s_queues[i];
        }
    }
    return NULL;
}

SemaphoreHandle_t xSemaphoreCreateMutexStatic(StaticSemaphore_t *pxMutexBuffer)
{
    struct fake_queue *q;
    if (s_fail_mutex || pxMutexBuffer == NULL) {
        s_fail_mutex = false;
        return NULL;
    }
    q = queue_alloc();
    if (q != NULL) {
        q->is_mutex = true;
        pxMutexBuffer->fake_handle = q;
    }
    return q;
}

BaseType_t xSemaphoreTake(SemaphoreHandle_t xSemaphore, TickType_t xBlockTime)
{
    if (xSemaphore == NULL || !xSemaphore->is_mutex) {
        return pdFALSE;
    }
    s_takes++;
    s_last_take_ticks = xBlockTime;
    if (s_take_result == pdTRUE) {
        s_held++;
        xSemaphore->holder = s_current_task;
    }
    return s_take_result;
}

BaseType_t xSemaphoreGive(SemaphoreHandle_t xSemaphore)
{
    if (xSemaphore == NULL || !xSemaphore->is_mutex || s_held == 0 || xSemaphore->holder == NULL) {
        /* Giving a mutex that is not held fails (the queue is full), as in FreeRTOS. */
        return pdFALSE;
    }
    if (xSemaphore->holder != s_current_task) {
        /* FreeRTOS: configASSERT in xTaskPriorityDisinherit (abort); recorded here, the mutex unchanged. */
        s_foreign_gives++;
        return pdFALSE;
    }
    s_gives++;
    s_held--;
    xSemaphore->holder = NULL;
    return pdTRUE;
}

TaskHandle_t xSemaphoreGetMutexHolder(SemaphoreHandle_t xSemaphore)
{
    if (xSemaphore == NULL || !xSemaphore->is_mutex) {
        return NULL;
    }
    return xSemaphore->holder;
}

TaskHandle_t xTaskGetCurrentTaskHandle(void)
{
    return s_current_task;
}

void fake_freertos_set_current_task(TaskHandle_t task)
{
    s_current_task = task != NULL ? task : &s_test_task;
}

int fake_freertos_foreign_gives(void)
{
    return s_foreign_gives;
}

QueueHandle_t xQueueCreateStatic(UBaseType_t uxQueueLength, UBaseType_t uxItemSize, uint8_t *pucQueueStorage,
                                 StaticQueue_t *pxQueueBuffer)
{
    struct fake_queue *q;
    if (s_fail_queue || uxQueueLength == 0 || pxQueueBuffer == NULL ||
        (uxItemSize > 0 && pucQueueStorage == NULL)) {
        s_fail_queue = false;
        return NULL;
    }
    q = queue_alloc();
    if (q != NULL) {
        q->length = uxQueueLength;
        q->item_size = uxItemSize;
        q->storage = pucQueueStorage;
        pxQueueBuffer->fake_handle = q;
    }
    return q;
}

QueueHandle_t xQueueCreate(UBaseType_t uxQueueLength, UBaseType_t uxItemSize)
{
    struct fake_queue *q;
    if (s_fail_queue || uxQueueLength == 0 ||
        (size_t)uxQueueLength * uxItemSize > FAKE_FREERTOS_DYNAMIC_QUEUE_BYTES) {
        s_fail_queue = false;
        return NULL;
    }
    q = queue_alloc();
    if (q != NULL) {
        q->length = uxQueueLength;
        q->item_size = uxItemSize;
        q->storage = q->own_storage;
    }
    return q;
}

void vQueueDelete(QueueHandle_t xQueue)
{
    if (xQueue != NULL) {
        xQueue->used = false;
    }
}

BaseType_t xQueueSend(QueueHandle_t xQueue, const void *pvItemToQueue, TickType_t xTicksToWait)
{
    UBaseType_t tail;
    s_sends++;
    s_last_send_ticks = xTicksToWait;
    if (xQueue == NULL || xQueue->is_mutex) {
        return errQUEUE_FULL;
    }
    if (xQueue->count == xQueue->length) {
        if (s_send_full_hook != NULL) {
            s_send_full_hook(s_send_full_hook_arg);
        }
        return errQUEUE_FULL;
    }
    tail = (xQueue->head + xQueue->count) % xQueue->length;
    memcpy(xQueue->storage + (size_t)tail * xQueue->item_size, pvItemToQueue, xQueue->item_size);
    xQueue->count++;
    return pdPASS;
}

BaseType_t xQueueReceive(QueueHandle_t xQueue, void *pvBuffer, TickType_t xTicksToWait)
{
    s_last_receive_ticks = xTicksToWait;
    if (xQueue == NULL || xQueue->is_mutex) {
        return errQUEUE_EMPTY;
    }
    if (xQueue->count == 0 && xTicksToWait > 0) {
        s_blocking_receives++;
        if (s_receive_hook != NULL) {
            s_receive_hook(s_receive_hook_arg);
        }
        if (xQueue->count == 0 && xTicksToWait == portMAX_DELAY) {
            (void)fprintf(stderr,
                          "fake FreeRTOS: xQueueReceive(portMAX_DELAY) on an empty queue that nothing "
                          "fills would block forever\n");
            abort();
        }
        if (xQueue->count == 0 && ++s_receive_timeouts > FAKE_FREERTOS_MAX_RECEIVE_TIMEOUTS) {
            (void)fprintf(stderr,
                          "fake FreeRTOS: %d receive waits timed out: a task polls a queue nothing fills\n",
                          s_receive_timeouts);
            abort();
        }
    }
    if (xQueue->count == 0) {
        return errQUEUE_EMPTY;
    }
    memcpy(pvBuffer, xQueue->storage + (size_t)xQueue->head * xQueue->item_size, xQueue->item_size);
    xQueue->head = (xQueue->head + 1) % xQueue->length;
    xQueue->count--;
    return pdTRUE;
}

UBaseType_t uxQueueMessagesWaiting(QueueHandle_t xQueue)
{
    return xQueue == NULL ? 0 : xQueue->count;
}

TaskHandle_t xTaskCreateStatic(TaskFunction_t pxTaskCode, const char *const pcName,
                               const uint32_t ulStackDepth, void *const pvParameters, UBaseType_t uxPriority,
                               StackType_t *const puxStackBuffer, StaticTask_t *const pxTaskBuffer)
{
    struct fake_task *t;
    /* The real function returns NULL when either buffer is NULL. */
    if (s_fail_task || puxStackBuffer == NULL || pxTaskBuffer == NULL ||
        s_task_count == FAKE_FREERTOS_MAX_TASKS) {
        s_fail_task = false;
        return NULL;
    }
    t = &s_tasks[s_task_count++];
    t->info.function = pxTaskCode;
    t->info.name = pcName;
    t->info.stack_depth = ulStackDepth;
    t->info.parameters = pvParameters;
    t->info.priority = uxPriority;
    t->info.high_water = ulStackDepth;
    t->info.stack = puxStackBuffer;
    t->info.buffer = pxTaskBuffer;
    t->info.deleted = false;
    t->info.state = eBlocked;
    pxTaskBuffer->fake_handle = t;
    return t;
}

BaseType_t xTaskCreate(TaskFunction_t pxTaskCode, const char *const pcName, const uint32_t usStackDepth,
                       void *const pvParameters, UBaseType_t uxPriority, TaskHandle_t *const pxCreatedTask)
{
    struct fake_task *t;
    if (s_fail_task || s_task_count == FAKE_FREERTOS_MAX_TASKS) {
        s_fail_task = false;
        return pdFALSE; /* errCOULD_NOT_ALLOCATE_REQUIRED_MEMORY */
    }
    t = &s_tasks[s_task_count++];
    memset(&t->info, 0, sizeof(t->info));
    t->info.function = pxTaskCode;
    t->info.name = pcName;
    t->info.stack_depth = usStackDepth;
    t->info.parameters = pvParameters;
    t->info.priority = uxPriority;
    t->info.state = eBlocked;
    if (pxCreatedTask != NULL) {
        *pxCreatedTask = t;
    }
    return pdPASS;
}

void fake_freertos_set_high_water(size_t index, uint32_t bytes)
{
    if (index < s_task_count) {
        s_tasks[index].info.high_water = bytes;
    }
}

/* tasks.c: xTaskGetHandle searches the ready, delayed, suspended and deleting lists by name and returns NULL
 * when none matches; a deleted task is gone. */
TaskHandle_t xTaskGetHandle(const char *pcNameToQuery)
{
    for (size_t i = 0; pcNameToQuery != NULL && i < s_task_count; i++) {
        if (!s_tasks[i].info.deleted && s_tasks[i].info.name != NULL &&
            strcmp(s_tasks[i].info.name, pcNameToQuery) == 0) {
            return &s_tasks[i];
        }
    }
    return NULL;
}

/* ESP-IDF counts stacks in bytes (StackType_t is uint8_t), so the mark is in bytes too. */
void fake_freertos_set_task_state(size_t index, eTaskState state)
{
    if (index < s_task_count) {
        s_tasks[index].info.state = state;
    }
}

eTaskState eTaskGetState(TaskHandle_t xTask)
{
    if (xTask == NULL) {
        return eInvalid;
    }
    return xTask->info.deleted ? eDeleted : xTask->info.state;
}

UBaseType_t uxTaskGetStackHighWaterMark(TaskHandle_t xTask)
{
    return xTask != NULL ? (UBaseType_t)xTask->info.high_water : 0;
}

void vTaskDelete(TaskHandle_t xTaskToDelete)
{
    /* NULL deletes the calling task: the one fake_freertos_run_task runs, else the most recently created. */
    if (xTaskToDelete == NULL) {
        for (size_t i = 0; i < s_task_count; i++) {
            if (s_current_task == &s_tasks[i]) {
                s_tasks[i].info.deleted = true;
                return;
            }
        }
        if (s_task_count > 0) {
            s_tasks[s_task_count - 1].info.deleted = true;
        }
        return;
    }
    xTaskToDelete->info.deleted = true;
}

/* The runs of fake_freertos_run_task in progress (a task run from a hook during another's run nests). */
#define FAKE_FREERTOS_MAX_RUN_DEPTH 4
static jmp_buf s_run_exit[FAKE_FREERTOS_MAX_RUN_DEPTH];
static size_t s_run_depth;

void vTaskDelay(const TickType_t xTicksToDelay)
{
    if (xTicksToDelay == portMAX_DELAY && s_run_depth > 0) {
        /* A task that waits for ever (about 497 days at 100 Hz) does not come back while the test lives: its
         * run ends here, the task blocked in this call (eTaskGetState: eBlocked), as on the device. */
        s_delays++;
        longjmp(s_run_exit[s_run_depth - 1], 1);
    }
    s_delays++;
    s_delayed_ticks += xTicksToDelay;
    if (s_delay_hook != NULL) {
        s_delay_hook(s_delay_hook_arg);
    }
}

int fake_freertos_delay_count(void)
{
    return s_delays;
}

TickType_t fake_freertos_delayed_ticks(void)
{
    return s_delayed_ticks;
}

void fake_freertos_set_delay_hook(void (*hook)(void *arg), void *arg)
{
    s_delay_hook = hook;
    s_delay_hook_arg = arg;
}

void vPortEnterCritical(portMUX_TYPE *mux)
{
    mux->fake_nesting++;
    s_critical++;
}

void vPortExitCritical(portMUX_TYPE *mux)
{
    mux->fake_nesting--;
    s_critical--;
}

void fake_freertos_fail_next_mutex_create(void)
{
    s_fail_mutex = true;
}

void fake_freertos_set_take_result(BaseType_t result)
{
    s_take_result = result;
}

TickType_t fake_freertos_last_take_ticks(void)
{
    return s_last_take_ticks;
}

int fake_freertos_take_count(void)
{
    return s_takes;
}

int fake_freertos_give_count(void)
{
    return s_gives;
}

int fake_freertos_mutex_held(void)
{
    return s_held;
}

void fake_freertos_fail_next_queue_create(void)
{
    s_fail_queue = true;
}

TickType_t fake_freertos_last_send_ticks(void)
{
    return s_last_send_ticks;
}

int fake_freertos_send_count(void)
{
    return s_sends;
}

void fake_freertos_fail_next_task_create(void)
{
    s_fail_task = true;
}

size_t fake_freertos_task_count(void)
{
    return s_task_count;
}

const fake_freertos_task_t *fake_freertos_task(size_t index)
{
    return index < s_task_count ? &s_tasks[index].info : NULL;
}

void fake_freertos_run_task(size_t index)
{
    if (index < s_task_count) {
        /* The task runs as itself: xTaskGetCurrentTaskHandle() and vTaskDelete(NULL) name it. */
        TaskHandle_t caller = s_current_task;
        assert(s_run_depth < FAKE_FREERTOS_MAX_RUN_DEPTH);
        s_current_task = &s_tasks[index];
        if (setjmp(s_run_exit[s_run_depth++]) == 0) {
            s_tasks[index].info.function(s_tasks[index].info.parameters);
        }
        s_run_depth--;
        s_current_task = caller;
    }
}

TaskHandle_t fake_freertos_task_handle(size_t index)
{
    return index < s_task_count ? &s_tasks[index] : NULL;
}

void fake_freertos_set_receive_hook(void (*hook)(void *arg), void *arg)
{
    s_receive_hook = hook;
    s_receive_hook_arg = arg;
}

void fake_freertos_set_send_full_hook(void (*hook)(void *arg), void *arg)
{
    s_send_full_hook = hook;
    s_send_full_hook_arg = arg;
}

TickType_t fake_freertos_last_receive_ticks(void)
{
    return s_last_receive_ticks;
}

int fake_freertos_blocking_receives(void)
{
    return s_blocking_receives;
}

int fake_freertos_receive_timeouts(void)
{
    return s_receive_timeouts;
}

int fake_freertos_critical_nesting(void)
{
    return s_critical;
}
