/*  test_event: reading the province streams written by inv_store: decoding entries,
    ranges after a sequence, the newest sequence, and consumer groups (own pending
    entries re-read after a restart, idle entries claimed from a dead consumer, a lost
    group created again). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include "redis_fixture.h"
#include "inv_event.h"
#include "inv_store.h"

static redis_fixture_t *F;

/* ARGV[4] = event type; ARGV[5] = subject */
static const char s_body [] =
    "local function main ()\n"
    "  emit (ARGV[4], ARGV[5], 'innov.Enterprise', 'bytes\\0of ' .. ARGV[5],\n"
    "        { city = '140100', county = '140105', department = 'gxt' })\n"
    "  return reply (200)\n"
    "end\n";

static void
s_emit (const char *type, const char *subject)
{
    const char *args [] = { type, subject };
    inv_store_result_t result;
    assert_int_equal (inv_store_write (F->redis, &F->script, "14", "province", NULL, 0, NULL, NULL, 2, args, NULL,
                                       &result), 200);
    inv_store_result_clear (&result);
}

static int
setup (void **state)
{
    return redis_fixture_setup (state, &F, "emit", s_body);
}

static void
s_free_all (Innov__Event **events, size_t count)
{
    for (size_t i = 0; i < count; i++)
        inv_event_free (&events [i]);
    free (events);
}

static void
test_range_and_last_seq (void **state)
{
    (void) state;
    assert_int_equal (inv_event_last_seq (F->redis, "14"), 0);
    for (int i = 1; i <= 6; i++) {
        char subject [16];
        snprintf (subject, sizeof subject, "S%d", i);
        s_emit (i % 2? "enterprise.created": "group.formed", subject);
    }
    assert_int_equal (inv_event_last_seq (F->redis, "14"), 6);
    assert_int_equal (inv_event_last_seq (F->redis, "15"), 0);

    Innov__Event **events = NULL;
    size_t count = 0;
    assert_int_equal (inv_event_range (F->redis, "14", 0, NULL, 100, &events, &count), 6);
    assert_int_equal (count, 6);
    Innov__Event *e = events [0];
    assert_int_equal (e->seq, 1);
    assert_string_equal (e->type, "enterprise.created");
    assert_string_equal (e->subject, "S1");
    assert_string_equal (e->actor, "province");
    assert_string_equal (e->province, "14");
    assert_string_equal (e->payload_type, "innov.Enterprise");
    assert_int_equal (e->payload.len, 11);
    assert_memory_equal (e->payload.data, "bytes\0of S1", 11);
    assert_string_equal (e->city, "140100");
    assert_string_equal (e->county, "140105");
    assert_string_equal (e->department, "gxt");
    assert_string_equal (e->cluster, "");
    assert_true (e->time_ms > 0);
    s_free_all (events, count);

    /* after a sequence, limited; appended to what the array already holds */
    events = NULL;
    count = 0;
    assert_int_equal (inv_event_range (F->redis, "14", 3, NULL, 2, &events, &count), 2);
    assert_int_equal (inv_event_range (F->redis, "14", 5, NULL, 10, &events, &count), 1);
    assert_int_equal (count, 3);
    assert_int_equal (events [0]->seq, 4);
    assert_int_equal (events [1]->seq, 5);
    assert_int_equal (events [2]->seq, 6);
    s_free_all (events, count);

    /* by type prefix, past an entry that is not an event */
    redisReply *reply = inv_redis_command (F->redis, "XADD {14}:events 7-1 junk 1");
    freeReplyObject (reply);
    s_emit ("group.formed", "S8");
    events = NULL;
    count = 0;
    assert_int_equal (inv_event_range (F->redis, "14", 0, "group.", 100, &events, &count), 4);
    for (size_t i = 0; i < count; i++)
        assert_string_equal (events [i]->type, "group.formed");
    assert_int_equal (events [3]->seq, 8);
    s_free_all (events, count);

    inv_redis_t *down = inv_redis_new ("127.0.0.1:1");
    assert_int_equal (inv_event_last_seq (down, "14"), -1);
    assert_int_equal (inv_event_range (down, "14", 0, NULL, 10, &events, &count), -1);
    inv_redis_destroy (&down);
    inv_event_test (false);
}

static uint64_t
s_next_seq (inv_consumer_t *consumer, int block_ms)
{
    Innov__Event *event = inv_consumer_next (consumer, block_ms);
    uint64_t seq = event? event->seq: 0;
    inv_event_free (&event);
    return seq;
}

static void
test_consumer_groups (void **state)
{
    (void) state;
    for (int i = 0; i < 4; i++)
        s_emit ("enterprise.created", "S");

    /* a consumer acknowledges 1, then dies holding 2 */
    inv_consumer_t *one = inv_consumer_new (F->redis, "14", "notify", "one");
    assert_int_equal (s_next_seq (one, 100), 1);
    assert_int_equal (inv_consumer_ack (one, 1), 0);
    assert_int_equal (s_next_seq (one, 100), 2);
    inv_consumer_destroy (&one);

    /* restarted under the same name, it gets 2 again first */
    one = inv_consumer_new (F->redis, "14", "notify", "one");
    assert_int_equal (s_next_seq (one, 100), 2);
    assert_int_equal (inv_consumer_ack (one, 2), 0);
    assert_int_equal (s_next_seq (one, 100), 3);         /* new, not acknowledged */
    inv_consumer_destroy (&one);

    /* another consumer claims 3 once it has been idle long enough */
    inv_consumer_t *two = inv_consumer_new (F->redis, "14", "notify", "two");
    inv_consumer_set_claim_idle (two, 50);
    zclock_sleep (100);
    assert_int_equal (s_next_seq (two, 100), 3);
    assert_int_equal (inv_consumer_ack (two, 3), 0);
    assert_int_equal (s_next_seq (two, 100), 4);
    assert_int_equal (inv_consumer_ack (two, 4), 0);
    assert_int_equal (s_next_seq (two, 100), 0);         /* nothing more */

    /* another group sees the whole stream */
    inv_consumer_t *report = inv_consumer_new (F->redis, "14", "report", "r1");
    for (uint64_t seq = 1; seq <= 4; seq++) {
        assert_int_equal (s_next_seq (report, 100), seq);
        inv_consumer_ack (report, seq);
    }
    inv_consumer_destroy (&report);

    /* the stream and its groups are lost: the group is created again */
    redisReply *reply = inv_redis_command (F->redis, "DEL {14}:events");
    freeReplyObject (reply);
    assert_int_equal (s_next_seq (two, 50), 0);
    s_emit ("enterprise.created", "S");
    uint64_t seq = 0;
    for (int i = 0; i < 5 && !seq; i++)
        seq = s_next_seq (two, 100);
    assert_int_equal (seq, 5);
    inv_consumer_destroy (&two);

    inv_redis_t *down = inv_redis_new ("127.0.0.1:1");
    inv_consumer_t *nobody = inv_consumer_new (down, "14", "notify", "x");
    assert_null (inv_consumer_next (nobody, 10));
    assert_int_equal (inv_consumer_ack (nobody, 1), -1);
    inv_consumer_destroy (&nobody);
    inv_redis_destroy (&down);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup (test_range_and_last_seq, redis_fixture_test_flush),
        cmocka_unit_test_setup (test_consumer_groups, redis_fixture_test_flush),
    };
    return cmocka_run_group_tests (tests, setup, redis_fixture_teardown);
}
