#include "fake_power.h"

#include <string.h>

static app_err_t fake_request(void *ctx)
{
    fake_power_t *fake = ctx;
    fake->requests++;
    fake->low_power = true;
    return fake_script_next(&fake->request_results);
}

static app_err_t fake_release(void *ctx)
{
    fake_power_t *fake = ctx;
    fake->releases++;
    fake->low_power = false;
    return fake_script_next(&fake->release_results);
}

const power_port_t fake_power_port = {
    .request_low_power = fake_request,
    .release_low_power = fake_release,
};

void fake_power_init(fake_power_t *fake)
{
    memset(fake, 0, sizeof(*fake));
    fake_script_init(&fake->request_results);
    fake_script_init(&fake->release_results);
}
