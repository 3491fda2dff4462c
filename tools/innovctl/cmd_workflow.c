/*  innovctl enterprise status | close | review | history | search: the status workflow
    of an enterprise and the name search, through the registry (proto/registry.proto).

        enterprise status CODE --to in_progress|active [--reason R]
        enterprise close CODE --evidence TEXT [--file REF]     (or --file alone)
        enterprise review CODE --approve|--reject [--reason R] (a rejection needs --reason)
        enterprise history CODE
        enterprise search FRAGMENT [--limit N] [--cursor X]

    cmd_workflow answers -1 for a sub-command that is not one of these, so the enterprise
    command can hand it any word it does not know itself. Every write carries an
    idempotency key (--idempotency-key, else a fresh UUID), as the other writes do.
*/
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "inv_table.h"

#define REGISTRY "registry"

/* The short record after a workflow step: code, name, status (and the closing). */
static int
s_print_step (ctl_t *ctl, int rc, ProtobufCMessage *reply)
{
    if (rc == CTL_OK && reply) {
        const Innov__Enterprise *e = ((Innov__EnterpriseReply *) reply)->enterprise;
        if (ctl->cfg->json)
            ctl_print_json (reply);
        else
        if (e) {
            ctl_kv_t *kv = ctl_kv_new ();
            ctl_kv_add (kv, "统一社会信用代码", "%s", e->credit_code);
            ctl_kv_add (kv, "企业名称", "%s", e->name);
            ctl_kv_add (kv, "状态", "%s (%s)%s", ctl_status_label (e->status), ctl_status_key (e->status),
                        e->closing && e->status == INNOV__INNOVATION_STATUS__ACTIVE? "，销号审核中": "");
            if (e->closing) {
                if (*e->closing->evidence)
                    ctl_kv_add (kv, "销号证明", "%s", e->closing->evidence);
                if (*e->closing->evidence_file)
                    ctl_kv_add (kv, "证明文件", "%s", e->closing->evidence_file);
            }
            ctl_kv_add (kv, "版本", "%" PRIu64, e->version);
            ctl_kv_print (kv, stdout);
            ctl_kv_destroy (&kv);
        }
    }
    if (reply)
        protobuf_c_message_free_unpacked (reply, NULL);
    return rc;
}

/* The write options of a step (--expected-version, --idempotency-key) into the request,
   then the call and the short record. */
static int
s_step (ctl_t *ctl, const char *command, const ctl_opt_t *opts, const char *method,
        const ProtobufCMessage *request, uint64_t *expected_version, char **idempotency_key)
{
    int rc = ctl_expected_version (command, opts, expected_version);
    if (rc)
        return rc;
    char key [CTL_KEY_SIZE];
    *idempotency_key = (char *) ctl_idempotency_key (opts, key);
    ProtobufCMessage *reply = NULL;
    rc = ctl_call (ctl, REGISTRY, method, request, &innov__enterprise_reply__descriptor, &reply);
    return s_print_step (ctl, rc, reply);
}

static int
s_status (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "enterprise status";
    ctl_opt_t opts [] = { { "to", true, NULL }, { "reason", true, NULL }, { "expected-version", true, NULL },
                          { "idempotency-key", true, NULL }, { NULL } };
    const char *code = NULL;
    int rc = ctl_parse_one (command, argc, argv, opts, "the credit code (统一社会信用代码)", &code);
    if (rc)
        return rc;
    const char *to = ctl_opt (opts, "to");
    int status = to? ctl_parse_status (to): -1;
    if (status != INNOV__INNOVATION_STATUS__IN_PROGRESS && status != INNOV__INNOVATION_STATUS__ACTIVE)
        return ctl_usage (command, "--to: give in_progress or active (closing goes through "
                          "enterprise close and enterprise review)");
    Innov__TransitionRequest request = INNOV__TRANSITION_REQUEST__INIT;
    request.credit_code = (char *) code;
    request.to = (Innov__InnovationStatus) status;
    request.reason = (char *) ctl_opt_text (opts, "reason");
    return s_step (ctl, command, opts, "enterprise.transition", &request.base, &request.expected_version,
                   &request.idempotency_key);
}

static int
s_close (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "enterprise close";
    ctl_opt_t opts [] = { { "evidence", true, NULL }, { "file", true, NULL }, { "expected-version", true, NULL },
                          { "idempotency-key", true, NULL }, { NULL } };
    const char *code = NULL;
    int rc = ctl_parse_one (command, argc, argv, opts, "the credit code (统一社会信用代码)", &code);
    if (rc)
        return rc;
    if (!ctl_opt (opts, "evidence") && !ctl_opt (opts, "file"))
        return ctl_usage (command, "give the evidence: --evidence TEXT, --file REF or both");
    Innov__CloseRequest request = INNOV__CLOSE_REQUEST__INIT;
    request.credit_code = (char *) code;
    request.evidence = (char *) ctl_opt_text (opts, "evidence");
    request.evidence_file = (char *) ctl_opt_text (opts, "file");
    return s_step (ctl, command, opts, "enterprise.close", &request.base, &request.expected_version,
                   &request.idempotency_key);
}

static int
s_review (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "enterprise review";
    ctl_opt_t opts [] = { { "approve", false, NULL }, { "reject", false, NULL }, { "reason", true, NULL },
                          { "expected-version", true, NULL }, { "idempotency-key", true, NULL }, { NULL } };
    const char *code = NULL;
    int rc = ctl_parse_one (command, argc, argv, opts, "the credit code (统一社会信用代码)", &code);
    if (rc)
        return rc;
    bool approve = ctl_opt (opts, "approve") != NULL, reject = ctl_opt (opts, "reject") != NULL;
    if (approve == reject)
        return ctl_usage (command, "give exactly one of --approve and --reject");
    if (reject && !ctl_opt (opts, "reason"))
        return ctl_usage (command, "--reject needs --reason (why the closing is refused)");
    Innov__ReviewRequest request = INNOV__REVIEW_REQUEST__INIT;
    request.credit_code = (char *) code;
    request.approve = approve;
    request.reason = (char *) ctl_opt_text (opts, "reason");
    return s_step (ctl, command, opts, "enterprise.review", &request.base, &request.expected_version,
                   &request.idempotency_key);
}

static const char *
s_action_label (const char *action)
{
    return streq (action, "transition")? "状态变更":
           streq (action, "close_request")? "申请销号":
           streq (action, "close_approve")? "销号通过":
           streq (action, "close_reject")? "销号驳回": action;
}

static void
s_print_history (const ProtobufCMessage *reply)
{
    const Innov__HistoryReply *history = (const Innov__HistoryReply *) reply;
    const char *headers [] = { "时间", "操作", "从", "到", "操作者", "原因", "证明" };
    inv_table_t *table = inv_table_new (7, headers);
    for (size_t i = 0; i < history->n_changes; i++) {
        const Innov__StatusChange *c = history->changes [i];
        char time [32], evidence [512];
        snprintf (evidence, sizeof evidence, "%s%s%s", c->evidence,
                  *c->evidence && *c->evidence_file? " ": "", c->evidence_file);
        const char *cells [] = {
            ctl_time_text (c->time_ms, time, sizeof time), s_action_label (c->action),
            ctl_status_label (c->from), ctl_status_label (c->to), c->actor,
            *c->reason? c->reason: "-", *evidence? evidence: "-"
        };
        inv_table_add (table, cells);
    }
    inv_table_print (table, stdout);
    inv_table_destroy (&table);
    printf ("共 %zu 条\n", history->n_changes);
}

static int
s_history (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "enterprise history";
    ctl_opt_t opts [] = { { NULL } };
    const char *code = NULL;
    int rc = ctl_parse_one (command, argc, argv, opts, "the credit code (统一社会信用代码)", &code);
    if (rc)
        return rc;
    Innov__HistoryRequest request = INNOV__HISTORY_REQUEST__INIT;
    request.credit_code = (char *) code;
    return ctl_call_print (ctl, REGISTRY, "enterprise.history", &request.base, &innov__history_reply__descriptor,
                           s_print_history);
}

static void
s_print_found (const ProtobufCMessage *reply)
{
    const Innov__ListEnterprisesReply *page = (const Innov__ListEnterprisesReply *) reply;
    const char *headers [] = { "统一社会信用代码", "企业名称", "市", "县区", "主管部门", "状态" };
    inv_table_t *table = inv_table_new (6, headers);
    for (size_t i = 0; i < page->n_enterprises; i++) {
        const Innov__Enterprise *e = page->enterprises [i];
        const char *cells [] = {
            e->credit_code, e->name, ctl_division_label (e->city), ctl_division_label (e->county),
            ctl_department_label (e->department), ctl_status_label (e->status)
        };
        inv_table_add (table, cells);
    }
    inv_table_print (table, stdout);
    inv_table_destroy (&table);
    printf ("找到 %zu 家%s%s%s\n", page->n_enterprises, *page->next_cursor? "；继续: --cursor '": "",
            page->next_cursor, *page->next_cursor? "'": "");
}

static int
s_search (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "enterprise search";
    ctl_opt_t opts [] = { { "limit", true, NULL }, { "cursor", true, NULL }, { NULL } };
    const char *pos [1];
    int rc = ctl_parse_one (command, argc, argv, opts, "a fragment of the name (企业名称)", &pos [0]);
    if (rc)
        return rc;
    Innov__SearchRequest request = INNOV__SEARCH_REQUEST__INIT;
    request.fragment = (char *) pos [0];
    request.cursor = (char *) ctl_opt_text (opts, "cursor");
    request.province = (char *) ctl->cfg->province;
    rc = ctl_opt_limit (command, opts, &request.limit);
    if (rc)
        return rc;
    return ctl_call_print (ctl, REGISTRY, "enterprise.search", &request.base,
                           &innov__list_enterprises_reply__descriptor, s_print_found);
}

int
cmd_workflow (ctl_t *ctl, int argc, char **argv)
{
    static const ctl_sub_t subs [] = {
        { "status", s_status }, { "close", s_close }, { "review", s_review },
        { "history", s_history }, { "search", s_search }, { NULL } };
    return ctl_run_sub (ctl, subs, argc, argv);
}
