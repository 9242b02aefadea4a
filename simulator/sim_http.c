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
#include <unistd.h>

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
 * poll and closes the connection itself, so no descriptor is closed under its feet. Caller holds the mutex.
 */
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
        /* The request's copies (a WiFi password, the setup secret) go with the connection. */
        memset(slot->body, 0, sizeof(slot->body));
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

static enum MHD_Result send_response(struct MHD_Connection *connection, const http_api_response_t *resp,
                                     const char *body)
{
    struct MHD_Response *response =
        MHD_create_response_from_buffer(resp->body_len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (response == NULL) {
        return MHD_NO;
    }
    if (resp->content_type != NULL) {
        (void)MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
    }
    if (resp->retry_after_s > 0) {
        char seconds[12];
        (void)snprintf(seconds, sizeof(seconds), "%lu", (unsigned long)resp->retry_after_s);
        (void)MHD_add_response_header(response, MHD_HTTP_HEADER_RETRY_AFTER, seconds);
    }
    if (resp->www_authenticate != NULL) {
        (void)MHD_add_response_header(response, MHD_HTTP_HEADER_WWW_AUTHENTICATE, resp->www_authenticate);
    }
    if (resp->location[0] != '\0') {
        (void)MHD_add_response_header(response, MHD_HTTP_HEADER_LOCATION, resp->location);
    }
    enum MHD_Result result = MHD_queue_response(connection, resp->status, response);
    MHD_destroy_response(response);
    return result;
}

static enum MHD_Result send_busy(struct MHD_Connection *connection)
{
    static const char BUSY[] = "{\"error\":\"busy\"}";
    http_api_response_t resp;
    memset(&resp, 0, sizeof(resp));
    resp.status = MHD_HTTP_SERVICE_UNAVAILABLE;
    resp.content_type = "application/json";
    resp.body_len = sizeof(BUSY) - 1;
    return send_response(connection, &resp, BUSY);
}

/* Appends one query argument (as microhttpd decoded it) to the path being rebuilt. */
static enum MHD_Result append_argument(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    sim_http_slot_t *slot = cls;
    const size_t used = strlen(slot->path);
    const int n = snprintf(slot->path + used, sizeof(slot->path) - used, "%s%s%s%s",
                           strchr(slot->path, '?') ? "&" : "?", key, value != NULL ? "=" : "",
                           value != NULL ? value : "");
    if (n < 0 || (size_t)n >= sizeof(slot->path) - used) {
        slot->path[used] = '\0'; /* an argument that does not fit is left out */
        return MHD_NO;
    }
    return MHD_YES;
}

/* The request as http_api reads it: microhttpd hands the path without its query, so it is rebuilt. */
static void build_request(struct MHD_Connection *connection, const char *url, const char *method,
                          sim_http_slot_t *slot, http_api_request_t *req)
{
    (void)snprintf(slot->path, sizeof(slot->path), "%s", url);
    (void)MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, append_argument, slot);
    memset(req, 0, sizeof(*req));
    req->method = sim_http_method(method);
    req->path = slot->path;
    req->body = slot->body_len > 0 ? slot->body : NULL;
    req->body_len = slot->body_len;
    const char **fields[] = {&req->authorization, &req->host, &req->origin, &req->sec_fetch_site,
                             &req->accept_language};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]) && i < http_api_request_header_count; i++) {
        *fields[i] = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, http_api_request_headers[i]);
    }
}

/* The application serving this request: the one of the single-application daemon, or the router's pick. */
static struct application *application_for(const sim_http_t *http, struct MHD_Connection *connection)
{
    if (http->router == NULL) {
        return http->app;
    }
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info != NULL ? http->router(http->router_arg, info->connect_fd) : NULL;
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
            return send_busy(connection);
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
    struct application *app = application_for(http, connection);
    if (app == NULL) {
        static const char NO_DEVICE[] = "{\"error\":\"no device at this address\"}";
        http_api_response_t none;
        memset(&none, 0, sizeof(none));
        none.status = MHD_HTTP_NOT_FOUND;
        none.content_type = "application/json";
        none.body_len = sizeof(NO_DEVICE) - 1;
        return send_response(connection, &none, NO_DEVICE);
    }
    http_api_response_t resp;
    memset(&resp, 0, sizeof(resp));
    http_api_request_t req;
    build_request(connection, url, method, slot, &req);
    http_api_handle(app, &req, slot->response, sizeof(slot->response), &resp);
    /* A setup form carries a WiFi password and every write the setup secret: do not keep them. */
    memset(slot->body, 0, sizeof(slot->body));
    (void)pthread_mutex_lock(&http->mutex);
    slot->answered_seq = ++http->seq;
    http->requests++;
    (void)pthread_mutex_unlock(&http->mutex);
    return send_response(connection, &resp, slot->response);
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

/* Parses bind_address into addr (IPv4 or IPv6 literal). */
static bool parse_bind(const char *bind_address, uint16_t port, struct sockaddr_storage *addr, socklen_t *len)
{
    memset(addr, 0, sizeof(*addr));
    struct sockaddr_in *a4 = (struct sockaddr_in *)addr;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)addr;
    if (inet_pton(AF_INET, bind_address, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons(port);
        *len = sizeof(*a4);
        return true;
    }
    if (inet_pton(AF_INET6, bind_address, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(port);
        *len = sizeof(*a6);
        return true;
    }
    return false;
}

sim_http_result_t sim_http_listen(sim_http_t *http, const char *bind_address, uint16_t port)
{
    memset(http, 0, sizeof(*http));
    http->listen_fd = -1;
    struct sockaddr_storage addr;
    socklen_t addr_len = 0;
    if (bind_address == NULL || !parse_bind(bind_address, port, &addr, &addr_len)) {
        return SIM_HTTP_BAD_ADDRESS;
    }
    int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return SIM_HTTP_START_FAILED;
    }
    const int on = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    struct sockaddr_storage bound;
    socklen_t bound_len = sizeof(bound);
    if (bind(fd, (const struct sockaddr *)&addr, addr_len) != 0 || listen(fd, 64) != 0 ||
        getsockname(fd, (struct sockaddr *)&bound, &bound_len) != 0) {
        (void)close(fd);
        return SIM_HTTP_START_FAILED;
    }
    http->listen_fd = fd;
    http->listening = true;
    http->port = bound.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&bound)->sin6_port)
                                             : ntohs(((struct sockaddr_in *)&bound)->sin_port);
    return SIM_HTTP_OK;
}

sim_http_result_t sim_http_start(sim_http_t *http, struct application *app, const char *bind_address,
                                 uint16_t port, const executor_port_t *executor, void *executor_ctx,
                                 sim_event_sink_t *sink)
{
    if (!http->listening) {
        const sim_http_result_t listened = sim_http_listen(http, bind_address, port);
        if (listened != SIM_HTTP_OK) {
            return listened;
        }
    }
    http->app = app;
    if (pthread_mutex_init(&http->mutex, NULL) != 0) {
        return SIM_HTTP_START_FAILED;
    }
    /* microhttpd serves the socket sim_http_listen() bound (and closes it at stop). */
    /* epoll on Linux: no FD_SETSIZE ceiling, and one thread, so the callbacks never run concurrently. */
    unsigned int flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
    http->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, http, MHD_OPTION_LISTEN_SOCKET, (MHD_socket)http->listen_fd,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)SIM_HTTP_CONNECTION_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)SIM_HTTP_IDLE_TIMEOUT_S, MHD_OPTION_NOTIFY_CONNECTION, on_connection, http,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, http, MHD_OPTION_END);
    if (http->daemon == NULL) {
        (void)close(http->listen_fd);
        http->listen_fd = -1;
        http->listening = false;
        (void)pthread_mutex_destroy(&http->mutex);
        return SIM_HTTP_START_FAILED;
    }

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

sim_http_result_t sim_http_start_routed(sim_http_t *http, sim_http_router_fn router, void *router_arg)
{
    memset(http, 0, sizeof(*http));
    http->router = router;
    http->router_arg = router_arg;
    if (router == NULL || pthread_mutex_init(&http->mutex, NULL) != 0) {
        return SIM_HTTP_START_FAILED;
    }
    /* MHD_USE_ITC: a connection added from another thread is served at once, not at the next wake-up. */
    unsigned int flags =
        MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    http->daemon =
        MHD_start_daemon(flags, 0, NULL, NULL, on_request, http, MHD_OPTION_CONNECTION_LIMIT,
                         (unsigned int)SIM_HTTP_CONNECTION_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT,
                         (unsigned int)SIM_HTTP_IDLE_TIMEOUT_S, MHD_OPTION_NOTIFY_CONNECTION, on_connection,
                         http, MHD_OPTION_NOTIFY_COMPLETED, on_completed, http, MHD_OPTION_END);
    if (http->daemon == NULL) {
        (void)pthread_mutex_destroy(&http->mutex);
        return SIM_HTTP_START_FAILED;
    }
    return SIM_HTTP_OK;
}

bool sim_http_add_connection(sim_http_t *http, int fd, const struct sockaddr *addr, socklen_t addr_len)
{
    return MHD_add_connection(http->daemon, fd, addr, addr_len) == MHD_YES;
}

void sim_http_stop(sim_http_t *http)
{
    if (http == NULL) {
        return;
    }
    if (http->daemon == NULL) {
        if (http->listening && http->listen_fd >= 0) {
            (void)close(http->listen_fd); /* listened, never started */
            http->listen_fd = -1;
            http->listening = false;
        }
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
