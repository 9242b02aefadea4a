/*
 * register_device: the RegisterDeviceUseCase.
 *
 * Reads device name and location through the config repository (falling back to the configured defaults
 * when a value is missing, too long or invalid, and reporting why through the event sink), reads MAC and
 * current IP through the network port, builds the registration (domain validation), serializes it and
 * queues it with QoS 1 through the MQTT port. It remembers the msg id whose PUBACK confirms it.
 * Runs on the application task.
 */
#ifndef APPLICATION_REGISTER_DEVICE_H
#define APPLICATION_REGISTER_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "application/app_ports.h"
#include "application/settings.h"
#include "domain/device_registration.h"
#include "domain/domain_events.h"

typedef struct {
    const app_ports_t *ports;
    const app_settings_t *settings;
    int32_t pending_msg_id;             /* -1 when none */
    device_registration_t last_message; /* the message queued last */
    char payload[DEVICE_REGISTRATION_JSON_MAX_SIZE];
    size_t payload_len;
    app_err_t last_field_result[CONFIG_FIELD_COUNT]; /* what the last read of each field found */
} register_device_t;

void register_device_init(register_device_t *uc, const app_ports_t *ports, const app_settings_t *settings);

/*
 * Reads one config field with its fallback: out gets the stored value when it is valid, else the default.
 * Returns APP_OK when the stored value was used, otherwise the reason the default was used (the caller
 * need not log it: this function reports it through the event sink, once per change of that reason, so
 * that a device running on defaults does not repeat the same notice at every registration).
 */
app_err_t register_device_read_field(register_device_t *uc, config_field_t field, char *out, size_t out_size);

/*
 * Builds and queues the registration. APP_OK with *msg_id set; or the error (message invalid, no IP,
 * publish refused) with *failure set to the matching registration_failure_t and *detail to the domain
 * status or platform code.
 */
app_err_t register_device_publish(register_device_t *uc, int32_t *msg_id, registration_failure_t *failure,
                                  int32_t *detail);

#endif
