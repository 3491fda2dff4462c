/*  registry: the enterprise ledger service, its class and method table, and what its
    handlers share: replies, scopes, finding a record and the one way a record is
    written. docs/registry.md describes the methods, docs/data-model.md their keys.

    The handlers live by area: registry_enterprise.c (add, get, update, list, count,
    search), registry_workflow.c (transition, close, review, history), registry_agency.c
    (agencies and their seeding) and registry_import.c (enterprise.import). What they
    share is declared in registry_internal.h; key names are in registry_keys.h and record
    validation in registry_check.c.

    Writes. A handler validates the request completely (every violation becomes one
    field error naming "enterprise.<field>", all reported together), checks the
    caller's write scope, then builds the record to store as a *view*: an
    Innov__Enterprise on the stack whose string fields point into the request, the
    record read from Redis, or the reference tables. The view is packed and handed to
    one Lua script (registry_add / update / workflow / import .lua behind
    registry_common.lua and the outbox prelude) that stores the hash, moves the record
    between its indexes and counters and emits the event in one atomic step;
    registry_write_args builds that script's keys and arguments for every write path.
    Nothing is written when anything is refused.

    Where a record lives: in the province of its county ("{14}:..."). registry_find
    looks in the deployment's province first, then in the province named by digits 3-4
    of the credit code (the registering authority's division) if that differs.

    Replies: handlers build views, then pack and unpack them (inv_caller_reply_copy) so the
    reply handed to inv_call_reply is one ordinary unpacked message that dispatch frees.
*/
#include <czmq.h>
#include <ctype.h>
#include <math.h>
#include "registry_internal.h"
#include "registry_import.h"
#include "inv_clock.h"
#include "inv_log.h"

#define IDEM_KEY_MAX_BYTES  128

extern const char registry_lua_registry_common [];
extern const char registry_lua_registry_add [];
extern const char registry_lua_registry_update [];
extern const char registry_lua_registry_workflow [];
extern const char registry_lua_registry_agency [];
extern const char registry_lua_registry_seed [];

char *
registry_script_source (const char *body)
{
    return inv_store_script_source_with (registry_lua_registry_common, body);
}

registry_t *
registry_new (const inv_config_t *cfg)
{
    inv_redis_t *redis = inv_redis_new (cfg->redis);
    if (!redis)
        return NULL;
    registry_t *self = (registry_t *) zmalloc (sizeof (registry_t));
    self->redis = redis;
    snprintf (self->province, sizeof self->province, "%s",
              cfg->province && *cfg->province? cfg->province: "14");
    self->add_script.name = "registry_add";
    self->add_script.source = registry_script_source (registry_lua_registry_add);
    self->update_script.name = "registry_update";
    self->update_script.source = registry_script_source (registry_lua_registry_update);
    self->workflow_script.name = "registry_workflow";
    self->workflow_script.source = registry_script_source (registry_lua_registry_workflow);
    self->agency_script.name = "registry_agency";
    self->agency_script.source = inv_store_script_source (registry_lua_registry_agency);
    self->seed_script.name = "registry_seed";
    self->seed_script.source = inv_store_script_source (registry_lua_registry_seed);
    return self;
}

void
registry_destroy (registry_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    registry_t *self = *self_p;
    inv_redis_destroy (&self->redis);
    free ((char *) self->add_script.source);
    free ((char *) self->update_script.source);
    free ((char *) self->workflow_script.source);
    free ((char *) self->agency_script.source);
    free ((char *) self->seed_script.source);
    free (self);
    *self_p = NULL;
}

inv_redis_t *
registry_redis (registry_t *self)
{
    return self->redis;
}

const char *
registry_status_name (int status)
{
    const ProtobufCEnumValue *value =
        protobuf_c_enum_descriptor_get_value (&innov__innovation_status__descriptor, status);
    return value? value->name: "?";
}

void
registry_reply_enterprise (inv_call_t *call, Innov__Enterprise *enterprise)
{
    Innov__EnterpriseReply reply = INNOV__ENTERPRISE_REPLY__INIT;
    reply.enterprise = enterprise;
    inv_caller_reply_copy (call, &reply.base);
}

uint8_t *
registry_pack (const ProtobufCMessage *message, size_t *size_p)
{
    return inv_rpc_pack (message, size_p);
}

void
registry_check_idempotency_key (inv_call_t *call, const char *key)
{
    size_t length = strlen (s_str (key));
    if (length > IDEM_KEY_MAX_BYTES)
        inv_call_field_error (call, "idempotency_key", "is %zu bytes long; at most %d are allowed",
                              length, IDEM_KEY_MAX_BYTES);
}

bool
registry_may_write (inv_call_t *call, const Innov__Enterprise *e)
{
    inv_principal_t principal;
    inv_caller_principal (call, &principal);
    char reason [256];
    if (inv_principal_may_write_enterprise (&principal, e->credit_code, e->city, e->county,
                                            e->department, reason, sizeof reason))
        return true;
    inv_call_error (call, 403, "%s", reason);
    return false;
}

/* ---- the write scripts' keys and arguments (registry_common.lua) ------------------- */

/* The indexes and counter hashes a record belongs to, appended to w's keys. */
static void
s_members (registry_write_args_t *w, const char *pp, const Innov__Enterprise *e, bool counters)
{
    char (*key)[REGISTRY_KEY_MAX] = w->store + w->nkeys;
    int count = 0;
    if (!counters) {
        inv_key (key [count++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_ALL);
        inv_key (key [count++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_CITY, s_str (e->city));
        inv_key (key [count++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_COUNTY, s_str (e->county));
        inv_key (key [count++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_DEPARTMENT, s_str (e->department));
        inv_key (key [count++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_STATUS, (int) e->status);
        if (!s_empty (e->cluster))
            inv_key (key [count++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_CLUSTER, e->cluster);
        if (e->closing && e->status == INNOV__INNOVATION_STATUS__ACTIVE)
            inv_key (key [count++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_REVIEW);
    }
    else {
        inv_key (key [count++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_CNT_PROVINCE);
        inv_key (key [count++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_CNT_CITY, s_str (e->city));
        inv_key (key [count++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_CNT_DEPARTMENT, s_str (e->department));
        if (!s_empty (e->cluster))
            inv_key (key [count++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_CNT_CLUSTER, e->cluster);
    }
    for (int i = 0; i < count; i++, w->nkeys++)
        w->keys [w->nkeys] = w->store [w->nkeys];
}

/* The name index member of a record: "<name>\x1f<credit code>" into buf. */
static const char *
s_name_member (const Innov__Enterprise *e, char *buf, size_t size)
{
    snprintf (buf, size, "%s" REGISTRY_NAME_SEP "%s", s_str (e->name), s_str (e->credit_code));
    return buf;
}

/* The assessment figures a record adds to its counters (registry_keys.h, fields
   rdi, rda, ali, rev, rde): flags as 0/1, amounts in hundredths of 10k yuan, so the
   sums stay exact integers however often a record is updated. */
static void
s_figures (registry_write_args_t *w, int which, const Innov__Enterprise *e)
{
    long long values [REGISTRY_FIGURES] = { 0, 0, 0, 0, 0 };
    if (e) {
        values [0] = e->has_rd_institution? 1: 0;
        values [1] = e->has_rd_activity? 1: 0;
        values [2] = e->n_alliances > 0? 1: 0;
        values [3] = registry_amount_units (e->operating_revenue);
        values [4] = registry_amount_units (e->rd_expenditure);
    }
    for (int i = 0; i < REGISTRY_FIGURES; i++)
        snprintf (w->figures [which][i], sizeof w->figures [which][i], "%lld", values [i]);
}

long long
registry_amount_units (double amount)
{
    if (!(amount > 0) || amount > 1e15)
        return 0;
    return llround (amount * REGISTRY_AMOUNT_UNITS);
}

void
registry_write_args (registry_write_args_t *w, const char *pp, const Innov__Enterprise *old,
                     const Innov__Enterprise *e, const uint8_t *body, size_t body_len,
                     uint64_t read_version, uint64_t expected_version, const registry_flow_t *flow)
{
    w->nkeys = 0;
    w->keys [w->nkeys] = inv_key (w->store [w->nkeys], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_ENTERPRISE, e->credit_code);
    w->nkeys++;
    int n_old_idx = 0, n_new_idx, n_old_cnt = 0, n_new_cnt, start = w->nkeys;
    if (old)
        s_members (w, pp, old, false);
    n_old_idx = w->nkeys - start, start = w->nkeys;
    s_members (w, pp, e, false);
    n_new_idx = w->nkeys - start, start = w->nkeys;
    if (old)
        s_members (w, pp, old, true);
    n_old_cnt = w->nkeys - start, start = w->nkeys;
    s_members (w, pp, e, true);
    n_new_cnt = w->nkeys - start;
    w->keys [w->nkeys] = inv_key (w->store [w->nkeys], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_NAME);
    w->nkeys++;
    w->keys [w->nkeys] = inv_key (w->store [w->nkeys], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_HISTORY, e->credit_code);
    w->nkeys++;

    snprintf (w->status, sizeof w->status, "%d", (int) e->status);
    snprintf (w->version, sizeof w->version, "%llu", (unsigned long long) e->version);
    snprintf (w->n_old_idx, sizeof w->n_old_idx, "%d", n_old_idx);
    snprintf (w->n_new_idx, sizeof w->n_new_idx, "%d", n_new_idx);
    snprintf (w->n_old_cnt, sizeof w->n_old_cnt, "%d", n_old_cnt);
    snprintf (w->n_new_cnt, sizeof w->n_new_cnt, "%d", n_new_cnt);
    snprintf (w->old_status, sizeof w->old_status, "%d", old? (int) old->status: 0);
    snprintf (w->read, sizeof w->read, "%llu", (unsigned long long) read_version);
    snprintf (w->expected, sizeof w->expected, "%llu", (unsigned long long) expected_version);
    const char *args [REGISTRY_WRITE_NARGS] = {
        e->credit_code, (const char *) body, s_str (e->city), s_str (e->county),
        s_str (e->department), s_str (e->cluster), w->status, w->version,
        w->n_old_idx, w->n_new_idx, w->n_old_cnt, w->n_new_cnt, w->old_status, w->read, w->expected,
        old? s_name_member (old, w->old_name, sizeof w->old_name): "",
        s_name_member (e, w->new_name, sizeof w->new_name),
        flow? flow->event: "", flow? (const char *) flow->entry: "", flow? flow->refusal: "",
        w->figures [0][0], w->figures [0][1], w->figures [0][2], w->figures [0][3], w->figures [0][4],
        w->figures [1][0], w->figures [1][1], w->figures [1][2], w->figures [1][3], w->figures [1][4]
    };
    s_figures (w, 0, old);
    s_figures (w, 1, e);
    for (size_t i = 0; i < REGISTRY_WRITE_NARGS; i++) {
        w->args [i] = args [i];
        w->arglens [i] = i == 1? body_len: i == 18? (flow? flow->entry_len: 0): strlen (args [i]);
    }
}

int
registry_write (registry_t *self, inv_script_t *script, const char *pp, const inv_call_t *call,
                const char *idempotency_key, const Innov__Enterprise *old, const Innov__Enterprise *e,
                const uint8_t *body, size_t body_len, uint64_t read_version, uint64_t expected_version,
                const registry_flow_t *flow, inv_store_result_t *result)
{
    registry_write_args_t w;
    registry_write_args (&w, pp, old, e, body, body_len, read_version, expected_version, flow);
    return inv_store_write (self->redis, script, pp, call->caller, idempotency_key,
                            w.nkeys, w.keys, NULL, REGISTRY_WRITE_NARGS, w.args, w.arglens, result);
}

/* Turn a script's result into the call's reply. */
void
registry_finish_write (inv_call_t *call, inv_store_result_t *result)
{
    if (result->code == 200) {
        Innov__Enterprise *stored = result->body
            ? innov__enterprise__unpack (NULL, result->body_len, (const uint8_t *) result->body)
            : NULL;
        if (!stored) {
            inv_call_error (call, 500, "stored record does not decode");
            return;
        }
        registry_reply_enterprise (call, stored);
        innov__enterprise__free_unpacked (stored, NULL);
    }
    else
        inv_call_error (call, result->code, "%s", result->message);
}

bool
registry_settled (inv_call_t *call, inv_store_result_t *result, int attempt)
{
    bool stale = result->code == 409 && streq (result->reason, "stale");
    bool settled = !stale || attempt == REGISTRY_UPDATE_ATTEMPTS - 1;
    if (settled)
        registry_finish_write (call, result);
    inv_store_result_clear (result);
    return settled;
}

/* ---- reading one record ------------------------------------------------------------- */

/* 0 found (*record_p unpacked, province in pp), 1 not found, -1 Redis down, -2 the
   stored body does not decode. */
static int
s_find (registry_t *self, const char *code, char *pp, Innov__Enterprise **record_p)
{
    char candidates [2][8];
    int count = 0;
    snprintf (candidates [count++], 8, "%s", self->province);
    if (strlen (code) >= 4 && strncmp (code + 2, self->province, 2) != 0)
        snprintf (candidates [count++], 8, "%.2s", code + 2);
    for (int i = 0; i < count; i++) {
        char key [REGISTRY_KEY_MAX];
        inv_key (key, sizeof key, candidates [i], REGISTRY_KEY_ENTERPRISE, code);
        redisReply *reply = inv_redis_command (self->redis, "HGET %s " REGISTRY_FIELD_BODY, key);
        if (!reply)
            return -1;
        if (reply->type == REDIS_REPLY_STRING) {
            *record_p = innov__enterprise__unpack (NULL, reply->len, (const uint8_t *) reply->str);
            freeReplyObject (reply);
            snprintf (pp, 8, "%.7s", candidates [i]);
            return *record_p? 0: -2;
        }
        freeReplyObject (reply);
    }
    return 1;
}

bool
registry_find (registry_t *self, inv_call_t *call, const char *code, char *pp, Innov__Enterprise **record_p)
{
    int rc = s_find (self, code, pp, record_p);
    if (rc == 1)
        inv_call_error (call, 404, "no enterprise %s", code);
    else
    if (rc == -1)
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
    else
    if (rc == -2)
        inv_call_error (call, 500, "stored record of %s does not decode", code);
    return rc == 0;
}

bool
registry_read_one (registry_t *self, inv_call_t *call, const char *code, char *pp, Innov__Enterprise **record_p)
{
    return registry_may_read (call) && registry_check_credit_code (call, "credit_code", code)
        && registry_find (self, call, code, pp, record_p);
}

bool
registry_province_arg (inv_call_t *call, registry_t *self, const char *given, char *pp)
{
    if (s_empty (given)) {
        snprintf (pp, 8, "%s", self->province);
        return true;
    }
    if (strlen (given) != 2 || !isdigit ((unsigned char) given [0]) || !isdigit ((unsigned char) given [1])) {
        inv_call_field_error (call, "province", "%.16s is not a 2-digit province code", given);
        return false;
    }
    snprintf (pp, 8, "%s", given);
    return true;
}

long long
registry_integer_command (registry_t *self, int argc, const char **argv)
{
    redisReply *reply = inv_redis_argv (self->redis, argc, argv, NULL);
    if (!reply)
        return -1;
    long long value = reply->type == REDIS_REPLY_INTEGER? reply->integer: 0;
    if (reply->type == REDIS_REPLY_ERROR)
        inv_error ("%s: %s", argv [0], reply->str);
    freeReplyObject (reply);
    return value;
}

/* ---- read scope ------------------------------------------------------------------------ */

/* Reads of the ledger are open to every authenticated principal, not to anonymous. */
bool
registry_may_read (inv_call_t *call)
{
    return inv_caller_known (call, "anonymous callers may not read the ledger; "
                            "act as an agency (province, dept:, city:, county:) or an enterprise (ent:)");
}

void
registry_check_text (inv_call_t *call, const char *field, const char *text, size_t max)
{
    size_t length = strlen (s_str (text));
    if (length > max)
        inv_call_field_error (call, field, "is %zu bytes long; at most %zu are allowed", length, max);
    else
    if (!inv_utf8_valid (s_str (text)))
        inv_call_field_error (call, field, "is not valid UTF-8");
}

/* ---- the method table ----------------------------------------------------------------- */

const inv_method_t registry_methods [] = {
    { "enterprise.add",    &innov__add_enterprise_request__descriptor,     registry_enterprise_add,    0 },
    { "enterprise.get",    &innov__get_enterprise_request__descriptor,     registry_enterprise_get,    0 },
    { "enterprise.update", &innov__update_enterprise_request__descriptor,  registry_enterprise_update, 0 },
    { "enterprise.list",   &innov__list_enterprises_request__descriptor,   registry_enterprise_list,   0 },
    { "enterprise.count",  &innov__count_enterprises_request__descriptor,  registry_enterprise_count,  0 },
    { "enterprise.transition", &innov__transition_request__descriptor,     registry_enterprise_transition, 0 },
    { "enterprise.close",  &innov__close_request__descriptor,              registry_enterprise_close,  0 },
    { "enterprise.review", &innov__review_request__descriptor,             registry_enterprise_review, 0 },
    { "enterprise.history", &innov__history_request__descriptor,           registry_enterprise_history, 0 },
    { "enterprise.search", &innov__search_request__descriptor,             registry_enterprise_search, 0 },
    { "enterprise.import", &innov__import_enterprises_request__descriptor, registry_enterprise_import, 8 * 1024 * 1024 },
    { "agency.list",       &innov__list_agencies_request__descriptor,      registry_agency_list,       0 },
    { "agency.get",        &innov__get_agency_request__descriptor,         registry_agency_get,        0 },
    { "agency.add",        &innov__add_agency_request__descriptor,         registry_agency_add,        0 },
    { "agency.update",     &innov__update_agency_request__descriptor,      registry_agency_update,     0 },
    { NULL, NULL, NULL, 0 }
};

