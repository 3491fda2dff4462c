/*  pairing_pair: three-party pairings (三方结对帮扶): pair.add / end / get / list.

    A pairing joins an enterprise without innovation activity to the department of its
    field and the city and county of its territory (taken from the projection), and to a
    mentor enterprise when one is given: ACTIVE, with room in its capacity, of the same
    industry division. pairing_pair.lua checks all of that against the projection and
    writes the pairing, its history, the indexes, the mentor's load and the coverage
    counters in one step; the ids are PR<9 digits> in order of creation.
*/
#include "pairing_internal.h"
#include "inv_valid.h"
#include "inv_log.h"

static bool
s_code_ok (inv_call_t *call, const char *field, const char *code, bool required)
{
    if (!code || !*code) {
        if (required)
            inv_call_field_error (call, field, "is required");
        return !required;
    }
    char reason [256];
    if (!inv_credit_code_valid (code, reason, sizeof reason)) {
        inv_call_field_error (call, field, "%s", reason);
        return false;
    }
    return true;
}

static void
s_reply_pairing (pairing_t *self, inv_call_t *call, const char *pp, const char *id)
{
    bool down;
    Innov__Pairing *p = pairing_load_pairing (self, pp, id, true, &down);
    if (!p) {
        if (down)
            pairing_unavailable (self, call);
        else
            inv_call_error (call, 404, "no pairing %s", id);
        return;
    }
    Innov__PairingReply reply = INNOV__PAIRING_REPLY__INIT;
    reply.pairing = p;
    inv_caller_reply_copy (call, &reply.base);
    pairing_free_pairing (p);
}

void
pairing_pair_add (void *ctx, inv_call_t *call)
{
    pairing_t *self = (pairing_t *) ctx;
    const Innov__AddPairingRequest *req = (const Innov__AddPairingRequest *) call->request;
    s_code_ok (call, "enterprise", req->enterprise, true);
    s_code_ok (call, "mentor", req->mentor, false);
    if (inv_call_failed (call))
        return;
    const char *pp = pairing_province (self, req->province);
    const char *args [] = { "add", req->enterprise, req->mentor, "0", *req->mentor? "named by hand": "" };
    inv_store_result_t result;
    if (pairing_write (self, call, &self->pair_script, pp, req->idempotency_key, 5, args, NULL, &result) == 200) {
        inv_info ("pairing.created %s: %s mentor %s by %s", result.body, req->enterprise,
                  *req->mentor? req->mentor: "-", call->caller);
        s_reply_pairing (self, call, pp, result.body);
    }
    inv_store_result_clear (&result);
}

void
pairing_pair_end (void *ctx, inv_call_t *call)
{
    pairing_t *self = (pairing_t *) ctx;
    const Innov__EndPairingRequest *req = (const Innov__EndPairingRequest *) call->request;
    if (!*req->id && !*req->enterprise)
        inv_call_field_error (call, "id", "give the pairing id or the enterprise");
    else
    if (!*req->id)
        s_code_ok (call, "enterprise", req->enterprise, true);
    pairing_text_ok (call, "reason", req->reason, 500, false);
    if (inv_call_failed (call))
        return;
    const char *pp = pairing_province (self, req->province);
    const char *args [] = { "end", req->id, *req->id? "": req->enterprise, req->reason };
    inv_store_result_t result;
    if (pairing_write (self, call, &self->pair_script, pp, req->idempotency_key, 4, args, NULL, &result) == 200) {
        inv_info ("pairing.ended %s by %s: %s", result.body, call->caller, *req->reason? req->reason: "ended_by_hand");
        s_reply_pairing (self, call, pp, result.body);
    }
    inv_store_result_clear (&result);
}

void
pairing_pair_get (void *ctx, inv_call_t *call)
{
    pairing_t *self = (pairing_t *) ctx;
    const Innov__GetPairingRequest *req = (const Innov__GetPairingRequest *) call->request;
    const char *pp = pairing_province (self, req->province);
    if (*req->id) {
        s_reply_pairing (self, call, pp, req->id);
        return;
    }
    if (!s_code_ok (call, "enterprise", req->enterprise, true))
        return;
    char key [PAIRING_KEY_MAX];
    redisReply *pid = inv_redis_command (self->redis, "HGET %s pid", inv_key (key, sizeof key, pp, PAIRING_KEY_ENT, req->enterprise));
    if (!pid) {
        pairing_unavailable (self, call);
        return;
    }
    if (pid->type == REDIS_REPLY_STRING && pid->len)
        s_reply_pairing (self, call, pp, pid->str);
    else
        inv_call_error (call, 404, "enterprise %s has no active pairing", req->enterprise);
    freeReplyObject (pid);
}

void
pairing_pair_list (void *ctx, inv_call_t *call)
{
    pairing_t *self = (pairing_t *) ctx;
    const Innov__ListPairingsRequest *req = (const Innov__ListPairingsRequest *) call->request;
    const char *pp = pairing_province (self, req->province);
    uint32_t limit = req->limit? req->limit: 50;
    if (limit > 1000)
        limit = 1000;
    char key [PAIRING_KEY_MAX];
    redisReply *ids = NULL, *total = NULL;
    char **mentor_ids = NULL;
    size_t n_mentor_ids = 0;
    if (*req->enterprise) {
        if (!s_code_ok (call, "enterprise", req->enterprise, true))
            return;
        inv_key (key, sizeof key, pp, PAIRING_KEY_PAIRINGS_ENT, req->enterprise);
        ids = inv_redis_command (self->redis, "LRANGE %s 0 %u", key, limit);
        total = inv_redis_command (self->redis, "LLEN %s", key);
    }
    else
    if (*req->mentor) {
        if (!s_code_ok (call, "mentor", req->mentor, true))
            return;
        /* mentees' active pairings */
        inv_key (key, sizeof key, pp, PAIRING_KEY_MENTEES, req->mentor);
        redisReply *mentees = inv_redis_command (self->redis, "SORT %s ALPHA LIMIT 0 %u", key, limit);
        total = inv_redis_command (self->redis, "SCARD %s", key);
        if (mentees && mentees->type == REDIS_REPLY_ARRAY) {
            mentor_ids = (char **) zmalloc ((mentees->elements + 1) * sizeof (char *));
            for (size_t i = 0; i < mentees->elements; i++) {
                char ek [PAIRING_KEY_MAX];
                redisReply *pid = inv_redis_command (self->redis, "HGET %s pid",
                                                     inv_key (ek, sizeof ek, pp, PAIRING_KEY_ENT, mentees->element [i]->str));
                if (pid && pid->type == REDIS_REPLY_STRING && pid->len)
                    mentor_ids [n_mentor_ids++] = strdup (pid->str);
                if (pid)
                    freeReplyObject (pid);
            }
        }
        if (mentees)
            freeReplyObject (mentees);
        else {
            if (total) freeReplyObject (total);
            free (mentor_ids);
            pairing_unavailable (self, call);
            return;
        }
    }
    else {
        if (*req->city)
            inv_key (key, sizeof key, pp, PAIRING_KEY_PAIRINGS_CITY, req->city);
        else
            inv_key (key, sizeof key, pp, PAIRING_KEY_PAIRINGS_ACTIVE);
        char start [64];
        snprintf (start, sizeof start, "%s%s", *req->cursor? "(": "-", req->cursor);
        ids = inv_redis_command (self->redis, "ZRANGEBYLEX %s %s + LIMIT 0 %u", key, start, limit + 1);
        total = inv_redis_command (self->redis, "ZCARD %s", key);
    }
    if ((!ids && !mentor_ids) || !total) {
        if (ids) freeReplyObject (ids);
        if (total) freeReplyObject (total);
        pairing_unavailable (self, call);
        return;
    }
    Innov__ListPairingsReply reply = INNOV__LIST_PAIRINGS_REPLY__INIT;
    size_t count = mentor_ids? n_mentor_ids: (ids->type == REDIS_REPLY_ARRAY? ids->elements: 0);
    reply.pairings = (Innov__Pairing **) zmalloc ((count + 1) * sizeof (void *));
    for (size_t i = 0; i < count && i < limit; i++) {
        bool down;
        const char *id = mentor_ids? mentor_ids [i]: ids->element [i]->str;
        Innov__Pairing *p = pairing_load_pairing (self, pp, id, false, &down);
        if (p)
            reply.pairings [reply.n_pairings++] = p;
    }
    if (ids && !*req->enterprise && count > limit)
        reply.next_cursor = ids->element [limit - 1]->str;
    reply.total = total->type == REDIS_REPLY_INTEGER? (uint64_t) total->integer: 0;
    inv_caller_reply_copy (call, &reply.base);
    for (size_t i = 0; i < reply.n_pairings; i++)
        pairing_free_pairing (reply.pairings [i]);
    free (reply.pairings);
    for (size_t i = 0; i < n_mentor_ids; i++)
        free (mentor_ids [i]);
    free (mentor_ids);
    if (ids)
        freeReplyObject (ids);
    freeReplyObject (total);
}
