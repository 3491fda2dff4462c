/*  pairing_guidance: the three guidance layers (三层指导): industry alliances (per
    cluster), expert teams (per industry) and innovation platforms linked to the
    enterprises they guide: guidance.link / unlink / list.

    The agencies are the registry's (kinds ALLIANCE, EXPERT_TEAM, PLATFORM); the
    projection keeps their kind, cluster and industry from agency.created / updated, and
    the reference ones (one alliance per cluster, one expert team per division) are
    projected from the reference tables on the first guidance call of a process.
    pairing_link.lua checks each enterprise (known, in the caller's scope, of the
    alliance's cluster or the expert team's industry) before it writes anything.
    guidance.list without an agency or enterprise answers the cluster report: for each of
    the 14 clusters its alliances and the enterprises linked to them, and the clusters
    left without alliance guidance: no alliance, or (since the registry seeds one alliance
    per cluster) no enterprise linked to any of its alliances.
*/
#include "pairing_internal.h"
#include "inv_valid.h"
#include "inv_log.h"

#define LINK_MAX 50

static void
s_link (pairing_t *self, inv_call_t *call, bool link)
{
    const Innov__LinkRequest *req = (const Innov__LinkRequest *) call->request;
    pairing_text_ok (call, "agency", req->agency, 100, true);
    pairing_codes_check (call, "enterprises", req->enterprises, req->n_enterprises, LINK_MAX);
    if (inv_call_failed (call))
        return;
    const char *pp = pairing_province (self, req->province);
    if (!self->reference_seeded && pairing_seed_reference (self, pp)) {
        pairing_unavailable (self, call);
        return;
    }
    const char *args [2 + LINK_MAX];
    args [0] = link? "link": "unlink";
    args [1] = req->agency;
    for (size_t i = 0; i < req->n_enterprises; i++)
        args [2 + i] = req->enterprises [i];
    inv_store_result_t result;
    if (pairing_write (self, call, &self->link_script, pp, req->idempotency_key,
                       (int) (2 + req->n_enterprises), args, NULL, &result) == 200) {
        Innov__LinkReply reply = INNOV__LINK_REPLY__INIT;
        reply.changed = (uint32_t) atoi (result.message);
        inv_info ("guidance.%s %s: %u of %zu enterprises by %s", link? "linked": "unlinked", req->agency,
                  reply.changed, req->n_enterprises, call->caller);
        inv_caller_reply_copy (call, &reply.base);
    }
    inv_store_result_clear (&result);
}

void
pairing_guidance_link (void *ctx, inv_call_t *call)
{
    s_link ((pairing_t *) ctx, call, true);
}

void
pairing_guidance_unlink (void *ctx, inv_call_t *call)
{
    s_link ((pairing_t *) ctx, call, false);
}

void
pairing_guidance_list (void *ctx, inv_call_t *call)
{
    pairing_t *self = (pairing_t *) ctx;
    const Innov__ListGuidanceRequest *req = (const Innov__ListGuidanceRequest *) call->request;
    const char *pp = pairing_province (self, req->province);
    if (!self->reference_seeded && pairing_seed_reference (self, pp)) {
        pairing_unavailable (self, call);
        return;
    }
    char key [PAIRING_KEY_MAX];
    Innov__ListGuidanceReply reply = INNOV__LIST_GUIDANCE_REPLY__INIT;
    redisReply *list = NULL;
    if (*req->agency || *req->enterprise) {
        if (*req->agency)
            inv_key (key, sizeof key, pp, PAIRING_KEY_GUIDE, req->agency);
        else
            inv_key (key, sizeof key, pp, PAIRING_KEY_GUIDED, req->enterprise);
        list = inv_redis_command (self->redis, "ZRANGE %s 0 999", key);
        if (!list) {
            pairing_unavailable (self, call);
            return;
        }
        size_t n = list->type == REDIS_REPLY_ARRAY? list->elements: 0;
        reply.links = (Innov__GuidanceLink **) zmalloc ((n + 1) * sizeof (void *));
        Innov__GuidanceLink *links = (Innov__GuidanceLink *) zmalloc ((n + 1) * sizeof (Innov__GuidanceLink));
        redisReply *kind = NULL;
        if (*req->agency)
            kind = inv_redis_command (self->redis, "HGET %s kind", inv_key (key, sizeof key, pp, PAIRING_KEY_AGENCY, req->agency));
        for (size_t i = 0; i < n; i++) {
            Innov__GuidanceLink *l = &links [i];
            innov__guidance_link__init (l);
            l->agency = *req->agency? (char *) req->agency: list->element [i]->str;
            l->enterprise = *req->agency? list->element [i]->str: (char *) req->enterprise;
            if (kind && kind->type == REDIS_REPLY_STRING)
                l->kind = atoi (kind->str);
            else
            if (!*req->agency) {
                redisReply *k = inv_redis_command (self->redis, "HGET %s kind",
                                                   inv_key (key, sizeof key, pp, PAIRING_KEY_AGENCY, l->agency));
                l->kind = k && k->type == REDIS_REPLY_STRING? atoi (k->str): 0;
                if (k)
                    freeReplyObject (k);
            }
            reply.links [reply.n_links++] = l;
        }
        if (kind)
            freeReplyObject (kind);
        inv_caller_reply_copy (call, &reply.base);
        free (reply.links);
        free (links);
        freeReplyObject (list);
        return;
    }
    size_t nclusters;
    const inv_cluster_t *clusters = inv_cluster_all (&nclusters);
    redisReply *linked = inv_redis_command (self->redis, "HGETALL %s", inv_key (key, sizeof key, pp, PAIRING_KEY_GUIDE_CLUSTER));
    if (!linked) {
        pairing_unavailable (self, call);
        return;
    }
    reply.clusters = (Innov__ClusterGuidance **) zmalloc ((nclusters + 1) * sizeof (void *));
    Innov__ClusterGuidance *rows = (Innov__ClusterGuidance *) zmalloc ((nclusters + 1) * sizeof (Innov__ClusterGuidance));
    reply.clusters_without_alliance = (char **) zmalloc ((nclusters + 1) * sizeof (char *));
    for (size_t i = 0; i < nclusters; i++) {
        Innov__ClusterGuidance *row = &rows [i];
        innov__cluster_guidance__init (row);
        row->cluster = (char *) clusters [i].code;
        row->label = (char *) clusters [i].name;
        redisReply *n = inv_redis_command (self->redis, "ZCARD %s", inv_key (key, sizeof key, pp, PAIRING_KEY_ALLIANCES, clusters [i].code));
        row->alliances = n && n->type == REDIS_REPLY_INTEGER? (uint32_t) n->integer: 0;
        if (n)
            freeReplyObject (n);
        row->linked = (uint64_t) atoll (pairing_reply_field (linked, clusters [i].code));
        reply.clusters [reply.n_clusters++] = row;
        if (row->alliances == 0 || row->linked == 0)
            reply.clusters_without_alliance [reply.n_clusters_without_alliance++] = (char *) clusters [i].code;
    }
    inv_caller_reply_copy (call, &reply.base);
    free (reply.clusters);
    free (rows);
    free (reply.clusters_without_alliance);
    freeReplyObject (linked);
}
