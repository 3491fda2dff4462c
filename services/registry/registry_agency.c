/*  registry_agency: the agencies of a province: agency.list, get, add and update, their
    seeding, and the alliance check of enterprise records (proto/registry.proto).

    Every province starts with its provincial group ("province"), its departments (their
    codes, from data/shanxi_departments.csv), its cities and counties (their division
    codes), one alliance per industry cluster ("alliance.<cluster>") and one expert team
    per industrial division ("expert.<2 digits>"). registry_seed_agencies writes those
    that are missing in one script (HSETNX: an agency edited since is left alone); a
    process runs it on its first call that needs agencies, and again if the agency index
    has gone (a Redis that lost its data). agency.add creates alliances,
    expert teams and platforms ("platform.<word>"); the other kinds follow the reference
    tables. Agency lists are small (hundreds per province), so a list reads its index
    whole and pages in memory.
*/
#include <czmq.h>
#include <ctype.h>
#include "registry_internal.h"
#include "inv_valid.h"
#include "inv_clock.h"
#include "inv_log.h"

#define AGENCY_LIST_DEFAULT 200
#define AGENCY_TEXT_MAX     200
#define SEED_BATCH          15

static const struct { Innov__AgencyKind kind; const char *prefix; } s_agency_prefix [] = {
    { INNOV__AGENCY_KIND__ALLIANCE,    "alliance." },
    { INNOV__AGENCY_KIND__EXPERT_TEAM, "expert." },
    { INNOV__AGENCY_KIND__PLATFORM,    "platform." },
};

static const char *
s_kind_name (int kind)
{
    const ProtobufCEnumValue *value =
        protobuf_c_enum_descriptor_get_value (&innov__agency_kind__descriptor, kind);
    return value? value->name: "?";
}

/* Append one seed agency (code, kind, parent, body) to the script arguments; lengths
   holds each argument's length + 1 (a zlist item cannot be NULL). */
static void
s_seed_one (zlist_t *args, zlist_t *lengths, Innov__Agency *agency)
{
    size_t size;
    uint8_t *body = registry_pack (&agency->base, &size);
    char kind [8];
    snprintf (kind, sizeof kind, "%d", (int) agency->kind);
    const char *texts [] = { agency->code, kind, s_str (agency->parent) };
    for (int i = 0; i < 3; i++) {
        zlist_append (args, strdup (texts [i]));
        zlist_append (lengths, (void *) (uintptr_t) (strlen (texts [i]) + 1));
    }
    zlist_append (args, body);
    zlist_append (lengths, (void *) (uintptr_t) (size + 1));
}

int
registry_seed_agencies (registry_t *self)
{
    const char *pp = self->province;
    zlist_t *args = zlist_new ();
    zlist_t *lengths = zlist_new ();
    char name [256], code [32];
    size_t n;

    char province_code [16];
    snprintf (province_code, sizeof province_code, "%s0000", pp);
    const inv_division_t *province = inv_division_find (province_code);
    Innov__Agency a = INNOV__AGENCY__INIT;
    a.code = (char *) "province";
    a.kind = INNOV__AGENCY_KIND__PROVINCIAL_GROUP;
    snprintf (name, sizeof name, "%s企业技术创新全覆盖推进小组", province? province->name: "");
    a.name = name;
    a.short_name = (char *) "省推进小组";
    a.province = (char *) pp;
    a.version = 1;
    s_seed_one (args, lengths, &a);

    const inv_department_t *departments = inv_department_all (&n);
    for (size_t i = 0; i < n; i++) {
        innov__agency__init (&a);
        a.code = (char *) departments [i].code;
        a.kind = INNOV__AGENCY_KIND__DEPARTMENT;
        a.name = (char *) departments [i].name;
        a.short_name = (char *) departments [i].short_name;
        a.field = (char *) departments [i].field;
        a.parent = (char *) "province";
        a.province = (char *) pp;
        a.version = 1;
        s_seed_one (args, lengths, &a);
    }
    const inv_division_t *divisions = inv_division_all (&n);
    for (size_t i = 0; i < n; i++) {
        if (divisions [i].level == INV_DIV_PROVINCE || !streq (divisions [i].province, pp))
            continue;
        innov__agency__init (&a);
        a.code = (char *) divisions [i].code;
        a.kind = divisions [i].level == INV_DIV_CITY? INNOV__AGENCY_KIND__CITY: INNOV__AGENCY_KIND__COUNTY;
        a.name = (char *) divisions [i].name;
        a.parent = (char *) (divisions [i].level == INV_DIV_CITY? "province": divisions [i].city);
        a.province = (char *) pp;
        a.version = 1;
        s_seed_one (args, lengths, &a);
    }
    const inv_cluster_t *clusters = inv_cluster_all (&n);
    for (size_t i = 0; i < n; i++) {
        innov__agency__init (&a);
        snprintf (code, sizeof code, "alliance.%s", clusters [i].code);
        snprintf (name, sizeof name, "%s产业联盟", clusters [i].name);
        a.code = code;
        a.kind = INNOV__AGENCY_KIND__ALLIANCE;
        a.name = name;
        a.cluster = (char *) clusters [i].code;
        a.parent = (char *) "province";
        a.province = (char *) pp;
        a.version = 1;
        s_seed_one (args, lengths, &a);
    }
    for (int division = 6; division <= 46; division++) {
        char industry [8];
        snprintf (industry, sizeof industry, "%02d", division);
        const char *division_name = inv_industry_division_name (industry);
        if (!division_name)
            continue;
        innov__agency__init (&a);
        snprintf (code, sizeof code, "expert.%s", industry);
        snprintf (name, sizeof name, "%s专家团队", division_name);
        a.code = code;
        a.kind = INNOV__AGENCY_KIND__EXPERT_TEAM;
        a.name = name;
        a.industry = industry;
        a.parent = (char *) "province";
        a.province = (char *) pp;
        a.version = 1;
        s_seed_one (args, lengths, &a);
    }

    size_t nargs = zlist_size (args);
    const char **argv = (const char **) calloc (nargs, sizeof (char *));
    size_t *arglens = (size_t *) calloc (nargs, sizeof (size_t));
    size_t i = 0;
    void *length = zlist_first (lengths);
    for (char *arg = (char *) zlist_first (args); arg; arg = (char *) zlist_next (args), i++) {
        argv [i] = arg;
        arglens [i] = (size_t) (uintptr_t) length - 1;
        length = zlist_next (lengths);
    }
    char prefix [REGISTRY_KEY_MAX], all [REGISTRY_KEY_MAX], kinds [REGISTRY_KEY_MAX], parents [REGISTRY_KEY_MAX];
    const char *keys [] = {
        inv_key (prefix, sizeof prefix, pp, REGISTRY_KEY_AGENCY_PREFIX),
        inv_key (all, sizeof all, pp, REGISTRY_KEY_AGENCY_ALL),
        inv_key (kinds, sizeof kinds, pp, REGISTRY_KEY_AGENCY_KIND_PREFIX),
        inv_key (parents, sizeof parents, pp, REGISTRY_KEY_AGENCY_PARENT_PREFIX)
    };
    /* in batches: a script call takes at most SEED_BATCH agencies (the outbox's limit) */
    int rc = 0, created = 0;
    for (size_t first = 0; first < nargs && rc == 0; first += SEED_BATCH * 4) {
        size_t batch = nargs - first < SEED_BATCH * 4? nargs - first: SEED_BATCH * 4;
        inv_store_result_t result;
        inv_store_write (self->redis, &self->seed_script, pp, "service:registry", "", 4, keys, NULL,
                         (int) batch, argv + first, arglens + first, &result);
        if (result.code == 200)
            created += atoi (result.message);
        else {
            inv_warn ("seeding the agencies of province %s failed: %d %s", pp, result.code, result.message);
            rc = -1;
        }
        inv_store_result_clear (&result);
    }
    if (rc == 0) {
        self->seeded = true;
        if (created > 0)
            inv_info ("seeded %d agencies of province %s (of %zu)", created, pp, nargs / 4);
    }
    free (argv);
    free (arglens);
    for (char *arg = (char *) zlist_first (args); arg; arg = (char *) zlist_next (args))
        free (arg);
    zlist_destroy (&args);
    zlist_destroy (&lengths);
    return rc;
}

/* The agencies are there (seeded by this process, and the index still exists: a Redis
   that lost its data is seeded again). One EXISTS per call that needs agencies. */
static bool
s_ensure_seeded (registry_t *self, inv_call_t *call)
{
    if (self->seeded) {
        char key [REGISTRY_KEY_MAX];
        const char *argv [] = { "EXISTS", inv_key (key, sizeof key, self->province, REGISTRY_KEY_AGENCY_ALL) };
        self->seeded = registry_integer_command (self, 2, argv) == 1;
    }
    if (self->seeded || registry_seed_agencies (self) == 0)
        return true;
    inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
    return false;
}

/* Read one agency: 0 found, 1 not found, -1 down. */
static int
s_agency_find (registry_t *self, const char *pp, const char *code, Innov__Agency **agency_p)
{
    char key [REGISTRY_KEY_MAX];
    const char *argv [] = { "HGET", inv_key (key, sizeof key, pp, REGISTRY_KEY_AGENCY, code), REGISTRY_FIELD_BODY };
    redisReply *reply = inv_redis_argv (self->redis, 3, argv, NULL);
    if (!reply)
        return -1;
    *agency_p = reply->type == REDIS_REPLY_STRING
        ? innov__agency__unpack (NULL, reply->len, (const uint8_t *) reply->str): NULL;
    freeReplyObject (reply);
    return *agency_p? 0: 1;
}

/* Every alliance of the record must be a known alliance agency of its province. */
void
registry_check_alliances (registry_t *self, inv_call_t *call, const Innov__Enterprise *e)
{
    if (e->n_alliances == 0 || inv_call_failed (call) || !s_ensure_seeded (self, call))
        return;
    for (size_t i = 0; i < e->n_alliances; i++) {
        char key [REGISTRY_KEY_MAX];
        const char *argv [] = { "HGET", inv_key (key, sizeof key, s_str (e->province), REGISTRY_KEY_AGENCY,
                                                 e->alliances [i]), "kind" };
        redisReply *reply = inv_redis_argv (self->redis, 3, argv, NULL);
        if (!reply) {
            inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
            return;
        }
        bool alliance = reply->type == REDIS_REPLY_STRING && atoi (reply->str) == INNOV__AGENCY_KIND__ALLIANCE;
        freeReplyObject (reply);
        if (!alliance) {
            char field [64];
            snprintf (field, sizeof field, "enterprise.alliances[%zu]", i);
            inv_call_field_error (call, field, "%.64s is not a known industry alliance (agency.list --kind alliance)",
                                  e->alliances [i]);
        }
    }
}

void
registry_agency_get (void *ctx, inv_call_t *call)
{
    registry_t *self = (registry_t *) ctx;
    const Innov__GetAgencyRequest *req = (const Innov__GetAgencyRequest *) call->request;
    char pp [8];
    if (!registry_may_read (call) || !registry_province_arg (call, self, req->province, pp))
        return;
    if (s_empty (req->code) || strlen (req->code) > 64) {
        inv_call_field_error (call, "code", "is required (an agency code of at most 64 bytes)");
        return;
    }
    if (!s_ensure_seeded (self, call))
        return;
    Innov__Agency *agency = NULL;
    int rc = s_agency_find (self, pp, req->code, &agency);
    if (rc == 1)
        inv_call_error (call, 404, "no agency %s", req->code);
    else
    if (rc < 0)
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
    else {
        Innov__AgencyReply reply = INNOV__AGENCY_REPLY__INIT;
        reply.agency = agency;
        inv_caller_reply_copy (call, &reply.base);
        innov__agency__free_unpacked (agency, NULL);
    }
}

void
registry_agency_list (void *ctx, inv_call_t *call)
{
    registry_t *self = (registry_t *) ctx;
    const Innov__ListAgenciesRequest *req = (const Innov__ListAgenciesRequest *) call->request;
    char pp [8];
    if (!registry_may_read (call) || !registry_province_arg (call, self, req->province, pp))
        return;
    if ((int) req->kind < 0 || req->kind > INNOV__AGENCY_KIND__PLATFORM)
        inv_call_field_error (call, "kind", "%d is not an agency kind", (int) req->kind);
    if (strlen (s_str (req->parent)) > 64 || strlen (s_str (req->cursor)) > 64)
        inv_call_field_error (call, s_empty (req->cursor)? "parent": "cursor", "is too long");
    if (inv_call_failed (call) || !s_ensure_seeded (self, call))
        return;
    size_t limit = req->limit == 0? AGENCY_LIST_DEFAULT: req->limit > REGISTRY_LIST_MAX? REGISTRY_LIST_MAX: req->limit;
    char idx [REGISTRY_KEY_MAX];
    if (!s_empty (req->parent))
        inv_key (idx, sizeof idx, pp, REGISTRY_KEY_AGENCY_PARENT, req->parent);
    else
    if (req->kind)
        inv_key (idx, sizeof idx, pp, REGISTRY_KEY_AGENCY_KIND, (int) req->kind);
    else
        inv_key (idx, sizeof idx, pp, REGISTRY_KEY_AGENCY_ALL);
    const char *range [] = { "ZRANGEBYLEX", idx, "-", "+" };
    redisReply *codes = inv_redis_argv (self->redis, 4, range, NULL);
    if (!codes) {
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
        return;
    }
    size_t count = codes->type == REDIS_REPLY_ARRAY? codes->elements: 0;
    size_t appended = 0;
    bool down = false;
    for (size_t i = 0; i < count && !down; i++) {
        char key [REGISTRY_KEY_MAX];
        const char *argv [] = { "HGET", inv_key (key, sizeof key, pp, REGISTRY_KEY_AGENCY, codes->element [i]->str),
                                REGISTRY_FIELD_BODY };
        if (inv_redis_append_argv (self->redis, 3, argv, NULL))
            down = true;
        else
            appended++;
    }
    Innov__Agency **agencies = (Innov__Agency **) calloc (count + 1, sizeof (Innov__Agency *));
    size_t n = 0, total = 0;
    const char *next = "";
    for (size_t i = 0; i < appended; i++) {
        redisReply *reply = inv_redis_get_reply (self->redis);
        if (!reply) {
            down = true;
            break;
        }
        Innov__Agency *agency = reply->type == REDIS_REPLY_STRING
            ? innov__agency__unpack (NULL, reply->len, (const uint8_t *) reply->str): NULL;
        freeReplyObject (reply);
        if (!agency)
            continue;
        if (req->kind && agency->kind != req->kind) {
            innov__agency__free_unpacked (agency, NULL);
            continue;
        }
        total++;
        if (s_empty (req->cursor) || strcmp (agency->code, req->cursor) > 0) {
            if (n < limit)
                agencies [n++] = agency;
            else {
                if (!*next)
                    next = agencies [n - 1]->code;
                innov__agency__free_unpacked (agency, NULL);
            }
        }
        else
            innov__agency__free_unpacked (agency, NULL);
    }
    if (down)
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
    else {
        Innov__ListAgenciesReply reply = INNOV__LIST_AGENCIES_REPLY__INIT;
        reply.agencies = agencies;
        reply.n_agencies = n;
        reply.next_cursor = (char *) next;
        reply.total = total;
        inv_caller_reply_copy (call, &reply.base);
    }
    for (size_t i = 0; i < n; i++)
        innov__agency__free_unpacked (agencies [i], NULL);
    free (agencies);
    freeReplyObject (codes);
}

static void
s_check_agency_text (inv_call_t *call, const char *field, const char *text, bool required)
{
    if (required && s_empty (text))
        inv_call_field_error (call, field, "is required");
    else
        registry_check_text (call, field, text, AGENCY_TEXT_MAX);
}

/* Write an agency with the agency script (mode "add" or "update"). */
static void
s_agency_write (registry_t *self, inv_call_t *call, const char *pp, const char *mode, Innov__Agency *agency,
                uint64_t read_version, uint64_t expected_version, const char *idempotency_key)
{
    size_t body_len;
    uint8_t *body = registry_pack (&agency->base, &body_len);
    char key [REGISTRY_KEY_MAX], all [REGISTRY_KEY_MAX], kind_idx [REGISTRY_KEY_MAX], parent_idx [REGISTRY_KEY_MAX];
    const char *keys [] = {
        inv_key (key, sizeof key, pp, REGISTRY_KEY_AGENCY, agency->code),
        inv_key (all, sizeof all, pp, REGISTRY_KEY_AGENCY_ALL),
        inv_key (kind_idx, sizeof kind_idx, pp, REGISTRY_KEY_AGENCY_KIND, (int) agency->kind),
        inv_key (parent_idx, sizeof parent_idx, pp, REGISTRY_KEY_AGENCY_PARENT, s_str (agency->parent))
    };
    char read [32], expected [32], version [32], kind [8];
    snprintf (read, sizeof read, "%llu", (unsigned long long) read_version);
    snprintf (expected, sizeof expected, "%llu", (unsigned long long) expected_version);
    snprintf (version, sizeof version, "%llu", (unsigned long long) agency->version);
    snprintf (kind, sizeof kind, "%d", (int) agency->kind);
    const char *args [] = { agency->code, (const char *) body, mode, read, expected, version, kind };
    size_t arglens [7];
    for (size_t i = 0; i < 7; i++)
        arglens [i] = i == 1? body_len: strlen (args [i]);
    inv_store_result_t result;
    inv_store_write (self->redis, &self->agency_script, pp, call->caller, idempotency_key,
                     s_empty (agency->parent)? 3: 4, keys, NULL, 7, args, arglens, &result);
    free (body);
    if (result.code == 200) {
        Innov__Agency *stored = innov__agency__unpack (NULL, result.body_len, (const uint8_t *) result.body);
        if (stored) {
            inv_info ("agency %s %s by %s", mode, stored->code, s_str (call->caller));
            Innov__AgencyReply reply = INNOV__AGENCY_REPLY__INIT;
            reply.agency = stored;
            inv_caller_reply_copy (call, &reply.base);
            innov__agency__free_unpacked (stored, NULL);
        }
        else
            inv_call_error (call, 500, "stored agency does not decode");
    }
    else
        inv_call_error (call, result.code, "%s", result.message);
    inv_store_result_clear (&result);
}

void
registry_agency_add (void *ctx, inv_call_t *call)
{
    registry_t *self = (registry_t *) ctx;
    const Innov__AddAgencyRequest *req = (const Innov__AddAgencyRequest *) call->request;
    if (!req->agency) {
        inv_call_field_error (call, "agency", "is required");
        return;
    }
    inv_principal_t principal;
    inv_caller_principal (call, &principal);
    if (principal.kind != INV_P_PROVINCE && principal.kind != INV_P_SERVICE) {
        inv_call_error (call, 403, "%s may not add agencies; only the provincial group (province) may",
                        s_str (call->caller));
        return;
    }
    Innov__Agency a = *req->agency;                 /* a view over the request */
    const char *prefix = NULL;
    for (size_t i = 0; i < sizeof s_agency_prefix / sizeof s_agency_prefix [0]; i++)
        if (s_agency_prefix [i].kind == a.kind)
            prefix = s_agency_prefix [i].prefix;
    if (!prefix)
        inv_call_field_error (call, "agency.kind", "%s cannot be added: the provincial group, departments, "
                              "cities and counties come from the reference tables; add ALLIANCE, "
                              "EXPERT_TEAM or PLATFORM", s_kind_name (a.kind));
    else {
        inv_principal_t shape;
        char as_service [96];
        snprintf (as_service, sizeof as_service, "service:%.70s", s_str (a.code));
        if (strncmp (s_str (a.code), prefix, strlen (prefix)) != 0 || strlen (a.code) == strlen (prefix)
        ||  inv_principal_parse (as_service, &shape))
            inv_call_field_error (call, "agency.code", "%.64s must be \"%s<word>\" (lower-case letters, digits, "
                                  "'-', '_', '.')", s_str (a.code), prefix);
    }
    s_check_agency_text (call, "agency.name", a.name, true);
    s_check_agency_text (call, "agency.short_name", a.short_name, false);
    s_check_agency_text (call, "agency.field", a.field, false);
    if (a.kind == INNOV__AGENCY_KIND__ALLIANCE && !s_empty (a.cluster)) {
        const inv_cluster_t *cluster = inv_cluster_find (a.cluster);
        if (!cluster)
            inv_call_field_error (call, "agency.cluster", "%.64s is not one of the 14 industry clusters", a.cluster);
        else
            a.cluster = (char *) cluster->code;
    }
    if (a.kind == INNOV__AGENCY_KIND__EXPERT_TEAM && !s_empty (a.industry)) {
        char reason [256];
        if (!inv_industry_valid (a.industry, reason, sizeof reason))
            inv_call_field_error (call, "agency.industry", "%s", reason);
    }
    registry_check_idempotency_key (call, req->idempotency_key);
    if (inv_call_failed (call) || !s_ensure_seeded (self, call))
        return;
    a.parent = (char *) "province";
    a.province = self->province;
    a.version = 1;
    a.updated_ms = inv_clock_now_ms ();
    a.updated_by = (char *) s_str (call->caller);
    s_agency_write (self, call, self->province, "add", &a, 0, 0, req->idempotency_key);
}

void
registry_agency_update (void *ctx, inv_call_t *call)
{
    registry_t *self = (registry_t *) ctx;
    const Innov__UpdateAgencyRequest *req = (const Innov__UpdateAgencyRequest *) call->request;
    if (!req->agency || s_empty (req->agency->code)) {
        inv_call_field_error (call, "agency.code", "is required");
        return;
    }
    const Innov__Agency *in = req->agency;
    s_check_agency_text (call, "agency.name", in->name, false);
    s_check_agency_text (call, "agency.short_name", in->short_name, false);
    s_check_agency_text (call, "agency.field", in->field, false);
    registry_check_idempotency_key (call, req->idempotency_key);
    if (inv_call_failed (call) || !s_ensure_seeded (self, call))
        return;
    Innov__Agency *current = NULL;
    int rc = s_agency_find (self, self->province, in->code, &current);
    if (rc) {
        if (rc == 1)
            inv_call_error (call, 404, "no agency %.64s", in->code);
        else
            inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
        return;
    }
    /* the province and services, or the agency acting for itself */
    inv_principal_t principal;
    inv_caller_principal (call, &principal);
    bool itself = (principal.kind == INV_P_DEPARTMENT && current->kind == INNOV__AGENCY_KIND__DEPARTMENT)
               || (principal.kind == INV_P_CITY && current->kind == INNOV__AGENCY_KIND__CITY)
               || (principal.kind == INV_P_COUNTY && current->kind == INNOV__AGENCY_KIND__COUNTY);
    if (principal.kind != INV_P_PROVINCE && principal.kind != INV_P_SERVICE
    &&  !(itself && streq (principal.code, current->code))) {
        inv_call_error (call, 403, "%s may not update agency %s; only the province or the agency itself may",
                        s_str (call->caller), current->code);
        innov__agency__free_unpacked (current, NULL);
        return;
    }
    Innov__Agency a = *current;
    if (!s_empty (in->name))       a.name = in->name;
    if (!s_empty (in->short_name)) a.short_name = in->short_name;
    if (!s_empty (in->field))      a.field = in->field;
    if (in->n_aliases) {
        a.n_aliases = in->n_aliases;
        a.aliases = in->aliases;
    }
    a.version = current->version + 1;
    a.updated_ms = inv_clock_now_ms ();
    a.updated_by = (char *) s_str (call->caller);
    s_agency_write (self, call, self->province, "update", &a, current->version, req->expected_version,
                    req->idempotency_key);
    innov__agency__free_unpacked (current, NULL);
}

