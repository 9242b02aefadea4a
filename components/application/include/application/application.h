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
    uint32_t timer_token;               /* token of the armed retry timer */
    app_status_snapshot_t status;       /* owned by the application task; published under the lock */
    app_status_snapshot_t shared;       /* the copy other tasks read; guarded by the shared lock */
} application_t;

/*
 * Validates settings without side effects: APP_OK, or APP_ERR_BAD_URI / APP_ERR_BAD_TOPIC /
 * APP_ERR_BAD_SIZE / APP_ERR_BAD_SETTINGS with a one-line reason in reason (may be NULL).
 */
app_err_t application_validate_settings(const app_settings_t *settings, char *reason, size_t reason_size);

/*
 * Starts the application (see above). Returns APP_OK; APP_ERR_MISSING_PORT (nothing started); or a
 * settings error (started with MQTT disabled). Call once, before the adapters post events.
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
