/*  test_notify_webhook: the pure parts of webhook delivery (the HMAC signature against
    RFC 4231's vector, the back-off schedule, URL checks, settings), then the queue
    against a real redis-server with handlers and the worker called directly: the
    secret is given once and never listed, a matching event queues a delivery with its
    notice, a receiver that is not there is tried the configured number of times, each
    attempt logged, and the delivery ends failed with notice.delivery_failed; the log is
    read with notify.deliveries within its agency's scope. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include "redis_fixture.h"
#include "unit_call.h"
#include "../../services/notify/notify_webhook.h"
#include "../../services/notify/notify_keys.h"

static redis_fixture_t *F;
static notify_t *N;

static void
test_sign (void **state)
{
    (void) state;
    char sig [NOTIFY_WEBHOOK_SIGNATURE_LEN];
    /* RFC 4231, test case 2 */
    notify_webhook_sign ("Jefe", "what do ya want for nothing?", 28, sig);
    assert_string_equal (sig, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    char a [NOTIFY_WEBHOOK_SECRET_LEN + 1], b [NOTIFY_WEBHOOK_SECRET_LEN + 1];
    notify_webhook_secret (a);
    notify_webhook_secret (b);
    assert_int_equal (strlen (a), NOTIFY_WEBHOOK_SECRET_LEN);
    assert_string_not_equal (a, b);
    assert_int_equal (strspn (a, "0123456789abcdef"), NOTIFY_WEBHOOK_SECRET_LEN);
}

static void
test_backoff (void **state)
{
    (void) state;
    notify_settings_t s;
    notify_settings_default (&s);
    assert_int_equal (s.webhook.backoff_ms, 1000);
    assert_int_equal (s.webhook.attempts, 8);
    int64_t want [] = { 1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 512000, 600000, 600000 };
    for (uint32_t n = 1; n <= 12; n++)
        assert_int_equal (notify_webhook_backoff (&s.webhook, n), want [n - 1]);
    assert_int_equal (notify_webhook_backoff (&s.webhook, 40), 600000);     /* no overflow */
    char err [256];
    setenv ("NOTIFY_WEBHOOK_BACKOFF_MS", "50", 1);
    setenv ("NOTIFY_WEBHOOK_BACKOFF_MAX_MS", "120", 1);
    assert_int_equal (notify_settings_from_env (&s, err, sizeof err), 0);
    assert_int_equal (notify_webhook_backoff (&s.webhook, 1), 50);
    assert_int_equal (notify_webhook_backoff (&s.webhook, 2), 100);
    assert_int_equal (notify_webhook_backoff (&s.webhook, 3), 120);
    setenv ("NOTIFY_WEBHOOK_ATTEMPTS", "0", 1);
    assert_int_equal (notify_settings_from_env (&s, err, sizeof err), -1);
    assert_non_null (strstr (err, "NOTIFY_WEBHOOK_ATTEMPTS"));
    unsetenv ("NOTIFY_WEBHOOK_ATTEMPTS");
    unsetenv ("NOTIFY_WEBHOOK_BACKOFF_MS");
    unsetenv ("NOTIFY_WEBHOOK_BACKOFF_MAX_MS");
}

static void
test_url (void **state)
{
    (void) state;
    char reason [256];
    assert_true (notify_webhook_url_valid ("http://127.0.0.1:8080/hook", reason, sizeof reason));
    assert_true (notify_webhook_url_valid ("https://hooks.example.cn/a?b=c", reason, sizeof reason));
    assert_false (notify_webhook_url_valid ("ftp://x/y", reason, sizeof reason));
    assert_false (notify_webhook_url_valid ("http://", reason, sizeof reason));
    assert_false (notify_webhook_url_valid ("http://a b/", reason, sizeof reason));
}

static int
s_call (inv_handler_fn *fn, const char *caller, const ProtobufCMessage *req, inv_call_t *call)
{
    return unit_call (call, N, fn, caller, "test", req);
}

static void
test_queue (void **state)
{
    (void) state;
    /* a port with nothing listening */
    char url [64];
    snprintf (url, sizeof url, "http://127.0.0.1:%d/hook", harness_free_port ());
    Innov__Subscription sub = INNOV__SUBSCRIPTION__INIT;
    sub.type_prefix = (char *) "enterprise.";
    sub.webhook_url = (char *) "mailto:x@y";
    Innov__SubscribeRequest req = INNOV__SUBSCRIBE_REQUEST__INIT;
    req.subscription = &sub;
    inv_call_t call;
    assert_int_equal (s_call (notify_subscribe, "city:140100", &req.base, &call), 400);
    assert_non_null (strstr (call.message, "webhook_url"));
    inv_call_clear (&call);

    /* created: the secret comes once */
    sub.webhook_url = url;
    assert_int_equal (s_call (notify_subscribe, "city:140100", &req.base, &call), 200);
    Innov__Subscription *got = ((Innov__SubscriptionReply *) call.reply)->subscription;
    assert_int_equal (strlen (got->secret), NOTIFY_WEBHOOK_SECRET_LEN);
    assert_string_equal (got->webhook_url, url);
    char id [32];
    snprintf (id, sizeof id, "%s", got->id);
    inv_call_clear (&call);
    assert_int_equal (s_call (notify_subscribe, "city:140100", &req.base, &call), 200);
    assert_string_equal (((Innov__SubscriptionReply *) call.reply)->subscription->secret, "");
    inv_call_clear (&call);
    Innov__ListSubscriptionsRequest ls = INNOV__LIST_SUBSCRIPTIONS_REQUEST__INIT;
    assert_int_equal (s_call (notify_subscriptions, "city:140100", &ls.base, &call), 200);
    assert_string_equal (((Innov__ListSubscriptionsReply *) call.reply)->subscriptions [0]->secret, "");
    inv_call_clear (&call);

    /* an event queues the delivery with the notice; redelivery queues nothing more */
    Innov__Event e = INNOV__EVENT__INIT;
    e.seq = 7;
    e.type = (char *) "enterprise.created";
    e.subject = (char *) "91140105MA0KXY8T11";
    e.actor = (char *) "province";
    e.time_ms = 1772323200000;
    e.province = (char *) "14";
    e.city = (char *) "140100";
    assert_int_equal (notify_handle_event (N, &e), 0);
    assert_int_equal (notify_handle_event (N, &e), 0);
    char did [64];
    snprintf (did, sizeof did, "ev:7:%s", id);
    assert_int_equal (redis_fixture_integer (F, "ZCARD {14}:notify.wh.due"), 1);
    assert_int_equal (redis_fixture_integer (F, "ZCARD {14}:notify.wh.sub:%s", id), 1);

    /* two attempts (NOTIFY_WEBHOOK_ATTEMPTS=2 in setup), then failed, kept, announced */
    notify_webhook_t *w = notify_webhook_new (N, "test");
    assert_non_null (w);
    int64_t now = zclock_time ();
    assert_int_equal (notify_webhook_run (w, now), 1);
    assert_int_equal (notify_webhook_run (w, now + 10), 0);        /* not due yet (back-off 100 ms) */
    assert_int_equal (notify_webhook_run (w, now + 1000), 1);
    assert_int_equal (notify_webhook_run (w, now + 100000), 0);    /* nothing left to try */
    notify_webhook_destroy (&w);
    assert_int_equal (redis_fixture_integer (F, "ZCARD {14}:notify.wh.due"), 0);
    assert_int_equal (redis_fixture_integer (F, "LLEN {14}:notify.wh.log:%s", did), 2);
    assert_int_equal (redis_fixture_integer (F, "EVAL %s 1 {14}:events",
        "local n = 0 for _, e in ipairs (redis.call ('XRANGE', KEYS[1], '-', '+')) do "
        "if e[2][2] == 'notice.delivery_failed' then n = n + 1 end end return n"), 1);

    /* the log: own agency and the province read it, another city does not */
    Innov__ListDeliveriesRequest dr = INNOV__LIST_DELIVERIES_REQUEST__INIT;
    dr.subscription = id;
    assert_int_equal (s_call (notify_deliveries, "city:140200", &dr.base, &call), 403);
    inv_call_clear (&call);
    assert_int_equal (s_call (notify_deliveries, "province", &dr.base, &call), 200);
    inv_call_clear (&call);
    assert_int_equal (s_call (notify_deliveries, "city:140100", &dr.base, &call), 200);
    Innov__ListDeliveriesReply *list = (Innov__ListDeliveriesReply *) call.reply;
    assert_int_equal (list->n_deliveries, 1);
    Innov__Delivery *d = list->deliveries [0];
    assert_string_equal (d->id, did);
    assert_string_equal (d->state, "failed");
    assert_int_equal (d->attempts, 2);
    assert_int_equal (d->n_log, 2);
    assert_int_equal (d->log [0]->status, 0);
    assert_true (*d->log [0]->error);
    assert_int_equal (d->log [1]->attempt, 2);
    inv_call_clear (&call);
    dr.subscription = (char *) "snone";
    assert_int_equal (s_call (notify_deliveries, "city:140100", &dr.base, &call), 404);
    inv_call_clear (&call);
}

static int
setup (void **state)
{
    if (redis_fixture_setup (state, &F, NULL, NULL) < 0)
        return -1;
    notify_settings_t s;
    notify_settings_default (&s);
    s.year = 2026;
    s.webhook.attempts = 2;
    s.webhook.backoff_ms = 100;
    s.webhook.timeout_ms = 1000;
    N = notify_new (&F->config, &s);
    return N? 0: -1;
}

static int
teardown (void **state)
{
    (void) state;
    notify_destroy (&N);
    redis_fixture_destroy (&F);
    return 0;
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_sign),
        cmocka_unit_test (test_backoff),
        cmocka_unit_test (test_url),
        cmocka_unit_test (test_queue),
    };
    return cmocka_run_group_tests (tests, setup, teardown);
}
