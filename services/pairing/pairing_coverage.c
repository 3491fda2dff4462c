/*  pairing_coverage: coverage.get, coverage.gaps and figures.get.

    Everything here reads counters and sets that the write scripts keep (pairing_common.lua:
    settle / unsettle): one hash per scope (province, city:<c>, dept:<d>, cluster:<k>),
    one sorted set of gaps per scope and reason, and the work group counters per owner.
    coverage.get is one pipelined HGETALL per scope of the kind asked for, so its cost
    depends on the number of scopes, never on the number of enterprises. A gap's detail
    (no mentor of that industry, mentor capacity exhausted, not yet matched) comes from
    its division's mentor counters, read for the page being listed.
*/
#include "pairing_internal.h"
#include "inv_valid.h"
#include "inv_clock.h"
#include "figures.pb-c.h"

static const char *s_reasons [] = { "no_department", "no_work_group", "no_pairing", "no_mentor", NULL };

static uint64_t
s_u (const redisReply *hash, const char *field)
{
    long long v = atoll (pairing_reply_field (hash, field));
    return v > 0? (uint64_t) v: 0;
}

static const char *
s_scope_label (const char *scope, char *buf, size_t size)
{
    if (streq (scope, "province")) {
        snprintf (buf, size, "全省");
        return buf;
    }
    const char *code = strchr (scope, ':');
    code = code? code + 1: scope;
    if (strncmp (scope, "city:", 5) == 0) {
        const inv_division_t *d = inv_division_find (code);
        snprintf (buf, size, "%s", d? d->name: code);
    }
    else
    if (strncmp (scope, "dept:", 5) == 0) {
        const inv_department_t *d = inv_department_find (code);
        snprintf (buf, size, "%s", d? d->short_name: code);
    }
    else {
        const inv_cluster_t *c = inv_cluster_find (code);
        snprintf (buf, size, "%s", c? c->name: code);
    }
    return buf;
}

static int
s_cmp_str (const void *a, const void *b)
{
    return strcmp (*(char * const *) a, *(char * const *) b);
}

/* The scopes of a kind ("province", "city", "dept", "cluster"), sorted; NULL if Redis failed. */
static char **
s_scopes (pairing_t *self, const char *pp, const char *by, size_t *count)
{
    char key [PAIRING_KEY_MAX];
    if (streq (by, "province")) {
        char **out = (char **) zmalloc (2 * sizeof (char *));
        out [0] = strdup ("province");
        *count = 1;
        return out;
    }
    redisReply *set = inv_redis_command (self->redis, "SMEMBERS %s", inv_key (key, sizeof key, pp, PAIRING_KEY_COV_SCOPES, by));
    if (!set)
        return NULL;
    *count = set->type == REDIS_REPLY_ARRAY? set->elements: 0;
    char **out = (char **) zmalloc ((*count + 1) * sizeof (char *));
    for (size_t i = 0; i < *count; i++)
        out [i] = strdup (set->element [i]->str);
    freeReplyObject (set);
    qsort (out, *count, sizeof (char *), s_cmp_str);
    return out;
}

static void
s_free_scopes (char **scopes, size_t count)
{
    for (size_t i = 0; scopes && i < count; i++)
        free (scopes [i]);
    free (scopes);
}

/* Pipelined HGETALL of a key format per scope; replies in order (NULL if Redis failed). */
static redisReply **
s_hashes (pairing_t *self, const char *pp, const char *fmt, char **scopes, size_t count)
{
    redisReply **out = (redisReply **) zmalloc ((count + 1) * sizeof (redisReply *));
    char key [PAIRING_KEY_MAX];
    for (size_t i = 0; i < count; i++) {
        inv_key (key, sizeof key, pp, fmt, scopes [i]);
        const char *argv [] = { "HGETALL", key };
        inv_redis_append_argv (self->redis, 2, argv, NULL);
    }
    bool ok = true;
    for (size_t i = 0; i < count; i++)
        if (!(out [i] = inv_redis_get_reply (self->redis)))
            ok = false;
    if (!ok) {
        for (size_t i = 0; i < count; i++)
            if (out [i])
                freeReplyObject (out [i]);
        free (out);
        return NULL;
    }
    return out;
}

void
pairing_coverage_get (void *ctx, inv_call_t *call)
{
    pairing_t *self = (pairing_t *) ctx;
    const Innov__CoverageRequest *req = (const Innov__CoverageRequest *) call->request;
    const char *by = *req->by? req->by: "province";
    if (streq (by, "department"))
        by = "dept";
    if (!streq (by, "province") && !streq (by, "city") && !streq (by, "dept") && !streq (by, "cluster")) {
        inv_call_field_error (call, "by", "\"%s\" is not one of province, city, department, cluster", req->by);
        return;
    }
    const char *pp = pairing_province (self, req->province);
    size_t count = 0;
    char **scopes = s_scopes (self, pp, by, &count);
    redisReply **hashes = scopes? s_hashes (self, pp, PAIRING_KEY_COV, scopes, count): NULL;
    if (!hashes) {
        s_free_scopes (scopes, count);
        pairing_unavailable (self, call);
        return;
    }
    Innov__CoverageReply reply = INNOV__COVERAGE_REPLY__INIT;
    reply.rows = (Innov__CoverageRow **) zmalloc ((count + 1) * sizeof (void *));
    Innov__CoverageRow *rows = (Innov__CoverageRow *) zmalloc ((count + 1) * sizeof (Innov__CoverageRow));
    char (*labels) [96] = zmalloc ((count + 1) * 96);
    for (size_t i = 0; i < count; i++) {
        Innov__CoverageRow *r = &rows [i];
        innov__coverage_row__init (r);
        r->scope = scopes [i];
        r->label = (char *) s_scope_label (scopes [i], labels [i], 96);
        r->tracked = s_u (hashes [i], "tracked");
        r->covered = s_u (hashes [i], "covered");
        r->gaps = s_u (hashes [i], "gaps");
        r->no_department = s_u (hashes [i], "no_department");
        r->no_work_group = s_u (hashes [i], "no_work_group");
        r->no_pairing = s_u (hashes [i], "no_pairing");
        r->no_mentor = s_u (hashes [i], "no_mentor");
        r->pairings = s_u (hashes [i], "pairings");
        r->mentored = s_u (hashes [i], "mentored");
        r->covered_pct = r->tracked? 100.0 * (double) r->covered / (double) r->tracked: 100.0;
        reply.rows [reply.n_rows++] = r;
    }
    inv_caller_reply_copy (call, &reply.base);
    for (size_t i = 0; i < count; i++)
        freeReplyObject (hashes [i]);
    free (hashes);
    free (reply.rows);
    free (rows);
    free (labels);
    s_free_scopes (scopes, count);
}

/* Detail of a mentor gap from the division's counters. */
static void
s_gap_detail (pairing_t *self, const char *pp, Innov__Gap *gap, char *detail, size_t dsize,
              char *expl, size_t esize)
{
    snprintf (detail, dsize, "%s", gap->reason);
    snprintf (expl, esize, "%s", "");
    if (streq (gap->reason, "no_work_group"))
        snprintf (expl, esize, "no ready work group serves it: group assign, then group ready");
    else
    if (streq (gap->reason, "no_department"))
        snprintf (expl, esize, "the ledger names no department for it");
    if (!streq (gap->reason, "no_mentor") && !streq (gap->reason, "no_pairing"))
        return;
    char key [PAIRING_KEY_MAX], dd [3];
    snprintf (dd, sizeof dd, "%.2s", gap->industry);
    redisReply *div = inv_redis_command (self->redis, "HMGET %s mentors cap load", inv_key (key, sizeof key, pp, PAIRING_KEY_DIV, dd));
    long mentors = atol (pairing_elem (div, 0)), cap = atol (pairing_elem (div, 1)), load = atol (pairing_elem (div, 2));
    if (div)
        freeReplyObject (div);
    if (mentors <= 0) {
        snprintf (detail, dsize, "no_mentor_industry");
        snprintf (expl, esize, "no mentor enterprise of division %s in the province%s", dd,
                  streq (gap->reason, "no_pairing")? "; pair it with its department and city (pair add)": "");
    }
    else
    if (load >= cap) {
        snprintf (detail, dsize, "mentor_capacity_exhausted");
        snprintf (expl, esize, "the %ld mentors of division %s are full (%ld of %ld)", mentors, dd, load, cap);
    }
    else {
        snprintf (detail, dsize, "unmatched");
        snprintf (expl, esize, "%ld places free among the mentors of division %s: run pair suggest --apply",
                  cap - load, dd);
    }
}

void
pairing_coverage_gaps (void *ctx, inv_call_t *call)
{
    pairing_t *self = (pairing_t *) ctx;
    const Innov__GapsRequest *req = (const Innov__GapsRequest *) call->request;
    const char *scope = *req->scope? req->scope: "province";
    if (*req->reason) {
        bool known = false;
        for (size_t i = 0; s_reasons [i]; i++)
            known |= streq (s_reasons [i], req->reason);
        if (!known) {
            inv_call_field_error (call, "reason", "\"%s\" is not one of no_department, no_work_group, no_pairing, "
                                  "no_mentor", req->reason);
            return;
        }
    }
    if (!streq (scope, "province") && strncmp (scope, "city:", 5) && strncmp (scope, "dept:", 5)
    &&  strncmp (scope, "cluster:", 8)) {
        inv_call_field_error (call, "scope", "\"%s\": give province, city:<code>, dept:<code> or cluster:<code>", scope);
        return;
    }
    const char *pp = pairing_province (self, req->province);
    uint32_t limit = req->limit? req->limit: 50;
    if (limit > 1000)
        limit = 1000;
    /* cursor "<reason index>:<last code>" */
    size_t ri = 0;
    char after [32] = "";
    if (*req->cursor) {
        const char *colon = strchr (req->cursor, ':');
        ri = (size_t) atoi (req->cursor);
        if (colon)
            snprintf (after, sizeof after, "%s", colon + 1);
    }
    Innov__GapsReply reply = INNOV__GAPS_REPLY__INIT;
    reply.gaps = (Innov__Gap **) zmalloc ((limit + 1) * sizeof (void *));
    Innov__Gap *gaps = (Innov__Gap *) zmalloc ((limit + 1) * sizeof (Innov__Gap));
    char (*strings) [5][200] = zmalloc ((limit + 1) * sizeof *strings);
    char key [PAIRING_KEY_MAX];
    bool down = false;
    char next [64] = "";
    for (size_t r = 0; s_reasons [r] && !down; r++) {
        if (*req->reason && !streq (req->reason, s_reasons [r]))
            continue;
        inv_key (key, sizeof key, pp, PAIRING_KEY_GAPS, scope, s_reasons [r]);
        redisReply *n = inv_redis_command (self->redis, "ZCARD %s", key);
        if (!n) { down = true; break; }
        long long in_reason = n->type == REDIS_REPLY_INTEGER? n->integer: 0;
        reply.total += (uint64_t) in_reason;
        freeReplyObject (n);
        if (r < ri || *next)
            continue;
        if (reply.n_gaps == limit) {
            if (in_reason > 0)
                snprintf (next, sizeof next, "%zu:", r);
            continue;
        }
        char start [40];
        snprintf (start, sizeof start, "%s%s", r == ri && *after? "(": "-", r == ri? after: "");
        size_t want = limit - reply.n_gaps + 1;
        redisReply *page = inv_redis_command (self->redis, "ZRANGEBYLEX %s %s + LIMIT 0 %u", key, start, (unsigned) want);
        if (!page) { down = true; break; }
        for (size_t i = 0; i < page->elements; i++) {
            if (reply.n_gaps == limit) {
                snprintf (next, sizeof next, "%zu:%s", r, reply.gaps [limit - 1]->enterprise);
                break;
            }
            size_t k = reply.n_gaps;
            Innov__Gap *g = &gaps [k];
            innov__gap__init (g);
            snprintf (strings [k][0], 200, "%s", page->element [i]->str);
            g->enterprise = strings [k][0];
            g->reason = (char *) s_reasons [r];
            char ek [PAIRING_KEY_MAX];
            redisReply *e = inv_redis_command (self->redis, "HMGET %s city ind", inv_key (ek, sizeof ek, pp, PAIRING_KEY_ENT, g->enterprise));
            snprintf (strings [k][1], 200, "%s", pairing_elem (e, 0));
            snprintf (strings [k][2], 200, "%s", pairing_elem (e, 1));
            if (e)
                freeReplyObject (e);
            g->city = strings [k][1];
            g->industry = strings [k][2];
            s_gap_detail (self, pp, g, strings [k][3], 200, strings [k][4], 200);
            g->detail = strings [k][3];
            g->explanation = strings [k][4];
            reply.gaps [reply.n_gaps++] = g;
        }
        freeReplyObject (page);
    }
    if (down)
        pairing_unavailable (self, call);
    else {
        reply.next_cursor = next;
        inv_caller_reply_copy (call, &reply.base);
    }
    free (reply.gaps);
    free (gaps);
    free (strings);
}

/* ---- figures.get ---- */

static void
s_figure (Innov__Figure *f, const char *name, double value, const char *label)
{
    innov__figure__init (f);
    f->name = (char *) name;
    f->value = value;
    f->label = (char *) label;
}

void
pairing_figures_get (void *ctx, inv_call_t *call)
{
    pairing_t *self = (pairing_t *) ctx;
    const Innov__FiguresRequest *req = (const Innov__FiguresRequest *) call->request;
    const char *scope = *req->scope? req->scope: "province";
    const char *pp = pairing_province (self, req->province);
    size_t count = 0;
    char **scopes;
    if (streq (scope, "all")) {
        size_t nc = 0, nd = 0;
        char **cities = s_scopes (self, pp, "city", &nc);
        char **depts = s_scopes (self, pp, "dept", &nd);
        if (!cities || !depts) {
            s_free_scopes (cities, nc);
            s_free_scopes (depts, nd);
            pairing_unavailable (self, call);
            return;
        }
        scopes = (char **) zmalloc ((nc + nd + 2) * sizeof (char *));
        scopes [count++] = strdup ("province");
        for (size_t i = 0; i < nc; i++) scopes [count++] = cities [i];
        for (size_t i = 0; i < nd; i++) scopes [count++] = depts [i];
        free (cities);
        free (depts);
    }
    else
    if (streq (scope, "province") || strncmp (scope, "city:", 5) == 0 || strncmp (scope, "dept:", 5) == 0
    ||  strncmp (scope, "cluster:", 8) == 0) {
        scopes = (char **) zmalloc (2 * sizeof (char *));
        scopes [count++] = strdup (scope);
    }
    else {
        inv_call_field_error (call, "scope", "\"%s\": the pairing service keeps figures for province, "
                              "city:<code>, dept:<code>, cluster:<code> and all", scope);
        return;
    }
    redisReply **cov = s_hashes (self, pp, PAIRING_KEY_COV, scopes, count);
    redisReply **gcnt = cov? s_hashes (self, pp, PAIRING_KEY_GCNT, scopes, count): NULL;
    if (!cov || !gcnt) {
        if (cov) {
            for (size_t i = 0; i < count; i++) freeReplyObject (cov [i]);
            free (cov);
        }
        s_free_scopes (scopes, count);
        pairing_unavailable (self, call);
        return;
    }
    Innov__FiguresReply reply = INNOV__FIGURES_REPLY__INIT;
    reply.service = (char *) "pairing";
    reply.as_of_ms = inv_clock_now_ms ();
    reply.rows = (Innov__FigureRow **) zmalloc ((count + 1) * sizeof (void *));
    Innov__FigureRow *rows = (Innov__FigureRow *) zmalloc ((count + 1) * sizeof (Innov__FigureRow));
    Innov__Figure *figs = (Innov__Figure *) zmalloc ((count + 1) * 7 * sizeof (Innov__Figure));
    Innov__Figure **figp = (Innov__Figure **) zmalloc ((count + 1) * 7 * sizeof (void *));
    for (size_t i = 0; i < count; i++) {
        Innov__FigureRow *row = &rows [i];
        innov__figure_row__init (row);
        row->scope = scopes [i];
        Innov__Figure *f = &figs [i * 7];
        s_figure (&f [0], "pairings.active", (double) s_u (cov [i], "pairings"), "结对帮扶");
        s_figure (&f [1], "pairings.mentored", (double) s_u (cov [i], "mentored"), "企业结对导师");
        s_figure (&f [2], "coverage.tracked", (double) s_u (cov [i], "tracked"), "未开展创新活动企业");
        s_figure (&f [3], "coverage.covered", (double) s_u (cov [i], "covered"), "帮扶全覆盖企业");
        s_figure (&f [4], "coverage.gaps", (double) s_u (cov [i], "gaps"), "帮扶缺口");
        s_figure (&f [5], "groups.ready", (double) s_u (gcnt [i], "ready"), "已组建工作专班");
        s_figure (&f [6], "groups.forming", (double) s_u (gcnt [i], "forming"), "组建中工作专班");
        row->figures = &figp [i * 7];
        for (int k = 0; k < 7; k++)
            row->figures [k] = &f [k];
        row->n_figures = 7;
        reply.rows [reply.n_rows++] = row;
    }
    inv_caller_reply_copy (call, &reply.base);
    for (size_t i = 0; i < count; i++) {
        freeReplyObject (cov [i]);
        freeReplyObject (gcnt [i]);
    }
    free (cov);
    free (gcnt);
    free (reply.rows);
    free (rows);
    free (figs);
    free (figp);
    s_free_scopes (scopes, count);
}
