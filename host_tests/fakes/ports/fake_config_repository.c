#include "fake_config_repository.h"

#include <string.h>

static bool field_ok(config_field_t field)
{
    return (int)field >= 0 && field < CONFIG_FIELD_COUNT;
}

static app_err_t fake_load(void *ctx, config_field_t field, char *buf, size_t buf_size)
{
    fake_config_repository_t *fake = ctx;
    if (!field_ok(field) || buf == NULL || buf_size == 0) {
        return APP_ERR_INVALID_ARG;
    }
    fake->load_calls[field]++;
    buf[0] = '\0';
    app_err_t scripted = fake_script_next(&fake->load_results[field]);
    if (scripted != APP_OK) {
        return scripted;
    }
    if (!fake->present[field]) {
        return APP_ERR_NOT_FOUND;
    }
    size_t len = strlen(fake->values[field]);
    if (len + 1 > buf_size) {
        return APP_ERR_TOO_LONG;
    }
    memcpy(buf, fake->values[field], len + 1);
    return APP_OK;
}

static app_err_t fake_store(void *ctx, config_field_t field, const char *value)
{
    fake_config_repository_t *fake = ctx;
    if (!field_ok(field) || value == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    fake->store_calls[field]++;
    app_err_t scripted = fake_script_next(&fake->store_results[field]);
    if (scripted != APP_OK) {
        return scripted;
    }
    fake_config_repository_set(fake, field, value);
    return APP_OK;
}

const config_repository_port_t fake_config_repository_port = {
    .load = fake_load,
    .store = fake_store,
};

void fake_config_repository_init(fake_config_repository_t *fake)
{
    memset(fake, 0, sizeof(*fake));
    for (int i = 0; i < CONFIG_FIELD_COUNT; i++) {
        fake_script_init(&fake->load_results[i]);
        fake_script_init(&fake->store_results[i]);
    }
}

void fake_config_repository_set(fake_config_repository_t *fake, config_field_t field, const char *value)
{
    if (!field_ok(field)) {
        return;
    }
    if (value == NULL) {
        fake->present[field] = false;
        fake->values[field][0] = '\0';
        return;
    }
    size_t len = strlen(value);
    if (len > FAKE_CONFIG_VALUE_MAX) {
        len = FAKE_CONFIG_VALUE_MAX;
    }
    memcpy(fake->values[field], value, len);
    fake->values[field][len] = '\0';
    fake->present[field] = true;
}

const char *fake_config_repository_get(const fake_config_repository_t *fake, config_field_t field)
{
    if (!field_ok(field) || !fake->present[field]) {
        return NULL;
    }
    return fake->values[field];
}
