/*  problems: the problem list service, its class and method table, and what its
    handlers share: the registry lookup, reads (problem.get, problem.list) and the one
    way a problem is written. docs/problems.md describes the methods and the keys.

    Writes. A handler (problems_flow.c) checks the request and the caller's scope,
    reads the record, builds the record after the step as a *view* (an Innov__Problem
    on the stack whose strings point into the request and the record read) and the
    step's events, then calls problems_write. problems_write works out what the step
    changes in the figures of every scope the problem belongs to, by comparing what
    the record before and after contributes (s_tally): a scope's counters move by the
    difference, its deadline index gets the record's next deadline (or loses it once
    resolved), its days histogram gets the days to solve when the step resolves it,
    and a scope the record joins (the handler's, at assignment) lists it. One Lua
    script (problems_write.lua behind the outbox prelude) applies all of it and emits
    the events, only if the record is still the version read; a step that lost that
    race is read and tried again by its caller.

    The registry is asked through the broker (enterprise.get, acting as
    service:problems) with a short timeout, so a request never holds the worker past
    its heartbeat liveness; tests put a lookup of their own in its place.
*/
#include <czmq.h>
#include "problems_internal.h"
#include "inv_service.h"
#include "inv_clock.h"
#include "inv_log.h"
#include "inv_valid.h"

#define REGISTRY_TIMEOUT_MS     4000

extern const char problems_lua_problems_write [];

const inv_method_t problems_methods [] = {
    { "problem.raise",    &innov__raise_problem_request__descriptor,  problems_raise,    0 },
    { "problem.get",      &innov__get_problem_request__descriptor,    problems_get,      0 },
    { "problem.list",     &innov__list_problems_request__descriptor,  problems_list,     0 },
    { "problem.assign",   &innov__assign_problem_request__descriptor, problems_assign,   0 },
    { "problem.accept",   &innov__problem_step_request__descriptor,   problems_accept,   0 },
    { "problem.progress", &innov__problem_step_request__descriptor,   problems_progress, 0 },
    { "problem.plan",     &innov__plan_problem_request__descriptor,   problems_plan,     0 },
    { "problem.resolve",  &innov__problem_step_request__descriptor,   problems_resolve,  0 },
    { "problem.close",    &innov__problem_step_request__descriptor,   problems_close,    0 },
    { "figures.get",      &innov__figures_request__descriptor,        problems_figures,  0 },
    { NULL }
};

/* ---- the registry lookup ------------------------------------------------------------ */

static int
s_registry_lookup (void *arg, const char *code, Innov__Enterprise **enterprise_p, char *reason, size_t size)
{
    problems_t *self = (problems_t *) arg;
    if (!self->client)
        self->client = inv_client_from_config (&self->cfg);
    if (!self->client) {
        snprintf (reason, size, "the registry cannot be reached from here");
        return 503;
    }
    Innov__GetEnterpriseRequest request = INNOV__GET_ENTERPRISE_REQUEST__INIT;
    request.credit_code = (char *) code;
    ProtobufCMessage *reply = NULL;
    Innov__Status *status = NULL;
    int rc = inv_rpc_call (self->client, "registry", "enterprise.get", &request.base,
                           &innov__enterprise_reply__descriptor, &reply, &status);
    if (rc == 200 && reply && ((Innov__EnterpriseReply *) reply)->enterprise) {
        Innov__EnterpriseReply *r = (Innov__EnterpriseReply *) reply;
        *enterprise_p = r->enterprise;
        r->enterprise = NULL;
    }
    else {
        snprintf (reason, size, "%s", status && status->message? status->message: "no answer");
        if (rc == 200)
            rc = 502;
    }
    if (reply)
        protobuf_c_message_free_unpacked (reply, NULL);
    if (status)
        innov__status__free_unpacked (status, NULL);
    if (rc != 200 && rc != 404)
        /* a fresh connection next time: a timed-out one may still receive a late reply */
        mdp_client_destroy (&self->client);
    return rc;
}

/* ---- the class ---------------------------------------------------------------------- */

problems_t *
problems_new (const inv_config_t *cfg)
{
    inv_redis_t *redis = inv_redis_new (cfg->redis);
    if (!redis)
        return NULL;
    problems_t *self = (problems_t *) zmalloc (sizeof (problems_t));
    self->redis = redis;
    snprintf (self->province, sizeof self->province, "%s",
              cfg->province && *cfg->province? cfg->province: "14");
    self->write_script.name = "problems_write";
    self->write_script.source = inv_store_script_source (problems_lua_problems_write);
    self->cfg = *cfg;
    self->cfg.principal = "service:problems";
    self->cfg.timeout_ms = REGISTRY_TIMEOUT_MS;
    self->cfg.retries = 1;
    self->lookup = s_registry_lookup;
    self->lookup_arg = self;
    return self;
}

void
problems_destroy (problems_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    problems_t *self = *self_p;
    inv_redis_destroy (&self->redis);
    mdp_client_destroy (&self->client);
    free ((char *) self->write_script.source);
    free (self);
    *self_p = NULL;
}

void
problems_set_lookup (problems_t *self, problems_lookup_fn *lookup, void *arg)
{
    self->lookup = lookup? lookup: s_registry_lookup;
    self->lookup_arg = lookup? arg: self;
}

/* ---- what the handlers share ---------------------------------------------------------- */

uint8_t *
problems_pack (const ProtobufCMessage *message, size_t *size_p)
{
    size_t size = protobuf_c_message_get_packed_size (message);
    uint8_t *buffer = (uint8_t *) malloc (size? size: 1);
    assert (buffer);
    protobuf_c_message_pack (message, buffer);
    *size_p = size;
    return buffer;
}

bool
problems_may_read (inv_call_t *call)
{
    return inv_caller_known (call, "anonymous callers may not read the problem list");
}

Innov__Problem *
problems_read (problems_t *self, inv_call_t *call, const char *id)
{
    char key [PROBLEMS_KEY_MAX];
    inv_key (key, sizeof key, self->province, PROBLEMS_KEY_PROBLEM, id);
    redisReply *r = inv_redis_command (self->redis, "HGET %s %s", key, PROBLEMS_FIELD_BODY);
    if (!r) {
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
        return NULL;
    }
    Innov__Problem *p = NULL;
    if (r->type == REDIS_REPLY_STRING) {
        p = innov__problem__unpack (NULL, r->len, (const uint8_t *) r->str);
        if (!p)
            inv_call_error (call, 500, "problem %s: stored record does not decode", id);
    }
    else
        inv_call_error (call, 404, "no problem %s", id);
    freeReplyObject (r);
    return p;
}

Innov__Enterprise *
problems_enterprise (problems_t *self, inv_call_t *call, const char *field, const char *code)
{
    Innov__Enterprise *e = NULL;
    char reason [256] = "";
    int rc = self->lookup (self->lookup_arg, code, &e, reason, sizeof reason);
    if (rc == 200 && e)
        return e;
    if (rc == 404)
        inv_call_field_error (call, field, "%s is not a registered enterprise", code);
    else
        inv_call_error (call, 503, "registry unavailable: %s", reason);
    return NULL;
}

size_t
problems_scopes (const Innov__Problem *p, char scopes [PROBLEMS_SCOPES_MAX][PROBLEMS_SCOPE_MAX])
{
    size_t n = 0;
    snprintf (scopes [n++], PROBLEMS_SCOPE_MAX, "province");
    if (!s_empty (p->city))
        snprintf (scopes [n++], PROBLEMS_SCOPE_MAX, "city:%s", p->city);
    if (!s_empty (p->department))
        snprintf (scopes [n++], PROBLEMS_SCOPE_MAX, "dept:%s", p->department);
    if (!s_empty (p->work_group))
        snprintf (scopes [n++], PROBLEMS_SCOPE_MAX, "group:%s", p->work_group);
    if (!s_empty (p->handler))
        snprintf (scopes [n++], PROBLEMS_SCOPE_MAX, "handler:%s", p->handler);
    return n;
}

static bool
s_done (const Innov__Problem *p)
{
    return streq (s_str (p->state), "resolved") || streq (s_str (p->state), "closed");
}

int64_t
problems_next_due (const Innov__Problem *p)
{
    if (s_done (p))
        return 0;
    if (streq (s_str (p->state), "raised"))
        return p->assign_due_ms;
    int64_t due = p->solve_due_ms;
    if (!p->progressed_ms && p->progress_due_ms && p->progress_due_ms < due)
        due = p->progress_due_ms;
    return due;
}

/* ---- reads -------------------------------------------------------------------------- */

void
problems_get (void *ctx, inv_call_t *call)
{
    problems_t *self = (problems_t *) ctx;
    const Innov__GetProblemRequest *req = (const Innov__GetProblemRequest *) call->request;
    if (!problems_may_read (call))
        return;
    if (s_empty (req->id)) {
        inv_call_field_error (call, "id", "is required");
        return;
    }
    Innov__Problem *p = problems_read (self, call, req->id);
    if (!p)
        return;
    inv_principal_t caller;
    inv_caller_principal (call, &caller);
    if (caller.kind == INV_P_ENTERPRISE && !streq (caller.code, p->enterprise))
        inv_call_error (call, 403, "%s may only read its own problems", call->caller);
    else {
        Innov__ProblemReply reply = INNOV__PROBLEM_REPLY__INIT;
        reply.problem = p;
        inv_caller_reply_copy (call, &reply.base);
    }
    innov__problem__free_unpacked (p, NULL);
}

/* A list scope is valid: province, city:<city>, dept:<dept>, group:<id>, handler:<principal>. */
static bool
s_list_scope (inv_call_t *call, const char *scope)
{
    inv_principal_t p;
    if (streq (scope, "province"))
        return true;
    if (strncmp (scope, "city:", 5) == 0 && inv_division_is_city (scope + 5))
        return true;
    if (strncmp (scope, "dept:", 5) == 0 && inv_department_find (scope + 5)
    &&  streq (inv_department_find (scope + 5)->code, scope + 5))
        return true;
    if (strncmp (scope, "group:", 6) == 0 && scope [6])
        return true;
    if (strncmp (scope, "handler:", 8) == 0 && inv_principal_parse (scope + 8, &p) == 0
    &&  (p.kind == INV_P_DEPARTMENT || p.kind == INV_P_CITY || p.kind == INV_P_ENTERPRISE))
        return true;
    inv_call_field_error (call, "scope", "\"%s\" is not province, city:<code>, dept:<code>, group:<id> "
                          "or handler:<dept:|city:|ent:...>", scope);
    return false;
}

void
problems_list (void *ctx, inv_call_t *call)
{
    problems_t *self = (problems_t *) ctx;
    const Innov__ListProblemsRequest *req = (const Innov__ListProblemsRequest *) call->request;
    if (!problems_may_read (call))
        return;
    inv_principal_t caller;
    inv_caller_principal (call, &caller);
    const char *scope = s_empty (req->scope)? "province": req->scope;
    if (caller.kind == INV_P_ENTERPRISE) {
        char own [PROBLEMS_SCOPE_MAX];
        snprintf (own, sizeof own, "handler:ent:%s", caller.code);
        if (!streq (scope, own)) {
            inv_call_error (call, 403, "%s may only list %s", call->caller, own);
            return;
        }
    }
    if (!s_list_scope (call, scope))
        return;
    if (req->limit > PROBLEMS_LIST_MAX) {
        inv_call_field_error (call, "limit", "at most %d", PROBLEMS_LIST_MAX);
        return;
    }
    uint32_t limit = req->limit? req->limit: 100;
    char key [PROBLEMS_KEY_MAX];
    inv_key (key, sizeof key, self->province, req->open_only? PROBLEMS_KEY_DUE: PROBLEMS_KEY_INDEX, scope);
    char start [16], stop [16];
    snprintf (start, sizeof start, "%u", req->offset);
    snprintf (stop, sizeof stop, "%u", req->offset + limit - 1);
    /* open: the most urgent deadline first; all: the newest first */
    const char *range [] = { req->open_only? "ZRANGE": "ZREVRANGE", key, start, stop };
    const char *card [] = { "ZCARD", key };
    redisReply *ids = inv_redis_argv (self->redis, 4, range, NULL);
    redisReply *total = ids? inv_redis_argv (self->redis, 2, card, NULL): NULL;
    if (!ids || !total) {
        if (ids)
            freeReplyObject (ids);
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
        return;
    }
    size_t count = ids->type == REDIS_REPLY_ARRAY? ids->elements: 0;
    Innov__Problem **problems = (Innov__Problem **) calloc (count + 1, sizeof (Innov__Problem *));
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        char pkey [PROBLEMS_KEY_MAX];
        inv_key (pkey, sizeof pkey, self->province, PROBLEMS_KEY_PROBLEM, ids->element [i]->str);
        const char *argv [] = { "HGET", pkey, PROBLEMS_FIELD_BODY };
        inv_redis_append_argv (self->redis, 3, argv, NULL);
    }
    for (size_t i = 0; i < count; i++) {
        redisReply *r = inv_redis_get_reply (self->redis);
        if (r && r->type == REDIS_REPLY_STRING
        &&  (problems [n] = innov__problem__unpack (NULL, r->len, (const uint8_t *) r->str)))
            n++;
        if (r)
            freeReplyObject (r);
    }
    Innov__ListProblemsReply reply = INNOV__LIST_PROBLEMS_REPLY__INIT;
    reply.problems = problems;
    reply.n_problems = n;
    reply.total = total->type == REDIS_REPLY_INTEGER? (uint32_t) total->integer: 0;
    inv_caller_reply_copy (call, &reply.base);
    for (size_t i = 0; i < n; i++)
        innov__problem__free_unpacked (problems [i], NULL);
    free (problems);
    freeReplyObject (ids);
    freeReplyObject (total);
}

/* ---- the write ---------------------------------------------------------------------- */

/* What a record contributes to the counters of each scope it belongs to. */
typedef struct {
    long long raised, open, resolved, closed, on_time, late, government, own;
} tally_t;

static void
s_tally (const Innov__Problem *p, tally_t *t)
{
    memset (t, 0, sizeof *t);
    if (!p)
        return;
    bool done = s_done (p);
    t->raised = 1;
    t->own = streq (s_str (p->kind), "own");
    t->government = !t->own;
    t->open = !done;
    t->resolved = streq (s_str (p->state), "resolved");
    t->closed = streq (s_str (p->state), "closed");
    t->on_time = done && p->on_time;
    t->late = done && !p->on_time;
}

static void
s_deltas (const tally_t *before, const tally_t *after, char *buf, size_t size)
{
    const char *names [] = { "raised", "open", "resolved", "closed", "on_time", "late", "government", "own" };
    const long long *a = &before->raised, *b = &after->raised;
    size_t used = 0;
    buf [0] = 0;
    for (size_t i = 0; i < 8; i++)
        if (b [i] != a [i] && used < size)
            used += (size_t) snprintf (buf + used, size - used, "%s%s=%lld", used? ",": "", names [i], b [i] - a [i]);
}

static bool
s_in (char scopes [PROBLEMS_SCOPES_MAX][PROBLEMS_SCOPE_MAX], size_t n, const char *scope)
{
    for (size_t i = 0; i < n; i++)
        if (streq (scopes [i], scope))
            return true;
    return false;
}

#define WRITE_ARGS_MAX  (11 + 5 * 2 * PROBLEMS_SCOPES_MAX + 4 * PROBLEMS_EVENTS_MAX)
#define WRITE_KEYS_MAX  (2 + 4 * 2 * PROBLEMS_SCOPES_MAX)

bool
problems_write (problems_t *self, inv_call_t *call, const Innov__Problem *old,
                const Innov__Problem *p, const char *refusal, const char *idempotency_key,
                problems_event_t *events, size_t n_events)
{
    char old_scopes [PROBLEMS_SCOPES_MAX][PROBLEMS_SCOPE_MAX], new_scopes [PROBLEMS_SCOPES_MAX][PROBLEMS_SCOPE_MAX];
    size_t n_old = old? problems_scopes (old, old_scopes): 0;
    size_t n_new = problems_scopes (p, new_scopes);
    /* the union: the new scopes, then those the record leaves (none today) */
    char all [2 * PROBLEMS_SCOPES_MAX][PROBLEMS_SCOPE_MAX];
    size_t n_all = 0;
    for (size_t i = 0; i < n_new; i++)
        memcpy (all [n_all++], new_scopes [i], PROBLEMS_SCOPE_MAX);
    for (size_t i = 0; i < n_old; i++)
        if (!s_in (new_scopes, n_new, old_scopes [i]))
            memcpy (all [n_all++], old_scopes [i], PROBLEMS_SCOPE_MAX);

    char keystore [WRITE_KEYS_MAX][PROBLEMS_KEY_MAX];
    const char *keys [WRITE_KEYS_MAX];
    int nkeys = 0;
    keys [nkeys] = inv_key (keystore [nkeys], PROBLEMS_KEY_MAX, self->province, PROBLEMS_KEY_PROBLEM, p->id);
    nkeys++;
    keys [nkeys] = inv_key (keystore [nkeys], PROBLEMS_KEY_MAX, self->province, PROBLEMS_KEY_SCOPES);
    nkeys++;

    Innov__Problem record = *p;
    record.next_due_ms = problems_next_due (p);
    size_t body_len;
    uint8_t *body = problems_pack (&record.base, &body_len);
    char version [24], read [24], n_scopes [8], n_ev [8];
    snprintf (version, sizeof version, "%llu", (unsigned long long) p->version);
    snprintf (read, sizeof read, "%llu", old? (unsigned long long) old->version: 0ULL);
    snprintf (n_scopes, sizeof n_scopes, "%zu", n_all);
    snprintf (n_ev, sizeof n_ev, "%zu", n_events);
    const char *args [WRITE_ARGS_MAX];
    size_t lens [WRITE_ARGS_MAX];
    int nargs = 0;
#define ARG(text, len) do { args [nargs] = (text); lens [nargs] = (len); nargs++; } while (0)
#define ARGS(text) ARG ((text), strlen (text))
    ARGS (p->id);
    ARG ((const char *) body, body_len);
    ARGS (version);
    ARGS (p->state);
    ARGS (read);
    ARGS (s_str (refusal));
    ARGS (n_scopes);
    ARGS (n_ev);
    ARGS (s_str (p->city));
    ARGS (s_str (p->county));
    ARGS (s_str (p->department));

    tally_t before, after, none;
    s_tally (old, &before);
    s_tally (p, &after);
    s_tally (NULL, &none);
    char deltas [2 * PROBLEMS_SCOPES_MAX][160], due [2 * PROBLEMS_SCOPES_MAX][24],
         days [2 * PROBLEMS_SCOPES_MAX][16], since [2 * PROBLEMS_SCOPES_MAX][24];
    int64_t next = problems_next_due (p);
    bool resolving = s_done (p) && (!old || !s_done (old));
    for (size_t i = 0; i < n_all; i++) {
        bool was = old && s_in (old_scopes, n_old, all [i]);
        bool is = s_in (new_scopes, n_new, all [i]);
        s_deltas (was? &before: &none, is? &after: &none, deltas [i], sizeof deltas [i]);
        if (is && next)
            snprintf (due [i], sizeof due [i], "%lld", (long long) next);
        else
            snprintf (due [i], sizeof due [i], "-");
        snprintf (days [i], sizeof days [i], "%s", "");
        if (is && resolving)
            snprintf (days [i], sizeof days [i], "%u", p->days_to_solve);
        snprintf (since [i], sizeof since [i], "%s", "");
        if (is && !was)
            snprintf (since [i], sizeof since [i], "%lld", (long long) p->raised_ms);
        keys [nkeys] = inv_key (keystore [nkeys], PROBLEMS_KEY_MAX, self->province, PROBLEMS_KEY_COUNTERS, all [i]);
        nkeys++;
        keys [nkeys] = inv_key (keystore [nkeys], PROBLEMS_KEY_MAX, self->province, PROBLEMS_KEY_DUE, all [i]);
        nkeys++;
        keys [nkeys] = inv_key (keystore [nkeys], PROBLEMS_KEY_MAX, self->province, PROBLEMS_KEY_DAYS, all [i]);
        nkeys++;
        keys [nkeys] = inv_key (keystore [nkeys], PROBLEMS_KEY_MAX, self->province, PROBLEMS_KEY_INDEX, all [i]);
        nkeys++;
        ARGS (all [i]);
        ARGS (deltas [i]);
        ARGS (due [i]);
        ARGS (days [i]);
        ARGS (since [i]);
    }
    for (size_t i = 0; i < n_events; i++) {
        ARGS (events [i].type);
        ARGS (events [i].subject);
        ARGS (events [i].payload_type);
        ARG ((const char *) events [i].payload, events [i].payload_len);
    }
#undef ARG
#undef ARGS
    inv_store_result_t result;
    inv_store_write (self->redis, &self->write_script, self->province, s_str (call->caller),
                     s_str (idempotency_key), nkeys, keys, NULL, nargs, args, lens, &result);
    free (body);
    for (size_t i = 0; i < n_events; i++)
        free (events [i].payload);
    if (result.code == 200) {
        Innov__Problem *stored = result.body?
            innov__problem__unpack (NULL, result.body_len, (const uint8_t *) result.body): NULL;
        if (stored) {
            Innov__ProblemReply reply = INNOV__PROBLEM_REPLY__INIT;
            reply.problem = stored;
            inv_caller_reply_copy (call, &reply.base);
            innov__problem__free_unpacked (stored, NULL);
        }
        else
            inv_call_error (call, 500, "problem %s: the stored record does not decode", p->id);
    }
    else
    if (result.code == 503)
        inv_call_error (call, 503, "storage unavailable: %s", result.message);
    else
    if (*result.field && result.code == 400)
        inv_call_field_error (call, result.field, "%s", result.reason);
    else
    if (streq (result.reason, "stale")) {
        inv_store_result_clear (&result);
        return true;
    }
    else
        inv_call_error (call, result.code, "%s", result.message);
    inv_store_result_clear (&result);
    return false;
}
