#ifndef FAKE_ESP_TRANSPORT_TCP_H
#define FAKE_ESP_TRANSPORT_TCP_H
#include "esp_transport.h"
esp_transport_handle_t esp_transport_tcp_init(void);
#endif
