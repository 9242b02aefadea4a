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
 *   REGISTERING  connected; the registration is published and its PUBACK awaited
 *   REGISTERED   connected; the PUBACK of the current registration arrived
 *   BACKOFF      the last attempt failed; waiting for the retry timer (radio in low power)
 *
 * Rules
 *   - Never connect before network up (station mode) AND HTTP started.
 *   - Register after every successful connect, when the IP changes while connected, and on REGISTER_AGAIN
 *     (the application's "the registration's content changed or the server may hold a stale one").
 *   - Registered only when the PUBACK (msg id) of the current registration arrives; an older id is ignored.
 *   - A failed attempt (DISCONNECTED while CONNECTING) or an unexpected disconnect (while REGISTERING or
 *     REGISTERED) arms the retry timer with the policy's next delay and requests low power. ERROR events
 *     are informational: the platform client follows an error with DISCONNECTED, which is the trigger.
 *   - Attempt watchdog: a platform client that dies without reporting DISCONNECTED would leave the entity
 *     CONNECTING forever. With an attempt timeout set (mqtt_connection_set_attempt_timeout, 0 = none), every
 *     CONNECT is followed by ARM_RETRY_TIMER(attempt timeout): the one retry timer doubles as the watchdog.
 *     MQTT_CONNECTED and NETWORK_DOWN while CONNECTING cancel it; DISCONNECTED while CONNECTING re-arms the
 *     timer with the retry delay (the port's arm replaces the armed timer); RETRY_TIMER_FIRED while
 *     CONNECTING means the attempt timed out: DISCONNECT, then back off like any failed attempt.
 *     How to tell the two uses of ARM_RETRY_TIMER apart: after the event the entity is CONNECTING for the
 *     watchdog and BACKOFF for a retry delay (no transition arms the timer and ends anywhere else).
 *   - PUBLISH_FAILED (the client refused or dropped the registration) counts as a failed attempt: the
 *     connection is dropped and retried, and the retry registers again.
 *   - Network down cancels any retry and disconnects; nothing is attempted until network up.
 *   - A successful connect resets the policy (next failure waits the initial delay again).
 *   - A CONNECTED while WAITING or BACKOFF belongs to a session the application already gave up (network
 *     down, attempt timed out, client stopped): it is answered with DISCONNECT and nothing else changes.
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
    MQTT_CONNECTION_EV_RETRY_TIMER_FIRED,  /* the retry delay ended, or (CONNECTING) the attempt timed out */
    MQTT_CONNECTION_EV_REGISTER_AGAIN,     /* publish the registration again if connected */
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
    MQTT_CONNECTION_CMD_CONNECT = 0,
    MQTT_CONNECTION_CMD_DISCONNECT,
    MQTT_CONNECTION_CMD_PUBLISH_REGISTRATION,
    MQTT_CONNECTION_CMD_ARM_RETRY_TIMER, /* delay_ms: the watchdog when CONNECTING after the event */
    MQTT_CONNECTION_CMD_CANCEL_RETRY_TIMER,
    MQTT_CONNECTION_CMD_REQUEST_LOW_POWER,
    MQTT_CONNECTION_CMD_CLEAR_LOW_POWER,
    MQTT_CONNECTION_CMD_COUNT
} mqtt_connection_command_kind_t;

typedef struct {
    mqtt_connection_command_kind_t kind;
    uint32_t delay_ms; /* ARM_RETRY_TIMER */
} mqtt_connection_command_t;

/* The longest transitions emit three commands (e.g. CLEAR_LOW_POWER, CONNECT, ARM_RETRY_TIMER); one spare. */
#define MQTT_CONNECTION_MAX_COMMANDS 4

typedef struct {
    mqtt_connection_command_t items[MQTT_CONNECTION_MAX_COMMANDS];
    size_t count;
} mqtt_connection_commands_t;

typedef struct {
    mqtt_connection_state_t state;
    bool network_up;
    bool http_started;
    ipv4_address_t ip;           /* current station IP (valid when network_up) */
    int32_t pending_msg_id;      /* registration awaiting PUBACK; -1 when none */
    int32_t last_code;           /* last disconnect reason or error kind seen */
    uint32_t last_delay_ms;      /* delay of the retry armed last (never the watchdog); 0 when none */
    uint32_t connect_attempts;   /* attempts since boot (each CONNECT command) */
    uint32_t attempt_timeout_ms; /* the attempt watchdog; 0 = none */
    retry_policy_t policy;
} mqtt_connection_t;

/* WAITING, nothing pending, no attempt watchdog; retry NULL means retry_policy_default_config(). */
domain_status_t mqtt_connection_init(mqtt_connection_t *conn, const retry_policy_config_t *retry);

/* Sets the attempt watchdog (see Rules); 0 turns it off. Set it before the first event: every transition
 * reads the current value, so changing it during an attempt would leave that attempt half-watched. */
domain_status_t mqtt_connection_set_attempt_timeout(mqtt_connection_t *conn, uint32_t timeout_ms);

/* Applies event; fills out (count may be 0) and returns the new state. */
mqtt_connection_state_t mqtt_connection_handle(mqtt_connection_t *conn, const mqtt_connection_event_t *event,
                                               mqtt_connection_commands_t *out);

/* Lower-case names for logs and JSON ("waiting", "connecting", ...); "unknown" out of range. */
const char *mqtt_connection_state_to_str(mqtt_connection_state_t state);
const char *mqtt_connection_event_to_str(mqtt_connection_event_kind_t kind);
const char *mqtt_connection_command_to_str(mqtt_connection_command_kind_t kind);

#endif /* DOMAIN_MQTT_CONNECTION_H */
