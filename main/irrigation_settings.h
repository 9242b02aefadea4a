/*
 * irrigation_settings: the one place where Kconfig (sdkconfig.h) becomes the application's settings.
 *
 * Called once by app_main before application_start(). Nothing else in the firmware reads the
 * CONFIG_IRRIGATION_* values that the application uses; main.c reads only the ones that size its own
 * static storage or configure adapters (task stacks, queue length, HTTP port, access point).
 */
#ifndef IRRIGATION_SETTINGS_H
#define IRRIGATION_SETTINGS_H

#include <stddef.h>

#include "application/app_status.h"
#include "application/settings.h"

/*
 * Fills out from Kconfig (starting from app_settings_defaults()). A Kconfig string that does not fit its
 * settings field is not cut (a cut URI or topic could be valid and wrong): the field is left empty, which
 * application_start() rejects (MQTT disabled, HTTP still served), and the function returns
 * APP_ERR_TOO_LONG with the option's name in reason. APP_OK otherwise.
 */
app_err_t irrigation_settings_from_kconfig(app_settings_t *out, char *reason, size_t reason_size);

#endif /* IRRIGATION_SETTINGS_H */
