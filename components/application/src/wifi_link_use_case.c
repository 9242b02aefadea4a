/* wifi_link_use_case: see the header. The entity decides; this file carries out and reports. */
#include "application/wifi_link_use_case.h"

#include <string.h>

#include "application/app_report.h"

/* Follow-ups one command list can cause: a refused connect, the end of provisioning. */
#define FOLLOW_UP_MAX 4

typedef struct {
    wifi_link_event_kind_t items[FOLLOW_UP_MAX];
    size_t count;
} follow_ups_t;

void wifi_link_use_case_init(wifi_link_use_case_t *uc, const app_ports_t *ports,
                             const retry_policy_config_t *retry, uint32_t settle_ms,
                             app_status_snapshot_t *status, power_arbiter_t *power,
                             provisioning_t *provisioning, wifi_link_use_case_network_fn on_network,
                             void *network_arg)
{
    memset(uc, 0, sizeof(*uc));
    uc->ports = ports;
    uc->status = status;
    uc->power = power;
    uc->provisioning = provisioning;
    uc->on_network = on_network;
    uc->network_arg = network_arg;
    const wifi_link_config_t config = {.retry = *retry, .settle_ms = settle_ms};
    if (wifi_link_init(&uc->link, &config) != DOMAIN_OK) {
        (void)wifi_link_init(&uc->link, NULL);
    }
}

static void follow_up(follow_ups_t *f, wifi_link_event_kind_t kind)
{
    if (f->count < FOLLOW_UP_MAX) {
        f->items[f->count++] = kind;
    }
}

static void report_network(wifi_link_use_case_t *uc, mqtt_connection_event_kind_t kind,
                           const ipv4_address_t *ip)
{
    uc->status->has_ip = kind != MQTT_CONNECTION_EV_NETWORK_DOWN;
    if (ip != NULL) {
        uc->status->ip = *ip;
    }
    uc->on_network(uc->network_arg, kind, ip);
}

static void set_low_power(wifi_link_use_case_t *uc, bool low)
{
    const app_err_t rc = power_arbiter_set(uc->power, POWER_REQUESTER_LINK, low);
    if (rc != APP_OK) {
        app_report_noticef(uc->ports, APP_NOTICE_WARNING, "wifi: low power %s failed: %s",
                           low ? "request" : "release", app_err_to_str(rc));
    }
}

static void start_provisioning(wifi_link_use_case_t *uc)
{
    mac_address_t mac;
    const app_err_t rc = uc->ports->network->get_mac(uc->ports->network_ctx, &mac);
    if (rc != APP_OK) {
        app_report_noticef(uc->ports, APP_NOTICE_ERROR, "provisioning: cannot read the MAC address (%s)",
                           app_err_to_str(rc));
        return;
    }
    (void)provisioning_start(uc->provisioning, &mac);
}

static void forget_credentials(wifi_link_use_case_t *uc)
{
    const app_err_t rc = uc->ports->wifi->forget_credentials(uc->ports->wifi_ctx);
    if (rc != APP_OK) {
        app_report_noticef(uc->ports, APP_NOTICE_ERROR,
                           "factory reset: WiFi credentials not erased (%s); provisioning anyway",
                           app_err_to_str(rc));
        return;
    }
    app_report_notice(uc->ports, APP_NOTICE_INFO, "factory reset: WiFi credentials erased");
}

static void execute(wifi_link_use_case_t *uc, const wifi_link_command_t *cmd, follow_ups_t *follow_ups)
{
    const app_ports_t *p = uc->ports;
    app_err_t rc;
    switch (cmd->kind) {
        case WIFI_LINK_CMD_START_STATION:
            rc = p->wifi->start_station(p->wifi_ctx);
            if (rc != APP_OK) {
                app_report_noticef(p, APP_NOTICE_ERROR, "wifi: station not started: %s", app_err_to_str(rc));
            }
            break;
        case WIFI_LINK_CMD_START_PROVISIONING:
            start_provisioning(uc);
            break;
        case WIFI_LINK_CMD_CONNECT:
            rc = p->wifi->connect(p->wifi_ctx);
            if (rc != APP_OK) {
                app_report_noticef(p, APP_NOTICE_WARNING, "wifi: connect refused: %s", app_err_to_str(rc));
                follow_up(follow_ups, WIFI_LINK_EV_CONNECT_REFUSED);
            }
            break;
        case WIFI_LINK_CMD_DISCONNECT:
            rc = p->wifi->disconnect(p->wifi_ctx);
            if (rc != APP_OK) {
                app_report_noticef(p, APP_NOTICE_WARNING, "wifi: disconnect failed: %s", app_err_to_str(rc));
            }
            break;
        case WIFI_LINK_CMD_ARM_RETRY_TIMER:
            uc->timer_token++;
            rc = p->timer->arm_once(p->timer_ctx, APP_TIMER_LINK, cmd->delay_ms, uc->timer_token);
            if (rc != APP_OK) {
                /* Nothing would end the wait; the next driver event restarts the schedule. */
                app_report_noticef(p, APP_NOTICE_ERROR, "wifi: retry timer not armed: %s",
                                   app_err_to_str(rc));
            }
            break;
        case WIFI_LINK_CMD_CANCEL_RETRY_TIMER:
            uc->timer_token++; /* an expiry already posted is now stale */
            rc = p->timer->cancel(p->timer_ctx, APP_TIMER_LINK);
            if (rc != APP_OK) {
                app_report_noticef(p, APP_NOTICE_WARNING, "wifi: retry timer cancel failed: %s",
                                   app_err_to_str(rc));
            }
            break;
        case WIFI_LINK_CMD_REQUEST_LOW_POWER:
            set_low_power(uc, true);
            break;
        case WIFI_LINK_CMD_CLEAR_LOW_POWER:
            set_low_power(uc, false);
            break;
        case WIFI_LINK_CMD_REPORT_UP:
            report_network(uc, MQTT_CONNECTION_EV_NETWORK_UP, &cmd->ip);
            break;
        case WIFI_LINK_CMD_REPORT_DOWN:
            report_network(uc, MQTT_CONNECTION_EV_NETWORK_DOWN, NULL);
            break;
        case WIFI_LINK_CMD_REPORT_IP_CHANGED:
            report_network(uc, MQTT_CONNECTION_EV_IP_CHANGED, &cmd->ip);
            break;
        case WIFI_LINK_CMD_FINISH_PROVISIONING:
            provisioning_finish(uc->provisioning);
            follow_up(follow_ups, WIFI_LINK_EV_PROVISIONING_FINISHED);
            break;
        default:
            break;
    }
}

static void report_change(wifi_link_use_case_t *uc, wifi_link_state_t old_state, wifi_link_mode_t old_mode)
{
    const wifi_link_t *link = &uc->link;
    if (link->state == old_state && link->mode == old_mode) {
        return;
    }
    domain_event_t event = {.kind = DOMAIN_EVENT_WIFI_LINK_CHANGED};
    event.data.wifi_link.old_state = old_state;
    event.data.wifi_link.new_state = link->state;
    event.data.wifi_link.mode = link->mode;
    event.data.wifi_link.reason = link->last_reason;
    event.data.wifi_link.retry_ms = link->state == WIFI_LINK_BACKOFF ? link->last_delay_ms : 0;
    app_report_event(uc->ports, &event);
}

static void feed(wifi_link_use_case_t *uc, wifi_link_event_t event)
{
    follow_ups_t follow_ups = {.count = 0};
    size_t next = 0;
    for (;;) {
        if (event.kind == WIFI_LINK_EV_DISCONNECTED) {
            /* Only a disconnect advances the policy: the jitter's random input is drawn for it alone. */
            event.random_value = uc->ports->timer->random_u32(uc->ports->timer_ctx);
        }
        const wifi_link_state_t old_state = uc->link.state;
        const wifi_link_mode_t old_mode = uc->link.mode;
        wifi_link_commands_t commands = {.count = 0};
        (void)wifi_link_handle(&uc->link, &event, &commands);
        report_change(uc, old_state, old_mode);
        for (size_t i = 0; i < commands.count && i < WIFI_LINK_MAX_COMMANDS; i++) {
            execute(uc, &commands.items[i], &follow_ups);
        }
        if (next >= follow_ups.count) {
            break;
        }
        memset(&event, 0, sizeof(event));
        event.kind = follow_ups.items[next++];
    }
}

void wifi_link_use_case_handle(wifi_link_use_case_t *uc, const app_event_t *event)
{
    wifi_link_event_t in;
    memset(&in, 0, sizeof(in));
    switch (event->kind) {
        case APP_EVENT_START:
            in.kind = WIFI_LINK_EV_START;
            in.has_credentials = uc->ports->wifi->has_credentials(uc->ports->wifi_ctx);
            break;
        case APP_EVENT_WIFI_STARTED:
            in.kind = WIFI_LINK_EV_DRIVER_STARTED;
            break;
        case APP_EVENT_WIFI_DISCONNECTED:
            in.kind = WIFI_LINK_EV_DISCONNECTED;
            in.code = event->code;
            break;
        case APP_EVENT_WIFI_GOT_IP:
            in.kind = WIFI_LINK_EV_GOT_IP;
            in.ip = event->ip;
            break;
        case APP_EVENT_WIFI_LOST_IP:
            in.kind = WIFI_LINK_EV_LOST_IP;
            break;
        case APP_EVENT_WIFI_CREDENTIALS_SET:
            in.kind = WIFI_LINK_EV_CREDENTIALS_SET;
            break;
        case APP_EVENT_FACTORY_RESET:
            forget_credentials(uc);
            in.kind = WIFI_LINK_EV_FACTORY_RESET;
            break;
        case APP_EVENT_TIMER_FIRED:
            if (event->timer != APP_TIMER_LINK || event->token != uc->timer_token) {
                return; /* another timer's, or stale */
            }
            in.kind = WIFI_LINK_EV_RETRY_TIMER_FIRED;
            break;
        default:
            return;
    }
    feed(uc, in);
}

void wifi_link_use_case_refresh_status(wifi_link_use_case_t *uc)
{
    uc->status->wifi_state = uc->link.state;
    uc->status->wifi_mode = uc->link.mode;
    uc->status->provisioning = uc->link.mode == WIFI_LINK_MODE_PROVISIONING;
}
