/*  registry_import: enterprise.import (see registry_import.h for what it does).

    A batch goes through rounds. A round takes the rows still pending: reads their
    stored records in one pipeline (HGET body), decides each row (create, update,
    unchanged, refused), then appends one registry_import.lua per row to write and
    reads the results in order. Rows answered "stale" (the record moved between read
    and write, e.g. one credit code twice in a batch) are pending again in the next
    round; after ROUNDS rounds they are refused with the conflict.

    Rows are views: each Innov__Enterprise to store points into the request, into the
    stored record read this round, or into the reference tables (resolved by
    registry_check_record). Bodies packed for the scripts are freed once the round's
    results are in.
*/
#include <czmq.h>
#include "registry_internal.h"
#include "registry_import.h"
#include "inv_clock.h"
#include "inv_log.h"

extern const char registry_lua_registry_import [];

#define ROUNDS         4
#define IDEM_KEY_MAX   128

typedef enum { ROW_PENDING, ROW_REFUSED, ROW_CREATED, ROW_UPDATED, ROW_UNCHANGED } outcome_t;

typedef struct {
    Innov__Enterprise e;            /* the validated request row (a view) */
    Innov__Enterprise *stored;      /* read this round, or NULL */
    outcome_t outcome;
    bool write;                     /* a script was appended this round */
} row_t;

static inv_script_t s_script = { "registry_import", NULL, "" };

static inv_script_t *
s_import_script (void)
{
    if (!s_script.source)
        s_script.source = registry_script_source (registry_lua_registry_import);
    return &s_script;
}

/* ---- the reply ---------------------------------------------------------------------- */

typedef struct {
    Innov__ImportEnterprisesReply reply;
    zlistx_t *rejections;           /* of Innov__ImportRejection * (malloc'd strings) */
    size_t out_of_scope;            /* rows refused because the caller may not write them */
    char scope_reason [256];        /* the first such reason */
} result_t;

static void
s_reject (result_t *r, size_t index, uint32_t line, const char *field, const char *reason)
{
    Innov__ImportRejection *rejection = (Innov__ImportRejection *) malloc (sizeof *rejection);
    assert (rejection);
    innov__import_rejection__init (rejection);
    rejection->index = (uint32_t) index;
    rejection->line = line;
    if (strncmp (s_str (field), "enterprise.", 11) == 0)
        field += 11;
    rejection->field = strdup (s_str (field));
    rejection->reason = strdup (s_str (reason));
    zlistx_add_end (r->rejections, rejection);
}

/* A row the caller may not write: reported like any refusal, and counted, because a
   batch refused for scope as a whole is answered 403. */
static void
s_reject_scope (result_t *r, size_t index, uint32_t line, const char *reason)
{
    if (r->out_of_scope++ == 0)
        snprintf (r->scope_reason, sizeof r->scope_reason, "%s", reason);
    s_reject (r, index, line, "", reason);
}

static void
s_rejection_free (void **item)
{
    Innov__ImportRejection *rejection = (Innov__ImportRejection *) *item;
    if (rejection) {
        free (rejection->field);
        free (rejection->reason);
        free (rejection);
        *item = NULL;
    }
}

/* ---- a row's script ------------------------------------------------------------------- */

/* Append the script writing e (over old, NULL when new). */
static int
s_append (inv_redis_t *redis, const char *actor, const Innov__Enterprise *old, const Innov__Enterprise *e)
{
    const char *pp = e->province;
    size_t body_len;
    uint8_t *body = registry_pack (&e->base, &body_len);
    registry_write_args_t w;
    registry_write_args (&w, pp, old, e, body, body_len, old? old->version: 0, 0, NULL);
    int rc = inv_store_append (redis, s_import_script (), pp, actor, NULL,
                               w.nkeys, w.keys, NULL, REGISTRY_WRITE_NARGS, w.args, w.arglens);
    free (body);
    return rc;
}

/* ---- deciding a row ----------------------------------------------------------------- */

static bool
s_same (const Innov__Enterprise *a, const Innov__Enterprise *b)
{
    return streq (s_str (a->name), s_str (b->name)) && streq (s_str (a->county), s_str (b->county))
        && streq (s_str (a->industry), s_str (b->industry))
        && streq (s_str (a->department), s_str (b->department))
        && streq (s_str (a->cluster), s_str (b->cluster))
        && a->operating_revenue == b->operating_revenue && a->rd_expenditure == b->rd_expenditure
        && a->has_rd_institution == b->has_rd_institution && a->has_rd_activity == b->has_rd_activity;
}

/* What the spreadsheet holds, laid over the stored record (status stays: it changes
   only through the workflow). */
static void
s_merge (Innov__Enterprise *m, const Innov__Enterprise *stored, const Innov__Enterprise *row)
{
    *m = *stored;
    m->name = row->name;
    m->county = row->county;
    m->city = row->city;
    m->province = row->province;
    m->industry = row->industry;
    m->department = row->department;
    m->cluster = row->cluster;
    m->operating_revenue = row->operating_revenue;
    m->rd_expenditure = row->rd_expenditure;
    m->has_rd_institution = row->has_rd_institution;
    m->has_rd_activity = row->has_rd_activity;
}

static bool
s_may_write (const inv_principal_t *principal, const Innov__Enterprise *e, char *reason, size_t size)
{
    return inv_principal_may_write_enterprise (principal, e->credit_code, e->city, e->county,
                                               e->department, reason, size);
}

/* Validate every row of the request into rows (refusals go to r). */
static void
s_validate (const Innov__ImportEnterprisesRequest *req, const inv_call_t *call,
            const inv_principal_t *principal, row_t *rows, result_t *r)
{
    for (size_t i = 0; i < req->n_enterprises; i++) {
        row_t *row = &rows [i];
        uint32_t line = i < req->n_lines? req->lines [i]: 0;
        if (!req->enterprises [i]) {
            row->outcome = ROW_REFUSED;
            s_reject (r, i, line, "enterprise", "is empty");
            continue;
        }
        row->e = *req->enterprises [i];
        Innov__Enterprise *e = &row->e;
        if (e->status == INNOV__INNOVATION_STATUS__STATUS_UNSPECIFIED)
            e->status = INNOV__INNOVATION_STATUS__NOT_STARTED;
        e->closing = NULL;
        e->n_alliances = 0;
        e->alliances = NULL;
        inv_call_t check;
        inv_call_init (&check, call->ctx, call->caller, call->method, NULL);
        registry_check_credit_code (&check, "enterprise.credit_code", e->credit_code);
        registry_check_record (&check, e, REGISTRY_F_ALL & ~REGISTRY_F_ALLIANCES);
        if (inv_call_failed (&check)) {
            row->outcome = ROW_REFUSED;
            for (Innov__FieldError *fe = (Innov__FieldError *) zlist_first (check.details); fe;
                 fe = (Innov__FieldError *) zlist_next (check.details))
                s_reject (r, i, line, fe->field, fe->reason);
        }
        else {
            char reason [256];
            if (!s_may_write (principal, e, reason, sizeof reason)) {
                row->outcome = ROW_REFUSED;
                s_reject_scope (r, i, line, reason);
            }
        }
        inv_call_clear (&check);
    }
}

/* One round over the pending rows; returns how many are still pending, -1 if Redis
   failed (the call's error is then set). */
static int
s_round (registry_t *registry, inv_call_t *call, const inv_principal_t *principal, bool dry_run,
         const Innov__ImportEnterprisesRequest *req, row_t *rows, result_t *r, bool last)
{
    inv_redis_t *redis = registry_redis (registry);
    size_t n = req->n_enterprises;
    size_t reads = 0;
    for (size_t i = 0; i < n; i++) {
        if (rows [i].outcome != ROW_PENDING)
            continue;
        char key [REGISTRY_KEY_MAX];
        const char *argv [] = { "HGET", inv_key (key, sizeof key, rows [i].e.province, REGISTRY_KEY_ENTERPRISE,
                                                 rows [i].e.credit_code), REGISTRY_FIELD_BODY };
        if (inv_redis_append_argv (redis, 3, argv, NULL))
            goto down;
        reads++;
    }
    for (size_t i = 0, got = 0; i < n && got < reads; i++) {
        if (rows [i].outcome != ROW_PENDING)
            continue;
        redisReply *reply = inv_redis_get_reply (redis);
        got++;
        if (!reply)
            goto down;
        rows [i].stored = reply->type == REDIS_REPLY_STRING
            ? innov__enterprise__unpack (NULL, reply->len, (const uint8_t *) reply->str): NULL;
        freeReplyObject (reply);
    }
    const char *actor = s_str (call->caller);
    int64_t now = inv_clock_now_ms ();
    size_t writes = 0;
    for (size_t i = 0; i < n; i++) {
        row_t *row = &rows [i];
        row->write = false;
        if (row->outcome != ROW_PENDING)
            continue;
        uint32_t line = i < req->n_lines? req->lines [i]: 0;
        Innov__Enterprise m;
        if (row->stored) {
            char reason [256];
            if (!s_may_write (principal, row->stored, reason, sizeof reason)) {
                row->outcome = ROW_REFUSED;
                s_reject_scope (r, i, line, reason);
                continue;
            }
            if (s_same (row->stored, &row->e)) {
                row->outcome = ROW_UNCHANGED;
                continue;
            }
            s_merge (&m, row->stored, &row->e);
            m.version = row->stored->version + 1;
        }
        else {
            m = row->e;
            m.version = 1;
            m.created_ms = now;
            m.created_by = (char *) actor;
        }
        m.updated_ms = now;
        m.updated_by = (char *) actor;
        if (dry_run) {
            row->outcome = row->stored? ROW_UPDATED: ROW_CREATED;
            continue;
        }
        if (s_append (redis, actor, row->stored, &m))
            goto down;
        row->write = true;
        writes++;
    }
    size_t pending = 0;
    for (size_t i = 0, got = 0; i < n && got < writes; i++) {
        row_t *row = &rows [i];
        if (!row->write)
            continue;
        got++;
        inv_store_result_t result;
        inv_store_get_result (redis, &s_script, &result);
        if (result.code == 503) {
            inv_store_result_clear (&result);
            goto down;
        }
        uint32_t line = i < req->n_lines? req->lines [i]: 0;
        if (result.code == 200)
            row->outcome = streq (result.message, "created")? ROW_CREATED: ROW_UPDATED;
        else
        if (result.code == 409 && streq (result.reason, "stale") && !last)
            pending++;
        else {
            row->outcome = ROW_REFUSED;
            s_reject (r, i, line, result.field, result.message);
        }
        inv_store_result_clear (&result);
    }
    for (size_t i = 0; i < n; i++)
        if (rows [i].stored)
            innov__enterprise__free_unpacked (rows [i].stored, NULL);
    for (size_t i = 0; i < n; i++)
        rows [i].stored = NULL;
    return (int) pending;
down:
    while (inv_redis_get_reply (redis))
        ;
    for (size_t i = 0; i < n; i++)
        if (rows [i].stored) {
            innov__enterprise__free_unpacked (rows [i].stored, NULL);
            rows [i].stored = NULL;
        }
    inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (redis));
    return -1;
}

/* ---- the handler --------------------------------------------------------------------- */

static void
s_reply_from_cache (inv_call_t *call, const redisReply *cached)
{
    ProtobufCMessage *reply = (ProtobufCMessage *) innov__import_enterprises_reply__unpack (
        NULL, cached->len, (const uint8_t *) cached->str);
    if (reply)
        inv_call_reply (call, reply, NULL);
    else
        inv_call_error (call, 500, "cached import reply does not decode");
}

void
registry_enterprise_import (void *ctx, inv_call_t *call)
{
    registry_t *registry = (registry_t *) ctx;
    const Innov__ImportEnterprisesRequest *req = (const Innov__ImportEnterprisesRequest *) call->request;
    size_t n = req->n_enterprises;
    if (n > REGISTRY_IMPORT_MAX_ROWS)
        inv_call_field_error (call, "enterprises", "has %zu rows; at most %d are allowed in one batch",
                              n, REGISTRY_IMPORT_MAX_ROWS);
    if (req->n_lines && req->n_lines != n)
        inv_call_field_error (call, "lines", "has %zu entries for %zu rows", req->n_lines, n);
    if (strlen (s_str (req->idempotency_key)) > IDEM_KEY_MAX)
        inv_call_field_error (call, "idempotency_key", "is longer than %d bytes", IDEM_KEY_MAX);
    if (inv_call_failed (call))
        return;
    inv_principal_t principal;
    if (inv_principal_parse (call->caller, &principal))
        inv_principal_parse ("anonymous", &principal);

    //  A caller that may write no enterprise at all is refused before any row is read.
    char reason [256];
    if (principal.kind == INV_P_ANONYMOUS || principal.kind == INV_P_GROUP) {
        inv_principal_may_write_enterprise (&principal, "", "", "", "", reason, sizeof reason);
        inv_call_error (call, 403, "%s", reason);
        return;
    }
    result_t r;
    memset (&r, 0, sizeof r);
    innov__import_enterprises_reply__init (&r.reply);
    r.rejections = zlistx_new ();
    zlistx_set_destructor (r.rejections, s_rejection_free);
    row_t *rows = (row_t *) calloc (n? n: 1, sizeof (row_t));
    assert (rows);
    s_validate (req, call, &principal, rows, &r);

    /* the batch's reply is cached in the province of its first good row */
    const char *pp = NULL;
    for (size_t i = 0; i < n && !pp; i++)
        if (rows [i].outcome == ROW_PENDING)
            pp = rows [i].e.province;
    char idem [512] = "";
    inv_redis_t *redis = registry_redis (registry);
    if (pp && !req->dry_run && *s_str (req->idempotency_key)) {
        inv_key (idem, sizeof idem, pp, REGISTRY_KEY_IMPORT_IDEM, s_str (call->caller), req->idempotency_key);
        redisReply *cached = inv_redis_command (redis, "GET %s", idem);
        if (!cached) {
            inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (redis));
            goto done;
        }
        if (cached->type == REDIS_REPLY_STRING) {
            s_reply_from_cache (call, cached);
            freeReplyObject (cached);
            goto done;
        }
        freeReplyObject (cached);
    }
    int pending = pp? 1: 0;
    for (int round = 0; round < ROUNDS && pending > 0; round++) {
        pending = s_round (registry, call, &principal, req->dry_run, req, rows, &r, round == ROUNDS - 1);
        if (pending < 0)
            goto done;
    }
    if (n > 0 && r.out_of_scope == n) {
        inv_call_error (call, 403, "every row of the batch is outside the caller's scope: %s",
                        r.scope_reason);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        if (rows [i].outcome == ROW_CREATED)   r.reply.created++;
        if (rows [i].outcome == ROW_UPDATED)   r.reply.updated++;
        if (rows [i].outcome == ROW_UNCHANGED) r.reply.unchanged++;
    }
    size_t nrej = zlistx_size (r.rejections);
    Innov__ImportRejection **list = (Innov__ImportRejection **) calloc (nrej + 1, sizeof *list);
    assert (list);
    size_t k = 0;
    for (void *item = zlistx_first (r.rejections); item; item = zlistx_next (r.rejections))
        list [k++] = (Innov__ImportRejection *) item;
    r.reply.rejections = list;
    r.reply.n_rejections = nrej;
    size_t size;
    uint8_t *packed = registry_pack (&r.reply.base, &size);
    free (list);
    if (*idem) {
        char ttl [32];
        snprintf (ttl, sizeof ttl, "%d", REGISTRY_IMPORT_IDEM_TTL_MS);
        const char *argv [] = { "SET", idem, (const char *) packed, "PX", ttl };
        size_t lens [] = { 3, strlen (idem), size, 2, strlen (ttl) };
        redisReply *set = inv_redis_argv (redis, 5, argv, lens);
        if (set)
            freeReplyObject (set);
    }
    ProtobufCMessage *reply = (ProtobufCMessage *) innov__import_enterprises_reply__unpack (NULL, size, packed);
    free (packed);
    assert (reply);
    inv_call_reply (call, reply, NULL);
    inv_info ("enterprise.import by %s: %zu rows, %u created, %u updated, %u unchanged, %zu refused%s",
              s_str (call->caller), n, r.reply.created, r.reply.updated, r.reply.unchanged, nrej,
              req->dry_run? " (dry run)": "");
done:
    for (size_t i = 0; i < n; i++)
        if (rows [i].stored)
            innov__enterprise__free_unpacked (rows [i].stored, NULL);
    free (rows);
    zlistx_destroy (&r.rejections);
}
