/*
 * application: the start-up entry and the MqttConnectionUseCase, which owns the MqttConnection entity.
 *
 * Composition roots call application_start() once with all ports and settings. It validates ports and
 * settings, loads the device config cache, configures the MQTT client and starts the executor, whose task
 * then calls application_handle_event() for every posted event: it turns app events into entity events,
 * carries out the entity's commands through the ports (connect, publish via register_device, arm timer,
 * power hints), publishes domain events to the event sink and refreshes the status snapshot under the
 * shared lock.
 *
 * Bad MQTT settings (malformed URI, empty topic, zero sizes, bad retry policy) do not stop the device:
 * application_start() returns the error, reports it, and the application keeps running with MQTT disabled
 * so that HTTP (/whoami, /status) still answers. Only two results mean that nothing runs, and they are the
 * only ones on which a composition root stops: APP_ERR_MISSING_PORT and APP_ERR_NOT_STARTED (plus
 * APP_ERR_INVALID_ARG for a NULL argument, which a composition root passing its own objects never sees).
 * Every other code means "running with MQTT disabled".
 */
#ifndef APPLICATION_APPLICATION_H
#define APPLICATION_APPLICATION_H

#include <stdbool.h>
#include <stdint.h>

#include "application/app_event.h"
#include "application/app_ports.h"
#include "application/register_device.h"
#include "application/settings.h"
#include "application/status_snapshot.h"
#include "domain/broker_uri.h"
#include "domain/mac_address.h"
#include "domain/mqtt_connection.h"

/* How many queued registrations are remembered to catch a stale one the client resends (see below). */
#define APP_SENT_REGISTRATIONS 4

typedef struct {
    int32_t msg_id;  /* -1: free slot */
    uint32_t digest; /* of the payload (MAC, name, IP, location): tells an older content */
    bool acked;      /* its PUBACK arrived */
} app_sent_registration_t;

typedef struct application {
    app_ports_t ports;
    app_settings_t settings;
    broker_uri_t broker;
    char client_id[MAC_ADDRESS_CLIENT_ID_SIZE];
    bool mqtt_enabled;
    mqtt_connection_t connection;
    register_device_t registration;
    uint32_t timer_token; /* token of the armed retry timer (retry delay or attempt watchdog) */
    app_sent_registration_t sent[APP_SENT_REGISTRATIONS]; /* ring of the registrations queued last */
    size_t sent_newest;                                   /* index of the newest entry in sent */
    app_status_snapshot_t status; /* owned by the application task; published under the lock */
    app_status_snapshot_t shared; /* the copy other tasks read; guarded by the shared lock */
    /* shared.device_name / shared.location are the device config cache: written under the lock by
     * application_update_config() (HTTP task) and by the application task when it reloads the cache; the
     * periodic snapshot copy leaves them alone unless config_dirty says the task's copy is newer. */
    bool config_dirty;
    bool snapshot_stale; /* the last snapshot copy timed out on the lock */
} application_t;

/*
 * Validates settings without side effects: APP_OK, or APP_ERR_BAD_URI / APP_ERR_BAD_TOPIC /
 * APP_ERR_BAD_SIZE / APP_ERR_BAD_SETTINGS with a one-line reason in reason (may be NULL).
 */
app_err_t application_validate_settings(const app_settings_t *settings, char *reason, size_t reason_size);

/*
 * Starts the application (see above). Call once, before the adapters post events. Results:
 *   - APP_OK: running.
 *   - APP_ERR_MISSING_PORT (a port or port function is NULL) or APP_ERR_INVALID_ARG (a NULL argument):
 *     nothing started.
 *   - APP_ERR_NOT_STARTED: executor->start() failed (an error notice names its code); nothing runs.
 *   - any other code: running with MQTT disabled (snapshot mqtt_enabled false, last_error set, an error
 *     notice emitted): a settings error (APP_ERR_BAD_*), or the error of network->get_mac() or
 *     mqtt->configure(). A port error that would read as one of the codes above (INVALID_ARG, MISSING_PORT,
 *     NOT_STARTED) is returned as APP_ERR_PLATFORM, so the composition roots' rule holds.
 *
 * Event handling details (application_handle_event):
 *   - The entity's commands are carried out in order; what a command causes (connect() refused ->
 *     MQTT_DISCONNECTED, publish queued -> PUBLISH_QUEUED, publish refused -> PUBLISH_FAILED) is fed to the
 *     entity after the whole command list, so one list is never interleaved with the next.
 *   - Attempt watchdog: the entity gets application_attempt_timeout_ms(mqtt.network_timeout_ms), so each
 *     CONNECT is followed by ARM_RETRY_TIMER(watchdog). The watchdog is not a retry: it emits no
 *     RETRY_SCHEDULED and leaves the snapshot's next_retry_* at 0; when it expires (the entity goes from
 *     CONNECTING to BACKOFF on RETRY_TIMER_FIRED) last_error and a warning notice say "mqtt connect attempt
 *     timed out after N ms", then the retry delay is scheduled as for any failed attempt.
 *   - CONFIG_CHANGED reloads the config cache and feeds REGISTER_AGAIN: when connected the registration is
 *     published again through the entity's normal path, so a refused or dropped re-registration backs off
 *     and is retried like any other.
 *   - Stale registrations: the client may resend an unacknowledged QoS 1 registration after a reconnect,
 *     after a newer one, and the server keeps the last it receives. The last APP_SENT_REGISTRATIONS queued
 *     registrations are remembered ({msg id, payload digest, acked}); when the PUBACK of an older one arrives
 *     while connected AFTER the newest one's PUBACK, and its content differs from the newest, the server
 *     may now hold the older content: REGISTER_AGAIN is fed (once per message). Acknowledgements in order
 *     need nothing. The digest covers the whole payload, IP included: comparing with the entity's IP
 *     instead could loop forever when an IP_CHANGED post was lost (the payload reads the live IP).
 *   - MQTT_ERROR of kind PROTOCOL adds an error notice naming the broker URI and the likely cause (the
 *     WebSocket path: NATS serves MQTT only on paths starting with /mqtt).
 *   - With QoS 0 no PUBACK will ever come: a queued registration is taken as acknowledged at once.
 *   - Cancelling the retry timer also retires its token, so an expiry already queued is ignored as stale.
 *   - DEVICE_REGISTERED is emitted for the PUBACK of the registration queued last, when it takes the
 *     entity to REGISTERED.
 */
app_err_t application_start(application_t *app, const app_ports_t *ports, const app_settings_t *settings);

/*
 * The attempt watchdog for a client network timeout (0 = the clients' default, 10000 ms):
 * 4 * timeout + 15000 ms, saturating (55 s by default). Why four: one ESP-MQTT attempt may block up to the
 * network timeout on the TCP connect, on each read of the WebSocket upgrade reply, and twice while waiting
 * for the CONNACK before it reports anything; DNS comes on top and is not bounded by that timeout, hence the
 * margin. An expiry must mean the client went silent, never that it was merely slow: stopping a client
 * that is about to succeed only costs a whole retry delay.
 */
uint32_t application_attempt_timeout_ms(uint32_t network_timeout_ms);

/* The executor's handler: runs on the application task only. */
void application_handle_event(const app_event_t *event, void *user_arg /* application_t* */);

/* Copies the shared snapshot under the lock (settings.lock_timeout_ms). Any task. APP_ERR_LOCK_TIMEOUT. */
app_err_t application_get_status(application_t *app, app_status_snapshot_t *out);

/* Uptime from the clock port. Any task. */
uint64_t application_uptime_ms(application_t *app);

/*
 * Stores a new device name and/or location (NULL keeps the current one) from any task (HTTP): validates
 * with the registration rules, stores through the repository (outside the lock), updates the cache under
 * the lock and posts APP_EVENT_CONFIG_CHANGED. Results: APP_OK once the values are stored;
 * APP_ERR_INVALID_VALUE / APP_ERR_TOO_LONG / APP_ERR_INVALID_ARG with the reason in reason (nothing
 * stored); APP_ERR_STORAGE (nothing stored, or only the name when the location failed).
 * A busy lock after storing is not an error: the write succeeded, the caller answers with the stored
 * values, and the application task reloads the cache from storage on the CONFIG_CHANGED event (a warning
 * notice says so). Only if that event is lost too (queue full) does the cache show the old values until
 * the next change or restart; the registration always reads storage, so it is never stale.
 */
app_err_t application_update_config(application_t *app, const char *device_name, const char *location,
                                    char *reason, size_t reason_size);

#endif
