#include "fake_event_sink.h"

#include <string.h>

static void fake_on_domain_event(void *ctx, const domain_event_t *event)
{
    fake_event_sink_t *fake = ctx;
    if (fake->event_count < FAKE_EVENT_SINK_MAX_EVENTS) {
        fake->events[fake->event_count++] = *event;
    }
}

static void fake_on_notice(void *ctx, app_notice_level_t level, const char *message)
{
    fake_event_sink_t *fake = ctx;
    if (fake->notice_count >= FAKE_EVENT_SINK_MAX_NOTICES) {
        return;
    }
    fake_notice_t *notice = &fake->notices[fake->notice_count++];
    notice->level = level;
    size_t len = strlen(message);
    if (len > FAKE_EVENT_SINK_NOTICE_LEN) {
        len = FAKE_EVENT_SINK_NOTICE_LEN;
    }
    memcpy(notice->message, message, len);
    notice->message[len] = '\0';
}

const event_sink_port_t fake_event_sink_port = {
    .on_domain_event = fake_on_domain_event,
    .on_notice = fake_on_notice,
};

void fake_event_sink_init(fake_event_sink_t *fake)
{
    memset(fake, 0, sizeof(*fake));
}

void fake_event_sink_clear(fake_event_sink_t *fake)
{
    fake->event_count = 0;
    fake->notice_count = 0;
}

size_t fake_event_sink_count(const fake_event_sink_t *fake, domain_event_kind_t kind)
{
    size_t count = 0;
    for (size_t i = 0; i < fake->event_count; i++) {
        if (fake->events[i].kind == kind) {
            count++;
        }
    }
    return count;
}

const domain_event_t *fake_event_sink_nth(const fake_event_sink_t *fake, domain_event_kind_t kind, size_t n)
{
    for (size_t i = 0; i < fake->event_count; i++) {
        if (fake->events[i].kind == kind) {
            if (n == 0) {
                return &fake->events[i];
            }
            n--;
        }
    }
    return NULL;
}

const domain_event_t *fake_event_sink_last(const fake_event_sink_t *fake, domain_event_kind_t kind)
{
    for (size_t i = fake->event_count; i > 0; i--) {
        if (fake->events[i - 1].kind == kind) {
            return &fake->events[i - 1];
        }
    }
    return NULL;
}

const fake_notice_t *fake_event_sink_find_notice(const fake_event_sink_t *fake, const char *text)
{
    for (size_t i = 0; i < fake->notice_count; i++) {
        if (strstr(fake->notices[i].message, text) != NULL) {
            return &fake->notices[i];
        }
    }
    return NULL;
}

size_t fake_event_sink_notice_count(const fake_event_sink_t *fake, app_notice_level_t level)
{
    size_t count = 0;
    for (size_t i = 0; i < fake->notice_count; i++) {
        if (fake->notices[i].level == level) {
            count++;
        }
    }
    return count;
}
