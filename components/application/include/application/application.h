/*
 * application: the façade of the application layer: start-up, and the dispatch of every app event to the
 * use case it concerns. Composition roots call application_start() once with all ports and settings; the
 * executor's task then calls application_handle_event() for every posted event. HTTP handlers (http_api)
 * call the any-task functions below.
 *
 * The use cases (one file each):
 *   wifi_link_use_case        the WiFi station link: connects, retries, low power, network up/down
 *   provisioning              the setup access point and form
 *   mqtt_connection_use_case  the broker connection (MqttConnectionUseCase)
 *   register_device           the registration message (RegisterDeviceUseCase)
 *   update_device_config      name and location changes (UpdateDeviceConfigUseCase)
 *   status_store              the snapshot and config cache shared under the lock
 *   settings_validation       whether the settings can run MQTT
 * After each event the use cases refresh their fields of the working snapshot and it is published under
 * the shared lock (a lock timeout is reported and retried after the next event).
 *
 * Bad MQTT settings (malformed URI, empty topic, zero sizes, bad retry policy) do not stop the device:
 * application_start() returns the error, reports it, and the application keeps running with MQTT disabled
 * so that WiFi, provisioning and HTTP (/whoami, /status) still work. Only two results mean that nothing
 * runs, and they are the only ones on which a composition root stops: APP_ERR_MISSING_PORT and
 * APP_ERR_NOT_STARTED (plus APP_ERR_INVALID_ARG for a NULL argument, which a composition root passing its
 * own objects never sees). Every other code means "running with MQTT disabled".
 */
#ifndef APPLICATION_APPLICATION_H
#define APPLICATION_APPLICATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "application/app_event.h"
#include "application/app_ports.h"
#include "application/mqtt_connection_use_case.h"
#include "application/power_arbiter.h"
#include "application/provisioning.h"
#include "application/register_device.h"
#include "application/settings.h"
#include "application/status_store.h"
#include "application/wifi_link_use_case.h"

typedef struct application {
    app_ports_t ports;
    app_settings_t settings;
    status_store_t store;
    power_arbiter_t power;
    register_device_t registration;
    mqtt_connection_use_case_t mqtt;
    provisioning_t provisioning;
    wifi_link_use_case_t link;
} application_t;

/*
 * Starts the application (see above). Call once, before the adapters post events. Posts APP_EVENT_START,
 * on which the application task starts the WiFi link (station with stored credentials, else provisioning).
 * Results:
 *   - APP_OK: running.
 *   - APP_ERR_MISSING_PORT (a port or port function is NULL) or APP_ERR_INVALID_ARG (a NULL argument):
 *     nothing started.
 *   - APP_ERR_NOT_STARTED: executor->start() failed, or START could not be posted (an error notice says
 *     which); nothing runs.
 *   - any other code: running with MQTT disabled (snapshot mqtt_enabled false, last_error set, an error
 *     notice emitted): a settings error (APP_ERR_BAD_*), or the error of network->get_mac() or
 *     mqtt_session->configure(). A port error that would read as one of the codes above (INVALID_ARG,
 *     MISSING_PORT, NOT_STARTED) is returned as APP_ERR_PLATFORM, so the composition roots' rule holds.
 */
app_err_t application_start(application_t *app, const app_ports_t *ports, const app_settings_t *settings);

/* The executor's handler: runs on the application task only. */
void application_handle_event(const app_event_t *event, void *user_arg /* application_t* */);

/* ---- any task (HTTP handlers) ---- */

/* Copies the shared snapshot under the lock (settings.lock_timeout_ms). APP_ERR_LOCK_TIMEOUT. */
app_err_t application_get_status(application_t *app, app_status_snapshot_t *out);

/* Uptime from the clock port. */
uint64_t application_uptime_ms(application_t *app);

/* UpdateDeviceConfigUseCase (update_device_config.h): NULL keeps a value; retry_after_s (may be NULL) is set
 * with APP_ERR_RATE_LIMITED. */
app_err_t application_update_config(application_t *app, const char *device_name, const char *location,
                                    char *reason, size_t reason_size, uint32_t *retry_after_s);

/* The setup form (provisioning.h, step 2); ssid_out gets PROVISIONING_SSID_MAX_BYTES + 1 bytes. */
app_err_t application_provision(application_t *app, const char *body, size_t body_len, char *ssid_out,
                                char *reason, size_t reason_size, uint32_t *retry_after_s);

/* GET /scan (provisioning.h). */
app_err_t application_scan_json(application_t *app, char *out, size_t out_size, size_t *out_len);

#endif
