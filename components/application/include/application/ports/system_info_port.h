/*
 * system_info_port: heap figures for /status (esp_get_free_heap_size / esp_get_minimum_free_heap_size on
 * the ESP32; the process's figures on Linux). Any task.
 */
#ifndef APPLICATION_PORTS_SYSTEM_INFO_PORT_H
#define APPLICATION_PORTS_SYSTEM_INFO_PORT_H

#include <stdint.h>

typedef struct system_info_port {
    uint32_t (*free_heap_bytes)(void *ctx);
    uint32_t (*min_free_heap_bytes)(void *ctx);
} system_info_port_t;

#endif
