/*
 * sim_control: see sim_control.h.
 */
#include "sim_control.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

sim_control_command_t sim_control_parse(const char *line)
{
    sim_control_command_t command;
    memset(&command, 0, sizeof(command));
    command.kind = SIM_CONTROL_UNKNOWN;
    if (line == NULL) {
        return command;
    }
    char text[SIM_CONTROL_LINE_MAX];
    size_t len = strlen(line);
    while (len > 0 && is_blank(line[0])) {
        line++;
        len--;
    }
    while (len > 0 && is_blank(line[len - 1])) {
        len--;
    }
    if (len == 0) {
        command.kind = SIM_CONTROL_EMPTY;
        return command;
    }
    if (len >= sizeof(text)) {
        return command;
    }
    memcpy(text, line, len);
    text[len] = '\0';

    /* Split into a verb and an optional argument separated by blanks. */
    char *arg = text;
    while (*arg != '\0' && !is_blank(*arg)) {
        arg++;
    }
    if (*arg != '\0') {
        *arg++ = '\0';
        while (*arg != '\0' && is_blank(*arg)) {
            arg++;
        }
    }
    const char *verb = text;
    if (strcmp(verb, "network") == 0) {
        if (strcmp(arg, "down") == 0) {
            command.kind = SIM_CONTROL_NETWORK_DOWN;
        } else if (strcmp(arg, "up") == 0) {
            command.kind = SIM_CONTROL_NETWORK_UP;
        }
    } else if (strcmp(verb, "ip") == 0) {
        command.kind = SIM_CONTROL_BAD_IP;
        if (ipv4_address_parse(arg, &command.ip) == DOMAIN_OK && !ipv4_address_is_unspecified(&command.ip)) {
            command.kind = SIM_CONTROL_IP;
        }
    } else if (strcmp(verb, "status") == 0 && *arg == '\0') {
        command.kind = SIM_CONTROL_STATUS;
    } else if (strcmp(verb, "quit") == 0 && *arg == '\0') {
        command.kind = SIM_CONTROL_QUIT;
    } else if (strcmp(verb, "factory-reset") == 0 && *arg == '\0') {
        command.kind = SIM_CONTROL_FACTORY_RESET;
    }
    return command;
}

static void *reader_thread(void *arg)
{
    sim_control_t *control = arg;
    char line[SIM_CONTROL_LINE_MAX];
    size_t len = 0;
    bool overlong = false;
    for (;;) {
        struct pollfd fds[2] = {
            {.fd = control->input_fd, .events = POLLIN},
            {.fd = control->wake_pipe[0], .events = POLLIN},
        };
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return NULL;
        }
        if (fds[1].revents != 0) {
            return NULL;
        }
        char chunk[256];
        ssize_t n = read(control->input_fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            /* End of input is not "quit"; a last line without its newline still counts. */
            if (len > 0 && !overlong) {
                line[len] = '\0';
                sim_control_command_t command = sim_control_parse(line);
                if (command.kind != SIM_CONTROL_EMPTY) {
                    control->callback(control->arg, &command, line);
                }
            }
            return NULL;
        }
        for (ssize_t i = 0; i < n; i++) {
            char c = chunk[i];
            if (c != '\n') {
                if (len + 1 < sizeof(line)) {
                    line[len++] = c;
                } else {
                    overlong = true;
                }
                continue;
            }
            line[len] = '\0';
            sim_control_command_t command = sim_control_parse(overlong ? "" : line);
            if (overlong) {
                command.kind = SIM_CONTROL_UNKNOWN;
            }
            if (command.kind != SIM_CONTROL_EMPTY) {
                control->callback(control->arg, &command, line);
            }
            len = 0;
            overlong = false;
        }
    }
}

bool sim_control_start(sim_control_t *control, int input_fd, sim_control_callback_fn callback, void *arg)
{
    memset(control, 0, sizeof(*control));
    control->input_fd = input_fd;
    control->callback = callback;
    control->arg = arg;
    control->wake_pipe[0] = -1;
    control->wake_pipe[1] = -1;
    if (callback == NULL || pipe(control->wake_pipe) != 0) {
        return false;
    }
    if (pthread_create(&control->thread, NULL, reader_thread, control) != 0) {
        (void)close(control->wake_pipe[0]);
        (void)close(control->wake_pipe[1]);
        control->wake_pipe[0] = -1;
        control->wake_pipe[1] = -1;
        return false;
    }
    control->running = true;
    return true;
}

void sim_control_stop(sim_control_t *control)
{
    if (control == NULL || !control->running) {
        return;
    }
    const char wake = 'x';
    ssize_t ignored = write(control->wake_pipe[1], &wake, 1);
    (void)ignored;
    (void)pthread_join(control->thread, NULL);
    (void)close(control->wake_pipe[0]);
    (void)close(control->wake_pipe[1]);
    control->running = false;
}
