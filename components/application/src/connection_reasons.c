/* connection_reasons: see the header. */
#include "application/connection_reasons.h"

#include <stdio.h>

const char *connection_reasons_connack(int32_t code)
{
    switch (code) {
        case 1:
            return "unacceptable protocol version";
        case 2:
            return "client identifier rejected";
        case 3:
            return "server unavailable";
        case 4:
            return "bad user name or password";
        case 5:
            return "not authorized";
        default:
            return "unknown";
    }
}

void connection_reasons_error(app_mqtt_error_kind_t kind, int32_t code, const char *uri, char *out,
                              size_t out_size)
{
    if (uri == NULL) {
        uri = "";
    }
    switch (kind) {
        case APP_MQTT_ERROR_HOST_NOT_FOUND:
            (void)snprintf(out, out_size, "broker host did not resolve (%s)", uri);
            break;
        case APP_MQTT_ERROR_TCP_REFUSED:
            (void)snprintf(out, out_size, "connection refused by the broker host (%s)", uri);
            break;
        case APP_MQTT_ERROR_PROTOCOL:
            (void)snprintf(out, out_size, "WebSocket path rejected (the server did not speak MQTT): %s", uri);
            break;
        case APP_MQTT_ERROR_CONNECTION_REFUSED:
            (void)snprintf(out, out_size, "CONNACK refused (code %ld): %s", (long)code,
                           connection_reasons_connack(code));
            break;
        case APP_MQTT_ERROR_TIMEOUT:
            (void)snprintf(out, out_size, "connect attempt timed out after %ld ms (%s)", (long)code, uri);
            break;
        case APP_MQTT_ERROR_TLS:
            (void)snprintf(out, out_size, "TLS handshake or certificate check failed (code %ld): %s",
                           (long)code, uri);
            break;
        default:
            (void)snprintf(out, out_size, "mqtt error: %s (code %ld)", app_mqtt_error_kind_to_str(kind),
                           (long)code);
            break;
    }
}
