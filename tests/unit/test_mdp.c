/*  test_mdp: mdp_client and mdp_worker against the broker, in one process.

    The broker runs as an actor on a free tcp port with short heartbeats; workers run
    as actors around an mdp_worker. Each worker answers FINAL [its name][caller]
    [method][request...], so a test sees which worker answered and what the broker
    put in front of the body.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include "mdp.h"
#include "mdp_client.h"
#include "mdp_worker.h"
#include "mdp_common.h"
#include "../../services/broker/broker.h"
#include "curve_fixture.h"
#include "inv_log.h"
#include "rpc.pb-c.h"

#define HEARTBEAT_MS 100
#define UNKNOWN_MS   300

typedef enum { ECHO, STREAM, DIE } worker_mode_t;

typedef struct {
    const char *endpoint;
    const char *service;
    const char *name;
    worker_mode_t mode;
} worker_args_t;

typedef struct {
    inv_config_t cfg;
    zactor_t *broker;
    char *endpoint;
    zactor_t *workers [4];
    worker_args_t args [4];
    int nworkers;
} fixture_t;

/* ---- worker actor ------------------------------------------------------------------ */

static void
s_worker_actor (zsock_t *pipe, void *argp)
{
    worker_args_t *args = (worker_args_t *) argp;
    mdp_worker_t *worker = mdp_worker_new (args->endpoint, args->service);
    assert (worker);
    mdp_worker_set_heartbeat (worker, HEARTBEAT_MS);
    mdp_worker_set_reconnect (worker, 50);
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, NULL);
    while (true) {
        if (zpoller_wait (poller, 0) == pipe)
            break;                  //  $TERM
        if (!worker) {
            zclock_sleep (10);
            continue;
        }
        zframe_t *reply_to;
        zmsg_t *body = mdp_worker_recv (worker, &reply_to, 20);
        if (!body)
            continue;
        if (args->mode == DIE) {
            //  Gone without a reply (DISCONNECT is sent by destroy).
            zmsg_destroy (&body);
            zframe_destroy (&reply_to);
            mdp_worker_destroy (&worker);
            continue;
        }
        if (args->mode == STREAM)
            for (int i = 0; i < 3; i++) {
                zmsg_t *partial = zmsg_new ();
                zmsg_addstrf (partial, "part %d", i);
                mdp_worker_send_partial (worker, &partial, reply_to);
            }
        zmsg_pushstr (body, args->name);
        mdp_worker_send_final (worker, &body, reply_to);
        zframe_destroy (&reply_to);
    }
    zpoller_destroy (&poller);
    mdp_worker_destroy (&worker);
}

static void
s_start_worker (fixture_t *f, const char *service, const char *name, worker_mode_t mode)
{
    assert_true (f->nworkers < 4);
    worker_args_t *args = &f->args [f->nworkers];
    args->endpoint = f->endpoint;
    args->service = service;
    args->name = name;
    args->mode = mode;
    f->workers [f->nworkers++] = zactor_new (s_worker_actor, args);
}

/* ---- helpers ----------------------------------------------------------------------- */

static zmsg_t *
s_request (const char *endpoint, const char *principal, const char *service,
           const char *method, const char *payload, zlist_t *partials)
{
    mdp_client_t *client = mdp_client_new (endpoint, principal);
    assert_non_null (client);
    mdp_client_set_timeout (client, 3000);
    mdp_client_set_retries (client, 1);
    zmsg_t *body = zmsg_new ();
    zmsg_addstr (body, method);
    if (payload)
        zmsg_addstr (body, payload);
    zmsg_t *reply = mdp_client_request (client, service, &body, partials);
    mdp_client_destroy (&client);
    return reply;
}

/*  Number of workers of service per mmi.services, 0 if not listed. */
static int
s_workers (const char *endpoint, const char *service)
{
    zmsg_t *reply = s_request (endpoint, NULL, MMI_SERVICES, "", NULL, NULL);
    int count = 0;
    for (zframe_t *frame = reply? zmsg_first (reply): NULL; frame; frame = zmsg_next (reply)) {
        char *line = zframe_strdup (frame);
        char name [256];
        int n;
        if (sscanf (line, "%255s %d", name, &n) == 2 && streq (name, service))
            count = n;
        free (line);
    }
    zmsg_destroy (&reply);
    return count;
}

static void
s_wait_workers (fixture_t *f, const char *service, int count)
{
    int64_t deadline = zclock_mono () + 5000;
    while (s_workers (f->endpoint, service) != count && zclock_mono () < deadline)
        zclock_sleep (10);
    assert_int_equal (s_workers (f->endpoint, service), count);
}

/*  Frame i of msg as a fresh string (caller frees). */
static char *
s_frame (zmsg_t *msg, int index)
{
    zframe_t *frame = zmsg_first (msg);
    while (frame && index-- > 0)
        frame = zmsg_next (msg);
    return frame? zframe_strdup (frame): NULL;
}

/*  Status code of a [Status][reply] body; message copied if asked. */
static int
s_status (zmsg_t *reply, char *message, size_t size)
{
    zframe_t *frame = zmsg_first (reply);
    assert_non_null (frame);
    Innov__Status *status = innov__status__unpack (NULL, zframe_size (frame), zframe_data (frame));
    assert_non_null (status);
    int code = status->code;
    if (message)
        snprintf (message, size, "%s", status->message);
    innov__status__free_unpacked (status, NULL);
    return code;
}

static void
s_assert_frame (zmsg_t *msg, int index, const char *expected)
{
    char *text = s_frame (msg, index);
    assert_non_null (text);
    assert_string_equal (text, expected);
    free (text);
}

/* ---- fixture ----------------------------------------------------------------------- */

static int
setup (void **state)
{
    fixture_t *f = (fixture_t *) zmalloc (sizeof (fixture_t));
    f->cfg.broker_bind = "tcp://127.0.0.1:*";
    f->cfg.heartbeat_ms = HEARTBEAT_MS;
    f->cfg.liveness = 3;
    f->cfg.unknown_service_ms = UNKNOWN_MS;
    f->cfg.max_request_bytes = 4096;
    f->broker = zactor_new (broker_actor, &f->cfg);
    assert_non_null (f->broker);
    zstr_send (f->broker, "ENDPOINT");
    f->endpoint = zstr_recv (f->broker);
    assert_non_null (f->endpoint);
    assert_true (strncmp (f->endpoint, "tcp://127.0.0.1:", 16) == 0);
    *state = f;
    return 0;
}

static int
teardown (void **state)
{
    fixture_t *f = (fixture_t *) *state;
    for (int i = 0; i < f->nworkers; i++)
        zactor_destroy (&f->workers [i]);
    zactor_destroy (&f->broker);
    zstr_free (&f->endpoint);
    free (f);
    return 0;
}

/* ---- tests ------------------------------------------------------------------------- */

static void
test_request_reply_with_caller (void **state)
{
    fixture_t *f = (fixture_t *) *state;
    s_start_worker (f, "echo", "w1", ECHO);
    s_wait_workers (f, "echo", 1);
    zmsg_t *reply = s_request (f->endpoint, "city:140100", "echo", "echo.say", "hello", NULL);
    assert_non_null (reply);
    assert_int_equal (zmsg_size (reply), 4);
    s_assert_frame (reply, 0, "w1");
    s_assert_frame (reply, 1, "city:140100");     //  the caller frame, from the claim
    s_assert_frame (reply, 2, "echo.say");
    s_assert_frame (reply, 3, "hello");
    zmsg_destroy (&reply);

    reply = s_request (f->endpoint, NULL, "echo", "echo.say", "x", NULL);
    assert_non_null (reply);
    s_assert_frame (reply, 1, "anonymous");
    zmsg_destroy (&reply);
}

static void
test_partials_then_final (void **state)
{
    fixture_t *f = (fixture_t *) *state;
    s_start_worker (f, "stream", "s1", STREAM);
    s_wait_workers (f, "stream", 1);
    zlist_t *partials = zlist_new ();
    zmsg_t *reply = s_request (f->endpoint, "province", "stream", "stream.all", "q", partials);
    assert_non_null (reply);
    s_assert_frame (reply, 0, "s1");
    assert_int_equal (zlist_size (partials), 3);
    int i = 0;
    zmsg_t *partial;
    while ((partial = (zmsg_t *) zlist_pop (partials))) {
        char expected [16];
        snprintf (expected, sizeof expected, "part %d", i++);
        s_assert_frame (partial, 0, expected);
        zmsg_destroy (&partial);
    }
    zlist_destroy (&partials);
    zmsg_destroy (&reply);

    //  The asynchronous pair sees the same stream, FINAL flagged.
    mdp_client_t *client = mdp_client_new (f->endpoint, NULL);
    zmsg_t *body = zmsg_new ();
    zmsg_addstr (body, "stream.all");
    zmsg_addstr (body, "q");
    assert_int_equal (mdp_client_send (client, "stream", &body), 0);
    int finals = 0, parts = 0, final = 0;
    while (!final) {
        zmsg_t *msg = mdp_client_recv (client, &final, 3000);
        assert_non_null (msg);
        if (final)
            finals++;
        else
            parts++;
        zmsg_destroy (&msg);
    }
    assert_int_equal (parts, 3);
    assert_int_equal (finals, 1);
    mdp_client_destroy (&client);
}

static void
test_lru_over_two_workers (void **state)
{
    fixture_t *f = (fixture_t *) *state;
    s_start_worker (f, "echo", "a", ECHO);
    s_start_worker (f, "echo", "b", ECHO);
    s_wait_workers (f, "echo", 2);
    char *names [4];
    for (int i = 0; i < 4; i++) {
        zmsg_t *reply = s_request (f->endpoint, NULL, "echo", "echo.say", "x", NULL);
        assert_non_null (reply);
        names [i] = s_frame (reply, 0);
        zmsg_destroy (&reply);
    }
    //  Least recently used first: the two workers take turns.
    assert_string_not_equal (names [0], names [1]);
    assert_string_equal (names [0], names [2]);
    assert_string_equal (names [1], names [3]);
    for (int i = 0; i < 4; i++)
        free (names [i]);
}

static void
test_mmi (void **state)
{
    fixture_t *f = (fixture_t *) *state;
    s_start_worker (f, "echo", "w1", ECHO);
    s_wait_workers (f, "echo", 1);
    zmsg_t *reply = s_request (f->endpoint, NULL, MMI_SERVICE, "echo", NULL, NULL);
    assert_non_null (reply);
    s_assert_frame (reply, 0, "200");
    zmsg_destroy (&reply);
    reply = s_request (f->endpoint, NULL, MMI_SERVICE, "nosuch", NULL, NULL);
    assert_non_null (reply);
    s_assert_frame (reply, 0, "404");
    zmsg_destroy (&reply);
    reply = s_request (f->endpoint, NULL, "mmi.nothing", "", NULL, NULL);
    assert_non_null (reply);
    s_assert_frame (reply, 0, "501");
    zmsg_destroy (&reply);
    reply = s_request (f->endpoint, NULL, MMI_SERVICES, "", NULL, NULL);
    assert_non_null (reply);
    assert_int_equal (zmsg_size (reply), 1);
    s_assert_frame (reply, 0, "echo 1 0");
    zmsg_destroy (&reply);
}

static void
test_unknown_service_503 (void **state)
{
    fixture_t *f = (fixture_t *) *state;
    int64_t start = zclock_mono ();
    zmsg_t *reply = s_request (f->endpoint, NULL, "nosuch", "nosuch.x", "", NULL);
    assert_non_null (reply);
    char message [256];
    assert_int_equal (s_status (reply, message, sizeof message), 503);
    assert_non_null (strstr (message, "nosuch"));
    //  It waited for a worker before answering (no upper bound asserted).
    assert_true (zclock_mono () - start >= UNKNOWN_MS - 10);
    zmsg_destroy (&reply);
}

static void
test_request_waits_for_late_worker (void **state)
{
    fixture_t *f = (fixture_t *) *state;
    mdp_client_t *client = mdp_client_new (f->endpoint, NULL);
    zmsg_t *body = zmsg_new ();
    zmsg_addstr (body, "echo.say");
    zmsg_addstr (body, "early");
    mdp_client_send (client, "late", &body);
    zclock_sleep (50);
    s_start_worker (f, "late", "w1", ECHO);
    int final = 0;
    zmsg_t *reply = mdp_client_recv (client, &final, 3000);
    assert_non_null (reply);
    assert_true (final);
    s_assert_frame (reply, 0, "w1");
    s_assert_frame (reply, 3, "early");
    zmsg_destroy (&reply);
    mdp_client_destroy (&client);
}

static void
test_worker_dies_other_answers (void **state)
{
    fixture_t *f = (fixture_t *) *state;
    s_start_worker (f, "slow", "dies", DIE);
    s_wait_workers (f, "slow", 1);
    s_start_worker (f, "slow", "lives", ECHO);
    s_wait_workers (f, "slow", 2);
    //  The first worker to register is the least recently used: it gets the request.
    zmsg_t *reply = s_request (f->endpoint, "province", "slow", "slow.do", "job", NULL);
    assert_non_null (reply);
    s_assert_frame (reply, 0, "lives");
    s_assert_frame (reply, 3, "job");
    zmsg_destroy (&reply);
    s_wait_workers (f, "slow", 1);
}

static void
test_worker_dies_twice_503 (void **state)
{
    fixture_t *f = (fixture_t *) *state;
    s_start_worker (f, "slow", "d1", DIE);
    s_start_worker (f, "slow", "d2", DIE);
    s_wait_workers (f, "slow", 2);
    zmsg_t *reply = s_request (f->endpoint, NULL, "slow", "slow.do", "job", NULL);
    assert_non_null (reply);
    char message [256];
    assert_int_equal (s_status (reply, message, sizeof message), 503);
    assert_non_null (strstr (message, "worker died"));
    zmsg_destroy (&reply);
}

/*  A worker that takes the request and goes silent (no DISCONNECT, no heartbeat) is
    dropped after liveness x heartbeat and the request goes to the other worker. */
static void
test_silent_worker_request_requeued (void **state)
{
    fixture_t *f = (fixture_t *) *state;
    zsock_t *silent = zsock_new_dealer (f->endpoint);
    zmsg_t *ready = zmsg_new ();
    zmsg_addstr (ready, MDPW_WORKER);
    zmsg_addmem (ready, (byte []) { MDPW_READY }, 1);
    zmsg_addstr (ready, "slow");
    zmsg_send (&ready, silent);
    s_wait_workers (f, "slow", 1);
    s_start_worker (f, "slow", "backup", ECHO);
    s_wait_workers (f, "slow", 2);

    mdp_client_t *client = mdp_client_new (f->endpoint, "dept:gxt");
    mdp_client_set_timeout (client, 5000);
    zmsg_t *body = zmsg_new ();
    zmsg_addstr (body, "slow.do");
    zmsg_addstr (body, "job");
    mdp_client_send (client, "slow", &body);

    //  The silent worker was idle longest, so it receives the REQUEST.
    zmsg_t *request = NULL;
    zsock_set_rcvtimeo (silent, 3000);
    while ((request = zmsg_recv (silent))) {
        zmsg_first (request);
        zframe_t *command = zmsg_next (request);
        if (command && zframe_data (command) [0] == MDPW_REQUEST)
            break;
        zmsg_destroy (&request);        //  a heartbeat
    }
    assert_non_null (request);
    assert_int_equal (zmsg_size (request), 7);
    s_assert_frame (request, 4, "dept:gxt");
    s_assert_frame (request, 5, "slow.do");
    s_assert_frame (request, 6, "job");
    zmsg_destroy (&request);

    int final = 0;
    zmsg_t *reply = mdp_client_recv (client, &final, 5000);
    assert_non_null (reply);
    assert_true (final);
    s_assert_frame (reply, 0, "backup");
    zmsg_destroy (&reply);
    mdp_client_destroy (&client);
    zsock_destroy (&silent);
}

static void
test_bad_requests (void **state)
{
    fixture_t *f = (fixture_t *) *state;
    s_start_worker (f, "echo", "w1", ECHO);
    s_wait_workers (f, "echo", 1);
    char big [5000];
    memset (big, 'x', sizeof big - 1);
    big [sizeof big - 1] = 0;
    zmsg_t *reply = s_request (f->endpoint, NULL, "echo", "echo.say", big, NULL);
    assert_non_null (reply);
    char message [256];
    assert_int_equal (s_status (reply, message, sizeof message), 413);
    assert_non_null (strstr (message, "4096"));
    zmsg_destroy (&reply);

    //  A client that sends FINAL instead of REQUEST is told so.
    zsock_t *raw = zsock_new_dealer (f->endpoint);
    zsock_set_rcvtimeo (raw, 3000);
    zmsg_t *msg = zmsg_new ();
    zmsg_addstr (msg, MDPC_CLIENT);
    zmsg_addmem (msg, (byte []) { MDPC_FINAL }, 1);
    zmsg_addstr (msg, "echo");
    zmsg_addstr (msg, "x");
    zmsg_send (&msg, raw);
    reply = zmsg_recv (raw);
    assert_non_null (reply);
    s_assert_frame (reply, 0, MDPC_CLIENT);
    assert_int_equal (zframe_data (zmsg_next (reply)) [0], MDPC_FINAL);
    zframe_t *frame = zmsg_pop (reply);
    zframe_destroy (&frame);
    frame = zmsg_pop (reply);
    zframe_destroy (&frame);
    frame = zmsg_pop (reply);
    zframe_destroy (&frame);
    assert_int_equal (s_status (reply, NULL, 0), 400);
    zmsg_destroy (&reply);
    zsock_destroy (&raw);

    //  The broker still serves.
    reply = s_request (f->endpoint, NULL, "echo", "echo.say", "still", NULL);
    assert_non_null (reply);
    s_assert_frame (reply, 3, "still");
    zmsg_destroy (&reply);
}

/*  CURVE: the principal comes from the client certificate's metadata; a routing-id
    claim is ignored; a certificate without principal is anonymous; an unknown
    certificate gets no answer at all. The worker connects over inproc (NULL). */
static void
test_curve_principal (void **state)
{
    (void) state;
    curve_fixture_t *curve = curve_fixture_new ();
    assert_non_null (curve);
    zcert_t *agency = curve_fixture_client (curve, "agency", "dept:gxt");
    zcert_t *plain = curve_fixture_client (curve, "plain", NULL);
    zcert_t *stranger = zcert_new ();
    const char *endpoint = curve_fixture_start (curve, HEARTBEAT_MS, UNKNOWN_MS);
    assert_non_null (endpoint);
    assert_true (strncmp (endpoint, "tcp://127.0.0.1:", 16) == 0);

    worker_args_t args = { BROKER_INPROC, "who", "w1", ECHO };
    zactor_t *worker = zactor_new (s_worker_actor, &args);

    struct { zcert_t *cert; const char *claim; const char *expected; } cases [] = {
        { agency, "province", "dept:gxt" },         //  the claim is ignored
        { plain, "province", "anonymous" },
        { stranger, NULL, NULL }                    //  refused by zauth: no answer
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        mdp_client_t *client = mdp_client_new (endpoint, cases [i].claim);
        assert_int_equal (mdp_client_set_curve (client, cases [i].cert, curve_fixture_server_key (curve)), 0);
        mdp_client_set_timeout (client, cases [i].expected? 3000: 300);
        mdp_client_set_retries (client, 1);
        zmsg_t *body = zmsg_new ();
        zmsg_addstr (body, "who.am.i");
        zmsg_t *reply = mdp_client_request (client, "who", &body, NULL);
        if (cases [i].expected) {
            assert_non_null (reply);
            s_assert_frame (reply, 1, cases [i].expected);
        }
        else
            assert_null (reply);
        zmsg_destroy (&reply);
        mdp_client_destroy (&client);
    }
    zactor_destroy (&worker);
    zcert_destroy (&stranger);
    curve_fixture_destroy (&curve);
}

static void
test_claim_parsing (void **state)
{
    (void) state;
    char out [256];
    struct { const char *id; const char *principal; } cases [] = {
        { "P:province:1a2b3c4d", "province" },
        { "P:city:140100:00ff00ff", "city:140100" },
        { "P:ent:91140100MA0K000000:abcdef01", "ent:91140100MA0K000000" },
        { "P:province", "anonymous" },              //  no suffix
        { "P::1a2b3c4d", "anonymous" },             //  empty principal
        { "P:city:140100:", "anonymous" },          //  empty suffix
        { "Q:province:1a2b3c4d", "anonymous" },
        { "P:with space:1a2b3c4d", "anonymous" },
        { "P:city:abc:1a2b3c4d", "anonymous" },      //  not a principal
        { "P:root:1a2b3c4d", "anonymous" },
        { "", "anonymous" }
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        broker_claim_principal ((const byte *) cases [i].id, strlen (cases [i].id), out, sizeof out);
        assert_string_equal (out, cases [i].principal);
    }
    assert_true (broker_service_name_valid ((const byte *) "registry", 8));
    assert_false (broker_service_name_valid ((const byte *) "", 0));
    assert_false (broker_service_name_valid ((const byte *) "a b", 3));
    assert_false (broker_service_name_valid ((const byte *) "a\x01", 2));
}

static void
test_self_tests (void **state)
{
    (void) state;
    mdp_client_test (false);
    mdp_worker_test (false);
}

/*  The plumbing the client and worker share: CURVE credentials are checked and
    copied, every connect gives a fresh socket with the routing id asked for, a
    leading empty frame is dropped, and a queued message is taken without a poll. */
static void
test_link_plumbing (void **state)
{
    (void) state;
    zsock_t *router = zsock_new_router ("inproc://test_mdp_link");
    assert_non_null (router);
    mdp_link_t link;
    mdp_link_init (&link, "inproc://test_mdp_link", "test link");

    zcert_t *cert = zcert_new ();
    assert_int_equal (mdp_link_set_curve (&link, cert, "short"), -1);
    assert_null (link.cert);
    assert_int_equal (mdp_link_set_curve (&link, NULL, zcert_public_txt (cert)), -1);
    assert_int_equal (mdp_link_set_curve (&link, cert, zcert_public_txt (cert)), 0);
    assert_non_null (link.cert);
    assert_string_equal (link.server_public, zcert_public_txt (cert));
    zcert_destroy (&cert);          //  the link keeps its own copy
    zcert_destroy (&link.cert);     //  back to NULL security for the inproc peer
    zstr_free (&link.server_public);

    assert_int_equal (mdp_link_connect (&link, "P:province:0000abcd"), 0);
    assert_int_equal (mdp_link_connect (&link, "P:province:1111abcd"), 0);
    char *identity = zsock_identity (link.sock);
    assert_string_equal (identity, "P:province:1111abcd");
    zstr_free (&identity);

    //  Two messages to the newest socket: the first after a poll, the second queued.
    zstr_sendm (router, "P:province:1111abcd");
    zstr_sendm (router, "");
    zstr_send (router, "one");
    zstr_sendm (router, "P:province:1111abcd");
    zstr_send (router, "two");
    int rc = 0;
    zmsg_t *msg = mdp_link_recv (&link, 2000, &rc);
    assert_non_null (msg);
    assert_int_equal (rc, 1);
    assert_int_equal (zmsg_size (msg), 2);
    mdp_strip_empty (msg);
    assert_int_equal (zmsg_size (msg), 1);
    assert_true (zframe_streq (zmsg_first (msg), "one"));
    zmsg_destroy (&msg);
    zclock_sleep (20);
    msg = mdp_link_recv (&link, 0, &rc);
    assert_non_null (msg);
    mdp_strip_empty (msg);          //  nothing to drop: the frame stays
    assert_true (zframe_streq (zmsg_first (msg), "two"));
    zmsg_destroy (&msg);
    msg = mdp_link_recv (&link, 10, &rc);
    assert_null (msg);
    assert_int_equal (rc, 0);

    mdp_link_free (&link);
    assert_null (link.sock);
    zsock_destroy (&router);
}

int
main (void)
{
    inv_log_init ("test_mdp");
    inv_log_set_level (INV_LOG_WARN);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_claim_parsing),
        cmocka_unit_test (test_self_tests),
        cmocka_unit_test (test_link_plumbing),
        cmocka_unit_test_setup_teardown (test_request_reply_with_caller, setup, teardown),
        cmocka_unit_test_setup_teardown (test_partials_then_final, setup, teardown),
        cmocka_unit_test_setup_teardown (test_lru_over_two_workers, setup, teardown),
        cmocka_unit_test_setup_teardown (test_mmi, setup, teardown),
        cmocka_unit_test_setup_teardown (test_unknown_service_503, setup, teardown),
        cmocka_unit_test_setup_teardown (test_request_waits_for_late_worker, setup, teardown),
        cmocka_unit_test_setup_teardown (test_worker_dies_other_answers, setup, teardown),
        cmocka_unit_test_setup_teardown (test_worker_dies_twice_503, setup, teardown),
        cmocka_unit_test_setup_teardown (test_silent_worker_request_requeued, setup, teardown),
        cmocka_unit_test_setup_teardown (test_bad_requests, setup, teardown),
        cmocka_unit_test (test_curve_principal),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
