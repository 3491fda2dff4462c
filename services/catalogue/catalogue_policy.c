/*  catalogue_policy: the policy catalogue (政策汇编: policy.add / update / get / list)
    and the policy menu of a work group (政策菜单: policy.menu).

    A policy has a level (central, provincial, city; a city-level policy names its
    city and fits only that city's enterprises) and conditions an enterprise must all
    meet: an industry prefix, a cluster, a band of operating revenue, an R&D
    institution or R&D activity (required or excluded), an innovation status. An empty
    condition is not checked. catalogue_policy_fits is the one matching function: it says
    whether an enterprise fits and, for the menu, names each condition met in words.

    The menu takes the enterprises a work group serves (pairing's group.get) or an
    explicit list of credit codes, reads each from the registry, and lists the active
    policies that fit at least one of them, with the enterprises each fits and why.
    Codes the registry does not know are listed apart (missing), not refused.
*/
#include <czmq.h>
#include <math.h>
#include "catalogue_internal.h"
#include "inv_clock.h"
#include "inv_log.h"
#include "inv_valid.h"

#define MENU_ENTERPRISES_MAX 500
#define LIST_CONDITIONS_MAX  64

static const char *s_status_names [] = { "", "not_started", "in_progress", "active", "closed" };

static int
s_status_number (const char *name)
{
    for (int i = 1; i <= 4; i++)
        if (streq (name, s_status_names [i]))
            return i;
    return 0;
}

static const char *
s_status_label (int status)
{
    static const char *labels [] = { "?", "未开展", "推进中", "已开展", "已销号" };
    return status >= 1 && status <= 4? labels [status]: "?";
}

static void
s_add (zlist_t *reasons, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
static void
s_add (zlist_t *reasons, const char *fmt, ...)
{
    if (!reasons)
        return;
    va_list ap;
    va_start (ap, fmt);
    char *text = zsys_vprintf (fmt, ap);
    va_end (ap);
    zlist_append (reasons, text);
    zlist_freefn (reasons, text, free, true);
}

static bool
s_requirement (Innov__PolicyRequirement r, bool has, const char *what, zlist_t *reasons)
{
    if (r == INNOV__POLICY_REQUIREMENT__REQUIRE_ANY)
        return true;
    if (r == INNOV__POLICY_REQUIREMENT__REQUIRE_YES && has) {
        s_add (reasons, "有%s", what);
        return true;
    }
    if (r == INNOV__POLICY_REQUIREMENT__REQUIRE_NO && !has) {
        s_add (reasons, "尚无%s", what);
        return true;
    }
    return false;
}

bool
catalogue_policy_fits (const Innov__Policy *p, const Innov__Enterprise *e, zlist_t *reasons)
{
    const Innov__PolicyConditions *c = p->conditions;
    size_t before = reasons? zlist_size (reasons): 0;
    if (p->level == INNOV__POLICY_LEVEL__POLICY_LEVEL_CITY) {
        if (!streq (catalogue_str (p->city), catalogue_str (e->city)))
            return false;
        const inv_division_t *city = inv_division_find (e->city);
        s_add (reasons, "属%s (市级政策)", city? city->name: e->city);
    }
    if (!c)
        goto none;
    if (c->n_industry_prefixes) {
        const char *match = NULL;
        for (size_t i = 0; i < c->n_industry_prefixes && !match; i++)
            if (*c->industry_prefixes [i]
            &&  strncmp (catalogue_str (e->industry), c->industry_prefixes [i], strlen (c->industry_prefixes [i])) == 0)
                match = c->industry_prefixes [i];
        if (!match)
            return false;
        s_add (reasons, "行业 %s 属于 %s", e->industry, match);
    }
    if (c->n_clusters) {
        const char *match = NULL;
        for (size_t i = 0; i < c->n_clusters && !match; i++)
            if (!catalogue_empty (e->cluster) && streq (c->clusters [i], e->cluster))
                match = c->clusters [i];
        if (!match)
            return false;
        const inv_cluster_t *cluster = inv_cluster_find (match);
        s_add (reasons, "产业集群 %s", cluster? cluster->name: match);
    }
    if (c->min_revenue > 0) {
        if (e->operating_revenue < c->min_revenue)
            return false;
        s_add (reasons, "营业收入 %.0f 万元 ≥ %.0f 万元", e->operating_revenue, c->min_revenue);
    }
    if (c->max_revenue > 0) {
        if (e->operating_revenue > c->max_revenue)
            return false;
        s_add (reasons, "营业收入 %.0f 万元 ≤ %.0f 万元", e->operating_revenue, c->max_revenue);
    }
    if (!s_requirement (c->rd_institution, e->has_rd_institution, "研发机构", reasons)
    ||  !s_requirement (c->rd_activity, e->has_rd_activity, "研发活动", reasons))
        return false;
    if (c->n_statuses) {
        bool match = false;
        for (size_t i = 0; i < c->n_statuses && !match; i++)
            match = s_status_number (c->statuses [i]) == (int) e->status;
        if (!match)
            return false;
        s_add (reasons, "创新状态为%s", s_status_label (e->status));
    }
none:
    if (reasons && zlist_size (reasons) == before)
        s_add (reasons, "无限制条件，适用全部企业");
    return true;
}

/* ---- writes ---------------------------------------------------------------------------- */

static void
s_check_policy (inv_call_t *call, const Innov__Policy *p, const char **clusters)
{
    catalogue_check_text (call, "policy.title", p->title, CATALOGUE_NAME_MAX, true);
    if (p->level < 1 || p->level > 3)
        inv_call_field_error (call, "policy.level", "must be central, provincial or city");
    if (p->level == INNOV__POLICY_LEVEL__POLICY_LEVEL_CITY && !inv_division_is_city (catalogue_str (p->city)))
        inv_call_field_error (call, "policy.city", "a city-level policy names its city (6-digit code), not \"%.16s\"",
                              catalogue_str (p->city));
    if (p->level != INNOV__POLICY_LEVEL__POLICY_LEVEL_CITY && !catalogue_empty (p->city))
        inv_call_field_error (call, "policy.city", "only a city-level policy names a city");
    catalogue_check_text (call, "policy.kind", p->kind, 64, false);
    catalogue_check_text (call, "policy.issuer", p->issuer, CATALOGUE_NAME_MAX, false);
    catalogue_check_text (call, "policy.document", p->document, CATALOGUE_NAME_MAX, false);
    catalogue_check_text (call, "policy.summary", p->summary, CATALOGUE_TEXT_MAX * 2, false);
    if (!catalogue_empty (p->state) && !streq (p->state, "active") && !streq (p->state, "expired"))
        inv_call_field_error (call, "policy.state", "must be active or expired");
    const Innov__PolicyConditions *c = p->conditions;
    if (!c)
        return;
    if (c->n_industry_prefixes > LIST_CONDITIONS_MAX || c->n_clusters > LIST_CONDITIONS_MAX
    ||  c->n_statuses > 4)
        inv_call_field_error (call, "policy.conditions", "too many values in a condition");
    for (size_t i = 0; i < c->n_industry_prefixes; i++) {
        const char *prefix = c->industry_prefixes [i];
        size_t len = strlen (prefix);
        bool digits = len >= 2 && len <= 4;
        for (size_t k = 0; k < len; k++)
            digits = digits && prefix [k] >= '0' && prefix [k] <= '9';
        if (!digits)
            inv_call_field_error (call, "policy.conditions.industry_prefixes",
                                  "\"%.16s\" is not a GB/T 4754 prefix of 2 to 4 digits", prefix);
    }
    for (size_t i = 0; i < c->n_clusters && i < LIST_CONDITIONS_MAX; i++) {
        const inv_cluster_t *cluster = inv_cluster_find (c->clusters [i]);
        if (!cluster)
            inv_call_field_error (call, "policy.conditions.clusters", "\"%s\" is not one of the 14 industry clusters",
                                  c->clusters [i]);
        else
            clusters [i] = cluster->code;
    }
    if (c->min_revenue < 0 || c->max_revenue < 0 || !isfinite (c->min_revenue) || !isfinite (c->max_revenue))
        inv_call_field_error (call, "policy.conditions", "revenue thresholds are 0 or more (10k yuan)");
    else
    if (c->max_revenue > 0 && c->min_revenue > c->max_revenue)
        inv_call_field_error (call, "policy.conditions.max_revenue", "is below min_revenue");
    if (c->rd_institution > 2 || c->rd_activity > 2 || c->rd_institution < 0 || c->rd_activity < 0)
        inv_call_field_error (call, "policy.conditions", "rd_institution / rd_activity are any, yes or no");
    for (size_t i = 0; i < c->n_statuses; i++)
        if (!s_status_number (c->statuses [i]))
            inv_call_field_error (call, "policy.conditions.statuses", "\"%.16s\" is not not_started, in_progress, "
                                  "active or closed", c->statuses [i]);
}

/* Provincial and central policies: the province or a department; city ones: that city too. */
static bool
s_may_write_policy (inv_call_t *call, const Innov__Policy *p)
{
    inv_principal_t who;
    inv_caller_principal (call, &who);
    if (who.kind == INV_P_PROVINCE || who.kind == INV_P_SERVICE || who.kind == INV_P_DEPARTMENT)
        return true;
    if (who.kind == INV_P_CITY && p->level == INNOV__POLICY_LEVEL__POLICY_LEVEL_CITY
    &&  streq (who.code, catalogue_str (p->city)))
        return true;
    inv_call_error (call, 403, "%s may not write this policy: central and provincial policies are compiled by "
                    "the province or a department, a city's own by that city", catalogue_str (call->caller));
    return false;
}

static void
s_policy_write (catalogue_t *self, inv_call_t *call, bool adding)
{
    const Innov__PolicyWriteRequest *req = (const Innov__PolicyWriteRequest *) call->request;
    const Innov__Policy *in = req->policy;
    if (!catalogue_check_subject (call, "policy", in, in? in->id: NULL, adding))
        return;
    const char *clusters [LIST_CONDITIONS_MAX];
    s_check_policy (call, in, clusters);
    catalogue_check_idempotency_key (call, req->idempotency_key);
    if (inv_call_failed (call) || !s_may_write_policy (call, in))
        return;
    for (int attempt = 0; attempt < CATALOGUE_ATTEMPTS; attempt++) {
        Innov__Policy *cur = NULL;
        char id [32];
        if (!adding) {
            char key [CATALOGUE_KEY_MAX], what [80];
            snprintf (what, sizeof what, "policy %s", in->id);
            if (!catalogue_load (self, call, inv_key (key, sizeof key, self->province, CATALOGUE_KEY_POLICY, in->id),
                           &innov__policy__descriptor, what, (ProtobufCMessage **) &cur))
                return;
            if (!s_may_write_policy (call, cur)) {
                innov__policy__free_unpacked (cur, NULL);
                return;
            }
            snprintf (id, sizeof id, "%s", cur->id);
        }
        else {
            inv_cst_t now;
            inv_clock_to_cst (inv_clock_now_ms (), &now);
            if (!catalogue_new_id (self, call, "pol", "POL", (uint32_t) now.year, 3, id, sizeof id))
                return;
        }
        Innov__Policy p = *in;
        Innov__PolicyConditions conditions;
        if (in->conditions) {
            conditions = *in->conditions;
            conditions.clusters = (char **) clusters;
            p.conditions = &conditions;
        }
        p.id = id;
        p.state = (char *) (catalogue_empty (in->state)? "active": in->state);
        p.version = cur? cur->version + 1: 1;
        p.updated_ms = inv_clock_now_ms ();
        p.updated_by = (char *) catalogue_str (call->caller);
        char version [24];
        snprintf (version, sizeof version, "%llu", (unsigned long long) p.version);
        catalogue_write_t *w = catalogue_write_new (self->province);
        int record = catalogue_write_key (w, CATALOGUE_KEY_POLICY, id);
        if (adding) {
            catalogue_write_absent (w, record, "policy exists");
            catalogue_write_zadd (w, catalogue_write_key (w, CATALOGUE_KEY_POLICY_IDX), (double) p.updated_ms, id);
            inv_cst_t now;
            inv_clock_to_cst (p.updated_ms, &now);
            catalogue_write_count (w, (uint32_t) now.year, NULL, "policies", 1);
        }
        else
            catalogue_write_version (w, record, cur->version);
        catalogue_write_record (w, record, &p.base, "version", version, NULL);
        catalogue_write_emit (w, adding? "policy.added": "policy.updated", id, &p.base, p.city, NULL);
        catalogue_write_result (w, &p.base);
        inv_store_result_t result;
        int code = catalogue_write_run (w, self, call, req->idempotency_key, &result);
        catalogue_write_destroy (&w);
        if (cur)
            innov__policy__free_unpacked (cur, NULL);
        bool stale = code == 409 && streq (result.reason, "stale");
        if (!stale || attempt == CATALOGUE_ATTEMPTS - 1) {
            if (code == 200) {
                inv_info ("%s %s %s by %s", adding? "policy.added": "policy.updated", id, p.title, p.updated_by);
                Innov__Policy *stored = innov__policy__unpack (NULL, result.body_len, (uint8_t *) result.body);
                Innov__PolicyReply reply = INNOV__POLICY_REPLY__INIT;
                reply.policy = stored;
                if (stored) {
                    inv_caller_reply_copy (call, &reply.base);
                    innov__policy__free_unpacked (stored, NULL);
                }
                else
                    inv_call_error (call, 500, "stored policy does not decode");
            }
            else
                inv_call_error (call, code, "%s", result.message);
            inv_store_result_clear (&result);
            return;
        }
        inv_store_result_clear (&result);
    }
}

void
catalogue_policy_add (void *ctx, inv_call_t *call)
{
    s_policy_write ((catalogue_t *) ctx, call, true);
}

void
catalogue_policy_update (void *ctx, inv_call_t *call)
{
    s_policy_write ((catalogue_t *) ctx, call, false);
}

void
catalogue_policy_get (void *ctx, inv_call_t *call)
{
    catalogue_t *self = (catalogue_t *) ctx;
    const Innov__CatalogueGetRequest *req = (const Innov__CatalogueGetRequest *) call->request;
    if (!catalogue_may_read (call))
        return;
    char key [CATALOGUE_KEY_MAX], what [80];
    snprintf (what, sizeof what, "policy %s", catalogue_str (req->id));
    Innov__Policy *p = NULL;
    if (!catalogue_load (self, call, inv_key (key, sizeof key, self->province, CATALOGUE_KEY_POLICY, catalogue_str (req->id)),
                   &innov__policy__descriptor, what, (ProtobufCMessage **) &p))
        return;
    Innov__PolicyReply reply = INNOV__POLICY_REPLY__INIT;
    reply.policy = p;
    inv_caller_reply_copy (call, &reply.base);
    innov__policy__free_unpacked (p, NULL);
}

/* Every policy, in the order they were added; *n set; NULL after answering 503. */
static Innov__Policy **
s_all (catalogue_t *self, inv_call_t *call, size_t *n)
{
    char key [CATALOGUE_KEY_MAX];
    return (Innov__Policy **) catalogue_load_indexed (self, call, inv_key (key, sizeof key, self->province,
                                                  CATALOGUE_KEY_POLICY_IDX), CATALOGUE_KEY_POLICY,
                                                  &innov__policy__descriptor, n, NULL);
}

void
catalogue_policy_list (void *ctx, inv_call_t *call)
{
    catalogue_t *self = (catalogue_t *) ctx;
    const Innov__PolicyListRequest *req = (const Innov__PolicyListRequest *) call->request;
    if (!catalogue_may_read (call))
        return;
    size_t n = 0, m = 0;
    Innov__Policy **all = s_all (self, call, &n);
    if (!all)
        return;
    Innov__Policy **policies = (Innov__Policy **) calloc (n + 1, sizeof (Innov__Policy *));
    for (size_t i = 0; i < n; i++)
        if ((!req->level || all [i]->level == req->level) && (catalogue_empty (req->city) || streq (all [i]->city, req->city))
        &&  (catalogue_empty (req->kind) || streq (all [i]->kind, req->kind)))
            policies [m++] = all [i];
    Innov__PolicyListReply reply = INNOV__POLICY_LIST_REPLY__INIT;
    reply.policies = policies;
    reply.n_policies = m;
    inv_caller_reply_copy (call, &reply.base);
    free (policies);
    catalogue_free_records ((ProtobufCMessage **) all, n);
}

void
catalogue_policy_menu (void *ctx, inv_call_t *call)
{
    catalogue_t *self = (catalogue_t *) ctx;
    const Innov__PolicyMenuRequest *req = (const Innov__PolicyMenuRequest *) call->request;
    if (!catalogue_may_read (call))
        return;
    if (catalogue_empty (req->group) && req->n_enterprises == 0)
        inv_call_field_error (call, "group", "give a work group id or a list of enterprises");
    if (req->n_enterprises > MENU_ENTERPRISES_MAX)
        inv_call_field_error (call, "enterprises", "at most %d", MENU_ENTERPRISES_MAX);
    for (size_t i = 0; i < req->n_enterprises; i++) {
        char reason [128];
        if (!inv_credit_code_valid (req->enterprises [i], reason, sizeof reason))
            inv_call_field_error (call, "enterprises", "%s: %s", req->enterprises [i], reason);
    }
    if (inv_call_failed (call))
        return;
    /* the enterprises: the explicit list, then the group's */
    zlist_t *codes = zlist_new ();
    zlist_autofree (codes);
    for (size_t i = 0; i < req->n_enterprises; i++)
        zlist_append (codes, req->enterprises [i]);
    if (!catalogue_empty (req->group)) {
        Innov__WorkGroup *group = NULL;
        char message [256] = "";
        int rc = self->group_fn (self->source_arg, req->group, &group, message);
        if (rc != 200) {
            inv_call_error (call, rc == 404? 404: rc == 503? 503: 502, "group: %s%s",
                            rc == 404? "no work group ": "cannot read the work group: ", rc == 404? req->group: message);
            zlist_destroy (&codes);
            return;
        }
        for (size_t i = 0; i < group->n_enterprises && zlist_size (codes) < MENU_ENTERPRISES_MAX; i++)
            zlist_append (codes, group->enterprises [i]);
        protobuf_c_message_free_unpacked (&group->base, NULL);
    }
    size_t count = zlist_size (codes), n_ent = 0, n_missing = 0;
    Innov__Enterprise **ents = (Innov__Enterprise **) calloc (count + 1, sizeof (Innov__Enterprise *));
    char **considered = (char **) calloc (count + 1, sizeof (char *));
    char **missing = (char **) calloc (count + 1, sizeof (char *));
    for (char *code = zlist_first (codes); code; code = zlist_next (codes)) {
        bool seen = false;
        for (size_t i = 0; i < n_ent && !seen; i++)
            seen = streq (ents [i]->credit_code, code);
        if (seen)
            continue;
        Innov__Enterprise *e = NULL;
        char message [256] = "";
        int rc = self->enterprise_fn (self->source_arg, code, &e, message);
        if (rc == 200) {
            considered [n_ent] = e->credit_code;
            ents [n_ent++] = e;
        }
        else
        if (rc == 404)
            missing [n_missing++] = code;
        else {
            inv_call_error (call, rc == 503? 503: 502, "cannot read enterprise %s: %s", code, message);
            break;
        }
    }
    size_t n_pol = 0;
    Innov__Policy **all = inv_call_failed (call)? NULL: s_all (self, call, &n_pol);
    if (all) {
        Innov__PolicyMenuItem *items = (Innov__PolicyMenuItem *) calloc (n_pol + 1, sizeof (Innov__PolicyMenuItem));
        Innov__PolicyMenuItem **item_p = (Innov__PolicyMenuItem **) calloc (n_pol + 1, sizeof (Innov__PolicyMenuItem *));
        Innov__PolicyFit *fits = (Innov__PolicyFit *) calloc (n_pol * n_ent + 1, sizeof (Innov__PolicyFit));
        Innov__PolicyFit **fit_p = (Innov__PolicyFit **) calloc (n_pol * n_ent + 1, sizeof (Innov__PolicyFit *));
        zlist_t *texts = zlist_new ();            /* every reasons list, to free */
        size_t n_items = 0, n_fits = 0;
        for (size_t i = 0; i < n_pol; i++) {
            if (!streq (all [i]->state, "active"))
                continue;
            Innov__PolicyMenuItem *item = &items [n_items];
            innov__policy_menu_item__init (item);
            item->policy = all [i];
            item->fits = &fit_p [n_fits];
            for (size_t k = 0; k < n_ent; k++) {
                zlist_t *reasons = zlist_new ();
                if (!catalogue_policy_fits (all [i], ents [k], reasons)) {
                    zlist_destroy (&reasons);
                    continue;
                }
                zlist_append (texts, reasons);
                Innov__PolicyFit *fit = &fits [n_fits];
                innov__policy_fit__init (fit);
                fit->credit_code = ents [k]->credit_code;
                fit->enterprise_name = ents [k]->name;
                fit->reasons = (char **) calloc (zlist_size (reasons) + 1, sizeof (char *));
                for (char *r = zlist_first (reasons); r; r = zlist_next (reasons))
                    fit->reasons [fit->n_reasons++] = r;
                fit_p [n_fits++] = fit;
                item->n_fits++;
            }
            if (item->n_fits)
                item_p [n_items++] = item;
        }
        Innov__PolicyMenuReply reply = INNOV__POLICY_MENU_REPLY__INIT;
        reply.group = (char *) catalogue_str (req->group);
        reply.enterprises = considered;
        reply.n_enterprises = n_ent;
        reply.items = item_p;
        reply.n_items = n_items;
        reply.missing = missing;
        reply.n_missing = n_missing;
        inv_caller_reply_copy (call, &reply.base);
        inv_info ("policy.menu %s: %zu enterprises, %zu policies fit, %zu unknown codes",
                  catalogue_empty (req->group)? "(list)": req->group, n_ent, n_items, n_missing);
        for (size_t i = 0; i < n_fits; i++)
            free (fits [i].reasons);
        for (zlist_t *r = zlist_first (texts); r; r = zlist_next (texts))
            zlist_destroy (&r);
        zlist_destroy (&texts);
        free (fits);
        free (fit_p);
        free (items);
        free (item_p);
        catalogue_free_records ((ProtobufCMessage **) all, n_pol);
    }
    for (size_t i = 0; i < n_ent; i++)
        innov__enterprise__free_unpacked (ents [i], NULL);
    free (ents);
    free (considered);
    free (missing);
    zlist_destroy (&codes);
}
