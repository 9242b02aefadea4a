/* update_device_config: see the header. */
#include "application/update_device_config.h"

#include <stdio.h>
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

/* Takes the write slot, or says when to come back. */
static app_err_t take_write_slot(const app_ports_t *ports, status_store_t *store, char *reason,
                                 size_t reason_size, uint32_t *retry_after_s)
{
    uint32_t retry_after_ms = 0;
    const app_err_t rc =
        status_store_try_write(store, ports->timer->now_ms(ports->timer_ctx), &retry_after_ms);
    if (rc == APP_ERR_RATE_LIMITED) {
        *retry_after_s = (retry_after_ms + 999u) / 1000u;
        (void)snprintf(reason, reason_size, "too many changes: try again in %lu s",
                       (unsigned long)*retry_after_s);
    } else if (rc != APP_OK) {
        (void)bounded_text_copy(reason, reason_size, "busy");
    }
    return rc;
}

app_err_t update_device_config_apply(const app_ports_t *ports, status_store_t *store, const char *raw_name,
                                     const char *raw_location, char *reason, size_t reason_size,
                                     uint32_t *retry_after_s)
{
    (void)bounded_text_copy(reason, reason_size, "");
    uint32_t ignored_retry = 0;
    if (retry_after_s == NULL) {
        retry_after_s = &ignored_retry;
    }
    *retry_after_s = 0;
    if (ports == NULL || store == NULL || (raw_name == NULL && raw_location == NULL)) {
        (void)bounded_text_copy(reason, reason_size, "device_name or location_description required");
        return APP_ERR_INVALID_ARG;
    }
    /* What is stored, shown and sent is the trimmed value; the limits apply to it. */
    char name_buf[DEVICE_NAME_MAX_BYTES + 1];
    char location_buf[DEVICE_LOCATION_MAX_BYTES + 1];
    const char *device_name = NULL;
    const char *location = NULL;
    app_err_t rc;
    if (raw_name != NULL) {
        if ((rc = check_value(device_registration_clean_name(raw_name, name_buf, sizeof(name_buf)), reason,
                              reason_size)) != APP_OK) {
            return rc;
        }
        device_name = name_buf;
    }
    if (raw_location != NULL) {
        if ((rc = check_value(
                 device_registration_clean_location(raw_location, location_buf, sizeof(location_buf)), reason,
                 reason_size)) != APP_OK) {
            return rc;
        }
        location = location_buf;
    }
    /* Sending the values in effect again changes nothing: no flash write, no registration, no limit. */
    app_status_snapshot_t current;
    if (status_store_read(store, &current) == APP_OK &&
        (device_name == NULL || strcmp(device_name, current.device_name) == 0) &&
        (location == NULL || strcmp(location, current.location) == 0)) {
        return APP_OK;
    }
    if ((rc = take_write_slot(ports, store, reason, reason_size, retry_after_s)) != APP_OK) {
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
