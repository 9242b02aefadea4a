/*
 * sim_options: the simulator's command line, parsed into the application's settings DTO plus the
 * simulator's own options (docs/simulator.md is the contract).
 *
 * Pure: no I/O, no globals, no process exit. main.c calls sim_options_parse() once; on error it prints the
 * one-line reason ("--name: device_name is longer than 100 bytes") after "irrigation-sim: " and exits 2.
 * Values that the firmware also treats as runtime settings (broker URI, WebSocket path, topic) are only
 * checked for size here: application_start() validates them and the simulator keeps serving HTTP when they
 * are wrong, as the device does.
 */
#ifndef SIM_OPTIONS_H
#define SIM_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "application/settings.h"
#include "domain/device_registration.h"
#include "domain/ipv4_address.h"
#include "domain/mac_address.h"

#define SIM_OPTIONS_DEFAULT_BROKER    "ws://127.0.0.1:18080/mqtt"
#define SIM_OPTIONS_DEFAULT_MAC       "02:00:00:00:00:01"
#define SIM_OPTIONS_DEFAULT_IP        "127.0.0.1"
#define SIM_OPTIONS_DEFAULT_HTTP_BIND "127.0.0.1"
#define SIM_OPTIONS_DEFAULT_HTTP_PORT 8080u
#define SIM_OPTIONS_PATH_MAX          4096
#define SIM_OPTIONS_BIND_MAX          63
#define SIM_OPTIONS_ERROR_MAX         160
/* The simulated farm network the station joins (sim_wifi). */
#define SIM_OPTIONS_DEFAULT_WIFI_SSID     "Finca-Riego"
#define SIM_OPTIONS_DEFAULT_WIFI_PASSWORD "riego-finca-2026"

typedef enum {
    SIM_OPTIONS_OK = 0, /* run (or print the registration) */
    SIM_OPTIONS_HELP,   /* --help: print sim_options_usage() and exit 0 */
    SIM_OPTIONS_ERROR,  /* bad option: reason in the error buffer, exit 2 */
} sim_options_result_t;

typedef struct {
    app_settings_t settings; /* app_settings_defaults() with the simulator's overrides applied */
    mac_address_t mac;
    ipv4_address_t ip;
    /* --name/--location given: stored in the config file before starting (--print-registration only uses
     * them, main.c) */
    bool has_name;
    char name[DEVICE_NAME_MAX_BYTES + 1];
    bool has_location;
    char location[DEVICE_LOCATION_MAX_BYTES + 1];
    char config_file[SIM_OPTIONS_PATH_MAX]; /* --config-file, or the default derived from the MAC */
    char http_bind[SIM_OPTIONS_BIND_MAX + 1];
    uint16_t http_port; /* 0: ephemeral */
    uint16_t dns_port;  /* captive-portal DNS while provisioning; 0: ephemeral */
    bool print_registration;
    bool once;
    uint32_t timeout_s;     /* 0: none */
    char wifi_ssid[33];     /* the simulated farm network */
    char wifi_password[64]; /* "" = open */
    bool unprovisioned;     /* start without stored WiFi credentials: the setup access point */
    bool broker_given;      /* a --broker replaced the default list */
    char ca_file[256];      /* --ca-file: wss:// trust store ("" = the system's) */
} sim_options_t;

/*
 * Parses argv[1..argc). tmpdir is the value of $TMPDIR (NULL or "" means "/tmp"), used for the default
 * config file name "<tmpdir>/irrigation-sim-<MAC hex>.conf". On SIM_OPTIONS_ERROR error holds
 * "--option: reason" (no program name, no newline).
 */
sim_options_result_t sim_options_parse(int argc, char *const argv[], const char *tmpdir, sim_options_t *out,
                                       char *error, size_t error_size);

/*
 * Whether arg (an argv element: "--name" or "--name=value") names one of the options above, and then
 * whether it takes a value. Lets another command line (irrigation-fleet's) tell these options and their
 * values apart from its own and hand them to sim_options_parse().
 */
bool sim_options_lookup(const char *arg, bool *takes_value);

/* The --help text (several lines, ends with a newline). */
const char *sim_options_usage(void);

#endif /* SIM_OPTIONS_H */
