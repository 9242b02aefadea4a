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

typedef enum {
    VALUE_BYTE = 0, /* *byte holds the next decoded byte */
    VALUE_END,      /* end of the line (or of the file) */
    VALUE_BAD,      /* a malformed escape or a NUL byte: a storage error */
} value_step_t;

/* The next byte of the value the file position is in: a raw byte or a %XX escape, decoded. */
static value_step_t next_value_byte(FILE *f, int *byte)
{
    int c = fgetc(f);
    if (c == EOF || c == '\n') {
        return VALUE_END;
    }
    if (c == '\r') {
        /* A hand-edited file with CRLF line ends: the CR is not part of the value. */
        int next = fgetc(f);
        if (next == EOF || next == '\n') {
            return VALUE_END;
        }
        (void)ungetc(next, f);
    }
    if (c == '%') {
        int hi = hex_digit_value(fgetc(f));
        int lo = hex_digit_value(fgetc(f));
        if (hi < 0 || lo < 0) {
            return VALUE_BAD;
        }
        c = hi * 16 + lo;
    }
    if (c == 0) {
        return VALUE_BAD;
    }
    *byte = c;
    return VALUE_BYTE;
}

typedef struct {
    char *buf;
    size_t size;
} decode_target_t;

/* Decodes the rest of the line into the target; counts the bytes the value needs even past its size. */
static app_err_t decode_value(FILE *f, void *arg)
{
    const decode_target_t *target = arg;
    size_t len = 0;
    int c = 0;
    value_step_t step;
    while ((step = next_value_byte(f, &c)) == VALUE_BYTE) {
        if (len + 1 < target->size) {
            target->buf[len] = (char)c;
        }
        len++;
    }
    if (step == VALUE_BAD) {
        target->buf[0] = '\0';
        return APP_ERR_STORAGE;
    }
    if (len + 1 > target->size) {
        target->buf[0] = '\0';
        return APP_ERR_TOO_LONG;
    }
    target->buf[len] = '\0';
    return APP_OK;
}

/* APP_OK when the rest of the line decodes to exactly the value arg points to; the line is read to its end
 * either way. */
static app_err_t compare_value(FILE *f, void *arg)
{
    const unsigned char *expected = arg;
    bool equal = true;
    int c = 0;
    value_step_t step;
    while ((step = next_value_byte(f, &c)) == VALUE_BYTE) {
        if (equal && *expected == (unsigned char)c) {
            expected++;
        } else {
            equal = false;
        }
    }
    return step == VALUE_END && equal && *expected == '\0' ? APP_OK : APP_ERR_INVALID_VALUE;
}

/*
 * Calls read(f, arg) at the value of every line that starts with "key=": the last one wins, as if the file
 * were applied top to bottom. Returns that last result; APP_ERR_NOT_FOUND when no line (or no file) holds
 * the key, APP_ERR_STORAGE when the file cannot be read.
 */
static app_err_t read_last_value(const char *path, const char *key, app_err_t (*read)(FILE *f, void *arg),
                                 void *arg)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return errno == ENOENT ? APP_ERR_NOT_FOUND : APP_ERR_STORAGE;
    }
    app_err_t result = APP_ERR_NOT_FOUND;
    bool eof = false;
    while (!eof) {
        if (line_has_key(f, key, &eof)) {
            result = read(f, arg);
        }
    }
    if (ferror(f)) {
        result = APP_ERR_STORAGE;
    }
    (void)fclose(f);
    return result;
}

app_err_t sim_config_file_load(void *ctx, config_field_t field, char *buf, size_t buf_size)
{
    sim_config_file_t *repo = ctx;
    const char *key = sim_config_file_key(field);
    if (repo == NULL || key == NULL || buf == NULL || buf_size == 0) {
        return APP_ERR_INVALID_ARG;
    }
    buf[0] = '\0';
    decode_target_t target = {.buf = buf, .size = buf_size};
    app_err_t result = read_last_value(repo->path, key, decode_value, &target);
    if (result == APP_ERR_STORAGE) {
        buf[0] = '\0';
    }
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

/* True when the line head (its first head_len bytes) starts with "<key>=" for a field being replaced. */
static bool head_is_replaced(const char *head, size_t head_len, const char *const values[CONFIG_FIELD_COUNT])
{
    for (unsigned field = 0; field < CONFIG_FIELD_COUNT; field++) {
        size_t key_len = strlen(KEYS[field]);
        if (values[field] != NULL && head_len > key_len && memcmp(head, KEYS[field], key_len) == 0 &&
            head[key_len] == '=') {
            return true;
        }
    }
    return false;
}

/* Copies every line of old to out, except the lines of the fields being replaced (values[field] set). */
static bool copy_other_lines(FILE *old, FILE *out, const char *const values[CONFIG_FIELD_COUNT])
{
    size_t longest_key = 0;
    for (unsigned field = 0; field < CONFIG_FIELD_COUNT; field++) {
        size_t key_len = strlen(KEYS[field]);
        longest_key = key_len > longest_key ? key_len : longest_key;
    }
    for (;;) {
        /* Hold back the first bytes of the line (up to the longest key and its '=') until we know whether
         * it is replaced. */
        char head[64];
        size_t head_len = 0;
        bool line_done = false;
        int c = EOF;
        while (head_len < longest_key + 1 && head_len < sizeof(head)) {
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
        if (head_is_replaced(head, head_len, values)) {
            if (!line_done && c != EOF) {
                skip_line(old);
            }
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

static bool write_values(FILE *out, const char *const values[CONFIG_FIELD_COUNT])
{
    for (unsigned field = 0; field < CONFIG_FIELD_COUNT; field++) {
        if (values[field] != NULL && (fputs(KEYS[field], out) == EOF || fputc('=', out) == EOF ||
                                      !write_encoded(out, values[field]) || fputc('\n', out) == EOF)) {
            return false;
        }
    }
    return true;
}

static app_err_t write_file_locked(sim_config_file_t *repo, const char *const values[CONFIG_FIELD_COUNT])
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
        ok = copy_other_lines(old, out, values);
        (void)fclose(old);
    } else if (errno != ENOENT) {
        ok = false;
    }
    ok = ok && write_values(out, values);
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

/* True when every value given is what the file holds already (what load() would answer). */
static bool holds_values(const sim_config_file_t *repo, const char *const values[CONFIG_FIELD_COUNT])
{
    for (unsigned field = 0; field < CONFIG_FIELD_COUNT; field++) {
        if (values[field] != NULL &&
            read_last_value(repo->path, KEYS[field], compare_value, (void *)values[field]) != APP_OK) {
            return false;
        }
    }
    return true;
}

app_err_t sim_config_file_store_values(sim_config_file_t *repo, const char *const values[CONFIG_FIELD_COUNT],
                                       bool *written)
{
    if (written != NULL) {
        *written = false;
    }
    if (repo == NULL || values == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    if (pthread_mutex_lock(&repo->mutex) != 0) {
        return APP_ERR_STORAGE;
    }
    app_err_t result = APP_OK;
    if (!holds_values(repo, values)) {
        result = write_file_locked(repo, values);
        if (written != NULL) {
            *written = result == APP_OK;
        }
    }
    (void)pthread_mutex_unlock(&repo->mutex);
    return result;
}

app_err_t sim_config_file_store(void *ctx, config_field_t field, const char *value)
{
    if (ctx == NULL || sim_config_file_key(field) == NULL || value == NULL) {
        return APP_ERR_INVALID_ARG;
    }
    const char *values[CONFIG_FIELD_COUNT] = {NULL};
    values[field] = value;
    return sim_config_file_store_values(ctx, values, NULL);
}
