/*
 * setup_page: the HTML of the provisioning access point's setup form (GET /) and of the answer to a
 * accepted form (POST /provision). Served by http_api in provisioning mode only; no framework, one small
 * script that fills the network list from GET /scan through the DOM (never as markup, so an SSID cannot
 * inject HTML). Every text that comes from outside (the access point name, a submitted SSID) is HTML-escaped.
 */
#ifndef APPLICATION_SETUP_PAGE_H
#define APPLICATION_SETUP_PAGE_H

#include <stddef.h>

#include "application/app_status.h"

/* The form page titled with the access point's name. APP_ERR_BUFFER_TOO_SMALL when it does not fit. */
app_err_t setup_page_render_form(const char *ap_ssid, char *out, size_t out_size, size_t *out_len);

/* The page answering an accepted form: the device now joins ssid. APP_ERR_BUFFER_TOO_SMALL as above. */
app_err_t setup_page_render_saved(const char *ssid, char *out, size_t out_size, size_t *out_len);

#endif
