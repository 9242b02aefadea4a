/*
 * domain_events: small facts the application publishes to whoever listens (status endpoint, logs, the
 * simulator's event stream). Plain structs, copied by value.
 */
#ifndef DOMAIN_DOMAIN_EVENTS_H
#define DOMAIN_DOMAIN_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/ipv4_address.h"
#include "domain/mqtt_connection.h"
#include "domain/wifi_link.h"

typedef enum {
    DOMAIN_EVENT_CONNECTION_STATE_CHANGED = 0,
    DOMAIN_EVENT_CONNECT_ATTEMPT,   /* a CONNECT command was carried out */
    DOMAIN_EVENT_RETRY_SCHEDULED,   /* a retry delay was armed (never the attempt watchdog) */
    DOMAIN_EVENT_DEVICE_REGISTERED, /* PUBACK of the current registration */
    DOMAIN_EVENT_REGISTRATION_FAILED,
    DOMAIN_EVENT_WIFI_LINK_CHANGED, /* the station link's state or mode changed */
    DOMAIN_EVENT_PRESENCE,          /* a presence message was queued (online after a registration, offline) */
    DOMAIN_EVENT_SHUT_DOWN,         /* the clean stop is done: nothing more will be published */
    DOMAIN_EVENT_COUNT
} domain_event_kind_t;

typedef enum {
    REGISTRATION_FAILURE_INVALID_MESSAGE = 0, /* the message broke the contract; detail holds the rule */
    REGISTRATION_FAILURE_NO_IP,
    REGISTRATION_FAILURE_PUBLISH_REFUSED,  /* the client would not queue it (outbox full, not connected) */
    REGISTRATION_FAILURE_DELETED,          /* the client dropped it before PUBACK (outbox expiry) */
    REGISTRATION_FAILURE_NOT_ACKNOWLEDGED, /* no PUBACK within the registration timeout */
    REGISTRATION_FAILURE_COUNT
} registration_failure_t;

typedef struct {
    domain_event_kind_t kind;
    uint64_t uptime_ms;
    union {
        struct {
            mqtt_connection_state_t old_state;
            mqtt_connection_state_t new_state;
        } state_changed;
        struct {
            uint32_t attempt;     /* 1-based since boot */
            uint8_t broker_index; /* which broker of the list */
        } connect_attempt;
        struct {
            uint32_t delay_ms;
            uint32_t failures; /* consecutive failures so far */
        } retry_scheduled;
        struct {
            int32_t msg_id;
            ipv4_address_t ip;
        } registered;
        struct {
            wifi_link_state_t old_state;
            wifi_link_state_t new_state;
            wifi_link_mode_t mode;
            int32_t reason;    /* the last disconnect reason */
            uint32_t retry_ms; /* the retry delay armed (new state backoff), else 0 */
        } wifi_link;
        struct {
            bool online;
            int32_t msg_id; /* -1 when it could not be queued */
        } presence;
        struct {
            registration_failure_t reason;
            int32_t detail; /* domain_status_t for INVALID_MESSAGE, platform code otherwise */
        } registration_failed;
    } data;
} domain_event_t;

const char *domain_event_kind_to_str(domain_event_kind_t kind);
const char *registration_failure_to_str(registration_failure_t reason);

#endif /* DOMAIN_DOMAIN_EVENTS_H */
