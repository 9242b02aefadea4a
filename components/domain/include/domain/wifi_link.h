/*
 * wifi_link: the WiFi station link entity, a pure state machine like mqtt_connection.
 *
 * wifi_link_handle(link, event, out) applies one event and returns the commands the application carries
 * out through its WiFi port, timer and power arbiter. It decides everything the WiFi adapter used to decide
 * on its own: when to connect, the retry schedule after a disconnect, low power while waiting, and when the
 * network counts as up for MQTT. The adapter only translates esp_wifi / esp_netif events into these events.
 *
 * Modes: START with stored credentials -> STATION; without -> PROVISIONING (the access point is up and the
 * station waits for credentials from the setup form). FACTORY_RESET (the stored credentials were erased)
 * goes back to PROVISIONING from either.
 *
 * States
 *   IDLE        not started, or started in provisioning mode without credentials yet
 *   STARTING    the driver is starting (waiting for DRIVER_STARTED before any connect)
 *   CONNECTING  a connect is under way, or the station is associated and waits for an address
 *   CONNECTED   the station holds an IPv4 address
 *   BACKOFF     waiting for the retry timer (or the settle delay after new credentials)
 *
 * Rules
 *   - Every disconnect reason is retried with the retry policy (the same schedule as MQTT: 30 s doubling to
 *     3600 s by default); auth failures too (passwords get fixed, routers reboot). The link never gives up.
 *   - A refused connect call is not a failed attempt: it waits again with the last delay (initial when none)
 *     without advancing the policy.
 *   - Low power is requested while waiting for a retry only in STATION mode (in provisioning the access point
 *     must stay responsive) and released before the next connect or when an address arrives.
 *   - An address resets the policy. In STATION mode the first address is reported up (REPORT_UP), a
 *     different later one as REPORT_IP_CHANGED; a renewal of the same address reports nothing. A disconnect
 *     or a lost address is reported down once per loss (REPORT_DOWN). These reports are the MQTT
 *     connection's network events.
 *   - PROVISIONING: CREDENTIALS_SET (new credentials held in RAM by the driver) drops any attempt, waits the
 *     settle delay (so the HTTP answer leaves before the radio changes channel), then connects; an address
 *     reported during that delay belongs to the dropped attempt and is ignored. An address in PROVISIONING
 *     mode is NOT reported up: FINISH_PROVISIONING is emitted once, and only after
 *     PROVISIONING_FINISHED (credentials persisted, access point closed, setup routes gone) is the mode
 *     STATION and the address reported up. So MQTT never starts while the access point is up.
 *   - Only the answer to FINISH_PROVISIONING (PROVISIONING_FINISHED while finishing) ends provisioning;
 *     CREDENTIALS_SET before START is ignored (no driver to try them with).
 *   - FACTORY_RESET (after START; ignored before): the station credentials are gone. A network reported up
 *     is reported down (REPORT_DOWN, code 0), an attempt under way is dropped (DISCONNECT when connecting
 *     or connected), a retry or settle wait ends (CANCEL_RETRY_TIMER), low power is released, the policy
 *     is reset, and the mode is PROVISIONING in IDLE waiting for credentials, as after START without
 *     credentials (STARTING stays STARTING until DRIVER_STARTED). START_PROVISIONING (the access point)
 *     is emitted when the link was in STATION mode, or finishing provisioning (the access point may be
 *     closing). Already in PROVISIONING the access point stays as it is (re-opening it would drop the
 *     technician's phone): waiting for the form, nothing changes; trying credentials from the form, the
 *     trial (erased with the rest) is dropped and the link waits for the form again.
 *   - Events that do not apply in a state change nothing (stale timer, duplicate disconnect).
 */
#ifndef DOMAIN_WIFI_LINK_H
#define DOMAIN_WIFI_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/domain_status.h"
#include "domain/ipv4_address.h"
#include "domain/retry_policy.h"

/* Default pause between accepting new credentials and connecting with them. */
#define WIFI_LINK_DEFAULT_SETTLE_MS 1000u

typedef enum {
    WIFI_LINK_IDLE = 0,
    WIFI_LINK_STARTING,
    WIFI_LINK_CONNECTING,
    WIFI_LINK_CONNECTED,
    WIFI_LINK_BACKOFF,
    WIFI_LINK_STATE_COUNT
} wifi_link_state_t;

typedef enum {
    WIFI_LINK_MODE_NONE = 0,
    WIFI_LINK_MODE_STATION,
    WIFI_LINK_MODE_PROVISIONING,
    WIFI_LINK_MODE_COUNT
} wifi_link_mode_t;

typedef enum {
    WIFI_LINK_EV_START = 0,         /* has_credentials: stored station credentials exist */
    WIFI_LINK_EV_DRIVER_STARTED,    /* the station interface is up (WIFI_EVENT_STA_START) */
    WIFI_LINK_EV_CREDENTIALS_SET,   /* provisioning: new credentials to try */
    WIFI_LINK_EV_CONNECT_REFUSED,   /* the driver refused the connect call */
    WIFI_LINK_EV_DISCONNECTED,      /* code: the driver's reason */
    WIFI_LINK_EV_GOT_IP,            /* ip */
    WIFI_LINK_EV_LOST_IP,           /* the address expired; the association may remain */
    WIFI_LINK_EV_RETRY_TIMER_FIRED, /* the retry delay (or the settle delay) ended */
    WIFI_LINK_EV_PROVISIONING_FINISHED,
    WIFI_LINK_EV_FACTORY_RESET, /* the stored station credentials were erased (reset button, control) */
    WIFI_LINK_EV_COUNT
} wifi_link_event_kind_t;

typedef struct {
    wifi_link_event_kind_t kind;
    bool has_credentials;  /* START */
    ipv4_address_t ip;     /* GOT_IP */
    int32_t code;          /* DISCONNECTED */
    uint32_t random_value; /* any event that may arm the retry timer: the jitter's random input */
} wifi_link_event_t;

typedef enum {
    WIFI_LINK_CMD_START_STATION = 0,
    WIFI_LINK_CMD_START_PROVISIONING, /* access point up; the setup routes are served */
    WIFI_LINK_CMD_CONNECT,
    WIFI_LINK_CMD_DISCONNECT,
    WIFI_LINK_CMD_ARM_RETRY_TIMER, /* delay_ms */
    WIFI_LINK_CMD_CANCEL_RETRY_TIMER,
    WIFI_LINK_CMD_REQUEST_LOW_POWER,
    WIFI_LINK_CMD_CLEAR_LOW_POWER,
    WIFI_LINK_CMD_REPORT_UP,         /* ip */
    WIFI_LINK_CMD_REPORT_DOWN,       /* code: the reason (0 for a lost address) */
    WIFI_LINK_CMD_REPORT_IP_CHANGED, /* ip */
    WIFI_LINK_CMD_FINISH_PROVISIONING,
    WIFI_LINK_CMD_COUNT
} wifi_link_command_kind_t;

typedef struct {
    wifi_link_command_kind_t kind;
    uint32_t delay_ms; /* ARM_RETRY_TIMER */
    ipv4_address_t ip; /* REPORT_UP, REPORT_IP_CHANGED */
    int32_t code;      /* REPORT_DOWN */
} wifi_link_command_t;

/* The longest transitions emit three commands (e.g. GOT_IP while backing off: CANCEL_RETRY_TIMER,
 * CLEAR_LOW_POWER, REPORT_UP; FACTORY_RESET while connected: REPORT_DOWN, DISCONNECT, START_PROVISIONING);
 * the rest is spare. */
#define WIFI_LINK_MAX_COMMANDS 6

typedef struct {
    wifi_link_command_t items[WIFI_LINK_MAX_COMMANDS];
    size_t count;
} wifi_link_commands_t;

typedef struct {
    retry_policy_config_t retry;
    uint32_t settle_ms; /* pause after CREDENTIALS_SET; 0 means WIFI_LINK_DEFAULT_SETTLE_MS */
} wifi_link_config_t;

typedef struct {
    wifi_link_state_t state;
    wifi_link_mode_t mode;
    bool has_credentials;
    bool reported_up;       /* REPORT_UP given and no REPORT_DOWN since */
    bool low_power;         /* REQUEST_LOW_POWER given and not cleared */
    bool finishing;         /* FINISH_PROVISIONING given, PROVISIONING_FINISHED not yet */
    bool settling;          /* new credentials wait for the settle delay: an address now is a stale one */
    ipv4_address_t ip;      /* the address held (valid in CONNECTED) */
    int32_t last_reason;    /* last disconnect reason */
    uint32_t last_delay_ms; /* the retry delay armed last; 0 when none */
    uint32_t settle_ms;
    retry_policy_t policy;
} wifi_link_t;

/* IDLE, mode NONE. config NULL: default retry policy and settle delay. DOMAIN_ERR_RETRY_CONFIG on a bad
 * policy. */
domain_status_t wifi_link_init(wifi_link_t *link, const wifi_link_config_t *config);

/* Applies event; fills out (count may be 0) and returns the new state. */
wifi_link_state_t wifi_link_handle(wifi_link_t *link, const wifi_link_event_t *event,
                                   wifi_link_commands_t *out);

/* Lower-case names for logs and JSON; "unknown" out of range. */
const char *wifi_link_state_to_str(wifi_link_state_t state);
const char *wifi_link_mode_to_str(wifi_link_mode_t mode);
const char *wifi_link_event_to_str(wifi_link_event_kind_t kind);
const char *wifi_link_command_to_str(wifi_link_command_kind_t kind);

#endif /* DOMAIN_WIFI_LINK_H */
