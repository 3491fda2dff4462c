/*  test_import: enterprise.import called directly (no sockets) against a real
    redis-server: every refusal names its row, line, field and reason (bad credit code,
    unknown county, unknown department, bad number, out of scope) and writes nothing;
    good rows are created with their events; the same batch again changes nothing (no
    version, no event); a changed row is one update; one code twice in a batch; dry
    runs; a retried batch answers as the first time; counters equal the records. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include "registry_fixture.h"
#include "../../services/registry/registry.h"
#include "../../services/registry/registry_import.h"
#include "registry.pb-c.h"
#include "inv_valid.h"

static registry_fixture_t F;

static long long s_events (void) { return registry_fixture_integer (&F, "XLEN {14}:events"); }

typedef struct {
    char code [24];
    Innov__Enterprise e;
} row_t;

static void
s_row (row_t *row, int n, const char *county)
{
    innov__enterprise__init (&row->e);
    row->e.credit_code = (char *) registry_fixture_code (n, row->code);
    row->e.name = (char *) "太原示例机械制造有限公司";
    row->e.county = (char *) county;
    row->e.industry = (char *) "3411";
    row->e.department = (char *) "省工信厅";
    row->e.cluster = (char *) "半导体";
    row->e.operating_revenue = 25000;
    row->e.rd_expenditure = 300;
}

/* Run one batch; returns the call (clear it with inv_call_clear). */
static Innov__ImportEnterprisesReply *
s_import (inv_call_t *call, const char *caller, row_t *rows, size_t n, const char *key, bool dry_run)
{
    Innov__Enterprise *list [16];
    uint32_t lines [16];
    for (size_t i = 0; i < n; i++) {
        list [i] = &rows [i].e;
        lines [i] = (uint32_t) (i + 2);
    }
    Innov__ImportEnterprisesRequest req = INNOV__IMPORT_ENTERPRISES_REQUEST__INIT;
    req.enterprises = list;
    req.n_enterprises = n;
    req.lines = lines;
    req.n_lines = n;
    req.idempotency_key = (char *) (key? key: "");
    req.dry_run = dry_run;
    inv_call_init (call, F.registry, caller, "enterprise.import", &req.base);
    registry_enterprise_import (F.registry, call);
    assert_int_equal (call->code? call->code: 200, 200);
    assert_non_null (call->reply);
    return (Innov__ImportEnterprisesReply *) call->reply;
}

static const Innov__ImportRejection *
s_rejection_of (const Innov__ImportEnterprisesReply *reply, uint32_t index)
{
    for (size_t i = 0; i < reply->n_rejections; i++)
        if (reply->rejections [i]->index == index)
            return reply->rejections [i];
    return NULL;
}

/* ---- fixtures --------------------------------------------------------------------- */

static int group_setup (void **state)    { (void) state; return registry_fixture_setup (&F); }
static int group_teardown (void **state) { (void) state; return registry_fixture_teardown (&F); }
static int test_setup (void **state)     { (void) state; return registry_fixture_flush (&F); }

/* ---- tests ----------------------------------------------------------------------------- */

static void
test_each_refusal_names_row_and_field (void **state)
{
    (void) state;
    row_t rows [6];
    s_row (&rows [0], 1, "140105");
    s_row (&rows [1], 2, "140105");
    strcpy (rows [1].code, "91140100MA0000000X");              /* wrong check character */
    s_row (&rows [2], 3, "999999");                            /* unknown county */
    s_row (&rows [3], 4, "140105");
    rows [3].e.department = (char *) "不存在的厅";              /* unknown department */
    s_row (&rows [4], 5, "140105");
    rows [4].e.operating_revenue = -5;                         /* bad number */
    s_row (&rows [5], 6, "140105");
    rows [5].e.cluster = (char *) "no-such-cluster";
    inv_call_t call;
    Innov__ImportEnterprisesReply *reply = s_import (&call, "province", rows, 6, NULL, false);
    assert_int_equal (reply->created, 1);
    assert_int_equal (reply->n_rejections, 5);
    const Innov__ImportRejection *r = s_rejection_of (reply, 1);
    assert_non_null (r);
    assert_int_equal (r->line, 3);
    assert_string_equal (r->field, "credit_code");
    assert_non_null (strstr (r->reason, "check character"));
    r = s_rejection_of (reply, 2);
    assert_string_equal (r->field, "county");
    assert_non_null (strstr (r->reason, "999999 is not a known division code"));
    r = s_rejection_of (reply, 3);
    assert_string_equal (r->field, "department");
    assert_non_null (strstr (r->reason, "不存在的厅 is not a known provincial department"));
    r = s_rejection_of (reply, 4);
    assert_string_equal (r->field, "operating_revenue");
    assert_int_equal (r->line, 6);
    r = s_rejection_of (reply, 5);
    assert_string_equal (r->field, "cluster");
    inv_call_clear (&call);
    /* only the good row is written: one record, one event */
    assert_int_equal (registry_fixture_integer (&F, "ZCARD {14}:ent.idx:all"), 1);
    assert_int_equal (s_events (), 1);
}

static void
test_rerun_changes_nothing (void **state)
{
    (void) state;
    row_t rows [3];
    s_row (&rows [0], 11, "140105");
    s_row (&rows [1], 12, "140121");
    s_row (&rows [2], 13, "140213");
    rows [2].e.department = (char *) "gxt";
    inv_call_t call;
    Innov__ImportEnterprisesReply *reply = s_import (&call, "province", rows, 3, NULL, false);
    assert_int_equal (reply->created, 3);
    inv_call_clear (&call);
    long long events = s_events ();
    assert_int_equal (events, 3);
    reply = s_import (&call, "province", rows, 3, NULL, false);
    assert_int_equal (reply->created, 0);
    assert_int_equal (reply->updated, 0);
    assert_int_equal (reply->unchanged, 3);
    inv_call_clear (&call);
    assert_int_equal (s_events (), events);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:ent:%s version", rows [0].code), 1);
    /* department by name, code or alias is one value: still unchanged */
    rows [0].e.department = (char *) "gxt";
    reply = s_import (&call, "province", rows, 1, NULL, false);
    assert_int_equal (reply->unchanged, 1);
    inv_call_clear (&call);

    /* one field changed: one update, one event, version 2, counters follow the county */
    rows [1].e.county = (char *) "140213";
    reply = s_import (&call, "province", rows, 3, NULL, false);
    assert_int_equal (reply->updated, 1);
    assert_int_equal (reply->unchanged, 2);
    inv_call_clear (&call);
    assert_int_equal (s_events (), events + 1);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:ent:%s version", rows [1].code), 2);
    assert_int_equal (registry_fixture_integer (&F, "ZCARD {14}:ent.idx:city:140100"), 1);
    assert_int_equal (registry_fixture_integer (&F, "ZCARD {14}:ent.idx:city:140200"), 2);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:ent.cnt:city:140200 1"), 2);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:ent.cnt:city:140100 1"), 1);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:ent.cnt:province 1"), 3);
}

static void
test_same_code_twice_in_a_batch (void **state)
{
    (void) state;
    row_t rows [2];
    s_row (&rows [0], 21, "140105");
    s_row (&rows [1], 21, "140105");
    rows [1].e.operating_revenue = 99;
    inv_call_t call;
    Innov__ImportEnterprisesReply *reply = s_import (&call, "province", rows, 2, NULL, false);
    assert_int_equal (reply->created, 1);
    assert_int_equal (reply->updated, 1);
    assert_int_equal (reply->n_rejections, 0);
    inv_call_clear (&call);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:ent:%s version", rows [0].code), 2);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:ent.cnt:province 1"), 1);
}

static void
test_dry_run_writes_nothing (void **state)
{
    (void) state;
    row_t rows [2];
    s_row (&rows [0], 31, "140105");
    s_row (&rows [1], 32, "999999");
    inv_call_t call;
    Innov__ImportEnterprisesReply *reply = s_import (&call, "province", rows, 2, "dry-1", true);
    assert_int_equal (reply->created, 1);
    assert_int_equal (reply->n_rejections, 1);
    inv_call_clear (&call);
    assert_int_equal (registry_fixture_integer (&F, "DBSIZE"), 0);
}

static void
test_retried_batch_answers_the_same (void **state)
{
    (void) state;
    row_t rows [2];
    s_row (&rows [0], 41, "140105");
    s_row (&rows [1], 42, "140105");
    inv_call_t call;
    Innov__ImportEnterprisesReply *reply = s_import (&call, "province", rows, 2, "batch-7", false);
    assert_int_equal (reply->created, 2);
    inv_call_clear (&call);
    long long events = s_events ();
    reply = s_import (&call, "province", rows, 2, "batch-7", false);
    assert_int_equal (reply->created, 2);                      /* the first reply */
    inv_call_clear (&call);
    assert_int_equal (s_events (), events);
    reply = s_import (&call, "province", rows, 2, "batch-8", false);
    assert_int_equal (reply->unchanged, 2);
    inv_call_clear (&call);
}

static void
test_scope_refusal (void **state)
{
    (void) state;
    row_t rows [2];
    s_row (&rows [0], 51, "140105");                          /* 太原 */
    s_row (&rows [1], 52, "140213");                          /* 大同 */
    inv_call_t call;
    Innov__ImportEnterprisesReply *reply = s_import (&call, "city:140200", rows, 2, NULL, false);
    assert_int_equal (reply->created, 1);
    assert_int_equal (reply->n_rejections, 1);
    assert_int_equal (reply->rejections [0]->index, 0);
    assert_non_null (strstr (reply->rejections [0]->reason, "140200"));
    inv_call_clear (&call);
    assert_int_equal (registry_fixture_integer (&F, "EXISTS {14}:ent:%s", rows [0].code), 0);
}

static void
test_batch_limits (void **state)
{
    (void) state;
    Innov__ImportEnterprisesRequest req = INNOV__IMPORT_ENTERPRISES_REQUEST__INIT;
    uint32_t lines [2] = { 1, 2 };
    req.lines = lines;
    req.n_lines = 2;                                          /* no rows */
    inv_call_t call;
    inv_call_init (&call, F.registry, "province", "enterprise.import", &req.base);
    registry_enterprise_import (F.registry, &call);
    assert_int_equal (call.code, 400);
    assert_non_null (strstr (call.message, "lines"));
    inv_call_clear (&call);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup (test_each_refusal_names_row_and_field, test_setup),
        cmocka_unit_test_setup (test_rerun_changes_nothing, test_setup),
        cmocka_unit_test_setup (test_same_code_twice_in_a_batch, test_setup),
        cmocka_unit_test_setup (test_dry_run_writes_nothing, test_setup),
        cmocka_unit_test_setup (test_retried_batch_answers_the_same, test_setup),
        cmocka_unit_test_setup (test_scope_refusal, test_setup),
        cmocka_unit_test_setup (test_batch_limits, test_setup),
    };
    return cmocka_run_group_tests (tests, group_setup, group_teardown);
}
