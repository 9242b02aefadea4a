/* app_ports: the start-up check that every port is present (a missing adapter is an error, never a no-op),
 * and the names of the port enums. */
#include "application/app_ports.h"

#include <stddef.h>

app_err_t app_ports_validate(const app_ports_t *ports)
{
    if (ports == NULL) {
        return APP_ERR_MISSING_PORT;
    }
    const mqtt_session_port_t *session = ports->mqtt_session;
    if (session == NULL || session->configure == NULL || session->connect == NULL ||
        session->disconnect == NULL) {
        return APP_ERR_MISSING_PORT;
    }
    const mqtt_publisher_port_t *publisher = ports->mqtt_publisher;
    if (publisher == NULL || publisher->publish == NULL) {
        return APP_ERR_MISSING_PORT;
    }
    const wifi_station_port_t *wifi = ports->wifi;
    if (wifi == NULL || wifi->has_credentials == NULL || wifi->start_station == NULL ||
        wifi->start_access_point == NULL || wifi->connect == NULL || wifi->disconnect == NULL ||
        wifi->set_credentials == NULL || wifi->persist_credentials == NULL ||
        wifi->stop_access_point == NULL || wifi->scan == NULL || wifi->forget_credentials == NULL) {
        return APP_ERR_MISSING_PORT;
    }
    const config_repository_port_t *config = ports->config;
    if (config == NULL || config->load == NULL || config->store == NULL) {
        return APP_ERR_MISSING_PORT;
    }
    const network_port_t *network = ports->network;
    if (network == NULL || network->get_mac == NULL || network->get_ip == NULL) {
        return APP_ERR_MISSING_PORT;
    }
    const resource_lock_port_t *lock = ports->lock;
    if (lock == NULL || lock->take == NULL || lock->give == NULL) {
        return APP_ERR_MISSING_PORT;
    }
    const timer_port_t *timer = ports->timer;
    if (timer == NULL || timer->arm_once == NULL || timer->cancel == NULL || timer->now_ms == NULL ||
        timer->random_u32 == NULL) {
        return APP_ERR_MISSING_PORT;
    }
    const power_port_t *power = ports->power;
    if (power == NULL || power->request_low_power == NULL || power->release_low_power == NULL) {
        return APP_ERR_MISSING_PORT;
    }
    const executor_port_t *executor = ports->executor;
    if (executor == NULL || executor->start == NULL || executor->post == NULL) {
        return APP_ERR_MISSING_PORT;
    }
    const event_sink_port_t *events = ports->events;
    if (events == NULL || events->on_domain_event == NULL || events->on_notice == NULL) {
        return APP_ERR_MISSING_PORT;
    }
    const system_info_port_t *system = ports->system;
    if (system == NULL || system->free_heap_bytes == NULL || system->min_free_heap_bytes == NULL ||
        system->runtime == NULL) {
        return APP_ERR_MISSING_PORT;
    }
    const captive_portal_port_t *portal = ports->portal;
    if (portal == NULL || portal->open == NULL || portal->close == NULL) {
        return APP_ERR_MISSING_PORT;
    }
    return APP_OK;
}

const char *config_field_to_str(config_field_t field)
{
    switch (field) {
        case CONFIG_FIELD_DEVICE_NAME:
            return "device_name";
        case CONFIG_FIELD_LOCATION:
            return "location_description";
        default:
            return "unknown";
    }
}

const char *app_notice_level_to_str(app_notice_level_t level)
{
    switch (level) {
        case APP_NOTICE_INFO:
            return "info";
        case APP_NOTICE_WARNING:
            return "warning";
        case APP_NOTICE_ERROR:
            return "error";
        default:
            return "unknown";
    }
}
