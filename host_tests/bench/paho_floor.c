/*
 * paho_floor: the least a device can do to be registered, as the floor for the simulator's start-up figure.
 *
 *   paho_floor URI CLIENT_ID TOPIC PAYLOAD
 *
 * Eclipse Paho C MQTTAsync over ws:// (MQTT 3.1.1, clean session): connect, publish PAYLOAD once with QoS 1
 * from the connect callback, and when the PUBACK arrives print {"event":"puback","t_ms":N} with the
 * milliseconds since this program started (CLOCK_MONOTONIC at the top of main, as the simulator's own
 * t_ms). Exit 0 on PUBACK, 1 on a connect or publish failure, 3 when nothing happened within 10 s.
 * No application core, no HTTP server, no config file: what remains is Paho and the broker.
 */
#define _GNU_SOURCE
#include <MQTTAsync.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define WAIT_LIMIT_S 10

typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t done_cond;
    int result; /* -1 while waiting, 0 on PUBACK, 1 on failure */
    double puback_ms;
    MQTTAsync client;
    const char *topic;
    const char *payload;
} floor_state_t;

static struct timespec started;

static double elapsed_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - started.tv_sec) * 1e3 + (double)(now.tv_nsec - started.tv_nsec) / 1e6;
}

static void finish(floor_state_t *st, int result)
{
    const double t = elapsed_ms();
    pthread_mutex_lock(&st->lock);
    if (st->result < 0) {
        st->result = result;
        st->puback_ms = t;
    }
    pthread_cond_signal(&st->done_cond);
    pthread_mutex_unlock(&st->lock);
}

static void on_published(void *context, MQTTAsync_successData *response)
{
    (void)response;
    finish(context, 0); /* for QoS 1 this callback is the PUBACK */
}

static void on_failure(void *context, MQTTAsync_failureData *response)
{
    fprintf(stderr, "paho_floor: failed (code %d)\n", response != NULL ? response->code : 0);
    finish(context, 1);
}

static void on_connected(void *context, MQTTAsync_successData *response)
{
    (void)response;
    floor_state_t *st = context;
    MQTTAsync_responseOptions opts = MQTTAsync_responseOptions_initializer;
    opts.onSuccess = on_published;
    opts.onFailure = on_failure;
    opts.context = st;
    MQTTAsync_message msg = MQTTAsync_message_initializer;
    msg.payload = (void *)st->payload;
    msg.payloadlen = (int)strlen(st->payload);
    msg.qos = 1;
    if (MQTTAsync_sendMessage(st->client, st->topic, &msg, &opts) != MQTTASYNC_SUCCESS) {
        finish(st, 1);
    }
}

int main(int argc, char **argv)
{
    clock_gettime(CLOCK_MONOTONIC, &started);
    if (argc != 5) {
        fprintf(stderr, "usage: paho_floor URI CLIENT_ID TOPIC PAYLOAD\n");
        return 2;
    }
    floor_state_t st = {.result = -1, .topic = argv[3], .payload = argv[4]};
    pthread_mutex_init(&st.lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&st.done_cond, &attr);

    MQTTAsync_createOptions create = MQTTAsync_createOptions_initializer;
    create.MQTTVersion = MQTTVERSION_3_1_1;
    if (MQTTAsync_createWithOptions(&st.client, argv[1], argv[2], MQTTCLIENT_PERSISTENCE_NONE, NULL,
                                    &create) != MQTTASYNC_SUCCESS) {
        fprintf(stderr, "paho_floor: cannot create a client for %s\n", argv[1]);
        return 1;
    }
    MQTTAsync_connectOptions opts = MQTTAsync_connectOptions_initializer;
    opts.MQTTVersion = MQTTVERSION_3_1_1;
    opts.cleansession = 1;
    opts.keepAliveInterval = 60;
    opts.onSuccess = on_connected;
    opts.onFailure = on_failure;
    opts.context = &st;
    int result = 1;
    if (MQTTAsync_connect(st.client, &opts) == MQTTASYNC_SUCCESS) {
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += WAIT_LIMIT_S;
        pthread_mutex_lock(&st.lock);
        while (st.result < 0) {
            if (pthread_cond_timedwait(&st.done_cond, &st.lock, &deadline) != 0) {
                break;
            }
        }
        result = st.result < 0 ? 3 : st.result;
        pthread_mutex_unlock(&st.lock);
    }
    if (result == 0) {
        printf("{\"event\":\"puback\",\"t_ms\":%.3f}\n", st.puback_ms);
        fflush(stdout);
    }
    MQTTAsync_disconnectOptions disconnect = MQTTAsync_disconnectOptions_initializer;
    disconnect.timeout = 0;
    (void)MQTTAsync_disconnect(st.client, &disconnect);
    MQTTAsync_destroy(&st.client);
    return result;
}
