/*
 * form_decoder: reads fields of an application/x-www-form-urlencoded body (the provisioning form and
 * POST /config), decoding '+' and %XX. Works on the caller's bytes, writes only into the caller's buffer.
 */
#ifndef APPLICATION_FORM_DECODER_H
#define APPLICATION_FORM_DECODER_H

#include <stddef.h>

#include "application/app_status.h"

/*
 * Finds key in body[0..body_len) and decodes its value into out (NUL-terminated).
 * APP_OK; APP_ERR_NOT_FOUND; APP_ERR_TOO_LONG (decoded value + NUL > out_size; out = "");
 * APP_ERR_INVALID_VALUE (bad %-escape or a NUL byte in the value).
 */
app_err_t form_decoder_get(const char *body, size_t body_len, const char *key, char *out, size_t out_size);

#endif
