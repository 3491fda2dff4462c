/*  report_bulletin: report.assessment, report.bulletin and report.summary.

    All three read stored things only: the month's snapshot (report_figures.c), the
    snapshot of the month before (month-on-month change), the snapshots of up to twelve
    months (the trend), the reports' status (one pipelined HMGET per group) and the
    month's closed enterprises (report_closed.c). None of it depends on how many
    enterprises the ledger holds, which is what keeps a national bulletin in
    milliseconds.

    The bulletin of dispatch month M (通报) covers month M-1: ledger figures at the start
    of M, change against the start of M-1, who reported by the 5th of M, enterprises
    closed during M-1. It is built once as a document (report_doc) and rendered as
    Markdown or self-contained HTML, or as JSON built from the same figures (jansson).

    Campaign summaries of year Y: "groups" (each city and department's summary, due
    10 January of Y+1) and "province" (the province's report, due 25 January): figures at
    the close of Y (the snapshot of (Y+1)-01), the year's trend, the twelve monthly
    reports of Y's calendar (dispatch months Y-01 .. Y-12) and the year's closures.
*/
#include <math.h>
#include <stdlib.h>
#include <jansson.h>
#include "report_internal.h"
#include "report_doc.h"
#include "inv_clock.h"
#include "inv_log.h"

#define TREND_MONTHS 12

/* ---- small formatters ----------------------------------------------------------------------- */

static const char *
s_pct (char *buf, size_t size, double share)
{
    snprintf (buf, size, "%.1f%%", share * 100);
    return buf;
}

static const char *
s_intensity (char *buf, size_t size, double share)
{
    snprintf (buf, size, "%.2f%%", share * 100);
    return buf;
}

static const char *
s_change (char *buf, size_t size, const Innov__AssessmentRow *row)
{
    if (!row->has_previous)
        snprintf (buf, size, "—");
    else
        snprintf (buf, size, "%+.1f", row->coverage_change * 100);
    return buf;
}

static const char *
s_u64 (char *buf, size_t size, uint64_t value)
{
    snprintf (buf, size, "%llu", (unsigned long long) value);
    return buf;
}

static const char *
s_month_label (char *buf, size_t size, report_month_t m)
{
    snprintf (buf, size, "%d年%d月", m.year, m.month);
    return buf;
}

static const char *
s_state_label (const char *state)
{
    return streq (state, "submitted")? "按时报送": streq (state, "late")? "逾期报送":
           streq (state, "missing")? "未报送": "未到期";
}

/* ---- what a bulletin is made of ----------------------------------------------------------------- */

typedef struct {
    report_month_t month;               /* dispatch month */
    report_month_t period;              /* the month it covers */
    int64_t now;
    Innov__MonthSnapshot *snapshot;
    bool provisional;
    Innov__MonthSnapshot *previous;     /* may be NULL */
    report_rows_t cities, departments, clusters;
    Innov__ReportStatusReply *status;
    zhash_t *closed_counts;
    Innov__ClosedEnterprise **closed;
    size_t n_closed;
    size_t n_trend;
    char trend_labels [TREND_MONTHS + 1][16];
    char trend_months [TREND_MONTHS + 1][16];
    double trend_values [TREND_MONTHS + 1];
} facts_t;

static void
s_facts_free (facts_t *f)
{
    if (f->snapshot)
        innov__month_snapshot__free_unpacked (f->snapshot, NULL);
    if (f->previous)
        innov__month_snapshot__free_unpacked (f->previous, NULL);
    report_rows_free (&f->cities);
    report_rows_free (&f->departments);
    report_rows_free (&f->clusters);
    if (f->status)
        innov__report_status_reply__free_unpacked (f->status, NULL);
    zhash_destroy (&f->closed_counts);
    for (size_t i = 0; i < f->n_closed; i++)
        innov__closed_enterprise__free_unpacked (f->closed [i], NULL);
    free (f->closed);
    memset (f, 0, sizeof *f);
}

static double
s_coverage (const Innov__LedgerFigures *f)
{
    return f && f->enterprises? (double) (f->active + f->closed) / (double) f->enterprises: 0;
}

/* The province's coverage at the start of each of the months up to last (stored
   snapshots only), oldest first; the current snapshot stands for the last month. */
static int
s_trend (report_t *self, facts_t *f, report_month_t last, int months)
{
    for (int k = months - 1; k >= 0; k--) {
        report_month_t m = report_month_add (last, -k);
        char month [16];
        report_month_text (m, month, sizeof month);
        const Innov__LedgerFigures *row = NULL;
        Innov__MonthSnapshot *s = NULL;
        int code = 200;
        if (k == 0)
            row = report_snapshot_row (f->snapshot, "province");
        else {
            s = report_stored_snapshot (self, month, &code);
            if (code != 200)
                return -1;
            row = report_snapshot_row (s, "province");
        }
        if (row) {
            snprintf (f->trend_months [f->n_trend], 16, "%s", month);
            snprintf (f->trend_labels [f->n_trend], 16, "%d-%02d", m.year, m.month);
            f->trend_values [f->n_trend++] = s_coverage (row) * 100;
        }
        if (s)
            innov__month_snapshot__free_unpacked (s, NULL);
    }
    return 0;
}

/* Everything the bulletin of month m shows; 200 or the failure code (message in why). */
static int
s_facts (report_t *self, report_month_t m, facts_t *f, char *why, size_t size)
{
    memset (f, 0, sizeof *f);
    f->month = m;
    f->period = report_month_add (m, -1);
    f->now = inv_clock_now_ms ();
    int code;
    f->snapshot = report_month_snapshot (self, m, f->now, &f->provisional, &code);
    if (!f->snapshot) {
        snprintf (why, size, "the ledger figures could not be read (%d)", code);
        return code == 200? 500: code;
    }
    char previous [16];
    report_month_text (report_month_add (m, -1), previous, sizeof previous);
    f->previous = report_stored_snapshot (self, previous, &code);
    report_assess (f->snapshot, f->previous, "city:", &f->cities);
    report_assess (f->snapshot, f->previous, "dept:", &f->departments);
    report_assess (f->snapshot, f->previous, "cluster:", &f->clusters);
    f->status = report_status_of (self, m, f->now);
    if (!f->status
    ||  report_closed_of (self, f->period, &f->closed_counts, &f->closed, &f->n_closed, REPORT_CLOSED_LIST_MAX)
    ||  s_trend (self, f, m, TREND_MONTHS)) {
        snprintf (why, size, "storage unavailable: %s", inv_redis_last_error (self->redis));
        return 503;
    }
    return 200;
}

static uint64_t
s_closed_count (const facts_t *f, const char *scope)
{
    return f->closed_counts? (uint64_t) (uintptr_t) zhash_lookup (f->closed_counts, scope): 0;
}

/* ---- the document ---------------------------------------------------------------------------- */

static void
s_progress_table (report_doc_t *doc, const Innov__LedgerFigures *p, const Innov__AssessmentRow *a,
                  uint64_t closed_in_period, const char *closed_label)
{
    const char *headers [] = { "指标", "数值" };
    report_doc_table (doc, 2, headers, "01");
    char v [64];
    struct { const char *label; const char *value; } rows [16];
    size_t n = 0;
    char b [12][48];
    rows [n].label = "规上工业企业总数";          rows [n].value = s_u64 (b [0], 48, p->enterprises); n++;
    rows [n].label = "未开展";                    rows [n].value = s_u64 (b [1], 48, p->not_started); n++;
    rows [n].label = "推进中";                    rows [n].value = s_u64 (b [2], 48, p->in_progress); n++;
    rows [n].label = "已开展";                    rows [n].value = s_u64 (b [3], 48, p->active); n++;
    rows [n].label = "已销号";                    rows [n].value = s_u64 (b [4], 48, p->closed); n++;
    rows [n].label = "创新活动覆盖率(已开展+已销号)"; rows [n].value = s_pct (b [5], 48, a->coverage); n++;
    rows [n].label = "覆盖率环比(百分点)";        rows [n].value = s_change (b [6], 48, a); n++;
    rows [n].label = "有研发机构的企业占比";      rows [n].value = s_pct (b [7], 48, a->rd_institution_share); n++;
    rows [n].label = "有研发活动的企业占比";      rows [n].value = s_pct (b [8], 48, a->rd_activity_share); n++;
    rows [n].label = "研发投入强度";              rows [n].value = s_intensity (b [9], 48, a->rd_intensity); n++;
    rows [n].label = "产业联盟数";                rows [n].value = s_u64 (b [10], 48, p->alliances); n++;
    rows [n].label = closed_label;                rows [n].value = s_u64 (b [11], 48, closed_in_period); n++;
    for (size_t i = 0; i < n; i++) {
        const char *cells [] = { rows [i].label, rows [i].value };
        report_doc_row (doc, cells);
    }
    for (size_t i = 0; i < p->n_extra; i++) {
        snprintf (v, sizeof v, "%g", p->extra [i]->value);
        const char *cells [] = { *s_text (p->extra [i]->label)? p->extra [i]->label: p->extra [i]->name, v };
        report_doc_row (doc, cells);
    }
}

static void
s_ranking_table (report_doc_t *doc, const report_rows_t *rows, const char *unit)
{
    const char *headers [] = { "排名", unit, "企业数", "已开展+已销号", "覆盖率", "环比(百分点)",
                               "有研发机构占比", "有研发活动占比", "研发投入强度", "联盟参与率", "综合得分" };
    report_doc_table (doc, 11, headers, "10111111111");
    for (size_t i = 0; i < rows->count; i++) {
        const Innov__AssessmentRow *r = rows->rows [i];
        char c [11][48];
        snprintf (c [0], 48, "%u", r->rank);
        snprintf (c [1], 48, "%s", r->name);
        s_u64 (c [2], 48, r->enterprises);
        s_u64 (c [3], 48, r->innovating);
        s_pct (c [4], 48, r->coverage);
        s_change (c [5], 48, r);
        s_pct (c [6], 48, r->rd_institution_share);
        s_pct (c [7], 48, r->rd_activity_share);
        s_intensity (c [8], 48, r->rd_intensity);
        s_pct (c [9], 48, r->alliance_share);
        snprintf (c [10], 48, "%.1f", r->score);
        const char *cells [11];
        for (int k = 0; k < 11; k++)
            cells [k] = c [k];
        report_doc_row (doc, cells);
    }
}

static int
s_by_coverage (const void *a, const void *b)
{
    const Innov__AssessmentRow *x = *(Innov__AssessmentRow * const *) a;
    const Innov__AssessmentRow *y = *(Innov__AssessmentRow * const *) b;
    if (x->coverage != y->coverage)
        return x->coverage > y->coverage? -1: 1;
    return strcmp (x->scope, y->scope);
}

/* The cities' coverage as bars, highest first. */
static void
s_coverage_chart (report_doc_t *doc, const report_rows_t *cities, const char *title)
{
    size_t n = cities->count;
    Innov__AssessmentRow **sorted = (Innov__AssessmentRow **) calloc (n + 1, sizeof (Innov__AssessmentRow *));
    memcpy (sorted, cities->rows, n * sizeof (Innov__AssessmentRow *));
    qsort (sorted, n, sizeof (Innov__AssessmentRow *), s_by_coverage);
    const char **labels = (const char **) calloc (n + 1, sizeof (char *));
    double *values = (double *) calloc (n + 1, sizeof (double));
    for (size_t i = 0; i < n; i++) {
        labels [i] = sorted [i]->name;
        values [i] = sorted [i]->coverage * 100;
    }
    report_doc_bars (doc, "coverage-by-city", title, n, labels, values);
    free (sorted);
    free (labels);
    free (values);
}

static void
s_trend_chart (report_doc_t *doc, const facts_t *f, const char *title)
{
    const char *labels [TREND_MONTHS + 1];
    for (size_t i = 0; i < f->n_trend; i++)
        labels [i] = f->trend_labels [i];
    report_doc_line (doc, "trend-by-month", title, f->n_trend, labels, f->trend_values);
}

static void
s_alliance_table (report_doc_t *doc, const report_rows_t *clusters)
{
    const char *headers [] = { "产业集群", "企业数", "产业联盟数", "联盟参与率", "覆盖率" };
    report_doc_table (doc, 5, headers, "01111");
    for (size_t i = 0; i < clusters->count; i++) {
        const Innov__AssessmentRow *r = clusters->rows [i];
        char c [4][48];
        const char *cells [] = { r->name, s_u64 (c [0], 48, r->enterprises), s_u64 (c [1], 48, r->alliances),
                                 s_pct (c [2], 48, r->alliance_share), s_pct (c [3], 48, r->coverage) };
        report_doc_row (doc, cells);
    }
}

static char *
s_bulletin_doc (const facts_t *f, bool html)
{
    char title [160], sub [320], period [32], month [32], taken [40], generated [40];
    s_month_label (month, sizeof month, f->month);
    s_month_label (period, sizeof period, f->period);
    snprintf (title, sizeof title, "%s全省企业技术创新全覆盖工作通报", month);
    inv_clock_format (f->snapshot->taken_ms, taken, sizeof taken);
    inv_clock_format (f->now, generated, sizeof generated);
    taken [16] = generated [16] = '\0';
    taken [10] = generated [10] = ' ';
    snprintf (sub, sizeof sub, "通报%s工作进展。台账数据截至 %s%s；生成于 %s（北京时间）。", period, taken,
              f->provisional? "（临时数据：该月未留存月初快照）": "", generated);
    report_doc_t *doc = report_doc_new (title, sub);
    const Innov__LedgerFigures *p = report_snapshot_row (f->snapshot, "province");
    const Innov__AssessmentRow *pa = f->cities.province;
    char a [64], b [64], c [64];
    report_doc_heading (doc, "一、总体进展");
    if (p && pa) {
        report_doc_para (doc, "全省共有规上工业企业 %llu 家，其中已开展技术创新活动 %llu 家（含已销号 %llu 家），"
                         "覆盖率 %s%s。%s销号 %llu 家。",
                         (unsigned long long) p->enterprises, (unsigned long long) pa->innovating,
                         (unsigned long long) p->closed, s_pct (a, sizeof a, pa->coverage),
                         pa->has_previous? (snprintf (b, sizeof b, "，较上月变化 %+.1f 个百分点", pa->coverage_change * 100), b)
                                          : "（上月无快照，暂无环比）",
                         period, (unsigned long long) s_closed_count (f, "province"));
        char closed_label [64];
        snprintf (closed_label, sizeof closed_label, "%s销号企业数", period);
        s_progress_table (doc, p, pa, s_closed_count (f, "province"), closed_label);
    }
    s_coverage_chart (doc, &f->cities, "各市创新活动覆盖率");
    s_trend_chart (doc, f, "全省覆盖率趋势（各月月初）");

    report_doc_heading (doc, "二、各市考核排名");
    s_ranking_table (doc, &f->cities, "市");
    report_doc_heading (doc, "三、省直部门考核排名");
    s_ranking_table (doc, &f->departments, "部门");
    report_doc_heading (doc, "四、产业联盟建设");
    s_alliance_table (doc, &f->clusters);

    report_doc_heading (doc, "五、月报报送情况");
    /* below: the groups that reported late, did not report, or amended after the deadline */
    const Innov__ReportStatusReply *st = f->status;
    inv_clock_format (st->due_ms, c, sizeof c);
    c [10] = '\0';
    report_doc_para (doc, "%s台账月报应于5日前报送（截止 %s 零时）：按时报送 %u 个，逾期报送 %u 个，未报送 %u 个，未到期 %u 个。",
                     month, c, st->submitted, st->late, st->missing, st->pending);
    const char *sh [] = { "单位", "报送情况", "首次报送时间", "修订次数", "截止后修订" };
    report_doc_table (doc, 5, sh, "00010");
    for (size_t i = 0; i < st->n_rows; i++) {
        const Innov__ReportStatusRow *r = st->rows [i];
        /* the late, the missing, and those amended after the deadline */
        if ((streq (r->state, "submitted") && !r->amended_after_deadline) || streq (r->state, "pending"))
            continue;
        char when [40] = "", rev [16] = "";
        if (r->submitted_ms) {
            inv_clock_format (r->submitted_ms, when, sizeof when);
            when [16] = '\0';
            when [10] = ' ';
        }
        if (r->revision)
            snprintf (rev, sizeof rev, "%u", r->revision);
        const char *cells [] = { r->name, s_state_label (r->state), when, rev, r->amended_after_deadline? "是": "" };
        report_doc_row (doc, cells);
    }

    report_doc_heading (doc, "六、本期销号企业");
    report_doc_para (doc, "%s共销号 %llu 家%s。", period, (unsigned long long) s_closed_count (f, "province"),
                     s_closed_count (f, "province") > f->n_closed? "（下表列出前 500 家）": "");
    const char *ch [] = { "统一社会信用代码", "企业名称", "市", "销号时间" };
    report_doc_table (doc, 4, ch, "0000");
    for (size_t i = 0; i < f->n_closed; i++) {
        const Innov__ClosedEnterprise *e = f->closed [i];
        char city [32], when [40];
        snprintf (city, sizeof city, "city:%s", s_text (e->city));
        inv_clock_format (e->time_ms, when, sizeof when);
        when [10] = '\0';
        const char *cells [] = { e->credit_code, s_text (e->name), report_scope_name (city), when };
        report_doc_row (doc, cells);
    }
    char *text = html? report_doc_html (doc): report_doc_markdown (doc);
    report_doc_destroy (&doc);
    return text;
}

/* ---- JSON ---------------------------------------------------------------------------------------- */

static json_t *
s_json_row (const Innov__AssessmentRow *r)
{
    json_t *o = json_object ();
    json_object_set_new (o, "scope", json_string (r->scope));
    json_object_set_new (o, "name", json_string (r->name));
    json_object_set_new (o, "rank", json_integer (r->rank));
    json_object_set_new (o, "enterprises", json_integer ((json_int_t) r->enterprises));
    json_object_set_new (o, "innovating", json_integer ((json_int_t) r->innovating));
    json_object_set_new (o, "closed", json_integer ((json_int_t) r->closed));
    json_object_set_new (o, "rd_institution", json_integer ((json_int_t) r->rd_institution));
    json_object_set_new (o, "rd_activity", json_integer ((json_int_t) r->rd_activity));
    json_object_set_new (o, "coverage", json_real (r->coverage));
    json_object_set_new (o, "rd_institution_share", json_real (r->rd_institution_share));
    json_object_set_new (o, "rd_activity_share", json_real (r->rd_activity_share));
    json_object_set_new (o, "rd_intensity", json_real (r->rd_intensity));
    json_object_set_new (o, "alliance_share", json_real (r->alliance_share));
    json_object_set_new (o, "alliances", json_integer (r->alliances));
    json_object_set_new (o, "score", json_real (r->score));
    json_object_set_new (o, "coverage_change", r->has_previous? json_real (r->coverage_change): json_null ());
    json_object_set_new (o, "innovating_change", r->has_previous? json_integer (r->innovating_change): json_null ());
    return o;
}

static json_t *
s_json_rows (const report_rows_t *rows)
{
    json_t *a = json_array ();
    for (size_t i = 0; i < rows->count; i++)
        json_array_append_new (a, s_json_row (rows->rows [i]));
    return a;
}

static json_t *
s_json_figures (const Innov__LedgerFigures *p)
{
    json_t *o = json_object ();
    if (!p)
        return o;
    json_object_set_new (o, "enterprises", json_integer ((json_int_t) p->enterprises));
    json_object_set_new (o, "not_started", json_integer ((json_int_t) p->not_started));
    json_object_set_new (o, "in_progress", json_integer ((json_int_t) p->in_progress));
    json_object_set_new (o, "active", json_integer ((json_int_t) p->active));
    json_object_set_new (o, "closed", json_integer ((json_int_t) p->closed));
    json_object_set_new (o, "rd_institution", json_integer ((json_int_t) p->rd_institution));
    json_object_set_new (o, "rd_activity", json_integer ((json_int_t) p->rd_activity));
    json_object_set_new (o, "alliance_members", json_integer ((json_int_t) p->alliance_members));
    json_object_set_new (o, "operating_revenue", json_real (p->operating_revenue));
    json_object_set_new (o, "rd_expenditure", json_real (p->rd_expenditure));
    json_object_set_new (o, "alliances", json_integer (p->alliances));
    json_t *extra = json_object ();
    for (size_t i = 0; i < p->n_extra; i++)
        json_object_set_new (extra, p->extra [i]->name, json_real (p->extra [i]->value));
    json_object_set_new (o, "extra", extra);
    return o;
}

static json_t *
s_json_status (const Innov__ReportStatusReply *st)
{
    json_t *o = json_object ();
    json_object_set_new (o, "due_ms", json_integer (st->due_ms));
    json_object_set_new (o, "submitted", json_integer (st->submitted));
    json_object_set_new (o, "late", json_integer (st->late));
    json_object_set_new (o, "missing", json_integer (st->missing));
    json_object_set_new (o, "pending", json_integer (st->pending));
    json_t *late = json_array (), *missing = json_array (), *rows = json_array ();
    for (size_t i = 0; i < st->n_rows; i++) {
        const Innov__ReportStatusRow *r = st->rows [i];
        if (streq (r->state, "late"))
            json_array_append_new (late, json_string (r->agency));
        if (streq (r->state, "missing"))
            json_array_append_new (missing, json_string (r->agency));
        json_t *row = json_object ();
        json_object_set_new (row, "agency", json_string (r->agency));
        json_object_set_new (row, "name", json_string (r->name));
        json_object_set_new (row, "state", json_string (r->state));
        json_object_set_new (row, "submitted_ms", json_integer (r->submitted_ms));
        json_object_set_new (row, "revision", json_integer (r->revision));
        json_object_set_new (row, "amended_after_deadline", json_boolean (r->amended_after_deadline));
        json_array_append_new (rows, row);
    }
    json_object_set_new (o, "late_agencies", late);
    json_object_set_new (o, "missing_agencies", missing);
    json_object_set_new (o, "rows", rows);
    return o;
}

static char *
s_bulletin_json (const facts_t *f)
{
    char month [16], period [16], title [160], label [32];
    report_month_text (f->month, month, sizeof month);
    report_month_text (f->period, period, sizeof period);
    snprintf (title, sizeof title, "%s全省企业技术创新全覆盖工作通报", s_month_label (label, sizeof label, f->month));
    json_t *o = json_object ();
    json_object_set_new (o, "title", json_string (title));
    json_object_set_new (o, "month", json_string (month));
    json_object_set_new (o, "period", json_string (period));
    json_object_set_new (o, "as_of_ms", json_integer (f->snapshot->taken_ms));
    json_object_set_new (o, "generated_ms", json_integer (f->now));
    json_object_set_new (o, "provisional", json_boolean (f->provisional));
    json_object_set_new (o, "progress", s_json_figures (report_snapshot_row (f->snapshot, "province")));
    json_object_set_new (o, "province", f->cities.province? s_json_row (f->cities.province): json_null ());
    json_object_set_new (o, "cities", s_json_rows (&f->cities));
    json_object_set_new (o, "departments", s_json_rows (&f->departments));
    json_object_set_new (o, "clusters", s_json_rows (&f->clusters));
    json_object_set_new (o, "reports", s_json_status (f->status));
    json_t *closed = json_object (), *by = json_object (), *list = json_array ();
    json_object_set_new (closed, "month", json_string (period));
    json_object_set_new (closed, "total", json_integer ((json_int_t) s_closed_count (f, "province")));
    if (f->closed_counts)
        for (void *n = zhash_first (f->closed_counts); n; n = zhash_next (f->closed_counts))
            if (!streq (zhash_cursor (f->closed_counts), "province"))
                json_object_set_new (by, zhash_cursor (f->closed_counts), json_integer ((json_int_t) (uintptr_t) n));
    for (size_t i = 0; i < f->n_closed; i++) {
        json_t *e = json_object ();
        json_object_set_new (e, "credit_code", json_string (f->closed [i]->credit_code));
        json_object_set_new (e, "name", json_string (s_text (f->closed [i]->name)));
        json_object_set_new (e, "city", json_string (s_text (f->closed [i]->city)));
        json_object_set_new (e, "department", json_string (s_text (f->closed [i]->department)));
        json_object_set_new (e, "time_ms", json_integer (f->closed [i]->time_ms));
        json_array_append_new (list, e);
    }
    json_object_set_new (closed, "by_scope", by);
    json_object_set_new (closed, "enterprises", list);
    json_object_set_new (o, "closed", closed);
    json_t *trend = json_array ();
    for (size_t i = 0; i < f->n_trend; i++) {
        json_t *t = json_object ();
        json_object_set_new (t, "month", json_string (f->trend_months [i]));
        json_object_set_new (t, "coverage", json_real (f->trend_values [i] / 100));
        json_array_append_new (trend, t);
    }
    json_object_set_new (o, "trend", trend);
    char *text = json_dumps (o, JSON_INDENT (2) | JSON_REAL_PRECISION (12));
    json_decref (o);
    return text;
}

/* ---- handlers ----------------------------------------------------------------------------------- */

/* "markdown", "html" or "json" (default markdown); false after a field error. */
static bool
s_format_arg (inv_call_t *call, const char *given, const char **format)
{
    *format = s_blank (given)? "markdown": given;
    if (streq (*format, "md"))
        *format = "markdown";
    if (streq (*format, "markdown") || streq (*format, "html") || streq (*format, "json"))
        return true;
    inv_call_field_error (call, "format", "\"%.16s\" is not one of markdown, html, json", given);
    return false;
}

static void
s_document_reply (inv_call_t *call, const char *title, const char *format, char *content,
                  int64_t started_us)
{
    Innov__DocumentReply reply = INNOV__DOCUMENT_REPLY__INIT;
    reply.title = (char *) title;
    reply.format = (char *) format;
    reply.media_type = streq (format, "html")? "text/html; charset=utf-8":
                       streq (format, "json")? "application/json": "text/markdown; charset=utf-8";
    reply.content = content;
    reply.generated_ms = inv_clock_now_ms ();
    reply.generation_us = (uint32_t) (zclock_usecs () - started_us);
    inv_caller_reply_copy (call, &reply.base);
}

void
report_bulletin (void *ctx, inv_call_t *call)
{
    report_t *self = (report_t *) ctx;
    const Innov__BulletinRequest *req = (const Innov__BulletinRequest *) call->request;
    int64_t started = zclock_usecs ();
    report_month_t m;
    const char *format;
    if (!report_may_read (call) || !report_month_arg (call, "month", req->month, &m)
    ||  !s_format_arg (call, req->format, &format))
        return;
    facts_t f;
    char why [256];
    int code = s_facts (self, m, &f, why, sizeof why);
    if (code != 200) {
        inv_call_error (call, code, "%s", why);
        s_facts_free (&f);
        return;
    }
    char *content = streq (format, "json")? s_bulletin_json (&f): s_bulletin_doc (&f, streq (format, "html"));
    char title [128], label [32];
    snprintf (title, sizeof title, "%s全省企业技术创新全覆盖工作通报", s_month_label (label, sizeof label, m));
    s_document_reply (call, title, format, content, started);
    inv_info ("bulletin %04d-%02d (%s) built in %lld us", m.year, m.month, format, (long long) (zclock_usecs () - started));
    free (content);
    s_facts_free (&f);
}

void
report_assessment (void *ctx, inv_call_t *call)
{
    report_t *self = (report_t *) ctx;
    const Innov__AssessmentRequest *req = (const Innov__AssessmentRequest *) call->request;
    report_month_t m;
    if (!report_may_read (call) || !report_month_arg (call, "month", req->month, &m))
        return;
    const char *by = s_blank (req->by)? "city": req->by;
    const char *prefix = streq (by, "city")? "city:": streq (by, "department")? "dept:":
                         streq (by, "cluster")? "cluster:": NULL;
    if (!prefix) {
        inv_call_field_error (call, "by", "\"%.16s\" is not one of city, department, cluster", by);
        return;
    }
    int code;
    bool provisional;
    Innov__MonthSnapshot *now = report_month_snapshot (self, m, inv_clock_now_ms (), &provisional, &code);
    if (!now) {
        inv_call_error (call, code == 200? 500: code, "the ledger figures could not be read (%d)", code);
        return;
    }
    char previous_month [16];
    report_month_text (report_month_add (m, -1), previous_month, sizeof previous_month);
    Innov__MonthSnapshot *previous = report_stored_snapshot (self, previous_month, &code);
    report_rows_t rows;
    report_assess (now, previous, prefix, &rows);
    char month [16];
    Innov__AssessmentReply reply = INNOV__ASSESSMENT_REPLY__INIT;
    reply.month = report_month_text (m, month, sizeof month);
    reply.by = (char *) by;
    reply.as_of_ms = now->taken_ms;
    reply.provisional = provisional;
    reply.rows = rows.rows;
    reply.n_rows = rows.count;
    reply.province = rows.province;
    inv_caller_reply_copy (call, &reply.base);
    report_rows_free (&rows);
    innov__month_snapshot__free_unpacked (now, NULL);
    if (previous)
        innov__month_snapshot__free_unpacked (previous, NULL);
}

/* ---- campaign summaries ------------------------------------------------------------------------ */

typedef struct {
    uint32_t on_time, late, missing;
} record_t;

void
report_summary (void *ctx, inv_call_t *call)
{
    report_t *self = (report_t *) ctx;
    const Innov__SummaryRequest *req = (const Innov__SummaryRequest *) call->request;
    int64_t started = zclock_usecs ();
    const char *format;
    if (!report_may_read (call) || !s_format_arg (call, req->format, &format))
        return;
    const char *milestone = s_blank (req->milestone)? "province": req->milestone;
    if (!streq (milestone, "groups") && !streq (milestone, "province"))
        inv_call_field_error (call, "milestone", "\"%.16s\" is not groups (10 January) or province (25 January)", milestone);
    int64_t now = inv_clock_now_ms ();
    report_month_t current;
    report_month_now (now, &current);
    int year = req->year? req->year: current.month == 1? current.year - 1: current.year;
    if (year < 2000 || year > 2100)
        inv_call_field_error (call, "year", "%d is not a campaign year (2000 .. 2100)", year);
    if (inv_call_failed (call))
        return;

    /* the close of the year: the snapshot at the start of January of the next */
    report_month_t close = { year + 1, 1 };
    facts_t f;
    char why [256];
    int code = s_facts (self, close, &f, why, sizeof why);
    if (code != 200) {
        inv_call_error (call, code, "%s", why);
        s_facts_free (&f);
        return;
    }
    /* the year's monthly reports (dispatch months of the year) and closures */
    char groups [REPORT_GROUPS_MAX][32];
    size_t n_groups = report_groups (self->province, groups, REPORT_GROUPS_MAX);
    record_t record [REPORT_GROUPS_MAX];
    memset (record, 0, sizeof record);
    zhash_t *closed_year = zhash_new ();
    for (int month = 1; month <= 12 && code == 200; month++) {
        report_month_t m = { year, month };
        Innov__ReportStatusReply *st = report_status_of (self, m, now);
        zhash_t *counts = NULL;
        Innov__ClosedEnterprise **none = NULL;
        size_t n_none = 0;
        if (!st || report_closed_of (self, m, &counts, &none, &n_none, 0))
            code = 503;
        for (size_t i = 0; st && i < st->n_rows && i < n_groups; i++) {
            if (streq (st->rows [i]->state, "submitted")) record [i].on_time++;
            if (streq (st->rows [i]->state, "late")) record [i].late++;
            if (streq (st->rows [i]->state, "missing")) record [i].missing++;
        }
        if (counts)
            for (void *n = zhash_first (counts); n; n = zhash_next (counts)) {
                uintptr_t sum = (uintptr_t) zhash_lookup (closed_year, zhash_cursor (counts));
                zhash_update (closed_year, zhash_cursor (counts), (void *) (sum + (uintptr_t) n));
            }
        zhash_destroy (&counts);
        if (st)
            innov__report_status_reply__free_unpacked (st, NULL);
    }
    if (code != 200) {
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
        zhash_destroy (&closed_year);
        s_facts_free (&f);
        return;
    }
    bool groups_kind = streq (milestone, "groups");
    char title [192], sub [256], taken [40];
    snprintf (title, sizeof title, groups_kind? "%d年度各市、省直部门企业技术创新全覆盖工作总结"
                                              : "%d年度全省企业技术创新全覆盖工作报告", year);
    inv_clock_format (f.snapshot->taken_ms, taken, sizeof taken);
    taken [16] = '\0';
    taken [10] = ' ';
    snprintf (sub, sizeof sub, "%s；台账数据截至 %s%s。", groups_kind? "1月10日前各市、各部门总结": "1月25日前报省政府",
              taken, f.provisional? "（临时数据）": "");

    /* one row per group: figures at the close of the year, full coverage, record */
    const char *prefixes [] = { "city:", "dept:" };
    const report_rows_t *ranked [] = { &f.cities, &f.departments };
    char *content;
    if (streq (format, "json")) {
        json_t *o = json_object ();
        json_object_set_new (o, "title", json_string (title));
        json_object_set_new (o, "year", json_integer (year));
        json_object_set_new (o, "milestone", json_string (milestone));
        json_object_set_new (o, "as_of_ms", json_integer (f.snapshot->taken_ms));
        json_object_set_new (o, "provisional", json_boolean (f.provisional));
        json_object_set_new (o, "progress", s_json_figures (report_snapshot_row (f.snapshot, "province")));
        json_object_set_new (o, "province", f.cities.province? s_json_row (f.cities.province): json_null ());
        json_object_set_new (o, "closed_in_year", json_integer ((json_int_t) (uintptr_t) zhash_lookup (closed_year, "province")));
        json_t *rows = json_array ();
        for (int k = 0; k < 2; k++)
            for (size_t i = 0; i < ranked [k]->count; i++) {
                const Innov__AssessmentRow *r = ranked [k]->rows [i];
                json_t *row = s_json_row (r);
                for (size_t g = 0; g < n_groups; g++)
                    if (streq (groups [g], r->scope)) {
                        json_object_set_new (row, "reports_on_time", json_integer (record [g].on_time));
                        json_object_set_new (row, "reports_late", json_integer (record [g].late));
                        json_object_set_new (row, "reports_missing", json_integer (record [g].missing));
                    }
                json_object_set_new (row, "full_coverage", json_boolean (r->enterprises > 0 && r->innovating == r->enterprises));
                json_object_set_new (row, "closed_in_year", json_integer ((json_int_t) (uintptr_t) zhash_lookup (closed_year, r->scope)));
                json_array_append_new (rows, row);
            }
        json_object_set_new (o, "groups", rows);
        json_t *trend = json_array ();
        for (size_t i = 0; i < f.n_trend; i++) {
            json_t *t = json_object ();
            json_object_set_new (t, "month", json_string (f.trend_months [i]));
            json_object_set_new (t, "coverage", json_real (f.trend_values [i] / 100));
            json_array_append_new (trend, t);
        }
        json_object_set_new (o, "trend", trend);
        content = json_dumps (o, JSON_INDENT (2) | JSON_REAL_PRECISION (12));
        json_decref (o);
    }
    else {
        report_doc_t *doc = report_doc_new (title, sub);
        const Innov__LedgerFigures *p = report_snapshot_row (f.snapshot, "province");
        report_doc_heading (doc, "一、全年进展");
        if (p && f.cities.province) {
            char a [32];
            char until [160];
            if (f.provisional)
                snprintf (until, sizeof until, "截至目前（%s，临时数据）", taken);
            else
                snprintf (until, sizeof until, "截至%d年12月31日", year);
            report_doc_para (doc, "%s，全省规上工业企业 %llu 家，已开展技术创新活动 %llu 家，覆盖率 %s；全年销号 %llu 家。",
                             until, (unsigned long long) p->enterprises, (unsigned long long) f.cities.province->innovating,
                             s_pct (a, sizeof a, f.cities.province->coverage),
                             (unsigned long long) (uintptr_t) zhash_lookup (closed_year, "province"));
            s_progress_table (doc, p, f.cities.province, (uintptr_t) zhash_lookup (closed_year, "province"), "全年销号企业数");
        }
        s_coverage_chart (doc, &f.cities, "各市创新活动覆盖率（年末）");
        s_trend_chart (doc, &f, "全省覆盖率趋势（各月月初）");
        for (int k = 0; k < 2; k++) {
            report_doc_heading (doc, k == 0? "二、各市全覆盖完成情况": "三、省直部门全覆盖完成情况");
            const char *headers [] = { "排名", "单位", "企业数", "已开展+已销号", "覆盖率", "是否全覆盖", "尚未覆盖",
                                       "全年销号", "月报按时", "月报逾期", "月报缺报", "综合得分" };
            report_doc_table (doc, 12, headers, "101110111111");
            for (size_t i = 0; i < ranked [k]->count; i++) {
                const Innov__AssessmentRow *r = ranked [k]->rows [i];
                if (strncmp (r->scope, prefixes [k], 5))
                    continue;
                record_t rec = { 0, 0, 0 };
                for (size_t g = 0; g < n_groups; g++)
                    if (streq (groups [g], r->scope))
                        rec = record [g];
                char c [12][48];
                snprintf (c [0], 48, "%u", r->rank);
                s_u64 (c [2], 48, r->enterprises);
                s_u64 (c [3], 48, r->innovating);
                s_pct (c [4], 48, r->coverage);
                s_u64 (c [6], 48, r->enterprises - r->innovating);
                s_u64 (c [7], 48, (uintptr_t) zhash_lookup (closed_year, r->scope));
                snprintf (c [8], 48, "%u", rec.on_time);
                snprintf (c [9], 48, "%u", rec.late);
                snprintf (c [10], 48, "%u", rec.missing);
                snprintf (c [11], 48, "%.1f", r->score);
                const char *cells [] = { c [0], r->name, c [2], c [3], c [4],
                                         r->enterprises > 0 && r->innovating == r->enterprises? "是": "否",
                                         c [6], c [7], c [8], c [9], c [10], c [11] };
                report_doc_row (doc, cells);
            }
        }
        if (!groups_kind) {
            report_doc_heading (doc, "四、考核排名（各市）");
            s_ranking_table (doc, &f.cities, "市");
            report_doc_heading (doc, "五、产业联盟建设");
            s_alliance_table (doc, &f.clusters);
        }
        content = streq (format, "html")? report_doc_html (doc): report_doc_markdown (doc);
        report_doc_destroy (&doc);
    }
    s_document_reply (call, title, format, content, started);
    inv_info ("summary %d %s (%s) built in %lld us", year, milestone, format, (long long) (zclock_usecs () - started));
    free (content);
    zhash_destroy (&closed_year);
    s_facts_free (&f);
}
