/*  notify_webhook: webhook delivery of subscription notices.

    Queue. notify_notice.lua creates a notice and, when its subscription has a webhook,
    the delivery beside it in the same script: a hash notify.wh:<notice id> (url,
    subscription, state pending, attempts), an entry in notify.wh.due at the time of
    the next attempt and one in the subscription's index. A notice therefore never
    exists without its delivery, whatever happens to the process after the script.

    Attempts. Every engine calls notify_webhook_run: it reads the deliveries due now,
    leases each with notify_wh_claim.lua (the due time moves to the end of the lease,
    the hash keeps the lease's token), POSTs the notice as JSON (inv_json_from_pb,
    proto3 mapping) with libcurl and short timeouts, and records the outcome with
    notify_wh_result.lua, which writes only for the holder of the lease: the attempt
    is appended to the delivery's log, then the delivery is delivered (2xx), set for
    a later attempt (back-off backoff_ms * 2^(n-1), capped), or failed after the last
    attempt, which keeps it and emits notice.delivery_failed. A process that dies while
    posting leaves its lease to run out; the delivery is then due again, for any
    instance. Delivery times are real time (zclock_time), not the campaign clock, since
    they measure a network's retries.

    Signature: X-Innov-Signature "sha256=<hex HMAC-SHA256 of the body>" keyed with the
    subscription's secret (libsodium), X-Innov-Delivery the delivery id, X-Innov-Timestamp
    the attempt's time in Unix ms. The secret is made when the subscription is created
    and kept in notify.sub.secret, never in the subscription record.

    notify.deliveries lists a subscription's deliveries with their logs, newest first.
*/
#include "notify_internal.h"
#include "inv_log.h"
#include "inv_json.h"
#include "inv_principal.h"
#include <curl/curl.h>
#include <sodium.h>

#define RUN_BATCH       10
#define LEASE_EXTRA_MS  5000
#define LIST_DEFAULT    100
#define LIST_MAX        1000

struct _notify_webhook_t {
    notify_t *notify;
    CURL *curl;
    char name [96];
};

/* ---- pure parts ---------------------------------------------------------------------- */

int64_t
notify_webhook_backoff (const notify_webhook_settings_t *s, uint32_t attempt)
{
    int64_t wait = s->backoff_ms;
    for (uint32_t i = 1; i < attempt && wait < s->backoff_max_ms; i++)
        wait *= 2;
    return wait < s->backoff_max_ms? wait: s->backoff_max_ms;
}

void
notify_webhook_sign (const char *secret, const void *body, size_t len,
                     char out [NOTIFY_WEBHOOK_SIGNATURE_LEN])
{
    crypto_auth_hmacsha256_state state;
    unsigned char mac [crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init (&state, (const unsigned char *) secret, strlen (secret));
    crypto_auth_hmacsha256_update (&state, (const unsigned char *) body, len);
    crypto_auth_hmacsha256_final (&state, mac);
    memcpy (out, "sha256=", 7);
    sodium_bin2hex (out + 7, NOTIFY_WEBHOOK_SIGNATURE_LEN - 7, mac, sizeof mac);
}

void
notify_webhook_secret (char out [NOTIFY_WEBHOOK_SECRET_LEN + 1])
{
    int rc = sodium_init ();
    assert (rc >= 0);
    unsigned char bytes [NOTIFY_WEBHOOK_SECRET_LEN / 2];
    randombytes_buf (bytes, sizeof bytes);
    sodium_bin2hex (out, NOTIFY_WEBHOOK_SECRET_LEN + 1, bytes, sizeof bytes);
}

bool
notify_webhook_url_valid (const char *url, char *reason, size_t size)
{
    size_t scheme = strncmp (url, "http://", 7) == 0? 7: strncmp (url, "https://", 8) == 0? 8: 0;
    if (!scheme) {
        snprintf (reason, size, "\"%.80s\" is not an http:// or https:// URL", url);
        return false;
    }
    if (strlen (url) > NOTIFY_WEBHOOK_URL_MAX) {
        snprintf (reason, size, "is longer than %d bytes", NOTIFY_WEBHOOK_URL_MAX);
        return false;
    }
    if (!url [scheme] || url [scheme] == '/' || url [scheme] == ':') {
        snprintf (reason, size, "\"%.80s\" names no host", url);
        return false;
    }
    for (const char *c = url; *c; c++)
        if ((unsigned char) *c <= ' ' || *c == 0x7f) {
            snprintf (reason, size, "contains a space or control character at byte %d", (int) (c - url));
            return false;
        }
    return true;
}

/* ---- queueing with the notice -------------------------------------------------------- */

int
notify_webhook_put_notice (notify_t *self, const Innov__Notice *notice,
                           const Innov__Subscription *sub, int64_t now_ms)
{
    char k_notice [NOTIFY_KEY_MAX], k_inbox [NOTIFY_KEY_MAX], k_unread [NOTIFY_KEY_MAX],
         k_dl [NOTIFY_KEY_MAX], k_due [NOTIFY_KEY_MAX], k_sub [NOTIFY_KEY_MAX];
    const char *keys [] = {
        inv_key (k_notice, sizeof k_notice, self->province, NOTIFY_KEY_NOTICE, notice->id),
        inv_key (k_inbox, sizeof k_inbox, self->province, NOTIFY_KEY_INBOX, notice->recipient),
        inv_key (k_unread, sizeof k_unread, self->province, NOTIFY_KEY_UNREAD, notice->recipient),
        inv_key (k_dl, sizeof k_dl, self->province, NOTIFY_KEY_DELIVERY, notice->id),
        inv_key (k_due, sizeof k_due, self->province, NOTIFY_KEY_DELIVERY_DUE),
        inv_key (k_sub, sizeof k_sub, self->province, NOTIFY_KEY_SUB_DELIVERIES, sub->id) };
    size_t body_len;
    uint8_t *body = notify_pack (&notice->base, &body_len);
    char now [24];
    snprintf (now, sizeof now, "%lld", (long long) now_ms);
    const char *args [] = { notice->id, notice->recipient, (char *) body, sub->webhook_url, sub->id, now };
    size_t lens [] = { (size_t) -1, (size_t) -1, body_len, (size_t) -1, (size_t) -1, (size_t) -1 };
    inv_store_result_t result;
    int code = notify_write (self, &self->notice_script, "service:notify", 6, keys, 6, args, lens, &result);
    if (code == 200 && streq (result.message, "notified"))
        inv_info ("notice %s to %s, webhook delivery queued", notice->id, notice->recipient);
    inv_store_result_clear (&result);
    free (body);
    return code == 200? 0: -1;
}

/* ---- the worker ---------------------------------------------------------------------- */

notify_webhook_t *
notify_webhook_new (notify_t *notify, const char *name)
{
    if (sodium_init () < 0 || curl_global_init (CURL_GLOBAL_DEFAULT))
        return NULL;
    notify_webhook_t *self = (notify_webhook_t *) zmalloc (sizeof (notify_webhook_t));
    self->notify = notify;
    self->curl = curl_easy_init ();
    assert (self->curl);
    snprintf (self->name, sizeof self->name, "%s", name);
    return self;
}

void
notify_webhook_destroy (notify_webhook_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    curl_easy_cleanup ((*self_p)->curl);
    free (*self_p);
    *self_p = NULL;
}

static size_t
s_discard (char *data, size_t size, size_t count, void *arg)
{
    (void) data; (void) arg;
    return size * count;
}

/* One POST; the HTTP status (0 when none came) and the reason into error ("" on 2xx). */
static long
s_post (notify_webhook_t *self, const char *url, const char *id, const char *json,
        const char *secret, int64_t now_ms, char *error, size_t size)
{
    const notify_webhook_settings_t *s = &notify_settings (self->notify)->webhook;
    char signature [NOTIFY_WEBHOOK_SIGNATURE_LEN], header [256];
    notify_webhook_sign (secret, json, strlen (json), signature);
    struct curl_slist *headers = curl_slist_append (NULL, "Content-Type: application/json");
    snprintf (header, sizeof header, "X-Innov-Signature: %s", signature);
    headers = curl_slist_append (headers, header);
    snprintf (header, sizeof header, "X-Innov-Delivery: %s", id);
    headers = curl_slist_append (headers, header);
    snprintf (header, sizeof header, "X-Innov-Timestamp: %lld", (long long) now_ms);
    headers = curl_slist_append (headers, header);
    headers = curl_slist_append (headers, "Expect:");
    CURL *curl = self->curl;
    curl_easy_reset (curl);
    curl_easy_setopt (curl, CURLOPT_URL, url);
    curl_easy_setopt (curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt (curl, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE, (long) strlen (json));
    curl_easy_setopt (curl, CURLOPT_USERAGENT, "innov-notify");
    curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, (long) s->timeout_ms);
    curl_easy_setopt (curl, CURLOPT_CONNECTTIMEOUT_MS, (long) (s->timeout_ms < 2000? s->timeout_ms: 2000));
    curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, s_discard);
    CURLcode rc = curl_easy_perform (curl);
    long status = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all (headers);
    if (rc != CURLE_OK)
        snprintf (error, size, "%s", curl_easy_strerror (rc));
    else
    if (status < 200 || status > 299)
        snprintf (error, size, "HTTP %ld", status);
    else
        *error = '\0';
    return status;
}

/* The string at key's field, malloc'd, or NULL. */
static char *
s_hget (notify_t *notify, const char *key, const char *field, size_t *len_p)
{
    redisReply *r = inv_redis_command (notify_redis (notify), "HGET %s %s", key, field);
    char *value = NULL;
    if (r && r->type == REDIS_REPLY_STRING) {
        value = (char *) malloc (r->len + 1);
        assert (value);
        memcpy (value, r->str, r->len);
        value [r->len] = '\0';
        if (len_p)
            *len_p = r->len;
    }
    if (r)
        freeReplyObject (r);
    return value;
}

/* Lease, post and record one delivery; 1 when attempted, 0 when not ours, -1 Redis. */
static int
s_attempt (notify_webhook_t *self, const char *id, int64_t now_ms)
{
    notify_t *notify = self->notify;
    const notify_webhook_settings_t *s = &notify_settings (notify)->webhook;
    const char *province = notify_province (notify);
    char k_dl [NOTIFY_KEY_MAX], k_due [NOTIFY_KEY_MAX], k_log [NOTIFY_KEY_MAX],
         k_notice [NOTIFY_KEY_MAX], k_secrets [NOTIFY_KEY_MAX];
    inv_key (k_dl, sizeof k_dl, province, NOTIFY_KEY_DELIVERY, id);
    inv_key (k_due, sizeof k_due, province, NOTIFY_KEY_DELIVERY_DUE);
    inv_key (k_log, sizeof k_log, province, NOTIFY_KEY_DELIVERY_LOG, id);
    inv_key (k_notice, sizeof k_notice, province, NOTIFY_KEY_NOTICE, id);
    inv_key (k_secrets, sizeof k_secrets, province, NOTIFY_KEY_SECRETS);

    char token [160], now [24], until [24];
    snprintf (token, sizeof token, "%s:%lld", self->name, (long long) now_ms);
    snprintf (now, sizeof now, "%lld", (long long) now_ms);
    snprintf (until, sizeof until, "%lld", (long long) (now_ms + s->timeout_ms + LEASE_EXTRA_MS));
    const char *claim_keys [] = { k_dl, k_due };
    const char *claim_args [] = { id, now, until, token };
    inv_store_result_t claim;
    int code = notify_write (notify, &notify->wh_claim_script, "service:notify", 2, claim_keys,
                             4, claim_args, NULL, &claim);
    if (code != 200) {
        inv_store_result_clear (&claim);
        return -1;
    }
    if (!claim.body || streq (claim.message, "busy") || streq (claim.message, "gone")) {
        inv_store_result_clear (&claim);
        return 0;
    }
    uint32_t attempt = (uint32_t) atoi (claim.message);
    char *url = strndup (claim.body, claim.body_len);
    inv_store_result_clear (&claim);

    char *subscription = s_hget (notify, k_dl, "subscription", NULL);
    char *created = s_hget (notify, k_dl, "created", NULL);
    size_t body_len = 0;
    char *body = s_hget (notify, k_notice, "body", &body_len);
    char *secret = subscription? s_hget (notify, k_secrets, subscription, NULL): NULL;
    Innov__Notice *notice = body? innov__notice__unpack (NULL, body_len, (const uint8_t *) body): NULL;

    Innov__DeliveryAttempt a = INNOV__DELIVERY_ATTEMPT__INIT;
    a.attempt = attempt;
    a.time_ms = now_ms;
    char error [256];
    int64_t started = zclock_mono ();
    if (!notice || !subscription) {
        snprintf (error, sizeof error, "the notice or its subscription is missing");
        a.status = 0;
    }
    else {
        char *json = inv_json_from_pb (&notice->base, false, true);
        /* a removed subscription's secret is gone: its pending deliveries fail */
        if (secret)
            a.status = (uint32_t) s_post (self, url, id, json, secret, now_ms, error, sizeof error);
        else
            snprintf (error, sizeof error, "the subscription has no webhook secret (removed?)");
        free (json);
    }
    a.error = error;
    a.duration_ms = (uint32_t) (zclock_mono () - started);

    bool ok = !*error;
    bool last = !ok && (attempt >= (uint32_t) s->attempts || !secret || !notice);
    const char *outcome = ok? "delivered": last? "failed": "retry";
    int64_t next_ms = ok || last? 0: now_ms + notify_webhook_backoff (s, attempt);

    Innov__Delivery d = INNOV__DELIVERY__INIT;
    Innov__DeliveryAttempt *log [] = { &a };
    d.id = (char *) id;
    d.subscription = subscription? subscription: (char *) "";
    d.url = url;
    d.state = (char *) (ok? "delivered": "failed");
    d.attempts = attempt;
    d.created_ms = created? atoll (created): 0;
    d.n_log = 1;
    d.log = log;
    size_t a_len, d_len;
    uint8_t *a_buf = notify_pack (&a.base, &a_len);
    uint8_t *d_buf = notify_pack (&d.base, &d_len);
    char n [16], next [24];
    snprintf (n, sizeof n, "%u", attempt);
    snprintf (next, sizeof next, "%lld", (long long) next_ms);
    const char *keys [] = { k_dl, k_due, k_log };
    const char *args [] = { id, token, outcome, (char *) a_buf, n, next, (char *) d_buf };
    size_t lens [] = { (size_t) -1, (size_t) -1, (size_t) -1, a_len, (size_t) -1, (size_t) -1, d_len };
    inv_store_result_t result;
    code = notify_write (notify, &notify->wh_result_script, "service:notify", 3, keys, 7, args, lens, &result);
    if (code == 200 && streq (result.message, "lost"))
        inv_warn ("webhook %s attempt %u: lease lost, not recorded", id, attempt);
    else
    if (code == 200 && ok)
        inv_info ("webhook %s delivered to %s (attempt %u, HTTP %u, %u ms)", id, url, attempt, a.status, a.duration_ms);
    else
    if (code == 200 && last)
        inv_warn ("webhook %s FAILED after %u attempts: %s", id, attempt, error);
    else
    if (code == 200)
        inv_info ("webhook %s attempt %u: %s; next in %lld ms", id, attempt, error,
                  (long long) (next_ms - now_ms));
    inv_store_result_clear (&result);
    free (a_buf);
    free (d_buf);
    if (notice)
        innov__notice__free_unpacked (notice, NULL);
    free (body);
    free (secret);
    free (created);
    free (subscription);
    free (url);
    return code == 200? 1: -1;
}

int
notify_webhook_run (notify_webhook_t *self, int64_t now_ms)
{
    char k_due [NOTIFY_KEY_MAX];
    inv_key (k_due, sizeof k_due, notify_province (self->notify), NOTIFY_KEY_DELIVERY_DUE);
    redisReply *r = inv_redis_command (notify_redis (self->notify), "ZRANGEBYSCORE %s -inf %lld LIMIT 0 %d",
                                       k_due, (long long) now_ms, RUN_BATCH);
    if (!r)
        return -1;
    int attempts = 0;
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
        int rc = s_attempt (self, r->element [i]->str, now_ms);
        if (rc < 0) {
            attempts = -1;
            break;
        }
        attempts += rc;
    }
    freeReplyObject (r);
    return attempts;
}

/* ---- notify.deliveries --------------------------------------------------------------- */

static Innov__Delivery *
s_delivery (notify_t *self, const char *id)
{
    char k_dl [NOTIFY_KEY_MAX], k_log [NOTIFY_KEY_MAX];
    inv_key (k_dl, sizeof k_dl, self->province, NOTIFY_KEY_DELIVERY, id);
    inv_key (k_log, sizeof k_log, self->province, NOTIFY_KEY_DELIVERY_LOG, id);
    redisReply *h = inv_redis_command (self->redis, "HMGET %s subscription url state attempts created next", k_dl);
    redisReply *l = inv_redis_command (self->redis, "LRANGE %s 0 -1", k_log);
    Innov__Delivery *d = NULL;
    if (h && l && h->type == REDIS_REPLY_ARRAY && h->elements == 6 && h->element [2]->type == REDIS_REPLY_STRING) {
        d = (Innov__Delivery *) zmalloc (sizeof *d);
        innov__delivery__init (d);
        d->id = strdup (id);
        const char *f [6];
        for (int i = 0; i < 6; i++)
            f [i] = h->element [i]->type == REDIS_REPLY_STRING? h->element [i]->str: "";
        d->subscription = strdup (f [0]);
        d->url = strdup (f [1]);
        d->state = strdup (f [2]);
        d->attempts = (uint32_t) atoi (f [3]);
        d->created_ms = atoll (f [4]);
        d->next_ms = streq (f [2], "pending")? atoll (f [5]): 0;
        size_t count = l->type == REDIS_REPLY_ARRAY? l->elements: 0;
        d->log = (Innov__DeliveryAttempt **) calloc (count + 1, sizeof *d->log);
        assert (d->log);
        for (size_t i = 0; i < count; i++) {
            Innov__DeliveryAttempt *a = innov__delivery_attempt__unpack (NULL, l->element [i]->len,
                                                                         (const uint8_t *) l->element [i]->str);
            if (a)
                d->log [d->n_log++] = a;
        }
    }
    if (h)
        freeReplyObject (h);
    if (l)
        freeReplyObject (l);
    return d;
}

static void
s_delivery_free (Innov__Delivery *d)
{
    for (size_t i = 0; i < d->n_log; i++)
        innov__delivery_attempt__free_unpacked (d->log [i], NULL);
    free (d->log);
    free (d->id);
    free (d->subscription);
    free (d->url);
    free (d->state);
    free (d);
}

void
notify_deliveries (void *ctx, inv_call_t *call)
{
    notify_t *self = (notify_t *) ctx;
    const Innov__ListDeliveriesRequest *req = (const Innov__ListDeliveriesRequest *) call->request;
    inv_principal_t caller;
    if (!call->caller || inv_principal_parse (call->caller, &caller) || caller.kind == INV_P_ANONYMOUS) {
        inv_call_error (call, 403, "deliveries belong to an agency: %s may not read them",
                        call->caller && *call->caller? call->caller: "anonymous");
        return;
    }
    if (!*req->subscription) {
        inv_call_field_error (call, "subscription", "is required");
        return;
    }
    if (req->limit > LIST_MAX) {
        inv_call_field_error (call, "limit", "%u is more than %d", req->limit, LIST_MAX);
        return;
    }
    char k_subs [NOTIFY_KEY_MAX], k_sub [NOTIFY_KEY_MAX];
    inv_key (k_subs, sizeof k_subs, self->province, NOTIFY_KEY_SUBS);
    inv_key (k_sub, sizeof k_sub, self->province, NOTIFY_KEY_SUB_DELIVERIES, req->subscription);
    size_t len = 0;
    char *body = s_hget (self, k_subs, req->subscription, &len);
    Innov__Subscription *sub = body? innov__subscription__unpack (NULL, len, (const uint8_t *) body): NULL;
    free (body);
    if (!sub) {
        inv_call_error (call, 404, "no subscription %s", req->subscription);
        return;
    }
    bool allowed = streq (sub->agency, call->caller)
                || caller.kind == INV_P_PROVINCE || caller.kind == INV_P_SERVICE;
    if (!allowed) {
        inv_call_error (call, 403, "%s may only read its own deliveries, not those of %s",
                        call->caller, sub->agency);
        innov__subscription__free_unpacked (sub, NULL);
        return;
    }
    innov__subscription__free_unpacked (sub, NULL);
    int limit = req->limit? (int) req->limit: LIST_DEFAULT;
    redisReply *ids = inv_redis_command (self->redis, "ZREVRANGE %s 0 %d", k_sub, limit - 1);
    if (!ids) {
        inv_call_error (call, 503, "Redis is not available");
        return;
    }
    size_t count = ids->type == REDIS_REPLY_ARRAY? ids->elements: 0;
    Innov__Delivery **list = (Innov__Delivery **) calloc (count + 1, sizeof *list);
    assert (list);
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        Innov__Delivery *d = s_delivery (self, ids->element [i]->str);
        if (d)
            list [kept++] = d;
    }
    freeReplyObject (ids);
    Innov__ListDeliveriesReply reply = INNOV__LIST_DELIVERIES_REPLY__INIT;
    reply.n_deliveries = kept;
    reply.deliveries = list;
    inv_caller_reply_copy (call, &reply.base);
    for (size_t i = 0; i < kept; i++)
        s_delivery_free (list [i]);
    free (list);
}
