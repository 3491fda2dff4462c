/*  notify_webhook: webhook delivery of subscription notices (docs/notify.md, Webhooks).

    A subscription with a webhook_url gets every notice POSTed there as JSON, signed
    with its secret (X-Innov-Signature: sha256=<hex HMAC-SHA256 of the body>). The
    delivery is queued by the script that creates the notice; any notify engine works
    the queue, leasing one delivery at a time, retrying with exponential back-off and
    logging every attempt; after the last attempt the delivery is failed, kept, and
    notice.delivery_failed is emitted.
*/
#ifndef NOTIFY_WEBHOOK_H
#define NOTIFY_WEBHOOK_H
#include "notify.h"

#define NOTIFY_WEBHOOK_URL_MAX      512
#define NOTIFY_WEBHOOK_SECRET_LEN   64          /* hex characters */
#define NOTIFY_WEBHOOK_SIGNATURE_LEN 72         /* "sha256=" + 64 hex + NUL */

/* Wait before the attempt that follows failed attempt n (1, 2, ...). */
int64_t notify_webhook_backoff (const notify_webhook_settings_t *s, uint32_t attempt);
/* "sha256=<hex HMAC-SHA256 of body keyed with the secret's bytes>" into out. */
void notify_webhook_sign (const char *secret, const void *body, size_t len,
                          char out [NOTIFY_WEBHOOK_SIGNATURE_LEN]);
/* A fresh random secret: 64 hex characters (256 bits). */
void notify_webhook_secret (char out [NOTIFY_WEBHOOK_SECRET_LEN + 1]);
/* true if url is an http:// or https:// URL notify may POST to; else reason. */
bool notify_webhook_url_valid (const char *url, char *reason, size_t size);

/* Store a subscription notice and queue its webhook delivery in one script; as
   notify_put_notice. now_ms: real time (the delivery's first attempt). */
int notify_webhook_put_notice (notify_t *notify, const Innov__Notice *notice,
                               const Innov__Subscription *sub, int64_t now_ms);

typedef struct _notify_webhook_t notify_webhook_t;

/* The delivery worker of an engine: its own HTTP client; name tells leases apart. */
notify_webhook_t *notify_webhook_new (notify_t *notify, const char *name);
void notify_webhook_destroy (notify_webhook_t **self_p);
/* Attempt the deliveries due at now_ms (real time), at most a few per call. Returns
   the attempts made, or -1 if Redis failed. */
int notify_webhook_run (notify_webhook_t *self, int64_t now_ms);

#endif
