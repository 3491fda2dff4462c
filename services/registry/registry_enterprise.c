/*  registry_enterprise: the ledger's handlers: enterprise.add, get, update, list, count
    and search (proto/registry.proto; the class and shared helpers are in registry.c).

    add and update validate with registry_check_record, check the caller's write scope
    and the record's alliances, then write through registry_write. Update is
    read-modify-write with optimistic concurrency: the script stores the new record only
    if the version is still the one read; if another write came in between it answers
    "stale" and the handler reads again (a few times). A client's expected_version is
    checked by the script too, after the idempotency check, so a retried update returns
    its first reply rather than a conflict with itself. Status changes only through the
    workflow (registry_workflow.c).

    list walks the smallest matching index and checks the others; count reads the
    counter hashes; search walks the name index (prefix phase, then a ZSCAN substring
    phase). list and search fetch the page's records in one pipeline (s_reply_records).
*/
#include <czmq.h>
#include <math.h>
#include <ctype.h>
#include "registry_internal.h"
#include "inv_valid.h"
#include "inv_clock.h"
#include "inv_log.h"

#define LIST_DEFAULT        50
#define LIST_CHUNK          512

static const struct { const char *name, *json; unsigned bit; } s_mutable [] = {
    { "name",               "name",             REGISTRY_F_NAME },
    { "county",             "county",           REGISTRY_F_COUNTY },
    { "industry",           "industry",         REGISTRY_F_INDUSTRY },
    { "department",         "department",       REGISTRY_F_DEPARTMENT },
    { "cluster",            "cluster",          REGISTRY_F_CLUSTER },
    { "operating_revenue",  "operatingRevenue", REGISTRY_F_REVENUE },
    { "rd_expenditure",     "rdExpenditure",    REGISTRY_F_RD },
    { "has_rd_institution", "hasRdInstitution", REGISTRY_F_HAS_INST },
    { "has_rd_activity",    "hasRdActivity",    REGISTRY_F_HAS_ACT },
    { "alliances",          "alliances",        REGISTRY_F_ALLIANCES },
    { "mentor_capacity",    "mentorCapacity",   REGISTRY_F_MENTOR },
    { "status",             "status",           REGISTRY_F_STATUS },
};
#define MUTABLE_COUNT (sizeof s_mutable / sizeof s_mutable [0])

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
    registry_check_credit_code (call, "enterprise.credit_code", e.credit_code);
    if (e.status == INNOV__INNOVATION_STATUS__STATUS_UNSPECIFIED)
        e.status = INNOV__INNOVATION_STATUS__NOT_STARTED;
    e.closing = NULL;                               /* only the workflow requests a closing */
    registry_check_record (call, &e, REGISTRY_F_ALL);
    registry_check_idempotency_key (call, req->idempotency_key);
    if (inv_call_failed (call) || !registry_may_write (call, &e))
        return;
    registry_check_alliances (self, call, &e);
    if (inv_call_failed (call))
        return;

    int64_t now = inv_clock_now_ms ();
    e.version = 1;
    e.created_ms = e.updated_ms = now;
    e.created_by = e.updated_by = (char *) s_str (call->caller);
    size_t body_len;
    uint8_t *body = registry_pack (&e.base, &body_len);
    inv_store_result_t result;
    registry_write (self, &self->add_script, e.province, call, req->idempotency_key, NULL, &e,
             body, body_len, 0, 0, NULL, &result);
    free (body);
    registry_finish_write (call, &result);
    inv_store_result_clear (&result);
}

/* ---- enterprise.get ------------------------------------------------------------------ */

void
registry_enterprise_get (void *ctx, inv_call_t *call)
{
    registry_t *self = (registry_t *) ctx;
    const Innov__GetEnterpriseRequest *req = (const Innov__GetEnterpriseRequest *) call->request;
    char pp [8];
    Innov__Enterprise *record = NULL;
    if (!registry_read_one (self, call, req->credit_code, pp, &record))
        return;
    registry_reply_enterprise (call, record);
    innov__enterprise__free_unpacked (record, NULL);
}

/* ---- enterprise.update --------------------------------------------------------------- */

static const char *s_status_by_workflow =
    "status changes only through the workflow: enterprise.transition, enterprise.close, enterprise.review";

/* The mask of fields to change, or -1 after field errors. */
static int
s_update_mask (inv_call_t *call, const Innov__UpdateEnterpriseRequest *req)
{
    if (req->n_fields == 0) {
        if (req->enterprise->status != INNOV__INNOVATION_STATUS__STATUS_UNSPECIFIED) {
            inv_call_field_error (call, "enterprise.status", "%s", s_status_by_workflow);
            return -1;
        }
        return (int) (REGISTRY_F_ALL & ~REGISTRY_F_STATUS);
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
        if (bit == REGISTRY_F_STATUS)
            inv_call_field_error (call, field, "%s", s_status_by_workflow);
        else
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
    if (mask & REGISTRY_F_NAME)       e->name = in->name;
    if (mask & REGISTRY_F_COUNTY)     e->county = in->county;
    if (mask & REGISTRY_F_INDUSTRY)   e->industry = in->industry;
    if (mask & REGISTRY_F_DEPARTMENT) e->department = in->department;
    if (mask & REGISTRY_F_CLUSTER)    e->cluster = in->cluster;
    if (mask & REGISTRY_F_REVENUE)    e->operating_revenue = in->operating_revenue;
    if (mask & REGISTRY_F_RD)         e->rd_expenditure = in->rd_expenditure;
    if (mask & REGISTRY_F_HAS_INST)   e->has_rd_institution = in->has_rd_institution;
    if (mask & REGISTRY_F_HAS_ACT)    e->has_rd_activity = in->has_rd_activity;
    if (mask & REGISTRY_F_ALLIANCES) {
        e->n_alliances = in->n_alliances;
        e->alliances = in->alliances;
    }
    if (mask & REGISTRY_F_MENTOR)     e->mentor_capacity = in->mentor_capacity;
    if (mask & REGISTRY_F_STATUS)     e->status = in->status;
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
    bool code_ok = registry_check_credit_code (call, "enterprise.credit_code", code);
    int mask = s_update_mask (call, req);
    registry_check_idempotency_key (call, req->idempotency_key);
    if (inv_call_failed (call) || !code_ok || mask < 0)
        return;

    for (int attempt = 0; attempt < REGISTRY_UPDATE_ATTEMPTS; attempt++) {
        char pp [8];
        Innov__Enterprise *current = NULL;
        if (!registry_find (self, call, code, pp, &current))
            return;
        Innov__Enterprise e = *current;             /* a view over the stored record */
        s_apply (&e, req->enterprise, (unsigned) mask);
        registry_check_record (call, &e, (unsigned) mask);
        if (inv_call_failed (call) || !registry_may_write (call, current) || !registry_may_write (call, &e)) {
            innov__enterprise__free_unpacked (current, NULL);
            return;
        }
        if (mask & REGISTRY_F_ALLIANCES)
            registry_check_alliances (self, call, &e);
        if (inv_call_failed (call)) {
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
        uint8_t *body = registry_pack (&e.base, &body_len);
        inv_store_result_t result;
        registry_write (self, &self->update_script, pp, call, req->idempotency_key, current, &e,
                 body, body_len, current->version, req->expected_version, NULL, &result);
        free (body);
        innov__enterprise__free_unpacked (current, NULL);
        if (registry_settled (call, &result, attempt))
            return;
    }
}

/* ---- reading pages of records -------------------------------------------------------- */

/* Fetch the records of codes (at most max) in one pipeline, reply a ListEnterprisesReply. */
static void
s_reply_records (registry_t *self, inv_call_t *call, const char *pp, zlist_t *codes, size_t max,
                 const char *next_cursor, uint64_t total)
{
    size_t page = zlist_size (codes) > max? max: zlist_size (codes);
    Innov__Enterprise **records = (Innov__Enterprise **) calloc (page + 1, sizeof (Innov__Enterprise *));
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
        reply.next_cursor = (char *) s_str (next_cursor);
        reply.total = total;
        inv_caller_reply_copy (call, &reply.base);
    }
    for (size_t i = 0; i < n_records; i++)
        innov__enterprise__free_unpacked (records [i], NULL);
    free (records);
}

/* ---- enterprise.list ----------------------------------------------------------------- */

typedef struct {
    char key [REGISTRY_KEY_MAX];
    long long size;
} index_t;

/* Sum of a counter hash's fields (status < 0) or one status's field; -1 if Redis is down. */
static long long
s_counter (registry_t *self, const char *key, int status)
{
    redisReply *reply = status > 0
        ? inv_redis_command (self->redis, "HGET %s %d", key, status)
        : inv_redis_command (self->redis, "HMGET %s 1 2 3 4", key);
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
    if (req->under_review)
        attributes = -1;                /* no counter for the review index: ZCARD / ZINTERCARD */
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
        return registry_integer_command (self, 2, argv);
    }
    const char *argv [2 + 8];
    char numkeys [8];
    snprintf (numkeys, sizeof numkeys, "%d", count);
    argv [0] = "ZINTERCARD";
    argv [1] = numkeys;
    for (int i = 0; i < count; i++)
        argv [2 + i] = indexes [i].key;
    return registry_integer_command (self, 2 + count, argv);
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
        indexes [i].size = registry_integer_command (self, 2, argv);
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
    if (!registry_may_read (call))
        return;
    char pp [8];
    registry_province_arg (call, self, req->province, pp);
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
    if (strlen (s_str (req->cursor)) > 18 || !inv_utf8_valid (s_str (req->cursor)))
        inv_call_field_error (call, "cursor", "is not a cursor from a previous reply");
    if (inv_call_failed (call))
        return;
    size_t limit = req->limit == 0? LIST_DEFAULT: req->limit > REGISTRY_LIST_MAX? REGISTRY_LIST_MAX: req->limit;

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
    if (req->under_review)
        inv_key (indexes [count++].key, REGISTRY_KEY_MAX, pp, REGISTRY_KEY_IDX_REVIEW);
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
    /* the page; its cursor is the page's last code when more follow */
    const char *next = "";
    if (zlist_size (codes) > limit) {
        next = (const char *) zlist_first (codes);
        for (size_t i = 1; i < limit; i++)
            next = (const char *) zlist_next (codes);
    }
    s_reply_records (self, call, pp, codes, limit, next, (uint64_t) total);
    zlist_destroy (&codes);
}

/* ---- enterprise.count ---------------------------------------------------------------- */

/* Fill a row from a counter hash reply (HGETALL: status number -> count, and the
   assessment sums rdi, rda, ali, rev, rde of registry_keys.h). */
static void
s_row_from_hash (Innov__CountRow *row, const redisReply *hash)
{
    if (!hash || hash->type != REDIS_REPLY_ARRAY)
        return;
    for (size_t i = 0; i + 1 < hash->elements; i += 2) {
        const char *field = hash->element [i]->str;
        long long value = atoll (hash->element [i + 1]->str);
        uint64_t count = value > 0? (uint64_t) value: 0;
        if (streq (field, REGISTRY_CNT_RD_INSTITUTION))
            row->rd_institution += count;
        else
        if (streq (field, REGISTRY_CNT_RD_ACTIVITY))
            row->rd_activity += count;
        else
        if (streq (field, REGISTRY_CNT_ALLIANCE))
            row->alliance_members += count;
        else
        if (streq (field, REGISTRY_CNT_REVENUE))
            row->operating_revenue += (double) count / REGISTRY_AMOUNT_UNITS;
        else
        if (streq (field, REGISTRY_CNT_RD_EXPENDITURE))
            row->rd_expenditure += (double) count / REGISTRY_AMOUNT_UNITS;
        switch (atoi (field)) {
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
    if (!registry_may_read (call))
        return;
    char pp [8];
    registry_province_arg (call, self, req->province, pp);
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
                rows [i].key = (char *) registry_status_name (status);
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
        inv_caller_reply_copy (call, &reply.base);
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

/* ---- enterprise.search ------------------------------------------------------------------

    The name index "{PP}:ent.idx:name" holds "<name>\x1f<code>" for every enterprise.
    A search returns the names that start with the fragment first (ZRANGEBYLEX: O(log N +
    limit)), then the names that contain it elsewhere (ZSCAN MATCH "*fragment*": linear,
    so each call scans at most SEARCH_SCAN_BUDGET entries and hands back a cursor to go
    on). Cursors: "p:<name><code>" (the last member without its separator) continues
    the prefix phase, "s:<zscan cursor>[:<skip>]" the substring phase. A page holds at
    most limit records; total is the page's size. ZSCAN may repeat an entry while Redis
    rehashes the index, and an index changed between two pages may shift a batch that
    a page stopped inside of. */

#define SEARCH_DEFAULT      20
#define SEARCH_MAX          200
#define SEARCH_SCAN_BUDGET  100000
#define SEARCH_SCAN_COUNT   "500"
#define FRAGMENT_MIN_BYTES  2

/* The credit code after the separator of a name index member, or NULL. */
static const char *
s_member_code (const char *member, size_t length)
{
    const char *sep = (const char *) memchr (member, REGISTRY_NAME_SEP [0], length);
    return sep && (size_t) (member + length - sep - 1) == 18? sep + 1: NULL;
}

/* Fragment with the glob characters escaped, between '*'s. */
static char *
s_glob (const char *fragment)
{
    char *pattern = (char *) malloc (2 * strlen (fragment) + 3);
    char *out = pattern;
    *out++ = '*';
    for (const char *s = fragment; *s; s++) {
        if (strchr ("*?[]\\", *s))
            *out++ = '\\';
        *out++ = *s;
    }
    *out++ = '*';
    *out = 0;
    return pattern;
}

/* Prefix phase: names starting with fragment after `after` (a member, or "" from the
   start). Appends codes; sets next to "p:<last member>" when more remain. -1 if down. */
static int
s_search_prefix (registry_t *self, const char *idx, const char *fragment, const char *after,
                 size_t limit, zlist_t *codes, char *next, size_t next_size)
{
    size_t length = strlen (fragment);
    char *start = (char *) malloc (strlen (after) + length + 2);
    char *stop = (char *) malloc (length + 3);
    if (*after)
        sprintf (start, "(%s", after);
    else
        sprintf (start, "[%s", fragment);
    sprintf (stop, "(%s\xff", fragment);
    char count [16];
    snprintf (count, sizeof count, "%zu", limit + 1);
    const char *argv [] = { "ZRANGEBYLEX", idx, start, stop, "LIMIT", "0", count };
    redisReply *reply = inv_redis_argv (self->redis, 7, argv, NULL);
    free (start);
    free (stop);
    if (!reply)
        return -1;
    *next = 0;
    for (size_t i = 0; reply->type == REDIS_REPLY_ARRAY && i < reply->elements; i++) {
        const redisReply *member = reply->element [i];
        if (zlist_size (codes) == limit) {
            /* the cursor is the last member without its separator, so it stays printable */
            const redisReply *last = reply->element [i - 1];
            snprintf (next, next_size, "p:%.*s%s", (int) last->len - 19, last->str, last->str + last->len - 18);
            break;
        }
        const char *code = s_member_code (member->str, member->len);
        if (code)
            zlist_append (codes, (void *) code);
    }
    freeReplyObject (reply);
    return 0;
}

/* Substring phase from cursor "<zscan cursor>" or "<zscan cursor>:<skip>": names
   containing fragment but not starting with it. A page stops at limit even inside a
   ZSCAN batch: the cursor then names the batch's own start and how many of its matches
   were handed out, and the next page scans that batch again and skips them. Sets next
   unless the scan is complete. -1 if down. */
static int
s_search_substring (registry_t *self, const char *idx, const char *fragment, const char *cursor,
                    size_t limit, zlist_t *codes, char *next, size_t next_size)
{
    char *pattern = s_glob (fragment);
    size_t length = strlen (fragment);
    char position [32];
    snprintf (position, sizeof position, "%s", cursor);
    char *colon = strchr (position, ':');
    size_t skip = 0;
    if (colon) {
        skip = (size_t) strtoul (colon + 1, NULL, 10);
        *colon = 0;
    }
    size_t scanned = 0;
    int rc = 0;
    *next = 0;
    while (zlist_size (codes) < limit && scanned < SEARCH_SCAN_BUDGET) {
        const char *argv [] = { "ZSCAN", idx, position, "MATCH", pattern, "COUNT", SEARCH_SCAN_COUNT };
        redisReply *reply = inv_redis_argv (self->redis, 7, argv, NULL);
        if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
            if (reply)
                freeReplyObject (reply);
            rc = -1;
            break;
        }
        const redisReply *items = reply->element [1];
        size_t matched = 0;             /* matches of this batch handed out, or skipped */
        bool full = false;
        for (size_t i = 0; i + 1 < items->elements; i += 2) {
            const redisReply *member = items->element [i];
            if (member->len >= length && memcmp (member->str, fragment, length) == 0)
                continue;                               /* a prefix match: the first phase had it */
            const char *code = s_member_code (member->str, member->len);
            if (!code)
                continue;
            if (zlist_size (codes) == limit) {
                full = true;                            /* more in this batch: come back to it */
                break;
            }
            matched++;
            if (matched > skip && !zlist_exists (codes, (void *) code))
                zlist_append (codes, (void *) code);
        }
        skip = 0;
        if (full) {
            snprintf (next, next_size, "s:%s:%zu", position, matched);
            freeReplyObject (reply);
            free (pattern);
            return 0;
        }
        snprintf (position, sizeof position, "%s", reply->element [0]->str);
        freeReplyObject (reply);
        scanned += atoi (SEARCH_SCAN_COUNT);
        if (streq (position, "0"))
            break;
    }
    if (rc == 0 && !streq (position, "0"))
        snprintf (next, next_size, "s:%s", position);
    free (pattern);
    return rc;
}

/* A substring cursor is "s:" then digits, optionally ":" and digits. */
static bool
s_substring_cursor_valid (const char *cursor)
{
    const char *s = cursor + 2;
    size_t digits = strspn (s, "0123456789");
    if (digits == 0 || digits > 20)
        return false;
    s += digits;
    if (*s == ':') {
        digits = strspn (++s, "0123456789");
        if (digits == 0 || digits > 6)
            return false;
        s += digits;
    }
    return *s == 0;
}

void
registry_enterprise_search (void *ctx, inv_call_t *call)
{
    registry_t *self = (registry_t *) ctx;
    const Innov__SearchRequest *req = (const Innov__SearchRequest *) call->request;
    if (!registry_may_read (call))
        return;
    char pp [8];
    registry_province_arg (call, self, req->province, pp);
    const char *fragment = s_str (req->fragment);
    const char *cursor = s_str (req->cursor);
    if (strlen (fragment) < FRAGMENT_MIN_BYTES)
        inv_call_field_error (call, "fragment", "must have at least %d bytes of the name", FRAGMENT_MIN_BYTES);
    else
    if (strlen (fragment) > REGISTRY_NAME_MAX_BYTES || !inv_utf8_valid (fragment) || registry_has_control (fragment))
        inv_call_field_error (call, "fragment", "must be UTF-8 text of at most %d bytes", REGISTRY_NAME_MAX_BYTES);
    if (*cursor && (strlen (cursor) > REGISTRY_NAME_MAX_BYTES + 24 || (strncmp (cursor, "p:", 2) && strncmp (cursor, "s:", 2))
                ||  (strncmp (cursor, "p:", 2) == 0 && strlen (cursor) <= 2 + 18)
                ||  (strncmp (cursor, "s:", 2) == 0 && !s_substring_cursor_valid (cursor))))
        inv_call_field_error (call, "cursor", "is not a cursor from a previous reply");
    if (inv_call_failed (call))
        return;
    size_t limit = req->limit == 0? SEARCH_DEFAULT: req->limit > SEARCH_MAX? SEARCH_MAX: req->limit;
    char idx [REGISTRY_KEY_MAX];
    inv_key (idx, sizeof idx, pp, REGISTRY_KEY_IDX_NAME);

    zlist_t *codes = zlist_new ();
    zlist_autofree (codes);
    zlist_comparefn (codes, (zlist_compare_fn *) strcmp);
    char next [REGISTRY_NAME_MAX_BYTES + 32] = "";
    int rc = 0;
    if (strncmp (cursor, "s:", 2) != 0) {
        char after [REGISTRY_NAME_MAX_BYTES + 32] = "";
        size_t length = strlen (cursor);
        if (length > 2 + 18)
            snprintf (after, sizeof after, "%.*s" REGISTRY_NAME_SEP "%s", (int) (length - 20), cursor + 2,
                      cursor + length - 18);
        rc = s_search_prefix (self, idx, fragment, after, limit, codes, next, sizeof next);
        if (rc == 0 && !*next) {
            if (zlist_size (codes) < limit)
                rc = s_search_substring (self, idx, fragment, "0", limit, codes, next, sizeof next);
            else
                snprintf (next, sizeof next, "s:0");        /* the substring phase is next */
        }
    }
    else
        rc = s_search_substring (self, idx, fragment, cursor + 2, limit, codes, next, sizeof next);
    if (rc)
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
    else
        s_reply_records (self, call, pp, codes, zlist_size (codes), next, zlist_size (codes));
    zlist_destroy (&codes);
}

