/*
 * mqtt_connection: the MqttConnection entity, the connection lifecycle as a pure state machine.
 *
 * mqtt_connection_handle(conn, event, out) applies one event and returns the commands the application must
 * carry out, in order. It never blocks, allocates or calls anything: the application task owns the entity
 * and carries out the commands through its ports. Every transition is host-tested.
 *
 * States
 *   WAITING      prerequisites missing: station network not up, or HTTP server not started yet
 *   CONNECTING   a connect attempt is under way (watched by the attempt watchdog when one is set)
 *   REGISTERING  connected; the registration is published and its PUBACK awaited (bounded by the
 *                registration timeout when one is set)
 *   REGISTERED   connected; the PUBACK of the current registration arrived (the refresh and liveness
 *                ticks run when set)
 *   BACKOFF      no session; waiting for the timer: a retry delay of the policy (radio in low power), or a
 *                quick reconnect (after an IP change, or to the next broker of the list)
 *
 * The one connection timer (ARM_RETRY_TIMER / CANCEL_RETRY_TIMER) means what the state after the event says:
 *   CONNECTING -> the attempt watchdog; REGISTERING -> the registration timeout; REGISTERED -> the next
 *   refresh/liveness tick; BACKOFF -> the retry delay or the quick reconnect. No transition arms the timer
 * and ends anywhere else, and RETRY_TIMER_FIRED is read the same way.
 *
 * Rules
 *   - Never connect before network up (station mode) AND HTTP started.
 *   - Register after every successful connect and on REGISTER_AGAIN (the application's "the content changed
 *     or the server may hold a stale one"), and again every refresh interval while registered.
 *   - A cycle succeeds only when the PUBACK (msg id) of the current registration arrives: only then is the
 *     retry policy reset, and PUBLISH_ONLINE asks for the presence message. An older id is ignored.
 *   - A failure (DISCONNECTED while connecting or connected, a refused or dropped registration, the watchdog
 *     or the registration timeout expiring, SESSION_LOST) stops the client (DISCONNECT: no client task keeps
 *     waking during a wait) and moves to the next broker of the list. The policy counts failures per ROUND of
 *     the list: while brokers of the round are left, the next one is tried after the quick reconnect delay;
 *     after a full round without success the policy's next delay is armed with low power. With one broker,
 *     every failure is a full round. ERROR events are informational: DISCONNECTED follows and decides.
 *   - An IP change while connecting or connected drops the session (sockets bound to the old address are
 *     dead) and reconnects after the quick reconnect delay, to the same broker, without counting a failure.
 *   - Network down cancels any timer and disconnects; nothing is attempted until network up.
 *   - A CONNECTED while WAITING or BACKOFF belongs to a session the application already gave up: it is
 *     answered with DISCONNECT and nothing else changes.
 *   - Liveness: while REGISTERED, CHECK_SESSION asks the application to check that the client is still
 *     connected every liveness interval; SESSION_LOST is its answer when it is not (an outcome lost on the
 * way), a failure in REGISTERED and ignored in any other state. When the refresh interval is shorter than the
 *     liveness interval every REGISTERED period ends in a refresh first (its registration timeout then bounds
 *     the session instead).
 *   - RETRY_TIMER_FIRED must be the expiry of the timer armed last: the entity cannot tell an older expiry
 *     from it. The application retires a timer's expiry when it cancels or re-arms it (a token per arm).
 *   - Events that do not apply in a state (stale timer, duplicate CONNECTED, late PUBACK) change nothing.
 */
#ifndef DOMAIN_MQTT_CONNECTION_H
#define DOMAIN_MQTT_CONNECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/domain_status.h"
#include "domain/ipv4_address.h"
#include "domain/retry_policy.h"

/* Brokers a list may hold. */
#define MQTT_CONNECTION_MAX_BROKERS 4
/* Default pause before reconnecting after an IP change or to the next broker of the list. */
#define MQTT_CONNECTION_DEFAULT_RECONNECT_MS 500u

typedef enum {
    MQTT_CONNECTION_WAITING = 0,
    MQTT_CONNECTION_CONNECTING,
    MQTT_CONNECTION_REGISTERING,
    MQTT_CONNECTION_REGISTERED,
    MQTT_CONNECTION_BACKOFF,
    MQTT_CONNECTION_STATE_COUNT
} mqtt_connection_state_t;

typedef enum {
    MQTT_CONNECTION_EV_NETWORK_UP = 0, /* ip */
    MQTT_CONNECTION_EV_NETWORK_DOWN,
    MQTT_CONNECTION_EV_IP_CHANGED, /* ip */
    MQTT_CONNECTION_EV_HTTP_STARTED,
    MQTT_CONNECTION_EV_MQTT_CONNECTED,
    MQTT_CONNECTION_EV_MQTT_DISCONNECTED, /* code: platform reason, for the record */
    MQTT_CONNECTION_EV_MQTT_ERROR,        /* code: error kind, for the record */
    MQTT_CONNECTION_EV_PUBLISH_QUEUED,    /* msg_id: the registration was queued under this id */
    MQTT_CONNECTION_EV_PUBLISH_FAILED,
    MQTT_CONNECTION_EV_REGISTRATION_ACKED, /* msg_id: PUBACK received */
    MQTT_CONNECTION_EV_RETRY_TIMER_FIRED,  /* the connection timer expired (what it meant: see above) */
    MQTT_CONNECTION_EV_REGISTER_AGAIN,     /* publish the registration again if connected */
    MQTT_CONNECTION_EV_SESSION_LOST,       /* CHECK_SESSION found the client not connected */
    MQTT_CONNECTION_EV_COUNT
} mqtt_connection_event_kind_t;

typedef struct {
    mqtt_connection_event_kind_t kind;
    ipv4_address_t ip;     /* NETWORK_UP, IP_CHANGED */
    int32_t msg_id;        /* PUBLISH_QUEUED, REGISTRATION_ACKED */
    int32_t code;          /* MQTT_DISCONNECTED, MQTT_ERROR */
    uint32_t random_value; /* any event that may arm the retry timer: the jitter's random input */
} mqtt_connection_event_t;

typedef enum {
    MQTT_CONNECTION_CMD_CONNECT = 0, /* broker_index: which broker of the list */
    MQTT_CONNECTION_CMD_DISCONNECT,
    MQTT_CONNECTION_CMD_PUBLISH_REGISTRATION,
    MQTT_CONNECTION_CMD_ARM_RETRY_TIMER, /* delay_ms; its meaning follows the state after the event */
    MQTT_CONNECTION_CMD_CANCEL_RETRY_TIMER,
    MQTT_CONNECTION_CMD_REQUEST_LOW_POWER,
    MQTT_CONNECTION_CMD_CLEAR_LOW_POWER,
    MQTT_CONNECTION_CMD_PUBLISH_ONLINE, /* presence: the registration was acknowledged */
    MQTT_CONNECTION_CMD_CHECK_SESSION,  /* liveness: answer SESSION_LOST when the client is not connected */
    MQTT_CONNECTION_CMD_COUNT
} mqtt_connection_command_kind_t;

typedef struct {
    mqtt_connection_command_kind_t kind;
    uint32_t delay_ms;    /* ARM_RETRY_TIMER */
    uint8_t broker_index; /* CONNECT */
} mqtt_connection_command_t;

/* The longest transitions emit three commands (e.g. DISCONNECT, ARM_RETRY_TIMER, REQUEST_LOW_POWER); one
 * spare. */
#define MQTT_CONNECTION_MAX_COMMANDS 4

typedef struct {
    mqtt_connection_command_t items[MQTT_CONNECTION_MAX_COMMANDS];
    size_t count;
} mqtt_connection_commands_t;

/* Timers and the broker list, all optional (0 = off, except broker_count 0 = 1 and reconnect_ms 0 = the
 * default). Set before the first event: every transition reads the current values. */
typedef struct {
    uint32_t attempt_timeout_ms;      /* the attempt watchdog */
    uint32_t registration_timeout_ms; /* bound of REGISTERING */
    uint32_t refresh_interval_ms;     /* register again this often while REGISTERED */
    uint32_t liveness_interval_ms;    /* CHECK_SESSION this often while REGISTERED */
    uint32_t reconnect_ms;            /* the quick reconnect delay */
    uint8_t broker_count;             /* 1..MQTT_CONNECTION_MAX_BROKERS */
} mqtt_connection_timing_t;

typedef struct {
    mqtt_connection_state_t state;
    bool network_up;
    bool http_started;
    bool low_power;              /* REQUEST_LOW_POWER given and not cleared */
    ipv4_address_t ip;           /* current station IP (valid when network_up) */
    int32_t pending_msg_id;      /* registration awaiting PUBACK; -1 when none */
    int32_t last_code;           /* last disconnect reason or error kind seen */
    uint32_t last_delay_ms;      /* delay of the BACKOFF timer armed last; 0 when none */
    uint32_t connect_attempts;   /* attempts since boot (each CONNECT command) */
    uint32_t attempt_timeout_ms; /* the attempt watchdog; 0 = none */
    mqtt_connection_timing_t timing;
    uint8_t broker_index;          /* the broker of the list in use or tried next */
    uint8_t round_failures;        /* failures in the current round of the list */
    uint32_t refresh_remaining_ms; /* until the next refresh while REGISTERED */
    uint32_t tick_ms;              /* the REGISTERED tick armed last */
    retry_policy_t policy;
} mqtt_connection_t;

/* WAITING, nothing pending, no timers, one broker; retry NULL means retry_policy_default_config(). */
domain_status_t mqtt_connection_init(mqtt_connection_t *conn, const retry_policy_config_t *retry);

/* Sets the attempt watchdog (see Rules); 0 turns it off. Same as timing.attempt_timeout_ms. */
domain_status_t mqtt_connection_set_attempt_timeout(mqtt_connection_t *conn, uint32_t timeout_ms);

/* Sets every timer and the broker count. DOMAIN_ERR_INVALID_ARG for a broker count over the maximum. */
domain_status_t mqtt_connection_set_timing(mqtt_connection_t *conn, const mqtt_connection_timing_t *timing);

/* Applies event; fills out (count may be 0) and returns the new state. */
mqtt_connection_state_t mqtt_connection_handle(mqtt_connection_t *conn, const mqtt_connection_event_t *event,
                                               mqtt_connection_commands_t *out);

/* Lower-case names for logs and JSON ("waiting", "connecting", ...); "unknown" out of range. */
const char *mqtt_connection_state_to_str(mqtt_connection_state_t state);
const char *mqtt_connection_event_to_str(mqtt_connection_event_kind_t kind);
const char *mqtt_connection_command_to_str(mqtt_connection_command_kind_t kind);

#endif /* DOMAIN_MQTT_CONNECTION_H */
