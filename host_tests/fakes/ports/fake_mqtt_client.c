#include "fake_mqtt_client.h"

#include <string.h>

#include "domain/bounded_text.h"

static app_err_t fake_configure(void *ctx, const mqtt_client_config_t *cfg)
{
    fake_mqtt_client_t *fake = ctx;
    fake->configure_calls++;
    fake->config = *cfg;
    (void)bounded_text_copy(fake->uri, sizeof(fake->uri), cfg->uri);
    (void)bounded_text_copy(fake->client_id, sizeof(fake->client_id), cfg->client_id);
    fake->config.uri = fake->uri;
    fake->config.client_id = fake->client_id;
    return fake_script_next(&fake->configure_results);
}

static void record_message(fake_mqtt_publish_t *rec, const mqtt_message_t *message)
{
    (void)bounded_text_copy(rec->topic, sizeof(rec->topic), message->topic);
    size_t len =
        message->payload_len < sizeof(rec->payload) - 1 ? message->payload_len : sizeof(rec->payload) - 1;
    memcpy(rec->payload, message->payload, len);
    rec->payload[len] = '\0';
    rec->payload_len = message->payload_len;
    rec->qos = message->qos;
    rec->retain = message->retain;
}

static app_err_t fake_connect(void *ctx, const mqtt_connect_request_t *req)
{
    fake_mqtt_client_t *fake = ctx;
    fake->connect_calls++;
    (void)bounded_text_copy(fake->connect_uri, sizeof(fake->connect_uri), req->uri);
    fake->connect_had_will = req->will != NULL;
    if (req->will != NULL) {
        record_message(&fake->will, req->will);
    }
    return fake_script_next(&fake->connect_results);
}

static bool fake_is_connected(void *ctx)
{
    const fake_mqtt_client_t *fake = ctx;
    return fake->connected;
}

static app_err_t fake_disconnect(void *ctx)
{
    fake_mqtt_client_t *fake = ctx;
    fake->disconnect_calls++;
    fake->connected = false; /* the adapters' is_connected() answers false once the client is stopped */
    return fake_script_next(&fake->disconnect_results);
}

static app_err_t fake_publish(void *ctx, const mqtt_message_t *message, int32_t *msg_id)
{
    fake_mqtt_client_t *fake = ctx;
    app_err_t result = fake_script_next(&fake->publish_results);
    int32_t id = -1;
    if (result == APP_OK) {
        id = fake->next_msg_id++;
        *msg_id = id;
    }
    if (fake->publish_calls < FAKE_MQTT_MAX_PUBLISHES) {
        fake_mqtt_publish_t *rec = &fake->publishes[fake->publish_calls];
        record_message(rec, message);
        rec->msg_id = id;
        rec->result = result;
    }
    fake->publish_calls++;
    return result;
}

const mqtt_session_port_t fake_mqtt_session_port = {
    .configure = fake_configure,
    .connect = fake_connect,
    .disconnect = fake_disconnect,
    .is_connected = fake_is_connected,
};

const mqtt_publisher_port_t fake_mqtt_publisher_port = {
    .publish = fake_publish,
};

void fake_mqtt_client_init(fake_mqtt_client_t *fake)
{
    memset(fake, 0, sizeof(*fake));
    fake_script_init(&fake->configure_results);
    fake_script_init(&fake->connect_results);
    fake_script_init(&fake->disconnect_results);
    fake_script_init(&fake->publish_results);
    fake->next_msg_id = 1;
}

const fake_mqtt_publish_t *fake_mqtt_client_last_publish(const fake_mqtt_client_t *fake)
{
    if (fake->publish_calls == 0) {
        return NULL;
    }
    unsigned index = fake->publish_calls - 1;
    if (index >= FAKE_MQTT_MAX_PUBLISHES) {
        index = FAKE_MQTT_MAX_PUBLISHES - 1;
    }
    return &fake->publishes[index];
}

void fake_mqtt_client_set_next_msg_id(fake_mqtt_client_t *fake, int32_t msg_id)
{
    fake->next_msg_id = msg_id;
}

static size_t recorded(const fake_mqtt_client_t *fake)
{
    return fake->publish_calls < FAKE_MQTT_MAX_PUBLISHES ? fake->publish_calls : FAKE_MQTT_MAX_PUBLISHES;
}

size_t fake_mqtt_client_count_on(const fake_mqtt_client_t *fake, const char *topic)
{
    size_t n = 0;
    for (size_t i = 0; i < recorded(fake); i++) {
        n += strcmp(fake->publishes[i].topic, topic) == 0 ? 1u : 0u;
    }
    return n;
}

const fake_mqtt_publish_t *fake_mqtt_client_last_on(const fake_mqtt_client_t *fake, const char *topic)
{
    for (size_t i = recorded(fake); i > 0; i--) {
        if (strcmp(fake->publishes[i - 1].topic, topic) == 0) {
            return &fake->publishes[i - 1];
        }
    }
    return NULL;
}
