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

static sim_http_slot_t *acquire_slot(sim_http_t *http)
{
    sim_http_slot_t *slot = NULL;
    (void)pthread_mutex_lock(&http->mutex);
    for (size_t i = 0; i < SIM_HTTP_MAX_CONNECTIONS; i++) {
        if (!http->slots[i].used) {
            slot = &http->slots[i];
            slot->used = true;
            slot->body_len = 0;
            break;
        }
    }
    (void)pthread_mutex_unlock(&http->mutex);
    return slot;
}

static void release_slot(sim_http_t *http, sim_http_slot_t *slot)
{
    (void)pthread_mutex_lock(&http->mutex);
    slot->used = false;
    (void)pthread_mutex_unlock(&http->mutex);
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
        slot = acquire_slot(http);
        if (slot == NULL) {
            static const char BUSY[] = "{\"error\":\"busy\"}";
            return send_response(connection, MHD_HTTP_SERVICE_UNAVAILABLE, "application/json", BUSY,
                                 sizeof(BUSY) - 1);
        }
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
        return send_response(connection, MHD_HTTP_NOT_FOUND, "application/json", NO_DEVICE,
                             sizeof(NO_DEVICE) - 1);
    }
    http_api_response_t resp;
    memset(&resp, 0, sizeof(resp));
    http_api_handle(app, sim_http_method(method), url, slot->body_len > 0 ? slot->body : NULL, slot->body_len,
                    slot->response, sizeof(slot->response), &resp);
    http->requests++;
    return send_response(connection, resp.status, resp.content_type, slot->response, resp.body_len);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)connection;
    (void)toe;
    sim_http_t *http = cls;
    if (con_cls != NULL && *con_cls != NULL) {
        release_slot(http, *con_cls);
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
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
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
                                    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)SIM_HTTP_MAX_CONNECTIONS,
                                    MHD_OPTION_CONNECTION_TIMEOUT, 15u, MHD_OPTION_NOTIFY_COMPLETED,
                                    on_completed, http, MHD_OPTION_END);
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
    http->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, http, MHD_OPTION_CONNECTION_LIMIT,
                                    (unsigned int)SIM_HTTP_MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
                                    15u, MHD_OPTION_NOTIFY_COMPLETED, on_completed, http, MHD_OPTION_END);
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
    if (http == NULL || http->daemon == NULL) {
        return;
    }
    MHD_stop_daemon(http->daemon);
    http->daemon = NULL;
    (void)pthread_mutex_destroy(&http->mutex);
}
