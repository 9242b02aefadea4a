/* fake_power: in-memory power_port. Counts requests and releases, tracks the current hint, scripted results.
 */
#ifndef FAKE_POWER_H
#define FAKE_POWER_H

#include <stdbool.h>

#include "application/ports/power_port.h"
#include "fake_script.h"

typedef struct {
    unsigned requests;
    unsigned releases;
    bool low_power;
    fake_script_t request_results;
    fake_script_t release_results;
} fake_power_t;

extern const power_port_t fake_power_port;

void fake_power_init(fake_power_t *fake);

#endif
