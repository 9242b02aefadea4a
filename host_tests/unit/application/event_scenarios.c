/* See event_scenarios.h. */
#include "event_scenarios.h"

#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

app_event_t event_scenarios_event(app_event_kind_t kind)
{
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = kind;
    return event;
}

app_event_t event_scenarios_with_code(app_event_kind_t kind, int32_t code)
{
    app_event_t event = event_scenarios_event(kind);
    event.code = code;
    return event;
}

app_event_t event_scenarios_published(int32_t msg_id)
{
    app_event_t event = event_scenarios_event(APP_EVENT_MQTT_PUBLISHED);
    event.msg_id = msg_id;
    return event;
}

app_event_t event_scenarios_timer_fired(app_timer_id_t timer, uint32_t token)
{
    app_event_t event = event_scenarios_event(APP_EVENT_TIMER_FIRED);
    event.timer = timer;
    event.token = token;
    return event;
}

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static const app_event_t OUTCOMES[] = {
    {.kind = APP_EVENT_MQTT_DISCONNECTED, .code = -1},
    {.kind = APP_EVENT_MQTT_PUBLISHED, .msg_id = 7},
    {.kind = APP_EVENT_TIMER_FIRED, .timer = APP_TIMER_CONNECTION, .token = 5},
    {.kind = APP_EVENT_MQTT_CONNECTED},
};

event_scenarios_t event_scenarios_outcomes(void)
{
    event_scenarios_t scenario = {OUTCOMES, COUNT_OF(OUTCOMES), OUTCOMES, COUNT_OF(OUTCOMES), 0};
    return scenario;
}

static const app_event_t LATEST_POSTS[] = {
    {.kind = APP_EVENT_MQTT_CONNECTED},
    {.kind = APP_EVENT_MQTT_DISCONNECTED, .code = 1},
    {.kind = APP_EVENT_TIMER_FIRED, .timer = APP_TIMER_CONNECTION, .token = 1},
    {.kind = APP_EVENT_MQTT_CONNECTED},
    {.kind = APP_EVENT_TIMER_FIRED, .timer = APP_TIMER_CONNECTION, .token = 2},
    {.kind = APP_EVENT_MQTT_DISCONNECTED, .code = 2},
};

static const app_event_t LATEST_HANDLED[] = {
    {.kind = APP_EVENT_MQTT_CONNECTED},
    {.kind = APP_EVENT_TIMER_FIRED, .timer = APP_TIMER_CONNECTION, .token = 2},
    {.kind = APP_EVENT_MQTT_DISCONNECTED, .code = 2},
};

event_scenarios_t event_scenarios_latest_wins(void)
{
    event_scenarios_t scenario = {LATEST_POSTS, COUNT_OF(LATEST_POSTS), LATEST_HANDLED,
                                  COUNT_OF(LATEST_HANDLED), 3};
    return scenario;
}

void event_scenarios_assert_handled(const event_scenarios_t *scenario, const app_event_t *seen)
{
    for (size_t i = 0; i < scenario->handled_count; i++) {
        const app_event_t *want = &scenario->handled[i];
        assert_int_equal(seen[i].kind, want->kind);
        assert_int_equal(seen[i].timer, want->timer);
        assert_int_equal(seen[i].msg_id, want->msg_id);
        assert_int_equal(seen[i].code, want->code);
        assert_int_equal(seen[i].token, want->token);
    }
}
