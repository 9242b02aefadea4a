#include "domain/domain_events.h"

#include <stddef.h>

/* The names double as the simulator's event-stream names ("state", "connect_attempt", ...). */
const char *domain_event_kind_to_str(domain_event_kind_t kind)
{
    static const char *const names[DOMAIN_EVENT_COUNT] = {
        [DOMAIN_EVENT_CONNECTION_STATE_CHANGED] = "state",
        [DOMAIN_EVENT_CONNECT_ATTEMPT] = "connect_attempt",
        [DOMAIN_EVENT_RETRY_SCHEDULED] = "retry_scheduled",
        [DOMAIN_EVENT_DEVICE_REGISTERED] = "registered",
        [DOMAIN_EVENT_REGISTRATION_FAILED] = "registration_failed",
        [DOMAIN_EVENT_WIFI_LINK_CHANGED] = "wifi",
        [DOMAIN_EVENT_PRESENCE] = "presence",
        [DOMAIN_EVENT_SHUT_DOWN] = "shut_down",
    };
    if ((unsigned)kind >= (unsigned)DOMAIN_EVENT_COUNT) {
        return "unknown";
    }
    return names[kind];
}

const char *registration_failure_to_str(registration_failure_t reason)
{
    static const char *const names[REGISTRATION_FAILURE_COUNT] = {
        [REGISTRATION_FAILURE_INVALID_MESSAGE] = "invalid_message",
        [REGISTRATION_FAILURE_NO_IP] = "no_ip",
        [REGISTRATION_FAILURE_PUBLISH_REFUSED] = "publish_refused",
        [REGISTRATION_FAILURE_DELETED] = "deleted",
        [REGISTRATION_FAILURE_NOT_ACKNOWLEDGED] = "not_acknowledged",
    };
    if ((unsigned)reason >= (unsigned)REGISTRATION_FAILURE_COUNT) {
        return "unknown";
    }
    return names[reason];
}
