/*
 * system_info_port: runtime figures for /status. On the ESP32: esp_get_free_heap_size,
 * esp_get_minimum_free_heap_size, heap_caps_get_largest_free_block, the stack high-water marks of the
 * application, ESP-MQTT and HTTP server tasks, esp_reset_reason; on Linux the process's figures and
 * "unknown" where a figure has no meaning. Any task; never blocks.
 */
#ifndef APPLICATION_PORTS_SYSTEM_INFO_PORT_H
#define APPLICATION_PORTS_SYSTEM_INFO_PORT_H

#include <stdint.h>

typedef enum {
    SYSTEM_INFO_TASK_APP = 0,
    SYSTEM_INFO_TASK_MQTT,
    SYSTEM_INFO_TASK_HTTP,
    SYSTEM_INFO_TASK_COUNT
} system_info_task_t;

/* -1 wherever a figure is unknown on the platform (or the task does not run yet). */
typedef struct {
    int64_t largest_free_block;                       /* bytes of the largest allocatable block */
    int64_t stack_high_water[SYSTEM_INFO_TASK_COUNT]; /* least free stack the task ever had, bytes */
    const char *reset_reason;                         /* static text, e.g. "power_on", "panic" */
} system_info_runtime_t;

typedef struct system_info_port {
    uint32_t (*free_heap_bytes)(void *ctx);
    uint32_t (*min_free_heap_bytes)(void *ctx);
    void (*runtime)(void *ctx, system_info_runtime_t *out);
} system_info_port_t;

#endif
