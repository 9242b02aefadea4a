/* Fake of esp_err_to_name(): the names of the codes declared in esp_err.h, as ESP-IDF prints them. */
#include <stddef.h>

#include "esp_err.h"

typedef struct {
    esp_err_t code;
    const char *name;
} fake_esp_err_name_t;

#define FAKE_ESP_ERR_NAME(code) \
    {                           \
        code, #code             \
    }

static const fake_esp_err_name_t s_names[] = {
    FAKE_ESP_ERR_NAME(ESP_OK),
    FAKE_ESP_ERR_NAME(ESP_FAIL),
    FAKE_ESP_ERR_NAME(ESP_ERR_NO_MEM),
    FAKE_ESP_ERR_NAME(ESP_ERR_INVALID_ARG),
    FAKE_ESP_ERR_NAME(ESP_ERR_INVALID_STATE),
    FAKE_ESP_ERR_NAME(ESP_ERR_INVALID_SIZE),
    FAKE_ESP_ERR_NAME(ESP_ERR_NOT_FOUND),
    FAKE_ESP_ERR_NAME(ESP_ERR_NOT_SUPPORTED),
    FAKE_ESP_ERR_NAME(ESP_ERR_TIMEOUT),
    FAKE_ESP_ERR_NAME(ESP_ERR_INVALID_RESPONSE),
    FAKE_ESP_ERR_NAME(ESP_ERR_INVALID_CRC),
    FAKE_ESP_ERR_NAME(ESP_ERR_INVALID_VERSION),
    FAKE_ESP_ERR_NAME(ESP_ERR_INVALID_MAC),
    FAKE_ESP_ERR_NAME(ESP_ERR_NOT_FINISHED),
    FAKE_ESP_ERR_NAME(ESP_ERR_NOT_ALLOWED),
};

const char *esp_err_to_name(esp_err_t code)
{
    for (size_t i = 0; i < sizeof(s_names) / sizeof(s_names[0]); i++) {
        if (s_names[i].code == code) {
            return s_names[i].name;
        }
    }
    /* What ESP-IDF returns for a code it has no name for. */
    return "UNKNOWN ERROR";
}
