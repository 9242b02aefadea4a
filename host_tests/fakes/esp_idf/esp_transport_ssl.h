#ifndef FAKE_ESP_TRANSPORT_SSL_H
#define FAKE_ESP_TRANSPORT_SSL_H
#include "esp_transport.h"
esp_transport_handle_t esp_transport_ssl_init(void);
void esp_transport_ssl_set_cert_data(esp_transport_handle_t t, const char *data, int len);
void esp_transport_ssl_crt_bundle_attach(esp_transport_handle_t t,
                                         esp_err_t((*crt_bundle_attach)(void *conf)));
#endif
