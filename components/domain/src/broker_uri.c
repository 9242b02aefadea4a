#include "domain/broker_uri.h"

#include <stddef.h>
#include <string.h>

/* Case-insensitive prefix match of an ASCII scheme ("ws://"). */
static bool has_prefix_nocase(const char *text, const char *prefix)
{
    for (size_t i = 0; prefix[i] != '\0'; i++) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z') {
            c = (char)(c - 'A' + 'a');
        }
        if (c != prefix[i]) {
            return false;
        }
    }
    return true;
}

static bool is_host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

/* Spaces, control characters, DEL and the query/fragment markers have no place in a WebSocket path. */
static bool is_path_char(char c)
{
    const unsigned char u = (unsigned char)c;
    return u > 0x20u && u != 0x7Fu && c != '?' && c != '#';
}

static domain_status_t check_path_n(const char *path, size_t len)
{
    if (len == 0 || path[0] != '/') {
        return DOMAIN_ERR_URI_PATH;
    }
    if (len > BROKER_URI_PATH_MAX_LEN) {
        return DOMAIN_ERR_URI_TOO_LONG;
    }
    for (size_t i = 0; i < len; i++) {
        if (!is_path_char(path[i])) {
            return DOMAIN_ERR_URI_PATH;
        }
    }
    return DOMAIN_OK;
}

domain_status_t broker_uri_check_path(const char *path)
{
    if (path == NULL) {
        return DOMAIN_ERR_INVALID_ARG;
    }
    return check_path_n(path, strlen(path));
}

/* Parses "1".."65535" from text[0..len): digits only, at most five of them. */
static domain_status_t parse_port(const char *text, size_t len, uint16_t *port)
{
    if (len == 0 || len > 5) {
        return DOMAIN_ERR_URI_PORT;
    }
    uint32_t value = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9') {
            return DOMAIN_ERR_URI_PORT;
        }
        value = value * 10u + (uint32_t)(text[i] - '0');
    }
    if (value == 0 || value > 65535u) {
        return DOMAIN_ERR_URI_PORT;
    }
    *port = (uint16_t)value;
    return DOMAIN_OK;
}

/* Appends text to dst[*pos..], keeping one byte for the NUL; false when it does not fit. */
static bool append(char *dst, size_t size, size_t *pos, const char *text, size_t len)
{
    if (*pos + len + 1 > size) {
        return false;
    }
    memcpy(dst + *pos, text, len);
    *pos += len;
    dst[*pos] = '\0';
    return true;
}

static size_t format_port(uint16_t port, char out[6])
{
    char digits[5];
    size_t n = 0;
    unsigned value = port;
    do {
        digits[n++] = (char)('0' + value % 10u);
        value /= 10u;
    } while (value != 0);
    for (size_t i = 0; i < n; i++) {
        out[i] = digits[n - 1 - i];
    }
    out[n] = '\0';
    return n;
}

domain_status_t broker_uri_parse(const char *uri, const char *default_ws_path, broker_uri_t *out)
{
    if (uri == NULL || out == NULL) {
        return DOMAIN_ERR_INVALID_ARG;
    }
    if (default_ws_path == NULL || default_ws_path[0] == '\0') {
        default_ws_path = BROKER_URI_DEFAULT_WS_PATH;
    }
    domain_status_t status = broker_uri_check_path(default_ws_path);
    if (status != DOMAIN_OK) {
        return status;
    }
    if (strlen(uri) > BROKER_URI_MAX_LEN) {
        return DOMAIN_ERR_URI_TOO_LONG;
    }

    broker_uri_t result;
    memset(&result, 0, sizeof(result));
    const char *p;
    if (has_prefix_nocase(uri, "wss://")) {
        result.secure = true;
        p = uri + 6;
    } else if (has_prefix_nocase(uri, "ws://")) {
        p = uri + 5;
    } else {
        return DOMAIN_ERR_URI_SCHEME;
    }

    /* Host: up to ':' (port), '/' (path) or the end. User info ('@'), IPv6 brackets, spaces are refused. */
    size_t host_len = 0;
    while (p[host_len] != '\0' && p[host_len] != ':' && p[host_len] != '/') {
        if (p[host_len] == '?' || p[host_len] == '#') {
            return DOMAIN_ERR_URI_PATH;
        }
        if (!is_host_char(p[host_len])) {
            return DOMAIN_ERR_URI_HOST;
        }
        host_len++;
    }
    if (host_len == 0) {
        return DOMAIN_ERR_URI_HOST;
    }
    if (host_len > BROKER_URI_HOST_MAX_LEN) {
        return DOMAIN_ERR_URI_TOO_LONG;
    }
    memcpy(result.host, p, host_len);
    result.host[host_len] = '\0';
    p += host_len;

    result.port = result.secure ? 443 : 80;
    if (*p == ':') {
        p++;
        size_t port_len = 0;
        while (p[port_len] != '\0' && p[port_len] != '/') {
            port_len++;
        }
        status = parse_port(p, port_len, &result.port);
        if (status != DOMAIN_OK) {
            return status;
        }
        result.port_given = true;
        p += port_len;
    }

    /*
     * A bare "/" is the empty path of a URL written with a trailing slash (RFC 3986 6.2.3), so it gets the
     * default path too: otherwise "ws://host:8080/" would reach NATS on "/", which it does not route.
     */
    const char *path = p;
    size_t path_len = strlen(p);
    if (path_len == 0 || (path_len == 1 && path[0] == '/')) {
        path = default_ws_path;
        path_len = strlen(default_ws_path);
    } else {
        status = check_path_n(path, path_len);
        if (status != DOMAIN_OK) {
            return status;
        }
        result.path_given = true;
    }
    memcpy(result.path, path, path_len);
    result.path[path_len] = '\0';

    char port_text[6];
    const size_t port_text_len = format_port(result.port, port_text);
    const char *scheme = result.secure ? "wss://" : "ws://";
    size_t pos = 0;
    result.effective_uri[0] = '\0';
    if (!append(result.effective_uri, sizeof(result.effective_uri), &pos, scheme, strlen(scheme)) ||
        !append(result.effective_uri, sizeof(result.effective_uri), &pos, result.host, host_len) ||
        (result.port_given &&
         (!append(result.effective_uri, sizeof(result.effective_uri), &pos, ":", 1) ||
          !append(result.effective_uri, sizeof(result.effective_uri), &pos, port_text, port_text_len))) ||
        !append(result.effective_uri, sizeof(result.effective_uri), &pos, result.path, path_len)) {
        return DOMAIN_ERR_URI_TOO_LONG;
    }
    *out = result;
    return DOMAIN_OK;
}

static bool is_list_space(char c)
{
    return c == ' ' || c == '\t';
}

size_t broker_uri_list_count(const char *list)
{
    if (list == NULL) {
        return 0;
    }
    const char *p = list;
    while (is_list_space(*p)) {
        p++;
    }
    if (*p == '\0') {
        return 0;
    }
    size_t count = 1;
    for (; *p != '\0'; p++) {
        if (*p == ',') {
            count++;
        }
    }
    return count;
}

domain_status_t broker_uri_list_get(const char *list, size_t index, const char *default_ws_path,
                                    broker_uri_t *out)
{
    if (list == NULL || out == NULL || index >= broker_uri_list_count(list)) {
        return DOMAIN_ERR_INVALID_ARG;
    }
    const char *start = list;
    for (size_t i = 0; i < index; i++) {
        start = strchr(start, ',') + 1; /* the count says there are enough commas */
    }
    const char *end = strchr(start, ',');
    if (end == NULL) {
        end = start + strlen(start);
    }
    while (start < end && is_list_space(*start)) {
        start++;
    }
    while (end > start && is_list_space(end[-1])) {
        end--;
    }
    const size_t len = (size_t)(end - start);
    /* An empty entry (",," or only spaces): cppcheck 2.10 takes the trimming loops for always emptying it. */
    // cppcheck-suppress knownConditionTrueFalse
    if (len == 0) {
        return DOMAIN_ERR_URI_HOST;
    }
    if (len > BROKER_URI_MAX_LEN) {
        return DOMAIN_ERR_URI_TOO_LONG;
    }
    char uri[BROKER_URI_MAX_LEN + 1];
    memcpy(uri, start, len);
    uri[len] = '\0';
    return broker_uri_parse(uri, default_ws_path, out);
}
