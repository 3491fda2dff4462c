/*  problems_figures: figures.get (proto/figures.proto) for the report service and
    anyone else: per scope ("province", "city:<code>", "dept:<code>", "group:<id>",
    "handler:<principal>", or "all" of them) how many problems were raised, are open,
    overdue, resolved awaiting closing, closed, solved on time and late, and the
    median days to solve.

    Nothing is counted at query time: the counters, the deadline index and the days
    histogram of each scope are moved by the same script that writes a problem
    (problems_write.lua). Overdue is the number of the scope's unresolved problems
    whose next deadline has passed, ZCOUNT on its deadline index at the clock's now;
    the median comes from the histogram of whole days to solve (a few dozen fields at
    most). One pipeline of three commands per scope answers the request.
*/
#include <czmq.h>
#include "problems_internal.h"
#include "figures.pb-c.h"
#include "inv_clock.h"
#include "inv_valid.h"

#define FIGURES_COUNT   10
#define SCOPES_ALL_MAX  4096

double
problems_median (const long long *days, const long long *counts, size_t n)
{
    /* days are not sorted: order (day, count) pairs by day first */
    long long *d = (long long *) malloc ((n + 1) * sizeof (long long));
    long long *c = (long long *) malloc ((n + 1) * sizeof (long long));
    long long total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && d [j - 1] > days [i]) {
            d [j] = d [j - 1];
            c [j] = c [j - 1];
            j--;
        }
        d [j] = days [i];
        c [j] = counts [i];
        total += counts [i] > 0? counts [i]: 0;
    }
    double median = 0;
    if (total > 0) {
        /* the values at ranks lo and hi (1-based); equal when total is odd */
        long long lo = (total + 1) / 2, hi = total / 2 + 1, seen = 0;
        double a = 0, b = 0;
        for (size_t i = 0; i < n; i++) {
            if (c [i] <= 0)
                continue;
            if (seen < lo && seen + c [i] >= lo)
                a = (double) d [i];
            if (seen < hi && seen + c [i] >= hi)
                b = (double) d [i];
            seen += c [i];
        }
        median = (a + b) / 2;
    }
    free (d);
    free (c);
    return median;
}

static bool
s_scope_valid (const char *scope)
{
    inv_principal_t p;
    const inv_department_t *dept;
    return streq (scope, "province")
        || (strncmp (scope, "city:", 5) == 0 && inv_division_is_city (scope + 5))
        || (strncmp (scope, "dept:", 5) == 0 && (dept = inv_department_find (scope + 5))
            && streq (dept->code, scope + 5))
        || (strncmp (scope, "group:", 6) == 0 && scope [6])
        || (strncmp (scope, "handler:", 8) == 0 && inv_principal_parse (scope + 8, &p) == 0);
}

static long long
s_field (const redisReply *hash, const char *name)
{
    if (!hash || hash->type != REDIS_REPLY_ARRAY)
        return 0;
    for (size_t i = 0; i + 1 < hash->elements; i += 2)
        if (streq (hash->element [i]->str, name))
            return atoll (hash->element [i + 1]->str);
    return 0;
}

static Innov__FigureRow *
s_row (const char *scope, const redisReply *counters, const redisReply *overdue, const redisReply *days)
{
    Innov__FigureRow *row = (Innov__FigureRow *) calloc (1, sizeof *row);
    innov__figure_row__init (row);
    row->scope = strdup (scope);
    row->figures = (Innov__Figure **) calloc (FIGURES_COUNT, sizeof (Innov__Figure *));
    size_t n = days && days->type == REDIS_REPLY_ARRAY? days->elements / 2: 0;
    long long *d = (long long *) calloc (n + 1, sizeof (long long)), *c = (long long *) calloc (n + 1, sizeof (long long));
    for (size_t i = 0; i < n; i++) {
        d [i] = atoll (days->element [2 * i]->str);
        c [i] = atoll (days->element [2 * i + 1]->str);
    }
    struct { const char *name, *label; double value; } f [FIGURES_COUNT] = {
        { "problems.raised",         "问题总数",       (double) s_field (counters, "raised") },
        { "problems.open",           "未办结",         (double) s_field (counters, "open") },
        { "problems.overdue",        "逾期未办结",     overdue && overdue->type == REDIS_REPLY_INTEGER?
                                                       (double) overdue->integer: 0 },
        { "problems.resolved",       "已办结待销号",   (double) s_field (counters, "resolved") },
        { "problems.closed",         "已销号",         (double) s_field (counters, "closed") },
        { "problems.solved_on_time", "按期办结",       (double) s_field (counters, "on_time") },
        { "problems.solved_late",    "逾期办结",       (double) s_field (counters, "late") },
        { "problems.median_days",    "办结天数中位数", problems_median (d, c, n) },
        { "problems.government",     "政府职权内",     (double) s_field (counters, "government") },
        { "problems.own",            "企业自身",       (double) s_field (counters, "own") },
    };
    free (d);
    free (c);
    for (size_t i = 0; i < FIGURES_COUNT; i++) {
        Innov__Figure *figure = (Innov__Figure *) calloc (1, sizeof *figure);
        innov__figure__init (figure);
        figure->name = strdup (f [i].name);
        figure->label = strdup (f [i].label);
        figure->value = f [i].value;
        row->figures [row->n_figures++] = figure;
    }
    return row;
}

static void
s_reply_free (ProtobufCMessage *message)
{
    Innov__FiguresReply *reply = (Innov__FiguresReply *) message;
    for (size_t i = 0; i < reply->n_rows; i++) {
        Innov__FigureRow *row = reply->rows [i];
        for (size_t j = 0; j < row->n_figures; j++) {
            free (row->figures [j]->name);
            free (row->figures [j]->label);
            free (row->figures [j]);
        }
        free (row->figures);
        free (row->scope);
        free (row);
    }
    free (reply->rows);
    free (reply->service);
    free (reply);
}

static int
s_compare (const void *a, const void *b)
{
    return strcmp (*(const char * const *) a, *(const char * const *) b);
}

void
problems_figures (void *ctx, inv_call_t *call)
{
    problems_t *self = (problems_t *) ctx;
    const Innov__FiguresRequest *req = (const Innov__FiguresRequest *) call->request;
    if (!problems_may_read (call))
        return;
    const char *scope = s_empty (req->scope)? "province": req->scope;
    char pp [8];
    snprintf (pp, sizeof pp, "%s", s_empty (req->province)? self->province: req->province);
    if (strlen (pp) != 2 || !isdigit ((unsigned char) pp [0]) || !isdigit ((unsigned char) pp [1])) {
        inv_call_field_error (call, "province", "\"%s\" is not a two-digit province code", pp);
        return;
    }
    bool county = strncmp (scope, "county:", 7) == 0 && inv_division_is_county (scope + 7);
    if (!streq (scope, "all") && !county && !s_scope_valid (scope)) {
        inv_call_field_error (call, "scope", "\"%s\" is not province, city:<code>, dept:<code>, group:<id>, "
                              "handler:<principal> or all", scope);
        return;
    }
    /* the scopes to answer */
    zlist_t *scopes = zlist_new ();
    zlist_autofree (scopes);
    redisReply *members = NULL;
    if (streq (scope, "all")) {
        char key [PROBLEMS_KEY_MAX];
        members = inv_redis_command (self->redis, "SMEMBERS %s", inv_key (key, sizeof key, pp, PROBLEMS_KEY_SCOPES));
        if (!members) {
            zlist_destroy (&scopes);
            inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
            return;
        }
        size_t n = members->type == REDIS_REPLY_ARRAY? members->elements: 0;
        if (n > SCOPES_ALL_MAX)
            n = SCOPES_ALL_MAX;
        const char **names = (const char **) calloc (n + 1, sizeof (char *));
        for (size_t i = 0; i < n; i++)
            names [i] = members->element [i]->str;
        qsort (names, n, sizeof (char *), s_compare);
        zlist_append (scopes, (void *) "province");
        for (size_t i = 0; i < n; i++)
            if (!streq (names [i], "province"))
                zlist_append (scopes, (void *) names [i]);
        free (names);
    }
    else
    if (!county)        /* counties: no figures kept, an empty answer */
        zlist_append (scopes, (void *) scope);

    int64_t now = inv_clock_now_ms ();
    char now_text [24];
    snprintf (now_text, sizeof now_text, "%lld", (long long) now);
    for (const char *s = (const char *) zlist_first (scopes); s; s = (const char *) zlist_next (scopes)) {
        char k_cnt [PROBLEMS_KEY_MAX], k_due [PROBLEMS_KEY_MAX], k_days [PROBLEMS_KEY_MAX];
        const char *hget [] = { "HGETALL", inv_key (k_cnt, sizeof k_cnt, pp, PROBLEMS_KEY_COUNTERS, s) };
        const char *zcount [] = { "ZCOUNT", inv_key (k_due, sizeof k_due, pp, PROBLEMS_KEY_DUE, s), "-inf", now_text };
        const char *hdays [] = { "HGETALL", inv_key (k_days, sizeof k_days, pp, PROBLEMS_KEY_DAYS, s) };
        inv_redis_append_argv (self->redis, 2, hget, NULL);
        inv_redis_append_argv (self->redis, 4, zcount, NULL);
        inv_redis_append_argv (self->redis, 2, hdays, NULL);
    }
    Innov__FiguresReply *reply = (Innov__FiguresReply *) calloc (1, sizeof *reply);
    innov__figures_reply__init (reply);
    reply->service = strdup ("problems");
    reply->as_of_ms = now;
    reply->rows = (Innov__FigureRow **) calloc (zlist_size (scopes) + 1, sizeof (Innov__FigureRow *));
    bool down = false;
    for (const char *s = (const char *) zlist_first (scopes); s; s = (const char *) zlist_next (scopes)) {
        redisReply *counters = inv_redis_get_reply (self->redis);
        redisReply *overdue = inv_redis_get_reply (self->redis);
        redisReply *days = inv_redis_get_reply (self->redis);
        down = down || !counters || !overdue || !days;
        if (!down)
            reply->rows [reply->n_rows++] = s_row (s, counters, overdue, days);
        if (counters)
            freeReplyObject (counters);
        if (overdue)
            freeReplyObject (overdue);
        if (days)
            freeReplyObject (days);
    }
    zlist_destroy (&scopes);
    if (members)
        freeReplyObject (members);
    if (down) {
        s_reply_free (&reply->base);
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
        return;
    }
    inv_call_reply (call, &reply->base, s_reply_free);
}
