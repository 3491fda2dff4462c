/*  test_store: the transactional outbox against a real redis-server. A write script
    changes state and appends its event in one step; a retry with the same
    idempotency key returns the first reply and writes nothing more; refusals write
    nothing and are not cached; script errors and an absent Redis are reported. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include "redis_fixture.h"
#include "inv_store.h"
#include "inv_clock.h"

static redis_fixture_t *F;

/* KEYS[4] = the thing's hash; ARGV[4] = its new value (or "fail" / "boom") */
static const char s_body [] =
    "local function main ()\n"
    "  if ARGV[4] == 'fail' then\n"
    "    return fail (400, 'thing refused', 'thing.value', 'must not be fail')\n"
    "  end\n"
    "  if ARGV[4] == 'boom' then error ('exploded') end\n"
    "  redis.call ('HSET', KEYS[4], 'value', ARGV[4])\n"
    "  local seq = emit ('thing.set', 'T1', 'innov.Thing', 'payload:' .. ARGV[4],\n"
    "                    { city = '140100', county = '140105', department = 'gxt', cluster = 'photovoltaic' })\n"
    "  return reply (200, 'set', 'seq ' .. seq)\n"
    "end\n";

static int
setup (void **state)
{
    return redis_fixture_setup (state, &F, "thing", s_body);
}

static int
s_write (const char *actor, const char *key, const char *value, inv_store_result_t *result)
{
    const char *keys [] = { "{14}:thing:T1" };
    const char *args [] = { value };
    return inv_store_write (F->redis, &F->script, "14", actor, key, 1, keys, NULL, 1, args, NULL, result);
}

static void
test_state_and_event_together (void **state)
{
    (void) state;
    inv_clock_freeze (1767661200000LL);
    inv_store_result_t result;
    assert_int_equal (s_write ("city:140100", NULL, "v1", &result), 200);
    assert_string_equal (result.message, "set");
    assert_int_equal (result.body_len, 5);
    assert_string_equal (result.body, "seq 1");
    inv_store_result_clear (&result);
    assert_int_equal (s_write ("city:140100", "", "v2", &result), 200);
    assert_string_equal (result.body, "seq 2");
    inv_store_result_clear (&result);
    inv_clock_reset ();

    assert_int_equal (redis_fixture_integer (F, "GET {14}:seq"), 2);
    redisReply *entries = inv_redis_command (F->redis, "XRANGE {14}:events - +");
    assert_int_equal (entries->elements, 2);
    const redisReply *first = entries->element [0];
    assert_string_equal (first->element [0]->str, "1-1");
    assert_string_equal (entries->element [1]->element [0]->str, "2-1");
    const redisReply *fields = first->element [1];
    const char *expected [] = {
        "type", "thing.set", "subject", "T1", "actor", "city:140100", "time", "1767661200000",
        "ptype", "innov.Thing", "payload", "payload:v1", "city", "140100", "county", "140105",
        "dept", "gxt", "cluster", "photovoltaic"
    };
    assert_int_equal (fields->elements, sizeof expected / sizeof expected [0]);
    for (size_t i = 0; i < fields->elements; i++)
        assert_string_equal (fields->element [i]->str, expected [i]);
    freeReplyObject (entries);
    redisReply *value = inv_redis_command (F->redis, "HGET {14}:thing:T1 value");
    assert_string_equal (value->str, "v2");
    freeReplyObject (value);
    /* no idempotency key: nothing cached */
    assert_int_equal (redis_fixture_integer (F, "EXISTS {14}:idem:-"), 0);
}

static void
test_retry_returns_first_reply (void **state)
{
    (void) state;
    inv_store_result_t first, again;
    assert_int_equal (s_write ("province", "import-1", "v1", &first), 200);
    assert_int_equal (s_write ("province", "import-1", "v2", &again), 200);
    assert_int_equal (first.body_len, again.body_len);
    assert_memory_equal (first.body, again.body, first.body_len);
    assert_string_equal (again.message, "set");
    inv_store_result_clear (&first);
    inv_store_result_clear (&again);
    assert_int_equal (redis_fixture_integer (F, "XLEN {14}:events"), 1);
    redisReply *value = inv_redis_command (F->redis, "HGET {14}:thing:T1 value");
    assert_string_equal (value->str, "v1");
    freeReplyObject (value);
    long long ttl = redis_fixture_integer (F, "PTTL {14}:idem:province:import-1");
    assert_true (ttl > 86000000 && ttl <= 86400000);

    /* the same key from another actor is another request */
    assert_int_equal (s_write ("city:140100", "import-1", "v3", &again), 200);
    assert_string_equal (again.body, "seq 2");
    inv_store_result_clear (&again);
    assert_int_equal (redis_fixture_integer (F, "XLEN {14}:events"), 2);
}

static void
test_refusal_writes_nothing_and_is_not_cached (void **state)
{
    (void) state;
    inv_store_result_t result;
    assert_int_equal (s_write ("province", "k-1", "fail", &result), 400);
    assert_string_equal (result.message, "thing refused");
    assert_string_equal (result.field, "thing.value");
    assert_string_equal (result.reason, "must not be fail");
    assert_null (result.body);
    inv_store_result_clear (&result);
    assert_int_equal (redis_fixture_integer (F, "DBSIZE"), 0);

    /* corrected and sent again with the same key: it runs */
    assert_int_equal (s_write ("province", "k-1", "fine", &result), 200);
    inv_store_result_clear (&result);
    assert_int_equal (redis_fixture_integer (F, "XLEN {14}:events"), 1);
}

static void
test_script_error_and_redis_down (void **state)
{
    (void) state;
    inv_store_result_t result;
    assert_int_equal (s_write ("province", NULL, "boom", &result), 500);
    assert_non_null (strstr (result.message, "exploded"));
    inv_store_result_clear (&result);

    inv_redis_t *down = inv_redis_new ("127.0.0.1:1");
    const char *keys [] = { "{14}:thing:T1" };
    const char *args [] = { "v" };
    assert_int_equal (inv_store_write (down, &F->script, "14", "province", "k", 1, keys, NULL, 1, args, NULL,
                                       &result), 503);
    inv_store_result_clear (&result);
    inv_redis_destroy (&down);

    char key [64];
    assert_string_equal (inv_key (key, sizeof key, "14", "ent:%s", "X"), "{14}:ent:X");
    inv_store_test (false);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup (test_state_and_event_together, redis_fixture_test_flush),
        cmocka_unit_test_setup (test_retry_returns_first_reply, redis_fixture_test_flush),
        cmocka_unit_test_setup (test_refusal_writes_nothing_and_is_not_cached, redis_fixture_test_flush),
        cmocka_unit_test_setup (test_script_error_and_redis_down, redis_fixture_test_flush),
    };
    return cmocka_run_group_tests (tests, setup, redis_fixture_teardown);
}
