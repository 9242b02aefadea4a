/*
 * Helpers shared by test_mqtt_connection.c and test_mqtt_connection_timing.c: two addresses, event builders,
 * the command list written as text ("disconnect, arm_retry_timer(30000), request_low_power"; CONNECT shows
 * its broker index: "connect(1)"), and step(), which applies an event and checks the new state and that text.
 */
#ifndef MQTT_CONNECTION_TEST_SUPPORT_H
#define MQTT_CONNECTION_TEST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "domain/mqtt_connection.h"

#define IP_A                \
    {                       \
        {                   \
            192, 168, 1, 10 \
        }                   \
    }
#define IP_B                \
    {                       \
        {                   \
            192, 168, 1, 77 \
        }                   \
    }

mqtt_connection_event_t ev(mqtt_connection_event_kind_t kind);
mqtt_connection_event_t ev_ip(mqtt_connection_event_kind_t kind, ipv4_address_t ip);
mqtt_connection_event_t ev_msg(mqtt_connection_event_kind_t kind, int32_t msg_id);
mqtt_connection_event_t ev_code(mqtt_connection_event_kind_t kind, int32_t code);
void render(const mqtt_connection_command_t *commands, size_t count, char *text, size_t size);
/* Applies an event, fails the test unless the new state and the commands (as render() writes them) are the
 * expected ones, and returns the commands. */
mqtt_connection_commands_t step(mqtt_connection_t *conn, mqtt_connection_event_t event,
                                mqtt_connection_state_t expected_state, const char *expected_commands);

#endif /* MQTT_CONNECTION_TEST_SUPPORT_H */
