/* power_arbiter: see the header. */
#include "application/power_arbiter.h"

#include <string.h>

void power_arbiter_init(power_arbiter_t *arbiter, const power_port_t *port, void *ctx)
{
    memset(arbiter, 0, sizeof(*arbiter));
    arbiter->port = port;
    arbiter->ctx = ctx;
}

app_err_t power_arbiter_set(power_arbiter_t *arbiter, power_requester_t requester, bool low_power)
{
    if ((unsigned)requester >= (unsigned)POWER_REQUESTER_COUNT) {
        return APP_ERR_INVALID_ARG;
    }
    arbiter->wants[requester] = low_power;
    bool wanted = false;
    for (int i = 0; i < POWER_REQUESTER_COUNT; i++) {
        wanted = wanted || arbiter->wants[i];
    }
    if (wanted == arbiter->low_power) {
        return APP_OK;
    }
    const app_err_t rc = wanted ? arbiter->port->request_low_power(arbiter->ctx)
                                : arbiter->port->release_low_power(arbiter->ctx);
    /* Recorded even on error: the wish changed, and the opposite call must still be made when it changes
     * back (a failed request followed by a release tries the release). */
    arbiter->low_power = wanted;
    return rc;
}
