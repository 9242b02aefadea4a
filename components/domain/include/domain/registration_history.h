/*
 * registration_history: the registrations queued last, to notice when the server may hold stale values.
 *
 * ESP-MQTT resends an unacknowledged QoS 1 message after a reconnect, possibly after a newer registration,
 * and the server keeps whichever it receives last. So the last REGISTRATION_HISTORY_SIZE registrations are
 * remembered as {msg id, payload digest, acked}. When the PUBACK of an OLDER registration arrives AFTER the
 * newest one's PUBACK and its content differs from the newest, the server may now hold the older content:
 * registration_history_acked() says so (once per message; a duplicate PUBACK does not repeat it), and the
 * caller registers again when still connected. Acknowledgements in order need nothing.
 *
 * The digest covers the whole payload, IP included: comparing with a separately tracked IP instead could
 * loop forever when an IP change notice was lost (the payload reads the live IP). Pure, no heap.
 */
#ifndef DOMAIN_REGISTRATION_HISTORY_H
#define DOMAIN_REGISTRATION_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REGISTRATION_HISTORY_SIZE 4

typedef struct {
    int32_t msg_id;  /* -1: free slot */
    uint32_t digest; /* of the payload: tells an older content */
    bool acked;      /* its PUBACK arrived */
} registration_history_entry_t;

typedef struct {
    registration_history_entry_t entries[REGISTRATION_HISTORY_SIZE];
    size_t newest; /* index of the newest entry */
} registration_history_t;

/* Every slot free. */
void registration_history_init(registration_history_t *history);

/* FNV-1a of the payload: a cheap fingerprint; a collision only costs one missed re-registration. */
uint32_t registration_history_digest(const char *payload, size_t len);

/* Records a queued registration as the newest. A reused msg id forgets the older entry that had it (the
 * client has forgotten that message too). */
void registration_history_record(registration_history_t *history, int32_t msg_id, uint32_t digest);

/* Forgets msg_id: the client now uses it for another message (a presence message), whose PUBACK must not be
 * read as an old registration's. */
void registration_history_forget(registration_history_t *history, int32_t msg_id);

/*
 * Records the PUBACK of msg_id. True when it is an older registration acknowledged after the newest one
 * and with other content (see above); the entry is then forgotten, so this is true once per message.
 */
bool registration_history_acked(registration_history_t *history, int32_t msg_id);

#endif /* DOMAIN_REGISTRATION_HISTORY_H */
