/*
 * Fake of ESP-IDF v5.4.2 freertos/FreeRTOS.h for host tests: the kernel types, constants and port macros
 * the adapters use, with the ESP-IDF values (StackType_t is uint8_t: ESP-IDF stack depths are in bytes;
 * configTICK_RATE_HZ is CONFIG_FREERTOS_HZ's default 100). Kernel objects are fakes (fake_freertos.h).
 */
#ifndef FAKE_FREERTOS_FREERTOS_H
#define FAKE_FREERTOS_FREERTOS_H

#include <stddef.h>
#include <stdint.h>

typedef uint32_t TickType_t;
typedef int BaseType_t;
typedef unsigned int UBaseType_t;
typedef uint8_t StackType_t;

#define pdFALSE        ((BaseType_t)0)
#define pdTRUE         ((BaseType_t)1)
#define pdPASS         (pdTRUE)
#define pdFAIL         (pdFALSE)
#define errQUEUE_EMPTY ((BaseType_t)0)
#define errQUEUE_FULL  ((BaseType_t)0)

#define portMAX_DELAY      ((TickType_t)0xffffffffUL)
#define configTICK_RATE_HZ 100
#define portTICK_PERIOD_MS ((TickType_t)1000 / configTICK_RATE_HZ)
#define pdMS_TO_TICKS(xTimeInMs) \
    ((TickType_t)(((TickType_t)(xTimeInMs) * (TickType_t)configTICK_RATE_HZ) / (TickType_t)1000U))

/* Opaque storage for statically created objects; sizes are the fake's, contents are the fake's. */
typedef struct {
    void *fake_handle;
    uint8_t reserved[64];
} StaticQueue_t;
typedef StaticQueue_t StaticSemaphore_t;
typedef struct {
    void *fake_handle;
    uint8_t reserved[64];
} StaticTask_t;

/* Spinlock of ESP-IDF's SMP FreeRTOS critical sections; the fake counts nesting to catch imbalance. */
typedef struct {
    int32_t fake_nesting;
} portMUX_TYPE;
#define portMUX_INITIALIZER_UNLOCKED \
    {                                \
        0                            \
    }
void vPortEnterCritical(portMUX_TYPE *mux);
void vPortExitCritical(portMUX_TYPE *mux);
#define portENTER_CRITICAL(mux) vPortEnterCritical(mux)
#define portEXIT_CRITICAL(mux)  vPortExitCritical(mux)

#endif
