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
 * so that HTTP (/whoami, /status) still answers. Missing ports are fatal (APP_ERR_MISSING_PORT).
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

typedef struct application {
    app_ports_t ports;
    app_settings_t settings;
    broker_uri_t broker;
    char client_id[MAC_ADDRESS_CLIENT_ID_SIZE];
    bool mqtt_enabled;
    mqtt_connection_t connection;
    register_device_t registration;
    uint32_t timer_token;         /* token of the armed retry timer */
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
 * Starts the application (see above). Returns APP_OK; APP_ERR_MISSING_PORT (nothing started);
 * APP_ERR_INVALID_ARG (NULL argument, nothing started); a settings error, a MAC read error or the error of
 * mqtt->configure() (started with MQTT disabled: snapshot mqtt_enabled false, last_error set, an error
 * notice emitted); or the error of executor->start(). Call once, before the adapters post events.
 *
 * Event handling details (application_handle_event):
 *   - The entity's commands are carried out in order; what a command causes (connect() refused ->
 *     MQTT_DISCONNECTED, publish queued -> PUBLISH_QUEUED, publish refused -> PUBLISH_FAILED) is fed to the
 *     entity after the whole command list, so one list is never interleaved with the next.
 *   - CONFIG_CHANGED reloads the config cache and, when connected (REGISTERING / REGISTERED), publishes the
 *     registration again and feeds PUBLISH_QUEUED / PUBLISH_FAILED, as the entity's own command would.
 *   - With QoS 0 no PUBACK will ever come: a queued registration is taken as acknowledged at once.
 *   - Cancelling the retry timer also retires its token, so an expiry already queued is ignored as stale.
 *   - DEVICE_REGISTERED is emitted for the PUBACK of the registration queued last, when it takes the
 *     entity to REGISTERED.
 */
app_err_t application_start(application_t *app, const app_ports_t *ports, const app_settings_t *settings);

/* The executor's handler: runs on the application task only. */
void application_handle_event(const app_event_t *event, void *user_arg /* application_t* */);

/* Copies the shared snapshot under the lock (settings.lock_timeout_ms). Any task. APP_ERR_LOCK_TIMEOUT. */
app_err_t application_get_status(application_t *app, app_status_snapshot_t *out);

/* Uptime from the clock port. Any task. */
uint64_t application_uptime_ms(application_t *app);

/*
 * Stores a new device name and/or location (NULL keeps the current one) from any task (HTTP): validates
 * with the registration rules, stores through the repository (outside the lock), updates the cache under
 * the lock and posts APP_EVENT_CONFIG_CHANGED. APP_ERR_INVALID_VALUE / APP_ERR_TOO_LONG with the domain
 * reason in reason; APP_ERR_STORAGE; APP_ERR_LOCK_TIMEOUT.
 */
app_err_t application_update_config(application_t *app, const char *device_name, const char *location,
                                    char *reason, size_t reason_size);

#endif
