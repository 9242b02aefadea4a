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

static app_err_t fake_connect(void *ctx)
{
    fake_mqtt_client_t *fake = ctx;
    fake->connect_calls++;
    return fake_script_next(&fake->connect_results);
}

static app_err_t fake_disconnect(void *ctx)
{
    fake_mqtt_client_t *fake = ctx;
    fake->disconnect_calls++;
    return fake_script_next(&fake->disconnect_results);
}

static app_err_t fake_publish(void *ctx, const char *topic, const char *payload, size_t payload_len,
                              uint8_t qos, int32_t *msg_id)
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
        (void)bounded_text_copy(rec->topic, sizeof(rec->topic), topic);
        size_t len = payload_len < sizeof(rec->payload) - 1 ? payload_len : sizeof(rec->payload) - 1;
        memcpy(rec->payload, payload, len);
        rec->payload[len] = '\0';
        rec->payload_len = payload_len;
        rec->qos = qos;
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
