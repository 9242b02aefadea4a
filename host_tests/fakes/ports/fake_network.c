#include "fake_network.h"

#include <string.h>

static app_err_t fake_get_mac(void *ctx, mac_address_t *out)
{
    fake_network_t *fake = ctx;
    fake->get_mac_calls++;
    app_err_t result = fake_script_next(&fake->get_mac_results);
    if (result == APP_OK) {
        *out = fake->mac;
    }
    return result;
}

static app_err_t fake_get_ip(void *ctx, ipv4_address_t *out)
{
    fake_network_t *fake = ctx;
    fake->get_ip_calls++;
    if (!fake->has_ip) {
        return APP_ERR_NOT_CONNECTED;
    }
    *out = fake->ip;
    return APP_OK;
}

const network_port_t fake_network_port = {
    .get_mac = fake_get_mac,
    .get_ip = fake_get_ip,
};

void fake_network_init(fake_network_t *fake)
{
    memset(fake, 0, sizeof(*fake));
    fake_script_init(&fake->get_mac_results);
    fake_network_set_mac(fake, "02:00:00:00:00:01");
}

void fake_network_set_mac(fake_network_t *fake, const char *mac_text)
{
    (void)mac_address_parse(mac_text, &fake->mac);
}

void fake_network_set_ip(fake_network_t *fake, const char *ip_text)
{
    if (ip_text == NULL) {
        fake->has_ip = false;
        memset(&fake->ip, 0, sizeof(fake->ip));
        return;
    }
    fake->has_ip = ipv4_address_parse(ip_text, &fake->ip) == DOMAIN_OK;
}
