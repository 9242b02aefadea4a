/*
 * http_guard: the checks every HTTP write passes before it is read (http_api.h lists the order and the
 * answers). Pure functions of the request: no lock, no state.
 *
 * Cross-site: browsers mark a request a page of another site makes (a plain form POST needs no CORS
 * preflight) with Sec-Fetch-Site: cross-site and send its Origin; a write is refused when either says it
 * comes from elsewhere. Requests without those headers (curl, the central server, tools) are not browsers'
 * cross-site requests and pass this check; they still need the secret.
 *
 * The secret: Authorization "Bearer <secret>", or "Basic base64(user:secret)" with any user name, or the
 * form field setup_secret (the setup page without JavaScript). Each candidate is normalised and compared in
 * constant time (domain/setup_secret.h). A device without a canonical secret accepts none.
 */
#ifndef APPLICATION_HTTP_GUARD_H
#define APPLICATION_HTTP_GUARD_H

#include <stdbool.h>

#include "application/http_api.h"

/* True when the request comes from another site's page (see above). */
bool http_guard_is_cross_site(const http_api_request_t *req);

/* True when the request carries secret in one of the three ways above. */
bool http_guard_has_secret(const char *secret, const http_api_request_t *req);

#endif
