/* sim_control: the control channel's commands (docs/simulator.md) and its reader thread. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim_control.h"

typedef struct {
    const char *line;
    sim_control_kind_t kind;
} parse_case_t;

static void test_commands_parse_as_specified(void **state)
{
    (void)state;
    const parse_case_t cases[] = {
        {"network down", SIM_CONTROL_NETWORK_DOWN},
        {"network up", SIM_CONTROL_NETWORK_UP},
        {"  network   up \r\n", SIM_CONTROL_NETWORK_UP},
        {"network sideways", SIM_CONTROL_UNKNOWN},
        {"network", SIM_CONTROL_UNKNOWN},
        {"ip 10.0.0.7", SIM_CONTROL_IP},
        {"ip 10.0.0.07", SIM_CONTROL_BAD_IP},
        {"ip 0.0.0.0", SIM_CONTROL_BAD_IP},
        {"ip", SIM_CONTROL_BAD_IP},
        {"status", SIM_CONTROL_STATUS},
        {"status now", SIM_CONTROL_UNKNOWN},
        {"quit", SIM_CONTROL_QUIT},
        {"quit\n", SIM_CONTROL_QUIT},
        {"QUIT", SIM_CONTROL_UNKNOWN},
        {"factory-reset", SIM_CONTROL_FACTORY_RESET},
        {" factory-reset \n", SIM_CONTROL_FACTORY_RESET},
        {"factory-reset now", SIM_CONTROL_UNKNOWN},
        {"factory reset", SIM_CONTROL_UNKNOWN},
        {"Factory-Reset", SIM_CONTROL_UNKNOWN},
        {"", SIM_CONTROL_EMPTY},
        {"   \n", SIM_CONTROL_EMPTY},
        {"reboot", SIM_CONTROL_UNKNOWN},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sim_control_command_t command = sim_control_parse(cases[i].line);
        if (command.kind != cases[i].kind) {
            fail_msg("\"%s\": got %d, want %d", cases[i].line, (int)command.kind, (int)cases[i].kind);
        }
    }
}

static void test_ip_command_carries_the_address(void **state)
{
    (void)state;
    sim_control_command_t command = sim_control_parse("ip 192.168.4.23");
    assert_int_equal(command.kind, SIM_CONTROL_IP);
    const uint8_t expected[4] = {192, 168, 4, 23};
    assert_memory_equal(command.ip.octets, expected, 4);
}

static void test_overlong_line_is_unknown(void **state)
{
    (void)state;
    char line[SIM_CONTROL_LINE_MAX + 10];
    memset(line, 'q', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\0';
    assert_int_equal(sim_control_parse(line).kind, SIM_CONTROL_UNKNOWN);
}

#define MAX_SEEN 8

typedef struct {
    pthread_mutex_t mutex;
    int count;
    sim_control_kind_t kinds[MAX_SEEN];
} seen_t;

static void collect(void *arg, const sim_control_command_t *command, const char *line)
{
    (void)line;
    seen_t *seen = arg;
    pthread_mutex_lock(&seen->mutex);
    if (seen->count < MAX_SEEN) {
        seen->kinds[seen->count] = command->kind;
    }
    seen->count++;
    pthread_mutex_unlock(&seen->mutex);
}

static int seen_count(seen_t *seen)
{
    pthread_mutex_lock(&seen->mutex);
    int count = seen->count;
    pthread_mutex_unlock(&seen->mutex);
    return count;
}

static void test_reader_hands_over_each_line_until_end_of_input(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    seen_t seen = {.mutex = PTHREAD_MUTEX_INITIALIZER};
    sim_control_t control;
    assert_true(sim_control_start(&control, fds[0], collect, &seen));
    const char input[] = "network down\n\nip 10.1.1.1\nbogus\nquit";
    assert_int_equal(write(fds[1], input, sizeof(input) - 1), (ssize_t)(sizeof(input) - 1));
    close(fds[1]); /* end of input: the reader ends by itself, the last line still counts */
    /* stop() wakes the reader at once (pending input may be dropped at shutdown): let it read first. */
    for (int i = 0; i < 5000 && seen_count(&seen) < 4; i++) {
        struct timespec pause = {0, 1000000};
        nanosleep(&pause, NULL);
    }
    sim_control_stop(&control);
    close(fds[0]);
    assert_int_equal(seen.count, 4);
    assert_int_equal(seen.kinds[0], SIM_CONTROL_NETWORK_DOWN);
    assert_int_equal(seen.kinds[1], SIM_CONTROL_IP);
    assert_int_equal(seen.kinds[2], SIM_CONTROL_UNKNOWN);
    assert_int_equal(seen.kinds[3], SIM_CONTROL_QUIT);
}

static void test_stop_ends_a_reader_waiting_for_input(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    seen_t seen = {.mutex = PTHREAD_MUTEX_INITIALIZER};
    sim_control_t control;
    assert_true(sim_control_start(&control, fds[0], collect, &seen));
    sim_control_stop(&control); /* returns: the reader was woken, not left blocked in read() */
    close(fds[0]);
    close(fds[1]);
    assert_int_equal(seen.count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commands_parse_as_specified),
        cmocka_unit_test(test_ip_command_carries_the_address),
        cmocka_unit_test(test_overlong_line_is_unknown),
        cmocka_unit_test(test_reader_hands_over_each_line_until_end_of_input),
        cmocka_unit_test(test_stop_ends_a_reader_waiting_for_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
