/*
 * status_store: the state HTTP handlers and MQTT work share, under the shared lock (resource_lock_port).
 *
 * The application task owns a working snapshot (status_store_working) and publishes it after every event;
 * other tasks read a copy (status_store_read). The device config cache (name, location) is in the same
 * snapshot: written by the HTTP task right after storing (status_store_set_config) and by the application
 * task when it reloads the cache from storage (status_store_mark_config_reloaded). A publish overwrites the
 * shared config fields only when the task's copy is newer; otherwise an HTTP update made in between would
 * be lost. Critical sections only copy; the lock is always taken with the configured timeout, and a
 * timeout is returned (HTTP answers 503; the task publishes again after its next event).
 */
#ifndef APPLICATION_STATUS_STORE_H
#define APPLICATION_STATUS_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "application/app_status.h"
#include "application/ports/resource_lock_port.h"
#include "application/status_snapshot.h"
#include "application/write_limiter.h"

typedef struct {
    const resource_lock_port_t *lock;
    void *lock_ctx;
    uint32_t timeout_ms;
    app_status_snapshot_t working; /* application task only */
    app_status_snapshot_t shared;  /* under the lock */
    bool config_reloaded;          /* working's config fields are newer than shared's */
    bool stale;                    /* the last publish timed out on the lock */
    write_limiter_t writes;        /* under the lock: configuration writes */
} status_store_t;

void status_store_init(status_store_t *store, const resource_lock_port_t *lock, void *lock_ctx,
                       uint32_t timeout_ms);

/* The application task's snapshot, to change freely before the next publish. */
app_status_snapshot_t *status_store_working(status_store_t *store);

/* Application task: the working config fields were reloaded from storage and win at the next publish. */
void status_store_mark_config_reloaded(status_store_t *store);

/* Application task: copies the working snapshot to the shared one. APP_OK or APP_ERR_LOCK_TIMEOUT. */
app_err_t status_store_publish(status_store_t *store);

/* Any task: a copy of the shared snapshot. APP_OK or APP_ERR_LOCK_TIMEOUT. */
app_err_t status_store_read(status_store_t *store, app_status_snapshot_t *out);

/* Any task: takes the configuration write slot (write_limiter.h). APP_OK, APP_ERR_RATE_LIMITED with
 * *retry_after_ms, or APP_ERR_LOCK_TIMEOUT. The limit is set with status_store_set_write_interval(). */
app_err_t status_store_try_write(status_store_t *store, uint64_t now_ms, uint32_t *retry_after_ms);
void status_store_set_write_interval(status_store_t *store, uint32_t min_interval_ms);

/* Any task: the config cache after a stored change (NULL keeps a field). APP_OK or APP_ERR_LOCK_TIMEOUT. */
app_err_t status_store_set_config(status_store_t *store, const char *device_name, const char *location);

#endif
