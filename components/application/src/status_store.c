/* status_store: see the header. */
#include "application/status_store.h"

#include <string.h>

#include "domain/bounded_text.h"

void status_store_init(status_store_t *store, const resource_lock_port_t *lock, void *lock_ctx,
                       uint32_t timeout_ms)
{
    memset(store, 0, sizeof(*store));
    store->lock = lock;
    store->lock_ctx = lock_ctx;
    store->timeout_ms = timeout_ms;
    store->working.pending_msg_id = -1;
    store->shared.pending_msg_id = -1;
}

app_status_snapshot_t *status_store_working(status_store_t *store)
{
    return &store->working;
}

void status_store_mark_config_reloaded(status_store_t *store)
{
    store->config_reloaded = true;
}

app_err_t status_store_publish(status_store_t *store)
{
    if (store->lock->take(store->lock_ctx, store->timeout_ms) != APP_OK) {
        store->stale = true;
        return APP_ERR_LOCK_TIMEOUT;
    }
    if (!store->config_reloaded) {
        memcpy(store->working.device_name, store->shared.device_name, sizeof(store->working.device_name));
        memcpy(store->working.location, store->shared.location, sizeof(store->working.location));
    }
    store->shared = store->working;
    store->lock->give(store->lock_ctx);
    store->config_reloaded = false;
    store->stale = false;
    return APP_OK;
}

app_err_t status_store_read(status_store_t *store, app_status_snapshot_t *out)
{
    if (store->lock->take(store->lock_ctx, store->timeout_ms) != APP_OK) {
        return APP_ERR_LOCK_TIMEOUT;
    }
    *out = store->shared;
    store->lock->give(store->lock_ctx);
    return APP_OK;
}

app_err_t status_store_set_config(status_store_t *store, const char *device_name, const char *location)
{
    if (store->lock->take(store->lock_ctx, store->timeout_ms) != APP_OK) {
        return APP_ERR_LOCK_TIMEOUT;
    }
    if (device_name != NULL) {
        (void)bounded_text_copy(store->shared.device_name, sizeof(store->shared.device_name), device_name);
    }
    if (location != NULL) {
        (void)bounded_text_copy(store->shared.location, sizeof(store->shared.location), location);
    }
    store->lock->give(store->lock_ctx);
    return APP_OK;
}

void status_store_set_write_interval(status_store_t *store, uint32_t min_interval_ms)
{
    write_limiter_init(&store->writes, min_interval_ms);
}

app_err_t status_store_try_write(status_store_t *store, uint64_t now_ms, uint32_t *retry_after_ms)
{
    *retry_after_ms = 0;
    if (store->lock->take(store->lock_ctx, store->timeout_ms) != APP_OK) {
        return APP_ERR_LOCK_TIMEOUT;
    }
    const bool allowed = write_limiter_try(&store->writes, now_ms, retry_after_ms);
    store->lock->give(store->lock_ctx);
    return allowed ? APP_OK : APP_ERR_RATE_LIMITED;
}
