/*  test_report: three simulated months of the campaign through the broker, with the
    clock moved by admin.clock.set on every service (registry, notify, report).

    The test keeps its own model of every enterprise it writes (city, department,
    cluster, status, revenue, R&D, flags, alliances). In each month it changes the
    ledger (adds, workflow steps, closings approved, updates of revenue and department),
    moves the clock to the 1st of the next month (the report service takes the month's
    snapshot), has some groups submit on time, one resubmit, one submit late and the
    rest not at all, then reads the month's bulletin as JSON and checks it figure by
    figure against the model: province totals, every city's and department's coverage,
    R&D shares, intensity, alliance share, score, rank and month-on-month change, the
    clusters' alliances, who reported on time, late or not at all, the enterprises
    closed in the month covered, the trend. report.submitted clears notify's deadline
    (done on time, late after it, open when missing). The HTML bulletin is opened in
    headless Chromium: the page's load script must run (data-ready="2" in the DOM), the
    console must show no error, and a screenshot is saved and its path printed.
    Scope: a group may not submit another's report; exports through innovctl.
*/
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <czmq.h>
#include <jansson.h>
#include "stack.h"
#include "registry_fixture.h"
#include "inv_rpc.h"
#include "inv_clock.h"
#include "inv_valid.h"
#include "registry.pb-c.h"
#include "report.pb-c.h"
#include "figures.pb-c.h"
#include "mdp_worker.h"

#define WAIT_MS 10000
#define MAX_ENT 64

static harness_t *H;

typedef struct {
    char code [19];
    char city [7], county [7], dept [16], cluster [32];
    int status;
    double revenue, rde;
    bool rdi, rda, ali;
} ent_t;

static ent_t E [MAX_ENT];
static int N;

/* the model's figures of one scope at a moment */
typedef struct {
    long enterprises, innovating, closed, rdi, rda, ali;
    double revenue, rde;
} agg_t;

static const char *COUNTIES [] = { "140105", "140106", "140212", "140213", "140302", "140403" };
static const char *DEPTS [] = { "gxt", "nyj", "kjt", "fgw" };
static const char *CLUSTERS [] = { "semiconductor", "photovoltaic", "" };

/* Move the clock of the test and of every service. */
static void
s_clock (const char *when)
{
    stack_clock (H, when, "registry", "notify", "report", NULL);
}

/* ---- a "pairing" service that offers figures (figures.get) ----------------------------------- */

static void
s_figures_get (void *ctx, inv_call_t *call)
{
    (void) ctx;
    const Innov__FiguresRequest *req = (const Innov__FiguresRequest *) call->request;
    Innov__Figure province = INNOV__FIGURE__INIT, taiyuan = INNOV__FIGURE__INIT;
    province.name = taiyuan.name = (char *) "pairings.active";
    province.label = taiyuan.label = (char *) "结对帮扶";
    province.value = 12;
    taiyuan.value = 5;
    Innov__Figure *pf [] = { &province }, *tf [] = { &taiyuan };
    Innov__FigureRow rows [2] = { INNOV__FIGURE_ROW__INIT, INNOV__FIGURE_ROW__INIT };
    rows [0].scope = (char *) "province";
    rows [0].figures = pf;
    rows [0].n_figures = 1;
    rows [1].scope = (char *) "city:140100";
    rows [1].figures = tf;
    rows [1].n_figures = 1;
    Innov__FigureRow *all [] = { &rows [0], &rows [1] }, *one [] = { &rows [1] };
    Innov__FiguresReply reply = INNOV__FIGURES_REPLY__INIT;
    reply.service = (char *) "pairing";
    if (streq (req->scope, "all"))
        reply.rows = all, reply.n_rows = 2;
    else
    if (streq (req->scope, "city:140100"))
        reply.rows = one, reply.n_rows = 1;
    size_t size;
    uint8_t *packed = inv_rpc_pack (&reply.base, &size);
    inv_call_reply (call, protobuf_c_message_unpack (&innov__figures_reply__descriptor, NULL, size, packed), NULL);
    free (packed);
}

static const inv_method_t s_pairing_methods [] = {
    { "figures.get", &innov__figures_request__descriptor, s_figures_get, 0 },
    { NULL, NULL, NULL, 0 }
};

static void
s_pairing_actor (zsock_t *pipe, void *args)
{
    mdp_worker_t *worker = mdp_worker_new ((const char *) args, "pairing");
    zpoller_t *poller = zpoller_new (pipe, NULL);
    zsock_signal (pipe, 0);
    while (!zsys_interrupted) {
        if (zpoller_wait (poller, 0) == pipe) {
            char *command = zstr_recv (pipe);
            bool term = command && streq (command, "$TERM");
            zstr_free (&command);
            if (term)
                break;
        }
        zframe_t *reply_to = NULL;
        zmsg_t *body = mdp_worker_recv (worker, &reply_to, 50);
        if (!body)
            continue;
        zmsg_t *reply = inv_rpc_dispatch (s_pairing_methods, NULL, &body);
        mdp_worker_send_final (worker, &reply, reply_to);
        zframe_destroy (&reply_to);
    }
    zpoller_destroy (&poller);
    mdp_worker_destroy (&worker);
}

/* ---- the ledger and its model ---------------------------------------------------------------- */

static void
s_put (ent_t *e, bool add)
{
    Innov__Enterprise rec = INNOV__ENTERPRISE__INIT;
    rec.credit_code = e->code;
    char name [64];
    snprintf (name, sizeof name, "报告测试%s有限公司", e->code + 12);
    rec.name = name;
    rec.county = e->county;
    rec.industry = (char *) "3311";
    rec.department = e->dept;
    rec.cluster = e->cluster;
    rec.operating_revenue = e->revenue;
    rec.rd_expenditure = e->rde;
    rec.has_rd_institution = e->rdi;
    rec.has_rd_activity = e->rda;
    char *alliances [1] = { NULL };
    char alliance [64];
    if (e->ali) {
        snprintf (alliance, sizeof alliance, "alliance.%s", e->cluster);
        alliances [0] = alliance;
        rec.alliances = alliances;
        rec.n_alliances = 1;
    }
    if (add) {
        rec.status = (Innov__InnovationStatus) e->status;
        Innov__AddEnterpriseRequest req = INNOV__ADD_ENTERPRISE_REQUEST__INIT;
        req.enterprise = &rec;
        stack_ok (H, "province", "registry", "enterprise.add", &req.base, &innov__enterprise_reply__descriptor, NULL);
    }
    else {
        Innov__UpdateEnterpriseRequest req = INNOV__UPDATE_ENTERPRISE_REQUEST__INIT;
        req.enterprise = &rec;
        char *fields [] = { "operating_revenue", "rd_expenditure", "has_rd_institution", "has_rd_activity",
                            "department", "alliances" };
        req.fields = fields;
        req.n_fields = 6;
        stack_ok (H, "province", "registry", "enterprise.update", &req.base, &innov__enterprise_reply__descriptor, NULL);
    }
}

static void
s_add (int seed)
{
    ent_t *e = &E [N++];
    registry_fixture_code (7000 + N, e->code);
    snprintf (e->county, sizeof e->county, "%s", COUNTIES [seed % 6]);
    const inv_division_t *d = inv_division_find (e->county);
    snprintf (e->city, sizeof e->city, "%s", d->city);
    snprintf (e->dept, sizeof e->dept, "%s", DEPTS [(seed / 2) % 4]);
    snprintf (e->cluster, sizeof e->cluster, "%s", CLUSTERS [seed % 3]);
    e->status = 1 + seed % 3;
    e->revenue = 1000 + 37.25 * seed;
    e->rde = round (e->revenue * (seed % 5)) / 100.0;       /* amounts are kept to 0.01 (100 yuan) */
    e->rdi = seed % 3 == 0;
    e->rda = seed % 2 == 0;
    e->ali = *e->cluster && seed % 4 == 0;
    s_put (e, true);
}

static void
s_step (ent_t *e, int to)
{
    Innov__TransitionRequest req = INNOV__TRANSITION_REQUEST__INIT;
    req.credit_code = e->code;
    req.to = (Innov__InnovationStatus) to;
    req.reason = (char *) "月度推进";
    stack_ok (H, "province", "registry", "enterprise.transition", &req.base, &innov__enterprise_reply__descriptor, NULL);
    e->status = to;
}

/* Close (销号) an ACTIVE enterprise: request with evidence, then approval. */
static void
s_close (ent_t *e)
{
    Innov__CloseRequest close = INNOV__CLOSE_REQUEST__INIT;
    close.credit_code = e->code;
    close.evidence = (char *) "建成企业技术中心";
    stack_ok (H, "province", "registry", "enterprise.close", &close.base, &innov__enterprise_reply__descriptor, NULL);
    Innov__ReviewRequest review = INNOV__REVIEW_REQUEST__INIT;
    review.credit_code = e->code;
    review.approve = true;
    review.reason = (char *) "材料齐全";
    stack_ok (H, "province", "registry", "enterprise.review", &review.base, &innov__enterprise_reply__descriptor, NULL);
    e->status = 4;
}

/* Walk the first `count` enterprises found in status `from` one step further. */
static int
s_advance (int from, int count, char closed [][19], int *n_closed)
{
    int done = 0;
    for (int i = 0; i < N && done < count; i++) {
        if (E [i].status != from)
            continue;
        if (from == 3) {
            s_close (&E [i]);
            memcpy (closed [(*n_closed)++], E [i].code, 19);
        }
        else
            s_step (&E [i], from + 1);
        done++;
    }
    return done;
}

static bool
s_in_scope (const ent_t *e, const char *scope)
{
    if (streq (scope, "province"))
        return true;
    if (strncmp (scope, "city:", 5) == 0)
        return streq (e->city, scope + 5);
    if (strncmp (scope, "dept:", 5) == 0)
        return streq (e->dept, scope + 5);
    if (strncmp (scope, "cluster:", 8) == 0)
        return *e->cluster && streq (e->cluster, scope + 8);
    return false;
}

static agg_t
s_agg (const ent_t *model, int n, const char *scope)
{
    agg_t a;
    memset (&a, 0, sizeof a);
    for (int i = 0; i < n; i++) {
        const ent_t *e = &model [i];
        if (!s_in_scope (e, scope))
            continue;
        a.enterprises++;
        a.innovating += e->status >= 3;
        a.closed += e->status == 4;
        a.rdi += e->rdi;
        a.rda += e->rda;
        a.ali += e->ali;
        a.revenue += e->revenue;
        a.rde += e->rde;
    }
    return a;
}

static double
s_share (long part, long whole)
{
    return whole? (double) part / (double) whole: 0;
}

/* the composite score of docs/report.md */
static double
s_score (agg_t a)
{
    double intensity = a.revenue > 0? a.rde / a.revenue: 0;
    return 100 * (0.4 * s_share (a.innovating, a.enterprises) + 0.2 * s_share (a.rda, a.enterprises)
                  + 0.2 * s_share (a.rdi, a.enterprises) + 0.1 * fmin (1.0, intensity / 0.02)
                  + 0.1 * s_share (a.ali, a.enterprises));
}

/* ---- the bulletin checked against the model ------------------------------------------------- */

typedef struct {
    ent_t model [MAX_ENT];        /* the ledger at the start of the month */
    int n;
    bool taken;
} snap_t;

static json_t *
s_bulletin_json (const char *month)
{
    Innov__BulletinRequest req = INNOV__BULLETIN_REQUEST__INIT;
    req.month = (char *) month;
    req.format = (char *) "json";
    ProtobufCMessage *reply = NULL;
    stack_ok (H, "province", "report", "report.bulletin", &req.base, &innov__document_reply__descriptor, &reply);
    json_error_t error;
    json_t *doc = json_loads (((Innov__DocumentReply *) reply)->content, 0, &error);
    if (!doc)
        fail_msg ("bulletin %s is not JSON: %s", month, error.text);
    protobuf_c_message_free_unpacked (reply, NULL);
    return doc;
}

static void
s_near (double have, double want, const char *what, const char *scope)
{
    if (fabs (have - want) > 1e-9)
        fail_msg ("%s of %s: bulletin %.12f, model %.12f", what, scope, have, want);
}

static long
s_int (json_t *o, const char *key)
{
    json_t *v = json_object_get (o, key);
    if (!json_is_integer (v))
        fail_msg ("%s is not an integer", key);
    return (long) json_integer_value (v);
}

static double
s_real (json_t *o, const char *key)
{
    json_t *v = json_object_get (o, key);
    if (!json_is_number (v))
        fail_msg ("%s is not a number", key);
    return json_number_value (v);
}

/* Every row of rows (city:, dept:) against the model, with ranks recomputed. */
static void
s_check_rows (json_t *rows, const char *prefix, const snap_t *now, const snap_t *before)
{
    char scopes [64][32];
    double scores [64];
    size_t n = json_array_size (rows);
    assert_true (n > 0 && n < 64);
    for (size_t i = 0; i < n; i++) {
        json_t *row = json_array_get (rows, i);
        const char *scope = json_string_value (json_object_get (row, "scope"));
        assert_non_null (scope);
        assert_int_equal (strncmp (scope, prefix, strlen (prefix)), 0);
        agg_t a = s_agg (now->model, now->n, scope);
        assert_int_equal (s_int (row, "enterprises"), a.enterprises);
        assert_int_equal (s_int (row, "innovating"), a.innovating);
        assert_int_equal (s_int (row, "closed"), a.closed);
        assert_int_equal (s_int (row, "rd_institution"), a.rdi);
        assert_int_equal (s_int (row, "rd_activity"), a.rda);
        s_near (s_real (row, "coverage"), s_share (a.innovating, a.enterprises), "coverage", scope);
        s_near (s_real (row, "rd_institution_share"), s_share (a.rdi, a.enterprises), "R&D institutions", scope);
        s_near (s_real (row, "rd_activity_share"), s_share (a.rda, a.enterprises), "R&D activity", scope);
        s_near (s_real (row, "rd_intensity"), a.revenue > 0? a.rde / a.revenue: 0, "R&D intensity", scope);
        s_near (s_real (row, "alliance_share"), s_share (a.ali, a.enterprises), "alliance share", scope);
        s_near (s_real (row, "score"), s_score (a), "score", scope);
        json_t *change = json_object_get (row, "coverage_change");
        if (before && before->taken) {
            agg_t b = s_agg (before->model, before->n, scope);
            s_near (json_number_value (change),
                    s_share (a.innovating, a.enterprises) - s_share (b.innovating, b.enterprises), "change", scope);
            assert_int_equal (s_int (row, "innovating_change"), a.innovating - b.innovating);
        }
        else
            assert_true (json_is_null (change));
        snprintf (scopes [i], 32, "%s", scope);
        scores [i] = s_score (a);
    }
    /* ranks: by score, ties by scope code */
    for (size_t i = 0; i < n; i++) {
        long rank = 1;
        for (size_t k = 0; k < n; k++)
            if (scores [k] > scores [i] + 1e-12 || (fabs (scores [k] - scores [i]) <= 1e-12 && strcmp (scopes [k], scopes [i]) < 0))
                rank++;
        if (s_int (json_array_get (rows, i), "rank") != rank)
            fail_msg ("rank of %s: bulletin %ld, model %ld", scopes [i], s_int (json_array_get (rows, i), "rank"), rank);
    }
}

static bool
s_in_list (json_t *list, const char *value)
{
    for (size_t i = 0; i < json_array_size (list); i++)
        if (streq (json_string_value (json_array_get (list, i)), value))
            return true;
    return false;
}

static void
s_check_bulletin (const char *month, const snap_t *now, const snap_t *before,
                  const char **on_time, const char **late, int groups,
                  char closed [][19], int n_closed, int trend_points)
{
    json_t *doc = s_bulletin_json (month);
    assert_string_equal (json_string_value (json_object_get (doc, "month")), month);
    assert_false (json_is_true (json_object_get (doc, "provisional")));
    /* progress */
    json_t *p = json_object_get (doc, "progress");
    agg_t all = s_agg (now->model, now->n, "province");
    long status_count [5] = { 0 };
    for (int i = 0; i < now->n; i++)
        status_count [now->model [i].status]++;
    assert_int_equal (s_int (p, "enterprises"), all.enterprises);
    assert_int_equal (s_int (p, "not_started"), status_count [1]);
    assert_int_equal (s_int (p, "in_progress"), status_count [2]);
    assert_int_equal (s_int (p, "active"), status_count [3]);
    assert_int_equal (s_int (p, "closed"), status_count [4]);
    assert_int_equal (s_int (p, "rd_institution"), all.rdi);
    assert_int_equal (s_int (p, "rd_activity"), all.rda);
    assert_int_equal (s_int (p, "alliance_members"), all.ali);
    s_near (s_real (p, "operating_revenue"), all.revenue, "revenue", "province");
    s_near (s_real (p, "rd_expenditure"), all.rde, "R&D expenditure", "province");
    assert_int_equal (s_int (p, "alliances"), 15);       /* 14 seeded + 1 added */
    json_t *extra = json_object_get (json_object_get (p, "extra"), "pairings.active");
    assert_true (extra && json_number_value (extra) == 12);
    json_t *province = json_object_get (doc, "province");
    s_near (s_real (province, "coverage"), s_share (all.innovating, all.enterprises), "coverage", "province");
    s_near (s_real (province, "rd_intensity"), all.rde / all.revenue, "R&D intensity", "province");
    /* cities, departments, clusters */
    s_check_rows (json_object_get (doc, "cities"), "city:", now, before);
    assert_int_equal (json_array_size (json_object_get (doc, "cities")), 11);
    s_check_rows (json_object_get (doc, "departments"), "dept:", now, before);
    json_t *clusters = json_object_get (doc, "clusters");
    assert_int_equal (json_array_size (clusters), 14);
    for (size_t i = 0; i < json_array_size (clusters); i++) {
        json_t *row = json_array_get (clusters, i);
        const char *scope = json_string_value (json_object_get (row, "scope"));
        agg_t a = s_agg (now->model, now->n, scope);
        assert_int_equal (s_int (row, "enterprises"), a.enterprises);
        assert_int_equal (s_int (row, "alliances"), streq (scope, "cluster:semiconductor")? 2: 1);
        s_near (s_real (row, "alliance_share"), s_share (a.ali, a.enterprises), "alliance share", scope);
    }
    /* reports */
    json_t *reports = json_object_get (doc, "reports");
    int n_on_time = 0, n_late = 0;
    while (on_time [n_on_time]) n_on_time++;
    while (late [n_late]) n_late++;
    assert_int_equal (s_int (reports, "submitted"), n_on_time);
    assert_int_equal (s_int (reports, "late"), n_late);
    assert_int_equal (s_int (reports, "missing"), groups - n_on_time - n_late);
    assert_int_equal (s_int (reports, "pending"), 0);
    json_t *late_list = json_object_get (reports, "late_agencies");
    json_t *missing_list = json_object_get (reports, "missing_agencies");
    assert_int_equal (json_array_size (late_list), n_late);
    for (int i = 0; i < n_late; i++)
        assert_true (s_in_list (late_list, late [i]));
    for (int i = 0; i < n_on_time; i++)
        assert_false (s_in_list (missing_list, on_time [i]) || s_in_list (late_list, on_time [i]));
    assert_true (s_in_list (missing_list, "city:140500"));
    /* enterprises closed in the month covered */
    json_t *c = json_object_get (doc, "closed");
    assert_int_equal (s_int (c, "total"), n_closed);
    json_t *listed = json_object_get (c, "enterprises");
    assert_int_equal (json_array_size (listed), n_closed);
    for (int i = 0; i < n_closed; i++) {
        bool found = false;
        for (size_t k = 0; k < json_array_size (listed); k++)
            found |= streq (json_string_value (json_object_get (json_array_get (listed, k), "credit_code")), closed [i]);
        if (!found)
            fail_msg ("%s closed in the month is not in the bulletin of %s", closed [i], month);
    }
    for (int i = 0; i < N; i++) {       /* closings per city add up */
        char scope [32];
        snprintf (scope, sizeof scope, "city:%s", E [i].city);
        long expect = 0;
        for (int k = 0; k < n_closed; k++)
            for (int j = 0; j < N; j++)
                if (streq (E [j].code, closed [k]) && streq (E [j].city, E [i].city))
                    expect++;
        json_t *count = json_object_get (json_object_get (c, "by_scope"), scope);
        assert_int_equal (count? json_integer_value (count): 0, expect);
    }
    /* trend: one point per stored month, the last one this month's coverage */
    json_t *trend = json_object_get (doc, "trend");
    assert_int_equal (json_array_size (trend), trend_points);
    s_near (s_real (json_array_get (trend, trend_points - 1), "coverage"),
            s_share (all.innovating, all.enterprises), "trend", month);
    json_decref (doc);
}

/* ---- reports -------------------------------------------------------------------------------- */

static int
s_submit (const char *as, const char *agency, const char *month, const char *narrative, Innov__LedgerReport **out)
{
    Innov__SubmitReportRequest req = INNOV__SUBMIT_REPORT_REQUEST__INIT;
    req.month = (char *) month;
    req.agency = (char *) agency;
    req.narrative = (char *) narrative;
    ProtobufCMessage *reply = NULL;
    Innov__Status *status = NULL;
    int code = stack_rpc (H, as, "report", "report.submit", &req.base, &innov__report_reply__descriptor, &reply, &status);
    if (status)
        innov__status__free_unpacked (status, NULL);
    if (out && code == 200)
        *out = ((Innov__ReportReply *) reply)->report, ((Innov__ReportReply *) reply)->report = NULL;
    if (reply)
        protobuf_c_message_free_unpacked (reply, NULL);
    return code;
}

static void
s_submit_ok (const char *agency, const char *month, bool late)
{
    Innov__LedgerReport *r = NULL;
    assert_int_equal (s_submit (agency, "", month, "本月走访企业，推进研发机构建设。", &r), 200);
    assert_non_null (r);
    assert_int_equal (r->late, late);
    /* the figures the service took are the group's */
    agg_t a = s_agg (E, N, agency);
    assert_int_equal (r->figures->enterprises, a.enterprises);
    assert_int_equal (r->figures->active + r->figures->closed, a.innovating);
    /* what the running "pairing" offers for this group; catalogue and problems are not running */
    if (streq (agency, "city:140100")) {
        assert_int_equal (r->figures->n_extra, 1);
        assert_string_equal (r->figures->extra [0]->name, "pairings.active");
        assert_true (r->figures->extra [0]->value == 5);
        assert_int_equal (r->figures->n_sources, 1);
        assert_string_equal (r->figures->sources [0], "pairing");
    }
    else
        assert_int_equal (r->figures->n_extra, 0);
    innov__ledger_report__free_unpacked (r, NULL);
}

/* notify's state of a deadline ("open", "done", "late"), waiting for want. */
static void
s_deadline (const char *id, const char *want)
{
    char key [160], *state = NULL;
    snprintf (key, sizeof key, "{14}:notify.dl:%s", id);
    for (int waited = 0; waited < WAIT_MS; waited += 50) {
        free (state);
        state = harness_redis_cli (H, "HGET", key, "state", NULL);
        if (state && strncmp (state, want, strlen (want)) == 0)
            break;
        zclock_sleep (50);
    }
    if (!state || strncmp (state, want, strlen (want)))
        fail_msg ("deadline %s is \"%s\", expected %s", id, state? state: "(none)", want);
    free (state);
}

static void
s_wait_closed (const char *month, int count)
{
    char key [64], *n = NULL;
    snprintf (key, sizeof key, "{14}:report.closed:%s", month);
    for (int waited = 0; waited < WAIT_MS; waited += 50) {
        free (n);
        n = harness_redis_cli (H, "ZCARD", key, NULL);
        if (n && atoi (n) == count)
            break;
        zclock_sleep (50);
    }
    if (!n || atoi (n) != count)
        fail_msg ("%s closed in %s, expected %d", n? n: "?", month, count);
    free (n);
}

static void
s_wait_snapshot (const char *month)
{
    char key [64], *n = NULL;
    snprintf (key, sizeof key, "{14}:report.snap:%s", month);
    for (int waited = 0; waited < WAIT_MS; waited += 50) {
        free (n);
        n = harness_redis_cli (H, "EXISTS", key, NULL);
        if (n && atoi (n) == 1)
            break;
        zclock_sleep (50);
    }
    if (!n || atoi (n) != 1)
        fail_msg ("the tick took no snapshot of %s", month);
    free (n);
}

static void
s_keep (snap_t *s)
{
    memcpy (s->model, E, sizeof E);
    s->n = N;
    s->taken = true;
}

/* ---- Chromium ------------------------------------------------------------------------------- */

static void
s_chromium (const char *html_path, const char *dir)
{
    const char *browser = NULL;
    const char *candidates [] = { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" };
    for (int i = 0; i < 3 && !browser; i++)
        if (access (candidates [i], X_OK) == 0)
            browser = candidates [i];
    if (!browser) {
        printf ("test_report: chromium is not installed: the HTML bulletin was not opened in a browser "
                "(the HTML checks above still ran)\n");
        return;
    }
    char command [2048], shot [512];
    snprintf (shot, sizeof shot, "%s/bulletin.png", dir);
    /* the DOM after load: the page's script ran and counted its two charts */
    snprintf (command, sizeof command,
              "cd %s && HOME=%s timeout 60 %s --headless --no-sandbox --disable-gpu --user-data-dir=%s/profile-dom "
              "--enable-logging=stderr --v=0 --virtual-time-budget=2000 --dump-dom file://%s 2>%s/dom.log",
              dir, dir, browser, dir, html_path, dir);
    char *dom = harness_shell (command, NULL);
    assert_non_null (dom);
    if (!strstr (dom, "data-ready=\"2\""))
        fail_msg ("the bulletin's load script did not run in Chromium (see %s/dom.log)", dir);
    free (dom);
    char log_path [512];
    snprintf (log_path, sizeof log_path, "%s/dom.log", dir);
    snprintf (command, sizeof command, "grep -E 'CONSOLE|Uncaught' %s | grep -iE 'error|uncaught' || true", log_path);
    char *errors = harness_shell (command, NULL);
    if (errors && *errors)
        fail_msg ("console errors in the bulletin: %s", errors);
    free (errors);
    snprintf (command, sizeof command,
              "cd %s && HOME=%s timeout 60 %s --headless --no-sandbox --disable-gpu --user-data-dir=%s/profile-shot "
              "--hide-scrollbars --screenshot=%s --window-size=1200,1600 file://%s >%s/shot.log 2>&1",
              dir, dir, browser, dir, shot, html_path, dir);
    char *ignored = harness_shell (command, NULL);
    free (ignored);
    struct stat st;
    assert_int_equal (stat (shot, &st), 0);
    assert_true (st.st_size > 10000);
    snprintf (command, sizeof command, "rm -rf %s/profile-dom %s/profile-shot", dir, dir);
    free (harness_shell (command, NULL));
    printf ("test_report: screenshot of the HTML bulletin: %s\n", shot);
}

/* ---- the test ----------------------------------------------------------------------------------- */

static int
setup (void **state)
{
    (void) state;
    H = stack_new ("INNOV_TEST_MODE=1 INNOV_CLOCK=2026-02-10T09:00:00 NOTIFY_TICK_MS=100 NOTIFY_YEAR=2026 "
                   "REPORT_TICK_MS=100 REPORT_FIGURES_TIMEOUT_MS=300", "redis", "broker", "registry", "notify",
                   "report", NULL);
    return H? 0: -1;
}

static int
teardown (void **state)
{
    (void) state;
    harness_destroy (&H);
    inv_clock_reset ();
    return 0;
}

static void
test_three_months (void **state)
{
    (void) state;
    char groups [64][32];
    int n_groups = 0;
    {   /* the groups that report: cities of Shanxi and the departments */
        size_t count;
        const inv_division_t *d = inv_division_all (&count);
        for (size_t i = 0; i < count; i++)
            if (d [i].level == INV_DIV_CITY && strncmp (d [i].code, "14", 2) == 0)
                snprintf (groups [n_groups++], 32, "city:%s", d [i].code);
        inv_department_all (&count);
        n_groups += (int) count;
    }
    static snap_t snaps [4];
    char closed [16][19];
    int n_closed = 0, closed_in_year = 0;
    s_clock ("2026-02-10T09:00:00");
    zactor_t *pairing = zactor_new (s_pairing_actor, (void *) harness_broker (H));
    assert_true (harness_wait_service (H, "pairing", 1, WAIT_MS));

    /* a second alliance for the semiconductor cluster */
    Innov__Agency alliance = INNOV__AGENCY__INIT;
    alliance.code = (char *) "alliance.semiconductor.north";
    alliance.kind = INNOV__AGENCY_KIND__ALLIANCE;
    alliance.name = (char *) "晋北半导体产业联盟";
    alliance.cluster = (char *) "semiconductor";
    Innov__AddAgencyRequest add_agency = INNOV__ADD_AGENCY_REQUEST__INIT;
    add_agency.agency = &alliance;
    stack_ok (H, "province", "registry", "agency.add", &add_agency.base, &innov__agency_reply__descriptor, NULL);

    /* ---- February: the ledger, progress, two closings ---- */
    for (int i = 0; i < 30; i++)
        s_add (i);
    s_advance (1, 4, closed, &n_closed);
    s_advance (2, 3, closed, &n_closed);
    s_clock ("2026-02-20T10:00:00");
    s_advance (3, 2, closed, &n_closed);
    s_wait_closed ("2026-02", n_closed);

    /* ---- March 1st: the snapshot; reports of 2026-03 ---- */
    s_clock ("2026-03-01T00:00:30");
    s_wait_snapshot ("2026-03");
    s_keep (&snaps [1]);
    s_clock ("2026-03-02T09:00:00");
    s_submit_ok ("city:140100", "2026-03", false);
    s_submit_ok ("dept:gxt", "2026-03", false);
    /* scope: a group submits only its own report */
    assert_int_equal (s_submit ("city:140200", "city:140100", "2026-03", "代报", NULL), 403);
    assert_int_equal (s_submit ("county:140105", "", "2026-03", "县区", NULL), 403);
    assert_int_equal (s_submit ("province", "city:140100", "2026-03", "省代报", NULL), 403);
    assert_int_equal (s_submit ("city:140100", "", "2026-04", "尚未开始", NULL), 400);
    assert_int_equal (s_submit ("city:140100", "", "2026-3", "坏月份", NULL), 400);
    assert_int_equal (s_submit ("city:140100", "", "2026-03", "", NULL), 400);
    /* a resubmission before the deadline replaces, still on time */
    s_clock ("2026-03-04T18:00:00");
    Innov__LedgerReport *again = NULL;
    assert_int_equal (s_submit ("city:140100", "", "2026-03", "补充：新增两家研发机构。", &again), 200);
    assert_int_equal (again->revision, 2);
    assert_false (again->late);
    assert_string_equal (again->narrative, "补充：新增两家研发机构。");
    innov__ledger_report__free_unpacked (again, NULL);
    s_deadline ("ledger:2026-03:city:140100", "done");
    /* after the deadline: late */
    s_clock ("2026-03-06T10:00:00");
    s_submit_ok ("city:140200", "2026-03", true);
    s_deadline ("ledger:2026-03:city:140200", "late");
    s_deadline ("ledger:2026-03:dept:gxt", "done");
    s_deadline ("ledger:2026-03:city:140300", "open");
    {
        const char *on_time [] = { "city:140100", "dept:gxt", NULL };
        const char *late [] = { "city:140200", NULL };
        s_check_bulletin ("2026-03", &snaps [1], NULL, on_time, late, n_groups, closed, n_closed, 1);
    }

    /* ---- March: new enterprises, updates, more progress and closings ---- */
    s_clock ("2026-03-15T10:00:00");
    closed_in_year += n_closed;
    n_closed = 0;
    for (int i = 30; i < 35; i++)
        s_add (i);
    E [1].revenue += 500.5;                 /* updates move the sums by the difference */
    E [1].rde = 40;
    E [1].rda = !E [1].rda;
    s_put (&E [1], false);
    E [2].rdi = !E [2].rdi;
    snprintf (E [2].dept, sizeof E [2].dept, "%s", "kjt");
    s_put (&E [2], false);
    s_advance (1, 3, closed, &n_closed);
    s_advance (2, 4, closed, &n_closed);
    s_advance (3, 3, closed, &n_closed);
    s_wait_closed ("2026-03", n_closed);

    /* ---- April 1st ---- */
    s_clock ("2026-04-01T00:00:30");
    s_wait_snapshot ("2026-04");
    s_keep (&snaps [2]);
    s_clock ("2026-04-03T09:00:00");
    s_submit_ok ("city:140100", "2026-04", false);
    s_submit_ok ("city:140200", "2026-04", false);
    s_submit_ok ("dept:nyj", "2026-04", false);
    s_clock ("2026-04-08T09:00:00");
    s_submit_ok ("dept:gxt", "2026-04", true);
    s_submit_ok ("city:140300", "2026-04", true);
    s_deadline ("ledger:2026-04:dept:gxt", "late");
    {
        const char *on_time [] = { "city:140100", "city:140200", "dept:nyj", NULL };
        const char *late [] = { "dept:gxt", "city:140300", NULL };
        s_check_bulletin ("2026-04", &snaps [2], &snaps [1], on_time, late, n_groups, closed, n_closed, 2);
    }

    /* ---- April ---- */
    s_clock ("2026-04-16T10:00:00");
    closed_in_year += n_closed;
    n_closed = 0;
    E [5].revenue = 8800;
    E [5].ali = *E [5].cluster != '\0';
    s_put (&E [5], false);
    s_advance (1, 2, closed, &n_closed);
    s_advance (2, 2, closed, &n_closed);
    s_advance (3, 1, closed, &n_closed);
    s_wait_closed ("2026-04", n_closed);

    /* ---- May 1st ---- */
    s_clock ("2026-05-01T00:00:30");
    s_wait_snapshot ("2026-05");
    s_keep (&snaps [3]);
    s_clock ("2026-05-04T23:59:00");
    s_submit_ok ("dept:gxt", "2026-05", false);
    s_clock ("2026-05-05T00:00:01");
    s_submit_ok ("city:140100", "2026-05", true);
    /* an on-time report amended after the deadline stays on time, flagged */
    Innov__LedgerReport *amended = NULL;
    assert_int_equal (s_submit ("dept:gxt", "", "2026-05", "截止后更正数据。", &amended), 200);
    assert_false (amended->late);
    assert_true (amended->amended_after_deadline);
    innov__ledger_report__free_unpacked (amended, NULL);
    s_deadline ("ledger:2026-05:city:140100", "late");
    s_deadline ("ledger:2026-05:dept:gxt", "done");
    {
        const char *on_time [] = { "dept:gxt", NULL };
        const char *late [] = { "city:140100", NULL };
        s_check_bulletin ("2026-05", &snaps [3], &snaps [2], on_time, late, n_groups, closed, n_closed, 3);
    }

    closed_in_year += n_closed;

    /* ---- the province's summary of the year so far (JSON) ---- */
    {
        Innov__SummaryRequest req = INNOV__SUMMARY_REQUEST__INIT;
        req.year = 2026;
        req.milestone = (char *) "province";
        req.format = (char *) "json";
        ProtobufCMessage *reply = NULL;
        stack_ok (H, "province", "report", "report.summary", &req.base, &innov__document_reply__descriptor, &reply);
        json_t *doc = json_loads (((Innov__DocumentReply *) reply)->content, 0, NULL);
        protobuf_c_message_free_unpacked (reply, NULL);
        assert_non_null (doc);
        assert_true (json_is_true (json_object_get (doc, "provisional")));     /* 2027-01 not begun */
        assert_int_equal (s_int (doc, "closed_in_year"), closed_in_year);
        agg_t all = s_agg (E, N, "province");
        assert_int_equal (s_int (json_object_get (doc, "progress"), "enterprises"), all.enterprises);
        json_t *rows = json_object_get (doc, "groups");
        bool seen = false;
        for (size_t i = 0; i < json_array_size (rows); i++) {
            json_t *row = json_array_get (rows, i);
            if (!streq (json_string_value (json_object_get (row, "scope")), "city:140100"))
                continue;
            seen = true;
            /* 2026-03 and -04 on time, -05 late, -01 and -02 missing, the rest not due */
            assert_int_equal (s_int (row, "reports_on_time"), 2);
            assert_int_equal (s_int (row, "reports_late"), 1);
            assert_int_equal (s_int (row, "reports_missing"), 2);
        }
        assert_true (seen);
        json_decref (doc);
    }

    /* ---- the documents through innovctl ---- */
    char dir_template [] = "/tmp/test_report.XXXXXX";
    char *dir = mkdtemp (dir_template);
    assert_non_null (dir);
    char html [512], md [512], xlsx [512], csv [512];
    snprintf (html, sizeof html, "%s/bulletin-2026-05.html", dir);
    snprintf (md, sizeof md, "%s/bulletin-2026-05.md", dir);
    snprintf (xlsx, sizeof xlsx, "%s/status.xlsx", dir);
    snprintf (csv, sizeof csv, "%s/assessment.csv", dir);
    char *out = NULL, *err = NULL;
    int rc = harness_ctl (H, &out, &err, "report", "bulletin", "--month", "2026-05", "--format", "html", "--out", html, NULL);
    if (rc)
        fail_msg ("report bulletin: %d %s", rc, err? err: "");
    free (out), free (err), out = err = NULL;
    assert_int_equal (harness_ctl (H, &out, &err, "report", "bulletin", "--month", "2026-05", "--out", md, NULL), 0);
    free (out), free (err), out = err = NULL;
    char *text = NULL;
    size_t size = 0;
    FILE *f = fopen (md, "r");
    assert_non_null (f);
    assert_true (getdelim (&text, &size, '\0', f) > 0);
    fclose (f);
    assert_non_null (strstr (text, "# 2026年5月全省企业技术创新全覆盖工作通报"));
    assert_non_null (strstr (text, "| 太原市 |"));
    assert_non_null (strstr (text, "未报送"));
    assert_non_null (strstr (text, "| 省工信厅 | 按时报送 |"));      /* amended after the deadline: listed */
    assert_non_null (strstr (text, "| 太原市 | 逾期报送 |"));
    {   /* the city's coverage as the Markdown shows it */
        agg_t a = s_agg (snaps [3].model, snaps [3].n, "city:140100");
        char pct [32];
        snprintf (pct, sizeof pct, "%.1f%%", 100 * s_share (a.innovating, a.enterprises));
        assert_non_null (strstr (text, pct));
    }
    free (text);
    text = NULL;
    f = fopen (html, "r");
    assert_non_null (f);
    assert_true (getdelim (&text, &size, '\0', f) > 0);
    fclose (f);
    assert_non_null (strstr (text, "<svg id=\"coverage-by-city\""));
    assert_non_null (strstr (text, "<svg id=\"trend-by-month\""));
    for (const char *at = strstr (text, "http"); at; at = strstr (at + 4, "http"))
        if (strncmp (at, "http://www.w3.org/2000/svg", 26))
            fail_msg ("the HTML bulletin refers to something outside itself: %.60s", at);
    assert_null (strstr (text, "<link"));
    assert_null (strstr (text, " src="));
    free (text);
    /* exports with Chinese headers */
    assert_int_equal (harness_ctl (H, &out, &err, "report", "status", "--month", "2026-05", "--out", xlsx, NULL), 0);
    free (out), free (err), out = err = NULL;
    f = fopen (xlsx, "rb");
    assert_non_null (f);
    char magic [2] = { 0 };
    assert_int_equal (fread (magic, 1, 2, f), 2);
    fclose (f);
    assert_memory_equal (magic, "PK", 2);
    assert_int_equal (harness_ctl (H, &out, &err, "report", "assessment", "--month", "2026-05", "--out", csv, NULL), 0);
    free (out), free (err), out = err = NULL;
    f = fopen (csv, "r");
    assert_non_null (f);
    text = NULL;
    assert_true (getdelim (&text, &size, '\0', f) > 0);
    fclose (f);
    assert_non_null (strstr (text, "排名,单位代码,单位,企业数"));
    assert_non_null (strstr (text, "city:140100,太原市"));
    free (text);
    char ranking [512];
    snprintf (ranking, sizeof ranking, "%s/ranking.csv", dir);
    assert_int_equal (harness_ctl (H, &out, &err, "report", "ranking", "--month", "2026-05", "--by", "department",
                                   "--out", ranking, NULL), 0);
    free (out), free (err), out = err = NULL;
    f = fopen (ranking, "r");
    assert_non_null (f);
    text = NULL;
    assert_true (getdelim (&text, &size, '\0', f) > 0);
    fclose (f);
    assert_non_null (strstr (text, "排名,单位,综合得分,覆盖率(%),环比(百分点)"));
    assert_non_null (strstr (text, "\r\n1,"));
    free (text);
    /* a group reads its own status row only */
    assert_int_equal (harness_ctl (H, &out, &err, "--as", "city:140200", "report", "status", "--month", "2026-05", NULL), 0);
    assert_non_null (strstr (out, "大同市"));
    assert_null (strstr (out, "太原市"));
    free (out), free (err), out = err = NULL;
    /* the campaign summaries */
    assert_int_equal (harness_ctl (H, &out, &err, "report", "summary", "--year", "2026", "--milestone", "groups", NULL), 0);
    assert_non_null (strstr (out, "2026年度各市、省直部门企业技术创新全覆盖工作总结"));
    free (out), free (err), out = err = NULL;

    s_chromium (html, dir);
    zactor_destroy (&pairing);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_three_months, setup, teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
