/*
 * wifi_link: the WiFi station link entity, a pure (state, event) -> (state, commands) machine.
 *
 * Part 1 is the transition table: every start state (IDLE before START, and each state of STATION and of
 * PROVISIONING mode, reached through real events only) crossed with every event, each row its own cmocka
 * test with the expected new state, mode and exact command list (payloads included, written the way the
 * failure message prints them).
 * Part 2 walks through the header's rules one at a time: the retry schedule, refused connects, low power,
 * the up/down reports, provisioning, the factory reset, stale events, bad arguments and the names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "domain/wifi_link.h"

#define IP_A_TEXT "192.168.1.10"
#define IP_B_TEXT "192.168.1.77"
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

/* The table's disconnect reason: 201, WIFI_REASON_NO_AP_FOUND. */
#define TABLE_REASON 201

/* Every disconnect reason a station sees (ESP-IDF wifi_err_reason_t), plus 0 and one the driver never
 * sends: none of them may change the schedule. */
static const int32_t REASONS[] = {0, 1, 2, 3, 4, 8, 15, 200, 201, 202, 203, 204, 205, 210, 211, 212, 9999};
#define REASON_COUNT (sizeof(REASONS) / sizeof(REASONS[0]))

/* The default schedule, written out: 30 s doubling, capped at one hour. */
static const uint32_t DEFAULT_SCHEDULE_MS[] = {30000u,  60000u,   120000u,  240000u,  480000u,
                                               960000u, 1920000u, 3600000u, 3600000u, 3600000u};
#define DEFAULT_SCHEDULE_STEPS (sizeof(DEFAULT_SCHEDULE_MS) / sizeof(DEFAULT_SCHEDULE_MS[0]))

/* ---- shared helpers ---- */

static wifi_link_event_t ev(wifi_link_event_kind_t kind)
{
    wifi_link_event_t e;
    memset(&e, 0, sizeof(e));
    e.kind = kind;
    return e;
}

static wifi_link_event_t ev_start(bool has_credentials)
{
    wifi_link_event_t e = ev(WIFI_LINK_EV_START);
    e.has_credentials = has_credentials;
    return e;
}

static wifi_link_event_t ev_got_ip(ipv4_address_t ip)
{
    wifi_link_event_t e = ev(WIFI_LINK_EV_GOT_IP);
    e.ip = ip;
    return e;
}

static wifi_link_event_t ev_disconnected(int32_t reason, uint32_t random_value)
{
    wifi_link_event_t e = ev(WIFI_LINK_EV_DISCONNECTED);
    e.code = reason;
    e.random_value = random_value;
    return e;
}

static ipv4_address_t ip_a(void)
{
    const ipv4_address_t ip = IP_A;
    return ip;
}

static ipv4_address_t ip_b(void)
{
    const ipv4_address_t ip = IP_B;
    return ip;
}

/* "connect, arm_retry_timer(30000), report_up(192.168.1.10)": the command list as the tables write it. */
static void describe(const wifi_link_commands_t *out, char *text, size_t size)
{
    size_t used = 0;
    text[0] = '\0';
    for (size_t i = 0; i < out->count && i < WIFI_LINK_MAX_COMMANDS && used < size; i++) {
        const wifi_link_command_t *cmd = &out->items[i];
        const char *name = wifi_link_command_to_str(cmd->kind);
        const char *sep = i == 0 ? "" : ", ";
        char ip[IPV4_ADDRESS_STR_SIZE];
        int n;
        switch (cmd->kind) {
            case WIFI_LINK_CMD_ARM_RETRY_TIMER:
                n = snprintf(text + used, size - used, "%s%s(%u)", sep, name, (unsigned)cmd->delay_ms);
                break;
            case WIFI_LINK_CMD_REPORT_DOWN:
                n = snprintf(text + used, size - used, "%s%s(%d)", sep, name, (int)cmd->code);
                break;
            case WIFI_LINK_CMD_REPORT_UP:
            case WIFI_LINK_CMD_REPORT_IP_CHANGED:
                ipv4_address_format(&cmd->ip, ip);
                n = snprintf(text + used, size - used, "%s%s(%s)", sep, name, ip);
                break;
            default:
                n = snprintf(text + used, size - used, "%s%s", sep, name);
                break;
        }
        used += n > 0 ? (size_t)n : 0u;
    }
}

/* Applies event and checks the new state and the exact command list. */
static wifi_link_commands_t step(wifi_link_t *link, wifi_link_event_t event, wifi_link_state_t expected_state,
                                 const char *expected_commands)
{
    wifi_link_commands_t out;
    memset(&out, 0xEE, sizeof(out));
    const wifi_link_state_t from = link->state;
    const wifi_link_state_t state = wifi_link_handle(link, &event, &out);
    assert_true(out.count <= WIFI_LINK_MAX_COMMANDS);
    char actual[256];
    describe(&out, actual, sizeof(actual));
    if (state != expected_state || link->state != expected_state || strcmp(actual, expected_commands) != 0) {
        fail_msg("%s + %s -> %s [%s], expected %s [%s]", wifi_link_state_to_str(from),
                 wifi_link_event_to_str(event.kind), wifi_link_state_to_str(state), actual,
                 wifi_link_state_to_str(expected_state), expected_commands);
    }
    return out;
}

static void init_default(wifi_link_t *link)
{
    assert_int_equal(wifi_link_init(link, NULL), DOMAIN_OK);
}

static void init_with(wifi_link_t *link, uint32_t initial_ms, uint32_t max_ms, uint32_t multiplier,
                      uint8_t jitter_percent, uint32_t settle_ms)
{
    const wifi_link_config_t config = {
        .retry = {.initial_ms = initial_ms,
                  .max_ms = max_ms,
                  .multiplier = multiplier,
                  .jitter_percent = jitter_percent},
        .settle_ms = settle_ms,
    };
    assert_int_equal(wifi_link_init(link, &config), DOMAIN_OK);
}

/* START with credentials and the driver up: the first connect is under way. */
static void start_station(wifi_link_t *link)
{
    step(link, ev_start(true), WIFI_LINK_STARTING, "start_station");
    step(link, ev(WIFI_LINK_EV_DRIVER_STARTED), WIFI_LINK_CONNECTING, "connect");
}

/* START without credentials, the driver up, credentials from the form, the settle delay over. */
static void start_provisioning_and_connect(wifi_link_t *link)
{
    step(link, ev_start(false), WIFI_LINK_STARTING, "start_provisioning");
    step(link, ev(WIFI_LINK_EV_DRIVER_STARTED), WIFI_LINK_IDLE, "");
    step(link, ev(WIFI_LINK_EV_CREDENTIALS_SET), WIFI_LINK_BACKOFF, "arm_retry_timer(1000)");
    step(link, ev(WIFI_LINK_EV_RETRY_TIMER_FIRED), WIFI_LINK_CONNECTING, "connect");
}

/* One failed attempt from CONNECTING: the disconnect waits delay_ms (with low power in station mode), the
 * timer connects again (releasing low power first). */
static void fail_and_retry(wifi_link_t *link, int32_t reason, uint32_t random_value, uint32_t delay_ms,
                           bool low_power)
{
    char backoff[64];
    if (low_power) {
        snprintf(backoff, sizeof(backoff), "arm_retry_timer(%u), request_low_power", (unsigned)delay_ms);
    } else {
        snprintf(backoff, sizeof(backoff), "arm_retry_timer(%u)", (unsigned)delay_ms);
    }
    step(link, ev_disconnected(reason, random_value), WIFI_LINK_BACKOFF, backoff);
    step(link, ev(WIFI_LINK_EV_RETRY_TIMER_FIRED), WIFI_LINK_CONNECTING,
         low_power ? "clear_low_power, connect" : "connect");
}

/* Everything an event that does not apply must leave as it was. The last disconnect reason is compared
 * by the callers that need it (it records the newest report). */
static void assert_same_link(const wifi_link_t *before, const wifi_link_t *after)
{
    assert_int_equal(after->state, before->state);
    assert_int_equal(after->mode, before->mode);
    assert_int_equal(after->has_credentials, before->has_credentials);
    assert_int_equal(after->reported_up, before->reported_up);
    assert_int_equal(after->low_power, before->low_power);
    assert_int_equal(after->finishing, before->finishing);
    assert_true(ipv4_address_equal(&after->ip, &before->ip));
    assert_int_equal(after->last_delay_ms, before->last_delay_ms);
    assert_int_equal(after->settle_ms, before->settle_ms);
    assert_int_equal(after->policy.attempt, before->policy.attempt);
    assert_memory_equal(&after->policy.config, &before->policy.config, sizeof(before->policy.config));
}

/* ---- part 1: the transition table ---- */

typedef enum {
    START_IDLE = 0,        /* initialised, not started (mode none) */
    START_STA_STARTING,    /* START with credentials */
    START_STA_CONNECTING,  /* ... DRIVER_STARTED: first connect under way */
    START_STA_CONNECTED,   /* ... GOT_IP(A): reported up */
    START_STA_BACKOFF,     /* first connect failed: retry timer armed, low power held */
    START_PROV_STARTING,   /* START without credentials */
    START_PROV_IDLE,       /* ... DRIVER_STARTED: waiting for the form */
    START_PROV_SETTLING,   /* ... CREDENTIALS_SET: the settle delay runs */
    START_PROV_CONNECTING, /* ... the settle delay ended: connect under way */
    START_PROV_CONNECTED,  /* ... GOT_IP(A): FINISH_PROVISIONING given, PROVISIONING_FINISHED not yet */
    START_PROV_BACKOFF,    /* the connect with the form's credentials failed (wrong password) */
    START_RESET,           /* station connected, then FACTORY_RESET: provisioning, waiting for the form */
    START_COUNT
} start_t;

static const char *const START_NAMES[START_COUNT] = {
    [START_IDLE] = "idle",
    [START_STA_STARTING] = "station starting",
    [START_STA_CONNECTING] = "station connecting",
    [START_STA_CONNECTED] = "station connected",
    [START_STA_BACKOFF] = "station backoff",
    [START_PROV_STARTING] = "provisioning starting",
    [START_PROV_IDLE] = "provisioning idle",
    [START_PROV_SETTLING] = "provisioning settling",
    [START_PROV_CONNECTING] = "provisioning connecting",
    [START_PROV_CONNECTED] = "provisioning connected",
    [START_PROV_BACKOFF] = "provisioning backoff",
    [START_RESET] = "after factory reset",
};

typedef enum {
    EV_START_STATION = 0,
    EV_START_PROVISIONING,
    EV_DRIVER_STARTED,
    EV_CREDENTIALS_SET,
    EV_CONNECT_REFUSED,
    EV_DISCONNECTED,
    EV_GOT_IP_A,
    EV_GOT_IP_B,
    EV_LOST_IP,
    EV_RETRY_TIMER,
    EV_PROVISIONING_FINISHED,
    EV_FACTORY_RESET,
    EV_ROW_COUNT
} event_id_t;

static const struct {
    const char *name;
    wifi_link_event_t event;
} EVENTS[EV_ROW_COUNT] = {
    [EV_START_STATION] = {"start(credentials)", {.kind = WIFI_LINK_EV_START, .has_credentials = true}},
    [EV_START_PROVISIONING] = {"start(no credentials)", {.kind = WIFI_LINK_EV_START}},
    [EV_DRIVER_STARTED] = {"driver_started", {.kind = WIFI_LINK_EV_DRIVER_STARTED}},
    [EV_CREDENTIALS_SET] = {"credentials_set", {.kind = WIFI_LINK_EV_CREDENTIALS_SET}},
    [EV_CONNECT_REFUSED] = {"connect_refused", {.kind = WIFI_LINK_EV_CONNECT_REFUSED}},
    [EV_DISCONNECTED] = {"disconnected(201)", {.kind = WIFI_LINK_EV_DISCONNECTED, .code = TABLE_REASON}},
    [EV_GOT_IP_A] = {"got_ip(" IP_A_TEXT ")", {.kind = WIFI_LINK_EV_GOT_IP, .ip = IP_A}},
    [EV_GOT_IP_B] = {"got_ip(" IP_B_TEXT ")", {.kind = WIFI_LINK_EV_GOT_IP, .ip = IP_B}},
    [EV_LOST_IP] = {"lost_ip", {.kind = WIFI_LINK_EV_LOST_IP}},
    [EV_RETRY_TIMER] = {"retry_timer_fired", {.kind = WIFI_LINK_EV_RETRY_TIMER_FIRED}},
    [EV_PROVISIONING_FINISHED] = {"provisioning_finished", {.kind = WIFI_LINK_EV_PROVISIONING_FINISHED}},
    [EV_FACTORY_RESET] = {"factory_reset", {.kind = WIFI_LINK_EV_FACTORY_RESET}},
};

typedef struct {
    start_t start;
    event_id_t event;
    wifi_link_state_t state;
    wifi_link_mode_t mode;
    const char *commands;
} transition_t;

#define T(start, event, state, mode, commands)                                        \
    {                                                                                 \
        START_##start, EV_##event, WIFI_LINK_##state, WIFI_LINK_MODE_##mode, commands \
    }

#define UP_A      "report_up(" IP_A_TEXT ")"
#define UP_B      "report_up(" IP_B_TEXT ")"
#define CHANGED_B "report_ip_changed(" IP_B_TEXT ")"
#define RETRY     "arm_retry_timer(30000)"
#define SETTLE    "arm_retry_timer(1000)"
#define REOPEN_AP "start_provisioning"

static const transition_t TRANSITIONS[] = {
    /* IDLE before START: only START applies; its credentials choose the mode. Nothing connects before the
     * driver has started. */
    T(IDLE, START_STATION, STARTING, STATION, "start_station"),
    T(IDLE, START_PROVISIONING, STARTING, PROVISIONING, "start_provisioning"),
    T(IDLE, DRIVER_STARTED, IDLE, NONE, ""),
    T(IDLE, CREDENTIALS_SET, IDLE, NONE, ""),
    T(IDLE, CONNECT_REFUSED, IDLE, NONE, ""),
    T(IDLE, DISCONNECTED, IDLE, NONE, ""),
    T(IDLE, GOT_IP_A, IDLE, NONE, ""),
    T(IDLE, GOT_IP_B, IDLE, NONE, ""),
    T(IDLE, LOST_IP, IDLE, NONE, ""),
    T(IDLE, RETRY_TIMER, IDLE, NONE, ""),
    T(IDLE, PROVISIONING_FINISHED, IDLE, NONE, ""),
    T(IDLE, FACTORY_RESET, IDLE, NONE, ""),

    /* STATION, STARTING: the driver's start is the only way on; an address is stale. */
    T(STA_STARTING, START_STATION, STARTING, STATION, ""),
    T(STA_STARTING, START_PROVISIONING, STARTING, STATION, ""),
    T(STA_STARTING, DRIVER_STARTED, CONNECTING, STATION, "connect"),
    T(STA_STARTING, CREDENTIALS_SET, STARTING, STATION, ""),
    T(STA_STARTING, CONNECT_REFUSED, STARTING, STATION, ""),
    T(STA_STARTING, DISCONNECTED, STARTING, STATION, ""),
    T(STA_STARTING, GOT_IP_A, STARTING, STATION, ""),
    T(STA_STARTING, GOT_IP_B, STARTING, STATION, ""),
    T(STA_STARTING, LOST_IP, STARTING, STATION, ""),
    T(STA_STARTING, RETRY_TIMER, STARTING, STATION, ""),
    T(STA_STARTING, PROVISIONING_FINISHED, STARTING, STATION, ""),
    T(STA_STARTING, FACTORY_RESET, STARTING, PROVISIONING, REOPEN_AP), /* DRIVER_STARTED then idles */

    /* STATION, CONNECTING: an address is reported up; a refusal or a disconnect backs off with low power. */
    T(STA_CONNECTING, START_STATION, CONNECTING, STATION, ""),
    T(STA_CONNECTING, START_PROVISIONING, CONNECTING, STATION, ""),
    T(STA_CONNECTING, DRIVER_STARTED, CONNECTING, STATION, ""),
    T(STA_CONNECTING, CREDENTIALS_SET, BACKOFF, STATION, "disconnect, " SETTLE),
    T(STA_CONNECTING, CONNECT_REFUSED, BACKOFF, STATION, RETRY ", request_low_power"),
    T(STA_CONNECTING, DISCONNECTED, BACKOFF, STATION, RETRY ", request_low_power"),
    T(STA_CONNECTING, GOT_IP_A, CONNECTED, STATION, UP_A),
    T(STA_CONNECTING, GOT_IP_B, CONNECTED, STATION, UP_B),
    T(STA_CONNECTING, LOST_IP, CONNECTING, STATION, ""),
    T(STA_CONNECTING, RETRY_TIMER, CONNECTING, STATION, ""),
    T(STA_CONNECTING, PROVISIONING_FINISHED, CONNECTING, STATION, ""),
    T(STA_CONNECTING, FACTORY_RESET, IDLE, PROVISIONING, "disconnect, " REOPEN_AP),

    /* STATION, CONNECTED (A reported up): a loss is reported down once (a disconnect backs off first, so the
     * link's low-power request comes before the MQTT connection's); a renewal reports nothing. */
    T(STA_CONNECTED, START_STATION, CONNECTED, STATION, ""),
    T(STA_CONNECTED, START_PROVISIONING, CONNECTED, STATION, ""),
    T(STA_CONNECTED, DRIVER_STARTED, CONNECTED, STATION, ""),
    T(STA_CONNECTED, CREDENTIALS_SET, BACKOFF, STATION, "report_down(0), disconnect, " SETTLE),
    T(STA_CONNECTED, CONNECT_REFUSED, CONNECTED, STATION, ""),
    T(STA_CONNECTED, DISCONNECTED, BACKOFF, STATION, RETRY ", request_low_power, report_down(201)"),
    T(STA_CONNECTED, GOT_IP_A, CONNECTED, STATION, ""),
    T(STA_CONNECTED, GOT_IP_B, CONNECTED, STATION, CHANGED_B),
    T(STA_CONNECTED, LOST_IP, CONNECTING, STATION, "report_down(0)"),
    T(STA_CONNECTED, RETRY_TIMER, CONNECTED, STATION, ""),
    T(STA_CONNECTED, PROVISIONING_FINISHED, CONNECTED, STATION, ""),
    T(STA_CONNECTED, FACTORY_RESET, IDLE, PROVISIONING, "report_down(0), disconnect, " REOPEN_AP),

    /* STATION, BACKOFF (low power held): the timer releases low power and connects; an address ends the
     * wait; a duplicate disconnect or refusal changes nothing. */
    T(STA_BACKOFF, START_STATION, BACKOFF, STATION, ""),
    T(STA_BACKOFF, START_PROVISIONING, BACKOFF, STATION, ""),
    T(STA_BACKOFF, DRIVER_STARTED, BACKOFF, STATION, ""),
    T(STA_BACKOFF, CREDENTIALS_SET, BACKOFF, STATION, "cancel_retry_timer, clear_low_power, " SETTLE),
    T(STA_BACKOFF, CONNECT_REFUSED, BACKOFF, STATION, ""),
    T(STA_BACKOFF, DISCONNECTED, BACKOFF, STATION, ""),
    T(STA_BACKOFF, GOT_IP_A, CONNECTED, STATION, "cancel_retry_timer, clear_low_power, " UP_A),
    T(STA_BACKOFF, GOT_IP_B, CONNECTED, STATION, "cancel_retry_timer, clear_low_power, " UP_B),
    T(STA_BACKOFF, LOST_IP, BACKOFF, STATION, ""),
    T(STA_BACKOFF, RETRY_TIMER, CONNECTING, STATION, "clear_low_power, connect"),
    T(STA_BACKOFF, PROVISIONING_FINISHED, BACKOFF, STATION, ""),
    T(STA_BACKOFF, FACTORY_RESET, IDLE, PROVISIONING, "cancel_retry_timer, clear_low_power, " REOPEN_AP),

    /* PROVISIONING, STARTING: credentials set now are tried once the driver has started;
     * PROVISIONING_FINISHED without a FINISH_PROVISIONING does not apply. */
    T(PROV_STARTING, START_STATION, STARTING, PROVISIONING, ""),
    T(PROV_STARTING, START_PROVISIONING, STARTING, PROVISIONING, ""),
    T(PROV_STARTING, DRIVER_STARTED, IDLE, PROVISIONING, ""),
    T(PROV_STARTING, CREDENTIALS_SET, STARTING, PROVISIONING, ""),
    T(PROV_STARTING, CONNECT_REFUSED, STARTING, PROVISIONING, ""),
    T(PROV_STARTING, DISCONNECTED, STARTING, PROVISIONING, ""),
    T(PROV_STARTING, GOT_IP_A, STARTING, PROVISIONING, ""),
    T(PROV_STARTING, GOT_IP_B, STARTING, PROVISIONING, ""),
    T(PROV_STARTING, LOST_IP, STARTING, PROVISIONING, ""),
    T(PROV_STARTING, RETRY_TIMER, STARTING, PROVISIONING, ""),
    T(PROV_STARTING, PROVISIONING_FINISHED, STARTING, PROVISIONING, ""),
    T(PROV_STARTING, FACTORY_RESET, STARTING, PROVISIONING, ""),

    /* PROVISIONING, IDLE (waiting for the form): only new credentials move on, after the settle delay. */
    T(PROV_IDLE, START_STATION, IDLE, PROVISIONING, ""),
    T(PROV_IDLE, START_PROVISIONING, IDLE, PROVISIONING, ""),
    T(PROV_IDLE, DRIVER_STARTED, IDLE, PROVISIONING, ""),
    T(PROV_IDLE, CREDENTIALS_SET, BACKOFF, PROVISIONING, SETTLE),
    T(PROV_IDLE, CONNECT_REFUSED, IDLE, PROVISIONING, ""),
    T(PROV_IDLE, DISCONNECTED, IDLE, PROVISIONING, ""),
    T(PROV_IDLE, GOT_IP_A, IDLE, PROVISIONING, ""),
    T(PROV_IDLE, GOT_IP_B, IDLE, PROVISIONING, ""),
    T(PROV_IDLE, LOST_IP, IDLE, PROVISIONING, ""),
    T(PROV_IDLE, RETRY_TIMER, IDLE, PROVISIONING, ""),
    T(PROV_IDLE, PROVISIONING_FINISHED, IDLE, PROVISIONING, ""),
    T(PROV_IDLE, FACTORY_RESET, IDLE, PROVISIONING, ""),

    /* PROVISIONING, settling after CREDENTIALS_SET: the timer connects; newer credentials re-arm the delay;
     * the disconnect or the late address the driver reports for the dropped attempt changes nothing (an
     * address now must not finish provisioning with credentials never tried). */
    T(PROV_SETTLING, START_STATION, BACKOFF, PROVISIONING, ""),
    T(PROV_SETTLING, START_PROVISIONING, BACKOFF, PROVISIONING, ""),
    T(PROV_SETTLING, DRIVER_STARTED, BACKOFF, PROVISIONING, ""),
    T(PROV_SETTLING, CREDENTIALS_SET, BACKOFF, PROVISIONING, "cancel_retry_timer, " SETTLE),
    T(PROV_SETTLING, CONNECT_REFUSED, BACKOFF, PROVISIONING, ""),
    T(PROV_SETTLING, DISCONNECTED, BACKOFF, PROVISIONING, ""),
    T(PROV_SETTLING, GOT_IP_A, BACKOFF, PROVISIONING, ""),
    T(PROV_SETTLING, GOT_IP_B, BACKOFF, PROVISIONING, ""),
    T(PROV_SETTLING, LOST_IP, BACKOFF, PROVISIONING, ""),
    T(PROV_SETTLING, RETRY_TIMER, CONNECTING, PROVISIONING, "connect"),
    T(PROV_SETTLING, PROVISIONING_FINISHED, BACKOFF, PROVISIONING, ""),
    T(PROV_SETTLING, FACTORY_RESET, IDLE, PROVISIONING, "cancel_retry_timer"),

    /* PROVISIONING, CONNECTING: an address finishes provisioning instead of being reported up; a failure
     * backs off without low power (the access point stays responsive). */
    T(PROV_CONNECTING, START_STATION, CONNECTING, PROVISIONING, ""),
    T(PROV_CONNECTING, START_PROVISIONING, CONNECTING, PROVISIONING, ""),
    T(PROV_CONNECTING, DRIVER_STARTED, CONNECTING, PROVISIONING, ""),
    T(PROV_CONNECTING, CREDENTIALS_SET, BACKOFF, PROVISIONING, "disconnect, " SETTLE),
    T(PROV_CONNECTING, CONNECT_REFUSED, BACKOFF, PROVISIONING, RETRY),
    T(PROV_CONNECTING, DISCONNECTED, BACKOFF, PROVISIONING, RETRY),
    T(PROV_CONNECTING, GOT_IP_A, CONNECTED, PROVISIONING, "finish_provisioning"),
    T(PROV_CONNECTING, GOT_IP_B, CONNECTED, PROVISIONING, "finish_provisioning"),
    T(PROV_CONNECTING, LOST_IP, CONNECTING, PROVISIONING, ""),
    T(PROV_CONNECTING, RETRY_TIMER, CONNECTING, PROVISIONING, ""),
    T(PROV_CONNECTING, PROVISIONING_FINISHED, CONNECTING, PROVISIONING, ""),
    T(PROV_CONNECTING, FACTORY_RESET, IDLE, PROVISIONING, "disconnect"),

    /* PROVISIONING, CONNECTED (finishing): nothing is reported until PROVISIONING_FINISHED switches to
     * STATION and reports the address up. */
    T(PROV_CONNECTED, START_STATION, CONNECTED, PROVISIONING, ""),
    T(PROV_CONNECTED, START_PROVISIONING, CONNECTED, PROVISIONING, ""),
    T(PROV_CONNECTED, DRIVER_STARTED, CONNECTED, PROVISIONING, ""),
    T(PROV_CONNECTED, CREDENTIALS_SET, BACKOFF, PROVISIONING, "disconnect, " SETTLE),
    T(PROV_CONNECTED, CONNECT_REFUSED, CONNECTED, PROVISIONING, ""),
    T(PROV_CONNECTED, DISCONNECTED, BACKOFF, PROVISIONING, RETRY),
    T(PROV_CONNECTED, GOT_IP_A, CONNECTED, PROVISIONING, ""),
    T(PROV_CONNECTED, GOT_IP_B, CONNECTED, PROVISIONING, ""),
    T(PROV_CONNECTED, LOST_IP, CONNECTING, PROVISIONING, ""),
    T(PROV_CONNECTED, RETRY_TIMER, CONNECTED, PROVISIONING, ""),
    T(PROV_CONNECTED, PROVISIONING_FINISHED, CONNECTED, STATION, UP_A),
    T(PROV_CONNECTED, FACTORY_RESET, IDLE, PROVISIONING, "disconnect, " REOPEN_AP), /* it may be closing */

    /* PROVISIONING, BACKOFF after a failed connect: no low power to release. */
    T(PROV_BACKOFF, START_STATION, BACKOFF, PROVISIONING, ""),
    T(PROV_BACKOFF, START_PROVISIONING, BACKOFF, PROVISIONING, ""),
    T(PROV_BACKOFF, DRIVER_STARTED, BACKOFF, PROVISIONING, ""),
    T(PROV_BACKOFF, CREDENTIALS_SET, BACKOFF, PROVISIONING, "cancel_retry_timer, " SETTLE),
    T(PROV_BACKOFF, CONNECT_REFUSED, BACKOFF, PROVISIONING, ""),
    T(PROV_BACKOFF, DISCONNECTED, BACKOFF, PROVISIONING, ""),
    T(PROV_BACKOFF, GOT_IP_A, CONNECTED, PROVISIONING, "cancel_retry_timer, finish_provisioning"),
    T(PROV_BACKOFF, GOT_IP_B, CONNECTED, PROVISIONING, "cancel_retry_timer, finish_provisioning"),
    T(PROV_BACKOFF, LOST_IP, BACKOFF, PROVISIONING, ""),
    T(PROV_BACKOFF, RETRY_TIMER, CONNECTING, PROVISIONING, "connect"),
    T(PROV_BACKOFF, PROVISIONING_FINISHED, BACKOFF, PROVISIONING, ""),
    T(PROV_BACKOFF, FACTORY_RESET, IDLE, PROVISIONING, "cancel_retry_timer"),

    /* After a factory reset from a connected station: exactly PROVISIONING, IDLE. The disconnect and the
     * late address the driver reports for the dropped connection change nothing, and no timer is left. */
    T(RESET, START_STATION, IDLE, PROVISIONING, ""),
    T(RESET, START_PROVISIONING, IDLE, PROVISIONING, ""),
    T(RESET, DRIVER_STARTED, IDLE, PROVISIONING, ""),
    T(RESET, CREDENTIALS_SET, BACKOFF, PROVISIONING, SETTLE),
    T(RESET, CONNECT_REFUSED, IDLE, PROVISIONING, ""),
    T(RESET, DISCONNECTED, IDLE, PROVISIONING, ""),
    T(RESET, GOT_IP_A, IDLE, PROVISIONING, ""),
    T(RESET, GOT_IP_B, IDLE, PROVISIONING, ""),
    T(RESET, LOST_IP, IDLE, PROVISIONING, ""),
    T(RESET, RETRY_TIMER, IDLE, PROVISIONING, ""),
    T(RESET, PROVISIONING_FINISHED, IDLE, PROVISIONING, ""),
    T(RESET, FACTORY_RESET, IDLE, PROVISIONING, ""),
};

#define TRANSITION_COUNT (sizeof(TRANSITIONS) / sizeof(TRANSITIONS[0]))

/* Brings a fresh link (default configuration) into the start state through real events only. */
static void enter(wifi_link_t *link, start_t start)
{
    init_default(link);
    switch (start) {
        case START_IDLE:
            return;
        case START_STA_STARTING:
            step(link, ev_start(true), WIFI_LINK_STARTING, "start_station");
            return;
        case START_STA_CONNECTING:
            start_station(link);
            return;
        case START_STA_CONNECTED:
            start_station(link);
            step(link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, UP_A);
            return;
        case START_STA_BACKOFF:
            start_station(link);
            step(link, ev_disconnected(TABLE_REASON, 0), WIFI_LINK_BACKOFF, RETRY ", request_low_power");
            return;
        case START_PROV_STARTING:
            step(link, ev_start(false), WIFI_LINK_STARTING, "start_provisioning");
            return;
        case START_PROV_IDLE:
            step(link, ev_start(false), WIFI_LINK_STARTING, "start_provisioning");
            step(link, ev(WIFI_LINK_EV_DRIVER_STARTED), WIFI_LINK_IDLE, "");
            return;
        case START_PROV_SETTLING:
            step(link, ev_start(false), WIFI_LINK_STARTING, "start_provisioning");
            step(link, ev(WIFI_LINK_EV_DRIVER_STARTED), WIFI_LINK_IDLE, "");
            step(link, ev(WIFI_LINK_EV_CREDENTIALS_SET), WIFI_LINK_BACKOFF, SETTLE);
            return;
        case START_PROV_CONNECTING:
            start_provisioning_and_connect(link);
            return;
        case START_PROV_CONNECTED:
            start_provisioning_and_connect(link);
            step(link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, "finish_provisioning");
            return;
        case START_PROV_BACKOFF:
            start_provisioning_and_connect(link);
            step(link, ev_disconnected(15, 0), WIFI_LINK_BACKOFF, RETRY);
            return;
        case START_RESET:
            start_station(link);
            step(link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, UP_A);
            step(link, ev(WIFI_LINK_EV_FACTORY_RESET), WIFI_LINK_IDLE,
                 "report_down(0), disconnect, " REOPEN_AP);
            return;
        default:
            fail_msg("no such start state %d", (int)start);
    }
}

static void test_transition(void **state)
{
    const transition_t *t = *state;
    wifi_link_t link;
    enter(&link, t->start);
    step(&link, EVENTS[t->event].event, t->state, t->commands);
    if (link.mode != t->mode) {
        fail_msg("mode is %s, expected %s", wifi_link_mode_to_str(link.mode), wifi_link_mode_to_str(t->mode));
    }
}

static void test_table_covers_every_state_and_event(void **state)
{
    (void)state;
    int seen[START_COUNT][EV_ROW_COUNT];
    memset(seen, 0, sizeof(seen));
    for (size_t i = 0; i < TRANSITION_COUNT; i++) {
        seen[TRANSITIONS[i].start][TRANSITIONS[i].event]++;
    }
    for (int s = 0; s < START_COUNT; s++) {
        for (int e = 0; e < EV_ROW_COUNT; e++) {
            if (seen[s][e] != 1) {
                fail_msg("%s + %s has %d rows", START_NAMES[s], EVENTS[e].name, seen[s][e]);
            }
        }
    }
}

/* ---- part 2: the rules, one at a time ---- */

/* Retry schedule */

static void test_every_disconnect_reason_doubles_the_delay_up_to_the_cap(void **state)
{
    (void)state;
    for (size_t r = 0; r < REASON_COUNT; r++) {
        wifi_link_t link;
        init_default(&link);
        start_station(&link);
        for (size_t n = 0; n < DEFAULT_SCHEDULE_STEPS; n++) {
            fail_and_retry(&link, REASONS[r], 0, DEFAULT_SCHEDULE_MS[n], true);
        }
    }
}

static void test_the_link_never_gives_up(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    start_station(&link);
    for (uint32_t n = 0; n < 1000; n++) {
        const uint32_t expected = n < 7 ? RETRY_POLICY_DEFAULT_INITIAL_MS << n : RETRY_POLICY_DEFAULT_MAX_MS;
        fail_and_retry(&link, REASONS[n % REASON_COUNT], n, expected, true);
    }
    step(&link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, UP_A);
}

static void test_a_custom_retry_config_sets_the_schedule(void **state)
{
    (void)state;
    wifi_link_t link;
    init_with(&link, 5000u, 20000u, 3u, 0u, 0u);
    start_station(&link);
    fail_and_retry(&link, 201, 0, 5000u, true);
    fail_and_retry(&link, 201, 0, 15000u, true);
    fail_and_retry(&link, 201, 0, 20000u, true);
    fail_and_retry(&link, 201, 0, 20000u, true);
}

static void test_multiplier_one_keeps_a_constant_delay(void **state)
{
    (void)state;
    wifi_link_t link;
    init_with(&link, 10000u, 10000u, 1u, 0u, 0u);
    start_station(&link);
    for (int n = 0; n < 20; n++) {
        fail_and_retry(&link, 2, 0, 10000u, true);
    }
}

static void test_jitter_lowers_the_delay_by_the_events_random_value(void **state)
{
    (void)state;
    wifi_link_t link;
    init_with(&link, 30000u, 3600000u, 2u, 50u, 0u);
    start_station(&link);
    fail_and_retry(&link, 201, 1000u, 15000u, true);  /* the whole 50 % span */
    fail_and_retry(&link, 201, 0u, 60000u, true);     /* none of it */
    fail_and_retry(&link, 201, 500u, 90000u, true);   /* half of 50 % of 120 s */
    fail_and_retry(&link, 201, 1001u, 240000u, true); /* 1001 % 1001 == 0 */
}

static void test_an_address_resets_the_schedule(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    start_station(&link);
    fail_and_retry(&link, 201, 0, 30000u, true);
    fail_and_retry(&link, 201, 0, 60000u, true);
    fail_and_retry(&link, 201, 0, 120000u, true);
    step(&link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, UP_A);
    step(&link, ev_disconnected(8, 0), WIFI_LINK_BACKOFF, RETRY ", request_low_power, report_down(8)");
}

static void test_an_address_while_backing_off_resets_the_schedule(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    start_station(&link);
    fail_and_retry(&link, 201, 0, 30000u, true);
    step(&link, ev_disconnected(201, 0), WIFI_LINK_BACKOFF, "arm_retry_timer(60000), request_low_power");
    step(&link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, "cancel_retry_timer, clear_low_power, " UP_A);
    step(&link, ev_disconnected(201, 0), WIFI_LINK_BACKOFF, RETRY ", request_low_power, report_down(201)");
}

/* Refused connects */

static void test_a_refused_connect_waits_the_initial_delay_when_none_yet(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    start_station(&link);
    step(&link, ev(WIFI_LINK_EV_CONNECT_REFUSED), WIFI_LINK_BACKOFF, RETRY ", request_low_power");
    step(&link, ev(WIFI_LINK_EV_RETRY_TIMER_FIRED), WIFI_LINK_CONNECTING, "clear_low_power, connect");
    /* Not a failed attempt: the first real failure still waits the initial delay. */
    fail_and_retry(&link, 201, 0, 30000u, true);
    fail_and_retry(&link, 201, 0, 60000u, true);
}

static void test_a_refused_connect_waits_the_last_delay_without_advancing_the_policy(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    start_station(&link);
    fail_and_retry(&link, 201, 0, 30000u, true);
    fail_and_retry(&link, 201, 0, 60000u, true);
    fail_and_retry(&link, 201, 0, 120000u, true);
    for (int n = 0; n < 3; n++) {
        step(&link, ev(WIFI_LINK_EV_CONNECT_REFUSED), WIFI_LINK_BACKOFF,
             "arm_retry_timer(120000), request_low_power");
        step(&link, ev(WIFI_LINK_EV_RETRY_TIMER_FIRED), WIFI_LINK_CONNECTING, "clear_low_power, connect");
    }
    fail_and_retry(&link, 201, 0, 240000u, true);
}

static void test_a_refused_connect_in_provisioning_waits_without_low_power(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    start_provisioning_and_connect(&link);
    step(&link, ev(WIFI_LINK_EV_CONNECT_REFUSED), WIFI_LINK_BACKOFF, RETRY);
    assert_false(link.low_power);
}

/* Low power */

static void test_low_power_is_requested_while_backing_off_in_station_mode(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    start_station(&link);
    assert_false(link.low_power);
    step(&link, ev_disconnected(201, 0), WIFI_LINK_BACKOFF, RETRY ", request_low_power");
    assert_true(link.low_power);
}

static void test_low_power_is_released_before_the_next_connect(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    start_station(&link);
    step(&link, ev_disconnected(201, 0), WIFI_LINK_BACKOFF, RETRY ", request_low_power");
    const wifi_link_commands_t out =
        step(&link, ev(WIFI_LINK_EV_RETRY_TIMER_FIRED), WIFI_LINK_CONNECTING, "clear_low_power, connect");
    assert_int_equal(out.items[0].kind, WIFI_LINK_CMD_CLEAR_LOW_POWER);
    assert_int_equal(out.items[1].kind, WIFI_LINK_CMD_CONNECT);
    assert_false(link.low_power);
}

static void test_low_power_is_released_when_an_address_arrives(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    start_station(&link);
    step(&link, ev_disconnected(201, 0), WIFI_LINK_BACKOFF, RETRY ", request_low_power");
    step(&link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, "cancel_retry_timer, clear_low_power, " UP_A);
    assert_false(link.low_power);
}

static void test_low_power_is_never_requested_twice(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    start_station(&link);
    step(&link, ev_disconnected(201, 0), WIFI_LINK_BACKOFF, RETRY ", request_low_power");
    /* Everything that may reach a link already waiting, none of which asks again. */
    step(&link, ev_disconnected(201, 0), WIFI_LINK_BACKOFF, "");
    step(&link, ev_disconnected(2, 0), WIFI_LINK_BACKOFF, "");
    step(&link, ev(WIFI_LINK_EV_CONNECT_REFUSED), WIFI_LINK_BACKOFF, "");
    step(&link, ev(WIFI_LINK_EV_LOST_IP), WIFI_LINK_BACKOFF, "");
    step(&link, ev(WIFI_LINK_EV_DRIVER_STARTED), WIFI_LINK_BACKOFF, "");
    step(&link, ev_start(true), WIFI_LINK_BACKOFF, "");
    /* Requests and releases alternate over many failures and refusals. */
    bool held = true;
    for (int n = 0; n < 100; n++) {
        static const wifi_link_event_kind_t KINDS[] = {
            WIFI_LINK_EV_RETRY_TIMER_FIRED, WIFI_LINK_EV_CONNECT_REFUSED, WIFI_LINK_EV_RETRY_TIMER_FIRED,
            WIFI_LINK_EV_DISCONNECTED, WIFI_LINK_EV_DISCONNECTED};
        wifi_link_event_t e = ev(KINDS[n % 5]);
        e.code = 201;
        wifi_link_commands_t out;
        (void)wifi_link_handle(&link, &e, &out);
        for (size_t i = 0; i < out.count; i++) {
            if (out.items[i].kind == WIFI_LINK_CMD_REQUEST_LOW_POWER) {
                assert_false(held);
                held = true;
            } else if (out.items[i].kind == WIFI_LINK_CMD_CLEAR_LOW_POWER) {
                assert_true(held);
                held = false;
            }
        }
        assert_int_equal(link.low_power, held);
    }
}

static void test_low_power_is_never_requested_in_provisioning_mode(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    start_provisioning_and_connect(&link);
    for (uint32_t n = 0; n < 50; n++) {
        const uint32_t expected = n < 7 ? RETRY_POLICY_DEFAULT_INITIAL_MS << n : RETRY_POLICY_DEFAULT_MAX_MS;
        fail_and_retry(&link, REASONS[n % REASON_COUNT], 0, expected, false);
        char refused[48];
        snprintf(refused, sizeof(refused), "arm_retry_timer(%u)", (unsigned)expected);
        step(&link, ev(WIFI_LINK_EV_CONNECT_REFUSED), WIFI_LINK_BACKOFF, refused);
        step(&link, ev(WIFI_LINK_EV_RETRY_TIMER_FIRED), WIFI_LINK_CONNECTING, "connect");
        assert_false(link.low_power);
    }
}

/* Up and down reports */

static void test_the_first_address_is_reported_up(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    start_station(&link);
    const wifi_link_commands_t out = step(&link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, UP_A);
    assert_true(link.reported_up);
    assert_true(ipv4_address_equal(&link.ip, &out.items[0].ip));
}

static void test_a_different_later_address_is_reported_as_changed(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    start_station(&link);
    step(&link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, UP_A);
    step(&link, ev_got_ip(ip_b()), WIFI_LINK_CONNECTED, CHANGED_B);
    step(&link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, "report_ip_changed(" IP_A_TEXT ")");
}

static void test_a_renewal_of_the_same_address_reports_nothing(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    start_station(&link);
    step(&link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, UP_A);
    for (int n = 0; n < 5; n++) {
        step(&link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, "");
    }
}

static void test_a_disconnect_is_reported_down_once_with_its_reason(void **state)
{
    (void)state;
    static const int32_t reasons[] = {2, 8, 15, 200, 201, 202, 204};
    for (size_t r = 0; r < sizeof(reasons) / sizeof(reasons[0]); r++) {
        wifi_link_t link;
        init_default(&link);
        start_station(&link);
        step(&link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, UP_A);
        char expected[96];
        snprintf(expected, sizeof(expected), RETRY ", request_low_power, report_down(%d)", (int)reasons[r]);
        step(&link, ev_disconnected(reasons[r], 0), WIFI_LINK_BACKOFF, expected);
        step(&link, ev_disconnected(reasons[r], 0), WIFI_LINK_BACKOFF, "");
        step(&link, ev(WIFI_LINK_EV_LOST_IP), WIFI_LINK_BACKOFF, "");
    }
}

static void test_a_lost_address_is_reported_down_and_the_following_disconnect_is_not(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    start_station(&link);
    step(&link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, UP_A);
    step(&link, ev(WIFI_LINK_EV_LOST_IP), WIFI_LINK_CONNECTING, "report_down(0)");
    step(&link, ev(WIFI_LINK_EV_LOST_IP), WIFI_LINK_CONNECTING, "");
    step(&link, ev_disconnected(8, 0), WIFI_LINK_BACKOFF, RETRY ", request_low_power");
}

static void test_a_disconnect_is_reported_down_and_a_later_lost_address_is_not(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    start_station(&link);
    step(&link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, UP_A);
    step(&link, ev_disconnected(200, 0), WIFI_LINK_BACKOFF, RETRY ", request_low_power, report_down(200)");
    step(&link, ev(WIFI_LINK_EV_LOST_IP), WIFI_LINK_BACKOFF, "");
}

static void test_an_address_after_a_loss_is_reported_up_again(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    start_station(&link);
    step(&link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, UP_A);
    step(&link, ev(WIFI_LINK_EV_LOST_IP), WIFI_LINK_CONNECTING, "report_down(0)");
    step(&link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, UP_A); /* same address, but after a loss */
    step(&link, ev_disconnected(8, 0), WIFI_LINK_BACKOFF, RETRY ", request_low_power, report_down(8)");
    step(&link, ev(WIFI_LINK_EV_RETRY_TIMER_FIRED), WIFI_LINK_CONNECTING, "clear_low_power, connect");
    step(&link, ev_got_ip(ip_b()), WIFI_LINK_CONNECTED, UP_B); /* up, not "changed" */
}

/* Provisioning */

static void test_start_without_credentials_provisions_and_idles_once_the_driver_is_up(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    step(&link, ev_start(false), WIFI_LINK_STARTING, "start_provisioning");
    assert_int_equal(link.mode, WIFI_LINK_MODE_PROVISIONING);
    step(&link, ev(WIFI_LINK_EV_DRIVER_STARTED), WIFI_LINK_IDLE, "");
    assert_int_equal(link.mode, WIFI_LINK_MODE_PROVISIONING);
}

static void test_start_with_credentials_connects_once_the_driver_is_up(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    step(&link, ev_start(true), WIFI_LINK_STARTING, "start_station");
    assert_int_equal(link.mode, WIFI_LINK_MODE_STATION);
    step(&link, ev(WIFI_LINK_EV_DRIVER_STARTED), WIFI_LINK_CONNECTING, "connect");
}

static void test_credentials_arm_the_default_settle_delay_then_connect(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    step(&link, ev_start(false), WIFI_LINK_STARTING, "start_provisioning");
    step(&link, ev(WIFI_LINK_EV_DRIVER_STARTED), WIFI_LINK_IDLE, "");
    const wifi_link_commands_t out = step(&link, ev(WIFI_LINK_EV_CREDENTIALS_SET), WIFI_LINK_BACKOFF, SETTLE);
    assert_int_equal(out.items[0].delay_ms, WIFI_LINK_DEFAULT_SETTLE_MS);
    step(&link, ev(WIFI_LINK_EV_RETRY_TIMER_FIRED), WIFI_LINK_CONNECTING, "connect");
}

static void test_the_settle_delay_is_configurable(void **state)
{
    (void)state;
    wifi_link_t link;
    init_with(&link, 30000u, 3600000u, 2u, 0u, 250u);
    step(&link, ev_start(false), WIFI_LINK_STARTING, "start_provisioning");
    step(&link, ev(WIFI_LINK_EV_DRIVER_STARTED), WIFI_LINK_IDLE, "");
    step(&link, ev(WIFI_LINK_EV_CREDENTIALS_SET), WIFI_LINK_BACKOFF, "arm_retry_timer(250)");
}

static void test_a_zero_settle_delay_means_the_default(void **state)
{
    (void)state;
    wifi_link_t link;
    init_with(&link, 30000u, 3600000u, 2u, 0u, 0u);
    assert_int_equal(link.settle_ms, WIFI_LINK_DEFAULT_SETTLE_MS);
    step(&link, ev_start(false), WIFI_LINK_STARTING, "start_provisioning");
    step(&link, ev(WIFI_LINK_EV_DRIVER_STARTED), WIFI_LINK_IDLE, "");
    step(&link, ev(WIFI_LINK_EV_CREDENTIALS_SET), WIFI_LINK_BACKOFF, SETTLE);
}

static void test_an_address_in_provisioning_finishes_provisioning_once_and_is_not_reported(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    start_provisioning_and_connect(&link);
    step(&link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, "finish_provisioning");
    assert_false(link.reported_up);
    step(&link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, "");
    step(&link, ev_got_ip(ip_b()), WIFI_LINK_CONNECTED, "");
    /* Lost and regained before PROVISIONING_FINISHED: still asked only once, still nothing reported. */
    step(&link, ev(WIFI_LINK_EV_LOST_IP), WIFI_LINK_CONNECTING, "");
    step(&link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, "");
    step(&link, ev_disconnected(8, 0), WIFI_LINK_BACKOFF, RETRY);
    step(&link, ev(WIFI_LINK_EV_RETRY_TIMER_FIRED), WIFI_LINK_CONNECTING, "connect");
    step(&link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, "");
    assert_int_equal(link.mode, WIFI_LINK_MODE_PROVISIONING);
}

static void test_provisioning_finished_switches_to_station_and_reports_up(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    start_provisioning_and_connect(&link);
    step(&link, ev_got_ip(ip_b()), WIFI_LINK_CONNECTED, "finish_provisioning");
    step(&link, ev(WIFI_LINK_EV_PROVISIONING_FINISHED), WIFI_LINK_CONNECTED, UP_B);
    assert_int_equal(link.mode, WIFI_LINK_MODE_STATION);
    assert_true(link.reported_up);
    step(&link, ev(WIFI_LINK_EV_PROVISIONING_FINISHED), WIFI_LINK_CONNECTED, "");
    /* From now on a station: a loss is reported, the wait holds low power. */
    step(&link, ev_disconnected(8, 0), WIFI_LINK_BACKOFF, RETRY ", request_low_power, report_down(8)");
}

static void test_a_wrong_password_backs_off_without_low_power(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    start_provisioning_and_connect(&link);
    /* 15 (4-way handshake timeout) and 202 (auth fail) are what a wrong password gives. */
    fail_and_retry(&link, 15, 0, 30000u, false);
    fail_and_retry(&link, 202, 0, 60000u, false);
    fail_and_retry(&link, 15, 0, 120000u, false);
    assert_int_equal(link.mode, WIFI_LINK_MODE_PROVISIONING);
    assert_false(link.low_power);
}

static void test_new_credentials_while_connecting_disconnect_and_rearm_the_settle_delay(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    start_provisioning_and_connect(&link);
    step(&link, ev(WIFI_LINK_EV_CREDENTIALS_SET), WIFI_LINK_BACKOFF, "disconnect, " SETTLE);
    /* The driver then reports the dropped attempt: not a failure, the settle delay keeps running. */
    const wifi_link_t before = link;
    step(&link, ev_disconnected(8, 0), WIFI_LINK_BACKOFF, "");
    assert_same_link(&before, &link);
    step(&link, ev(WIFI_LINK_EV_RETRY_TIMER_FIRED), WIFI_LINK_CONNECTING, "connect");
    step(&link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, "finish_provisioning");
}

static void test_new_credentials_after_a_wrong_password_replace_the_retry_wait(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    start_provisioning_and_connect(&link);
    step(&link, ev_disconnected(15, 0), WIFI_LINK_BACKOFF, RETRY);
    step(&link, ev(WIFI_LINK_EV_CREDENTIALS_SET), WIFI_LINK_BACKOFF, "cancel_retry_timer, " SETTLE);
    step(&link, ev(WIFI_LINK_EV_RETRY_TIMER_FIRED), WIFI_LINK_CONNECTING, "connect");
    step(&link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, "finish_provisioning");
    step(&link, ev(WIFI_LINK_EV_PROVISIONING_FINISHED), WIFI_LINK_CONNECTED, UP_A);
}

static void test_a_stray_provisioning_finished_keeps_provisioning_mode(void **state)
{
    (void)state;
    /* Only the answer to FINISH_PROVISIONING switches to STATION; MQTT must never start while the access
     * point is up, so an address must still finish provisioning rather than be reported up. */
    wifi_link_t link;
    init_default(&link);
    step(&link, ev_start(false), WIFI_LINK_STARTING, "start_provisioning");
    step(&link, ev(WIFI_LINK_EV_DRIVER_STARTED), WIFI_LINK_IDLE, "");
    step(&link, ev(WIFI_LINK_EV_PROVISIONING_FINISHED), WIFI_LINK_IDLE, "");
    step(&link, ev(WIFI_LINK_EV_CREDENTIALS_SET), WIFI_LINK_BACKOFF, SETTLE);
    step(&link, ev(WIFI_LINK_EV_RETRY_TIMER_FIRED), WIFI_LINK_CONNECTING, "connect");
    step(&link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, "finish_provisioning");
}

static void test_nothing_connects_before_the_driver_has_started(void **state)
{
    (void)state;
    /* CREDENTIALS_SET before START: no mode, no driver; neither it nor a later timer may connect. */
    wifi_link_t link;
    init_default(&link);
    step(&link, ev(WIFI_LINK_EV_CREDENTIALS_SET), WIFI_LINK_IDLE, "");
    step(&link, ev(WIFI_LINK_EV_RETRY_TIMER_FIRED), WIFI_LINK_IDLE, "");
    step(&link, ev_start(false), WIFI_LINK_STARTING, "start_provisioning");
}

/* Factory reset */

static void test_a_factory_reset_reopens_provisioning_and_new_credentials_bring_the_station_back(void **state)
{
    (void)state;
    wifi_link_t link;
    enter(&link, START_STA_CONNECTED);
    step(&link, ev(WIFI_LINK_EV_FACTORY_RESET), WIFI_LINK_IDLE, "report_down(0), disconnect, " REOPEN_AP);
    assert_int_equal(link.mode, WIFI_LINK_MODE_PROVISIONING);
    assert_false(link.has_credentials);
    assert_false(link.reported_up);
    /* The driver reports the connection dropped on request: nothing more to report or retry. */
    step(&link, ev_disconnected(8, 0), WIFI_LINK_IDLE, "");
    step(&link, ev(WIFI_LINK_EV_CREDENTIALS_SET), WIFI_LINK_BACKOFF, SETTLE);
    step(&link, ev(WIFI_LINK_EV_RETRY_TIMER_FIRED), WIFI_LINK_CONNECTING, "connect");
    step(&link, ev_got_ip(ip_b()), WIFI_LINK_CONNECTED, "finish_provisioning");
    assert_false(link.reported_up); /* MQTT waits until the access point is closed */
    step(&link, ev(WIFI_LINK_EV_PROVISIONING_FINISHED), WIFI_LINK_CONNECTED, UP_B);
    assert_int_equal(link.mode, WIFI_LINK_MODE_STATION);
    assert_true(link.has_credentials);
}

static void test_a_factory_reset_starts_the_retry_schedule_afresh(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    start_station(&link);
    fail_and_retry(&link, 201, 0, 30000u, true);
    fail_and_retry(&link, 201, 0, 60000u, true);
    step(&link, ev_disconnected(201, 0), WIFI_LINK_BACKOFF, "arm_retry_timer(120000), request_low_power");
    step(&link, ev(WIFI_LINK_EV_FACTORY_RESET), WIFI_LINK_IDLE,
         "cancel_retry_timer, clear_low_power, " REOPEN_AP);
    assert_false(link.low_power);
    assert_int_equal(link.last_delay_ms, 0);
    step(&link, ev(WIFI_LINK_EV_CREDENTIALS_SET), WIFI_LINK_BACKOFF, SETTLE);
    step(&link, ev(WIFI_LINK_EV_RETRY_TIMER_FIRED), WIFI_LINK_CONNECTING, "connect");
    /* A wrong password from the form: the first delay again, and no low power with the access point up. */
    fail_and_retry(&link, 15, 0, 30000u, false);
}

static void test_a_factory_reset_before_start_is_ignored(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    const wifi_link_t before = link;
    step(&link, ev(WIFI_LINK_EV_FACTORY_RESET), WIFI_LINK_IDLE, "");
    assert_same_link(&before, &link);
    /* START reads the credentials the driver holds; after an erase there are none. */
    step(&link, ev_start(false), WIFI_LINK_STARTING, "start_provisioning");
}

static void test_a_factory_reset_while_the_station_starts_waits_for_the_driver_then_idles(void **state)
{
    (void)state;
    wifi_link_t link;
    enter(&link, START_STA_STARTING);
    step(&link, ev(WIFI_LINK_EV_FACTORY_RESET), WIFI_LINK_STARTING, REOPEN_AP);
    step(&link, ev(WIFI_LINK_EV_DRIVER_STARTED), WIFI_LINK_IDLE, ""); /* no credentials: no connect */
    assert_int_equal(link.mode, WIFI_LINK_MODE_PROVISIONING);
}

static void test_a_factory_reset_while_trying_the_forms_credentials_drops_the_trial_only(void **state)
{
    (void)state;
    wifi_link_t link;
    enter(&link, START_PROV_CONNECTING);
    step(&link, ev(WIFI_LINK_EV_FACTORY_RESET), WIFI_LINK_IDLE, "disconnect"); /* the access point stays */
    assert_false(link.has_credentials);
    step(&link, ev_disconnected(8, 0), WIFI_LINK_IDLE, "");
    step(&link, ev_got_ip(ip_a()), WIFI_LINK_IDLE, ""); /* late: must not finish provisioning */
    step(&link, ev(WIFI_LINK_EV_CREDENTIALS_SET), WIFI_LINK_BACKOFF, SETTLE);
    step(&link, ev(WIFI_LINK_EV_RETRY_TIMER_FIRED), WIFI_LINK_CONNECTING, "connect");
    step(&link, ev_got_ip(ip_a()), WIFI_LINK_CONNECTED, "finish_provisioning");
}

/* Stale events */

static void test_a_stale_timer_in_connected_changes_nothing(void **state)
{
    (void)state;
    wifi_link_t link;
    enter(&link, START_STA_CONNECTED);
    const wifi_link_t before = link;
    step(&link, ev(WIFI_LINK_EV_RETRY_TIMER_FIRED), WIFI_LINK_CONNECTED, "");
    assert_same_link(&before, &link);
    assert_int_equal(link.last_reason, before.last_reason);
}

static void test_an_address_in_idle_or_starting_changes_nothing(void **state)
{
    (void)state;
    static const start_t starts[] = {START_IDLE, START_STA_STARTING, START_PROV_STARTING, START_PROV_IDLE};
    for (size_t i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
        wifi_link_t link;
        enter(&link, starts[i]);
        const wifi_link_t before = link;
        step(&link, ev_got_ip(ip_a()), before.state, "");
        assert_same_link(&before, &link);
    }
}

static void test_a_duplicate_disconnect_while_backing_off_changes_nothing(void **state)
{
    (void)state;
    wifi_link_t link;
    enter(&link, START_STA_BACKOFF);
    const wifi_link_t before = link;
    for (size_t r = 0; r < REASON_COUNT; r++) {
        step(&link, ev_disconnected(REASONS[r], 1000u), WIFI_LINK_BACKOFF, "");
        assert_same_link(&before, &link);
    }
    /* The schedule did not move: the next failure waits the second step. */
    step(&link, ev(WIFI_LINK_EV_RETRY_TIMER_FIRED), WIFI_LINK_CONNECTING, "clear_low_power, connect");
    fail_and_retry(&link, 201, 0, 60000u, true);
}

static void test_start_is_taken_once(void **state)
{
    (void)state;
    wifi_link_t link;
    init_default(&link);
    step(&link, ev_start(true), WIFI_LINK_STARTING, "start_station");
    step(&link, ev_start(false), WIFI_LINK_STARTING, "");
    assert_int_equal(link.mode, WIFI_LINK_MODE_STATION);
}

/* Initialisation and bad arguments */

static void test_init_starts_idle_without_a_mode(void **state)
{
    (void)state;
    wifi_link_t link;
    memset(&link, 0xA5, sizeof(link));
    init_default(&link);
    assert_int_equal(link.state, WIFI_LINK_IDLE);
    assert_int_equal(link.mode, WIFI_LINK_MODE_NONE);
    assert_false(link.has_credentials);
    assert_false(link.reported_up);
    assert_false(link.low_power);
    assert_false(link.finishing);
    assert_int_equal(link.last_delay_ms, 0);
    assert_int_equal(link.settle_ms, WIFI_LINK_DEFAULT_SETTLE_MS);
    assert_int_equal(link.policy.attempt, 0);
    assert_int_equal(link.policy.config.initial_ms, RETRY_POLICY_DEFAULT_INITIAL_MS);
    assert_int_equal(link.policy.config.max_ms, RETRY_POLICY_DEFAULT_MAX_MS);
}

static void test_init_rejects_a_bad_retry_config(void **state)
{
    (void)state;
    static const retry_policy_config_t bad[] = {
        {.initial_ms = 0, .max_ms = 1000, .multiplier = 2, .jitter_percent = 0},
        {.initial_ms = 2000, .max_ms = 1000, .multiplier = 2, .jitter_percent = 0},
        {.initial_ms = 1000, .max_ms = 2000, .multiplier = 0, .jitter_percent = 0},
        {.initial_ms = 1000, .max_ms = 2000, .multiplier = 2, .jitter_percent = 101},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        wifi_link_t link;
        const wifi_link_config_t config = {.retry = bad[i], .settle_ms = 0};
        assert_int_equal(wifi_link_init(&link, &config), DOMAIN_ERR_RETRY_CONFIG);
    }
}

static void test_init_rejects_a_missing_link(void **state)
{
    (void)state;
    const wifi_link_config_t config = {.retry = retry_policy_default_config(), .settle_ms = 0};
    assert_int_equal(wifi_link_init(NULL, NULL), DOMAIN_ERR_INVALID_ARG);
    assert_int_equal(wifi_link_init(NULL, &config), DOMAIN_ERR_INVALID_ARG);
}

static void test_handle_tolerates_missing_and_unknown_input(void **state)
{
    (void)state;
    const wifi_link_event_t start = ev_start(true);
    wifi_link_commands_t out;

    out.count = 3;
    assert_int_equal(wifi_link_handle(NULL, &start, &out), WIFI_LINK_IDLE);
    assert_int_equal(out.count, 0);

    wifi_link_t link;
    enter(&link, START_STA_CONNECTED);
    const wifi_link_t before = link;
    out.count = 3;
    assert_int_equal(wifi_link_handle(&link, NULL, &out), WIFI_LINK_CONNECTED);
    assert_int_equal(out.count, 0);
    assert_same_link(&before, &link);

    const wifi_link_event_t unknown = ev(WIFI_LINK_EV_COUNT);
    step(&link, unknown, WIFI_LINK_CONNECTED, "");
    assert_same_link(&before, &link);

    /* Without an output the event still applies; nothing is written anywhere else. */
    wifi_link_t other;
    init_default(&other);
    assert_int_equal(wifi_link_handle(&other, &start, NULL), WIFI_LINK_STARTING);
}

/* Names */

static void test_names(void **state)
{
    (void)state;
    static const char *const STATES[] = {"idle", "starting", "connecting", "connected", "backoff"};
    static const char *const MODES[] = {"none", "station", "provisioning"};
    static const char *const EVENT_NAMES[] = {
        "start",  "driver_started", "credentials_set",   "connect_refused",       "disconnected",
        "got_ip", "lost_ip",        "retry_timer_fired", "provisioning_finished", "factory_reset"};
    static const char *const COMMANDS[] = {"start_station",     "start_provisioning", "connect",
                                           "disconnect",        "arm_retry_timer",    "cancel_retry_timer",
                                           "request_low_power", "clear_low_power",    "report_up",
                                           "report_down",       "report_ip_changed",  "finish_provisioning"};
    assert_int_equal(sizeof(STATES) / sizeof(STATES[0]), WIFI_LINK_STATE_COUNT);
    assert_int_equal(sizeof(MODES) / sizeof(MODES[0]), WIFI_LINK_MODE_COUNT);
    assert_int_equal(sizeof(EVENT_NAMES) / sizeof(EVENT_NAMES[0]), WIFI_LINK_EV_COUNT);
    assert_int_equal(sizeof(COMMANDS) / sizeof(COMMANDS[0]), WIFI_LINK_CMD_COUNT);
    for (int i = 0; i < WIFI_LINK_STATE_COUNT; i++) {
        assert_string_equal(wifi_link_state_to_str((wifi_link_state_t)i), STATES[i]);
    }
    for (int i = 0; i < WIFI_LINK_MODE_COUNT; i++) {
        assert_string_equal(wifi_link_mode_to_str((wifi_link_mode_t)i), MODES[i]);
    }
    for (int i = 0; i < WIFI_LINK_EV_COUNT; i++) {
        assert_string_equal(wifi_link_event_to_str((wifi_link_event_kind_t)i), EVENT_NAMES[i]);
    }
    for (int i = 0; i < WIFI_LINK_CMD_COUNT; i++) {
        assert_string_equal(wifi_link_command_to_str((wifi_link_command_kind_t)i), COMMANDS[i]);
    }
    assert_string_equal(wifi_link_state_to_str(WIFI_LINK_STATE_COUNT), "unknown");
    assert_string_equal(wifi_link_state_to_str((wifi_link_state_t)-1), "unknown");
    assert_string_equal(wifi_link_mode_to_str(WIFI_LINK_MODE_COUNT), "unknown");
    assert_string_equal(wifi_link_mode_to_str((wifi_link_mode_t)-1), "unknown");
    assert_string_equal(wifi_link_event_to_str(WIFI_LINK_EV_COUNT), "unknown");
    assert_string_equal(wifi_link_event_to_str((wifi_link_event_kind_t)-1), "unknown");
    assert_string_equal(wifi_link_command_to_str(WIFI_LINK_CMD_COUNT), "unknown");
    assert_string_equal(wifi_link_command_to_str((wifi_link_command_kind_t)-1), "unknown");
}

/* One cmocka test per row, named "<start> + <event>". */
static void fill_table(struct CMUnitTest *table, char (*names)[96])
{
    for (size_t i = 0; i < TRANSITION_COUNT; i++) {
        snprintf(names[i], sizeof(names[i]), "%s + %s", START_NAMES[TRANSITIONS[i].start],
                 EVENTS[TRANSITIONS[i].event].name);
        table[i].name = names[i];
        table[i].test_func = test_transition;
        table[i].setup_func = NULL;
        table[i].teardown_func = NULL;
        table[i].initial_state = (void *)&TRANSITIONS[i];
    }
}

int main(void)
{
    static struct CMUnitTest table[TRANSITION_COUNT];
    static char names[TRANSITION_COUNT][96];
    fill_table(table, names);
    const struct CMUnitTest rules[] = {
        cmocka_unit_test(test_table_covers_every_state_and_event),
        cmocka_unit_test(test_every_disconnect_reason_doubles_the_delay_up_to_the_cap),
        cmocka_unit_test(test_the_link_never_gives_up),
        cmocka_unit_test(test_a_custom_retry_config_sets_the_schedule),
        cmocka_unit_test(test_multiplier_one_keeps_a_constant_delay),
        cmocka_unit_test(test_jitter_lowers_the_delay_by_the_events_random_value),
        cmocka_unit_test(test_an_address_resets_the_schedule),
        cmocka_unit_test(test_an_address_while_backing_off_resets_the_schedule),
        cmocka_unit_test(test_a_refused_connect_waits_the_initial_delay_when_none_yet),
        cmocka_unit_test(test_a_refused_connect_waits_the_last_delay_without_advancing_the_policy),
        cmocka_unit_test(test_a_refused_connect_in_provisioning_waits_without_low_power),
        cmocka_unit_test(test_low_power_is_requested_while_backing_off_in_station_mode),
        cmocka_unit_test(test_low_power_is_released_before_the_next_connect),
        cmocka_unit_test(test_low_power_is_released_when_an_address_arrives),
        cmocka_unit_test(test_low_power_is_never_requested_twice),
        cmocka_unit_test(test_low_power_is_never_requested_in_provisioning_mode),
        cmocka_unit_test(test_the_first_address_is_reported_up),
        cmocka_unit_test(test_a_different_later_address_is_reported_as_changed),
        cmocka_unit_test(test_a_renewal_of_the_same_address_reports_nothing),
        cmocka_unit_test(test_a_disconnect_is_reported_down_once_with_its_reason),
        cmocka_unit_test(test_a_lost_address_is_reported_down_and_the_following_disconnect_is_not),
        cmocka_unit_test(test_a_disconnect_is_reported_down_and_a_later_lost_address_is_not),
        cmocka_unit_test(test_an_address_after_a_loss_is_reported_up_again),
        cmocka_unit_test(test_start_without_credentials_provisions_and_idles_once_the_driver_is_up),
        cmocka_unit_test(test_start_with_credentials_connects_once_the_driver_is_up),
        cmocka_unit_test(test_credentials_arm_the_default_settle_delay_then_connect),
        cmocka_unit_test(test_the_settle_delay_is_configurable),
        cmocka_unit_test(test_a_zero_settle_delay_means_the_default),
        cmocka_unit_test(test_an_address_in_provisioning_finishes_provisioning_once_and_is_not_reported),
        cmocka_unit_test(test_provisioning_finished_switches_to_station_and_reports_up),
        cmocka_unit_test(test_a_wrong_password_backs_off_without_low_power),
        cmocka_unit_test(test_new_credentials_while_connecting_disconnect_and_rearm_the_settle_delay),
        cmocka_unit_test(test_new_credentials_after_a_wrong_password_replace_the_retry_wait),
        cmocka_unit_test(test_a_stray_provisioning_finished_keeps_provisioning_mode),
        cmocka_unit_test(test_nothing_connects_before_the_driver_has_started),
        cmocka_unit_test(
            test_a_factory_reset_reopens_provisioning_and_new_credentials_bring_the_station_back),
        cmocka_unit_test(test_a_factory_reset_starts_the_retry_schedule_afresh),
        cmocka_unit_test(test_a_factory_reset_before_start_is_ignored),
        cmocka_unit_test(test_a_factory_reset_while_the_station_starts_waits_for_the_driver_then_idles),
        cmocka_unit_test(test_a_factory_reset_while_trying_the_forms_credentials_drops_the_trial_only),
        cmocka_unit_test(test_a_stale_timer_in_connected_changes_nothing),
        cmocka_unit_test(test_an_address_in_idle_or_starting_changes_nothing),
        cmocka_unit_test(test_a_duplicate_disconnect_while_backing_off_changes_nothing),
        cmocka_unit_test(test_start_is_taken_once),
        cmocka_unit_test(test_init_starts_idle_without_a_mode),
        cmocka_unit_test(test_init_rejects_a_bad_retry_config),
        cmocka_unit_test(test_init_rejects_a_missing_link),
        cmocka_unit_test(test_handle_tolerates_missing_and_unknown_input),
        cmocka_unit_test(test_names),
    };
    const int table_failures =
        _cmocka_run_group_tests("wifi_link_transitions", table, TRANSITION_COUNT, NULL, NULL);
    const int rule_failures = cmocka_run_group_tests_name("wifi_link_rules", rules, NULL, NULL);
    return table_failures + rule_failures;
}
