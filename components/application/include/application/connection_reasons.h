/*
 * connection_reasons: the one-line reasons /status.last_error and the notices give for a failed connection,
 * so that a technician reading /status knows what to fix: the host name, the port, the WebSocket path, the
 * broker's refusal, the registration nobody acknowledged. Pure text, no I/O.
 */
#ifndef APPLICATION_CONNECTION_REASONS_H
#define APPLICATION_CONNECTION_REASONS_H

#include <stddef.h>
#include <stdint.h>

#include "application/app_event.h"

/* The reason for an MQTT_ERROR of kind with platform code, for the broker at uri ("" when unknown). */
void connection_reasons_error(app_mqtt_error_kind_t kind, int32_t code, const char *uri, char *out,
                              size_t out_size);

/* The text of a CONNACK return code (MQTT 3.1.1: 1..5), "unknown" otherwise. */
const char *connection_reasons_connack(int32_t code);

#endif
