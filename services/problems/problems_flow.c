/*  problems_flow: raising a problem and the steps of the "13710" ladder.

        raised --assign (1 day)--> assigned --accept--> accepted --progress (3 days)--> in_progress
               --plan (complex)--> (same state, the plan's date becomes the deadline)
               --resolve (7 days; complex 30 days or the plan's date)--> resolved --close--> closed
    The enterprise's own problems skip accept: the enterprise is urged (it becomes the
    handler) and its work group follows up (it answers for the deadlines).

    Every deadline is announced as a "deadline.announced" event (id
    "problem:<id>:<rung>", clear_type "problem.deadline_met", clear_subject
    "<id>:<rung>"), which the notify service follows with its reminders, escalations
    and lights; the step that meets a rung emits "problem.deadline_met" with that
    subject, beside the step's own event ("problem.assigned" ...). One clearing type
    serves every rung because the complex item's month is met either by a plan or by
    the solution itself.

    Each step: check the request, read the record, check the caller's scope, decide
    whether the step is allowed from the state read (a refusal goes to the script
    when an idempotency key is given, so a retry gets its first reply), build the
    record after the step as a view and its events, and write it (problems_write);
    a write that lost a race with another step is read and tried again.
*/
#include <czmq.h>
#include "problems_internal.h"
#include "inv_clock.h"
#include "inv_log.h"
#include "inv_valid.h"

#define TEXT_MAX_BYTES      2000
#define NOTE_MAX_BYTES      1000
#define IDEM_MAX_BYTES      128
#define GROUP_ID_MAX_BYTES  64
#define STEP_ATTEMPTS       5
#define CLEAR_TYPE          "problem.deadline_met"

/* Categories: key, Chinese name. */
static const char *s_categories [][2] = {
    { "funding", "资金" }, { "talent", "人才" }, { "technology", "技术" }, { "land", "用地" },
    { "approval", "审批" }, { "market", "市场" }, { "policy", "政策" }, { "energy", "要素保障" },
    { "other", "其他" }
};

static const char *
s_category (const char *text)
{
    for (size_t i = 0; i < sizeof s_categories / sizeof s_categories [0]; i++)
        if (streq (text, s_categories [i][0]) || streq (text, s_categories [i][1]))
            return s_categories [i][0];
    return NULL;
}

static void
s_check_text (inv_call_t *call, const char *field, const char *text, size_t max, bool required)
{
    if (required && s_empty (text))
        inv_call_field_error (call, field, "is required");
    else
    if (text && strlen (text) > max)
        inv_call_field_error (call, field, "is %zu bytes, at most %zu", strlen (text), max);
}

static void
s_check_key (inv_call_t *call, const char *key)
{
    if (key && strlen (key) > IDEM_MAX_BYTES)
        inv_call_field_error (call, "idempotency_key", "at most %d bytes", IDEM_MAX_BYTES);
}

static bool
s_group_id_valid (const char *id)
{
    size_t n = strlen (id);
    if (n == 0 || n > GROUP_ID_MAX_BYTES)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum ((unsigned char) id [i]) && !strchr ("-_.", id [i]))
            return false;
    return true;
}

/* Who answers for assigning: the enterprise's work group for its own problems, its
   city for problems within government powers. */
static void
s_assigner (const Innov__Problem *p, char *out, size_t size)
{
    if (streq (p->kind, "own"))
        snprintf (out, size, "group:%s", p->work_group);
    else
        snprintf (out, size, "city:%s", p->city);
}

/* Who answers for progress and solution: the handler, or the work group for the
   enterprise's own problems. */
static void
s_responsible (const Innov__Problem *p, char *out, size_t size)
{
    if (streq (p->kind, "own"))
        snprintf (out, size, "group:%s", p->work_group);
    else
        snprintf (out, size, "%s", s_str (p->handler));
}

/* ---- events ------------------------------------------------------------------------- */

static void
s_event_problem (problems_event_t *ev, const char *type, const Innov__Problem *p)
{
    ev->type = type;
    snprintf (ev->subject, sizeof ev->subject, "%s", p->id);
    ev->payload_type = "innov.Problem";
    Innov__Problem record = *p;
    record.next_due_ms = problems_next_due (p);
    ev->payload = problems_pack (&record.base, &ev->payload_len);
}

static void
s_event_met (problems_event_t *ev, const Innov__Problem *p, const char *rung)
{
    s_event_problem (ev, CLEAR_TYPE, p);
    snprintf (ev->subject, sizeof ev->subject, "%s:%s", p->id, rung);
}

static void
s_event_deadline (problems_event_t *ev, const Innov__Problem *p, const char *rung,
                  const char *what, const char *agency, int64_t due)
{
    char id [PROBLEMS_SCOPE_MAX], clear [PROBLEMS_SCOPE_MAX], title [512];
    snprintf (id, sizeof id, "problem:%s:%s", p->id, rung);
    snprintf (clear, sizeof clear, "%s:%s", p->id, rung);
    snprintf (title, sizeof title, "问题 %s %s：%s", p->id, what, s_str (p->enterprise_name));
    Innov__DeadlineAnnounced a = INNOV__DEADLINE_ANNOUNCED__INIT;
    a.id = id;
    a.title = title;
    a.subject = p->id;
    a.agency = (char *) agency;
    a.due_ms = due;
    a.clear_type = (char *) CLEAR_TYPE;
    a.clear_subject = clear;
    ev->type = "deadline.announced";
    snprintf (ev->subject, sizeof ev->subject, "%s", id);
    ev->payload_type = "innov.DeadlineAnnounced";
    ev->payload = problems_pack (&a.base, &ev->payload_len);
}

/* ---- raise -------------------------------------------------------------------------- */

/* The source of a problem from its caller, and the checks that go with it; false
   after a 403. */
static bool
s_raise_scope (inv_call_t *call, const Innov__RaiseProblemRequest *req, const char **source,
               const char **group)
{
    inv_principal_t caller;
    inv_caller_principal (call, &caller);
    *group = s_str (req->work_group);
    switch (caller.kind) {
        case INV_P_GROUP:
            *source = "group";
            if (!s_empty (req->work_group) && !streq (req->work_group, caller.code)) {
                inv_call_error (call, 403, "%s may raise problems for itself, not for work group %s",
                                call->caller, req->work_group);
                return false;
            }
            *group = call->caller + 6;
            break;
        case INV_P_ENTERPRISE:
            *source = "enterprise";
            if (!streq (caller.code, s_str (req->enterprise))) {
                inv_call_error (call, 403, "%s may raise problems of its own, not of %s", call->caller,
                                s_str (req->enterprise));
                return false;
            }
            break;
        case INV_P_PROVINCE:
        case INV_P_CITY:
        case INV_P_SERVICE:
            *source = "hotline";
            break;
        default:
            inv_call_error (call, 403, "%s may not raise problems: work groups, enterprises and the "
                            "hotline (province, cities) raise them", s_str (call->caller));
            return false;
    }
    if (!s_empty (req->source) && !streq (req->source, *source)) {
        inv_call_field_error (call, "source", "is \"%s\" for a problem raised by %s", *source, call->caller);
        return false;
    }
    return true;
}

void
problems_raise (void *ctx, inv_call_t *call)
{
    problems_t *self = (problems_t *) ctx;
    const Innov__RaiseProblemRequest *req = (const Innov__RaiseProblemRequest *) call->request;
    char reason [256];
    if (s_empty (req->enterprise))
        inv_call_field_error (call, "enterprise", "is required (a credit code)");
    else
    if (!inv_credit_code_valid (req->enterprise, reason, sizeof reason))
        inv_call_field_error (call, "enterprise", "%s", reason);
    const char *category = s_category (s_str (req->category));
    if (!category)
        inv_call_field_error (call, "category", "\"%s\" is not one of funding, talent, technology, land, "
                              "approval, market, policy, energy, other (or 资金, 人才 ...)", s_str (req->category));
    s_check_text (call, "description", req->description, TEXT_MAX_BYTES, true);
    if (!streq (s_str (req->kind), "government") && !streq (s_str (req->kind), "own"))
        inv_call_field_error (call, "kind", "\"%s\" is neither government (within government powers) "
                              "nor own (the enterprise's own)", s_str (req->kind));
    if (!s_empty (req->work_group) && !s_group_id_valid (req->work_group))
        inv_call_field_error (call, "work_group", "\"%s\" is not a work group id (letters, digits, - _ .)",
                              req->work_group);
    if (!s_empty (req->source) && !streq (req->source, "group") && !streq (req->source, "enterprise")
    &&  !streq (req->source, "hotline"))
        inv_call_field_error (call, "source", "\"%s\" is not group, enterprise or hotline", req->source);
    s_check_key (call, req->idempotency_key);
    if (inv_call_failed (call))
        return;
    const char *source, *group;
    if (!s_raise_scope (call, req, &source, &group))
        return;
    if (streq (req->kind, "own") && s_empty (group)) {
        inv_call_field_error (call, "work_group", "is required for the enterprise's own problems: "
                              "its work group follows them up");
        return;
    }
    Innov__Enterprise *e = problems_enterprise (self, call, "enterprise", req->enterprise);
    if (!e)
        return;
    inv_principal_t caller;
    inv_caller_principal (call, &caller);
    if (caller.kind == INV_P_CITY && !streq (caller.code, e->city)) {
        inv_call_error (call, 403, "%s may raise hotline problems of its own enterprises; %s is in city %s",
                        call->caller, e->credit_code, e->city);
        innov__enterprise__free_unpacked (e, NULL);
        return;
    }
    char seq_key [PROBLEMS_KEY_MAX], id [32];
    redisReply *r = inv_redis_command (self->redis, "INCR %s",
                                       inv_key (seq_key, sizeof seq_key, self->province, PROBLEMS_KEY_SEQ));
    if (!r || r->type != REDIS_REPLY_INTEGER) {
        if (r)
            freeReplyObject (r);
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
        innov__enterprise__free_unpacked (e, NULL);
        return;
    }
    snprintf (id, sizeof id, "P%lld", r->integer);
    freeReplyObject (r);

    int64_t now = inv_clock_now_ms ();
    Innov__ProblemStep step = INNOV__PROBLEM_STEP__INIT;
    step.action = (char *) "raise";
    step.actor = (char *) call->caller;
    step.time_ms = now;
    Innov__ProblemStep *steps [] = { &step };
    Innov__Problem p = INNOV__PROBLEM__INIT;
    p.id = id;
    p.enterprise = e->credit_code;
    p.enterprise_name = e->name;
    p.city = e->city;
    p.county = e->county;
    p.department = e->department;
    p.work_group = (char *) group;
    p.category = (char *) category;
    p.description = req->description;
    p.source = (char *) source;
    p.raised_by = (char *) call->caller;
    p.kind = req->kind;
    p.complex = req->complex;
    p.state = (char *) "raised";
    p.raised_ms = now;
    p.assign_due_ms = now + PROBLEMS_ASSIGN_MS;
    p.steps = steps;
    p.n_steps = 1;
    p.version = 1;
    char assigner [PROBLEMS_SCOPE_MAX];
    s_assigner (&p, assigner, sizeof assigner);
    problems_event_t events [2];
    s_event_problem (&events [0], "problem.raised", &p);
    s_event_deadline (&events [1], &p, "assign", "交办（1日内）", assigner, p.assign_due_ms);
    problems_write (self, call, NULL, &p, "", req->idempotency_key, events, 2);
    if (!inv_call_failed (call) && call->reply)
        inv_info ("problem %s raised for %s by %s (%s, %s%s)",
                  ((Innov__ProblemReply *) call->reply)->problem->id, e->credit_code, call->caller,
                  req->kind, category, req->complex? ", complex": "");
    innov__enterprise__free_unpacked (e, NULL);
}

/* ---- the steps ---------------------------------------------------------------------- */

typedef enum { STEP_ASSIGN, STEP_ACCEPT, STEP_PROGRESS, STEP_PLAN, STEP_RESOLVE, STEP_CLOSE } step_kind_t;

static const char *s_step_names [] = { "assign", "accept", "progress", "plan", "resolve", "close" };

typedef struct {
    step_kind_t kind;
    const char *id;
    const char *note;
    const char *to;                 /* assign */
    int64_t plan_ms;                /* plan */
    const char *idempotency_key;
} step_t;

static bool
s_is (const Innov__Problem *p, const char *state)
{
    return streq (s_str (p->state), state);
}

/* The caller may take this step on p (else a 403 on call). */
static bool
s_may_step (inv_call_t *call, const step_t *step, const Innov__Problem *p)
{
    inv_principal_t caller;
    inv_caller_principal (call, &caller);
    const char *who = s_str (call->caller);
    bool own = streq (p->kind, "own");
    char group [PROBLEMS_SCOPE_MAX], city [PROBLEMS_SCOPE_MAX], ent [PROBLEMS_SCOPE_MAX];
    snprintf (group, sizeof group, "group:%s", s_str (p->work_group));
    snprintf (city, sizeof city, "city:%s", s_str (p->city));
    snprintf (ent, sizeof ent, "ent:%s", s_str (p->enterprise));
    bool is_group = !s_empty (p->work_group) && streq (who, group);
    bool ok = false;
    const char *rule = "";
    switch (step->kind) {
        case STEP_ASSIGN:
            ok = caller.kind == INV_P_PROVINCE || streq (who, city) || (own && is_group);
            rule = own? "the province, the enterprise's city or its work group assign it"
                      : "the province or the enterprise's city assign it";
            break;
        case STEP_ACCEPT:
            ok = streq (who, s_str (p->handler));
            rule = "only the agency it was assigned to accepts it";
            break;
        case STEP_PROGRESS:
        case STEP_PLAN:
        case STEP_RESOLVE:
            ok = own? (streq (who, ent) || is_group): streq (who, s_str (p->handler));
            rule = own? "the enterprise itself or its work group report on it"
                      : "only the agency it was assigned to reports on it";
            break;
        case STEP_CLOSE:
            ok = caller.kind == INV_P_PROVINCE || streq (who, city) || streq (who, s_str (p->raised_by))
              || is_group;
            rule = "the province, the enterprise's city, its work group or whoever raised it close it";
            break;
    }
    if (!ok)
        inv_call_error (call, 403, "%s may not %s problem %s: %s", who, s_step_names [step->kind], p->id, rule);
    return ok;
}

/* Why the step is not allowed from p's state ("" when it is). */
static void
s_refusal (const step_t *step, const Innov__Problem *p, char *out, size_t size)
{
    bool own = streq (p->kind, "own");
    bool working = own? s_is (p, "assigned") || s_is (p, "in_progress")
                      : s_is (p, "accepted") || s_is (p, "in_progress");
    const char *why = NULL;
    switch (step->kind) {
        case STEP_ASSIGN:
            why = s_is (p, "raised")? NULL: "it is assigned already";
            break;
        case STEP_ACCEPT:
            why = own? "the enterprise's own problems are not accepted: the enterprise is urged"
                : s_is (p, "assigned")? NULL: s_is (p, "raised")? "it is not assigned yet": "it is accepted already";
            break;
        case STEP_PROGRESS:
        case STEP_RESOLVE:
            why = working? NULL: s_is (p, "raised")? "it is not assigned yet":
                  s_is (p, "assigned")? "the agency it was assigned to must accept it first":
                  "it is resolved already";
            break;
        case STEP_PLAN:
            why = !p->complex? "only complex problems take a plan": p->plan_ms? "it has a plan already":
                  working? NULL: s_is (p, "raised")? "it is not assigned yet":
                  s_is (p, "assigned")? "the agency it was assigned to must accept it first":
                  "it is resolved already";
            break;
        case STEP_CLOSE:
            why = s_is (p, "resolved")? NULL: s_is (p, "closed")? "it is closed already":
                  "it is not resolved yet";
            break;
    }
    out [0] = 0;
    if (why)
        snprintf (out, size, "problem %s is %s: %s", p->id, s_str (p->state), why);
}

/* The handler an assignment names is valid for p (else a field error). */
static const char *
s_check_handler (inv_call_t *call, const Innov__Problem *p, const char *to, char *buf, size_t size)
{
    inv_principal_t h;
    if (streq (p->kind, "own")) {
        snprintf (buf, size, "ent:%s", p->enterprise);
        if (!s_empty (to) && !streq (to, buf)) {
            inv_call_field_error (call, "to", "the enterprise's own problem goes to the enterprise (%s), "
                                  "not %s", buf, to);
            return NULL;
        }
        return buf;
    }
    if (s_empty (to) || inv_principal_parse (to, &h)
    ||  !((h.kind == INV_P_DEPARTMENT && inv_department_find (h.code)
           && streq (inv_department_find (h.code)->code, h.code))
       || (h.kind == INV_P_CITY && inv_division_is_city (h.code)))) {
        inv_call_field_error (call, "to", "\"%s\" is not a provincial department (dept:<code>) or a city "
                              "(city:<code>)", s_str (to));
        return NULL;
    }
    snprintf (buf, size, "%s", to);
    return buf;
}

static void
s_step (problems_t *self, inv_call_t *call, const step_t *step)
{
    if (s_empty (step->id))
        inv_call_field_error (call, "id", "is required");
    bool note_required = step->kind == STEP_PROGRESS || step->kind == STEP_RESOLVE || step->kind == STEP_PLAN;
    s_check_text (call, step->kind == STEP_PLAN? "plan": "note", step->note, NOTE_MAX_BYTES, note_required);
    if (step->kind == STEP_PLAN && step->plan_ms <= 0)
        inv_call_field_error (call, "due_ms", "is required: the date the plan solves it by");
    else
    if (step->kind == STEP_PLAN && step->plan_ms <= inv_clock_now_ms ())
        inv_call_field_error (call, "due_ms", "has passed: a plan's date lies ahead");
    s_check_key (call, step->idempotency_key);
    if (inv_call_failed (call))
        return;
    for (int attempt = 0; attempt < STEP_ATTEMPTS; attempt++) {
        Innov__Problem *old = problems_read (self, call, step->id);
        if (!old)
            return;
        if (!s_may_step (call, step, old)) {
            innov__problem__free_unpacked (old, NULL);
            return;
        }
        int64_t now = inv_clock_now_ms ();
        char refusal [256], handler [PROBLEMS_SCOPE_MAX];
        s_refusal (step, old, refusal, sizeof refusal);
        if (*refusal && s_empty (step->idempotency_key)) {
            inv_call_error (call, 409, "%s", refusal);
            innov__problem__free_unpacked (old, NULL);
            return;
        }
        Innov__Problem p = *old;                /* a view over the stored record */
        p.version = old->version + 1;
        Innov__ProblemStep s = INNOV__PROBLEM_STEP__INIT;
        s.action = (char *) s_step_names [step->kind];
        s.actor = (char *) call->caller;
        s.time_ms = now;
        s.note = (char *) s_str (step->note);
        Innov__ProblemStep **steps = (Innov__ProblemStep **) calloc (old->n_steps + 1, sizeof (Innov__ProblemStep *));
        memcpy (steps, old->steps, old->n_steps * sizeof (Innov__ProblemStep *));
        steps [old->n_steps] = &s;
        p.steps = steps;
        p.n_steps = old->n_steps + 1;
        problems_event_t events [PROBLEMS_EVENTS_MAX];
        size_t n = 0;
        char responsible [PROBLEMS_SCOPE_MAX];
        bool first_progress = !old->progressed_ms;
        switch (step->kind) {
            case STEP_ASSIGN:
                if (!*refusal && !s_check_handler (call, old, step->to, handler, sizeof handler))
                    break;
                if (*refusal)
                    snprintf (handler, sizeof handler, "%s", s_str (old->handler));
                p.handler = handler;
                p.state = (char *) "assigned";
                p.assigned_ms = now;
                p.progress_due_ms = now + PROBLEMS_PROGRESS_MS;
                p.solve_due_ms = now + (p.complex? PROBLEMS_COMPLEX_MS: PROBLEMS_SOLVE_MS);
                s_responsible (&p, responsible, sizeof responsible);
                s_event_problem (&events [n++], "problem.assigned", &p);
                s_event_met (&events [n++], &p, "assign");
                s_event_deadline (&events [n++], &p, "progress", "首次进展（3日内）", responsible, p.progress_due_ms);
                s_event_deadline (&events [n++], &p, "solve", p.complex? "办结或提出计划（1个月内）": "办结（7日内）",
                                  responsible, p.solve_due_ms);
                break;
            case STEP_ACCEPT:
                p.state = (char *) "accepted";
                p.accepted_ms = now;
                s_event_problem (&events [n++], "problem.accepted", &p);
                break;
            case STEP_PROGRESS:
                p.state = (char *) "in_progress";
                if (first_progress)
                    p.progressed_ms = now;
                s_event_problem (&events [n++], "problem.progressed", &p);
                if (first_progress)
                    s_event_met (&events [n++], &p, "progress");
                break;
            case STEP_PLAN:
                /* a plan is also a report of progress */
                p.state = (char *) "in_progress";
                if (first_progress)
                    p.progressed_ms = now;
                p.plan = (char *) step->note;
                p.plan_ms = step->plan_ms;
                p.solve_due_ms = step->plan_ms;
                s_responsible (&p, responsible, sizeof responsible);
                s_event_problem (&events [n++], "problem.planned", &p);
                if (first_progress)
                    s_event_met (&events [n++], &p, "progress");
                s_event_met (&events [n++], &p, "solve");
                s_event_deadline (&events [n++], &p, "plan", "按计划办结", responsible, p.plan_ms);
                break;
            case STEP_RESOLVE:
                p.state = (char *) "resolved";
                if (first_progress)
                    p.progressed_ms = now;
                p.resolved_ms = now;
                p.resolution = (char *) step->note;
                p.on_time = now <= old->solve_due_ms;
                p.days_to_solve = (uint32_t) ((now - old->raised_ms + PROBLEMS_DAY_MS - 1) / PROBLEMS_DAY_MS);
                s_event_problem (&events [n++], "problem.resolved", &p);
                if (first_progress)
                    s_event_met (&events [n++], &p, "progress");
                s_event_met (&events [n++], &p, old->plan_ms? "plan": "solve");
                break;
            case STEP_CLOSE:
                p.state = (char *) "closed";
                p.closed_ms = now;
                s_event_problem (&events [n++], "problem.closed", &p);
                break;
        }
        bool stale = false;
        if (!inv_call_failed (call)) {
            stale = problems_write (self, call, old, &p, refusal, step->idempotency_key, events, n);
            if (!stale && !inv_call_failed (call))
                inv_info ("problem %s: %s by %s -> %s", old->id, s_step_names [step->kind], call->caller, p.state);
        }
        else
            for (size_t i = 0; i < n; i++)
                free (events [i].payload);
        free (steps);
        innov__problem__free_unpacked (old, NULL);
        if (!stale)
            return;
    }
    inv_call_error (call, 409, "problem %s: changed by others %d times in a row; try again", step->id, STEP_ATTEMPTS);
}

void
problems_assign (void *ctx, inv_call_t *call)
{
    const Innov__AssignProblemRequest *req = (const Innov__AssignProblemRequest *) call->request;
    step_t step = { STEP_ASSIGN, req->id, req->note, req->to, 0, req->idempotency_key };
    s_step ((problems_t *) ctx, call, &step);
}

static void
s_simple (void *ctx, inv_call_t *call, step_kind_t kind)
{
    const Innov__ProblemStepRequest *req = (const Innov__ProblemStepRequest *) call->request;
    step_t step = { kind, req->id, req->note, NULL, 0, req->idempotency_key };
    s_step ((problems_t *) ctx, call, &step);
}

void
problems_accept (void *ctx, inv_call_t *call)
{
    s_simple (ctx, call, STEP_ACCEPT);
}

void
problems_progress (void *ctx, inv_call_t *call)
{
    s_simple (ctx, call, STEP_PROGRESS);
}

void
problems_resolve (void *ctx, inv_call_t *call)
{
    s_simple (ctx, call, STEP_RESOLVE);
}

void
problems_close (void *ctx, inv_call_t *call)
{
    s_simple (ctx, call, STEP_CLOSE);
}

void
problems_plan (void *ctx, inv_call_t *call)
{
    const Innov__PlanProblemRequest *req = (const Innov__PlanProblemRequest *) call->request;
    step_t step = { STEP_PLAN, req->id, req->plan, NULL, req->due_ms, req->idempotency_key };
    s_step ((problems_t *) ctx, call, &step);
}
