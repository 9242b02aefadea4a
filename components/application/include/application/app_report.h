/*
 * app_report: how the use cases report what happened: one-line notices and domain events, through the
 * event sink port (ESP_LOG on the device, the JSON event stream in the simulator). Notices never carry a
 * secret. Any task (notices also come from HTTP handlers); the sink must not block for long.
 */
#ifndef APPLICATION_APP_REPORT_H
#define APPLICATION_APP_REPORT_H

#include "application/app_ports.h"
#include "application/status_snapshot.h"
#include "domain/broker_uri.h"

/* Longest notice: room for one broker URI (BROKER_URI_MAX_LEN) and a sentence. */
#define APP_REPORT_NOTICE_MAX (BROKER_URI_MAX_LEN + 128)

void app_report_notice(const app_ports_t *ports, app_notice_level_t level, const char *message);

void app_report_noticef(const app_ports_t *ports, app_notice_level_t level, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Stamps event with the clock's uptime and hands it to the sink. */
void app_report_event(const app_ports_t *ports, domain_event_t *event);

/* Sets status->last_error (cut to its size) and reports it as a notice of the given level. */
void app_report_error(const app_ports_t *ports, app_status_snapshot_t *status, app_notice_level_t level,
                      const char *format, ...) __attribute__((format(printf, 4, 5)));

#endif
