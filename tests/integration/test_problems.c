/*  test_problems: the problems service as deployed beside the registry and notify,
    with real Redis and broker, driven through innovctl as the agencies concerned.

    The ladder: four problems of two enterprises (太原 / 省工信厅 and 大同 / 省科技厅):
      P1 within government powers, ordinary, raised by work group G1, assigned late to
         the department, accepted, progress on time, solved late, closed;
      P2 the enterprise's own, complex, raised by the enterprise (work group G2), handed
         to the enterprise on time, progress late, solved on time within the month;
      P3 within government powers, complex, from the hotline (city 140100), routed to
         the city, which accepts it and files a plan late; solved after the plan's date;
      P4 from the province's hotline, never assigned.
    The clock of problems AND notify is moved with admin.clock.set past each rung; at
    each the test waits for notify's notice of that rung (recipient, light) and, when a
    step meets a rung, for the deadline to be cleared (done or late). At the end the
    figures of every scope are compared with the test's own count of its problems.

    Start and stop: the problems service is stopped while the rest keeps running:
    registry and notify still answer, a problems request gets 503 (exit 3), and after a
    restart the same problem is read back. With the registry stopped, raising answers
    503 (the enterprise cannot be checked) while reads go on.
*/
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include <math.h>
#include <signal.h>
#include "stack.h"
#include "inv_clock.h"
#include "inv_json.h"
#include "inv_redis.h"
#include "inv_valid.h"
#include "mdp_client.h"
#include "notify.pb-c.h"
#include "rpc.pb-c.h"

#define WAIT_MS     15000
#define DAY_MS      (24LL * 3600 * 1000)
#define T0          "2026-04-01T09:00:00"

static harness_t *H;
static inv_redis_t *R;
static pid_t P_PROBLEMS, P_REGISTRY;
static char E1 [19], E2 [19];           /* 太原 (gxt), 大同 (kjt) */
static int64_t t0;

/* ---- plumbing ----------------------------------------------------------------------- */

#define CTL_OK(...)  free (stack_ctl (H, 0, __VA_ARGS__, NULL))

/* Move one service's clock to t0 + offset. */
static void
s_clock_of (const char *service, int64_t offset)
{
    char when [40];
    inv_clock_format (t0 + offset, when, sizeof when);
    stack_clock_of (H, service, when);
}

/* Problems and notify both see t0 + offset. */
static void
s_clock (int64_t offset)
{
    s_clock_of ("problems", offset);
    s_clock_of ("notify", offset);
}

/* Wait for notice dl:ext:problem:<problem>:<rung>#<step>; check recipient and light. */
static void
s_notice (const char *problem, const char *rung, const char *step, const char *recipient, const char *light)
{
    char key [200];
    snprintf (key, sizeof key, "{14}:notice:dl:ext:problem:%s:%s#%s", problem, rung, step);
    Innov__Notice *notice = NULL;
    for (int waited = 0; waited < WAIT_MS && !notice; waited += 50) {
        redisReply *r = inv_redis_command (R, "HGET %s body", key);
        assert_non_null (r);
        if (r->type == REDIS_REPLY_STRING)
            notice = innov__notice__unpack (NULL, r->len, (const uint8_t *) r->str);
        freeReplyObject (r);
        if (!notice)
            zclock_sleep (50);
    }
    if (!notice)
        fail_msg ("no notice %s", key);
    assert_string_equal (notice->recipient, recipient);
    assert_string_equal (notice->light, light);
    assert_string_equal (notice->rung, step);
    innov__notice__free_unpacked (notice, NULL);
}

static long long
s_exists (const char *fmt, const char *a, const char *b, const char *c)
{
    char key [200];
    snprintf (key, sizeof key, fmt, a, b, c);
    redisReply *r = inv_redis_command (R, "EXISTS %s", key);
    assert_non_null (r);
    long long n = r->integer;
    freeReplyObject (r);
    return n;
}

/* Wait until notify's deadline problem:<problem>:<rung> is in state want. */
static void
s_deadline (const char *problem, const char *rung, const char *want)
{
    char state [16] = "";
    for (int waited = 0; waited < WAIT_MS; waited += 50) {
        redisReply *r = inv_redis_command (R, "HGET {14}:notify.dl:ext:problem:%s:%s state", problem, rung);
        assert_non_null (r);
        snprintf (state, sizeof state, "%s", r->type == REDIS_REPLY_STRING? r->str: "");
        freeReplyObject (r);
        if (streq (state, want))
            return;
        zclock_sleep (50);
    }
    fail_msg ("deadline %s:%s is \"%s\", expected \"%s\"", problem, rung, state, want);
}

/* ---- the test's own count ------------------------------------------------------------ */

typedef struct {
    const char *id;
    const char *scopes [5];
    bool open, resolved, closed, on_time, overdue;
    int days;
} expect_t;

static double
s_figure (const char *json, int row, const char *name)
{
    char path [96];
    snprintf (path, sizeof path, "rows[%d].figures", row);
    size_t n = inv_json_length (json, path);
    for (size_t i = 0; i < n; i++) {
        snprintf (path, sizeof path, "rows[%d].figures[%zu].name", row, i);
        char *got = inv_json_get (json, path);
        bool match = got && streq (got, name);
        free (got);
        if (match) {
            snprintf (path, sizeof path, "rows[%d].figures[%zu].value", row, i);
            char *value = inv_json_get (json, path);
            double v = value? atof (value): 0;     /* a zero value is left out */
            free (value);
            return v;
        }
    }
    return 0;       /* proto3 JSON leaves zero values out */
}

static int
s_compare_int (const void *a, const void *b)
{
    return *(const int *) a - *(const int *) b;
}

/* figures.get for scope against what expect says of the problems in it. */
static void
s_check_figures (const char *scope, const expect_t *expect, size_t n)
{
    long long raised = 0, open = 0, overdue = 0, resolved = 0, closed = 0, on_time = 0, late = 0;
    int days [8], n_days = 0;
    for (size_t i = 0; i < n; i++) {
        bool in = false;
        for (size_t s = 0; s < 5 && expect [i].scopes [s]; s++)
            in = in || streq (expect [i].scopes [s], scope);
        if (!in)
            continue;
        raised++;
        open += expect [i].open;
        overdue += expect [i].overdue;
        resolved += expect [i].resolved;
        closed += expect [i].closed;
        if (expect [i].resolved || expect [i].closed) {
            on_time += expect [i].on_time;
            late += !expect [i].on_time;
            days [n_days++] = expect [i].days;
        }
    }
    qsort (days, (size_t) n_days, sizeof (int), s_compare_int);
    double median = n_days == 0? 0: n_days % 2? days [n_days / 2]
                  : (days [n_days / 2 - 1] + days [n_days / 2]) / 2.0;
    char *json = stack_json (H, "problem", "figures", "--scope", scope, "--json", NULL);
    char *got_scope = inv_json_get (json, "rows[0].scope");
    assert_non_null (got_scope);
    assert_string_equal (got_scope, scope);
    free (got_scope);
    struct { const char *name; double want; } f [] = {
        { "problems.raised", (double) raised }, { "problems.open", (double) open },
        { "problems.overdue", (double) overdue }, { "problems.resolved", (double) resolved },
        { "problems.closed", (double) closed }, { "problems.solved_on_time", (double) on_time },
        { "problems.solved_late", (double) late }, { "problems.median_days", median } };
    for (size_t i = 0; i < sizeof f / sizeof f [0]; i++)
        if (fabs (s_figure (json, 0, f [i].name) - f [i].want) > 1e-9)
            fail_msg ("%s %s: %g, expected %g\n%s", scope, f [i].name, s_figure (json, 0, f [i].name),
                      f [i].want, json);
    free (json);
}

/* ---- set-up ------------------------------------------------------------------------- */

static int
setup (void **state)
{
    (void) state;
    H = harness_new ();
    harness_setenv (H, "NOTIFY_TICK_MS", "100");
    harness_setenv (H, "INNOV_CLOCK", T0);
    harness_setenv (H, "INNOV_UNKNOWN_SERVICE_MS", "1000");
    harness_setenv (H, "INNOV_TEST_MODE", "1");
    t0 = inv_clock_parse (T0);
    if (harness_start_redis (H) < 0 || harness_start_broker (H) < 0
    ||  (P_REGISTRY = harness_start_service (H, "registry")) < 0 || harness_start_service (H, "notify") < 0
    ||  (P_PROBLEMS = harness_start_service (H, "problems")) < 0)
        return -1;
    R = inv_redis_new (harness_redis (H));
    if (!R || !inv_credit_code_complete ("91140105MA0PRB001", E1) || !inv_credit_code_complete ("91140213MA0PRB002", E2))
        return -1;
    char *out = NULL;
    int rc = harness_ctl (H, &out, NULL, "enterprise", "add", "--code", E1, "--name", "太原问题示例机械有限公司",
                          "--county", "140105", "--industry", "3311", "--department", "gxt", NULL);
    free (out);
    rc |= harness_ctl (H, &out, NULL, "enterprise", "add", "--code", E2, "--name", "大同问题示例材料有限公司",
                       "--county", "140213", "--industry", "3011", "--department", "kjt", NULL);
    free (out);
    return rc? -1: 0;
}

static int
teardown (void **state)
{
    (void) state;
    inv_redis_destroy (&R);
    harness_destroy (&H);
    return 0;
}

/* ---- the ladder --------------------------------------------------------------------- */

static void
test_ladder (void **state)
{
    (void) state;
    char ent2 [32];
    snprintf (ent2, sizeof ent2, "ent:%s", E2);

    /* refusals first: nothing is written by them */
    free (stack_ctl (H, 1, "--as", "group:G1", "problem", "raise", "--enterprise", "91140105MA0PRB0099",
                     "--category", "funding", "--description", "x", NULL));
    free (stack_ctl (H, 1, "--as", "dept:gxt", "problem", "raise", "--enterprise", E1, "--category", "funding",
                     "--description", "x", NULL));
    free (stack_ctl (H, 1, "--as", "city:140200", "problem", "raise", "--enterprise", E1, "--category", "funding",
                     "--description", "x", NULL));
    free (stack_ctl (H, 1, "--as", ent2, "problem", "raise", "--enterprise", E2, "--category", "talent",
                     "--description", "缺少研发人员", "--kind", "own", NULL));      /* no work group */

    /* day 0: four problems */
    CTL_OK ("--as", "group:G1", "problem", "raise", "--enterprise", E1, "--category", "funding",
            "--description", "技改项目缺少配套资金");
    CTL_OK ("--as", ent2, "problem", "raise", "--enterprise", E2, "--category", "talent",
            "--description", "缺少研发人员", "--kind", "own", "--complex", "--group", "G2");
    CTL_OK ("--as", "city:140100", "problem", "raise", "--enterprise", E1, "--category", "land",
            "--description", "研发楼用地手续", "--complex");
    CTL_OK ("problem", "raise", "--enterprise", E2, "--category", "approval", "--description", "环评审批慢");
    char *text = stack_json (H, "problem", "get", "P3", "--json", NULL);
    char *source = inv_json_get (text, "problem.source");
    assert_string_equal (source, "hotline");
    free (source);
    free (text);
    /* assigning is due within a day: the one-day reminder at once, yellow */
    s_notice ("P1", "assign", "remind-1d", "city:140100", "yellow");
    s_notice ("P2", "assign", "remind-1d", "group:G2", "yellow");
    s_notice ("P4", "assign", "remind-1d", "city:140200", "yellow");
    assert_int_equal (s_exists ("{14}:notice:dl:ext:problem:%s:%s#%s", "P1", "assign", "remind-3d"), 0);

    /* day 1 + 1 h: not assigned yet, red */
    s_clock (DAY_MS + 3600000);
    s_notice ("P1", "assign", "overdue", "city:140100", "red");
    s_notice ("P3", "assign", "overdue", "city:140100", "red");
    s_notice ("P4", "assign", "overdue", "city:140200", "red");
    /* out of scope, then the assignments (P2 before its deadline, by its work group) */
    free (stack_ctl (H, 1, "--as", "city:140200", "problem", "assign", "P1", "--to", "dept:gxt", NULL));
    free (stack_ctl (H, 1, "--as", "city:140100", "problem", "assign", "P1", "--to", "dept:nosuch", NULL));
    CTL_OK ("--as", "city:140100", "problem", "assign", "P1", "--to", "dept:gxt");
    CTL_OK ("--as", "city:140100", "problem", "assign", "P3", "--to", "city:140100");
    free (stack_ctl (H, 1, "--as", "city:140100", "problem", "assign", "P1", "--to", "dept:gxt", NULL));  /* twice */
    s_deadline ("P1", "assign", "late");
    s_deadline ("P3", "assign", "late");
    s_notice ("P1", "progress", "remind-3d", "dept:gxt", "yellow");
    /* the work group hands P2 to the enterprise: on time, since its clock still reads day 0 */
    s_clock_of ("problems", 3600000);
    CTL_OK ("--as", "group:G2", "problem", "assign", "P2");
    s_deadline ("P2", "assign", "done");
    s_clock_of ("problems", DAY_MS + 3600000 + 60000);

    /* the handler must accept before reporting; the enterprise's own is not accepted */
    free (stack_ctl (H, 1, "--as", "dept:gxt", "problem", "progress", "P1", "--note", "已对接", NULL));
    free (stack_ctl (H, 1, "--as", "dept:kjt", "problem", "accept", "P1", NULL));
    free (stack_ctl (H, 1, "--as", ent2, "problem", "accept", "P2", NULL));
    CTL_OK ("--as", "dept:gxt", "problem", "accept", "P1");
    CTL_OK ("--as", "city:140100", "problem", "accept", "P3");
    CTL_OK ("--as", "dept:gxt", "problem", "progress", "P1", "--note", "已对接省级技改专项");
    s_deadline ("P1", "progress", "done");
    free (stack_ctl (H, 1, "--as", "dept:gxt", "problem", "plan", "P1", "--plan", "x", "--date", "2026-05-01", NULL));

    /* day 4 + 2 h: progress of P2 and P3 overdue, not P1's */
    s_clock (4 * DAY_MS + 2 * 3600000);
    s_notice ("P2", "progress", "overdue", "group:G2", "red");
    s_notice ("P3", "progress", "overdue", "city:140100", "red");
    assert_int_equal (s_exists ("{14}:notice:dl:ext:problem:%s:%s#%s", "P1", "progress", "overdue"), 0);

    /* day 6 + 2 h: the heads hear of P2 and P3; P1's week: three days left or less, yellow */
    s_clock (6 * DAY_MS + 2 * 3600000);
    s_notice ("P2", "progress", "escalate-head", "group:G2", "red");
    s_notice ("P3", "progress", "escalate-head", "city:140100", "red");
    s_notice ("P1", "solve", "remind-3d", "dept:gxt", "yellow");
    s_notice ("P4", "assign", "escalate-province", "province", "red");
    /* the city files a plan for P3 (also its first report); the enterprise reports on P2 */
    CTL_OK ("--as", "city:140100", "problem", "plan", "P3", "--plan", "分两期办理用地手续",
            "--date", "2026-04-21T09:00:00");
    s_deadline ("P3", "progress", "late");
    s_deadline ("P3", "solve", "done");
    CTL_OK ("--as", ent2, "problem", "progress", "P2", "--note", "已与高校签订人才合作协议");
    s_deadline ("P2", "progress", "late");

    /* day 9 + 2 h: P1's week is over */
    s_clock (9 * DAY_MS + 2 * 3600000);
    s_notice ("P1", "solve", "overdue", "dept:gxt", "red");
    CTL_OK ("--as", "dept:gxt", "problem", "resolve", "P1", "--note", "专项资金已下达");
    s_deadline ("P1", "solve", "late");
    CTL_OK ("--as", "group:G2", "problem", "resolve", "P2", "--note", "研发团队已到岗");
    s_deadline ("P2", "solve", "done");
    CTL_OK ("--as", "group:G1", "problem", "close", "P1", "--note", "企业确认");
    free (stack_ctl (H, 1, "--as", "group:G1", "problem", "close", "P2", NULL));     /* not its group */

    /* day 21: the plan's date has passed; day 25 + 1 h: the province hears of it */
    s_clock (20 * DAY_MS + 3600000);
    s_notice ("P3", "plan", "overdue", "city:140100", "red");
    s_clock (25 * DAY_MS + 3600000);
    s_notice ("P3", "plan", "escalate-province", "province", "red");
    CTL_OK ("--as", "city:140100", "problem", "resolve", "P3", "--note", "用地手续办结");
    s_deadline ("P3", "plan", "late");

    /* the list: open ones, the most urgent first */
    text = stack_json (H, "problem", "list", "--open", "--json", NULL);
    char *only = inv_json_get (text, "problems[0].id");
    assert_string_equal (only, "P4");
    assert_int_equal (inv_json_length (text, "problems"), 1);
    free (only);
    free (text);
    text = stack_ctl (H, 0, "problem", "list", "--handler", "dept:gxt", NULL);
    assert_non_null (strstr (text, "P1"));
    assert_non_null (strstr (text, "已销号"));
    free (text);

    /* figures against the test's own count: days from raising to solving, rounded up */
    expect_t expect [] = {
        { "P1", { "province", "city:140100", "dept:gxt", "group:G1", "handler:dept:gxt" },
          false, false, true, false, false, 10 },
        { "P2", { "province", "city:140200", "dept:kjt", "group:G2", NULL }, false, true, false, true, false, 10 },
        { "P3", { "province", "city:140100", "dept:gxt", "handler:city:140100", NULL },
          false, true, false, false, false, 26 },
        { "P4", { "province", "city:140200", "dept:kjt", NULL }, true, false, false, false, true, 0 },
    };
    const char *scopes [] = { "province", "city:140100", "city:140200", "dept:gxt", "dept:kjt",
                              "group:G1", "group:G2", "handler:dept:gxt", "handler:city:140100" };
    for (size_t i = 0; i < sizeof scopes / sizeof scopes [0]; i++)
        s_check_figures (scopes [i], expect, 4);
    text = stack_json (H, "problem", "figures", "--scope", "all", "--json", NULL);
    assert_int_equal (inv_json_length (text, "rows"), 10);      /* the nine above and handler:ent:<E2> */
    free (text);
    text = stack_ctl (H, 0, "problem", "figures", "--scope", "all", NULL);
    assert_non_null (strstr (text, "办结天数中位数"));
    free (text);
}

/* ---- start and stop ----------------------------------------------------------------- */

static void
test_start_stop (void **state)
{
    (void) state;
    char *text = stack_json (H, "problem", "raise", "--enterprise", E1, "--category", "market",
                            "--description", "市场开拓", "--json", NULL);
    char *id = inv_json_get (text, "problem.id");
    assert_non_null (id);
    free (text);
    assert_int_equal (harness_kill (H, P_PROBLEMS, SIGTERM), 0);
    P_PROBLEMS = -1;
    /* the rest keeps running */
    CTL_OK ("enterprise", "get", E1);
    CTL_OK ("--as", "city:140100", "notices", "unread");
    text = stack_ctl (H, 3, "problem", "get", id, NULL);
    assert_non_null (strstr (text, "503"));
    free (text);
    P_PROBLEMS = harness_start_service (H, "problems");
    assert_true (P_PROBLEMS > 0);
    text = stack_ctl (H, 0, "problem", "list", "--city", "140100", NULL);
    assert_non_null (strstr (text, "市场"));
    free (text);
    text = stack_ctl (H, 0, "problem", "get", id, NULL);
    assert_non_null (strstr (text, "市场开拓"));
    free (text);
    free (id);

    /* without the registry a problem cannot be raised (503, exit 3); reads still work */
    assert_int_equal (harness_kill (H, P_REGISTRY, SIGTERM), 0);
    text = stack_ctl (H, 3, "problem", "raise", "--enterprise", E1, "--category", "market",
                      "--description", "x", NULL);
    assert_non_null (strstr (text, "registry unavailable"));
    free (text);
    CTL_OK ("problem", "list");
    P_REGISTRY = harness_start_service (H, "registry");
    assert_true (P_REGISTRY > 0);
    CTL_OK ("problem", "raise", "--enterprise", E1, "--category", "market", "--description", "市场开拓二期");
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_ladder),
        cmocka_unit_test (test_start_stop),
    };
    return cmocka_run_group_tests (tests, setup, teardown);
}
