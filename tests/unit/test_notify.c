/*  test_notify: notify's handlers and engine called directly (no sockets) against a
    real redis-server, with the clock given to each call: settings and lights, the
    calendar's window, reminders, overdue notices and the escalation ladder, on-time
    and late clearing, two instances ticking at once (each notice once), deadlines
    announced by events, subscriptions with filters and scope, and the inbox. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include "redis_fixture.h"
#include "unit_call.h"
#include "../../services/notify/notify.h"
#include "../../services/notify/notify_keys.h"
#include "inv_clock.h"
#include "inv_valid.h"

static redis_fixture_t *F;
static notify_t *N, *N2;            /* two instances on one Redis */
static inv_config_t C;

static int64_t
s_at (const char *text)
{
    int64_t ms = inv_clock_parse (text);
    assert_true (ms > 0);
    return ms;
}

/* Responsible groups of the calendar: cities of province 14 and departments. */
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

static char *
s_str (const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    redisReply *r = redisvCommand (inv_redis_context (F->redis), fmt, args);
    va_end (args);
    assert_non_null (r);
    char *text = strdup (r->type == REDIS_REPLY_STRING? r->str: "");
    freeReplyObject (r);
    return text;
}

static int
setup (void **state)
{
    if (redis_fixture_setup (state, &F, NULL, NULL) < 0)
        return -1;
    C = F->config;
    notify_settings_t s;
    notify_settings_default (&s);
    s.year = 2026;
    N = notify_new (&C, &s);
    N2 = notify_new (&C, &s);
    return N && N2? 0: -1;
}

static int
teardown (void **state)
{
    (void) state;
    notify_destroy (&N);
    notify_destroy (&N2);
    redis_fixture_destroy (&F);
    return 0;
}

static int
flush (void **state)
{
    (void) state;
    /* fresh instances: their memory of opened deadlines goes with the data */
    notify_settings_t s = *notify_settings (N);
    notify_destroy (&N);
    notify_destroy (&N2);
    N = notify_new (&C, &s);
    N2 = notify_new (&C, &s);
    return redis_fixture_flush (F);
}

/* An event as the stream delivers it (strings are borrowed). */
static void
s_event (Innov__Event *e, uint64_t seq, const char *type, const char *subject, const char *actor,
         int64_t time_ms, const char *city)
{
    innov__event__init (e);
    e->seq = seq;
    e->type = (char *) type;
    e->subject = (char *) subject;
    e->actor = (char *) actor;
    e->time_ms = time_ms;
    e->province = (char *) "14";
    e->city = (char *) (city? city: "");
}

static void
s_report (uint64_t seq, const char *deadline, const char *actor, const char *when)
{
    Innov__Event e;
    s_event (&e, seq, "report.submitted", deadline, actor, s_at (when), NULL);
    assert_int_equal (notify_handle_event (N, &e), 0);
}

/* A handler called as the broker would, with a caller principal. */
static int
s_call (inv_handler_fn *fn, const char *caller, const ProtobufCMessage *req, inv_call_t *call)
{
    return unit_call (call, N, fn, caller, "test", req);
}

static int
s_unread (const char *caller, const char *agency)
{
    Innov__UnreadRequest req = INNOV__UNREAD_REQUEST__INIT;
    req.agency = (char *) agency;
    inv_call_t call;
    assert_int_equal (s_call (notify_notices_unread, caller, &req.base, &call), 200);
    int n = (int) ((Innov__UnreadReply *) call.reply)->unread;
    inv_call_clear (&call);
    return n;
}

/* ---- settings ------------------------------------------------------------------------ */

static void
test_settings (void **state)
{
    (void) state;
    notify_settings_t s;
    notify_settings_default (&s);
    assert_int_equal (s.rung_count, 5);
    const char *names [] = { "remind-3d", "remind-1d", "overdue", "escalate-head", "escalate-province" };
    for (size_t i = 0; i < 5; i++)
        assert_string_equal (s.rungs [i].name, names [i]);
    assert_true (s.rungs [0].offset_ms == -3 * NOTIFY_DAY_MS);
    assert_true (s.rungs [3].offset_ms == 2 * NOTIFY_DAY_MS);
    char err [256];
    assert_int_equal (notify_settings_ladder (&s, "2h", "0:group,12h:head", err, sizeof err), 0);
    assert_int_equal (s.rung_count, 3);
    assert_int_equal (notify_settings_ladder (&s, "3x", "0:group", err, sizeof err), -1);
    assert_non_null (strstr (err, "NOTIFY_REMIND"));
    assert_int_equal (notify_settings_ladder (&s, "3d", "1d:boss", err, sizeof err), -1);
    assert_non_null (strstr (err, "NOTIFY_LADDER"));
    assert_int_equal (notify_settings_ladder (&s, "3d", "1d:head", err, sizeof err), -1);
    assert_non_null (strstr (err, "overdue"));
    notify_settings_default (&s);
    int64_t due = s_at ("2026-03-05");
    assert_string_equal (notify_light (&s, due, s_at ("2026-03-01")), "green");
    assert_string_equal (notify_light (&s, due, s_at ("2026-03-02T00:00:00")), "yellow");
    assert_string_equal (notify_light (&s, due, s_at ("2026-03-04T23:59:59")), "yellow");
    assert_string_equal (notify_light (&s, due, due), "red");
}

/* ---- calendar and ladder ------------------------------------------------------------- */

static void
test_calendar_window (void **state)
{
    (void) state;
    int groups = s_groups ();
    assert_true (groups > 11);
    /* 2026-03-03: the March ledger (due 03-05) is within the horizon, February's is
       past the grace, April's not yet near */
    assert_int_equal (notify_calendar (N, s_at ("2026-03-03T09:00")), groups);
    assert_int_equal (notify_calendar (N, s_at ("2026-03-03T09:00")), 0);
    assert_int_equal (notify_calendar (N2, s_at ("2026-03-03T09:00")), 0);      /* exists */
    assert_int_equal (redis_fixture_integer (F, "ZCARD {14}:notify.due"), groups);
    char *state_text = s_str ("HGET {14}:notify.dl:ledger:2026-03:city:140100 state");
    assert_string_equal (state_text, "open");
    free (state_text);
    assert_int_equal (redis_fixture_integer (F, "EXISTS {14}:notify.dl:ledger:2026-02:city:140100"), 0);
    assert_int_equal (redis_fixture_integer (F, "EXISTS {14}:notify.dl:ledger:2026-04:city:140100"), 0);
    /* year end: coverage (12-31), summaries (01-10) and the province's report (01-25) */
    assert_int_equal (notify_calendar (N, s_at ("2026-12-28")), groups);        /* Jan ledger is 2027 */
    assert_int_equal (redis_fixture_integer (F, "EXISTS {14}:notify.dl:coverage:2026:dept:gxt"), 1);
    assert_int_equal (redis_fixture_integer (F, "EXISTS {14}:notify.dl:ledger:2026-12:city:140100"), 0);  /* past grace */
    assert_int_equal (notify_calendar (N, s_at ("2027-01-05")), groups);
    assert_int_equal (redis_fixture_integer (F, "EXISTS {14}:notify.dl:summary:2026:city:140100"), 1);
    assert_int_equal (notify_calendar (N, s_at ("2027-01-20")), 1);
    assert_int_equal (redis_fixture_integer (F, "EXISTS {14}:notify.dl:province:2026:province"), 1);
}

static void
test_ladder (void **state)
{
    (void) state;
    int groups = s_groups ();
    /* 03-03 09:00: the 3-day reminder is due (03-02 00:00), the 1-day one not yet */
    assert_int_equal (notify_tick (N, s_at ("2026-03-03T09:00")), groups);
    assert_int_equal (notify_tick (N, s_at ("2026-03-03T09:00:01")), 0);
    assert_int_equal (s_unread ("city:140100", ""), 1);
    /* city 140100 reports on time, department gxt too; the reminders stay */
    s_report (1, "ledger:2026-03:city:140100", "city:140100", "2026-03-03T10:00");
    s_report (2, "ledger:2026-03:dept:gxt", "dept:gxt", "2026-03-04T23:59:59");
    char *st = s_str ("HGET {14}:notify.dl:ledger:2026-03:dept:gxt state");
    assert_string_equal (st, "done");
    free (st);

    /* 03-06 09:00, two instances at once: overdue for exactly the groups that did not
       report; the stale 1-day reminder is skipped; nothing doubled */
    int a = notify_tick (N, s_at ("2026-03-06T09:00"));
    int b = notify_tick (N2, s_at ("2026-03-06T09:00"));
    assert_int_equal (a + b, groups - 2);
    assert_int_equal (s_unread ("city:140100", ""), 1);
    assert_int_equal (s_unread ("city:140200", ""), 2);
    assert_int_equal (redis_fixture_integer (F, "EXISTS {14}:notice:dl:ledger:2026-03:city:140200#overdue"), 1);
    assert_int_equal (redis_fixture_integer (F, "EXISTS {14}:notice:dl:ledger:2026-03:city:140100#overdue"), 0);
    assert_int_equal (redis_fixture_integer (F, "EXISTS {14}:notice:dl:ledger:2026-03:city:140200#remind-1d"), 0);
    assert_int_equal (redis_fixture_integer (F, "SCARD {14}:inbox.unread:province"), 0);

    /* the notice carries the light: red when overdue */
    Innov__ListNoticesRequest req = INNOV__LIST_NOTICES_REQUEST__INIT;
    inv_call_t call;
    assert_int_equal (s_call (notify_notices_list, "city:140200", &req.base, &call), 200);
    Innov__ListNoticesReply *list = (Innov__ListNoticesReply *) call.reply;
    assert_int_equal (list->n_notices, 2);
    assert_int_equal (list->unread, 2);
    assert_string_equal (list->notices [0]->rung, "overdue");         /* newest first */
    assert_string_equal (list->notices [0]->light, "red");
    assert_string_equal (list->notices [0]->audience, "group");
    assert_string_equal (list->notices [1]->light, "yellow");
    inv_call_clear (&call);

    /* 03-07 09:00: past the 2-day interval, the heads are told */
    assert_int_equal (notify_tick (N2, s_at ("2026-03-07T09:00")) + notify_tick (N, s_at ("2026-03-07T09:00")),
                      groups - 2);
    char *body = s_str ("HGET {14}:notice:dl:ledger:2026-03:city:140200#escalate-head recipient");
    assert_string_equal (body, "city:140200");
    free (body);

    /* city 140200 reports late: cleared, recorded as late, escalates no further */
    s_report (3, "ledger:2026-03:city:140200", "city:140200", "2026-03-07T10:00");
    st = s_str ("HGET {14}:notify.dl:ledger:2026-03:city:140200 state");
    assert_string_equal (st, "late");
    free (st);
    assert_int_equal (redis_fixture_integer (F, "ZCARD {14}:notify.late"), 1);
    s_report (4, "ledger:2026-03:city:140200", "city:140200", "2026-03-08T10:00");  /* again: nothing */
    assert_int_equal (redis_fixture_integer (F, "ZCARD {14}:notify.late"), 1);

    /* 03-10: the province hears of those still missing, not of 140200 */
    assert_int_equal (notify_tick (N, s_at ("2026-03-10T09:00")), groups - 3);
    assert_int_equal (s_unread ("province", ""), groups - 3);
    assert_int_equal (redis_fixture_integer (F, "EXISTS {14}:notice:dl:ledger:2026-03:city:140200#escalate-province"), 0);
    /* the ladder is finished: nothing left to fire, nothing more ever */
    assert_int_equal (redis_fixture_integer (F, "ZCARD {14}:notify.due"), 0);
    assert_int_equal (notify_tick (N, s_at ("2026-03-20T09:00")), 0);
    /* one notice.created event per notice */
    long long notices = redis_fixture_integer (F, "EVAL %s 0", "return #redis.call('KEYS','{14}:notice:*')");
    long long created = redis_fixture_integer (F, "EVAL %s 0",
        "local n=0 for _,e in ipairs(redis.call('XRANGE','{14}:events','-','+')) do "
        "if e[2][2]=='notice.created' then n=n+1 end end return n");
    assert_int_equal (notices, created);
    assert_int_equal (notices, 2 * groups - 2 + groups - 2 + groups - 3);
}

static void
test_report_before_opening (void **state)
{
    (void) state;
    /* reported before the deadline opened: it opens already done and never fires */
    s_report (1, "ledger:2026-03:city:140300", "city:140300", "2026-02-20T10:00");
    notify_tick (N, s_at ("2026-03-06T09:00"));
    char *st = s_str ("HGET {14}:notify.dl:ledger:2026-03:city:140300 state");
    assert_string_equal (st, "done");
    free (st);
    assert_int_equal (s_unread ("city:140300", ""), 0);
    assert_int_equal (s_unread ("city:140400", ""), 1);
}

static void
test_announced (void **state)
{
    (void) state;
    Innov__DeadlineAnnounced a = INNOV__DEADLINE_ANNOUNCED__INIT;
    a.id = (char *) "milestone:P-17:2";
    a.title = (char *) "项目 P-17 第二阶段";
    a.agency = (char *) "county:140105";
    a.due_ms = s_at ("2026-06-20");
    a.clear_type = (char *) "milestone.reported";
    a.clear_subject = (char *) "P-17:2";
    uint8_t buf [512];
    size_t len = innov__deadline_announced__pack (&a, buf);
    Innov__Event e;
    s_event (&e, 1, "deadline.announced", a.id, "service:pairing", s_at ("2026-04-01"), NULL);
    e.payload_type = (char *) "innov.DeadlineAnnounced";
    e.payload.data = buf;
    e.payload.len = len;
    assert_int_equal (notify_handle_event (N, &e), 0);
    assert_int_equal (notify_handle_event (N2, &e), 0);         /* redelivered: no change */
    assert_int_equal (redis_fixture_integer (F, "HLEN {14}:notify.dl:ext:milestone:P-17:2"), 5);
    assert_int_equal (notify_tick (N, s_at ("2026-06-21")), 1);  /* overdue (reminders stale) */
    assert_int_equal (s_unread ("county:140105", ""), 1);
    s_event (&e, 2, "milestone.reported", "P-17:2", "county:140105", s_at ("2026-06-21T10:00"), NULL);
    assert_int_equal (notify_handle_event (N, &e), 0);
    char *st = s_str ("HGET {14}:notify.dl:ext:milestone:P-17:2 state");
    assert_string_equal (st, "late");
    free (st);
    /* a malformed announcement is skipped (acknowledged), nothing written */
    s_event (&e, 3, "deadline.announced", "x", "service:pairing", s_at ("2026-04-01"), NULL);
    long long keys = redis_fixture_integer (F, "DBSIZE");
    assert_int_equal (notify_handle_event (N, &e), 0);
    assert_int_equal (redis_fixture_integer (F, "DBSIZE"), keys);
}

/* ---- subscriptions and inbox --------------------------------------------------------- */

static void
test_subscriptions (void **state)
{
    (void) state;
    Innov__Subscription sub = INNOV__SUBSCRIPTION__INIT;
    Innov__SubscribeRequest req = INNOV__SUBSCRIBE_REQUEST__INIT;
    req.subscription = &sub;
    inv_call_t call;
    /* refusals name the field; nothing is written */
    sub.type_prefix = (char *) "";
    sub.city = (char *) "149999";
    assert_int_equal (s_call (notify_subscribe, "city:140100", &req.base, &call), 400);
    assert_non_null (strstr (call.message, "subscription.type_prefix"));
    assert_non_null (strstr (call.message, "subscription.city"));
    inv_call_clear (&call);
    sub.type_prefix = (char *) "notice.";
    sub.city = (char *) "140100";
    assert_int_equal (s_call (notify_subscribe, "city:140100", &req.base, &call), 400);
    inv_call_clear (&call);
    sub.type_prefix = (char *) "enterprise.";
    assert_int_equal (s_call (notify_subscribe, "anonymous", &req.base, &call), 403);
    inv_call_clear (&call);
    sub.agency = (char *) "city:140200";
    assert_int_equal (s_call (notify_subscribe, "city:140100", &req.base, &call), 403);
    inv_call_clear (&call);
    assert_int_equal (redis_fixture_integer (F, "DBSIZE"), 0);

    /* city 140100 follows enterprise.* of its city; subscribing twice keeps one */
    sub.agency = (char *) "";
    assert_int_equal (s_call (notify_subscribe, "city:140100", &req.base, &call), 200);
    char id [32];
    snprintf (id, sizeof id, "%s", ((Innov__SubscriptionReply *) call.reply)->subscription->id);
    inv_call_clear (&call);
    assert_int_equal (s_call (notify_subscribe, "city:140100", &req.base, &call), 200);
    assert_string_equal (((Innov__SubscriptionReply *) call.reply)->subscription->id, id);
    inv_call_clear (&call);
    assert_int_equal (redis_fixture_integer (F, "HLEN {14}:notify.subs"), 1);
    /* the province subscribes department gxt to mentor pairings in cluster 半导体 */
    Innov__Subscription sub2 = INNOV__SUBSCRIPTION__INIT;
    sub2.agency = (char *) "dept:gxt";
    sub2.type_prefix = (char *) "pairing.";
    sub2.department = (char *) "省工信厅";
    req.subscription = &sub2;
    assert_int_equal (s_call (notify_subscribe, "province", &req.base, &call), 200);
    assert_string_equal (((Innov__SubscriptionReply *) call.reply)->subscription->department, "gxt");
    inv_call_clear (&call);

    /* events: 140100's enterprise -> a notice; 140200's -> none; redelivery -> none more */
    Innov__Event e;
    s_event (&e, 10, "enterprise.created", "91140105MA0KXY8T11", "province", s_at ("2026-03-01"), "140100");
    assert_int_equal (notify_handle_event (N, &e), 0);
    assert_int_equal (notify_handle_event (N2, &e), 0);
    s_event (&e, 11, "enterprise.created", "91140200MA0KXY8T11", "province", s_at ("2026-03-01"), "140200");
    assert_int_equal (notify_handle_event (N, &e), 0);
    s_event (&e, 12, "agency.updated", "140100", "province", s_at ("2026-03-01"), "140100");
    assert_int_equal (notify_handle_event (N, &e), 0);
    s_event (&e, 13, "enterprise.updated", "91140105MA0KXY8T11", "city:140100", s_at ("2026-03-01"), "140100");
    assert_int_equal (notify_handle_event (N, &e), 0);     /* its own change: not told */
    assert_int_equal (s_unread ("city:140100", ""), 1);
    assert_int_equal (s_unread ("province", "city:140200"), 0);

    /* scope: own inbox only, the province reads any */
    Innov__ListNoticesRequest list = INNOV__LIST_NOTICES_REQUEST__INIT;
    list.agency = (char *) "city:140100";
    assert_int_equal (s_call (notify_notices_list, "city:140200", &list.base, &call), 403);
    inv_call_clear (&call);
    assert_int_equal (s_call (notify_notices_list, "province", &list.base, &call), 200);
    Innov__ListNoticesReply *reply = (Innov__ListNoticesReply *) call.reply;
    assert_int_equal (reply->n_notices, 1);
    assert_string_equal (reply->notices [0]->event_type, "enterprise.created");
    assert_string_equal (reply->notices [0]->audience, "subscriber");
    char nid [128];
    snprintf (nid, sizeof nid, "%s", reply->notices [0]->id);
    inv_call_clear (&call);

    /* acknowledge: another agency cannot; the owner can, once */
    Innov__AckRequest ack = INNOV__ACK_REQUEST__INIT;
    char *ids [] = { nid };
    ack.ids = ids;
    ack.n_ids = 1;
    assert_int_equal (s_call (notify_notices_ack, "city:140200", &ack.base, &call), 200);
    assert_int_equal (((Innov__AckReply *) call.reply)->acknowledged, 0);
    inv_call_clear (&call);
    assert_int_equal (s_call (notify_notices_ack, "city:140100", &ack.base, &call), 200);
    assert_int_equal (((Innov__AckReply *) call.reply)->acknowledged, 1);
    inv_call_clear (&call);
    assert_int_equal (s_call (notify_notices_ack, "city:140100", &ack.base, &call), 200);
    assert_int_equal (((Innov__AckReply *) call.reply)->acknowledged, 0);
    inv_call_clear (&call);
    assert_int_equal (s_unread ("city:140100", ""), 0);
    list.agency = (char *) "";
    list.unread_only = true;
    assert_int_equal (s_call (notify_notices_list, "city:140100", &list.base, &call), 200);
    assert_int_equal (((Innov__ListNoticesReply *) call.reply)->n_notices, 0);
    inv_call_clear (&call);
    ack.n_ids = 0;
    assert_int_equal (s_call (notify_notices_ack, "city:140100", &ack.base, &call), 400);
    inv_call_clear (&call);

    /* list and remove */
    Innov__ListSubscriptionsRequest ls = INNOV__LIST_SUBSCRIPTIONS_REQUEST__INIT;
    assert_int_equal (s_call (notify_subscriptions, "city:140100", &ls.base, &call), 200);
    assert_int_equal (((Innov__ListSubscriptionsReply *) call.reply)->n_subscriptions, 1);
    inv_call_clear (&call);
    Innov__UnsubscribeRequest un = INNOV__UNSUBSCRIBE_REQUEST__INIT;
    un.id = id;
    assert_int_equal (s_call (notify_unsubscribe, "city:140200", &un.base, &call), 403);
    inv_call_clear (&call);
    assert_int_equal (s_call (notify_unsubscribe, "city:140100", &un.base, &call), 200);
    inv_call_clear (&call);
    assert_int_equal (s_call (notify_unsubscribe, "city:140100", &un.base, &call), 404);
    inv_call_clear (&call);
    assert_int_equal (redis_fixture_integer (F, "HLEN {14}:notify.subs"), 1);
    s_event (&e, 14, "enterprise.created", "91140105MA0KXY8T12", "province", s_at ("2026-03-01"), "140100");
    assert_int_equal (notify_handle_event (N, &e), 0);
    assert_int_equal (s_unread ("city:140100", ""), 0);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_settings),
        cmocka_unit_test_setup (test_calendar_window, flush),
        cmocka_unit_test_setup (test_ladder, flush),
        cmocka_unit_test_setup (test_report_before_opening, flush),
        cmocka_unit_test_setup (test_announced, flush),
        cmocka_unit_test_setup (test_subscriptions, flush),
    };
    return cmocka_run_group_tests (tests, setup, teardown);
}
