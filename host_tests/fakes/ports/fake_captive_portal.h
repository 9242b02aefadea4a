/* fake_captive_portal: captive_portal_port recording open/close and answering scripted results. */
#ifndef FAKE_CAPTIVE_PORTAL_H
#define FAKE_CAPTIVE_PORTAL_H

#include <stdbool.h>

#include "application/ports/captive_portal_port.h"
#include "fake_script.h"

typedef struct {
    bool open; /* after a successful open(), until close() */
    unsigned open_calls;
    unsigned close_calls;
    fake_script_t open_results;
    fake_script_t close_results;
} fake_captive_portal_t;

extern const captive_portal_port_t fake_captive_portal_port;

void fake_captive_portal_init(fake_captive_portal_t *fake);

#endif
