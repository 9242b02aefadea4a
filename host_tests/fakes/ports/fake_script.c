#include "fake_script.h"

void fake_script_init(fake_script_t *script)
{
    script->head = 0;
    script->count = 0;
    script->fallback = APP_OK;
}

void fake_script_push(fake_script_t *script, app_err_t result)
{
    if (script->count >= FAKE_SCRIPT_MAX) {
        return;
    }
    script->items[(script->head + script->count) % FAKE_SCRIPT_MAX] = result;
    script->count++;
}

void fake_script_set_fallback(fake_script_t *script, app_err_t result)
{
    script->fallback = result;
}

app_err_t fake_script_next(fake_script_t *script)
{
    if (script->count == 0) {
        return script->fallback;
    }
    app_err_t result = script->items[script->head];
    script->head = (script->head + 1) % FAKE_SCRIPT_MAX;
    script->count--;
    return result;
}
