#include "fake_ports.h"

void fake_ports_init(fake_ports_t *fakes)
{
    fake_mqtt_client_init(&fakes->mqtt);
    fake_config_repository_init(&fakes->config);
    fake_network_init(&fakes->network);
    fake_wifi_station_init(&fakes->wifi);
    fake_lock_init(&fakes->lock);
    fake_timer_init(&fakes->timer);
    fake_power_init(&fakes->power);
    fake_executor_init(&fakes->executor);
    fake_event_sink_init(&fakes->events);
    fake_system_info_init(&fakes->system);
    fake_captive_portal_init(&fakes->portal);
    fake_timer_attach_executor(&fakes->timer, &fake_executor_port, &fakes->executor);

    app_ports_t *p = &fakes->ports;
    p->mqtt_session = &fake_mqtt_session_port;
    p->mqtt_session_ctx = &fakes->mqtt;
    p->mqtt_publisher = &fake_mqtt_publisher_port;
    p->mqtt_publisher_ctx = &fakes->mqtt;
    p->config = &fake_config_repository_port;
    p->config_ctx = &fakes->config;
    p->network = &fake_network_port;
    p->network_ctx = &fakes->network;
    p->wifi = &fake_wifi_station_port;
    p->wifi_ctx = &fakes->wifi;
    p->lock = &fake_lock_port;
    p->lock_ctx = &fakes->lock;
    p->timer = &fake_timer_port;
    p->timer_ctx = &fakes->timer;
    p->power = &fake_power_port;
    p->power_ctx = &fakes->power;
    p->executor = &fake_executor_port;
    p->executor_ctx = &fakes->executor;
    p->events = &fake_event_sink_port;
    p->events_ctx = &fakes->events;
    p->system = &fake_system_info_port;
    p->system_ctx = &fakes->system;
    p->portal = &fake_captive_portal_port;
    p->portal_ctx = &fakes->portal;
}
