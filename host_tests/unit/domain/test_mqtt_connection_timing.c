/*
 * mqtt_connection, part 2 continued: longer runs through the optional timers (the attempt watchdog, the
 * registration timeout, the refresh and liveness ticks of REGISTERED), the broker list, IP changes, the
 * low-power bookkeeping and mqtt_connection_set_timing. The transition table, run in these configurations
 * too, and the retry schedule are in test_mqtt_connection.c.
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

#define FIRST_DELAY_MS          30000u
#define ATTEMPT_TIMEOUT_MS      25000u
#define REGISTRATION_TIMEOUT_MS 10000u
#define REFRESH_MS              60000u
#define LIVENESS_MS             20000u

/* A fresh entity with these timers: HTTP started, then network up with IP_A, which connects. */
static void begin(mqtt_connection_t *conn, const mqtt_connection_timing_t *timing,
                  const char *connect_commands)
{
    assert_int_equal(mqtt_connection_init(conn, NULL), DOMAIN_OK);
    assert_int_equal(mqtt_connection_set_timing(conn, timing), DOMAIN_OK);
    step(conn, ev(MQTT_CONNECTION_EV_HTTP_STARTED), MQTT_CONNECTION_WAITING, "");
    step(conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_A), MQTT_CONNECTION_CONNECTING,
         connect_commands);
}

/* The connection timer expired (what that means depends on the state: see the header). */
static void fire(mqtt_connection_t *conn, mqtt_connection_state_t expected_state,
                 const char *expected_commands)
{
    step(conn, ev(MQTT_CONNECTION_EV_RETRY_TIMER_FIRED), expected_state, expected_commands);
}

/* From REGISTERING: the registration queued as msg_id, then its PUBACK. */
static void acknowledge(mqtt_connection_t *conn, int32_t msg_id, const char *acked_commands)
{
    step(conn, ev_msg(MQTT_CONNECTION_EV_PUBLISH_QUEUED, msg_id), MQTT_CONNECTION_REGISTERING, "");
    step(conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, msg_id), MQTT_CONNECTION_REGISTERED,
         acked_commands);
}

/* From CONNECTING: connected, the registration queued as msg_id and acknowledged. */
static void register_session(mqtt_connection_t *conn, const char *connected_commands, int32_t msg_id,
                             const char *acked_commands)
{
    step(conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING, connected_commands);
    acknowledge(conn, msg_id, acked_commands);
}

static void full_round_failure(mqtt_connection_t *conn, mqtt_connection_event_kind_t kind, uint32_t delay_ms)
{
    char expected[96];
    snprintf(expected, sizeof(expected), "disconnect, arm_retry_timer(%" PRIu32 "), request_low_power",
             delay_ms);
    step(conn, ev(kind), MQTT_CONNECTION_BACKOFF, expected);
    assert_int_equal(conn->last_delay_ms, delay_ms);
}

/* A failure with brokers of the round left: the next one after the quick delay, no low power. */
static void failover(mqtt_connection_t *conn, mqtt_connection_event_kind_t kind, uint32_t delay_ms)
{
    char expected[64];
    const uint32_t attempts = conn->policy.attempt;
    snprintf(expected, sizeof(expected), "disconnect, arm_retry_timer(%" PRIu32 ")", delay_ms);
    step(conn, ev(kind), MQTT_CONNECTION_BACKOFF, expected);
    assert_int_equal(conn->policy.attempt, attempts);
    assert_false(conn->low_power);
}

static const mqtt_connection_timing_t WATCHDOG_ONLY = {.attempt_timeout_ms = ATTEMPT_TIMEOUT_MS};
static const mqtt_connection_timing_t NO_TIMER = {.attempt_timeout_ms = 0};

/* ---- the attempt watchdog ---- */

static void test_watchdog_is_armed_with_every_connect_and_is_not_a_retry(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    begin(&conn, &WATCHDOG_ONLY, "connect(0), arm_retry_timer(25000)");
    assert_int_equal(conn.attempt_timeout_ms, ATTEMPT_TIMEOUT_MS);
    assert_int_equal(conn.last_delay_ms, 0);
    assert_int_equal(conn.policy.attempt, 0);
    full_round_failure(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, FIRST_DELAY_MS);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "clear_low_power, connect(0), arm_retry_timer(25000)");
    assert_int_equal(conn.last_delay_ms, FIRST_DELAY_MS); /* still the retry's */
}

static void test_attempt_timeout_abandons_the_attempt_and_counts_as_a_failure(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    begin(&conn, &WATCHDOG_ONLY, "connect(0), arm_retry_timer(25000)");
    full_round_failure(&conn, MQTT_CONNECTION_EV_RETRY_TIMER_FIRED, 30000);
    assert_int_equal(conn.policy.attempt, 1);
    /* The DISCONNECTED our own disconnect may cause is not a second failure. */
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_DISCONNECTED), MQTT_CONNECTION_BACKOFF, "");
    assert_int_equal(conn.policy.attempt, 1);
    /* The retry is watched too; a second time-out doubles the delay like any failure. */
    fire(&conn, MQTT_CONNECTION_CONNECTING, "clear_low_power, connect(0), arm_retry_timer(25000)");
    full_round_failure(&conn, MQTT_CONNECTION_EV_RETRY_TIMER_FIRED, 60000);
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
    step(&conn, ev(MQTT_CONNECTION_EV_HTTP_STARTED), MQTT_CONNECTION_WAITING, "");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_A), MQTT_CONNECTION_CONNECTING,
         "connect(0), arm_retry_timer(25000)");
    mqtt_connection_event_t fired = ev(MQTT_CONNECTION_EV_RETRY_TIMER_FIRED);
    fired.random_value = 1000;
    step(&conn, fired, MQTT_CONNECTION_BACKOFF, "disconnect, arm_retry_timer(15000), request_low_power");
}

static void test_late_success_after_an_attempt_timeout_is_refused(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    begin(&conn, &WATCHDOG_ONLY, "connect(0), arm_retry_timer(25000)");
    full_round_failure(&conn, MQTT_CONNECTION_EV_RETRY_TIMER_FIRED, 30000);
    /* The attempt succeeded while the client was being stopped: that session is gone (ESP-MQTT would
     * still queue a publish on the stopped client, and nothing would ever acknowledge it). */
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_BACKOFF, "disconnect");
    assert_int_equal(conn.policy.attempt, 1);
}

static void test_network_down_while_connecting_cancels_the_watchdog(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    begin(&conn, &WATCHDOG_ONLY, "connect(0), arm_retry_timer(25000)");
    step(&conn, ev(MQTT_CONNECTION_EV_NETWORK_DOWN), MQTT_CONNECTION_WAITING,
         "disconnect, cancel_retry_timer");
    /* An expiry posted before the cancel is stale: nothing is attempted until network up. */
    fire(&conn, MQTT_CONNECTION_WAITING, "");
    assert_int_equal(conn.policy.attempt, 0);
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_A), MQTT_CONNECTION_CONNECTING,
         "connect(0), arm_retry_timer(25000)");
}

static void test_attempt_timeout_zero_turns_the_watchdog_off(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    assert_int_equal(mqtt_connection_init(&conn, NULL), DOMAIN_OK);
    assert_int_equal(conn.attempt_timeout_ms, 0);
    assert_int_equal(mqtt_connection_set_attempt_timeout(&conn, ATTEMPT_TIMEOUT_MS), DOMAIN_OK);
    assert_int_equal(conn.timing.attempt_timeout_ms, ATTEMPT_TIMEOUT_MS); /* one setting, two ways in */
    assert_int_equal(mqtt_connection_set_attempt_timeout(&conn, 0), DOMAIN_OK);
    assert_int_equal(conn.timing.attempt_timeout_ms, 0);
    step(&conn, ev(MQTT_CONNECTION_EV_HTTP_STARTED), MQTT_CONNECTION_WAITING, "");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_A), MQTT_CONNECTION_CONNECTING,
         "connect(0)");
    fire(&conn, MQTT_CONNECTION_CONNECTING, "");
}

static void test_set_attempt_timeout_rejects_a_missing_entity(void **state)
{
    (void)state;
    assert_int_equal(mqtt_connection_set_attempt_timeout(NULL, 1000), DOMAIN_ERR_INVALID_ARG);
}

/* ---- the registration timeout ---- */

static void test_connected_arms_the_registration_timeout_in_place_of_the_watchdog(void **state)
{
    (void)state;
    const mqtt_connection_timing_t both = {.attempt_timeout_ms = ATTEMPT_TIMEOUT_MS,
                                           .registration_timeout_ms = REGISTRATION_TIMEOUT_MS};
    const mqtt_connection_timing_t registration_only = {.registration_timeout_ms = REGISTRATION_TIMEOUT_MS};
    mqtt_connection_t conn;
    /* The new delay replaces the watchdog's: no cancel is needed. */
    begin(&conn, &both, "connect(0), arm_retry_timer(25000)");
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING,
         "publish_registration, arm_retry_timer(10000)");
    begin(&conn, &registration_only, "connect(0)");
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING,
         "publish_registration, arm_retry_timer(10000)");
    /* Without a registration timeout the watchdog is cancelled. */
    begin(&conn, &WATCHDOG_ONLY, "connect(0), arm_retry_timer(25000)");
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING,
         "cancel_retry_timer, publish_registration");
}

static void test_registration_timeout_expiry_stops_the_client_and_backs_off(void **state)
{
    (void)state;
    const mqtt_connection_timing_t timing = {.registration_timeout_ms = REGISTRATION_TIMEOUT_MS};
    mqtt_connection_t conn;
    begin(&conn, &timing, "connect(0)");
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING,
         "publish_registration, arm_retry_timer(10000)");
    step(&conn, ev_msg(MQTT_CONNECTION_EV_PUBLISH_QUEUED, 7), MQTT_CONNECTION_REGISTERING, "");
    full_round_failure(&conn, MQTT_CONNECTION_EV_RETRY_TIMER_FIRED, 30000);
    assert_int_equal(conn.policy.attempt, 1);
    assert_int_equal(conn.pending_msg_id, -1);
    /* Too late: its session was given up. Nor is the echo of our own disconnect a second failure. */
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, 7), MQTT_CONNECTION_BACKOFF, "");
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_DISCONNECTED), MQTT_CONNECTION_BACKOFF, "");
    assert_int_equal(conn.policy.attempt, 1);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "clear_low_power, connect(0)");
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING,
         "publish_registration, arm_retry_timer(10000)");
    assert_int_equal(conn.policy.attempt, 1); /* the connect alone resets nothing */
    step(&conn, ev_msg(MQTT_CONNECTION_EV_PUBLISH_QUEUED, 8), MQTT_CONNECTION_REGISTERING, "");
    full_round_failure(&conn, MQTT_CONNECTION_EV_RETRY_TIMER_FIRED, 60000);
}

static void test_broker_that_never_pubacks_reaches_the_cap_through_the_registration_timeout(void **state)
{
    (void)state;
    static const uint32_t expected_s[] = {30, 60, 120, 240, 480, 960, 1920, 3600, 3600};
    const mqtt_connection_timing_t timing = {.registration_timeout_ms = REGISTRATION_TIMEOUT_MS};
    mqtt_connection_t conn;
    begin(&conn, &timing, "connect(0)");
    for (size_t i = 0; i < sizeof(expected_s) / sizeof(expected_s[0]); i++) {
        step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING,
             "publish_registration, arm_retry_timer(10000)");
        step(&conn, ev_msg(MQTT_CONNECTION_EV_PUBLISH_QUEUED, (int32_t)i), MQTT_CONNECTION_REGISTERING, "");
        full_round_failure(&conn, MQTT_CONNECTION_EV_RETRY_TIMER_FIRED, expected_s[i] * 1000u);
        fire(&conn, MQTT_CONNECTION_CONNECTING, "clear_low_power, connect(0)");
    }
}

static void test_registration_puback_cancels_the_timeout_and_asks_for_presence(void **state)
{
    (void)state;
    const mqtt_connection_timing_t timing = {.registration_timeout_ms = REGISTRATION_TIMEOUT_MS};
    mqtt_connection_t conn;
    begin(&conn, &timing, "connect(0)");
    full_round_failure(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 30000);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "clear_low_power, connect(0)");
    register_session(&conn, "publish_registration, arm_retry_timer(10000)", 7,
                     "cancel_retry_timer, publish_online");
    assert_int_equal(conn.policy.attempt, 0);
    /* Nothing is armed in REGISTERED without refresh or liveness: an expiry now is stale. */
    fire(&conn, MQTT_CONNECTION_REGISTERED, "");
}

static void test_register_again_rearms_the_registration_timeout(void **state)
{
    (void)state;
    const mqtt_connection_timing_t timing = {.registration_timeout_ms = REGISTRATION_TIMEOUT_MS};
    mqtt_connection_t conn;
    begin(&conn, &timing, "connect(0)");
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING,
         "publish_registration, arm_retry_timer(10000)");
    step(&conn, ev_msg(MQTT_CONNECTION_EV_PUBLISH_QUEUED, 7), MQTT_CONNECTION_REGISTERING, "");
    step(&conn, ev(MQTT_CONNECTION_EV_REGISTER_AGAIN), MQTT_CONNECTION_REGISTERING,
         "publish_registration, arm_retry_timer(10000)");
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, 7), MQTT_CONNECTION_REGISTERING, "");
    acknowledge(&conn, 8, "cancel_retry_timer, publish_online");
    step(&conn, ev(MQTT_CONNECTION_EV_REGISTER_AGAIN), MQTT_CONNECTION_REGISTERING,
         "publish_registration, arm_retry_timer(10000)");
}

/* ---- refresh ticks ---- */

static void test_refresh_registers_again_when_due(void **state)
{
    (void)state;
    const mqtt_connection_timing_t timing = {.refresh_interval_ms = REFRESH_MS};
    mqtt_connection_t conn;
    begin(&conn, &timing, "connect(0)");
    register_session(&conn, "publish_registration", 7, "publish_online, arm_retry_timer(60000)");
    assert_int_equal(conn.refresh_remaining_ms, REFRESH_MS);
    fire(&conn, MQTT_CONNECTION_REGISTERING, "publish_registration");
    acknowledge(&conn, 8, "publish_online, arm_retry_timer(60000)");
    assert_int_equal(conn.connect_attempts, 1); /* the same session throughout */
    assert_int_equal(conn.policy.attempt, 0);
}

static void test_refresh_registration_is_bounded_by_the_registration_timeout(void **state)
{
    (void)state;
    const mqtt_connection_timing_t timing = {.registration_timeout_ms = REGISTRATION_TIMEOUT_MS,
                                             .refresh_interval_ms = REFRESH_MS};
    mqtt_connection_t conn;
    begin(&conn, &timing, "connect(0)");
    register_session(&conn, "publish_registration, arm_retry_timer(10000)", 7,
                     "cancel_retry_timer, publish_online, arm_retry_timer(60000)");
    fire(&conn, MQTT_CONNECTION_REGISTERING, "publish_registration, arm_retry_timer(10000)");
    step(&conn, ev_msg(MQTT_CONNECTION_EV_PUBLISH_QUEUED, 8), MQTT_CONNECTION_REGISTERING, "");
    full_round_failure(&conn, MQTT_CONNECTION_EV_RETRY_TIMER_FIRED, 30000);
}

static void test_refresh_and_liveness_arm_the_earlier_tick_and_count_the_refresh_down(void **state)
{
    (void)state;
    const mqtt_connection_timing_t timing = {.refresh_interval_ms = 10000, .liveness_interval_ms = 4000};
    mqtt_connection_t conn;
    begin(&conn, &timing, "connect(0)");
    register_session(&conn, "publish_registration", 7, "publish_online, arm_retry_timer(4000)");
    fire(&conn, MQTT_CONNECTION_REGISTERED, "check_session, arm_retry_timer(4000)");
    assert_int_equal(conn.refresh_remaining_ms, 6000);
    /* 2 s of the refresh are left: that tick comes before the next liveness check. */
    fire(&conn, MQTT_CONNECTION_REGISTERED, "check_session, arm_retry_timer(2000)");
    assert_int_equal(conn.refresh_remaining_ms, 2000);
    fire(&conn, MQTT_CONNECTION_REGISTERING, "publish_registration");
    acknowledge(&conn, 8, "publish_online, arm_retry_timer(4000)");
    assert_int_equal(conn.refresh_remaining_ms, 10000);
}

static void test_refresh_shorter_than_liveness_comes_first(void **state)
{
    (void)state;
    const mqtt_connection_timing_t timing = {.refresh_interval_ms = 3000, .liveness_interval_ms = 5000};
    mqtt_connection_t conn;
    begin(&conn, &timing, "connect(0)");
    register_session(&conn, "publish_registration", 7, "publish_online, arm_retry_timer(3000)");
    fire(&conn, MQTT_CONNECTION_REGISTERING, "publish_registration");
}

static void test_each_successful_registration_restarts_the_refresh_countdown(void **state)
{
    (void)state;
    const mqtt_connection_timing_t timing = {.refresh_interval_ms = REFRESH_MS,
                                             .liveness_interval_ms = LIVENESS_MS};
    mqtt_connection_t conn;
    begin(&conn, &timing, "connect(0)");
    register_session(&conn, "publish_registration", 7, "publish_online, arm_retry_timer(20000)");
    fire(&conn, MQTT_CONNECTION_REGISTERED, "check_session, arm_retry_timer(20000)");
    assert_int_equal(conn.refresh_remaining_ms, 40000);
    /* The application registers again 20 s in: the refresh is then due 60 s after that PUBACK. */
    step(&conn, ev(MQTT_CONNECTION_EV_REGISTER_AGAIN), MQTT_CONNECTION_REGISTERING,
         "cancel_retry_timer, publish_registration");
    acknowledge(&conn, 8, "publish_online, arm_retry_timer(20000)");
    assert_int_equal(conn.refresh_remaining_ms, REFRESH_MS);
    fire(&conn, MQTT_CONNECTION_REGISTERED, "check_session, arm_retry_timer(20000)");
    fire(&conn, MQTT_CONNECTION_REGISTERED, "check_session, arm_retry_timer(20000)");
    fire(&conn, MQTT_CONNECTION_REGISTERING, "publish_registration");
}

/* ---- liveness ---- */

static void test_liveness_checks_the_session_every_interval(void **state)
{
    (void)state;
    const mqtt_connection_timing_t timing = {.liveness_interval_ms = LIVENESS_MS};
    mqtt_connection_t conn;
    begin(&conn, &timing, "connect(0)");
    register_session(&conn, "publish_registration", 7, "publish_online, arm_retry_timer(20000)");
    for (int i = 0; i < 3; i++) {
        fire(&conn, MQTT_CONNECTION_REGISTERED, "check_session, arm_retry_timer(20000)");
    }
    assert_int_equal(conn.connect_attempts, 1);
}

static void test_session_lost_is_a_failure_that_backs_off(void **state)
{
    (void)state;
    const mqtt_connection_timing_t timing = {.liveness_interval_ms = LIVENESS_MS};
    mqtt_connection_t conn;
    begin(&conn, &timing, "connect(0)");
    register_session(&conn, "publish_registration", 7, "publish_online, arm_retry_timer(20000)");
    fire(&conn, MQTT_CONNECTION_REGISTERED, "check_session, arm_retry_timer(20000)");
    full_round_failure(&conn, MQTT_CONNECTION_EV_SESSION_LOST, 30000);
    assert_int_equal(conn.policy.attempt, 1);
    /* A second answer, or the echo of our disconnect, is no second failure. */
    step(&conn, ev(MQTT_CONNECTION_EV_SESSION_LOST), MQTT_CONNECTION_BACKOFF, "");
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_DISCONNECTED), MQTT_CONNECTION_BACKOFF, "");
    assert_int_equal(conn.policy.attempt, 1);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "clear_low_power, connect(0)");
}

/* ---- the broker list ---- */

static void test_two_brokers_alternate_and_back_off_after_each_round(void **state)
{
    (void)state;
    const mqtt_connection_timing_t timing = {.broker_count = 2};
    mqtt_connection_t conn;
    begin(&conn, &timing, "connect(0)");
    failover(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 500);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "connect(1)");
    full_round_failure(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 30000);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "clear_low_power, connect(0)");
    failover(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 500);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "connect(1)");
    full_round_failure(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 60000);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "clear_low_power, connect(0)");
    assert_int_equal(conn.connect_attempts, 5);
    assert_int_equal(conn.policy.attempt, 2);
}

static void test_three_brokers_rotate_in_order(void **state)
{
    (void)state;
    static const char *const failures[] = {
        "disconnect, arm_retry_timer(2000)",
        "disconnect, arm_retry_timer(2000)",
        "disconnect, arm_retry_timer(30000), request_low_power",
        "disconnect, arm_retry_timer(2000)",
        "disconnect, arm_retry_timer(2000)",
        "disconnect, arm_retry_timer(60000), request_low_power",
    };
    static const char *const connects[] = {
        "connect(1), arm_retry_timer(25000)",
        "connect(2), arm_retry_timer(25000)",
        "clear_low_power, connect(0), arm_retry_timer(25000)",
        "connect(1), arm_retry_timer(25000)",
        "connect(2), arm_retry_timer(25000)",
        "clear_low_power, connect(0), arm_retry_timer(25000)",
    };
    const mqtt_connection_timing_t timing = {
        .attempt_timeout_ms = ATTEMPT_TIMEOUT_MS, .reconnect_ms = 2000, .broker_count = 3};
    mqtt_connection_t conn;
    begin(&conn, &timing, "connect(0), arm_retry_timer(25000)");
    for (size_t i = 0; i < sizeof(failures) / sizeof(failures[0]); i++) {
        fire(&conn, MQTT_CONNECTION_BACKOFF, failures[i]);
        fire(&conn, MQTT_CONNECTION_CONNECTING, connects[i]);
    }
}

static void test_largest_broker_list_is_tried_whole_before_backing_off(void **state)
{
    (void)state;
    const mqtt_connection_timing_t timing = {.broker_count = MQTT_CONNECTION_MAX_BROKERS};
    static const char *const connects[] = {"connect(1)", "connect(2)", "connect(3)"};
    mqtt_connection_t conn;
    begin(&conn, &timing, "connect(0)");
    for (size_t i = 0; i < sizeof(connects) / sizeof(connects[0]); i++) {
        failover(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 500);
        fire(&conn, MQTT_CONNECTION_CONNECTING, connects[i]);
    }
    full_round_failure(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 30000);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "clear_low_power, connect(0)");
}

static void test_a_registration_resets_the_round_and_keeps_its_broker(void **state)
{
    (void)state;
    const mqtt_connection_timing_t timing = {.broker_count = 3};
    mqtt_connection_t conn;
    begin(&conn, &timing, "connect(0)");
    failover(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 500);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "connect(1)");
    register_session(&conn, "publish_registration", 7, "publish_online");
    assert_int_equal(conn.broker_index, 1);
    assert_int_equal(conn.round_failures, 0);
    /* The broker that worked is the one tried when the network comes back. */
    step(&conn, ev(MQTT_CONNECTION_EV_NETWORK_DOWN), MQTT_CONNECTION_WAITING, "disconnect");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_A), MQTT_CONNECTION_CONNECTING,
         "connect(1)");
    register_session(&conn, "publish_registration", 8, "publish_online");
    /* A new round starts with its failure: the other two brokers quickly, then the policy's delay. */
    failover(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 500);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "connect(2)");
    failover(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 500);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "connect(0)");
    full_round_failure(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 30000);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "clear_low_power, connect(1)");
}

static void test_a_connect_without_its_puback_does_not_reset_the_round(void **state)
{
    (void)state;
    const mqtt_connection_timing_t timing = {.broker_count = 2};
    mqtt_connection_t conn;
    begin(&conn, &timing, "connect(0)");
    failover(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 500);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "connect(1)");
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING, "publish_registration");
    step(&conn, ev_msg(MQTT_CONNECTION_EV_PUBLISH_QUEUED, 7), MQTT_CONNECTION_REGISTERING, "");
    full_round_failure(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 30000);
}

static void test_every_kind_of_failure_moves_to_the_next_broker(void **state)
{
    (void)state;
    const mqtt_connection_timing_t timing = {.attempt_timeout_ms = ATTEMPT_TIMEOUT_MS,
                                             .registration_timeout_ms = REGISTRATION_TIMEOUT_MS,
                                             .liveness_interval_ms = LIVENESS_MS,
                                             .broker_count = 2};
    mqtt_connection_t conn;
    begin(&conn, &timing, "connect(0), arm_retry_timer(25000)");
    /* The watchdog at broker 0, a refused publish at broker 1: a full round. */
    failover(&conn, MQTT_CONNECTION_EV_RETRY_TIMER_FIRED, 500);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "connect(1), arm_retry_timer(25000)");
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING,
         "publish_registration, arm_retry_timer(10000)");
    full_round_failure(&conn, MQTT_CONNECTION_EV_PUBLISH_FAILED, 30000);
    /* The registration timeout at broker 0, then broker 1 registers. */
    fire(&conn, MQTT_CONNECTION_CONNECTING, "clear_low_power, connect(0), arm_retry_timer(25000)");
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING,
         "publish_registration, arm_retry_timer(10000)");
    step(&conn, ev_msg(MQTT_CONNECTION_EV_PUBLISH_QUEUED, 7), MQTT_CONNECTION_REGISTERING, "");
    failover(&conn, MQTT_CONNECTION_EV_RETRY_TIMER_FIRED, 500);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "connect(1), arm_retry_timer(25000)");
    register_session(&conn, "publish_registration, arm_retry_timer(10000)", 8,
                     "cancel_retry_timer, publish_online, arm_retry_timer(20000)");
    assert_int_equal(conn.policy.attempt, 0);
    /* The session lost at broker 1 starts a new round at broker 0; its failure ends it. */
    fire(&conn, MQTT_CONNECTION_REGISTERED, "check_session, arm_retry_timer(20000)");
    failover(&conn, MQTT_CONNECTION_EV_SESSION_LOST, 500);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "connect(0), arm_retry_timer(25000)");
    full_round_failure(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 30000);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "clear_low_power, connect(1), arm_retry_timer(25000)");
}

/* ---- IP changes ---- */

static void test_ip_change_while_connecting_reconnects_to_the_same_broker(void **state)
{
    (void)state;
    const mqtt_connection_timing_t timing = {.attempt_timeout_ms = ATTEMPT_TIMEOUT_MS, .broker_count = 2};
    const ipv4_address_t ip_b = IP_B;
    mqtt_connection_t conn;
    begin(&conn, &timing, "connect(0), arm_retry_timer(25000)");
    failover(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 500);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "connect(1), arm_retry_timer(25000)");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_IP_CHANGED, ip_b), MQTT_CONNECTION_BACKOFF,
         "disconnect, arm_retry_timer(500)");
    assert_true(ipv4_address_equal(&conn.ip, &ip_b));
    assert_int_equal(conn.policy.attempt, 0);
    assert_false(conn.low_power);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "connect(1), arm_retry_timer(25000)");
    assert_int_equal(conn.connect_attempts, 3);
    /* The IP change counted nothing: broker 1 failing still ends the round begun by broker 0. */
    full_round_failure(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 30000);
}

static void test_ip_change_while_registering_drops_the_pending_registration(void **state)
{
    (void)state;
    const ipv4_address_t ip_b = IP_B;
    mqtt_connection_t conn;
    begin(&conn, &NO_TIMER, "connect(0)");
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING, "publish_registration");
    step(&conn, ev_msg(MQTT_CONNECTION_EV_PUBLISH_QUEUED, 7), MQTT_CONNECTION_REGISTERING, "");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_IP_CHANGED, ip_b), MQTT_CONNECTION_BACKOFF,
         "disconnect, arm_retry_timer(500)");
    assert_int_equal(conn.pending_msg_id, -1);
    /* The PUBACK of the registration with the old address comes too late to count. */
    step(&conn, ev_msg(MQTT_CONNECTION_EV_REGISTRATION_ACKED, 7), MQTT_CONNECTION_BACKOFF, "");
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_DISCONNECTED), MQTT_CONNECTION_BACKOFF, "");
    fire(&conn, MQTT_CONNECTION_CONNECTING, "connect(0)");
    register_session(&conn, "publish_registration", 8, "publish_online");
    assert_true(ipv4_address_equal(&conn.ip, &ip_b)); /* the registration carried the new address */
    assert_int_equal(conn.policy.attempt, 0);
}

static void test_ip_changes_while_connected_count_no_failure(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    begin(&conn, &NO_TIMER, "connect(0)");
    register_session(&conn, "publish_registration", 7, "publish_online");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_B), MQTT_CONNECTION_BACKOFF,
         "disconnect, arm_retry_timer(500)");
    fire(&conn, MQTT_CONNECTION_CONNECTING, "connect(0)");
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING, "publish_registration");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_IP_CHANGED, (ipv4_address_t)IP_A), MQTT_CONNECTION_BACKOFF,
         "disconnect, arm_retry_timer(500)");
    fire(&conn, MQTT_CONNECTION_CONNECTING, "connect(0)");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_IP_CHANGED, (ipv4_address_t)IP_B), MQTT_CONNECTION_BACKOFF,
         "disconnect, arm_retry_timer(500)");
    fire(&conn, MQTT_CONNECTION_CONNECTING, "connect(0)");
    assert_int_equal(conn.policy.attempt, 0);
    assert_int_equal(conn.round_failures, 0);
    assert_int_equal(conn.connect_attempts, 4);
    /* The first real failure waits the first delay of the policy. */
    full_round_failure(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 30000);
}

static void test_ip_change_replaces_the_registered_tick(void **state)
{
    (void)state;
    const mqtt_connection_timing_t timing = {.liveness_interval_ms = LIVENESS_MS};
    mqtt_connection_t conn;
    begin(&conn, &timing, "connect(0)");
    register_session(&conn, "publish_registration", 7, "publish_online, arm_retry_timer(20000)");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_IP_CHANGED, (ipv4_address_t)IP_B), MQTT_CONNECTION_BACKOFF,
         "disconnect, arm_retry_timer(500)");
    /* The timer now means the reconnect, not a liveness tick. */
    fire(&conn, MQTT_CONNECTION_CONNECTING, "connect(0)");
}

static void test_ip_change_while_waiting_or_backing_off_is_only_recorded(void **state)
{
    (void)state;
    const ipv4_address_t ip_a = IP_A;
    const ipv4_address_t ip_b = IP_B;
    mqtt_connection_t conn;
    begin(&conn, &NO_TIMER, "connect(0)");
    full_round_failure(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 30000);
    step(&conn, ev_ip(MQTT_CONNECTION_EV_IP_CHANGED, ip_b), MQTT_CONNECTION_BACKOFF, "");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, ip_a), MQTT_CONNECTION_BACKOFF, "");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_IP_CHANGED, ip_b), MQTT_CONNECTION_BACKOFF, "");
    assert_true(ipv4_address_equal(&conn.ip, &ip_b));
    assert_int_equal(conn.last_delay_ms, 30000);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "clear_low_power, connect(0)");
    /* During the quick reconnect a further change is recorded too: one reconnect, one DISCONNECT. */
    step(&conn, ev_ip(MQTT_CONNECTION_EV_IP_CHANGED, ip_a), MQTT_CONNECTION_BACKOFF,
         "disconnect, arm_retry_timer(500)");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_IP_CHANGED, ip_b), MQTT_CONNECTION_BACKOFF, "");
    /* While waiting for the network. */
    step(&conn, ev(MQTT_CONNECTION_EV_NETWORK_DOWN), MQTT_CONNECTION_WAITING, "cancel_retry_timer");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_IP_CHANGED, ip_a), MQTT_CONNECTION_WAITING, "");
    assert_true(ipv4_address_equal(&conn.ip, &ip_a));
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, ip_b), MQTT_CONNECTION_CONNECTING, "connect(0)");
    assert_true(ipv4_address_equal(&conn.ip, &ip_b));
    assert_int_equal(conn.policy.attempt, 1);
}

/* ---- low power ---- */

static void test_low_power_is_requested_for_the_policy_wait_and_cleared_by_the_next_connect(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    begin(&conn, &NO_TIMER, "connect(0)");
    assert_false(conn.low_power);
    full_round_failure(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 30000);
    assert_true(conn.low_power);
    /* A late session is dropped without waking the radio. */
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_BACKOFF, "disconnect");
    assert_true(conn.low_power);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "clear_low_power, connect(0)");
    assert_false(conn.low_power);
    step(&conn, ev(MQTT_CONNECTION_EV_MQTT_CONNECTED), MQTT_CONNECTION_REGISTERING, "publish_registration");
    full_round_failure(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 60000);
    assert_true(conn.low_power);
}

static void test_quick_waits_leave_low_power_alone(void **state)
{
    (void)state;
    const mqtt_connection_timing_t timing = {.broker_count = 2};
    mqtt_connection_t conn;
    begin(&conn, &timing, "connect(0)");
    failover(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 500);
    assert_false(conn.low_power);
    step(&conn, ev(MQTT_CONNECTION_EV_NETWORK_DOWN), MQTT_CONNECTION_WAITING, "cancel_retry_timer");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_A), MQTT_CONNECTION_CONNECTING,
         "connect(1)");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_IP_CHANGED, (ipv4_address_t)IP_B), MQTT_CONNECTION_BACKOFF,
         "disconnect, arm_retry_timer(500)");
    assert_false(conn.low_power);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "connect(1)");
}

static void test_network_down_clears_low_power_once(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    begin(&conn, &NO_TIMER, "connect(0)");
    full_round_failure(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 30000);
    step(&conn, ev(MQTT_CONNECTION_EV_NETWORK_DOWN), MQTT_CONNECTION_WAITING,
         "cancel_retry_timer, clear_low_power");
    assert_false(conn.low_power);
    step(&conn, ev(MQTT_CONNECTION_EV_NETWORK_DOWN), MQTT_CONNECTION_WAITING, "");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_NETWORK_UP, (ipv4_address_t)IP_A), MQTT_CONNECTION_CONNECTING,
         "connect(0)");
    full_round_failure(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 60000);
}

/* ---- set_timing ---- */

static void test_set_timing_copies_every_timer(void **state)
{
    (void)state;
    const mqtt_connection_timing_t timing = {.attempt_timeout_ms = 1,
                                             .registration_timeout_ms = 2,
                                             .refresh_interval_ms = 3,
                                             .liveness_interval_ms = 4,
                                             .reconnect_ms = 5,
                                             .broker_count = 3};
    mqtt_connection_t conn;
    assert_int_equal(mqtt_connection_init(&conn, NULL), DOMAIN_OK);
    assert_int_equal(mqtt_connection_set_timing(&conn, &timing), DOMAIN_OK);
    assert_int_equal(conn.timing.attempt_timeout_ms, 1);
    assert_int_equal(conn.timing.registration_timeout_ms, 2);
    assert_int_equal(conn.timing.refresh_interval_ms, 3);
    assert_int_equal(conn.timing.liveness_interval_ms, 4);
    assert_int_equal(conn.timing.reconnect_ms, 5);
    assert_int_equal(conn.timing.broker_count, 3);
    assert_int_equal(conn.attempt_timeout_ms, 1); /* the watchdog, whichever setter set it */
    assert_int_equal(conn.state, MQTT_CONNECTION_WAITING);
}

static void test_set_timing_defaults_the_broker_count_and_the_reconnect_delay(void **state)
{
    (void)state;
    mqtt_connection_t conn;
    begin(&conn, &NO_TIMER, "connect(0)");
    assert_int_equal(conn.timing.broker_count, 1);
    assert_int_equal(conn.timing.reconnect_ms, MQTT_CONNECTION_DEFAULT_RECONNECT_MS);
    /* One broker: the first failure is a full round. */
    full_round_failure(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 30000);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "clear_low_power, connect(0)");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_IP_CHANGED, (ipv4_address_t)IP_B), MQTT_CONNECTION_BACKOFF,
         "disconnect, arm_retry_timer(500)");
}

static void test_reconnect_ms_sets_the_quick_delay(void **state)
{
    (void)state;
    const mqtt_connection_timing_t timing = {.reconnect_ms = 2000, .broker_count = 2};
    mqtt_connection_t conn;
    begin(&conn, &timing, "connect(0)");
    step(&conn, ev_ip(MQTT_CONNECTION_EV_IP_CHANGED, (ipv4_address_t)IP_B), MQTT_CONNECTION_BACKOFF,
         "disconnect, arm_retry_timer(2000)");
    assert_int_equal(conn.last_delay_ms, 2000);
    fire(&conn, MQTT_CONNECTION_CONNECTING, "connect(0)");
    failover(&conn, MQTT_CONNECTION_EV_MQTT_DISCONNECTED, 2000);
    assert_int_equal(conn.last_delay_ms, 2000);
}

static void test_set_timing_rejects_bad_arguments_and_changes_nothing(void **state)
{
    (void)state;
    const mqtt_connection_timing_t good = {.attempt_timeout_ms = ATTEMPT_TIMEOUT_MS, .broker_count = 2};
    mqtt_connection_timing_t too_many = {.attempt_timeout_ms = 1, .reconnect_ms = 7};
    mqtt_connection_t conn;
    assert_int_equal(mqtt_connection_init(&conn, NULL), DOMAIN_OK);
    assert_int_equal(mqtt_connection_set_timing(&conn, &good), DOMAIN_OK);
    mqtt_connection_t before;
    memcpy(&before, &conn, sizeof(before));
    assert_int_equal(mqtt_connection_set_timing(NULL, &good), DOMAIN_ERR_INVALID_ARG);
    assert_int_equal(mqtt_connection_set_timing(&conn, NULL), DOMAIN_ERR_INVALID_ARG);
    too_many.broker_count = MQTT_CONNECTION_MAX_BROKERS + 1;
    assert_int_equal(mqtt_connection_set_timing(&conn, &too_many), DOMAIN_ERR_INVALID_ARG);
    too_many.broker_count = UINT8_MAX;
    assert_int_equal(mqtt_connection_set_timing(&conn, &too_many), DOMAIN_ERR_INVALID_ARG);
    assert_memory_equal(&conn, &before, sizeof(conn));
    too_many.broker_count = MQTT_CONNECTION_MAX_BROKERS;
    assert_int_equal(mqtt_connection_set_timing(&conn, &too_many), DOMAIN_OK);
    assert_int_equal(conn.timing.broker_count, MQTT_CONNECTION_MAX_BROKERS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_watchdog_is_armed_with_every_connect_and_is_not_a_retry),
        cmocka_unit_test(test_attempt_timeout_abandons_the_attempt_and_counts_as_a_failure),
        cmocka_unit_test(test_attempt_timeout_takes_the_random_value_of_the_event),
        cmocka_unit_test(test_late_success_after_an_attempt_timeout_is_refused),
        cmocka_unit_test(test_network_down_while_connecting_cancels_the_watchdog),
        cmocka_unit_test(test_attempt_timeout_zero_turns_the_watchdog_off),
        cmocka_unit_test(test_set_attempt_timeout_rejects_a_missing_entity),
        cmocka_unit_test(test_connected_arms_the_registration_timeout_in_place_of_the_watchdog),
        cmocka_unit_test(test_registration_timeout_expiry_stops_the_client_and_backs_off),
        cmocka_unit_test(test_broker_that_never_pubacks_reaches_the_cap_through_the_registration_timeout),
        cmocka_unit_test(test_registration_puback_cancels_the_timeout_and_asks_for_presence),
        cmocka_unit_test(test_register_again_rearms_the_registration_timeout),
        cmocka_unit_test(test_refresh_registers_again_when_due),
        cmocka_unit_test(test_refresh_registration_is_bounded_by_the_registration_timeout),
        cmocka_unit_test(test_refresh_and_liveness_arm_the_earlier_tick_and_count_the_refresh_down),
        cmocka_unit_test(test_refresh_shorter_than_liveness_comes_first),
        cmocka_unit_test(test_each_successful_registration_restarts_the_refresh_countdown),
        cmocka_unit_test(test_liveness_checks_the_session_every_interval),
        cmocka_unit_test(test_session_lost_is_a_failure_that_backs_off),
        cmocka_unit_test(test_two_brokers_alternate_and_back_off_after_each_round),
        cmocka_unit_test(test_three_brokers_rotate_in_order),
        cmocka_unit_test(test_largest_broker_list_is_tried_whole_before_backing_off),
        cmocka_unit_test(test_a_registration_resets_the_round_and_keeps_its_broker),
        cmocka_unit_test(test_a_connect_without_its_puback_does_not_reset_the_round),
        cmocka_unit_test(test_every_kind_of_failure_moves_to_the_next_broker),
        cmocka_unit_test(test_ip_change_while_connecting_reconnects_to_the_same_broker),
        cmocka_unit_test(test_ip_change_while_registering_drops_the_pending_registration),
        cmocka_unit_test(test_ip_changes_while_connected_count_no_failure),
        cmocka_unit_test(test_ip_change_replaces_the_registered_tick),
        cmocka_unit_test(test_ip_change_while_waiting_or_backing_off_is_only_recorded),
        cmocka_unit_test(test_low_power_is_requested_for_the_policy_wait_and_cleared_by_the_next_connect),
        cmocka_unit_test(test_quick_waits_leave_low_power_alone),
        cmocka_unit_test(test_network_down_clears_low_power_once),
        cmocka_unit_test(test_set_timing_copies_every_timer),
        cmocka_unit_test(test_set_timing_defaults_the_broker_count_and_the_reconnect_delay),
        cmocka_unit_test(test_reconnect_ms_sets_the_quick_delay),
        cmocka_unit_test(test_set_timing_rejects_bad_arguments_and_changes_nothing),
    };
    return cmocka_run_group_tests_name("mqtt_connection_timing", tests, NULL, NULL);
}
