/* Fake of esp_app_get_description(): a constant description (see esp_app_desc.h). */
#include "esp_app_desc.h"

static const esp_app_desc_t s_desc = {
    .magic_word = 0xABCD5432u,
    .version = FAKE_ESP_APP_VERSION,
    .project_name = "smart_irrigation_node",
    .idf_ver = "v5.4.2",
};

const esp_app_desc_t *esp_app_get_description(void)
{
    return &s_desc;
}
