/*  report_submit: report.submit, report.get and report.status.

    A city or department group submits the report of a dispatch month from the 1st of
    that month: its narrative, and the figures the service takes itself at that moment
    (report_live_figures: the registry's counters of the group, plus what pairing,
    catalogue and problems answer to figures.get). The first submission decides the
    report's standing: on time when it comes before the 5th 00:00 CST, late after.
    A later submission replaces narrative and figures (revision + 1) and keeps that
    standing; one made after the deadline is flagged amended_after_deadline. Each
    submission emits report.submitted with subject "ledger:<month>:<agency>", the id of
    notify's deadline, which notify clears (done or late by the event's time).

    Scope: a group submits and reads only its own report (403 otherwise); the province
    and services read every group's.
*/
#include <stdlib.h>
#include "report_internal.h"
#include "inv_clock.h"
#include "inv_log.h"

#define IDEM_KEY_MAX 128

typedef struct {
    uint32_t revision;
    int64_t first;
    bool late, amended;
    Innov__LedgerReport *report;        /* NULL when none */
} stored_t;

/* The stored report of agency for month; 0 (found or not), -1 Redis down. */
static int
s_read (report_t *self, const char *month, const char *agency, stored_t *out)
{
    memset (out, 0, sizeof *out);
    char key [REPORT_KEY_MAX];
    inv_key (key, sizeof key, self->province, REPORT_KEY_REPORT, month, agency);
    redisReply *r = inv_redis_command (self->redis, "HMGET %s revision first late amended body", key);
    if (!r)
        return -1;
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 5 && r->element [0]->type == REDIS_REPLY_STRING) {
        out->revision = (uint32_t) atol (r->element [0]->str);
        out->first = r->element [1]->type == REDIS_REPLY_STRING? atoll (r->element [1]->str): 0;
        out->late = r->element [2]->type == REDIS_REPLY_STRING && streq (r->element [2]->str, "1");
        out->amended = r->element [3]->type == REDIS_REPLY_STRING && streq (r->element [3]->str, "1");
        if (r->element [4]->type == REDIS_REPLY_STRING)
            out->report = innov__ledger_report__unpack (NULL, r->element [4]->len,
                                                        (const uint8_t *) r->element [4]->str);
    }
    freeReplyObject (r);
    return 0;
}

/* The agency a request names (the caller's own when empty) into agency; false after
   answering the call (400 not a group, 403 not the caller's). */
static bool
s_agency_arg (report_t *self, inv_call_t *call, const char *given, bool write, char *agency, size_t size)
{
    snprintf (agency, size, "%s", s_blank (given)? s_text (call->caller): given);
    if (!report_is_group (self->province, agency)) {
        if (s_blank (given))
            inv_call_error (call, 403, "%s is not a city or department group: name the report's agency", s_text (call->caller));
        else
            inv_call_field_error (call, "agency", "%.64s is not a city (city:<code>) or department (dept:<code>) group of province %s",
                                  agency, self->province);
        return false;
    }
    if (streq (agency, s_text (call->caller)) || (!write && report_reads_all (call)))
        return true;
    if (write)
        inv_call_error (call, 403, "%s may submit only its own report, not %s's", s_text (call->caller), agency);
    else
        inv_call_error (call, 403, "%s may read only its own report, not %s's", s_text (call->caller), agency);
    return false;
}

void
report_submit (void *ctx, inv_call_t *call)
{
    report_t *self = (report_t *) ctx;
    const Innov__SubmitReportRequest *req = (const Innov__SubmitReportRequest *) call->request;
    report_month_t m;
    char agency [64], month [16];
    if (!report_month_arg (call, "month", req->month, &m))
        return;
    if (!s_agency_arg (self, call, req->agency, true, agency, sizeof agency))
        return;
    report_month_text (m, month, sizeof month);
    int64_t now = inv_clock_now_ms ();
    if (now < report_month_start (m))
        inv_call_field_error (call, "month", "%s has not begun: a month's report is submitted from its 1st", month);
    if (s_blank (req->narrative))
        inv_call_field_error (call, "narrative", "is required: the group's account of the month");
    else
        report_check_text (call, "narrative", req->narrative, REPORT_NARRATIVE_MAX);
    if (strlen (s_text (req->idempotency_key)) > IDEM_KEY_MAX)
        inv_call_field_error (call, "idempotency_key", "is longer than %d bytes", IDEM_KEY_MAX);
    if (inv_call_failed (call))
        return;

    int code;
    Innov__LedgerFigures *figures = report_live_figures (self, agency, &code);
    if (!figures) {
        inv_call_error (call, code == 503? 503: 502, "the ledger figures of %s could not be read (registry: %d)", agency, code);
        return;
    }
    int64_t due = report_month_due (m);
    char key [REPORT_KEY_MAX], subject [128];
    inv_key (key, sizeof key, self->province, REPORT_KEY_REPORT, month, agency);
    snprintf (subject, sizeof subject, "ledger:%s:%s", month, agency);
    const char *keys [] = { key };
    inv_store_result_t result = { 0 };
    for (int attempt = 0; attempt < REPORT_SUBMIT_ATTEMPTS; attempt++) {
        stored_t old;
        if (s_read (self, month, agency, &old)) {
            inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
            break;
        }
        Innov__LedgerReport report = INNOV__LEDGER_REPORT__INIT;
        report.month = month;
        report.agency = agency;
        report.narrative = req->narrative;
        report.figures = figures;
        report.revision = old.revision + 1;
        report.first_submitted_ms = old.revision? old.first: now;
        report.submitted_ms = now;
        report.late = old.revision? old.late: now >= due;
        report.amended_after_deadline = old.amended || (old.revision && now >= due);
        report.submitted_by = (char *) s_text (call->caller);
        report.due_ms = due;
        if (old.report)
            innov__ledger_report__free_unpacked (old.report, NULL);
        size_t body_len;
        uint8_t *body = inv_rpc_pack (&report.base, &body_len);
        char read [16], revision [16], first [24];
        snprintf (read, sizeof read, "%u", old.revision);
        snprintf (revision, sizeof revision, "%u", report.revision);
        snprintf (first, sizeof first, "%lld", (long long) report.first_submitted_ms);
        bool city = strncmp (agency, "city:", 5) == 0;
        const char *args [] = { month, agency, (const char *) body, read, revision, first,
                                report.late? "1": "0", report.amended_after_deadline? "1": "0", subject,
                                city? agency + 5: "", city? "": agency + 5 };
        size_t lens [11];
        for (int i = 0; i < 11; i++)
            lens [i] = i == 2? body_len: strlen (args [i]);
        inv_store_result_clear (&result);
        inv_store_write (self->redis, &self->submit_script, self->province, call->caller,
                         req->idempotency_key, 1, keys, NULL, 11, args, lens, &result);
        free (body);
        if (!(result.code == 409 && streq (result.reason, "stale")))
            break;
    }
    innov__ledger_figures__free_unpacked (figures, NULL);
    if (inv_call_failed (call)) {
        inv_store_result_clear (&result);
        return;
    }
    if (result.code != 200) {
        inv_call_error (call, result.code, "%s", result.message);
        inv_store_result_clear (&result);
        return;
    }
    Innov__LedgerReport *stored = innov__ledger_report__unpack (NULL, result.body_len, (const uint8_t *) result.body);
    if (!stored)
        inv_call_error (call, 500, "stored report does not decode");
    else {
        inv_info ("report %s submitted by %s (revision %u, %s%s)", subject, call->caller, stored->revision,
                  stored->late? "late": "on time", stored->amended_after_deadline? ", amended after the deadline": "");
        Innov__ReportReply reply = INNOV__REPORT_REPLY__INIT;
        reply.report = stored;
        inv_caller_reply_copy (call, &reply.base);
        innov__ledger_report__free_unpacked (stored, NULL);
    }
    inv_store_result_clear (&result);
}

void
report_get (void *ctx, inv_call_t *call)
{
    report_t *self = (report_t *) ctx;
    const Innov__GetReportRequest *req = (const Innov__GetReportRequest *) call->request;
    report_month_t m;
    char agency [64], month [16];
    if (!report_may_read (call) || !report_month_arg (call, "month", req->month, &m)
    ||  !s_agency_arg (self, call, req->agency, false, agency, sizeof agency))
        return;
    report_month_text (m, month, sizeof month);
    stored_t old;
    if (s_read (self, month, agency, &old)) {
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
        return;
    }
    if (!old.report) {
        inv_call_error (call, 404, "%s has no report for %s", agency, month);
        return;
    }
    Innov__ReportReply reply = INNOV__REPORT_REPLY__INIT;
    reply.report = old.report;
    inv_caller_reply_copy (call, &reply.base);
    innov__ledger_report__free_unpacked (old.report, NULL);
}

Innov__ReportStatusReply *
report_status_of (report_t *self, report_month_t m, int64_t now)
{
    char groups [REPORT_GROUPS_MAX][32], month [16], key [REPORT_KEY_MAX];
    size_t n = report_groups (self->province, groups, REPORT_GROUPS_MAX);
    report_month_text (m, month, sizeof month);
    size_t appended = 0;
    for (size_t i = 0; i < n; i++) {
        inv_key (key, sizeof key, self->province, REPORT_KEY_REPORT, month, groups [i]);
        const char *argv [] = { "HMGET", key, "first", "late", "revision", "amended" };
        if (inv_redis_append_argv (self->redis, 6, argv, NULL))
            break;
        appended++;
    }
    redisReply **replies = (redisReply **) calloc (n + 1, sizeof (redisReply *));
    bool down = appended < n;
    for (size_t i = 0; i < appended; i++)
        if (!(replies [i] = inv_redis_get_reply (self->redis)))
            down = true;
    Innov__ReportStatusReply *status = NULL;
    if (!down) {
        int64_t due = report_month_due (m);
        status = (Innov__ReportStatusReply *) zmalloc (sizeof *status);
        innov__report_status_reply__init (status);
        status->month = strdup (month);
        status->due_ms = due;
        status->rows = (Innov__ReportStatusRow **) calloc (n + 1, sizeof (Innov__ReportStatusRow *));
        for (size_t i = 0; i < n; i++) {
            Innov__ReportStatusRow *row = (Innov__ReportStatusRow *) zmalloc (sizeof *row);
            innov__report_status_row__init (row);
            row->agency = strdup (groups [i]);
            row->name = strdup (report_scope_name (groups [i]));
            redisReply *r = replies [i];
            bool found = r->type == REDIS_REPLY_ARRAY && r->elements == 4
                      && r->element [0]->type == REDIS_REPLY_STRING;
            const char *state;
            if (found) {
                row->submitted_ms = atoll (r->element [0]->str);
                bool late = r->element [1]->type == REDIS_REPLY_STRING && streq (r->element [1]->str, "1");
                row->revision = r->element [2]->type == REDIS_REPLY_STRING? (uint32_t) atol (r->element [2]->str): 1;
                row->amended_after_deadline = r->element [3]->type == REDIS_REPLY_STRING && streq (r->element [3]->str, "1");
                state = late? "late": "submitted";
                if (late) status->late++; else status->submitted++;
            }
            else
            if (now >= due) {
                state = "missing";
                status->missing++;
            }
            else {
                state = "pending";
                status->pending++;
            }
            row->state = strdup (state);
            status->rows [status->n_rows++] = row;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (replies [i])
            freeReplyObject (replies [i]);
    free (replies);
    return status;
}

void
report_status (void *ctx, inv_call_t *call)
{
    report_t *self = (report_t *) ctx;
    const Innov__ReportStatusRequest *req = (const Innov__ReportStatusRequest *) call->request;
    report_month_t m;
    if (!report_may_read (call) || !report_month_arg (call, "month", req->month, &m))
        return;
    bool all = report_reads_all (call);
    if (!all && !report_is_group (self->province, s_text (call->caller))) {
        inv_call_error (call, 403, "%s may not read the reporting status: the province and the "
                        "city and department groups may", s_text (call->caller));
        return;
    }
    Innov__ReportStatusReply *status = report_status_of (self, m, inv_clock_now_ms ());
    if (!status) {
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
        return;
    }
    if (!all) {
        /* a group sees its own row only (the counts stay the province's) */
        size_t kept = 0;
        for (size_t i = 0; i < status->n_rows; i++)
            if (streq (status->rows [i]->agency, call->caller))
                status->rows [kept++] = status->rows [i];
            else
                innov__report_status_row__free_unpacked (status->rows [i], NULL);
        status->n_rows = kept;
    }
    inv_call_reply (call, &status->base, NULL);
}
