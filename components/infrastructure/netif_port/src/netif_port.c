/* netif_port: see the header. */
#include "netif_port.h"

#include <string.h>

#include "esp_log.h"
#include "esp_mac.h"

app_err_t netif_port_result(const char *tag, esp_err_t err, const char *what)
{
    if (err == ESP_OK) {
        return APP_OK;
    }
    ESP_LOGE(tag, "%s: %s (0x%x)", what, esp_err_to_name(err), err);
    return err == ESP_ERR_NO_MEM ? APP_ERR_NO_MEMORY : APP_ERR_PLATFORM;
}

void netif_port_post(const char *tag, const executor_port_t *executor, void *executor_ctx,
                     const app_event_t *event)
{
    if (!executor->post(executor_ctx, event)) {
        ESP_LOGE(tag, "application queue full: %s lost", app_event_kind_to_str(event->kind));
    }
}

ipv4_address_t netif_port_ipv4(const esp_ip4_addr_t *addr)
{
    ipv4_address_t ip;
    /* addr holds network byte order: byte 0 in memory is the first octet on any host. */
    for (int i = 0; i < 4; i++) {
        ip.octets[i] = esp_ip4_addr_get_byte(addr, i);
    }
    return ip;
}

app_err_t netif_port_get_mac(const char *tag, mac_address_t *out)
{
    if (out == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    return netif_port_result(tag, esp_read_mac(out->bytes, ESP_MAC_WIFI_STA), "esp_read_mac");
}

app_err_t netif_port_get_ip(const char *tag, esp_netif_t *netif, bool has_ip, ipv4_address_t *out)
{
    if (out == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    if (!has_ip || netif == NULL) {
        return APP_ERR_NOT_CONNECTED;
    }
    esp_netif_ip_info_t info;
    app_err_t rc = netif_port_result(tag, esp_netif_get_ip_info(netif, &info), "esp_netif_get_ip_info");
    if (rc != APP_OK) {
        return rc;
    }
    *out = netif_port_ipv4(&info.ip);
    return ipv4_address_is_unspecified(out) ? APP_ERR_NOT_CONNECTED : APP_OK;
}

bool netif_port_ip_event(const char *tag, int32_t id, const void *data, int32_t got_ip_id, int32_t lost_ip_id,
                         app_event_t *out)
{
    memset(out, 0, sizeof(*out));
    if (id == got_ip_id && data != NULL) {
        const ip_event_got_ip_t *info = data;
        out->kind = APP_EVENT_WIFI_GOT_IP;
        out->ip = netif_port_ipv4(&info->ip_info.ip);
        char text[IPV4_ADDRESS_STR_SIZE];
        ipv4_address_format(&out->ip, text);
        ESP_LOGI(tag, "IP %s", text);
        return true;
    }
    if (id == lost_ip_id) {
        out->kind = APP_EVENT_WIFI_LOST_IP;
        ESP_LOGW(tag, "lost the IP address");
        return true;
    }
    return false;
}
