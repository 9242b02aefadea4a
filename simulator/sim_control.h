/*
 * sim_control: the control channel, one command per line on standard input (docs/simulator.md):
 * "network down", "network up", "ip A.B.C.D", "factory-reset", "status", "quit".
 *
 * sim_control_parse() is pure (tests drive it directly). The reader thread waits with poll() on the input
 * and on a wake-up pipe, so sim_control_stop() ends it at once; end of input ends the reader only (the
 * simulator keeps running). Each parsed line is handed to the callback on the reader thread; the callback
 * must not block for long (it posts events and writes event lines).
 */
#ifndef SIM_CONTROL_H
#define SIM_CONTROL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "domain/ipv4_address.h"

/* A line holds up to 127 bytes (newline excluded); a longer one is SIM_CONTROL_UNKNOWN. */
#define SIM_CONTROL_LINE_MAX 128
/* The accepted commands, as the warning about a refused line names them. */
#define SIM_CONTROL_COMMANDS "network down|network up|ip A.B.C.D|factory-reset|status|quit"

typedef enum {
    SIM_CONTROL_EMPTY = 0, /* blank line: ignored */
    SIM_CONTROL_NETWORK_DOWN,
    SIM_CONTROL_NETWORK_UP,
    SIM_CONTROL_IP, /* ip */
    SIM_CONTROL_STATUS,
    SIM_CONTROL_QUIT,
    SIM_CONTROL_FACTORY_RESET, /* the reset button's long press: forget WiFi, reopen provisioning */
    SIM_CONTROL_BAD_IP,        /* "ip" with a value that is not a usable IPv4 address */
    SIM_CONTROL_UNKNOWN,
} sim_control_kind_t;

typedef struct {
    sim_control_kind_t kind;
    ipv4_address_t ip;
} sim_control_command_t;

/* Parses one line (without or with its trailing newline); surrounding blanks are ignored. */
sim_control_command_t sim_control_parse(const char *line);

typedef void (*sim_control_callback_fn)(void *arg, const sim_control_command_t *command, const char *line);

typedef struct {
    int input_fd;
    int wake_pipe[2];
    sim_control_callback_fn callback;
    void *arg;
    pthread_t thread;
    bool running;
} sim_control_t;

/* Starts the reader on input_fd. False when the pipe or the thread cannot be created. */
bool sim_control_start(sim_control_t *control, int input_fd, sim_control_callback_fn callback, void *arg);
/* Wakes and joins the reader (safe after end of input, and when never started). */
void sim_control_stop(sim_control_t *control);

#endif /* SIM_CONTROL_H */
