/*
 * settings_validation: whether the application's settings can run MQTT.
 *
 * Bad MQTT settings do not stop the device: application_start() runs with MQTT disabled and HTTP still
 * answering, and reports the one-line reason produced here. Checked: the WebSocket path and broker URI
 * (domain/broker_uri), the topic (present, valid UTF-8, no wildcard, nothing NATS refuses), QoS 0 or 1,
 * keepalive, buffer and task sizes (the send buffer must hold the largest registration), the retry policy,
 * and the default name and location against the registration contract. No side effects.
 */
#ifndef APPLICATION_SETTINGS_VALIDATION_H
#define APPLICATION_SETTINGS_VALIDATION_H

#include <stddef.h>

#include "application/app_status.h"
#include "application/settings.h"

/* APP_OK, or APP_ERR_BAD_URI / APP_ERR_BAD_TOPIC / APP_ERR_BAD_SIZE / APP_ERR_BAD_SETTINGS
 * (APP_ERR_INVALID_ARG for NULL settings) with a one-line reason in reason (may be NULL). */
app_err_t settings_validation_check(const app_settings_t *settings, char *reason, size_t reason_size);

#endif
