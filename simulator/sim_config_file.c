/*
 * sim_config_file: see sim_config_file.h.
 */
#include "sim_config_file.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain/hex_digit.h"

const config_repository_port_t sim_config_file_port = {
    .load = sim_config_file_load,
    .store = sim_config_file_store,
};

static const char *const KEYS[CONFIG_FIELD_COUNT] = {
    [CONFIG_FIELD_DEVICE_NAME] = "device_name",
    [CONFIG_FIELD_LOCATION] = "device_location",
};

const char *sim_config_file_key(config_field_t field)
{
    if ((unsigned)field >= CONFIG_FIELD_COUNT) {
        return NULL;
    }
    return KEYS[field];
}

app_err_t sim_config_file_init(sim_config_file_t *repo, const char *path)
{
    if (repo == NULL || path == NULL || path[0] == '\0') {
        return APP_ERR_INVALID_ARG;
    }
    size_t len = strlen(path);
    if (len + 1 > sizeof(repo->path)) {
        return APP_ERR_TOO_LONG;
    }
    memcpy(repo->path, path, len + 1);
    if (pthread_mutex_init(&repo->mutex, NULL) != 0) {
        return APP_ERR_PLATFORM;
    }
    return APP_OK;
}

void sim_config_file_deinit(sim_config_file_t *repo)
{
    if (repo != NULL) {
        (void)pthread_mutex_destroy(&repo->mutex);
    }
}

/* Reads up to and including the next '\n' (or EOF) without keeping anything. */
static void skip_line(FILE *f)
{
    int c;
    do {
        c = fgetc(f);
    } while (c != EOF && c != '\n');
}

/*
 * At the start of a line: true when the line begins with "key=" (consumed); otherwise the rest of the line
 * is consumed as well and false is returned.
 */
static bool line_has_key(FILE *f, const char *key, bool *eof)
{
    size_t pos = 0;
    size_t key_len = strlen(key);
    for (;;) {
        int c = fgetc(f);
        if (c == EOF) {
            *eof = true;
            return false;
        }
        if (c == '\n') {
            return false;
        }
        if (pos < key_len) {
            if (c != (unsigned char)key[pos]) {
                skip_line(f);
                return false;
            }
            pos++;
            continue;
        }
        if (c == '=') {
            return true;
        }
        skip_line(f);
        return false;
    }
}

/* Decodes the rest of the line into buf; counts the bytes the value needs even past buf_size. */
static app_err_t decode_value(FILE *f, char *buf, size_t buf_size)
{
    size_t len = 0;
    for (;;) {
        int c = fgetc(f);
        if (c == EOF || c == '\n') {
            break;
        }
        if (c == '\r') {
            /* A hand-edited file with CRLF line ends: the CR is not part of the value. */
            int next = fgetc(f);
            if (next == EOF || next == '\n') {
                break;
            }
            (void)ungetc(next, f);
        }
        if (c == '%') {
            int hi = hex_digit_value(fgetc(f));
            int lo = hex_digit_value(fgetc(f));
            if (hi < 0 || lo < 0) {
                buf[0] = '\0';
                return APP_ERR_STORAGE;
            }
            c = hi * 16 + lo;
        }
        if (c == 0) {
            buf[0] = '\0';
            return APP_ERR_STORAGE;
        }
        if (len + 1 < buf_size) {
            buf[len] = (char)c;
        }
        len++;
    }
    if (len + 1 > buf_size) {
        buf[0] = '\0';
        return APP_ERR_TOO_LONG;
    }
    buf[len] = '\0';
    return APP_OK;
}

app_err_t sim_config_file_load(void *ctx, config_field_t field, char *buf, size_t buf_size)
{
    sim_config_file_t *repo = ctx;
    const char *key = sim_config_file_key(field);
    if (repo == NULL || key == NULL || buf == NULL || buf_size == 0) {
        return APP_ERR_INVALID_ARG;
    }
    buf[0] = '\0';
    FILE *f = fopen(repo->path, "rb");
    if (f == NULL) {
        return errno == ENOENT ? APP_ERR_NOT_FOUND : APP_ERR_STORAGE;
    }
    app_err_t result = APP_ERR_NOT_FOUND;
    bool eof = false;
    while (!eof) {
        if (line_has_key(f, key, &eof)) {
            /* The last line with the key wins, as if the file were applied top to bottom. */
            result = decode_value(f, buf, buf_size);
        }
    }
    if (ferror(f)) {
        buf[0] = '\0';
        result = APP_ERR_STORAGE;
    }
    (void)fclose(f);
    return result;
}

static bool is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

static bool write_encoded(FILE *f, const char *value)
{
    static const char HEX[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)value; *p != '\0'; p++) {
        if (is_unreserved(*p)) {
            if (fputc(*p, f) == EOF) {
                return false;
            }
        } else if (fputc('%', f) == EOF || fputc(HEX[*p >> 4], f) == EOF || fputc(HEX[*p & 0x0F], f) == EOF) {
            return false;
        }
    }
    return true;
}

/* Copies every line of old except those starting with "key=" to out. */
static bool copy_other_lines(FILE *old, FILE *out, const char *key)
{
    size_t key_len = strlen(key);
    for (;;) {
        /* Hold back the first key_len + 1 bytes of the line until we know whether it is ours. */
        char head[64];
        size_t head_len = 0;
        bool ours = false;
        bool line_done = false;
        int c = EOF;
        while (head_len < key_len + 1 && head_len < sizeof(head)) {
            c = fgetc(old);
            if (c == EOF) {
                break;
            }
            head[head_len++] = (char)c;
            if (c == '\n') {
                line_done = true;
                break;
            }
        }
        if (head_len == 0) {
            return !ferror(old);
        }
        ours =
            !line_done && head_len == key_len + 1 && memcmp(head, key, key_len) == 0 && head[key_len] == '=';
        if (ours) {
            skip_line(old);
            continue;
        }
        if (fwrite(head, 1, head_len, out) != head_len) {
            return false;
        }
        if (!line_done && c != EOF) {
            do {
                c = fgetc(old);
                if (c != EOF && fputc(c, out) == EOF) {
                    return false;
                }
            } while (c != EOF && c != '\n');
        }
        if (c == EOF) {
            if (head[head_len - 1] != '\n' && fputc('\n', out) == EOF) {
                return false;
            }
            return !ferror(old);
        }
    }
}

static app_err_t write_file_locked(sim_config_file_t *repo, const char *key, const char *value)
{
    char tmp_path[SIM_CONFIG_FILE_PATH_MAX + 8];
    int n = snprintf(tmp_path, sizeof(tmp_path), "%s.XXXXXX", repo->path);
    if (n < 0 || (size_t)n >= sizeof(tmp_path)) {
        return APP_ERR_STORAGE;
    }
    int fd = mkstemp(tmp_path);
    if (fd < 0) {
        return APP_ERR_STORAGE;
    }
    FILE *out = fdopen(fd, "wb");
    if (out == NULL) {
        (void)close(fd);
        (void)unlink(tmp_path);
        return APP_ERR_STORAGE;
    }
    bool ok = true;
    FILE *old = fopen(repo->path, "rb");
    if (old != NULL) {
        ok = copy_other_lines(old, out, key);
        (void)fclose(old);
    } else if (errno != ENOENT) {
        ok = false;
    }
    ok = ok && fputs(key, out) != EOF && fputc('=', out) != EOF && write_encoded(out, value) &&
         fputc('\n', out) != EOF;
    ok = fflush(out) == 0 && ok;
    ok = ok && fsync(fileno(out)) == 0;
    ok = fclose(out) == 0 && ok;
    if (ok && rename(tmp_path, repo->path) != 0) {
        ok = false;
    }
    if (!ok) {
        (void)unlink(tmp_path);
        return APP_ERR_STORAGE;
    }
    return APP_OK;
}

app_err_t sim_config_file_store(void *ctx, config_field_t field, const char *value)
{
    sim_config_file_t *repo = ctx;
    const char *key = sim_config_file_key(field);
    if (repo == NULL || key == NULL || value == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    if (pthread_mutex_lock(&repo->mutex) != 0) {
        return APP_ERR_STORAGE;
    }
    app_err_t result = write_file_locked(repo, key, value);
    (void)pthread_mutex_unlock(&repo->mutex);
    return result;
}
