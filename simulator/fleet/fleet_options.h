/*
 * fleet_options: irrigation-fleet's command line: its own options (how many devices, which ones, where
 * they listen, how many workers) plus every irrigation-sim option that applies to all devices alike
 * (--broker, --topic, --retry-*, --name, --location, --http-port, ...), which are handed to
 * sim_options_parse() unchanged, so both programs validate them the same way and new ones reach the
 * fleet without a change here. Options that name one device (--mac, --ip, --config-file) or one run of one
 * device (--print-registration, --once, --timeout-s) are refused with the reason.
 *
 * Pure: no I/O, no process exit; scratch memory for the forwarded arguments is freed before returning.
 */
#ifndef FLEET_OPTIONS_H
#define FLEET_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_options.h"

#define FLEET_OPTIONS_DEFAULT_WORKERS    2u
#define FLEET_OPTIONS_DISTINCT_HTTP_PORT 80u
/* Without --http-port and --distinct-ips, device n listens on 127.0.0.1 at this port + n - 1 (a free port
 * from the kernel when that one is taken): below Linux's ephemeral range (32768-60999), where thousands of
 * port-0 binds slow every bind and connect of the machine down. */
#define FLEET_OPTIONS_AUTO_HTTP_PORT_BASE 20000u
#define FLEET_OPTIONS_ERROR_MAX           200u

typedef enum {
    FLEET_OPTIONS_OK = 0,
    FLEET_OPTIONS_HELP,
    FLEET_OPTIONS_ERROR,
} fleet_options_result_t;

typedef struct {
    sim_options_t shared; /* what every device shares; shared.http_port is the port as resolved below */
    uint32_t devices;     /* --devices N: generated devices (0 with --device-file) */
    uint32_t first_index; /* --first-index K: the fleet number of this process's first device */
    char device_file[SIM_OPTIONS_PATH_MAX];
    bool distinct_ips;
    uint16_t http_fallback_port; /* 0: none */
    bool auto_http_ports; /* no --http-port and no --distinct-ips: see FLEET_OPTIONS_AUTO_HTTP_PORT_BASE */
    uint32_t workers;
    char config_dir[SIM_OPTIONS_PATH_MAX]; /* "": configs in memory */
} fleet_options_t;

/*
 * Parses argv[1..argc). --http-port when not given: 80 with --distinct-ips, else auto_http_ports.
 * On FLEET_OPTIONS_ERROR, error holds "--option: reason".
 */
fleet_options_result_t fleet_options_parse(int argc, char *const argv[], fleet_options_t *out, char *error,
                                           size_t error_size);

/* The --help text. */
const char *fleet_options_usage(void);

#endif /* FLEET_OPTIONS_H */
