/*
 * mqtt_ws_adapter_events: the ESP-MQTT event handler. It runs on the ESP-MQTT task, which holds the client
 * lock while it dispatches (mqtt_client.c, esp_mqtt_task -> esp_mqtt_dispatch_event_with_msgid): it only
 * translates, posts without blocking and sets a socket option; it never calls ESP-MQTT.
 *
 * Where the classified codes come from (v5.4.2): a transport error carries esp-tls's last error and the
 * socket errno of the transport's shared error handle, both cleared once read (mqtt_client.c
 * esp_mqtt_client_dispatch_transport_error; tcp_transport transport.c esp_transport_get_errno). A name that
 * does not resolve is ESP_ERR_ESP_TLS_CANNOT_RESOLVE_HOSTNAME; a refused TCP connect is
 * ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST with errno ECONNREFUSED (esp-tls esp_tls.c). The WebSocket upgrade
 * status is the status line of the last answer read, kept until the next answer (transport_ws.c ws_connect).
 */
#include <errno.h>
#include <string.h>

#include "esp_err.h"
#include "esp_log.h"
#include "esp_tls_errors.h"
#include "esp_transport_ws.h"
#include "lwip/sockets.h"
#include "mqtt_ws_adapter_internal.h"

/* tcp_transport's private API: declared in private_include/esp_transport_internal.h, defined and exported in
 * transport.c; the ws transport answers its parent's socket (transport_ws.c ws_get_socket). It is the one
 * way to reach the socket to set TCP_NODELAY. */
int esp_transport_get_socket(esp_transport_handle_t t);

static const char *TAG = MQTT_WS_ADAPTER_LOG_TAG;

#define HTTP_SWITCHING_PROTOCOLS 101

static void post(mqtt_ws_adapter_t *adapter, const app_event_t *event)
{
    if (!adapter->executor->post(adapter->executor_ctx, event)) {
        unsigned lost = atomic_fetch_add(&adapter->lost_events, 1u) + 1u;
        ESP_LOGE(TAG, "application queue full: %s lost (%u so far)", app_event_kind_to_str(event->kind),
                 lost);
    }
}

void mqtt_ws_adapter_post_kind(mqtt_ws_adapter_t *adapter, app_event_kind_t kind, app_mqtt_error_kind_t error,
                               int32_t code)
{
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = kind;
    event.error_kind = error;
    event.code = code;
    post(adapter, &event);
}

static void translate_transport_error(const mqtt_ws_adapter_t *adapter, const esp_mqtt_error_codes_t *codes,
                                      app_event_t *out)
{
    const esp_err_t tls = codes->esp_tls_last_esp_err;
    const int sock_errno = codes->esp_transport_sock_errno;
    out->code = sock_errno != 0 ? (int32_t)sock_errno : (int32_t)tls;
    const int upgrade = esp_transport_ws_get_upgrade_request_status(adapter->ws);
    if (tls == ESP_ERR_ESP_TLS_CANNOT_RESOLVE_HOSTNAME) {
        out->error_kind = APP_MQTT_ERROR_HOST_NOT_FOUND;
    } else if (sock_errno == ECONNREFUSED) {
        out->error_kind = APP_MQTT_ERROR_TCP_REFUSED;
    } else if (adapter->secure && tls == ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED) {
        out->error_kind = APP_MQTT_ERROR_TLS;
    } else if (tls == ESP_ERR_ESP_TLS_CONNECTION_TIMEOUT || sock_errno == ETIMEDOUT) {
        /* The TCP connect or the TLS handshake ran past the network timeout (esp_tls.c
         * esp_tls_low_level_conn: ESP_ERR_ESP_TLS_CONNECTION_TIMEOUT), or the socket timed out. */
        out->error_kind = APP_MQTT_ERROR_TIMEOUT;
        out->code = (int32_t)adapter->config.network.timeout_ms;
    } else if (tls == ESP_OK && sock_errno == 0 && upgrade > 0 && upgrade != HTTP_SWITCHING_PROTOCOLS) {
        /* The server answered the upgrade, but not with "101 Switching Protocols": the path is not a
         * WebSocket. Only without a TCP/TLS error: the status is the last answer's and outlives a later
         * failed connect. */
        out->error_kind = APP_MQTT_ERROR_PROTOCOL;
        out->code = upgrade;
    } else {
        out->error_kind = APP_MQTT_ERROR_TRANSPORT;
    }
    ESP_LOGW(TAG, "transport error: errno %d, esp-tls 0x%x (%s), tls stack 0x%x, ws upgrade %d", sock_errno,
             (unsigned)tls, esp_err_to_name(tls), (unsigned)codes->esp_tls_stack_err, upgrade);
}

static void translate_error(const mqtt_ws_adapter_t *adapter, const esp_mqtt_error_codes_t *codes,
                            app_event_t *out)
{
    if (codes == NULL) {
        /* ESP-MQTT always passes its error handle (mqtt_client.c create_client_data); kept for safety. */
        out->error_kind = APP_MQTT_ERROR_OTHER;
        ESP_LOGW(TAG, "MQTT error without details");
        return;
    }
    switch (codes->error_type) {
        case MQTT_ERROR_TYPE_TCP_TRANSPORT:
            translate_transport_error(adapter, codes, out);
            break;
        case MQTT_ERROR_TYPE_CONNECTION_REFUSED:
            out->error_kind = APP_MQTT_ERROR_CONNECTION_REFUSED;
            out->code = (int32_t)codes->connect_return_code;
            ESP_LOGW(TAG, "connection refused by the broker: CONNACK return code %d",
                     (int)codes->connect_return_code);
            break;
        default:
            out->error_kind = APP_MQTT_ERROR_OTHER;
            out->code = (int32_t)codes->error_type;
            ESP_LOGW(TAG, "MQTT error type %d", (int)codes->error_type);
            break;
    }
}

/* Nagle would hold every second write (ESP-MQTT's ws transport writes header and payload apart) until the
 * broker's delayed ACK. setsockopt does not block. */
static void set_no_delay(const mqtt_ws_adapter_t *adapter)
{
    const int sock = esp_transport_get_socket(adapter->ws);
    const int one = 1;
    if (sock < 0 || setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0) {
        ESP_LOGW(TAG, "TCP_NODELAY not set (socket %d)", sock);
    }
}

void mqtt_ws_adapter_on_event(void *handler_arg, esp_event_base_t base, int32_t event_id, void *event_data)
{
    mqtt_ws_adapter_t *adapter = handler_arg;
    const esp_mqtt_event_t *event = event_data;
    app_event_t out;
    (void)base;
    if (adapter == NULL || event == NULL) {
        return;
    }
    memset(&out, 0, sizeof(out));
    switch ((esp_mqtt_event_id_t)event_id) {
        case MQTT_EVENT_BEFORE_CONNECT:
            out.kind = APP_EVENT_MQTT_BEFORE_CONNECT;
            break;
        case MQTT_EVENT_CONNECTED:
            set_no_delay(adapter);
            atomic_store(&adapter->connected, true);
            out.kind = APP_EVENT_MQTT_CONNECTED;
            out.flag = event->session_present != 0;
            break;
        case MQTT_EVENT_DISCONNECTED:
            /* ESP-MQTT gives no reason: a preceding MQTT_EVENT_ERROR carries it when there is one. */
            atomic_store(&adapter->connected, false);
            out.kind = APP_EVENT_MQTT_DISCONNECTED;
            break;
        case MQTT_EVENT_ERROR:
            out.kind = APP_EVENT_MQTT_ERROR;
            translate_error(adapter, event->error_handle, &out);
            break;
        case MQTT_EVENT_PUBLISHED:
            out.kind = APP_EVENT_MQTT_PUBLISHED;
            out.msg_id = (int32_t)event->msg_id;
            break;
        case MQTT_EVENT_DELETED:
            out.kind = APP_EVENT_MQTT_DELETED;
            out.msg_id = (int32_t)event->msg_id;
            ESP_LOGW(TAG, "message %d expired in the outbox before its PUBACK", event->msg_id);
            break;
        default:
            /* SUBSCRIBED, UNSUBSCRIBED, DATA, USER_EVENT: the node neither subscribes nor receives. */
            return;
    }
    post(adapter, &out);
}
