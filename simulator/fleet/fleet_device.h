/*
 * fleet_device: one device of a fleet process: the same application core as the firmware and
 * irrigation-sim (an application_t started with application_start()), with its own adapters (sim_mqtt,
 * sim_wifi, sim_lock, sim_power, a sim_event_sink tagged with its MAC, its config in memory or in a file)
 * and its share of the process's pooled ones (a queue on the executor pool, a slot of the shared timer, a
 * listening socket of the listener, the system info).
 *
 * Called from the fleet's main thread (start, release, deinit) and its control reader (command), never from
 * a device's own application task. Start order: adapters, config, application_start(), then the listening
 * socket (the HTTP router serves a device only from then on), then `started`, `http_started` and
 * APP_EVENT_HTTP_STARTED. Release (once the device's executor queue has handled STOP): its Paho client goes,
 * and its `exit` line is written.
 */
#ifndef FLEET_DEVICE_H
#define FLEET_DEVICE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "application/application.h"
#include "fleet_devices.h"
#include "fleet_executor.h"
#include "fleet_listener.h"
#include "fleet_memory_config.h"
#include "fleet_options.h"
#include "fleet_timer.h"
#include "sim_config_file.h"
#include "sim_dns.h"
#include "sim_event_sink.h"
#include "sim_lock.h"
#include "sim_mqtt.h"
#include "sim_power.h"
#include "sim_system_info.h"
#include "sim_wifi.h"

/* What every device of the process shares. */
typedef struct {
    const fleet_options_t *options;
    fleet_executor_pool_t *pool;
    fleet_timer_t *timer;
    fleet_listener_t *listener;
    sim_system_info_t *system;
    /* The port devices listen on with --distinct-ips; switched to --http-fallback-port by the first device
     * refused port 80, for every later one. */
    uint16_t http_port;
    /* Called with every domain event of every device (arg: the device). */
    sim_event_sink_listener_fn on_domain_event;
} fleet_device_env_t;

typedef struct {
    application_t app;
    app_ports_t ports;
    fleet_executor_queue_t queue;
    fleet_timer_slot_t timer;
    sim_lock_t lock;
    sim_power_t power;
    sim_wifi_t wifi;
    sim_mqtt_t mqtt;
    sim_event_sink_t sink;
    sim_dns_portal_t portal; /* the captive-portal DNS while unprovisioned */
    fleet_memory_config_t memory_config;
    sim_config_file_t *config_file; /* --config-dir: the caller's storage; NULL: memory_config */
    ipv4_address_t ip;              /* reported */
    ipv4_address_t http_address;
    uint16_t http_port;
    bool initialised; /* its adapters exist: deinit frees them */
    bool mqtt_live;   /* sim_mqtt_init() ran and its deinit did not yet */
    bool started;     /* application_start() ran: its queue must be stopped before release */
    atomic_bool registered;
    atomic_bool shut_down; /* DOMAIN_EVENT_SHUT_DOWN seen: its offline presence went out (or could not) */
} fleet_device_t;

/* Asks the device for a clean stop (offline presence, then disconnect): false when it is not running or
 * its queue refused the event. */
bool fleet_device_shut_down(fleet_device_t *device);

/*
 * Starts device `index` of the process (its fleet number is options->first_index + index) as spec says;
 * config_file is its config file storage with --config-dir, else NULL. False, with the reason on stderr,
 * when anything fails (the caller stops the fleet; deinit still applies).
 */
bool fleet_device_start(fleet_device_t *device, fleet_device_env_t *env, size_t index,
                        const fleet_device_spec_t *spec, sim_config_file_t *config_file);

/* A control command for this device ("network down", "network up", "ip A.B.C.D", "status"): as
 * irrigation-sim's control channel does it; anything else is a warning notice. */
void fleet_device_command(fleet_device_t *device, const char *command_text);

/* After the device's queue has handled STOP: disconnects and destroys its Paho client, writes its `exit`
 * line. */
void fleet_device_release(fleet_device_t *device, const char *reason);

/* Frees its adapters (after release, or when it never started). */
void fleet_device_deinit(fleet_device_t *device);

#endif /* FLEET_DEVICE_H */
