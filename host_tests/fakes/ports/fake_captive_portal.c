#include "fake_captive_portal.h"

#include <string.h>

static app_err_t fake_open(void *ctx)
{
    fake_captive_portal_t *fake = ctx;
    fake->open_calls++;
    const app_err_t rc = fake_script_next(&fake->open_results);
    if (rc == APP_OK) {
        fake->open = true;
    }
    return rc;
}

static app_err_t fake_close(void *ctx)
{
    fake_captive_portal_t *fake = ctx;
    fake->close_calls++;
    const app_err_t rc = fake_script_next(&fake->close_results);
    if (rc == APP_OK) {
        fake->open = false;
    }
    return rc;
}

const captive_portal_port_t fake_captive_portal_port = {
    .open = fake_open,
    .close = fake_close,
};

void fake_captive_portal_init(fake_captive_portal_t *fake)
{
    memset(fake, 0, sizeof(*fake));
    fake_script_init(&fake->open_results);
    fake_script_init(&fake->close_results);
}
