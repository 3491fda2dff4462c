/*  catalogue: the catalogue service's class, method table and what its handlers share:
    scopes, text checks, replies, ids, reading records and the sources of enterprises
    (registry) and work groups (pairing). docs/catalogue.md describes the methods and
    their keys.

    Writes. A handler validates the whole request (every violation one field error),
    checks the caller's scope, reads what the write depends on, builds the new record
    as a view over the request and the stored record, and hands one catalogue_write_t to
    catalogue_write.lua, which re-checks what it must (record absent, version still
    the one read, the quota) and then stores the record, moves its indexes and counters
    and emits the events in one atomic step. A write refused as stale is read and tried
    again (CATALOGUE_ATTEMPTS).

    Enterprises and work groups belong to other services: the catalogue asks the
    registry (enterprise.get) and pairing (group.get) through the broker as
    "service:catalogue", with one client opened on first use. Tests plug in their own
    sources with catalogue_set_sources.
*/
#include <czmq.h>
#include <time.h>
#include "catalogue_internal.h"
#include "inv_clock.h"
#include "inv_log.h"
#include "inv_service.h"
#include "inv_valid.h"

extern const char catalogue_lua_catalogue_write [];

#define IDEM_KEY_MAX_BYTES 128

const inv_method_t catalogue_methods [] = {
    { "tech.add",         &innov__tech_write_request__descriptor,     catalogue_tech_add, 0 },
    { "tech.amend",       &innov__tech_write_request__descriptor,     catalogue_tech_amend, 0 },
    { "tech.withdraw",    &innov__tech_write_request__descriptor,     catalogue_tech_withdraw, 0 },
    { "tech.publish",     &innov__tech_publish_request__descriptor,   catalogue_tech_publish, 0 },
    { "tech.get",         &innov__catalogue_get_request__descriptor,  catalogue_tech_get, 0 },
    { "tech.list",        &innov__tech_list_request__descriptor,      catalogue_tech_list, 0 },
    { "tech.diff",        &innov__tech_diff_request__descriptor,      catalogue_tech_diff, 0 },
    { "project.apply",    &innov__apply_project_request__descriptor,  catalogue_project_apply, 0 },
    { "project.advance",  &innov__advance_project_request__descriptor, catalogue_project_advance, 0 },
    { "project.progress", &innov__project_progress_request__descriptor, catalogue_project_progress, 0 },
    { "project.get",      &innov__catalogue_get_request__descriptor,  catalogue_project_get, 0 },
    { "project.list",     &innov__project_list_request__descriptor,   catalogue_project_list, 0 },
    { "project.quota",    &innov__project_quota_request__descriptor,  catalogue_project_quota, 0 },
    { "demo.add",         &innov__demo_write_request__descriptor,     catalogue_demo_add, 0 },
    { "demo.update",      &innov__demo_write_request__descriptor,     catalogue_demo_update, 0 },
    { "demo.get",         &innov__catalogue_get_request__descriptor,  catalogue_demo_get, 0 },
    { "demo.list",        &innov__demo_list_request__descriptor,      catalogue_demo_list, 0 },
    { "policy.add",       &innov__policy_write_request__descriptor,   catalogue_policy_add, 0 },
    { "policy.update",    &innov__policy_write_request__descriptor,   catalogue_policy_update, 0 },
    { "policy.get",       &innov__catalogue_get_request__descriptor,  catalogue_policy_get, 0 },
    { "policy.list",      &innov__policy_list_request__descriptor,    catalogue_policy_list, 0 },
    { "policy.menu",      &innov__policy_menu_request__descriptor,    catalogue_policy_menu, 0 },
    { "support.add",      &innov__support_write_request__descriptor,  catalogue_support_add, 0 },
    { "support.get",      &innov__catalogue_get_request__descriptor,  catalogue_support_get, 0 },
    { "support.list",     &innov__support_list_request__descriptor,   catalogue_support_list, 0 },
    { "figures.get",      &innov__figures_request__descriptor,        catalogue_figures_get, 0 },
    { NULL }
};

/* ---- sources of enterprises and work groups through the broker --------------------- */

static mdp_client_t *
s_client (catalogue_t *self, char *message)
{
    if (!self->client) {
        if (catalogue_empty (self->cfg.broker)) {
            snprintf (message, 256, "no broker configured");
            return NULL;
        }
        self->client = inv_client_from_config (&self->cfg);
        if (!self->client)
            snprintf (message, 256, "cannot open a client to %s", self->cfg.broker);
    }
    return self->client;
}

static int
s_call (catalogue_t *self, const char *service, const char *method, const ProtobufCMessage *request,
        const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **reply_p, char *message)
{
    mdp_client_t *client = s_client (self, message);
    if (!client)
        return 503;
    Innov__Status *status = NULL;
    int code = inv_rpc_call (client, service, method, request, reply_desc, reply_p, &status);
    if (code != 200)
        snprintf (message, 256, "%s: %s", service, status && status->message? status->message: "no answer");
    if (status)
        innov__status__free_unpacked (status, NULL);
    return code;
}

static int
s_enterprise_rpc (void *arg, const char *code, Innov__Enterprise **out, char *message)
{
    catalogue_t *self = (catalogue_t *) arg;
    Innov__GetEnterpriseRequest request = INNOV__GET_ENTERPRISE_REQUEST__INIT;
    request.credit_code = (char *) code;
    ProtobufCMessage *reply = NULL;
    int rc = s_call (self, "registry", "enterprise.get", &request.base, &innov__enterprise_reply__descriptor,
                     &reply, message);
    if (rc != 200)
        return rc;
    Innov__EnterpriseReply *er = (Innov__EnterpriseReply *) reply;
    *out = er->enterprise;
    er->enterprise = NULL;
    protobuf_c_message_free_unpacked (reply, NULL);
    if (!*out) {
        snprintf (message, 256, "registry: empty reply");
        return 502;
    }
    return 200;
}

static int
s_group_rpc (void *arg, const char *id, Innov__WorkGroup **out, char *message)
{
    catalogue_t *self = (catalogue_t *) arg;
    Innov__GetGroupRequest request = INNOV__GET_GROUP_REQUEST__INIT;
    request.id = (char *) id;
    request.province = self->province;
    ProtobufCMessage *reply = NULL;
    int rc = s_call (self, "pairing", "group.get", &request.base, &innov__group_reply__descriptor,
                     &reply, message);
    if (rc != 200)
        return rc;
    Innov__GroupReply *gr = (Innov__GroupReply *) reply;
    *out = gr->group;
    gr->group = NULL;
    protobuf_c_message_free_unpacked (reply, NULL);
    if (!*out) {
        snprintf (message, 256, "pairing: empty reply");
        return 502;
    }
    return 200;
}

/* ---- the class ------------------------------------------------------------------------ */

catalogue_t *
catalogue_new (const inv_config_t *cfg)
{
    inv_redis_t *redis = inv_redis_new (cfg->redis);
    if (!redis)
        return NULL;
    catalogue_t *self = (catalogue_t *) zmalloc (sizeof (catalogue_t));
    self->redis = redis;
    snprintf (self->province, sizeof self->province, "%s",
              cfg->province && *cfg->province? cfg->province: "14");
    self->cfg = *cfg;
    self->cfg.principal = "service:catalogue";
    self->write_script.name = "catalogue_write";
    self->write_script.source = inv_store_script_source (catalogue_lua_catalogue_write);
    self->enterprise_fn = s_enterprise_rpc;
    self->group_fn = s_group_rpc;
    self->source_arg = self;
    return self;
}

void
catalogue_destroy (catalogue_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    catalogue_t *self = *self_p;
    inv_redis_destroy (&self->redis);
    mdp_client_destroy (&self->client);
    free ((char *) self->write_script.source);
    free (self);
    *self_p = NULL;
}

void
catalogue_set_sources (catalogue_t *self, catalogue_enterprise_fn *enterprise, catalogue_group_fn *group,
                       void *arg)
{
    self->enterprise_fn = enterprise? enterprise: s_enterprise_rpc;
    self->group_fn = group? group: s_group_rpc;
    self->source_arg = arg;
}

/* ---- scopes ------------------------------------------------------------------------------ */

bool
catalogue_may_read (inv_call_t *call)
{
    return inv_caller_known (call, "anonymous callers may not read the catalogue");
}

bool
catalogue_province_only (inv_call_t *call, const char *what)
{
    inv_principal_t p;
    inv_caller_principal (call, &p);
    if (p.kind == INV_P_PROVINCE || p.kind == INV_P_SERVICE)
        return true;
    inv_call_error (call, 403, "only the provincial promotion group (province) may %s, not %s",
                    what, catalogue_str (call->caller));
    return false;
}

bool
catalogue_may_write_about (inv_call_t *call, const Innov__Enterprise *e, const char *what)
{
    inv_principal_t p;
    inv_caller_principal (call, &p);
    switch (p.kind) {
        case INV_P_PROVINCE: case INV_P_SERVICE: case INV_P_DEPARTMENT:
            return true;
        case INV_P_CITY:
            if (streq (p.code, catalogue_str (e->city)))
                return true;
            break;
        case INV_P_COUNTY:
            if (streq (p.code, catalogue_str (e->county)))
                return true;
            break;
        default:
            break;
    }
    inv_call_error (call, 403, "%s may not %s of enterprise %s (city %s): only the province, a department, "
                    "its city or its county may", catalogue_str (call->caller), what, e->credit_code, catalogue_str (e->city));
    return false;
}

/* ---- checks ------------------------------------------------------------------------------ */

void
catalogue_check_text (inv_call_t *call, const char *field, const char *text, size_t max, bool required)
{
    size_t length = strlen (catalogue_str (text));
    if (required && length == 0)
        inv_call_field_error (call, field, "is required");
    else
    if (length > max)
        inv_call_field_error (call, field, "is %zu bytes long; at most %zu are allowed", length, max);
}

void
catalogue_check_idempotency_key (inv_call_t *call, const char *key)
{
    catalogue_check_text (call, "idempotency_key", key, IDEM_KEY_MAX_BYTES, false);
}

uint32_t
catalogue_year (inv_call_t *call, const char *field, uint32_t given)
{
    if (given == 0) {
        inv_cst_t now;
        inv_clock_to_cst (inv_clock_now_ms (), &now);
        return (uint32_t) now.year;
    }
    if (given < 2000 || given > 2100) {
        inv_call_field_error (call, field, "%u is not a campaign year (2000-2100)", given);
        return 0;
    }
    return given;
}

/* ---- replies and reads ------------------------------------------------------------------ */

bool
catalogue_enterprise (catalogue_t *self, inv_call_t *call, const char *field, const char *code,
                Innov__Enterprise **e_p)
{
    char reason [128];
    if (!inv_credit_code_valid (catalogue_str (code), reason, sizeof reason)) {
        inv_call_field_error (call, field, "%s", reason);
        return false;
    }
    char message [256] = "";
    int rc = self->enterprise_fn (self->source_arg, code, e_p, message);
    if (rc == 200)
        return true;
    if (rc == 404)
        inv_call_error (call, 404, "%s: enterprise %s is not in the registry", field, code);
    else
        inv_call_error (call, rc == 503? 503: 502, "%s: cannot read enterprise %s: %s", field, code, message);
    return false;
}

bool
catalogue_new_id (catalogue_t *self, inv_call_t *call, const char *kind, const char *prefix, uint32_t year,
            int width, char *id, size_t size)
{
    char key [CATALOGUE_KEY_MAX];
    inv_key (key, sizeof key, self->province, CATALOGUE_KEY_SEQ, kind, year);
    redisReply *reply = inv_redis_command (self->redis, "INCR %s", key);
    if (!reply || reply->type != REDIS_REPLY_INTEGER) {
        if (reply)
            freeReplyObject (reply);
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
        return false;
    }
    snprintf (id, size, "%s%u-%0*lld", prefix, year, width, reply->integer);
    freeReplyObject (reply);
    return true;
}

bool
catalogue_load (catalogue_t *self, inv_call_t *call, const char *key, const ProtobufCMessageDescriptor *desc,
          const char *what, ProtobufCMessage **out)
{
    redisReply *reply = inv_redis_command (self->redis, "HGET %s body", key);
    if (!reply) {
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
        return false;
    }
    if (reply->type != REDIS_REPLY_STRING) {
        freeReplyObject (reply);
        inv_call_error (call, 404, "no %s", what);
        return false;
    }
    *out = protobuf_c_message_unpack (desc, NULL, reply->len, (const uint8_t *) reply->str);
    freeReplyObject (reply);
    if (!*out)
        inv_call_error (call, 500, "stored %s does not decode", what);
    return *out != NULL;
}

int
catalogue_load_many (catalogue_t *self, const char *key_fmt, char **ids, size_t count,
               const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out)
{
    for (size_t i = 0; i < count; i++) {
        char rest [CATALOGUE_KEY_MAX], key [CATALOGUE_KEY_MAX];
        snprintf (rest, sizeof rest, key_fmt, ids [i]);
        inv_key (key, sizeof key, self->province, "%s", rest);
        const char *argv [] = { "HGET", key, "body" };
        if (inv_redis_append_argv (self->redis, 3, argv, NULL))
            return -1;
    }
    int rc = (int) count;
    for (size_t i = 0; i < count; i++) {
        redisReply *reply = inv_redis_get_reply (self->redis);
        out [i] = NULL;
        if (!reply) {
            rc = -1;
            continue;
        }
        if (reply->type == REDIS_REPLY_STRING)
            out [i] = protobuf_c_message_unpack (desc, NULL, reply->len, (const uint8_t *) reply->str);
        freeReplyObject (reply);
    }
    return rc;
}

ProtobufCMessage **
catalogue_load_indexed (catalogue_t *self, inv_call_t *call, const char *index, const char *key_fmt,
                        const ProtobufCMessageDescriptor *desc, size_t *n, bool *failed)
{
    zlist_t *ids = catalogue_members (self, index, NULL, 0);
    if (!ids) {
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
        return NULL;
    }
    size_t count = zlist_size (ids), k = 0;
    char **array = (char **) calloc (count + 1, sizeof (char *));
    for (char *id = zlist_first (ids); id; id = zlist_next (ids))
        array [k++] = id;
    ProtobufCMessage **loaded = (ProtobufCMessage **) calloc (count + 1, sizeof (ProtobufCMessage *));
    if (catalogue_load_many (self, key_fmt, array, count, desc, loaded) < 0 && failed)
        *failed = true;
    free (array);
    zlist_destroy (&ids);
    *n = 0;
    for (size_t i = 0; i < count; i++)
        if (loaded [i])
            loaded [(*n)++] = loaded [i];
    return loaded;
}

void
catalogue_free_records (ProtobufCMessage **records, size_t n)
{
    for (size_t i = 0; i < n; i++)
        protobuf_c_message_free_unpacked (records [i], NULL);
    free (records);
}

bool
catalogue_check_subject (inv_call_t *call, const char *name, const void *record, const char *id, bool adding)
{
    if (!record) {
        inv_call_field_error (call, name, "is required");
        return false;
    }
    if (!adding) {
        char field [64];
        snprintf (field, sizeof field, "%s.id", name);
        catalogue_check_text (call, field, id, 64, true);
    }
    return true;
}

zlist_t *
catalogue_members (catalogue_t *self, const char *key, const char *min, size_t limit)
{
    char count [32];
    snprintf (count, sizeof count, "%zu", limit? limit: (size_t) 1000000);
    const char *argv [] = { "ZRANGEBYSCORE", key, min? min: "-inf", "+inf", "LIMIT", "0", count };
    redisReply *reply = inv_redis_argv (self->redis, 7, argv, NULL);
    if (!reply)
        return NULL;
    zlist_t *list = zlist_new ();
    zlist_autofree (list);
    if (reply->type == REDIS_REPLY_ARRAY)
        for (size_t i = 0; i < reply->elements; i++)
            if (reply->element [i]->type == REDIS_REPLY_STRING)
                zlist_append (list, reply->element [i]->str);
    freeReplyObject (reply);
    return list;
}

double
catalogue_score (catalogue_t *self, const char *key, const char *member)
{
    const char *argv [] = { "ZSCORE", key, member };
    redisReply *reply = inv_redis_argv (self->redis, 3, argv, NULL);
    double score = reply && reply->type == REDIS_REPLY_STRING? atof (reply->str): 0;
    if (reply)
        freeReplyObject (reply);
    return score;
}

zhash_t *
catalogue_hash (catalogue_t *self, const char *key)
{
    redisReply *reply = inv_redis_command (self->redis, "HGETALL %s", key);
    if (!reply)
        return NULL;
    zhash_t *hash = zhash_new ();
    zhash_autofree (hash);
    if (reply->type == REDIS_REPLY_ARRAY)
        for (size_t i = 0; i + 1 < reply->elements; i += 2)
            zhash_update (hash, reply->element [i]->str, reply->element [i + 1]->str);
    freeReplyObject (reply);
    return hash;
}

/* ---- labels -------------------------------------------------------------------------- */

const char *
catalogue_sector_label (int sector)
{
    switch (sector) {
        case INNOV__SECTOR__GREEN_ENERGY: return "绿色能源";
        case INNOV__SECTOR__ADVANCED_MANUFACTURING: return "先进制造";
        case INNOV__SECTOR__DIGITAL_INDUSTRY: return "数字产业";
        default: return "?";
    }
}

const char *
catalogue_project_state_label (const char *state)
{
    static const char *pairs [][2] = {
        { "applied", "已申报" }, { "under_review", "评审中" }, { "selected", "已入选" },
        { "fund_pool", "专项资金库" }, { "recommended", "已推荐" }, { "rejected", "未入选" }
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs [0]; i++)
        if (streq (pairs [i][0], catalogue_str (state)))
            return pairs [i][1];
    return catalogue_str (state);
}
