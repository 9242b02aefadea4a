/* update_device_config: see the header. */
#include "application/update_device_config.h"

#include <string.h>

#include "application/app_report.h"
#include "domain/bounded_text.h"
#include "domain/device_registration.h"

static app_err_t check_value(domain_status_t status, char *reason, size_t reason_size)
{
    if (status == DOMAIN_OK) {
        return APP_OK;
    }
    (void)bounded_text_copy(reason, reason_size, domain_status_to_str(status));
    return (status == DOMAIN_ERR_NAME_TOO_LONG || status == DOMAIN_ERR_LOCATION_TOO_LONG)
               ? APP_ERR_TOO_LONG
               : APP_ERR_INVALID_VALUE;
}

app_err_t update_device_config_apply(const app_ports_t *ports, status_store_t *store, const char *device_name,
                                     const char *location, char *reason, size_t reason_size)
{
    (void)bounded_text_copy(reason, reason_size, "");
    if (ports == NULL || store == NULL || (device_name == NULL && location == NULL)) {
        (void)bounded_text_copy(reason, reason_size, "device_name or location_description required");
        return APP_ERR_INVALID_ARG;
    }
    app_err_t rc;
    if (device_name != NULL &&
        (rc = check_value(device_registration_check_name(device_name), reason, reason_size)) != APP_OK) {
        return rc;
    }
    if (location != NULL &&
        (rc = check_value(device_registration_check_location(location), reason, reason_size)) != APP_OK) {
        return rc;
    }

    /* Storage is slow: never under the lock. */
    bool name_stored = false;
    bool location_stored = false;
    app_err_t result = APP_OK;
    if (device_name != NULL) {
        name_stored =
            ports->config->store(ports->config_ctx, CONFIG_FIELD_DEVICE_NAME, device_name) == APP_OK;
        if (!name_stored) {
            result = APP_ERR_STORAGE;
        }
    }
    if (location != NULL && result == APP_OK) {
        location_stored = ports->config->store(ports->config_ctx, CONFIG_FIELD_LOCATION, location) == APP_OK;
        if (!location_stored) {
            result = APP_ERR_STORAGE;
        }
    }
    if (result != APP_OK) {
        (void)bounded_text_copy(reason, reason_size, "storing the configuration failed");
        app_report_notice(ports, APP_NOTICE_ERROR, "config update: storing the configuration failed");
        if (!name_stored) {
            return result;
        }
        /* The name is stored but the location is not: the cache and the registration follow the name. */
    }

    if (status_store_set_config(store, name_stored ? device_name : NULL, location_stored ? location : NULL) !=
        APP_OK) {
        /* Stored already, which is what the caller asked for: the application task reloads the cache from
         * storage on the event below. */
        app_report_notice(
            ports, APP_NOTICE_WARNING,
            "config update: stored; the cache is refreshed by the application task (shared lock busy)");
    }

    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = APP_EVENT_CONFIG_CHANGED;
    if (!ports->executor->post(ports->executor_ctx, &event)) {
        app_report_notice(
            ports, APP_NOTICE_WARNING,
            "config update: change event lost (queue full); the next connection registers the new values");
    }
    return result;
}
