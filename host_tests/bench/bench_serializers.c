/*
 * bench_serializers: the project's registration serializer side by side with cJSON and a naive snprintf
 * writer (bench_writers.h), on the same two messages, printed as "name value unit" lines.
 *
 *   bench_serializers                      ns/msg (fastest of 7 batches), heap allocation calls/msg, bytes,
 * and whether each writer's output equals the project's bench_serializers --loop W M N         one warm-up
 * call, then N calls of writer W on message M inside bench_serializers_loop(): run under valgrind
 * --tool=callgrind --toggle-collect=bench_serializers_loop the collected instructions / N are instructions
 * per message
 *
 * Figures are printed, never judged here.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_alloc_count.h"
#include "bench_writers.h"

#define BATCHES          7u
#define BATCH_ITERATIONS 20000u
#define ALLOC_ITERATIONS 1000u

static char out_buf[DEVICE_REGISTRATION_JSON_MAX_SIZE];
static char project_buf[DEVICE_REGISTRATION_JSON_MAX_SIZE];

/* Keeps the compiler from dropping work whose result is otherwise unused. */
static volatile size_t sink;

size_t bench_serializers_loop(bench_writers_fn_t write, const device_registration_t *msg, uint32_t n);

/* Not inlined and not cloned, so that callgrind can collect exactly this function and what it calls. */
__attribute__((noinline, noclone)) size_t bench_serializers_loop(bench_writers_fn_t write,
                                                                 const device_registration_t *msg, uint32_t n)
{
    size_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        total += write(msg, out_buf, sizeof(out_buf));
    }
    return total;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The fastest of several batches: on a shared machine the slower ones were held up by other work. */
static double ns_per_message(bench_writers_fn_t write, const device_registration_t *msg)
{
    double best = 0.0;
    for (uint32_t b = 0; b < BATCHES; b++) {
        const uint64_t start = now_ns();
        sink += bench_serializers_loop(write, msg, BATCH_ITERATIONS);
        const double ns = (double)(now_ns() - start) / BATCH_ITERATIONS;
        if (b == 0 || ns < best) {
            best = ns;
        }
    }
    return best;
}

static double allocations_per_message(bench_writers_fn_t write, const device_registration_t *msg)
{
    const uint64_t before = bench_alloc_count_calls();
    sink += bench_serializers_loop(write, msg, ALLOC_ITERATIONS);
    return (double)(bench_alloc_count_calls() - before) / ALLOC_ITERATIONS;
}

static void report(const bench_writers_writer_t *writer, const bench_writers_message_t *message)
{
    const char *w = writer->name;
    const char *m = message->name;
    if (writer->write == NULL) {
        printf("%s.%s.available 0 %s\n", w, m, writer->missing_reason);
        return;
    }
    const size_t len = writer->write(&message->msg, out_buf, sizeof(out_buf));
    const size_t project_len = bench_writers_all()[0].write(&message->msg, project_buf, sizeof(project_buf));
    const int same = len == project_len && memcmp(out_buf, project_buf, len) == 0;
    printf("%s.%s.available 1 yes\n", w, m);
    printf("%s.%s.bytes %zu B\n", w, m, len);
    printf("%s.%s.same_output_as_project %d bool\n", w, m, same);
    printf("%s.%s.ns_per_msg %.1f ns/msg\n", w, m, ns_per_message(writer->write, &message->msg));
    printf("%s.%s.allocs_per_msg %.2f allocations/msg\n", w, m,
           allocations_per_message(writer->write, &message->msg));
}

static int find_writer(const char *name)
{
    for (int i = 0; i < BENCH_WRITERS_COUNT; i++) {
        if (strcmp(bench_writers_all()[i].name, name) == 0) {
            return i;
        }
    }
    return -1;
}

static int loop_mode(const bench_writers_message_t *messages, const char *writer_name,
                     const char *message_name, const char *count)
{
    const int w = find_writer(writer_name);
    int m = -1;
    for (int i = 0; i < BENCH_WRITERS_MESSAGE_COUNT; i++) {
        if (strcmp(messages[i].name, message_name) == 0) {
            m = i;
        }
    }
    const long n = strtol(count, NULL, 10);
    if (w < 0 || m < 0 || n <= 0) {
        fprintf(stderr, "bench_serializers --loop: unknown writer or message, or a bad count\n");
        return 2;
    }
    const bench_writers_writer_t *writer = &bench_writers_all()[w];
    if (writer->write == NULL) {
        fprintf(stderr, "bench_serializers: %s: %s\n", writer->name, writer->missing_reason);
        return 3;
    }
    /* The first call resolves the library symbols (lazy binding): keep it out of the collected loop. */
    sink += writer->write(&messages[m].msg, out_buf, sizeof(out_buf));
    printf("loop_total_bytes %zu B\n", bench_serializers_loop(writer->write, &messages[m].msg, (uint32_t)n));
    return 0;
}

int main(int argc, char **argv)
{
    static bench_writers_message_t messages[BENCH_WRITERS_MESSAGE_COUNT];
    if (!bench_writers_messages(messages)) {
        fprintf(stderr, "bench_serializers: a benchmark message is not a valid registration\n");
        return 1;
    }
    if (argc == 5 && strcmp(argv[1], "--loop") == 0) {
        return loop_mode(messages, argv[2], argv[3], argv[4]);
    }
    if (argc != 1) {
        fprintf(stderr, "usage: bench_serializers [--loop WRITER MESSAGE N]\n");
        return 2;
    }
    for (int m = 0; m < BENCH_WRITERS_MESSAGE_COUNT; m++) {
        for (int w = 0; w < BENCH_WRITERS_COUNT; w++) {
            report(&bench_writers_all()[w], &messages[m]);
        }
    }
    return 0;
}
