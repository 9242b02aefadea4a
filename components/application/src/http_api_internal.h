/*
 * http_api_internal (private to the application): the responders and the route handlers of http_api.c, in
 * http_api_handlers.c. The handlers run after routing and the write checks; each fills resp and out.
 */
#ifndef HTTP_API_INTERNAL_H
#define HTTP_API_INTERNAL_H

#include <stddef.h>

#include "application/application.h"
#include "application/http_api.h"
#include "application/setup_page.h"
#include "domain/json_writer.h"

#define HTTP_API_CONTENT_JSON "application/json"
#define HTTP_API_CONTENT_TEXT "text/plain"
#define HTTP_API_CONTENT_HTML "text/html"

/* text as the body (500 with an empty body when it does not fit). */
void http_api_respond_raw(http_api_response_t *resp, uint16_t status, const char *content_type, char *out,
                          size_t out_size, const char *text);
/* {"error":message} with status. */
void http_api_respond_error(http_api_response_t *resp, uint16_t status, char *out, size_t out_size,
                            const char *message);
/* 200 with the finished document of w (500 "response too large" when it did not fit). */
void http_api_respond_json(http_api_response_t *resp, json_writer_t *w, char *out, size_t out_size);

void http_api_handle_whoami(struct application *app, const app_status_snapshot_t *s, char *out,
                            size_t out_size, http_api_response_t *resp);
void http_api_handle_status(struct application *app, const app_status_snapshot_t *s, char *out,
                            size_t out_size, http_api_response_t *resp);
void http_api_handle_config(struct application *app, const char *body, size_t body_len, char *out,
                            size_t out_size, http_api_response_t *resp);
void http_api_handle_setup_form(const app_status_snapshot_t *s, setup_page_lang_t lang, char *out,
                                size_t out_size, http_api_response_t *resp);
void http_api_handle_scan(struct application *app, char *out, size_t out_size, http_api_response_t *resp);
void http_api_handle_provision(struct application *app, setup_page_lang_t lang, const char *body,
                               size_t body_len, char *out, size_t out_size, http_api_response_t *resp);

#endif
