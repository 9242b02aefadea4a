#ifndef FAKE_ESP_TRANSPORT_WS_H
#define FAKE_ESP_TRANSPORT_WS_H
#include "esp_transport.h"
esp_transport_handle_t esp_transport_ws_init(esp_transport_handle_t parent_handle);
/* void in v5.4.2: a failed copy of the path is only logged (transport_ws.c esp_transport_ws_set_path). */
void esp_transport_ws_set_path(esp_transport_handle_t t, const char *path);
esp_err_t esp_transport_ws_set_subprotocol(esp_transport_handle_t t, const char *sub_protocol);
int esp_transport_ws_get_upgrade_request_status(esp_transport_handle_t t);
#endif
