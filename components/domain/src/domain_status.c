#include "domain/domain_status.h"

#include <stddef.h>

const char *domain_status_to_str(domain_status_t status)
{
    /* Built from the same X-macro as the enum, so a new status cannot be added without its text. */
    static const char *const texts[] = {
#define DOMAIN_STATUS_TEXT(name, text) text,
        DOMAIN_STATUS_LIST(DOMAIN_STATUS_TEXT)
#undef DOMAIN_STATUS_TEXT
    };
    if ((unsigned)status >= (unsigned)DOMAIN_STATUS_COUNT) {
        return "unknown";
    }
    return texts[status];
}
