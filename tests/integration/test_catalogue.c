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
#include "stack.h"
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
    H = stack_new ("INNOV_TEST_MODE=1 INNOV_CLOCK=2026-02-01T09:00:00",
                   "redis", "broker", "registry", "catalogue", "notify", NULL);
    return H? 0: -1;
}

static int
s_stack_down (void **state)
{
    (void) state;
    harness_destroy (&H);
    inv_clock_reset ();
    return 0;
}

/* Move the clock of the test and of every service. */
static void
s_clock (const char *when)
{
    stack_clock (H, when, "registry", "catalogue", "notify", NULL);
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
        stack_ok (H, "province", "registry", "enterprise.add", &req.base, NULL, NULL);
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
    stack_ok (H, as, "catalogue", "project.apply", &req.base, &innov__project_reply__descriptor, &reply);
    strcpy (id, ((Innov__ProjectReply *) reply)->project->id);
    protobuf_c_message_free_unpacked (reply, NULL);
}

static int
s_advance (const char *id, const char *to, char *message)
{
    Innov__AdvanceProjectRequest req = INNOV__ADVANCE_PROJECT_REQUEST__INIT;
    req.id = (char *) id;
    req.to = (char *) to;
    Innov__Status *status = NULL;
    int code = stack_rpc (H, "province", "catalogue", "project.advance", &req.base,
                          &innov__project_reply__descriptor, NULL, &status);
    snprintf (message, 512, "%s", status && status->message? status->message: "");
    if (status)
        innov__status__free_unpacked (status, NULL);
    return code;
}

/* The notices of an inbox (as the province) as JSON text. */
static char *
s_notices (const char *agency)
{
    return stack_json (H, "notices", "list", "--agency", agency, "--json", NULL);
}

static void
test_walk_a_year (void **state)
{
    (void) state;
    s_load_enterprises ();

    /* the directory: three draft entries, published on 1 March */
    stack_expect (H, 0, "T2026-001", "tech", "add", "--name", "氢燃料电池电堆", "--sector", "green_energy",
                  "--proposer-kind", "university", "--proposer", "太原理工大学", "--industries", "3311", NULL);
    stack_expect (H, 0, "T2026-002", "tech", "add", "--name", "光伏异质结电池", "--sector", "green_energy",
                  "--proposer-kind", "enterprise", "--proposer", "晋能科技", "--clusters", "光伏", NULL);
    stack_expect (H, 0, "T2026-003", "tech", "add", "--name", "工业互联网平台", "--sector", "digital_industry",
                  "--proposer-kind", "city", "--proposer", "太原市", NULL);
    stack_expect (H, 1, "403", "--as", "city:140100", "tech", "publish", "--year", "2026", NULL);
    s_clock ("2026-03-01T10:00:00");
    stack_expect (H, 0, "已发布", "tech", "publish", "--year", "2026", NULL);
    stack_expect (H, 1, "entry.reason: is required", "tech", "amend", "T2026-001", "--name", "氢燃料电池电堆及膜电极", NULL);

    /* adjustment 1 on 15 April, adjustment 2 on 1 June */
    s_clock ("2026-04-15T10:00:00");
    stack_expect (H, 0, "氢燃料电池电堆及膜电极", "tech", "amend", "T2026-001", "--name", "氢燃料电池电堆及膜电极",
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
    stack_expect (H, 1, "403", "--as", as, "project", "apply", "--code", s_codes [0], "--name", "冒名", "--kind",
                  "innovation", "--tech", "T2026-001", "--chain", "fill", "--budget", "10", "--milestones",
                  "中试@2026-09-30", NULL);
    s_clock ("2026-06-01T09:00:00");
    stack_expect (H, 0, "已撤出", "tech", "withdraw", "T2026-003", "--reason", "已纳入国家目录", NULL);
    snprintf (as, sizeof as, "ent:%.18s", s_codes [5]);
    stack_expect (H, 1, "project.tech_id: T2026-003 was withdrawn", "--as", as, "project", "apply", "--code", s_codes [5],
                  "--name", "平台项目", "--kind", "innovation", "--tech", "T2026-003", "--chain", "build", "--budget",
                  "10", "--milestones", "上线@2026-09-30", NULL);

    /* review all, select 100; the 101st is refused by the quota */
    s_clock ("2026-06-10T09:00:00");
    stack_expect (H, 1, "403", "--as", "city:140100", "project", "review", ids [0], NULL);
    char message [512];
    for (int i = 0; i < ENTERPRISES; i++)
        assert_int_equal (s_advance (ids [i], "under_review", message), 200);
    for (int i = 0; i < 100; i++)
        if (s_advance (ids [i], "selected", message) != 200)
            fail_msg ("select %s: %s", ids [i], message);
    stack_expect (H, 1, "quota reached: the 2026 plan selects at most 100 projects and 100 are already selected",
                  "project", "select", ids [100], NULL);
    assert_int_equal (s_advance (ids [101], "selected", message), 409);
    stack_expect (H, 0, "名额 100, 已入选 100, 已申报 120", "project", "quota", "--year", "2026", NULL);
    stack_expect (H, 0, "未入选", "project", "reject", ids [100], "--reason", "名额已满", NULL);
    char *out = stack_json (H, "project", "list", "--year", "2026", "--state", "selected", "--json", NULL);
    assert_int_equal (inv_json_length (out, "projects"), 100);
    free (out);

    /* the directory as of 1 April (before the amendment), now, and the difference */
    out = stack_json (H, "tech", "list", "--year", "2026", "--as-of", "2026-04-01", "--json", NULL);
    assert_int_equal (inv_json_length (out, "entries"), 3);
    char *name = inv_json_get (out, "entries[0].name");
    assert_string_equal (name, "氢燃料电池电堆");
    free (name);
    free (out);
    out = stack_json (H, "tech", "list", "--year", "2026", "--json", NULL);
    assert_int_equal (inv_json_length (out, "entries"), 2);
    name = inv_json_get (out, "entries[0].name");
    assert_string_equal (name, "氢燃料电池电堆及膜电极");
    free (name);
    free (out);
    stack_expect (H, 1, "not yet published as of", "tech", "list", "--year", "2026", "--as-of", "2026-02-15", NULL);
    out = stack_json (H, "tech", "diff", "--year", "2026", "--from", "2026-04-01", "--to", "2026-07-01", "--json", NULL);
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
    stack_expect (H, 0, "修改", "tech", "diff", "--year", "2026", "--from", "2026-04-01", "--to", "2026-07-01", NULL);

    /* exports */
    char csv [512], xlsx [512];
    snprintf (csv, sizeof csv, "%s/入选项目.csv", harness_dir (H));
    snprintf (xlsx, sizeof xlsx, "%s/目录.xlsx", harness_dir (H));
    stack_expect (H, 0, "100 rows (CSV", "project", "list", "--state", "selected", "--out", csv, NULL);
    stack_expect (H, 0, "2 rows (XLSX", "tech", "list", "--out", xlsx, NULL);
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
    stack_ok (H, "service:report", "catalogue", "figures.get", &fr.base, &innov__figures_reply__descriptor, &reply);
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
    stack_expect (H, 0, "最近报告", "--as", as, "project", "progress", ids [0], "--milestone", "1", "--text", "中试完成",
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
    stack_expect (H, 0, "POL2026-001", "policy", "add", "--title", "研发费用加计扣除", "--level", "central", NULL);
    stack_expect (H, 0, "POL2026-002", "--as", "dept:gxt", "policy", "add", "--title", "首台套保险补偿", "--level",
                  "provincial", "--industries", "33,34", NULL);
    stack_expect (H, 0, "POL2026-003", "policy", "add", "--title", "研发机构建设补助", "--level", "provincial",
                  "--rd-institution", "no", "--min-revenue", "2000", NULL);
    stack_expect (H, 0, "POL2026-004", "--as", "city:140100", "policy", "add", "--title", "太原规上企业奖励", "--level",
                  "city", "--city", "140100", "--min-revenue", "5000", NULL);
    stack_expect (H, 1, "403", "--as", "city:140100", "policy", "add", "--title", "越权", "--level", "city", "--city",
                  "140200", NULL);
    char codes [80];
    snprintf (codes, sizeof codes, "%s,%s,%s", s_codes [0], s_codes [3], s_codes [8]);
    char *out = stack_json (H, "policy", "menu", "--codes", codes, "--json", NULL);
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
    stack_expect (H, 0, "属太原市 (市级政策)", "policy", "menu", "--codes", codes, NULL);
    /* the work group's menu needs the pairing service: without it the answer names it */
    stack_expect (H, 3, "pairing", "policy", "menu", "--group", "G-1", NULL);
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
    stack_ok (H, "province", "pairing", "group.add", &add.base, &innov__group_reply__descriptor, &reply);
    char id [64];
    snprintf (id, sizeof id, "%s", ((Innov__GroupReply *) reply)->group->id);
    protobuf_c_message_free_unpacked (reply, NULL);
    char *codes [] = { s_codes [0], s_codes [3], s_codes [8] };
    Innov__GroupEnterprisesRequest assign = INNOV__GROUP_ENTERPRISES_REQUEST__INIT;
    assign.group_id = id;
    assign.enterprises = codes;
    assign.n_enterprises = 3;
    stack_ok (H, "province", "pairing", "group.assign", &assign.base, &innov__group_reply__descriptor, NULL);
    char *out = stack_json (H, "--as", "city:140100", "policy", "menu", "--group", id, "--json", NULL);
    assert_int_equal (inv_json_length (out, "enterprises"), 3);
    assert_int_equal (inv_json_length (out, "items"), 4);
    assert_int_equal (inv_json_length (out, "items[0].fits"), 3);
    assert_int_equal (inv_json_length (out, "items[1].fits"), 2);
    char *code = inv_json_get (out, "items[3].fits[0].creditCode");
    assert_string_equal (code, s_codes [8]);
    free (code);
    free (out);
    stack_expect (H, 1, "no work group", "policy", "menu", "--group", "G-does-not-exist", NULL);
}

/* Demonstrations and support records name registry enterprises. */
static void
test_demos_and_support (void **state)
{
    (void) state;
    char unknown [19];
    assert_true (inv_credit_code_complete ("91140100MA9999999", unknown));
    stack_expect (H, 1, "demo.credit_code: enterprise", "demo", "add", "--kind", "hydrogen", "--code", unknown,
                  "--title", "示范", NULL);
    stack_expect (H, 0, "D2026-001", "demo", "add", "--kind", "smart_manufacturing", "--code", s_codes [2], "--title",
                  "智能工厂", "--experience", "数字孪生排产", "--adopters", s_codes [4], NULL);
    stack_expect (H, 0, "智能工厂", "demo", "list", NULL);
    stack_expect (H, 1, "record.credit_code: enterprise", "support", "add", "--kind", "first_unit", "--code", unknown,
                  "--product", "采煤机", NULL);
    stack_expect (H, 0, "首台套", "support", "add", "--kind", "first_unit", "--code", s_codes [2], "--product",
                  "智能采煤机", NULL);
    stack_expect (H, 0, "智能采煤机", "support", "list", "--kind", "first_unit", NULL);
    stack_expect (H, 0, "usage: innovctl support add", "support", "help", NULL);
    stack_expect (H, 2, "unknown sub-command", "tech", "frobnicate", NULL);
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
