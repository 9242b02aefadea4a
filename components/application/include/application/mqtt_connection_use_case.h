/*
 * mqtt_connection_use_case: the MqttConnectionUseCase. It owns the MqttConnection entity
 * (domain/mqtt_connection), feeds it the events that concern the broker connection, and carries out its
 * commands through the ports: connect / disconnect (mqtt_session_port), publish the registration (through
 * RegisterDeviceUseCase and the mqtt_publisher_port), the connection timer, low power (power_arbiter). It
 * reports domain events and keeps the connection fields of the status snapshot. Application task only.
 *
 * How events are handled:
 *   - The entity's commands are carried out in order; what a command causes (connect() refused ->
 *     MQTT_DISCONNECTED, publish queued -> PUBLISH_QUEUED, publish refused -> PUBLISH_FAILED) is fed to the
 *     entity after the whole command list, so one list is never interleaved with the next.
 *   - Timers: the entity's one connection timer is the attempt watchdog (mqtt_connection_use_case_attempt_
 *     timeout_ms of the network timeout), the registration timeout, the refresh/liveness tick or a wait, by
 *     the state after the event; only a wait (BACKOFF) is reported as RETRY_SCHEDULED and in next_retry_*.
 *     An expired watchdog sets last_error "connect attempt timed out after N ms"; an expired registration
 *     timeout "registration not acknowledged within N ms" and a REGISTRATION_FAILED(not_acknowledged).
 *   - Errors: last_error names the cause (connection_reasons.h) and the broker URI in use.
 *   - Liveness: CHECK_SESSION asks mqtt_session is_connected(); a client that says no is fed SESSION_LOST.
 *   - Shutdown (APP_EVENT_SHUTDOWN): when connected with presence on, the retained offline message is
 *     published and its PUBACK awaited (bounded: MQTT_CONNECTION_USE_CASE_SHUTDOWN_MS), then the client is
 *     disconnected and DOMAIN_EVENT_SHUT_DOWN reported; every event after that is ignored.
 *   - Register again (config changed, or a stale registration acknowledged last: domain/registration_history)
 *     goes through the entity's normal path, so a refused or dropped re-registration backs off and is
 * retried.
 *   - MQTT_ERROR of kind PROTOCOL adds an error notice naming the broker URI and the likely cause (the
 *     WebSocket path: NATS serves MQTT only on paths starting with /mqtt).
 *   - With QoS 0 no PUBACK will ever come: a queued registration is taken as acknowledged at once.
 *   - Cancelling the timer also retires its token, so an expiry already queued is ignored as stale.
 *   - DEVICE_REGISTERED is emitted for the PUBACK of the registration queued last, when it takes the entity
 *     to REGISTERED.
 * While disabled (bad MQTT settings) the entity stays WAITING and nothing is fed.
 */
#ifndef APPLICATION_MQTT_CONNECTION_USE_CASE_H
#define APPLICATION_MQTT_CONNECTION_USE_CASE_H

#include <stdbool.h>
#include <stdint.h>

#include "application/app_event.h"
#include "application/app_ports.h"
#include "application/power_arbiter.h"
#include "application/presence.h"
#include "application/register_device.h"
#include "application/settings.h"
#include "application/status_snapshot.h"
#include "domain/broker_uri.h"
#include "domain/mac_address.h"
#include "domain/mqtt_connection.h"
#include "domain/registration_history.h"

/* How long a clean shutdown waits for the offline message's PUBACK. */
#define MQTT_CONNECTION_USE_CASE_SHUTDOWN_MS 2000u

typedef struct {
    const app_ports_t *ports;
    const app_settings_t *settings;
    app_status_snapshot_t *status; /* the application task's working snapshot */
    register_device_t *registration;
    power_arbiter_t *power;
    bool enabled;
    char uri[BROKER_URI_MAX_LEN + 1]; /* effective URI of the broker connected or tried last */
    char client_id[MAC_ADDRESS_CLIENT_ID_SIZE];
    mqtt_connection_t connection;
    registration_history_t history; /* the registrations queued last (stale resend detection) */
    presence_t presence;
    uint32_t timer_token; /* token of the armed connection timer */
    bool shutting_down;   /* SHUTDOWN received: waiting for the offline message's PUBACK */
    bool shut_down;       /* done: every event is ignored */
    int32_t offline_msg_id;
} mqtt_connection_use_case_t;

/*
 * Prepares the use case and its entity (retry policy from settings when enabled, defaults otherwise; the
 * attempt watchdog from the network timeout). Nothing is called yet.
 */
void mqtt_connection_use_case_init(mqtt_connection_use_case_t *uc, const app_ports_t *ports,
                                   const app_settings_t *settings, app_status_snapshot_t *status,
                                   register_device_t *registration, power_arbiter_t *power, bool enabled);

/* Start-up: client id from mac, broker URI with the WebSocket path applied, mqtt_session configure().
 * The port's error is returned (the caller disables MQTT). */
app_err_t mqtt_connection_use_case_configure(mqtt_connection_use_case_t *uc, const mac_address_t *mac);

/* Turns MQTT off for good (start-up only): the entity stays WAITING. */
void mqtt_connection_use_case_disable(mqtt_connection_use_case_t *uc);

/* The WiFi link's reports: kind is MQTT_CONNECTION_EV_NETWORK_UP, _NETWORK_DOWN or _IP_CHANGED. */
void mqtt_connection_use_case_on_network(mqtt_connection_use_case_t *uc, mqtt_connection_event_kind_t kind,
                                         const ipv4_address_t *ip);

/* HTTP_STARTED, MQTT_*, TIMER_FIRED for APP_TIMER_CONNECTION, SHUTDOWN; other kinds are ignored. */
void mqtt_connection_use_case_handle(mqtt_connection_use_case_t *uc, const app_event_t *event);

/* The registration's content changed: publish it again when connected. */
void mqtt_connection_use_case_register_again(mqtt_connection_use_case_t *uc);

/* The effective URI (WebSocket path applied) of broker index of the list, or of the single broker. */
bool mqtt_connection_use_case_broker_uri(const mqtt_connection_use_case_t *uc, size_t index, char *out,
                                         size_t out_size);

/* Writes the connection fields of the working snapshot. */
void mqtt_connection_use_case_refresh_status(mqtt_connection_use_case_t *uc);

/*
 * The attempt watchdog for a client network timeout (0 = the clients' default, 10000 ms):
 * 4 * timeout + 15000 ms, saturating (55 s by default). Why four: one ESP-MQTT attempt may block up to the
 * network timeout on the TCP connect, on each read of the WebSocket upgrade reply, and twice while waiting
 * for the CONNACK before it reports anything; DNS comes on top and is not bounded by that timeout, hence the
 * margin. An expiry must mean the client went silent, never that it was merely slow: stopping a client
 * that is about to succeed only costs a whole retry delay.
 */
uint32_t mqtt_connection_use_case_attempt_timeout_ms(uint32_t network_timeout_ms);

#endif
