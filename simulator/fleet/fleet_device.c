/*
 * fleet_device: see fleet_device.h.
 */
#include "fleet_device.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "application/http_api.h"
#include "domain/json_writer.h"
#include "domain/setup_secret.h"
#include "sim_control.h"

/* ---- config ---------------------------------------------------------------------------------------------
 */

static bool init_memory_config(fleet_device_t *device, const char *const values[CONFIG_FIELD_COUNT])
{
    if (fleet_memory_config_init(&device->memory_config) != APP_OK) {
        return false;
    }
    for (unsigned field = 0; field < CONFIG_FIELD_COUNT; field++) {
        if (values[field] != NULL && fleet_memory_config_store(&device->memory_config, (config_field_t)field,
                                                               values[field]) != APP_OK) {
            return false;
        }
    }
    device->ports.config = &fleet_memory_config_port;
    device->ports.config_ctx = &device->memory_config;
    return true;
}

/* Like irrigation-sim's --name/--location: the file is written only when they differ from what it holds. */
static bool init_file_config(fleet_device_t *device, const fleet_device_env_t *env,
                             const char *const values[CONFIG_FIELD_COUNT], const mac_address_t *mac,
                             sim_config_file_t *config_file)
{
    char path[SIM_CONFIG_FILE_PATH_MAX];
    const uint8_t *b = mac->bytes;
    int n = snprintf(path, sizeof(path), "%s/irrigation-fleet-%02X%02X%02X%02X%02X%02X.conf",
                     env->options->config_dir, b[0], b[1], b[2], b[3], b[4], b[5]);
    if (n < 0 || (size_t)n >= sizeof(path) || sim_config_file_init(config_file, path) != APP_OK) {
        return false;
    }
    device->config_file = config_file;
    if (sim_config_file_store_values(config_file, values, NULL) != APP_OK) {
        (void)fprintf(stderr, "irrigation-fleet: --config-dir: cannot write %s: %s\n", path, strerror(errno));
        return false;
    }
    device->ports.config = &sim_config_file_port;
    device->ports.config_ctx = config_file;
    return true;
}

/* ---- start ----------------------------------------------------------------------------------------------
 */

/* The reported address, and where and on which port the device listens. */
static void place(fleet_device_t *device, const fleet_device_env_t *env, uint32_t number,
                  const fleet_device_spec_t *spec)
{
    const fleet_options_t *options = env->options;
    device->ip = spec->has_ip ? spec->ip : options->shared.ip;
    device->http_address = device->ip;
    device->http_port = env->http_port;
    if (options->distinct_ips) {
        (void)fleet_devices_distinct_ip(number, &device->ip);
        device->http_address = device->ip;
        return;
    }
    /* A port of its own: the file's, or the generated device's (--http-port counting up), or a free one. */
    (void)ipv4_address_parse(options->shared.http_bind, &device->http_address);
    if (spec->has_http_port) {
        device->http_port = spec->http_port;
    } else if (options->auto_http_ports) {
        device->http_port = (uint16_t)(FLEET_OPTIONS_AUTO_HTTP_PORT_BASE + number - 1u);
    } else if (env->http_port != 0 && options->devices > 0) {
        device->http_port = (uint16_t)(env->http_port + number - 1u);
    } else {
        device->http_port = 0;
    }
}

static bool init_adapters(fleet_device_t *device, fleet_device_env_t *env, const fleet_device_spec_t *spec)
{
    const sim_options_t *shared = &env->options->shared;
    fleet_executor_queue_init(&device->queue, env->pool);
    fleet_timer_slot_init(&device->timer, env->timer, &fleet_executor_port, &device->queue, 0);
    const sim_wifi_config_t wifi = {
        .ssid = shared->wifi_ssid,
        .password = shared->wifi_password,
        .provisioned = !shared->unprovisioned,
    };
    device->initialised = true;
    if (!sim_event_sink_init(&device->sink, stdout, fleet_timer_uptime_ms, env->timer) ||
        !sim_lock_init(&device->lock) || !sim_power_init(&device->power) ||
        !sim_wifi_init(&device->wifi, &wifi, &spec->mac, &device->ip, &fleet_executor_port, &device->queue,
                       &device->sink) ||
        !sim_mqtt_init(&device->mqtt, &fleet_executor_port, &device->queue, shared->ca_file)) {
        return false;
    }
    device->mqtt_live = true;
    sim_event_sink_set_device(&device->sink, &spec->mac);
    /* connect_attempt lines name the broker's URI and presence lines the topic, as irrigation-sim's do. */
    sim_event_sink_set_mqtt(&device->sink, &shared->settings.mqtt, &spec->mac);
    sim_event_sink_set_listener(&device->sink, env->on_domain_event, device);

    app_ports_t *p = &device->ports;
    p->mqtt_session = &sim_mqtt_session_port;
    p->mqtt_session_ctx = &device->mqtt;
    p->mqtt_publisher = &sim_mqtt_publisher_port;
    p->mqtt_publisher_ctx = &device->mqtt;
    p->network = &sim_wifi_network_port;
    p->network_ctx = &device->wifi;
    p->wifi = &sim_wifi_station_port;
    p->wifi_ctx = &device->wifi;
    p->lock = &sim_lock_port;
    p->lock_ctx = &device->lock;
    p->timer = &fleet_timer_port;
    p->timer_ctx = &device->timer;
    p->power = &sim_power_port;
    p->power_ctx = &device->power;
    p->executor = &fleet_executor_port;
    p->executor_ctx = &device->queue;
    p->events = &sim_event_sink_port;
    p->events_ctx = &device->sink;
    p->system = &sim_system_info_port;
    p->system_ctx = env->system;
    /* The captive-portal DNS of an unprovisioned device: on its HTTP address, a free port (captive_dns line).
     */
    (void)ipv4_address_format(&device->http_address, device->portal.bind_address);
    device->portal.port = 0;
    device->portal.answer_ip = device->http_address;
    device->portal.sink = &device->sink;
    p->portal = &sim_dns_portal_port;
    p->portal_ctx = &device->portal;
    return true;
}

/* The device's listening socket; a refused port 80 -> the fallback port for this and every later device. */
static bool listen_for(fleet_device_t *device, fleet_device_env_t *env, uint32_t index)
{
    const fleet_options_t *options = env->options;
    fleet_listener_result_t rc = fleet_listener_add(env->listener, &device->http_address, device->http_port,
                                                    index, &device->http_port);
    /* An automatic port taken by someone else: a free port from the kernel instead (the next port up would
     * be the next device's, and every later device would collide in turn). */
    if (rc == FLEET_LISTENER_IN_USE && options->auto_http_ports) {
        rc = fleet_listener_add(env->listener, &device->http_address, 0, index, &device->http_port);
    }
    if (rc == FLEET_LISTENER_NO_PERMISSION && options->distinct_ips && options->http_fallback_port != 0 &&
        device->http_port != options->http_fallback_port) {
        (void)fprintf(stderr, "irrigation-fleet: port %u not permitted; serving on the fallback port %u\n",
                      (unsigned)device->http_port, (unsigned)options->http_fallback_port);
        env->http_port = options->http_fallback_port;
        device->http_port = env->http_port;
        rc = fleet_listener_add(env->listener, &device->http_address, device->http_port, index,
                                &device->http_port);
    }
    if (rc == FLEET_LISTENER_OK) {
        return true;
    }
    char address[IPV4_ADDRESS_STR_SIZE];
    ipv4_address_format(&device->http_address, address);
    (void)fprintf(stderr, "irrigation-fleet: cannot listen on %s:%u: %s\n", address,
                  (unsigned)device->http_port,
                  rc == FLEET_LISTENER_FAILED ? strerror(errno) : fleet_listener_result_to_str(rc));
    if (rc == FLEET_LISTENER_NO_PERMISSION) {
        (void)fprintf(
            stderr, "irrigation-fleet: ports below 1024 need root, CAP_NET_BIND_SERVICE, or (one line, until "
                    "reboot) `sudo sysctl net.ipv4.ip_unprivileged_port_start=80`; or give "
                    "--http-fallback-port 8080 (docs/fleet.md)\n");
    }
    return false;
}

static void emit_started(fleet_device_t *device)
{
    char ip[IPV4_ADDRESS_STR_SIZE];
    char http_address[IPV4_ADDRESS_STR_SIZE];
    char client_id[MAC_ADDRESS_CLIENT_ID_SIZE];
    ipv4_address_format(&device->ip, ip);
    ipv4_address_format(&device->http_address, http_address);
    mac_address_client_id(&device->wifi.mac, client_id);
    char json[256];
    json_writer_t w;
    json_writer_init(&w, json, sizeof(json));
    json_writer_begin_object(&w);
    json_writer_member_cstr(&w, "ip", ip);
    json_writer_member_cstr(&w, "client_id", client_id);
    json_writer_member_cstr(&w, "http_address", http_address);
    json_writer_member_uint(&w, "http_port", device->http_port);
    json_writer_end_object(&w);
    size_t len = 0;
    if (json_writer_finish(&w, &len) != DOMAIN_OK ||
        !sim_event_sink_object(&device->sink, "started", json, len)) {
        sim_event_sink_on_notice(&device->sink, APP_NOTICE_ERROR, "started line too long, dropped");
    }
}

bool fleet_device_start(fleet_device_t *device, fleet_device_env_t *env, size_t index,
                        const fleet_device_spec_t *spec, sim_config_file_t *config_file)
{
    uint32_t number = env->options->first_index + (uint32_t)index;
    place(device, env, number, spec);
    if (!init_adapters(device, env, spec)) {
        (void)fprintf(stderr, "irrigation-fleet: device %u: cannot create its locks\n", (unsigned)number);
        return false;
    }
    const char *values[CONFIG_FIELD_COUNT] = {
        [CONFIG_FIELD_DEVICE_NAME] = spec->has_name ? spec->name : NULL,
        [CONFIG_FIELD_LOCATION] = spec->has_location ? spec->location : NULL,
    };
    if (!(config_file != NULL ? init_file_config(device, env, values, &spec->mac, config_file)
                              : init_memory_config(device, values))) {
        (void)fprintf(stderr, "irrigation-fleet: device %u: cannot set up its config\n", (unsigned)number);
        return false;
    }

    /* The shared settings with what is this device's own: its setup secret (--setup-secret for all, else one
     * from the kernel's CSPRNG each, as each board has its own) and its portal address. */
    app_settings_t settings = env->options->shared.settings;
    if (settings.security.setup_secret[0] == '\0') {
        uint8_t random[SETUP_SECRET_RANDOM_BYTES];
        if (getrandom(random, sizeof(random), 0) != (ssize_t)sizeof(random)) {
            (void)fprintf(stderr, "irrigation-fleet: device %u: no random bytes for its setup secret\n",
                          (unsigned)number);
            return false;
        }
        setup_secret_from_random(random, settings.security.setup_secret);
        memset(random, 0, sizeof(random));
    }
    if (device->http_port != 0) {
        char address[IPV4_ADDRESS_STR_SIZE];
        ipv4_address_format(&device->http_address, address);
        (void)snprintf(settings.security.portal_url, sizeof(settings.security.portal_url), "http://%s:%u/",
                       address, (unsigned)device->http_port);
    }
    app_err_t rc = application_start(&device->app, &device->ports, &settings);
    memset(settings.security.setup_secret, 0, sizeof(settings.security.setup_secret));
    if (rc == APP_ERR_MISSING_PORT || rc == APP_ERR_NOT_STARTED || rc == APP_ERR_INVALID_ARG) {
        (void)fprintf(stderr, "irrigation-fleet: device %u: application not started: %s\n", (unsigned)number,
                      app_err_to_str(rc));
        return false;
    }
    device->started = true;
    if (rc != APP_OK && index == 0) {
        /* Settings are shared: one line says it for every device (each one's /status has the reason). */
        (void)fprintf(stderr, "irrigation-fleet: %s; MQTT disabled, HTTP still served\n", app_err_to_str(rc));
    }
    /* Listening only once the application runs: the router hands requests to it from then on. */
    if (!listen_for(device, env, (uint32_t)index)) {
        return false;
    }
    emit_started(device);
    sim_event_sink_http_started(&device->sink, device->http_port);
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = APP_EVENT_HTTP_STARTED;
    if (!fleet_executor_post(&device->queue, &event)) {
        sim_event_sink_on_notice(&device->sink, APP_NOTICE_ERROR,
                                 "HTTP_STARTED lost (application queue full)");
    }
    return true;
}

/* ---- control, stop ---------------------------------------------------------------------------------------
 */

bool fleet_device_shut_down(fleet_device_t *device)
{
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = APP_EVENT_SHUTDOWN;
    return device->started && fleet_executor_post(&device->queue, &event);
}

static void emit_status(fleet_device_t *device)
{
    char body[HTTP_API_RESPONSE_MAX];
    http_api_response_t resp;
    memset(&resp, 0, sizeof(resp));
    const http_api_request_t req = {.method = HTTP_API_GET, .path = "/status"};
    http_api_handle(&device->app, &req, body, sizeof(body), &resp);
    if (resp.status != 200 || !sim_event_sink_object(&device->sink, "status", body, resp.body_len)) {
        sim_event_sink_on_notice(&device->sink, APP_NOTICE_WARNING, "status unavailable (shared lock busy)");
    }
}

void fleet_device_command(fleet_device_t *device, const char *command_text)
{
    sim_control_command_t command = sim_control_parse(command_text);
    switch (command.kind) {
        case SIM_CONTROL_NETWORK_DOWN:
            (void)sim_wifi_set_in_range(&device->wifi, false);
            break;
        case SIM_CONTROL_NETWORK_UP:
            (void)sim_wifi_set_in_range(&device->wifi, true);
            break;
        case SIM_CONTROL_IP:
            (void)sim_wifi_set_ip(&device->wifi, &command.ip);
            break;
        case SIM_CONTROL_STATUS:
            emit_status(device);
            break;
        case SIM_CONTROL_FACTORY_RESET: {
            app_event_t event;
            memset(&event, 0, sizeof(event));
            event.kind = APP_EVENT_FACTORY_RESET;
            if (!fleet_executor_post(&device->queue, &event)) {
                sim_event_sink_on_notice(&device->sink, APP_NOTICE_WARNING,
                                         "factory reset lost (queue full)");
            }
            break;
        }
        default:
            sim_event_sink_on_notice(&device->sink, APP_NOTICE_WARNING,
                                     "control: unknown device command (network down|network up|"
                                     "ip A.B.C.D|factory-reset|status)");
            break;
    }
}

static void drop_mqtt(fleet_device_t *device)
{
    if (device->mqtt_live) {
        sim_mqtt_deinit(&device->mqtt);
        device->mqtt_live = false;
    }
}

void fleet_device_release(fleet_device_t *device, const char *reason)
{
    if (device->started) {
        drop_mqtt(device);
        sim_event_sink_exit(&device->sink, 0, reason);
        device->started = false;
    }
}

void fleet_device_deinit(fleet_device_t *device)
{
    if (!device->initialised) {
        return;
    }
    drop_mqtt(device); /* not released: the start failed half-way */
    sim_dns_stop(&device->portal.dns);
    sim_wifi_deinit(&device->wifi);
    sim_power_deinit(&device->power);
    sim_lock_deinit(&device->lock);
    if (device->config_file != NULL) {
        sim_config_file_deinit(device->config_file);
    } else {
        fleet_memory_config_deinit(&device->memory_config);
    }
    sim_event_sink_deinit(&device->sink);
    device->initialised = false;
}
