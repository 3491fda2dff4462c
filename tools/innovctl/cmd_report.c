/*  innovctl report: the monthly ledger reports, assessment, bulletins and campaign
    summaries, through the report service (proto/report.proto, docs/report.md).

        report submit [--month YYYY-MM] [--agency A] (--narrative TEXT | --narrative-file F)
                      [--idempotency-key K]
        report get [--month M] [--agency A]
        report status [--month M] [--out FILE [--format csv|xlsx]]
        report assessment [--month M] [--by city|department|cluster] [--out FILE [--format csv|xlsx]]
        report ranking [--month M] [--by city|department|cluster] [--out FILE [--format csv|xlsx]]
        report bulletin [--month M] [--format markdown|html|json] [--out FILE]
        report summary [--year Y] [--milestone groups|province] [--format markdown|html|json] [--out FILE]

    A group submits its own report (--as city:140100); the month defaults to the
    current one. Tables print aligned for the terminal, as JSON with --json, or go to
    a spreadsheet with --out (CSV UTF-8 with BOM, or XLSX, by extension or --format),
    with Chinese headers (common/inv_sheet.h). Documents (bulletin, summary) go to
    stdout or to --out.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "inv_sheet.h"
#include "inv_table.h"
#include "report.pb-c.h"

#define REPORT "report"
#define NARRATIVE_FILE_MAX (1024 * 1024)

static const char *s_usage =
    "report submit [--month YYYY-MM] [--agency A] (--narrative TEXT | --narrative-file F) [--idempotency-key K]\n"
    "report get [--month M] [--agency A]\n"
    "report status [--month M] [--out FILE [--format csv|xlsx]]\n"
    "report assessment [--month M] [--by city|department|cluster] [--out FILE [--format csv|xlsx]]\n"
    "report ranking [--month M] [--by city|department|cluster] [--out FILE [--format csv|xlsx]]\n"
    "report bulletin [--month M] [--format markdown|html|json] [--out FILE]\n"
    "report summary [--year Y] [--milestone groups|province] [--format markdown|html|json] [--out FILE]\n";

static const char *
s_state_label (const char *state)
{
    return streq (state, "submitted")? "按时报送": streq (state, "late")? "逾期报送":
           streq (state, "missing")? "未报送": streq (state, "pending")? "未到期": state;
}

/* A table to the terminal, or to a spreadsheet when --out is given. */
static int
s_emit_table (const char *path, const char *format, const char *sheet_name,
              const inv_sheet_column_t *columns, size_t count, const char ***rows, size_t n_rows,
              const char *what)
{
    if (!path) {
        const char **headers = (const char **) calloc (count + 1, sizeof (char *));
        for (size_t i = 0; i < count; i++)
            headers [i] = columns [i].header;
        inv_table_t *table = inv_table_new (count, headers);
        for (size_t i = 0; i < count; i++)
            inv_table_set_right (table, i, columns [i].numeric);
        for (size_t r = 0; r < n_rows; r++)
            inv_table_add (table, rows [r]);
        inv_table_print (table, stdout);
        inv_table_destroy (&table);
        free (headers);
        return CTL_OK;
    }
    char err [256];
    inv_sheet_t *sheet = inv_sheet_new (path, format, sheet_name, columns, count, err, sizeof err);
    if (!sheet)
        return ctl_fail (CTL_REFUSED, "cannot write: %s", err);
    bool xlsx = inv_sheet_is_xlsx (sheet);
    for (size_t r = 0; r < n_rows; r++)
        inv_sheet_row (sheet, rows [r]);
    if (inv_sheet_close (&sheet, err, sizeof err))
        return ctl_fail (CTL_REFUSED, "%s: cannot write: %s", path, err);
    printf ("%s: %zu %s (%s)\n", path, n_rows, what, xlsx? "XLSX": "CSV, UTF-8");
    return CTL_OK;
}

/* rows [r][c] as an array of cell pointers into one block of strings */
typedef struct {
    size_t columns, count;
    char (*cells) [96];
    const char ***rows;
} grid_t;

static void
s_grid_new (grid_t *g, size_t rows, size_t columns)
{
    g->columns = columns;
    g->count = rows;
    g->cells = calloc (rows * columns + 1, 96);
    g->rows = (const char ***) calloc (rows + 1, sizeof (char **));
    for (size_t r = 0; r < rows; r++) {
        g->rows [r] = (const char **) calloc (columns, sizeof (char *));
        for (size_t c = 0; c < columns; c++)
            g->rows [r][c] = g->cells [r * columns + c];
    }
}

static char *
s_cell (grid_t *g, size_t r, size_t c)
{
    return g->cells [r * g->columns + c];
}

static void
s_grid_free (grid_t *g)
{
    for (size_t r = 0; r < g->count; r++)
        free (g->rows [r]);
    free (g->rows);
    free (g->cells);
}

/* ---- submit / get ------------------------------------------------------------------------ */

static char *
s_read_file (const char *path, char *err, size_t size)
{
    FILE *in = fopen (path, "rb");
    if (!in) {
        snprintf (err, size, "%s: %s", path, strerror (errno));
        return NULL;
    }
    char *text = (char *) calloc (1, NARRATIVE_FILE_MAX + 1);
    size_t n = fread (text, 1, NARRATIVE_FILE_MAX, in);
    fclose (in);
    text [n] = '\0';
    return text;
}

static void
s_print_report (ctl_t *ctl, const Innov__LedgerReport *r)
{
    if (ctl->cfg->json) {
        ctl_print_json (&r->base);
        return;
    }
    char first [32], last [32], due [32];
    ctl_kv_t *kv = ctl_kv_new ();
    ctl_kv_add (kv, "月份", "%s", r->month);
    ctl_kv_add (kv, "单位", "%s", r->agency);
    ctl_kv_add (kv, "报送情况", "%s%s", r->late? "逾期报送": "按时报送", r->amended_after_deadline? "（截止后修订）": "");
    ctl_kv_add (kv, "截止", "%s", ctl_time_text (r->due_ms, due, sizeof due));
    ctl_kv_add (kv, "首次报送", "%s", ctl_time_text (r->first_submitted_ms, first, sizeof first));
    ctl_kv_add (kv, "最近报送", "%s (第 %u 版, %s)", ctl_time_text (r->submitted_ms, last, sizeof last), r->revision, r->submitted_by);
    if (r->figures) {
        const Innov__LedgerFigures *f = r->figures;
        ctl_kv_add (kv, "企业数", "%llu", (unsigned long long) f->enterprises);
        ctl_kv_add (kv, "未开展/推进中/已开展/已销号", "%llu / %llu / %llu / %llu",
                    (unsigned long long) f->not_started, (unsigned long long) f->in_progress,
                    (unsigned long long) f->active, (unsigned long long) f->closed);
        for (size_t i = 0; i < f->n_extra; i++)
            ctl_kv_add (kv, *f->extra [i]->label? f->extra [i]->label: f->extra [i]->name, "%g", f->extra [i]->value);
    }
    ctl_kv_add (kv, "工作情况", "%s", r->narrative);
    ctl_kv_print (kv, stdout);
    ctl_kv_destroy (&kv);
}

static int
s_submit (ctl_t *ctl, int argc, char **argv)
{
    ctl_opt_t opts [] = { { "month", true }, { "agency", true }, { "narrative", true },
                          { "narrative-file", true }, { "idempotency-key", true }, { NULL } };
    int rc = ctl_parse ("report submit", argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    const char *text = ctl_opt (opts, "narrative"), *file = ctl_opt (opts, "narrative-file");
    if (!text == !file)
        return ctl_usage ("report submit", "give the narrative: --narrative TEXT or --narrative-file FILE");
    char *loaded = NULL, err [256];
    if (file && !(loaded = s_read_file (file, err, sizeof err)))
        return ctl_fail (CTL_REFUSED, "%s", err);
    char key [CTL_KEY_SIZE];
    Innov__SubmitReportRequest req = INNOV__SUBMIT_REPORT_REQUEST__INIT;
    req.month = (char *) ctl_opt_text (opts, "month");
    req.agency = (char *) ctl_opt_text (opts, "agency");
    req.narrative = loaded? loaded: (char *) text;
    req.idempotency_key = (char *) ctl_idempotency_key (opts, key);
    ProtobufCMessage *reply = NULL;
    rc = ctl_call (ctl, REPORT, "report.submit", &req.base, &innov__report_reply__descriptor, &reply);
    free (loaded);
    if (rc)
        return rc;
    const Innov__LedgerReport *r = ((Innov__ReportReply *) reply)->report;
    if (ctl->cfg->json)
        ctl_print_json (&r->base);
    else
        printf ("submitted ledger:%s:%s revision %u (%s%s)\n", r->month, r->agency, r->revision,
                r->late? "late": "on time", r->amended_after_deadline? ", amended after the deadline": "");
    protobuf_c_message_free_unpacked (reply, NULL);
    return CTL_OK;
}

static int
s_get (ctl_t *ctl, int argc, char **argv)
{
    ctl_opt_t opts [] = { { "month", true }, { "agency", true }, { NULL } };
    int rc = ctl_parse ("report get", argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    Innov__GetReportRequest req = INNOV__GET_REPORT_REQUEST__INIT;
    req.month = (char *) ctl_opt_text (opts, "month");
    req.agency = (char *) ctl_opt_text (opts, "agency");
    ProtobufCMessage *reply = NULL;
    if ((rc = ctl_call (ctl, REPORT, "report.get", &req.base, &innov__report_reply__descriptor, &reply)))
        return rc;
    s_print_report (ctl, ((Innov__ReportReply *) reply)->report);
    protobuf_c_message_free_unpacked (reply, NULL);
    return CTL_OK;
}

/* ---- status ------------------------------------------------------------------------------- */

static int
s_status (ctl_t *ctl, int argc, char **argv)
{
    ctl_opt_t opts [] = { { "month", true }, { "out", true }, { "format", true }, { NULL } };
    int rc = ctl_parse ("report status", argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    Innov__ReportStatusRequest req = INNOV__REPORT_STATUS_REQUEST__INIT;
    req.month = (char *) ctl_opt_text (opts, "month");
    ProtobufCMessage *reply = NULL;
    if ((rc = ctl_call (ctl, REPORT, "report.status", &req.base, &innov__report_status_reply__descriptor, &reply)))
        return rc;
    Innov__ReportStatusReply *st = (Innov__ReportStatusReply *) reply;
    if (ctl->cfg->json && !ctl_opt (opts, "out")) {
        ctl_print_json (reply);
        protobuf_c_message_free_unpacked (reply, NULL);
        return CTL_OK;
    }
    static const inv_sheet_column_t columns [] = {
        { "单位代码", 16, false }, { "单位", 14, false }, { "报送情况", 10, false },
        { "首次报送时间", 20, false }, { "修订次数", 8, true }, { "截止后修订", 10, false } };
    grid_t g;
    s_grid_new (&g, st->n_rows, 6);
    for (size_t i = 0; i < st->n_rows; i++) {
        const Innov__ReportStatusRow *r = st->rows [i];
        snprintf (s_cell (&g, i, 0), 96, "%s", r->agency);
        snprintf (s_cell (&g, i, 1), 96, "%s", r->name);
        snprintf (s_cell (&g, i, 2), 96, "%s", s_state_label (r->state));
        ctl_time_text (r->submitted_ms, s_cell (&g, i, 3), 96);
        if (r->revision)
            snprintf (s_cell (&g, i, 4), 96, "%u", r->revision);
        snprintf (s_cell (&g, i, 5), 96, "%s", r->amended_after_deadline? "是": "");
    }
    const char *out = ctl_opt (opts, "out");
    rc = s_emit_table (out, ctl_opt (opts, "format"), "月报报送情况", columns, 6, g.rows, g.count, "groups");
    if (!rc && !out) {
        char due [32];
        printf ("%s: due %s; on time %u, late %u, missing %u, not due yet %u\n", st->month,
                ctl_time_text (st->due_ms, due, sizeof due), st->submitted, st->late, st->missing, st->pending);
    }
    s_grid_free (&g);
    protobuf_c_message_free_unpacked (reply, NULL);
    return rc;
}

/* ---- assessment / ranking ----------------------------------------------------------------- */

static int
s_assessment (ctl_t *ctl, int argc, char **argv, bool ranking)
{
    const char *command = ranking? "report ranking": "report assessment";
    ctl_opt_t opts [] = { { "month", true }, { "by", true }, { "out", true }, { "format", true }, { NULL } };
    int rc = ctl_parse (command, argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    Innov__AssessmentRequest req = INNOV__ASSESSMENT_REQUEST__INIT;
    req.month = (char *) ctl_opt_text (opts, "month");
    req.by = (char *) ctl_opt_text (opts, "by");
    ProtobufCMessage *reply = NULL;
    if ((rc = ctl_call (ctl, REPORT, "report.assessment", &req.base, &innov__assessment_reply__descriptor, &reply)))
        return rc;
    Innov__AssessmentReply *a = (Innov__AssessmentReply *) reply;
    if (ctl->cfg->json && !ctl_opt (opts, "out")) {
        ctl_print_json (reply);
        protobuf_c_message_free_unpacked (reply, NULL);
        return CTL_OK;
    }
    static const inv_sheet_column_t full [] = {
        { "排名", 6, true }, { "单位代码", 22, false }, { "单位", 16, false }, { "企业数", 8, true },
        { "已开展+已销号", 12, true }, { "覆盖率(%)", 10, true }, { "环比(百分点)", 12, true },
        { "有研发机构占比(%)", 16, true }, { "有研发活动占比(%)", 16, true },
        { "研发投入强度(%)", 14, true }, { "联盟参与率(%)", 12, true }, { "产业联盟数", 10, true },
        { "综合得分", 10, true } };
    static const inv_sheet_column_t short_columns [] = {
        { "排名", 6, true }, { "单位", 16, false }, { "综合得分", 10, true }, { "覆盖率(%)", 10, true },
        { "环比(百分点)", 12, true } };
    size_t columns = ranking? 5: 13;
    grid_t g;
    s_grid_new (&g, a->n_rows, columns);
    for (size_t i = 0; i < a->n_rows; i++) {
        const Innov__AssessmentRow *r = a->rows [i];
        char change [32];
        if (r->has_previous)
            snprintf (change, sizeof change, "%.2f", r->coverage_change * 100);
        else
            snprintf (change, sizeof change, "—");
        if (ranking) {
            snprintf (s_cell (&g, i, 0), 96, "%u", r->rank);
            snprintf (s_cell (&g, i, 1), 96, "%s", r->name);
            snprintf (s_cell (&g, i, 2), 96, "%.2f", r->score);
            snprintf (s_cell (&g, i, 3), 96, "%.2f", r->coverage * 100);
            snprintf (s_cell (&g, i, 4), 96, "%s", change);
            continue;
        }
        snprintf (s_cell (&g, i, 0), 96, "%u", r->rank);
        snprintf (s_cell (&g, i, 1), 96, "%s", r->scope);
        snprintf (s_cell (&g, i, 2), 96, "%s", r->name);
        snprintf (s_cell (&g, i, 3), 96, "%llu", (unsigned long long) r->enterprises);
        snprintf (s_cell (&g, i, 4), 96, "%llu", (unsigned long long) r->innovating);
        snprintf (s_cell (&g, i, 5), 96, "%.2f", r->coverage * 100);
        snprintf (s_cell (&g, i, 6), 96, "%s", change);
        snprintf (s_cell (&g, i, 7), 96, "%.2f", r->rd_institution_share * 100);
        snprintf (s_cell (&g, i, 8), 96, "%.2f", r->rd_activity_share * 100);
        snprintf (s_cell (&g, i, 9), 96, "%.2f", r->rd_intensity * 100);
        snprintf (s_cell (&g, i, 10), 96, "%.2f", r->alliance_share * 100);
        snprintf (s_cell (&g, i, 11), 96, "%u", r->alliances);
        snprintf (s_cell (&g, i, 12), 96, "%.2f", r->score);
    }
    const char *out = ctl_opt (opts, "out");
    rc = s_emit_table (out, ctl_opt (opts, "format"), ranking? "考核排名": "覆盖率与考核",
                       ranking? short_columns: full, columns, g.rows, g.count, "rows");
    if (!rc && !out) {
        char as_of [32];
        printf ("%s by %s: figures as of %s%s\n", a->month, a->by, ctl_time_text (a->as_of_ms, as_of, sizeof as_of),
                a->provisional? " (provisional: no snapshot of the month)": "");
    }
    s_grid_free (&g);
    protobuf_c_message_free_unpacked (reply, NULL);
    return rc;
}

/* ---- documents ------------------------------------------------------------------------------ */

static int
s_document (ctl_t *ctl, const char *method, const ProtobufCMessage *req, const char *out)
{
    ProtobufCMessage *reply = NULL;
    int rc = ctl_call (ctl, REPORT, method, req, &innov__document_reply__descriptor, &reply);
    if (rc)
        return rc;
    const Innov__DocumentReply *d = (const Innov__DocumentReply *) reply;
    if (out) {
        FILE *file = fopen (out, "wb");
        if (!file || fputs (d->content, file) < 0 || fclose (file)) {
            rc = ctl_fail (CTL_REFUSED, "%s: cannot write: %s", out, strerror (errno));
            if (file)
                fclose (file);
        }
        else
            printf ("%s: %s (%s, %zu bytes, built in %.1f ms)\n", out, d->title, d->format,
                    strlen (d->content), d->generation_us / 1000.0);
    }
    else
        fputs (d->content, stdout);
    protobuf_c_message_free_unpacked (reply, NULL);
    return rc;
}

static int
s_bulletin (ctl_t *ctl, int argc, char **argv)
{
    ctl_opt_t opts [] = { { "month", true }, { "format", true }, { "out", true }, { NULL } };
    int rc = ctl_parse ("report bulletin", argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    Innov__BulletinRequest req = INNOV__BULLETIN_REQUEST__INIT;
    req.month = (char *) ctl_opt_text (opts, "month");
    req.format = (char *) ctl_opt_text (opts, "format");
    return s_document (ctl, "report.bulletin", &req.base, ctl_opt (opts, "out"));
}

static int
s_summary (ctl_t *ctl, int argc, char **argv)
{
    ctl_opt_t opts [] = { { "year", true }, { "milestone", true }, { "format", true }, { "out", true }, { NULL } };
    int rc = ctl_parse ("report summary", argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    Innov__SummaryRequest req = INNOV__SUMMARY_REQUEST__INIT;
    uint64_t year = 0;
    if (ctl_opt (opts, "year") && !ctl_parse_uint (ctl_opt (opts, "year"), 2100, &year))
        return ctl_usage ("report summary", "--year: \"%s\" is not a year", ctl_opt (opts, "year"));
    req.year = (int32_t) year;
    req.milestone = (char *) ctl_opt_text (opts, "milestone");
    req.format = (char *) ctl_opt_text (opts, "format");
    return s_document (ctl, "report.summary", &req.base, ctl_opt (opts, "out"));
}

int
cmd_report (ctl_t *ctl, int argc, char **argv)
{
    if (argc < 1 || streq (argv [0], "help")) {
        fputs (s_usage, argc < 1? stderr: stdout);
        return argc < 1? CTL_USAGE: CTL_OK;
    }
    const char *sub = argv [0];
    if (streq (sub, "submit"))     return s_submit (ctl, argc - 1, argv + 1);
    if (streq (sub, "get"))        return s_get (ctl, argc - 1, argv + 1);
    if (streq (sub, "status"))     return s_status (ctl, argc - 1, argv + 1);
    if (streq (sub, "assessment")) return s_assessment (ctl, argc - 1, argv + 1, false);
    if (streq (sub, "ranking"))    return s_assessment (ctl, argc - 1, argv + 1, true);
    if (streq (sub, "bulletin"))   return s_bulletin (ctl, argc - 1, argv + 1);
    if (streq (sub, "summary"))    return s_summary (ctl, argc - 1, argv + 1);
    fputs (s_usage, stderr);
    return ctl_usage ("report", "unknown sub-command \"%s\"", sub);
}
