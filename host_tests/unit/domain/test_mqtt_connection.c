/*
 * mqtt_connection: the connection lifecycle state machine. This file holds the transition table and the
 * retry schedule; test_mqtt_connection_timing.c follows the timers (attempt watchdog, registration timeout,
 * refresh, liveness), the broker list, IP changes, low power and mqtt_connection_set_timing through longer
 * runs.
 *
 * Part 1 is the transition table: every start state (WAITING in its three flavours, CONNECTING,
 * REGISTERING with and without a queued registration, REGISTERED, BACKOFF after a failure and after an IP
 * change) crossed with every event, each row its own cmocka test with the expected new state, pending msg
 * id and exact command list (delays and broker index included), plus the header's rules checked on every
 * row whatever it expects. The base table is the configuration the application uses by default: one
 * broker and the attempt watchdog. It runs again in three more configurations (no timer at all; every
 * timer; two brokers), each listing only the rows that differ: an unlisted row must hold unchanged there,
 * and a listed row must really differ from the base. The same rules are then checked after every event of
 * long pseudo-random runs (fixed seed) that reach what the start states do not.
 * Part 2 walks through the unusual orders a real broker and network produce, and the retry schedule.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "domain/mqtt_connection.h"
#include "mqtt_connection_test_support.h"

#define QUEUED_ID               7
#define FIRST_DELAY_MS          30000u
#define ATTEMPT_TIMEOUT_MS      25000u
#define REGISTRATION_TIMEOUT_MS 10000u
#define REFRESH_MS              60000u
#define LIVENESS_MS             20000u
#define RECONNECT_MS            MQTT_CONNECTION_DEFAULT_RECONNECT_MS
/* The header: "the longest transitions emit three commands". */
#define LONGEST_TRANSITION 3u

static void init_default(mqtt_connection_t *conn)
{
    assert_int_equal(mqtt_connection_init(conn, NULL), DOMAIN_OK);
}

/* Applies an event where only the state reached matters (getting to a start state). */
static void drive(mqtt_connection_t *conn, mqtt_connection_event_t event, mqtt_connection_state_t expected)
{
    mqtt_connection_commands_t out;
    assert_int_equal(mqtt_connection_handle(conn, &event, &out), expected);
}

/* ---- part 1: the transition table ---- */

typedef enum {
    PROFILE_BASE = 0,    /* the base table: one broker, the attempt watchdog, nothing else */
    PROFILE_PLAIN,       /* no timer at all */
    PROFILE_TIMERS,      /* watchdog, registration timeout, refresh and liveness ticks */
    PROFILE_TWO_BROKERS, /* the watchdog and a list of two brokers */
    PROFILE_COUNT
} profile_t;

static const struct {
    const char *suffix; /* appended to the test names */
    const char *group;
    mqtt_connection_timing_t timing;
} PROFILES[PROFILE_COUNT] = {
    [PROFILE_BASE] = {"", "mqtt_connection_transitions", {.attempt_timeout_ms = ATTEMPT_TIMEOUT_MS}},
    [PROFILE_PLAIN] = {" (no timer)", "mqtt_connection_transitions_no_timer", {.attempt_timeout_ms = 0}},
    [PROFILE_TIMERS] = {" (every timer)",
                        "mqtt_connection_transitions_every_timer",
                        {.attempt_timeout_ms = ATTEMPT_TIMEOUT_MS,
                         .registration_timeout_ms = REGISTRATION_TIMEOUT_MS,
                         .refresh_interval_ms = REFRESH_MS,
                         .liveness_interval_ms = LIVENESS_MS}},
    [PROFILE_TWO_BROKERS] = {" (two brokers)",
                             "mqtt_connection_transitions_two_brokers",
                             {.attempt_timeout_ms = ATTEMPT_TIMEOUT_MS, .broker_count = 2}},
};

typedef enum {
    START_WAITING_IDLE = 0,     /* nothing yet */
    START_WAITING_HTTP_ONLY,    /* HTTP started, network down */
    START_WAITING_NETWORK_ONLY, /* network up (IP_A), HTTP not started */
    START_CONNECTING,           /* both up, CONNECT issued */
    START_REGISTERING,          /* connected, registration not yet queued (pending -1) */
    START_REGISTERING_QUEUED,   /* connected, registration queued as QUEUED_ID */
    START_REGISTERED,           /* PUBACK of QUEUED_ID received */
    START_BACKOFF,              /* the first attempt failed (DISCONNECTED), the timer armed */
    START_BACKOFF_RECONNECT,    /* an IP change while connecting (then back to IP_A): the quick reconnect */
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
    "backoff(reconnect)",
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
    EV_SESSION_LOST,
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
    [EV_SESSION_LOST] = {"session_lost", {.kind = MQTT_CONNECTION_EV_SESSION_LOST}},
};

typedef struct {
    profile_t profile; /* PROFILE_BASE in the base table; the configuration of a row that differs */
    start_t start;
    event_id_t event;
    mqtt_connection_state_t state;
    int32_t pending_msg_id;
    size_t count;
    mqtt_connection_command_t commands[MQTT_CONNECTION_MAX_COMMANDS];
} transition_t;

/* One command of a row: CMD(DISCONNECT, 0, 0) and the short names below. */
#define CMD(kind_, delay_, broker_)                                                          \
    {                                                                                        \
        .kind = MQTT_CONNECTION_CMD_##kind_, .delay_ms = (delay_), .broker_index = (broker_) \
    }
#define CONNECT_TO(broker) CMD(CONNECT, 0, broker)
#define CONNECT            CONNECT_TO(0)
#define DISCONNECT         CMD(DISCONNECT, 0, 0)
#define PUBLISH            CMD(PUBLISH_REGISTRATION, 0, 0)
#define ARM(ms)            CMD(ARM_RETRY_TIMER, ms, 0)
#define RETRY              ARM(FIRST_DELAY_MS)
#define WATCHDOG           ARM(ATTEMPT_TIMEOUT_MS)
#define RECONNECT          ARM(RECONNECT_MS)
#define REG_TIMEOUT        ARM(REGISTRATION_TIMEOUT_MS)
#define TICK               ARM(LIVENESS_MS)
#define CANCEL             CMD(CANCEL_RETRY_TIMER, 0, 0)
#define LOW_POWER          CMD(REQUEST_LOW_POWER, 0, 0)
#define CLEAR_LOW_POWER    CMD(CLEAR_LOW_POWER, 0, 0)
#define ONLINE             CMD(PUBLISH_ONLINE, 0, 0)
#define CHECK              CMD(CHECK_SESSION, 0, 0)

#define COMMAND_COUNT(...) \
    (sizeof((mqtt_connection_command_t[]){__VA_ARGS__}) / sizeof(mqtt_connection_command_t))
/* ROW(profile, start, event, new state, pending msg id after, commands...); ROW0 emits nothing. */
#define ROW(profile_, start_, event_, state_, pending_, ...)                          \
    {                                                                                 \
        .profile = PROFILE_##profile_, .start = START_##start_, .event = EV_##event_, \
        .state = MQTT_CONNECTION_##state_, .pending_msg_id = (pending_),              \
        .count = COMMAND_COUNT(__VA_ARGS__), .commands = {                            \
            __VA_ARGS__                                                               \
        }                                                                             \
    }
#define ROW0(profile_, start_, event_, state_, pending_)                              \
    {                                                                                 \
        .profile = PROFILE_##profile_, .start = START_##start_, .event = EV_##event_, \
        .state = MQTT_CONNECTION_##state_, .pending_msg_id = (pending_), .count = 0   \
    }
/* The base table: T with commands, T0 without. */
#define T(start, event, state, pending, ...) ROW(BASE, start, event, state, pending, __VA_ARGS__)
#define T0(start, event, state, pending)     ROW0(BASE, start, event, state, pending)

static const transition_t TRANSITIONS[] = {
    /* WAITING, nothing started: only the flags move; a late CONNECTED is refused. */
    T0(WAITING_IDLE, NETWORK_UP_SAME_IP, WAITING, -1),
    T0(WAITING_IDLE, NETWORK_UP_NEW_IP, WAITING, -1),
    T0(WAITING_IDLE, NETWORK_DOWN, WAITING, -1),
    T0(WAITING_IDLE, IP_CHANGED_SAME, WAITING, -1),
    T0(WAITING_IDLE, IP_CHANGED_NEW, WAITING, -1),
    T0(WAITING_IDLE, HTTP_STARTED, WAITING, -1),
    T(WAITING_IDLE, CONNECTED, WAITING, -1, DISCONNECT),
    T0(WAITING_IDLE, DISCONNECTED, WAITING, -1),
    T0(WAITING_IDLE, ERROR, WAITING, -1),
    T0(WAITING_IDLE, PUBLISH_QUEUED, WAITING, -1),
    T0(WAITING_IDLE, PUBLISH_FAILED, WAITING, -1),
    T0(WAITING_IDLE, ACK_PENDING_ID, WAITING, -1),
    T0(WAITING_IDLE, ACK_OTHER_ID, WAITING, -1),
    T0(WAITING_IDLE, RETRY_TIMER, WAITING, -1),
    T0(WAITING_IDLE, REGISTER_AGAIN, WAITING, -1),
    T0(WAITING_IDLE, SESSION_LOST, WAITING, -1),

    /* WAITING with HTTP started: network up is the missing piece; the attempt is watched. */
    T(WAITING_HTTP_ONLY, NETWORK_UP_SAME_IP, CONNECTING, -1, CONNECT, WATCHDOG),
    T(WAITING_HTTP_ONLY, NETWORK_UP_NEW_IP, CONNECTING, -1, CONNECT, WATCHDOG),
    T0(WAITING_HTTP_ONLY, NETWORK_DOWN, WAITING, -1),
    T0(WAITING_HTTP_ONLY, IP_CHANGED_SAME, WAITING, -1),
    T0(WAITING_HTTP_ONLY, IP_CHANGED_NEW, WAITING, -1),
    T0(WAITING_HTTP_ONLY, HTTP_STARTED, WAITING, -1),
    T(WAITING_HTTP_ONLY, CONNECTED, WAITING, -1, DISCONNECT),
    T0(WAITING_HTTP_ONLY, DISCONNECTED, WAITING, -1),
    T0(WAITING_HTTP_ONLY, ERROR, WAITING, -1),
    T0(WAITING_HTTP_ONLY, PUBLISH_QUEUED, WAITING, -1),
    T0(WAITING_HTTP_ONLY, PUBLISH_FAILED, WAITING, -1),
    T0(WAITING_HTTP_ONLY, ACK_PENDING_ID, WAITING, -1),
    T0(WAITING_HTTP_ONLY, ACK_OTHER_ID, WAITING, -1),
    T0(WAITING_HTTP_ONLY, RETRY_TIMER, WAITING, -1),
    T0(WAITING_HTTP_ONLY, REGISTER_AGAIN, WAITING, -1),
    T0(WAITING_HTTP_ONLY, SESSION_LOST, WAITING, -1),

    /* WAITING with the network up: HTTP started is the missing piece; a new address is only recorded. */
    T0(WAITING_NETWORK_ONLY, NETWORK_UP_SAME_IP, WAITING, -1),
    T0(WAITING_NETWORK_ONLY, NETWORK_UP_NEW_IP, WAITING, -1),
    T0(WAITING_NETWORK_ONLY, NETWORK_DOWN, WAITING, -1),
    T0(WAITING_NETWORK_ONLY, IP_CHANGED_SAME, WAITING, -1),
    T0(WAITING_NETWORK_ONLY, IP_CHANGED_NEW, WAITING, -1),
    T(WAITING_NETWORK_ONLY, HTTP_STARTED, CONNECTING, -1, CONNECT, WATCHDOG),
    T(WAITING_NETWORK_ONLY, CONNECTED, WAITING, -1, DISCONNECT),
    T0(WAITING_NETWORK_ONLY, DISCONNECTED, WAITING, -1),
    T0(WAITING_NETWORK_ONLY, ERROR, WAITING, -1),
    T0(WAITING_NETWORK_ONLY, PUBLISH_QUEUED, WAITING, -1),
    T0(WAITING_NETWORK_ONLY, PUBLISH_FAILED, WAITING, -1),
    T0(WAITING_NETWORK_ONLY, ACK_PENDING_ID, WAITING, -1),
    T0(WAITING_NETWORK_ONLY, ACK_OTHER_ID, WAITING, -1),
    T0(WAITING_NETWORK_ONLY, RETRY_TIMER, WAITING, -1),
    T0(WAITING_NETWORK_ONLY, REGISTER_AGAIN, WAITING, -1),
    T0(WAITING_NETWORK_ONLY, SESSION_LOST, WAITING, -1),

    /* CONNECTING: connected registers (the watchdog is cancelled); a failure stops the client and backs off
     * (one broker: every failure is a full round); a new address reconnects soon without counting. */
    T0(CONNECTING, NETWORK_UP_SAME_IP, CONNECTING, -1),
    T(CONNECTING, NETWORK_UP_NEW_IP, BACKOFF, -1, DISCONNECT, RECONNECT),
    T(CONNECTING, NETWORK_DOWN, WAITING, -1, DISCONNECT, CANCEL),
    T0(CONNECTING, IP_CHANGED_SAME, CONNECTING, -1),
    T(CONNECTING, IP_CHANGED_NEW, BACKOFF, -1, DISCONNECT, RECONNECT),
    T0(CONNECTING, HTTP_STARTED, CONNECTING, -1),
    T(CONNECTING, CONNECTED, REGISTERING, -1, CANCEL, PUBLISH),
    T(CONNECTING, DISCONNECTED, BACKOFF, -1, DISCONNECT, RETRY, LOW_POWER),
    T0(CONNECTING, ERROR, CONNECTING, -1),
    T0(CONNECTING, PUBLISH_QUEUED, CONNECTING, -1),
    T0(CONNECTING, PUBLISH_FAILED, CONNECTING, -1),
    T0(CONNECTING, ACK_PENDING_ID, CONNECTING, -1),
    T0(CONNECTING, ACK_OTHER_ID, CONNECTING, -1),
    T(CONNECTING, RETRY_TIMER, BACKOFF, -1, DISCONNECT, RETRY, LOW_POWER),
    T0(CONNECTING, REGISTER_AGAIN, CONNECTING, -1),
    T0(CONNECTING, SESSION_LOST, CONNECTING, -1), /* only REGISTERED asks CHECK_SESSION */

    /* REGISTERING before the publish was queued: no id to match yet. */
    T0(REGISTERING, NETWORK_UP_SAME_IP, REGISTERING, -1),
    T(REGISTERING, NETWORK_UP_NEW_IP, BACKOFF, -1, DISCONNECT, RECONNECT),
    T(REGISTERING, NETWORK_DOWN, WAITING, -1, DISCONNECT),
    T0(REGISTERING, IP_CHANGED_SAME, REGISTERING, -1),
    T(REGISTERING, IP_CHANGED_NEW, BACKOFF, -1, DISCONNECT, RECONNECT),
    T0(REGISTERING, HTTP_STARTED, REGISTERING, -1),
    T0(REGISTERING, CONNECTED, REGISTERING, -1),
    T(REGISTERING, DISCONNECTED, BACKOFF, -1, DISCONNECT, RETRY, LOW_POWER),
    T0(REGISTERING, ERROR, REGISTERING, -1),
    T0(REGISTERING, PUBLISH_QUEUED, REGISTERING, 9),
    T(REGISTERING, PUBLISH_FAILED, BACKOFF, -1, DISCONNECT, RETRY, LOW_POWER),
    T0(REGISTERING, ACK_PENDING_ID, REGISTERING, -1),
    T0(REGISTERING, ACK_OTHER_ID, REGISTERING, -1),
    T0(REGISTERING, RETRY_TIMER, REGISTERING, -1),
    T(REGISTERING, REGISTER_AGAIN, REGISTERING, -1, PUBLISH),
    T0(REGISTERING, SESSION_LOST, REGISTERING, -1),

    /* REGISTERING with the registration queued as 7: only PUBACK 7 registers (and asks for presence). */
    T0(REGISTERING_QUEUED, NETWORK_UP_SAME_IP, REGISTERING, QUEUED_ID),
    T(REGISTERING_QUEUED, NETWORK_UP_NEW_IP, BACKOFF, -1, DISCONNECT, RECONNECT),
    T(REGISTERING_QUEUED, NETWORK_DOWN, WAITING, -1, DISCONNECT),
    T0(REGISTERING_QUEUED, IP_CHANGED_SAME, REGISTERING, QUEUED_ID),
    T(REGISTERING_QUEUED, IP_CHANGED_NEW, BACKOFF, -1, DISCONNECT, RECONNECT),
    T0(REGISTERING_QUEUED, HTTP_STARTED, REGISTERING, QUEUED_ID),
    T0(REGISTERING_QUEUED, CONNECTED, REGISTERING, QUEUED_ID),
    T(REGISTERING_QUEUED, DISCONNECTED, BACKOFF, -1, DISCONNECT, RETRY, LOW_POWER),
    T0(REGISTERING_QUEUED, ERROR, REGISTERING, QUEUED_ID),
    T0(REGISTERING_QUEUED, PUBLISH_QUEUED, REGISTERING, 9),
    T(REGISTERING_QUEUED, PUBLISH_FAILED, BACKOFF, -1, DISCONNECT, RETRY, LOW_POWER),
    T(REGISTERING_QUEUED, ACK_PENDING_ID, REGISTERED, -1, ONLINE),
    T0(REGISTERING_QUEUED, ACK_OTHER_ID, REGISTERING, QUEUED_ID),
    T0(REGISTERING_QUEUED, RETRY_TIMER, REGISTERING, QUEUED_ID),
    T(REGISTERING_QUEUED, REGISTER_AGAIN, REGISTERING, -1, PUBLISH),
    T0(REGISTERING_QUEUED, SESSION_LOST, REGISTERING, QUEUED_ID),

    /* REGISTERED: a new address reconnects soon, a drop backs off, no tick runs without its timers. */
    T0(REGISTERED, NETWORK_UP_SAME_IP, REGISTERED, -1),
    T(REGISTERED, NETWORK_UP_NEW_IP, BACKOFF, -1, DISCONNECT, RECONNECT),
    T(REGISTERED, NETWORK_DOWN, WAITING, -1, DISCONNECT),
    T0(REGISTERED, IP_CHANGED_SAME, REGISTERED, -1),
    T(REGISTERED, IP_CHANGED_NEW, BACKOFF, -1, DISCONNECT, RECONNECT),
    T0(REGISTERED, HTTP_STARTED, REGISTERED, -1),
    T0(REGISTERED, CONNECTED, REGISTERED, -1),
    T(REGISTERED, DISCONNECTED, BACKOFF, -1, DISCONNECT, RETRY, LOW_POWER),
    T0(REGISTERED, ERROR, REGISTERED, -1),
    T0(REGISTERED, PUBLISH_QUEUED, REGISTERED, -1),
    T0(REGISTERED, PUBLISH_FAILED, REGISTERED, -1),
    T0(REGISTERED, ACK_PENDING_ID, REGISTERED, -1),
    T0(REGISTERED, ACK_OTHER_ID, REGISTERED, -1),
    T0(REGISTERED, RETRY_TIMER, REGISTERED, -1),
    T(REGISTERED, REGISTER_AGAIN, REGISTERING, -1, PUBLISH),
    T(REGISTERED, SESSION_LOST, BACKOFF, -1, DISCONNECT, RETRY, LOW_POWER),

    /* BACKOFF after a failure (radio in low power): the timer retries, a late session (one already given up)
     * is dropped, network down cancels the wait and the low power, an address is only recorded. */
    T0(BACKOFF, NETWORK_UP_SAME_IP, BACKOFF, -1),
    T0(BACKOFF, NETWORK_UP_NEW_IP, BACKOFF, -1),
    T(BACKOFF, NETWORK_DOWN, WAITING, -1, CANCEL, CLEAR_LOW_POWER),
    T0(BACKOFF, IP_CHANGED_SAME, BACKOFF, -1),
    T0(BACKOFF, IP_CHANGED_NEW, BACKOFF, -1),
    T0(BACKOFF, HTTP_STARTED, BACKOFF, -1),
    T(BACKOFF, CONNECTED, BACKOFF, -1, DISCONNECT),
    T0(BACKOFF, DISCONNECTED, BACKOFF, -1),
    T0(BACKOFF, ERROR, BACKOFF, -1),
    T0(BACKOFF, PUBLISH_QUEUED, BACKOFF, -1),
    T0(BACKOFF, PUBLISH_FAILED, BACKOFF, -1),
    T0(BACKOFF, ACK_PENDING_ID, BACKOFF, -1),
    T0(BACKOFF, ACK_OTHER_ID, BACKOFF, -1),
    T(BACKOFF, RETRY_TIMER, CONNECTING, -1, CLEAR_LOW_POWER, CONNECT, WATCHDOG),
    T0(BACKOFF, REGISTER_AGAIN, BACKOFF, -1),
    T0(BACKOFF, SESSION_LOST, BACKOFF, -1),

    /* BACKOFF for the quick reconnect: the same, but no low power was requested, so none is cleared. */
    T0(BACKOFF_RECONNECT, NETWORK_UP_SAME_IP, BACKOFF, -1),
    T0(BACKOFF_RECONNECT, NETWORK_UP_NEW_IP, BACKOFF, -1),
    T(BACKOFF_RECONNECT, NETWORK_DOWN, WAITING, -1, CANCEL),
    T0(BACKOFF_RECONNECT, IP_CHANGED_SAME, BACKOFF, -1),
    T0(BACKOFF_RECONNECT, IP_CHANGED_NEW, BACKOFF, -1),
    T0(BACKOFF_RECONNECT, HTTP_STARTED, BACKOFF, -1),
    T(BACKOFF_RECONNECT, CONNECTED, BACKOFF, -1, DISCONNECT),
    T0(BACKOFF_RECONNECT, DISCONNECTED, BACKOFF, -1),
    T0(BACKOFF_RECONNECT, ERROR, BACKOFF, -1),
    T0(BACKOFF_RECONNECT, PUBLISH_QUEUED, BACKOFF, -1),
    T0(BACKOFF_RECONNECT, PUBLISH_FAILED, BACKOFF, -1),
    T0(BACKOFF_RECONNECT, ACK_PENDING_ID, BACKOFF, -1),
    T0(BACKOFF_RECONNECT, ACK_OTHER_ID, BACKOFF, -1),
    T(BACKOFF_RECONNECT, RETRY_TIMER, CONNECTING, -1, CONNECT, WATCHDOG),
    T0(BACKOFF_RECONNECT, REGISTER_AGAIN, BACKOFF, -1),
    T0(BACKOFF_RECONNECT, SESSION_LOST, BACKOFF, -1),
};

#define TRANSITION_COUNT (sizeof(TRANSITIONS) / sizeof(TRANSITIONS[0]))

/* The rows that differ from the base table in the other configurations. */
static const transition_t VARIANTS[] = {
    /* No timer: nothing watches the attempt, so nothing is armed, cancelled or abandoned with it. */
    ROW(PLAIN, WAITING_HTTP_ONLY, NETWORK_UP_SAME_IP, CONNECTING, -1, CONNECT),
    ROW(PLAIN, WAITING_HTTP_ONLY, NETWORK_UP_NEW_IP, CONNECTING, -1, CONNECT),
    ROW(PLAIN, WAITING_NETWORK_ONLY, HTTP_STARTED, CONNECTING, -1, CONNECT),
    ROW(PLAIN, CONNECTING, NETWORK_DOWN, WAITING, -1, DISCONNECT),
    ROW(PLAIN, CONNECTING, CONNECTED, REGISTERING, -1, PUBLISH),
    ROW0(PLAIN, CONNECTING, RETRY_TIMER, CONNECTING, -1), /* a stale expiry */
    ROW(PLAIN, BACKOFF, RETRY_TIMER, CONNECTING, -1, CLEAR_LOW_POWER, CONNECT),
    ROW(PLAIN, BACKOFF_RECONNECT, RETRY_TIMER, CONNECTING, -1, CONNECT),

    /* Every timer: the registration timeout replaces the watchdog and bounds REGISTERING; its PUBACK cancels
     * it, asks for presence and arms the first tick (liveness 20 s before refresh 60 s). */
    ROW(TIMERS, CONNECTING, CONNECTED, REGISTERING, -1, PUBLISH, REG_TIMEOUT),
    ROW(TIMERS, REGISTERING, NETWORK_DOWN, WAITING, -1, DISCONNECT, CANCEL),
    ROW(TIMERS, REGISTERING, RETRY_TIMER, BACKOFF, -1, DISCONNECT, RETRY, LOW_POWER),
    ROW(TIMERS, REGISTERING, REGISTER_AGAIN, REGISTERING, -1, PUBLISH, REG_TIMEOUT),
    ROW(TIMERS, REGISTERING_QUEUED, NETWORK_DOWN, WAITING, -1, DISCONNECT, CANCEL),
    ROW(TIMERS, REGISTERING_QUEUED, ACK_PENDING_ID, REGISTERED, -1, CANCEL, ONLINE, TICK),
    ROW(TIMERS, REGISTERING_QUEUED, RETRY_TIMER, BACKOFF, -1, DISCONNECT, RETRY, LOW_POWER),
    ROW(TIMERS, REGISTERING_QUEUED, REGISTER_AGAIN, REGISTERING, -1, PUBLISH, REG_TIMEOUT),
    ROW(TIMERS, REGISTERED, NETWORK_DOWN, WAITING, -1, DISCONNECT, CANCEL),
    ROW(TIMERS, REGISTERED, RETRY_TIMER, REGISTERED, -1, CHECK, TICK), /* refresh not due: 40 s left */
    ROW(TIMERS, REGISTERED, REGISTER_AGAIN, REGISTERING, -1, PUBLISH, REG_TIMEOUT),

    /* Two brokers: the first failure of a round tries the next broker after the quick delay, without low
     * power and without advancing the policy. BACKOFF is that quick wait, broker 1 next. */
    ROW(TWO_BROKERS, CONNECTING, DISCONNECTED, BACKOFF, -1, DISCONNECT, RECONNECT),
    ROW(TWO_BROKERS, CONNECTING, RETRY_TIMER, BACKOFF, -1, DISCONNECT, RECONNECT),
    ROW(TWO_BROKERS, REGISTERING, DISCONNECTED, BACKOFF, -1, DISCONNECT, RECONNECT),
    ROW(TWO_BROKERS, REGISTERING, PUBLISH_FAILED, BACKOFF, -1, DISCONNECT, RECONNECT),
    ROW(TWO_BROKERS, REGISTERING_QUEUED, DISCONNECTED, BACKOFF, -1, DISCONNECT, RECONNECT),
    ROW(TWO_BROKERS, REGISTERING_QUEUED, PUBLISH_FAILED, BACKOFF, -1, DISCONNECT, RECONNECT),
    ROW(TWO_BROKERS, REGISTERED, DISCONNECTED, BACKOFF, -1, DISCONNECT, RECONNECT),
    ROW(TWO_BROKERS, REGISTERED, SESSION_LOST, BACKOFF, -1, DISCONNECT, RECONNECT),
    ROW(TWO_BROKERS, BACKOFF, NETWORK_DOWN, WAITING, -1, CANCEL),
    ROW(TWO_BROKERS, BACKOFF, RETRY_TIMER, CONNECTING, -1, CONNECT_TO(1), WATCHDOG),
};

#define VARIANT_COUNT (sizeof(VARIANTS) / sizeof(VARIANTS[0]))

/* Brings a fresh entity in the given configuration into the start state through real events only (the
 * commands on the way are the table's own rows). */
static void enter_with(mqtt_connection_t *conn, start_t start, profile_t profile)
{
    const ipv4_address_t ip_a = IP_A;
    const ipv4_address_t ip_b = IP_B;
    init_default(conn);
    if (profile == PROFILE_BASE) {
        /* The base configuration through the older setter, the others through set_timing. */
        assert_int_equal(mqtt_connection_set_attempt_timeout(conn, ATTEMPT_TIMEOUT_MS), DOMAIN_OK);
    } else if (profile != PROFILE_PLAIN) {
        assert_int_equal(mqtt_connection_set_timing(conn, &PROFILES[profile].timing), DOMAIN_OK);
    }
    switch (start) {
        case START_WAITING_IDLE:
            return;
        case START_WAITING_HTTP_ONLY:
            drive(conn, ev(MQTT_CONNECTION_EV_HTTP_STARTED), MQTT_CONNECTION_WAITING);
            return;
        case START_WAITING_NETWORK_ONLY:
            drive(conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, ip_a), MQTT_CONNECTION_WAITING);
            return;
        default:
            break;
    }
    drive(conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, ip_a), MQTT_CONNECTION_WAITING);
    drive(conn, ev(MQTT_CONNECTION_EV_HTTP_STARTED), MQTT_CONNECTION_CONNECTING);
    if (start == START_CONNECTING) {
        return;
    }
    if (start == START_BACKOFF) {
        drive(conn, ev(MQTT_CONNECTION_EV_MQTT_DISCONNECTED), MQTT_CONNECTION_BACKOFF);
        return;
    }
    if (start == START_BACKOFF_RECONNECT) {
        drive(conn, ev_ip(MQTT_CONNECTION_EV_IP_CHANGED, ip_b), MQTT_CONNECTION_BACKOFF);
        drive(conn, ev_ip(MQTT_CONNECTION_EV_IP_CHANGED, ip_a), MQTT_CONNECTION_BACKOFF);
        return;
    }
    drive(conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING);
    if (start == START_REGISTERING) {
        return;
    }
    drive(conn, ev_msg(MQTT_CONNECTION_EV_PUBLISH_QUEUED, QUEUED_ID), MQTT_CONNECTION_REGISTERING);
    if (start == START_REGISTERING_QUEUED) {
        return;
    }
    drive(conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, QUEUED_ID), MQTT_CONNECTION_REGISTERED);
}

/* The sequences of part 2 run without any timer unless they say otherwise. */
static void enter(mqtt_connection_t *conn, start_t start)
{
    enter_with(conn, start, PROFILE_PLAIN);
}

static uint32_t min_nonzero(uint32_t a, uint32_t b)
{
    if (a == 0 || b == 0) {
        return a == 0 ? b : a;
    }
    return a < b ? a : b;
}

/* The header: the one timer means what the state after the event says. 0 = nothing may be armed there. */
static uint32_t timer_meaning_ms(const mqtt_connection_t *conn)
{
    switch (conn->state) {
        case MQTT_CONNECTION_CONNECTING:
            return conn->attempt_timeout_ms;
        case MQTT_CONNECTION_REGISTERING:
            return conn->timing.registration_timeout_ms;
        case MQTT_CONNECTION_REGISTERED:
            return min_nonzero(conn->timing.refresh_interval_ms != 0 ? conn->refresh_remaining_ms : 0,
                               conn->timing.liveness_interval_ms);
        case MQTT_CONNECTION_BACKOFF:
            return conn->last_delay_ms;
        default:
            return 0;
    }
}

static bool is_address_event(const mqtt_connection_event_t *event)
{
    return event->kind == MQTT_CONNECTION_EV_NETWORK_UP || event->kind == MQTT_CONNECTION_EV_IP_CHANGED;
}

/* The header's rules, checked after every event of the table and of the random runs. */
static void check_rules(const mqtt_connection_t *before, const mqtt_connection_t *conn,
                        const mqtt_connection_event_t *event, const mqtt_connection_commands_t *out)
{
    bool connects = false;
    bool arms = false;
    bool requests = false;
    bool clears = false;
    bool online = false;
    uint32_t armed_ms = 0;
    assert_true(out->count <= LONGEST_TRANSITION);
    for (size_t i = 0; i < out->count; i++) {
        const mqtt_connection_command_t *cmd = &out->items[i];
        switch (cmd->kind) {
            case MQTT_CONNECTION_CMD_CONNECT:
                connects = true;
                assert_int_equal(cmd->broker_index, conn->broker_index);
                assert_true(cmd->broker_index < conn->timing.broker_count);
                if (conn->attempt_timeout_ms != 0) { /* every CONNECT is watched */
                    assert_true(i + 1 < out->count);
                    assert_int_equal(out->items[i + 1].kind, MQTT_CONNECTION_CMD_ARM_RETRY_TIMER);
                }
                break;
            case MQTT_CONNECTION_CMD_ARM_RETRY_TIMER:
                arms = true;
                armed_ms = cmd->delay_ms;
                assert_true(cmd->delay_ms != 0);
                assert_int_equal(cmd->delay_ms, timer_meaning_ms(conn));
                break;
            case MQTT_CONNECTION_CMD_REQUEST_LOW_POWER:
                requests = true;
                break;
            case MQTT_CONNECTION_CMD_CLEAR_LOW_POWER:
                clears = true;
                break;
            case MQTT_CONNECTION_CMD_PUBLISH_ONLINE:
                online = true;
                break;
            case MQTT_CONNECTION_CMD_CHECK_SESSION:
                assert_int_equal(event->kind, MQTT_CONNECTION_EV_RETRY_TIMER_FIRED);
                assert_int_equal(conn->state, MQTT_CONNECTION_REGISTERED);
                break;
            default:
                break;
        }
    }
    assert_int_equal(connects, conn->state == MQTT_CONNECTION_CONNECTING && before->state != conn->state);
    assert_int_equal(conn->connect_attempts, before->connect_attempts + (connects ? 1u : 0u));
    if (conn->state == MQTT_CONNECTION_REGISTERED && arms) {
        assert_int_equal(conn->tick_ms, armed_ms);
    }

    /* Low power: requested only when not requested, cleared only when requested; the flag follows. */
    assert_false(requests && before->low_power);
    assert_false(clears && !before->low_power);
    assert_int_equal(conn->low_power, requests || (before->low_power && !clears));

    /* Success is the PUBACK of the pending registration, and only it resets the policy and the round. */
    const bool acked = event->kind == MQTT_CONNECTION_EV_REGISTRATION_ACKED &&
                       before->state == MQTT_CONNECTION_REGISTERING && before->pending_msg_id != -1 &&
                       event->msg_id == before->pending_msg_id;
    assert_int_equal(online, acked);
    assert_int_equal(acked, conn->state == MQTT_CONNECTION_REGISTERED && before->state != conn->state);

    const bool dropped = conn->state == MQTT_CONNECTION_BACKOFF && before->state != conn->state;
    if (dropped) {
        /* The client is stopped first, then the wait is armed. */
        assert_true(out->count >= 2);
        assert_int_equal(out->items[0].kind, MQTT_CONNECTION_CMD_DISCONNECT);
        assert_int_equal(out->items[1].kind, MQTT_CONNECTION_CMD_ARM_RETRY_TIMER);
        assert_int_equal(conn->last_delay_ms, out->items[1].delay_ms);
        assert_int_equal(conn->pending_msg_id, -1);
        const uint32_t delay_ms = out->items[1].delay_ms;
        const bool full_round = before->round_failures + 1u >= conn->timing.broker_count;
        if (is_address_event(event)) { /* an IP change: the same broker soon, no failure counted */
            assert_int_equal(conn->broker_index, before->broker_index);
            assert_int_equal(conn->round_failures, before->round_failures);
            assert_int_equal(conn->policy.attempt, before->policy.attempt);
            assert_int_equal(delay_ms, conn->timing.reconnect_ms);
            assert_false(requests);
        } else if (full_round) { /* the policy's next delay, with low power */
            assert_int_equal(conn->broker_index, (before->broker_index + 1u) % conn->timing.broker_count);
            assert_int_equal(conn->round_failures, 0);
            assert_int_equal(conn->policy.attempt, before->policy.attempt + 1u);
            assert_int_equal(delay_ms, retry_policy_delay_ms(&before->policy.config, before->policy.attempt,
                                                             event->random_value));
            assert_true(requests);
        } else { /* the next broker of the round soon */
            assert_int_equal(conn->broker_index, (before->broker_index + 1u) % conn->timing.broker_count);
            assert_int_equal(conn->round_failures, before->round_failures + 1u);
            assert_int_equal(conn->policy.attempt, before->policy.attempt);
            assert_int_equal(delay_ms, conn->timing.reconnect_ms);
            assert_false(requests);
        }
    } else {
        assert_false(requests);
        assert_int_equal(conn->broker_index, before->broker_index);
        assert_int_equal(conn->last_delay_ms, before->last_delay_ms);
        assert_int_equal(conn->policy.attempt, acked ? 0u : before->policy.attempt);
        assert_int_equal(conn->round_failures, acked ? 0u : before->round_failures);
    }
    if (conn->state == MQTT_CONNECTION_WAITING && before->state != conn->state) {
        /* Network down: the client is stopped unless it already was (BACKOFF), the wait ends. */
        assert_int_equal(event->kind, MQTT_CONNECTION_EV_NETWORK_DOWN);
        assert_int_equal(out->count > 0 && out->items[0].kind == MQTT_CONNECTION_CMD_DISCONNECT,
                         before->state != MQTT_CONNECTION_BACKOFF);
        assert_int_equal(clears, before->low_power);
    }
}

typedef struct {
    profile_t profile;
    const transition_t *row;
} table_case_t;

static void test_transition(void **state)
{
    const table_case_t *c = *state;
    const transition_t *t = c->row;
    const mqtt_connection_event_t event = EVENTS[t->event].event;
    mqtt_connection_t conn;
    mqtt_connection_commands_t out;
    char expected[256];
    char actual[256];

    enter_with(&conn, t->start, c->profile);
    const mqtt_connection_t before = conn;
    const mqtt_connection_state_t state_after = mqtt_connection_handle(&conn, &event, &out);

    assert_string_equal(mqtt_connection_state_to_str(state_after), mqtt_connection_state_to_str(t->state));
    assert_int_equal(conn.state, t->state);
    assert_int_equal(conn.pending_msg_id, t->pending_msg_id);
    assert_true(out.count <= MQTT_CONNECTION_MAX_COMMANDS);
    render(t->commands, t->count, expected, sizeof(expected));
    render(out.items, out.count, actual, sizeof(actual));
    assert_string_equal(actual, expected);
    check_rules(&before, &conn, &event, &out);

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
            assert_true(ipv4_address_equal(&conn.ip, &before.ip));
            break;
    }
}

static const transition_t *find_row(const transition_t *rows, size_t count, profile_t profile, start_t start,
                                    event_id_t event)
{
    for (size_t i = 0; i < count; i++) {
        if (rows[i].profile == profile && rows[i].start == start && rows[i].event == event) {
            return &rows[i];
        }
    }
    return NULL;
}

static void test_table_covers_every_state_and_event(void **state)
{
    (void)state;
    for (size_t s = 0; s < START_COUNT; s++) {
        for (size_t e = 0; e < EV_ROW_COUNT; e++) {
            if (find_row(TRANSITIONS, TRANSITION_COUNT, PROFILE_BASE, (start_t)s, (event_id_t)e) == NULL) {
                fail_msg("no row for %s + %s", START_NAMES[s], EVENTS[e].name);
            }
        }
    }
    assert_int_equal(TRANSITION_COUNT, START_COUNT * EV_ROW_COUNT); /* so no row twice */
    for (size_t i = 0; i < TRANSITION_COUNT; i++) {
        assert_int_equal(TRANSITIONS[i].profile, PROFILE_BASE);
        assert_true(TRANSITIONS[i].count <= LONGEST_TRANSITION);
    }
    /* The table's events include every event kind of the entity. */
    bool kinds[MQTT_CONNECTION_EV_COUNT] = {false};
    for (size_t e = 0; e < EV_ROW_COUNT; e++) {
        kinds[EVENTS[e].event.kind] = true;
    }
    for (size_t k = 0; k < MQTT_CONNECTION_EV_COUNT; k++) {
        assert_true(kinds[k]);
    }
}

static bool same_expectation(const transition_t *a, const transition_t *b)
{
    if (a->state != b->state || a->pending_msg_id != b->pending_msg_id || a->count != b->count) {
        return false;
    }
    for (size_t i = 0; i < a->count; i++) {
        if (a->commands[i].kind != b->commands[i].kind ||
            a->commands[i].delay_ms != b->commands[i].delay_ms ||
            a->commands[i].broker_index != b->commands[i].broker_index) {
            return false;
        }
    }
    return true;
}

static void test_variant_rows_are_unique_and_differ_from_the_base(void **state)
{
    (void)state;
    for (size_t i = 0; i < VARIANT_COUNT; i++) {
        const transition_t *v = &VARIANTS[i];
        assert_true(v->profile != PROFILE_BASE && v->profile < PROFILE_COUNT);
        assert_ptr_equal(find_row(VARIANTS, VARIANT_COUNT, v->profile, v->start, v->event), v);
        const transition_t *base = find_row(TRANSITIONS, TRANSITION_COUNT, PROFILE_BASE, v->start, v->event);
        assert_non_null(base);
        if (same_expectation(v, base)) {
            fail_msg("%s + %s%s repeats the base row", START_NAMES[v->start], EVENTS[v->event].name,
                     PROFILES[v->profile].suffix);
        }
    }
}

/* Beyond the table's start states: long pseudo-random runs (fixed seed, so every run is the same) in every
 * configuration plus three brokers with every timer, the header's rules checked after each event. */
static uint32_t next_random(uint32_t *seed)
{
    *seed = *seed * 1664525u + 1013904223u;
    return *seed >> 8;
}

static void test_rules_hold_on_long_random_runs(void **state)
{
    (void)state;
    static const mqtt_connection_timing_t more[] = {
        {.attempt_timeout_ms = ATTEMPT_TIMEOUT_MS,
         .registration_timeout_ms = REGISTRATION_TIMEOUT_MS,
         .refresh_interval_ms = 30000,
         .liveness_interval_ms = LIVENESS_MS,
         .reconnect_ms = 1000,
         .broker_count = 3},
        {.refresh_interval_ms = 30000, .liveness_interval_ms = LIVENESS_MS, .broker_count = 2},
    };
    uint32_t seed = 12345;
    for (size_t run = 0; run < PROFILE_COUNT + sizeof(more) / sizeof(more[0]); run++) {
        mqtt_connection_t conn;
        int32_t last_queued = 100;
        init_default(&conn);
        assert_int_equal(mqtt_connection_set_timing(&conn, run < PROFILE_COUNT ? &PROFILES[run].timing
                                                                               : &more[run - PROFILE_COUNT]),
                         DOMAIN_OK);
        for (int i = 0; i < 20000; i++) {
            /* Every event, with the ones that make progress (so that REGISTERED lasts) three times as often.
             */
            static const event_id_t progress[] = {EV_HTTP_STARTED,   EV_CONNECTED,   EV_PUBLISH_QUEUED,
                                                  EV_ACK_PENDING_ID, EV_RETRY_TIMER, EV_REGISTER_AGAIN};
            const uint32_t pick = next_random(&seed) % (EV_ROW_COUNT + 3u * 6u);
            mqtt_connection_event_t event =
                EVENTS[pick < EV_ROW_COUNT ? pick : progress[(pick - EV_ROW_COUNT) % 6u]].event;
            event.random_value = next_random(&seed);
            if (event.kind == MQTT_CONNECTION_EV_PUBLISH_QUEUED) {
                event.msg_id = ++last_queued;
            } else if (event.kind == MQTT_CONNECTION_EV_REGISTRATION_ACKED) {
                event.msg_id = last_queued - (int32_t)(next_random(&seed) % 2u); /* current or older */
            }
            mqtt_connection_commands_t out;
            const mqtt_connection_t before = conn;
            mqtt_connection_handle(&conn, &event, &out);
            check_rules(&before, &conn, &event, &out);
            /* Where each state may be, and what low power means. */
            assert_true(conn.state == MQTT_CONNECTION_WAITING || (conn.network_up && conn.http_started));
            assert_true(!conn.low_power || conn.state == MQTT_CONNECTION_BACKOFF);
            assert_true(conn.broker_index < conn.timing.broker_count);
            assert_true(conn.round_failures < conn.timing.broker_count);
        }
    }
}

/* ---- part 2: sequences ---- */

static void test_network_then_http_connects_once(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    init_default(&conn);
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_A), MQTT_CONNECTION_WAITING, "");
    step(&conn, ev(MQTT_CONNECTION_EV_HTTP_STARTED), MQTT_CONNECTION_CONNECTING, "connect(0)");
    step(&conn, ev(MQTT_CONNECTION_EV_HTTP_STARTED), MQTT_CONNECTION_CONNECTING, "");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_A), MQTT_CONNECTION_CONNECTING, "");
    assert_int_equal(conn.connect_attempts, 1);
}

static void test_http_then_network_connects_once(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    init_default(&conn);
    step(&conn, ev(MQTT_CONNECTION_EV_HTTP_STARTED), MQTT_CONNECTION_WAITING, "");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_B), MQTT_CONNECTION_CONNECTING,
         "connect(0)");
    const ipv4_address_t ip_b = IP_B;
    assert_true(ipv4_address_equal(&conn.ip, &ip_b));
    assert_int_equal(conn.connect_attempts, 1);
}

static void test_happy_path_ends_registered_and_online(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    init_default(&conn);
    step(&conn, ev(MQTT_CONNECTION_EV_HTTP_STARTED), MQTT_CONNECTION_WAITING, "");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_A), MQTT_CONNECTION_CONNECTING,
         "connect(0)");
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING, "publish_registration");
    step(&conn, ev_msg(MQTT_CONNECTION_EV_PUBLISH_QUEUED, QUEUED_ID), MQTT_CONNECTION_REGISTERING, "");
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, QUEUED_ID), MQTT_CONNECTION_REGISTERED,
         "publish_online");
    assert_int_equal(conn.pending_msg_id, -1);
    assert_int_equal(conn.connect_attempts, 1);
    assert_int_equal(conn.last_delay_ms, 0);
    assert_int_equal(conn.policy.attempt, 0);
    assert_false(conn.low_power);
}

static void test_ack_after_disconnect_is_ignored(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_REGISTERING_QUEUED);
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_DISCONNECTED), MQTT_CONNECTION_BACKOFF,
         "disconnect, arm_retry_timer(30000), request_low_power");
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, QUEUED_ID), MQTT_CONNECTION_BACKOFF, "");
    step(&conn, ev(MQTT_CONNECTION_EV_RETRY_TIMER_FIRED), MQTT_CONNECTION_CONNECTING,
         "clear_low_power, connect(0)");
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING, "publish_registration");
    /* The old session's PUBACK arrives late: it is not the PUBACK of the current registration. */
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, QUEUED_ID), MQTT_CONNECTION_REGISTERING, "");
    step(&conn, ev_msg(MQTT_CONNECTION_EV_PUBLISH_QUEUED, 8), MQTT_CONNECTION_REGISTERING, "");
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, QUEUED_ID), MQTT_CONNECTION_REGISTERING, "");
    assert_int_equal(conn.policy.attempt, 1); /* the stale PUBACKs reset nothing */
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, 8), MQTT_CONNECTION_REGISTERED,
         "publish_online");
    assert_int_equal(conn.policy.attempt, 0);
}

static void test_ack_before_the_publish_is_queued_is_ignored(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_REGISTERING);
    /* No id is pending yet, so not even an id equal to the "none" marker matches. */
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, -1), MQTT_CONNECTION_REGISTERING, "");
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, 0), MQTT_CONNECTION_REGISTERING, "");
}

static void test_only_the_pending_id_registers(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_REGISTERING_QUEUED);
    /* A PUBACK of any other message, older or newer, is not the registration's. */
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, QUEUED_ID - 1), MQTT_CONNECTION_REGISTERING,
         "");
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, QUEUED_ID + 1), MQTT_CONNECTION_REGISTERING,
         "");
    assert_int_equal(conn.pending_msg_id, QUEUED_ID);
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, QUEUED_ID), MQTT_CONNECTION_REGISTERED,
         "publish_online");
}

static void test_duplicate_connected_does_not_publish_again(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_REGISTERING_QUEUED);
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING, "");
    assert_int_equal(conn.pending_msg_id, QUEUED_ID);
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, QUEUED_ID), MQTT_CONNECTION_REGISTERED,
         "publish_online");
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERED, "");
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, QUEUED_ID), MQTT_CONNECTION_REGISTERED, "");
}

static void test_network_down_during_backoff_waits_for_network_up(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_BACKOFF);
    step(&conn, ev(MQTT_CONNECTION_EV_NETWORK_DOWN), MQTT_CONNECTION_WAITING,
         "cancel_retry_timer, clear_low_power");
    /* The timer callback was already posted before the cancel: stale. */
    step(&conn, ev(MQTT_CONNECTION_EV_RETRY_TIMER_FIRED), MQTT_CONNECTION_WAITING, "");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_B), MQTT_CONNECTION_CONNECTING,
         "connect(0)");
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
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_BACKOFF, "disconnect");
    assert_int_equal(conn.policy.attempt, failures);
    assert_true(conn.low_power);
    step(&conn, ev(MQTT_CONNECTION_EV_RETRY_TIMER_FIRED), MQTT_CONNECTION_CONNECTING,
         "clear_low_power, connect(0)");
}

static void test_network_down_while_connecting_refuses_the_late_session(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_CONNECTING);
    step(&conn, ev(MQTT_CONNECTION_EV_NETWORK_DOWN), MQTT_CONNECTION_WAITING, "disconnect");
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_WAITING, "disconnect");
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_DISCONNECTED), MQTT_CONNECTION_WAITING, "");
}

/* ---- the retry schedule ---- */

/* Fails the current attempt or session (DISCONNECTED; one broker) and checks the delay armed. */
static void fail_attempt(mqtt_connection_t *conn, uint32_t expected_delay_ms)
{
    char expected[96];
    snprintf(expected, sizeof(expected), "disconnect, arm_retry_timer(%" PRIu32 "), request_low_power",
             expected_delay_ms);
    step(conn, ev(MQTT_CONNECTION_EV_MQTT_DISCONNECTED), MQTT_CONNECTION_BACKOFF, expected);
    assert_int_equal(conn->last_delay_ms, expected_delay_ms);
}

static void retry(mqtt_connection_t *conn)
{
    step(conn, ev(MQTT_CONNECTION_EV_RETRY_TIMER_FIRED), MQTT_CONNECTION_CONNECTING,
         "clear_low_power, connect(0)");
}

static void test_failed_attempts_follow_the_retry_schedule(void **state)
{
    (void)state;
    static const uint32_t expected_s[] = {30, 60, 120, 240, 480, 960, 1920, 3600, 3600};
    mqtt_connection_t conn;
    enter(&conn, START_CONNECTING);
    for (size_t i = 0; i < sizeof(expected_s) / sizeof(expected_s[0]); i++) {
        fail_attempt(&conn, expected_s[i] * 1000u);
        retry(&conn);
    }
    assert_int_equal(conn.connect_attempts, 1 + sizeof(expected_s) / sizeof(expected_s[0]));
}

static void test_connect_alone_does_not_reset_the_schedule(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_CONNECTING);
    fail_attempt(&conn, 30000);
    retry(&conn);
    fail_attempt(&conn, 60000);
    retry(&conn);
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING, "publish_registration");
    assert_int_equal(conn.policy.attempt, 2);
    step(&conn, ev_msg(MQTT_CONNECTION_EV_PUBLISH_QUEUED, QUEUED_ID), MQTT_CONNECTION_REGISTERING, "");
    fail_attempt(&conn, 120000); /* connected, but the cycle never succeeded */
}

static void test_puback_of_the_current_registration_resets_the_schedule(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_CONNECTING);
    fail_attempt(&conn, 30000);
    retry(&conn);
    fail_attempt(&conn, 60000);
    retry(&conn);
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING, "publish_registration");
    step(&conn, ev_msg(MQTT_CONNECTION_EV_PUBLISH_QUEUED, QUEUED_ID), MQTT_CONNECTION_REGISTERING, "");
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, QUEUED_ID), MQTT_CONNECTION_REGISTERED,
         "publish_online");
    assert_int_equal(conn.policy.attempt, 0);
    fail_attempt(&conn, 30000);
}

static void test_broker_that_connacks_but_never_pubacks_backs_off_to_the_cap(void **state)
{
    (void)state;
    static const uint32_t expected_s[] = {30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600};
    mqtt_connection_t conn;
    enter(&conn, START_CONNECTING);
    for (size_t i = 0; i < sizeof(expected_s) / sizeof(expected_s[0]); i++) {
        step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING,
             "publish_registration");
        step(&conn, ev_msg(MQTT_CONNECTION_EV_PUBLISH_QUEUED, (int32_t)(10 + i)), MQTT_CONNECTION_REGISTERING,
             "");
        fail_attempt(&conn, expected_s[i] * 1000u);
        /* Its PUBACK, should it come now, is for a session already given up. */
        step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, (int32_t)(10 + i)), MQTT_CONNECTION_BACKOFF,
             "");
        retry(&conn);
    }
    assert_int_equal(conn.policy.attempt, sizeof(expected_s) / sizeof(expected_s[0]));
}

static void test_network_down_does_not_reset_the_schedule(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_CONNECTING);
    fail_attempt(&conn, 30000);
    retry(&conn);
    fail_attempt(&conn, 60000);
    step(&conn, ev(MQTT_CONNECTION_EV_NETWORK_DOWN), MQTT_CONNECTION_WAITING,
         "cancel_retry_timer, clear_low_power");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_A), MQTT_CONNECTION_CONNECTING,
         "connect(0)");
    fail_attempt(&conn, 120000);
}

static void test_publish_failed_drops_the_connection_and_retries(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_REGISTERING);
    step(&conn, ev(MQTT_CONNECTION_EV_PUBLISH_FAILED), MQTT_CONNECTION_BACKOFF,
         "disconnect, arm_retry_timer(30000), request_low_power");
    /* The DISCONNECTED our own disconnect causes is not a second failure. */
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_DISCONNECTED), MQTT_CONNECTION_BACKOFF, "");
    assert_int_equal(conn.policy.attempt, 1);
    retry(&conn);
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING, "publish_registration");
}

static void test_error_events_only_record_the_code(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_CONNECTING);
    step(&conn, ev_code(MQTT_CONNECTION_EV_MQTT_ERROR, 42), MQTT_CONNECTION_CONNECTING, "");
    assert_int_equal(conn.last_code, 42);
    step(&conn, ev_code(MQTT_CONNECTION_EV_MQTT_DISCONNECTED, -3), MQTT_CONNECTION_BACKOFF,
         "disconnect, arm_retry_timer(30000), request_low_power");
    assert_int_equal(conn.last_code, -3);
}

static void test_jitter_takes_the_random_value_of_the_event(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    retry_policy_config_t config = retry_policy_default_config();
    config.jitter_percent = 50;
    assert_int_equal(mqtt_connection_init(&conn, &config), DOMAIN_OK);
    step(&conn, ev(MQTT_CONNECTION_EV_HTTP_STARTED), MQTT_CONNECTION_WAITING, "");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_A), MQTT_CONNECTION_CONNECTING,
         "connect(0)");
    mqtt_connection_event_t failed = ev(MQTT_CONNECTION_EV_MQTT_DISCONNECTED);
    failed.random_value = 1000;
    step(&conn, failed, MQTT_CONNECTION_BACKOFF, "disconnect, arm_retry_timer(15000), request_low_power");
    assert_int_equal(conn.last_delay_ms, 15000);
}

static void test_custom_retry_config_is_used(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    const retry_policy_config_t config = {
        .initial_ms = 100, .max_ms = 250, .multiplier = 2, .jitter_percent = 0};
    assert_int_equal(mqtt_connection_init(&conn, &config), DOMAIN_OK);
    step(&conn, ev(MQTT_CONNECTION_EV_HTTP_STARTED), MQTT_CONNECTION_WAITING, "");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_A), MQTT_CONNECTION_CONNECTING,
         "connect(0)");
    fail_attempt(&conn, 100);
    retry(&conn);
    fail_attempt(&conn, 200);
    retry(&conn);
    fail_attempt(&conn, 250);
}

/* ---- register again ---- */

static void test_register_again_supersedes_the_pending_registration(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_REGISTERING_QUEUED);
    step(&conn, ev(MQTT_CONNECTION_EV_REGISTER_AGAIN), MQTT_CONNECTION_REGISTERING, "publish_registration");
    assert_int_equal(conn.pending_msg_id, -1);
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, QUEUED_ID), MQTT_CONNECTION_REGISTERING, "");
    step(&conn, ev_msg(MQTT_CONNECTION_EV_PUBLISH_QUEUED, 8), MQTT_CONNECTION_REGISTERING, "");
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, 8), MQTT_CONNECTION_REGISTERED,
         "publish_online");
}

static void test_refused_registration_again_backs_off_and_registers_on_the_retry(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    enter(&conn, START_REGISTERED);
    step(&conn, ev(MQTT_CONNECTION_EV_REGISTER_AGAIN), MQTT_CONNECTION_REGISTERING, "publish_registration");
    step(&conn, ev(MQTT_CONNECTION_EV_PUBLISH_FAILED), MQTT_CONNECTION_BACKOFF,
         "disconnect, arm_retry_timer(30000), request_low_power");
    step(&conn, ev(MQTT_CONNECTION_EV_REGISTER_AGAIN), MQTT_CONNECTION_BACKOFF, "");
    retry(&conn);
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING, "publish_registration");
}

/* ---- entity ---- */

static void test_init_starts_waiting_with_nothing_pending(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    memset(&conn, 0x55, sizeof(conn));
    assert_int_equal(mqtt_connection_init(&conn, NULL), DOMAIN_OK);
    assert_int_equal(conn.state, MQTT_CONNECTION_WAITING);
    assert_false(conn.network_up);
    assert_false(conn.http_started);
    assert_false(conn.low_power);
    assert_int_equal(conn.pending_msg_id, -1);
    assert_int_equal(conn.last_delay_ms, 0);
    assert_int_equal(conn.connect_attempts, 0);
    assert_int_equal(conn.policy.attempt, 0);
    assert_int_equal(conn.policy.config.initial_ms, RETRY_POLICY_DEFAULT_INITIAL_MS);
    /* No timers, one broker, the default quick reconnect. */
    assert_int_equal(conn.attempt_timeout_ms, 0);
    assert_int_equal(conn.timing.attempt_timeout_ms, 0);
    assert_int_equal(conn.timing.registration_timeout_ms, 0);
    assert_int_equal(conn.timing.refresh_interval_ms, 0);
    assert_int_equal(conn.timing.liveness_interval_ms, 0);
    assert_int_equal(conn.timing.reconnect_ms, MQTT_CONNECTION_DEFAULT_RECONNECT_MS);
    assert_int_equal(conn.timing.broker_count, 1);
    assert_int_equal(conn.broker_index, 0);
    assert_int_equal(conn.round_failures, 0);
    assert_int_equal(conn.tick_ms, 0);
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
    static const char *const states[] = {"waiting", "connecting", "registering", "registered", "backoff"};
    static const char *const events[] = {
        "network_up",        "network_down",   "ip_changed",     "http_started",   "mqtt_connected",
        "mqtt_disconnected", "mqtt_error",     "publish_queued", "publish_failed", "registration_acked",
        "retry_timer_fired", "register_again", "session_lost",
    };
    static const char *const commands[] = {
        "connect",         "disconnect",         "publish_registration",
        "arm_retry_timer", "cancel_retry_timer", "request_low_power",
        "clear_low_power", "publish_online",     "check_session",
    };
    assert_int_equal(sizeof(states) / sizeof(states[0]), MQTT_CONNECTION_STATE_COUNT);
    assert_int_equal(sizeof(events) / sizeof(events[0]), MQTT_CONNECTION_EV_COUNT);
    assert_int_equal(sizeof(commands) / sizeof(commands[0]), MQTT_CONNECTION_CMD_COUNT);
    for (int k = 0; k < MQTT_CONNECTION_STATE_COUNT; k++) {
        assert_string_equal(mqtt_connection_state_to_str((mqtt_connection_state_t)k), states[k]);
    }
    for (int k = 0; k < MQTT_CONNECTION_EV_COUNT; k++) {
        assert_string_equal(mqtt_connection_event_to_str((mqtt_connection_event_kind_t)k), events[k]);
    }
    for (int k = 0; k < MQTT_CONNECTION_CMD_COUNT; k++) {
        assert_string_equal(mqtt_connection_command_to_str((mqtt_connection_command_kind_t)k), commands[k]);
    }
    assert_string_equal(mqtt_connection_state_to_str(MQTT_CONNECTION_STATE_COUNT), "unknown");
    assert_string_equal(mqtt_connection_event_to_str(MQTT_CONNECTION_EV_COUNT), "unknown");
    assert_string_equal(mqtt_connection_command_to_str(MQTT_CONNECTION_CMD_COUNT), "unknown");
    assert_string_equal(mqtt_connection_state_to_str((mqtt_connection_state_t)-1), "unknown");
}

/* One cmocka test per row and configuration, named "<start> + <event>" plus the configuration's suffix: the
 * base row unless the configuration lists its own. */
#define CASE_COUNT (PROFILE_COUNT * TRANSITION_COUNT)

static table_case_t cases[CASE_COUNT];
static struct CMUnitTest tables[PROFILE_COUNT][TRANSITION_COUNT];
static char names[PROFILE_COUNT][TRANSITION_COUNT][96];

static void fill_table(profile_t profile)
{
    for (size_t i = 0; i < TRANSITION_COUNT; i++) {
        const transition_t *base = &TRANSITIONS[i];
        const transition_t *variant = find_row(VARIANTS, VARIANT_COUNT, profile, base->start, base->event);
        table_case_t *c = &cases[profile * TRANSITION_COUNT + i];
        c->profile = profile;
        c->row = variant != NULL ? variant : base;
        snprintf(names[profile][i], sizeof(names[profile][i]), "%s + %s%s", START_NAMES[base->start],
                 EVENTS[base->event].name, PROFILES[profile].suffix);
        tables[profile][i].name = names[profile][i];
        tables[profile][i].test_func = test_transition;
        tables[profile][i].setup_func = NULL;
        tables[profile][i].teardown_func = NULL;
        tables[profile][i].initial_state = c;
    }
}

int main(void)
{
    const struct CMUnitTest sequences[] = {
        cmocka_unit_test(test_table_covers_every_state_and_event),
        cmocka_unit_test(test_variant_rows_are_unique_and_differ_from_the_base),
        cmocka_unit_test(test_rules_hold_on_long_random_runs),
        cmocka_unit_test(test_network_then_http_connects_once),
        cmocka_unit_test(test_http_then_network_connects_once),
        cmocka_unit_test(test_happy_path_ends_registered_and_online),
        cmocka_unit_test(test_ack_after_disconnect_is_ignored),
        cmocka_unit_test(test_ack_before_the_publish_is_queued_is_ignored),
        cmocka_unit_test(test_only_the_pending_id_registers),
        cmocka_unit_test(test_duplicate_connected_does_not_publish_again),
        cmocka_unit_test(test_network_down_during_backoff_waits_for_network_up),
        cmocka_unit_test(test_late_session_in_backoff_is_dropped_and_the_retry_goes_on),
        cmocka_unit_test(test_network_down_while_connecting_refuses_the_late_session),
        cmocka_unit_test(test_failed_attempts_follow_the_retry_schedule),
        cmocka_unit_test(test_connect_alone_does_not_reset_the_schedule),
        cmocka_unit_test(test_puback_of_the_current_registration_resets_the_schedule),
        cmocka_unit_test(test_broker_that_connacks_but_never_pubacks_backs_off_to_the_cap),
        cmocka_unit_test(test_network_down_does_not_reset_the_schedule),
        cmocka_unit_test(test_publish_failed_drops_the_connection_and_retries),
        cmocka_unit_test(test_error_events_only_record_the_code),
        cmocka_unit_test(test_jitter_takes_the_random_value_of_the_event),
        cmocka_unit_test(test_custom_retry_config_is_used),
        cmocka_unit_test(test_register_again_supersedes_the_pending_registration),
        cmocka_unit_test(test_refused_registration_again_backs_off_and_registers_on_the_retry),
        cmocka_unit_test(test_init_starts_waiting_with_nothing_pending),
        cmocka_unit_test(test_init_rejects_bad_arguments),
        cmocka_unit_test(test_handle_tolerates_missing_and_unknown_input),
        cmocka_unit_test(test_names),
    };
    int failures = 0;
    for (int p = 0; p < PROFILE_COUNT; p++) {
        fill_table((profile_t)p);
        failures += _cmocka_run_group_tests(PROFILES[p].group, tables[p], TRANSITION_COUNT, NULL, NULL);
    }
    failures += cmocka_run_group_tests_name("mqtt_connection_sequences", sequences, NULL, NULL);
    return failures;
}
