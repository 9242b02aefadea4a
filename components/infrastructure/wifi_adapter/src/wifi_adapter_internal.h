/* wifi_adapter's private declarations, shared by its source files. */
#ifndef WIFI_ADAPTER_INTERNAL_H
#define WIFI_ADAPTER_INTERNAL_H

#include <stddef.h>

#include "application/ports/wifi_station_port.h"
#include "esp_err.h"

/* The port's result for a driver call: APP_OK, else the ESP-IDF code logged once and APP_ERR_NO_MEMORY for
 * ESP_ERR_NO_MEM, APP_ERR_PLATFORM for the rest. */
app_err_t wifi_adapter_to_app(esp_err_t err, const char *what);

/* wifi_station_port_t.scan: a blocking scan, up to max networks in out, the driver's records cleared. */
app_err_t wifi_adapter_scan(void *ctx, wifi_station_network_t *out, size_t max, size_t *count);

#endif /* WIFI_ADAPTER_INTERNAL_H */
