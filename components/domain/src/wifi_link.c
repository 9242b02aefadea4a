#include "domain/wifi_link.h"

#include <string.h>

domain_status_t wifi_link_init(wifi_link_t *link, const wifi_link_config_t *config)
{
    if (link == NULL) {
        return DOMAIN_ERR_INVALID_ARG;
    }
    const retry_policy_config_t defaults = retry_policy_default_config();
    retry_policy_t policy;
    const domain_status_t status = retry_policy_init(&policy, config != NULL ? &config->retry : &defaults);
    if (status != DOMAIN_OK) {
        return status;
    }
    memset(link, 0, sizeof(*link));
    link->state = WIFI_LINK_IDLE;
    link->mode = WIFI_LINK_MODE_NONE;
    link->policy = policy;
    link->settle_ms =
        (config != NULL && config->settle_ms != 0) ? config->settle_ms : WIFI_LINK_DEFAULT_SETTLE_MS;
    return DOMAIN_OK;
}

static wifi_link_command_t *emit(wifi_link_commands_t *out, wifi_link_command_kind_t kind)
{
    if (out->count >= WIFI_LINK_MAX_COMMANDS) {
        return NULL; /* cannot happen (see WIFI_LINK_MAX_COMMANDS); never overrun */
    }
    wifi_link_command_t *cmd = &out->items[out->count++];
    memset(cmd, 0, sizeof(*cmd));
    cmd->kind = kind;
    return cmd;
}

static void arm(wifi_link_t *link, uint32_t delay_ms, wifi_link_commands_t *out)
{
    wifi_link_command_t *cmd = emit(out, WIFI_LINK_CMD_ARM_RETRY_TIMER);
    if (cmd != NULL) {
        cmd->delay_ms = delay_ms;
    }
    link->state = WIFI_LINK_BACKOFF;
}

static void request_low_power(wifi_link_t *link, wifi_link_commands_t *out)
{
    if (link->mode == WIFI_LINK_MODE_STATION && !link->low_power) {
        link->low_power = true;
        emit(out, WIFI_LINK_CMD_REQUEST_LOW_POWER);
    }
}

static void clear_low_power(wifi_link_t *link, wifi_link_commands_t *out)
{
    if (link->low_power) {
        link->low_power = false;
        emit(out, WIFI_LINK_CMD_CLEAR_LOW_POWER);
    }
}

static void start_connect(wifi_link_t *link, wifi_link_commands_t *out)
{
    clear_low_power(link, out);
    emit(out, WIFI_LINK_CMD_CONNECT);
    link->state = WIFI_LINK_CONNECTING;
}

static void report_down(wifi_link_t *link, int32_t code, wifi_link_commands_t *out)
{
    if (link->reported_up) {
        link->reported_up = false;
        wifi_link_command_t *cmd = emit(out, WIFI_LINK_CMD_REPORT_DOWN);
        if (cmd != NULL) {
            cmd->code = code;
        }
    }
}

static void report_ip(wifi_link_t *link, wifi_link_command_kind_t kind, wifi_link_commands_t *out)
{
    wifi_link_command_t *cmd = emit(out, kind);
    if (cmd != NULL) {
        cmd->ip = link->ip;
    }
}

static void on_start(wifi_link_t *link, bool has_credentials, wifi_link_commands_t *out)
{
    if (link->mode != WIFI_LINK_MODE_NONE) {
        return; /* started once */
    }
    link->has_credentials = has_credentials;
    link->mode = has_credentials ? WIFI_LINK_MODE_STATION : WIFI_LINK_MODE_PROVISIONING;
    emit(out, has_credentials ? WIFI_LINK_CMD_START_STATION : WIFI_LINK_CMD_START_PROVISIONING);
    link->state = WIFI_LINK_STARTING;
}

static void on_driver_started(wifi_link_t *link, wifi_link_commands_t *out)
{
    if (link->state != WIFI_LINK_STARTING) {
        return;
    }
    if (link->has_credentials) {
        start_connect(link, out);
    } else {
        link->state = WIFI_LINK_IDLE; /* provisioning: wait for the form */
    }
}

static void on_credentials_set(wifi_link_t *link, wifi_link_commands_t *out)
{
    if (link->mode == WIFI_LINK_MODE_NONE) {
        return; /* not started: no driver to try them with */
    }
    link->has_credentials = true;
    retry_policy_reset(&link->policy);
    switch (link->state) {
        case WIFI_LINK_STARTING:
            return; /* DRIVER_STARTED connects */
        case WIFI_LINK_BACKOFF:
            emit(out, WIFI_LINK_CMD_CANCEL_RETRY_TIMER);
            break;
        case WIFI_LINK_CONNECTING:
        case WIFI_LINK_CONNECTED:
            report_down(link, 0, out);
            emit(out, WIFI_LINK_CMD_DISCONNECT);
            break;
        default:
            break;
    }
    clear_low_power(link, out);
    link->settling = true;
    arm(link, link->settle_ms, out);
}

static void back_off(wifi_link_t *link, uint32_t delay_ms, wifi_link_commands_t *out)
{
    link->last_delay_ms = delay_ms;
    arm(link, delay_ms, out);
    request_low_power(link, out);
}

static void on_connect_refused(wifi_link_t *link, wifi_link_commands_t *out)
{
    if (link->state != WIFI_LINK_CONNECTING) {
        return;
    }
    back_off(link, link->last_delay_ms != 0 ? link->last_delay_ms : link->policy.config.initial_ms, out);
}

static void on_disconnected(wifi_link_t *link, const wifi_link_event_t *event, wifi_link_commands_t *out)
{
    link->last_reason = event->code;
    /* Back off before reporting down: the link's low-power request then comes before the MQTT connection
     * drops its own, so the radio does not wake between the two waits. */
    if ((link->state == WIFI_LINK_CONNECTING || link->state == WIFI_LINK_CONNECTED) &&
        link->has_credentials) {
        back_off(link, retry_policy_next_delay_ms(&link->policy, event->random_value), out);
    }
    report_down(link, event->code, out);
}

static void on_got_ip(wifi_link_t *link, const ipv4_address_t *ip, wifi_link_commands_t *out)
{
    if (link->state == WIFI_LINK_IDLE || link->state == WIFI_LINK_STARTING || link->settling) {
        /* No connect was asked for, or the attempt with the old credentials was dropped: a late report
         * that must not finish provisioning with credentials never tried. */
        return;
    }
    if (link->state == WIFI_LINK_BACKOFF) {
        emit(out, WIFI_LINK_CMD_CANCEL_RETRY_TIMER);
    }
    clear_low_power(link, out);
    retry_policy_reset(&link->policy);
    link->last_delay_ms = 0;
    const bool changed = !ipv4_address_equal(&link->ip, ip);
    link->ip = *ip;
    link->state = WIFI_LINK_CONNECTED;
    if (link->mode == WIFI_LINK_MODE_PROVISIONING) {
        if (!link->finishing) {
            link->finishing = true;
            emit(out, WIFI_LINK_CMD_FINISH_PROVISIONING);
        }
        return;
    }
    if (!link->reported_up) {
        link->reported_up = true;
        report_ip(link, WIFI_LINK_CMD_REPORT_UP, out);
    } else if (changed) {
        report_ip(link, WIFI_LINK_CMD_REPORT_IP_CHANGED, out);
    }
}

static void on_lost_ip(wifi_link_t *link, wifi_link_commands_t *out)
{
    report_down(link, 0, out);
    if (link->state == WIFI_LINK_CONNECTED) {
        link->state = WIFI_LINK_CONNECTING; /* associated; the DHCP client asks again */
    }
}

static void on_retry_timer_fired(wifi_link_t *link, wifi_link_commands_t *out)
{
    if (link->state == WIFI_LINK_BACKOFF && link->has_credentials) {
        link->settling = false;
        start_connect(link, out);
    }
}

static void on_provisioning_finished(wifi_link_t *link, wifi_link_commands_t *out)
{
    if (link->mode != WIFI_LINK_MODE_PROVISIONING || !link->finishing) {
        return; /* only the answer to FINISH_PROVISIONING ends provisioning */
    }
    link->mode = WIFI_LINK_MODE_STATION;
    link->finishing = false;
    if (link->state == WIFI_LINK_CONNECTED && !link->reported_up) {
        link->reported_up = true;
        report_ip(link, WIFI_LINK_CMD_REPORT_UP, out);
    }
}

static void on_factory_reset(wifi_link_t *link, wifi_link_commands_t *out)
{
    if (link->mode == WIFI_LINK_MODE_NONE) {
        return; /* not started: START reads the (now empty) credentials */
    }
    const bool open_access_point = link->mode == WIFI_LINK_MODE_STATION || link->finishing;
    report_down(link, 0, out);
    if (link->state == WIFI_LINK_CONNECTING || link->state == WIFI_LINK_CONNECTED) {
        emit(out, WIFI_LINK_CMD_DISCONNECT);
    } else if (link->state == WIFI_LINK_BACKOFF) {
        emit(out, WIFI_LINK_CMD_CANCEL_RETRY_TIMER);
    }
    clear_low_power(link, out);
    link->mode = WIFI_LINK_MODE_PROVISIONING;
    link->has_credentials = false;
    link->finishing = false;
    link->settling = false;
    link->last_delay_ms = 0;
    retry_policy_reset(&link->policy);
    if (link->state != WIFI_LINK_STARTING) {
        link->state = WIFI_LINK_IDLE; /* the driver runs: no DRIVER_STARTED will come */
    }
    if (open_access_point) {
        emit(out, WIFI_LINK_CMD_START_PROVISIONING);
    }
}

wifi_link_state_t wifi_link_handle(wifi_link_t *link, const wifi_link_event_t *event,
                                   wifi_link_commands_t *out)
{
    wifi_link_commands_t scratch;
    if (out == NULL) {
        out = &scratch;
    }
    out->count = 0;
    if (link == NULL) {
        return WIFI_LINK_IDLE;
    }
    if (event == NULL) {
        return link->state;
    }
    switch (event->kind) {
        case WIFI_LINK_EV_START:
            on_start(link, event->has_credentials, out);
            break;
        case WIFI_LINK_EV_DRIVER_STARTED:
            on_driver_started(link, out);
            break;
        case WIFI_LINK_EV_CREDENTIALS_SET:
            on_credentials_set(link, out);
            break;
        case WIFI_LINK_EV_CONNECT_REFUSED:
            on_connect_refused(link, out);
            break;
        case WIFI_LINK_EV_DISCONNECTED:
            on_disconnected(link, event, out);
            break;
        case WIFI_LINK_EV_GOT_IP:
            on_got_ip(link, &event->ip, out);
            break;
        case WIFI_LINK_EV_LOST_IP:
            on_lost_ip(link, out);
            break;
        case WIFI_LINK_EV_RETRY_TIMER_FIRED:
            on_retry_timer_fired(link, out);
            break;
        case WIFI_LINK_EV_PROVISIONING_FINISHED:
            on_provisioning_finished(link, out);
            break;
        case WIFI_LINK_EV_FACTORY_RESET:
            on_factory_reset(link, out);
            break;
        default:
            break;
    }
    return link->state;
}

const char *wifi_link_state_to_str(wifi_link_state_t state)
{
    static const char *const names[WIFI_LINK_STATE_COUNT] = {
        [WIFI_LINK_IDLE] = "idle",
        [WIFI_LINK_STARTING] = "starting",
        [WIFI_LINK_CONNECTING] = "connecting",
        [WIFI_LINK_CONNECTED] = "connected",
        [WIFI_LINK_BACKOFF] = "backoff",
    };
    return (unsigned)state < (unsigned)WIFI_LINK_STATE_COUNT ? names[state] : "unknown";
}

const char *wifi_link_mode_to_str(wifi_link_mode_t mode)
{
    static const char *const names[WIFI_LINK_MODE_COUNT] = {
        [WIFI_LINK_MODE_NONE] = "none",
        [WIFI_LINK_MODE_STATION] = "station",
        [WIFI_LINK_MODE_PROVISIONING] = "provisioning",
    };
    return (unsigned)mode < (unsigned)WIFI_LINK_MODE_COUNT ? names[mode] : "unknown";
}

const char *wifi_link_event_to_str(wifi_link_event_kind_t kind)
{
    static const char *const names[WIFI_LINK_EV_COUNT] = {
        [WIFI_LINK_EV_START] = "start",
        [WIFI_LINK_EV_DRIVER_STARTED] = "driver_started",
        [WIFI_LINK_EV_CREDENTIALS_SET] = "credentials_set",
        [WIFI_LINK_EV_CONNECT_REFUSED] = "connect_refused",
        [WIFI_LINK_EV_DISCONNECTED] = "disconnected",
        [WIFI_LINK_EV_GOT_IP] = "got_ip",
        [WIFI_LINK_EV_LOST_IP] = "lost_ip",
        [WIFI_LINK_EV_RETRY_TIMER_FIRED] = "retry_timer_fired",
        [WIFI_LINK_EV_PROVISIONING_FINISHED] = "provisioning_finished",
        [WIFI_LINK_EV_FACTORY_RESET] = "factory_reset",
    };
    return (unsigned)kind < (unsigned)WIFI_LINK_EV_COUNT ? names[kind] : "unknown";
}

const char *wifi_link_command_to_str(wifi_link_command_kind_t kind)
{
    static const char *const names[WIFI_LINK_CMD_COUNT] = {
        [WIFI_LINK_CMD_START_STATION] = "start_station",
        [WIFI_LINK_CMD_START_PROVISIONING] = "start_provisioning",
        [WIFI_LINK_CMD_CONNECT] = "connect",
        [WIFI_LINK_CMD_DISCONNECT] = "disconnect",
        [WIFI_LINK_CMD_ARM_RETRY_TIMER] = "arm_retry_timer",
        [WIFI_LINK_CMD_CANCEL_RETRY_TIMER] = "cancel_retry_timer",
        [WIFI_LINK_CMD_REQUEST_LOW_POWER] = "request_low_power",
        [WIFI_LINK_CMD_CLEAR_LOW_POWER] = "clear_low_power",
        [WIFI_LINK_CMD_REPORT_UP] = "report_up",
        [WIFI_LINK_CMD_REPORT_DOWN] = "report_down",
        [WIFI_LINK_CMD_REPORT_IP_CHANGED] = "report_ip_changed",
        [WIFI_LINK_CMD_FINISH_PROVISIONING] = "finish_provisioning",
    };
    return (unsigned)kind < (unsigned)WIFI_LINK_CMD_COUNT ? names[kind] : "unknown";
}
