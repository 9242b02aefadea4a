/* http_guard: see the header. */
#include "application/http_guard.h"

#include <stdint.h>
#include <string.h>

#include "application/form_decoder.h"
#include "domain/setup_secret.h"

/* The longest Authorization value worth decoding: "Basic " + base64 of a user name and the secret. */
#define AUTH_DECODED_MAX 96

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool equals_nocase(const char *a, size_t a_len, const char *b, size_t b_len)
{
    if (a_len != b_len) {
        return false;
    }
    for (size_t i = 0; i < a_len; i++) {
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

/* host[:port] without the default port of the scheme (80 for http, 443 for https). */
static size_t authority_len(const char *authority, size_t len, bool https)
{
    const char *suffix = https ? ":443" : ":80";
    const size_t suffix_len = strlen(suffix);
    if (len > suffix_len && strncmp(authority + len - suffix_len, suffix, suffix_len) == 0) {
        return len - suffix_len;
    }
    return len;
}

bool http_guard_is_cross_site(const http_api_request_t *req)
{
    if (req->sec_fetch_site != NULL &&
        equals_nocase(req->sec_fetch_site, strlen(req->sec_fetch_site), "cross-site", strlen("cross-site"))) {
        return true;
    }
    if (req->origin == NULL) {
        return false;
    }
    /* "null" (a sandboxed page, a file) and anything that is not scheme://authority come from elsewhere. */
    const char *sep = strstr(req->origin, "://");
    if (sep == NULL || req->host == NULL) {
        return true;
    }
    const bool https = (size_t)(sep - req->origin) == 5 && strncmp(req->origin, "https", 5) == 0;
    const char *authority = sep + 3;
    size_t len = strcspn(authority, "/");
    len = authority_len(authority, len, https);
    const size_t host_len = authority_len(req->host, strlen(req->host), https);
    return len == 0 || !equals_nocase(authority, len, req->host, host_len);
}

static int base64_value(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

/* Decodes standard base64 (padding optional) into out; false on a bad character or when it does not fit. */
static bool base64_decode(const char *in, size_t in_len, char *out, size_t out_size, size_t *out_len)
{
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t n = 0;
    for (size_t i = 0; i < in_len; i++) {
        if (in[i] == '=') {
            break;
        }
        const int v = base64_value(in[i]);
        if (v < 0) {
            return false;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n + 1 >= out_size) {
                return false;
            }
            out[n++] = (char)((acc >> bits) & 0xFFu);
        }
    }
    out[n] = '\0';
    *out_len = n;
    return true;
}

static bool starts_with_nocase(const char *text, const char *prefix)
{
    const size_t len = strlen(prefix);
    return strlen(text) >= len && equals_nocase(text, len, prefix, len);
}

static bool authorization_has_secret(const char *secret, const char *authorization)
{
    if (starts_with_nocase(authorization, "Bearer ")) {
        const char *token = authorization + strlen("Bearer ");
        return setup_secret_matches(secret, token, strlen(token));
    }
    if (starts_with_nocase(authorization, "Basic ")) {
        const char *encoded = authorization + strlen("Basic ");
        char decoded[AUTH_DECODED_MAX];
        size_t len = 0;
        if (!base64_decode(encoded, strlen(encoded), decoded, sizeof(decoded), &len)) {
            return false;
        }
        const char *colon = memchr(decoded, ':', len);
        const bool ok =
            colon != NULL && setup_secret_matches(secret, colon + 1, len - (size_t)(colon + 1 - decoded));
        memset(decoded, 0, sizeof(decoded));
        return ok;
    }
    return false;
}

bool http_guard_has_secret(const char *secret, const http_api_request_t *req)
{
    if (!setup_secret_is_canonical(secret)) {
        return false;
    }
    if (req->authorization != NULL && authorization_has_secret(secret, req->authorization)) {
        return true;
    }
    if (req->body == NULL || req->body_len == 0) {
        return false;
    }
    char field[AUTH_DECODED_MAX];
    const bool ok =
        form_decoder_get(req->body, req->body_len, "setup_secret", field, sizeof(field)) == APP_OK &&
        setup_secret_matches(secret, field, strlen(field));
    memset(field, 0, sizeof(field));
    return ok;
}
