/*  test_hostile: hostile peers against the broker and a service, honest clients measured.

    One stack (Redis, broker with 200 ms heartbeats, registry). An honest client reads
    an enterprise (enterprise.get) in a loop: once on the quiet stack (the baseline),
    then while the attackers below run in threads of this process, then afterwards.
    The attackers:
      - garbage:   a DEALER sending random frames (random counts, sizes and bytes),
                   some of them looking like MDP headers;
      - silent:    a worker of service "silent" that registers, heartbeats and never
                   answers, while a client piles 2,000 requests on it;
      - twice:     a worker of service "twice" that answers every request with two
                   FINALs (the second must be dropped, not sent to anyone);
      - slowsub:   a subscriber that never reads, while 3,000 events are written;
      - churn:     10,000 connections opened and dropped (raw TCP, half of them after
                   a ZMTP greeting's worth of junk);
      - names:     requests for 5,000 distinct made-up service names;
      - oversize:  a request of INNOV_MAX_REQUEST_BYTES + 1 bytes to the registry.
    Checks (no timing asserts): the broker and the registry are still running and
    serve the honest client afterwards; the broker's resident memory grew by less than
    a bound (64 MB) over the attack; the oversized request did not get a 200; a
    "twice" request got exactly one reply. Printed: the honest p50/p99 quiet, under
    attack and after, the ratio attack/quiet, and the broker's memory before/after.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include <signal.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "harness.h"
#include "registry_fixture.h"
#include "mdp.h"
#include "mdp_client.h"
#include "mdp_worker.h"
#include "inv_rpc.h"
#include "registry.pb-c.h"

#define MAX_REQUEST   65536          /* INNOV_MAX_REQUEST_BYTES for this stack */
#define RSS_BOUND_KB  (64 * 1024)

typedef struct {
    harness_t *h;
    pid_t broker, registry;
    char code [32];
} hostile_stack_t;

static hostile_stack_t S;

static long
s_rss_kb (pid_t pid)
{
    char path [64], line [256];
    snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
    FILE *file = fopen (path, "r");
    if (!file)
        return -1;
    long kb = -1;
    while (fgets (line, sizeof line, file))
        if (strncmp (line, "VmRSS:", 6) == 0)
            kb = atol (line + 6);
    fclose (file);
    return kb;
}

static int
s_setup (void **state)
{
    (void) state;
    S.h = harness_new ();
    harness_setenv (S.h, "INNOV_HEARTBEAT_MS", "200");
    harness_setenv (S.h, "INNOV_LIVENESS", "3");
    harness_setenv (S.h, "INNOV_UNKNOWN_SERVICE_MS", "500");
    harness_setenv (S.h, "INNOV_LOG_LEVEL", "warn");
    char max [32];
    snprintf (max, sizeof max, "%d", MAX_REQUEST);
    harness_setenv (S.h, "INNOV_MAX_REQUEST_BYTES", max);
#if defined (__SANITIZE_ADDRESS__)
    //  AddressSanitizer keeps freed memory in quarantine (256 MB by default), which
    //  would count as growth: keep it small so the bound measures the broker itself.
    char asan [512];
    snprintf (asan, sizeof asan, "%s%squarantine_size_mb=4",
              getenv ("ASAN_OPTIONS")? getenv ("ASAN_OPTIONS"): "",
              getenv ("ASAN_OPTIONS")? ":": "");
    harness_setenv (S.h, "ASAN_OPTIONS", asan);
#endif
    if (harness_start_redis (S.h) <= 0 || (S.broker = harness_start_broker (S.h)) <= 0
    ||  (S.registry = harness_start_service (S.h, "registry")) <= 0)
        return -1;
    registry_fixture_code (424242, S.code);
    return harness_ctl (S.h, NULL, NULL, "enterprise", "add", "--code", S.code, "--name", "守法企业",
                        "--county", "140105", "--industry", "3311", "--department", "gxt", NULL);
}

static int
s_teardown (void **state)
{
    (void) state;
    harness_destroy (&S.h);
    return 0;
}

/* ---- the honest client ------------------------------------------------------------ */

static int
s_cmp (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return x < y? -1: x > y;
}

/* n sequential enterprise.get; p50 and p99 in microseconds; failures counted. */
static int
s_probe (int n, int64_t *p50, int64_t *p99)
{
    mdp_client_t *client = mdp_client_new (harness_broker (S.h), "province");
    assert_non_null (client);
    mdp_client_set_timeout (client, 3000);
    mdp_client_set_retries (client, 2);
    int64_t *us = (int64_t *) calloc (n, sizeof (int64_t));
    int failures = 0;
    for (int i = 0; i < n; i++) {
        Innov__GetEnterpriseRequest request = INNOV__GET_ENTERPRISE_REQUEST__INIT;
        request.credit_code = S.code;
        ProtobufCMessage *reply = NULL;
        int64_t start = zclock_usecs ();
        int code = inv_rpc_call (client, "registry", "enterprise.get", &request.base,
                                 &innov__enterprise_reply__descriptor, &reply, NULL);
        us [i] = zclock_usecs () - start;
        if (code != 200)
            failures++;
        if (reply)
            protobuf_c_message_free_unpacked (reply, NULL);
    }
    qsort (us, n, sizeof (int64_t), s_cmp);
    *p50 = us [n / 2];
    *p99 = us [(n * 99) / 100];
    free (us);
    mdp_client_destroy (&client);
    return failures;
}

/* ---- attackers (threads) ------------------------------------------------------------ */

static void
s_garbage (zsock_t *pipe, void *args)
{
    (void) args;
    zsock_signal (pipe, 0);
    zsock_t *sock = zsock_new_dealer (harness_broker (S.h));
    for (int i = 0; i < 5000 && !zsys_interrupted; i++) {
        zmsg_t *msg = zmsg_new ();
        int frames = 1 + randof (6);
        for (int f = 0; f < frames; f++) {
            size_t size = randof (64);
            byte data [64];
            for (size_t b = 0; b < size; b++)
                data [b] = (byte) randof (256);
            if (f == 0 && i % 3 == 0)
                zmsg_addstr (msg, i % 2? MDPC_CLIENT: MDPW_WORKER);
            else
            if (f == 1 && i % 3 == 0)
                zmsg_addmem (msg, data, 1);
            else
                zmsg_addmem (msg, data, size);
        }
        zmsg_send (&msg, sock);
    }
    zsock_destroy (&sock);
    char *command = zstr_recv (pipe);     /* $TERM */
    zstr_free (&command);
}

/* A worker of service args: "silent" takes every request and never answers; "twice"
   answers each with two FINALs. */
static void
s_bad_worker (zsock_t *pipe, void *args)
{
    const char *service = (const char *) args;
    bool twice = streq (service, "twice");
    mdp_worker_t *worker = mdp_worker_new (harness_broker (S.h), service);
    mdp_worker_set_heartbeat (worker, 200);
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, NULL);
    while (!zpoller_wait (poller, 0)) {
        zframe_t *reply_to = NULL;
        zmsg_t *body = mdp_worker_recv (worker, &reply_to, 50);
        if (body && twice) {
            zmsg_t *one = inv_rpc_status_msg (200, "first", NULL);
            zmsg_t *two = inv_rpc_status_msg (200, "second", NULL);
            mdp_worker_send_final (worker, &one, reply_to);
            mdp_worker_send_final (worker, &two, reply_to);
        }
        zmsg_destroy (&body);
        zframe_destroy (&reply_to);
    }
    zpoller_destroy (&poller);
    mdp_worker_destroy (&worker);
    char *command = zstr_recv (pipe);
    zstr_free (&command);
}

/* Requests piled on the silent worker and made-up services, without waiting. */
static void
s_piler (zsock_t *pipe, void *args)
{
    (void) args;
    zsock_signal (pipe, 0);
    zsock_t *sock = zsock_new_dealer (harness_broker (S.h));
    for (int i = 0; i < 7000 && !zsys_interrupted; i++) {
        char service [32];
        if (i < 2000)
            snprintf (service, sizeof service, "silent");
        else
            snprintf (service, sizeof service, "made-up-%d", i);
        zmsg_t *msg = zmsg_new ();
        zmsg_addstr (msg, MDPC_CLIENT);
        zmsg_addmem (msg, "\x01", 1);
        zmsg_addstr (msg, service);
        zmsg_addstr (msg, "anything");
        zmsg_send (&msg, sock);
    }
    char *command = zstr_recv (pipe);
    zstr_free (&command);
    zsock_destroy (&sock);
}

static void
s_churn (zsock_t *pipe, void *args)
{
    (void) args;
    zsock_signal (pipe, 0);
    int port = atoi (strrchr (harness_broker (S.h), ':') + 1);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (port) };
    inet_pton (AF_INET, "127.0.0.1", &addr.sin_addr);
    for (int i = 0; i < 10000 && !zsys_interrupted; i++) {
        int fd = socket (AF_INET, SOCK_STREAM, 0);
        if (fd < 0)
            continue;
        if (connect (fd, (struct sockaddr *) &addr, sizeof addr) == 0 && i % 2)
            if (write (fd, "\xff\0\0\0\0\0\0\0\x01\x7fjunkjunk", 18) < 0)
                i += 0;
        close (fd);
    }
    char *command = zstr_recv (pipe);
    zstr_free (&command);
}

/* A subscriber that never reads, while events are written. */
static void
s_slow_subscriber (zsock_t *pipe, void *args)
{
    (void) args;
    zsock_t *sub = zsock_new_sub (harness_events (S.h), "");
    zsock_set_rcvhwm (sub, 10);
    zsock_signal (pipe, 0);
    char *command = zstr_recv (pipe);     /* never reads sub until told to stop */
    zstr_free (&command);
    zsock_destroy (&sub);
}

static void
s_writer (zsock_t *pipe, void *args)
{
    (void) args;
    zsock_signal (pipe, 0);
    mdp_client_t *client = mdp_client_new (harness_broker (S.h), "province");
    for (int i = 0; i < 3000 && !zsys_interrupted; i++) {
        Innov__Enterprise enterprise = INNOV__ENTERPRISE__INIT;
        enterprise.credit_code = S.code;
        enterprise.name = i % 2? "守法企业": "守法企业（更新）";
        Innov__UpdateEnterpriseRequest request = INNOV__UPDATE_ENTERPRISE_REQUEST__INIT;
        request.enterprise = &enterprise;
        char *fields [] = { "name" };
        request.fields = fields;
        request.n_fields = 1;
        inv_rpc_call (client, "registry", "enterprise.update", &request.base,
                      &innov__enterprise_reply__descriptor, NULL, NULL);
    }
    mdp_client_destroy (&client);
    char *command = zstr_recv (pipe);
    zstr_free (&command);
}

/* ---- the test ---------------------------------------------------------------------- */

static void
test_hostile_peers (void **state)
{
    (void) state;
    int64_t q50, q99, a50, a99, p50, p99;
    assert_int_equal (s_probe (300, &q50, &q99), 0);
    long rss_before = s_rss_kb (S.broker);

    zactor_t *attackers [] = {
        zactor_new (s_bad_worker, "silent"), zactor_new (s_bad_worker, "twice"),
        zactor_new (s_slow_subscriber, NULL), zactor_new (s_garbage, NULL),
        zactor_new (s_piler, NULL), zactor_new (s_churn, NULL), zactor_new (s_writer, NULL)
    };
    int failures = s_probe (300, &a50, &a99);

    //  "twice": exactly one reply reaches the client.
    mdp_client_t *client = mdp_client_new (harness_broker (S.h), "province");
    mdp_client_set_timeout (client, 2000);
    mdp_client_set_retries (client, 1);
    zmsg_t *body = zmsg_new ();
    zmsg_addstr (body, "ping");
    zmsg_t *reply = mdp_client_request (client, "twice", &body, NULL);
    assert_non_null (reply);
    zmsg_destroy (&reply);
    int final = 0;
    zmsg_t *extra = mdp_client_recv (client, &final, 500);
    assert_null (extra);

    //  Oversized: not accepted (413 from the service, or dropped at the socket).
    size_t size = MAX_REQUEST + 1;
    byte *big = (byte *) calloc (1, size);
    body = zmsg_new ();
    zmsg_addstr (body, "enterprise.add");
    zmsg_addmem (body, big, size);
    free (big);
    reply = mdp_client_request (client, "registry", &body, NULL);
    if (reply) {
        zframe_t *first = zmsg_first (reply);
        Innov__Status *decoded = innov__status__unpack (NULL, zframe_size (first), zframe_data (first));
        assert_non_null (decoded);
        print_message ("oversized request: %d %s\n", decoded->code, decoded->message);
        assert_int_equal (decoded->code, 413);
        innov__status__free_unpacked (decoded, NULL);
        zmsg_destroy (&reply);
    }
    else
        print_message ("oversized request: dropped without a reply\n");
    mdp_client_destroy (&client);

    for (size_t i = 0; i < sizeof attackers / sizeof attackers [0]; i++)
        zactor_destroy (&attackers [i]);
    long rss_after = s_rss_kb (S.broker);
    assert_int_equal (s_probe (300, &p50, &p99), 0);

    print_message ("honest enterprise.get p50/p99: quiet %.2f/%.2f ms, under attack %.2f/%.2f ms "
                   "(%d failed), after %.2f/%.2f ms; p99 ratio attack/quiet %.1f\n",
                   q50 / 1000.0, q99 / 1000.0, a50 / 1000.0, a99 / 1000.0, failures,
                   p50 / 1000.0, p99 / 1000.0, (double) a99 / (q99? q99: 1));
    print_message ("broker resident memory: %ld kB before, %ld kB after the attack\n",
                   rss_before, rss_after);
    assert_true (kill (S.broker, 0) == 0);
    assert_true (kill (S.registry, 0) == 0);
    assert_true (rss_after - rss_before < RSS_BOUND_KB);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_hostile_peers),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
