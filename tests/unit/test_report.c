/*  test_report: the report service's handlers called directly, without sockets, on a
    Redis of their own. The registry runs in the same process (registry_fixture) and the
    report service reaches it through an in-process dispatcher in place of the broker;
    the dispatcher also plays a "pairing" service that answers figures.get and a
    "catalogue" that is not running.

    Covered: months and due dates; the registry's assessment counters (rdi, rda, ali,
    rev, rde) through adds, updates and an import-like upsert, read back by a snapshot;
    figures.get folded in (and a missing service contributing nothing); submission
    (scope 403, bad fields 400 with nothing written, on time, resubmission, late,
    amended after the deadline, the report.submitted event and its subject); the status
    of a month; enterprise.closed filed once per month however often delivered; the
    snapshot stored once; assessment definitions and ranking; escaping in documents.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <czmq.h>
#include "registry_fixture.h"
#include "unit_call.h"
#include "../../services/registry/registry.h"
#include "../../services/report/report_internal.h"
#include "../../services/report/report_doc.h"
#include "inv_clock.h"
#include "inv_event.h"
#include "inv_valid.h"
#include "inv_sheet.h"
#include "registry.pb-c.h"
#include "report.pb-c.h"
#include "figures.pb-c.h"

static registry_fixture_t F;
static report_t *R;

/* ---- the in-process "broker" ------------------------------------------------------------ */

static int
s_dispatch (void *arg, const char *service, const char *method, const ProtobufCMessage *request,
            const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **reply_p, int timeout_ms)
{
    (void) arg;
    (void) timeout_ms;
    if (streq (service, "pairing") && streq (method, "figures.get")) {
        Innov__Figure fig = INNOV__FIGURE__INIT;
        fig.name = (char *) "pairings.active";
        fig.label = (char *) "结对帮扶";
        fig.value = 7;
        Innov__Figure *figs [] = { &fig };
        Innov__FigureRow row = INNOV__FIGURE_ROW__INIT;
        row.scope = (char *) "city:140100";
        row.figures = figs;
        row.n_figures = 1;
        Innov__FigureRow *rows [] = { &row };
        Innov__FiguresReply reply = INNOV__FIGURES_REPLY__INIT;
        reply.service = (char *) "pairing";
        reply.rows = rows;
        reply.n_rows = 1;
        size_t size;
        uint8_t *packed = inv_rpc_pack (&reply.base, &size);
        *reply_p = protobuf_c_message_unpack (reply_desc, NULL, size, packed);
        free (packed);
        return 200;
    }
    if (!streq (service, "registry"))
        return 503;                     /* not running */
    zmsg_t *body = inv_rpc_request_msg ("service:report", method, request);
    zmsg_t *answer = inv_rpc_dispatch (registry_methods, F.registry, &body);
    zframe_t *status_frame = zmsg_first (answer);
    Innov__Status *status = innov__status__unpack (NULL, zframe_size (status_frame), zframe_data (status_frame));
    int code = status? status->code: 502;
    if (status)
        innov__status__free_unpacked (status, NULL);
    if (code == 200) {
        zframe_t *reply = zmsg_next (answer);
        *reply_p = protobuf_c_message_unpack (reply_desc, NULL, zframe_size (reply), zframe_data (reply));
    }
    zmsg_destroy (&answer);
    return code;
}

static int
group_setup (void **state)
{
    (void) state;
    setenv ("REPORT_FIGURES_SERVICES", "pairing,catalogue", 1);
    if (registry_fixture_setup (&F) || !(R = report_new (&F.config)))
        return -1;
    report_set_call (R, s_dispatch, NULL);
    return 0;
}

static int
group_teardown (void **state)
{
    (void) state;
    report_destroy (&R);
    registry_fixture_teardown (&F);
    inv_clock_reset ();
    return 0;
}

static int
test_setup (void **state)
{
    (void) state;
    return registry_fixture_flush (&F);
}

/* ---- helpers ---------------------------------------------------------------------------- */

/* Run a handler as caller; returns the code, the reply in *reply_p (owned by the caller
   through inv_call_clear: copy what is needed before). */
static int
s_call (inv_handler_fn *handler, void *ctx, const char *caller, const ProtobufCMessage *request,
        inv_call_t *call)
{
    return unit_call (call, ctx, handler, caller, "test", request);
}

static void
s_add (int n, const char *county, const char *dept, const char *cluster, int status,
       double revenue, double rde, bool rdi, bool rda)
{
    char code [20];
    registry_fixture_code (n, code);
    Innov__Enterprise e = INNOV__ENTERPRISE__INIT;
    e.credit_code = code;
    e.name = (char *) "单元测试企业";
    e.county = (char *) county;
    e.industry = (char *) "3311";
    e.department = (char *) dept;
    e.cluster = (char *) cluster;
    e.status = (Innov__InnovationStatus) status;
    e.operating_revenue = revenue;
    e.rd_expenditure = rde;
    e.has_rd_institution = rdi;
    e.has_rd_activity = rda;
    Innov__AddEnterpriseRequest req = INNOV__ADD_ENTERPRISE_REQUEST__INIT;
    req.enterprise = &e;
    inv_call_t call;
    assert_int_equal (s_call (registry_methods [0].handler, F.registry, "province", &req.base, &call), 200);
    inv_call_clear (&call);
}

static void
s_update_revenue (int n, double revenue, bool rda)
{
    char code [20];
    registry_fixture_code (n, code);
    Innov__Enterprise e = INNOV__ENTERPRISE__INIT;
    e.credit_code = code;
    e.operating_revenue = revenue;
    e.has_rd_activity = rda;
    char *fields [] = { "operating_revenue", "has_rd_activity" };
    Innov__UpdateEnterpriseRequest req = INNOV__UPDATE_ENTERPRISE_REQUEST__INIT;
    req.enterprise = &e;
    req.fields = fields;
    req.n_fields = 2;
    inv_call_t call;
    assert_int_equal (s_call (registry_methods [2].handler, F.registry, "province", &req.base, &call), 200);
    inv_call_clear (&call);
}

static int
s_submit (const char *caller, const char *agency, const char *month, const char *narrative,
          Innov__LedgerReport **out)
{
    Innov__SubmitReportRequest req = INNOV__SUBMIT_REPORT_REQUEST__INIT;
    req.month = (char *) month;
    req.agency = (char *) agency;
    req.narrative = (char *) narrative;
    inv_call_t call;
    int code = s_call (report_submit, R, caller, &req.base, &call);
    if (out && code == 200) {
        Innov__ReportReply *reply = (Innov__ReportReply *) call.reply;
        *out = reply->report;
        reply->report = NULL;
    }
    inv_call_clear (&call);
    return code;
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void
test_months (void **state)
{
    (void) state;
    report_month_t m;
    assert_true (report_month_parse ("2026-03", &m));
    assert_int_equal (m.year, 2026);
    assert_int_equal (m.month, 3);
    assert_false (report_month_parse ("2026-3", &m));
    assert_false (report_month_parse ("2026-13", &m));
    assert_false (report_month_parse ("2026/03", &m));
    report_month_t jan = { 2026, 1 };
    report_month_t dec = report_month_add (jan, -1);
    assert_int_equal (dec.year, 2025);
    assert_int_equal (dec.month, 12);
    char text [16];
    assert_string_equal (report_month_text (report_month_add (dec, 14), text, sizeof text), "2027-02");
    assert_int_equal (report_month_due (m), inv_clock_parse ("2026-03-05T00:00:00"));
    assert_int_equal (report_month_start (m), inv_clock_parse ("2026-03-01T00:00:00"));
    char groups [64][32];
    size_t n = report_groups ("14", groups, 64);
    size_t departments;
    inv_department_all (&departments);
    assert_int_equal (n, 11 + departments);
    assert_string_equal (groups [0], "city:140100");
    assert_true (report_is_group ("14", "dept:gxt"));
    assert_false (report_is_group ("14", "county:140105"));
    assert_false (report_is_group ("14", "city:140105"));
    assert_string_equal (report_scope_name ("city:140100"), "太原市");
}

static void
test_counters_and_snapshot (void **state)
{
    (void) state;
    inv_clock_freeze (inv_clock_parse ("2026-03-01T00:00:10"));
    s_add (1, "140105", "gxt", "semiconductor", 3, 1000.25, 20.5, true, true);
    s_add (2, "140106", "gxt", "", 1, 500, 0, false, false);
    s_add (3, "140212", "kjt", "semiconductor", 4, 300.1, 9.99, true, false);
    s_update_revenue (2, 800.75, true);        /* the sums move by the difference */
    int code;
    Innov__MonthSnapshot *s = report_live_snapshot (R, "2026-03", inv_clock_now_ms (), &code);
    assert_int_equal (code, 200);
    assert_non_null (s);
    const Innov__LedgerFigures *p = report_snapshot_row (s, "province");
    assert_int_equal (p->enterprises, 3);
    assert_int_equal (p->active, 1);
    assert_int_equal (p->closed, 1);
    assert_int_equal (p->not_started, 1);
    assert_int_equal (p->rd_institution, 2);
    assert_int_equal (p->rd_activity, 2);
    assert_true (fabs (p->operating_revenue - (1000.25 + 800.75 + 300.1)) < 1e-9);
    assert_true (fabs (p->rd_expenditure - (20.5 + 9.99)) < 1e-9);
    const Innov__LedgerFigures *ty = report_snapshot_row (s, "city:140100");
    assert_int_equal (ty->enterprises, 2);
    assert_true (fabs (ty->operating_revenue - 1801.0) < 1e-9);
    assert_int_equal (ty->n_extra, 1);                  /* pairing answered, catalogue did not */
    assert_string_equal (ty->extra [0]->name, "pairings.active");
    assert_int_equal (ty->n_sources, 1);
    assert_string_equal (ty->sources [0], "pairing");
    const Innov__LedgerFigures *gxt = report_snapshot_row (s, "dept:gxt");
    assert_int_equal (gxt->enterprises, 2);
    assert_int_equal (gxt->rd_activity, 2);
    const Innov__LedgerFigures *semi = report_snapshot_row (s, "cluster:semiconductor");
    assert_int_equal (semi->enterprises, 2);
    assert_int_equal (semi->rd_institution, 2);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:ent.cnt:city:140100 rev"), 180100);

    /* stored once: a second snapshot of the month changes nothing */
    assert_int_equal (report_store_snapshot (R, s), 200);
    s->rows [0]->enterprises = 99;
    assert_int_equal (report_store_snapshot (R, s), 200);
    innov__month_snapshot__free_unpacked (s, NULL);
    s = report_stored_snapshot (R, "2026-03", &code);
    assert_int_equal (report_snapshot_row (s, "province")->enterprises, 3);
    innov__month_snapshot__free_unpacked (s, NULL);
    assert_int_equal (registry_fixture_integer (&F, "XLEN {14}:events") > 0, 1);

    /* a month long over without a snapshot: today's figures, provisional, not stored */
    bool provisional;
    report_month_t jan = { 2026, 1 };
    s = report_month_snapshot (R, jan, inv_clock_now_ms (), &provisional, &code);
    assert_non_null (s);
    assert_true (provisional);
    innov__month_snapshot__free_unpacked (s, NULL);
    assert_int_equal (registry_fixture_integer (&F, "EXISTS {14}:report.snap:2026-01"), 0);
}

static void
test_submit (void **state)
{
    (void) state;
    s_add (1, "140105", "gxt", "", 3, 100, 1, true, true);
    inv_clock_freeze (inv_clock_parse ("2026-03-02T10:00:00"));
    /* refusals write nothing */
    assert_int_equal (s_submit ("city:140200", "city:140100", "2026-03", "代报", NULL), 403);
    assert_int_equal (s_submit ("province", "", "2026-03", "省", NULL), 403);
    assert_int_equal (s_submit ("anonymous", "city:140100", "2026-03", "匿名", NULL), 403);
    assert_int_equal (s_submit ("city:140100", "", "2026-04", "未开始", NULL), 400);
    assert_int_equal (s_submit ("city:140100", "", "03/2026", "坏", NULL), 400);
    assert_int_equal (s_submit ("city:140100", "", "2026-03", "", NULL), 400);
    assert_int_equal (s_submit ("city:140100", "dept:nosuch", "2026-03", "x", NULL), 400);
    assert_int_equal (registry_fixture_integer (&F, "EXISTS {14}:report:2026-03:city:140100"), 0);
    long long events = registry_fixture_integer (&F, "XLEN {14}:events");

    Innov__LedgerReport *r = NULL;
    assert_int_equal (s_submit ("city:140100", "", "2026-03", "走访企业 12 家。", &r), 200);
    assert_int_equal (r->revision, 1);
    assert_false (r->late);
    assert_int_equal (r->figures->enterprises, 1);
    assert_int_equal (r->figures->active, 1);
    assert_int_equal (r->first_submitted_ms, inv_clock_parse ("2026-03-02T10:00:00"));
    innov__ledger_report__free_unpacked (r, NULL);
    assert_int_equal (registry_fixture_integer (&F, "XLEN {14}:events"), events + 1);
    redisReply *last = inv_redis_command (F.redis, "XREVRANGE {14}:events + - COUNT 1");
    Innov__Event *event = inv_event_from_entry (last->element [0], "14");
    assert_non_null (event);
    assert_string_equal (event->type, "report.submitted");
    assert_string_equal (event->subject, "ledger:2026-03:city:140100");
    assert_string_equal (event->actor, "city:140100");
    assert_string_equal (event->city, "140100");
    innov__event__free_unpacked (event, NULL);
    freeReplyObject (last);

    /* before the deadline a resubmission replaces and stays on time */
    inv_clock_freeze (inv_clock_parse ("2026-03-04T23:00:00"));
    assert_int_equal (s_submit ("city:140100", "city:140100", "2026-03", "更正。", &r), 200);
    assert_int_equal (r->revision, 2);
    assert_false (r->late || r->amended_after_deadline);
    assert_string_equal (r->narrative, "更正。");
    innov__ledger_report__free_unpacked (r, NULL);
    /* after it: a first submission is late; an amendment keeps on time but is flagged */
    inv_clock_freeze (inv_clock_parse ("2026-03-05T00:00:00"));
    assert_int_equal (s_submit ("dept:gxt", "", "2026-03", "部门月报。", &r), 200);
    assert_true (r->late);
    innov__ledger_report__free_unpacked (r, NULL);
    assert_int_equal (s_submit ("city:140100", "", "2026-03", "截止后再更正。", &r), 200);
    assert_false (r->late);
    assert_true (r->amended_after_deadline);
    assert_int_equal (r->revision, 3);
    innov__ledger_report__free_unpacked (r, NULL);

    /* status: on time, late, missing; a group sees its own row */
    report_month_t march = { 2026, 3 }, april = { 2026, 4 };
    Innov__ReportStatusReply *st = report_status_of (R, march, inv_clock_now_ms ());
    assert_non_null (st);
    assert_int_equal (st->submitted, 1);
    assert_int_equal (st->late, 1);
    assert_int_equal (st->missing, st->n_rows - 2);
    assert_string_equal (st->rows [0]->agency, "city:140100");
    assert_string_equal (st->rows [0]->state, "submitted");
    assert_true (st->rows [0]->amended_after_deadline);
    innov__report_status_reply__free_unpacked (st, NULL);
    st = report_status_of (R, april, inv_clock_now_ms ());
    assert_int_equal (st->pending, st->n_rows);
    innov__report_status_reply__free_unpacked (st, NULL);
    Innov__ReportStatusRequest sreq = INNOV__REPORT_STATUS_REQUEST__INIT;
    sreq.month = (char *) "2026-03";
    inv_call_t call;
    assert_int_equal (s_call (report_status, R, "dept:gxt", &sreq.base, &call), 200);
    assert_int_equal (((Innov__ReportStatusReply *) call.reply)->n_rows, 1);
    assert_string_equal (((Innov__ReportStatusReply *) call.reply)->rows [0]->state, "late");
    inv_call_clear (&call);
    assert_int_equal (s_call (report_status, R, "county:140105", &sreq.base, &call), 403);
    inv_call_clear (&call);
    Innov__GetReportRequest get = INNOV__GET_REPORT_REQUEST__INIT;
    get.month = (char *) "2026-03";
    get.agency = (char *) "city:140100";
    assert_int_equal (s_call (report_get, R, "dept:gxt", &get.base, &call), 403);
    inv_call_clear (&call);
    assert_int_equal (s_call (report_get, R, "province", &get.base, &call), 200);
    assert_string_equal (((Innov__ReportReply *) call.reply)->report->narrative, "截止后再更正。");
    inv_call_clear (&call);
}

static void
test_closed_filed_once (void **state)
{
    (void) state;
    Innov__StatusChange change = INNOV__STATUS_CHANGE__INIT;
    change.credit_code = (char *) "91140100000007001X";
    change.action = (char *) "close_approve";
    change.from = INNOV__INNOVATION_STATUS__ACTIVE;
    change.to = INNOV__INNOVATION_STATUS__CLOSED;
    change.actor = (char *) "province";
    change.time_ms = inv_clock_parse ("2026-03-31T23:59:59");
    size_t size;
    uint8_t *payload = inv_rpc_pack (&change.base, &size);
    Innov__Event event = INNOV__EVENT__INIT;
    event.type = (char *) "enterprise.closed";
    event.subject = change.credit_code;
    event.city = (char *) "140100";
    event.county = (char *) "140105";
    event.department = (char *) "gxt";
    event.time_ms = change.time_ms;
    event.payload.data = payload;
    event.payload.len = size;
    assert_int_equal (report_handle_event (R, &event), 0);
    assert_int_equal (report_handle_event (R, &event), 0);     /* delivered again */
    free (payload);
    assert_int_equal (registry_fixture_integer (&F, "ZCARD {14}:report.closed:2026-03"), 1);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:report.closed.cnt:2026-03 province"), 1);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:report.closed.cnt:2026-03 city:140100"), 1);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:report.closed.cnt:2026-03 dept:gxt"), 1);
    zhash_t *counts = NULL;
    Innov__ClosedEnterprise **list = NULL;
    size_t n = 0;
    report_month_t march = { 2026, 3 };
    assert_int_equal (report_closed_of (R, march, &counts, &list, &n, 10), 0);
    assert_int_equal (n, 1);
    assert_string_equal (list [0]->credit_code, "91140100000007001X");
    assert_int_equal ((uintptr_t) zhash_lookup (counts, "province"), 1);
    innov__closed_enterprise__free_unpacked (list [0], NULL);
    free (list);
    zhash_destroy (&counts);
    /* other events are ignored */
    event.type = (char *) "enterprise.updated";
    assert_int_equal (report_handle_event (R, &event), 0);
}

static void
test_tick_takes_snapshot_at_month_start (void **state)
{
    (void) state;
    s_add (1, "140105", "gxt", "", 2, 100, 1, false, true);
    assert_int_equal (report_tick (R, inv_clock_parse ("2026-06-10T00:00:00")), 0);
    assert_int_equal (registry_fixture_integer (&F, "EXISTS {14}:report.snap:2026-06"), 0);
    long long events = registry_fixture_integer (&F, "XLEN {14}:events");
    assert_int_equal (report_tick (R, inv_clock_parse ("2026-07-01T00:00:01")), 0);
    assert_int_equal (registry_fixture_integer (&F, "EXISTS {14}:report.snap:2026-07"), 1);
    assert_int_equal (report_tick (R, inv_clock_parse ("2026-07-01T00:00:02")), 0);
    /* one report.snapshot_taken (the agencies may have been seeded on the way) */
    redisReply *last = inv_redis_command (F.redis, "XREVRANGE {14}:events + - COUNT 1");
    Innov__Event *event = inv_event_from_entry (last->element [0], "14");
    assert_string_equal (event->type, "report.snapshot_taken");
    assert_string_equal (event->subject, "2026-07");
    innov__event__free_unpacked (event, NULL);
    freeReplyObject (last);
    assert_true (registry_fixture_integer (&F, "XLEN {14}:events") >= events + 1);
}

static void
test_assessment_definitions (void **state)
{
    (void) state;
    Innov__LedgerFigures f = INNOV__LEDGER_FIGURES__INIT, before = INNOV__LEDGER_FIGURES__INIT;
    f.enterprises = 10;
    f.active = 3;
    f.closed = 2;
    f.rd_institution = 4;
    f.rd_activity = 6;
    f.alliance_members = 1;
    f.operating_revenue = 2000;
    f.rd_expenditure = 30;
    before.enterprises = 8;
    before.active = 2;
    Innov__AssessmentRow row = INNOV__ASSESSMENT_ROW__INIT;
    report_assess_row (&row, &f, &before);
    assert_int_equal (row.innovating, 5);
    assert_true (fabs (row.coverage - 0.5) < 1e-12);
    assert_true (fabs (row.rd_institution_share - 0.4) < 1e-12);
    assert_true (fabs (row.rd_activity_share - 0.6) < 1e-12);
    assert_true (fabs (row.rd_intensity - 0.015) < 1e-12);
    assert_true (fabs (row.alliance_share - 0.1) < 1e-12);
    assert_true (row.has_previous);
    assert_true (fabs (row.coverage_change - 0.25) < 1e-12);
    assert_int_equal (row.innovating_change, 3);
    /* 40*0.5 + 20*0.6 + 20*0.4 + 10*(0.015/0.02) + 10*0.1 */
    assert_true (fabs (row.score - (20 + 12 + 8 + 7.5 + 1)) < 1e-9);
    Innov__AssessmentRow empty = INNOV__ASSESSMENT_ROW__INIT;
    Innov__LedgerFigures none = INNOV__LEDGER_FIGURES__INIT;
    report_assess_row (&empty, &none, NULL);
    assert_true (empty.coverage == 0 && empty.rd_intensity == 0 && !empty.has_previous);

    /* ranking: by score, ties by scope */
    Innov__LedgerFigures a = f, b = none, c = none;
    a.scope = (char *) "city:140200";
    b.scope = (char *) "city:140300";
    c.scope = (char *) "city:140100";
    Innov__LedgerFigures *rows [] = { &a, &b, &c };
    Innov__MonthSnapshot s = INNOV__MONTH_SNAPSHOT__INIT;
    s.rows = rows;
    s.n_rows = 3;
    report_rows_t ranked;
    report_assess (&s, NULL, "city:", &ranked);
    assert_int_equal (ranked.count, 3);
    assert_string_equal (ranked.rows [0]->scope, "city:140200");
    assert_string_equal (ranked.rows [1]->scope, "city:140100");
    assert_string_equal (ranked.rows [2]->scope, "city:140300");
    assert_int_equal (ranked.rows [2]->rank, 3);
    assert_string_equal (ranked.rows [0]->name, "大同市");
    report_rows_free (&ranked);
}

static void
test_documents_escape (void **state)
{
    (void) state;
    report_doc_t *doc = report_doc_new ("通报 <b>", "a & b");
    report_doc_para (doc, "%s", "<script>alert(1)</script>");
    const char *headers [] = { "单位", "值" };
    report_doc_table (doc, 2, headers, "01");
    const char *cells [] = { "A|B", "1" };
    report_doc_row (doc, cells);
    const char *labels [] = { "太原市" };
    double values [] = { 41.5 };
    report_doc_bars (doc, "bars", "覆盖率", 1, labels, values);
    report_doc_line (doc, "line", "趋势", 1, labels, values);
    char *html = report_doc_html (doc);
    char *md = report_doc_markdown (doc);
    assert_null (strstr (html, "<script>alert"));
    assert_non_null (strstr (html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null (strstr (html, "<title>通报 &lt;b&gt;</title>"));
    assert_non_null (strstr (html, "<svg id=\"bars\""));
    assert_non_null (strstr (html, "41.5%"));
    assert_non_null (strstr (md, "| A\\|B | 1 |"));
    assert_non_null (strstr (md, "# 通报 <b>"));
    free (html);
    free (md);
    report_doc_destroy (&doc);
}

static void
test_sheets (void **state)
{
    (void) state;
    static const inv_sheet_column_t columns [] = { { "单位", 10, false }, { "覆盖率(%)", 8, true } };
    const char *row [] = { "太原市", "41.50" };
    char path [256], err [256];
    for (int xlsx = 0; xlsx < 2; xlsx++) {
        snprintf (path, sizeof path, "%s/t.%s", harness_dir (F.harness), xlsx? "xlsx": "csv");
        inv_sheet_t *sheet = inv_sheet_new (path, NULL, "考核", columns, 2, err, sizeof err);
        assert_non_null (sheet);
        assert_int_equal (inv_sheet_is_xlsx (sheet), xlsx);
        inv_sheet_row (sheet, row);
        assert_int_equal (inv_sheet_close (&sheet, err, sizeof err), 0);
        FILE *f = fopen (path, "rb");
        assert_non_null (f);
        char head [64] = { 0 };
        size_t n = fread (head, 1, sizeof head - 1, f);
        fclose (f);
        if (xlsx)
            assert_memory_equal (head, "PK", 2);
        else {
            assert_true (n > 3);
            assert_string_equal (head, "\xEF\xBB\xBF单位,覆盖率(%)\r\n太原市,41.50\r\n");
        }
    }
    assert_null (inv_sheet_new ("/nonexistent/dir/t.csv", NULL, "x", columns, 2, err, sizeof err));
    assert_null (inv_sheet_new ("t.ods", "ods", "x", columns, 2, err, sizeof err));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_months),
        cmocka_unit_test_setup (test_counters_and_snapshot, test_setup),
        cmocka_unit_test_setup (test_submit, test_setup),
        cmocka_unit_test_setup (test_closed_filed_once, test_setup),
        cmocka_unit_test_setup (test_tick_takes_snapshot_at_month_start, test_setup),
        cmocka_unit_test (test_assessment_definitions),
        cmocka_unit_test (test_documents_escape),
        cmocka_unit_test (test_sheets),
    };
    return cmocka_run_group_tests (tests, group_setup, group_teardown);
}
