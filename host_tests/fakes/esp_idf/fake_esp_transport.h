/*
 * Control and inspection of the tcp_transport and lwIP socket-option fakes. The transports built by the code
 * under test are records: kind, parent, default port, WebSocket path and subprotocol, TLS verification, and
 * how often each was destroyed (a real transport is freed by its first esp_transport_destroy: a second one is
 * a double free, which the tests check never happens).
 */
#ifndef FAKE_ESP_TRANSPORT_CONTROL_H
#define FAKE_ESP_TRANSPORT_CONTROL_H

#include <stdbool.h>

#include "esp_transport.h"
#include "lwip/sockets.h"

typedef enum {
    FAKE_TRANSPORT_TCP = 0,
    FAKE_TRANSPORT_SSL,
    FAKE_TRANSPORT_WS,
} fake_transport_kind_t;

typedef struct esp_transport_item_t {
    bool used;
    int destroys; /* esp_transport_destroy calls on this transport (1 = freed; 2 or more = double free) */
    fake_transport_kind_t kind;
    esp_transport_handle_t parent;
    int default_port;
    char path[64];
    char subprotocol[16];
    const char *cert_data;
    int cert_len;
    bool bundle_attached;
    int socket;         /* what esp_transport_get_socket answers (-1: none) */
    int upgrade_status; /* what esp_transport_ws_get_upgrade_request_status answers */
} fake_transport_t;

void fake_esp_transport_reset(void);
/* The n-th transport created since the reset (NULL past the end). */
fake_transport_t *fake_esp_transport_nth(int n);
int fake_esp_transport_count(void);
/* The next *_init fails (returns NULL). */
void fake_esp_transport_fail_next_init(void);
/* The next esp_transport_ws_init fails (its parent was created). */
void fake_esp_transport_fail_next_ws_init(void);

#endif
