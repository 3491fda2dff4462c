/*  test_failover: two brokers, one registry, clients that fail over.

    The registry is started with INNOV_BROKER="A,B", so it registers with both
    brokers; innovctl gets the same list and tries A, then B. The test kills broker A
    with SIGKILL between writes, then brings A back and kills B, and checks after each
    fault that the write was acknowledged, that every acknowledged enterprise is in
    Redis, and that each was announced by exactly one enterprise.created event (a
    retried write must not double). Heartbeats are 200 ms (liveness 3) and a client
    attempt waits 1 s, so each failover costs about a second.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include <signal.h>
#include "harness.h"
#include "registry_fixture.h"

static void
s_add (harness_t *h, int n)
{
    char code [32], name [64];
    registry_fixture_code (n, code);
    snprintf (name, sizeof name, "容灾测试企业%d", n);
    char *out = NULL, *err = NULL;
    int rc = harness_ctl (h, &out, &err, "enterprise", "add", "--code", code, "--name", name,
                          "--county", "140105", "--industry", "3311", "--department", "gxt",
                          "--idempotency-key", code, NULL);
    if (rc != 0)
        print_error ("add %s: exit %d: %s\n", code, rc, err? err: "");
    assert_int_equal (rc, 0);
    free (out);
    free (err);
}

/* How many enterprise.created events name this credit code. */
static int
s_created_events (harness_t *h, int n)
{
    char code [32];
    registry_fixture_code (n, code);
    char *out = harness_redis_cli (h, "--raw", "XRANGE", "{14}:events", "-", "+", NULL);
    assert_non_null (out);
    int count = 0;
    char *line = strtok (out, "\n");
    char *previous = NULL;
    while (line) {
        //  Fields come as name, value lines: count "subject" = code after "type" = created.
        if (previous && streq (previous, "subject") && streq (line, code))
            count++;
        previous = line;
        line = strtok (NULL, "\n");
    }
    free (out);
    return count;
}

static void
s_check_stored (harness_t *h, int upto)
{
    for (int n = 1; n <= upto; n++) {
        char code [32], key [64];
        registry_fixture_code (n, code);
        snprintf (key, sizeof key, "{14}:ent:%s", code);
        char *out = harness_redis_cli (h, "EXISTS", key, NULL);
        assert_non_null (out);
        assert_int_equal (atoi (out), 1);
        free (out);
        assert_int_equal (s_created_events (h, n), 1);
    }
}

static void
test_broker_failover (void **state)
{
    (void) state;
    harness_t *h = harness_new ();
    assert_non_null (h);
    harness_setenv (h, "INNOV_HEARTBEAT_MS", "200");
    harness_setenv (h, "INNOV_LIVENESS", "3");
    harness_setenv (h, "INNOV_TIMEOUT_MS", "1000");
    harness_setenv (h, "INNOV_RETRIES", "4");
    assert_true (harness_start_redis (h) > 0);
    pid_t pid_a = harness_start_broker (h);
    assert_true (pid_a > 0);
    char broker_a [64], events_a [64], broker_b [64], events_b [64], both [160];
    snprintf (broker_a, sizeof broker_a, "%s", harness_broker (h));
    snprintf (events_a, sizeof events_a, "%s", harness_events (h));
    snprintf (broker_b, sizeof broker_b, "tcp://127.0.0.1:%d", harness_free_port ());
    snprintf (events_b, sizeof events_b, "tcp://127.0.0.1:%d", harness_free_port ());
    pid_t pid_b = harness_start_broker_at (h, broker_b, events_b);
    assert_true (pid_b > 0);
    snprintf (both, sizeof both, "%s,%s", broker_a, broker_b);
    harness_setenv (h, "INNOV_BROKER", both);
    assert_true (harness_start_service (h, "registry") > 0);
    assert_true (harness_wait_service_at (h, broker_b, "registry", 1, 10000));

    s_add (h, 1);
    //  Broker A dies: the next write goes to B after one attempt's timeout.
    harness_kill (h, pid_a, SIGKILL);
    int64_t start = zclock_mono ();
    s_add (h, 2);
    print_message ("write acknowledged %lld ms after broker A was killed\n",
                   (long long) (zclock_mono () - start));
    s_check_stored (h, 2);

    //  A comes back on the same port; the registry registers with it again. Then B dies.
    pid_a = harness_start_broker_at (h, broker_a, events_a);
    assert_true (pid_a > 0);
    assert_true (harness_wait_service_at (h, broker_a, "registry", 1, 10000));
    harness_kill (h, pid_b, SIGKILL);
    start = zclock_mono ();
    s_add (h, 3);
    print_message ("write acknowledged %lld ms after broker B was killed\n",
                   (long long) (zclock_mono () - start));
    s_check_stored (h, 3);
    harness_destroy (&h);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_broker_failover),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
