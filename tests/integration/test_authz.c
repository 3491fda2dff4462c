/*  test_authz: who may write what, as one table.

    Every write method of every service (rows) is called by every kind of principal
    (columns), through the real broker, each principal claimed in development mode.
    A cell is "A" (allowed: the service must not answer 401/403) or "-" (denied: the
    answer must be 403 with a reason, and no event may have been written in the
    caller's name since the call, so nothing was written). Each cell works on state of its own, prepared by the
    row's setup as the province, so cells do not disturb one another.

    The same table runs twice: over MDP with development-mode claims, then through the
    HTTP gateway, each principal with a bearer token of its own (made by the province
    before the call is measured); there an anonymous caller has no token and gets 401.

    The columns: the principal kinds of common/inv_principal.h, in scope of the
    target (its department gxt, city 140100, county 140105, the enterprise itself)
    and out of it (department fgw, city 140200, county 140106, another enterprise).
    The target of every enterprise row is an enterprise of county 140105 (city
    140100), department gxt, cluster photovoltaic.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include "harness.h"
#include "registry_fixture.h"
#include "mdp_client.h"
#include "inv_rpc.h"
#include "registry.pb-c.h"
#include "notify.pb-c.h"
#include "problems.pb-c.h"
#include "report.pb-c.h"
#include "gateway.pb-c.h"
#include "catalogue.pb-c.h"
#include "pairing.pb-c.h"
#include "http_client.h"

/* ---- the columns ----------------------------------------------------------------- */

enum { C_PROVINCE, C_DEPT, C_DEPT_OUT, C_CITY, C_CITY_OUT, C_COUNTY, C_COUNTY_OUT,
       C_GROUP, C_ENT_SELF, C_ENT_OTHER, C_ANONYMOUS, COLUMNS };

static const char *s_columns [COLUMNS] = {
    "province", "dept:gxt", "dept:fgw", "city:140100", "city:140200", "county:140105",
    "county:140106", "group:g1", "ent:SELF", "ent:OTHER", "anonymous"
};

/* ---- the rows -------------------------------------------------------------------- */

typedef struct {
    int n;                      /* the cell's own number: its enterprise's code */
    char code [32];             /* the target enterprise */
    char id [32];               /* the target problem or project, once the setup made one */
    char tech [32];             /* a key technology the setup added */
} cell_t;

typedef int (row_fn) (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status);

/* A step of a row's setup: a call and its method, taken as the province (s_by_handler
   as the problem's handler); the first answer other than 200 ends the setup. */
typedef struct {
    row_fn *call;
    const char *method;
} step_t;

typedef struct {
    const char *service;
    const char *method;
    const char *expect;         /* one character per column: A allowed, - denied */
    const step_t *setup;        /* steps before the call, as the province (may be NULL) */
    row_fn *call;               /* called with method */
    /* The same call through the HTTP gateway: method, path and body, where {code},
       {id}, {tech}, {n} and {year} stand for the cell's enterprise, problem or project,
       key technology, number and a year of its own. */
    const char *verb, *path, *body;
} row_t;

static harness_t *H;

/* inv_rpc_call, freeing first the status an earlier call of the same setup left. */
static int
s_rpc (mdp_client_t *client, const char *service, const char *method, ProtobufCMessage *request,
       const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **reply_p, Innov__Status **status)
{
    if (status && *status) {
        innov__status__free_unpacked (*status, NULL);
        *status = NULL;
    }
    return inv_rpc_call (client, service, method, request, reply_desc, reply_p, status);
}

static int
s_call (mdp_client_t *client, const char *service, const char *method, ProtobufCMessage *request,
        Innov__Status **status)
{
    return s_rpc (client, service, method, request, NULL, NULL, status);
}

/* A call whose reply holds one record (its first field): the record's id goes to id.
   Setups use it to name what they made. */
static int
s_call_id (mdp_client_t *client, const char *service, const char *method, ProtobufCMessage *request,
           const ProtobufCMessageDescriptor *reply_desc, char *id, size_t size, Innov__Status **status)
{
    ProtobufCMessage *reply = NULL;
    int code = s_rpc (client, service, method, request, reply_desc, &reply, status);
    if (reply) {
        const ProtobufCFieldDescriptor *field = &reply_desc->fields [0];
        const ProtobufCMessage *record = *(ProtobufCMessage **) ((char *) reply + field->offset);
        const ProtobufCFieldDescriptor *id_field = record
            ? protobuf_c_message_descriptor_get_field_by_name (record->descriptor, "id"): NULL;
        if (id_field)
            snprintf (id, size, "%s", *(char **) ((char *) record + id_field->offset));
        protobuf_c_message_free_unpacked (reply, NULL);
    }
    return code;
}

static Innov__Enterprise
s_enterprise (cell_t *cell)
{
    Innov__Enterprise e = INNOV__ENTERPRISE__INIT;
    e.credit_code = cell->code;
    e.name = "授权矩阵企业";
    e.county = "140105";
    e.industry = "3311";
    e.department = "gxt";
    e.cluster = "photovoltaic";     /* the cluster of the alliance the guidance rows link */
    return e;
}

static int
s_add (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    Innov__Enterprise e = s_enterprise (cell);
    Innov__AddEnterpriseRequest request = INNOV__ADD_ENTERPRISE_REQUEST__INIT;
    request.enterprise = &e;
    return s_call (client, "registry", method, &request.base, status);
}

static int
s_update (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    Innov__Enterprise e = s_enterprise (cell);
    e.name = "授权矩阵企业（改名）";
    char *fields [] = { "name" };
    Innov__UpdateEnterpriseRequest request = INNOV__UPDATE_ENTERPRISE_REQUEST__INIT;
    request.enterprise = &e;
    request.fields = fields;
    request.n_fields = 1;
    return s_call (client, "registry", method, &request.base, status);
}

static int
s_transition_to (cell_t *cell, mdp_client_t *client, const char *method,
                 Innov__InnovationStatus to, Innov__Status **status)
{
    Innov__TransitionRequest request = INNOV__TRANSITION_REQUEST__INIT;
    request.credit_code = cell->code;
    request.to = to;
    request.reason = "授权矩阵";
    return s_call (client, "registry", method, &request.base, status);
}

static int
s_transition (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    return s_transition_to (cell, client, method, INNOV__INNOVATION_STATUS__IN_PROGRESS, status);
}

static int
s_activate (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    return s_transition_to (cell, client, method, INNOV__INNOVATION_STATUS__ACTIVE, status);
}

static int
s_close (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    Innov__CloseRequest request = INNOV__CLOSE_REQUEST__INIT;
    request.credit_code = cell->code;
    request.evidence = "研发机构已建成";
    return s_call (client, "registry", method, &request.base, status);
}

static int
s_review (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    Innov__ReviewRequest request = INNOV__REVIEW_REQUEST__INIT;
    request.credit_code = cell->code;
    request.approve = true;
    return s_call (client, "registry", method, &request.base, status);
}

static int
s_import (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    Innov__Enterprise e = s_enterprise (cell);
    Innov__Enterprise *rows [] = { &e };
    uint32_t lines [] = { 2 };
    Innov__ImportEnterprisesRequest request = INNOV__IMPORT_ENTERPRISES_REQUEST__INIT;
    request.enterprises = rows;
    request.n_enterprises = 1;
    request.lines = lines;
    request.n_lines = 1;
    return s_call (client, "registry", method, &request.base, status);
}

static int
s_agency_add (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    char code [48];
    snprintf (code, sizeof code, "alliance:authz%d", cell->n);
    Innov__Agency agency = INNOV__AGENCY__INIT;
    agency.code = code;
    agency.kind = INNOV__AGENCY_KIND__ALLIANCE;
    agency.name = "授权矩阵联盟";
    agency.cluster = "";
    Innov__AddAgencyRequest request = INNOV__ADD_AGENCY_REQUEST__INIT;
    request.agency = &agency;
    return s_call (client, "registry", method, &request.base, status);
}

static int
s_agency_update (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    char name [64];
    snprintf (name, sizeof name, "工业和信息化厅%d", cell->n);
    Innov__Agency agency = INNOV__AGENCY__INIT;
    agency.code = "gxt";
    agency.name = name;
    Innov__UpdateAgencyRequest request = INNOV__UPDATE_AGENCY_REQUEST__INIT;
    request.agency = &agency;
    return s_call (client, "registry", method, &request.base, status);
}

/* ---- notify: subscriptions and notices of city 140100 ----------------------------- */

static int
s_subscribe (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    Innov__Subscription subscription = INNOV__SUBSCRIPTION__INIT;
    subscription.agency = "city:140100";
    subscription.type_prefix = "enterprise.";
    Innov__SubscribeRequest request = INNOV__SUBSCRIBE_REQUEST__INIT;
    request.subscription = &subscription;
    return s_call_id (client, "notify", method, &request.base,
                      &innov__subscription_reply__descriptor, cell->id, sizeof cell->id, status);
}

static int
s_unsubscribe (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    Innov__UnsubscribeRequest request = INNOV__UNSUBSCRIBE_REQUEST__INIT;
    request.id = cell->id;
    return s_call (client, "notify", method, &request.base, status);
}

static int
s_ack (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    (void) cell;
    char *ids [] = { "dl:none#overdue" };
    Innov__AckRequest request = INNOV__ACK_REQUEST__INIT;
    request.agency = "city:140100";
    request.ids = ids;
    request.n_ids = 1;
    return s_call (client, "notify", method, &request.base, status);
}

/* ---- problems: a government item of the cell's enterprise, work group g1 --------- */

static int
s_raise_item (cell_t *cell, mdp_client_t *client, const char *method, bool complex,
              Innov__Status **status)
{
    Innov__RaiseProblemRequest request = INNOV__RAISE_PROBLEM_REQUEST__INIT;
    request.enterprise = cell->code;
    request.category = "funding";
    request.description = complex? "授权矩阵：复杂事项": "授权矩阵：贷款审批慢";
    request.kind = "government";
    request.complex = complex;
    request.work_group = "g1";
    return s_call_id (client, "problems", method, &request.base,
                      &innov__problem_reply__descriptor, cell->id, sizeof cell->id, status);
}

static int
s_raise (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    return s_raise_item (cell, client, method, false, status);
}

/* A complex item: its handler plans it before resolving it. */
static int
s_raise_complex (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    return s_raise_item (cell, client, method, true, status);
}

static int
s_assign (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    Innov__AssignProblemRequest request = INNOV__ASSIGN_PROBLEM_REQUEST__INIT;
    request.id = cell->id;
    request.to = "dept:gxt";
    return s_call (client, "problems", method, &request.base, status);
}

/* A step of the item's workflow; the item's handler dept:gxt takes it when client
   is NULL. */
static int
s_step (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    Innov__ProblemStepRequest request = INNOV__PROBLEM_STEP_REQUEST__INIT;
    request.id = cell->id;
    request.note = "授权矩阵";
    if (client)
        return s_call (client, "problems", method, &request.base, status);
    mdp_client_t *handler = mdp_client_new (harness_broker (H), "dept:gxt");
    int rc = s_call (handler, "problems", method, &request.base, status);
    mdp_client_destroy (&handler);
    return rc;
}

/* The handler's own step, whoever the setup runs as. */
static int
s_by_handler (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    (void) client;
    return s_step (cell, NULL, method, status);
}

static int
s_plan (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    Innov__PlanProblemRequest request = INNOV__PLAN_PROBLEM_REQUEST__INIT;
    request.id = cell->id;
    request.plan = "分两期解决";
    request.due_ms = zclock_time () + 20LL * 86400000;
    return s_call (client, "problems", method, &request.base, status);
}

/* ---- report: the monthly report of city 140100 ----------------------------------- */

static int
s_submit (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    (void) cell;
    Innov__SubmitReportRequest request = INNOV__SUBMIT_REPORT_REQUEST__INIT;
    request.agency = "city:140100";
    request.narrative = "本月新增开展创新活动企业若干。";
    return s_call (client, "report", method, &request.base, status);
}

/* ---- catalogue: the 2026 directory, projects, demonstrations, policies, support ---- */

static int
s_tech_add (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    char name [64];
    snprintf (name, sizeof name, "授权矩阵技术%d", cell->n);
    char *industries [] = { "33" };
    Innov__TechEntry entry = INNOV__TECH_ENTRY__INIT;
    entry.year = 2026;
    entry.name = name;
    entry.sector = INNOV__SECTOR__ADVANCED_MANUFACTURING;
    entry.proposer_kind = INNOV__PROPOSER_KIND__PROPOSER_CITY;
    entry.proposer = "140100";
    entry.industries = industries;
    entry.n_industries = 1;
    entry.description = "授权矩阵";
    entry.reason = "授权矩阵";
    Innov__TechWriteRequest request = INNOV__TECH_WRITE_REQUEST__INIT;
    request.entry = &entry;
    return s_call_id (client, "catalogue", method, &request.base,
                      &innov__tech_reply__descriptor, cell->tech, sizeof cell->tech, status);
}

static int
s_tech_publish (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    Innov__TechPublishRequest request = INNOV__TECH_PUBLISH_REQUEST__INIT;
    request.year = 2100 + (cell->n % 700);          /* a year of its own */
    return s_call (client, "catalogue", method, &request.base, status);
}

static int
s_tech_change (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    char *fields [] = { "name" };
    Innov__TechEntry entry = INNOV__TECH_ENTRY__INIT;
    entry.id = cell->tech;
    entry.name = "授权矩阵技术（修订）";
    entry.reason = "授权矩阵";
    Innov__TechWriteRequest request = INNOV__TECH_WRITE_REQUEST__INIT;
    request.entry = &entry;
    if (streq (method, "tech.amend")) {
        request.fields = fields;
        request.n_fields = 1;
    }
    return s_call (client, "catalogue", method, &request.base, status);
}

static int
s_apply (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    Innov__Project project = INNOV__PROJECT__INIT;
    project.year = 2026;
    project.credit_code = cell->code;
    project.name = "授权矩阵项目";
    project.kind = INNOV__PROJECT_KIND__KEY_INNOVATION;
    project.tech_id = cell->tech;
    project.chain_action = INNOV__CHAIN_ACTION__CHAIN_EXTEND;
    project.budget = 100;
    Innov__ProjectMilestoneInput milestone = INNOV__PROJECT_MILESTONE_INPUT__INIT;
    milestone.title = "样机";
    milestone.due = "2026-09-30";
    Innov__ProjectMilestoneInput *milestones [] = { &milestone };
    Innov__ApplyProjectRequest request = INNOV__APPLY_PROJECT_REQUEST__INIT;
    request.project = &project;
    request.milestones = milestones;
    request.n_milestones = 1;
    return s_call_id (client, "catalogue", method, &request.base,
                      &innov__project_reply__descriptor, cell->id, sizeof cell->id, status);
}

static int
s_advance (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    Innov__AdvanceProjectRequest request = INNOV__ADVANCE_PROJECT_REQUEST__INIT;
    request.id = cell->id;
    request.to = "under_review";
    return s_call (client, "catalogue", method, &request.base, status);
}

static int
s_project_progress (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    Innov__ProjectProgressRequest request = INNOV__PROJECT_PROGRESS_REQUEST__INIT;
    request.id = cell->id;
    request.milestone = 1;
    request.text = "样机完成一半";
    request.percent = 50;
    return s_call (client, "catalogue", method, &request.base, status);
}

static int
s_project_quota (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    (void) cell;
    Innov__ProjectQuotaRequest request = INNOV__PROJECT_QUOTA_REQUEST__INIT;
    request.year = 2026;
    request.quota = 100;
    return s_call (client, "catalogue", method, &request.base, status);
}

/* demo.add, or demo.update of the demonstration the setup added. */
static int
s_demo_write (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    bool update = streq (method, "demo.update");
    Innov__Demonstration demo = INNOV__DEMONSTRATION__INIT;
    if (update)
        demo.id = cell->id;
    else {
        demo.year = 2026;
        demo.kind = INNOV__DEMO_KIND__DEMO_TECH_INNOVATION;
        demo.credit_code = cell->code;
    }
    demo.title = update? "授权矩阵示范（修订）": "授权矩阵示范";
    demo.experience = update? "可复制的做法（修订）": "可复制的做法";
    Innov__DemoWriteRequest request = INNOV__DEMO_WRITE_REQUEST__INIT;
    request.demo = &demo;
    return s_call_id (client, "catalogue", method, &request.base,
                      &innov__demo_reply__descriptor, cell->id, sizeof cell->id, status);
}

/* policy.add, or policy.update of the policy the setup added. */
static int
s_policy_write (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    bool update = streq (method, "policy.update");
    Innov__Policy policy = INNOV__POLICY__INIT;
    if (update)
        policy.id = cell->id;
    policy.title = update? "授权矩阵政策（修订）": "授权矩阵政策";
    policy.level = INNOV__POLICY_LEVEL__POLICY_LEVEL_PROVINCIAL;
    policy.kind = "资金";
    policy.issuer = "省工信厅";
    Innov__PolicyWriteRequest request = INNOV__POLICY_WRITE_REQUEST__INIT;
    request.policy = &policy;
    return s_call_id (client, "catalogue", method, &request.base,
                      &innov__policy_reply__descriptor, cell->id, sizeof cell->id, status);
}

static int
s_support_add (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    Innov__SupportRecord record = INNOV__SUPPORT_RECORD__INIT;
    record.year = 2026;
    record.kind = INNOV__SUPPORT_KIND__SUPPORT_FIRST_UNIT;
    record.credit_code = cell->code;
    record.product = "授权矩阵首台套";
    Innov__SupportWriteRequest request = INNOV__SUPPORT_WRITE_REQUEST__INIT;
    request.record = &record;
    return s_call (client, "catalogue", method, &request.base, status);
}

/* ---- pairing: a work group of city 140100, pairings and guidance of the enterprise - */

/* Waits until the pairing service has heard of the cell's enterprise (its projection
   follows the registry's events). */
static int
s_projected (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    (void) client;
    (void) method;
    (void) status;
    char key [64];
    snprintf (key, sizeof key, "{14}:pair.ent:%s", cell->code);
    for (int tries = 0; tries < 750; tries++) {
        char *out = harness_redis_cli (H, "EXISTS", key, NULL);
        bool known = out && atoi (out) == 1;
        free (out);
        if (known)
            break;
        zclock_sleep (20);
    }
    return 200;
}

static int
s_group_add (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    char name [64];
    snprintf (name, sizeof name, "授权矩阵专班%d", cell->n);
    Innov__WorkGroup group = INNOV__WORK_GROUP__INIT;
    group.name = name;
    group.owner = "city:140100";
    Innov__AddGroupRequest request = INNOV__ADD_GROUP_REQUEST__INIT;
    request.group = &group;
    return s_call_id (client, "pairing", method, &request.base,
                      &innov__group_reply__descriptor, cell->id, sizeof cell->id, status);
}

/* group.member.add of `name`, or group.member.remove of it. */
static int
s_member (cell_t *cell, mdp_client_t *client, const char *method, const char *name,
          Innov__Status **status)
{
    Innov__GroupMember member = INNOV__GROUP_MEMBER__INIT;
    member.name = (char *) name;
    if (streq (method, "group.member.add")) {
        member.unit = "太原市工信局";
        member.rank = "division";
        member.kind = "official";
    }
    Innov__GroupMemberRequest request = INNOV__GROUP_MEMBER_REQUEST__INIT;
    request.group_id = cell->id;
    request.member = &member;
    return s_call (client, "pairing", method, &request.base, status);
}

static int
s_member_add (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    return s_member (cell, client, method, "王处长", status);
}

/* Member "wang", added by a setup and taken off by group.member.remove. */
static int
s_member_wang (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    return s_member (cell, client, method, "wang", status);
}

/* group.assign or group.unassign of the cell's enterprise. */
static int
s_group_enterprise (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    char *codes [] = { cell->code };
    Innov__GroupEnterprisesRequest request = INNOV__GROUP_ENTERPRISES_REQUEST__INIT;
    request.group_id = cell->id;
    request.enterprises = codes;
    request.n_enterprises = 1;
    return s_call (client, "pairing", method, &request.base, status);
}

static int
s_group_ready (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    Innov__GroupReadyRequest request = INNOV__GROUP_READY_REQUEST__INIT;
    request.group_id = cell->id;
    return s_call (client, "pairing", method, &request.base, status);
}

static int
s_pair_add (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    Innov__AddPairingRequest request = INNOV__ADD_PAIRING_REQUEST__INIT;
    request.enterprise = cell->code;
    return s_call_id (client, "pairing", method, &request.base,
                      &innov__pairing_reply__descriptor, cell->id, sizeof cell->id, status);
}

static int
s_pair_end (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    Innov__EndPairingRequest request = INNOV__END_PAIRING_REQUEST__INIT;
    request.enterprise = cell->code;
    request.reason = "授权矩阵";
    return s_call (client, "pairing", method, &request.base, status);
}

/* guidance.link or guidance.unlink of the cell's enterprise and the photovoltaic alliance. */
static int
s_guidance (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    char *codes [] = { cell->code };
    Innov__LinkRequest request = INNOV__LINK_REQUEST__INIT;
    request.agency = "alliance.photovoltaic";
    request.enterprises = codes;
    request.n_enterprises = 1;
    return s_call (client, "pairing", method, &request.base, status);
}

static int
s_suggest_apply (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    (void) cell;
    Innov__SuggestRequest request = INNOV__SUGGEST_REQUEST__INIT;
    request.city = "140100";
    request.apply = true;
    request.limit = 1;
    return s_call (client, "pairing", method, &request.base, status);
}

/* ---- gateway: a bearer token for city 140100 ------------------------------------- */

static int
s_token_create (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    Innov__CreateTokenRequest request = INNOV__CREATE_TOKEN_REQUEST__INIT;
    request.principal = "city:140100";
    request.name = "授权矩阵";
    return s_call_id (client, "gateway", method, &request.base,
                      &innov__token_reply__descriptor, cell->id, sizeof cell->id, status);
}

static int
s_token_revoke (cell_t *cell, mdp_client_t *client, const char *method, Innov__Status **status)
{
    Innov__RevokeTokenRequest request = INNOV__REVOKE_TOKEN_REQUEST__INIT;
    request.id = cell->id;
    return s_call (client, "gateway", method, &request.base, status);
}

/* ---- the setups: what each row's cell needs before its call ----------------------- */

#define SETUP(name, ...) static const step_t name [] = { __VA_ARGS__, { NULL, NULL } }
/* The steps most setups start with. */
#define ADD          { s_add, "enterprise.add" }
#define ACTIVATE     { s_transition, "enterprise.transition" }, { s_activate, "enterprise.transition" }
#define RAISE_ASSIGN { s_raise, "problem.raise" }, { s_assign, "problem.assign" }
#define AWAIT        { s_projected, "" }

SETUP (ADDED,       ADD);
SETUP (ACTIVE,      ADD, ACTIVATE);
SETUP (CLOSING,     ADD, ACTIVATE, { s_close, "enterprise.close" });
SETUP (RAISED,      ADD, { s_raise, "problem.raise" });
SETUP (ASSIGNED,    ADD, RAISE_ASSIGN);
SETUP (ACCEPTED,    ADD, RAISE_ASSIGN, { s_by_handler, "problem.accept" });
SETUP (RESOLVED,    ADD, RAISE_ASSIGN, { s_by_handler, "problem.accept" }, { s_by_handler, "problem.resolve" });
SETUP (COMPLEX,     ADD, { s_raise_complex, "problem.raise" }, { s_assign, "problem.assign" },
                    { s_by_handler, "problem.accept" });
SETUP (SUBSCRIBED,  { s_subscribe, "notify.subscribe" });
SETUP (TECH,        ADD, { s_tech_add, "tech.add" });
SETUP (APPLIED,     ADD, { s_tech_add, "tech.add" }, { s_apply, "project.apply" });
SETUP (DEMO,        ADD, { s_demo_write, "demo.add" });
SETUP (POLICY,      { s_policy_write, "policy.add" });
SETUP (PROJECTED,   ADD, AWAIT);
SETUP (GROUP,       ADD, AWAIT, { s_group_add, "group.add" });
SETUP (STAFFED,     ADD, AWAIT, { s_group_add, "group.add" }, { s_member_wang, "group.member.add" },
                    { s_group_enterprise, "group.assign" });
SETUP (PAIRED,      ADD, AWAIT, { s_pair_add, "pair.add" });
SETUP (LINKED,      ADD, AWAIT, { s_guidance, "guidance.link" });
SETUP (TOKEN,       { s_token_create, "token.create" });

#define ENT_JSON  "{\"creditCode\":\"{code}\",\"name\":\"授权矩阵企业\",\"county\":\"140105\"," \
                  "\"industry\":\"3311\",\"department\":\"gxt\"}"
#define STEP_JSON "{\"note\":\"授权矩阵\"}"

/*                                       prov dept out city out cnty out grp self oth anon */
static const row_t s_rows [] = {
    { "registry", "enterprise.add",        "A"  "A" "-"  "A" "-"  "A" "-"  "-" "A"  "-" "-",  NULL,       s_add,
      "POST", "/api/v1/enterprises", ENT_JSON },
    { "registry", "enterprise.update",     "A"  "A" "-"  "A" "-"  "A" "-"  "-" "A"  "-" "-",  ADDED,      s_update,
      "PATCH", "/api/v1/enterprises/{code}", "{\"name\":\"授权矩阵企业（改名）\"}" },
    { "registry", "enterprise.transition", "A"  "A" "-"  "A" "-"  "A" "-"  "-" "A"  "-" "-",  ADDED,      s_transition,
      "POST", "/api/v1/enterprises/{code}/transitions", "{\"to\":\"IN_PROGRESS\",\"reason\":\"授权矩阵\"}" },
    { "registry", "enterprise.close",      "A"  "A" "-"  "A" "-"  "A" "-"  "-" "A"  "-" "-",  ACTIVE,     s_close,
      "POST", "/api/v1/enterprises/{code}/close", "{\"evidence\":\"研发机构已建成\"}" },
    { "registry", "enterprise.review",     "A"  "A" "-"  "A" "-"  "-" "-"  "-" "-"  "-" "-",  CLOSING,    s_review,
      "POST", "/api/v1/enterprises/{code}/review", "{\"approve\":true}" },
    { "registry", "enterprise.import",     "A"  "A" "-"  "A" "-"  "A" "-"  "-" "A"  "-" "-",  NULL,       s_import,
      "POST", "/api/v1/enterprises:import",
      "统一社会信用代码,企业名称,县区代码,行业代码,主管部门\n{code},授权矩阵企业,140105,3311,gxt\n" },
    { "registry", "agency.add",            "A"  "-" "-"  "-" "-"  "-" "-"  "-" "-"  "-" "-",  NULL,       s_agency_add,
      "POST", "/api/v1/agencies", "{\"code\":\"alliance:authz{n}\",\"kind\":\"ALLIANCE\",\"name\":\"授权矩阵联盟\"}" },
    { "registry", "agency.update",         "A"  "A" "-"  "-" "-"  "-" "-"  "-" "-"  "-" "-",  NULL,       s_agency_update,
      "PATCH", "/api/v1/agencies/gxt", "{\"name\":\"工业和信息化厅{n}\"}" },
    { "notify",   "notify.subscribe",      "A"  "-" "-"  "A" "-"  "-" "-"  "-" "-"  "-" "-",  NULL,       s_subscribe,
      "POST", "/api/v1/subscriptions", "{\"agency\":\"city:140100\",\"typePrefix\":\"enterprise.\"}" },
    { "notify",   "notices.ack",           "A"  "-" "-"  "A" "-"  "-" "-"  "-" "-"  "-" "-",  NULL,       s_ack,
      "POST", "/api/v1/notices:ack", "{\"agency\":\"city:140100\",\"ids\":[\"dl:none#overdue\"]}" },
    { "problems", "problem.raise",         "A"  "-" "-"  "A" "-"  "-" "-"  "A" "A"  "-" "-",  ADDED,      s_raise,
      "POST", "/api/v1/problems", "{\"enterprise\":\"{code}\",\"category\":\"funding\",\"description\":\"授权矩阵\",\"kind\":\"government\",\"workGroup\":\"g1\"}" },
    { "problems", "problem.assign",        "A"  "-" "-"  "A" "-"  "-" "-"  "-" "-"  "-" "-",  RAISED,     s_assign,
      "POST", "/api/v1/problems/{id}/assign", "{\"to\":\"dept:gxt\"}" },
    { "problems", "problem.accept",        "-"  "A" "-"  "-" "-"  "-" "-"  "-" "-"  "-" "-",  ASSIGNED,   s_step,
      "POST", "/api/v1/problems/{id}/accept", STEP_JSON },
    { "problems", "problem.progress",      "-"  "A" "-"  "-" "-"  "-" "-"  "-" "-"  "-" "-",  ACCEPTED,   s_step,
      "POST", "/api/v1/problems/{id}/progress", STEP_JSON },
    { "problems", "problem.resolve",       "-"  "A" "-"  "-" "-"  "-" "-"  "-" "-"  "-" "-",  ACCEPTED,   s_step,
      "POST", "/api/v1/problems/{id}/resolve", STEP_JSON },
    { "problems", "problem.close",         "A"  "-" "-"  "A" "-"  "-" "-"  "A" "-"  "-" "-",  RESOLVED,   s_step,
      "POST", "/api/v1/problems/{id}/close", STEP_JSON },
    { "report",   "report.submit",         "-"  "-" "-"  "A" "-"  "-" "-"  "-" "-"  "-" "-",  NULL,       s_submit,
      "POST", "/api/v1/reports", "{\"agency\":\"city:140100\",\"narrative\":\"本月新增开展创新活动企业若干。\"}" },
    { "catalogue", "tech.add",             "A"  "-" "-"  "-" "-"  "-" "-"  "-" "-"  "-" "-",  NULL,       s_tech_add,
      "POST", "/api/v1/technologies", "{\"year\":2026,\"name\":\"授权矩阵技术{n}\",\"sector\":\"ADVANCED_MANUFACTURING\","
      "\"proposerKind\":\"PROPOSER_CITY\",\"proposer\":\"140100\",\"industries\":[\"33\"],\"description\":\"授权矩阵\"}" },
    { "catalogue", "tech.publish",         "A"  "-" "-"  "-" "-"  "-" "-"  "-" "-"  "-" "-",  NULL,       s_tech_publish,
      "POST", "/api/v1/technologies:publish", "{\"year\":{year}}" },
    { "catalogue", "project.apply",        "A"  "-" "-"  "-" "-"  "-" "-"  "-" "A"  "-" "-",  TECH,       s_apply,
      "POST", "/api/v1/projects", "{\"project\":{\"year\":2026,\"creditCode\":\"{code}\",\"name\":\"授权矩阵项目\","
      "\"kind\":\"KEY_INNOVATION\",\"techId\":\"{tech}\",\"chainAction\":\"CHAIN_EXTEND\",\"budget\":100},"
      "\"milestones\":[{\"title\":\"样机\",\"due\":\"2026-09-30\"}]}" },
    { "catalogue", "project.advance",      "A"  "-" "-"  "-" "-"  "-" "-"  "-" "-"  "-" "-",  APPLIED,    s_advance,
      "POST", "/api/v1/projects/{id}/advance", "{\"to\":\"under_review\"}" },
    { "catalogue", "demo.add",             "A"  "A" "A"  "A" "-"  "A" "-"  "-" "-"  "-" "-",  ADDED,      s_demo_write,
      "POST", "/api/v1/demonstrations", "{\"year\":2026,\"kind\":\"DEMO_TECH_INNOVATION\",\"creditCode\":\"{code}\","
      "\"title\":\"授权矩阵示范\",\"experience\":\"可复制的做法\"}" },
    { "catalogue", "policy.add",           "A"  "A" "A"  "-" "-"  "-" "-"  "-" "-"  "-" "-",  NULL,       s_policy_write,
      "POST", "/api/v1/policies", "{\"title\":\"授权矩阵政策\",\"level\":\"POLICY_LEVEL_PROVINCIAL\",\"kind\":\"资金\",\"issuer\":\"省工信厅\"}" },
    { "catalogue", "support.add",          "A"  "A" "A"  "A" "-"  "A" "-"  "-" "-"  "-" "-",  ADDED,      s_support_add,
      "POST", "/api/v1/supports", "{\"year\":2026,\"kind\":\"SUPPORT_FIRST_UNIT\",\"creditCode\":\"{code}\",\"product\":\"授权矩阵首台套\"}" },
    { "pairing",  "group.add",             "A"  "-" "-"  "A" "-"  "-" "-"  "-" "-"  "-" "-",  NULL,       s_group_add,
      "POST", "/api/v1/groups", "{\"name\":\"授权矩阵专班{n}\",\"owner\":\"city:140100\"}" },
    { "pairing",  "group.member.add",      "A"  "-" "-"  "A" "-"  "-" "-"  "-" "-"  "-" "-",  GROUP,      s_member_add,
      "POST", "/api/v1/groups/{id}/members", "{\"name\":\"王处长\",\"unit\":\"太原市工信局\",\"rank\":\"division\",\"kind\":\"official\"}" },
    { "pairing",  "group.assign",          "A"  "-" "-"  "A" "-"  "-" "-"  "-" "-"  "-" "-",  GROUP,      s_group_enterprise,
      "POST", "/api/v1/groups/{id}/enterprises", "{\"enterprises\":[\"{code}\"]}" },
    { "pairing",  "group.ready",           "A"  "-" "-"  "A" "-"  "-" "-"  "-" "-"  "-" "-",  GROUP,      s_group_ready,
      "POST", "/api/v1/groups/{id}/ready", "{}" },
    { "pairing",  "pair.add",              "A"  "A" "-"  "A" "-"  "A" "-"  "-" "-"  "-" "-",  PROJECTED,  s_pair_add,
      "POST", "/api/v1/pairings", "{\"enterprise\":\"{code}\"}" },
    { "pairing",  "pair.end",              "A"  "A" "-"  "A" "-"  "A" "-"  "-" "-"  "-" "-",  PAIRED,     s_pair_end,
      "POST", "/api/v1/pairings/{id}/end", "{\"enterprise\":\"{code}\",\"reason\":\"授权矩阵\"}" },
    { "pairing",  "guidance.link",         "A"  "A" "-"  "A" "-"  "A" "-"  "-" "-"  "-" "-",  PROJECTED,  s_guidance,
      "POST", "/api/v1/guidance", "{\"agency\":\"alliance.photovoltaic\",\"enterprises\":[\"{code}\"]}" },
    { "pairing",  "pair.suggest",          "A"  "-" "-"  "A" "-"  "-" "-"  "-" "-"  "-" "-",  NULL,       s_suggest_apply,
      "POST", "/api/v1/pairings:suggest", "{\"city\":\"140100\",\"apply\":true,\"limit\":1}" },
    { "gateway",  "token.create",          "A"  "-" "-"  "A" "-"  "-" "-"  "-" "-"  "-" "-",  NULL,       s_token_create,
      "POST", "/api/v1/tokens", "{\"principal\":\"city:140100\",\"name\":\"授权矩阵\"}" },
    { "notify",   "notify.unsubscribe",    "A"  "-" "-"  "A" "-"  "-" "-"  "-" "-"  "-" "-",  SUBSCRIBED, s_unsubscribe,
      "DELETE", "/api/v1/subscriptions/{id}", "" },
    { "problems", "problem.plan",          "-"  "A" "-"  "-" "-"  "-" "-"  "-" "-"  "-" "-",  COMPLEX,    s_plan,
      "POST", "/api/v1/problems/{id}/plan", "{\"plan\":\"分两期解决\",\"dueMs\":\"{due}\"}" },
    { "catalogue", "tech.amend",           "A"  "-" "-"  "-" "-"  "-" "-"  "-" "-"  "-" "-",  TECH,       s_tech_change,
      "PATCH", "/api/v1/technologies/{tech}", "{\"name\":\"授权矩阵技术（修订）\"}" },
    { "catalogue", "tech.withdraw",        "A"  "-" "-"  "-" "-"  "-" "-"  "-" "-"  "-" "-",  TECH,       s_tech_change,
      "POST", "/api/v1/technologies/{tech}/withdraw", "{\"reason\":\"授权矩阵\"}" },
    { "catalogue", "project.progress",     "A"  "-" "-"  "-" "-"  "-" "-"  "-" "A"  "-" "-",  APPLIED,    s_project_progress,
      "POST", "/api/v1/projects/{id}/progress", "{\"milestone\":1,\"text\":\"样机完成一半\",\"percent\":50}" },
    { "catalogue", "project.quota",        "A"  "-" "-"  "-" "-"  "-" "-"  "-" "-"  "-" "-",  NULL,       s_project_quota,
      "POST", "/api/v1/projects:quota", "{\"year\":2026,\"quota\":100}" },
    { "catalogue", "demo.update",          "A"  "A" "A"  "A" "-"  "A" "-"  "-" "-"  "-" "-",  DEMO,       s_demo_write,
      "PATCH", "/api/v1/demonstrations/{id}", "{\"title\":\"授权矩阵示范（修订）\",\"experience\":\"可复制的做法（修订）\"}" },
    { "catalogue", "policy.update",        "A"  "A" "A"  "-" "-"  "-" "-"  "-" "-"  "-" "-",  POLICY,     s_policy_write,
      "PATCH", "/api/v1/policies/{id}", "{\"title\":\"授权矩阵政策（修订）\",\"level\":\"POLICY_LEVEL_PROVINCIAL\",\"kind\":\"资金\",\"issuer\":\"省工信厅\"}" },
    { "pairing",  "group.member.remove",   "A"  "-" "-"  "A" "-"  "-" "-"  "-" "-"  "-" "-",  STAFFED,    s_member_wang,
      "DELETE", "/api/v1/groups/{id}/members/wang", "" },
    { "pairing",  "group.unassign",        "A"  "-" "-"  "A" "-"  "-" "-"  "-" "-"  "-" "-",  STAFFED,    s_group_enterprise,
      "POST", "/api/v1/groups/{id}/enterprises:remove", "{\"enterprises\":[\"{code}\"]}" },
    { "pairing",  "guidance.unlink",       "A"  "A" "-"  "A" "-"  "A" "-"  "-" "-"  "-" "-",  LINKED,     s_guidance,
      "POST", "/api/v1/guidance:unlink", "{\"agency\":\"alliance.photovoltaic\",\"enterprises\":[\"{code}\"]}" },
    { "gateway",  "token.revoke",          "A"  "-" "-"  "A" "-"  "-" "-"  "-" "-"  "-" "-",  TOKEN,      s_token_revoke,
      "DELETE", "/api/v1/tokens/{id}", "" },
};

/* ---- running the table ------------------------------------------------------------ */

static long long
s_last_seq (void)
{
    char *out = harness_redis_cli (H, "GET", "{14}:seq", NULL);
    long long seq = out? atoll (out): -1;
    free (out);
    return seq;
}

/* Events after seq `after` written with this actor (what a refused call must not do;
   other services' own reactions to earlier cells may still be arriving, so the
   stream's length alone would not tell). */
static int
s_events_by (long long after, const char *actor)
{
    char start [32];
    snprintf (start, sizeof start, "%lld-1", after + 1);
    char *out = harness_redis_cli (H, "--raw", "XRANGE", "{14}:events", start, "+", NULL);
    int count = 0;
    char *previous = NULL;
    for (char *line = out? strtok (out, "\n"): NULL; line; line = strtok (NULL, "\n")) {
        if (previous && streq (previous, "actor") && streq (line, actor))
            count++;
        previous = line;
    }
    free (out);
    return count;
}

static void
s_claim (const char *principal, const char *self_code, char *claim, size_t size)
{
    if (streq (principal, "ent:SELF"))
        snprintf (claim, size, "ent:%s", self_code);
    else
    if (streq (principal, "ent:OTHER"))
        snprintf (claim, size, "ent:%s", "91140100MA0K9RB93L");
    else
        snprintf (claim, size, "%s", principal);
}

static mdp_client_t *
s_client (const char *principal, const char *self_code)
{
    char claim [64];
    s_claim (principal, self_code, claim, sizeof claim);
    mdp_client_t *client = mdp_client_new (harness_broker (H),
                                           streq (claim, "anonymous")? NULL: claim);
    mdp_client_set_timeout (client, 5000);
    mdp_client_set_retries (client, 1);
    return client;
}

/* text with {code}, {id} and {n} replaced by the cell's values, into out. */
static void
s_fill (const char *template, const cell_t *cell, char *out, size_t size)
{
    size_t used = 0;
    char n [16], year [16], due [32];
    snprintf (n, sizeof n, "%d", cell->n);
    snprintf (due, sizeof due, "%lld", (long long) (zclock_time () + 20LL * 86400000));
    snprintf (year, sizeof year, "%d", 2100 + (cell->n % 700));
    for (const char *p = template; *p && used + 1 < size; ) {
        const char *value = NULL;
        size_t skip = 0;
        if (strncmp (p, "{code}", 6) == 0) { value = cell->code; skip = 6; }
        else
        if (strncmp (p, "{id}", 4) == 0)   { value = cell->id; skip = 4; }
        else
        if (strncmp (p, "{n}", 3) == 0)    { value = n; skip = 3; }
        else
        if (strncmp (p, "{tech}", 6) == 0) { value = cell->tech; skip = 6; }
        else
        if (strncmp (p, "{year}", 6) == 0) { value = year; skip = 6; }
        else
        if (strncmp (p, "{due}", 5) == 0)  { value = due; skip = 5; }
        if (value) {
            used += snprintf (out + used, size - used, "%s", value);
            p += skip;
        }
        else
            out [used++] = *p++;
    }
    out [used < size? used: size - 1] = 0;
}

/* A bearer token acting for the principal, made by the province through the gateway's
   token.create; NULL for anonymous. */
static char *
s_token (mdp_client_t *admin, const char *principal)
{
    if (streq (principal, "anonymous"))
        return NULL;
    Innov__CreateTokenRequest request = INNOV__CREATE_TOKEN_REQUEST__INIT;
    request.principal = (char *) principal;
    request.name = "授权矩阵";
    Innov__TokenReply *reply = NULL;
    int code = inv_rpc_call (admin, "gateway", "token.create", &request.base,
                             &innov__token_reply__descriptor, (ProtobufCMessage **) &reply, NULL);
    assert_int_equal (code, 200);
    char *secret = strdup (reply->token->secret);
    innov__token_reply__free_unpacked (reply, NULL);
    return secret;
}

static char s_http [96];        /* the gateway's base URL; "" for the MDP pass */
static char s_http_addr [64];   /* where the gateway listens (host:port) */

/* One cell: the call by MDP, or by HTTP when s_http is set. Returns its status code and
   the reason (status message, or the HTTP body) in reason. */
static int
s_cell_call (const row_t *row, cell_t *cell, const char *principal, const char *token,
             char *reason, size_t size)
{
    *reason = 0;
    if (!*s_http) {
        mdp_client_t *client = s_client (principal, cell->code);
        Innov__Status *status = NULL;
        int code = row->call (cell, client, row->method, &status);
        if (status && status->message)
            snprintf (reason, size, "%s", status->message);
        if (status)
            innov__status__free_unpacked (status, NULL);
        mdp_client_destroy (&client);
        return code;
    }
    char path [256], body [1024], url [400];
    s_fill (row->path, cell, path, sizeof path);
    s_fill (row->body, cell, body, sizeof body);
    snprintf (url, sizeof url, "%s%s", s_http, path);
    const char *csv [] = { "Content-Type: text/csv", NULL };
    const char *json [] = { "Content-Type: application/json", NULL };
    http_reply_t r;
    http_request (&r, row->verb, url, token, *body? body: NULL, strlen (body),
                  strstr (path, ":import")? csv: json);
    snprintf (reason, size, "%.200s", r.body? r.body: "");
    long code = r.status;
    http_reply_clear (&r);
    return (int) code;
}

/* The row's setup steps for one cell, as the province; 200, or the answer of the
   step that failed. */
static int
s_prepare (const row_t *row, cell_t *cell, mdp_client_t *admin)
{
    Innov__Status *status = NULL;
    int rc = 200;
    for (const step_t *step = row->setup; step && step->call && rc == 200; step++)
        rc = step->call (cell, admin, step->method, &status);
    if (rc != 200)
        print_error ("%s %s: the setup failed: %d %s\n", row->service, row->method, rc,
                     status && status->message? status->message: "");
    if (status)
        innov__status__free_unpacked (status, NULL);
    return rc;
}

/* The whole table; returns how many cells disagree with it. */
static int
s_run_matrix (void)
{
    mdp_client_t *admin = mdp_client_new (harness_broker (H), "province");
    int cells = 0, wrong = 0;
    for (size_t r = 0; r < sizeof s_rows / sizeof s_rows [0]; r++) {
        const row_t *row = &s_rows [r];
        assert_int_equal (strlen (row->expect), COLUMNS);
        for (int c = 0; c < COLUMNS; c++) {
            cell_t cell = { .n = (*s_http? 100000: 1000) + (int) r * 100 + c };
            registry_fixture_code (cell.n, cell.code);
            assert_int_equal (s_prepare (row, &cell, admin), 200);
            char claim [64], reason [256];
            s_claim (s_columns [c], cell.code, claim, sizeof claim);
            //  The token is made before the call is measured: its token.created event
            //  is the province's, not the call's.
            char *token = *s_http? s_token (admin, claim): NULL;
            long long before = s_last_seq ();
            int code = s_cell_call (row, &cell, s_columns [c], token, reason, sizeof reason);
            free (token);
            int written = s_events_by (before, claim);
            bool allowed = row->expect [c] == 'A';
            //  Without a token the gateway answers 401 before any service is asked.
            int denial = *s_http && c == C_ANONYMOUS? 401: 403;
            bool ok = allowed? (code != 401 && code != 403 && code != 0)
                             : (code == denial && *reason && written == 0);
            if (!ok) {
                print_error ("%s: %s %s as %s: expected %s, got %d \"%s\" (%d events by %s)\n",
                             *s_http? "http": "mdp", row->service, row->method, s_columns [c],
                             allowed? "allowed": "a refusal and nothing written", code, reason,
                             written, claim);
                wrong++;
            }
            cells++;
        }
    }
    print_message ("authorization matrix (%s): %d cells (%zu write methods x %d principals), %d wrong\n",
                   *s_http? "HTTP gateway, bearer tokens": "MDP", cells,
                   sizeof s_rows / sizeof s_rows [0], COLUMNS, wrong);
    mdp_client_destroy (&admin);
    return wrong;
}

static void
test_authorization_matrix (void **state)
{
    (void) state;
    s_http [0] = 0;
    assert_int_equal (s_run_matrix (), 0);
}

static void
test_authorization_matrix_http (void **state)
{
    (void) state;
    snprintf (s_http, sizeof s_http, "http://%s", s_http_addr);
    int wrong = s_run_matrix ();
    s_http [0] = 0;
    assert_int_equal (wrong, 0);
}

static int
s_setup (void **state)
{
    (void) state;
    H = harness_new ();
    harness_setenv (H, "INNOV_LOG_LEVEL", "warn");
    snprintf (s_http_addr, sizeof s_http_addr, "127.0.0.1:%d", harness_free_port ());
    harness_setenv (H, "INNOV_HTTP", s_http_addr);
    if (harness_start_redis (H) <= 0 || harness_start_broker (H) <= 0
    ||  harness_start_service (H, "registry") <= 0 || harness_start_service (H, "notify") <= 0
    ||  harness_start_service (H, "problems") <= 0 || harness_start_service (H, "report") <= 0
    ||  harness_start_service (H, "catalogue") <= 0 || harness_start_service (H, "pairing") <= 0
    ||  harness_start_service (H, "gateway") <= 0)
        return -1;
    return 0;
}

static int
s_teardown (void **state)
{
    (void) state;
    harness_destroy (&H);
    return 0;
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_authorization_matrix),
        cmocka_unit_test (test_authorization_matrix_http),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
