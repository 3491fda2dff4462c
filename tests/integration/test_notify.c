/*  test_notify: the notify service as deployed, with real Redis, broker, registry and
    TWO notify instances working the same province.

    Overdue reports: the instances start with the clock at 2026-03-03 09:00 (INNOV_CLOCK),
    open the March ledger deadlines and send the 3-day reminders. Two groups report on
    time: the report service is not part of the system yet, so the test writes their
    report.submitted events through inv_store, as that service will. The instances are
    restarted with the clock at 03-06 09:00: exactly the groups that did not report get an
    overdue notice; at 03-07 the heads are told; one group reports late and is recorded
    as late; at 03-10 the province hears of the groups still missing, not of that one.
    Every restart also shows that deadlines and timers live in Redis. Across both
    instances and all restarts each notice exists once and has one notice.created event.

    Subscriptions: city 140100 subscribes to enterprise.* of its city and city 140200
    to those of its own; the registry adds an enterprise in 140105 (太原); 140100's inbox
    gets the notice, 140200's does not.

    Killed mid-stream: 300 events wait on the stream, 20 of them held unacknowledged by
    a consumer that is gone; two instances start and one is killed (SIGKILL) at once;
    the survivor claims what the dead ones held: 300 notices, none lost, none doubled,
    nothing left pending.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include <signal.h>
#include "stack.h"
#include "inv_clock.h"
#include "inv_redis.h"
#include "inv_rpc.h"
#include "inv_store.h"
#include "inv_valid.h"
#include "notify.pb-c.h"

#define WAIT_MS   15000

static harness_t *H;
static inv_redis_t *R;
static pid_t P [2];

/* What the report service will write when a group submits its report. */
static const char s_report_body [] =
    "local function main ()\n"
    "  emit ('report.submitted', ARGV[4], '', '', {})\n"
    "  return reply (200, 'submitted')\n"
    "end\n";

static long long
s_int (const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    char *command = zsys_vprintf (fmt, args);
    va_end (args);
    redisReply *r = inv_redis_command (R, "EVAL %s 0", command);
    free (command);
    assert_non_null (r);
    long long n = r->type == REDIS_REPLY_INTEGER? r->integer: r->type == REDIS_REPLY_STRING? atoll (r->str): -1;
    freeReplyObject (r);
    return n;
}

static long long
s_keys (const char *pattern)
{
    return s_int ("return #redis.call('KEYS','%s')", pattern);
}

/* Poll until the Lua expression returns want; returns the last value. */
static long long
s_wait_keys (const char *pattern, long long want)
{
    long long n = -1;
    for (int waited = 0; waited < WAIT_MS; waited += 50) {
        if ((n = s_keys (pattern)) == want)
            break;
        zclock_sleep (50);
    }
    return n;
}

static char *
s_state (const char *deadline)
{
    redisReply *r = inv_redis_command (R, "HGET {14}:notify.dl:%s state", deadline);
    assert_non_null (r);
    char *text = strdup (r->type == REDIS_REPLY_STRING? r->str: "");
    freeReplyObject (r);
    return text;
}

static void
s_wait_state (const char *deadline, const char *want)
{
    char *state = NULL;
    for (int waited = 0; waited < WAIT_MS; waited += 50) {
        free (state);
        state = s_state (deadline);
        if (streq (state, want))
            break;
        zclock_sleep (50);
    }
    assert_string_equal (state, want);
    free (state);
}

static int
s_groups (void)
{
    size_t count;
    int groups = 0;
    const inv_division_t *d = inv_division_all (&count);
    for (size_t i = 0; i < count; i++)
        groups += d [i].level == INV_DIV_CITY && strncmp (d [i].code, "14", 2) == 0;
    inv_department_all (&count);
    return groups + (int) count;
}

/* (Re)start both instances with the clock at `when`. */
static void
s_start_notify (const char *when)
{
    for (int i = 0; i < 2; i++)
        if (P [i] > 0)
            harness_kill (H, P [i], SIGTERM);
    harness_setenv (H, "INNOV_CLOCK", when);
    for (int i = 0; i < 2; i++) {
        P [i] = harness_start_service (H, "notify");
        assert_true (P [i] > 0);
    }
    assert_true (harness_wait_service (H, "notify", 2, WAIT_MS));
}

static void
s_submit (const char *deadline, const char *agency, const char *when)
{
    inv_clock_set_ms (inv_clock_parse (when));
    char *source = inv_store_script_source (s_report_body);
    inv_script_t script = { "report_submitted", source, "" };
    size_t len = strlen (deadline);
    inv_store_result_t result;
    inv_store_write (R, &script, "14", agency, "", 0, NULL, NULL, 1, &deadline, &len, &result);
    assert_int_equal (result.code, 200);
    inv_store_result_clear (&result);
    free (source);
}

static int
s_unread (const char *as)
{
    Innov__UnreadRequest req = INNOV__UNREAD_REQUEST__INIT;
    ProtobufCMessage *reply = NULL;
    assert_int_equal (stack_rpc (H, as, "notify", "notices.unread", &req.base, &innov__unread_reply__descriptor,
                                 &reply, NULL), 200);
    int n = (int) ((Innov__UnreadReply *) reply)->unread;
    protobuf_c_message_free_unpacked (reply, NULL);
    return n;
}

static int
setup (void **state)
{
    (void) state;
    P [0] = P [1] = -1;
    H = stack_new ("NOTIFY_TICK_MS=100 NOTIFY_YEAR=2026", "redis", "broker", "registry", NULL);
    R = H? inv_redis_new (harness_redis (H)): NULL;
    return R? 0: -1;
}

static int
teardown (void **state)
{
    (void) state;
    inv_redis_destroy (&R);
    harness_destroy (&H);
    inv_clock_reset ();
    return 0;
}

static void
test_overdue_and_escalation (void **state)
{
    (void) state;
    int groups = s_groups ();
    s_start_notify ("2026-03-03T09:00:00");
    assert_int_equal (s_wait_keys ("{14}:notice:dl:ledger:2026-03:*#remind-3d", groups), groups);
    s_submit ("ledger:2026-03:city:140100", "city:140100", "2026-03-03T10:00:00");
    s_submit ("ledger:2026-03:dept:gxt", "dept:gxt", "2026-03-04T18:00:00");
    s_wait_state ("ledger:2026-03:city:140100", "done");
    s_wait_state ("ledger:2026-03:dept:gxt", "done");

    /* the 6th: exactly the groups that did not report are overdue */
    s_start_notify ("2026-03-06T09:00:00");
    assert_int_equal (s_wait_keys ("{14}:notice:dl:ledger:2026-03:*#overdue", groups - 2), groups - 2);
    assert_int_equal (s_keys ("{14}:notice:dl:ledger:2026-03:city:140100#*"), 1);   /* the reminder */
    assert_int_equal (s_keys ("{14}:notice:dl:ledger:2026-03:dept:gxt#overdue"), 0);
    assert_int_equal (s_keys ("{14}:notice:dl:ledger:2026-03:city:140200#overdue"), 1);
    assert_int_equal (s_keys ("{14}:notice:dl:*#remind-1d"), 0);                     /* stale, skipped */

    Innov__ListNoticesRequest list = INNOV__LIST_NOTICES_REQUEST__INIT;
    ProtobufCMessage *reply = NULL;
    assert_int_equal (stack_rpc (H, "city:140200", "notify", "notices.list", &list.base,
                                 &innov__list_notices_reply__descriptor, &reply, NULL), 200);
    Innov__ListNoticesReply *notices = (Innov__ListNoticesReply *) reply;
    assert_int_equal (notices->n_notices, 2);
    assert_string_equal (notices->notices [0]->kind, "overdue");
    assert_string_equal (notices->notices [0]->light, "red");
    assert_string_equal (notices->notices [1]->light, "yellow");
    protobuf_c_message_free_unpacked (reply, NULL);
    list.agency = (char *) "city:140300";
    assert_int_equal (stack_rpc (H, "city:140200", "notify", "notices.list", &list.base,
                                 &innov__list_notices_reply__descriptor, &reply, NULL), 403);

    /* the 7th: past the 2-day interval, the heads */
    s_start_notify ("2026-03-07T09:00:00");
    assert_int_equal (s_wait_keys ("{14}:notice:dl:*#escalate-head", groups - 2), groups - 2);
    /* city 140200 reports late: cleared and recorded as late */
    s_submit ("ledger:2026-03:city:140200", "city:140200", "2026-03-07T10:00:00");
    s_wait_state ("ledger:2026-03:city:140200", "late");
    assert_int_equal (s_int ("return redis.call('ZCARD','{14}:notify.late')"), 1);

    /* the 10th: the province, for the groups still missing only */
    s_start_notify ("2026-03-10T09:00:00");
    assert_int_equal (s_wait_keys ("{14}:notice:dl:*#escalate-province", groups - 3), groups - 3);
    assert_int_equal (s_keys ("{14}:notice:dl:ledger:2026-03:city:140200#escalate-province"), 0);
    assert_int_equal (s_unread ("province"), groups - 3);
    /* nothing left to fire; let both instances tick a few more times */
    assert_int_equal (s_wait_keys ("{14}:notify.due", 0), 0);
    zclock_sleep (500);

    /* no notice doubled: one notice.created event per notice, each id once */
    long long total = s_keys ("{14}:notice:*");
    assert_int_equal (total, groups + (groups - 2) + (groups - 2) + (groups - 3));
    long long events = s_int ("local n, seen = 0, {} "
        "for _,e in ipairs(redis.call('XRANGE','{14}:events','-','+')) do "
        "  if e[2][2]=='notice.created' then "
        "    if seen[e[2][4]] then return -1 end seen[e[2][4]] = true n = n + 1 end end "
        "return n");
    assert_int_equal (events, total);
}

static void
test_subscription_between_cities (void **state)
{
    (void) state;
    s_start_notify ("2026-06-20T09:00:00");     /* no calendar deadline near */
    const char *cities [] = { "140100", "140200" };
    for (int i = 0; i < 2; i++) {
        Innov__Subscription sub = INNOV__SUBSCRIPTION__INIT;
        sub.type_prefix = (char *) "enterprise.";
        sub.city = (char *) cities [i];
        Innov__SubscribeRequest req = INNOV__SUBSCRIBE_REQUEST__INIT;
        req.subscription = &sub;
        char as [32];
        snprintf (as, sizeof as, "city:%s", cities [i]);
        ProtobufCMessage *reply = NULL;
        assert_int_equal (stack_rpc (H, as, "notify", "notify.subscribe", &req.base,
                                     &innov__subscription_reply__descriptor, &reply, NULL), 200);
        protobuf_c_message_free_unpacked (reply, NULL);
    }
    char *out = NULL;
    int rc = harness_ctl (H, &out, NULL, "enterprise", "add", "--code", "91140105MA0KXY8T11",
                          "--name", "太原示例机械有限公司", "--county", "140105", "--industry", "3311",
                          "--department", "省工信厅", NULL);
    free (out);
    assert_int_equal (rc, 0);
    int unread = 0;
    for (int waited = 0; waited < WAIT_MS && unread == 0; waited += 50) {
        unread = s_unread ("city:140100");
        if (!unread)
            zclock_sleep (50);
    }
    assert_int_equal (unread, 1);
    assert_int_equal (s_unread ("city:140200"), 0);
    Innov__ListNoticesRequest list = INNOV__LIST_NOTICES_REQUEST__INIT;
    ProtobufCMessage *reply = NULL;
    assert_int_equal (stack_rpc (H, "city:140100", "notify", "notices.list", &list.base,
                                 &innov__list_notices_reply__descriptor, &reply, NULL), 200);
    Innov__ListNoticesReply *notices = (Innov__ListNoticesReply *) reply;
    assert_int_equal (notices->n_notices, 1);
    assert_string_equal (notices->notices [0]->event_type, "enterprise.created");
    assert_string_equal (notices->notices [0]->subject, "91140105MA0KXY8T11");
    protobuf_c_message_free_unpacked (reply, NULL);
}

/* What a registry write looks like on the stream: an enterprise.updated event of 太原. */
static const char s_event_body [] =
    "local function main ()\n"
    "  emit ('enterprise.updated', ARGV[4], 'innov.Enterprise', '', { city = '140100', county = '140105' })\n"
    "  return reply (200, 'updated')\n"
    "end\n";

static void
test_instance_killed_mid_stream (void **state)
{
    (void) state;
    const int events = 300, ghost = 20;
    harness_setenv (H, "NOTIFY_CLAIM_IDLE_MS", "300");
    s_start_notify ("2026-06-20T09:00:00");
    Innov__Subscription sub = INNOV__SUBSCRIPTION__INIT;
    sub.type_prefix = (char *) "enterprise.";
    sub.city = (char *) "140100";
    Innov__SubscribeRequest req = INNOV__SUBSCRIBE_REQUEST__INIT;
    req.subscription = &sub;
    ProtobufCMessage *reply = NULL;
    assert_int_equal (stack_rpc (H, "city:140100", "notify", "notify.subscribe", &req.base,
                                 &innov__subscription_reply__descriptor, &reply, NULL), 200);
    protobuf_c_message_free_unpacked (reply, NULL);
    for (int i = 0; i < 2; i++)
        harness_kill (H, P [i], SIGTERM);
    P [0] = P [1] = -1;

    /* the events arrive while no instance runs */
    char *source = inv_store_script_source (s_event_body);
    inv_script_t script = { "enterprise_updated", source, "" };
    for (int i = 0; i < events; i++) {
        char subject [32];
        snprintf (subject, sizeof subject, "E%05d", i);
        const char *arg = subject;
        size_t len = strlen (subject);
        inv_store_result_t result;
        inv_store_write (R, &script, "14", "province", "", 0, NULL, NULL, 1, &arg, &len, &result);
        assert_int_equal (result.code, 200);
        inv_store_result_clear (&result);
    }
    free (source);
    /* an instance that died holding 20 of them, never acknowledged */
    redisReply *r = inv_redis_command (R, "XREADGROUP GROUP notify ghost COUNT %d STREAMS {14}:events >", ghost);
    assert_non_null (r);
    freeReplyObject (r);
    assert_int_equal (s_int ("return redis.call('XPENDING','{14}:events','notify')[1]"), ghost);

    /* two instances start; one is killed while they work through the stream */
    s_start_notify ("2026-06-20T09:00:00");
    zclock_sleep (20);
    harness_kill (H, P [0], SIGKILL);
    P [0] = -1;
    long long n = -1;
    for (int waited = 0; waited < WAIT_MS; waited += 50) {
        n = s_int ("return redis.call('ZCARD','{14}:inbox:city:140100')");
        if (n == events && s_int ("return redis.call('XPENDING','{14}:events','notify')[1]") == 0)
            break;
        zclock_sleep (50);
    }
    assert_int_equal (n, events);                /* none lost */
    assert_int_equal (s_int ("return redis.call('XPENDING','{14}:events','notify')[1]"), 0);
    long long created = s_int ("local n, seen = 0, {} "
        "for _,e in ipairs(redis.call('XRANGE','{14}:events','-','+')) do "
        "  if e[2][2]=='notice.created' then "
        "    if seen[e[2][4]] then return -1 end seen[e[2][4]] = true n = n + 1 end end "
        "return n");
    assert_int_equal (created, events);          /* none doubled */
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_overdue_and_escalation, setup, teardown),
        cmocka_unit_test_setup_teardown (test_subscription_between_cities, setup, teardown),
        cmocka_unit_test_setup_teardown (test_instance_killed_mid_stream, setup, teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
