/*  notify_inbox: the methods. Subscriptions (notify.subscribe / unsubscribe /
    subscriptions) and the inbox (notices.list / unread / ack).

    Scope: an inbox belongs to an agency principal; a caller reads, counts and
    acknowledges its own, and only the province (or another service of the platform)
    may name another agency's. The same rule holds for subscriptions: a caller
    subscribes its own inbox. Anonymous callers are refused.

    A subscription's id is derived from its content (SHA-1 of the packed record
    without id), so subscribing twice to the same thing keeps one subscription.
    Filters are checked against the reference tables and stored in their canonical
    form (department and cluster by code), the form events carry.
*/
#include "notify_internal.h"
#include "inv_clock.h"
#include "inv_log.h"
#include "inv_principal.h"
#include "inv_valid.h"

#define LIST_DEFAULT    100
#define LIST_MAX        1000
#define ACK_MAX         1000
#define PREFIX_MAX      64

const inv_method_t notify_methods [] = {
    { "notify.subscribe",     &innov__subscribe_request__descriptor,          notify_subscribe,       0 },
    { "notify.unsubscribe",   &innov__unsubscribe_request__descriptor,        notify_unsubscribe,     0 },
    { "notify.subscriptions", &innov__list_subscriptions_request__descriptor, notify_subscriptions,   0 },
    { "notices.list",         &innov__list_notices_request__descriptor,       notify_notices_list,    0 },
    { "notices.unread",       &innov__unread_request__descriptor,             notify_notices_unread,  0 },
    { "notices.ack",          &innov__ack_request__descriptor,                notify_notices_ack,     0 },
    { "notify.deliveries",    &innov__list_deliveries_request__descriptor,    notify_deliveries,      0 },
    { NULL }
};

/* The inbox the call acts on, into out: requested ("" = the caller's own). false with
   the call's error set when refused. */
static bool
s_inbox (inv_call_t *call, const char *requested, char *out, size_t size)
{
    inv_principal_t caller;
    if (!call->caller || inv_principal_parse (call->caller, &caller) || caller.kind == INV_P_ANONYMOUS) {
        inv_call_error (call, 403, "an inbox belongs to an agency: %s may not use one",
                        call->caller && *call->caller? call->caller: "anonymous");
        return false;
    }
    if (!requested || !*requested) {
        snprintf (out, size, "%s", call->caller);
        return true;
    }
    inv_principal_t p;
    if (inv_principal_parse (requested, &p) || p.kind == INV_P_ANONYMOUS) {
        inv_call_field_error (call, "agency", "\"%s\" is not an agency principal "
                              "(province, dept:<code>, city:<code>, county:<code>, group:<id>)", requested);
        return false;
    }
    if (!streq (requested, call->caller) && caller.kind != INV_P_PROVINCE && caller.kind != INV_P_SERVICE) {
        inv_call_error (call, 403, "%s may only use its own inbox, not that of %s", call->caller, requested);
        return false;
    }
    snprintf (out, size, "%s", requested);
    return true;
}

int
notify_put_notice (notify_t *self, const Innov__Notice *notice)
{
    char k_notice [NOTIFY_KEY_MAX], k_inbox [NOTIFY_KEY_MAX], k_unread [NOTIFY_KEY_MAX];
    const char *keys [] = {
        inv_key (k_notice, sizeof k_notice, self->province, NOTIFY_KEY_NOTICE, notice->id),
        inv_key (k_inbox, sizeof k_inbox, self->province, NOTIFY_KEY_INBOX, notice->recipient),
        inv_key (k_unread, sizeof k_unread, self->province, NOTIFY_KEY_UNREAD, notice->recipient) };
    size_t body_len;
    uint8_t *body = notify_pack (&notice->base, &body_len);
    const char *args [] = { notice->id, notice->recipient, (char *) body };
    size_t lens [] = { (size_t) -1, (size_t) -1, body_len };
    inv_store_result_t result;
    int code = notify_write (self, &self->notice_script, "service:notify", 3, keys, 3, args, lens, &result);
    if (code == 200 && streq (result.message, "notified"))
        inv_info ("notice %s to %s", notice->id, notice->recipient);
    inv_store_result_clear (&result);
    free (body);
    return code == 200? 0: -1;
}

/* ---- subscriptions ------------------------------------------------------------------- */

static void
s_subscription_id (const Innov__Subscription *sub, char *id, size_t size)
{
    size_t len;
    uint8_t *packed = notify_pack (&sub->base, &len);
    zdigest_t *digest = zdigest_new ();
    zdigest_update (digest, packed, len);
    snprintf (id, size, "s%.16s", zdigest_string (digest));
    zdigest_destroy (&digest);
    free (packed);
    for (char *c = id; *c; c++)
        *c = (char) tolower (*c);
}

void
notify_subscribe (void *ctx, inv_call_t *call)
{
    notify_t *self = (notify_t *) ctx;
    const Innov__SubscribeRequest *req = (const Innov__SubscribeRequest *) call->request;
    const Innov__Subscription *in = req->subscription;
    if (!in) {
        inv_call_field_error (call, "subscription", "is required");
        return;
    }
    char agency [80];
    if (!s_inbox (call, in->agency, agency, sizeof agency))
        return;
    Innov__Subscription sub = INNOV__SUBSCRIPTION__INIT;
    sub.agency = agency;
    sub.type_prefix = in->type_prefix;
    if (!*in->type_prefix)
        inv_call_field_error (call, "subscription.type_prefix", "is required (e.g. \"enterprise.\")");
    else
    if (strlen (in->type_prefix) > PREFIX_MAX)
        inv_call_field_error (call, "subscription.type_prefix", "is longer than %d bytes", PREFIX_MAX);
    else
    if (strncmp (in->type_prefix, "notice.", strlen (in->type_prefix) < 7? strlen (in->type_prefix): 7) == 0)
        inv_call_field_error (call, "subscription.type_prefix",
                              "\"%s\" would match notice.* events, which are notify's own output", in->type_prefix);
    char reason [256];
    sub.city = in->city;
    if (*in->city && !inv_division_is_city (in->city))
        inv_call_field_error (call, "subscription.city", "%s is not a known city code", in->city);
    sub.county = in->county;
    if (*in->county && !inv_division_is_county (in->county))
        inv_call_field_error (call, "subscription.county", "%s is not a known county code", in->county);
    sub.department = in->department;
    if (*in->department) {
        const inv_department_t *dept = inv_department_find (in->department);
        if (dept)
            sub.department = (char *) dept->code;
        else
            inv_call_field_error (call, "subscription.department", "%s is not a known provincial department",
                                  in->department);
    }
    sub.cluster = in->cluster;
    if (*in->cluster) {
        const inv_cluster_t *cluster = inv_cluster_find (in->cluster);
        if (cluster)
            sub.cluster = (char *) cluster->code;
        else
            inv_call_field_error (call, "subscription.cluster", "%s is not a known cluster", in->cluster);
    }
    sub.enterprise = in->enterprise;
    if (*in->enterprise && !inv_credit_code_valid (in->enterprise, reason, sizeof reason))
        inv_call_field_error (call, "subscription.enterprise", "%s", reason);
    sub.webhook_url = in->webhook_url;
    if (*in->webhook_url && !notify_webhook_url_valid (in->webhook_url, reason, sizeof reason))
        inv_call_field_error (call, "subscription.webhook_url", "%s", reason);
    if (inv_call_failed (call))
        return;
    char secret [NOTIFY_WEBHOOK_SECRET_LEN + 1] = "";
    if (*sub.webhook_url)
        notify_webhook_secret (secret);
    char id [24];
    s_subscription_id (&sub, id, sizeof id);
    sub.id = id;
    size_t body_len;
    uint8_t *body = notify_pack (&sub.base, &body_len);
    char k_subs [NOTIFY_KEY_MAX], k_secrets [NOTIFY_KEY_MAX];
    const char *keys [] = { inv_key (k_subs, sizeof k_subs, self->province, NOTIFY_KEY_SUBS),
                            inv_key (k_secrets, sizeof k_secrets, self->province, NOTIFY_KEY_SECRETS) };
    const char *args [] = { "add", id, (char *) body, secret };
    size_t lens [] = { (size_t) -1, (size_t) -1, body_len, (size_t) -1 };
    inv_store_result_t result;
    int code = notify_write (self, &self->subscribe_script, call->caller, 2, keys, 4, args, lens, &result);
    if (code == 200) {
        inv_info ("subscription %s %s: %s to %s*%s%s", id, result.message, agency, sub.type_prefix,
                  *sub.webhook_url? ", webhook ": "", sub.webhook_url);
        if (streq (result.message, "created"))
            sub.secret = secret;        /* given once: the reply that created it */
        Innov__SubscriptionReply reply = INNOV__SUBSCRIPTION_REPLY__INIT;
        reply.subscription = &sub;
        inv_caller_reply_copy (call, &reply.base);
    }
    else
        inv_call_error (call, code, "%s", result.message);
    inv_store_result_clear (&result);
    free (body);
}

void
notify_unsubscribe (void *ctx, inv_call_t *call)
{
    notify_t *self = (notify_t *) ctx;
    const Innov__UnsubscribeRequest *req = (const Innov__UnsubscribeRequest *) call->request;
    if (!*req->id) {
        inv_call_field_error (call, "id", "is required");
        return;
    }
    char agency [80];
    if (!s_inbox (call, "", agency, sizeof agency))
        return;
    char k_subs [NOTIFY_KEY_MAX], k_secrets [NOTIFY_KEY_MAX];
    inv_key (k_subs, sizeof k_subs, self->province, NOTIFY_KEY_SUBS);
    inv_key (k_secrets, sizeof k_secrets, self->province, NOTIFY_KEY_SECRETS);
    redisReply *r = inv_redis_command (self->redis, "HGET %s %s", k_subs, req->id);
    if (!r) {
        inv_call_error (call, 503, "Redis is not available");
        return;
    }
    Innov__Subscription *sub = r->type == REDIS_REPLY_STRING?
        innov__subscription__unpack (NULL, r->len, (const uint8_t *) r->str): NULL;
    if (!sub)
        inv_call_error (call, 404, "no subscription %s", req->id);
    else
    if (!s_inbox (call, sub->agency, agency, sizeof agency))
        ;
    else {
        const char *keys [] = { k_subs, k_secrets };
        const char *args [] = { "remove", req->id, r->str };
        size_t lens [] = { (size_t) -1, (size_t) -1, r->len };
        inv_store_result_t result;
        int code = notify_write (self, &self->subscribe_script, call->caller, 2, keys, 3, args, lens, &result);
        if (code == 200) {
            inv_info ("subscription %s removed by %s", req->id, call->caller);
            Innov__SubscriptionReply reply = INNOV__SUBSCRIPTION_REPLY__INIT;
            reply.subscription = sub;
            inv_caller_reply_copy (call, &reply.base);
        }
        else
            inv_call_error (call, code, "%s", result.message);
        inv_store_result_clear (&result);
    }
    if (sub)
        innov__subscription__free_unpacked (sub, NULL);
    freeReplyObject (r);
}

void
notify_subscriptions (void *ctx, inv_call_t *call)
{
    notify_t *self = (notify_t *) ctx;
    const Innov__ListSubscriptionsRequest *req = (const Innov__ListSubscriptionsRequest *) call->request;
    char agency [80];
    if (!s_inbox (call, req->agency, agency, sizeof agency))
        return;
    char k_subs [NOTIFY_KEY_MAX];
    inv_key (k_subs, sizeof k_subs, self->province, NOTIFY_KEY_SUBS);
    redisReply *r = inv_redis_command (self->redis, "HVALS %s", k_subs);
    if (!r) {
        inv_call_error (call, 503, "Redis is not available");
        return;
    }
    size_t count = r->type == REDIS_REPLY_ARRAY? r->elements: 0;
    Innov__Subscription **subs = (Innov__Subscription **) calloc (count + 1, sizeof *subs);
    assert (subs);
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        Innov__Subscription *sub = innov__subscription__unpack (NULL, r->element [i]->len,
                                                                (const uint8_t *) r->element [i]->str);
        if (sub && streq (sub->agency, agency))
            subs [kept++] = sub;
        else
        if (sub)
            innov__subscription__free_unpacked (sub, NULL);
    }
    freeReplyObject (r);
    Innov__ListSubscriptionsReply reply = INNOV__LIST_SUBSCRIPTIONS_REPLY__INIT;
    reply.n_subscriptions = kept;
    reply.subscriptions = subs;
    inv_caller_reply_copy (call, &reply.base);
    for (size_t i = 0; i < kept; i++)
        innov__subscription__free_unpacked (subs [i], NULL);
    free (subs);
}

/* ---- inbox --------------------------------------------------------------------------- */

static long long
s_unread (notify_t *self, const char *agency)
{
    char k_unread [NOTIFY_KEY_MAX];
    inv_key (k_unread, sizeof k_unread, self->province, NOTIFY_KEY_UNREAD, agency);
    redisReply *r = inv_redis_command (self->redis, "SCARD %s", k_unread);
    if (!r)
        return -1;
    long long n = r->type == REDIS_REPLY_INTEGER? r->integer: 0;
    freeReplyObject (r);
    return n;
}

void
notify_notices_list (void *ctx, inv_call_t *call)
{
    notify_t *self = (notify_t *) ctx;
    const Innov__ListNoticesRequest *req = (const Innov__ListNoticesRequest *) call->request;
    char agency [80];
    if (!s_inbox (call, req->agency, agency, sizeof agency))
        return;
    if (req->limit > LIST_MAX) {
        inv_call_field_error (call, "limit", "%u is more than %d", req->limit, LIST_MAX);
        return;
    }
    size_t limit = req->limit? req->limit: LIST_DEFAULT;
    char k_inbox [NOTIFY_KEY_MAX];
    inv_key (k_inbox, sizeof k_inbox, self->province, NOTIFY_KEY_INBOX, agency);
    /* unread_only reads further back so that limit unread ones can be found */
    redisReply *ids = inv_redis_command (self->redis, "ZREVRANGE %s 0 %d", k_inbox,
                                         req->unread_only? -1: (int) limit - 1);
    long long unread = ids? s_unread (self, agency): -1;
    if (!ids || unread < 0) {
        if (ids)
            freeReplyObject (ids);
        inv_call_error (call, 503, "Redis is not available");
        return;
    }
    size_t count = ids->type == REDIS_REPLY_ARRAY? ids->elements: 0;
    Innov__Notice **notices = (Innov__Notice **) calloc (count + 1, sizeof *notices);
    assert (notices);
    size_t kept = 0;
    for (size_t i = 0; i < count && kept < limit; i++) {
        char k_notice [NOTIFY_KEY_MAX];
        inv_key (k_notice, sizeof k_notice, self->province, NOTIFY_KEY_NOTICE, ids->element [i]->str);
        redisReply *r = inv_redis_command (self->redis, "HMGET %s body read", k_notice);
        if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2
        &&  r->element [0]->type == REDIS_REPLY_STRING) {
            Innov__Notice *n = innov__notice__unpack (NULL, r->element [0]->len,
                                                      (const uint8_t *) r->element [0]->str);
            if (n) {
                n->read = r->element [1]->type == REDIS_REPLY_STRING && streq (r->element [1]->str, "1");
                if (req->unread_only && n->read)
                    innov__notice__free_unpacked (n, NULL);
                else
                    notices [kept++] = n;
            }
        }
        if (r)
            freeReplyObject (r);
    }
    freeReplyObject (ids);
    Innov__ListNoticesReply reply = INNOV__LIST_NOTICES_REPLY__INIT;
    reply.n_notices = kept;
    reply.notices = notices;
    reply.unread = (uint32_t) unread;
    inv_caller_reply_copy (call, &reply.base);
    for (size_t i = 0; i < kept; i++)
        innov__notice__free_unpacked (notices [i], NULL);
    free (notices);
}

void
notify_notices_unread (void *ctx, inv_call_t *call)
{
    notify_t *self = (notify_t *) ctx;
    const Innov__UnreadRequest *req = (const Innov__UnreadRequest *) call->request;
    char agency [80];
    if (!s_inbox (call, req->agency, agency, sizeof agency))
        return;
    long long n = s_unread (self, agency);
    if (n < 0) {
        inv_call_error (call, 503, "Redis is not available");
        return;
    }
    Innov__UnreadReply reply = INNOV__UNREAD_REPLY__INIT;
    reply.unread = (uint32_t) n;
    inv_caller_reply_copy (call, &reply.base);
}

void
notify_notices_ack (void *ctx, inv_call_t *call)
{
    notify_t *self = (notify_t *) ctx;
    const Innov__AckRequest *req = (const Innov__AckRequest *) call->request;
    char agency [80];
    if (!s_inbox (call, req->agency, agency, sizeof agency))
        return;
    if (req->n_ids == 0 || req->n_ids > ACK_MAX) {
        inv_call_field_error (call, "ids", "give 1 to %d notice ids (%zu given)", ACK_MAX, req->n_ids);
        return;
    }
    for (size_t i = 0; i < req->n_ids; i++)
        if (!*req->ids [i] || strlen (req->ids [i]) > 200) {
            inv_call_field_error (call, "ids", "id %zu is empty or longer than 200 bytes", i + 1);
            return;
        }
    size_t nkeys = req->n_ids + 2;
    const char **keys = (const char **) calloc (nkeys, sizeof *keys);
    const char **args = (const char **) calloc (nkeys, sizeof *args);
    char (*bufs) [NOTIFY_KEY_MAX] = calloc (nkeys, NOTIFY_KEY_MAX);
    assert (keys && args && bufs);
    keys [0] = inv_key (bufs [0], NOTIFY_KEY_MAX, self->province, NOTIFY_KEY_UNREAD, agency);
    args [0] = agency;
    for (size_t i = 0; i < req->n_ids; i++) {
        keys [i + 1] = inv_key (bufs [i + 1], NOTIFY_KEY_MAX, self->province, NOTIFY_KEY_NOTICE, req->ids [i]);
        args [i + 1] = req->ids [i];
    }
    size_t *lens = (size_t *) calloc (nkeys, sizeof *lens);
    assert (lens);
    for (size_t i = 0; i < req->n_ids + 1; i++)
        lens [i] = strlen (args [i]);
    inv_store_result_t result;
    inv_store_write (self->redis, &self->ack_script, self->province, call->caller, "",
                     (int) req->n_ids + 1, keys, NULL, (int) req->n_ids + 1, args, lens, &result);
    if (result.code == 200) {
        Innov__AckReply reply = INNOV__ACK_REPLY__INIT;
        reply.acknowledged = (uint32_t) atoi (result.message);
        inv_info ("%s acknowledged %u of %zu notices", agency, reply.acknowledged, req->n_ids);
        inv_caller_reply_copy (call, &reply.base);
    }
    else
        inv_call_error (call, result.code, "%s", result.message);
    inv_store_result_clear (&result);
    free (keys);
    free (args);
    free (bufs);
    free (lens);
}
