/* fake_system_info: system_info_port answering the figures the test sets. */
#ifndef FAKE_SYSTEM_INFO_H
#define FAKE_SYSTEM_INFO_H

#include <stdint.h>

#include "application/ports/system_info_port.h"

typedef struct {
    uint32_t free_heap;
    uint32_t min_free_heap;
    system_info_runtime_t runtime; /* copied out by runtime() */
} fake_system_info_t;

extern const system_info_port_t fake_system_info_port;

/* 200000 free, 150000 minimum, largest block 110592, stacks app 2100 / mqtt 2600 / http unknown,
 * reset reason "power_on". */
void fake_system_info_init(fake_system_info_t *fake);

#endif
