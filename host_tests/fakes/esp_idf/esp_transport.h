/*
 * Fake of ESP-IDF v5.4.2 tcp_transport (esp_transport.h, esp_transport_tcp.h, esp_transport_ssl.h,
 * esp_transport_ws.h, and the private esp_transport_get_socket): transports are records the test inspects
 * (fake_esp_transport.h); nothing connects. Only what the adapters use is declared, with the real signatures.
 */
#ifndef FAKE_ESP_TRANSPORT_H
#define FAKE_ESP_TRANSPORT_H

#include "esp_err.h"

typedef struct esp_transport_item_t *esp_transport_handle_t;

esp_err_t esp_transport_destroy(esp_transport_handle_t t);
esp_err_t esp_transport_set_default_port(esp_transport_handle_t t, int port);
/* -1 for NULL (transport.c esp_transport_get_default_port). */
int esp_transport_get_default_port(esp_transport_handle_t t);

#endif
