/*
 * update_device_config: the UpdateDeviceConfigUseCase: a new device name and/or location from HTTP
 * (POST /config, the setup form).
 *
 * Validates with the registration contract, stores through the config repository (outside the lock:
 * storage is slow I/O), updates the config cache under the lock and posts APP_EVENT_CONFIG_CHANGED, on which
 * the application task reloads the cache and registers again when connected. Any task (the HTTP task).
 * A busy lock after storing is not an error: the write succeeded, the caller answers with the stored
 * values, and the application task reloads the cache from storage on CONFIG_CHANGED (a warning notice says
 * so). Only if that event is lost too (queue full) does the cache show the old values until the next change
 * or restart; the registration always reads storage, so it is never stale.
 */
#ifndef APPLICATION_UPDATE_DEVICE_CONFIG_H
#define APPLICATION_UPDATE_DEVICE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "application/app_ports.h"
#include "application/status_store.h"

/*
 * NULL keeps a value. Values are trimmed first (the limits apply to the trimmed value, which is what is
 * stored, cached and registered). Values equal to those in effect write nothing and succeed. A change takes
 * the write slot first (status_store_try_write: the minimum interval between writes).
 * Results: APP_OK once the values are stored (or were already in effect); APP_ERR_INVALID_VALUE /
 * APP_ERR_TOO_LONG / APP_ERR_INVALID_ARG with the reason in reason (nothing stored); APP_ERR_RATE_LIMITED
 * with *retry_after_s (seconds, rounded up; may be NULL) and a reason; APP_ERR_LOCK_TIMEOUT; APP_ERR_STORAGE
 * (nothing stored, or only the name when the location failed: the cache and the registration then follow the
 * name).
 */
app_err_t update_device_config_apply(const app_ports_t *ports, status_store_t *store, const char *raw_name,
                                     const char *raw_location, char *reason, size_t reason_size,
                                     uint32_t *retry_after_s);

#endif
