/*
 * mqtt_connection_commands (private to the application): carries out one command of the MqttConnection entity
 * through the ports, for mqtt_connection_use_case.c. What a command causes that the entity must learn (a
 * connect() refused, a registration queued or refused, the QoS 0 acknowledgement, a lost session) is put on
 * a follow-up queue, which the use case feeds to the entity after the whole command list.
 */
#ifndef MQTT_CONNECTION_COMMANDS_H
#define MQTT_CONNECTION_COMMANDS_H

#include <stddef.h>
#include <stdint.h>

#include "application/mqtt_connection_use_case.h"

/* Follow-up events one command list can cause, with room to spare. */
#define MQTT_CONNECTION_COMMANDS_FOLLOW_UP_MAX 8

typedef struct {
    mqtt_connection_event_t items[MQTT_CONNECTION_COMMANDS_FOLLOW_UP_MAX];
    size_t head;
    size_t count;
} mqtt_connection_commands_queue_t;

/* Appends a follow-up event (dropped when full, which a command list cannot cause). */
void mqtt_connection_commands_queue_push(mqtt_connection_commands_queue_t *queue,
                                         mqtt_connection_event_kind_t kind, int32_t msg_id, int32_t code);

/* Takes the oldest follow-up event; false when none is left. */
bool mqtt_connection_commands_queue_pop(mqtt_connection_commands_queue_t *queue,
                                        mqtt_connection_event_t *out);

/* Carries out cmd (the entity's state is already the one after the event). */
void mqtt_connection_commands_execute(mqtt_connection_use_case_t *uc, const mqtt_connection_command_t *cmd,
                                      mqtt_connection_commands_queue_t *queue);

/* Reports DOMAIN_EVENT_REGISTRATION_FAILED. */
void mqtt_connection_commands_registration_failed(const mqtt_connection_use_case_t *uc,
                                                  registration_failure_t reason, int32_t detail);

#endif /* MQTT_CONNECTION_COMMANDS_H */
