/*
 * fake_script: a FIFO of scripted results for the port fakes. A fake pops the next scripted result on each
 * call and falls back to its sticky default when the script is empty, so a test can say "fail the next two
 * connects, then succeed" or "always refuse".
 */
#ifndef FAKE_SCRIPT_H
#define FAKE_SCRIPT_H

#include <stddef.h>

#include "application/app_status.h"

#define FAKE_SCRIPT_MAX 16

typedef struct {
    app_err_t items[FAKE_SCRIPT_MAX];
    size_t head;
    size_t count;
    app_err_t fallback; /* returned when nothing is scripted (APP_OK after init) */
} fake_script_t;

void fake_script_init(fake_script_t *script);
/* Appends one result; ignored when FAKE_SCRIPT_MAX are already queued. */
void fake_script_push(fake_script_t *script, app_err_t result);
/* Result returned whenever nothing is queued. */
void fake_script_set_fallback(fake_script_t *script, app_err_t result);
app_err_t fake_script_next(fake_script_t *script);

#endif
