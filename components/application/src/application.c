/*
 * application: start-up and event dispatch (see the header). Decisions live in the use cases and the
 * domain; this file only wires them together.
 */
#include "application/application.h"

#include <stdio.h>
#include <string.h>

#include "application/app_report.h"
#include "application/settings_validation.h"
#include "application/update_device_config.h"

/* ---- application task ---------------------------------------------------------------------------------- */

static void on_network(void *arg, mqtt_connection_event_kind_t kind, const ipv4_address_t *ip)
{
    mqtt_connection_use_case_on_network((mqtt_connection_use_case_t *)arg, kind, ip);
}

static void load_config_cache(application_t *app)
{
    app_status_snapshot_t *s = status_store_working(&app->store);
    (void)register_device_read_field(&app->registration, CONFIG_FIELD_DEVICE_NAME, s->device_name,
                                     sizeof(s->device_name));
    (void)register_device_read_field(&app->registration, CONFIG_FIELD_LOCATION, s->location,
                                     sizeof(s->location));
    status_store_mark_config_reloaded(&app->store);
}

static void publish_snapshot(application_t *app)
{
    mqtt_connection_use_case_refresh_status(&app->mqtt);
    wifi_link_use_case_refresh_status(&app->link);
    if (status_store_publish(&app->store) != APP_OK) {
        app_report_notice(&app->ports, APP_NOTICE_WARNING,
                          "status snapshot not updated (shared lock timeout); retried on the next event");
    }
}

void application_handle_event(const app_event_t *event, void *user_arg)
{
    application_t *app = user_arg;
    if (app == NULL || event == NULL) {
        return;
    }
    switch (event->kind) {
        case APP_EVENT_START:
        case APP_EVENT_WIFI_STARTED:
        case APP_EVENT_WIFI_DISCONNECTED:
        case APP_EVENT_WIFI_GOT_IP:
        case APP_EVENT_WIFI_LOST_IP:
        case APP_EVENT_WIFI_CREDENTIALS_SET:
        case APP_EVENT_FACTORY_RESET:
            wifi_link_use_case_handle(&app->link, event);
            break;
        case APP_EVENT_TIMER_FIRED:
            if (event->timer == APP_TIMER_LINK) {
                wifi_link_use_case_handle(&app->link, event);
            } else {
                mqtt_connection_use_case_handle(&app->mqtt, event);
            }
            break;
        case APP_EVENT_CONFIG_CHANGED:
            load_config_cache(app);
            mqtt_connection_use_case_register_again(&app->mqtt);
            break;
        case APP_EVENT_STOP:
            break;
        default:
            mqtt_connection_use_case_handle(&app->mqtt, event);
            break;
    }
    publish_snapshot(app);
}

/* ---- start -----------------------------------------------------------------------------------------------
 */

/* A port error must not read as one of the results that mean "nothing runs" (application.h). */
static app_err_t running_error(app_err_t rc)
{
    return (rc == APP_ERR_INVALID_ARG || rc == APP_ERR_MISSING_PORT || rc == APP_ERR_NOT_STARTED)
               ? APP_ERR_PLATFORM
               : rc;
}

static void disable_mqtt(application_t *app, const char *reason)
{
    mqtt_connection_use_case_disable(&app->mqtt);
    app_report_error(&app->ports, status_store_working(&app->store), APP_NOTICE_ERROR, "mqtt disabled: %s",
                     reason);
}

app_err_t application_start(application_t *app, const app_ports_t *ports, const app_settings_t *settings)
{
    if (app == NULL || ports == NULL || settings == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    if (app_ports_validate(ports) != APP_OK) {
        return APP_ERR_MISSING_PORT;
    }
    memset(app, 0, sizeof(*app));
    app->ports = *ports;
    app->settings = *settings;
    const app_ports_t *p = &app->ports;
    status_store_init(&app->store, p->lock, p->lock_ctx, app->settings.lock_timeout_ms);
    status_store_set_write_interval(&app->store, app->settings.config_min_interval_ms);
    app_status_snapshot_t *status = status_store_working(&app->store);
    status->state = MQTT_CONNECTION_WAITING;
    power_arbiter_init(&app->power, p->power, p->power_ctx);
    register_device_init(&app->registration, p, &app->settings);

    char reason[APP_LAST_ERROR_MAX_LEN + 1];
    app_err_t result = settings_validation_check(&app->settings, reason, sizeof(reason));
    const bool mqtt_enabled = result == APP_OK;
    mqtt_connection_use_case_init(&app->mqtt, p, &app->settings, status, &app->registration, &app->power,
                                  mqtt_enabled);
    if (!mqtt_enabled) {
        disable_mqtt(app, reason);
    }
    /* The link shares the retry schedule; with invalid MQTT settings it may be the invalid one. */
    const retry_policy_config_t fallback = retry_policy_default_config();
    const retry_policy_config_t *retry =
        retry_policy_validate(&app->settings.mqtt.retry) == DOMAIN_OK ? &app->settings.mqtt.retry : &fallback;
    provisioning_init(&app->provisioning, p, &app->settings, &app->store);
    wifi_link_use_case_init(&app->link, p, retry, app->settings.wifi.settle_ms, status, &app->power,
                            &app->provisioning, on_network, &app->mqtt);

    app_err_t rc = p->network->get_mac(p->network_ctx, &status->mac);
    if (rc != APP_OK) {
        memset(&status->mac, 0, sizeof(status->mac));
        if (app->mqtt.enabled) {
            snprintf(reason, sizeof(reason), "cannot read the MAC address (%s)", app_err_to_str(rc));
            disable_mqtt(app, reason);
            result = running_error(rc);
        }
    }
    load_config_cache(app);
    if (!setup_secret_is_canonical(app->settings.security.setup_secret)) {
        app_report_notice(p, APP_NOTICE_WARNING,
                          "no setup secret: every HTTP write is refused and no setup access point can start");
    }
    rc = mqtt_connection_use_case_configure(&app->mqtt, &status->mac);
    if (rc != APP_OK) {
        snprintf(reason, sizeof(reason), "client configuration failed (%s)", app_err_to_str(rc));
        disable_mqtt(app, reason);
        result = running_error(rc);
    }
    publish_snapshot(app);

    rc = p->executor->start(p->executor_ctx, application_handle_event, app);
    if (rc != APP_OK) {
        app_report_noticef(p, APP_NOTICE_ERROR, "application task not started: %s", app_err_to_str(rc));
        return APP_ERR_NOT_STARTED;
    }
    app_event_t start;
    memset(&start, 0, sizeof(start));
    start.kind = APP_EVENT_START;
    if (!p->executor->post(p->executor_ctx, &start)) {
        app_report_notice(p, APP_NOTICE_ERROR, "application task started, but its START event was refused");
        return APP_ERR_NOT_STARTED;
    }
    return result;
}

/* ---- any task
 * ---------------------------------------------------------------------------------------------- */

app_err_t application_get_status(application_t *app, app_status_snapshot_t *out)
{
    if (app == NULL || out == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    return status_store_read(&app->store, out);
}

uint64_t application_uptime_ms(application_t *app)
{
    if (app == NULL || app->ports.timer == NULL) {
        return 0;
    }
    return app->ports.timer->now_ms(app->ports.timer_ctx);
}

app_err_t application_update_config(application_t *app, const char *device_name, const char *location,
                                    char *reason, size_t reason_size, uint32_t *retry_after_s)
{
    if (app == NULL) {
        return update_device_config_apply(NULL, NULL, device_name, location, reason, reason_size,
                                          retry_after_s);
    }
    return update_device_config_apply(&app->ports, &app->store, device_name, location, reason, reason_size,
                                      retry_after_s);
}

app_err_t application_provision(application_t *app, const char *body, size_t body_len, char *ssid_out,
                                char *reason, size_t reason_size, uint32_t *retry_after_s)
{
    if (app == NULL || ssid_out == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    return provisioning_submit(&app->provisioning, body, body_len, ssid_out, reason, reason_size,
                               retry_after_s);
}

app_err_t application_scan_json(application_t *app, char *out, size_t out_size, size_t *out_len)
{
    if (app == NULL || out == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    return provisioning_scan_json(&app->provisioning, out, out_size, out_len);
}
