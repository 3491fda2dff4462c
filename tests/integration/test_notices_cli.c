/*  test_notices_cli: innovctl's notices, subscribe, subscriptions, unsubscribe and
    notices watch against a real Redis, broker, registry and notify.

    Inbox: city 140100 subscribes to enterprise.* of its city and city 140200 to those of
    its own, both through innovctl; an enterprise added in 140105 (太原) shows in 140100's
    `notices list` and not in 140200's; `notices unread` counts it, `notices ack ID` and
    `notices ack --all` clear it; 140200 reading 140100's inbox is refused (403, exit 1).

    Watch: `notices watch --since SEQ --count 1` for each city runs in a thread while an
    enterprise is added in each city: each prints exactly its own city's notice (the
    first notice on the stream is 140100's, so 140200's watch must skip it). A watch
    without --since gets its notice live: enterprises are added until it has one.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <czmq.h>
#include "harness.h"
#include "inv_json.h"
#include "inv_valid.h"

#define WAIT_MS 15000

static harness_t *H;

static const char *
s_code (const char *first17, char *out)
{
    assert_true (inv_credit_code_complete (first17, out));
    return out;
}

static void
s_add (const char *code, const char *county)
{
    char *out = NULL, *err = NULL;
    int rc = harness_ctl (H, &out, &err, "enterprise", "add", "--code", code, "--name", "示例机械有限公司",
                          "--county", county, "--industry", "3311", "--department", "gxt", NULL);
    if (rc)
        print_error ("add %s: exit %d: %s", code, rc, err? err: "");
    assert_int_equal (rc, 0);
    free (out);
    free (err);
}

/* innovctl as `as`; stdout returned (malloc'd), exit code into *rc_p. */
static char *
s_ctl (int *rc_p, const char *as, const char *a, const char *b, const char *c, const char *d,
       const char *e)
{
    char *out = NULL;
    *rc_p = harness_ctl (H, &out, NULL, "--as", as, a, b, c, d, e, NULL);
    return out? out: strdup ("");
}

static int
s_unread (const char *as)
{
    int rc;
    char *out = s_ctl (&rc, as, "notices", "unread", NULL, NULL, NULL);
    assert_int_equal (rc, 0);
    int n = atoi (out);
    free (out);
    return n;
}

static int
s_wait_unread (const char *as, int want)
{
    int n = -1;
    for (int waited = 0; waited < WAIT_MS && (n = s_unread (as)) != want; waited += 100)
        zclock_sleep (100);
    return n;
}

static void
s_subscribe (const char *as, const char *city)
{
    int rc;
    char *out = s_ctl (&rc, as, "subscribe", "--types", "enterprise.", "--city", city);
    assert_int_equal (rc, 0);
    char filter [32];
    snprintf (filter, sizeof filter, "city=%s", city);
    assert_non_null (strstr (out, "enterprise."));
    assert_non_null (strstr (out, filter));
    free (out);
}

static uint64_t
s_seq (void)
{
    char *out = harness_redis_cli (H, "GET", "{14}:seq", NULL);
    uint64_t seq = out? strtoull (out, NULL, 10): 0;
    free (out);
    return seq;
}

static int
setup (void **state)
{
    (void) state;
    H = harness_new ();
    harness_setenv (H, "NOTIFY_TICK_MS", "100");
    harness_setenv (H, "INNOV_CLOCK", "2026-06-20T09:00:00");   /* no calendar deadline near */
    if (harness_start_redis (H) < 0 || harness_start_broker (H) < 0
    ||  harness_start_service (H, "registry") < 0 || harness_start_service (H, "notify") < 0)
        return -1;
    return 0;
}

static int
teardown (void **state)
{
    (void) state;
    harness_destroy (&H);
    return 0;
}

static void
test_inbox (void **state)
{
    (void) state;
    char code [2][19];
    s_subscribe ("city:140100", "140100");
    s_subscribe ("city:140200", "140200");
    int rc;
    char *out = s_ctl (&rc, "city:140100", "subscriptions", "--json", NULL, NULL, NULL);
    assert_int_equal (rc, 0);
    char *sub_id = inv_json_get (out, "id");
    assert_non_null (sub_id);
    free (out);

    s_add (s_code ("91140105MA0NTC001", code [0]), "140105");
    assert_int_equal (s_wait_unread ("city:140100", 1), 1);
    out = s_ctl (&rc, "city:140100", "notices", "list", NULL, NULL, NULL);
    assert_int_equal (rc, 0);
    assert_non_null (strstr (out, code [0]));
    assert_non_null (strstr (out, "动态"));
    assert_non_null (strstr (out, "1 notices, 1 unread"));
    free (out);
    out = s_ctl (&rc, "city:140200", "notices", "list", NULL, NULL, NULL);
    assert_int_equal (rc, 0);
    assert_null (strstr (out, code [0]));
    free (out);
    assert_int_equal (s_unread ("city:140200"), 0);

    /* ack by id */
    out = s_ctl (&rc, "city:140100", "notices", "list", "--unread", "--json", NULL);
    assert_int_equal (rc, 0);
    char *id = inv_json_get (out, "notices[0].id");
    assert_non_null (id);
    free (out);
    out = s_ctl (&rc, "city:140100", "notices", "ack", id, NULL, NULL);
    assert_int_equal (rc, 0);
    assert_string_equal (out, "acknowledged 1\n");
    free (out);
    free (id);
    assert_int_equal (s_unread ("city:140100"), 0);

    /* ack --all */
    s_add (s_code ("91140105MA0NTC002", code [1]), "140105");
    assert_int_equal (s_wait_unread ("city:140100", 1), 1);
    out = s_ctl (&rc, "city:140100", "notices", "ack", "--all", NULL, NULL);
    assert_int_equal (rc, 0);
    assert_string_equal (out, "acknowledged 1\n");
    free (out);
    assert_int_equal (s_unread ("city:140100"), 0);
    out = s_ctl (&rc, "city:140100", "notices", "list", "--unread", NULL, NULL);
    assert_non_null (strstr (out, "0 notices, 0 unread"));
    free (out);

    /* scope and usage */
    out = s_ctl (&rc, "city:140200", "notices", "list", "--agency", "city:140100", NULL);
    assert_int_equal (rc, 1);
    free (out);
    out = s_ctl (&rc, "province", "notices", "list", "--agency", "city:140100", NULL);
    assert_int_equal (rc, 0);
    assert_non_null (strstr (out, "2 notices, 0 unread"));
    free (out);
    out = s_ctl (&rc, "city:140100", "notices", "ack", NULL, NULL, NULL);
    assert_int_equal (rc, 2);
    free (out);
    out = s_ctl (&rc, "city:140200", "notices", "watch", "--agency", "city:140100", NULL);
    assert_int_equal (rc, 1);
    free (out);

    /* unsubscribe */
    out = s_ctl (&rc, "city:140100", "unsubscribe", sub_id, NULL, NULL, NULL);
    assert_int_equal (rc, 0);
    free (out);
    out = s_ctl (&rc, "city:140100", "subscriptions", NULL, NULL, NULL, NULL);
    assert_int_equal (rc, 0);
    assert_null (strstr (out, "city=140100"));
    free (out);
    free (sub_id);
}

typedef struct {
    const char *as;
    char since [24];            /* "" = live only */
    char *out;
    int rc;
    atomic_bool done;
} watch_t;

static void *
s_watch (void *arg)
{
    watch_t *w = (watch_t *) arg;
    if (*w->since)
        w->rc = harness_ctl (H, &w->out, NULL, "--as", w->as, "notices", "watch",
                             "--since", w->since, "--count", "1", NULL);
    else
        w->rc = harness_ctl (H, &w->out, NULL, "--as", w->as, "notices", "watch", "--count", "1", NULL);
    atomic_store (&w->done, true);
    return NULL;
}

static void
test_watch (void **state)
{
    (void) state;
    s_subscribe ("city:140100", "140100");
    s_subscribe ("city:140200", "140200");
    watch_t w [2] = { { "city:140100" }, { "city:140200" } };
    pthread_t thread [2];
    for (int i = 0; i < 2; i++) {
        snprintf (w [i].since, sizeof w [i].since, "%" PRIu64, s_seq ());
        assert_int_equal (pthread_create (&thread [i], NULL, s_watch, &w [i]), 0);
    }
    char code [2][19];
    s_add (s_code ("91140105MA0NTW001", code [0]), "140105");
    assert_int_equal (s_wait_unread ("city:140100", 1), 1);     /* 140100's notice comes first */
    s_add (s_code ("91140213MA0NTW002", code [1]), "140213");
    for (int i = 0; i < 2; i++) {
        pthread_join (thread [i], NULL);
        assert_int_equal (w [i].rc, 0);
        assert_non_null (w [i].out);
        assert_non_null (strstr (w [i].out, code [i]));
        assert_null (strstr (w [i].out, code [1 - i]));
        assert_non_null (strstr (w [i].out, w [i].as));
        assert_non_null (strstr (w [i].out, "动态"));
        free (w [i].out);
    }

    /* live only: add enterprises until the watch has seen one */
    watch_t live = { "city:140100" };
    pthread_t live_thread;
    assert_int_equal (pthread_create (&live_thread, NULL, s_watch, &live), 0);
    for (int i = 0; i < 100 && !atomic_load (&live.done); i++) {
        char first17 [18], live_code [19];
        snprintf (first17, sizeof first17, "91140105MA0NL%04d", i);
        s_add (s_code (first17, live_code), "140105");
        for (int waited = 0; waited < 1000 && !atomic_load (&live.done); waited += 50)
            zclock_sleep (50);
    }
    pthread_join (live_thread, NULL);
    assert_int_equal (live.rc, 0);
    assert_non_null (live.out);
    assert_non_null (strstr (live.out, "91140105MA0NL"));
    free (live.out);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_inbox, setup, teardown),
        cmocka_unit_test_setup_teardown (test_watch, setup, teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
