/*  registry: the enterprise ledger, first slice (add, get, update, list, count).

    Writes. A handler validates the request completely (every violation becomes one
    field error naming "enterprise.<field>", all reported together), checks the
    caller's write scope, then builds the record to store as a *view*: an
    Innov__Enterprise on the stack whose string fields point into the request, the
    record read from Redis, or the reference tables (county -> city -> province,
    department and cluster resolved to their codes). The view is packed and handed to
    one Lua script (registry_add.lua / registry_update.lua behind the outbox prelude)
    that stores the hash, moves the record between its indexes and counters and emits
    the event in one atomic step. Nothing is written when anything is refused.

    Update is read-modify-write with optimistic concurrency: the script stores the new
    record only if the version is still the one read; if another write came in between
    it answers "stale" and the handler reads again (a few times). A client's
    expected_version is checked by the script too, after the idempotency check, so a
    retried update returns its first reply rather than a conflict with itself.

    Where a record lives: in the province of its county ("{14}:..."). get and update
    look in the deployment's province first, then in the province named by digits 3-4
    of the credit code (the registering authority's division) if that differs.

    Replies: handlers build views, then pack and unpack them (s_reply) so the reply
    handed to inv_call_reply is one ordinary unpacked message that dispatch frees.
    Listing and counting are in the second half of this file.
*/
#include <czmq.h>
#include <math.h>
#include <ctype.h>
#include "registry.h"
#include "registry_keys.h"
#include "registry.pb-c.h"
#include "inv_store.h"
#include "inv_valid.h"
#include "inv_principal.h"
#include "inv_clock.h"
#include "inv_log.h"

extern const char registry_lua_registry_common [];
extern const char registry_lua_registry_add [];
extern const char registry_lua_registry_update [];

#define NAME_MAX_BYTES      200
#define IDEM_KEY_MAX_BYTES  128
#define ALLIANCES_MAX       64
#define ALLIANCE_MAX_BYTES  64
#define UPDATE_ATTEMPTS     5
#define LIST_DEFAULT        50
#define LIST_MAX            1000
#define LIST_CHUNK          512

struct _registry_t {
    inv_redis_t *redis;
    char province [8];
    inv_script_t add_script;
    inv_script_t update_script;
};

static char *
s_script_source (const char *body)
{
    size_t size = strlen (registry_lua_registry_common) + strlen (body) + 2;
    char *joined = (char *) malloc (size);
    assert (joined);
    snprintf (joined, size, "%s\n%s", registry_lua_registry_common, body);
    char *source = inv_store_script_source (joined);
    free (joined);
    return source;
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
    self->add_script.source = s_script_source (registry_lua_registry_add);
    self->update_script.name = "registry_update";
    self->update_script.source = s_script_source (registry_lua_registry_update);
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
    free (self);
    *self_p = NULL;
}

inv_redis_t *
registry_redis (registry_t *self)
{
    return self->redis;
}

/* ---- small helpers ----------------------------------------------------------------- */

static bool
s_empty (const char *text)
{
    return !text || !*text;
}

static const char *
s_str (const char *text)
{
    return text? text: "";
}

static bool
s_utf8_valid (const char *text)
{
    const unsigned char *s = (const unsigned char *) text;
    while (*s) {
        int extra = *s < 0x80? 0: (*s & 0xE0) == 0xC0? 1: (*s & 0xF0) == 0xE0? 2:
                    (*s & 0xF8) == 0xF0? 3: -1;
        if (extra < 0 || (extra == 1 && *s < 0xC2))
            return false;
        s++;
        for (int i = 0; i < extra; i++, s++)
            if ((*s & 0xC0) != 0x80)
                return false;
    }
    return true;
}

static const char *
s_status_name (int status)
{
    const ProtobufCEnumValue *value =
        protobuf_c_enum_descriptor_get_value (&innov__innovation_status__descriptor, status);
    return value? value->name: "?";
}

/* Pack a view and unpack it into an owned reply for inv_call_reply. */
static void
s_reply (inv_call_t *call, const ProtobufCMessage *view)
{
    size_t size = protobuf_c_message_get_packed_size (view);
    uint8_t *buffer = (uint8_t *) malloc (size? size: 1);
    assert (buffer);
    protobuf_c_message_pack (view, buffer);
    ProtobufCMessage *reply = protobuf_c_message_unpack (view->descriptor, NULL, size, buffer);
    free (buffer);
    assert (reply);
    inv_call_reply (call, reply, NULL);
}

static void
s_reply_enterprise (inv_call_t *call, Innov__Enterprise *enterprise)
{
    Innov__EnterpriseReply reply = INNOV__ENTERPRISE_REPLY__INIT;
    reply.enterprise = enterprise;
    s_reply (call, &reply.base);
}

static uint8_t *
s_pack (const ProtobufCMessage *message, size_t *size_p)
{
    size_t size = protobuf_c_message_get_packed_size (message);
    uint8_t *buffer = (uint8_t *) malloc (size? size: 1);
    assert (buffer);
    protobuf_c_message_pack (message, buffer);
    *size_p = size;
    return buffer;
}

static void
s_principal (const inv_call_t *call, inv_principal_t *principal)
{
    if (inv_principal_parse (call->caller, principal))
        inv_principal_parse ("anonymous", principal);
}

/* ---- validation -------------------------------------------------------------------- */

enum {
    F_NAME       = 1 << 0,  F_COUNTY   = 1 << 1,  F_INDUSTRY = 1 << 2,  F_DEPARTMENT = 1 << 3,
    F_CLUSTER    = 1 << 4,  F_REVENUE  = 1 << 5,  F_RD       = 1 << 6,  F_HAS_INST   = 1 << 7,
    F_HAS_ACT    = 1 << 8,  F_ALLIANCES = 1 << 9, F_MENTOR   = 1 << 10, F_STATUS     = 1 << 11,
    F_ALL        = (1 << 12) - 1
};

static const struct { const char *name, *json; unsigned bit; } s_mutable [] = {
    { "name",               "name",             F_NAME },
    { "county",             "county",           F_COUNTY },
    { "industry",           "industry",         F_INDUSTRY },
    { "department",         "department",       F_DEPARTMENT },
    { "cluster",            "cluster",          F_CLUSTER },
    { "operating_revenue",  "operatingRevenue", F_REVENUE },
    { "rd_expenditure",     "rdExpenditure",    F_RD },
    { "has_rd_institution", "hasRdInstitution", F_HAS_INST },
    { "has_rd_activity",    "hasRdActivity",    F_HAS_ACT },
    { "alliances",          "alliances",        F_ALLIANCES },
    { "mentor_capacity",    "mentorCapacity",   F_MENTOR },
    { "status",             "status",           F_STATUS },
};
#define MUTABLE_COUNT (sizeof s_mutable / sizeof s_mutable [0])

/* Check the masked fields of a record and resolve its references in place: the
   department and cluster become their codes, province and city follow the county.
   Strings in the record point to the request, the stored record or the tables; this
   only moves pointers. Adds a field error per violation. */
static void
s_check_record (inv_call_t *call, Innov__Enterprise *e, unsigned mask)
{
    char reason [256];
    if (mask & F_NAME) {
        size_t length = strlen (s_str (e->name));
        if (length == 0)
            inv_call_field_error (call, "enterprise.name", "is required");
        else
        if (length > NAME_MAX_BYTES)
            inv_call_field_error (call, "enterprise.name", "is %zu bytes long; at most %d are allowed",
                                  length, NAME_MAX_BYTES);
        else
        if (!s_utf8_valid (e->name))
            inv_call_field_error (call, "enterprise.name", "is not valid UTF-8");
    }
    if (mask & F_COUNTY) {
        const inv_division_t *county = s_empty (e->county)? NULL: inv_division_find (e->county);
        if (s_empty (e->county))
            inv_call_field_error (call, "enterprise.county", "is required (a 6-digit county-level division code)");
        else
        if (!county)
            inv_call_field_error (call, "enterprise.county", "%.16s is not a known division code", e->county);
        else
        if (county->level != INV_DIV_COUNTY)
            inv_call_field_error (call, "enterprise.county", "%s (%s) is not a county-level division",
                                  county->code, county->name);
        else {
            e->county = (char *) county->code;
            e->city = (char *) county->city;
            e->province = (char *) county->province;
        }
    }
    if (mask & F_INDUSTRY) {
        if (s_empty (e->industry))
            inv_call_field_error (call, "enterprise.industry", "is required (GB/T 4754-2017 code, 2 to 4 digits)");
        else
        if (!inv_industry_valid (e->industry, reason, sizeof reason))
            inv_call_field_error (call, "enterprise.industry", "%s", reason);
    }
    if (mask & F_DEPARTMENT) {
        const inv_department_t *department = s_empty (e->department)? NULL: inv_department_find (e->department);
        if (s_empty (e->department))
            inv_call_field_error (call, "enterprise.department", "is required (code, name or alias of a provincial department)");
        else
        if (!department)
            inv_call_field_error (call, "enterprise.department", "%.64s is not a known provincial department", e->department);
        else
            e->department = (char *) department->code;
    }
    if (mask & F_CLUSTER) {
        if (!s_empty (e->cluster)) {
            const inv_cluster_t *cluster = inv_cluster_find (e->cluster);
            if (!cluster)
                inv_call_field_error (call, "enterprise.cluster", "%.64s is not one of the 14 industry clusters", e->cluster);
            else
                e->cluster = (char *) cluster->code;
        }
        else
            e->cluster = (char *) "";
    }
    if ((mask & F_REVENUE) && !(isfinite (e->operating_revenue) && e->operating_revenue >= 0))
        inv_call_field_error (call, "enterprise.operating_revenue", "must be a number >= 0 (10k yuan), not %g",
                              e->operating_revenue);
    if ((mask & F_RD) && !(isfinite (e->rd_expenditure) && e->rd_expenditure >= 0))
        inv_call_field_error (call, "enterprise.rd_expenditure", "must be a number >= 0 (10k yuan), not %g",
                              e->rd_expenditure);
    if (mask & F_ALLIANCES) {
        if (e->n_alliances > ALLIANCES_MAX)
            inv_call_field_error (call, "enterprise.alliances", "has %zu entries; at most %d are allowed",
                                  e->n_alliances, ALLIANCES_MAX);
        else
            for (size_t i = 0; i < e->n_alliances; i++) {
                size_t length = strlen (s_str (e->alliances [i]));
                if (length == 0 || length > ALLIANCE_MAX_BYTES || !s_utf8_valid (e->alliances [i])) {
                    char field [64];
                    snprintf (field, sizeof field, "enterprise.alliances[%zu]", i);
                    inv_call_field_error (call, field, "must be an alliance code of 1 to %d bytes",
                                          ALLIANCE_MAX_BYTES);
                }
            }
    }
    if ((mask & F_STATUS)
    &&  (e->status < INNOV__INNOVATION_STATUS__NOT_STARTED || e->status > INNOV__INNOVATION_STATUS__CLOSED))
        inv_call_field_error (call, "enterprise.status", "%d is not a status (NOT_STARTED, IN_PROGRESS, ACTIVE, CLOSED)",
                              (int) e->status);
}

static bool
s_check_credit_code (inv_call_t *call, const char *field, const char *code)
{
    char reason [256];
    if (s_empty (code)) {
        inv_call_field_error (call, field, "is required");
        return false;
    }
    if (!inv_credit_code_valid (code, reason, sizeof reason)) {
        inv_call_field_error (call, field, "%s", reason);
        return false;
    }
    return true;
}

static void
s_check_idempotency_key (inv_call_t *call, const char *key)
{
    size_t length = strlen (s_str (key));
    if (length > IDEM_KEY_MAX_BYTES)
        inv_call_field_error (call, "idempotency_key", "is %zu bytes long; at most %d are allowed",
                              length, IDEM_KEY_MAX_BYTES);
}

static bool
s_may_write (inv_call_t *call, const Innov__Enterprise *e)
{
    inv_principal_t principal;
    s_principal (call, &principal);
    char reason [256];
    if (inv_principal_may_write_enterprise (&principal, e->credit_code, e->city, e->county,
                                            e->department, reason, sizeof reason))
        return true;
    inv_call_error (call, 403, "%s", reason);
    return false;
}

/* ---- the write scripts' keys and arguments ---------------------------------------- */

#define MEMBER_IDX_MAX 6
#define MEMBER_CNT_MAX 4

typedef struct {
    char idx [MEMBER_IDX_MAX][REGISTRY_KEY_MAX];
    char cnt [MEMBER_CNT_MAX][REGISTRY_KEY_MAX];
    int nidx, ncnt;
} members_t;

/* The indexes and counter hashes a record belongs to. */
static void
s_members (const char *pp, const Innov__Enterprise *e, members_t *m)
{
    m->nidx = m->ncnt = 0;
    inv_key (m->idx [m->nidx++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_ALL);
    inv_key (m->idx [m->nidx++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_CITY, s_str (e->city));
    inv_key (m->idx [m->nidx++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_COUNTY, s_str (e->county));
    inv_key (m->idx [m->nidx++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_DEPARTMENT, s_str (e->department));
    inv_key (m->idx [m->nidx++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_STATUS, (int) e->status);
    inv_key (m->cnt [m->ncnt++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_CNT_PROVINCE);
    inv_key (m->cnt [m->ncnt++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_CNT_CITY, s_str (e->city));
    inv_key (m->cnt [m->ncnt++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_CNT_DEPARTMENT, s_str (e->department));
    if (!s_empty (e->cluster)) {
        inv_key (m->idx [m->nidx++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_CLUSTER, e->cluster);
        inv_key (m->cnt [m->ncnt++], REGISTRY_KEY_MAX, pp, REGISTRY_KEY_CNT_CLUSTER, e->cluster);
    }
}

/* Run the add or update script for record `e` (packed as body), leaving `old`'s
   memberships (NULL for add). */
static int
s_write (registry_t *self, inv_script_t *script, const char *pp, const inv_call_t *call,
         const char *idempotency_key, const Innov__Enterprise *old, const Innov__Enterprise *e,
         const uint8_t *body, size_t body_len, uint64_t read_version, uint64_t expected_version,
         inv_store_result_t *result)
{
    members_t before = { .nidx = 0 }, after;
    if (old)
        s_members (pp, old, &before);
    s_members (pp, e, &after);

    char ent [REGISTRY_KEY_MAX];
    inv_key (ent, sizeof ent, pp, REGISTRY_KEY_ENTERPRISE, e->credit_code);
    const char *keys [1 + 2 * (MEMBER_IDX_MAX + MEMBER_CNT_MAX)];
    int nkeys = 0;
    keys [nkeys++] = ent;
    for (int i = 0; i < before.nidx; i++) keys [nkeys++] = before.idx [i];
    for (int i = 0; i < after.nidx; i++)  keys [nkeys++] = after.idx [i];
    for (int i = 0; i < before.ncnt; i++) keys [nkeys++] = before.cnt [i];
    for (int i = 0; i < after.ncnt; i++)  keys [nkeys++] = after.cnt [i];

    char status [16], version [32], n_old_idx [8], n_new_idx [8], n_old_cnt [8], n_new_cnt [8];
    char old_status [16], read [32], expected [32];
    snprintf (status, sizeof status, "%d", (int) e->status);
    snprintf (version, sizeof version, "%llu", (unsigned long long) e->version);
    snprintf (n_old_idx, sizeof n_old_idx, "%d", before.nidx);
    snprintf (n_new_idx, sizeof n_new_idx, "%d", after.nidx);
    snprintf (n_old_cnt, sizeof n_old_cnt, "%d", before.ncnt);
    snprintf (n_new_cnt, sizeof n_new_cnt, "%d", after.ncnt);
    snprintf (old_status, sizeof old_status, "%d", old? (int) old->status: 0);
    snprintf (read, sizeof read, "%llu", (unsigned long long) read_version);
    snprintf (expected, sizeof expected, "%llu", (unsigned long long) expected_version);
    const char *args [] = {
        e->credit_code, (const char *) body, s_str (e->city), s_str (e->county),
        s_str (e->department), s_str (e->cluster), status, version,
        n_old_idx, n_new_idx, n_old_cnt, n_new_cnt, old_status, read, expected
    };
    size_t nargs = sizeof args / sizeof args [0];
    size_t arglens [sizeof args / sizeof args [0]];
    for (size_t i = 0; i < nargs; i++)
        arglens [i] = i == 1? body_len: strlen (args [i]);
    return inv_store_write (self->redis, script, pp, call->caller, idempotency_key,
                            nkeys, keys, NULL, (int) nargs, args, arglens, result);
}

/* Turn a script's result into the call's reply. */
static void
s_finish_write (inv_call_t *call, inv_store_result_t *result)
{
    if (result->code == 200) {
        Innov__Enterprise *stored = result->body
            ? innov__enterprise__unpack (NULL, result->body_len, (const uint8_t *) result->body)
            : NULL;
        if (!stored) {
            inv_call_error (call, 500, "stored record does not decode");
            return;
        }
        s_reply_enterprise (call, stored);
        innov__enterprise__free_unpacked (stored, NULL);
    }
    else
        inv_call_error (call, result->code, "%s", result->message);
}

/* ---- reading one record ------------------------------------------------------------- */

/* Find a record: 0 found (*record_p unpacked, province in pp), 1 not found, -1 Redis
   down, -2 stored body does not decode. */
static int
s_find (registry_t *self, const char *code, char *pp, size_t pp_size, Innov__Enterprise **record_p)
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
            snprintf (pp, pp_size, "%.7s", candidates [i]);
            return *record_p? 0: -2;
        }
        freeReplyObject (reply);
    }
    return 1;
}

static void
s_find_error (inv_call_t *call, registry_t *self, int rc, const char *code)
{
    if (rc == 1)
        inv_call_error (call, 404, "no enterprise %s", code);
    else
    if (rc == -1)
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
    else
        inv_call_error (call, 500, "stored record of %s does not decode", code);
}

/* ---- enterprise.add ------------------------------------------------------------------ */

void
registry_enterprise_add (void *ctx, inv_call_t *call)
{
    registry_t *self = (registry_t *) ctx;
    const Innov__AddEnterpriseRequest *req = (const Innov__AddEnterpriseRequest *) call->request;
    if (!req->enterprise) {
        inv_call_field_error (call, "enterprise", "is required");
        return;
    }
    Innov__Enterprise e = *req->enterprise;         /* a view: pointers into the request */
    s_check_credit_code (call, "enterprise.credit_code", e.credit_code);
    if (e.status == INNOV__INNOVATION_STATUS__STATUS_UNSPECIFIED)
        e.status = INNOV__INNOVATION_STATUS__NOT_STARTED;
    s_check_record (call, &e, F_ALL);
    s_check_idempotency_key (call, req->idempotency_key);
    if (inv_call_failed (call) || !s_may_write (call, &e))
        return;

    int64_t now = inv_clock_now_ms ();
    e.version = 1;
    e.created_ms = e.updated_ms = now;
    e.created_by = e.updated_by = (char *) s_str (call->caller);
    size_t body_len;
    uint8_t *body = s_pack (&e.base, &body_len);
    inv_store_result_t result;
    s_write (self, &self->add_script, e.province, call, req->idempotency_key, NULL, &e,
             body, body_len, 0, 0, &result);
    free (body);
    s_finish_write (call, &result);
    inv_store_result_clear (&result);
}

/* ---- enterprise.get ------------------------------------------------------------------ */

void
registry_enterprise_get (void *ctx, inv_call_t *call)
{
    registry_t *self = (registry_t *) ctx;
    const Innov__GetEnterpriseRequest *req = (const Innov__GetEnterpriseRequest *) call->request;
    if (!s_check_credit_code (call, "credit_code", req->credit_code))
        return;
    char pp [8];
    Innov__Enterprise *record = NULL;
    int rc = s_find (self, req->credit_code, pp, sizeof pp, &record);
    if (rc) {
        s_find_error (call, self, rc, req->credit_code);
        return;
    }
    s_reply_enterprise (call, record);
    innov__enterprise__free_unpacked (record, NULL);
}

/* ---- enterprise.update --------------------------------------------------------------- */

/* The mask of fields to change, or -1 after field errors. */
static int
s_update_mask (inv_call_t *call, const Innov__UpdateEnterpriseRequest *req)
{
    if (req->n_fields == 0) {
        unsigned mask = F_ALL;
        if (req->enterprise->status == INNOV__INNOVATION_STATUS__STATUS_UNSPECIFIED)
            mask &= ~F_STATUS;                  /* not sent: keep it */
        return (int) mask;
    }
    unsigned mask = 0;
    for (size_t i = 0; i < req->n_fields; i++) {
        const char *name = s_str (req->fields [i]);
        unsigned bit = 0;
        for (size_t f = 0; f < MUTABLE_COUNT; f++)
            if (streq (name, s_mutable [f].name) || streq (name, s_mutable [f].json))
                bit = s_mutable [f].bit;
        char field [32];
        snprintf (field, sizeof field, "fields[%zu]", i);
        if (bit)
            mask |= bit;
        else
        if (streq (name, "city") || streq (name, "province"))
            inv_call_field_error (call, field, "%s follows the county; change county instead", name);
        else
        if (protobuf_c_message_descriptor_get_field_by_name (&innov__enterprise__descriptor, name))
            inv_call_field_error (call, field, "%s cannot be changed by an update", name);
        else
            inv_call_field_error (call, field, "%.64s is not a field of innov.Enterprise", name);
    }
    return inv_call_failed (call)? -1: (int) mask;
}

/* Copy the masked fields of the request onto the view of the stored record. */
static void
s_apply (Innov__Enterprise *e, const Innov__Enterprise *in, unsigned mask)
{
    if (mask & F_NAME)       e->name = in->name;
    if (mask & F_COUNTY)     e->county = in->county;
    if (mask & F_INDUSTRY)   e->industry = in->industry;
    if (mask & F_DEPARTMENT) e->department = in->department;
    if (mask & F_CLUSTER)    e->cluster = in->cluster;
    if (mask & F_REVENUE)    e->operating_revenue = in->operating_revenue;
    if (mask & F_RD)         e->rd_expenditure = in->rd_expenditure;
    if (mask & F_HAS_INST)   e->has_rd_institution = in->has_rd_institution;
    if (mask & F_HAS_ACT)    e->has_rd_activity = in->has_rd_activity;
    if (mask & F_ALLIANCES) {
        e->n_alliances = in->n_alliances;
        e->alliances = in->alliances;
    }
    if (mask & F_MENTOR)     e->mentor_capacity = in->mentor_capacity;
    if (mask & F_STATUS)     e->status = in->status;
}

void
registry_enterprise_update (void *ctx, inv_call_t *call)
{
    registry_t *self = (registry_t *) ctx;
    const Innov__UpdateEnterpriseRequest *req = (const Innov__UpdateEnterpriseRequest *) call->request;
    if (!req->enterprise) {
        inv_call_field_error (call, "enterprise", "is required");
        return;
    }
    const char *code = req->enterprise->credit_code;
    bool code_ok = s_check_credit_code (call, "enterprise.credit_code", code);
    int mask = s_update_mask (call, req);
    s_check_idempotency_key (call, req->idempotency_key);
    if (inv_call_failed (call) || !code_ok || mask < 0)
        return;

    for (int attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
        char pp [8];
        Innov__Enterprise *current = NULL;
        int rc = s_find (self, code, pp, sizeof pp, &current);
        if (rc) {
            s_find_error (call, self, rc, code);
            return;
        }
        Innov__Enterprise e = *current;             /* a view over the stored record */
        s_apply (&e, req->enterprise, (unsigned) mask);
        s_check_record (call, &e, (unsigned) mask);
        if (inv_call_failed (call) || !s_may_write (call, current) || !s_may_write (call, &e)) {
            innov__enterprise__free_unpacked (current, NULL);
            return;
        }
        if (strcmp (s_str (e.province), pp) != 0) {
            inv_call_field_error (call, "enterprise.county",
                                  "%s is in province %s; a record cannot move to another province",
                                  e.county, e.province);
            innov__enterprise__free_unpacked (current, NULL);
            return;
        }
        e.version = current->version + 1;
        e.updated_ms = inv_clock_now_ms ();
        e.updated_by = (char *) s_str (call->caller);
        size_t body_len;
        uint8_t *body = s_pack (&e.base, &body_len);
        inv_store_result_t result;
        s_write (self, &self->update_script, pp, call, req->idempotency_key, current, &e,
                 body, body_len, current->version, req->expected_version, &result);
        free (body);
        innov__enterprise__free_unpacked (current, NULL);
        bool stale = result.code == 409 && streq (result.reason, "stale");
        if (!stale || attempt == UPDATE_ATTEMPTS - 1) {
            s_finish_write (call, &result);
            inv_store_result_clear (&result);
            return;
        }
        inv_store_result_clear (&result);
    }
}

/* ---- enterprise.list ----------------------------------------------------------------- */

typedef struct {
    char key [REGISTRY_KEY_MAX];
    long long size;
} index_t;

static bool
s_province_arg (inv_call_t *call, registry_t *self, const char *given, char *pp)
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

/* Sum of a counter hash's fields (status < 0) or one status's field; -1 if Redis is down. */
static long long
s_counter (registry_t *self, const char *key, int status)
{
    redisReply *reply = status > 0
        ? inv_redis_command (self->redis, "HGET %s %d", key, status)
        : inv_redis_command (self->redis, "HVALS %s", key);
    if (!reply)
        return -1;
    long long total = 0;
    if (reply->type == REDIS_REPLY_STRING)
        total = atoll (reply->str);
    else
    if (reply->type == REDIS_REPLY_ARRAY)
        for (size_t i = 0; i < reply->elements; i++)
            if (reply->element [i]->type == REDIS_REPLY_STRING)
                total += atoll (reply->element [i]->str);
    freeReplyObject (reply);
    return total;
}

static long long
s_integer_command (registry_t *self, int argc, const char **argv)
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

/* How many records match. From one counter when the filter is none, status alone, or
   one of city / department / cluster with or without status; ZCARD for one index;
   ZINTERCARD of the indexes otherwise (cost: about the size of the smallest one). */
static long long
s_list_total (registry_t *self, const char *pp, const Innov__ListEnterprisesRequest *req,
              const char *city, const char *department, const char *cluster,
              index_t *indexes, int count)
{
    char key [REGISTRY_KEY_MAX];
    int attributes = !s_empty (city) + !s_empty (req->county) + !s_empty (department) + !s_empty (cluster);
    int status = req->status? (int) req->status: -1;
    if (attributes == 0)
        return s_counter (self, inv_key (key, sizeof key, pp, REGISTRY_KEY_CNT_PROVINCE), status);
    if (attributes == 1 && s_empty (req->county)) {
        if (!s_empty (city))
            inv_key (key, sizeof key, pp, REGISTRY_KEY_CNT_CITY, city);
        else
        if (!s_empty (department))
            inv_key (key, sizeof key, pp, REGISTRY_KEY_CNT_DEPARTMENT, department);
        else
            inv_key (key, sizeof key, pp, REGISTRY_KEY_CNT_CLUSTER, cluster);
        return s_counter (self, key, status);
    }
    if (count == 1) {
        const char *argv [] = { "ZCARD", indexes [0].key };
        return s_integer_command (self, 2, argv);
    }
    const char *argv [2 + 8];
    char numkeys [8];
    snprintf (numkeys, sizeof numkeys, "%d", count);
    argv [0] = "ZINTERCARD";
    argv [1] = numkeys;
    for (int i = 0; i < count; i++)
        argv [2 + i] = indexes [i].key;
    return s_integer_command (self, 2 + count, argv);
}

/* Codes matching every index, after cursor, at most want, by walking the smallest
   index in credit-code order and testing the others with ZMSCORE. Returns the count
   found, or -1 if Redis is down. */
static int
s_list_codes (registry_t *self, index_t *indexes, int count, const char *cursor,
              size_t want, zlist_t *codes)
{
    int smallest = 0;
    for (int i = 0; i < count; i++) {
        const char *argv [] = { "ZCARD", indexes [i].key };
        indexes [i].size = s_integer_command (self, 2, argv);
        if (indexes [i].size < 0)
            return -1;
        if (indexes [i].size < indexes [smallest].size)
            smallest = i;
    }
    char start [64];
    if (s_empty (cursor))
        snprintf (start, sizeof start, "-");
    else
        snprintf (start, sizeof start, "(%s", cursor);
    size_t chunk = count == 1? want: LIST_CHUNK;
    char chunk_text [16];
    snprintf (chunk_text, sizeof chunk_text, "%zu", chunk);

    while (zlist_size (codes) < want) {
        const char *range [] = { "ZRANGEBYLEX", indexes [smallest].key, start, "+", "LIMIT", "0", chunk_text };
        redisReply *page = inv_redis_argv (self->redis, 7, range, NULL);
        if (!page)
            return -1;
        if (page->type != REDIS_REPLY_ARRAY || page->elements == 0) {
            freeReplyObject (page);
            break;
        }
        /* membership of every code of the page in every other index */
        redisReply *scores [8] = { NULL };
        bool down = false;
        for (int i = 0; i < count && !down; i++) {
            if (i == smallest)
                continue;
            const char **argv = (const char **) malloc ((2 + page->elements) * sizeof (char *));
            argv [0] = "ZMSCORE";
            argv [1] = indexes [i].key;
            for (size_t j = 0; j < page->elements; j++)
                argv [2 + j] = page->element [j]->str;
            scores [i] = inv_redis_argv (self->redis, (int) (2 + page->elements), argv, NULL);
            free (argv);
            if (!scores [i] || scores [i]->type != REDIS_REPLY_ARRAY || scores [i]->elements != page->elements)
                down = true;
        }
        for (size_t j = 0; j < page->elements && !down && zlist_size (codes) < want; j++) {
            bool match = true;
            for (int i = 0; i < count; i++)
                if (scores [i] && scores [i]->element [j]->type == REDIS_REPLY_NIL)
                    match = false;
            if (match)
                zlist_append (codes, page->element [j]->str);      /* copied: autofree */
        }
        snprintf (start, sizeof start, "(%s", page->element [page->elements - 1]->str);
        bool last_page = page->elements < chunk;
        for (int i = 0; i < count; i++)
            if (scores [i])
                freeReplyObject (scores [i]);
        freeReplyObject (page);
        if (down)
            return -1;
        if (last_page)
            break;
    }
    return (int) zlist_size (codes);
}

void
registry_enterprise_list (void *ctx, inv_call_t *call)
{
    registry_t *self = (registry_t *) ctx;
    const Innov__ListEnterprisesRequest *req = (const Innov__ListEnterprisesRequest *) call->request;
    char pp [8];
    s_province_arg (call, self, req->province, pp);
    const char *city = NULL, *department = NULL, *cluster = NULL;
    if (!s_empty (req->city) && !inv_division_is_city (req->city))
        inv_call_field_error (call, "city", "%.16s is not a prefecture city code", req->city);
    else
        city = req->city;
    if (!s_empty (req->county) && !inv_division_is_county (req->county))
        inv_call_field_error (call, "county", "%.16s is not a county-level division code", req->county);
    if (!s_empty (req->department)) {
        const inv_department_t *found = inv_department_find (req->department);
        if (!found)
            inv_call_field_error (call, "department", "%.64s is not a known provincial department", req->department);
        else
            department = found->code;
    }
    if (!s_empty (req->cluster)) {
        const inv_cluster_t *found = inv_cluster_find (req->cluster);
        if (!found)
            inv_call_field_error (call, "cluster", "%.64s is not one of the 14 industry clusters", req->cluster);
        else
            cluster = found->code;
    }
    if (req->status > INNOV__INNOVATION_STATUS__CLOSED || (int) req->status < 0)
        inv_call_field_error (call, "status", "%d is not a status", (int) req->status);
    if (strlen (s_str (req->cursor)) > 18 || !s_utf8_valid (s_str (req->cursor)))
        inv_call_field_error (call, "cursor", "is not a cursor from a previous reply");
    if (inv_call_failed (call))
        return;
    size_t limit = req->limit == 0? LIST_DEFAULT: req->limit > LIST_MAX? LIST_MAX: req->limit;

    index_t indexes [6];
    int count = 0;
    if (!s_empty (city))
        inv_key (indexes [count++].key, REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_CITY, city);
    if (!s_empty (req->county))
        inv_key (indexes [count++].key, REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_COUNTY, req->county);
    if (!s_empty (department))
        inv_key (indexes [count++].key, REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_DEPARTMENT, department);
    if (!s_empty (cluster))
        inv_key (indexes [count++].key, REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_CLUSTER, cluster);
    if (req->status)
        inv_key (indexes [count++].key, REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_STATUS, (int) req->status);
    if (count == 0)
        inv_key (indexes [count++].key, REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_ALL);

    zlist_t *codes = zlist_new ();
    zlist_autofree (codes);
    long long total = s_list_total (self, pp, req, city, department, cluster, indexes, count);
    int found = total < 0? -1: s_list_codes (self, indexes, count, req->cursor, limit + 1, codes);
    if (found < 0) {
        zlist_destroy (&codes);
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
        return;
    }
    /* fetch the page's records in one pipeline */
    size_t page = zlist_size (codes) > limit? limit: zlist_size (codes);
    Innov__Enterprise **records = (Innov__Enterprise **) calloc (page + 1, sizeof (Innov__Enterprise *));
    const char *last_code = NULL;
    bool down = false;
    size_t appended = 0;
    const char *code = (const char *) zlist_first (codes);
    for (size_t i = 0; i < page && !down; i++, code = (const char *) zlist_next (codes)) {
        char key [REGISTRY_KEY_MAX];
        const char *argv [] = { "HGET", inv_key (key, sizeof key, pp, REGISTRY_KEY_ENTERPRISE, code),
                                REGISTRY_FIELD_BODY };
        if (inv_redis_append_argv (self->redis, 3, argv, NULL))
            down = true;
        else
            appended++;
        last_code = code;
    }
    size_t n_records = 0;
    for (size_t i = 0; i < appended; i++) {
        redisReply *reply = inv_redis_get_reply (self->redis);
        if (!reply) {
            down = true;
            break;
        }
        if (reply->type == REDIS_REPLY_STRING) {
            Innov__Enterprise *record =
                innov__enterprise__unpack (NULL, reply->len, (const uint8_t *) reply->str);
            if (record)
                records [n_records++] = record;
        }
        freeReplyObject (reply);
    }
    if (down)
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
    else {
        Innov__ListEnterprisesReply reply = INNOV__LIST_ENTERPRISES_REPLY__INIT;
        reply.enterprises = records;
        reply.n_enterprises = n_records;
        reply.next_cursor = (char *) (zlist_size (codes) > limit && last_code? last_code: "");
        reply.total = (uint64_t) total;
        s_reply (call, &reply.base);
    }
    for (size_t i = 0; i < n_records; i++)
        innov__enterprise__free_unpacked (records [i], NULL);
    free (records);
    zlist_destroy (&codes);
}

/* ---- enterprise.count ---------------------------------------------------------------- */

/* Fill a row from a counter hash reply (HGETALL: field status -> count). */
static void
s_row_from_hash (Innov__CountRow *row, const redisReply *hash)
{
    if (!hash || hash->type != REDIS_REPLY_ARRAY)
        return;
    for (size_t i = 0; i + 1 < hash->elements; i += 2) {
        int status = atoi (hash->element [i]->str);
        long long value = atoll (hash->element [i + 1]->str);
        uint64_t count = value > 0? (uint64_t) value: 0;
        switch (status) {
            case INNOV__INNOVATION_STATUS__NOT_STARTED: row->not_started += count; break;
            case INNOV__INNOVATION_STATUS__IN_PROGRESS: row->in_progress += count; break;
            case INNOV__INNOVATION_STATUS__ACTIVE:      row->active += count; break;
            case INNOV__INNOVATION_STATUS__CLOSED:      row->closed += count; break;
            default: continue;
        }
        row->total += count;
    }
}

void
registry_enterprise_count (void *ctx, inv_call_t *call)
{
    registry_t *self = (registry_t *) ctx;
    const Innov__CountEnterprisesRequest *req = (const Innov__CountEnterprisesRequest *) call->request;
    char pp [8];
    s_province_arg (call, self, req->province, pp);
    const char *group_by = s_empty (req->group_by)? "city": req->group_by;
    if (!streq (group_by, "city") && !streq (group_by, "status")
    &&  !streq (group_by, "department") && !streq (group_by, "cluster"))
        inv_call_field_error (call, "group_by", "%.32s is not one of city, status, department, cluster", group_by);
    if (inv_call_failed (call))
        return;

    /* the groups: (row key, counter key) */
    zlist_t *row_keys = zlist_new ();
    zlist_t *counter_keys = zlist_new ();
    zlist_autofree (row_keys);
    zlist_autofree (counter_keys);
    char key [REGISTRY_KEY_MAX];
    size_t n;
    if (streq (group_by, "city")) {
        const inv_division_t *all = inv_division_all (&n);
        for (size_t i = 0; i < n; i++)
            if (all [i].level == INV_DIV_CITY && streq (all [i].province, pp)) {
                zlist_append (row_keys, (void *) all [i].code);
                zlist_append (counter_keys, (void *) inv_key (key, sizeof key, pp, REGISTRY_KEY_CNT_CITY, all [i].code));
            }
    }
    else
    if (streq (group_by, "department")) {
        const inv_department_t *all = inv_department_all (&n);
        for (size_t i = 0; i < n; i++) {
            zlist_append (row_keys, (void *) all [i].code);
            zlist_append (counter_keys, (void *) inv_key (key, sizeof key, pp, REGISTRY_KEY_CNT_DEPARTMENT, all [i].code));
        }
    }
    else
    if (streq (group_by, "cluster")) {
        const inv_cluster_t *all = inv_cluster_all (&n);
        for (size_t i = 0; i < n; i++) {
            zlist_append (row_keys, (void *) all [i].code);
            zlist_append (counter_keys, (void *) inv_key (key, sizeof key, pp, REGISTRY_KEY_CNT_CLUSTER, all [i].code));
        }
    }
    /* the province counter always comes last: it gives the total (and the status rows) */
    zlist_append (counter_keys, (void *) inv_key (key, sizeof key, pp, REGISTRY_KEY_CNT_PROVINCE));

    size_t groups = zlist_size (counter_keys);
    bool down = false;
    size_t appended = 0;
    for (const char *counter = (const char *) zlist_first (counter_keys); counter;
         counter = (const char *) zlist_next (counter_keys)) {
        const char *argv [] = { "HGETALL", counter };
        if (inv_redis_append_argv (self->redis, 2, argv, NULL)) {
            down = true;
            break;
        }
        appended++;
    }
    redisReply **hashes = (redisReply **) calloc (groups, sizeof (redisReply *));
    for (size_t i = 0; i < appended && !down; i++)
        if (!(hashes [i] = inv_redis_get_reply (self->redis)))
            down = true;

    if (down)
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
    else {
        Innov__CountRow province = INNOV__COUNT_ROW__INIT;
        s_row_from_hash (&province, hashes [groups - 1]);
        size_t n_rows = streq (group_by, "status")? 4: groups - 1;
        Innov__CountRow *rows = (Innov__CountRow *) calloc (n_rows + 1, sizeof (Innov__CountRow));
        Innov__CountRow **row_ptrs = (Innov__CountRow **) calloc (n_rows + 1, sizeof (Innov__CountRow *));
        const char *row_key = (const char *) zlist_first (row_keys);
        for (size_t i = 0; i < n_rows; i++) {
            innov__count_row__init (&rows [i]);
            row_ptrs [i] = &rows [i];
            if (streq (group_by, "status")) {
                int status = (int) i + 1;
                rows [i].key = (char *) s_status_name (status);
                uint64_t value = status == 1? province.not_started: status == 2? province.in_progress:
                                 status == 3? province.active: province.closed;
                rows [i].total = value;
                if (status == 1) rows [i].not_started = value;
                if (status == 2) rows [i].in_progress = value;
                if (status == 3) rows [i].active = value;
                if (status == 4) rows [i].closed = value;
            }
            else {
                rows [i].key = (char *) row_key;
                s_row_from_hash (&rows [i], hashes [i]);
                row_key = (const char *) zlist_next (row_keys);
            }
        }
        Innov__CountEnterprisesReply reply = INNOV__COUNT_ENTERPRISES_REPLY__INIT;
        reply.rows = row_ptrs;
        reply.n_rows = n_rows;
        reply.total = province.total;
        s_reply (call, &reply.base);
        free (rows);
        free (row_ptrs);
    }
    for (size_t i = 0; i < groups; i++)
        if (hashes [i])
            freeReplyObject (hashes [i]);
    free (hashes);
    zlist_destroy (&row_keys);
    zlist_destroy (&counter_keys);
}

/* ---- the method table ----------------------------------------------------------------- */

const inv_method_t registry_methods [] = {
    { "enterprise.add",    &innov__add_enterprise_request__descriptor,     registry_enterprise_add,    0 },
    { "enterprise.get",    &innov__get_enterprise_request__descriptor,     registry_enterprise_get,    0 },
    { "enterprise.update", &innov__update_enterprise_request__descriptor,  registry_enterprise_update, 0 },
    { "enterprise.list",   &innov__list_enterprises_request__descriptor,   registry_enterprise_list,   0 },
    { "enterprise.count",  &innov__count_enterprises_request__descriptor,  registry_enterprise_count,  0 },
    { NULL, NULL, NULL, 0 }
};
