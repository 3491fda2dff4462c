/*  gateway_routes: the one table of the HTTP API, and what is derived from it.

    Each row says: HTTP method and path pattern (under /api/v1, "{name}" for a path
    parameter), the broker service and MDP method, the request and reply descriptors,
    and how the HTTP request fills the request message:
      params  "creditCode=credit_code": a path parameter into a (dotted) field;
      body    NULL: no body; "": the body is the request message itself; "enterprise":
              the body is the message of that field;
      mask    a repeated string field that receives the names of the body's members
              (a PATCH names the fields it changes);
      query   query parameters fill the request's top-level fields by name.
    gateway_http does the rest generically (inv_json for both directions). Routes done
    by code (the event stream, import, export, this document) name a special function
    but keep their row, so the OpenAPI document lists every route served.

    The OpenAPI 3 document is built from the same rows: paths and operations from the
    patterns, parameters from the path parameters and (for query routes) the request's
    scalar fields, schemas from the descriptors (components/schemas, one per message,
    named by the proto name without the package), the proto3 JSON mapping's types.
*/
#include "gateway_internal.h"
#include "notify.pb-c.h"
#include "pairing.pb-c.h"
#include "catalogue.pb-c.h"
#include "report.pb-c.h"
#include "problems.pb-c.h"

#define BODY_ALL ""

const gw_route_t gw_routes [] = {
    /* ---- enterprises (registry) ---- */
    { "GET", "/enterprises", "registry", "enterprise.list",
      &innov__list_enterprises_request__descriptor, &innov__list_enterprises_reply__descriptor,
      NULL, NULL, NULL, true, "enterprises", "List enterprises (filters, cursor paging)" },
    { "POST", "/enterprises", "registry", "enterprise.add",
      &innov__add_enterprise_request__descriptor, &innov__enterprise_reply__descriptor,
      NULL, "enterprise", NULL, false, "enterprises", "Add an enterprise (body: an Enterprise)" },
    { "GET", "/enterprises:search", "registry", "enterprise.search",
      &innov__search_request__descriptor, &innov__list_enterprises_reply__descriptor,
      NULL, NULL, NULL, true, "enterprises", "Search enterprises by a fragment of the name" },
    { "GET", "/enterprises:count", "registry", "enterprise.count",
      &innov__count_enterprises_request__descriptor, &innov__count_enterprises_reply__descriptor,
      NULL, NULL, NULL, true, "enterprises", "Count enterprises by city or status" },
    { "POST", "/enterprises:import", "registry", "enterprise.import",
      &innov__import_enterprises_request__descriptor, &innov__import_report__descriptor,
      NULL, NULL, NULL, false, "enterprises", "Import a spreadsheet (CSV, UTF-8 or GB18030)",
      gw_import },
    { "GET", "/enterprises:export", "registry", "enterprise.list",
      &innov__list_enterprises_request__descriptor, NULL,
      NULL, NULL, NULL, true, "enterprises", "Export the ledger as CSV or XLSX (format=csv|xlsx)",
      gw_export },
    { "GET", "/enterprises/{creditCode}", "registry", "enterprise.get",
      &innov__get_enterprise_request__descriptor, &innov__enterprise_reply__descriptor,
      "creditCode=credit_code", NULL, NULL, false, "enterprises", "One enterprise" },
    { "PATCH", "/enterprises/{creditCode}", "registry", "enterprise.update",
      &innov__update_enterprise_request__descriptor, &innov__enterprise_reply__descriptor,
      "creditCode=enterprise.credit_code", "enterprise", "fields", true, "enterprises",
      "Change the fields the body names" },
    { "POST", "/enterprises/{creditCode}/transitions", "registry", "enterprise.transition",
      &innov__transition_request__descriptor, &innov__enterprise_reply__descriptor,
      "creditCode=credit_code", BODY_ALL, NULL, false, "workflow", "Move the status forward" },
    { "POST", "/enterprises/{creditCode}/close", "registry", "enterprise.close",
      &innov__close_request__descriptor, &innov__enterprise_reply__descriptor,
      "creditCode=credit_code", BODY_ALL, NULL, false, "workflow", "Request the closing (销号), with evidence" },
    { "POST", "/enterprises/{creditCode}/review", "registry", "enterprise.review",
      &innov__review_request__descriptor, &innov__enterprise_reply__descriptor,
      "creditCode=credit_code", BODY_ALL, NULL, false, "workflow", "Review a closing: approve or reject" },
    { "GET", "/enterprises/{creditCode}/history", "registry", "enterprise.history",
      &innov__history_request__descriptor, &innov__history_reply__descriptor,
      "creditCode=credit_code", NULL, NULL, false, "workflow", "The status history of an enterprise" },
    /* ---- agencies (registry) ---- */
    { "GET", "/agencies", "registry", "agency.list",
      &innov__list_agencies_request__descriptor, &innov__list_agencies_reply__descriptor,
      NULL, NULL, NULL, true, "agencies", "List agencies" },
    { "POST", "/agencies", "registry", "agency.add",
      &innov__add_agency_request__descriptor, &innov__agency_reply__descriptor,
      NULL, "agency", NULL, false, "agencies", "Add an alliance, expert team or platform" },
    { "GET", "/agencies/{code}", "registry", "agency.get",
      &innov__get_agency_request__descriptor, &innov__agency_reply__descriptor,
      "code=code", NULL, NULL, false, "agencies", "One agency" },
    { "PATCH", "/agencies/{code}", "registry", "agency.update",
      &innov__update_agency_request__descriptor, &innov__agency_reply__descriptor,
      "code=agency.code", "agency", NULL, true, "agencies", "Change an agency" },
    /* ---- notices and subscriptions (notify) ---- */
    { "GET", "/notices", "notify", "notices.list",
      &innov__list_notices_request__descriptor, &innov__list_notices_reply__descriptor,
      NULL, NULL, NULL, true, "notices", "The caller's inbox, newest first" },
    { "GET", "/notices:unread", "notify", "notices.unread",
      &innov__unread_request__descriptor, &innov__unread_reply__descriptor,
      NULL, NULL, NULL, true, "notices", "How many notices are unread" },
    { "POST", "/notices:ack", "notify", "notices.ack",
      &innov__ack_request__descriptor, &innov__ack_reply__descriptor,
      NULL, BODY_ALL, NULL, false, "notices", "Acknowledge notices by id" },
    { "GET", "/subscriptions", "notify", "notify.subscriptions",
      &innov__list_subscriptions_request__descriptor, &innov__list_subscriptions_reply__descriptor,
      NULL, NULL, NULL, true, "notices", "The caller's subscriptions" },
    { "POST", "/subscriptions", "notify", "notify.subscribe",
      &innov__subscribe_request__descriptor, &innov__subscription_reply__descriptor,
      NULL, "subscription", NULL, false, "notices", "Subscribe to event types (with filters, a webhook)" },
    { "DELETE", "/subscriptions/{id}", "notify", "notify.unsubscribe",
      &innov__unsubscribe_request__descriptor, &innov__subscription_reply__descriptor,
      "id=id", NULL, NULL, false, "notices", "Remove a subscription" },
    { "GET", "/deliveries", "notify", "notify.deliveries",
      &innov__list_deliveries_request__descriptor, &innov__list_deliveries_reply__descriptor,
      NULL, NULL, NULL, true, "notices", "Webhook deliveries of a subscription" },
    /* ---- work groups, pairings, coverage (pairing) ---- */
    { "GET", "/groups", "pairing", "group.list",
      &innov__list_groups_request__descriptor, &innov__list_groups_reply__descriptor,
      NULL, NULL, NULL, true, "groups", "List work groups" },
    { "POST", "/groups", "pairing", "group.add",
      &innov__add_group_request__descriptor, &innov__group_reply__descriptor,
      NULL, "group", NULL, false, "groups", "Form a work group" },
    { "GET", "/groups/{id}", "pairing", "group.get",
      &innov__get_group_request__descriptor, &innov__group_reply__descriptor,
      "id=id", NULL, NULL, false, "groups", "One work group" },
    { "POST", "/groups/{id}/members", "pairing", "group.member.add",
      &innov__group_member_request__descriptor, &innov__group_reply__descriptor,
      "id=group_id", "member", NULL, false, "groups", "Add a member (body: a GroupMember)" },
    { "DELETE", "/groups/{id}/members/{name}", "pairing", "group.member.remove",
      &innov__group_member_request__descriptor, &innov__group_reply__descriptor,
      "id=group_id;name=member.name", NULL, NULL, false, "groups", "Remove a member by name" },
    { "POST", "/groups/{id}/enterprises", "pairing", "group.assign",
      &innov__group_enterprises_request__descriptor, &innov__group_reply__descriptor,
      "id=group_id", BODY_ALL, NULL, false, "groups", "Assign enterprises (body: {\"enterprises\":[...]})" },
    { "POST", "/groups/{id}/enterprises:remove", "pairing", "group.unassign",
      &innov__group_enterprises_request__descriptor, &innov__group_reply__descriptor,
      "id=group_id", BODY_ALL, NULL, false, "groups", "Unassign enterprises" },
    { "POST", "/groups/{id}/ready", "pairing", "group.ready",
      &innov__group_ready_request__descriptor, &innov__group_reply__descriptor,
      "id=group_id", BODY_ALL, NULL, false, "groups", "Declare the group ready (400 naming each rule broken)" },
    { "GET", "/pairings", "pairing", "pair.list",
      &innov__list_pairings_request__descriptor, &innov__list_pairings_reply__descriptor,
      NULL, NULL, NULL, true, "pairings", "List pairings (city, enterprise or mentor)" },
    { "POST", "/pairings", "pairing", "pair.add",
      &innov__add_pairing_request__descriptor, &innov__pairing_reply__descriptor,
      NULL, BODY_ALL, NULL, false, "pairings", "Pair an enterprise (three-party pairing)" },
    { "POST", "/pairings:suggest", "pairing", "pair.suggest",
      &innov__suggest_request__descriptor, &innov__suggest_reply__descriptor,
      NULL, BODY_ALL, NULL, false, "pairings", "Mentor matching proposals (apply: write them)" },
    { "GET", "/pairings/{id}", "pairing", "pair.get",
      &innov__get_pairing_request__descriptor, &innov__pairing_reply__descriptor,
      "id=id", NULL, NULL, false, "pairings", "One pairing" },
    { "POST", "/pairings/{id}/end", "pairing", "pair.end",
      &innov__end_pairing_request__descriptor, &innov__pairing_reply__descriptor,
      "id=id", BODY_ALL, NULL, false, "pairings", "End a pairing" },
    { "GET", "/coverage", "pairing", "coverage.get",
      &innov__coverage_request__descriptor, &innov__coverage_reply__descriptor,
      NULL, NULL, NULL, true, "coverage", "Coverage by province, city, department or cluster" },
    { "GET", "/coverage/gaps", "pairing", "coverage.gaps",
      &innov__gaps_request__descriptor, &innov__gaps_reply__descriptor,
      NULL, NULL, NULL, true, "coverage", "Enterprises not yet covered, with the reason" },
    { "GET", "/guidance", "pairing", "guidance.list",
      &innov__list_guidance_request__descriptor, &innov__list_guidance_reply__descriptor,
      NULL, NULL, NULL, true, "coverage", "Guidance links of an agency or an enterprise" },
    { "POST", "/guidance", "pairing", "guidance.link",
      &innov__link_request__descriptor, &innov__link_reply__descriptor,
      NULL, BODY_ALL, NULL, false, "coverage", "Link enterprises to an alliance, expert team or platform" },
    { "POST", "/guidance:unlink", "pairing", "guidance.unlink",
      &innov__link_request__descriptor, &innov__link_reply__descriptor,
      NULL, BODY_ALL, NULL, false, "coverage", "Unlink enterprises" },
    /* ---- technologies, projects, demonstrations, policies, support (catalogue) ---- */
    { "GET", "/technologies", "catalogue", "tech.list",
      &innov__tech_list_request__descriptor, &innov__tech_list_reply__descriptor,
      NULL, NULL, NULL, true, "catalogue", "The key technology directory (as of an instant)" },
    { "POST", "/technologies", "catalogue", "tech.add",
      &innov__tech_write_request__descriptor, &innov__tech_reply__descriptor,
      NULL, "entry", NULL, false, "catalogue", "Add a technology entry" },
    { "POST", "/technologies:publish", "catalogue", "tech.publish",
      &innov__tech_publish_request__descriptor, &innov__directory_reply__descriptor,
      NULL, BODY_ALL, NULL, false, "catalogue", "Publish the year's directory" },
    { "GET", "/technologies:diff", "catalogue", "tech.diff",
      &innov__tech_diff_request__descriptor, &innov__tech_diff_reply__descriptor,
      NULL, NULL, NULL, true, "catalogue", "What changed between two instants" },
    { "GET", "/technologies/{id}", "catalogue", "tech.get",
      &innov__catalogue_get_request__descriptor, &innov__tech_reply__descriptor,
      "id=id", NULL, NULL, false, "catalogue", "One entry with its versions" },
    { "PATCH", "/technologies/{id}", "catalogue", "tech.amend",
      &innov__tech_write_request__descriptor, &innov__tech_reply__descriptor,
      "id=entry.id", "entry", "fields", false, "catalogue", "Amend the fields the body names" },
    { "POST", "/technologies/{id}/withdraw", "catalogue", "tech.withdraw",
      &innov__tech_write_request__descriptor, &innov__tech_reply__descriptor,
      "id=entry.id", "entry", NULL, false, "catalogue", "Withdraw an entry (body: {\"reason\":...})" },
    { "GET", "/projects", "catalogue", "project.list",
      &innov__project_list_request__descriptor, &innov__project_list_reply__descriptor,
      NULL, NULL, NULL, true, "catalogue", "Innovation projects" },
    { "POST", "/projects", "catalogue", "project.apply",
      &innov__apply_project_request__descriptor, &innov__project_reply__descriptor,
      NULL, BODY_ALL, NULL, false, "catalogue", "Apply for a project (project, milestones)" },
    { "GET", "/projects:quota", "catalogue", "project.quota",
      &innov__project_quota_request__descriptor, &innov__project_plan_reply__descriptor,
      NULL, NULL, NULL, true, "catalogue", "The year's project plan" },
    { "POST", "/projects:quota", "catalogue", "project.quota",
      &innov__project_quota_request__descriptor, &innov__project_plan_reply__descriptor,
      NULL, BODY_ALL, NULL, false, "catalogue", "Set the year's quota" },
    { "GET", "/projects/{id}", "catalogue", "project.get",
      &innov__catalogue_get_request__descriptor, &innov__project_reply__descriptor,
      "id=id", NULL, NULL, false, "catalogue", "One project" },
    { "POST", "/projects/{id}/advance", "catalogue", "project.advance",
      &innov__advance_project_request__descriptor, &innov__project_reply__descriptor,
      "id=id", BODY_ALL, NULL, false, "catalogue", "Move a project on (review, select, reject, fund, recommend)" },
    { "POST", "/projects/{id}/progress", "catalogue", "project.progress",
      &innov__project_progress_request__descriptor, &innov__project_reply__descriptor,
      "id=id", BODY_ALL, NULL, false, "catalogue", "Report a milestone's progress" },
    { "GET", "/demonstrations", "catalogue", "demo.list",
      &innov__demo_list_request__descriptor, &innov__demo_list_reply__descriptor,
      NULL, NULL, NULL, true, "catalogue", "Demonstrations" },
    { "POST", "/demonstrations", "catalogue", "demo.add",
      &innov__demo_write_request__descriptor, &innov__demo_reply__descriptor,
      NULL, "demo", NULL, false, "catalogue", "Add a demonstration" },
    { "GET", "/demonstrations/{id}", "catalogue", "demo.get",
      &innov__catalogue_get_request__descriptor, &innov__demo_reply__descriptor,
      "id=id", NULL, NULL, false, "catalogue", "One demonstration" },
    { "PATCH", "/demonstrations/{id}", "catalogue", "demo.update",
      &innov__demo_write_request__descriptor, &innov__demo_reply__descriptor,
      "id=demo.id", "demo", NULL, false, "catalogue", "Update a demonstration" },
    { "GET", "/policies", "catalogue", "policy.list",
      &innov__policy_list_request__descriptor, &innov__policy_list_reply__descriptor,
      NULL, NULL, NULL, true, "catalogue", "Policies" },
    { "POST", "/policies", "catalogue", "policy.add",
      &innov__policy_write_request__descriptor, &innov__policy_reply__descriptor,
      NULL, "policy", NULL, false, "catalogue", "Add a policy" },
    { "GET", "/policies:menu", "catalogue", "policy.menu",
      &innov__policy_menu_request__descriptor, &innov__policy_menu_reply__descriptor,
      NULL, NULL, NULL, true, "catalogue", "The policies that fit an enterprise" },
    { "GET", "/policies/{id}", "catalogue", "policy.get",
      &innov__catalogue_get_request__descriptor, &innov__policy_reply__descriptor,
      "id=id", NULL, NULL, false, "catalogue", "One policy" },
    { "PATCH", "/policies/{id}", "catalogue", "policy.update",
      &innov__policy_write_request__descriptor, &innov__policy_reply__descriptor,
      "id=policy.id", "policy", NULL, false, "catalogue", "Update a policy" },
    { "GET", "/supports", "catalogue", "support.list",
      &innov__support_list_request__descriptor, &innov__support_list_reply__descriptor,
      NULL, NULL, NULL, true, "catalogue", "Support records" },
    { "POST", "/supports", "catalogue", "support.add",
      &innov__support_write_request__descriptor, &innov__support_reply__descriptor,
      NULL, "record", NULL, false, "catalogue", "Record support given" },
    { "GET", "/supports/{id}", "catalogue", "support.get",
      &innov__catalogue_get_request__descriptor, &innov__support_reply__descriptor,
      "id=id", NULL, NULL, false, "catalogue", "One support record" },
    /* ---- reports (report) ---- */
    { "POST", "/reports", "report", "report.submit",
      &innov__submit_report_request__descriptor, &innov__report_reply__descriptor,
      NULL, BODY_ALL, NULL, false, "reports", "Submit the monthly ledger report" },
    { "GET", "/reports:status", "report", "report.status",
      &innov__report_status_request__descriptor, &innov__report_status_reply__descriptor,
      NULL, NULL, NULL, true, "reports", "Who reported on time, late, or not" },
    { "GET", "/reports:assessment", "report", "report.assessment",
      &innov__assessment_request__descriptor, &innov__assessment_reply__descriptor,
      NULL, NULL, NULL, true, "reports", "Coverage and R&D figures with ranking" },
    { "GET", "/reports:bulletin", "report", "report.bulletin",
      &innov__bulletin_request__descriptor, &innov__document_reply__descriptor,
      NULL, NULL, NULL, true, "reports", "The month's bulletin (markdown, html or json)" },
    { "GET", "/reports:summary", "report", "report.summary",
      &innov__summary_request__descriptor, &innov__document_reply__descriptor,
      NULL, NULL, NULL, true, "reports", "Campaign summaries" },
    { "GET", "/reports/{agency}", "report", "report.get",
      &innov__get_report_request__descriptor, &innov__report_reply__descriptor,
      "agency=agency", NULL, NULL, true, "reports", "One agency's report (?month=YYYY-MM)" },
    /* ---- problems (problems) ---- */
    { "GET", "/problems", "problems", "problem.list",
      &innov__list_problems_request__descriptor, &innov__list_problems_reply__descriptor,
      NULL, NULL, NULL, true, "problems", "The problem list" },
    { "POST", "/problems", "problems", "problem.raise",
      &innov__raise_problem_request__descriptor, &innov__problem_reply__descriptor,
      NULL, BODY_ALL, NULL, false, "problems", "Raise a problem of an enterprise" },
    { "GET", "/problems/{id}", "problems", "problem.get",
      &innov__get_problem_request__descriptor, &innov__problem_reply__descriptor,
      "id=id", NULL, NULL, false, "problems", "One problem with its steps" },
    { "POST", "/problems/{id}/assign", "problems", "problem.assign",
      &innov__assign_problem_request__descriptor, &innov__problem_reply__descriptor,
      "id=id", BODY_ALL, NULL, false, "problems", "Assign a problem" },
    { "POST", "/problems/{id}/accept", "problems", "problem.accept",
      &innov__problem_step_request__descriptor, &innov__problem_reply__descriptor,
      "id=id", BODY_ALL, NULL, false, "problems", "Problem step: accept" },
    { "POST", "/problems/{id}/progress", "problems", "problem.progress",
      &innov__problem_step_request__descriptor, &innov__problem_reply__descriptor,
      "id=id", BODY_ALL, NULL, false, "problems", "Problem step: progress" },
    { "POST", "/problems/{id}/resolve", "problems", "problem.resolve",
      &innov__problem_step_request__descriptor, &innov__problem_reply__descriptor,
      "id=id", BODY_ALL, NULL, false, "problems", "Problem step: resolve" },
    { "POST", "/problems/{id}/close", "problems", "problem.close",
      &innov__problem_step_request__descriptor, &innov__problem_reply__descriptor,
      "id=id", BODY_ALL, NULL, false, "problems", "Problem step: close" },
    { "POST", "/problems/{id}/plan", "problems", "problem.plan",
      &innov__plan_problem_request__descriptor, &innov__problem_reply__descriptor,
      "id=id", BODY_ALL, NULL, false, "problems", "Plan the solution of a complex problem" },
    /* ---- events ---- */
    { "GET", "/events", "events", "events.replay",
      &innov__replay_request__descriptor, &innov__replay_reply__descriptor,
      NULL, NULL, NULL, true, "events", "Events after a sequence number" },
    { "GET", "/events/stream", "events", "events.replay",
      NULL, &innov__event__descriptor,
      NULL, NULL, NULL, false, "events", "Server-Sent Events, filtered by topic, resumable (Last-Event-ID)",
      gw_stream },
    /* ---- tokens (gateway) ---- */
    { "GET", "/tokens", GW_SERVICE, "token.list",
      &innov__list_tokens_request__descriptor, &innov__list_tokens_reply__descriptor,
      NULL, NULL, NULL, true, "tokens", "Bearer tokens (the province: all; others: their own)" },
    { "POST", "/tokens", GW_SERVICE, "token.create",
      &innov__create_token_request__descriptor, &innov__token_reply__descriptor,
      NULL, BODY_ALL, NULL, false, "tokens", "Create a token (the secret is in this reply only)" },
    { "DELETE", "/tokens/{id}", GW_SERVICE, "token.revoke",
      &innov__revoke_token_request__descriptor, &innov__token_reply__descriptor,
      "id=id", NULL, NULL, false, "tokens", "Revoke a token" },
    /* ---- this document ---- */
    { "GET", "/openapi.json", NULL, NULL, NULL, NULL,
      NULL, NULL, NULL, false, "meta", "This OpenAPI 3 document", gw_openapi_route, true },
};

const size_t gw_route_count = sizeof gw_routes / sizeof gw_routes [0];

/* ---- matching ----------------------------------------------------------------------------- */

/* Does path match pattern? Fills params. Both start with '/'. */
static bool
s_match (const char *pattern, const char *path, gw_params_t *params)
{
    params->count = 0;
    const char *p = pattern, *q = path;
    while (*p && *q) {
        if (*p != '/' || *q != '/')
            return false;
        p++, q++;
        const char *pend = strchr (p, '/'), *qend = strchr (q, '/');
        size_t plen = pend? (size_t) (pend - p): strlen (p);
        size_t qlen = qend? (size_t) (qend - q): strlen (q);
        if (plen > 2 && p [0] == '{' && p [plen - 1] == '}') {
            if (qlen == 0 || params->count >= 4 || qlen >= sizeof params->values [0])
                return false;
            snprintf (params->names [params->count], sizeof params->names [0], "%.*s", (int) (plen - 2), p + 1);
            snprintf (params->values [params->count], sizeof params->values [0], "%.*s", (int) qlen, q);
            params->count++;
        }
        else
        if (plen != qlen || memcmp (p, q, plen) != 0)
            return false;
        p += plen, q += qlen;
    }
    /* a trailing slash on the path is tolerated */
    return *p == '\0' && (*q == '\0' || (q [0] == '/' && q [1] == '\0'));
}

const gw_route_t *
gw_route_find (const char *method, const char *path, gw_params_t *params, int *status,
               char *allow, size_t allow_size)
{
    *status = 404;
    if (allow_size)
        allow [0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < gw_route_count; i++) {
        gw_params_t found;
        if (!s_match (gw_routes [i].pattern, path, &found))
            continue;
        if (strcmp (gw_routes [i].method, method) == 0 || (strcmp (method, "HEAD") == 0
                                                           && strcmp (gw_routes [i].method, "GET") == 0)) {
            *params = found;
            *status = 200;
            return &gw_routes [i];
        }
        *status = 405;
        if (used < allow_size)
            used += snprintf (allow + used, allow_size - used, "%s%s", used? ", ": "", gw_routes [i].method);
    }
    return NULL;
}

/* ---- descriptors -------------------------------------------------------------------------- */

static pthread_once_t s_index_once = PTHREAD_ONCE_INIT;
static zhashx_t *s_index;       /* full name -> descriptor */

static void
s_index_add (const ProtobufCMessageDescriptor *desc)
{
    if (!desc || zhashx_lookup (s_index, desc->name))
        return;
    zhashx_insert (s_index, desc->name, (void *) desc);
    for (unsigned i = 0; i < desc->n_fields; i++)
        if (desc->fields [i].type == PROTOBUF_C_TYPE_MESSAGE)
            s_index_add (desc->fields [i].descriptor);
}

static void
s_index_build (void)
{
    s_index = zhashx_new ();
    for (size_t i = 0; i < gw_route_count; i++) {
        s_index_add (gw_routes [i].request);
        s_index_add (gw_routes [i].reply);
    }
    /* payloads of events that no reply carries */
    s_index_add (&innov__status_change__descriptor);
    s_index_add (&innov__notice__descriptor);
    s_index_add (&innov__deadline__descriptor);
    s_index_add (&innov__deadline_announced__descriptor);
    s_index_add (&innov__delivery__descriptor);
    s_index_add (&innov__token__descriptor);
    s_index_add (&innov__status__descriptor);
    s_index_add (&innov__group_assignment__descriptor);
    s_index_add (&innov__guidance_link__descriptor);
    s_index_add (&innov__month_snapshot__descriptor);
}

const ProtobufCMessageDescriptor *
gw_descriptor_find (const char *full_name)
{
    pthread_once (&s_index_once, s_index_build);
    return full_name? (const ProtobufCMessageDescriptor *) zhashx_lookup (s_index, full_name): NULL;
}

/* ---- OpenAPI ------------------------------------------------------------------------------ */

static const char *
s_short (const ProtobufCMessageDescriptor *desc)
{
    const char *dot = strrchr (desc->name, '.');
    return dot? dot + 1: desc->name;
}

static json_t *s_schema_ref (json_t *schemas, const ProtobufCMessageDescriptor *desc);

/* The schema of one value of field f (not the repetition). */
static json_t *
s_value_schema (json_t *schemas, const ProtobufCFieldDescriptor *f)
{
    switch (f->type) {
        case PROTOBUF_C_TYPE_INT32: case PROTOBUF_C_TYPE_SINT32: case PROTOBUF_C_TYPE_SFIXED32:
            return json_pack ("{s:s, s:s}", "type", "integer", "format", "int32");
        case PROTOBUF_C_TYPE_UINT32: case PROTOBUF_C_TYPE_FIXED32:
            return json_pack ("{s:s, s:s, s:i}", "type", "integer", "format", "int64", "minimum", 0);
        case PROTOBUF_C_TYPE_INT64: case PROTOBUF_C_TYPE_SINT64: case PROTOBUF_C_TYPE_SFIXED64:
            return json_pack ("{s:s, s:s}", "type", "string", "format", "int64");
        case PROTOBUF_C_TYPE_UINT64: case PROTOBUF_C_TYPE_FIXED64:
            return json_pack ("{s:s, s:s}", "type", "string", "format", "uint64");
        case PROTOBUF_C_TYPE_FLOAT:
            return json_pack ("{s:s, s:s}", "type", "number", "format", "float");
        case PROTOBUF_C_TYPE_DOUBLE:
            return json_pack ("{s:s, s:s}", "type", "number", "format", "double");
        case PROTOBUF_C_TYPE_BOOL:
            return json_pack ("{s:s}", "type", "boolean");
        case PROTOBUF_C_TYPE_STRING:
            return json_pack ("{s:s}", "type", "string");
        case PROTOBUF_C_TYPE_BYTES:
            return json_pack ("{s:s, s:s}", "type", "string", "format", "byte");
        case PROTOBUF_C_TYPE_ENUM: {
            const ProtobufCEnumDescriptor *e = f->descriptor;
            json_t *names = json_array ();
            for (unsigned i = 0; i < e->n_values; i++)
                json_array_append_new (names, json_string (e->values [i].name));
            return json_pack ("{s:s, s:o}", "type", "string", "enum", names);
        }
        case PROTOBUF_C_TYPE_MESSAGE:
            return s_schema_ref (schemas, f->descriptor);
    }
    return json_object ();
}

static json_t *
s_field_schema (json_t *schemas, const ProtobufCFieldDescriptor *f)
{
    if (inv_json_is_map (f)) {
        const ProtobufCMessageDescriptor *entry = f->descriptor;
        return json_pack ("{s:s, s:o}", "type", "object", "additionalProperties",
                          s_value_schema (schemas, &entry->fields [1]));
    }
    json_t *value = s_value_schema (schemas, f);
    if (f->label == PROTOBUF_C_LABEL_REPEATED)
        return json_pack ("{s:s, s:o}", "type", "array", "items", value);
    return value;
}

/* Adds desc (and what it refers to) to schemas; returns {"$ref": ...}. */
static json_t *
s_schema_ref (json_t *schemas, const ProtobufCMessageDescriptor *desc)
{
    const char *name = s_short (desc);
    if (!json_object_get (schemas, name)) {
        json_t *properties = json_object ();
        json_t *schema = json_pack ("{s:s, s:o, s:b}", "type", "object", "properties", properties,
                                    "additionalProperties", 0);
        json_object_set_new (schemas, name, schema);     /* before the fields: recursion stops here */
        char json_name [128];
        for (unsigned i = 0; i < desc->n_fields; i++) {
            const ProtobufCFieldDescriptor *f = &desc->fields [i];
            json_object_set_new (properties, inv_json_name (f->name, json_name, sizeof json_name),
                                 s_field_schema (schemas, f));
        }
    }
    char ref [200];
    snprintf (ref, sizeof ref, "#/components/schemas/%s", name);
    return json_pack ("{s:s}", "$ref", ref);
}

static json_t *
s_response (json_t *schemas, const char *what, const ProtobufCMessageDescriptor *desc)
{
    json_t *content = json_object ();
    if (desc)
        json_object_set_new (content, "application/json", json_pack ("{s:o}", "schema", s_schema_ref (schemas, desc)));
    return json_pack ("{s:s, s:o}", "description", what, "content", content);
}

/* Is field the target of a path parameter of route? */
static bool
s_from_path (const gw_route_t *route, const char *field)
{
    if (!route->params)
        return false;
    char needle [128];
    snprintf (needle, sizeof needle, "=%s", field);
    const char *hit = strstr (route->params, needle);
    return hit && (hit [strlen (needle)] == '\0' || hit [strlen (needle)] == ';');
}

static json_t *
s_operation (json_t *schemas, const gw_route_t *route)
{
    json_t *op = json_pack ("{s:s, s:[s]}", "summary", route->summary, "tags", route->tag);
    char id [160];
    snprintf (id, sizeof id, "%s %s", route->method, route->pattern);
    json_object_set_new (op, "operationId", json_string (id));
    if (route->rpc)
        json_object_set_new (op, "x-mdp", json_pack ("{s:s, s:s}", "service", route->service, "method", route->rpc));
    json_t *parameters = json_array ();
    /* path parameters */
    for (const char *p = strchr (route->pattern, '{'); p; p = strchr (p + 1, '{')) {
        const char *end = strchr (p, '}');
        char name [64];
        snprintf (name, sizeof name, "%.*s", (int) (end - p - 1), p + 1);
        json_array_append_new (parameters, json_pack ("{s:s, s:s, s:b, s:{s:s}}", "name", name, "in", "path",
                                                      "required", 1, "schema", "type", "string"));
    }
    /* query parameters: the request's scalar fields */
    if (route->query && route->request) {
        char json_name [128];
        for (unsigned i = 0; i < route->request->n_fields; i++) {
            const ProtobufCFieldDescriptor *f = &route->request->fields [i];
            if (f->type == PROTOBUF_C_TYPE_MESSAGE || s_from_path (route, f->name)
            ||  (route->mask && strcmp (f->name, route->mask) == 0))
                continue;
            json_array_append_new (parameters, json_pack ("{s:s, s:s, s:b, s:o}",
                                   "name", inv_json_name (f->name, json_name, sizeof json_name),
                                   "in", "query", "required", 0, "schema", s_field_schema (schemas, f)));
        }
    }
    if (route->special == gw_export)
        json_array_append_new (parameters, json_pack ("{s:s, s:s, s:b, s:{s:s, s:[s, s]}}", "name", "format",
                               "in", "query", "required", 0, "schema", "type", "string", "enum", "csv", "xlsx"));
    if (route->special == gw_stream) {
        json_array_append_new (parameters, json_pack ("{s:s, s:s, s:b, s:{s:s}}", "name", "topic", "in", "query",
                                                      "required", 0, "schema", "type", "string"));
        json_array_append_new (parameters, json_pack ("{s:s, s:s, s:b, s:{s:s}}", "name", "Last-Event-ID",
                                                      "in", "header", "required", 0, "schema", "type", "string"));
    }
    if (route->special == gw_import) {
        json_array_append_new (parameters, json_pack ("{s:s, s:s, s:b, s:{s:s}}", "name", "dryRun", "in", "query",
                                                      "required", 0, "schema", "type", "boolean"));
        json_array_append_new (parameters, json_pack ("{s:s, s:s, s:b, s:{s:s}}", "name", "encoding", "in", "query",
                                                      "required", 0, "schema", "type", "string"));
    }
    if (json_array_size (parameters))
        json_object_set_new (op, "parameters", parameters);
    else
        json_decref (parameters);

    /* request body */
    if (route->body && route->request) {
        const ProtobufCMessageDescriptor *body = route->request;
        if (*route->body) {
            const ProtobufCFieldDescriptor *f = inv_json_find_field (route->request, route->body, NULL);
            body = f? f->descriptor: NULL;
        }
        if (body)
            json_object_set_new (op, "requestBody", json_pack ("{s:b, s:{s:{s:o}}}", "required", 1, "content",
                                 "application/json", "schema", s_schema_ref (schemas, body)));
    }
    if (route->special == gw_import)
        json_object_set_new (op, "requestBody", json_pack ("{s:b, s:{s:{s:{s:s, s:s}}}}", "required", 1, "content",
                             "text/csv", "schema", "type", "string", "format", "binary"));

    json_t *responses = json_object ();
    if (route->special == gw_stream)
        json_object_set_new (responses, "200", json_pack ("{s:s, s:{s:{s:{s:s}}}}", "description",
                             "text/event-stream; each event's data is an Event", "content", "text/event-stream",
                             "schema", "type", "string"));
    else
    if (route->special == gw_export)
        json_object_set_new (responses, "200", json_pack ("{s:s, s:{s:{s:{s:s, s:s}}, s:{s:{s:s, s:s}}}}",
                             "description", "the spreadsheet", "content",
                             "text/csv", "schema", "type", "string", "format", "binary",
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                             "schema", "type", "string", "format", "binary"));
    else
    if (route->special == gw_openapi_route)
        json_object_set_new (responses, "200", json_pack ("{s:s, s:{s:{s:{s:s}}}}", "description",
                             "this document", "content", "application/json", "schema", "type", "object"));
    else
        json_object_set_new (responses, "200", s_response (schemas, "done", route->reply));
    json_object_set_new (responses, "default", s_response (schemas, "refused: the status says why",
                                                           &innov__status__descriptor));
    json_object_set_new (op, "responses", responses);
    if (route->public)
        json_object_set_new (op, "security", json_array ());
    return op;
}

char *
gw_openapi (void)
{
    json_t *schemas = json_object ();
    json_t *paths = json_object ();
    for (size_t i = 0; i < gw_route_count; i++) {
        const gw_route_t *route = &gw_routes [i];
        char path [256];
        snprintf (path, sizeof path, "%s%s", GW_API, route->pattern);
        json_t *item = json_object_get (paths, path);
        if (!item) {
            item = json_object ();
            json_object_set_new (paths, path, item);
        }
        char method [16];
        size_t n = 0;
        for (; route->method [n] && n < sizeof method - 1; n++)
            method [n] = (char) tolower ((unsigned char) route->method [n]);
        method [n] = '\0';
        json_object_set_new (item, method, s_operation (schemas, route));
    }
    json_t *doc = json_pack ("{s:s, s:{s:s, s:s, s:s}, s:o, s:{s:o, s:{s:{s:s, s:s, s:s}}}, s:[{s:[]}]}",
        "openapi", "3.0.3",
        "info", "title", "企业技术创新全覆盖 HTTP API", "version", "1",
                "description", "JSON in the proto3 mapping of proto/*.proto; every route but this one needs a bearer token.",
        "paths", paths,
        "components", "schemas", schemas,
                      "securitySchemes", "bearer", "type", "http", "scheme", "bearer", "bearerFormat", "inv_<48 hex>",
        "security", "bearer");
    char *text = json_dumps (doc, JSON_INDENT (1) | JSON_PRESERVE_ORDER);
    json_decref (doc);
    return text;
}

int
gw_openapi_route (gateway_t *self, gw_request_t *req)
{
    (void) self;
    return gw_reply_json (req, 200, gw_openapi ());
}
