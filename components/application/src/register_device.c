/*
 * register_device: the RegisterDeviceUseCase. Everything the central server would silently drop is caught
 * here or in the domain before it is queued: stored values are validated and replaced by the configured
 * defaults when they break the contract, and the message itself is built by the domain's rules.
 */
#include "application/register_device.h"

#include <stdio.h>
#include <string.h>

#include "domain/bounded_text.h"

#define REGISTER_DEVICE_NOTICE_MAX 160

static void notice(register_device_t *uc, app_notice_level_t level, const char *message)
{
    uc->ports->events->on_notice(uc->ports->events_ctx, level, message);
}

void register_device_init(register_device_t *uc, const app_ports_t *ports, const app_settings_t *settings)
{
    if (uc == NULL) {
        return;
    }
    memset(uc, 0, sizeof(*uc));
    uc->ports = ports;
    uc->settings = settings;
    uc->pending_msg_id = -1;
    for (size_t i = 0; i < CONFIG_FIELD_COUNT; i++) {
        uc->last_field_result[i] = APP_STATUS_COUNT; /* nothing read yet: the first finding is reported */
    }
}

/* Reports a fallback once per change of what the field's read found. */
static void notice_on_change(register_device_t *uc, config_field_t field, app_err_t result,
                             app_notice_level_t level, const char *message)
{
    if (uc->last_field_result[field] != result) {
        uc->last_field_result[field] = result;
        if (result != APP_OK) {
            notice(uc, level, message);
        }
    }
}

app_err_t register_device_read_field(register_device_t *uc, config_field_t field, char *out, size_t out_size)
{
    if (uc == NULL || out == NULL || out_size == 0 ||
        (field != CONFIG_FIELD_DEVICE_NAME && field != CONFIG_FIELD_LOCATION)) {
        return APP_ERR_INVALID_ARG;
    }
    const bool is_name = field == CONFIG_FIELD_DEVICE_NAME;
    const size_t max_bytes = is_name ? DEVICE_NAME_MAX_BYTES : DEVICE_LOCATION_MAX_BYTES;
    const char *fallback = is_name ? uc->settings->defaults.device_name : uc->settings->defaults.location;
    const char *name = config_field_to_str(field);

    char stored[DEVICE_LOCATION_MAX_BYTES + 1];
    app_err_t rc = uc->ports->config->load(uc->ports->config_ctx, field, stored, max_bytes + 1);
    char message[REGISTER_DEVICE_NOTICE_MAX];
    app_notice_level_t level = APP_NOTICE_WARNING;
    switch (rc) {
        case APP_OK: {
            /* The repository promises a NUL inside the buffer; do not trust it blindly. */
            stored[max_bytes] = '\0';
            domain_status_t check =
                is_name ? device_registration_check_name(stored) : device_registration_check_location(stored);
            if (check == DOMAIN_OK) {
                notice_on_change(uc, field, APP_OK, APP_NOTICE_INFO, "");
                if (!bounded_text_copy_whole(out, out_size, stored)) {
                    return APP_ERR_BUFFER_TOO_SMALL;
                }
                return APP_OK;
            }
            rc = (check == DOMAIN_ERR_NAME_TOO_LONG || check == DOMAIN_ERR_LOCATION_TOO_LONG)
                     ? APP_ERR_TOO_LONG
                     : APP_ERR_INVALID_VALUE;
            /* The stored bytes are not quoted: they may be anything. */
            snprintf(message, sizeof(message), "%s: stored value rejected (%s); using the default", name,
                     domain_status_to_str(check));
            break;
        }
        case APP_ERR_NOT_FOUND:
            level = APP_NOTICE_INFO;
            snprintf(message, sizeof(message), "%s: nothing stored; using the default", name);
            break;
        case APP_ERR_TOO_LONG:
            snprintf(message, sizeof(message), "%s: stored value is longer than %u bytes; using the default",
                     name, (unsigned)max_bytes);
            break;
        default:
            level = APP_NOTICE_ERROR;
            rc = APP_ERR_STORAGE;
            snprintf(message, sizeof(message), "%s: reading storage failed; using the default", name);
            break;
    }
    notice_on_change(uc, field, rc, level, message);
    if (!bounded_text_copy_whole(out, out_size, fallback)) {
        return APP_ERR_BUFFER_TOO_SMALL;
    }
    return rc;
}

static app_err_t fail(registration_failure_t reason, int32_t code, app_err_t err,
                      registration_failure_t *failure, int32_t *detail)
{
    *failure = reason;
    *detail = code;
    return err;
}

app_err_t register_device_publish(register_device_t *uc, int32_t *msg_id, registration_failure_t *failure,
                                  int32_t *detail)
{
    registration_failure_t ignored_failure;
    int32_t ignored_detail;
    if (failure == NULL) {
        failure = &ignored_failure;
    }
    if (detail == NULL) {
        detail = &ignored_detail;
    }
    if (uc == NULL || msg_id == NULL) {
        return fail(REGISTRATION_FAILURE_INVALID_MESSAGE, DOMAIN_ERR_INVALID_ARG, APP_ERR_INVALID_ARG,
                    failure, detail);
    }
    const app_ports_t *ports = uc->ports;
    char name[DEVICE_NAME_MAX_BYTES + 1];
    char location[DEVICE_LOCATION_MAX_BYTES + 1];
    (void)register_device_read_field(uc, CONFIG_FIELD_DEVICE_NAME, name, sizeof(name));
    (void)register_device_read_field(uc, CONFIG_FIELD_LOCATION, location, sizeof(location));

    mac_address_t mac;
    app_err_t rc = ports->network->get_mac(ports->network_ctx, &mac);
    if (rc != APP_OK) {
        return fail(REGISTRATION_FAILURE_INVALID_MESSAGE, DOMAIN_ERR_MAC_INVALID, rc, failure, detail);
    }
    ipv4_address_t ip;
    rc = ports->network->get_ip(ports->network_ctx, &ip);
    if (rc != APP_OK) {
        return fail(REGISTRATION_FAILURE_NO_IP, (int32_t)rc, rc, failure, detail);
    }
    if (ipv4_address_is_unspecified(&ip)) {
        return fail(REGISTRATION_FAILURE_NO_IP, DOMAIN_ERR_IP_UNSPECIFIED, APP_ERR_NOT_CONNECTED, failure,
                    detail);
    }

    device_registration_t message;
    domain_status_t status = device_registration_create(&message, &mac, &ip, name, location);
    if (status != DOMAIN_OK) {
        return fail(REGISTRATION_FAILURE_INVALID_MESSAGE, (int32_t)status, APP_ERR_INVALID_VALUE, failure,
                    detail);
    }
    size_t len = 0;
    status = device_registration_to_json(&message, uc->payload, sizeof(uc->payload), &len);
    if (status != DOMAIN_OK) {
        return fail(REGISTRATION_FAILURE_INVALID_MESSAGE, (int32_t)status, APP_ERR_BUFFER_TOO_SMALL, failure,
                    detail);
    }
    uc->payload_len = len;

    int32_t id = -1;
    const mqtt_message_t publish = {.topic = uc->settings->mqtt.topic,
                                    .payload = uc->payload,
                                    .payload_len = len,
                                    .qos = uc->settings->mqtt.qos,
                                    .retain = false};
    rc = ports->mqtt_publisher->publish(ports->mqtt_publisher_ctx, &publish, &id);
    if (rc != APP_OK) {
        return fail(REGISTRATION_FAILURE_PUBLISH_REFUSED, (int32_t)rc, rc, failure, detail);
    }
    uc->pending_msg_id = id;
    uc->last_message = message;
    *msg_id = id;
    return APP_OK;
}
