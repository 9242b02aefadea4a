/*
 * sim_http: see sim_http.h.
 */
#include "sim_http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "application/application.h"

http_api_method_t sim_http_method(const char *method)
{
    if (method != NULL && strcmp(method, MHD_HTTP_METHOD_GET) == 0) {
        return HTTP_API_GET;
    }
    if (method != NULL && strcmp(method, MHD_HTTP_METHOD_POST) == 0) {
        return HTTP_API_POST;
    }
    return HTTP_API_OTHER;
}

/* Slots of connections not yet shut down; caller holds the mutex. */
static size_t kept_connections_locked(const sim_http_t *http)
{
    size_t kept = 0;
    for (size_t i = 0; i < SIM_HTTP_CONNECTION_LIMIT; i++) {
        if (http->slots[i].used && !http->slots[i].evicted) {
            kept++;
        }
    }
    return kept;
}

/* The kept connection answered (or accepted) longest ago, other than keep; caller holds the mutex. */
static sim_http_slot_t *least_recently_answered_locked(sim_http_t *http, const sim_http_slot_t *keep)
{
    sim_http_slot_t *oldest = NULL;
    for (size_t i = 0; i < SIM_HTTP_CONNECTION_LIMIT; i++) {
        sim_http_slot_t *slot = &http->slots[i];
        if (slot->used && !slot->evicted && slot != keep &&
            (oldest == NULL || slot->answered_seq < oldest->answered_seq)) {
            oldest = slot;
        }
    }
    return oldest;
}

/* A new connection takes a slot; over SIM_HTTP_MAX_CONNECTIONS the least recently answered ones are shut
 * down. shutdown() and not close(): microhttpd owns the descriptor, sees the end of the stream at its next
 * poll and closes the connection itself, so no descriptor is closed under its feet. */
static void connection_started(sim_http_t *http, struct MHD_Connection *connection, void **socket_context)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    const int fd = info != NULL ? info->connect_fd : -1;
    sim_http_slot_t *slot = NULL;
    for (size_t i = 0; i < SIM_HTTP_CONNECTION_LIMIT && slot == NULL; i++) {
        if (!http->slots[i].used) {
            slot = &http->slots[i];
        }
    }
    if (slot == NULL) {
        /* Only when microhttpd's limit and the table disagree: refuse the newcomer rather than overrun. */
        if (fd >= 0) {
            (void)shutdown(fd, SHUT_RDWR);
        }
        return;
    }
    slot->used = true;
    slot->evicted = false;
    slot->fd = fd;
    slot->body_len = 0;
    slot->answered_seq = ++http->seq;
    *socket_context = slot;
    while (kept_connections_locked(http) > SIM_HTTP_MAX_CONNECTIONS) {
        sim_http_slot_t *victim = least_recently_answered_locked(http, slot);
        if (victim == NULL) {
            break;
        }
        victim->evicted = true;
        http->evictions++;
        if (victim->fd >= 0) {
            (void)shutdown(victim->fd, SHUT_RDWR);
        }
    }
}

static void on_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    sim_http_t *http = cls;
    (void)pthread_mutex_lock(&http->mutex);
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        connection_started(http, connection, socket_context);
    } else if (*socket_context != NULL) {
        sim_http_slot_t *slot = *socket_context;
        slot->used = false;
        *socket_context = NULL;
    }
    (void)pthread_mutex_unlock(&http->mutex);
}

static sim_http_slot_t *connection_slot(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info != NULL ? info->socket_context : NULL;
}

static enum MHD_Result send_response(struct MHD_Connection *connection, unsigned status,
                                     const char *content_type, const char *body, size_t body_len)
{
    struct MHD_Response *response =
        MHD_create_response_from_buffer(body_len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (response == NULL) {
        return MHD_NO;
    }
    if (content_type != NULL) {
        (void)MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    }
    enum MHD_Result result = MHD_queue_response(connection, status, response);
    MHD_destroy_response(response);
    return result;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    sim_http_t *http = cls;
    sim_http_slot_t *slot = *con_cls;
    if (slot == NULL) {
        /* First call for this request: headers only. */
        slot = connection_slot(connection);
        if (slot == NULL) {
            static const char BUSY[] = "{\"error\":\"busy\"}";
            return send_response(connection, MHD_HTTP_SERVICE_UNAVAILABLE, "application/json", BUSY,
                                 sizeof(BUSY) - 1);
        }
        slot->body_len = 0;
        *con_cls = slot;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t room = slot->body_len < HTTP_API_MAX_BODY ? HTTP_API_MAX_BODY - slot->body_len : 0;
        size_t keep = *upload_data_size < room ? *upload_data_size : room;
        if (keep > 0) {
            memcpy(slot->body + slot->body_len, upload_data, keep);
        }
        slot->body_len += *upload_data_size; /* counted in full: over the limit means 413 */
        *upload_data_size = 0;
        return MHD_YES;
    }
    size_t stored = slot->body_len < HTTP_API_MAX_BODY ? slot->body_len : HTTP_API_MAX_BODY;
    slot->body[stored] = '\0';
    http_api_response_t resp;
    memset(&resp, 0, sizeof(resp));
    http_api_handle(http->app, sim_http_method(method), url, slot->body_len > 0 ? slot->body : NULL,
                    slot->body_len, slot->response, sizeof(slot->response), &resp);
    (void)pthread_mutex_lock(&http->mutex);
    slot->answered_seq = ++http->seq;
    http->requests++;
    (void)pthread_mutex_unlock(&http->mutex);
    return send_response(connection, resp.status, resp.content_type, slot->response, resp.body_len);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    /* The slot belongs to the connection (on_connection frees it); only the request's link ends here. */
    (void)cls;
    (void)connection;
    (void)toe;
    if (con_cls != NULL) {
        *con_cls = NULL;
    }
}

sim_http_result_t sim_http_start(sim_http_t *http, struct application *app, const char *bind_address,
                                 uint16_t port, const executor_port_t *executor, void *executor_ctx,
                                 sim_event_sink_t *sink)
{
    memset(http, 0, sizeof(*http));
    http->app = app;
    if (pthread_mutex_init(&http->mutex, NULL) != 0) {
        return SIM_HTTP_START_FAILED;
    }

    struct sockaddr_in addr4;
    struct sockaddr_in6 addr6;
    memset(&addr4, 0, sizeof(addr4));
    memset(&addr6, 0, sizeof(addr6));
    const struct sockaddr *addr = NULL;
    /* epoll on Linux: no FD_SETSIZE ceiling, and one thread, so the callbacks never run concurrently. */
    unsigned int flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
    if (inet_pton(AF_INET, bind_address, &addr4.sin_addr) == 1) {
        addr4.sin_family = AF_INET;
        addr4.sin_port = htons(port);
        addr = (const struct sockaddr *)&addr4;
    } else if (inet_pton(AF_INET6, bind_address, &addr6.sin6_addr) == 1) {
        addr6.sin6_family = AF_INET6;
        addr6.sin6_port = htons(port);
        addr = (const struct sockaddr *)&addr6;
        flags |= MHD_USE_IPv6;
    } else {
        (void)pthread_mutex_destroy(&http->mutex);
        return SIM_HTTP_BAD_ADDRESS;
    }

    http->daemon = MHD_start_daemon(flags, port, NULL, NULL, on_request, http, MHD_OPTION_SOCK_ADDR, addr,
                                    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)SIM_HTTP_CONNECTION_LIMIT,
                                    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)SIM_HTTP_IDLE_TIMEOUT_S,
                                    MHD_OPTION_NOTIFY_CONNECTION, on_connection, http,
                                    MHD_OPTION_NOTIFY_COMPLETED, on_completed, http, MHD_OPTION_END);
    if (http->daemon == NULL) {
        (void)pthread_mutex_destroy(&http->mutex);
        return SIM_HTTP_START_FAILED;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(http->daemon, MHD_DAEMON_INFO_BIND_PORT);
    http->port = info != NULL ? info->port : port;

    /* The line first: whoever reads the stream learns the port before any state change it causes. */
    if (sink != NULL) {
        sim_event_sink_http_started(sink, http->port);
    }
    app_event_t event;
    memset(&event, 0, sizeof(event));
    event.kind = APP_EVENT_HTTP_STARTED;
    if (!executor->post(executor_ctx, &event)) {
        (void)fprintf(stderr, "irrigation-sim: http: HTTP_STARTED lost (application queue full)\n");
    }
    return SIM_HTTP_OK;
}

void sim_http_stop(sim_http_t *http)
{
    if (http == NULL || http->daemon == NULL) {
        return;
    }
    MHD_stop_daemon(http->daemon);
    http->daemon = NULL;
    (void)pthread_mutex_destroy(&http->mutex);
}

unsigned long sim_http_evictions(sim_http_t *http)
{
    (void)pthread_mutex_lock(&http->mutex);
    unsigned long evictions = http->evictions;
    (void)pthread_mutex_unlock(&http->mutex);
    return evictions;
}

size_t sim_http_open_connections(sim_http_t *http)
{
    (void)pthread_mutex_lock(&http->mutex);
    size_t open = 0;
    for (size_t i = 0; i < SIM_HTTP_CONNECTION_LIMIT; i++) {
        open += http->slots[i].used ? 1u : 0u;
    }
    (void)pthread_mutex_unlock(&http->mutex);
    return open;
}
