/*  test_registry: the registry's handlers called directly (no sockets) against a real
    redis-server: validation, scope, duplicates and versions, idempotent retries,
    pagination, counters that always equal a recount of the records (after adds,
    updates and workflow steps), the status workflow and its history and events, scope
    refusals of every kind of principal, name search and the agencies. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include <math.h>
#include <ctype.h>
#include "registry_fixture.h"
#include "unit_call.h"
#include "../../services/registry/registry.h"
#include "../../services/registry/registry_keys.h"
#include "registry.pb-c.h"
#include "inv_store.h"
#include "inv_valid.h"

static registry_fixture_t F;

/* ---- helpers ---------------------------------------------------------------------- */

static long long
s_dbsize (void)
{
    return registry_fixture_integer (&F, "DBSIZE");
}

static long long
s_events (void)
{
    return registry_fixture_integer (&F, "XLEN {14}:events");
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
    unit_call (call, F.registry, handler, caller, method, request);
}

/* A handler's code, the call cleared. */
static int
s_code (inv_handler_fn *handler, const char *caller, const char *method, const ProtobufCMessage *request)
{
    return unit_call_code (F.registry, handler, caller, method, request);
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

static const Innov__Enterprise *
s_reply_enterprise (const inv_call_t *call)
{
    assert_non_null (call->reply);
    const Innov__EnterpriseReply *reply = (const Innov__EnterpriseReply *) call->reply;
    assert_non_null (reply->enterprise);
    return reply->enterprise;
}

/* ---- fixtures --------------------------------------------------------------------- */

static int group_setup (void **state)    { (void) state; return registry_fixture_setup (&F); }
static int group_teardown (void **state) { (void) state; return registry_fixture_teardown (&F); }
static int test_setup (void **state)     { (void) state; return registry_fixture_flush (&F); }

/* ---- tests ------------------------------------------------------------------------- */

static void
test_add_then_get (void **state)
{
    (void) state;
    char code [19];
    Innov__Enterprise e;
    s_enterprise (&e, registry_fixture_code (1, code), "140105");
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
    assert_int_equal (s_code (registry_enterprise_get, "anonymous", "enterprise.get",
                              &get.base), 403); /* reads need a principal */
    s_call (&call, registry_enterprise_get, "county:140105", "enterprise.get", &get.base);
    assert_int_equal (call.code, 200);
    assert_string_equal (s_reply_enterprise (&call)->name, "太原示例机械制造有限公司");
    inv_call_clear (&call);

    assert_int_equal (s_events (), 1);
    assert_int_equal (registry_fixture_integer (&F, "GET {14}:seq"), 1);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:ent.cnt:city:140100 1"), 1);
    assert_int_equal (registry_fixture_integer (&F, "ZCARD {14}:ent.idx:cluster:semiconductor"), 1);

    char missing [19];
    get.credit_code = (char *) registry_fixture_code (2, missing);
    assert_int_equal (s_code (registry_enterprise_get, "province", "enterprise.get",
                              &get.base), 404);
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
        if (!unit_call_has_detail (&call, fields [i]))
            fail_msg ("no field error for %s", fields [i]);
    inv_call_clear (&call);

    /* a city is not a county */
    char code [19];
    s_enterprise (&e, registry_fixture_code (3, code), "140100");
    assert_int_equal (s_add ("province", &e, NULL, &call), 400);
    assert_true (unit_call_has_detail (&call, "enterprise.county"));
    assert_int_equal (zlist_size (call.details), 1);
    inv_call_clear (&call);

    /* name too long */
    char name [300];
    memset (name, 'a', sizeof name - 1);
    name [sizeof name - 1] = 0;
    s_enterprise (&e, code, "140105");
    e.name = name;
    assert_int_equal (s_add ("province", &e, NULL, &call), 400);
    assert_true (unit_call_has_detail (&call, "enterprise.name"));
    inv_call_clear (&call);

    /* no enterprise at all */
    Innov__AddEnterpriseRequest req = INNOV__ADD_ENTERPRISE_REQUEST__INIT;
    s_call (&call, registry_enterprise_add, "province", "enterprise.add", &req.base);
    assert_int_equal (call.code, 400);
    assert_true (unit_call_has_detail (&call, "enterprise"));
    inv_call_clear (&call);

    assert_int_equal (s_dbsize (), before);
}

static void
test_scope (void **state)
{
    (void) state;
    char code [19];
    Innov__Enterprise e;
    s_enterprise (&e, registry_fixture_code (10, code), "140105");       /* 太原 小店区, gxt */
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
    s_enterprise (&e, registry_fixture_code (11, code), "140105");
    assert_int_equal (s_add_simple ("county:140105", &e), 200);
    s_enterprise (&e, registry_fixture_code (12, code), "140105");
    assert_int_equal (s_add_simple ("dept:gxt", &e), 200);
    s_enterprise (&e, registry_fixture_code (13, code), "140105");
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
    assert_int_equal (s_code (registry_enterprise_update, "city:140100", "enterprise.update",
                              &up.base), 403);
    assert_int_equal (s_events (), 4);
}

static void
test_duplicate_and_idempotent_retry (void **state)
{
    (void) state;
    char code [19];
    Innov__Enterprise e;
    s_enterprise (&e, registry_fixture_code (20, code), "140105");
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
    assert_int_equal (registry_fixture_integer (&F, "ZCARD {14}:ent.idx:all"), 1);
}

static void
test_update_versions_and_indexes (void **state)
{
    (void) state;
    char code [19];
    Innov__Enterprise e;
    s_enterprise (&e, registry_fixture_code (30, code), "140105");
    assert_int_equal (s_add_simple ("province", &e), 200);

    Innov__Enterprise change = INNOV__ENTERPRISE__INIT;
    change.credit_code = code;
    change.name = (char *) "新名称有限公司";
    change.county = (char *) "140212";                  /* 大同 */
    change.status = INNOV__INNOVATION_STATUS__IN_PROGRESS;
    char *with_status [] = { (char *) "name", (char *) "status" };
    Innov__UpdateEnterpriseRequest up = INNOV__UPDATE_ENTERPRISE_REQUEST__INIT;
    up.enterprise = &change;
    up.fields = with_status;
    up.n_fields = 2;
    inv_call_t call;
    s_call (&call, registry_enterprise_update, "province", "enterprise.update", &up.base);
    assert_int_equal (call.code, 400);                      /* status only through the workflow */
    assert_true (unit_call_has_detail (&call, "fields[1]"));
    assert_non_null (strstr (call.message, "enterprise.transition"));
    inv_call_clear (&call);
    up.n_fields = 0;                                        /* every field, status included */
    s_call (&call, registry_enterprise_update, "province", "enterprise.update", &up.base);
    assert_int_equal (call.code, 400);
    assert_true (unit_call_has_detail (&call, "enterprise.status"));
    inv_call_clear (&call);
    assert_int_equal (s_events (), 1);

    change.status = 0;
    char *fields [] = { (char *) "name", (char *) "county" };
    up.fields = fields;
    up.n_fields = 2;
    up.expected_version = 1;
    up.idempotency_key = (char *) "u-1";
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

    assert_int_equal (registry_fixture_integer (&F, "ZCARD {14}:ent.idx:city:140100"), 0);
    assert_int_equal (registry_fixture_integer (&F, "ZCARD {14}:ent.idx:city:140200"), 1);
    assert_int_equal (registry_fixture_integer (&F, "ZCARD {14}:ent.idx:status:1"), 1);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:ent.cnt:city:140100 1"), 0);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:ent.cnt:city:140200 1"), 1);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:ent.cnt:province 1"), 1);
    /* the name index follows the name */
    assert_int_equal (registry_fixture_integer (&F, "ZCARD {14}:ent.idx:name"), 1);
    assert_int_equal (registry_fixture_integer (&F, "ZLEXCOUNT {14}:ent.idx:name [新名称 (新名称\xff"), 1);

    /* bad masks, bad values */
    char *bad [] = { (char *) "city", (char *) "credit_code", (char *) "colour" };
    up.fields = bad;
    up.n_fields = 3;
    up.expected_version = 0;
    s_call (&call, registry_enterprise_update, "province", "enterprise.update", &up.base);
    assert_int_equal (call.code, 400);
    assert_true (unit_call_has_detail (&call, "fields[0]"));
    assert_true (unit_call_has_detail (&call, "fields[1]"));
    assert_true (unit_call_has_detail (&call, "fields[2]"));
    inv_call_clear (&call);
    char *revenue [] = { (char *) "operating_revenue" };
    change.operating_revenue = -5;
    up.fields = revenue;
    up.n_fields = 1;
    s_call (&call, registry_enterprise_update, "province", "enterprise.update", &up.base);
    assert_int_equal (call.code, 400);
    assert_true (unit_call_has_detail (&call, "enterprise.operating_revenue"));
    inv_call_clear (&call);
    assert_int_equal (s_events (), 2);

    /* unknown record */
    char other [19];
    change.credit_code = (char *) registry_fixture_code (31, other);
    change.operating_revenue = 5;
    assert_int_equal (s_code (registry_enterprise_update, "province", "enterprise.update",
                              &up.base), 404);
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
        s_enterprise (&e, registry_fixture_code (100 + i, code), county->code);
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
    assert_true (unit_call_has_detail (&call, "city"));
    assert_true (unit_call_has_detail (&call, "department"));
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
            /* the assessment sums kept beside the status counts */
            const char *fields [] = { "rdi", "rda", "ali", "rev", "rde" };
            long values [] = { e->has_rd_institution, e->has_rd_activity, e->n_alliances > 0,
                               lround (e->operating_revenue * 100), lround (e->rd_expenditure * 100) };
            for (int f = 0; f < 5; f++) {
                char *slash = strrchr (key, '/');
                snprintf (slash + 1, sizeof key - (size_t) (slash + 1 - key), "%s", fields [f]);
                long m = (long) (intptr_t) zhash_lookup (expected, key);
                zhash_update (expected, key, (void *) (intptr_t) (m + values [f]));
            }
        }
        assert_int_equal (registry_fixture_integer (&F, "ZSCORE {14}:ent.idx:city:%s %s", e->city, e->credit_code), 0);
        assert_int_equal (registry_fixture_integer (&F, "ZSCORE {14}:ent.idx:status:%d %s", (int) e->status, e->credit_code), 0);
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
            if (isdigit ((unsigned char) hash->element [j]->str [0]))
                sum_redis += have;
        }
        freeReplyObject (hash);
    }
    long long sum_expected = 0;
    zlist_t *keys_expected = zhash_keys (expected);
    for (const char *k = (const char *) zlist_first (keys_expected); k; k = (const char *) zlist_next (keys_expected))
        if (isdigit ((unsigned char) k [strlen (k) - 1]))
            sum_expected += (long) (intptr_t) zhash_lookup (expected, k);
    zlist_destroy (&keys_expected);
    assert_int_equal (sum_redis, sum_expected);
    /* the status indexes partition the records */
    long long by_status = 0;
    for (int s = 1; s <= 4; s++)
        by_status += registry_fixture_integer (&F, "ZCARD {14}:ent.idx:status:%d", s);
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
            s_enterprise (&e, registry_fixture_code (1000 + added, code), s_county (r % 40)->code);
            e.cluster = (char *) clusters [r % 4];
            e.department = (char *) departments [(r / 4) % 3];
            e.status = 1 + (r / 16) % 4;
            assert_int_equal (s_add_simple ("province", &e), 200);
            added++;
        }
        else {
            Innov__Enterprise change;
            s_enterprise (&change, registry_fixture_code (1000 + (int) (r % added), code), s_county ((r / 8) % 40)->code);
            change.cluster = (char *) clusters [(r / 3) % 4];
            change.department = (char *) departments [(r / 5) % 3];
            const char *masks [] = { "name", "county", "cluster", "department" };
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
    assert_true (unit_call_has_detail (&call, "group_by"));
    inv_call_clear (&call);
}

/* ---- the status workflow ------------------------------------------------------------ */

typedef struct {
    const char *method;
    inv_handler_fn *handler;
} step_fn_t;

static int
s_transition (const char *caller, const char *code, int to, const char *reason, const char *key)
{
    Innov__TransitionRequest req = INNOV__TRANSITION_REQUEST__INIT;
    req.credit_code = (char *) code;
    req.to = (Innov__InnovationStatus) to;
    req.reason = (char *) (reason? reason: "");
    req.idempotency_key = (char *) (key? key: "");
    inv_call_t call;
    s_call (&call, registry_enterprise_transition, caller, "enterprise.transition", &req.base);
    int rc = call.code;
    inv_call_clear (&call);
    return rc;
}

/* Like the others, but keeps the call (for the message); the caller clears it. */
static int
s_close_call (inv_call_t *call, const char *caller, const char *code, const char *evidence, const char *file)
{
    Innov__CloseRequest req = INNOV__CLOSE_REQUEST__INIT;
    req.credit_code = (char *) code;
    req.evidence = (char *) (evidence? evidence: "");
    req.evidence_file = (char *) (file? file: "");
    s_call (call, registry_enterprise_close, caller, "enterprise.close", &req.base);
    return call->code;
}

static int
s_close (const char *caller, const char *code, const char *evidence, const char *file)
{
    inv_call_t call;
    int rc = s_close_call (&call, caller, code, evidence, file);
    inv_call_clear (&call);
    return rc;
}

static int
s_review_call (inv_call_t *call, const char *caller, const char *code, bool approve, const char *reason)
{
    Innov__ReviewRequest req = INNOV__REVIEW_REQUEST__INIT;
    req.credit_code = (char *) code;
    req.approve = approve;
    req.reason = (char *) (reason? reason: "");
    s_call (call, registry_enterprise_review, caller, "enterprise.review", &req.base);
    return call->code;
}

static int
s_review (const char *caller, const char *code, bool approve, const char *reason)
{
    inv_call_t call;
    int rc = s_review_call (&call, caller, code, approve, reason);
    inv_call_clear (&call);
    return rc;
}

/* The transition's refusal message, for the names of the allowed steps. */
static void
s_assert_refusal (const char *caller, const char *code, int to, int expect, const char *allowed)
{
    Innov__TransitionRequest req = INNOV__TRANSITION_REQUEST__INIT;
    req.credit_code = (char *) code;
    req.to = (Innov__InnovationStatus) to;
    inv_call_t call;
    s_call (&call, registry_enterprise_transition, caller, "enterprise.transition", &req.base);
    assert_int_equal (call.code, expect);
    if (allowed && !strstr (call.message, allowed))
        fail_msg ("\"%s\" does not name \"%s\"", call.message, allowed);
    inv_call_clear (&call);
}

static Innov__Enterprise *
s_get (const char *code)
{
    Innov__GetEnterpriseRequest get = INNOV__GET_ENTERPRISE_REQUEST__INIT;
    get.credit_code = (char *) code;
    inv_call_t call;
    s_call (&call, registry_enterprise_get, "province", "enterprise.get", &get.base);
    assert_int_equal (call.code, 200);
    const Innov__Enterprise *e = s_reply_enterprise (&call);
    size_t size = protobuf_c_message_get_packed_size (&e->base);
    uint8_t *buffer = malloc (size + 1);
    protobuf_c_message_pack (&e->base, buffer);
    Innov__Enterprise *copy = innov__enterprise__unpack (NULL, size, buffer);
    free (buffer);
    inv_call_clear (&call);
    return copy;
}

static void
s_assert_status (const char *code, int status, bool closing)
{
    Innov__Enterprise *e = s_get (code);
    assert_int_equal (e->status, status);
    assert_int_equal (e->closing != NULL, closing);
    innov__enterprise__free_unpacked (e, NULL);
}

/* The event types of the stream, oldest first, joined by spaces. */
static char *
s_event_types (void)
{
    redisReply *reply = inv_redis_command (F.redis, "XRANGE {14}:events - +");
    assert_non_null (reply);
    char *types = strdup ("");
    for (size_t i = 0; i < reply->elements; i++) {
        redisReply *fields = reply->element [i]->element [1];
        for (size_t j = 0; j + 1 < fields->elements; j += 2)
            if (streq (fields->element [j]->str, "type")) {
                char *joined = zsys_sprintf ("%s%s%s", types, *types? " ": "", fields->element [j + 1]->str);
                free (types);
                types = joined;
            }
    }
    freeReplyObject (reply);
    return types;
}

static void
test_workflow_walk (void **state)
{
    (void) state;
    char code [19];
    Innov__Enterprise e;
    s_enterprise (&e, registry_fixture_code (500, code), "140105");
    assert_int_equal (s_add_simple ("province", &e), 200);
    const int NS = INNOV__INNOVATION_STATUS__NOT_STARTED, IP = INNOV__INNOVATION_STATUS__IN_PROGRESS,
              AC = INNOV__INNOVATION_STATUS__ACTIVE, CL = INNOV__INNOVATION_STATUS__CLOSED;

    /* from NOT_STARTED: only the transition to IN_PROGRESS */
    s_assert_refusal ("province", code, AC, 409, "allowed from there: enterprise.transition to IN_PROGRESS");
    s_assert_refusal ("province", code, CL, 400, "enterprise.close");
    s_assert_refusal ("province", code, NS, 400, NULL);
    inv_call_t call;
    assert_int_equal (s_close_call (&call, "province", code, "停产", NULL), 409);
    assert_non_null (strstr (call.message, "NOT_STARTED"));
    inv_call_clear (&call);
    assert_int_equal (s_review ("province", code, true, NULL), 409);
    assert_int_equal (s_events (), 1);

    /* NOT_STARTED -> IN_PROGRESS (retried with the same key: one change), -> ACTIVE */
    assert_int_equal (s_transition ("province", code, IP, "启动研发项目", "t-1"), 200);
    assert_int_equal (s_transition ("province", code, IP, "启动研发项目", "t-1"), 200);
    assert_int_equal (s_events (), 2);
    s_assert_refusal ("province", code, IP, 409, "enterprise.transition to ACTIVE");
    assert_int_equal (s_close ("province", code, "停产", NULL), 409);
    assert_int_equal (s_transition ("province", code, AC, "建成研发机构", NULL), 200);
    s_assert_status (code, AC, false);

    /* ACTIVE: only a close with evidence */
    s_assert_refusal ("province", code, IP, 409, "enterprise.close (with evidence)");
    assert_int_equal (s_review ("province", code, true, NULL), 409);
    assert_int_equal (s_close_call (&call, "province", code, "", ""), 400);
    assert_true (unit_call_has_detail (&call, "evidence"));
    inv_call_clear (&call);
    assert_int_equal (s_close ("province", code, "企业已注销", NULL), 200);
    s_assert_status (code, AC, true);
    assert_int_equal (registry_fixture_integer (&F, "ZCARD {14}:ent.idx:review"), 1);

    /* closing under review: only the review */
    assert_int_equal (s_close_call (&call, "province", code, "again", NULL), 409);
    assert_non_null (strstr (call.message, "enterprise.review"));
    inv_call_clear (&call);
    s_assert_refusal ("province", code, IP, 409, "enterprise.review");
    assert_int_equal (s_review_call (&call, "province", code, false, ""), 400);
    assert_true (unit_call_has_detail (&call, "reason"));
    inv_call_clear (&call);

    /* rejected: back to ACTIVE without a closing, then closed for good */
    assert_int_equal (s_review ("province", code, false, "证明材料不足"), 200);
    s_assert_status (code, AC, false);
    assert_int_equal (registry_fixture_integer (&F, "ZCARD {14}:ent.idx:review"), 0);
    assert_int_equal (s_close ("province", code, "", "files/2026/zhuxiao.pdf"), 200);
    assert_int_equal (s_review ("province", code, true, "材料齐全"), 200);
    s_assert_status (code, CL, true);
    assert_int_equal (registry_fixture_integer (&F, "ZCARD {14}:ent.idx:review"), 0);
    s_assert_refusal ("province", code, IP, 409, "none (CLOSED is final)");
    assert_int_equal (s_close ("province", code, "x", NULL), 409);
    assert_int_equal (s_review ("province", code, false, "x"), 409);

    /* counters and indexes follow */
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:ent.cnt:province 4"), 1);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:ent.cnt:province 3"), 0);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:ent.cnt:city:140100 4"), 1);
    assert_int_equal (registry_fixture_integer (&F, "ZCARD {14}:ent.idx:status:4"), 1);
    assert_int_equal (registry_fixture_integer (&F, "ZCARD {14}:ent.idx:status:3"), 0);

    /* the events, in order, and the history */
    char *types = s_event_types ();
    assert_string_equal (types, "enterprise.created enterprise.status_changed enterprise.status_changed "
                         "enterprise.close_requested enterprise.close_rejected enterprise.close_requested "
                         "enterprise.closed");
    free (types);
    Innov__HistoryRequest hr = INNOV__HISTORY_REQUEST__INIT;
    hr.credit_code = code;
    s_call (&call, registry_enterprise_history, "county:140105", "enterprise.history", &hr.base);
    assert_int_equal (call.code, 200);
    const Innov__HistoryReply *history = (const Innov__HistoryReply *) call.reply;
    assert_int_equal (history->n_changes, 6);
    const struct { const char *action; int from, to; const char *reason; } expect [] = {
        { "transition", NS, IP, "启动研发项目" }, { "transition", IP, AC, "建成研发机构" },
        { "close_request", AC, AC, "" }, { "close_reject", AC, AC, "证明材料不足" },
        { "close_request", AC, AC, "" }, { "close_approve", AC, CL, "材料齐全" },
    };
    for (size_t i = 0; i < 6; i++) {
        const Innov__StatusChange *c = history->changes [i];
        assert_string_equal (c->action, expect [i].action);
        assert_int_equal (c->from, expect [i].from);
        assert_int_equal (c->to, expect [i].to);
        assert_string_equal (c->reason, expect [i].reason);
        assert_string_equal (c->actor, "province");
        assert_string_equal (c->credit_code, code);
        assert_int_equal (c->version, i + 2);
        assert_true (c->time_ms > 0);
    }
    assert_string_equal (history->changes [2]->evidence, "企业已注销");
    assert_string_equal (history->changes [4]->evidence_file, "files/2026/zhuxiao.pdf");
    assert_string_equal (history->changes [5]->evidence_file, "files/2026/zhuxiao.pdf");
    inv_call_clear (&call);

    /* the history of a record that does not exist; of nobody */
    char other [19];
    hr.credit_code = (char *) registry_fixture_code (501, other);
    assert_int_equal (s_code (registry_enterprise_history, "province", "enterprise.history",
                              &hr.base), 404);
    assert_int_equal (s_transition ("province", other, IP, NULL, NULL), 404);
    hr.credit_code = code;
    assert_int_equal (s_code (registry_enterprise_history, "anonymous", "enterprise.history",
                              &hr.base), 403);
}

static void
test_workflow_scope (void **state)
{
    (void) state;
    char code [19], other [19];
    Innov__Enterprise e;
    s_enterprise (&e, registry_fixture_code (600, code), "140105");        /* 太原市 小店区, 省工信厅 */
    assert_int_equal (s_add_simple ("province", &e), 200);
    registry_fixture_code (601, other);
    char self [32], stranger [32];
    snprintf (self, sizeof self, "ent:%s", code);
    snprintf (stranger, sizeof stranger, "ent:%s", other);
    const int IP = INNOV__INNOVATION_STATUS__IN_PROGRESS, AC = INNOV__INNOVATION_STATUS__ACTIVE;

    /* writes outside the scope: 403 with the reason, nothing written */
    const struct { const char *caller, *reason; } refused [] = {
        { "city:140200", "city:140200 may only write enterprises of city 140200" },
        { "county:140106", "county:140106 may only write enterprises of county 140106" },
        { "dept:kjt", "dept:kjt may only write enterprises of department kjt" },
        { stranger, "may only write its own record" },
        { "group:taiyuan", "may not write" },
        { "anonymous", "anonymous" },
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused [0]; i++)
        s_assert_refusal (refused [i].caller, code, IP, 403, refused [i].reason);
    assert_int_equal (s_events (), 1);

    /* within the scope: the enterprise itself, its county, its department */
    assert_int_equal (s_transition (self, code, IP, "自评", NULL), 200);
    assert_int_equal (s_transition ("county:140105", code, AC, NULL, NULL), 200);
    assert_int_equal (s_close ("city:140200", code, "x", NULL), 403);
    assert_int_equal (s_close (self, code, "申请销号", NULL), 200);

    /* review: the group in charge only (its department, its city, the province) */
    const char *not_reviewers [] = { "county:140105", self, "dept:kjt", "city:140200", "anonymous", "group:g1" };
    for (size_t i = 0; i < sizeof not_reviewers / sizeof not_reviewers [0]; i++) {
        inv_call_t call;
        assert_int_equal (s_review_call (&call, not_reviewers [i], code, true, NULL), 403);
        if (!streq (not_reviewers [i], "anonymous") && !strstr (call.message, "dept:gxt, city:140100 or province"))
            fail_msg ("%s: %s", not_reviewers [i], call.message);
        inv_call_clear (&call);
    }
    s_assert_status (code, AC, true);
    assert_int_equal (s_review ("dept:gxt", code, false, "缺少注销证明"), 200);
    assert_int_equal (s_close ("county:140105", code, "补充材料", "files/a.pdf"), 200);
    assert_int_equal (s_review ("city:140100", code, true, NULL), 200);
    s_assert_status (code, INNOV__INNOVATION_STATUS__CLOSED, true);

    /* reads need a principal; any principal may read */
    Innov__ListEnterprisesRequest list = INNOV__LIST_ENTERPRISES_REQUEST__INIT;
    Innov__CountEnterprisesRequest count = INNOV__COUNT_ENTERPRISES_REQUEST__INIT;
    Innov__SearchRequest search = INNOV__SEARCH_REQUEST__INIT;
    search.fragment = (char *) "太原";
    Innov__ListAgenciesRequest agencies = INNOV__LIST_AGENCIES_REQUEST__INIT;
    const struct { inv_handler_fn *handler; const ProtobufCMessage *req; } reads [] = {
        { registry_enterprise_list, &list.base }, { registry_enterprise_count, &count.base },
        { registry_enterprise_search, &search.base }, { registry_agency_list, &agencies.base },
    };
    for (size_t i = 0; i < sizeof reads / sizeof reads [0]; i++) {
        inv_call_t call;
        s_call (&call, reads [i].handler, "anonymous", "read", reads [i].req);
        assert_int_equal (call.code, 403);
        inv_call_clear (&call);
        s_call (&call, reads [i].handler, stranger, "read", reads [i].req);
        assert_int_equal (call.code, 200);
        inv_call_clear (&call);
    }
}

/* Random adds, updates and workflow steps (legal and not); then every counter equals a
   recount of the records, and the review index holds exactly the closings pending. */
static void
test_counters_with_transitions (void **state)
{
    (void) state;
    unsigned seed = 777;
    int added = 0, writes = 0, refused = 0;
    const char *departments [] = { "gxt", "kjt", "nyj" };
    for (int op = 0; op < 500; op++) {
        seed = seed * 1103515245 + 12345;
        unsigned r = (seed >> 8);
        char code [19];
        int rc;
        if (added < 10 || r % 5 == 0) {
            Innov__Enterprise e;
            s_enterprise (&e, registry_fixture_code (2000 + added, code), s_county (r % 30)->code);
            e.department = (char *) departments [(r / 4) % 3];
            e.status = 1 + (r / 16) % 3;
            rc = s_add_simple ("province", &e);
            assert_int_equal (rc, 200);
            added++;
        }
        else {
            registry_fixture_code (2000 + (int) (r % added), code);
            switch ((r / 7) % 5) {
                case 0: {
                    Innov__Enterprise change;
                    s_enterprise (&change, code, s_county ((r / 8) % 30)->code);
                    change.department = (char *) departments [(r / 5) % 3];
                    char *fields [] = { (char *) "county", (char *) "department" };
                    Innov__UpdateEnterpriseRequest up = INNOV__UPDATE_ENTERPRISE_REQUEST__INIT;
                    up.enterprise = &change;
                    up.fields = fields;
                    up.n_fields = 2;
                    inv_call_t call;
                    s_call (&call, registry_enterprise_update, "province", "enterprise.update", &up.base);
                    rc = call.code;
                    inv_call_clear (&call);
                    break;
                }
                case 1: rc = s_transition ("province", code, 2 + (r / 3) % 2, "r", NULL); break;
                case 2: rc = s_close ("province", code, "evidence", NULL); break;
                default: rc = s_review ("province", code, (r / 11) % 2, "reason"); break;
            }
            assert_true (rc == 200 || rc == 409);
        }
        if (rc == 200)
            writes++;
        else
            refused++;
    }
    assert_true (refused > 0);
    assert_int_equal (s_events (), writes);
    s_check_counters ();
    /* the review index is exactly the ACTIVE records with a closing */
    redisReply *codes = inv_redis_command (F.redis, "ZRANGE {14}:ent.idx:all 0 -1");
    long long pending = 0;
    for (size_t i = 0; i < codes->elements; i++) {
        Innov__Enterprise *e = s_get (codes->element [i]->str);
        bool under_review = e->closing && e->status == INNOV__INNOVATION_STATUS__ACTIVE;
        pending += under_review;
        assert_int_equal (registry_fixture_integer (&F, "ZSCORE {14}:ent.idx:review %s", e->credit_code) == 0
                          && under_review, under_review);
        innov__enterprise__free_unpacked (e, NULL);
    }
    freeReplyObject (codes);
    assert_int_equal (registry_fixture_integer (&F, "ZCARD {14}:ent.idx:review"), pending);
    assert_true (pending > 0);
    /* enterprise.list under_review agrees */
    Innov__ListEnterprisesRequest list = INNOV__LIST_ENTERPRISES_REQUEST__INIT;
    list.under_review = true;
    list.limit = 1000;
    inv_call_t call;
    s_call (&call, registry_enterprise_list, "province", "enterprise.list", &list.base);
    assert_int_equal (call.code, 200);
    assert_int_equal (((Innov__ListEnterprisesReply *) call.reply)->total, pending);
    assert_int_equal (((Innov__ListEnterprisesReply *) call.reply)->n_enterprises, pending);
    inv_call_clear (&call);
}

/* ---- search ---------------------------------------------------------------------------- */

static Innov__ListEnterprisesReply *
s_search (inv_call_t *call, const char *fragment, uint32_t limit, const char *cursor)
{
    Innov__SearchRequest req = INNOV__SEARCH_REQUEST__INIT;
    req.fragment = (char *) fragment;
    req.limit = limit;
    req.cursor = (char *) (cursor? cursor: "");
    s_call (call, registry_enterprise_search, "city:140100", "enterprise.search", &req.base);
    return (Innov__ListEnterprisesReply *) call->reply;
}

static void
test_search (void **state)
{
    (void) state;
    const char *names [] = { "太原重型机械集团有限公司", "太原钢铁集团有限公司", "大同煤矿机械有限公司",
                             "晋城光伏科技有限公司", "山西太原*星号*有限公司" };
    char codes [5][19];
    for (int i = 0; i < 5; i++) {
        Innov__Enterprise e;
        s_enterprise (&e, registry_fixture_code (700 + i, codes [i]), "140105");
        e.name = (char *) names [i];
        assert_int_equal (s_add_simple ("province", &e), 200);
    }
    inv_call_t call;
    /* prefix matches */
    Innov__ListEnterprisesReply *r = s_search (&call, "太原", 0, NULL);
    assert_int_equal (call.code, 200);
    assert_int_equal (r->n_enterprises, 3);             /* two by prefix, one inside */
    assert_string_equal (r->next_cursor, "");
    inv_call_clear (&call);
    /* substring matches */
    r = s_search (&call, "机械", 0, NULL);
    assert_int_equal (r->n_enterprises, 2);
    inv_call_clear (&call);
    /* glob characters are literal */
    r = s_search (&call, "*星号*", 0, NULL);
    assert_int_equal (r->n_enterprises, 1);
    assert_string_equal (r->enterprises [0]->credit_code, codes [4]);
    inv_call_clear (&call);
    r = s_search (&call, "有限?司", 0, NULL);
    assert_int_equal (r->n_enterprises, 0);
    inv_call_clear (&call);
    /* paging through the prefix phase, then the substring phase */
    r = s_search (&call, "太原", 1, NULL);
    assert_int_equal (r->n_enterprises, 1);
    assert_true (strncmp (r->next_cursor, "p:", 2) == 0);
    assert_null (strchr (r->next_cursor, '\x1f'));              /* printable: it goes on a command line */
    char *cursor = strdup (r->next_cursor);
    inv_call_clear (&call);
    zhash_t *seen = zhash_new ();
    int pages = 0;
    while (cursor && pages < 10) {
        r = s_search (&call, "太原", 1, cursor);
        assert_int_equal (call.code, 200);
        for (size_t i = 0; i < r->n_enterprises; i++)
            zhash_insert (seen, r->enterprises [i]->credit_code, (void *) 1);
        free (cursor);
        cursor = *r->next_cursor? strdup (r->next_cursor): NULL;
        inv_call_clear (&call);
        pages++;
    }
    assert_int_equal (zhash_size (seen), 2);            /* the two after the first */
    zhash_destroy (&seen);
    /* a renamed enterprise is found by its new name only */
    Innov__Enterprise change = INNOV__ENTERPRISE__INIT;
    change.credit_code = codes [3];
    change.name = (char *) "长治光电有限公司";
    char *fields [] = { (char *) "name" };
    Innov__UpdateEnterpriseRequest up = INNOV__UPDATE_ENTERPRISE_REQUEST__INIT;
    up.enterprise = &change;
    up.fields = fields;
    up.n_fields = 1;
    s_call (&call, registry_enterprise_update, "province", "enterprise.update", &up.base);
    assert_int_equal (call.code, 200);
    inv_call_clear (&call);
    r = s_search (&call, "光伏", 0, NULL);
    assert_int_equal (r->n_enterprises, 0);
    inv_call_clear (&call);
    r = s_search (&call, "长治光电", 0, NULL);
    assert_int_equal (r->n_enterprises, 1);
    inv_call_clear (&call);
    assert_int_equal (registry_fixture_integer (&F, "ZCARD {14}:ent.idx:name"), 5);
    /* bad requests */
    s_search (&call, "a", 0, NULL);
    assert_int_equal (call.code, 400);
    assert_true (unit_call_has_detail (&call, "fragment"));
    inv_call_clear (&call);
    s_search (&call, "太原", 0, "x:1");
    assert_int_equal (call.code, 400);
    assert_true (unit_call_has_detail (&call, "cursor"));
    inv_call_clear (&call);
}

/* Paging the substring phase: every page holds at most limit records, even when one
   ZSCAN batch holds more matches (200 names make the index a hash table, scanned in
   batches), and the pages together give every match once. */
static void
test_search_pages_hold_limit (void **state)
{
    (void) state;
    enum { N = 200, LIMIT = 7 };
    char codes [N][19];
    for (int i = 0; i < N; i++) {
        Innov__Enterprise e;
        s_enterprise (&e, registry_fixture_code (2000 + i, codes [i]), "140105");
        char name [96];
        snprintf (name, sizeof name, "山西%03d号精密铸造有限公司", i);
        e.name = name;
        assert_int_equal (s_add_simple ("province", &e), 200);
    }
    inv_call_t call;
    zhash_t *seen = zhash_new ();
    char *cursor = NULL;
    int pages = 0, records = 0;
    do {
        Innov__ListEnterprisesReply *r = s_search (&call, "精密铸造", LIMIT, cursor);
        assert_int_equal (call.code, 200);
        assert_true (r->n_enterprises <= LIMIT);
        for (size_t i = 0; i < r->n_enterprises; i++) {
            records++;
            assert_int_equal (zhash_insert (seen, r->enterprises [i]->credit_code, (void *) 1), 0);
        }
        free (cursor);
        cursor = *r->next_cursor? strdup (r->next_cursor): NULL;
        inv_call_clear (&call);
        pages++;
    } while (cursor && pages < 2 * N);
    assert_null (cursor);
    assert_int_equal (records, N);
    assert_int_equal (zhash_size (seen), N);
    assert_true (pages >= N / LIMIT);
    zhash_destroy (&seen);
    /* a substring cursor is digits, with an optional count after a colon */
    const char *bad [] = { "s:", "s:abc", "s:12:", "s:12:x", "s:1:2:3", NULL };
    for (int i = 0; bad [i]; i++) {
        s_search (&call, "精密铸造", LIMIT, bad [i]);
        assert_int_equal (call.code, 400);
        assert_true (unit_call_has_detail (&call, "cursor"));
        inv_call_clear (&call);
    }
}

/* ---- agencies -------------------------------------------------------------------------- */

static Innov__ListAgenciesReply *
s_agencies (inv_call_t *call, int kind, const char *parent)
{
    Innov__ListAgenciesRequest req = INNOV__LIST_AGENCIES_REQUEST__INIT;
    req.kind = (Innov__AgencyKind) kind;
    req.parent = (char *) (parent? parent: "");
    req.limit = 1000;
    s_call (call, registry_agency_list, "county:140105", "agency.list", &req.base);
    assert_int_equal (call->code, 200);
    return (Innov__ListAgenciesReply *) call->reply;
}

static int
s_agency_add (const char *caller, int kind, const char *code, const char *name, inv_call_t *call)
{
    Innov__Agency a = INNOV__AGENCY__INIT;
    a.kind = (Innov__AgencyKind) kind;
    a.code = (char *) code;
    a.name = (char *) name;
    Innov__AddAgencyRequest req = INNOV__ADD_AGENCY_REQUEST__INIT;
    req.agency = &a;
    s_call (call, registry_agency_add, caller, "agency.add", &req.base);
    return call->code;
}

static int
s_agency_update (const char *caller, const char *code, const char *name)
{
    Innov__Agency a = INNOV__AGENCY__INIT;
    a.code = (char *) code;
    a.name = (char *) name;
    Innov__UpdateAgencyRequest req = INNOV__UPDATE_AGENCY_REQUEST__INIT;
    req.agency = &a;
    inv_call_t call;
    s_call (&call, registry_agency_update, caller, "agency.update", &req.base);
    int rc = call.code;
    inv_call_clear (&call);
    return rc;
}

static void
test_agencies (void **state)
{
    (void) state;
    size_t departments;
    inv_department_all (&departments);
    inv_call_t call;
    Innov__ListAgenciesReply *r = s_agencies (&call, INNOV__AGENCY_KIND__DEPARTMENT, NULL);
    assert_int_equal (r->n_agencies, departments);
    assert_int_equal (r->total, departments);
    inv_call_clear (&call);
    r = s_agencies (&call, INNOV__AGENCY_KIND__CITY, NULL);
    assert_int_equal (r->n_agencies, 11);
    inv_call_clear (&call);
    r = s_agencies (&call, INNOV__AGENCY_KIND__ALLIANCE, NULL);
    assert_int_equal (r->n_agencies, 14);
    inv_call_clear (&call);
    r = s_agencies (&call, INNOV__AGENCY_KIND__EXPERT_TEAM, NULL);
    assert_int_equal (r->n_agencies, 41);
    inv_call_clear (&call);
    r = s_agencies (&call, INNOV__AGENCY_KIND__PROVINCIAL_GROUP, NULL);
    assert_int_equal (r->n_agencies, 1);
    inv_call_clear (&call);
    r = s_agencies (&call, 0, "140100");                    /* the counties of 太原 */
    assert_true (r->n_agencies >= 6);
    for (size_t i = 0; i < r->n_agencies; i++) {
        assert_int_equal (r->agencies [i]->kind, INNOV__AGENCY_KIND__COUNTY);
        assert_string_equal (r->agencies [i]->parent, "140100");
    }
    inv_call_clear (&call);
    r = s_agencies (&call, 0, NULL);
    size_t all = r->total;
    inv_call_clear (&call);

    /* seeding again changes nothing and emits nothing */
    long long events = s_events ();
    assert_int_equal (registry_seed_agencies (F.registry), 0);
    assert_int_equal (s_events (), events);

    /* get */
    Innov__GetAgencyRequest get = INNOV__GET_AGENCY_REQUEST__INIT;
    get.code = (char *) "gxt";
    s_call (&call, registry_agency_get, "ent:91140100000000000X", "agency.get", &get.base);
    assert_int_equal (call.code, 200);
    assert_string_equal (((Innov__AgencyReply *) call.reply)->agency->short_name, "省工信厅");
    inv_call_clear (&call);
    get.code = (char *) "nobody";
    assert_int_equal (s_code (registry_agency_get, "province", "agency.get", &get.base), 404);

    /* add: the province only, kinds that are not seeded, codes of their kind */
    assert_int_equal (s_agency_add ("province", INNOV__AGENCY_KIND__PLATFORM, "platform.tyut-lab", "太原理工大学创新平台", &call), 200);
    assert_int_equal (((Innov__AgencyReply *) call.reply)->agency->version, 1);
    inv_call_clear (&call);
    assert_int_equal (s_agency_add ("province", INNOV__AGENCY_KIND__PLATFORM, "platform.tyut-lab", "again", &call), 409);
    inv_call_clear (&call);
    assert_int_equal (s_agency_add ("city:140100", INNOV__AGENCY_KIND__PLATFORM, "platform.x", "x", &call), 403);
    assert_non_null (strstr (call.message, "only the provincial group"));
    inv_call_clear (&call);
    assert_int_equal (s_agency_add ("province", INNOV__AGENCY_KIND__CITY, "149900", "x", &call), 400);
    assert_true (unit_call_has_detail (&call, "agency.kind"));
    inv_call_clear (&call);
    assert_int_equal (s_agency_add ("province", INNOV__AGENCY_KIND__ALLIANCE, "platform.y", "", &call), 400);
    assert_true (unit_call_has_detail (&call, "agency.code"));
    assert_true (unit_call_has_detail (&call, "agency.name"));
    inv_call_clear (&call);
    assert_int_equal (s_agency_add ("province", INNOV__AGENCY_KIND__ALLIANCE, "alliance.hydrogen", "氢能产业联盟", &call), 200);
    inv_call_clear (&call);
    r = s_agencies (&call, 0, NULL);
    assert_int_equal (r->total, all + 2);
    inv_call_clear (&call);

    /* update: the province or the agency itself */
    assert_int_equal (s_agency_update ("dept:gxt", "gxt", "山西省工业和信息化厅（新）"), 200);
    assert_int_equal (s_agency_update ("dept:kjt", "gxt", "x"), 403);
    assert_int_equal (s_agency_update ("city:140100", "140100", "太原市人民政府"), 200);
    assert_int_equal (s_agency_update ("city:140100", "140200", "x"), 403);
    assert_int_equal (s_agency_update ("county:140105", "140100", "x"), 403);
    assert_int_equal (s_agency_update ("province", "platform.tyut-lab", "太原理工大学平台"), 200);
    assert_int_equal (s_agency_update ("province", "platform.none", "x"), 404);
    get.code = (char *) "gxt";
    s_call (&call, registry_agency_get, "province", "agency.get", &get.base);
    assert_string_equal (((Innov__AgencyReply *) call.reply)->agency->name, "山西省工业和信息化厅（新）");
    assert_int_equal (((Innov__AgencyReply *) call.reply)->agency->version, 2);
    assert_string_equal (((Innov__AgencyReply *) call.reply)->agency->short_name, "省工信厅");
    inv_call_clear (&call);

    /* an enterprise's alliances must be known alliance agencies */
    char code [19];
    Innov__Enterprise e;
    s_enterprise (&e, registry_fixture_code (800, code), "140105");
    char *good [] = { (char *) "alliance.semiconductor", (char *) "alliance.hydrogen" };
    char *bad [] = { (char *) "alliance.semiconductor", (char *) "gxt", (char *) "alliance.none" };
    e.alliances = bad;
    e.n_alliances = 3;
    inv_call_t add_call;
    assert_int_equal (s_add ("province", &e, NULL, &add_call), 400);
    assert_false (unit_call_has_detail (&add_call, "enterprise.alliances[0]"));
    assert_true (unit_call_has_detail (&add_call, "enterprise.alliances[1]"));
    assert_true (unit_call_has_detail (&add_call, "enterprise.alliances[2]"));
    inv_call_clear (&add_call);
    e.alliances = good;
    e.n_alliances = 2;
    assert_int_equal (s_add_simple ("province", &e), 200);
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
    s_enterprise (&e, registry_fixture_code (5, code), "140105");
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
        cmocka_unit_test_setup (test_workflow_walk, test_setup),
        cmocka_unit_test_setup (test_workflow_scope, test_setup),
        cmocka_unit_test_setup (test_counters_with_transitions, test_setup),
        cmocka_unit_test_setup (test_search, test_setup),
        cmocka_unit_test_setup (test_search_pages_hold_limit, test_setup),
        cmocka_unit_test_setup (test_agencies, test_setup),
        cmocka_unit_test (test_redis_down_is_503),
    };
    return cmocka_run_group_tests (tests, group_setup, group_teardown);
}
