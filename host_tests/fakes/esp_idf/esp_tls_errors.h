/* Fake of ESP-IDF v5.4.2 esp-tls/esp_tls_errors.h: the codes the adapters classify (same values). */
#ifndef FAKE_ESP_TLS_ERRORS_H
#define FAKE_ESP_TLS_ERRORS_H
#include "esp_err.h"
#define ESP_ERR_ESP_TLS_BASE                    0x8000
#define ESP_ERR_ESP_TLS_CANNOT_RESOLVE_HOSTNAME (ESP_ERR_ESP_TLS_BASE + 0x01)
#define ESP_ERR_ESP_TLS_FAILED_CONNECT_TO_HOST  (ESP_ERR_ESP_TLS_BASE + 0x04)
#define ESP_ERR_ESP_TLS_CONNECTION_TIMEOUT      (ESP_ERR_ESP_TLS_BASE + 0x06)
#define ESP_ERR_ESP_TLS_TCP_CLOSED_FIN          (ESP_ERR_ESP_TLS_BASE + 0x08)
#define ESP_ERR_MBEDTLS_SSL_HANDSHAKE_FAILED    (ESP_ERR_ESP_TLS_BASE + 0x1A)
#endif
