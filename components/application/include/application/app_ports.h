/*
 * app_ports: every port the application needs, with its adapter context. Composition roots (main/ and the
 * simulator) fill one of these and hand it to application_start(). Each port is required: a NULL port or
 * a NULL function in it is a start-up error (APP_ERR_MISSING_PORT), never a silent no-op.
 */
#ifndef APPLICATION_APP_PORTS_H
#define APPLICATION_APP_PORTS_H

#include "application/ports/captive_portal_port.h"
#include "application/ports/config_repository_port.h"
#include "application/ports/event_sink_port.h"
#include "application/ports/executor_port.h"
#include "application/ports/mqtt_publisher_port.h"
#include "application/ports/mqtt_session_port.h"
#include "application/ports/network_port.h"
#include "application/ports/power_port.h"
#include "application/ports/resource_lock_port.h"
#include "application/ports/system_info_port.h"
#include "application/ports/timer_port.h"
#include "application/ports/wifi_station_port.h"

typedef struct {
    const mqtt_session_port_t *mqtt_session;
    void *mqtt_session_ctx;
    const mqtt_publisher_port_t *mqtt_publisher;
    void *mqtt_publisher_ctx;
    const config_repository_port_t *config;
    void *config_ctx;
    const network_port_t *network;
    void *network_ctx;
    const wifi_station_port_t *wifi;
    void *wifi_ctx;
    const resource_lock_port_t *lock;
    void *lock_ctx;
    const timer_port_t *timer;
    void *timer_ctx;
    const power_port_t *power;
    void *power_ctx;
    const executor_port_t *executor;
    void *executor_ctx;
    const event_sink_port_t *events;
    void *events_ctx;
    const system_info_port_t *system;
    void *system_ctx;
    const captive_portal_port_t *portal;
    void *portal_ctx;
} app_ports_t;

/* APP_OK when every port and every function in it is set, else APP_ERR_MISSING_PORT. */
app_err_t app_ports_validate(const app_ports_t *ports);

#endif
