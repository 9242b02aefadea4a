/* app_report: see the header. */
#include "application/app_report.h"

#include <stdarg.h>
#include <stdio.h>

void app_report_notice(const app_ports_t *ports, app_notice_level_t level, const char *message)
{
    ports->events->on_notice(ports->events_ctx, level, message);
}

void app_report_noticef(const app_ports_t *ports, app_notice_level_t level, const char *format, ...)
{
    char message[APP_REPORT_NOTICE_MAX];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof(message), format, args);
    va_end(args);
    app_report_notice(ports, level, message);
}

void app_report_event(const app_ports_t *ports, domain_event_t *event)
{
    event->uptime_ms = ports->timer->now_ms(ports->timer_ctx);
    ports->events->on_domain_event(ports->events_ctx, event);
}

void app_report_error(const app_ports_t *ports, app_status_snapshot_t *status, app_notice_level_t level,
                      const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(status->last_error, sizeof(status->last_error), format, args);
    va_end(args);
    app_report_notice(ports, level, status->last_error);
}
