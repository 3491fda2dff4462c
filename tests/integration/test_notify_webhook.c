/*  test_notify_webhook: webhook delivery with real processes and a real HTTP receiver.

    Redis, the broker and notify run as deployed, with short back-off
    (NOTIFY_WEBHOOK_BACKOFF_MS=200, 3 attempts). The receiver is a small HTTP/1.1 server
    in this process on a free loopback port: it records every request (headers, body)
    and answers 500 to the first N of them when told to. Events are written through
    inv_store as any service writes them.

    - signed: a subscribed agency's notice is POSTed once as JSON, its
      X-Innov-Signature is the HMAC of the body with the secret the subscription reply
      gave, X-Innov-Delivery is the notice id; notify.deliveries shows it delivered.
    - retried: a receiver that fails twice gets the delivery on the third attempt; the
      log shows 500, 500, 200.
    - down: a receiver that is never there ends failed after 3 attempts, kept, with one
      notice.delivery_failed event.
    - restart: notify is killed between the first (failed) attempt and the second; a new
      process makes the second, which succeeds.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include <signal.h>
#include <poll.h>
#include <pthread.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "stack.h"
#include "inv_json.h"
#include "inv_redis.h"
#include "inv_rpc.h"
#include "inv_store.h"
#include "notify.pb-c.h"
#include "../../services/notify/notify_webhook.h"

#define WAIT_MS     15000
#define RX_MAX      32

/* ---- the receiver -------------------------------------------------------------------- */

typedef struct {
    char delivery [128], signature [128], timestamp [32], type [64];
    char *body;
} rx_request_t;

static struct {
    int fd, port;
    pthread_t thread;
    pthread_mutex_t lock;
    volatile int stop;
    int fail_first;             /* answer 500 to this many more requests */
    int count;
    rx_request_t requests [RX_MAX];
} Rx;

/* The value of header name in head (lines ending in \r\n) into out. */
static void
s_header (const char *head, const char *name, char *out, size_t size)
{
    *out = '\0';
    size_t len = strlen (name);
    for (const char *line = head; line && *line; line = strstr (line, "\r\n")? strstr (line, "\r\n") + 2: NULL)
        if (strncasecmp (line, name, len) == 0 && line [len] == ':') {
            const char *value = line + len + 1;
            while (*value == ' ')
                value++;
            size_t n = strcspn (value, "\r\n");
            snprintf (out, size, "%.*s", (int) n, value);
            return;
        }
}

static void
s_serve (int client)
{
    char buf [65536];
    size_t used = 0;
    char *end = NULL;
    while (!end && used < sizeof buf - 1) {
        ssize_t n = recv (client, buf + used, sizeof buf - 1 - used, 0);
        if (n <= 0)
            return;
        used += (size_t) n;
        buf [used] = '\0';
        end = strstr (buf, "\r\n\r\n");
    }
    if (!end)
        return;
    char length [32];
    s_header (buf, "Content-Length", length, sizeof length);
    size_t head = (size_t) (end + 4 - buf), want = head + (size_t) atoi (length);
    while (used < want && used < sizeof buf - 1) {
        ssize_t n = recv (client, buf + used, sizeof buf - 1 - used, 0);
        if (n <= 0)
            return;
        used += (size_t) n;
    }
    buf [used] = '\0';
    pthread_mutex_lock (&Rx.lock);
    bool fail = Rx.fail_first > 0;
    if (fail)
        Rx.fail_first--;
    if (Rx.count < RX_MAX) {
        rx_request_t *r = &Rx.requests [Rx.count++];
        s_header (buf, "X-Innov-Delivery", r->delivery, sizeof r->delivery);
        s_header (buf, "X-Innov-Signature", r->signature, sizeof r->signature);
        s_header (buf, "X-Innov-Timestamp", r->timestamp, sizeof r->timestamp);
        s_header (buf, "Content-Type", r->type, sizeof r->type);
        r->body = strdup (buf + head);
    }
    pthread_mutex_unlock (&Rx.lock);
    const char *answer = fail?
        "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n":
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
    ssize_t sent = send (client, answer, strlen (answer), MSG_NOSIGNAL);
    (void) sent;
}

static void *
s_receiver (void *arg)
{
    (void) arg;
    while (!Rx.stop) {
        struct pollfd p = { Rx.fd, POLLIN, 0 };
        if (poll (&p, 1, 50) == 1) {
            int client = accept (Rx.fd, NULL, NULL);
            if (client >= 0) {
                s_serve (client);
                close (client);
            }
        }
    }
    return NULL;
}

static int
s_receiver_start (void)
{
    memset (&Rx, 0, sizeof Rx);
    pthread_mutex_init (&Rx.lock, NULL);
    Rx.fd = socket (AF_INET, SOCK_STREAM, 0);
    int on = 1;
    setsockopt (Rx.fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
    socklen_t len = sizeof addr;
    if (Rx.fd < 0 || bind (Rx.fd, (struct sockaddr *) &addr, sizeof addr)
    ||  listen (Rx.fd, 16) || getsockname (Rx.fd, (struct sockaddr *) &addr, &len))
        return -1;
    Rx.port = ntohs (addr.sin_port);
    return pthread_create (&Rx.thread, NULL, s_receiver, NULL);
}

static void
s_receiver_reset (int fail_first)
{
    pthread_mutex_lock (&Rx.lock);
    for (int i = 0; i < Rx.count; i++)
        free (Rx.requests [i].body);
    Rx.count = 0;
    Rx.fail_first = fail_first;
    pthread_mutex_unlock (&Rx.lock);
}

static void
s_receiver_stop (void)
{
    Rx.stop = 1;
    pthread_join (Rx.thread, NULL);
    close (Rx.fd);
    s_receiver_reset (0);
    pthread_mutex_destroy (&Rx.lock);
}

static int
s_received (void)
{
    pthread_mutex_lock (&Rx.lock);
    int n = Rx.count;
    pthread_mutex_unlock (&Rx.lock);
    return n;
}

/* ---- the stack ----------------------------------------------------------------------- */

static harness_t *H;
static inv_redis_t *R;
static pid_t P = -1;

/* city:140100 subscribes to events of type prefix with a webhook at path; returns the
   reply (the caller frees it). */
static Innov__Subscription *
s_subscribe (const char *prefix, const char *url, ProtobufCMessage **reply)
{
    Innov__Subscription sub = INNOV__SUBSCRIPTION__INIT;
    sub.type_prefix = (char *) prefix;
    sub.webhook_url = (char *) url;
    Innov__SubscribeRequest req = INNOV__SUBSCRIBE_REQUEST__INIT;
    req.subscription = &sub;
    assert_int_equal (stack_rpc (H, "city:140100", "notify", "notify.subscribe", &req.base,
                                 &innov__subscription_reply__descriptor, reply, NULL), 200);
    Innov__Subscription *got = ((Innov__SubscriptionReply *) *reply)->subscription;
    assert_int_equal (strlen (got->secret), NOTIFY_WEBHOOK_SECRET_LEN);
    return got;
}

static const char s_event_body [] =
    "local function main ()\n"
    "  local seq = emit (ARGV[4], '91140105MA0KXY8T11', '', '', { city = '140100' })\n"
    "  return reply (200, tostring (seq))\n"
    "end\n";

/* An event of type as the province's services write it; its sequence number. */
static long long
s_emit (const char *type)
{
    char *source = inv_store_script_source (s_event_body);
    inv_script_t script = { "test_event", source, "" };
    size_t len = strlen (type);
    inv_store_result_t result;
    inv_store_write (R, &script, "14", "province", "", 0, NULL, NULL, 1, &type, &len, &result);
    assert_int_equal (result.code, 200);
    long long seq = atoll (result.message);
    inv_store_result_clear (&result);
    free (source);
    return seq;
}

/* The delivery of subscription id once its state is want (NULL-free reply in *reply).
   A poll: a request that gets no answer counts as "not yet", since just after a notify
   instance is killed the broker may still hand a request to the dead worker until its
   heartbeats run out. */
static Innov__Delivery *
s_wait_delivery (const char *id, const char *want, ProtobufCMessage **reply)
{
    Innov__ListDeliveriesRequest req = INNOV__LIST_DELIVERIES_REQUEST__INIT;
    req.subscription = (char *) id;
    int64_t deadline = zclock_mono () + 2 * WAIT_MS;
    while (true) {
        *reply = NULL;
        int code = stack_rpc (H, "city:140100", "notify", "notify.deliveries", &req.base,
                              &innov__list_deliveries_reply__descriptor, reply, NULL);
        Innov__ListDeliveriesReply *list = (Innov__ListDeliveriesReply *) *reply;
        if (code == 200 && list->n_deliveries == 1 && streq (list->deliveries [0]->state, want))
            return list->deliveries [0];
        if (zclock_mono () > deadline)
            fail_msg ("delivery of %s not %s after %d ms (last answer %d)", id, want, 2 * WAIT_MS, code);
        if (*reply)
            protobuf_c_message_free_unpacked (*reply, NULL);
        zclock_sleep (100);
    }
}

static long long
s_events_of (const char *type)
{
    redisReply *r = inv_redis_command (R, "EVAL %s 1 {14}:events %s",
        "local n = 0 for _, e in ipairs (redis.call ('XRANGE', KEYS[1], '-', '+')) do "
        "if e[2][2] == ARGV[1] then n = n + 1 end end return n", type);
    assert_non_null (r);
    long long n = r->integer;
    freeReplyObject (r);
    return n;
}

static pid_t
s_start_notify (const char *backoff_ms)
{
    harness_setenv (H, "NOTIFY_WEBHOOK_BACKOFF_MS", backoff_ms);
    pid_t pid = harness_start_service (H, "notify");
    assert_true (pid > 0);
    assert_true (harness_wait_service (H, "notify", 1, WAIT_MS));
    return pid;
}

static int
setup (void **state)
{
    (void) state;
    H = stack_new ("NOTIFY_TICK_MS=100 NOTIFY_YEAR=2026 NOTIFY_WEBHOOK_BACKOFF_MAX_MS=2000 "
                   "NOTIFY_WEBHOOK_ATTEMPTS=3 NOTIFY_WEBHOOK_TIMEOUT_MS=1000", "redis", "broker", NULL);
    if (!H || s_receiver_start ())
        return -1;
    R = inv_redis_new (harness_redis (H));
    return R? 0: -1;
}

static int
teardown (void **state)
{
    (void) state;
    inv_redis_destroy (&R);
    harness_destroy (&H);
    s_receiver_stop ();
    return 0;
}

/* ---- the tests ----------------------------------------------------------------------- */

static void
test_signed (void **state)
{
    (void) state;
    P = s_start_notify ("200");
    s_receiver_reset (0);
    char url [80];
    snprintf (url, sizeof url, "http://127.0.0.1:%d/signed", Rx.port);
    ProtobufCMessage *sub_reply;
    Innov__Subscription *sub = s_subscribe ("webhook.signed.", url, &sub_reply);
    long long seq = s_emit ("webhook.signed.created");
    ProtobufCMessage *reply;
    Innov__Delivery *d = s_wait_delivery (sub->id, "delivered", &reply);
    char id [128];
    snprintf (id, sizeof id, "ev:%lld:%s", seq, sub->id);
    assert_string_equal (d->id, id);
    assert_int_equal (d->attempts, 1);
    assert_int_equal (d->n_log, 1);
    assert_int_equal (d->log [0]->status, 200);
    assert_string_equal (d->log [0]->error, "");
    protobuf_c_message_free_unpacked (reply, NULL);

    assert_int_equal (s_received (), 1);
    rx_request_t *r = &Rx.requests [0];
    assert_string_equal (r->delivery, id);
    assert_string_equal (r->type, "application/json");
    assert_true (atoll (r->timestamp) > 0);
    char want [NOTIFY_WEBHOOK_SIGNATURE_LEN];
    notify_webhook_sign (sub->secret, r->body, strlen (r->body), want);
    assert_string_equal (r->signature, want);
    notify_webhook_sign ("not the secret", r->body, strlen (r->body), want);
    assert_string_not_equal (r->signature, want);
    char *field = inv_json_get (r->body, "id");
    assert_non_null (field);
    assert_string_equal (field, id);
    free (field);
    field = inv_json_get (r->body, "eventType");
    assert_string_equal (field, "webhook.signed.created");
    free (field);
    field = inv_json_get (r->body, "recipient");
    assert_string_equal (field, "city:140100");
    free (field);
    assert_int_equal (s_events_of ("notice.delivered"), 1);
    protobuf_c_message_free_unpacked (sub_reply, NULL);
    harness_kill (H, P, SIGTERM);
}

static void
test_retried (void **state)
{
    (void) state;
    P = s_start_notify ("200");
    s_receiver_reset (2);
    char url [80];
    snprintf (url, sizeof url, "http://127.0.0.1:%d/retried", Rx.port);
    ProtobufCMessage *sub_reply;
    Innov__Subscription *sub = s_subscribe ("webhook.retried.", url, &sub_reply);
    s_emit ("webhook.retried.created");
    ProtobufCMessage *reply;
    Innov__Delivery *d = s_wait_delivery (sub->id, "delivered", &reply);
    assert_int_equal (d->attempts, 3);
    assert_int_equal (d->n_log, 3);
    assert_int_equal (d->log [0]->status, 500);
    assert_string_equal (d->log [0]->error, "HTTP 500");
    assert_int_equal (d->log [1]->status, 500);
    assert_int_equal (d->log [2]->status, 200);
    assert_true (d->log [1]->time_ms >= d->log [0]->time_ms + 200);     /* backed off */
    protobuf_c_message_free_unpacked (reply, NULL);
    assert_int_equal (s_received (), 3);
    assert_string_equal (Rx.requests [0].delivery, Rx.requests [2].delivery);
    protobuf_c_message_free_unpacked (sub_reply, NULL);
    harness_kill (H, P, SIGTERM);
}

static void
test_down (void **state)
{
    (void) state;
    P = s_start_notify ("200");
    char url [80];
    snprintf (url, sizeof url, "http://127.0.0.1:%d/down", harness_free_port ());
    ProtobufCMessage *sub_reply;
    Innov__Subscription *sub = s_subscribe ("webhook.down.", url, &sub_reply);
    s_emit ("webhook.down.created");
    ProtobufCMessage *reply;
    Innov__Delivery *d = s_wait_delivery (sub->id, "failed", &reply);
    assert_int_equal (d->attempts, 3);
    assert_int_equal (d->n_log, 3);
    for (size_t i = 0; i < d->n_log; i++) {
        assert_int_equal (d->log [i]->status, 0);
        assert_true (*d->log [i]->error);
    }
    protobuf_c_message_free_unpacked (reply, NULL);
    assert_int_equal (s_events_of ("notice.delivery_failed"), 1);
    /* kept, out of the queue */
    redisReply *r = inv_redis_command (R, "ZCARD {14}:notify.wh.due");
    assert_int_equal (r->integer, 0);
    freeReplyObject (r);
    protobuf_c_message_free_unpacked (sub_reply, NULL);
    harness_kill (H, P, SIGTERM);
}

static void
test_restart (void **state)
{
    (void) state;
    P = s_start_notify ("2000");       /* time enough to restart between attempts */
    s_receiver_reset (1000);
    char url [80];
    snprintf (url, sizeof url, "http://127.0.0.1:%d/restart", Rx.port);
    ProtobufCMessage *sub_reply;
    Innov__Subscription *sub = s_subscribe ("webhook.restart.", url, &sub_reply);
    long long seq = s_emit ("webhook.restart.created");
    char key [160];
    snprintf (key, sizeof key, "{14}:notify.wh.log:ev:%lld:%s", seq, sub->id);
    long long logged = 0;
    for (int waited = 0; waited < WAIT_MS && logged < 1; waited += 20) {
        redisReply *r = inv_redis_command (R, "LLEN %s", key);
        logged = r->integer;
        freeReplyObject (r);
        zclock_sleep (20);
    }
    assert_int_equal (logged, 1);
    harness_kill (H, P, SIGKILL);      /* between the first attempt and the second */
    s_receiver_reset (0);
    P = s_start_notify ("2000");
    ProtobufCMessage *reply;
    Innov__Delivery *d = s_wait_delivery (sub->id, "delivered", &reply);
    assert_int_equal (d->attempts, 2);
    assert_int_equal (d->n_log, 2);
    assert_int_equal (d->log [0]->status, 500);
    assert_int_equal (d->log [1]->status, 200);
    protobuf_c_message_free_unpacked (reply, NULL);
    assert_int_equal (s_received (), 1);
    protobuf_c_message_free_unpacked (sub_reply, NULL);
    harness_kill (H, P, SIGTERM);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_signed),
        cmocka_unit_test (test_retried),
        cmocka_unit_test (test_down),
        cmocka_unit_test (test_restart),
    };
    return cmocka_run_group_tests (tests, setup, teardown);
}
