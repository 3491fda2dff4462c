/*  http_client: one HTTP request over a real socket (libcurl), for tests and benchmarks
    of the HTTP gateway.

        http_reply_t r;
        http_request (&r, "POST", "http://127.0.0.1:8080/api/v1/enterprises", token,
                      "{\"name\":\"x\"}", 12, NULL);
        assert (r.status == 400);
        http_reply_clear (&r);

    token (may be NULL) goes in "Authorization: Bearer <token>"; extra is a NULL-ended
    list of further header lines ("Last-Event-ID: 7"). The reply's body is kept whole
    (NUL-terminated) with its Content-Type.
*/
#ifndef HTTP_CLIENT_H
#define HTTP_CLIENT_H
#include <stddef.h>

typedef struct {
    long status;                /* HTTP status, 0 when there was no answer */
    char *body;                 /* malloc'd, NUL-terminated ("" when none) */
    size_t size;
    char content_type [128];
    char error [256];           /* libcurl's reason when status is 0 */
} http_reply_t;

/* Returns the status (0: no answer). timeout 10 s. */
long http_request (http_reply_t *reply, const char *method, const char *url, const char *token,
                   const char *body, size_t body_size, const char *const *extra);
/* The same with a timeout in ms; a timeout after data came keeps what came (status set). */
long http_request_timeout (http_reply_t *reply, const char *method, const char *url, const char *token,
                           const char *body, size_t body_size, const char *const *extra, long timeout_ms);
void http_reply_clear (http_reply_t *reply);
#endif
