/*
 * app_status: the one result type of the application layer (use cases and ports).
 *
 * 0 is success. Adapters convert their platform codes (esp_err_t, Paho and microhttpd codes, errno) into
 * these at the boundary and log the original code there. New codes go at the end, so that the numbers
 * already logged or tested keep their meaning.
 */
#ifndef APPLICATION_APP_STATUS_H
#define APPLICATION_APP_STATUS_H

#define APP_STATUS_LIST(X)                                               \
    X(APP_OK, "ok")                                                      \
    X(APP_ERR_INVALID_ARG, "invalid argument")                           \
    X(APP_ERR_MISSING_PORT, "a required port is missing")                \
    X(APP_ERR_BAD_SETTINGS, "invalid settings")                          \
    X(APP_ERR_BAD_URI, "malformed broker URI")                           \
    X(APP_ERR_BAD_TOPIC, "empty or invalid MQTT topic")                  \
    X(APP_ERR_BAD_SIZE, "a buffer or task size is zero or too small")    \
    X(APP_ERR_LOCK_TIMEOUT, "the shared lock was not available in time") \
    X(APP_ERR_QUEUE_FULL, "the application queue is full")               \
    X(APP_ERR_NOT_CONNECTED, "not connected")                            \
    X(APP_ERR_OUTBOX_FULL, "the MQTT outbox is full")                    \
    X(APP_ERR_PUBLISH, "the MQTT client refused the message")            \
    X(APP_ERR_NOT_FOUND, "not found")                                    \
    X(APP_ERR_TOO_LONG, "value too long")                                \
    X(APP_ERR_INVALID_VALUE, "value breaks a rule")                      \
    X(APP_ERR_STORAGE, "storage error")                                  \
    X(APP_ERR_BUFFER_TOO_SMALL, "buffer too small")                      \
    X(APP_ERR_NO_MEMORY, "out of memory")                                \
    X(APP_ERR_PLATFORM, "platform error")                                \
    X(APP_ERR_RATE_LIMITED, "too soon after the last change")            \
    X(APP_ERR_NOT_STARTED, "the application task could not be started")

typedef enum {
#define APP_STATUS_ENUM(name, text) name,
    APP_STATUS_LIST(APP_STATUS_ENUM)
#undef APP_STATUS_ENUM
        APP_STATUS_COUNT
} app_err_t;

/* Never NULL ("unknown" out of range). */
const char *app_err_to_str(app_err_t err);

#endif /* APPLICATION_APP_STATUS_H */
