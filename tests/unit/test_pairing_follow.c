/*  test_pairing_follow: the pairing service's event follower, common/inv_follow, on a
    real Redis: events come in batches, are acknowledged only when the handler succeeds
    (a refused batch comes back, nothing is lost or left pending), and the pairing engine
    projects a registry's events by itself. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include <pthread.h>
#include "registry_fixture.h"
#include "inv_follow.h"
#include "../../services/pairing/pairing_engine.h"
#include "registry.pb-c.h"

static registry_fixture_t F;

static int
s_setup (void **state)
{
    (void) state;
    return registry_fixture_setup (&F);
}

static int
s_teardown (void **state)
{
    (void) state;
    return registry_fixture_teardown (&F);
}

static int
s_flush (void **state)
{
    (void) state;
    return registry_fixture_flush (&F);
}

static void
s_add (int n, Innov__InnovationStatus status)
{
    char code [20], name [64];
    registry_fixture_code (n, code);
    snprintf (name, sizeof name, "跟随测试企业%d有限公司", n);
    Innov__Enterprise e = INNOV__ENTERPRISE__INIT;
    e.credit_code = code;
    e.name = name;
    e.county = (char *) "140105";
    e.industry = (char *) "3311";
    e.department = (char *) "gxt";
    e.status = status;
    e.mentor_capacity = status == INNOV__INNOVATION_STATUS__ACTIVE? 2: 0;
    Innov__AddEnterpriseRequest req = INNOV__ADD_ENTERPRISE_REQUEST__INIT;
    req.enterprise = &e;
    inv_call_t call;
    inv_call_init (&call, F.registry, "province", "enterprise.add", &req.base);
    registry_enterprise_add (F.registry, &call);
    assert_int_equal (call.code? call.code: 200, 200);
    inv_call_clear (&call);
}

/* ---- a follower of our own ---- */

typedef struct {
    pthread_mutex_t lock;
    int batches, refused, events, largest;
    uint64_t seen [2048];           /* times each sequence number was handed over */
} counter_t;

static counter_t *S_counter;

static void *
s_open (const inv_config_t *cfg, void *arg)
{
    (void) cfg;
    return arg;
}

static void
s_close (void **state_p)
{
    *state_p = NULL;
}

static int
s_handle_batch (void *state, Innov__Event **events, size_t count)
{
    counter_t *c = (counter_t *) state;
    pthread_mutex_lock (&c->lock);
    c->batches++;
    bool refuse = c->refused == 0;          /* the first batch is refused once */
    if (refuse)
        c->refused++;
    else {
        c->events += (int) count;
        for (size_t i = 0; i < count; i++)
            if (events [i]->seq < 2048)
                c->seen [events [i]->seq]++;
    }
    if ((int) count > c->largest)
        c->largest = (int) count;
    pthread_mutex_unlock (&c->lock);
    return refuse? -1: 0;
}

static void
test_batches_acknowledged_and_refused_batch_returns (void **state)
{
    (void) state;
    for (int i = 0; i < 600; i++)
        s_add (i, INNOV__INNOVATION_STATUS__NOT_STARTED);
    long long total = registry_fixture_integer (&F, "XLEN {14}:events");
    assert_true (total >= 600);
    S_counter = (counter_t *) zmalloc (sizeof (counter_t));
    pthread_mutex_init (&S_counter->lock, NULL);
    inv_config_t cfg = { .redis = harness_redis (F.harness), .province = "14" };
    inv_follow_spec_t spec = { .group = "followtest", .batch = 100, .open = s_open, .close = s_close,
                                     .handle_batch = s_handle_batch, .arg = S_counter };
    zactor_t *follower = inv_follow_new (&cfg, &spec);
    assert_non_null (follower);
    int events = 0;
    for (int i = 0; i < 300 && events < total; i++) {
        zclock_sleep (20);
        pthread_mutex_lock (&S_counter->lock);
        events = S_counter->events;
        pthread_mutex_unlock (&S_counter->lock);
    }
    zactor_destroy (&follower);
    assert_int_equal (events, total);               /* the refused batch came back */
    assert_int_equal (S_counter->refused, 1);
    assert_true (S_counter->largest > 1 && S_counter->largest <= 100);
    for (long long seq = 1; seq <= total && seq < 2048; seq++)
        assert_int_equal (S_counter->seen [seq], 1);
    /* nothing left pending for the group */
    redisReply *pending = inv_redis_command (F.redis, "XPENDING {14}:events followtest");
    assert_non_null (pending);
    assert_int_equal (pending->element [0]->integer, 0);
    freeReplyObject (pending);
    pthread_mutex_destroy (&S_counter->lock);
    free (S_counter);
}

static void
test_engine_projects_registry_events (void **state)
{
    (void) state;
    for (int i = 0; i < 40; i++)
        s_add (1000 + i, i % 4? INNOV__INNOVATION_STATUS__NOT_STARTED: INNOV__INNOVATION_STATUS__ACTIVE);
    inv_config_t cfg = { .redis = harness_redis (F.harness), .province = "14" };
    zactor_t *engine = pairing_engine_new (&cfg, 0);
    assert_non_null (engine);
    long long tracked = 0;
    for (int i = 0; i < 250 && tracked != 30; i++) {
        zclock_sleep (20);
        tracked = registry_fixture_integer (&F, "HGET {14}:pair.cov:province tracked");
    }
    assert_int_equal (tracked, 30);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:pair.div:33 mentors"), 10);
    /* a stop and a second engine: nothing is projected twice */
    zactor_destroy (&engine);
    s_add (2000, INNOV__INNOVATION_STATUS__NOT_STARTED);
    engine = pairing_engine_new (&cfg, 0);
    for (int i = 0; i < 250 && tracked != 31; i++) {
        zclock_sleep (20);
        tracked = registry_fixture_integer (&F, "HGET {14}:pair.cov:province tracked");
    }
    assert_int_equal (tracked, 31);
    assert_int_equal (registry_fixture_integer (&F, "HGET {14}:pair.stats projected"), 41);
    zactor_destroy (&engine);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup (test_batches_acknowledged_and_refused_batch_returns, s_flush),
        cmocka_unit_test_setup (test_engine_projects_registry_events, s_flush),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
