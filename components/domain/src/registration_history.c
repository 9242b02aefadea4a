#include "domain/registration_history.h"

#include <string.h>

#define FREE_SLOT (-1)

void registration_history_init(registration_history_t *history)
{
    if (history == NULL) {
        return;
    }
    memset(history, 0, sizeof(*history));
    for (size_t i = 0; i < REGISTRATION_HISTORY_SIZE; i++) {
        history->entries[i].msg_id = FREE_SLOT;
    }
}

uint32_t registration_history_digest(const char *payload, size_t len)
{
    uint32_t hash = 2166136261u;
    for (size_t i = 0; payload != NULL && i < len; i++) {
        hash ^= (uint8_t)payload[i];
        hash *= 16777619u;
    }
    return hash;
}

void registration_history_forget(registration_history_t *history, int32_t msg_id)
{
    if (history == NULL) {
        return;
    }
    for (size_t i = 0; i < REGISTRATION_HISTORY_SIZE; i++) {
        if (history->entries[i].msg_id == msg_id) {
            history->entries[i].msg_id = FREE_SLOT;
        }
    }
}

void registration_history_record(registration_history_t *history, int32_t msg_id, uint32_t digest)
{
    if (history == NULL) {
        return;
    }
    registration_history_forget(history, msg_id);
    history->newest = (history->newest + 1) % REGISTRATION_HISTORY_SIZE;
    registration_history_entry_t *entry = &history->entries[history->newest];
    entry->msg_id = msg_id;
    entry->acked = false;
    entry->digest = digest;
}

bool registration_history_acked(registration_history_t *history, int32_t msg_id)
{
    if (history == NULL) {
        return false;
    }
    registration_history_entry_t *newest = &history->entries[history->newest];
    if (msg_id < 0 || newest->msg_id < 0) {
        return false;
    }
    if (msg_id == newest->msg_id) {
        newest->acked = true;
        return false;
    }
    for (size_t i = 0; i < REGISTRATION_HISTORY_SIZE; i++) {
        registration_history_entry_t *entry = &history->entries[i];
        if (entry->msg_id != msg_id) {
            continue;
        }
        entry->msg_id = FREE_SLOT; /* once: a duplicate PUBACK does not register again */
        return newest->acked && entry->digest != newest->digest;
    }
    return false;
}
