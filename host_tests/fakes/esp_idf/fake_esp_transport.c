/* Fake of tcp_transport and of lwIP's setsockopt: see esp_transport.h and fake_esp_transport.h. */
#include <stdio.h>
#include <string.h>

#include "esp_transport_ssl.h"
#include "esp_transport_tcp.h"
#include "esp_transport_ws.h"
#include "fake_esp_transport.h"

#define FAKE_TRANSPORTS_MAX 8

static fake_transport_t s_transports[FAKE_TRANSPORTS_MAX];
static int s_count;
static bool s_fail_next;
static bool s_fail_next_ws;
static int s_sock = -1;
static int s_level = -1;
static int s_option = -1;
static int s_value = -1;

void fake_esp_transport_reset(void)
{
    memset(s_transports, 0, sizeof(s_transports));
    s_count = 0;
    s_fail_next = false;
    s_fail_next_ws = false;
    fake_lwip_reset();
}

fake_transport_t *fake_esp_transport_nth(int n)
{
    return n >= 0 && n < s_count ? &s_transports[n] : NULL;
}

int fake_esp_transport_count(void)
{
    return s_count;
}

void fake_esp_transport_fail_next_init(void)
{
    s_fail_next = true;
}

void fake_esp_transport_fail_next_ws_init(void)
{
    s_fail_next_ws = true;
}

static esp_transport_handle_t make(fake_transport_kind_t kind, esp_transport_handle_t parent)
{
    if (s_fail_next || s_count == FAKE_TRANSPORTS_MAX) {
        s_fail_next = false;
        return NULL;
    }
    fake_transport_t *t = &s_transports[s_count++];
    memset(t, 0, sizeof(*t));
    t->used = true;
    t->kind = kind;
    t->parent = parent;
    t->socket = 54; /* a connected socket once a connection exists; the test may change it */
    /* A new ws transport asks for "/" until told otherwise (transport_ws.c esp_transport_ws_init). */
    snprintf(t->path, sizeof(t->path), "/");
    return t;
}

esp_transport_handle_t esp_transport_tcp_init(void)
{
    return make(FAKE_TRANSPORT_TCP, NULL);
}

esp_transport_handle_t esp_transport_ssl_init(void)
{
    return make(FAKE_TRANSPORT_SSL, NULL);
}

esp_transport_handle_t esp_transport_ws_init(esp_transport_handle_t parent_handle)
{
    if (s_fail_next_ws) {
        s_fail_next_ws = false;
        return NULL;
    }
    return parent_handle == NULL ? NULL : make(FAKE_TRANSPORT_WS, parent_handle);
}

esp_err_t esp_transport_destroy(esp_transport_handle_t t)
{
    if (t == NULL) {
        return ESP_OK;
    }
    /* Only t: the ws transport frees its own context and leaves its parent alone (transport_ws.c ws_destroy;
     * ESP-MQTT's own transports are all in a list that destroys each, mqtt_client.c
     * esp_mqtt_client_create_transport). */
    t->destroys++;
    return ESP_OK;
}

esp_err_t esp_transport_set_default_port(esp_transport_handle_t t, int port)
{
    if (t == NULL) {
        return ESP_FAIL;
    }
    t->default_port = port;
    return ESP_OK;
}

int esp_transport_get_default_port(esp_transport_handle_t t)
{
    return t == NULL ? -1 : t->default_port;
}

void esp_transport_ws_set_path(esp_transport_handle_t t, const char *path)
{
    /* NULL path: the real one frees the path and sends "(null)"; never asked for here. */
    if (t != NULL && t->kind == FAKE_TRANSPORT_WS && path != NULL) {
        snprintf(t->path, sizeof(t->path), "%s", path);
    }
}

esp_err_t esp_transport_ws_set_subprotocol(esp_transport_handle_t t, const char *sub_protocol)
{
    if (t == NULL || t->kind != FAKE_TRANSPORT_WS) {
        return ESP_ERR_INVALID_ARG;
    }
    snprintf(t->subprotocol, sizeof(t->subprotocol), "%s", sub_protocol != NULL ? sub_protocol : "");
    return ESP_OK;
}

/* The status line of the last upgrade answer read; ws_connect sets it only when it reads one, so a failure
 * before the answer leaves the previous attempt's value (transport_ws.c ws_connect, http_status_code). */
int esp_transport_ws_get_upgrade_request_status(esp_transport_handle_t t)
{
    return t == NULL ? -1 : t->upgrade_status;
}

void esp_transport_ssl_set_cert_data(esp_transport_handle_t t, const char *data, int len)
{
    if (t != NULL) {
        t->cert_data = data;
        t->cert_len = len;
    }
}

void esp_transport_ssl_crt_bundle_attach(esp_transport_handle_t t,
                                         esp_err_t((*crt_bundle_attach)(void *conf)))
{
    if (t != NULL) {
        t->bundle_attached = crt_bundle_attach != NULL;
    }
}

/* Private in v5.4.2 (private_include/esp_transport_internal.h, defined in transport.c); the ws transport
 * answers its parent's socket (transport_ws.c ws_get_socket). */
int esp_transport_get_socket(esp_transport_handle_t t);
int esp_transport_get_socket(esp_transport_handle_t t)
{
    if (t == NULL) {
        return -1;
    }
    return t->kind == FAKE_TRANSPORT_WS && t->parent != NULL ? t->parent->socket : t->socket;
}

void fake_lwip_reset(void)
{
    s_sock = -1;
    s_level = -1;
    s_option = -1;
    s_value = -1;
}

int fake_lwip_setsockopt(int s, int level, int optname, const void *optval, socklen_t optlen)
{
    s_sock = s;
    s_level = level;
    s_option = optname;
    s_value = (optval != NULL && optlen == sizeof(int)) ? *(const int *)optval : -1;
    return s >= 0 ? 0 : -1;
}

int fake_lwip_last_setsockopt_socket(void)
{
    return s_sock;
}

int fake_lwip_last_setsockopt_level(void)
{
    return s_level;
}

int fake_lwip_last_setsockopt_option(void)
{
    return s_option;
}

int fake_lwip_last_setsockopt_value(void)
{
    return s_value;
}
