/* app_event_backlog: see app_event_backlog.h. */
#include "application/app_event_backlog.h"

#include <string.h>

/* Which field, besides the kind, tells two events of a kind apart. */
typedef enum {
    KEY_KIND_ONLY = 0, /* the default: any kind not in the table below */
    KEY_TIMER,
    KEY_MSG_ID,
} key_part_t;

/* Indexed by kind; kinds added later (or out of range) fall back to KEY_KIND_ONLY in key_part(). */
static const key_part_t KEY_PARTS[APP_EVENT_COUNT] = {
    [APP_EVENT_TIMER_FIRED] = KEY_TIMER,
    [APP_EVENT_MQTT_PUBLISHED] = KEY_MSG_ID,
    [APP_EVENT_MQTT_DELETED] = KEY_MSG_ID,
};

static key_part_t key_part(app_event_kind_t kind)
{
    size_t index = (size_t)kind;
    return index < sizeof(KEY_PARTS) / sizeof(KEY_PARTS[0]) ? KEY_PARTS[index] : KEY_KIND_ONLY;
}

static bool same_key(const app_event_t *a, const app_event_t *b)
{
    if (a->kind != b->kind) {
        return false;
    }
    switch (key_part(a->kind)) {
        case KEY_TIMER:
            return a->timer == b->timer;
        case KEY_MSG_ID:
            return a->msg_id == b->msg_id;
        case KEY_KIND_ONLY:
        default:
            return true;
    }
}

static void remove_at(app_event_backlog_t *backlog, size_t index)
{
    memmove(&backlog->entries[index], &backlog->entries[index + 1],
            (backlog->count - index - 1) * sizeof(backlog->entries[0]));
    backlog->count--;
}

void app_event_backlog_init(app_event_backlog_t *backlog)
{
    memset(backlog, 0, sizeof(*backlog));
}

bool app_event_backlog_add(app_event_backlog_t *backlog, const app_event_t *event)
{
    for (size_t i = 0; i < backlog->count; i++) {
        if (same_key(&backlog->entries[i], event)) {
            /* At most one entry per key exists, so the search ends at the first match. */
            remove_at(backlog, i);
            backlog->totals.coalesced++;
            break;
        }
    }
    if (backlog->count == APP_EVENT_BACKLOG_SIZE) {
        backlog->totals.lost++;
        return false;
    }
    backlog->entries[backlog->count++] = *event;
    backlog->totals.accepted++;
    return true;
}

bool app_event_backlog_take(app_event_backlog_t *backlog, app_event_t *event)
{
    if (backlog->count == 0) {
        return false;
    }
    *event = backlog->entries[0];
    remove_at(backlog, 0);
    return true;
}

size_t app_event_backlog_count(const app_event_backlog_t *backlog)
{
    return backlog->count;
}

void app_event_backlog_clear(app_event_backlog_t *backlog)
{
    backlog->count = 0;
}

app_event_backlog_stats_t app_event_backlog_stats(const app_event_backlog_t *backlog)
{
    return backlog->totals;
}

bool app_event_backlog_burst_report(app_event_backlog_t *backlog, app_event_backlog_stats_t *burst)
{
    const app_event_backlog_stats_t *now = &backlog->totals;
    const app_event_backlog_stats_t *then = &backlog->reported;
    if (backlog->count != 0 || (now->accepted == then->accepted && now->lost == then->lost)) {
        return false;
    }
    /* Unsigned differences stay right across a counter wrap. */
    burst->accepted = now->accepted - then->accepted;
    burst->coalesced = now->coalesced - then->coalesced;
    burst->lost = now->lost - then->lost;
    backlog->reported = *now;
    return true;
}
