/*  test_catalogue: the catalogue's handlers called directly (no sockets) against a real
    redis-server, with the registry's own handlers as the source of enterprises and a
    table as the source of work groups: the key-technology directory (drafts, the
    publication, adjustments with reasons, the directory as of a past date, the
    difference between two dates), projects (scope, the key technology check, the
    workflow, the quota in one script, milestone announcements and reports as events),
    the policy matching against hand-computed expectations and the menu of a work
    group, demonstrations and support records linked to the registry, figures. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include "registry_fixture.h"
#include "unit_call.h"
#include "../../services/catalogue/catalogue.h"
#include "catalogue.pb-c.h"
#include "figures.pb-c.h"
#include "notify.pb-c.h"
#include "inv_clock.h"
#include "inv_event.h"
#include "inv_valid.h"

static registry_fixture_t F;
static catalogue_t *C;

/* ---- sources: the registry's handler, and one work group ---------------------------- */

static int
s_enterprise_source (void *arg, const char *code, Innov__Enterprise **out, char *message)
{
    (void) arg;
    Innov__GetEnterpriseRequest req = INNOV__GET_ENTERPRISE_REQUEST__INIT;
    req.credit_code = (char *) code;
    inv_call_t call;
    inv_call_init (&call, F.registry, "service:catalogue", "enterprise.get", &req.base);
    registry_enterprise_get (F.registry, &call);
    int code_ = call.code? call.code: 200;
    if (code_ == 200) {
        Innov__EnterpriseReply *reply = (Innov__EnterpriseReply *) call.reply;
        size_t len;
        uint8_t *packed = inv_rpc_pack (&reply->enterprise->base, &len);
        *out = innov__enterprise__unpack (NULL, len, packed);
        free (packed);
    }
    else
        snprintf (message, 256, "%.200s", call.message);
    inv_call_clear (&call);
    return code_;
}

static char s_group_codes [8][19];
static size_t s_group_count;

static int
s_group_source (void *arg, const char *id, Innov__WorkGroup **out, char *message)
{
    (void) arg;
    if (!streq (id, "G-7")) {
        snprintf (message, 256, "no work group %s", id);
        return 404;
    }
    Innov__WorkGroup group = INNOV__WORK_GROUP__INIT;
    char *codes [8];
    for (size_t i = 0; i < s_group_count; i++)
        codes [i] = s_group_codes [i];
    group.id = (char *) id;
    group.enterprises = codes;
    group.n_enterprises = s_group_count;
    size_t len;
    uint8_t *packed = inv_rpc_pack (&group.base, &len);
    *out = innov__work_group__unpack (NULL, len, packed);
    free (packed);
    return 200;
}

static int
group_setup (void **state)
{
    (void) state;
    if (registry_fixture_setup (&F) || !(C = catalogue_new (&F.config)))
        return -1;
    catalogue_set_sources (C, s_enterprise_source, s_group_source, NULL);
    return 0;
}

static int
group_teardown (void **state)
{
    (void) state;
    catalogue_destroy (&C);
    inv_clock_reset ();
    return registry_fixture_teardown (&F);
}

static int
test_setup (void **state)
{
    (void) state;
    inv_clock_freeze (inv_clock_parse ("2026-02-01T09:00:00"));
    return registry_fixture_flush (&F);
}

/* ---- requests ------------------------------------------------------------------------ */

/* Run a handler; returns the code (200 for 0); the call is kept for inspection. */
static int
s_run (inv_call_t *call, inv_handler_fn *handler, const char *caller, const ProtobufCMessage *request)
{
    return unit_call (call, C, handler, caller, "test", request);
}

/* The same, the call cleared; returns the code. */
static int
s_code (inv_handler_fn *handler, const char *caller, const ProtobufCMessage *request)
{
    return unit_call_code (C, handler, caller, "test", request);
}

static const char *
s_county_of (const char *city)
{
    size_t count;
    const inv_division_t *all = inv_division_all (&count);
    for (size_t k = 0; k < count; k++)
        if (all [k].level == INV_DIV_COUNTY && streq (all [k].city, city))
            return all [k].code;
    fail_msg ("no county of %s", city);
    return NULL;
}

/* Enterprise n in the registry, with the attributes the policy tests need. */
static void
s_enterprise (int n, char *code, const char *city, const char *industry, const char *cluster, double revenue,
              bool rd_institution, bool rd_activity)
{
    registry_fixture_code (n, code);
    Innov__Enterprise e = INNOV__ENTERPRISE__INIT;
    char name [64];
    snprintf (name, sizeof name, "示例制造有限公司%d", n);
    e.credit_code = code;
    e.name = name;
    e.county = (char *) s_county_of (city);
    e.industry = (char *) industry;
    e.department = (char *) "gxt";
    e.cluster = (char *) cluster;
    e.operating_revenue = revenue;
    e.has_rd_institution = rd_institution;
    e.has_rd_activity = rd_activity;
    Innov__AddEnterpriseRequest req = INNOV__ADD_ENTERPRISE_REQUEST__INIT;
    req.enterprise = &e;
    inv_call_t call;
    inv_call_init (&call, F.registry, "province", "enterprise.add", &req.base);
    registry_enterprise_add (F.registry, &call);
    if (call.code && call.code != 200)
        fail_msg ("enterprise.add %s: %d %s", code, call.code, call.message);
    inv_call_clear (&call);
}

/* A tech entry added; its id into id. */
static void
s_tech (const char *name, int sector, const char *reason, char *id)
{
    Innov__TechEntry e = INNOV__TECH_ENTRY__INIT;
    e.name = (char *) name;
    e.sector = sector;
    e.proposer_kind = INNOV__PROPOSER_KIND__PROPOSER_UNIVERSITY;
    e.proposer = (char *) "太原理工大学";
    char *industries [] = { "3311" }, *clusters [] = { "半导体" };
    e.industries = industries;
    e.n_industries = 1;
    e.clusters = clusters;
    e.n_clusters = 1;
    e.reason = (char *) reason;
    Innov__TechWriteRequest req = INNOV__TECH_WRITE_REQUEST__INIT;
    req.entry = &e;
    inv_call_t call;
    assert_int_equal (s_run (&call, catalogue_tech_add, "province", &req.base), 200);
    Innov__TechReply *reply = (Innov__TechReply *) call.reply;
    strcpy (id, reply->entry->id);
    assert_string_equal (reply->entry->clusters [0], "semiconductor");
    inv_call_clear (&call);
}

static int
s_tech_change (inv_handler_fn *fn, const char *id, const char *name, const char *reason)
{
    Innov__TechEntry e = INNOV__TECH_ENTRY__INIT;
    e.id = (char *) id;
    e.name = (char *) name;
    e.reason = (char *) reason;
    Innov__TechWriteRequest req = INNOV__TECH_WRITE_REQUEST__INIT;
    req.entry = &e;
    return s_code (fn, "province", &req.base);
}

/* tech.list: the names of the entries in force (joined by "|"), or the error code. */
static char *
s_tech_names (const char *as_of, bool include_withdrawn, int *code)
{
    Innov__TechListRequest req = INNOV__TECH_LIST_REQUEST__INIT;
    req.year = 2026;
    req.as_of = (char *) (as_of? as_of: "");
    req.include_withdrawn = include_withdrawn;
    inv_call_t call;
    *code = s_run (&call, catalogue_tech_list, "city:140100", &req.base);
    char *names = strdup ("");
    if (*code == 200) {
        Innov__TechListReply *reply = (Innov__TechListReply *) call.reply;
        for (size_t i = 0; i < reply->n_entries; i++) {
            char *joined = zsys_sprintf ("%s%s%s", names, *names? "|": "", reply->entries [i]->name);
            free (names);
            names = joined;
        }
    }
    inv_call_clear (&call);
    return names;
}

/* ---- the directory --------------------------------------------------------------------- */

static void
test_tech_directory_versions (void **state)
{
    (void) state;
    char a [32], b [32], c [32], d [32];
    /* draft: three entries, one amended in place (still version 1), no reason needed */
    s_tech ("氢燃料电池电堆", INNOV__SECTOR__GREEN_ENERGY, "", a);
    s_tech ("高端轴承钢", INNOV__SECTOR__ADVANCED_MANUFACTURING, "", b);
    s_tech ("工业互联网标识解析", INNOV__SECTOR__DIGITAL_INDUSTRY, "", c);
    assert_string_equal (a, "T2026-001");
    assert_int_equal (s_tech_change (catalogue_tech_amend, b, "高端轴承钢冶炼", ""), 200);

    /* scope and validation */
    Innov__TechEntry bad = INNOV__TECH_ENTRY__INIT;
    bad.sector = 9;
    Innov__TechWriteRequest req = INNOV__TECH_WRITE_REQUEST__INIT;
    req.entry = &bad;
    inv_call_t call;
    assert_int_equal (s_run (&call, catalogue_tech_add, "province", &req.base), 400);
    assert_true (unit_call_has_detail (&call, "entry.name"));
    assert_true (unit_call_has_detail (&call, "entry.sector"));
    assert_true (unit_call_has_detail (&call, "entry.proposer"));
    inv_call_clear (&call);
    assert_int_equal (s_code (catalogue_tech_add, "city:140100", &req.base), 403);

    /* not published: no past to read */
    int code;
    free (s_tech_names ("2026-02-01", false, &code));
    assert_int_equal (code, 404);

    /* publish on 1 March; twice is refused */
    inv_clock_freeze (inv_clock_parse ("2026-03-01T10:00:00"));
    Innov__TechPublishRequest pub = INNOV__TECH_PUBLISH_REQUEST__INIT;
    pub.year = 2026;
    assert_int_equal (s_code (catalogue_tech_publish, "city:140100", &pub.base), 403);
    assert_int_equal (s_code (catalogue_tech_publish, "province", &pub.base), 200);
    assert_int_equal (s_code (catalogue_tech_publish, "province", &pub.base), 409);

    /* adjustments need a reason now */
    inv_clock_freeze (inv_clock_parse ("2026-05-10T10:00:00"));
    assert_int_equal (s_tech_change (catalogue_tech_amend, a, "氢燃料电池电堆及膜电极", ""), 400);
    assert_int_equal (s_tech_change (catalogue_tech_amend, a, "氢燃料电池电堆及膜电极", "技术路线扩展到膜电极"), 200);
    inv_clock_freeze (inv_clock_parse ("2026-07-01T10:00:00"));
    assert_int_equal (s_tech_change (catalogue_tech_withdraw, c, NULL, "已纳入国家目录"), 200);
    assert_int_equal (s_tech_change (catalogue_tech_withdraw, c, NULL, "again"), 409);
    s_tech ("碳化硅衬底", INNOV__SECTOR__ADVANCED_MANUFACTURING, "半导体集群新需求", d);

    /* now, as of a date before the first adjustment, between the two */
    char *names = s_tech_names (NULL, false, &code);
    assert_string_equal (names, "氢燃料电池电堆及膜电极|高端轴承钢冶炼|碳化硅衬底");
    free (names);
    names = s_tech_names ("2026-04-01", false, &code);
    assert_int_equal (code, 200);
    assert_string_equal (names, "氢燃料电池电堆|高端轴承钢冶炼|工业互联网标识解析");
    free (names);
    names = s_tech_names ("2026-06-01", false, &code);
    assert_string_equal (names, "氢燃料电池电堆及膜电极|高端轴承钢冶炼|工业互联网标识解析");
    free (names);
    names = s_tech_names ("2026-03-01", false, &code);       /* the day of publication */
    assert_string_equal (names, "氢燃料电池电堆|高端轴承钢冶炼|工业互联网标识解析");
    free (names);
    names = s_tech_names (NULL, true, &code);
    assert_string_equal (names, "氢燃料电池电堆及膜电极|高端轴承钢冶炼|工业互联网标识解析|碳化硅衬底");
    free (names);
    free (s_tech_names ("2026-02-28", false, &code));         /* before publication */
    assert_int_equal (code, 404);

    /* the difference between April and August: one amended, one withdrawn, one added */
    Innov__TechDiffRequest diff = INNOV__TECH_DIFF_REQUEST__INIT;
    diff.year = 2026;
    diff.from = (char *) "2026-04-01";
    diff.to = (char *) "2026-08-01";
    assert_int_equal (s_run (&call, catalogue_tech_diff, "province", &diff.base), 200);
    Innov__TechDiffReply *dr = (Innov__TechDiffReply *) call.reply;
    assert_int_equal (dr->n_changes, 3);
    assert_string_equal (dr->changes [0]->id, a);
    assert_string_equal (dr->changes [0]->kind, "amended");
    assert_string_equal (dr->changes [0]->before->name, "氢燃料电池电堆");
    assert_string_equal (dr->changes [0]->after->name, "氢燃料电池电堆及膜电极");
    assert_int_equal (dr->changes [0]->n_adjustments, 1);
    assert_string_equal (dr->changes [0]->adjustments [0]->reason, "技术路线扩展到膜电极");
    assert_string_equal (dr->changes [0]->adjustments [0]->author, "province");
    assert_string_equal (dr->changes [1]->id, c);
    assert_string_equal (dr->changes [1]->kind, "withdrawn");
    assert_string_equal (dr->changes [2]->id, d);
    assert_string_equal (dr->changes [2]->kind, "added");
    assert_null (dr->changes [2]->before);
    inv_call_clear (&call);
    diff.from = (char *) "2026-06-01";
    diff.to = (char *) "2026-04-01";
    assert_int_equal (s_code (catalogue_tech_diff, "province", &diff.base), 400);

    /* the entry's history */
    Innov__CatalogueGetRequest get = INNOV__CATALOGUE_GET_REQUEST__INIT;
    get.id = a;
    assert_int_equal (s_run (&call, catalogue_tech_get, "province", &get.base), 200);
    Innov__TechReply *tr = (Innov__TechReply *) call.reply;
    assert_int_equal (tr->n_versions, 2);
    assert_int_equal (tr->entry->version, 2);
    assert_string_equal (tr->versions [1]->change, "amend");
    inv_call_clear (&call);

    /* events: 4 added, 2 amended (draft and adjustment), 1 withdrawn, 1 published */
    assert_int_equal (registry_fixture_integer (&F, "XLEN {14}:events"), 8);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:cat.cnt:2026:province tech.active"), 3);
}

/* ---- projects ----------------------------------------------------------------------------- */

static int
s_apply (const char *caller, const char *code, const char *tech, char *id)
{
    Innov__Project p = INNOV__PROJECT__INIT;
    p.credit_code = (char *) code;
    p.name = (char *) "高纯碳化硅衬底产线改造";
    p.kind = INNOV__PROJECT_KIND__MAJOR_TRANSFORMATION;
    p.tech_id = (char *) tech;
    p.chain_action = INNOV__CHAIN_ACTION__CHAIN_FILL;
    p.budget = 3200;
    Innov__ProjectMilestoneInput m1 = INNOV__PROJECT_MILESTONE_INPUT__INIT, m2 = INNOV__PROJECT_MILESTONE_INPUT__INIT;
    m1.title = (char *) "完成设备安装";
    m1.due = (char *) "2026-06-30";
    m2.title = (char *) "试生产";
    m2.due = (char *) "2026-10-31";
    Innov__ProjectMilestoneInput *ms [] = { &m1, &m2 };
    Innov__ApplyProjectRequest req = INNOV__APPLY_PROJECT_REQUEST__INIT;
    req.project = &p;
    req.milestones = ms;
    req.n_milestones = 2;
    inv_call_t call;
    int code_ = s_run (&call, catalogue_project_apply, caller, &req.base);
    if (code_ == 200 && id)
        strcpy (id, ((Innov__ProjectReply *) call.reply)->project->id);
    inv_call_clear (&call);
    return code_;
}

static int
s_advance (const char *caller, const char *id, const char *to, const char *reason, char *message)
{
    Innov__AdvanceProjectRequest req = INNOV__ADVANCE_PROJECT_REQUEST__INIT;
    req.id = (char *) id;
    req.to = (char *) to;
    req.reason = (char *) (reason? reason: "");
    inv_call_t call;
    int code = s_run (&call, catalogue_project_advance, caller, &req.base);
    if (message)
        snprintf (message, 512, "%s", call.message);
    inv_call_clear (&call);
    return code;
}

static void
test_projects_quota_and_workflow (void **state)
{
    (void) state;
    char tech [32], gone [32];
    s_tech ("碳化硅衬底", INNOV__SECTOR__ADVANCED_MANUFACTURING, "", tech);
    s_tech ("旧技术", INNOV__SECTOR__ADVANCED_MANUFACTURING, "", gone);
    assert_int_equal (s_tech_change (catalogue_tech_withdraw, gone, NULL, "过时"), 200);
    char codes [6][19], self [40];
    for (int i = 0; i < 6; i++)
        s_enterprise (100 + i, codes [i], "140100", "3311", "semiconductor", 5000, true, true);

    /* scope, references */
    char id [6][32], unknown [19];
    assert_int_equal (s_apply ("ent:91140100MA0000000X", codes [0], tech, NULL), 403);
    assert_int_equal (s_apply ("city:140100", codes [0], tech, NULL), 403);
    snprintf (self, sizeof self, "ent:%s", codes [0]);
    assert_int_equal (s_apply (self, codes [0], "T2026-999", NULL), 400);
    assert_int_equal (s_apply (self, codes [0], gone, NULL), 400);
    registry_fixture_code (999, unknown);
    assert_int_equal (s_apply ("province", unknown, tech, NULL), 404);
    for (int i = 0; i < 6; i++) {
        snprintf (self, sizeof self, "ent:%.18s", codes [i]);
        assert_int_equal (s_apply (i == 5? "province": self, codes [i], tech, id [i]), 200);
    }
    assert_string_equal (id [0], "P2026-0001");

    /* the workflow: only the province; no skipping review */
    char message [512];
    assert_int_equal (s_advance ("city:140100", id [0], "under_review", NULL, message), 403);
    assert_int_equal (s_advance ("province", id [0], "selected", NULL, message), 409);
    assert_non_null (strstr (message, "allowed from there: under_review, rejected"));
    assert_int_equal (s_advance ("province", id [0], "rejected", NULL, message), 400);

    /* quota 3 for the test */
    Innov__ProjectQuotaRequest quota = INNOV__PROJECT_QUOTA_REQUEST__INIT;
    quota.year = 2026;
    quota.quota = 3;
    assert_int_equal (s_code (catalogue_project_quota, "city:140100", &quota.base), 403);
    assert_int_equal (s_code (catalogue_project_quota, "province", &quota.base), 200);
    for (int i = 0; i < 6; i++)
        assert_int_equal (s_advance ("province", id [i], "under_review", NULL, NULL), 200);
    for (int i = 0; i < 3; i++)
        assert_int_equal (s_advance ("province", id [i], "selected", NULL, NULL), 200);
    assert_int_equal (s_advance ("province", id [3], "selected", NULL, message), 409);
    assert_non_null (strstr (message, "quota reached: the 2026 plan selects at most 3 projects and 3 are already selected"));
    assert_int_equal (s_advance ("province", id [4], "rejected", "技术路线不在目录方向", NULL), 200);
    /* a lower quota than the selected is refused; a higher one lets the 4th in */
    quota.quota = 2;
    assert_int_equal (s_code (catalogue_project_quota, "province", &quota.base), 409);
    quota.quota = 4;
    assert_int_equal (s_code (catalogue_project_quota, "province", &quota.base), 200);
    assert_int_equal (s_advance ("province", id [3], "selected", NULL, NULL), 200);
    assert_int_equal (s_advance ("province", id [5], "selected", NULL, message), 409);
    assert_int_equal (s_advance ("province", id [0], "fund_pool", NULL, NULL), 200);
    assert_int_equal (s_advance ("province", id [0], "recommended", NULL, NULL), 200);

    /* lists and the plan */
    Innov__ProjectListRequest list = INNOV__PROJECT_LIST_REQUEST__INIT;
    list.year = 2026;
    list.state = (char *) "selected";
    inv_call_t call;
    assert_int_equal (s_run (&call, catalogue_project_list, "province", &list.base), 200);
    assert_int_equal (((Innov__ProjectListReply *) call.reply)->n_projects, 3);
    inv_call_clear (&call);
    list.state = (char *) "";
    list.limit = 4;
    assert_int_equal (s_run (&call, catalogue_project_list, "province", &list.base), 200);
    Innov__ProjectListReply *lr = (Innov__ProjectListReply *) call.reply;
    assert_int_equal (lr->n_projects, 4);
    assert_int_equal (lr->total, 6);
    char cursor [32];
    snprintf (cursor, sizeof cursor, "%s", lr->next_cursor);
    inv_call_clear (&call);
    list.cursor = cursor;
    assert_int_equal (s_run (&call, catalogue_project_list, "province", &list.base), 200);
    lr = (Innov__ProjectListReply *) call.reply;
    assert_int_equal (lr->n_projects, 2);
    assert_string_equal (lr->projects [1]->id, id [5]);
    assert_string_equal (lr->next_cursor, "");
    inv_call_clear (&call);
    quota.quota = 0;
    assert_int_equal (s_run (&call, catalogue_project_quota, "city:140100", &quota.base), 200);
    Innov__ProjectPlan *plan = ((Innov__ProjectPlanReply *) call.reply)->plan;
    assert_int_equal (plan->quota, 4);
    assert_int_equal (plan->selected, 4);
    assert_int_equal (plan->applied, 6);
    inv_call_clear (&call);

    /* figures by scope */
    Innov__FiguresRequest fr = INNOV__FIGURES_REQUEST__INIT;
    fr.scope = (char *) "city:140100";
    assert_int_equal (s_run (&call, catalogue_figures_get, "province", &fr.base), 200);
    Innov__FiguresReply *figs = (Innov__FiguresReply *) call.reply;
    assert_int_equal (figs->n_rows, 1);
    double applied = -1, selected = -1;
    for (size_t i = 0; i < figs->rows [0]->n_figures; i++) {
        if (streq (figs->rows [0]->figures [i]->name, "projects.applied"))
            applied = figs->rows [0]->figures [i]->value;
        if (streq (figs->rows [0]->figures [i]->name, "projects.selected"))
            selected = figs->rows [0]->figures [i]->value;
    }
    assert_true (applied == 6 && selected == 4);
    inv_call_clear (&call);
    fr.scope = (char *) "city:999999";
    assert_int_equal (s_code (catalogue_figures_get, "province", &fr.base), 400);
    fr.scope = (char *) "dept:gxt";                 /* kept for no department: no rows */
    assert_int_equal (s_run (&call, catalogue_figures_get, "service:report", &fr.base), 200);
    assert_int_equal (((Innov__FiguresReply *) call.reply)->n_rows, 0);
    inv_call_clear (&call);
}

static void
test_milestones_announced_and_reported (void **state)
{
    (void) state;
    char tech [32], code [19], id [32], self [40];
    s_tech ("碳化硅衬底", INNOV__SECTOR__ADVANCED_MANUFACTURING, "", tech);
    s_enterprise (200, code, "140100", "3311", "", 5000, true, true);
    snprintf (self, sizeof self, "ent:%s", code);
    assert_int_equal (s_apply (self, code, tech, id), 200);
    Innov__ProjectProgressRequest progress = INNOV__PROJECT_PROGRESS_REQUEST__INIT;
    progress.id = id;
    progress.milestone = 1;
    progress.text = (char *) "设备已到货";
    progress.percent = 60;
    assert_int_equal (s_code (catalogue_project_progress, self, &progress.base), 409);   /* not selected yet */
    assert_int_equal (s_advance ("province", id, "under_review", NULL, NULL), 200);
    long long before = registry_fixture_integer (&F, "GET {14}:seq");
    assert_int_equal (s_advance ("province", id, "selected", NULL, NULL), 200);
    /* project.selected then one deadline.announced per milestone */
    inv_redis_t *redis = F.redis;
    redisReply *entries = inv_redis_command (redis, "XRANGE {14}:events %lld-0 +", before + 1);
    assert_non_null (entries);
    assert_int_equal (entries->elements, 3);
    Innov__Event *ev = inv_event_from_entry (entries->element [1], "14");
    assert_non_null (ev);
    assert_string_equal (ev->type, "deadline.announced");
    char subject [64];
    snprintf (subject, sizeof subject, "milestone:%s:1", id);
    assert_string_equal (ev->subject, subject);
    Innov__DeadlineAnnounced *a = innov__deadline_announced__unpack (NULL, ev->payload.len, ev->payload.data);
    assert_non_null (a);
    assert_string_equal (a->id, subject);
    assert_string_equal (a->agency, self);
    assert_string_equal (a->clear_type, "milestone.reported");
    snprintf (subject, sizeof subject, "%s:1", id);
    assert_string_equal (a->clear_subject, subject);
    assert_true (a->due_ms == inv_clock_parse ("2026-07-01T00:00:00"));
    innov__deadline_announced__free_unpacked (a, NULL);
    innov__event__free_unpacked (ev, NULL);
    freeReplyObject (entries);

    /* the progress report: by the enterprise, not by another; a milestone that exists */
    assert_int_equal (s_code (catalogue_project_progress, "ent:91140100MA0000000X", &progress.base), 403);
    progress.milestone = 3;
    assert_int_equal (s_code (catalogue_project_progress, self, &progress.base), 400);
    progress.milestone = 1;
    inv_call_t call;
    assert_int_equal (s_run (&call, catalogue_project_progress, self, &progress.base), 200);
    Innov__Project *p = ((Innov__ProjectReply *) call.reply)->project;
    assert_int_equal (p->milestones [0]->n_reports, 1);
    assert_int_equal (p->milestones [0]->reports [0]->percent, 60);
    inv_call_clear (&call);
    entries = inv_redis_command (redis, "XREVRANGE {14}:events + - COUNT 1");
    ev = inv_event_from_entry (entries->element [0], "14");
    assert_string_equal (ev->type, "milestone.reported");
    assert_string_equal (ev->subject, subject);
    innov__event__free_unpacked (ev, NULL);
    freeReplyObject (entries);
}

/* ---- policies ---------------------------------------------------------------------------- */

static void
test_policy_fits_by_hand (void **state)
{
    (void) state;
    Innov__Enterprise e = INNOV__ENTERPRISE__INIT;
    e.credit_code = (char *) "91140100MA0000001X";
    e.city = (char *) "140100";
    e.industry = (char *) "3311";
    e.cluster = (char *) "semiconductor";
    e.operating_revenue = 25000;
    e.has_rd_institution = true;
    e.has_rd_activity = false;
    e.status = INNOV__INNOVATION_STATUS__NOT_STARTED;

    Innov__PolicyConditions c = INNOV__POLICY_CONDITIONS__INIT;
    Innov__Policy p = INNOV__POLICY__INIT;
    p.level = INNOV__POLICY_LEVEL__POLICY_LEVEL_PROVINCIAL;
    p.conditions = &c;
    zlist_t *reasons = zlist_new ();
    /* no condition: fits, and says so */
    assert_true (catalogue_policy_fits (&p, &e, reasons));
    assert_string_equal (zlist_first (reasons), "无限制条件，适用全部企业");
    zlist_destroy (&reasons);

    /* industry prefix 33 or 34, revenue 20000..50000, R&D institution required, no R&D activity yet */
    char *prefixes [] = { "34", "33" };
    c.industry_prefixes = prefixes;
    c.n_industry_prefixes = 2;
    c.min_revenue = 20000;
    c.max_revenue = 50000;
    c.rd_institution = INNOV__POLICY_REQUIREMENT__REQUIRE_YES;
    c.rd_activity = INNOV__POLICY_REQUIREMENT__REQUIRE_NO;
    reasons = zlist_new ();
    assert_true (catalogue_policy_fits (&p, &e, reasons));
    assert_int_equal (zlist_size (reasons), 5);
    assert_string_equal (zlist_first (reasons), "行业 3311 属于 33");
    assert_string_equal (zlist_next (reasons), "营业收入 25000 万元 ≥ 20000 万元");
    assert_string_equal (zlist_next (reasons), "营业收入 25000 万元 ≤ 50000 万元");
    assert_string_equal (zlist_next (reasons), "有研发机构");
    assert_string_equal (zlist_next (reasons), "尚无研发活动");
    zlist_destroy (&reasons);

    /* each condition alone can exclude */
    e.operating_revenue = 19999;
    assert_false (catalogue_policy_fits (&p, &e, NULL));
    e.operating_revenue = 25000;
    e.has_rd_activity = true;
    assert_false (catalogue_policy_fits (&p, &e, NULL));
    e.has_rd_activity = false;
    e.industry = (char *) "3511";
    assert_false (catalogue_policy_fits (&p, &e, NULL));
    e.industry = (char *) "3311";
    char *clusters [] = { "photovoltaic" };
    c.clusters = clusters;
    c.n_clusters = 1;
    assert_false (catalogue_policy_fits (&p, &e, NULL));
    c.n_clusters = 0;
    char *statuses [] = { "in_progress", "active" };
    c.statuses = statuses;
    c.n_statuses = 2;
    assert_false (catalogue_policy_fits (&p, &e, NULL));
    c.n_statuses = 0;
    /* a city-level policy fits only its city */
    p.level = INNOV__POLICY_LEVEL__POLICY_LEVEL_CITY;
    p.city = (char *) "140200";
    assert_false (catalogue_policy_fits (&p, &e, NULL));
    p.city = (char *) "140100";
    assert_true (catalogue_policy_fits (&p, &e, NULL));
}

static void
s_policy (const char *caller, const char *title, int level, const char *city, Innov__PolicyConditions *c, int expect)
{
    Innov__Policy p = INNOV__POLICY__INIT;
    p.title = (char *) title;
    p.level = level;
    p.city = (char *) city;
    p.kind = (char *) "资金";
    p.conditions = c;
    Innov__PolicyWriteRequest req = INNOV__POLICY_WRITE_REQUEST__INIT;
    req.policy = &p;
    assert_int_equal (s_code (catalogue_policy_add, caller, &req.base), expect);
}

static void
test_policy_menu (void **state)
{
    (void) state;
    /* E1 太原 3311 semiconductor 30000, R&D institution, R&D activity
       E2 太原 3411 no cluster 8000, nothing
       E3 大同 2614 photovoltaic 60000, R&D institution, no activity */
    char e1 [19], e2 [19], e3 [19], unknown [19];
    s_enterprise (301, e1, "140100", "3311", "semiconductor", 30000, true, true);
    s_enterprise (302, e2, "140100", "3411", "", 8000, false, false);
    s_enterprise (303, e3, "140200", "2614", "photovoltaic", 60000, true, false);
    registry_fixture_code (399, unknown);

    /* POL 1: 研发费用加计扣除 — central, no conditions: E1 E2 E3
       POL 2: 首台套 — provincial, industry 33/34: E1 E2
       POL 3: 研发机构建设补助 — provincial, no R&D institution yet, revenue ≤ 10000: E2
       POL 4: 太原 city policy, cluster semiconductor: E1
       POL 5: 大同 city policy, revenue ≥ 50000: E3
       POL 6: provincial, cluster carbon_materials: none (not in the menu) */
    Innov__PolicyConditions none = INNOV__POLICY_CONDITIONS__INIT, c2 = none, c3 = none, c4 = none, c5 = none,
                            c6 = none;
    char *p2 [] = { "33", "34" }, *k4 [] = { "半导体" }, *k6 [] = { "carbon_materials" };
    c2.industry_prefixes = p2; c2.n_industry_prefixes = 2;
    c3.rd_institution = INNOV__POLICY_REQUIREMENT__REQUIRE_NO; c3.max_revenue = 10000;
    c4.clusters = k4; c4.n_clusters = 1;
    c5.min_revenue = 50000;
    c6.clusters = k6; c6.n_clusters = 1;
    s_policy ("province", "研发费用加计扣除", INNOV__POLICY_LEVEL__POLICY_LEVEL_CENTRAL, "", &none, 200);
    s_policy ("dept:gxt", "首台套保险补偿", INNOV__POLICY_LEVEL__POLICY_LEVEL_PROVINCIAL, "", &c2, 200);
    s_policy ("province", "研发机构建设补助", INNOV__POLICY_LEVEL__POLICY_LEVEL_PROVINCIAL, "", &c3, 200);
    s_policy ("city:140100", "太原半导体专项", INNOV__POLICY_LEVEL__POLICY_LEVEL_CITY, "140100", &c4, 200);
    s_policy ("city:140100", "大同越权政策", INNOV__POLICY_LEVEL__POLICY_LEVEL_CITY, "140200", &c5, 403);
    s_policy ("city:140200", "大同龙头企业奖励", INNOV__POLICY_LEVEL__POLICY_LEVEL_CITY, "140200", &c5, 200);
    s_policy ("province", "碳基新材料专项", INNOV__POLICY_LEVEL__POLICY_LEVEL_PROVINCIAL, "", &c6, 200);
    s_policy ("province", "缺城市", INNOV__POLICY_LEVEL__POLICY_LEVEL_CITY, "", &none, 400);
    s_policy ("ent:91140100MA0000001X", "企业不可", INNOV__POLICY_LEVEL__POLICY_LEVEL_CENTRAL, "", &none, 403);

    /* the menu of an explicit list (with an unknown code), then of work group G-7 */
    char *list [] = { e1, e2, e3, unknown };
    Innov__PolicyMenuRequest req = INNOV__POLICY_MENU_REQUEST__INIT;
    req.enterprises = list;
    req.n_enterprises = 4;
    const char *expected [][4] = {
        { "研发费用加计扣除", e1, e2, e3 }, { "首台套保险补偿", e1, e2, NULL }, { "研发机构建设补助", e2, NULL, NULL },
        { "太原半导体专项", e1, NULL, NULL }, { "大同龙头企业奖励", e3, NULL, NULL } };
    for (int round = 0; round < 2; round++) {
        inv_call_t call;
        assert_int_equal (s_run (&call, catalogue_policy_menu, "group:G-7", &req.base), 200);
        Innov__PolicyMenuReply *menu = (Innov__PolicyMenuReply *) call.reply;
        assert_int_equal (menu->n_enterprises, 3);
        assert_int_equal (menu->n_missing, round == 0? 1: 0);
        assert_int_equal (menu->n_items, 5);
        for (size_t i = 0; i < 5; i++) {
            assert_string_equal (menu->items [i]->policy->title, expected [i][0]);
            size_t fits = 0;
            for (int k = 1; k < 4 && expected [i][k]; k++, fits++)
                assert_string_equal (menu->items [i]->fits [k - 1]->credit_code, expected [i][k]);
            assert_int_equal (menu->items [i]->n_fits, fits);
        }
        /* why: E2 fits 研发机构建设补助 by both its conditions */
        Innov__PolicyFit *why = menu->items [2]->fits [0];
        assert_int_equal (why->n_reasons, 2);
        assert_string_equal (why->reasons [0], "营业收入 8000 万元 ≤ 10000 万元");
        assert_string_equal (why->reasons [1], "尚无研发机构");
        assert_string_equal (menu->items [3]->fits [0]->reasons [0], "属太原市 (市级政策)");
        assert_string_equal (menu->items [3]->fits [0]->reasons [1], "产业集群 半导体");
        inv_call_clear (&call);
        /* second round: the group's enterprises */
        req.enterprises = NULL;
        req.n_enterprises = 0;
        req.group = (char *) "G-7";
        strcpy (s_group_codes [0], e1);
        strcpy (s_group_codes [1], e2);
        strcpy (s_group_codes [2], e3);
        s_group_count = 3;
    }
    req.group = (char *) "G-404";
    assert_int_equal (s_code (catalogue_policy_menu, "province", &req.base), 404);
    req.group = (char *) "";
    assert_int_equal (s_code (catalogue_policy_menu, "province", &req.base), 400);
}

/* ---- demonstrations, support ----------------------------------------------------------- */

static void
test_demos_and_support (void **state)
{
    (void) state;
    char e1 [19], e2 [19], unknown [19];
    s_enterprise (401, e1, "140100", "3311", "", 30000, true, true);
    s_enterprise (402, e2, "140200", "3411", "", 9000, false, true);
    registry_fixture_code (499, unknown);
    Innov__Demonstration d = INNOV__DEMONSTRATION__INIT;
    d.kind = INNOV__DEMO_KIND__DEMO_HYDROGEN;
    d.credit_code = e1;
    d.title = (char *) "氢能重卡示范线";
    d.experience = (char *) "加氢站与物流企业联合运营";
    char *adopters [] = { e2 };
    d.adopters = adopters;
    d.n_adopters = 1;
    Innov__DemoWriteRequest req = INNOV__DEMO_WRITE_REQUEST__INIT;
    req.demo = &d;
    assert_int_equal (s_code (catalogue_demo_add, "city:140200", &req.base), 403);   /* not its city */
    inv_call_t call;
    assert_int_equal (s_run (&call, catalogue_demo_add, "city:140100", &req.base), 200);
    Innov__Demonstration *stored = ((Innov__DemoReply *) call.reply)->demo;
    assert_string_equal (stored->id, "D2026-001");
    assert_string_equal (stored->city, "140100");
    char demo_id [32];
    strcpy (demo_id, stored->id);
    inv_call_clear (&call);
    adopters [0] = unknown;
    assert_int_equal (s_run (&call, catalogue_demo_add, "province", &req.base), 404);
    assert_non_null (strstr (call.message, "demo.adopters"));
    inv_call_clear (&call);
    /* update: new adopters replace */
    Innov__Demonstration u = INNOV__DEMONSTRATION__INIT;
    u.id = demo_id;
    u.experience = (char *) "可复制：站企联营模式";
    req.demo = &u;
    assert_int_equal (s_run (&call, catalogue_demo_update, "province", &req.base), 200);
    stored = ((Innov__DemoReply *) call.reply)->demo;
    assert_int_equal (stored->version, 2);
    assert_int_equal (stored->n_adopters, 1);
    assert_string_equal (stored->title, "氢能重卡示范线");
    inv_call_clear (&call);

    Innov__SupportRecord r = INNOV__SUPPORT_RECORD__INIT;
    r.kind = INNOV__SUPPORT_KIND__SUPPORT_FIRST_UNIT;
    r.credit_code = unknown;
    r.product = (char *) "智能采煤机";
    Innov__SupportWriteRequest sreq = INNOV__SUPPORT_WRITE_REQUEST__INIT;
    sreq.record = &r;
    assert_int_equal (s_run (&call, catalogue_support_add, "province", &sreq.base), 404);
    assert_non_null (strstr (call.message, "record.credit_code"));
    assert_non_null (strstr (call.message, "is not in the registry"));
    inv_call_clear (&call);
    r.credit_code = e1;
    assert_int_equal (s_code (catalogue_support_add, "ent:91140100MA0000001X", &sreq.base), 403);
    assert_int_equal (s_code (catalogue_support_add, "province", &sreq.base), 200);
    r.kind = INNOV__SUPPORT_KIND__SUPPORT_INNOVATION_BOARD;
    assert_int_equal (s_code (catalogue_support_add, "province", &sreq.base), 400);   /* no IP named */
    char *ip [] = { "ZL202610001234.5" };
    r.ip = ip;
    r.n_ip = 1;
    assert_int_equal (s_code (catalogue_support_add, "dept:gxt", &sreq.base), 200);
    Innov__SupportListRequest list = INNOV__SUPPORT_LIST_REQUEST__INIT;
    list.kind = INNOV__SUPPORT_KIND__SUPPORT_INNOVATION_BOARD;
    assert_int_equal (s_run (&call, catalogue_support_list, "province", &list.base), 200);
    assert_int_equal (((Innov__SupportListReply *) call.reply)->n_records, 1);
    inv_call_clear (&call);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:cat.cnt:2026:city:140100 demos"), 1);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:cat.cnt:2026:province support.first_unit"), 1);
    Innov__DemoListRequest dlist = INNOV__DEMO_LIST_REQUEST__INIT;
    assert_int_equal (s_code (catalogue_demo_list, "anonymous", &dlist.base), 403);
    assert_int_equal (s_run (&call, catalogue_demo_list, "county:140105", &dlist.base), 200);
    assert_int_equal (((Innov__DemoListReply *) call.reply)->n_demos, 1);
    inv_call_clear (&call);
}

/* A retried write with its idempotency key is applied once and answered as the first time;
   a refused one writes nothing. */
static void
test_idempotent_retry_and_nothing_half_written (void **state)
{
    (void) state;
    char tech [32], code [19], self [40];
    s_tech ("碳化硅衬底", INNOV__SECTOR__ADVANCED_MANUFACTURING, "", tech);
    s_enterprise (500, code, "140100", "3311", "", 5000, true, true);
    snprintf (self, sizeof self, "ent:%s", code);
    Innov__Project p = INNOV__PROJECT__INIT;
    p.credit_code = code;
    p.name = (char *) "重试项目";
    p.kind = INNOV__PROJECT_KIND__KEY_INNOVATION;
    p.tech_id = tech;
    p.chain_action = INNOV__CHAIN_ACTION__CHAIN_BUILD;
    p.budget = 100;
    Innov__ProjectMilestoneInput m = INNOV__PROJECT_MILESTONE_INPUT__INIT, *ms [] = { &m };
    m.title = (char *) "中试";
    m.due = (char *) "2026-09-30";
    Innov__ApplyProjectRequest req = INNOV__APPLY_PROJECT_REQUEST__INIT;
    req.project = &p;
    req.milestones = ms;
    req.n_milestones = 1;
    req.idempotency_key = (char *) "apply-1";
    long long events = registry_fixture_integer (&F, "XLEN {14}:events");
    char first [32];
    for (int attempt = 0; attempt < 3; attempt++) {
        inv_call_t call;
        assert_int_equal (s_run (&call, catalogue_project_apply, self, &req.base), 200);
        const char *id = ((Innov__ProjectReply *) call.reply)->project->id;
        if (attempt == 0)
            strcpy (first, id);
        assert_string_equal (id, first);
        inv_call_clear (&call);
    }
    assert_int_equal (registry_fixture_integer (&F, "XLEN {14}:events"), events + 1);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:cat.plan:2026 applied"), 1);
    /* refused: every field named, nothing written */
    long long keys = registry_fixture_integer (&F, "DBSIZE");
    m.due = (char *) "next spring";
    p.budget = -1;
    p.kind = 0;
    req.idempotency_key = (char *) "";
    inv_call_t call;
    assert_int_equal (s_run (&call, catalogue_project_apply, self, &req.base), 400);
    assert_true (unit_call_has_detail (&call, "milestones[0].due"));
    assert_true (unit_call_has_detail (&call, "project.budget"));
    assert_true (unit_call_has_detail (&call, "project.kind"));
    inv_call_clear (&call);
    assert_int_equal (registry_fixture_integer (&F, "DBSIZE"), keys);
    assert_int_equal (registry_fixture_integer (&F, "XLEN {14}:events"), events + 1);
    /* ten milestones (the most a project has): all announced by the selecting script */
    Innov__ProjectMilestoneInput ten [10], *tp [10];
    char titles [10][16];
    for (int i = 0; i < 10; i++) {
        innov__project_milestone_input__init (&ten [i]);
        snprintf (titles [i], sizeof titles [i], "阶段%d", i + 1);
        ten [i].title = titles [i];
        ten [i].due = (char *) "2026-12-31";
        tp [i] = &ten [i];
    }
    m.due = (char *) "2026-09-30";
    p.budget = 100;
    p.kind = INNOV__PROJECT_KIND__KEY_INNOVATION;
    req.milestones = tp;
    req.n_milestones = 10;
    assert_int_equal (s_run (&call, catalogue_project_apply, self, &req.base), 200);
    char ten_id [32];
    strcpy (ten_id, ((Innov__ProjectReply *) call.reply)->project->id);
    inv_call_clear (&call);
    assert_int_equal (s_advance ("province", ten_id, "under_review", NULL, NULL), 200);
    long long before = registry_fixture_integer (&F, "XLEN {14}:events");
    Innov__AdvanceProjectRequest adv = INNOV__ADVANCE_PROJECT_REQUEST__INIT;
    adv.id = ten_id;
    adv.to = (char *) "selected";
    adv.idempotency_key = (char *) "select-ten";
    assert_int_equal (s_code (catalogue_project_advance, "province", &adv.base), 200);
    assert_int_equal (registry_fixture_integer (&F, "XLEN {14}:events"), before + 11);
    /* the same step retried with its key: the first reply, nothing more written */
    assert_int_equal (s_code (catalogue_project_advance, "province", &adv.base), 200);
    assert_int_equal (registry_fixture_integer (&F, "XLEN {14}:events"), before + 11);
    adv.idempotency_key = (char *) "";
    assert_int_equal (s_code (catalogue_project_advance, "province", &adv.base), 409);
    req.n_milestones = 11;
    assert_int_equal (s_code (catalogue_project_apply, self, &req.base), 400);

    /* figures of every scope: the province and its 11 cities */
    Innov__FiguresRequest fr = INNOV__FIGURES_REQUEST__INIT;
    fr.scope = (char *) "all";
    assert_int_equal (s_run (&call, catalogue_figures_get, "service:report", &fr.base), 200);
    assert_int_equal (((Innov__FiguresReply *) call.reply)->n_rows, 12);
    inv_call_clear (&call);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup (test_tech_directory_versions, test_setup),
        cmocka_unit_test_setup (test_projects_quota_and_workflow, test_setup),
        cmocka_unit_test_setup (test_milestones_announced_and_reported, test_setup),
        cmocka_unit_test (test_policy_fits_by_hand),
        cmocka_unit_test_setup (test_policy_menu, test_setup),
        cmocka_unit_test_setup (test_demos_and_support, test_setup),
        cmocka_unit_test_setup (test_idempotent_retry_and_nothing_half_written, test_setup),
    };
    return cmocka_run_group_tests (tests, group_setup, group_teardown);
}
