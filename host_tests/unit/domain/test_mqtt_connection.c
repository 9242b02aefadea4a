/*
 * mqtt_connection: the connection lifecycle state machine.
 *
 * Part 1 is the transition table: every start state (WAITING in its three flavours, CONNECTING,
 * REGISTERING with and without a queued registration, REGISTERED, BACKOFF) crossed with every event, each
 * row its own cmocka test with the expected new state, pending msg id and exact command list. The full
 * table runs with the attempt watchdog on (the configuration the application uses); a second table gives
 * the rows that differ without a watchdog.
 * Part 2 walks through the unusual orders a real broker and network produce.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "domain/mqtt_connection.h"

#define IP_A                \
    {                       \
        {                   \
            192, 168, 1, 10 \
        }                   \
    }
#define IP_B                \
    {                       \
        {                   \
            192, 168, 1, 77 \
        }                   \
    }
#define QUEUED_ID          7
#define FIRST_DELAY_MS     30000u
#define ATTEMPT_TIMEOUT_MS 25000u

/* ---- shared helpers ---- */

static mqtt_connection_event_t ev(mqtt_connection_event_kind_t kind)
{
    mqtt_connection_event_t e;
    memset(&e, 0, sizeof(e));
    e.kind = kind;
    return e;
}

static mqtt_connection_event_t ev_ip(mqtt_connection_event_kind_t kind, ipv4_address_t ip)
{
    mqtt_connection_event_t e = ev(kind);
    e.ip = ip;
    return e;
}

static mqtt_connection_event_t ev_msg(mqtt_connection_event_kind_t kind, int32_t msg_id)
{
    mqtt_connection_event_t e = ev(kind);
    e.msg_id = msg_id;
    return e;
}

static mqtt_connection_event_t ev_code(mqtt_connection_event_kind_t kind, int32_t code)
{
    mqtt_connection_event_t e = ev(kind);
    e.code = code;
    return e;
}

/* Applies an event and checks the new state and the exact command kinds (delays checked separately). */
static mqtt_connection_commands_t step(mqtt_connection_t *conn, mqtt_connection_event_t event,
                                       mqtt_connection_state_t expected_state, size_t expected_count, ...)
{
    mqtt_connection_commands_t out;
    memset(&out, 0xEE, sizeof(out));
    const mqtt_connection_state_t state = mqtt_connection_handle(conn, &event, &out);
    if (state != expected_state || conn->state != expected_state) {
        fail_msg("%s: went to %s, expected %s", mqtt_connection_event_to_str(event.kind),
                 mqtt_connection_state_to_str(state), mqtt_connection_state_to_str(expected_state));
    }
    assert_int_equal(out.count, expected_count);
    va_list args;
    va_start(args, expected_count);
    for (size_t i = 0; i < expected_count; i++) {
        const mqtt_connection_command_kind_t kind = (mqtt_connection_command_kind_t)va_arg(args, int);
        if (out.items[i].kind != kind) {
            fail_msg("%s: command %zu is %s, expected %s", mqtt_connection_event_to_str(event.kind), i,
                     mqtt_connection_command_to_str(out.items[i].kind), mqtt_connection_command_to_str(kind));
        }
    }
    va_end(args);
    return out;
}

static void init_default(mqtt_connection_t *conn)
{
    assert_int_equal(mqtt_connection_init(conn, NULL), DOMAIN_OK);
}

/* ---- part 1: the transition table ---- */

typedef enum {
    START_WAITING_IDLE = 0,     /* nothing yet */
    START_WAITING_HTTP_ONLY,    /* HTTP started, network down */
    START_WAITING_NETWORK_ONLY, /* network up (IP_A), HTTP not started */
    START_CONNECTING,           /* both up, CONNECT issued */
    START_REGISTERING,          /* connected, registration not yet queued (pending -1) */
    START_REGISTERING_QUEUED,   /* connected, registration queued as QUEUED_ID */
    START_REGISTERED,           /* PUBACK of QUEUED_ID received */
    START_BACKOFF,              /* the first attempt failed, retry timer armed */
    START_COUNT
} start_t;

static const char *const START_NAMES[START_COUNT] = {
    "waiting(idle)",
    "waiting(http only)",
    "waiting(network only)",
    "connecting",
    "registering",
    "registering(queued)",
    "registered",
    "backoff",
};

typedef enum {
    EV_NETWORK_UP_SAME_IP = 0,
    EV_NETWORK_UP_NEW_IP,
    EV_NETWORK_DOWN,
    EV_IP_CHANGED_SAME,
    EV_IP_CHANGED_NEW,
    EV_HTTP_STARTED,
    EV_CONNECTED,
    EV_DISCONNECTED,
    EV_ERROR,
    EV_PUBLISH_QUEUED,
    EV_PUBLISH_FAILED,
    EV_ACK_PENDING_ID,
    EV_ACK_OTHER_ID,
    EV_RETRY_TIMER,
    EV_REGISTER_AGAIN,
    EV_ROW_COUNT
} event_id_t;

static const struct {
    const char *name;
    mqtt_connection_event_t event;
} EVENTS[EV_ROW_COUNT] = {
    [EV_NETWORK_UP_SAME_IP] = {"network_up(same ip)", {.kind = MQTT_CONNECTION_EV_NETWORK_UP, .ip = IP_A}},
    [EV_NETWORK_UP_NEW_IP] = {"network_up(new ip)", {.kind = MQTT_CONNECTION_EV_NETWORK_UP, .ip = IP_B}},
    [EV_NETWORK_DOWN] = {"network_down", {.kind = MQTT_CONNECTION_EV_NETWORK_DOWN}},
    [EV_IP_CHANGED_SAME] = {"ip_changed(same ip)", {.kind = MQTT_CONNECTION_EV_IP_CHANGED, .ip = IP_A}},
    [EV_IP_CHANGED_NEW] = {"ip_changed(new ip)", {.kind = MQTT_CONNECTION_EV_IP_CHANGED, .ip = IP_B}},
    [EV_HTTP_STARTED] = {"http_started", {.kind = MQTT_CONNECTION_EV_HTTP_STARTED}},
    [EV_CONNECTED] = {"mqtt_connected", {.kind = MQTT_CONNECTION_EV_MQTT_CONNECTED}},
    [EV_DISCONNECTED] = {"mqtt_disconnected", {.kind = MQTT_CONNECTION_EV_MQTT_DISCONNECTED, .code = 5}},
    [EV_ERROR] = {"mqtt_error", {.kind = MQTT_CONNECTION_EV_MQTT_ERROR, .code = 3}},
    [EV_PUBLISH_QUEUED] = {"publish_queued(9)", {.kind = MQTT_CONNECTION_EV_PUBLISH_QUEUED, .msg_id = 9}},
    [EV_PUBLISH_FAILED] = {"publish_failed", {.kind = MQTT_CONNECTION_EV_PUBLISH_FAILED}},
    [EV_ACK_PENDING_ID] = {"registration_acked(7)",
                           {.kind = MQTT_CONNECTION_EV_REGISTRATION_ACKED, .msg_id = QUEUED_ID}},
    [EV_ACK_OTHER_ID] = {"registration_acked(6)",
                         {.kind = MQTT_CONNECTION_EV_REGISTRATION_ACKED, .msg_id = 6}},
    [EV_RETRY_TIMER] = {"retry_timer_fired", {.kind = MQTT_CONNECTION_EV_RETRY_TIMER_FIRED}},
    [EV_REGISTER_AGAIN] = {"register_again", {.kind = MQTT_CONNECTION_EV_REGISTER_AGAIN}},
};

typedef struct {
    uint32_t watchdog_ms; /* the entity's attempt timeout for this row */
    start_t start;
    event_id_t event;
    mqtt_connection_state_t state;
    int32_t pending_msg_id;
    size_t count;
    mqtt_connection_command_t commands[MQTT_CONNECTION_MAX_COMMANDS];
} transition_t;

#define CONNECT                        \
    {                                  \
        MQTT_CONNECTION_CMD_CONNECT, 0 \
    }
#define DISCONNECT                        \
    {                                     \
        MQTT_CONNECTION_CMD_DISCONNECT, 0 \
    }
#define PUBLISH                                     \
    {                                               \
        MQTT_CONNECTION_CMD_PUBLISH_REGISTRATION, 0 \
    }
#define ARM                                                 \
    {                                                       \
        MQTT_CONNECTION_CMD_ARM_RETRY_TIMER, FIRST_DELAY_MS \
    }
#define WATCHDOG                                                \
    {                                                           \
        MQTT_CONNECTION_CMD_ARM_RETRY_TIMER, ATTEMPT_TIMEOUT_MS \
    }
#define CANCEL                                    \
    {                                             \
        MQTT_CONNECTION_CMD_CANCEL_RETRY_TIMER, 0 \
    }
#define LOW_POWER                                \
    {                                            \
        MQTT_CONNECTION_CMD_REQUEST_LOW_POWER, 0 \
    }
#define CLEAR_LOW_POWER                        \
    {                                          \
        MQTT_CONNECTION_CMD_CLEAR_LOW_POWER, 0 \
    }

/* R(watchdog, start, event, new state, pending msg id after, command count, commands...) */
#define R(watchdog, start, event, state, pending, count, ...)                         \
    {                                                                                 \
        watchdog, START_##start, EV_##event, MQTT_CONNECTION_##state, pending, count, \
        {                                                                             \
            __VA_ARGS__                                                               \
        }                                                                             \
    }
/* With the attempt watchdog: T with commands, T0 without. */
#define T(start, event, state, pending, count, ...) \
    R(ATTEMPT_TIMEOUT_MS, start, event, state, pending, count, __VA_ARGS__)
#define T0(start, event, state, pending) R(ATTEMPT_TIMEOUT_MS, start, event, state, pending, 0, {0, 0})
/* Without a watchdog: N with commands, N0 without. */
#define N(start, event, state, pending, count, ...) R(0, start, event, state, pending, count, __VA_ARGS__)
#define N0(start, event, state, pending)            R(0, start, event, state, pending, 0, {0, 0})

static const transition_t TRANSITIONS[] = {
    /* WAITING, nothing started: only the flags move; a late CONNECTED is refused. */
    T0(WAITING_IDLE, NETWORK_UP_SAME_IP, WAITING, -1),
    T0(WAITING_IDLE, NETWORK_UP_NEW_IP, WAITING, -1),
    T0(WAITING_IDLE, NETWORK_DOWN, WAITING, -1),
    T0(WAITING_IDLE, IP_CHANGED_SAME, WAITING, -1),
    T0(WAITING_IDLE, IP_CHANGED_NEW, WAITING, -1),
    T0(WAITING_IDLE, HTTP_STARTED, WAITING, -1),
    T(WAITING_IDLE, CONNECTED, WAITING, -1, 1, DISCONNECT),
    T0(WAITING_IDLE, DISCONNECTED, WAITING, -1),
    T0(WAITING_IDLE, ERROR, WAITING, -1),
    T0(WAITING_IDLE, PUBLISH_QUEUED, WAITING, -1),
    T0(WAITING_IDLE, PUBLISH_FAILED, WAITING, -1),
    T0(WAITING_IDLE, ACK_PENDING_ID, WAITING, -1),
    T0(WAITING_IDLE, ACK_OTHER_ID, WAITING, -1),
    T0(WAITING_IDLE, RETRY_TIMER, WAITING, -1),
    T0(WAITING_IDLE, REGISTER_AGAIN, WAITING, -1),

    /* WAITING with HTTP started: network up is the missing piece; the attempt is watched. */
    T(WAITING_HTTP_ONLY, NETWORK_UP_SAME_IP, CONNECTING, -1, 2, CONNECT, WATCHDOG),
    T(WAITING_HTTP_ONLY, NETWORK_UP_NEW_IP, CONNECTING, -1, 2, CONNECT, WATCHDOG),
    T0(WAITING_HTTP_ONLY, NETWORK_DOWN, WAITING, -1),
    T0(WAITING_HTTP_ONLY, IP_CHANGED_SAME, WAITING, -1),
    T0(WAITING_HTTP_ONLY, IP_CHANGED_NEW, WAITING, -1),
    T0(WAITING_HTTP_ONLY, HTTP_STARTED, WAITING, -1),
    T(WAITING_HTTP_ONLY, CONNECTED, WAITING, -1, 1, DISCONNECT),
    T0(WAITING_HTTP_ONLY, DISCONNECTED, WAITING, -1),
    T0(WAITING_HTTP_ONLY, ERROR, WAITING, -1),
    T0(WAITING_HTTP_ONLY, PUBLISH_QUEUED, WAITING, -1),
    T0(WAITING_HTTP_ONLY, PUBLISH_FAILED, WAITING, -1),
    T0(WAITING_HTTP_ONLY, ACK_PENDING_ID, WAITING, -1),
    T0(WAITING_HTTP_ONLY, ACK_OTHER_ID, WAITING, -1),
    T0(WAITING_HTTP_ONLY, RETRY_TIMER, WAITING, -1),
    T0(WAITING_HTTP_ONLY, REGISTER_AGAIN, WAITING, -1),

    /* WAITING with the network up: HTTP started is the missing piece. */
    T0(WAITING_NETWORK_ONLY, NETWORK_UP_SAME_IP, WAITING, -1),
    T0(WAITING_NETWORK_ONLY, NETWORK_UP_NEW_IP, WAITING, -1),
    T0(WAITING_NETWORK_ONLY, NETWORK_DOWN, WAITING, -1),
    T0(WAITING_NETWORK_ONLY, IP_CHANGED_SAME, WAITING, -1),
    T0(WAITING_NETWORK_ONLY, IP_CHANGED_NEW, WAITING, -1),
    T(WAITING_NETWORK_ONLY, HTTP_STARTED, CONNECTING, -1, 2, CONNECT, WATCHDOG),
    T(WAITING_NETWORK_ONLY, CONNECTED, WAITING, -1, 1, DISCONNECT),
    T0(WAITING_NETWORK_ONLY, DISCONNECTED, WAITING, -1),
    T0(WAITING_NETWORK_ONLY, ERROR, WAITING, -1),
    T0(WAITING_NETWORK_ONLY, PUBLISH_QUEUED, WAITING, -1),
    T0(WAITING_NETWORK_ONLY, PUBLISH_FAILED, WAITING, -1),
    T0(WAITING_NETWORK_ONLY, ACK_PENDING_ID, WAITING, -1),
    T0(WAITING_NETWORK_ONLY, ACK_OTHER_ID, WAITING, -1),
    T0(WAITING_NETWORK_ONLY, RETRY_TIMER, WAITING, -1),
    T0(WAITING_NETWORK_ONLY, REGISTER_AGAIN, WAITING, -1),

    /* CONNECTING: connected registers, disconnected backs off (the retry delay replaces the watchdog), the
     * watchdog's expiry abandons the attempt and backs off, the IP is only recorded. */
    T0(CONNECTING, NETWORK_UP_SAME_IP, CONNECTING, -1),
    T0(CONNECTING, NETWORK_UP_NEW_IP, CONNECTING, -1),
    T(CONNECTING, NETWORK_DOWN, WAITING, -1, 2, DISCONNECT, CANCEL),
    T0(CONNECTING, IP_CHANGED_SAME, CONNECTING, -1),
    T0(CONNECTING, IP_CHANGED_NEW, CONNECTING, -1),
    T0(CONNECTING, HTTP_STARTED, CONNECTING, -1),
    T(CONNECTING, CONNECTED, REGISTERING, -1, 2, CANCEL, PUBLISH),
    T(CONNECTING, DISCONNECTED, BACKOFF, -1, 2, ARM, LOW_POWER),
    T0(CONNECTING, ERROR, CONNECTING, -1),
    T0(CONNECTING, PUBLISH_QUEUED, CONNECTING, -1),
    T0(CONNECTING, PUBLISH_FAILED, CONNECTING, -1),
    T0(CONNECTING, ACK_PENDING_ID, CONNECTING, -1),
    T0(CONNECTING, ACK_OTHER_ID, CONNECTING, -1),
    T(CONNECTING, RETRY_TIMER, BACKOFF, -1, 3, DISCONNECT, ARM, LOW_POWER),
    T0(CONNECTING, REGISTER_AGAIN, CONNECTING, -1),

    /* REGISTERING before the publish was queued: no id to match yet. */
    T0(REGISTERING, NETWORK_UP_SAME_IP, REGISTERING, -1),
    T(REGISTERING, NETWORK_UP_NEW_IP, REGISTERING, -1, 1, PUBLISH),
    T(REGISTERING, NETWORK_DOWN, WAITING, -1, 1, DISCONNECT),
    T0(REGISTERING, IP_CHANGED_SAME, REGISTERING, -1),
    T(REGISTERING, IP_CHANGED_NEW, REGISTERING, -1, 1, PUBLISH),
    T0(REGISTERING, HTTP_STARTED, REGISTERING, -1),
    T0(REGISTERING, CONNECTED, REGISTERING, -1),
    T(REGISTERING, DISCONNECTED, BACKOFF, -1, 2, ARM, LOW_POWER),
    T0(REGISTERING, ERROR, REGISTERING, -1),
    T0(REGISTERING, PUBLISH_QUEUED, REGISTERING, 9),
    T(REGISTERING, PUBLISH_FAILED, BACKOFF, -1, 3, DISCONNECT, ARM, LOW_POWER),
    T0(REGISTERING, ACK_PENDING_ID, REGISTERING, -1),
    T0(REGISTERING, ACK_OTHER_ID, REGISTERING, -1),
    T0(REGISTERING, RETRY_TIMER, REGISTERING, -1),
    T(REGISTERING, REGISTER_AGAIN, REGISTERING, -1, 1, PUBLISH),

    /* REGISTERING with the registration queued as 7: only PUBACK 7 registers. */
    T0(REGISTERING_QUEUED, NETWORK_UP_SAME_IP, REGISTERING, QUEUED_ID),
    T(REGISTERING_QUEUED, NETWORK_UP_NEW_IP, REGISTERING, -1, 1, PUBLISH),
    T(REGISTERING_QUEUED, NETWORK_DOWN, WAITING, -1, 1, DISCONNECT),
    T0(REGISTERING_QUEUED, IP_CHANGED_SAME, REGISTERING, QUEUED_ID),
    T(REGISTERING_QUEUED, IP_CHANGED_NEW, REGISTERING, -1, 1, PUBLISH),
    T0(REGISTERING_QUEUED, HTTP_STARTED, REGISTERING, QUEUED_ID),
    T0(REGISTERING_QUEUED, CONNECTED, REGISTERING, QUEUED_ID),
    T(REGISTERING_QUEUED, DISCONNECTED, BACKOFF, -1, 2, ARM, LOW_POWER),
    T0(REGISTERING_QUEUED, ERROR, REGISTERING, QUEUED_ID),
    T0(REGISTERING_QUEUED, PUBLISH_QUEUED, REGISTERING, 9),
    T(REGISTERING_QUEUED, PUBLISH_FAILED, BACKOFF, -1, 3, DISCONNECT, ARM, LOW_POWER),
    T0(REGISTERING_QUEUED, ACK_PENDING_ID, REGISTERED, -1),
    T0(REGISTERING_QUEUED, ACK_OTHER_ID, REGISTERING, QUEUED_ID),
    T0(REGISTERING_QUEUED, RETRY_TIMER, REGISTERING, QUEUED_ID),
    T(REGISTERING_QUEUED, REGISTER_AGAIN, REGISTERING, -1, 1, PUBLISH),

    /* REGISTERED: a new IP registers again, a drop backs off, the rest changes nothing. */
    T0(REGISTERED, NETWORK_UP_SAME_IP, REGISTERED, -1),
    T(REGISTERED, NETWORK_UP_NEW_IP, REGISTERING, -1, 1, PUBLISH),
    T(REGISTERED, NETWORK_DOWN, WAITING, -1, 1, DISCONNECT),
    T0(REGISTERED, IP_CHANGED_SAME, REGISTERED, -1),
    T(REGISTERED, IP_CHANGED_NEW, REGISTERING, -1, 1, PUBLISH),
    T0(REGISTERED, HTTP_STARTED, REGISTERED, -1),
    T0(REGISTERED, CONNECTED, REGISTERED, -1),
    T(REGISTERED, DISCONNECTED, BACKOFF, -1, 2, ARM, LOW_POWER),
    T0(REGISTERED, ERROR, REGISTERED, -1),
    T0(REGISTERED, PUBLISH_QUEUED, REGISTERED, -1),
    T0(REGISTERED, PUBLISH_FAILED, REGISTERED, -1),
    T0(REGISTERED, ACK_PENDING_ID, REGISTERED, -1),
    T0(REGISTERED, ACK_OTHER_ID, REGISTERED, -1),
    T0(REGISTERED, RETRY_TIMER, REGISTERED, -1),
    T(REGISTERED, REGISTER_AGAIN, REGISTERING, -1, 1, PUBLISH),

    /* BACKOFF: the timer retries, a late session (one already given up) is dropped, network down cancels the
     * wait. */
    T0(BACKOFF, NETWORK_UP_SAME_IP, BACKOFF, -1),
    T0(BACKOFF, NETWORK_UP_NEW_IP, BACKOFF, -1),
    T(BACKOFF, NETWORK_DOWN, WAITING, -1, 2, CANCEL, CLEAR_LOW_POWER),
    T0(BACKOFF, IP_CHANGED_SAME, BACKOFF, -1),
    T0(BACKOFF, IP_CHANGED_NEW, BACKOFF, -1),
    T0(BACKOFF, HTTP_STARTED, BACKOFF, -1),
    T(BACKOFF, CONNECTED, BACKOFF, -1, 1, DISCONNECT),
    T0(BACKOFF, DISCONNECTED, BACKOFF, -1),
    T0(BACKOFF, ERROR, BACKOFF, -1),
    T0(BACKOFF, PUBLISH_QUEUED, BACKOFF, -1),
    T0(BACKOFF, PUBLISH_FAILED, BACKOFF, -1),
    T0(BACKOFF, ACK_PENDING_ID, BACKOFF, -1),
    T0(BACKOFF, ACK_OTHER_ID, BACKOFF, -1),
    T(BACKOFF, RETRY_TIMER, CONNECTING, -1, 3, CLEAR_LOW_POWER, CONNECT, WATCHDOG),
    T0(BACKOFF, REGISTER_AGAIN, BACKOFF, -1),
};

#define TRANSITION_COUNT (sizeof(TRANSITIONS) / sizeof(TRANSITIONS[0]))

/* Without a watchdog (attempt timeout 0) these rows differ; every other row is the same as above. */
static const transition_t NO_WATCHDOG_TRANSITIONS[] = {
    N(WAITING_HTTP_ONLY, NETWORK_UP_SAME_IP, CONNECTING, -1, 1, CONNECT),
    N(WAITING_HTTP_ONLY, NETWORK_UP_NEW_IP, CONNECTING, -1, 1, CONNECT),
    N(WAITING_NETWORK_ONLY, HTTP_STARTED, CONNECTING, -1, 1, CONNECT),
    N(CONNECTING, NETWORK_DOWN, WAITING, -1, 1, DISCONNECT),
    N(CONNECTING, CONNECTED, REGISTERING, -1, 1, PUBLISH),
    N(CONNECTING, DISCONNECTED, BACKOFF, -1, 2, ARM, LOW_POWER),
    N0(CONNECTING, RETRY_TIMER, CONNECTING, -1), /* nothing watches the attempt: a stale expiry */
    N(BACKOFF, RETRY_TIMER, CONNECTING, -1, 2, CLEAR_LOW_POWER, CONNECT),
    N(BACKOFF, CONNECTED, BACKOFF, -1, 1, DISCONNECT),
    N(REGISTERED, REGISTER_AGAIN, REGISTERING, -1, 1, PUBLISH),
};

#define NO_WATCHDOG_TRANSITION_COUNT (sizeof(NO_WATCHDOG_TRANSITIONS) / sizeof(NO_WATCHDOG_TRANSITIONS[0]))

/* Brings a fresh entity with the given attempt timeout into the start state through real events only. */
static void enter_with(mqtt_connection_t *conn, start_t start, uint32_t watchdog_ms)
{
    const ipv4_address_t ip_a = IP_A;
    init_default(conn);
    assert_int_equal(mqtt_connection_set_attempt_timeout(conn, watchdog_ms), DOMAIN_OK);
    switch (start) {
        case START_WAITING_IDLE:
            return;
        case START_WAITING_HTTP_ONLY:
            step(conn, ev(MQTT_CONNECTION_EV_HTTP_STARTED), MQTT_CONNECTION_WAITING, 0);
            return;
        case START_WAITING_NETWORK_ONLY:
            step(conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, ip_a), MQTT_CONNECTION_WAITING, 0);
            return;
        default:
            break;
    }
    step(conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, ip_a), MQTT_CONNECTION_WAITING, 0);
    if (watchdog_ms != 0) {
        step(conn, ev(MQTT_CONNECTION_EV_HTTP_STARTED), MQTT_CONNECTION_CONNECTING, 2,
             MQTT_CONNECTION_CMD_CONNECT, MQTT_CONNECTION_CMD_ARM_RETRY_TIMER);
    } else {
        step(conn, ev(MQTT_CONNECTION_EV_HTTP_STARTED), MQTT_CONNECTION_CONNECTING, 1,
             MQTT_CONNECTION_CMD_CONNECT);
    }
    if (start == START_CONNECTING) {
        return;
    }
    if (start == START_BACKOFF) {
        step(conn, ev(MQTT_CONNECTION_EV_MQTT_DISCONNECTED), MQTT_CONNECTION_BACKOFF, 2,
             MQTT_CONNECTION_CMD_ARM_RETRY_TIMER, MQTT_CONNECTION_CMD_REQUEST_LOW_POWER);
        return;
    }
    if (watchdog_ms != 0) {
        step(conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING, 2,
             MQTT_CONNECTION_CMD_CANCEL_RETRY_TIMER, MQTT_CONNECTION_CMD_PUBLISH_REGISTRATION);
    } else {
        step(conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING, 1,
             MQTT_CONNECTION_CMD_PUBLISH_REGISTRATION);
    }
    if (start == START_REGISTERING) {
        return;
    }
    step(conn, ev_msg(MQTT_CONNECTION_EV_PUBLISH_QUEUED, QUEUED_ID), MQTT_CONNECTION_REGISTERING, 0);
    if (start == START_REGISTERING_QUEUED) {
        return;
    }
    step(conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, QUEUED_ID), MQTT_CONNECTION_REGISTERED, 0);
}

/* The sequences of part 2 run without a watchdog unless they say otherwise. */
static void enter(mqtt_connection_t *conn, start_t start)
{
    enter_with(conn, start, 0);
}

static bool has_command(const mqtt_connection_commands_t *out, mqtt_connection_command_kind_t kind)
{
    for (size_t i = 0; i < out->count; i++) {
        if (out->items[i].kind == kind) {
            return true;
        }
    }
    return false;
}

static void test_transition(void **state)
{
    const transition_t *t = *state;
    const mqtt_connection_event_t event = EVENTS[t->event].event;
    mqtt_connection_t conn;
    mqtt_connection_commands_t out;

    enter_with(&conn, t->start, t->watchdog_ms);
    const mqtt_connection_t before = conn;
    const mqtt_connection_state_t state_after = mqtt_connection_handle(&conn, &event, &out);

    assert_string_equal(mqtt_connection_state_to_str(state_after), mqtt_connection_state_to_str(t->state));
    assert_int_equal(conn.state, t->state);
    assert_int_equal(conn.pending_msg_id, t->pending_msg_id);
    assert_true(out.count <= MQTT_CONNECTION_MAX_COMMANDS);
    assert_int_equal(out.count, t->count);
    for (size_t i = 0; i < t->count; i++) {
        assert_string_equal(mqtt_connection_command_to_str(out.items[i].kind),
                            mqtt_connection_command_to_str(t->commands[i].kind));
        assert_int_equal(out.items[i].delay_ms, t->commands[i].delay_ms);
    }

    /* What every transition must also keep true, whatever the row. */
    const bool connects = has_command(&out, MQTT_CONNECTION_CMD_CONNECT);
    const bool arms = has_command(&out, MQTT_CONNECTION_CMD_ARM_RETRY_TIMER);
    /* The documented way to tell the two uses of the timer apart: the state after the event. */
    const bool arms_watchdog = arms && conn.state == MQTT_CONNECTION_CONNECTING;
    const bool arms_retry = arms && conn.state == MQTT_CONNECTION_BACKOFF;
    assert_true(!arms || arms_watchdog || arms_retry);
    assert_int_equal(arms_watchdog, connects && t->watchdog_ms != 0); /* every CONNECT is watched */
    for (size_t i = 0; i < out.count; i++) {
        if (out.items[i].kind == MQTT_CONNECTION_CMD_ARM_RETRY_TIMER) {
            assert_int_equal(out.items[i].delay_ms, arms_watchdog ? t->watchdog_ms : FIRST_DELAY_MS);
        }
        if (out.items[i].kind == MQTT_CONNECTION_CMD_CONNECT && t->watchdog_ms != 0) {
            assert_true(i + 1 < out.count);
            assert_int_equal(out.items[i + 1].kind, MQTT_CONNECTION_CMD_ARM_RETRY_TIMER);
        }
    }
    assert_int_equal(conn.connect_attempts, before.connect_attempts + (connects ? 1u : 0u));
    assert_int_equal(conn.last_delay_ms, arms_retry ? FIRST_DELAY_MS : before.last_delay_ms);
    if (event.kind == MQTT_CONNECTION_EV_MQTT_CONNECTED && t->state == MQTT_CONNECTION_REGISTERING &&
        before.state != MQTT_CONNECTION_REGISTERING) {
        assert_int_equal(conn.policy.attempt, 0); /* a successful connect resets the schedule */
    } else {
        assert_int_equal(conn.policy.attempt, before.policy.attempt + (arms_retry ? 1u : 0u));
    }
    switch (event.kind) {
        case MQTT_CONNECTION_EV_NETWORK_UP:
            assert_true(conn.network_up);
            assert_true(ipv4_address_equal(&conn.ip, &event.ip));
            break;
        case MQTT_CONNECTION_EV_IP_CHANGED:
            assert_true(ipv4_address_equal(&conn.ip, &event.ip));
            assert_int_equal(conn.network_up, before.network_up);
            break;
        case MQTT_CONNECTION_EV_NETWORK_DOWN:
            assert_false(conn.network_up);
            break;
        case MQTT_CONNECTION_EV_HTTP_STARTED:
            assert_true(conn.http_started);
            break;
        case MQTT_CONNECTION_EV_MQTT_DISCONNECTED:
        case MQTT_CONNECTION_EV_MQTT_ERROR:
            assert_int_equal(conn.last_code, event.code);
            break;
        default:
            assert_int_equal(conn.network_up, before.network_up);
            assert_int_equal(conn.http_started, before.http_started);
            assert_int_equal(conn.last_code, before.last_code);
            break;
    }
}

static void test_table_covers_every_state_and_event(void **state)
{
    (void)state;
    bool seen[START_COUNT][EV_ROW_COUNT];
    memset(seen, 0, sizeof(seen));
    for (size_t i = 0; i < TRANSITION_COUNT; i++) {
        assert_false(seen[TRANSITIONS[i].start][TRANSITIONS[i].event]);
        seen[TRANSITIONS[i].start][TRANSITIONS[i].event] = true;
    }
    for (size_t s = 0; s < START_COUNT; s++) {
        for (size_t e = 0; e < EV_ROW_COUNT; e++) {
            if (!seen[s][e]) {
                fail_msg("no row for %s + %s", START_NAMES[s], EVENTS[e].name);
            }
        }
    }
    /* The table's events include every event kind of the entity. */
    bool kinds[MQTT_CONNECTION_EV_COUNT] = {false};
    for (size_t e = 0; e < EV_ROW_COUNT; e++) {
        kinds[EVENTS[e].event.kind] = true;
    }
    for (size_t k = 0; k < MQTT_CONNECTION_EV_COUNT; k++) {
        assert_true(kinds[k]);
    }
    for (size_t i = 0; i < TRANSITION_COUNT; i++) {
        assert_int_equal(TRANSITIONS[i].watchdog_ms, ATTEMPT_TIMEOUT_MS);
    }
}

static void test_no_watchdog_rows_are_unique_and_unwatched(void **state)
{
    (void)state;
    bool seen[START_COUNT][EV_ROW_COUNT];
    memset(seen, 0, sizeof(seen));
    for (size_t i = 0; i < NO_WATCHDOG_TRANSITION_COUNT; i++) {
        assert_false(seen[NO_WATCHDOG_TRANSITIONS[i].start][NO_WATCHDOG_TRANSITIONS[i].event]);
        seen[NO_WATCHDOG_TRANSITIONS[i].start][NO_WATCHDOG_TRANSITIONS[i].event] = true;
        assert_int_equal(NO_WATCHDOG_TRANSITIONS[i].watchdog_ms, 0);
    }
}

/* ---- part 2: sequences ---- */

static void test_network_then_http_connects_once(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    init_default(&conn);
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_A), MQTT_CONNECTION_WAITING, 0);
    step(&conn, ev(MQTT_CONNECTION_EV_HTTP_STARTED), MQTT_CONNECTION_CONNECTING, 1,
         MQTT_CONNECTION_CMD_CONNECT);
    step(&conn, ev(MQTT_CONNECTION_EV_HTTP_STARTED), MQTT_CONNECTION_CONNECTING, 0);
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_A), MQTT_CONNECTION_CONNECTING, 0);
    assert_int_equal(conn.connect_attempts, 1);
}

static void test_http_then_network_connects_once(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    init_default(&conn);
    step(&conn, ev(MQTT_CONNECTION_EV_HTTP_STARTED), MQTT_CONNECTION_WAITING, 0);
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_B), MQTT_CONNECTION_CONNECTING, 1,
         MQTT_CONNECTION_CMD_CONNECT);
    const ipv4_address_t ip_b = IP_B;
    assert_true(ipv4_address_equal(&conn.ip, &ip_b));
    assert_int_equal(conn.connect_attempts, 1);
}

static void test_happy_path_ends_registered(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_REGISTERED);
    assert_int_equal(conn.state, MQTT_CONNECTION_REGISTERED);
    assert_int_equal(conn.pending_msg_id, -1);
    assert_int_equal(conn.connect_attempts, 1);
    assert_int_equal(conn.last_delay_ms, 0);
}

static void test_ack_after_disconnect_is_ignored(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_REGISTERING_QUEUED);
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_DISCONNECTED), MQTT_CONNECTION_BACKOFF, 2,
         MQTT_CONNECTION_CMD_ARM_RETRY_TIMER, MQTT_CONNECTION_CMD_REQUEST_LOW_POWER);
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, QUEUED_ID), MQTT_CONNECTION_BACKOFF, 0);
    step(&conn, ev(MQTT_CONNECTION_EV_RETRY_TIMER_FIRED), MQTT_CONNECTION_CONNECTING, 2,
         MQTT_CONNECTION_CMD_CLEAR_LOW_POWER, MQTT_CONNECTION_CMD_CONNECT);
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING, 1,
         MQTT_CONNECTION_CMD_PUBLISH_REGISTRATION);
    /* The old session's PUBACK arrives late: it is not the PUBACK of the current registration. */
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, QUEUED_ID), MQTT_CONNECTION_REGISTERING, 0);
    step(&conn, ev_msg(MQTT_CONNECTION_EV_PUBLISH_QUEUED, 8), MQTT_CONNECTION_REGISTERING, 0);
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, QUEUED_ID), MQTT_CONNECTION_REGISTERING, 0);
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, 8), MQTT_CONNECTION_REGISTERED, 0);
}

static void test_ack_before_the_publish_is_queued_is_ignored(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_REGISTERING);
    /* No id is pending yet, so not even an id equal to the "none" marker matches. */
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, -1), MQTT_CONNECTION_REGISTERING, 0);
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, 0), MQTT_CONNECTION_REGISTERING, 0);
}

static void test_duplicate_connected_does_not_publish_again(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_REGISTERING_QUEUED);
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING, 0);
    assert_int_equal(conn.pending_msg_id, QUEUED_ID);
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, QUEUED_ID), MQTT_CONNECTION_REGISTERED, 0);
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERED, 0);
}

static void test_ip_change_while_connecting_is_registered_after_connect(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    const ipv4_address_t ip_b = IP_B;
    enter(&conn, START_CONNECTING);
    step(&conn, ev_ip(MQTT_CONNECTION_EV_IP_CHANGED, ip_b), MQTT_CONNECTION_CONNECTING, 0);
    assert_true(ipv4_address_equal(&conn.ip, &ip_b));
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING, 1,
         MQTT_CONNECTION_CMD_PUBLISH_REGISTRATION);
    assert_true(ipv4_address_equal(&conn.ip, &ip_b)); /* the registration carries the new address */
}

static void test_ip_change_while_registering_supersedes_the_queued_registration(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_REGISTERING_QUEUED);
    step(&conn, ev_ip(MQTT_CONNECTION_EV_IP_CHANGED, (ipv4_address_t)IP_B), MQTT_CONNECTION_REGISTERING, 1,
         MQTT_CONNECTION_CMD_PUBLISH_REGISTRATION);
    /* PUBACK of the registration with the old IP: not enough. */
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, QUEUED_ID), MQTT_CONNECTION_REGISTERING, 0);
    step(&conn, ev_msg(MQTT_CONNECTION_EV_PUBLISH_QUEUED, 8), MQTT_CONNECTION_REGISTERING, 0);
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, 8), MQTT_CONNECTION_REGISTERED, 0);
}

static void test_ip_change_while_registered_registers_again(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_REGISTERED);
    step(&conn, ev_ip(MQTT_CONNECTION_EV_IP_CHANGED, (ipv4_address_t)IP_B), MQTT_CONNECTION_REGISTERING, 1,
         MQTT_CONNECTION_CMD_PUBLISH_REGISTRATION);
    step(&conn, ev_ip(MQTT_CONNECTION_EV_IP_CHANGED, (ipv4_address_t)IP_B), MQTT_CONNECTION_REGISTERING, 0);
    step(&conn, ev_ip(MQTT_CONNECTION_EV_IP_CHANGED, (ipv4_address_t)IP_A), MQTT_CONNECTION_REGISTERING, 1,
         MQTT_CONNECTION_CMD_PUBLISH_REGISTRATION);
}

static void test_network_down_during_backoff_waits_for_network_up(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_BACKOFF);
    step(&conn, ev(MQTT_CONNECTION_EV_NETWORK_DOWN), MQTT_CONNECTION_WAITING, 2,
         MQTT_CONNECTION_CMD_CANCEL_RETRY_TIMER, MQTT_CONNECTION_CMD_CLEAR_LOW_POWER);
    /* The timer callback was already posted before the cancel: stale. */
    step(&conn, ev(MQTT_CONNECTION_EV_RETRY_TIMER_FIRED), MQTT_CONNECTION_WAITING, 0);
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_B), MQTT_CONNECTION_CONNECTING, 1,
         MQTT_CONNECTION_CMD_CONNECT);
    assert_int_equal(conn.connect_attempts, 2);
}

static void test_late_session_in_backoff_is_dropped_and_the_retry_goes_on(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_BACKOFF);
    const uint32_t failures = conn.policy.attempt;
    /* The client reported the failure (or was stopped by us): a CONNECTED now belongs to a session already
     * given up, which no PUBACK or DISCONNECTED will ever follow. Drop it and keep waiting. */
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_BACKOFF, 1,
         MQTT_CONNECTION_CMD_DISCONNECT);
    assert_int_equal(conn.policy.attempt, failures);
    step(&conn, ev(MQTT_CONNECTION_EV_RETRY_TIMER_FIRED), MQTT_CONNECTION_CONNECTING, 2,
         MQTT_CONNECTION_CMD_CLEAR_LOW_POWER, MQTT_CONNECTION_CMD_CONNECT);
}

static void test_network_down_while_connecting_refuses_the_late_session(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_CONNECTING);
    step(&conn, ev(MQTT_CONNECTION_EV_NETWORK_DOWN), MQTT_CONNECTION_WAITING, 1,
         MQTT_CONNECTION_CMD_DISCONNECT);
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_WAITING, 1,
         MQTT_CONNECTION_CMD_DISCONNECT);
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_DISCONNECTED), MQTT_CONNECTION_WAITING, 0);
}

/* Fails the current attempt (from CONNECTING) and returns the delay armed. */
static uint32_t fail_attempt(mqtt_connection_t *conn)
{
    const mqtt_connection_commands_t out =
        step(conn, ev(MQTT_CONNECTION_EV_MQTT_DISCONNECTED), MQTT_CONNECTION_BACKOFF, 2,
             MQTT_CONNECTION_CMD_ARM_RETRY_TIMER, MQTT_CONNECTION_CMD_REQUEST_LOW_POWER);
    assert_int_equal(conn->last_delay_ms, out.items[0].delay_ms);
    return out.items[0].delay_ms;
}

static void retry(mqtt_connection_t *conn)
{
    step(conn, ev(MQTT_CONNECTION_EV_RETRY_TIMER_FIRED), MQTT_CONNECTION_CONNECTING, 2,
         MQTT_CONNECTION_CMD_CLEAR_LOW_POWER, MQTT_CONNECTION_CMD_CONNECT);
}

static void test_failed_attempts_follow_the_retry_schedule(void **state)
{
    (void)state;
    static const uint32_t expected_s[] = {30, 60, 120, 240, 480, 960, 1920, 3600, 3600};
    mqtt_connection_t conn;
    enter(&conn, START_CONNECTING);
    for (size_t i = 0; i < sizeof(expected_s) / sizeof(expected_s[0]); i++) {
        assert_int_equal(fail_attempt(&conn), expected_s[i] * 1000u);
        retry(&conn);
    }
    assert_int_equal(conn.connect_attempts, 1 + sizeof(expected_s) / sizeof(expected_s[0]));
}

static void test_successful_connect_resets_the_schedule(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_CONNECTING);
    assert_int_equal(fail_attempt(&conn), 30000);
    retry(&conn);
    assert_int_equal(fail_attempt(&conn), 60000);
    retry(&conn);
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING, 1,
         MQTT_CONNECTION_CMD_PUBLISH_REGISTRATION);
    assert_int_equal(fail_attempt(&conn), 30000);
}

static void test_network_down_does_not_reset_the_schedule(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_CONNECTING);
    assert_int_equal(fail_attempt(&conn), 30000);
    retry(&conn);
    assert_int_equal(fail_attempt(&conn), 60000);
    step(&conn, ev(MQTT_CONNECTION_EV_NETWORK_DOWN), MQTT_CONNECTION_WAITING, 2,
         MQTT_CONNECTION_CMD_CANCEL_RETRY_TIMER, MQTT_CONNECTION_CMD_CLEAR_LOW_POWER);
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_A), MQTT_CONNECTION_CONNECTING, 1,
         MQTT_CONNECTION_CMD_CONNECT);
    assert_int_equal(fail_attempt(&conn), 120000);
}

static void test_publish_failed_drops_the_connection_and_retries(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_REGISTERING);
    const mqtt_connection_commands_t out =
        step(&conn, ev(MQTT_CONNECTION_EV_PUBLISH_FAILED), MQTT_CONNECTION_BACKOFF, 3,
             MQTT_CONNECTION_CMD_DISCONNECT, MQTT_CONNECTION_CMD_ARM_RETRY_TIMER,
             MQTT_CONNECTION_CMD_REQUEST_LOW_POWER);
    assert_int_equal(out.items[1].delay_ms, 30000);
    /* The DISCONNECTED our own disconnect causes is not a second failure. */
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_DISCONNECTED), MQTT_CONNECTION_BACKOFF, 0);
    assert_int_equal(conn.policy.attempt, 1);
    retry(&conn);
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING, 1,
         MQTT_CONNECTION_CMD_PUBLISH_REGISTRATION);
}

static void test_error_events_only_record_the_code(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_CONNECTING);
    step(&conn, ev_code(MQTT_CONNECTION_EV_MQTT_ERROR, 42), MQTT_CONNECTION_CONNECTING, 0);
    assert_int_equal(conn.last_code, 42);
    step(&conn, ev_code(MQTT_CONNECTION_EV_MQTT_DISCONNECTED, -3), MQTT_CONNECTION_BACKOFF, 2,
         MQTT_CONNECTION_CMD_ARM_RETRY_TIMER, MQTT_CONNECTION_CMD_REQUEST_LOW_POWER);
    assert_int_equal(conn.last_code, -3);
}

static void test_jitter_takes_the_random_value_of_the_event(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    retry_policy_config_t config = retry_policy_default_config();
    config.jitter_percent = 50;
    assert_int_equal(mqtt_connection_init(&conn, &config), DOMAIN_OK);
    step(&conn, ev(MQTT_CONNECTION_EV_HTTP_STARTED), MQTT_CONNECTION_WAITING, 0);
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_A), MQTT_CONNECTION_CONNECTING, 1,
         MQTT_CONNECTION_CMD_CONNECT);
    mqtt_connection_event_t failed = ev(MQTT_CONNECTION_EV_MQTT_DISCONNECTED);
    failed.random_value = 1000;
    const mqtt_connection_commands_t out =
        step(&conn, failed, MQTT_CONNECTION_BACKOFF, 2, MQTT_CONNECTION_CMD_ARM_RETRY_TIMER,
             MQTT_CONNECTION_CMD_REQUEST_LOW_POWER);
    assert_int_equal(out.items[0].delay_ms, 15000);
    assert_int_equal(conn.last_delay_ms, 15000);
}

static void test_custom_retry_config_is_used(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    const retry_policy_config_t config = {
        .initial_ms = 100, .max_ms = 250, .multiplier = 2, .jitter_percent = 0};
    assert_int_equal(mqtt_connection_init(&conn, &config), DOMAIN_OK);
    step(&conn, ev(MQTT_CONNECTION_EV_HTTP_STARTED), MQTT_CONNECTION_WAITING, 0);
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_A), MQTT_CONNECTION_CONNECTING, 1,
         MQTT_CONNECTION_CMD_CONNECT);
    assert_int_equal(fail_attempt(&conn), 100);
    retry(&conn);
    assert_int_equal(fail_attempt(&conn), 200);
    retry(&conn);
    assert_int_equal(fail_attempt(&conn), 250);
}

/* ---- the attempt watchdog ---- */

static void test_watchdog_is_armed_with_every_connect_and_is_not_a_retry(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter_with(&conn, START_CONNECTING, ATTEMPT_TIMEOUT_MS);
    assert_int_equal(conn.attempt_timeout_ms, ATTEMPT_TIMEOUT_MS);
    assert_int_equal(conn.last_delay_ms, 0);
    assert_int_equal(conn.policy.attempt, 0);
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_DISCONNECTED), MQTT_CONNECTION_BACKOFF, 2,
         MQTT_CONNECTION_CMD_ARM_RETRY_TIMER, MQTT_CONNECTION_CMD_REQUEST_LOW_POWER);
    const mqtt_connection_commands_t out =
        step(&conn, ev(MQTT_CONNECTION_EV_RETRY_TIMER_FIRED), MQTT_CONNECTION_CONNECTING, 3,
             MQTT_CONNECTION_CMD_CLEAR_LOW_POWER, MQTT_CONNECTION_CMD_CONNECT,
             MQTT_CONNECTION_CMD_ARM_RETRY_TIMER);
    assert_int_equal(out.items[2].delay_ms, ATTEMPT_TIMEOUT_MS);
    assert_int_equal(conn.last_delay_ms, FIRST_DELAY_MS); /* still the retry's */
}

static void test_attempt_timeout_abandons_the_attempt_and_counts_as_a_failure(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter_with(&conn, START_CONNECTING, ATTEMPT_TIMEOUT_MS);
    mqtt_connection_commands_t out =
        step(&conn, ev(MQTT_CONNECTION_EV_RETRY_TIMER_FIRED), MQTT_CONNECTION_BACKOFF, 3,
             MQTT_CONNECTION_CMD_DISCONNECT, MQTT_CONNECTION_CMD_ARM_RETRY_TIMER,
             MQTT_CONNECTION_CMD_REQUEST_LOW_POWER);
    assert_int_equal(out.items[1].delay_ms, 30000);
    assert_int_equal(conn.policy.attempt, 1);
    assert_int_equal(conn.last_delay_ms, 30000);
    /* The DISCONNECTED our own disconnect may cause is not a second failure. */
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_DISCONNECTED), MQTT_CONNECTION_BACKOFF, 0);
    assert_int_equal(conn.policy.attempt, 1);
    /* The retry is watched too; a second time-out doubles the delay like any failure. */
    step(&conn, ev(MQTT_CONNECTION_EV_RETRY_TIMER_FIRED), MQTT_CONNECTION_CONNECTING, 3,
         MQTT_CONNECTION_CMD_CLEAR_LOW_POWER, MQTT_CONNECTION_CMD_CONNECT,
         MQTT_CONNECTION_CMD_ARM_RETRY_TIMER);
    out = step(&conn, ev(MQTT_CONNECTION_EV_RETRY_TIMER_FIRED), MQTT_CONNECTION_BACKOFF, 3,
               MQTT_CONNECTION_CMD_DISCONNECT, MQTT_CONNECTION_CMD_ARM_RETRY_TIMER,
               MQTT_CONNECTION_CMD_REQUEST_LOW_POWER);
    assert_int_equal(out.items[1].delay_ms, 60000);
    assert_int_equal(conn.connect_attempts, 2);
}

static void test_attempt_timeout_takes_the_random_value_of_the_event(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    retry_policy_config_t config = retry_policy_default_config();
    config.jitter_percent = 50;
    assert_int_equal(mqtt_connection_init(&conn, &config), DOMAIN_OK);
    assert_int_equal(mqtt_connection_set_attempt_timeout(&conn, ATTEMPT_TIMEOUT_MS), DOMAIN_OK);
    step(&conn, ev(MQTT_CONNECTION_EV_HTTP_STARTED), MQTT_CONNECTION_WAITING, 0);
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_A), MQTT_CONNECTION_CONNECTING, 2,
         MQTT_CONNECTION_CMD_CONNECT, MQTT_CONNECTION_CMD_ARM_RETRY_TIMER);
    mqtt_connection_event_t fired = ev(MQTT_CONNECTION_EV_RETRY_TIMER_FIRED);
    fired.random_value = 1000;
    const mqtt_connection_commands_t out =
        step(&conn, fired, MQTT_CONNECTION_BACKOFF, 3, MQTT_CONNECTION_CMD_DISCONNECT,
             MQTT_CONNECTION_CMD_ARM_RETRY_TIMER, MQTT_CONNECTION_CMD_REQUEST_LOW_POWER);
    assert_int_equal(out.items[1].delay_ms, 15000);
}

static void test_late_success_after_an_attempt_timeout_is_refused(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter_with(&conn, START_CONNECTING, ATTEMPT_TIMEOUT_MS);
    step(&conn, ev(MQTT_CONNECTION_EV_RETRY_TIMER_FIRED), MQTT_CONNECTION_BACKOFF, 3,
         MQTT_CONNECTION_CMD_DISCONNECT, MQTT_CONNECTION_CMD_ARM_RETRY_TIMER,
         MQTT_CONNECTION_CMD_REQUEST_LOW_POWER);
    /* The attempt succeeded while the client was being stopped: that session is gone (ESP-MQTT would
     * still queue a publish on the stopped client, and nothing would ever acknowledge it). */
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_BACKOFF, 1,
         MQTT_CONNECTION_CMD_DISCONNECT);
    assert_int_equal(conn.policy.attempt, 1);
}

static void test_network_down_while_connecting_cancels_the_watchdog(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter_with(&conn, START_CONNECTING, ATTEMPT_TIMEOUT_MS);
    step(&conn, ev(MQTT_CONNECTION_EV_NETWORK_DOWN), MQTT_CONNECTION_WAITING, 2,
         MQTT_CONNECTION_CMD_DISCONNECT, MQTT_CONNECTION_CMD_CANCEL_RETRY_TIMER);
    /* An expiry posted before the cancel is stale: nothing is attempted until network up. */
    step(&conn, ev(MQTT_CONNECTION_EV_RETRY_TIMER_FIRED), MQTT_CONNECTION_WAITING, 0);
    assert_int_equal(conn.policy.attempt, 0);
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_A), MQTT_CONNECTION_CONNECTING, 2,
         MQTT_CONNECTION_CMD_CONNECT, MQTT_CONNECTION_CMD_ARM_RETRY_TIMER);
}

static void test_attempt_timeout_zero_turns_the_watchdog_off(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    init_default(&conn);
    assert_int_equal(conn.attempt_timeout_ms, 0);
    assert_int_equal(mqtt_connection_set_attempt_timeout(&conn, ATTEMPT_TIMEOUT_MS), DOMAIN_OK);
    assert_int_equal(mqtt_connection_set_attempt_timeout(&conn, 0), DOMAIN_OK);
    step(&conn, ev(MQTT_CONNECTION_EV_HTTP_STARTED), MQTT_CONNECTION_WAITING, 0);
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_A), MQTT_CONNECTION_CONNECTING, 1,
         MQTT_CONNECTION_CMD_CONNECT);
    step(&conn, ev(MQTT_CONNECTION_EV_RETRY_TIMER_FIRED), MQTT_CONNECTION_CONNECTING, 0);
}

static void test_set_attempt_timeout_rejects_a_missing_entity(void **state)
{
    (void)state;
    assert_int_equal(mqtt_connection_set_attempt_timeout(NULL, 1000), DOMAIN_ERR_INVALID_ARG);
}

/* ---- register again ---- */

static void test_register_again_supersedes_the_pending_registration(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_REGISTERING_QUEUED);
    step(&conn, ev(MQTT_CONNECTION_EV_REGISTER_AGAIN), MQTT_CONNECTION_REGISTERING, 1,
         MQTT_CONNECTION_CMD_PUBLISH_REGISTRATION);
    assert_int_equal(conn.pending_msg_id, -1);
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, QUEUED_ID), MQTT_CONNECTION_REGISTERING, 0);
    step(&conn, ev_msg(MQTT_CONNECTION_EV_PUBLISH_QUEUED, 8), MQTT_CONNECTION_REGISTERING, 0);
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, 8), MQTT_CONNECTION_REGISTERED, 0);
}

static void test_refused_registration_again_backs_off_and_registers_on_the_retry(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_REGISTERED);
    step(&conn, ev(MQTT_CONNECTION_EV_REGISTER_AGAIN), MQTT_CONNECTION_REGISTERING, 1,
         MQTT_CONNECTION_CMD_PUBLISH_REGISTRATION);
    step(&conn, ev(MQTT_CONNECTION_EV_PUBLISH_FAILED), MQTT_CONNECTION_BACKOFF, 3,
         MQTT_CONNECTION_CMD_DISCONNECT, MQTT_CONNECTION_CMD_ARM_RETRY_TIMER,
         MQTT_CONNECTION_CMD_REQUEST_LOW_POWER);
    step(&conn, ev(MQTT_CONNECTION_EV_REGISTER_AGAIN), MQTT_CONNECTION_BACKOFF, 0);
    step(&conn, ev(MQTT_CONNECTION_EV_RETRY_TIMER_FIRED), MQTT_CONNECTION_CONNECTING, 2,
         MQTT_CONNECTION_CMD_CLEAR_LOW_POWER, MQTT_CONNECTION_CMD_CONNECT);
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING, 1,
         MQTT_CONNECTION_CMD_PUBLISH_REGISTRATION);
}

static void test_init_starts_waiting_with_nothing_pending(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    memset(&conn, 0x55, sizeof(conn));
    assert_int_equal(mqtt_connection_init(&conn, NULL), DOMAIN_OK);
    assert_int_equal(conn.state, MQTT_CONNECTION_WAITING);
    assert_false(conn.network_up);
    assert_false(conn.http_started);
    assert_int_equal(conn.pending_msg_id, -1);
    assert_int_equal(conn.last_delay_ms, 0);
    assert_int_equal(conn.connect_attempts, 0);
    assert_int_equal(conn.policy.attempt, 0);
    assert_int_equal(conn.policy.config.initial_ms, RETRY_POLICY_DEFAULT_INITIAL_MS);
    assert_int_equal(conn.attempt_timeout_ms, 0);
}

static void test_init_rejects_bad_arguments(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    const retry_policy_config_t bad = {.initial_ms = 0, .max_ms = 10, .multiplier = 2, .jitter_percent = 0};
    assert_int_equal(mqtt_connection_init(NULL, NULL), DOMAIN_ERR_INVALID_ARG);
    assert_int_equal(mqtt_connection_init(&conn, &bad), DOMAIN_ERR_RETRY_CONFIG);
}

static void test_handle_tolerates_missing_and_unknown_input(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    mqtt_connection_commands_t out;
    enter(&conn, START_CONNECTING);
    out.count = 3;
    assert_int_equal(mqtt_connection_handle(&conn, NULL, &out), MQTT_CONNECTION_CONNECTING);
    assert_int_equal(out.count, 0);
    out.count = 3;
    assert_int_equal(mqtt_connection_handle(NULL, NULL, &out), MQTT_CONNECTION_WAITING);
    assert_int_equal(out.count, 0);
    const mqtt_connection_event_t unknown = ev(MQTT_CONNECTION_EV_COUNT);
    assert_int_equal(mqtt_connection_handle(&conn, &unknown, &out), MQTT_CONNECTION_CONNECTING);
    assert_int_equal(out.count, 0);
    /* Without an output the transition still happens. */
    const mqtt_connection_event_t connected = ev(MQTT_CONNECTION_EV_MQTT_CONNECTED);
    assert_int_equal(mqtt_connection_handle(&conn, &connected, NULL), MQTT_CONNECTION_REGISTERING);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(mqtt_connection_state_to_str(MQTT_CONNECTION_WAITING), "waiting");
    assert_string_equal(mqtt_connection_state_to_str(MQTT_CONNECTION_CONNECTING), "connecting");
    assert_string_equal(mqtt_connection_state_to_str(MQTT_CONNECTION_REGISTERING), "registering");
    assert_string_equal(mqtt_connection_state_to_str(MQTT_CONNECTION_REGISTERED), "registered");
    assert_string_equal(mqtt_connection_state_to_str(MQTT_CONNECTION_BACKOFF), "backoff");
    assert_string_equal(mqtt_connection_state_to_str(MQTT_CONNECTION_STATE_COUNT), "unknown");
    assert_string_equal(mqtt_connection_event_to_str(MQTT_CONNECTION_EV_NETWORK_UP), "network_up");
    assert_string_equal(mqtt_connection_event_to_str(MQTT_CONNECTION_EV_RETRY_TIMER_FIRED),
                        "retry_timer_fired");
    assert_string_equal(mqtt_connection_event_to_str(MQTT_CONNECTION_EV_REGISTER_AGAIN), "register_again");
    assert_string_equal(mqtt_connection_event_to_str(MQTT_CONNECTION_EV_COUNT), "unknown");
    assert_string_equal(mqtt_connection_command_to_str(MQTT_CONNECTION_CMD_ARM_RETRY_TIMER),
                        "arm_retry_timer");
    assert_string_equal(mqtt_connection_command_to_str(MQTT_CONNECTION_CMD_COUNT), "unknown");
    for (int k = 0; k < MQTT_CONNECTION_EV_COUNT; k++) {
        assert_string_not_equal(mqtt_connection_event_to_str((mqtt_connection_event_kind_t)k), "unknown");
    }
    for (int k = 0; k < MQTT_CONNECTION_CMD_COUNT; k++) {
        assert_string_not_equal(mqtt_connection_command_to_str((mqtt_connection_command_kind_t)k), "unknown");
    }
}

/* One cmocka test per row, named "<start> + <event>" (with " (no watchdog)" for the second table). */
static void fill_table(struct CMUnitTest *table, char (*names)[96], const transition_t *rows, size_t count,
                       const char *suffix)
{
    for (size_t i = 0; i < count; i++) {
        snprintf(names[i], sizeof(names[i]), "%s + %s%s", START_NAMES[rows[i].start],
                 EVENTS[rows[i].event].name, suffix);
        table[i].name = names[i];
        table[i].test_func = test_transition;
        table[i].setup_func = NULL;
        table[i].teardown_func = NULL;
        table[i].initial_state = (void *)&rows[i];
    }
}

int main(void)
{
    static struct CMUnitTest table[TRANSITION_COUNT];
    static char names[TRANSITION_COUNT][96];
    static struct CMUnitTest no_watchdog_table[NO_WATCHDOG_TRANSITION_COUNT];
    static char no_watchdog_names[NO_WATCHDOG_TRANSITION_COUNT][96];
    fill_table(table, names, TRANSITIONS, TRANSITION_COUNT, "");
    fill_table(no_watchdog_table, no_watchdog_names, NO_WATCHDOG_TRANSITIONS, NO_WATCHDOG_TRANSITION_COUNT,
               " (no watchdog)");
    const struct CMUnitTest sequences[] = {
        cmocka_unit_test(test_table_covers_every_state_and_event),
        cmocka_unit_test(test_no_watchdog_rows_are_unique_and_unwatched),
        cmocka_unit_test(test_network_then_http_connects_once),
        cmocka_unit_test(test_http_then_network_connects_once),
        cmocka_unit_test(test_happy_path_ends_registered),
        cmocka_unit_test(test_ack_after_disconnect_is_ignored),
        cmocka_unit_test(test_ack_before_the_publish_is_queued_is_ignored),
        cmocka_unit_test(test_duplicate_connected_does_not_publish_again),
        cmocka_unit_test(test_ip_change_while_connecting_is_registered_after_connect),
        cmocka_unit_test(test_ip_change_while_registering_supersedes_the_queued_registration),
        cmocka_unit_test(test_ip_change_while_registered_registers_again),
        cmocka_unit_test(test_network_down_during_backoff_waits_for_network_up),
        cmocka_unit_test(test_late_session_in_backoff_is_dropped_and_the_retry_goes_on),
        cmocka_unit_test(test_network_down_while_connecting_refuses_the_late_session),
        cmocka_unit_test(test_failed_attempts_follow_the_retry_schedule),
        cmocka_unit_test(test_successful_connect_resets_the_schedule),
        cmocka_unit_test(test_network_down_does_not_reset_the_schedule),
        cmocka_unit_test(test_publish_failed_drops_the_connection_and_retries),
        cmocka_unit_test(test_error_events_only_record_the_code),
        cmocka_unit_test(test_jitter_takes_the_random_value_of_the_event),
        cmocka_unit_test(test_custom_retry_config_is_used),
        cmocka_unit_test(test_watchdog_is_armed_with_every_connect_and_is_not_a_retry),
        cmocka_unit_test(test_attempt_timeout_abandons_the_attempt_and_counts_as_a_failure),
        cmocka_unit_test(test_attempt_timeout_takes_the_random_value_of_the_event),
        cmocka_unit_test(test_late_success_after_an_attempt_timeout_is_refused),
        cmocka_unit_test(test_network_down_while_connecting_cancels_the_watchdog),
        cmocka_unit_test(test_attempt_timeout_zero_turns_the_watchdog_off),
        cmocka_unit_test(test_set_attempt_timeout_rejects_a_missing_entity),
        cmocka_unit_test(test_register_again_supersedes_the_pending_registration),
        cmocka_unit_test(test_refused_registration_again_backs_off_and_registers_on_the_retry),
        cmocka_unit_test(test_init_starts_waiting_with_nothing_pending),
        cmocka_unit_test(test_init_rejects_bad_arguments),
        cmocka_unit_test(test_handle_tolerates_missing_and_unknown_input),
        cmocka_unit_test(test_names),
    };
    const int table_failures =
        _cmocka_run_group_tests("mqtt_connection_transitions", table, TRANSITION_COUNT, NULL, NULL);
    const int no_watchdog_failures =
        _cmocka_run_group_tests("mqtt_connection_transitions_no_watchdog", no_watchdog_table,
                                NO_WATCHDOG_TRANSITION_COUNT, NULL, NULL);
    const int sequence_failures =
        cmocka_run_group_tests_name("mqtt_connection_sequences", sequences, NULL, NULL);
    return table_failures + no_watchdog_failures + sequence_failures;
}
