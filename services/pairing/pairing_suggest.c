/*  pairing_suggest: pair.suggest, mentor proposals for every enterprise without one, and
    with apply the pairings written.

    Load (pipelined, no per-enterprise round trip): the divisions seen, each division's
    set of tracked enterprises without a mentor (div.wait:<dd>) and its mentor count, one
    HMGET per waiting enterprise and per mentor, all sent before any reply is read.
    Match: pairing_match in memory. Apply: pairing_pair.lua in mode apply, 15 proposals
    per script, every script of a slice pipelined; each proposal is checked again in the
    script (still without a mentor, the mentor still has room), so a proposal overtaken by
    another write is skipped, never half-written. Enterprises that get no mentor and have
    no pairing get one without a mentor (department + city/county), so the gap that
    remains says why there is no mentor. A request applies for at most about four
    seconds in all (the broker takes a worker silent for 7.5 s for dead); what is left is
    counted in `remaining`, and the next request (innovctl repeats it) continues the same
    plan, which the worker keeps between rounds (pairing_plan_t).
*/
#define _GNU_SOURCE
#include <stdlib.h>
#include "pairing_internal.h"
#include "pairing_match.h"
#include "inv_log.h"
#include "inv_valid.h"

#define APPLY_PER_SCRIPT    15
#define APPLY_PIPELINE      50          /* scripts in flight (750 proposals) */
#define PIPELINE_SLICE      10000       /* commands in flight while loading */
#define REQUEST_BUDGET_MS   4000        /* a request stays well within the broker's
                                           heartbeat liveness (3 x 2500 ms) */
#define APPLY_MIN_MS        1000

typedef struct {
    pairing_mentee_t *mentees;
    size_t n, n_alloc;
    bool *has_pairing;                  /* parallel to mentees */
    bool *mentor_possible;
    pairing_mentor_t *mentors;
    size_t m;
} load_t;

static void
s_load_free (load_t *l)
{
    free (l->mentees);
    free (l->has_pairing);
    free (l->mentor_possible);
    free (l->mentors);
}

/* Pipelined HMGET over a list of codes; calls fn for each reply. -1 if Redis failed. */
typedef void (s_row_fn) (load_t *l, const char *code, const redisReply *row, void *arg);

static int
s_hmget_all (pairing_t *self, const char *pp, char **codes, size_t count, const char **fields, int nfields,
             s_row_fn *fn, load_t *l, void *arg)
{
    char key [PAIRING_KEY_MAX];
    for (size_t start = 0; start < count; start += PIPELINE_SLICE) {
        size_t end = start + PIPELINE_SLICE < count? start + PIPELINE_SLICE: count;
        for (size_t i = start; i < end; i++) {
            inv_key (key, sizeof key, pp, PAIRING_KEY_ENT, codes [i]);
            const char *argv [8] = { "HMGET", key };
            int argc = 2;
            for (int f = 0; f < nfields; f++)
                argv [argc++] = fields [f];
            if (inv_redis_append_argv (self->redis, argc, argv, NULL))
                return -1;
        }
        for (size_t i = start; i < end; i++) {
            redisReply *row = inv_redis_get_reply (self->redis);
            if (!row)
                return -1;
            fn (l, codes [i], row, arg);
            freeReplyObject (row);
        }
    }
    return 0;
}

static void
s_mentee_row (load_t *l, const char *code, const redisReply *row, void *arg)
{
    const char *city_filter = (const char *) ((void **) arg) [0];
    bool possible = *(bool *) ((void **) arg) [1];
    const char *st = pairing_elem (row, 4);
    if (!streq (st, "1") && !streq (st, "2"))
        return;
    if (*city_filter && !streq (pairing_elem (row, 0), city_filter))
        return;
    if (*pairing_elem (row, 5))         /* already has a mentor */
        return;
    if (l->n == l->n_alloc) {
        l->n_alloc = l->n_alloc? l->n_alloc * 2: 1024;
        l->mentees = realloc (l->mentees, l->n_alloc * sizeof (pairing_mentee_t));
        l->has_pairing = realloc (l->has_pairing, l->n_alloc * sizeof (bool));
        l->mentor_possible = realloc (l->mentor_possible, l->n_alloc * sizeof (bool));
        assert (l->mentees && l->has_pairing && l->mentor_possible);
    }
    pairing_mentee_t *e = &l->mentees [l->n];
    memset (e, 0, sizeof *e);
    snprintf (e->code, sizeof e->code, "%s", code);
    snprintf (e->city, sizeof e->city, "%s", pairing_elem (row, 0));
    snprintf (e->county, sizeof e->county, "%s", pairing_elem (row, 1));
    snprintf (e->ind, sizeof e->ind, "%s", pairing_elem (row, 2));
    l->has_pairing [l->n] = *pairing_elem (row, 3) != 0;
    l->mentor_possible [l->n] = possible;
    l->n++;
}

static void
s_mentor_row (load_t *l, const char *code, const redisReply *row, void *arg)
{
    (void) arg;
    if (!streq (pairing_elem (row, 5), "1"))        /* no longer counted as a mentor */
        return;
    pairing_mentor_t *m = &l->mentors [l->m];
    memset (m, 0, sizeof *m);
    snprintf (m->code, sizeof m->code, "%s", code);
    snprintf (m->city, sizeof m->city, "%s", pairing_elem (row, 0));
    snprintf (m->county, sizeof m->county, "%s", pairing_elem (row, 1));
    snprintf (m->ind, sizeof m->ind, "%s", pairing_elem (row, 2));
    m->cap = (uint32_t) atoi (pairing_elem (row, 3));
    m->load = (uint32_t) atoi (pairing_elem (row, 4));
    l->m++;
}

static char **
s_strings (const redisReply *array, size_t *count)
{
    *count = array && array->type == REDIS_REPLY_ARRAY? array->elements: 0;
    char **out = (char **) zmalloc ((*count + 1) * sizeof (char *));
    for (size_t i = 0; i < *count; i++)
        out [i] = array->element [i]->str;
    return out;
}

/* Everything matching needs; -1 if Redis failed. */
static int
s_load (pairing_t *self, const char *pp, const char *city, load_t *l)
{
    char key [PAIRING_KEY_MAX];
    redisReply *divs = inv_redis_command (self->redis, "SMEMBERS %s", inv_key (key, sizeof key, pp, PAIRING_KEY_DIVS));
    if (!divs)
        return -1;
    int rc = 0;
    for (size_t d = 0; d < divs->elements && rc == 0; d++) {
        const char *dd = divs->element [d]->str;
        redisReply *wait = inv_redis_command (self->redis, "SMEMBERS %s", inv_key (key, sizeof key, pp, PAIRING_KEY_DIV_WAIT, dd));
        redisReply *mentors = inv_redis_command (self->redis, "HGET %s mentors", inv_key (key, sizeof key, pp, PAIRING_KEY_DIV, dd));
        if (!wait || !mentors)
            rc = -1;
        else {
            bool possible = mentors->type == REDIS_REPLY_STRING && atoi (mentors->str) > 0;
            size_t count;
            char **codes = s_strings (wait, &count);
            void *arg [] = { (void *) city, &possible };
            static const char *fields [] = { "city", "county", "ind", "pid", "st", "mentor" };
            rc = s_hmget_all (self, pp, codes, count, fields, 6, s_mentee_row, l, arg);
            free (codes);
        }
        if (wait) freeReplyObject (wait);
        if (mentors) freeReplyObject (mentors);
    }
    freeReplyObject (divs);
    if (rc)
        return rc;
    redisReply *mentors = inv_redis_command (self->redis, "SMEMBERS %s", inv_key (key, sizeof key, pp, PAIRING_KEY_MENTORS));
    if (!mentors)
        return -1;
    size_t count;
    char **codes = s_strings (mentors, &count);
    l->mentors = (pairing_mentor_t *) zmalloc ((count + 1) * sizeof (pairing_mentor_t));
    static const char *fields [] = { "city", "county", "ind", "cap", "load", "mc" };
    rc = s_hmget_all (self, pp, codes, count, fields, 6, s_mentor_row, l, NULL);
    free (codes);
    freeReplyObject (mentors);
    return rc;
}

static int
s_cmp_index (const void *a, const void *b, void *arg)
{
    const pairing_mentee_t *e = (const pairing_mentee_t *) arg;
    return strcmp (e [*(const size_t *) a].code, e [*(const size_t *) b].code);
}

static const char *
s_digits_name (int digits)
{
    return digits == 4? "class (4 digits)": digits == 3? "group (3 digits)": "division (2 digits)";
}

/* One proposal's explanation into buf. */
static void
s_explain (const load_t *l, size_t i, const pairing_result_t *r, char *buf, size_t size)
{
    const pairing_mentee_t *e = &l->mentees [i];
    if (r->mentor < 0) {
        if (!l->mentor_possible [i])
            snprintf (buf, size, "no mentor of division %.2s in the province: pairing with the department and "
                      "the city/county only", e->ind);
        else
            snprintf (buf, size, "mentor capacity exhausted in division %.2s: pairing with the department and "
                      "the city/county only", e->ind);
        return;
    }
    const pairing_mentor_t *m = &l->mentors [r->mentor];
    snprintf (buf, size, "same industry %s %.*s, same %s %s; mentor %s capacity %u",
              s_digits_name (r->ind_digits), r->ind_digits, e->ind, pairing_geo_name (r->geo),
              r->geo == 2? e->county: r->geo == 1? e->city: "14", m->code, m->cap);
}

/* A matching and how far its application got; kept by the worker between the rounds of
   one --apply (same province and city, at most PLAN_TTL_MS old), so a round after the first
   applies straight away. Each proposal is checked again by the script, so a plan a little
   old can only have proposals skipped, never wrong pairings written. */
struct _pairing_plan_t {
    char pp [8], city [8];
    int64_t made_ms;
    load_t l;
    pairing_result_t *results;
    size_t *order;
    long matched;
    size_t next;                        /* in order: the first not yet applied */
    double load_ms, match_ms;
};
#define PLAN_TTL_MS 120000

void
pairing_plan_free (pairing_plan_t **plan_p)
{
    pairing_plan_t *plan = *plan_p;
    if (plan) {
        s_load_free (&plan->l);
        free (plan->results);
        free (plan->order);
        free (plan);
        *plan_p = NULL;
    }
}

/* Load and match; NULL after answering the call. */
static pairing_plan_t *
s_plan (pairing_t *self, inv_call_t *call, const char *pp, const char *city)
{
    pairing_plan_t *plan = (pairing_plan_t *) zmalloc (sizeof *plan);
    snprintf (plan->pp, sizeof plan->pp, "%s", pp);
    snprintf (plan->city, sizeof plan->city, "%s", city);
    plan->made_ms = zclock_mono ();
    int64_t t0 = zclock_usecs ();
    if (s_load (self, pp, city, &plan->l)) {
        pairing_plan_free (&plan);
        pairing_unavailable (self, call);
        return NULL;
    }
    int64_t t1 = zclock_usecs ();
    plan->results = (pairing_result_t *) zmalloc ((plan->l.n + 1) * sizeof (pairing_result_t));
    plan->matched = pairing_match (plan->l.mentees, plan->l.n, plan->l.mentors, plan->l.m, plan->results);
    int64_t t2 = zclock_usecs ();
    if (plan->matched < 0) {
        pairing_plan_free (&plan);
        inv_call_error (call, 500, "out of memory while matching");
        return NULL;
    }
    plan->order = (size_t *) zmalloc ((plan->l.n + 1) * sizeof (size_t));
    for (size_t i = 0; i < plan->l.n; i++)
        plan->order [i] = i;
    qsort_r (plan->order, plan->l.n, sizeof (size_t), s_cmp_index, plan->l.mentees);
    plan->load_ms = (double) (t1 - t0) / 1000.0;
    plan->match_ms = (double) (t2 - t1) / 1000.0;
    return plan;
}

/* Apply the plan from plan->next for about budget_ms; counts into reply. */
static void
s_apply (pairing_t *self, inv_call_t *call, pairing_plan_t *plan, double budget_ms, Innov__SuggestReply *reply)
{
    load_t *l = &plan->l;
    char prefix [PAIRING_KEY_MAX];
    const char *keys [] = { pairing_prefix (self, plan->pp, prefix, sizeof prefix) };
    size_t k = plan->next;
    bool down = false;
    int64_t start = zclock_usecs ();
    while (k < l->n && !down && (double) (zclock_usecs () - start) / 1000.0 < budget_ms) {
        size_t scripts = 0;
        while (k < l->n && scripts < APPLY_PIPELINE) {
            const char *args [1 + APPLY_PER_SCRIPT * 4];
            char quality [APPLY_PER_SCRIPT][8], expl [APPLY_PER_SCRIPT][320];
            int nargs = 0, tuples = 0;
            args [nargs++] = "apply";
            while (k < l->n && tuples < APPLY_PER_SCRIPT) {
                size_t i = plan->order [k++];
                const pairing_result_t *r = &plan->results [i];
                if (r->mentor < 0 && l->has_pairing [i])
                    continue;           /* keeps its pairing without a mentor */
                snprintf (quality [tuples], 8, "%d", r->quality);
                s_explain (l, i, r, expl [tuples], 320);
                args [nargs++] = l->mentees [i].code;
                args [nargs++] = r->mentor >= 0? l->mentors [r->mentor].code: "";
                args [nargs++] = quality [tuples];
                args [nargs++] = expl [tuples];
                tuples++;
            }
            if (tuples == 0)
                break;
            if (inv_store_append (self->redis, &self->pair_script, plan->pp, call->caller, "", 1, keys, NULL,
                                  nargs, args, NULL)) {
                down = true;
                break;
            }
            scripts++;
        }
        for (size_t s = 0; s < scripts; s++) {
            inv_store_result_t result;
            inv_store_get_result (self->redis, &self->pair_script, &result);
            if (result.code == 200) {
                unsigned long a = 0, b = 0;
                sscanf (result.message, "%lu %lu", &a, &b);
                reply->applied += a;
                reply->skipped += b;
            }
            else
                down = true;
            inv_store_result_clear (&result);
        }
    }
    plan->next = k;
    for (size_t rest = k; rest < l->n; rest++)
        reply->remaining += !(plan->results [plan->order [rest]].mentor < 0 && l->has_pairing [plan->order [rest]]);
    if (down)
        inv_call_error (call, 503, "storage failed while applying: %" PRIu64 " pairings written", reply->applied);
}

void
pairing_pair_suggest (void *ctx, inv_call_t *call)
{
    pairing_t *self = (pairing_t *) ctx;
    const Innov__SuggestRequest *req = (const Innov__SuggestRequest *) call->request;
    if (*req->city && !inv_division_is_city (req->city)) {
        inv_call_field_error (call, "city", "%s is not a known city", req->city);
        return;
    }
    if (req->apply) {
        inv_principal_t p;
        inv_caller_principal (call, &p);
        bool own_city = p.kind == INV_P_CITY && *req->city && streq (p.code, req->city);
        if (p.kind != INV_P_PROVINCE && p.kind != INV_P_SERVICE && !own_city) {
            inv_call_error (call, 403, "%s may not apply matching%s%s: the province may, a city for its own "
                            "city (--city)", call->caller? call->caller: "anonymous",
                            *req->city? " for city ": "", req->city);
            return;
        }
    }
    uint32_t limit = req->limit? req->limit: 50;
    if (limit > 10000)
        limit = 10000;
    const char *pp = pairing_province (self, req->province);
    int64_t t0 = zclock_usecs ();
    pairing_plan_t *plan = NULL;
    bool continued = false;
    if (req->apply && self->plan && streq (self->plan->pp, pp) && streq (self->plan->city, req->city)
    &&  zclock_mono () - self->plan->made_ms < PLAN_TTL_MS && self->plan->next < self->plan->l.n) {
        plan = self->plan;                  /* the next round of the same --apply */
        continued = true;
    }
    else {
        if (req->apply)
            pairing_plan_free (&self->plan);
        plan = s_plan (self, call, pp, req->city);
        if (!plan)
            return;
        if (req->apply)
            self->plan = plan;
    }
    load_t *l = &plan->l;
    Innov__SuggestReply reply = INNOV__SUGGEST_REPLY__INIT;
    reply.considered = l->n;
    reply.proposed = (uint64_t) plan->matched;
    reply.without_mentor = l->n - (size_t) plan->matched;
    reply.mentors = l->m;
    for (size_t i = 0; i < l->n; i++) {
        if (plan->results [i].ind_digits == 4) reply.same_4digit++;
        if (plan->results [i].ind_digits == 3) reply.same_3digit++;
        if (plan->results [i].ind_digits == 2) reply.same_2digit++;
    }
    reply.quality_sum = pairing_match_objective (plan->results, l->n);
    reply.load_ms = continued? 0: plan->load_ms;
    reply.match_ms = continued? 0: plan->match_ms;

    /* the reply's proposals: the first `limit` in credit code order */
    size_t shown = l->n < limit? l->n: limit;
    reply.proposals = (Innov__Proposal **) zmalloc ((shown + 1) * sizeof (void *));
    Innov__Proposal *props = (Innov__Proposal *) zmalloc ((shown + 1) * sizeof (Innov__Proposal));
    char (*texts) [320] = zmalloc ((shown + 1) * 320);
    for (size_t k = 0; k < shown; k++) {
        size_t i = plan->order [k];
        const pairing_result_t *r = &plan->results [i];
        Innov__Proposal *p = &props [k];
        innov__proposal__init (p);
        p->enterprise = l->mentees [i].code;
        p->mentor = r->mentor >= 0? l->mentors [r->mentor].code: (char *) "";
        p->industry_digits = (uint32_t) r->ind_digits;
        p->geography = r->mentor >= 0? (char *) pairing_geo_name (r->geo): (char *) "";
        p->quality = (uint32_t) r->quality;
        s_explain (l, i, r, texts [k], 320);
        p->explanation = texts [k];
        reply.proposals [k] = p;
    }
    reply.n_proposals = shown;

    int64_t t_apply = zclock_usecs ();
    if (req->apply) {
        double spent_ms = (double) (t_apply - t0) / 1000.0;
        double budget_ms = REQUEST_BUDGET_MS - spent_ms < APPLY_MIN_MS? APPLY_MIN_MS: REQUEST_BUDGET_MS - spent_ms;
        s_apply (self, call, plan, budget_ms, &reply);
    }
    reply.apply_ms = (double) (zclock_usecs () - t_apply) / 1000.0;
    inv_info ("pair.suggest%s%s%s by %s: %zu without a mentor, %zu mentors, %ld proposed (4-digit %" PRIu64
              ", 3-digit %" PRIu64 ", 2-digit %" PRIu64 "), %" PRIu64 " applied; load %.0f ms, match %.0f ms, "
              "apply %.0f ms, %" PRIu64 " left for the next request", req->apply? " --apply": "",
              continued? " (continued)": "", *req->city? " city ": "", call->caller,
              l->n, l->m, plan->matched, reply.same_4digit, reply.same_3digit, reply.same_2digit, reply.applied,
              reply.load_ms, reply.match_ms, reply.apply_ms, reply.remaining);
    if (!inv_call_failed (call))
        inv_caller_reply_copy (call, &reply.base);
    free (reply.proposals);
    free (props);
    free (texts);
    if (plan == self->plan && (!reply.remaining || inv_call_failed (call)))
        pairing_plan_free (&self->plan);        /* the --apply is done */
    else
    if (plan != self->plan)
        pairing_plan_free (&plan);
}
