/*
 * fake_ports: one of every port fake, wired into an app_ports_t, for tests that run the whole application
 * in memory. fake_ports_init() initialises every fake, fills ports and attaches the timer to the executor.
 * The struct is large: give it static storage (or allocate it) in tests.
 */
#ifndef FAKE_PORTS_H
#define FAKE_PORTS_H

#include "application/app_ports.h"
#include "fake_captive_portal.h"
#include "fake_config_repository.h"
#include "fake_event_sink.h"
#include "fake_executor.h"
#include "fake_lock.h"
#include "fake_mqtt_client.h"
#include "fake_network.h"
#include "fake_power.h"
#include "fake_system_info.h"
#include "fake_timer.h"
#include "fake_wifi_station.h"

typedef struct {
    fake_mqtt_client_t mqtt;
    fake_config_repository_t config;
    fake_network_t network;
    fake_wifi_station_t wifi;
    fake_lock_t lock;
    fake_timer_t timer;
    fake_power_t power;
    fake_executor_t executor;
    fake_event_sink_t events;
    fake_system_info_t system;
    fake_captive_portal_t portal;
    app_ports_t ports;
} fake_ports_t;

void fake_ports_init(fake_ports_t *fakes);

#endif
