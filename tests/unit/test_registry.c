/*  test_registry: the registry's handlers called directly (no sockets) against a real
    redis-server: validation, scope, duplicates and versions, idempotent retries,
    pagination, and counters that always equal a recount of the records. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include <math.h>
#include "harness.h"
#include "../../services/registry/registry.h"
#include "../../services/registry/registry_keys.h"
#include "registry.pb-c.h"
#include "inv_store.h"
#include "inv_valid.h"

typedef struct {
    harness_t *harness;
    registry_t *registry;
    inv_redis_t *redis;             /* the test's own connection, for inspection */
} fixture_t;

static fixture_t F;

/* ---- helpers ---------------------------------------------------------------------- */

static long long
s_integer (const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    redisReply *reply = redisvCommand (inv_redis_context (F.redis), fmt, ap);
    va_end (ap);
    assert_non_null (reply);
    long long value = reply->type == REDIS_REPLY_INTEGER? reply->integer:
                      reply->type == REDIS_REPLY_STRING? atoll (reply->str): 0;
    freeReplyObject (reply);
    return value;
}

static long long
s_dbsize (void)
{
    return s_integer ("DBSIZE");
}

static long long
s_events (void)
{
    return s_integer ("XLEN {14}:events");
}

/* A valid credit code registered in `division`, numbered n. */
static const char *
s_code (int n, char *buf)
{
    char first17 [32];
    snprintf (first17, sizeof first17, "91140100%09d", n % 1000000000);
    assert_true (inv_credit_code_complete (first17, buf));
    return buf;
}

/* The i-th county-level division of the table. */
static const inv_division_t *
s_county (int i)
{
    size_t count;
    const inv_division_t *all = inv_division_all (&count);
    int seen = 0;
    for (size_t k = 0; k < count; k++)
        if (all [k].level == INV_DIV_COUNTY && seen++ == i)
            return &all [k];
    fail_msg ("no county %d", i);
    return NULL;
}

static void
s_enterprise (Innov__Enterprise *e, const char *code, const char *county)
{
    innov__enterprise__init (e);
    e->credit_code = (char *) code;
    e->name = (char *) "太原示例机械制造有限公司";
    e->county = (char *) county;
    e->industry = (char *) "3411";
    e->department = (char *) "省工信厅";
    e->cluster = (char *) "半导体";
    e->operating_revenue = 25000;
    e->rd_expenditure = 300;
}

static void
s_call (inv_call_t *call, inv_handler_fn *handler, const char *caller, const char *method,
        const ProtobufCMessage *request)
{
    inv_call_init (call, F.registry, caller, method, request);
    handler (F.registry, call);
}

static int
s_add (const char *caller, const Innov__Enterprise *e, const char *key, inv_call_t *call)
{
    Innov__AddEnterpriseRequest req = INNOV__ADD_ENTERPRISE_REQUEST__INIT;
    req.enterprise = (Innov__Enterprise *) e;
    req.idempotency_key = (char *) (key? key: "");
    s_call (call, registry_enterprise_add, caller, "enterprise.add", &req.base);
    return call->code;
}

static int
s_add_simple (const char *caller, const Innov__Enterprise *e)
{
    inv_call_t call;
    int code = s_add (caller, e, NULL, &call);
    inv_call_clear (&call);
    return code;
}

static bool
s_has_detail (const inv_call_t *call, const char *field)
{
    if (!call->details)
        return false;
    for (Innov__FieldError *fe = (Innov__FieldError *) zlist_first (call->details); fe;
         fe = (Innov__FieldError *) zlist_next (call->details))
        if (streq (fe->field, field))
            return true;
    return false;
}

static const Innov__Enterprise *
s_reply_enterprise (const inv_call_t *call)
{
    assert_non_null (call->reply);
    const Innov__EnterpriseReply *reply = (const Innov__EnterpriseReply *) call->reply;
    assert_non_null (reply->enterprise);
    return reply->enterprise;
}

/* ---- fixtures --------------------------------------------------------------------- */

static int
group_setup (void **state)
{
    (void) state;
    F.harness = harness_new ();
    if (!F.harness || harness_start_redis (F.harness) < 0)
        return -1;
    inv_config_t cfg = { .redis = harness_redis (F.harness), .province = "14" };
    F.registry = registry_new (&cfg);
    F.redis = inv_redis_new (harness_redis (F.harness));
    return F.registry && F.redis? 0: -1;
}

static int
group_teardown (void **state)
{
    (void) state;
    registry_destroy (&F.registry);
    inv_redis_destroy (&F.redis);
    harness_destroy (&F.harness);
    return 0;
}

static int
test_setup (void **state)
{
    (void) state;
    redisReply *reply = inv_redis_command (F.redis, "FLUSHALL");
    if (!reply)
        return -1;
    freeReplyObject (reply);
    return 0;
}

/* ---- tests ------------------------------------------------------------------------- */

static void
test_add_then_get (void **state)
{
    (void) state;
    char code [19];
    Innov__Enterprise e;
    s_enterprise (&e, s_code (1, code), "140105");
    e.city = (char *) "149900";                 /* client-sent city is ignored */
    e.province = (char *) "99";
    inv_call_t call;
    assert_int_equal (s_add ("province", &e, NULL, &call), 200);
    const Innov__Enterprise *stored = s_reply_enterprise (&call);
    assert_string_equal (stored->city, "140100");
    assert_string_equal (stored->province, "14");
    assert_string_equal (stored->department, "gxt");
    assert_string_equal (stored->cluster, "semiconductor");
    assert_int_equal (stored->status, INNOV__INNOVATION_STATUS__NOT_STARTED);
    assert_int_equal (stored->version, 1);
    assert_true (stored->created_ms > 0);
    assert_string_equal (stored->created_by, "province");
    inv_call_clear (&call);

    Innov__GetEnterpriseRequest get = INNOV__GET_ENTERPRISE_REQUEST__INIT;
    get.credit_code = code;
    s_call (&call, registry_enterprise_get, "anonymous", "enterprise.get", &get.base);
    assert_int_equal (call.code, 200);
    assert_string_equal (s_reply_enterprise (&call)->name, "太原示例机械制造有限公司");
    inv_call_clear (&call);

    assert_int_equal (s_events (), 1);
    assert_int_equal (s_integer ("GET {14}:seq"), 1);
    assert_int_equal (s_integer ("HGET {14}:ent.cnt:city:140100 1"), 1);
    assert_int_equal (s_integer ("ZCARD {14}:ent.idx:cluster:semiconductor"), 1);

    char missing [19];
    get.credit_code = (char *) s_code (2, missing);
    s_call (&call, registry_enterprise_get, "province", "enterprise.get", &get.base);
    assert_int_equal (call.code, 404);
    inv_call_clear (&call);
}

static void
test_validation_names_fields_and_writes_nothing (void **state)
{
    (void) state;
    long long before = s_dbsize ();
    Innov__Enterprise e;
    s_enterprise (&e, "91140100MA0K00000X", "149999");
    e.name = (char *) "";
    e.industry = (char *) "01";                 /* agriculture: not industry */
    e.department = (char *) "no such department";
    e.cluster = (char *) "bananas";
    e.operating_revenue = -1;
    e.rd_expenditure = NAN;
    e.status = 9;
    inv_call_t call;
    assert_int_equal (s_add ("province", &e, NULL, &call), 400);
    const char *fields [] = {
        "enterprise.credit_code", "enterprise.name", "enterprise.county", "enterprise.industry",
        "enterprise.department", "enterprise.cluster", "enterprise.operating_revenue",
        "enterprise.rd_expenditure", "enterprise.status"
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields [0]; i++)
        if (!s_has_detail (&call, fields [i]))
            fail_msg ("no field error for %s", fields [i]);
    inv_call_clear (&call);

    /* a city is not a county */
    char code [19];
    s_enterprise (&e, s_code (3, code), "140100");
    assert_int_equal (s_add ("province", &e, NULL, &call), 400);
    assert_true (s_has_detail (&call, "enterprise.county"));
    assert_int_equal (zlist_size (call.details), 1);
    inv_call_clear (&call);

    /* name too long */
    char name [300];
    memset (name, 'a', sizeof name - 1);
    name [sizeof name - 1] = 0;
    s_enterprise (&e, code, "140105");
    e.name = name;
    assert_int_equal (s_add ("province", &e, NULL, &call), 400);
    assert_true (s_has_detail (&call, "enterprise.name"));
    inv_call_clear (&call);

    /* no enterprise at all */
    Innov__AddEnterpriseRequest req = INNOV__ADD_ENTERPRISE_REQUEST__INIT;
    s_call (&call, registry_enterprise_add, "province", "enterprise.add", &req.base);
    assert_int_equal (call.code, 400);
    assert_true (s_has_detail (&call, "enterprise"));
    inv_call_clear (&call);

    assert_int_equal (s_dbsize (), before);
}

static void
test_scope (void **state)
{
    (void) state;
    char code [19];
    Innov__Enterprise e;
    s_enterprise (&e, s_code (10, code), "140105");       /* 太原 小店区, gxt */
    inv_call_t call;
    assert_int_equal (s_add ("city:140200", &e, NULL, &call), 403);
    assert_non_null (strstr (call.message, "140200"));
    assert_non_null (strstr (call.message, "140100"));
    inv_call_clear (&call);
    assert_int_equal (s_add_simple ("county:140106", &e), 403);
    assert_int_equal (s_add_simple ("dept:kjt", &e), 403);
    assert_int_equal (s_add_simple ("group:g1", &e), 403);
    assert_int_equal (s_add_simple ("anonymous", &e), 403);
    assert_int_equal (s_add_simple ("nonsense", &e), 403);
    assert_int_equal (s_dbsize (), 0);

    assert_int_equal (s_add_simple ("city:140100", &e), 200);
    s_enterprise (&e, s_code (11, code), "140105");
    assert_int_equal (s_add_simple ("county:140105", &e), 200);
    s_enterprise (&e, s_code (12, code), "140105");
    assert_int_equal (s_add_simple ("dept:gxt", &e), 200);
    s_enterprise (&e, s_code (13, code), "140105");
    assert_int_equal (s_add_simple ("service:import", &e), 200);

    /* a city may not move its enterprise to another city */
    Innov__Enterprise change = INNOV__ENTERPRISE__INIT;
    change.credit_code = code;
    change.county = (char *) "140212";
    char *fields [] = { (char *) "county" };
    Innov__UpdateEnterpriseRequest up = INNOV__UPDATE_ENTERPRISE_REQUEST__INIT;
    up.enterprise = &change;
    up.fields = fields;
    up.n_fields = 1;
    s_call (&call, registry_enterprise_update, "city:140100", "enterprise.update", &up.base);
    assert_int_equal (call.code, 403);
    inv_call_clear (&call);
    assert_int_equal (s_events (), 4);
}

static void
test_duplicate_and_idempotent_retry (void **state)
{
    (void) state;
    char code [19];
    Innov__Enterprise e;
    s_enterprise (&e, s_code (20, code), "140105");
    inv_call_t first, again;
    assert_int_equal (s_add ("province", &e, "req-1", &first), 200);
    assert_int_equal (s_add ("province", &e, "req-1", &again), 200);
    assert_int_equal (s_reply_enterprise (&first)->created_ms, s_reply_enterprise (&again)->created_ms);
    inv_call_clear (&first);
    inv_call_clear (&again);
    assert_int_equal (s_events (), 1);

    assert_int_equal (s_add ("province", &e, NULL, &again), 409);
    assert_non_null (strstr (again.message, code));
    inv_call_clear (&again);
    assert_int_equal (s_add_simple ("province", &e), 409);
    assert_int_equal (s_events (), 1);
    assert_int_equal (s_integer ("ZCARD {14}:ent.idx:all"), 1);
}

static void
test_update_versions_and_indexes (void **state)
{
    (void) state;
    char code [19];
    Innov__Enterprise e;
    s_enterprise (&e, s_code (30, code), "140105");
    assert_int_equal (s_add_simple ("province", &e), 200);

    Innov__Enterprise change = INNOV__ENTERPRISE__INIT;
    change.credit_code = code;
    change.name = (char *) "新名称有限公司";
    change.county = (char *) "140212";                  /* 大同 */
    change.status = INNOV__INNOVATION_STATUS__IN_PROGRESS;
    char *fields [] = { (char *) "name", (char *) "county", (char *) "status" };
    Innov__UpdateEnterpriseRequest up = INNOV__UPDATE_ENTERPRISE_REQUEST__INIT;
    up.enterprise = &change;
    up.fields = fields;
    up.n_fields = 3;
    up.expected_version = 1;
    up.idempotency_key = (char *) "u-1";
    inv_call_t call;
    s_call (&call, registry_enterprise_update, "province", "enterprise.update", &up.base);
    assert_int_equal (call.code, 200);
    const Innov__Enterprise *stored = s_reply_enterprise (&call);
    assert_int_equal (stored->version, 2);
    assert_string_equal (stored->city, "140200");
    assert_string_equal (stored->industry, "3411");          /* not in the mask: kept */
    assert_string_equal (stored->created_by, "province");
    inv_call_clear (&call);

    /* the same request again: its first reply, not a conflict with itself */
    s_call (&call, registry_enterprise_update, "province", "enterprise.update", &up.base);
    assert_int_equal (call.code, 200);
    assert_int_equal (s_reply_enterprise (&call)->version, 2);
    inv_call_clear (&call);
    assert_int_equal (s_events (), 2);

    /* a new request expecting version 1: 409 naming both versions */
    up.idempotency_key = (char *) "u-2";
    s_call (&call, registry_enterprise_update, "province", "enterprise.update", &up.base);
    assert_int_equal (call.code, 409);
    assert_non_null (strstr (call.message, "version 2"));
    assert_non_null (strstr (call.message, "version 1"));
    inv_call_clear (&call);

    assert_int_equal (s_integer ("ZCARD {14}:ent.idx:city:140100"), 0);
    assert_int_equal (s_integer ("ZCARD {14}:ent.idx:city:140200"), 1);
    assert_int_equal (s_integer ("ZCARD {14}:ent.idx:status:1"), 0);
    assert_int_equal (s_integer ("ZCARD {14}:ent.idx:status:2"), 1);
    assert_int_equal (s_integer ("HGET {14}:ent.cnt:city:140100 1"), 0);
    assert_int_equal (s_integer ("HGET {14}:ent.cnt:city:140200 2"), 1);
    assert_int_equal (s_integer ("HGET {14}:ent.cnt:province 2"), 1);

    /* bad masks, bad values */
    char *bad [] = { (char *) "city", (char *) "credit_code", (char *) "colour" };
    up.fields = bad;
    up.n_fields = 3;
    up.expected_version = 0;
    s_call (&call, registry_enterprise_update, "province", "enterprise.update", &up.base);
    assert_int_equal (call.code, 400);
    assert_true (s_has_detail (&call, "fields[0]"));
    assert_true (s_has_detail (&call, "fields[1]"));
    assert_true (s_has_detail (&call, "fields[2]"));
    inv_call_clear (&call);
    char *revenue [] = { (char *) "operating_revenue" };
    change.operating_revenue = -5;
    up.fields = revenue;
    up.n_fields = 1;
    s_call (&call, registry_enterprise_update, "province", "enterprise.update", &up.base);
    assert_int_equal (call.code, 400);
    assert_true (s_has_detail (&call, "enterprise.operating_revenue"));
    inv_call_clear (&call);
    assert_int_equal (s_events (), 2);

    /* unknown record */
    char other [19];
    change.credit_code = (char *) s_code (31, other);
    change.operating_revenue = 5;
    s_call (&call, registry_enterprise_update, "province", "enterprise.update", &up.base);
    assert_int_equal (call.code, 404);
    inv_call_clear (&call);
}

static void
test_list_pagination (void **state)
{
    (void) state;
    int total = 137, in_taiyuan_active = 0;
    for (int i = 0; i < total; i++) {
        char code [19];
        Innov__Enterprise e;
        const inv_division_t *county = s_county (i % 7);
        s_enterprise (&e, s_code (100 + i, code), county->code);
        e.status = 1 + i % 4;
        if (streq (county->city, "140100") && e.status == INNOV__INNOVATION_STATUS__ACTIVE)
            in_taiyuan_active++;
        assert_int_equal (s_add_simple ("province", &e), 200);
    }
    /* walk every page of the whole list */
    Innov__ListEnterprisesRequest req = INNOV__LIST_ENTERPRISES_REQUEST__INIT;
    req.limit = 50;
    char cursor [32] = "", last [32] = "";
    int seen = 0, pages = 0;
    do {
        req.cursor = cursor;
        inv_call_t call;
        s_call (&call, registry_enterprise_list, "province", "enterprise.list", &req.base);
        assert_int_equal (call.code, 200);
        const Innov__ListEnterprisesReply *reply = (const Innov__ListEnterprisesReply *) call.reply;
        assert_int_equal (reply->total, total);
        for (size_t i = 0; i < reply->n_enterprises; i++) {
            assert_true (strcmp (reply->enterprises [i]->credit_code, last) > 0);
            snprintf (last, sizeof last, "%s", reply->enterprises [i]->credit_code);
            seen++;
        }
        snprintf (cursor, sizeof cursor, "%s", reply->next_cursor);
        pages++;
        inv_call_clear (&call);
    } while (*cursor);
    assert_int_equal (seen, total);
    assert_int_equal (pages, 3);

    /* two filters: walked, and the total computed */
    req.city = (char *) "140100";
    req.status = INNOV__INNOVATION_STATUS__ACTIVE;
    req.cursor = (char *) "";
    req.limit = 1000;
    inv_call_t call;
    s_call (&call, registry_enterprise_list, "province", "enterprise.list", &req.base);
    assert_int_equal (call.code, 200);
    const Innov__ListEnterprisesReply *reply = (const Innov__ListEnterprisesReply *) call.reply;
    assert_int_equal (reply->n_enterprises, in_taiyuan_active);
    assert_int_equal (reply->total, in_taiyuan_active);
    assert_string_equal (reply->next_cursor, "");
    for (size_t i = 0; i < reply->n_enterprises; i++) {
        assert_string_equal (reply->enterprises [i]->city, "140100");
        assert_int_equal (reply->enterprises [i]->status, INNOV__INNOVATION_STATUS__ACTIVE);
    }
    inv_call_clear (&call);

    /* three filters, paged by 2 */
    req.department = (char *) "工信厅";
    req.county = (char *) s_county (0)->code;
    req.limit = 2;
    s_call (&call, registry_enterprise_list, "province", "enterprise.list", &req.base);
    assert_int_equal (call.code, 200);
    reply = (const Innov__ListEnterprisesReply *) call.reply;
    assert_true (reply->n_enterprises <= 2);
    inv_call_clear (&call);

    /* bad filters */
    req.city = (char *) "140105";
    req.department = (char *) "nobody";
    s_call (&call, registry_enterprise_list, "province", "enterprise.list", &req.base);
    assert_int_equal (call.code, 400);
    assert_true (s_has_detail (&call, "city"));
    assert_true (s_has_detail (&call, "department"));
    inv_call_clear (&call);
}

/* Counters and indexes against a recount of every record. */
static void
s_check_counters (void)
{
    zhash_t *expected = zhash_new ();
    redisReply *codes = inv_redis_command (F.redis, "ZRANGE {14}:ent.idx:all 0 -1");
    assert_non_null (codes);
    char key [128];
    for (size_t i = 0; i < codes->elements; i++) {
        redisReply *rec = inv_redis_command (F.redis, "HGET {14}:ent:%s body", codes->element [i]->str);
        Innov__Enterprise *e = innov__enterprise__unpack (NULL, rec->len, (const uint8_t *) rec->str);
        assert_non_null (e);
        const char *groups [] = { "province", e->city, e->department, e->cluster };
        const char *kinds [] = { "province", "city:", "dept:", "cluster:" };
        for (int g = 0; g < 4; g++) {
            if (!*groups [g])
                continue;
            if (g == 0)
                snprintf (key, sizeof key, "{14}:ent.cnt:province/%d", (int) e->status);
            else
                snprintf (key, sizeof key, "{14}:ent.cnt:%s%s/%d", kinds [g], groups [g], (int) e->status);
            long n = (long) (intptr_t) zhash_lookup (expected, key);
            zhash_update (expected, key, (void *) (intptr_t) (n + 1));
        }
        assert_int_equal (s_integer ("ZSCORE {14}:ent.idx:city:%s %s", e->city, e->credit_code), 0);
        assert_int_equal (s_integer ("ZSCORE {14}:ent.idx:status:%d %s", (int) e->status, e->credit_code), 0);
        innov__enterprise__free_unpacked (e, NULL);
        freeReplyObject (rec);
    }
    /* every counter field in Redis equals the recount (zero when absent) */
    redisReply *keys = inv_redis_command (F.redis, "KEYS {14}:ent.cnt:*");
    long long sum_redis = 0;
    for (size_t i = 0; i < keys->elements; i++) {
        redisReply *hash = inv_redis_command (F.redis, "HGETALL %s", keys->element [i]->str);
        for (size_t j = 0; j + 1 < hash->elements; j += 2) {
            snprintf (key, sizeof key, "%s/%s", keys->element [i]->str, hash->element [j]->str);
            long n = (long) (intptr_t) zhash_lookup (expected, key);
            long long have = atoll (hash->element [j + 1]->str);
            if (have != n)
                fail_msg ("%s is %lld, recount %ld", key, have, n);
            sum_redis += have;
        }
        freeReplyObject (hash);
    }
    long long sum_expected = 0;
    for (void *n = zhash_first (expected); n; n = zhash_next (expected))
        sum_expected += (long) (intptr_t) n;
    assert_int_equal (sum_redis, sum_expected);
    /* the status indexes partition the records */
    long long by_status = 0;
    for (int s = 1; s <= 4; s++)
        by_status += s_integer ("ZCARD {14}:ent.idx:status:%d", s);
    assert_int_equal (by_status, (long long) codes->elements);
    freeReplyObject (keys);
    freeReplyObject (codes);
    zhash_destroy (&expected);
}

static void
test_counters_equal_recount (void **state)
{
    (void) state;
    unsigned seed = 12345;
    int added = 0, writes = 0;
    const char *clusters [] = { "", "半导体", "photovoltaic", "节能环保" };
    const char *departments [] = { "gxt", "kjt", "nyj" };
    for (int op = 0; op < 400; op++) {
        seed = seed * 1103515245 + 12345;
        unsigned r = (seed >> 8);
        char code [19];
        if (added < 10 || r % 3 == 0) {
            Innov__Enterprise e;
            s_enterprise (&e, s_code (1000 + added, code), s_county (r % 40)->code);
            e.cluster = (char *) clusters [r % 4];
            e.department = (char *) departments [(r / 4) % 3];
            e.status = 1 + (r / 16) % 4;
            assert_int_equal (s_add_simple ("province", &e), 200);
            added++;
        }
        else {
            Innov__Enterprise change;
            s_enterprise (&change, s_code (1000 + (int) (r % added), code), s_county ((r / 8) % 40)->code);
            change.cluster = (char *) clusters [(r / 3) % 4];
            change.department = (char *) departments [(r / 5) % 3];
            change.status = 1 + (r / 7) % 4;
            const char *masks [] = { "status", "county", "cluster", "department" };
            char *fields [2] = { (char *) masks [r % 4], (char *) masks [(r / 11) % 4] };
            Innov__UpdateEnterpriseRequest up = INNOV__UPDATE_ENTERPRISE_REQUEST__INIT;
            up.enterprise = &change;
            up.fields = fields;
            up.n_fields = r % 5 == 0? 0: 2;     /* sometimes every mutable field */
            inv_call_t call;
            s_call (&call, registry_enterprise_update, "province", "enterprise.update", &up.base);
            assert_int_equal (call.code, 200);
            inv_call_clear (&call);
        }
        writes++;
    }
    assert_int_equal (s_events (), writes);
    s_check_counters ();

    /* enterprise.count agrees with the records */
    Innov__CountEnterprisesRequest req = INNOV__COUNT_ENTERPRISES_REQUEST__INIT;
    const char *groupings [] = { "city", "status", "department", "cluster" };
    for (int g = 0; g < 4; g++) {
        req.group_by = (char *) groupings [g];
        inv_call_t call;
        s_call (&call, registry_enterprise_count, "province", "enterprise.count", &req.base);
        assert_int_equal (call.code, 200);
        const Innov__CountEnterprisesReply *reply = (const Innov__CountEnterprisesReply *) call.reply;
        assert_int_equal (reply->total, added);
        uint64_t sum = 0;
        for (size_t i = 0; i < reply->n_rows; i++) {
            const Innov__CountRow *row = reply->rows [i];
            assert_int_equal (row->total, row->not_started + row->in_progress + row->active + row->closed);
            sum += row->total;
        }
        if (g != 3)                         /* enterprises without a cluster have no row */
            assert_int_equal (sum, added);
        inv_call_clear (&call);
    }
    req.group_by = (char *) "colour";
    inv_call_t call;
    s_call (&call, registry_enterprise_count, "province", "enterprise.count", &req.base);
    assert_int_equal (call.code, 400);
    assert_true (s_has_detail (&call, "group_by"));
    inv_call_clear (&call);
}

static void
test_redis_down_is_503 (void **state)
{
    (void) state;
    inv_config_t cfg = { .redis = "127.0.0.1:1", .province = "14" };
    registry_t *registry = registry_new (&cfg);
    assert_non_null (registry);
    char code [19];
    Innov__Enterprise e;
    s_enterprise (&e, s_code (5, code), "140105");
    Innov__AddEnterpriseRequest req = INNOV__ADD_ENTERPRISE_REQUEST__INIT;
    req.enterprise = &e;
    inv_call_t call;
    inv_call_init (&call, registry, "province", "enterprise.add", &req.base);
    registry_enterprise_add (registry, &call);
    assert_int_equal (call.code, 503);
    inv_call_clear (&call);
    registry_destroy (&registry);
    cfg.redis = "not an address";
    assert_null (registry_new (&cfg));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup (test_add_then_get, test_setup),
        cmocka_unit_test_setup (test_validation_names_fields_and_writes_nothing, test_setup),
        cmocka_unit_test_setup (test_scope, test_setup),
        cmocka_unit_test_setup (test_duplicate_and_idempotent_retry, test_setup),
        cmocka_unit_test_setup (test_update_versions_and_indexes, test_setup),
        cmocka_unit_test_setup (test_list_pagination, test_setup),
        cmocka_unit_test_setup (test_counters_equal_recount, test_setup),
        cmocka_unit_test (test_redis_down_is_503),
    };
    return cmocka_run_group_tests (tests, group_setup, group_teardown);
}
