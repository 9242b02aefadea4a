/*
 * sim_options: see sim_options.h. A hand-written parser (not getopt_long) so that parsing has no global
 * state and every error message says which option failed and why.
 */
#include "sim_options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/bounded_text.h"
#include "domain/domain_status.h"
#include "domain/setup_secret.h"

typedef enum {
    OPT_BROKER = 0,
    OPT_WS_PATH,
    OPT_TOPIC,
    OPT_QOS,
    OPT_MAC,
    OPT_IP,
    OPT_NAME,
    OPT_LOCATION,
    OPT_CONFIG_FILE,
    OPT_HTTP_BIND,
    OPT_HTTP_PORT,
    OPT_KEEPALIVE,
    OPT_RETRY_INITIAL_MS,
    OPT_RETRY_MAX_MS,
    OPT_RETRY_MULTIPLIER,
    OPT_RETRY_JITTER_PERCENT,
    OPT_FIRMWARE_VERSION,
    OPT_PRINT_REGISTRATION,
    OPT_ONCE,
    OPT_TIMEOUT_S,
    OPT_WIFI_SSID,
    OPT_WIFI_PASSWORD,
    OPT_UNPROVISIONED,
    OPT_REGISTRATION_TIMEOUT_MS,
    OPT_RETRANSMIT_MS,
    OPT_REFRESH_S,
    OPT_LIVENESS_MS,
    OPT_STATUS_TOPIC,
    OPT_MQTT_USERNAME,
    OPT_MQTT_PASSWORD,
    OPT_CA_FILE,
    OPT_SETUP_SECRET,
    OPT_CONFIG_MIN_INTERVAL_MS,
    OPT_DNS_PORT,
    OPT_HELP,
} option_id_t;

typedef struct {
    const char *name;
    option_id_t id;
    bool takes_value;
} option_spec_t;

static const option_spec_t OPTIONS[] = {
    {"--broker", OPT_BROKER, true},
    {"--ws-path", OPT_WS_PATH, true},
    {"--topic", OPT_TOPIC, true},
    {"--qos", OPT_QOS, true},
    {"--mac", OPT_MAC, true},
    {"--ip", OPT_IP, true},
    {"--name", OPT_NAME, true},
    {"--location", OPT_LOCATION, true},
    {"--config-file", OPT_CONFIG_FILE, true},
    {"--http-bind", OPT_HTTP_BIND, true},
    {"--http-port", OPT_HTTP_PORT, true},
    {"--keepalive", OPT_KEEPALIVE, true},
    {"--retry-initial-ms", OPT_RETRY_INITIAL_MS, true},
    {"--retry-max-ms", OPT_RETRY_MAX_MS, true},
    {"--retry-multiplier", OPT_RETRY_MULTIPLIER, true},
    {"--retry-jitter-percent", OPT_RETRY_JITTER_PERCENT, true},
    {"--firmware-version", OPT_FIRMWARE_VERSION, true},
    {"--print-registration", OPT_PRINT_REGISTRATION, false},
    {"--once", OPT_ONCE, false},
    {"--timeout-s", OPT_TIMEOUT_S, true},
    {"--wifi-ssid", OPT_WIFI_SSID, true},
    {"--wifi-password", OPT_WIFI_PASSWORD, true},
    {"--unprovisioned", OPT_UNPROVISIONED, false},
    {"--registration-timeout-ms", OPT_REGISTRATION_TIMEOUT_MS, true},
    {"--retransmit-ms", OPT_RETRANSMIT_MS, true},
    {"--refresh-s", OPT_REFRESH_S, true},
    {"--liveness-ms", OPT_LIVENESS_MS, true},
    {"--status-topic", OPT_STATUS_TOPIC, true},
    {"--mqtt-username", OPT_MQTT_USERNAME, true},
    {"--mqtt-password", OPT_MQTT_PASSWORD, true},
    {"--ca-file", OPT_CA_FILE, true},
    {"--setup-secret", OPT_SETUP_SECRET, true},
    {"--config-min-interval-ms", OPT_CONFIG_MIN_INTERVAL_MS, true},
    {"--dns-port", OPT_DNS_PORT, true},
    {"--help", OPT_HELP, false},
};

static const char USAGE[] =
    "usage: irrigation-sim [options]\n"
    "Simulates a smart-irrigation node: registers over MQTT (ws://) and serves the device HTTP API.\n"
    "  --broker URI               broker ws://host[:port][/path] (default " SIM_OPTIONS_DEFAULT_BROKER ")\n"
    "  --ws-path PATH             WebSocket path when the URI has none (default /mqtt)\n"
    "  --topic TOPIC              registration topic (default " APP_DEFAULT_REGISTRATION_TOPIC ")\n"
    "  --qos 0|1                  QoS of the registration (default 1)\n"
    "  --mac MAC                  station MAC AA:BB:CC:DD:EE:FF (default " SIM_OPTIONS_DEFAULT_MAC ")\n"
    "  --ip IPV4                  station IPv4 (default " SIM_OPTIONS_DEFAULT_IP ")\n"
    "  --name TEXT                device name (<= 100 bytes), stored in the config file\n"
    "  --location TEXT            location (<= 250 bytes), stored in the config file\n"
    "  --config-file PATH         config file (default $TMPDIR/irrigation-sim-<MAC hex>.conf)\n"
    "  --http-bind ADDR           HTTP listen address (default " SIM_OPTIONS_DEFAULT_HTTP_BIND ")\n"
    "  --http-port N              HTTP port, 0 picks a free one (default 8080)\n"
    "  --keepalive S              MQTT keepalive in seconds (default 60)\n"
    "  --retry-initial-ms N       first retry delay (default 30000)\n"
    "  --retry-max-ms N           retry cap (default 3600000)\n"
    "  --retry-multiplier N       growth per failure (default 2)\n"
    "  --retry-jitter-percent N   jitter 0-100 (default 0)\n"
    "  --firmware-version TEXT    reported by /whoami (default " APP_DEFAULT_FIRMWARE_VERSION ")\n"
    "  --print-registration       print the registration payload and exit\n"
    "  --once                     exit 0 after the first acknowledged registration\n"
    "  --timeout-s N              with --once: exit 3 when not registered in N seconds\n"
    "  --wifi-ssid SSID           the simulated farm network (default " SIM_OPTIONS_DEFAULT_WIFI_SSID ")\n"
    "  --wifi-password TEXT       its WPA2 passphrase, 8..63 characters, \"\" for open\n"
    "  --unprovisioned            start without WiFi credentials: the setup access point and form\n"
    "  --broker URI (repeated)    several brokers: a failed attempt moves to the next one\n"
    "  --registration-timeout-ms N  give a registration up when no PUBACK came in N ms (default 20000)\n"
    "  --retransmit-ms N          QoS 1 resend interval (default 5000)\n"
    "  --refresh-s N              register again every N s while registered (default 21600, 0 = never)\n"
    "  --liveness-ms N            check the MQTT session every N ms while registered (default 60000)\n"
    "  --status-topic TEMPLATE    presence topic with {mac} (\"\" = no presence)\n"
    "  --mqtt-username U, --mqtt-password P   broker credentials\n"
    "  --ca-file PEM              CA certificate(s) for wss:// brokers\n"
    "  --setup-secret S           the device's setup secret, 16 Crockford base32 characters (default:\n"
    "                             generated at start; shown once on stderr when unprovisioned)\n"
    "  --config-min-interval-ms N minimum time between two config writes (default 10000)\n"
    "  --dns-port N               UDP port of the captive-portal DNS while provisioning (default 0: a free\n"
    "                             one, given in the captive_dns event)\n"
    "  --help                     this text\n"
    "Control commands on stdin: network down | network up | ip A.B.C.D | factory-reset | status | quit\n"
    "Events: JSON lines on stdout. Exit codes: 0 ok, 1 runtime failure, 2 bad options, 3 timeout.\n";

const char *sim_options_usage(void)
{
    return USAGE;
}

static sim_options_result_t fail(char *error, size_t error_size, const char *option, const char *reason)
{
    if (error != NULL && error_size > 0) {
        (void)snprintf(error, error_size, "%s: %s", option, reason);
    }
    return SIM_OPTIONS_ERROR;
}

/* Decimal digits only (no sign, no spaces), value in [min, max]. */
static bool parse_uint(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
    if (text[0] < '0' || text[0] > '9') {
        return false;
    }
    errno = 0;
    char *end = NULL;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || end == NULL || *end != '\0' || value < min || value > max) {
        return false;
    }
    *out = (uint64_t)value;
    return true;
}

/* The longest known option name that arg starts with (and is longer than), or NULL. */
static const option_spec_t *find_option_prefix(const char *arg, size_t len)
{
    const option_spec_t *best = NULL;
    for (size_t i = 0; i < sizeof(OPTIONS) / sizeof(OPTIONS[0]); i++) {
        const size_t n = strlen(OPTIONS[i].name);
        if (n < len && strncmp(arg, OPTIONS[i].name, n) == 0 && (best == NULL || n > strlen(best->name))) {
            best = &OPTIONS[i];
        }
    }
    return best;
}

static const option_spec_t *find_option(const char *arg, size_t name_len)
{
    for (size_t i = 0; i < sizeof(OPTIONS) / sizeof(OPTIONS[0]); i++) {
        if (strlen(OPTIONS[i].name) == name_len && strncmp(OPTIONS[i].name, arg, name_len) == 0) {
            return &OPTIONS[i];
        }
    }
    return NULL;
}

bool sim_options_lookup(const char *arg, bool *takes_value)
{
    if (arg == NULL || strncmp(arg, "--", 2) != 0) {
        return false;
    }
    const char *eq = strchr(arg, '=');
    const option_spec_t *spec = find_option(arg, eq != NULL ? (size_t)(eq - arg) : strlen(arg));
    if (spec != NULL && takes_value != NULL) {
        *takes_value = spec->takes_value;
    }
    return spec != NULL;
}

static void set_defaults(sim_options_t *out)
{
    memset(out, 0, sizeof(*out));
    app_settings_defaults(&out->settings);
    (void)bounded_text_copy_whole(out->settings.mqtt.broker_uri, sizeof(out->settings.mqtt.broker_uri),
                                  SIM_OPTIONS_DEFAULT_BROKER);
    (void)bounded_text_copy_whole(out->settings.mqtt.ws_path, sizeof(out->settings.mqtt.ws_path), "/mqtt");
    (void)mac_address_parse(SIM_OPTIONS_DEFAULT_MAC, &out->mac);
    (void)ipv4_address_parse(SIM_OPTIONS_DEFAULT_IP, &out->ip);
    (void)bounded_text_copy_whole(out->http_bind, sizeof(out->http_bind), SIM_OPTIONS_DEFAULT_HTTP_BIND);
    out->http_port = SIM_OPTIONS_DEFAULT_HTTP_PORT;
    (void)bounded_text_copy_whole(out->wifi_ssid, sizeof(out->wifi_ssid), SIM_OPTIONS_DEFAULT_WIFI_SSID);
    (void)bounded_text_copy_whole(out->wifi_password, sizeof(out->wifi_password),
                                  SIM_OPTIONS_DEFAULT_WIFI_PASSWORD);
}

static sim_options_result_t apply_text(char *dst, size_t dst_size, const char *option, const char *value,
                                       char *error, size_t error_size)
{
    if (!bounded_text_copy_whole(dst, dst_size, value)) {
        char reason[64];
        (void)snprintf(reason, sizeof(reason), "longer than %zu bytes", dst_size - 1);
        return fail(error, error_size, option, reason);
    }
    return SIM_OPTIONS_OK;
}

/* The first --broker replaces the default; each further one is appended to the list (failover). */
static sim_options_result_t apply_broker(sim_options_t *out, const char *value, char *error,
                                         size_t error_size)
{
    mqtt_settings_t *mqtt = &out->settings.mqtt;
    if (strchr(value, ',') != NULL) {
        return fail(error, error_size, "--broker", "one URI per --broker (repeat the option for a list)");
    }
    char one[BROKER_URI_MAX_LEN + 1];
    const sim_options_result_t fits = apply_text(one, sizeof(one), "--broker", value, error, error_size);
    if (fits != SIM_OPTIONS_OK) {
        return fits;
    }
    if (!out->broker_given) {
        out->broker_given = true;
        mqtt->broker_uri[0] = '\0';
    }
    const size_t used = strlen(mqtt->broker_uri);
    const int n = snprintf(mqtt->broker_uri + used, sizeof(mqtt->broker_uri) - used, "%s%s",
                           used > 0 ? "," : "", value);
    if (n < 0 || (size_t)n >= sizeof(mqtt->broker_uri) - used) {
        mqtt->broker_uri[used] = '\0';
        return fail(error, error_size, "--broker", "the list of brokers is too long");
    }
    return SIM_OPTIONS_OK;
}

static sim_options_result_t apply_uint(uint64_t *out, const char *option, const char *value, uint64_t min,
                                       uint64_t max, char *error, size_t error_size)
{
    if (!parse_uint(value, min, max, out)) {
        char reason[80];
        (void)snprintf(reason, sizeof(reason), "expected a whole number from %llu to %llu",
                       (unsigned long long)min, (unsigned long long)max);
        return fail(error, error_size, option, reason);
    }
    return SIM_OPTIONS_OK;
}

static sim_options_result_t apply(sim_options_t *out, const option_spec_t *spec, const char *value,
                                  char *error, size_t error_size)
{
    mqtt_settings_t *mqtt = &out->settings.mqtt;
    uint64_t number = 0;
    sim_options_result_t result = SIM_OPTIONS_OK;
    domain_status_t status = DOMAIN_OK;

    switch (spec->id) {
        case OPT_BROKER:
            return apply_broker(out, value, error, error_size);
        case OPT_WS_PATH:
            return apply_text(mqtt->ws_path, sizeof(mqtt->ws_path), spec->name, value, error, error_size);
        case OPT_TOPIC:
            return apply_text(mqtt->topic, sizeof(mqtt->topic), spec->name, value, error, error_size);
        case OPT_QOS:
            result = apply_uint(&number, spec->name, value, 0, 1, error, error_size);
            mqtt->qos = (uint8_t)number;
            return result;
        case OPT_MAC:
            status = mac_address_parse(value, &out->mac);
            return status == DOMAIN_OK ? SIM_OPTIONS_OK
                                       : fail(error, error_size, spec->name, domain_status_to_str(status));
        case OPT_IP:
            status = ipv4_address_parse(value, &out->ip);
            if (status == DOMAIN_OK && ipv4_address_is_unspecified(&out->ip)) {
                status = DOMAIN_ERR_IP_UNSPECIFIED;
            }
            return status == DOMAIN_OK ? SIM_OPTIONS_OK
                                       : fail(error, error_size, spec->name, domain_status_to_str(status));
        case OPT_NAME:
            status = device_registration_check_name(value);
            if (status != DOMAIN_OK) {
                return fail(error, error_size, spec->name, domain_status_to_str(status));
            }
            out->has_name = true;
            return apply_text(out->name, sizeof(out->name), spec->name, value, error, error_size);
        case OPT_LOCATION:
            status = device_registration_check_location(value);
            if (status != DOMAIN_OK) {
                return fail(error, error_size, spec->name, domain_status_to_str(status));
            }
            out->has_location = true;
            return apply_text(out->location, sizeof(out->location), spec->name, value, error, error_size);
        case OPT_CONFIG_FILE:
            if (value[0] == '\0') {
                return fail(error, error_size, spec->name, "empty path");
            }
            return apply_text(out->config_file, sizeof(out->config_file), spec->name, value, error,
                              error_size);
        case OPT_HTTP_BIND:
            return apply_text(out->http_bind, sizeof(out->http_bind), spec->name, value, error, error_size);
        case OPT_HTTP_PORT:
            result = apply_uint(&number, spec->name, value, 0, UINT16_MAX, error, error_size);
            out->http_port = (uint16_t)number;
            return result;
        case OPT_DNS_PORT:
            result = apply_uint(&number, spec->name, value, 0, UINT16_MAX, error, error_size);
            out->dns_port = (uint16_t)number;
            return result;
        case OPT_KEEPALIVE:
            result = apply_uint(&number, spec->name, value, 1, UINT16_MAX, error, error_size);
            mqtt->keepalive_s = (uint16_t)number;
            return result;
        case OPT_RETRY_INITIAL_MS:
            result = apply_uint(&number, spec->name, value, 1, UINT32_MAX, error, error_size);
            mqtt->retry.initial_ms = (uint32_t)number;
            return result;
        case OPT_RETRY_MAX_MS:
            result = apply_uint(&number, spec->name, value, 1, UINT32_MAX, error, error_size);
            mqtt->retry.max_ms = (uint32_t)number;
            return result;
        case OPT_RETRY_MULTIPLIER:
            result = apply_uint(&number, spec->name, value, 1, UINT32_MAX, error, error_size);
            mqtt->retry.multiplier = (uint32_t)number;
            return result;
        case OPT_RETRY_JITTER_PERCENT:
            result = apply_uint(&number, spec->name, value, 0, 100, error, error_size);
            mqtt->retry.jitter_percent = (uint8_t)number;
            return result;
        case OPT_FIRMWARE_VERSION:
            return apply_text(out->settings.firmware_version, sizeof(out->settings.firmware_version),
                              spec->name, value, error, error_size);
        case OPT_PRINT_REGISTRATION:
            out->print_registration = true;
            return SIM_OPTIONS_OK;
        case OPT_ONCE:
            out->once = true;
            return SIM_OPTIONS_OK;
        case OPT_TIMEOUT_S:
            result = apply_uint(&number, spec->name, value, 0, UINT32_MAX, error, error_size);
            out->timeout_s = (uint32_t)number;
            return result;
        case OPT_WIFI_SSID:
            if (value[0] == '\0') {
                return fail(error, error_size, spec->name, "empty SSID");
            }
            return apply_text(out->wifi_ssid, sizeof(out->wifi_ssid), spec->name, value, error, error_size);
        case OPT_WIFI_PASSWORD: {
            const size_t len = strlen(value);
            if (len != 0 && (len < 8 || len > 63)) {
                return fail(error, error_size, spec->name,
                            "a WPA2 passphrase has 8 to 63 characters (or \"\" for open)");
            }
            return apply_text(out->wifi_password, sizeof(out->wifi_password), spec->name, value, error,
                              error_size);
        }
        case OPT_UNPROVISIONED:
            out->unprovisioned = true;
            return SIM_OPTIONS_OK;
        case OPT_REGISTRATION_TIMEOUT_MS:
            result = apply_uint(&number, spec->name, value, 0, UINT32_MAX, error, error_size);
            mqtt->registration_timeout_ms = (uint32_t)number;
            return result;
        case OPT_RETRANSMIT_MS:
            result = apply_uint(&number, spec->name, value, 100, UINT32_MAX, error, error_size);
            mqtt->retransmit_ms = (uint32_t)number;
            return result;
        case OPT_REFRESH_S:
            result = apply_uint(&number, spec->name, value, 0, UINT32_MAX / 1000u, error, error_size);
            mqtt->refresh_interval_s = (uint32_t)number;
            return result;
        case OPT_LIVENESS_MS:
            result = apply_uint(&number, spec->name, value, 0, UINT32_MAX, error, error_size);
            mqtt->liveness_interval_ms = (uint32_t)number;
            return result;
        case OPT_STATUS_TOPIC:
            return apply_text(mqtt->status_topic, sizeof(mqtt->status_topic), spec->name, value, error,
                              error_size);
        case OPT_MQTT_USERNAME:
            return apply_text(mqtt->username, sizeof(mqtt->username), spec->name, value, error, error_size);
        case OPT_MQTT_PASSWORD:
            return apply_text(mqtt->password, sizeof(mqtt->password), spec->name, value, error, error_size);
        case OPT_CA_FILE:
            return apply_text(out->ca_file, sizeof(out->ca_file), spec->name, value, error, error_size);
        case OPT_SETUP_SECRET:
            if (setup_secret_normalize(value, strlen(value), out->settings.security.setup_secret) !=
                DOMAIN_OK) {
                return fail(error, error_size, spec->name,
                            "expected 16 characters of Crockford base32 (0-9 A-Z without I L O U; spaces and "
                            "dashes between groups are ignored)");
            }
            return SIM_OPTIONS_OK;
        case OPT_CONFIG_MIN_INTERVAL_MS:
            result = apply_uint(&number, spec->name, value, 0, UINT32_MAX, error, error_size);
            out->settings.config_min_interval_ms = (uint32_t)number;
            return result;
        case OPT_HELP:
            return SIM_OPTIONS_HELP;
    }
    return fail(error, error_size, spec->name, "unhandled option");
}

static void default_config_file(sim_options_t *out, const char *tmpdir)
{
    if (tmpdir == NULL || tmpdir[0] == '\0') {
        tmpdir = "/tmp";
    }
    const uint8_t *b = out->mac.bytes;
    int written = snprintf(out->config_file, sizeof(out->config_file),
                           "%s/irrigation-sim-%02X%02X%02X%02X%02X%02X.conf", tmpdir, b[0], b[1], b[2], b[3],
                           b[4], b[5]);
    if (written < 0 || (size_t)written >= sizeof(out->config_file)) {
        /* $TMPDIR longer than PATH_MAX: fall back to /tmp rather than a cut path. */
        (void)snprintf(out->config_file, sizeof(out->config_file),
                       "/tmp/irrigation-sim-%02X%02X%02X%02X%02X%02X.conf", b[0], b[1], b[2], b[3], b[4],
                       b[5]);
    }
}

sim_options_result_t sim_options_parse(int argc, char *const argv[], const char *tmpdir, sim_options_t *out,
                                       char *error, size_t error_size)
{
    if (error != NULL && error_size > 0) {
        error[0] = '\0';
    }
    if (out == NULL || (argc > 0 && argv == NULL)) {
        return fail(error, error_size, "irrigation-sim", "invalid arguments");
    }
    set_defaults(out);

    bool help = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *eq = strchr(arg, '=');
        size_t name_len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
        const bool named = strncmp(arg, "--", 2) == 0;
        const option_spec_t *spec = named ? find_option(arg, name_len) : NULL;
        if (spec == NULL) {
            /* Never the value: "--misspelt=<value>" or a stray word (the rest of an unquoted password with a
             * space, a secret whose option was left out) may be a secret. */
            char where[40];
            if (named) {
                /* A value glued to a known option ("--setup-secret7K3M...") is named by that option only. */
                const option_spec_t *glued = find_option_prefix(arg, name_len);
                if (glued != NULL) {
                    return fail(error, error_size, glued->name,
                                "unknown option: a value goes after a space or '=' (see --help)");
                }
                (void)snprintf(where, sizeof(where), "%.*s", (int)name_len, arg);
                return fail(error, error_size, where, "unknown option (see --help)");
            }
            (void)snprintf(where, sizeof(where), "argument %d", i);
            return fail(error, error_size, where,
                        "not an option (a value goes right after its option; see --help)");
        }
        const char *value = NULL;
        if (spec->takes_value) {
            if (eq != NULL) {
                value = eq + 1;
            } else if (i + 1 < argc) {
                value = argv[++i];
            } else {
                return fail(error, error_size, spec->name, "missing value");
            }
        } else if (eq != NULL) {
            return fail(error, error_size, spec->name, "takes no value");
        }
        sim_options_result_t result = apply(out, spec, value, error, error_size);
        if (result == SIM_OPTIONS_ERROR) {
            return result;
        }
        if (result == SIM_OPTIONS_HELP) {
            help = true;
        }
    }
    if (help) {
        return SIM_OPTIONS_HELP;
    }
    if (out->settings.mqtt.retry.max_ms < out->settings.mqtt.retry.initial_ms) {
        return fail(error, error_size, "--retry-max-ms", "must not be less than --retry-initial-ms");
    }
    if (out->timeout_s > 0 && !out->once) {
        return fail(error, error_size, "--timeout-s", "only applies with --once");
    }
    if (out->config_file[0] == '\0') {
        default_config_file(out, tmpdir);
    }
    return SIM_OPTIONS_OK;
}
