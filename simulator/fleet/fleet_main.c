/*
 * irrigation-fleet: the fleet engine's composition root: many simulated devices in one process, each one
 * the same application core as irrigation-sim and the firmware (its own application_t, started with
 * application_start() and its own ports), sharing what one process can share:
 *   - the application tasks: a few worker threads (fleet_executor; each device's events one at a time,
 *     in order);
 *   - the timers: one thread and one heap of deadlines (fleet_timer);
 *   - the MQTT client threads: Paho MQTTAsync runs ONE send and ONE receive thread for every client of a
 *     process (Paho 1.3.12 starts them once, at the first connect, MQTTAsync.c), polling the sockets
 *     with poll(), not select(), so no FD_SETSIZE limit (docs/fleet.md);
 *   - HTTP: one accepting thread for every device's listening socket (fleet_listener) and one microhttpd
 *     daemon (sim_http, routed mode) that answers each request with the http_api_handle() of the device
 *     whose address the client connected to.
 * Each device's own adapters and its start are fleet_device's.
 *
 * Start: options, RLIMIT_NOFILE raised to the hard limit and checked against what the devices need (two
 * descriptors each: the MQTT socket and the listening socket), the device file checked line by line, the
 * shared parts, then each device in turn (fleet_device_start). Then `fleet_started`, and `fleet_registered`
 * once every device has had a registration acknowledged. Stop (SIGINT, SIGTERM or `quit`): the control
 * reader, the listener and the HTTP daemon first (they call into the applications), then STOP to every
 * device at once (handled in parallel by the workers), the timer thread, then each device's Paho client
 * and an `exit` line per device, then the workers and the rest. Signals are taken by sigwait() in the main
 * thread: no code runs in a signal handler.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "application/application.h"
#include "application/http_api.h"
#include "domain/broker_uri.h"
#include "domain/json_writer.h"
#include "fleet_device.h"
#include "fleet_devices.h"
#include "fleet_executor.h"
#include "fleet_listener.h"
#include "fleet_options.h"
#include "fleet_timer.h"
#include "sim_config_file.h"
#include "sim_control.h"
#include "sim_event_sink.h"
#include "sim_http.h"
#include "sim_system_info.h"

#define EXIT_OK          0
#define EXIT_RUNTIME     1
#define EXIT_BAD_OPTIONS 2

/* Descriptors a process needs besides its devices': stdio, epoll, eventfds, pipes, Paho's and
 * microhttpd's own, the HTTP connections being served (up to microhttpd's limit: kept ones plus those
 * being closed). */
#define FLEET_FD_RESERVE (64 + SIM_HTTP_CONNECTION_LIMIT)
/* The MQTT socket and the listening socket. */
#define FLEET_FDS_PER_DEVICE 2

typedef enum {
    END_NONE = 0,
    END_SIGNAL,
    END_QUIT,
} end_reason_t;

static struct {
    fleet_options_t options;
    fleet_device_t *devices;
    size_t count;
    sim_config_file_t *config_files;
    fleet_executor_pool_t pool;
    fleet_timer_t timer;
    fleet_listener_t listener;
    sim_http_t http;
    sim_system_info_t system;
    sim_event_sink_t sink; /* the process's own lines: no "mac" */
    sim_control_t control;
    pthread_t main_thread;
    atomic_int end;
    atomic_size_t registered;
    fleet_device_env_t env;
    char line[FLEET_DEVICES_LINE_MAX + 2];
    char json[1024]; /* fleet_started and fleet_status lines (the broker URI is the longest member) */
} fleet;

/* ---- events ----------------------------------------------------------------------------------------------
 */

/* Writes {"event":event,"t_ms":..,["mac":..,] <the members w holds>} through sink. */
static void emit_object(sim_event_sink_t *sink, const char *event, json_writer_t *w)
{
    json_writer_end_object(w);
    size_t len = 0;
    if (json_writer_finish(w, &len) != DOMAIN_OK || !sim_event_sink_object(sink, event, fleet.json, len)) {
        sim_event_sink_on_notice(sink, APP_NOTICE_ERROR, "event line too long, dropped");
    }
}

static void begin_object(json_writer_t *w)
{
    json_writer_init(w, fleet.json, sizeof(fleet.json));
    json_writer_begin_object(w);
}

static void on_domain_event(void *arg, const domain_event_t *event)
{
    fleet_device_t *device = arg;
    if (event->kind == DOMAIN_EVENT_SHUT_DOWN) {
        atomic_store(&device->shut_down, true);
        return;
    }
    if (event->kind != DOMAIN_EVENT_DEVICE_REGISTERED || atomic_exchange(&device->registered, true)) {
        return;
    }
    if (atomic_fetch_add(&fleet.registered, 1) + 1 == fleet.count) {
        /* Called on a worker thread: fleet.json belongs to main, so this line is built on the stack. */
        char text[64];
        int n = snprintf(text, sizeof(text), "{\"devices\":%zu}", fleet.count);
        (void)sim_event_sink_object(&fleet.sink, "fleet_registered", text, (size_t)n);
    }
}

/* ---- HTTP routing ----------------------------------------------------------------------------------------
 */

static struct application *route(void *arg, int fd)
{
    (void)arg;
    uint32_t index = 0;
    if (!fleet_listener_route(&fleet.listener, fd, &index) || index >= fleet.count) {
        return NULL;
    }
    return &fleet.devices[index].app;
}

static void on_accept(void *arg, int fd, const struct sockaddr *addr, socklen_t addr_len)
{
    (void)arg;
    if (!sim_http_add_connection(&fleet.http, fd, addr, addr_len)) {
        (void)fprintf(stderr, "irrigation-fleet: http: a connection was refused (limit %d)\n",
                      SIM_HTTP_CONNECTION_LIMIT);
    }
}

/* ---- control channel -------------------------------------------------------------------------------------
 */

static void end_with(end_reason_t reason)
{
    int none = END_NONE;
    if (atomic_compare_exchange_strong(&fleet.end, &none, (int)reason)) {
        (void)pthread_kill(fleet.main_thread, SIGUSR1);
    }
}

static void emit_fleet_status(void)
{
    json_writer_t w;
    begin_object(&w);
    json_writer_member_uint(&w, "devices", fleet.count);
    json_writer_member_uint(&w, "registered", atomic_load(&fleet.registered));
    json_writer_member_uint(&w, "http_accepted", fleet.listener.accepted);
    json_writer_member_uint(&w, "timer_fired", fleet.timer.fired);
    json_writer_member_uint(&w, "timer_dropped", fleet.timer.dropped);
    emit_object(&fleet.sink, "fleet_status", &w);
}

static fleet_device_t *device_by_mac(const mac_address_t *mac)
{
    for (size_t i = 0; i < fleet.count; i++) {
        if (memcmp(fleet.devices[i].wifi.mac.bytes, mac->bytes, sizeof(mac->bytes)) == 0) {
            return &fleet.devices[i];
        }
    }
    return NULL;
}

static void on_control(void *arg, const sim_control_command_t *command, const char *line)
{
    (void)arg;
    if (command->kind == SIM_CONTROL_QUIT) {
        end_with(END_QUIT);
        return;
    }
    if (command->kind == SIM_CONTROL_STATUS) {
        emit_fleet_status();
        return;
    }
    if (command->kind == SIM_CONTROL_EMPTY) {
        return;
    }
    /* "<MAC> <device command>" */
    while (*line == ' ' || *line == '\t') {
        line++;
    }
    char mac_text[MAC_ADDRESS_STR_SIZE];
    size_t mac_len = strcspn(line, " \t\r\n");
    mac_address_t mac;
    fleet_device_t *device = NULL;
    if (mac_len + 1 == sizeof(mac_text)) {
        memcpy(mac_text, line, mac_len);
        mac_text[mac_len] = '\0';
        if (mac_address_parse(mac_text, &mac) == DOMAIN_OK) {
            device = device_by_mac(&mac);
        }
    }
    if (device == NULL) {
        sim_event_sink_on_notice(&fleet.sink, APP_NOTICE_WARNING,
                                 "control: expected quit, status or <MAC of a device here> <command>");
        return;
    }
    fleet_device_command(device, line + mac_len);
}

/* ---- start-up --------------------------------------------------------------------------------------------
 */

/* RLIMIT_NOFILE up to the hard limit; false (with the message printed) when even that is too low. */
static bool raise_fd_limit(size_t devices)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        return true; /* unknown: let the sockets tell */
    }
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &limit);
        (void)getrlimit(RLIMIT_NOFILE, &limit);
    }
    rlim_t needed = (rlim_t)devices * FLEET_FDS_PER_DEVICE + FLEET_FD_RESERVE;
    if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < needed) {
        (void)fprintf(
            stderr,
            "irrigation-fleet: %zu devices need about %llu open files, but this process may open only "
            "%llu (RLIMIT_NOFILE, already raised to the hard limit). Run fewer devices per process "
            "(invoke simulate spreads them over processes), or raise the hard limit: `ulimit -Hn N` "
            "as root, LimitNOFILE= in a systemd unit, or a nofile line in "
            "/etc/security/limits.conf (docs/fleet.md).\n",
            devices, (unsigned long long)needed, (unsigned long long)limit.rlim_cur);
        return false;
    }
    return true;
}

typedef enum {
    FILE_DEVICE = 0, /* spec holds the next device */
    FILE_END,        /* no more devices */
    FILE_BAD_LINE,   /* a line breaks a rule (the message is printed, with the line's number) */
} file_read_t;

/* The next device of the file, skipping blank lines. */
static file_read_t read_file_device(FILE *file, unsigned long *line_number, fleet_device_spec_t *spec)
{
    char error[FLEET_DEVICES_ERROR_MAX];
    while (fgets(fleet.line, sizeof(fleet.line), file) != NULL) {
        (*line_number)++;
        size_t len = strcspn(fleet.line, "\r\n");
        if (len == strlen(fleet.line) && !feof(file)) {
            (void)snprintf(error, sizeof(error), "line longer than %u bytes", FLEET_DEVICES_LINE_MAX);
        } else if (fleet_devices_blank_line(fleet.line, len)) {
            continue;
        } else if (!fleet_devices_parse_line(fleet.line, len, spec, error, sizeof(error))) {
            /* error says which field and why */
        } else if (fleet.options.distinct_ips && spec->has_ip) {
            (void)snprintf(error, sizeof(error), "ip: not with --distinct-ips");
        } else {
            return FILE_DEVICE;
        }
        (void)fprintf(stderr, "irrigation-fleet: --device-file %s:%lu: %s\n", fleet.options.device_file,
                      *line_number, error);
        return FILE_BAD_LINE;
    }
    return FILE_END;
}

/* Counts the devices of the device file, checking every line before anything starts (a bad line is a bad
 * option); false when a line is bad or the file cannot be read. */
static bool check_device_file(FILE *file, size_t *count)
{
    static fleet_device_spec_t spec;
    unsigned long line_number = 0;
    file_read_t read;
    *count = 0;
    while ((read = read_file_device(file, &line_number, &spec)) == FILE_DEVICE) {
        (*count)++;
    }
    bool ok = read == FILE_END && !ferror(file);
    rewind(file);
    return ok;
}

/* Every device, from the generator or the device file. */
static bool start_devices(FILE *file)
{
    const sim_options_t *shared = &fleet.options.shared;
    unsigned long line_number = 0;
    char error[FLEET_DEVICES_ERROR_MAX];
    static fleet_device_spec_t spec;
    for (size_t i = 0; i < fleet.count; i++) {
        if (file != NULL) {
            if (read_file_device(file, &line_number, &spec) != FILE_DEVICE) {
                (void)fprintf(stderr, "irrigation-fleet: --device-file %s changed while starting\n",
                              fleet.options.device_file);
                return false;
            }
        } else if (!fleet_devices_generate(fleet.options.first_index + (uint32_t)i,
                                           shared->has_name ? shared->name : APP_DEFAULT_DEVICE_NAME,
                                           shared->has_location ? shared->location : NULL, &spec, error,
                                           sizeof(error))) {
            (void)fprintf(stderr, "irrigation-fleet: device %zu: %s\n", i + 1, error);
            return false;
        }
        if (!fleet_device_start(&fleet.devices[i], &fleet.env, i, &spec,
                                fleet.config_files != NULL ? &fleet.config_files[i] : NULL)) {
            return false;
        }
    }
    return true;
}

static void emit_fleet_started(void)
{
    json_writer_t w;
    begin_object(&w);
    json_writer_member_uint(&w, "devices", fleet.count);
    json_writer_member_uint(&w, "first_index", fleet.options.first_index);
    json_writer_member_uint(&w, "workers", fleet.options.workers);
    json_writer_member_bool(&w, "distinct_ips", fleet.options.distinct_ips);
    static broker_uri_t broker;
    const char *effective = fleet.options.shared.settings.mqtt.broker_uri;
    if (broker_uri_parse(effective, fleet.options.shared.settings.mqtt.ws_path, &broker) == DOMAIN_OK) {
        effective = broker.effective_uri;
    }
    json_writer_member_cstr(&w, "broker", effective);
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
        json_writer_member_uint(&w, "fd_limit", (uint64_t)limit.rlim_cur);
    }
    emit_object(&fleet.sink, "fleet_started", &w);
}

/* ---- stop ------------------------------------------------------------------------------------------------
 */

/* A clean stop of every device at once: offline presence published and acknowledged (each device waits at
 * most MQTT_CONNECTION_USE_CASE_SHUTDOWN_MS for its PUBACK), then disconnect. Waited for at most 3 s in all.
 */
static void shut_down_devices(void)
{
    size_t asked = 0;
    for (size_t i = 0; i < fleet.count; i++) {
        asked += fleet_device_shut_down(&fleet.devices[i]) ? 1u : 0u;
    }
    struct timespec deadline;
    (void)clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += 3;
    for (;;) {
        size_t done = 0;
        for (size_t i = 0; i < fleet.count; i++) {
            done += atomic_load(&fleet.devices[i].shut_down) ? 1u : 0u;
        }
        struct timespec now;
        (void)clock_gettime(CLOCK_MONOTONIC, &now);
        if (done >= asked || now.tv_sec > deadline.tv_sec ||
            (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec)) {
            return;
        }
        const struct timespec pause = {.tv_sec = 0, .tv_nsec = 20 * 1000 * 1000};
        (void)nanosleep(&pause, NULL);
    }
}

static void stop_devices(const char *reason)
{
    shut_down_devices();
    for (size_t i = 0; i < fleet.count; i++) {
        if (fleet.devices[i].started) {
            fleet_executor_queue_stop(&fleet.devices[i].queue);
        }
    }
    fleet_executor_pool_wait_finished(&fleet.pool);
    fleet_timer_stop(&fleet.timer);
    /* No application task runs any more: each Paho client can go (the last one ends Paho's threads). */
    for (size_t i = 0; i < fleet.count; i++) {
        fleet_device_release(&fleet.devices[i], reason);
    }
}

static void free_devices(void)
{
    for (size_t i = 0; i < fleet.count; i++) {
        fleet_device_deinit(&fleet.devices[i]);
    }
    free(fleet.devices);
    free(fleet.config_files);
}

/* ---- main ------------------------------------------------------------------------------------------------
 */

static int wait_for_end(const sigset_t *signals)
{
    for (;;) {
        int signal_number = 0;
        if (sigwait(signals, &signal_number) != 0) {
            continue;
        }
        if (signal_number != SIGUSR1) {
            end_with(END_SIGNAL);
            return signal_number;
        }
        if (atomic_load(&fleet.end) != END_NONE) {
            return 0;
        }
    }
}

static bool init_shared(void)
{
    if (!fleet_timer_init(&fleet.timer, fleet.count)) {
        return false;
    }
    bool ok = sim_event_sink_init(&fleet.sink, stdout, fleet_timer_uptime_ms, &fleet.timer) &&
              sim_system_info_init(&fleet.system) &&
              fleet_executor_pool_start(&fleet.pool, fleet.options.workers) &&
              sim_http_start_routed(&fleet.http, route, NULL) == SIM_HTTP_OK &&
              fleet_listener_init(&fleet.listener, fleet.count, on_accept, NULL) &&
              fleet_listener_start(&fleet.listener);
    fleet.devices = calloc(fleet.count, sizeof(fleet_device_t));
    if (fleet.options.config_dir[0] != '\0') {
        fleet.config_files = calloc(fleet.count, sizeof(sim_config_file_t));
        ok = ok && fleet.config_files != NULL;
    }
    return ok && fleet.devices != NULL;
}

int main(int argc, char *argv[])
{
    char error[FLEET_OPTIONS_ERROR_MAX];
    fleet_options_result_t parsed = fleet_options_parse(argc, argv, &fleet.options, error, sizeof(error));
    if (parsed == FLEET_OPTIONS_HELP) {
        (void)fputs(fleet_options_usage(), stdout);
        return EXIT_OK;
    }
    if (parsed != FLEET_OPTIONS_OK) {
        (void)fprintf(stderr, "irrigation-fleet: %s\n", error);
        return EXIT_BAD_OPTIONS;
    }
    ipv4_address_t bind_address;
    if (!fleet.options.distinct_ips &&
        ipv4_address_parse(fleet.options.shared.http_bind, &bind_address) != DOMAIN_OK) {
        (void)fprintf(stderr, "irrigation-fleet: --http-bind: the fleet listens on IPv4 addresses only\n");
        return EXIT_BAD_OPTIONS;
    }

    FILE *file = NULL;
    fleet.count = fleet.options.devices;
    if (fleet.options.device_file[0] != '\0') {
        file = fopen(fleet.options.device_file, "r");
        const char *problem = file == NULL ? strerror(errno) : NULL;
        bool ok = file != NULL && check_device_file(file, &fleet.count); /* prints a bad line itself */
        if (ok && fleet.count == 0) {
            problem = "no devices";
        } else if (ok && fleet.options.first_index - 1u + fleet.count > FLEET_DEVICES_MAX) {
            problem = "the last device's number (from --first-index) is above 64000";
        }
        if (!ok || problem != NULL) {
            if (problem != NULL) {
                (void)fprintf(stderr, "irrigation-fleet: --device-file %s: %s\n", fleet.options.device_file,
                              problem);
            }
            if (file != NULL) {
                (void)fclose(file);
            }
            return EXIT_BAD_OPTIONS;
        }
    }
    if (!raise_fd_limit(fleet.count)) {
        if (file != NULL) {
            (void)fclose(file);
        }
        return EXIT_RUNTIME;
    }

    /* Before any thread exists: every thread inherits the mask, only main takes these signals. */
    static sigset_t signals;
    (void)sigemptyset(&signals);
    (void)sigaddset(&signals, SIGINT);
    (void)sigaddset(&signals, SIGTERM);
    (void)sigaddset(&signals, SIGUSR1);
    (void)pthread_sigmask(SIG_BLOCK, &signals, NULL);
    (void)signal(SIGPIPE, SIG_IGN);
    fleet.main_thread = pthread_self();
    fleet.env = (fleet_device_env_t){
        .options = &fleet.options,
        .pool = &fleet.pool,
        .timer = &fleet.timer,
        .listener = &fleet.listener,
        .system = &fleet.system,
        .http_port = fleet.options.shared.http_port,
        .on_domain_event = on_domain_event,
    };

    int exit_code = EXIT_OK;
    const char *reason = "quit";
    if (!init_shared()) {
        (void)fprintf(stderr, "irrigation-fleet: cannot create the shared threads, sockets or memory\n");
        exit_code = EXIT_RUNTIME;
        reason = "start-up failed";
    } else if (!start_devices(file)) {
        exit_code = EXIT_RUNTIME;
        reason = "start-up failed";
    }
    if (file != NULL) {
        (void)fclose(file);
    }
    if (exit_code == EXIT_OK) {
        emit_fleet_started();
        if (!sim_control_start(&fleet.control, STDIN_FILENO, on_control, NULL)) {
            (void)fprintf(stderr, "irrigation-fleet: cannot start the control reader\n");
            exit_code = EXIT_RUNTIME;
            reason = "control reader not started";
        } else {
            int signal_number = wait_for_end(&signals);
            reason = signal_number == SIGINT ? "SIGINT" : (signal_number == SIGTERM ? "SIGTERM" : "quit");
        }
    }

    /* Producers first (they call into the applications), then the devices, then what they used. */
    sim_control_stop(&fleet.control);
    fleet_listener_stop(&fleet.listener);
    sim_http_stop(&fleet.http);
    if (fleet.devices != NULL) {
        stop_devices(reason);
    }
    fleet_executor_pool_stop(&fleet.pool);
    char text[96];
    int n = snprintf(text, sizeof(text), "{\"code\":%d,\"devices\":%zu}", exit_code, fleet.count);
    (void)sim_event_sink_object(&fleet.sink, "fleet_exit", text, (size_t)n);
    if (fleet.devices != NULL) {
        free_devices();
    }
    fleet_listener_deinit(&fleet.listener);
    fleet_timer_deinit(&fleet.timer);
    sim_system_info_deinit(&fleet.system);
    sim_event_sink_deinit(&fleet.sink);
    return exit_code;
}
