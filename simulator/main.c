/*
 * irrigation-sim: the device simulator's composition root.
 *
 * Creates the POSIX adapters, hands them to the application (the same domain and application code as the
 * firmware), starts the HTTP server and the control channel, then waits for an end: SIGINT/SIGTERM or
 * `quit` (exit 0), the first acknowledged registration with --once (exit 0), --timeout-s expiry (exit 3),
 * or a runtime failure (exit 1). Bad options exit 2 (sim_options). docs/simulator.md is the contract.
 *
 * Threads: main (waits), the application task (sim_executor), the timer, the control reader, a signal
 * waiter, microhttpd's and Paho's own threads. SIGINT/SIGTERM are blocked everywhere and taken by sigwait()
 * in the signal waiter, so no code runs in a signal handler. Everything lives in one static struct: no heap
 * of ours.
 *
 * Shutdown order (run()): every thread that posts to the executor or calls the application is stopped
 * and joined before anything it uses is destroyed: the control reader and the HTTP daemon (they post and
 * read the snapshot), the application task, the timer thread (it posts expiries), then Paho (destroying
 * the last client joins Paho's threads; their late posts are refused by the stopped executor, whose mutex
 * is still alive). Only then are the executor, lock, network and the rest freed. The signal waiter ends
 * last, in main(), before the waiter it signals is destroyed.
 *
 * application_start() results: only APP_ERR_MISSING_PORT and APP_ERR_NOT_STARTED (and APP_ERR_INVALID_ARG,
 * a NULL argument) mean nothing runs: exit 1. Any other error means the application runs with MQTT
 * disabled (e.g. APP_ERR_PLATFORM from the Paho client's configuration): like the device, the simulator
 * keeps serving HTTP and reports the reason.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include <unistd.h>

#include "application/application.h"
#include "application/http_api.h"
#include "application/register_device.h"
#include "domain/broker_uri.h"
#include "domain/setup_secret.h"
#include "sim_config_file.h"
#include "sim_config_overlay.h"
#include "sim_control.h"
#include "sim_dns.h"
#include "sim_event_sink.h"
#include "sim_executor.h"
#include "sim_http.h"
#include "sim_lock.h"
#include "sim_mqtt.h"
#include "sim_wifi.h"
#include "sim_options.h"
#include "sim_power.h"
#include "sim_system_info.h"
#include "sim_timer.h"

#define EXIT_OK          0
#define EXIT_RUNTIME     1
#define EXIT_BAD_OPTIONS 2
#define EXIT_TIMEOUT     3

typedef enum {
    END_NONE = 0,
    END_SIGNAL,
    END_QUIT,
    END_REGISTERED,
    END_TIMEOUT,
} end_reason_t;

/* What main waits for; set from the signal waiter, the control reader and the event sink's listener. */
typedef struct {
    pthread_mutex_t mutex;
    pthread_cond_t changed; /* CLOCK_MONOTONIC */
    end_reason_t reason;
    int signal_number;
    bool shut_down; /* the application finished its clean stop (offline presence published) */
} waiter_t;

/* How long the exit waits for the application's clean stop (its own bound is 2 s). */
#define SIM_SHUTDOWN_WAIT_MS 3000

typedef struct {
    sim_options_t options;
    sim_config_file_t config;
    sim_timer_t timer;
    sim_event_sink_t sink;
    sim_executor_t executor;
    sim_lock_t lock;
    sim_power_t power;
    sim_system_info_t system;
    sim_wifi_t wifi;
    sim_mqtt_t mqtt;
    sim_http_t http;
    sim_dns_portal_t portal;
    sim_control_t control;
    application_t app;
    app_ports_t ports;
    waiter_t waiter;
    pthread_t signal_thread;
    bool signal_thread_running;
    char capture[DEVICE_REGISTRATION_JSON_MAX_SIZE]; /* --print-registration */
    size_t capture_len;
    bool captured;
    register_device_t print_uc;
    sim_config_overlay_t print_config; /* --print-registration: the option values, never written */
    char status_json[HTTP_API_RESPONSE_MAX + 160];
    char http_out[HTTP_API_RESPONSE_MAX];
} simulator_t;

static simulator_t sim;

/* ---- ending ------------------------------------------------------------------------------------------- */

static void end_with(end_reason_t reason, int signal_number)
{
    (void)pthread_mutex_lock(&sim.waiter.mutex);
    if (sim.waiter.reason == END_NONE) {
        sim.waiter.reason = reason;
        sim.waiter.signal_number = signal_number;
        (void)pthread_cond_signal(&sim.waiter.changed);
    }
    (void)pthread_mutex_unlock(&sim.waiter.mutex);
}

static void on_domain_event(void *arg, const domain_event_t *event)
{
    (void)arg;
    if (sim.options.once && event->kind == DOMAIN_EVENT_DEVICE_REGISTERED) {
        end_with(END_REGISTERED, 0);
    }
    if (event->kind == DOMAIN_EVENT_SHUT_DOWN) {
        (void)pthread_mutex_lock(&sim.waiter.mutex);
        sim.waiter.shut_down = true;
        (void)pthread_cond_signal(&sim.waiter.changed);
        (void)pthread_mutex_unlock(&sim.waiter.mutex);
    }
}

/* Asks the application for its clean stop (offline presence, then disconnect) and waits for it, bounded. */
static void shut_down_application(void)
{
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = APP_EVENT_SHUTDOWN;
    if (!sim_executor_port.post(&sim.executor, &event)) {
        return;
    }
    struct timespec deadline;
    (void)clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += SIM_SHUTDOWN_WAIT_MS / 1000;
    (void)pthread_mutex_lock(&sim.waiter.mutex);
    while (!sim.waiter.shut_down) {
        if (pthread_cond_timedwait(&sim.waiter.changed, &sim.waiter.mutex, &deadline) == ETIMEDOUT) {
            break;
        }
    }
    (void)pthread_mutex_unlock(&sim.waiter.mutex);
}

static void *signal_waiter(void *arg)
{
    const sigset_t *set = arg;
    int signal_number = 0;
    if (sigwait(set, &signal_number) == 0 && signal_number != SIGUSR1) {
        end_with(END_SIGNAL, signal_number);
    }
    return NULL;
}

/* ---- control channel ----------------------------------------------------------------------------------- */

static void emit_status(void)
{
    http_api_response_t resp;
    memset(&resp, 0, sizeof(resp));
    const http_api_request_t req = {.method = HTTP_API_GET, .path = "/status"};
    http_api_handle(&sim.app, &req, sim.http_out, sizeof(sim.http_out), &resp);
    if (resp.status != 200 || resp.body_len < 2 || sim.http_out[resp.body_len - 1] != '}') {
        sim_event_sink_on_notice(&sim.sink, APP_NOTICE_WARNING, "status unavailable (shared lock busy)");
        return;
    }
    /* The /status fields, plus what only the simulator knows: the recorded power requests. */
    sim_power_counts_t power = sim_power_counts(&sim.power);
    int n = snprintf(sim.status_json, sizeof(sim.status_json),
                     "%.*s,\"low_power\":%s,\"low_power_requests\":%lu,\"low_power_releases\":%lu}",
                     (int)(resp.body_len - 1), sim.http_out, power.low_power ? "true" : "false",
                     (unsigned long)power.requests, (unsigned long)power.releases);
    if (n < 0 || (size_t)n >= sizeof(sim.status_json) ||
        !sim_event_sink_object(&sim.sink, "status", sim.status_json, (size_t)n)) {
        sim_event_sink_on_notice(&sim.sink, APP_NOTICE_ERROR, "status event too long");
    }
}

/* What the device's reset button adapter posts after a long press. */
static void post_factory_reset(void)
{
    const app_event_t event = {.kind = APP_EVENT_FACTORY_RESET};
    if (!sim_executor_port.post(&sim.executor, &event)) {
        sim_event_sink_on_notice(&sim.sink, APP_NOTICE_WARNING, "control: factory-reset lost (queue full)");
    }
}

static void on_control(void *arg, const sim_control_command_t *command, const char *line)
{
    (void)arg;
    char message[SIM_CONTROL_LINE_MAX + sizeof(SIM_CONTROL_COMMANDS) + 64];
    switch (command->kind) {
        case SIM_CONTROL_NETWORK_DOWN:
            (void)sim_wifi_set_in_range(&sim.wifi, false);
            break;
        case SIM_CONTROL_NETWORK_UP:
            (void)sim_wifi_set_in_range(&sim.wifi, true);
            break;
        case SIM_CONTROL_IP:
            (void)sim_wifi_set_ip(&sim.wifi, &command->ip);
            break;
        case SIM_CONTROL_STATUS:
            emit_status();
            break;
        case SIM_CONTROL_QUIT:
            end_with(END_QUIT, 0);
            break;
        case SIM_CONTROL_FACTORY_RESET:
            post_factory_reset();
            break;
        case SIM_CONTROL_BAD_IP:
            (void)snprintf(message, sizeof(message),
                           "control: not a usable IPv4 address (commands: " SIM_CONTROL_COMMANDS "): %s",
                           line);
            sim_event_sink_on_notice(&sim.sink, APP_NOTICE_WARNING, message);
            break;
        case SIM_CONTROL_UNKNOWN:
        default:
            (void)snprintf(message, sizeof(message),
                           "control: unknown command (commands: " SIM_CONTROL_COMMANDS "): %s", line);
            sim_event_sink_on_notice(&sim.sink, APP_NOTICE_WARNING, message);
            break;
    }
}

/* ---- --print-registration: the application's register path with a capturing MQTT port ------------------ */

static app_err_t capture_configure(void *ctx, const mqtt_client_config_t *cfg)
{
    (void)ctx;
    (void)cfg;
    return APP_OK;
}

static app_err_t capture_connect(void *ctx, const mqtt_connect_request_t *req)
{
    (void)ctx;
    (void)req;
    return APP_OK;
}

static bool capture_is_connected(void *ctx)
{
    (void)ctx;
    return true;
}

static app_err_t capture_disconnect(void *ctx)
{
    (void)ctx;
    return APP_OK;
}

static app_err_t capture_publish(void *ctx, const mqtt_message_t *message, int32_t *msg_id)
{
    (void)ctx;
    if (message->payload_len + 1 > sizeof(sim.capture)) {
        return APP_ERR_BUFFER_TOO_SMALL;
    }
    memcpy(sim.capture, message->payload, message->payload_len);
    sim.capture[message->payload_len] = '\0';
    sim.capture_len = message->payload_len;
    sim.captured = true;
    *msg_id = 1;
    return APP_OK;
}

static const mqtt_session_port_t capture_session_port = {
    .configure = capture_configure,
    .connect = capture_connect,
    .disconnect = capture_disconnect,
    .is_connected = capture_is_connected,
};

static const mqtt_publisher_port_t capture_publisher_port = {
    .publish = capture_publish,
};

/* The message a normal run would send first, without its side effect: --name/--location (validated by
 * sim_options) are given to the use case through an in-memory overlay instead of being stored, so the
 * config file is only read. Fields without an option come from the file, then from the defaults. */
static int print_registration(void)
{
    if (sim_config_overlay_init(&sim.print_config, &sim_config_file_port, &sim.config) != APP_OK ||
        (sim.options.has_name &&
         sim_config_overlay_set(&sim.print_config, CONFIG_FIELD_DEVICE_NAME, sim.options.name) != APP_OK) ||
        (sim.options.has_location &&
         sim_config_overlay_set(&sim.print_config, CONFIG_FIELD_LOCATION, sim.options.location) != APP_OK)) {
        (void)fprintf(stderr, "irrigation-sim: --print-registration: cannot hold the option values\n");
        return EXIT_RUNTIME;
    }
    sim.ports.config = &sim_config_overlay_port;
    sim.ports.config_ctx = &sim.print_config;
    sim.ports.mqtt_session = &capture_session_port;
    sim.ports.mqtt_session_ctx = NULL;
    sim.ports.mqtt_publisher = &capture_publisher_port;
    sim.ports.mqtt_publisher_ctx = NULL;
    register_device_init(&sim.print_uc, &sim.ports, &sim.options.settings);
    int32_t msg_id = -1;
    registration_failure_t failure = REGISTRATION_FAILURE_COUNT;
    int32_t detail = 0;
    app_err_t rc = register_device_publish(&sim.print_uc, &msg_id, &failure, &detail);
    if (rc != APP_OK || !sim.captured) {
        (void)fprintf(
            stderr, "irrigation-sim: --print-registration: %s (%s, detail %ld)\n", app_err_to_str(rc),
            failure < REGISTRATION_FAILURE_COUNT ? registration_failure_to_str(failure) : "-", (long)detail);
        return EXIT_RUNTIME;
    }
    (void)fwrite(sim.capture, 1, sim.capture_len, stdout);
    (void)fputc('\n', stdout);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_RUNTIME;
}

/* ---- start-up helpers ------------------------------------------------------------------------------------
 */

/* --name/--location into the config file: one write when a value changed, none when the file holds them
 * already (every start with the same options), so starting costs no fsync. */
static int store_option_values(void)
{
    const char *values[CONFIG_FIELD_COUNT] = {
        [CONFIG_FIELD_DEVICE_NAME] = sim.options.has_name ? sim.options.name : NULL,
        [CONFIG_FIELD_LOCATION] = sim.options.has_location ? sim.options.location : NULL,
    };
    if (sim_config_file_store_values(&sim.config, values, NULL) != APP_OK) {
        (void)fprintf(stderr, "irrigation-sim: --name/--location: cannot write %s: %s\n",
                      sim.options.config_file, strerror(errno));
        return EXIT_RUNTIME;
    }
    return EXIT_OK;
}

static void fill_ports(void)
{
    app_ports_t *p = &sim.ports;
    p->mqtt_session = &sim_mqtt_session_port;
    p->mqtt_session_ctx = &sim.mqtt;
    p->mqtt_publisher = &sim_mqtt_publisher_port;
    p->mqtt_publisher_ctx = &sim.mqtt;
    p->config = &sim_config_file_port;
    p->config_ctx = &sim.config;
    p->network = &sim_wifi_network_port;
    p->network_ctx = &sim.wifi;
    p->wifi = &sim_wifi_station_port;
    p->wifi_ctx = &sim.wifi;
    p->lock = &sim_lock_port;
    p->lock_ctx = &sim.lock;
    p->timer = &sim_timer_port;
    p->timer_ctx = &sim.timer;
    p->power = &sim_power_port;
    p->power_ctx = &sim.power;
    p->executor = &sim_executor_port;
    p->executor_ctx = &sim.executor;
    p->events = &sim_event_sink_port;
    p->events_ctx = &sim.sink;
    p->system = &sim_system_info_port;
    p->system_ctx = &sim.system;
    p->portal = &sim_dns_portal_port;
    p->portal_ctx = &sim.portal;
}

/* The simulated farm network and the station's credentials (sim_wifi). */
static bool init_wifi(sim_event_sink_t *sink)
{
    const sim_wifi_config_t config = {
        .ssid = sim.options.wifi_ssid,
        .password = sim.options.wifi_password,
        .provisioned = !sim.options.unprovisioned,
    };
    return sim_wifi_init(&sim.wifi, &config, &sim.options.mac, &sim.options.ip, &sim_executor_port,
                         &sim.executor, sink);
}

static void emit_started(void)
{
    char mac[MAC_ADDRESS_STR_SIZE];
    char ip[IPV4_ADDRESS_STR_SIZE];
    char client_id[MAC_ADDRESS_CLIENT_ID_SIZE];
    mac_address_format(&sim.options.mac, mac);
    ipv4_address_format(&sim.options.ip, ip);
    mac_address_client_id(&sim.options.mac, client_id);
    static broker_uri_t broker;
    const char *effective = sim.options.settings.mqtt.broker_uri;
    if (broker_uri_parse(sim.options.settings.mqtt.broker_uri, sim.options.settings.mqtt.ws_path, &broker) ==
        DOMAIN_OK) {
        effective = broker.effective_uri;
    }
    sim_event_started_t started = {.mac = mac,
                                   .ip = ip,
                                   .client_id = client_id,
                                   .broker = effective,
                                   .config_file = sim.options.config_file};
    sim_event_sink_started(&sim.sink, &started);
}

static bool init_waiter(void)
{
    if (pthread_mutex_init(&sim.waiter.mutex, NULL) != 0) {
        return false;
    }
    pthread_condattr_t attr;
    bool ok = pthread_condattr_init(&attr) == 0 && pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
              pthread_cond_init(&sim.waiter.changed, &attr) == 0;
    (void)pthread_condattr_destroy(&attr);
    return ok;
}

static end_reason_t wait_for_end(void)
{
    struct timespec deadline;
    (void)clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += (time_t)sim.options.timeout_s;
    (void)pthread_mutex_lock(&sim.waiter.mutex);
    while (sim.waiter.reason == END_NONE) {
        if (sim.options.timeout_s > 0) {
            int rc = pthread_cond_timedwait(&sim.waiter.changed, &sim.waiter.mutex, &deadline);
            if (rc == ETIMEDOUT && sim.waiter.reason == END_NONE) {
                sim.waiter.reason = END_TIMEOUT;
            }
        } else {
            (void)pthread_cond_wait(&sim.waiter.changed, &sim.waiter.mutex);
        }
    }
    end_reason_t reason = sim.waiter.reason;
    (void)pthread_mutex_unlock(&sim.waiter.mutex);
    return reason;
}

/* ---- main ------------------------------------------------------------------------------------------------
 */

/* The device's setup secret: --setup-secret, else a new one from the kernel's CSPRNG (like the firmware's
 * first boot with the hardware RNG). Shown once on stderr when unprovisioned, as the device shows it on its
 * serial console: the one place a secret is ever printed. */
static bool prepare_setup_secret(void)
{
    security_settings_t *security = &sim.options.settings.security;
    if (security->setup_secret[0] == '\0') {
        uint8_t random[SETUP_SECRET_RANDOM_BYTES];
        if (getrandom(random, sizeof(random), 0) != (ssize_t)sizeof(random)) {
            return false;
        }
        setup_secret_from_random(random, security->setup_secret);
        memset(random, 0, sizeof(random));
    }
    if (sim.options.unprovisioned) {
        (void)fprintf(stderr, "irrigation-sim: setup secret: %s\n", security->setup_secret);
    }
    return true;
}

/* The DNS responder is IPv4 only: an IPv6 HTTP address gets it on the IPv4 loopback. */
static const char *v6_or_loopback(const char *bind)
{
    return strchr(bind, ':') != NULL ? "127.0.0.1" : bind;
}

/* Listens before the application starts, so the captive-portal address (the simulator's own HTTP address,
 * as 192.168.4.1 is the device's) is known to it. */
static sim_http_result_t listen_http(void)
{
    const sim_options_t *o = &sim.options;
    const sim_http_result_t rc = sim_http_listen(&sim.http, o->http_bind, o->http_port);
    if (rc == SIM_HTTP_OK) {
        const bool v6 = strchr(o->http_bind, ':') != NULL;
        (void)snprintf(sim.options.settings.security.portal_url,
                       sizeof(sim.options.settings.security.portal_url),
                       v6 ? "http://[%s]:%u/" : "http://%s:%u/", o->http_bind, (unsigned)sim.http.port);
    }
    /* The captive-portal DNS answers with the simulator's HTTP address (the device's is the access point's).
     */
    (void)snprintf(sim.portal.bind_address, sizeof(sim.portal.bind_address), "%s",
                   v6_or_loopback(o->http_bind));
    sim.portal.port = o->dns_port;
    if (ipv4_address_parse(sim.portal.bind_address, &sim.portal.answer_ip) != DOMAIN_OK ||
        ipv4_address_is_unspecified(&sim.portal.answer_ip)) {
        (void)ipv4_address_parse("127.0.0.1", &sim.portal.answer_ip);
    }
    sim.portal.sink = &sim.sink;
    return rc;
}

static int run(void)
{
    const sim_options_t *o = &sim.options;
    if (!sim_executor_init(&sim.executor) || !sim_lock_init(&sim.lock) || !sim_power_init(&sim.power) ||
        !sim_system_info_init(&sim.system) || !init_wifi(&sim.sink) ||
        !sim_mqtt_init(&sim.mqtt, &sim_executor_port, &sim.executor, o->ca_file) ||
        !sim_timer_start(&sim.timer)) {
        (void)fprintf(stderr, "irrigation-sim: cannot create threads or locks\n");
        sim_event_sink_exit(&sim.sink, EXIT_RUNTIME, "start-up failed");
        return EXIT_RUNTIME;
    }
    fill_ports();
    sim_event_sink_set_listener(&sim.sink, on_domain_event, NULL);
    sim_event_sink_set_mqtt(&sim.sink, &o->settings.mqtt, &o->mac);
    if (!prepare_setup_secret()) {
        (void)fprintf(stderr, "irrigation-sim: cannot read random bytes for the setup secret\n");
        sim_event_sink_exit(&sim.sink, EXIT_RUNTIME, "start-up failed");
        return EXIT_RUNTIME;
    }
    const sim_http_result_t listened = listen_http();
    if (listened != SIM_HTTP_OK) {
        (void)fprintf(stderr, "irrigation-sim: --http-bind/--http-port: cannot listen on %s:%u%s\n",
                      o->http_bind, (unsigned)o->http_port,
                      listened == SIM_HTTP_BAD_ADDRESS ? " (not an IPv4/IPv6 address)" : "");
        sim_event_sink_exit(&sim.sink, EXIT_RUNTIME, "http server not started");
        return EXIT_RUNTIME;
    }
    emit_started();

    int exit_code = EXIT_OK;
    const char *exit_reason = NULL;
    app_err_t rc = application_start(&sim.app, &sim.ports, &o->settings);
    if (rc == APP_ERR_MISSING_PORT || rc == APP_ERR_NOT_STARTED || rc == APP_ERR_INVALID_ARG) {
        (void)fprintf(stderr, "irrigation-sim: application not started: %s\n", app_err_to_str(rc));
        exit_code = EXIT_RUNTIME;
        exit_reason = "application not started";
    } else if (rc != APP_OK) {
        /* Like the device: MQTT stays off, HTTP keeps answering (/status shows the reason). The reason is
         * read through the lock: the application task is already running. */
        static app_status_snapshot_t snapshot;
        const char *reason = application_get_status(&sim.app, &snapshot) == APP_OK ? snapshot.last_error : "";
        (void)fprintf(stderr, "irrigation-sim: %s: %s; MQTT disabled, HTTP still served\n",
                      app_err_to_str(rc), reason);
    }

    if (exit_code == EXIT_OK) {
        sim_http_result_t http_rc = sim_http_start(&sim.http, &sim.app, o->http_bind, o->http_port,
                                                   &sim_executor_port, &sim.executor, &sim.sink);
        if (http_rc != SIM_HTTP_OK) {
            (void)fprintf(stderr, "irrigation-sim: --http-bind/--http-port: cannot listen on %s:%u%s\n",
                          o->http_bind, (unsigned)o->http_port,
                          http_rc == SIM_HTTP_BAD_ADDRESS ? " (not an IPv4/IPv6 address)" : "");
            exit_code = EXIT_RUNTIME;
            exit_reason = "http server not started";
        }
    }
    if (exit_code == EXIT_OK && !sim_control_start(&sim.control, STDIN_FILENO, on_control, NULL)) {
        (void)fprintf(stderr, "irrigation-sim: cannot start the control reader\n");
        exit_code = EXIT_RUNTIME;
        exit_reason = "control reader not started";
    }

    if (exit_code == EXIT_OK) {
        switch (wait_for_end()) {
            case END_SIGNAL:
                exit_reason = sim.waiter.signal_number == SIGINT ? "SIGINT" : "SIGTERM";
                break;
            case END_QUIT:
                exit_reason = "quit";
                break;
            case END_REGISTERED:
                exit_reason = "registered";
                break;
            case END_TIMEOUT:
                exit_code = EXIT_TIMEOUT;
                exit_reason = "timeout";
                break;
            case END_NONE:
            default:
                exit_code = EXIT_RUNTIME;
                exit_reason = "unexpected wake-up";
                break;
        }
    }

    /* Producers first, then the application's clean stop and its task, then the threads that still post,
     * then what they used (see the header). */
    sim_control_stop(&sim.control);
    sim_http_stop(&sim.http);
    if (rc != APP_ERR_MISSING_PORT && rc != APP_ERR_NOT_STARTED && rc != APP_ERR_INVALID_ARG) {
        shut_down_application();
    }
    sim_executor_stop(&sim.executor);
    sim_dns_stop(&sim.portal.dns); /* the application task has ended: nothing opens it again */
    sim_timer_stop(&sim.timer);
    sim_mqtt_deinit(&sim.mqtt);
    sim_event_sink_exit(&sim.sink, exit_code, exit_reason);
    sim_wifi_deinit(&sim.wifi);
    sim_system_info_deinit(&sim.system);
    sim_power_deinit(&sim.power);
    sim_lock_deinit(&sim.lock);
    sim_executor_deinit(&sim.executor);
    return exit_code;
}

int main(int argc, char *argv[])
{
    char error[SIM_OPTIONS_ERROR_MAX];
    sim_options_result_t parsed =
        sim_options_parse(argc, argv, getenv("TMPDIR"), &sim.options, error, sizeof(error));
    if (parsed == SIM_OPTIONS_HELP) {
        (void)fputs(sim_options_usage(), stdout);
        return EXIT_OK;
    }
    if (parsed != SIM_OPTIONS_OK) {
        (void)fprintf(stderr, "irrigation-sim: %s\n", error);
        return EXIT_BAD_OPTIONS;
    }

    /* Before any thread exists: every thread inherits the mask, only the waiter takes these signals. */
    static sigset_t signals;
    (void)sigemptyset(&signals);
    (void)sigaddset(&signals, SIGINT);
    (void)sigaddset(&signals, SIGTERM);
    (void)sigaddset(&signals, SIGUSR1);
    (void)pthread_sigmask(SIG_BLOCK, &signals, NULL);
    (void)signal(SIGPIPE, SIG_IGN); /* a closed stdout or HTTP peer is an error return, not a kill */

    if (sim_config_file_init(&sim.config, sim.options.config_file) != APP_OK) {
        (void)fprintf(stderr, "irrigation-sim: --config-file: cannot use %s\n", sim.options.config_file);
        return EXIT_BAD_OPTIONS;
    }
    /* --print-registration is a query: it uses the option values without storing them. */
    int exit_code = sim.options.print_registration ? EXIT_OK : store_option_values();
    if (exit_code != EXIT_OK) {
        sim_config_file_deinit(&sim.config);
        return exit_code;
    }

    /* The clock starts here; the timer thread only in run(). */
    bool ok = sim_timer_init(&sim.timer, &sim_executor_port, &sim.executor, 0);
    /* --print-registration keeps stdout for the payload alone: notices go to stderr. */
    ok = ok && sim_event_sink_init(&sim.sink, sim.options.print_registration ? stderr : stdout,
                                   sim_timer_now_ms, &sim.timer);
    ok = ok && init_waiter();
    if (!ok) {
        (void)fprintf(stderr, "irrigation-sim: cannot create locks\n");
        return EXIT_RUNTIME;
    }

    if (sim.options.print_registration) {
        ok = sim_executor_init(&sim.executor) && sim_lock_init(&sim.lock) && sim_power_init(&sim.power) &&
             sim_system_info_init(&sim.system) && init_wifi(NULL);
        if (!ok) {
            exit_code = EXIT_RUNTIME;
        } else {
            fill_ports();
            sim_wifi_assume_associated(&sim.wifi); /* no application runs: nothing is posted */
            exit_code = print_registration();
        }
        sim_wifi_deinit(&sim.wifi);
        sim_system_info_deinit(&sim.system);
        sim_power_deinit(&sim.power);
        sim_lock_deinit(&sim.lock);
        sim_executor_deinit(&sim.executor);
    } else {
        if (pthread_create(&sim.signal_thread, NULL, signal_waiter, &signals) == 0) {
            sim.signal_thread_running = true;
        }
        exit_code = run();
        if (sim.signal_thread_running) {
            (void)pthread_kill(sim.signal_thread, SIGUSR1); /* ends sigwait() when no signal came */
            (void)pthread_join(sim.signal_thread, NULL);
        }
    }

    sim_timer_deinit(&sim.timer);
    (void)pthread_cond_destroy(&sim.waiter.changed);
    (void)pthread_mutex_destroy(&sim.waiter.mutex);
    sim_event_sink_deinit(&sim.sink);
    sim_config_file_deinit(&sim.config);
    return exit_code;
}
