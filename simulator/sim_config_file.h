/*
 * sim_config_file: the config repository port on a small text file (the simulator's NVS stand-in).
 *
 * Format: one "key=value" per line, keys as the NVS keys ("device_name", "device_location"); values are
 * UTF-8 with every byte outside [A-Za-z0-9-._~] percent-encoded (%XX), so quotes, newlines and any other
 * byte survive and the file stays one line per key. The reader also accepts raw bytes (a hand-edited
 * file); a malformed escape or an encoded NUL is a storage error. Unknown lines are kept on write.
 *
 * A store writes only when a value differs from what the file holds (start-up with unchanged --name and
 * --location, or a POST /config repeating the stored name, writes nothing), and then writes once for all
 * the values given: a temporary file next to the target, fsynced, renamed over the target, so a reader
 * (another thread, or a crash) sees the old file or the new one, never half of one. Reading streams
 * the file byte by byte into the caller's buffer: no heap, any line length. load() and store() may be
 * called from any thread (the application task and HTTP handlers); stores are serialized by a mutex.
 */
#ifndef SIM_CONFIG_FILE_H
#define SIM_CONFIG_FILE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "application/ports/config_repository_port.h"

#define SIM_CONFIG_FILE_PATH_MAX 4096

typedef struct {
    char path[SIM_CONFIG_FILE_PATH_MAX];
    pthread_mutex_t mutex;
} sim_config_file_t;

extern const config_repository_port_t sim_config_file_port;

/* APP_ERR_TOO_LONG when path does not fit; APP_ERR_PLATFORM when the mutex cannot be created. */
app_err_t sim_config_file_init(sim_config_file_t *repo, const char *path);
void sim_config_file_deinit(sim_config_file_t *repo);

/* The file key of a field ("device_name", "device_location"); NULL out of range. */
const char *sim_config_file_key(config_field_t field);

/* Port functions (ctx = sim_config_file_t *). */
app_err_t sim_config_file_load(void *ctx, config_field_t field, char *buf, size_t buf_size);
app_err_t sim_config_file_store(void *ctx, config_field_t field, const char *value);

/*
 * Stores every field whose values[field] is not NULL, in one write, and only when at least one of them
 * differs from what load() would answer now; the others are kept. *written (may be NULL) tells whether the
 * file was written. APP_ERR_STORAGE when it cannot be written (nothing changes then).
 */
app_err_t sim_config_file_store_values(sim_config_file_t *repo, const char *const values[CONFIG_FIELD_COUNT],
                                       bool *written);

#endif /* SIM_CONFIG_FILE_H */
