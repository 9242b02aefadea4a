/*
 * sim_event_sink: the simulator's event stream, JSON lines on standard output (docs/simulator.md).
 *
 * Implements event_sink_port_t (domain events and notices from the application) and the simulator's own
 * events (started, http_started, network, status, exit). Every line is one JSON object
 * {"event":"<name>","t_ms":<ms since start>, ...fields}, written with the domain json_writer (one escaping
 * rule for everything the device emits), then flushed. A mutex keeps lines from different threads whole.
 * Text that is not valid UTF-8 is written with '?' in place of the bad bytes, so every line parses.
 *
 * Called from any thread (application task, HTTP, control reader, main). Writing a line is the only I/O;
 * the optional listener is called after the line is out, outside the mutex, and must not block.
 *
 * Several sinks may share one stream (the fleet engine: one sink per device, all on stdout): each line is
 * written under the stream's own lock, so lines from different sinks never interleave. A sink given a
 * device MAC (sim_event_sink_set_device) puts "mac" after "t_ms" in every line, so each line says which
 * device it is about.
 */
#ifndef SIM_EVENT_SINK_H
#define SIM_EVENT_SINK_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "application/ports/event_sink_port.h"
#include "application/settings.h"
#include "domain/ipv4_address.h"
#include "domain/mac_address.h"

/* Longest line: the status event (an HTTP_API_RESPONSE_MAX body) plus the event header. */
#define SIM_EVENT_SINK_LINE_MAX 4096
/* Notice messages are cut (at a character boundary) to this many bytes. */
#define SIM_EVENT_SINK_MESSAGE_MAX 1024

typedef uint64_t (*sim_event_sink_clock_fn)(void *clock_ctx);
typedef void (*sim_event_sink_listener_fn)(void *arg, const domain_event_t *event);

typedef struct {
    FILE *out;
    pthread_mutex_t mutex;
    sim_event_sink_clock_fn clock;
    void *clock_ctx;
    sim_event_sink_listener_fn listener;
    void *listener_arg;
    const mqtt_settings_t *mqtt; /* broker list and ws path for connect_attempt lines */
    char presence_topic[APP_TOPIC_MAX_LEN + 2 * MAC_ADDRESS_LEN + 1]; /* for presence lines */
    char line[SIM_EVENT_SINK_LINE_MAX];                               /* guarded by mutex */
    char scratch[SIM_EVENT_SINK_MESSAGE_MAX + 1];                     /* guarded by mutex */
    char device_mac[MAC_ADDRESS_STR_SIZE];                            /* "" (no "mac" member) unless set */
} sim_event_sink_t;

extern const event_sink_port_t sim_event_sink_port;

/* out: where lines go (stdout; a memory stream in tests). clock may be NULL (t_ms = 0). */
bool sim_event_sink_init(sim_event_sink_t *sink, FILE *out, sim_event_sink_clock_fn clock, void *clock_ctx);
void sim_event_sink_deinit(sim_event_sink_t *sink);

/* Every later line carries "mac":"<mac>" (mac as formatted by mac_address_format). Call before the sink is
 * shared with other threads. */
void sim_event_sink_set_device(sim_event_sink_t *sink, const mac_address_t *mac);

/* Called with every domain event after its line is written (main learns of "registered" this way). */
void sim_event_sink_set_listener(sim_event_sink_t *sink, sim_event_sink_listener_fn fn, void *arg);

/* Lets connect_attempt lines name the broker's URI and presence lines the topic (mqtt must outlive the sink;
 * set before the application starts). */
void sim_event_sink_set_mqtt(sim_event_sink_t *sink, const mqtt_settings_t *mqtt, const mac_address_t *mac);

/* Port functions (ctx = sim_event_sink_t *). */
void sim_event_sink_on_domain_event(void *ctx, const domain_event_t *event);
void sim_event_sink_on_notice(void *ctx, app_notice_level_t level, const char *message);

typedef struct {
    const char *mac;
    const char *ip;
    const char *client_id;
    const char *broker;
    const char *config_file;
} sim_event_started_t;

void sim_event_sink_started(sim_event_sink_t *sink, const sim_event_started_t *started);
void sim_event_sink_http_started(sim_event_sink_t *sink, uint16_t port);
void sim_event_sink_network(sim_event_sink_t *sink, bool up, const ipv4_address_t *ip);
void sim_event_sink_exit(sim_event_sink_t *sink, int code, const char *reason);

/*
 * Writes {"event":"<event>","t_ms":..., <members of object_json>}: object_json is a JSON object (such as
 * the /status body) whose members are copied verbatim. False (nothing written) when it is not an object
 * or the line would not fit.
 */
bool sim_event_sink_object(sim_event_sink_t *sink, const char *event, const char *object_json, size_t len);

#endif /* SIM_EVENT_SINK_H */
