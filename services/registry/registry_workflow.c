/*  registry_workflow: the status workflow of a record: enterprise.transition, close,
    review and history (proto/registry.proto).

    not started --transition--> in progress --transition--> active --close--> active, closing
    under review --review approve--> closed;  --review reject--> active (closing cleared).
    The handler checks the step against the status it read; the script stores the step only
    if the version is still the one read, so a concurrent step cannot slip in between.

    Every step goes through s_workflow: read the record, check the step is allowed
    from the status read and in the caller's scope, then write the changed record with
    registry_workflow.lua (through registry_write, with the step as its registry_flow_t),
    which also appends the step to the enterprise's history and emits it. A step refused
    because another write came in between is read and tried again.
*/
#include <czmq.h>
#include "registry_internal.h"
#include "inv_clock.h"
#include "inv_log.h"

typedef enum { STEP_TRANSITION, STEP_CLOSE, STEP_REVIEW } step_kind_t;

typedef struct {
    step_kind_t kind;
    const char *code;
    Innov__InnovationStatus to;     /* transition */
    const char *reason;
    const char *evidence;           /* close */
    const char *evidence_file;
    bool approve;                   /* review */
    uint64_t expected_version;
    const char *idempotency_key;
} step_t;

#define REASON_MAX_BYTES    500
#define EVIDENCE_MAX_BYTES  2000
#define FILE_REF_MAX_BYTES  300

/* What may happen next from a record's state, for the refusal message. */
static const char *
s_allowed_steps (const Innov__Enterprise *e)
{
    switch (e->status) {
        case INNOV__INNOVATION_STATUS__NOT_STARTED:
            return "enterprise.transition to IN_PROGRESS";
        case INNOV__INNOVATION_STATUS__IN_PROGRESS:
            return "enterprise.transition to ACTIVE";
        case INNOV__INNOVATION_STATUS__ACTIVE:
            return e->closing? "enterprise.review (approve: CLOSED, reject: back to ACTIVE)"
                             : "enterprise.close (with evidence)";
        default:
            return "none (CLOSED is final)";
    }
}

/* True if the step may be taken from e's state. */
static bool
s_step_allowed (const step_t *step, const Innov__Enterprise *e)
{
    switch (step->kind) {
        case STEP_TRANSITION:
            return (e->status == INNOV__INNOVATION_STATUS__NOT_STARTED
                    && step->to == INNOV__INNOVATION_STATUS__IN_PROGRESS)
                || (e->status == INNOV__INNOVATION_STATUS__IN_PROGRESS
                    && step->to == INNOV__INNOVATION_STATUS__ACTIVE);
        case STEP_CLOSE:
            return e->status == INNOV__INNOVATION_STATUS__ACTIVE && !e->closing;
        default:
            return e->status == INNOV__INNOVATION_STATUS__ACTIVE && e->closing;
    }
}

static void
s_check_step (inv_call_t *call, const step_t *step)
{
    registry_check_credit_code (call, "credit_code", step->code);
    registry_check_text (call, "reason", step->reason, REASON_MAX_BYTES);
    registry_check_idempotency_key (call, step->idempotency_key);
    if (step->kind == STEP_TRANSITION
    &&  step->to != INNOV__INNOVATION_STATUS__IN_PROGRESS && step->to != INNOV__INNOVATION_STATUS__ACTIVE)
        inv_call_field_error (call, "to", "must be IN_PROGRESS or ACTIVE, not %s; CLOSED is reached "
                              "through enterprise.close and enterprise.review", registry_status_name (step->to));
    if (step->kind == STEP_CLOSE) {
        registry_check_text (call, "evidence", step->evidence, EVIDENCE_MAX_BYTES);
        registry_check_text (call, "evidence_file", step->evidence_file, FILE_REF_MAX_BYTES);
        if (s_empty (step->evidence) && s_empty (step->evidence_file))
            inv_call_field_error (call, "evidence", "is required: a text, an attached file reference "
                                  "(evidence_file) or both");
    }
    if (step->kind == STEP_REVIEW && !step->approve && s_empty (step->reason))
        inv_call_field_error (call, "reason", "is required when a review rejects a closing");
}

/* Scope of a step: transition and close as a write; review by the group in charge. */
static bool
s_may_step (inv_call_t *call, const step_t *step, const Innov__Enterprise *e)
{
    if (step->kind != STEP_REVIEW)
        return registry_may_write (call, e);
    inv_principal_t principal;
    inv_caller_principal (call, &principal);
    char reason [256];
    if (inv_principal_may_review_enterprise (&principal, e->credit_code, e->city, e->department,
                                             reason, sizeof reason))
        return true;
    inv_call_error (call, 403, "%s", reason);
    return false;
}

static void
s_workflow (registry_t *self, inv_call_t *call, const step_t *step)
{
    s_check_step (call, step);
    if (inv_call_failed (call))
        return;
    for (int attempt = 0; attempt < REGISTRY_UPDATE_ATTEMPTS; attempt++) {
        char pp [8];
        Innov__Enterprise *current = NULL;
        if (!registry_find (self, call, step->code, pp, &current))
            return;
        if (!s_may_step (call, step, current)) {
            innov__enterprise__free_unpacked (current, NULL);
            return;
        }
        char refusal [256] = "";
        if (!s_step_allowed (step, current)) {
            snprintf (refusal, sizeof refusal, "enterprise %s is %s%s; allowed from there: %s", step->code,
                      registry_status_name (current->status),
                      current->closing && current->status == INNOV__INNOVATION_STATUS__ACTIVE
                      ? " with a closing under review": "",
                      s_allowed_steps (current));
            if (s_empty (step->idempotency_key)) {
                inv_call_error (call, 409, "%s", refusal);
                innov__enterprise__free_unpacked (current, NULL);
                return;
            }
            /* a retry of a step already taken finds its first reply in the script */
        }
        int64_t now = inv_clock_now_ms ();
        Innov__Enterprise e = *current;             /* a view over the stored record */
        Innov__ClosingRequest closing = INNOV__CLOSING_REQUEST__INIT;
        Innov__StatusChange change = INNOV__STATUS_CHANGE__INIT;
        change.credit_code = (char *) step->code;
        change.from = current->status;
        change.reason = (char *) s_str (step->reason);
        change.actor = (char *) s_str (call->caller);
        change.time_ms = now;
        const char *event;
        if (step->kind == STEP_TRANSITION) {
            e.status = step->to;
            change.action = (char *) "transition";
            event = "enterprise.status_changed";
        }
        else
        if (step->kind == STEP_CLOSE) {
            closing.evidence = (char *) s_str (step->evidence);
            closing.evidence_file = (char *) s_str (step->evidence_file);
            closing.requested_by = change.actor;
            closing.requested_ms = now;
            e.closing = &closing;
            change.action = (char *) "close_request";
            change.evidence = closing.evidence;
            change.evidence_file = closing.evidence_file;
            event = "enterprise.close_requested";
        }
        else {
            change.evidence = current->closing->evidence;
            change.evidence_file = current->closing->evidence_file;
            if (step->approve) {
                e.status = INNOV__INNOVATION_STATUS__CLOSED;    /* the evidence stays on the record */
                change.action = (char *) "close_approve";
                event = "enterprise.closed";
            }
            else {
                e.closing = NULL;
                change.action = (char *) "close_reject";
                event = "enterprise.close_rejected";
            }
        }
        change.to = e.status;
        e.version = current->version + 1;
        e.updated_ms = now;
        e.updated_by = change.actor;
        change.version = e.version;
        size_t body_len, entry_len;
        uint8_t *body = registry_pack (&e.base, &body_len);
        uint8_t *entry = registry_pack (&change.base, &entry_len);
        registry_flow_t flow = { event, entry, entry_len, refusal };
        inv_store_result_t result;
        registry_write (self, &self->workflow_script, pp, call, step->idempotency_key, current, &e,
                 body, body_len, current->version, step->expected_version, &flow, &result);
        free (body);
        free (entry);
        if (result.code == 200)
            inv_info ("%s %s: %s -> %s by %s", event, step->code, registry_status_name (change.from),
                      registry_status_name (change.to), change.actor);
        innov__enterprise__free_unpacked (current, NULL);
        if (registry_settled (call, &result, attempt))
            return;
    }
}

void
registry_enterprise_transition (void *ctx, inv_call_t *call)
{
    const Innov__TransitionRequest *req = (const Innov__TransitionRequest *) call->request;
    step_t step = { STEP_TRANSITION, req->credit_code, req->to, req->reason, NULL, NULL, false,
                    req->expected_version, req->idempotency_key };
    s_workflow ((registry_t *) ctx, call, &step);
}

void
registry_enterprise_close (void *ctx, inv_call_t *call)
{
    const Innov__CloseRequest *req = (const Innov__CloseRequest *) call->request;
    step_t step = { STEP_CLOSE, req->credit_code, 0, NULL, req->evidence, req->evidence_file, false,
                    req->expected_version, req->idempotency_key };
    s_workflow ((registry_t *) ctx, call, &step);
}

void
registry_enterprise_review (void *ctx, inv_call_t *call)
{
    const Innov__ReviewRequest *req = (const Innov__ReviewRequest *) call->request;
    step_t step = { STEP_REVIEW, req->credit_code, 0, req->reason, NULL, NULL, req->approve,
                    req->expected_version, req->idempotency_key };
    s_workflow ((registry_t *) ctx, call, &step);
}

void
registry_enterprise_history (void *ctx, inv_call_t *call)
{
    registry_t *self = (registry_t *) ctx;
    const Innov__HistoryRequest *req = (const Innov__HistoryRequest *) call->request;
    char pp [8];
    Innov__Enterprise *record = NULL;
    if (!registry_read_one (self, call, req->credit_code, pp, &record))
        return;
    innov__enterprise__free_unpacked (record, NULL);
    char key [REGISTRY_KEY_MAX];
    const char *argv [] = { "LRANGE", inv_key (key, sizeof key, pp, REGISTRY_KEY_HISTORY, req->credit_code),
                            "0", "-1" };
    redisReply *list = inv_redis_argv (self->redis, 4, argv, NULL);
    if (!list) {
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
        return;
    }
    size_t count = list->type == REDIS_REPLY_ARRAY? list->elements: 0;
    Innov__StatusChange **changes = (Innov__StatusChange **) calloc (count + 1, sizeof (Innov__StatusChange *));
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        if (list->element [i]->type == REDIS_REPLY_STRING
        &&  (changes [n] = innov__status_change__unpack (NULL, list->element [i]->len,
                                                          (const uint8_t *) list->element [i]->str)))
            n++;
    freeReplyObject (list);
    Innov__HistoryReply reply = INNOV__HISTORY_REPLY__INIT;
    reply.changes = changes;
    reply.n_changes = n;
    inv_caller_reply_copy (call, &reply.base);
    for (size_t i = 0; i < n; i++)
        innov__status_change__free_unpacked (changes [i], NULL);
    free (changes);
}

