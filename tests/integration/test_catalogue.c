/*  test_catalogue: a campaign year of the catalogue through the real broker, registry,
    catalogue and notify, with innovctl where a person would type and MDP clients
    (each acting as its principal) for the bulk: 120 enterprises loaded into the
    registry; the key-technology directory drafted, published on 1 March and adjusted
    twice (an amendment on 15 April, a withdrawal on 1 June); 120 applications, each by
    its enterprise; all reviewed; 100 selected and the 101st refused by the quota with
    the quota named; the directory read back as of 1 April (before the amendment) and
    the difference between April and July; a policy menu against hand-computed
    expectations; exports in CSV and XLSX; figures. Milestones: two selected projects
    have a milestone due 30 June; one reports progress in time, the other does not, and
    when the clock passes the due date notify (unchanged) sends the overdue notice to
    the late enterprise only. The clock of every service moves with admin.clock.set. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <czmq.h>
#include "harness.h"
#include "inv_clock.h"
#include "inv_json.h"
#include "inv_rpc.h"
#include "inv_valid.h"
#include "registry.pb-c.h"
#include "catalogue.pb-c.h"
#include "figures.pb-c.h"
#include "notify.pb-c.h"
#include "pairing.pb-c.h"

#define ENTERPRISES 120
static harness_t *H;

static int
s_stack_up (void **state)
{
    (void) state;
    H = harness_new ();
    if (!H)
        return -1;
    harness_setenv (H, "INNOV_TEST_MODE", "1");
    harness_setenv (H, "INNOV_CLOCK", "2026-02-01T09:00:00");
    if (harness_start_redis (H) < 0 || harness_start_broker (H) < 0 || harness_start_service (H, "registry") < 0
    ||  harness_start_service (H, "catalogue") < 0 || harness_start_service (H, "notify") < 0)
        return -1;
    return 0;
}

static int
s_stack_down (void **state)
{
    (void) state;
    harness_destroy (&H);
    inv_clock_reset ();
    return 0;
}

/* ---- requests ------------------------------------------------------------------------------ */

static int
s_rpc (const char *as, const char *service, const char *method, const ProtobufCMessage *req,
       const ProtobufCMessageDescriptor *desc, ProtobufCMessage **reply, char *message)
{
    mdp_client_t *client = mdp_client_new (harness_broker (H), as);
    assert_non_null (client);
    mdp_client_set_timeout (client, 8000);
    mdp_client_set_retries (client, 1);
    Innov__Status *status = NULL;
    int code = inv_rpc_call (client, service, method, req, desc, reply, &status);
    if (message)
        snprintf (message, 512, "%s", status && status->message? status->message: "");
    if (status)
        innov__status__free_unpacked (status, NULL);
    mdp_client_destroy (&client);
    return code;
}

static void
s_ok (const char *as, const char *service, const char *method, const ProtobufCMessage *req,
      const ProtobufCMessageDescriptor *desc, ProtobufCMessage **reply)
{
    char message [512];
    ProtobufCMessage *r = NULL;
    int code = s_rpc (as, service, method, req, desc, &r, message);
    if (code != 200)
        fail_msg ("%s as %s: %d %s", method, as, code, message);
    if (reply)
        *reply = r;
    else
    if (r)
        protobuf_c_message_free_unpacked (r, NULL);
}

/* Move the clock of the test and of every service. */
static void
s_clock (const char *when)
{
    inv_clock_set_ms (inv_clock_parse (when));
    const char *services [] = { "registry", "catalogue", "notify" };
    for (int i = 0; i < 3; i++) {
        mdp_client_t *client = mdp_client_new (harness_broker (H), "province");
        mdp_client_set_timeout (client, 5000);
        zmsg_t *body = zmsg_new ();
        zmsg_addstr (body, "admin.clock.set");
        zmsg_addstr (body, when);
        zmsg_t *reply = mdp_client_request (client, services [i], &body, NULL);
        assert_non_null (reply);
        zframe_t *frame = zmsg_first (reply);
        Innov__Status *status = innov__status__unpack (NULL, zframe_size (frame), zframe_data (frame));
        assert_non_null (status);
        if (status->code != 200)
            fail_msg ("admin.clock.set %s on %s: %d %s", when, services [i], status->code, status->message);
        innov__status__free_unpacked (status, NULL);
        zmsg_destroy (&reply);
        mdp_client_destroy (&client);
    }
}

/* innovctl; asserts the exit code; returns stdout + stderr (malloc'd). */
static char *
s_ctl (int expect, const char *arg, ...)
{
    const char *args [24] = { arg };
    va_list ap;
    va_start (ap, arg);
    int n = 1;
    while (n < 23 && (args [n] = va_arg (ap, const char *)))
        n++;
    va_end (ap);
    args [n] = NULL;
    char *out = NULL, *err = NULL;
    int rc = harness_ctl (H, &out, &err, args [0], args [1], args [2], args [3], args [4], args [5],
                          args [6], args [7], args [8], args [9], args [10], args [11], args [12],
                          args [13], args [14], args [15], args [16], args [17], args [18], args [19],
                          args [20], args [21], args [22], NULL);
    if (rc != expect)
        fail_msg ("innovctl %s %s %s: exit %d, expected %d: %s%s", args [0], args [1]? args [1]: "",
                  args [2] && args [1]? args [2]: "", rc, expect, out? out: "", err? err: "");
    char *joined = zsys_sprintf ("%s%s", out? out: "", err? err: "");
    free (out);
    free (err);
    return joined;
}

static void
s_expect (int expect, const char *needle, const char *arg, ...)
{
    const char *args [20] = { arg };
    va_list ap;
    va_start (ap, arg);
    int n = 1;
    while (n < 19 && (args [n] = va_arg (ap, const char *)))
        n++;
    va_end (ap);
    args [n] = NULL;
    char *text = s_ctl (expect, args [0], args [1], args [2], args [3], args [4], args [5], args [6], args [7],
                        args [8], args [9], args [10], args [11], args [12], args [13], args [14], args [15],
                        args [16], args [17], args [18], NULL);
    if (needle && !strstr (text, needle))
        fail_msg ("\"%s\" not in: %s", needle, text);
    free (text);
}

/* ---- the year -------------------------------------------------------------------------------- */

static char s_codes [ENTERPRISES][19];

/* Enterprise i: Taiyuan (even) or Datong (odd); industry 33xx for i % 3 == 0, else 26xx;
   revenue 1000 * (i + 1) (10k yuan); an R&D institution when i % 4 == 0. */
static void
s_load_enterprises (void)
{
    for (int i = 0; i < ENTERPRISES; i++) {
        char first17 [24];
        snprintf (first17, sizeof first17, "91140100MA%07d", 5000 + i);
        assert_true (inv_credit_code_complete (first17, s_codes [i]));
        Innov__Enterprise e = INNOV__ENTERPRISE__INIT;
        char name [64];
        snprintf (name, sizeof name, "目录测试制造有限公司%03d", i);
        e.credit_code = s_codes [i];
        e.name = name;
        e.county = (char *) (i % 2 == 0? "140105": "140212");
        e.industry = (char *) (i % 3 == 0? "3311": "2614");
        e.department = (char *) "gxt";
        e.operating_revenue = 1000.0 * (i + 1);
        e.has_rd_institution = i % 4 == 0;
        Innov__AddEnterpriseRequest req = INNOV__ADD_ENTERPRISE_REQUEST__INIT;
        req.enterprise = &e;
        s_ok ("province", "registry", "enterprise.add", &req.base, NULL, NULL);
    }
}

/* Enterprise i applies for itself along tech; the milestone is due on `due`. */
static void
s_apply (int i, const char *tech, const char *due, char *id)
{
    Innov__Project p = INNOV__PROJECT__INIT;
    char name [64], as [40];
    snprintf (name, sizeof name, "关键技术攻关项目%03d", i);
    snprintf (as, sizeof as, "ent:%.18s", s_codes [i]);
    p.credit_code = s_codes [i];
    p.name = name;
    p.kind = i % 2? INNOV__PROJECT_KIND__KEY_INNOVATION: INNOV__PROJECT_KIND__MAJOR_TRANSFORMATION;
    p.tech_id = (char *) tech;
    p.chain_action = 1 + i % 5;
    p.budget = 500 + i;
    Innov__ProjectMilestoneInput m = INNOV__PROJECT_MILESTONE_INPUT__INIT, *ms [] = { &m };
    m.title = (char *) "完成中试";
    m.due = (char *) due;
    Innov__ApplyProjectRequest req = INNOV__APPLY_PROJECT_REQUEST__INIT;
    req.project = &p;
    req.milestones = ms;
    req.n_milestones = 1;
    ProtobufCMessage *reply = NULL;
    s_ok (as, "catalogue", "project.apply", &req.base, &innov__project_reply__descriptor, &reply);
    strcpy (id, ((Innov__ProjectReply *) reply)->project->id);
    protobuf_c_message_free_unpacked (reply, NULL);
}

static int
s_advance (const char *id, const char *to, char *message)
{
    Innov__AdvanceProjectRequest req = INNOV__ADVANCE_PROJECT_REQUEST__INIT;
    req.id = (char *) id;
    req.to = (char *) to;
    return s_rpc ("province", "catalogue", "project.advance", &req.base, &innov__project_reply__descriptor, NULL,
                  message);
}

/* innovctl with --json: its stdout only (asserts exit 0). */
static char *
s_json (const char *arg, ...)
{
    const char *args [16] = { arg };
    va_list ap;
    va_start (ap, arg);
    int n = 1;
    while (n < 15 && (args [n] = va_arg (ap, const char *)))
        n++;
    va_end (ap);
    args [n] = NULL;
    char *out = NULL, *err = NULL;
    int rc = harness_ctl (H, &out, &err, args [0], args [1], args [2], args [3], args [4], args [5], args [6],
                          args [7], args [8], args [9], args [10], args [11], args [12], args [13], args [14], NULL);
    if (rc != 0)
        fail_msg ("innovctl %s %s: exit %d: %s%s", args [0], args [1], rc, out? out: "", err? err: "");
    free (err);
    return out;
}

/* The notices of an inbox (as the province) as JSON text. */
static char *
s_notices (const char *agency)
{
    return s_json ("notices", "list", "--agency", agency, "--json", NULL);
}

static void
test_walk_a_year (void **state)
{
    (void) state;
    s_load_enterprises ();

    /* the directory: three draft entries, published on 1 March */
    s_expect (0, "T2026-001", "tech", "add", "--name", "氢燃料电池电堆", "--sector", "green_energy",
              "--proposer-kind", "university", "--proposer", "太原理工大学", "--industries", "3311", NULL);
    s_expect (0, "T2026-002", "tech", "add", "--name", "光伏异质结电池", "--sector", "green_energy",
              "--proposer-kind", "enterprise", "--proposer", "晋能科技", "--clusters", "光伏", NULL);
    s_expect (0, "T2026-003", "tech", "add", "--name", "工业互联网平台", "--sector", "digital_industry",
              "--proposer-kind", "city", "--proposer", "太原市", NULL);
    s_expect (1, "403", "--as", "city:140100", "tech", "publish", "--year", "2026", NULL);
    s_clock ("2026-03-01T10:00:00");
    s_expect (0, "已发布", "tech", "publish", "--year", "2026", NULL);
    s_expect (1, "entry.reason: is required", "tech", "amend", "T2026-001", "--name", "氢燃料电池电堆及膜电极", NULL);

    /* adjustment 1 on 15 April, adjustment 2 on 1 June */
    s_clock ("2026-04-15T10:00:00");
    s_expect (0, "氢燃料电池电堆及膜电极", "tech", "amend", "T2026-001", "--name", "氢燃料电池电堆及膜电极",
              "--reason", "技术路线扩展到膜电极", NULL);
    s_clock ("2026-05-01T09:00:00");

    /* 120 applications, each by its enterprise; two with a milestone due 30 June */
    char ids [ENTERPRISES][32];
    for (int i = 0; i < ENTERPRISES; i++)
        s_apply (i, i % 2? "T2026-002": "T2026-001", i == 0 || i == 1? "2026-06-30": "2026-12-31", ids [i]);
    assert_string_equal (ids [119], "P2026-0120");
    /* not for another enterprise; not along a withdrawn technology */
    char as [40];
    snprintf (as, sizeof as, "ent:%.18s", s_codes [1]);
    s_expect (1, "403", "--as", as, "project", "apply", "--code", s_codes [0], "--name", "冒名", "--kind",
              "innovation", "--tech", "T2026-001", "--chain", "fill", "--budget", "10", "--milestones",
              "中试@2026-09-30", NULL);
    s_clock ("2026-06-01T09:00:00");
    s_expect (0, "已撤出", "tech", "withdraw", "T2026-003", "--reason", "已纳入国家目录", NULL);
    snprintf (as, sizeof as, "ent:%.18s", s_codes [5]);
    s_expect (1, "project.tech_id: T2026-003 was withdrawn", "--as", as, "project", "apply", "--code", s_codes [5],
              "--name", "平台项目", "--kind", "innovation", "--tech", "T2026-003", "--chain", "build", "--budget",
              "10", "--milestones", "上线@2026-09-30", NULL);

    /* review all, select 100; the 101st is refused by the quota */
    s_clock ("2026-06-10T09:00:00");
    s_expect (1, "403", "--as", "city:140100", "project", "review", ids [0], NULL);
    char message [512];
    for (int i = 0; i < ENTERPRISES; i++)
        assert_int_equal (s_advance (ids [i], "under_review", message), 200);
    for (int i = 0; i < 100; i++)
        if (s_advance (ids [i], "selected", message) != 200)
            fail_msg ("select %s: %s", ids [i], message);
    s_expect (1, "quota reached: the 2026 plan selects at most 100 projects and 100 are already selected",
              "project", "select", ids [100], NULL);
    assert_int_equal (s_advance (ids [101], "selected", message), 409);
    s_expect (0, "名额 100, 已入选 100, 已申报 120", "project", "quota", "--year", "2026", NULL);
    s_expect (0, "未入选", "project", "reject", ids [100], "--reason", "名额已满", NULL);
    char *out = s_json ("project", "list", "--year", "2026", "--state", "selected", "--json", NULL);
    assert_int_equal (inv_json_length (out, "projects"), 100);
    free (out);

    /* the directory as of 1 April (before the amendment), now, and the difference */
    out = s_json ("tech", "list", "--year", "2026", "--as-of", "2026-04-01", "--json", NULL);
    assert_int_equal (inv_json_length (out, "entries"), 3);
    char *name = inv_json_get (out, "entries[0].name");
    assert_string_equal (name, "氢燃料电池电堆");
    free (name);
    free (out);
    out = s_json ("tech", "list", "--year", "2026", "--json", NULL);
    assert_int_equal (inv_json_length (out, "entries"), 2);
    name = inv_json_get (out, "entries[0].name");
    assert_string_equal (name, "氢燃料电池电堆及膜电极");
    free (name);
    free (out);
    s_expect (1, "not yet published as of", "tech", "list", "--year", "2026", "--as-of", "2026-02-15", NULL);
    out = s_json ("tech", "diff", "--year", "2026", "--from", "2026-04-01", "--to", "2026-07-01", "--json", NULL);
    assert_int_equal (inv_json_length (out, "changes"), 2);
    char *kind = inv_json_get (out, "changes[0].kind"), *reason = inv_json_get (out, "changes[0].adjustments[0].reason");
    assert_string_equal (kind, "amended");
    assert_string_equal (reason, "技术路线扩展到膜电极");
    free (kind);
    free (reason);
    kind = inv_json_get (out, "changes[1].kind");
    assert_string_equal (kind, "withdrawn");
    free (kind);
    free (out);
    s_expect (0, "修改", "tech", "diff", "--year", "2026", "--from", "2026-04-01", "--to", "2026-07-01", NULL);

    /* exports */
    char csv [512], xlsx [512];
    snprintf (csv, sizeof csv, "%s/入选项目.csv", harness_dir (H));
    snprintf (xlsx, sizeof xlsx, "%s/目录.xlsx", harness_dir (H));
    s_expect (0, "100 rows (CSV", "project", "list", "--state", "selected", "--out", csv, NULL);
    s_expect (0, "2 rows (XLSX", "tech", "list", "--out", xlsx, NULL);
    FILE *file = fopen (csv, "r");
    assert_non_null (file);
    char line [4096];
    int lines = 0;
    bool header = false;
    while (fgets (line, sizeof line, file))
        if (lines++ == 0)
            header = strstr (line, "项目编号") && strstr (line, "统一社会信用代码");
    fclose (file);
    assert_true (header);
    assert_int_equal (lines, 101);
    file = fopen (xlsx, "rb");
    assert_non_null (file);
    assert_true (fread (line, 1, 2, file) == 2 && line [0] == 'P' && line [1] == 'K');
    fclose (file);

    /* figures */
    Innov__FiguresRequest fr = INNOV__FIGURES_REQUEST__INIT;
    fr.scope = (char *) "province";
    ProtobufCMessage *reply = NULL;
    s_ok ("service:report", "catalogue", "figures.get", &fr.base, &innov__figures_reply__descriptor, &reply);
    Innov__FiguresReply *figs = (Innov__FiguresReply *) reply;
    int checked = 0;
    for (size_t i = 0; i < figs->rows [0]->n_figures; i++) {
        const Innov__Figure *f = figs->rows [0]->figures [i];
        if (streq (f->name, "projects.applied") && ++checked)
            assert_true (f->value == 120);
        if (streq (f->name, "projects.selected") && ++checked)
            assert_true (f->value == 100);
        if (streq (f->name, "tech.active") && ++checked)
            assert_true (f->value == 2);
    }
    assert_int_equal (checked, 3);
    protobuf_c_message_free_unpacked (reply, NULL);

    /* milestones: P-1 reports in time, P-2 does not; past 30 June notify tells P-2's enterprise */
    s_clock ("2026-06-20T09:00:00");
    snprintf (as, sizeof as, "ent:%.18s", s_codes [0]);
    s_expect (0, "最近报告", "--as", as, "project", "progress", ids [0], "--milestone", "1", "--text", "中试完成",
              "--done", NULL);
    s_clock ("2026-07-02T09:00:00");
    char late [40], on_time [40];
    snprintf (late, sizeof late, "ent:%.18s", s_codes [1]);
    snprintf (on_time, sizeof on_time, "ent:%.18s", s_codes [0]);
    char subject [64];
    snprintf (subject, sizeof subject, "milestone:%s:1", ids [1]);
    bool found = false;
    for (int attempt = 0; attempt < 200 && !found; attempt++) {
        out = s_notices (late);
        found = strstr (out, subject) && strstr (out, "overdue");
        free (out);
        if (!found)
            zclock_sleep (50);
    }
    assert_true (found);
    out = s_notices (on_time);
    assert_null (strstr (out, "overdue"));
    free (out);
}

/* A policy menu of an explicit list, checked against what the rules give by hand. */
static void
test_policy_menu (void **state)
{
    (void) state;
    /* s_codes [0]: Taiyuan, 3311, revenue 1000, R&D institution
       s_codes [3]: Datong, 3311, revenue 4000, no R&D institution
       s_codes [8]: Taiyuan, 2614, revenue 9000, R&D institution */
    s_expect (0, "POL2026-001", "policy", "add", "--title", "研发费用加计扣除", "--level", "central", NULL);
    s_expect (0, "POL2026-002", "--as", "dept:gxt", "policy", "add", "--title", "首台套保险补偿", "--level",
              "provincial", "--industries", "33,34", NULL);
    s_expect (0, "POL2026-003", "policy", "add", "--title", "研发机构建设补助", "--level", "provincial",
              "--rd-institution", "no", "--min-revenue", "2000", NULL);
    s_expect (0, "POL2026-004", "--as", "city:140100", "policy", "add", "--title", "太原规上企业奖励", "--level",
              "city", "--city", "140100", "--min-revenue", "5000", NULL);
    s_expect (1, "403", "--as", "city:140100", "policy", "add", "--title", "越权", "--level", "city", "--city",
              "140200", NULL);
    char codes [80];
    snprintf (codes, sizeof codes, "%s,%s,%s", s_codes [0], s_codes [3], s_codes [8]);
    char *out = s_json ("policy", "menu", "--codes", codes, "--json", NULL);
    /* POL1: all three; POL2: [0] [3]; POL3: [3]; POL4: [8] */
    assert_int_equal (inv_json_length (out, "items"), 4);
    const char *expect [][4] = { { "2026-001", s_codes [0], s_codes [3], s_codes [8] },
                                 { "2026-002", s_codes [0], s_codes [3], NULL },
                                 { "2026-003", s_codes [3], NULL, NULL },
                                 { "2026-004", s_codes [8], NULL, NULL } };
    for (int i = 0; i < 4; i++) {
        char path [64];
        snprintf (path, sizeof path, "items[%d].policy.id", i);
        char *id = inv_json_get (out, path);
        assert_non_null (strstr (id, expect [i][0]));
        free (id);
        int fits = 0;
        for (int k = 1; k < 4 && expect [i][k]; k++, fits++) {
            snprintf (path, sizeof path, "items[%d].fits[%d].creditCode", i, k - 1);
            char *code = inv_json_get (out, path);
            assert_string_equal (code, expect [i][k]);
            free (code);
        }
        snprintf (path, sizeof path, "items[%d].fits", i);
        assert_int_equal (inv_json_length (out, path), fits);
    }
    char *why = inv_json_get (out, "items[2].fits[0].reasons[0]");
    assert_string_equal (why, "营业收入 4000 万元 ≥ 2000 万元");
    free (why);
    why = inv_json_get (out, "items[2].fits[0].reasons[1]");
    assert_string_equal (why, "尚无研发机构");
    free (why);
    free (out);
    s_expect (0, "属太原市 (市级政策)", "policy", "menu", "--codes", codes, NULL);
    /* the work group's menu needs the pairing service: without it the answer names it */
    s_expect (3, "pairing", "policy", "menu", "--group", "G-1", NULL);
}

/* The same menu through a real work group of the pairing service serving the same three
   enterprises (skipped when the pairing service is not built). */
static void
test_policy_menu_of_a_work_group (void **state)
{
    (void) state;
    if (access (harness_bin ("pairing"), X_OK) != 0 || harness_start_service (H, "pairing") < 0)
        skip ();
    Innov__WorkGroup g = INNOV__WORK_GROUP__INIT;
    g.name = (char *) "省工信厅高端装备工作专班";
    g.owner = (char *) "dept:gxt";
    Innov__AddGroupRequest add = INNOV__ADD_GROUP_REQUEST__INIT;
    add.group = &g;
    ProtobufCMessage *reply = NULL;
    s_ok ("province", "pairing", "group.add", &add.base, &innov__group_reply__descriptor, &reply);
    char id [64];
    snprintf (id, sizeof id, "%s", ((Innov__GroupReply *) reply)->group->id);
    protobuf_c_message_free_unpacked (reply, NULL);
    char *codes [] = { s_codes [0], s_codes [3], s_codes [8] };
    Innov__GroupEnterprisesRequest assign = INNOV__GROUP_ENTERPRISES_REQUEST__INIT;
    assign.group_id = id;
    assign.enterprises = codes;
    assign.n_enterprises = 3;
    s_ok ("province", "pairing", "group.assign", &assign.base, &innov__group_reply__descriptor, NULL);
    char *out = s_json ("--as", "city:140100", "policy", "menu", "--group", id, "--json", NULL);
    assert_int_equal (inv_json_length (out, "enterprises"), 3);
    assert_int_equal (inv_json_length (out, "items"), 4);
    assert_int_equal (inv_json_length (out, "items[0].fits"), 3);
    assert_int_equal (inv_json_length (out, "items[1].fits"), 2);
    char *code = inv_json_get (out, "items[3].fits[0].creditCode");
    assert_string_equal (code, s_codes [8]);
    free (code);
    free (out);
    s_expect (1, "no work group", "policy", "menu", "--group", "G-does-not-exist", NULL);
}

/* Demonstrations and support records name registry enterprises. */
static void
test_demos_and_support (void **state)
{
    (void) state;
    char unknown [19];
    assert_true (inv_credit_code_complete ("91140100MA9999999", unknown));
    s_expect (1, "demo.credit_code: enterprise", "demo", "add", "--kind", "hydrogen", "--code", unknown,
              "--title", "示范", NULL);
    s_expect (0, "D2026-001", "demo", "add", "--kind", "smart_manufacturing", "--code", s_codes [2], "--title",
              "智能工厂", "--experience", "数字孪生排产", "--adopters", s_codes [4], NULL);
    s_expect (0, "智能工厂", "demo", "list", NULL);
    s_expect (1, "record.credit_code: enterprise", "support", "add", "--kind", "first_unit", "--code", unknown,
              "--product", "采煤机", NULL);
    s_expect (0, "首台套", "support", "add", "--kind", "first_unit", "--code", s_codes [2], "--product",
              "智能采煤机", NULL);
    s_expect (0, "智能采煤机", "support", "list", "--kind", "first_unit", NULL);
    s_expect (0, "usage: innovctl support add", "support", "help", NULL);
    s_expect (2, "unknown sub-command", "tech", "frobnicate", NULL);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_walk_a_year),
        cmocka_unit_test (test_policy_menu),
        cmocka_unit_test (test_policy_menu_of_a_work_group),
        cmocka_unit_test (test_demos_and_support),
    };
    return cmocka_run_group_tests (tests, s_stack_up, s_stack_down);
}
