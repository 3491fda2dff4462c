/*  report_figures: the ledger figures of a scope and of the whole province, the
    monthly snapshots, and the assessment computed from them.

    Every figure comes from counters: the registry's enterprise.count (the status
    counts and assessment sums it maintains per city, department and cluster in the
    same scripts that write the records) and agency.list of the alliances; the figures
    other services offer (figures.get) are folded in when they answer. Nothing here
    walks enterprises, so the cost is a few requests whatever the ledger's size.

    A month's snapshot (innov.MonthSnapshot, one row per scope) is the province's
    ledger at the start of the dispatch month, the close of the month it reports on.
    The follower's tick takes it when a month begins; a read that finds none during
    the month takes it then (report_month_snapshot). Once stored it never changes, so a
    bulletin regenerated later says the same. A month with no snapshot that is already
    over is shown with today's figures, marked provisional, and never stored.

    Assessment (docs/report.md, "Definitions"): coverage = (ACTIVE + CLOSED) /
    enterprises; R&D institution and R&D activity shares; R&D intensity = sum of R&D
    expenditure / sum of operating revenue; alliance share = enterprises in an alliance
    / enterprises; a composite score weights them 40/20/20/10/10 and ranks the groups.
*/
#include <math.h>
#include <stdlib.h>
#include "report_internal.h"
#include "inv_clock.h"
#include "inv_log.h"
#include "inv_valid.h"

#define REGISTRY_SERVICE        "registry"
#define AGENCY_PAGE             1000
#define INTENSITY_BENCHMARK     0.02        /* R&D intensity that earns the full 10 points */

static char *
s_dup (const char *text)
{
    char *copy = strdup (text? text: "");
    assert (copy);
    return copy;
}

static Innov__LedgerFigures *
s_figures_new (const char *scope)
{
    Innov__LedgerFigures *f = (Innov__LedgerFigures *) zmalloc (sizeof *f);
    innov__ledger_figures__init (f);
    f->scope = s_dup (scope);
    return f;
}

void
report_figures_from_row (Innov__LedgerFigures *f, const Innov__CountRow *row)
{
    f->enterprises = row->total;
    f->not_started = row->not_started;
    f->in_progress = row->in_progress;
    f->active = row->active;
    f->closed = row->closed;
    f->rd_institution = row->rd_institution;
    f->rd_activity = row->rd_activity;
    f->alliance_members = row->alliance_members;
    f->operating_revenue = row->operating_revenue;
    f->rd_expenditure = row->rd_expenditure;
}

static void
s_add_row (Innov__LedgerFigures *sum, const Innov__CountRow *row)
{
    Innov__LedgerFigures one = INNOV__LEDGER_FIGURES__INIT;
    report_figures_from_row (&one, row);
    sum->enterprises += one.enterprises;
    sum->not_started += one.not_started;
    sum->in_progress += one.in_progress;
    sum->active += one.active;
    sum->closed += one.closed;
    sum->rd_institution += one.rd_institution;
    sum->rd_activity += one.rd_activity;
    sum->alliance_members += one.alliance_members;
    sum->operating_revenue += one.operating_revenue;
    sum->rd_expenditure += one.rd_expenditure;
}

/* enterprise.count grouped by group_by; 200 and *reply_p, or the code. */
static int
s_count (report_t *self, const char *group_by, Innov__CountEnterprisesReply **reply_p)
{
    Innov__CountEnterprisesRequest req = INNOV__COUNT_ENTERPRISES_REQUEST__INIT;
    req.group_by = (char *) group_by;
    req.province = self->province;
    return self->call (self->call_arg, REGISTRY_SERVICE, "enterprise.count", &req.base,
                       &innov__count_enterprises_reply__descriptor, (ProtobufCMessage **) reply_p, 0);
}

/* Append a copy of figure to f's extras (a figure of the same name is replaced). */
static void
s_add_extra (Innov__LedgerFigures *f, const Innov__Figure *figure)
{
    for (size_t i = 0; i < f->n_extra; i++)
        if (streq (f->extra [i]->name, s_text (figure->name))) {
            f->extra [i]->value = figure->value;
            return;
        }
    Innov__Figure *copy = (Innov__Figure *) zmalloc (sizeof *copy);
    innov__figure__init (copy);
    copy->name = s_dup (figure->name);
    copy->label = s_dup (figure->label);
    copy->value = figure->value;
    f->extra = (Innov__Figure **) realloc (f->extra, (f->n_extra + 1) * sizeof (Innov__Figure *));
    f->extra [f->n_extra++] = copy;
}

static void
s_add_source (Innov__LedgerFigures *f, const char *service)
{
    for (size_t i = 0; i < f->n_sources; i++)
        if (streq (f->sources [i], service))
            return;
    f->sources = (char **) realloc (f->sources, (f->n_sources + 1) * sizeof (char *));
    f->sources [f->n_sources++] = s_dup (service);
}

/* Ask every figures service for scope ("all" or one scope) and fold each answering row
   into the figures of the same scope among rows. */
static void
s_fold_extras (report_t *self, const char *scope, Innov__LedgerFigures **rows, size_t n_rows)
{
    char *services = s_dup (self->figures_services);
    char *save = NULL;
    for (char *service = strtok_r (services, ", ", &save); service; service = strtok_r (NULL, ", ", &save)) {
        Innov__FiguresRequest req = INNOV__FIGURES_REQUEST__INIT;
        req.scope = (char *) scope;
        req.province = self->province;
        Innov__FiguresReply *reply = NULL;
        int code = self->call (self->call_arg, service, "figures.get", &req.base,
                               &innov__figures_reply__descriptor, (ProtobufCMessage **) &reply,
                               self->figures_timeout_ms);
        if (code != 200) {
            inv_debug ("figures.get of %s: %d, nothing recorded", service, code);
            continue;
        }
        for (size_t r = 0; r < reply->n_rows; r++)
            for (size_t i = 0; i < n_rows; i++)
                if (streq (rows [i]->scope, s_text (reply->rows [r]->scope))) {
                    for (size_t k = 0; k < reply->rows [r]->n_figures; k++)
                        s_add_extra (rows [i], reply->rows [r]->figures [k]);
                    s_add_source (rows [i], service);
                }
        innov__figures_reply__free_unpacked (reply, NULL);
    }
    free (services);
}

Innov__LedgerFigures *
report_live_figures (report_t *self, const char *scope, int *code)
{
    bool dept = strncmp (scope, "dept:", 5) == 0;
    Innov__CountEnterprisesReply *counts = NULL;
    *code = s_count (self, dept? "department": "city", &counts);
    if (*code != 200)
        return NULL;
    Innov__LedgerFigures *f = s_figures_new (scope);
    const char *key = strchr (scope, ':')? strchr (scope, ':') + 1: "";
    for (size_t i = 0; i < counts->n_rows; i++)
        if (streq (scope, "province") || streq (s_text (counts->rows [i]->key), key))
            s_add_row (f, counts->rows [i]);
    innov__count_enterprises_reply__free_unpacked (counts, NULL);
    s_fold_extras (self, scope, &f, 1);
    return f;
}

/* Alliances per cluster code, from the registry's alliance agencies. */
static int
s_alliances (report_t *self, zhash_t *per_cluster)
{
    char cursor [128] = "";
    for (int page = 0; page < 100; page++) {
        Innov__ListAgenciesRequest req = INNOV__LIST_AGENCIES_REQUEST__INIT;
        req.kind = INNOV__AGENCY_KIND__ALLIANCE;
        req.limit = AGENCY_PAGE;
        req.cursor = cursor;
        req.province = self->province;
        Innov__ListAgenciesReply *reply = NULL;
        int code = self->call (self->call_arg, REGISTRY_SERVICE, "agency.list", &req.base,
                               &innov__list_agencies_reply__descriptor, (ProtobufCMessage **) &reply, 0);
        if (code != 200)
            return code;
        for (size_t i = 0; i < reply->n_agencies; i++) {
            const char *cluster = s_text (reply->agencies [i]->cluster);
            if (!*cluster)
                continue;
            uintptr_t n = (uintptr_t) zhash_lookup (per_cluster, cluster);
            zhash_update (per_cluster, cluster, (void *) (n + 1));
        }
        snprintf (cursor, sizeof cursor, "%s", s_text (reply->next_cursor));
        innov__list_agencies_reply__free_unpacked (reply, NULL);
        if (!*cursor)
            break;
    }
    return 200;
}

static void
s_snapshot_add (Innov__MonthSnapshot *s, Innov__LedgerFigures *f)
{
    s->rows = (Innov__LedgerFigures **) realloc (s->rows, (s->n_rows + 1) * sizeof (Innov__LedgerFigures *));
    s->rows [s->n_rows++] = f;
}

Innov__MonthSnapshot *
report_live_snapshot (report_t *self, const char *month, int64_t now, int *code)
{
    const char *groups [] = { "city", "department", "cluster" };
    const char *prefixes [] = { "city:", "dept:", "cluster:" };
    Innov__CountEnterprisesReply *counts [3] = { NULL, NULL, NULL };
    zhash_t *alliances = zhash_new ();
    *code = 200;
    for (int g = 0; g < 3 && *code == 200; g++)
        *code = s_count (self, groups [g], &counts [g]);
    if (*code == 200)
        *code = s_alliances (self, alliances);
    Innov__MonthSnapshot *s = NULL;
    if (*code == 200) {
        s = (Innov__MonthSnapshot *) zmalloc (sizeof *s);
        innov__month_snapshot__init (s);
        s->month = s_dup (month);
        s->taken_ms = now;
        Innov__LedgerFigures *province = s_figures_new ("province");
        s_snapshot_add (s, province);
        for (int g = 0; g < 3; g++)
            for (size_t i = 0; i < counts [g]->n_rows; i++) {
                char scope [64];
                snprintf (scope, sizeof scope, "%s%s", prefixes [g], s_text (counts [g]->rows [i]->key));
                Innov__LedgerFigures *f = s_figures_new (scope);
                report_figures_from_row (f, counts [g]->rows [i]);
                if (g == 0)
                    s_add_row (province, counts [g]->rows [i]);
                if (g == 2)
                    f->alliances = (uint32_t) (uintptr_t) zhash_lookup (alliances, s_text (counts [g]->rows [i]->key));
                s_snapshot_add (s, f);
            }
        uint32_t all_alliances = 0;
        for (void *n = zhash_first (alliances); n; n = zhash_next (alliances))
            all_alliances += (uint32_t) (uintptr_t) n;
        province->alliances = all_alliances;
        s_fold_extras (self, "all", s->rows, s->n_rows);
    }
    for (int g = 0; g < 3; g++)
        if (counts [g])
            innov__count_enterprises_reply__free_unpacked (counts [g], NULL);
    zhash_destroy (&alliances);
    return s;
}

Innov__MonthSnapshot *
report_stored_snapshot (report_t *self, const char *month, int *code)
{
    char key [REPORT_KEY_MAX];
    inv_key (key, sizeof key, self->province, REPORT_KEY_SNAPSHOT, month);
    redisReply *reply = inv_redis_command (self->redis, "GET %s", key);
    *code = reply? 200: 503;
    Innov__MonthSnapshot *s = NULL;
    if (reply && reply->type == REDIS_REPLY_STRING) {
        s = innov__month_snapshot__unpack (NULL, reply->len, (const uint8_t *) reply->str);
        if (!s)
            *code = 500;
    }
    if (reply)
        freeReplyObject (reply);
    return s;
}

int
report_store_snapshot (report_t *self, const Innov__MonthSnapshot *snapshot)
{
    char key [REPORT_KEY_MAX];
    const char *keys [] = { inv_key (key, sizeof key, self->province, REPORT_KEY_SNAPSHOT, snapshot->month) };
    size_t body_len;
    uint8_t *body = inv_rpc_pack (&snapshot->base, &body_len);
    const char *args [] = { snapshot->month, (const char *) body };
    size_t lens [] = { strlen (snapshot->month), body_len };
    inv_store_result_t result;
    int code = inv_store_write (self->redis, &self->snapshot_script, self->province, "service:report",
                                NULL, 1, keys, NULL, 2, args, lens, &result);
    if (code == 200 && streq (result.message, "taken")) {
        char when [40];
        inv_info ("snapshot of %s taken at %s: %llu enterprises", snapshot->month,
                  inv_clock_format (snapshot->taken_ms, when, sizeof when),
                  snapshot->n_rows? (unsigned long long) snapshot->rows [0]->enterprises: 0ULL);
    }
    else
    if (code != 200)
        inv_warn ("snapshot of %s: %d %s", snapshot->month, code, result.message);
    inv_store_result_clear (&result);
    free (body);
    return code;
}

Innov__MonthSnapshot *
report_month_snapshot (report_t *self, report_month_t m, int64_t now, bool *provisional, int *code)
{
    char month [16];
    report_month_text (m, month, sizeof month);
    *provisional = false;
    Innov__MonthSnapshot *s = report_stored_snapshot (self, month, code);
    if (s || *code != 200)
        return s;
    s = report_live_snapshot (self, month, now, code);
    if (!s)
        return NULL;
    if (now >= report_month_start (m) && now < report_month_start (report_month_add (m, 1))) {
        /* during the month: this is its snapshot (the first one stored wins) */
        if (report_store_snapshot (self, s) == 200) {
            innov__month_snapshot__free_unpacked (s, NULL);
            s = report_stored_snapshot (self, month, code);
        }
    }
    else
        *provisional = true;
    return s;
}

const Innov__LedgerFigures *
report_snapshot_row (const Innov__MonthSnapshot *s, const char *scope)
{
    if (!s)
        return NULL;
    for (size_t i = 0; i < s->n_rows; i++)
        if (streq (s_text (s->rows [i]->scope), scope))
            return s->rows [i];
    return NULL;
}

/* ---- assessment --------------------------------------------------------------------------- */

static double
s_share (uint64_t part, uint64_t whole)
{
    return whole? (double) part / (double) whole: 0;
}

void
report_assess_row (Innov__AssessmentRow *row, const Innov__LedgerFigures *f,
                   const Innov__LedgerFigures *previous)
{
    row->enterprises = f->enterprises;
    row->innovating = f->active + f->closed;
    row->closed = f->closed;
    row->rd_institution = f->rd_institution;
    row->rd_activity = f->rd_activity;
    row->coverage = s_share (row->innovating, f->enterprises);
    row->rd_institution_share = s_share (f->rd_institution, f->enterprises);
    row->rd_activity_share = s_share (f->rd_activity, f->enterprises);
    row->rd_intensity = f->operating_revenue > 0? f->rd_expenditure / f->operating_revenue: 0;
    row->alliance_share = s_share (f->alliance_members, f->enterprises);
    row->alliances = f->alliances;
    row->score = 100 * (0.4 * row->coverage + 0.2 * row->rd_activity_share
                        + 0.2 * row->rd_institution_share
                        + 0.1 * fmin (1.0, row->rd_intensity / INTENSITY_BENCHMARK)
                        + 0.1 * row->alliance_share);
    if (previous) {
        row->has_previous = true;
        uint64_t before = previous->active + previous->closed;
        row->coverage_change = row->coverage - s_share (before, previous->enterprises);
        row->innovating_change = (int64_t) row->innovating - (int64_t) before;
    }
}

static Innov__AssessmentRow *
s_row_new (const Innov__LedgerFigures *f, const Innov__LedgerFigures *previous)
{
    Innov__AssessmentRow *row = (Innov__AssessmentRow *) zmalloc (sizeof *row);
    innov__assessment_row__init (row);
    row->scope = s_dup (f->scope);
    row->name = s_dup (report_scope_name (f->scope));
    report_assess_row (row, f, previous);
    return row;
}

static int
s_by_score (const void *a, const void *b)
{
    const Innov__AssessmentRow *x = *(Innov__AssessmentRow * const *) a;
    const Innov__AssessmentRow *y = *(Innov__AssessmentRow * const *) b;
    if (x->score != y->score)
        return x->score > y->score? -1: 1;
    return strcmp (x->scope, y->scope);
}

void
report_assess (const Innov__MonthSnapshot *now, const Innov__MonthSnapshot *previous,
               const char *prefix, report_rows_t *out)
{
    memset (out, 0, sizeof *out);
    out->rows = (Innov__AssessmentRow **) calloc (now->n_rows + 1, sizeof (Innov__AssessmentRow *));
    for (size_t i = 0; i < now->n_rows; i++) {
        const Innov__LedgerFigures *f = now->rows [i];
        if (strncmp (s_text (f->scope), prefix, strlen (prefix)))
            continue;
        out->rows [out->count++] = s_row_new (f, report_snapshot_row (previous, f->scope));
    }
    qsort (out->rows, out->count, sizeof (Innov__AssessmentRow *), s_by_score);
    for (size_t i = 0; i < out->count; i++)
        out->rows [i]->rank = (uint32_t) i + 1;
    const Innov__LedgerFigures *province = report_snapshot_row (now, "province");
    if (province)
        out->province = s_row_new (province, report_snapshot_row (previous, "province"));
}

void
report_rows_free (report_rows_t *rows)
{
    for (size_t i = 0; i < rows->count; i++)
        innov__assessment_row__free_unpacked (rows->rows [i], NULL);
    free (rows->rows);
    if (rows->province)
        innov__assessment_row__free_unpacked (rows->province, NULL);
    memset (rows, 0, sizeof *rows);
}
