/* app_status: text for the application's result codes (X-macro, so enum and text never drift apart). */
#include "application/app_status.h"

#include <stddef.h>

const char *app_err_to_str(app_err_t err)
{
    static const char *const texts[] = {
#define APP_STATUS_TEXT(name, text) text,
        APP_STATUS_LIST(APP_STATUS_TEXT)
#undef APP_STATUS_TEXT
    };
    if ((int)err < 0 || (size_t)err >= sizeof(texts) / sizeof(texts[0])) {
        return "unknown";
    }
    return texts[err];
}
