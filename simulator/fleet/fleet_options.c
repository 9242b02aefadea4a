/*
 * fleet_options: see fleet_options.h.
 */
#include "fleet_options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/bounded_text.h"
#include "fleet_devices.h"
#include "fleet_executor.h"

static const char USAGE[] =
    "usage: irrigation-fleet [options]\n"
    "Runs many simulated smart-irrigation nodes in one process (the same application core per device).\n"
    "  --devices N                generated devices 02:00:00:00:HH:LL named <--name>-NN (default 1)\n"
    "  --first-index K            fleet number of the first generated device (default 1)\n"
    "  --device-file PATH         one device per line: mac=..&name=..&location=..&ip=..&http_port=..\n"
    "                             (form-encoded); devices are numbered from --first-index\n"
    "  --distinct-ips             device n reports and serves at 127.0.((n-1)/250).((n-1)%250+2)\n"
    "  --http-port N              with --distinct-ips the port of every device (default 80); otherwise the\n"
    "                             first generated device's, counting up (0: a free port each; default:\n"
    "                             20000 + n - 1, or a free one when that is taken)\n"
    "  --http-fallback-port N     when port 80 may not be bound (no root/CAP_NET_BIND_SERVICE), use N\n"
    "  --workers N                application threads shared by the devices (default 2)\n"
    "  --config-dir DIR           keep each device's name/location in DIR/irrigation-fleet-<MAC hex>.conf\n"
    "                             (default: in memory)\n"
    "  --help                     this text\n"
    "Every irrigation-sim option that applies to all devices is accepted too (--broker, --topic,\n"
    "--retry-*, --keepalive, --name as the name prefix, --location, --http-bind, --wifi-*, ...).\n"
    "Control commands on stdin: quit | status | <MAC> network down|network up|ip A.B.C.D|status\n"
    "Events: JSON lines on stdout, each device's with its \"mac\". Exit codes: 0 ok, 1 runtime failure,\n"
    "2 bad options.\n";

const char *fleet_options_usage(void)
{
    return USAGE;
}

typedef enum {
    FLEET_OPT_DEVICES = 0,
    FLEET_OPT_FIRST_INDEX,
    FLEET_OPT_DEVICE_FILE,
    FLEET_OPT_DISTINCT_IPS,
    FLEET_OPT_HTTP_FALLBACK_PORT,
    FLEET_OPT_WORKERS,
    FLEET_OPT_CONFIG_DIR,
    FLEET_OPT_HELP,
} fleet_option_id_t;

typedef struct {
    const char *name;
    fleet_option_id_t id;
    bool takes_value;
} fleet_option_spec_t;

static const fleet_option_spec_t FLEET_OPTIONS[] = {
    {"--devices", FLEET_OPT_DEVICES, true},
    {"--first-index", FLEET_OPT_FIRST_INDEX, true},
    {"--device-file", FLEET_OPT_DEVICE_FILE, true},
    {"--distinct-ips", FLEET_OPT_DISTINCT_IPS, false},
    {"--http-fallback-port", FLEET_OPT_HTTP_FALLBACK_PORT, true},
    {"--workers", FLEET_OPT_WORKERS, true},
    {"--config-dir", FLEET_OPT_CONFIG_DIR, true},
    {"--help", FLEET_OPT_HELP, false},
};

/* irrigation-sim options that make no sense for a fleet, with the reason. */
static const struct {
    const char *name;
    const char *reason;
} REFUSED[] = {
    {"--mac", "not a fleet option (devices come from --devices or --device-file)"},
    {"--ip", "not a fleet option (give ip= in --device-file, or --distinct-ips)"},
    {"--config-file", "not a fleet option (see --config-dir)"},
    {"--print-registration", "not a fleet option (irrigation-sim --print-registration prints one device's)"},
    {"--once", "not a fleet option"},
    {"--timeout-s", "not a fleet option"},
};

static fleet_options_result_t fail(char *error, size_t error_size, const char *option, const char *reason)
{
    if (error != NULL && error_size > 0) {
        (void)snprintf(error, error_size, "%s: %s", option, reason);
    }
    return FLEET_OPTIONS_ERROR;
}

static size_t name_length(const char *arg)
{
    const char *eq = strchr(arg, '=');
    return eq != NULL ? (size_t)(eq - arg) : strlen(arg);
}

static bool named(const char *arg, const char *name)
{
    return name_length(arg) == strlen(name) && strncmp(arg, name, strlen(name)) == 0;
}

static const fleet_option_spec_t *find_fleet_option(const char *arg)
{
    for (size_t i = 0; i < sizeof(FLEET_OPTIONS) / sizeof(FLEET_OPTIONS[0]); i++) {
        if (named(arg, FLEET_OPTIONS[i].name)) {
            return &FLEET_OPTIONS[i];
        }
    }
    return NULL;
}

static const char *refusal(const char *arg)
{
    for (size_t i = 0; i < sizeof(REFUSED) / sizeof(REFUSED[0]); i++) {
        if (named(arg, REFUSED[i].name)) {
            return REFUSED[i].reason;
        }
    }
    return NULL;
}

static bool parse_number(const char *text, unsigned long min, unsigned long max, uint32_t *out)
{
    if (text[0] < '0' || text[0] > '9') {
        return false;
    }
    errno = 0;
    char *end = NULL;
    unsigned long value = strtoul(text, &end, 10);
    if (errno != 0 || *end != '\0' || value < min || value > max) {
        return false;
    }
    *out = (uint32_t)value;
    return true;
}

static fleet_options_result_t apply_number(const char *option, const char *value, unsigned long min,
                                           unsigned long max, uint32_t *out, char *error, size_t error_size)
{
    if (!parse_number(value, min, max, out)) {
        char reason[80];
        (void)snprintf(reason, sizeof(reason), "expected a whole number from %lu to %lu", min, max);
        return fail(error, error_size, option, reason);
    }
    return FLEET_OPTIONS_OK;
}

static fleet_options_result_t apply_path(const char *option, const char *value, char *dst, size_t dst_size,
                                         char *error, size_t error_size)
{
    if (value[0] == '\0') {
        return fail(error, error_size, option, "empty path");
    }
    return bounded_text_copy_whole(dst, dst_size, value) ? FLEET_OPTIONS_OK
                                                         : fail(error, error_size, option, "path too long");
}

static fleet_options_result_t apply(fleet_options_t *out, const fleet_option_spec_t *spec, const char *value,
                                    bool *devices_given, char *error, size_t error_size)
{
    uint32_t number = 0;
    fleet_options_result_t result = FLEET_OPTIONS_OK;
    switch (spec->id) {
        case FLEET_OPT_DEVICES:
            *devices_given = true;
            return apply_number(spec->name, value, 1, FLEET_DEVICES_MAX, &out->devices, error, error_size);
        case FLEET_OPT_FIRST_INDEX:
            return apply_number(spec->name, value, 1, FLEET_DEVICES_MAX, &out->first_index, error,
                                error_size);
        case FLEET_OPT_DEVICE_FILE:
            return apply_path(spec->name, value, out->device_file, sizeof(out->device_file), error,
                              error_size);
        case FLEET_OPT_DISTINCT_IPS:
            out->distinct_ips = true;
            return FLEET_OPTIONS_OK;
        case FLEET_OPT_HTTP_FALLBACK_PORT:
            result = apply_number(spec->name, value, 1, UINT16_MAX, &number, error, error_size);
            out->http_fallback_port = (uint16_t)number;
            return result;
        case FLEET_OPT_WORKERS:
            return apply_number(spec->name, value, 1, FLEET_EXECUTOR_MAX_WORKERS, &out->workers, error,
                                error_size);
        case FLEET_OPT_CONFIG_DIR:
            return apply_path(spec->name, value, out->config_dir, sizeof(out->config_dir), error, error_size);
        case FLEET_OPT_HELP:
            return FLEET_OPTIONS_HELP;
    }
    return fail(error, error_size, spec->name, "unhandled option");
}

/* The rules between options, once everything is parsed. */
static fleet_options_result_t check(fleet_options_t *out, bool devices_given, bool http_port_given,
                                    bool http_bind_given, char *error, size_t error_size)
{
    if (out->device_file[0] != '\0') {
        if (devices_given) {
            return fail(error, error_size, "--devices", "give --devices or --device-file, not both");
        }
        out->devices = 0;
    }
    if (out->devices > 0 && out->first_index - 1u + out->devices > FLEET_DEVICES_MAX) {
        char reason[96];
        (void)snprintf(reason, sizeof(reason), "devices %lu..%lu: the last one is above %u",
                       (unsigned long)out->first_index, (unsigned long)(out->first_index - 1u + out->devices),
                       FLEET_DEVICES_MAX);
        return fail(error, error_size, "--devices", reason);
    }
    if (out->distinct_ips && http_bind_given) {
        return fail(error, error_size, "--http-bind",
                    "not with --distinct-ips (each device serves at its own)");
    }
    if (!http_port_given) {
        out->shared.http_port = out->distinct_ips ? FLEET_OPTIONS_DISTINCT_HTTP_PORT : 0;
        out->auto_http_ports = !out->distinct_ips;
    }
    if (!out->distinct_ips && out->devices > 0 && out->shared.http_port != 0 &&
        (uint32_t)out->shared.http_port + out->first_index - 1u + out->devices - 1u > UINT16_MAX) {
        return fail(error, error_size, "--http-port", "the devices' ports would pass 65535");
    }
    return FLEET_OPTIONS_OK;
}

fleet_options_result_t fleet_options_parse(int argc, char *const argv[], fleet_options_t *out, char *error,
                                           size_t error_size)
{
    if (error != NULL && error_size > 0) {
        error[0] = '\0';
    }
    if (out == NULL || argc < 1 || argv == NULL) {
        return fail(error, error_size, "irrigation-fleet", "invalid arguments");
    }
    memset(out, 0, sizeof(*out));
    out->devices = 1;
    out->first_index = 1;
    out->workers = FLEET_OPTIONS_DEFAULT_WORKERS;

    /* argv[0] plus every irrigation-sim option and its value, for sim_options_parse(). */
    char **shared = calloc((size_t)argc + 1u, sizeof(char *));
    if (shared == NULL) {
        return fail(error, error_size, "irrigation-fleet", "out of memory");
    }
    int shared_count = 0;
    shared[shared_count++] = argv[0];
    bool help = false;
    bool devices_given = false;
    bool http_port_given = false;
    bool http_bind_given = false;
    fleet_options_result_t result = FLEET_OPTIONS_OK;
    for (int i = 1; i < argc && result == FLEET_OPTIONS_OK; i++) {
        const char *arg = argv[i];
        const char *eq = strchr(arg, '=');
        const fleet_option_spec_t *spec = strncmp(arg, "--", 2) == 0 ? find_fleet_option(arg) : NULL;
        bool takes_value = false;
        if (spec != NULL) {
            const char *value = NULL;
            if (spec->takes_value && eq != NULL) {
                value = eq + 1;
            } else if (spec->takes_value && i + 1 < argc) {
                value = argv[++i];
            } else if (spec->takes_value) {
                result = fail(error, error_size, spec->name, "missing value");
                break;
            } else if (eq != NULL) {
                result = fail(error, error_size, spec->name, "takes no value");
                break;
            }
            result = apply(out, spec, value, &devices_given, error, error_size);
            if (result == FLEET_OPTIONS_HELP) {
                help = true;
                result = FLEET_OPTIONS_OK;
            }
        } else if (refusal(arg) != NULL) {
            result = fail(error, error_size, argv[i], refusal(arg));
        } else if (sim_options_lookup(arg, &takes_value)) {
            http_port_given = http_port_given || named(arg, "--http-port");
            http_bind_given = http_bind_given || named(arg, "--http-bind");
            shared[shared_count++] = argv[i];
            if (takes_value && eq == NULL && i + 1 < argc) {
                shared[shared_count++] = argv[++i];
            }
        } else {
            result = fail(error, error_size, arg, "unknown option (see --help)");
        }
    }
    if (result == FLEET_OPTIONS_OK && !help) {
        char shared_error[SIM_OPTIONS_ERROR_MAX];
        if (sim_options_parse(shared_count, shared, NULL, &out->shared, shared_error, sizeof(shared_error)) !=
            SIM_OPTIONS_OK) {
            (void)snprintf(error, error_size, "%s", shared_error);
            result = FLEET_OPTIONS_ERROR;
        }
    }
    free(shared);
    if (result != FLEET_OPTIONS_OK) {
        return result;
    }
    if (help) {
        return FLEET_OPTIONS_HELP;
    }
    return check(out, devices_given, http_port_given, http_bind_given, error, error_size);
}
