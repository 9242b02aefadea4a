/*
 * sim_system_info: the system info port on Linux: the process's malloc arena figures (mallinfo2), the
 * closest host analogue of the ESP32's free heap. free = arena - uordblks (bytes the allocator holds but
 * has not handed out); the minimum is the lowest free figure seen by any call. Any thread.
 */
#ifndef SIM_SYSTEM_INFO_H
#define SIM_SYSTEM_INFO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "application/ports/system_info_port.h"

typedef struct {
    pthread_mutex_t mutex;
    bool has_min;
    uint32_t min_free;
} sim_system_info_t;

extern const system_info_port_t sim_system_info_port;

bool sim_system_info_init(sim_system_info_t *info);
void sim_system_info_deinit(sim_system_info_t *info);

/* Port functions (ctx = sim_system_info_t *). */
uint32_t sim_system_info_free_heap_bytes(void *ctx);
uint32_t sim_system_info_min_free_heap_bytes(void *ctx);

#endif /* SIM_SYSTEM_INFO_H */
