/*  test_mdp_conformance: the real broker binary against MDP/0.2 as ZeroMQ RFC 18 writes
    it, frame by frame.

    Clients and workers here are raw czmq sockets built from the RFC's frame tables,
    not the project's mdp_client / mdp_worker, so the broker is held to the protocol
    that any MDP/0.2 implementation written elsewhere speaks. The broker runs with
    short heartbeats (200 ms), a 500 ms wait for unknown services and a 1024-byte
    request limit.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include "stack.h"
#include "rpc.pb-c.h"

#define HEARTBEAT_MS 200
#define WAIT_MS      3000       /* upper bound for anything the broker should send */

/* ---- raw sockets and frames -------------------------------------------------------- */

/*  A DEALER to the broker; routing_id may be NULL. */
static zsock_t *
s_dealer (harness_t *h, const char *routing_id)
{
    zsock_t *sock = zsock_new (ZMQ_DEALER);
    assert_non_null (sock);
    if (routing_id)
        zsock_set_identity (sock, routing_id);
    zsock_set_rcvtimeo (sock, WAIT_MS);
    zsock_set_linger (sock, 0);
    assert_int_equal (zsock_connect (sock, "%s", harness_broker (h)), 0);
    return sock;
}

/*  Send the NULL-terminated list of frames (C strings; "" is an empty frame). */
static void
s_send (zsock_t *sock, const char *frame, ...)
{
    zmsg_t *msg = zmsg_new ();
    va_list ap;
    va_start (ap, frame);
    for (const char *f = frame; f; f = va_arg (ap, const char *))
        zmsg_addstr (msg, f);
    va_end (ap);
    assert_int_equal (zmsg_send (&msg, sock), 0);
}

static bool
s_frame_eq (zmsg_t *msg, size_t index, const void *data, size_t size)
{
    zframe_t *frame = zmsg_first (msg);
    for (size_t i = 0; frame && i < index; i++)
        frame = zmsg_next (msg);
    return frame && zframe_size (frame) == size
        && (size == 0 || memcmp (zframe_data (frame), data, size) == 0);
}

#define assert_frame(msg, index, str) \
    assert_true (s_frame_eq ((msg), (index), (str), strlen (str)))

/*  Next message that is not a broker HEARTBEAT; offset = 1 for an enveloped peer. */
static zmsg_t *
s_recv_command (zsock_t *sock, size_t offset)
{
    while (true) {
        zmsg_t *msg = zmsg_recv (sock);
        if (!msg)
            return NULL;
        if (!(zmsg_size (msg) == 2 + offset && s_frame_eq (msg, offset + 1, "\x05", 1)))
            return msg;
        zmsg_destroy (&msg);
    }
}

/*  Status code (and message) from the Status frame at index. */
static int
s_status (zmsg_t *msg, size_t index, char *message, size_t size)
{
    zframe_t *frame = zmsg_first (msg);
    for (size_t i = 0; frame && i < index; i++)
        frame = zmsg_next (msg);
    assert_non_null (frame);
    Innov__Status *status = innov__status__unpack (NULL, zframe_size (frame), zframe_data (frame));
    assert_non_null (status);
    int code = status->code;
    if (message)
        snprintf (message, size, "%s", status->message);
    innov__status__free_unpacked (status, NULL);
    return code;
}

/*  mmi.service through a fresh raw client: "200", "404"... as a fresh string. */
static char *
s_mmi_service (harness_t *h, const char *service)
{
    zsock_t *client = s_dealer (h, NULL);
    s_send (client, "MDPC02", "\x01", "mmi.service", service, NULL);
    zmsg_t *reply = zmsg_recv (client);
    char *code = NULL;
    if (reply && zmsg_size (reply) == 4 && s_frame_eq (reply, 1, "\x03", 1)) {
        zframe_t *last = zmsg_last (reply);
        code = zframe_strdup (last);
    }
    zmsg_destroy (&reply);
    zsock_destroy (&client);
    return code;
}

/*  Wait until the broker reports the service (so a READY has been processed). */
static void
s_wait_service (harness_t *h, const char *service)
{
    int64_t deadline = zclock_mono () + 5000;
    while (zclock_mono () < deadline) {
        char *code = s_mmi_service (h, service);
        bool up = code && streq (code, "200");
        zstr_free (&code);
        if (up)
            return;
        zclock_sleep (20);
    }
    fail_msg ("service %s never registered", service);
}

/*  A raw worker that has sent READY for service (enveloped: leading empty frames). */
static zsock_t *
s_worker (harness_t *h, const char *service, bool enveloped)
{
    zsock_t *worker = s_dealer (h, NULL);
    if (enveloped)
        s_send (worker, "", "MDPW02", "\x01", service, NULL);
    else
        s_send (worker, "MDPW02", "\x01", service, NULL);
    s_wait_service (h, service);
    return worker;
}

/* ---- fixture ----------------------------------------------------------------------- */

static int
setup (void **state)
{
    *state = stack_new ("INNOV_HEARTBEAT_MS=200 INNOV_LIVENESS=3 INNOV_UNKNOWN_SERVICE_MS=500 "
                        "INNOV_MAX_REQUEST_BYTES=1024", "broker", NULL);
    return *state? 0: -1;
}

/* ---- tests ------------------------------------------------------------------------- */

/*  READY, REQUEST with the caller frame, PARTIAL and FINAL relayed to the client. */
static void
test_request_partial_final_frames (void **state)
{
    harness_t *h = (harness_t *) *state;
    zsock_t *worker = s_worker (h, "conf.echo", false);
    zsock_t *client = s_dealer (h, "P:city:140100:0a1b2c3d");
    s_send (client, "MDPC02", "\x01", "conf.echo", "echo.say", "hello", NULL);

    //  Worker: [MDPW02][0x02][client address][empty][caller][method][body], exactly.
    zmsg_t *request = s_recv_command (worker, 0);
    assert_non_null (request);
    assert_int_equal (zmsg_size (request), 7);
    assert_frame (request, 0, "MDPW02");
    assert_true (s_frame_eq (request, 1, "\x02", 1));
    assert_frame (request, 2, "P:city:140100:0a1b2c3d");
    assert_true (s_frame_eq (request, 3, "", 0));
    assert_frame (request, 4, "city:140100");
    assert_frame (request, 5, "echo.say");
    assert_frame (request, 6, "hello");
    zmsg_first (request);
    zmsg_next (request);
    zframe_t *address = zframe_dup (zmsg_next (request));     //  frame 2
    zmsg_destroy (&request);

    //  Two PARTIALs and a FINAL of two frames.
    for (int i = 0; i < 2; i++) {
        zmsg_t *partial = zmsg_new ();
        zmsg_addstr (partial, "MDPW02");
        zmsg_addmem (partial, "\x03", 1);
        zmsg_addmem (partial, zframe_data (address), zframe_size (address));
        zmsg_addmem (partial, NULL, 0);
        zmsg_addstrf (partial, "part %d", i);
        zmsg_send (&partial, worker);
    }
    zmsg_t *final = zmsg_new ();
    zmsg_addstr (final, "MDPW02");
    zmsg_addmem (final, "\x04", 1);
    zmsg_addmem (final, zframe_data (address), zframe_size (address));
    zmsg_addmem (final, NULL, 0);
    zmsg_addstr (final, "status");
    zmsg_addstr (final, "reply");
    zmsg_send (&final, worker);
    zframe_destroy (&address);

    //  Client: [MDPC02][0x02][service][body...] twice, then [MDPC02][0x03][service][body...].
    for (int i = 0; i < 2; i++) {
        zmsg_t *partial = zmsg_recv (client);
        assert_non_null (partial);
        assert_int_equal (zmsg_size (partial), 4);
        assert_frame (partial, 0, "MDPC02");
        assert_true (s_frame_eq (partial, 1, "\x02", 1));
        assert_frame (partial, 2, "conf.echo");
        char expected [16];
        snprintf (expected, sizeof expected, "part %d", i);
        assert_frame (partial, 3, expected);
        zmsg_destroy (&partial);
    }
    zmsg_t *reply = zmsg_recv (client);
    assert_non_null (reply);
    assert_int_equal (zmsg_size (reply), 5);
    assert_frame (reply, 0, "MDPC02");
    assert_true (s_frame_eq (reply, 1, "\x03", 1));
    assert_frame (reply, 2, "conf.echo");
    assert_frame (reply, 3, "status");
    assert_frame (reply, 4, "reply");
    zmsg_destroy (&reply);
    zsock_destroy (&client);
    zsock_destroy (&worker);
}

/*  Without a claim the caller frame says "anonymous". */
static void
test_anonymous_caller (void **state)
{
    harness_t *h = (harness_t *) *state;
    zsock_t *worker = s_worker (h, "conf.who", false);
    zsock_t *client = s_dealer (h, NULL);
    s_send (client, "MDPC02", "\x01", "conf.who", "who.am.i", "", NULL);
    zmsg_t *request = s_recv_command (worker, 0);
    assert_non_null (request);
    assert_int_equal (zmsg_size (request), 7);
    assert_frame (request, 4, "anonymous");
    zmsg_destroy (&request);
    zsock_destroy (&client);
    zsock_destroy (&worker);
}

/*  The broker heartbeats an idle worker: [MDPW02][0x05], and keeps it registered
    while the worker heartbeats back. */
static void
test_broker_heartbeats_worker (void **state)
{
    harness_t *h = (harness_t *) *state;
    zsock_t *worker = s_worker (h, "conf.hb", false);
    int heartbeats = 0;
    int64_t until = zclock_mono () + 10 * HEARTBEAT_MS;
    while (zclock_mono () < until) {
        zmsg_t *msg = zmsg_recv (worker);
        assert_non_null (msg);
        assert_int_equal (zmsg_size (msg), 2);
        assert_frame (msg, 0, "MDPW02");
        assert_true (s_frame_eq (msg, 1, "\x05", 1));
        zmsg_destroy (&msg);
        heartbeats++;
        s_send (worker, "MDPW02", "\x05", NULL);
    }
    assert_true (heartbeats >= 2);
    char *code = s_mmi_service (h, "conf.hb");
    assert_string_equal (code, "200");
    zstr_free (&code);

    //  A worker that stops heartbeating is forgotten.
    int64_t deadline = zclock_mono () + 20 * HEARTBEAT_MS;
    bool gone = false;
    while (!gone && zclock_mono () < deadline) {
        code = s_mmi_service (h, "conf.hb");
        gone = code && streq (code, "404");
        zstr_free (&code);
        zclock_sleep (50);
    }
    assert_true (gone);
    zsock_destroy (&worker);
}

static void
s_expect_disconnect (zsock_t *worker, size_t offset)
{
    zmsg_t *msg = s_recv_command (worker, offset);
    assert_non_null (msg);
    assert_int_equal (zmsg_size (msg), 2 + offset);
    assert_frame (msg, offset, "MDPW02");
    assert_true (s_frame_eq (msg, offset + 1, "\x06", 1));
    zmsg_destroy (&msg);
}

/*  Valid but unexpected commands are answered with DISCONNECT (RFC 18). */
static void
test_unexpected_command_disconnect (void **state)
{
    harness_t *h = (harness_t *) *state;
    //  HEARTBEAT before READY
    zsock_t *worker = s_dealer (h, NULL);
    s_send (worker, "MDPW02", "\x05", NULL);
    s_expect_disconnect (worker, 0);
    zsock_destroy (&worker);

    //  A second READY
    worker = s_worker (h, "conf.twice", false);
    s_send (worker, "MDPW02", "\x01", "conf.twice", NULL);
    s_expect_disconnect (worker, 0);
    zsock_destroy (&worker);

    //  FINAL with no request in hand
    worker = s_worker (h, "conf.idle", false);
    s_send (worker, "MDPW02", "\x04", "nobody", "", "reply", NULL);
    s_expect_disconnect (worker, 0);
    zsock_destroy (&worker);

    //  REQUEST sent by a worker
    worker = s_worker (h, "conf.req", false);
    s_send (worker, "MDPW02", "\x02", "nobody", "", "body", NULL);
    s_expect_disconnect (worker, 0);
    zsock_destroy (&worker);

    //  The disconnected workers are gone.
    char *code = s_mmi_service (h, "conf.idle");
    assert_string_equal (code, "404");
    zstr_free (&code);
}

/*  A REQ-socket client and a worker that put an empty frame before every command are
    answered in the same framing. */
static void
test_enveloped_peers (void **state)
{
    harness_t *h = (harness_t *) *state;
    zsock_t *worker = s_worker (h, "conf.env", true);

    zsock_t *req = zsock_new (ZMQ_REQ);
    zsock_set_rcvtimeo (req, WAIT_MS);
    zsock_set_linger (req, 0);
    zsock_connect (req, "%s", harness_broker (h));
    s_send (req, "MDPC02", "\x01", "conf.env", "env.ping", "ping", NULL);

    //  The worker's REQUEST starts with an empty frame, like its READY did.
    zmsg_t *request = s_recv_command (worker, 1);
    assert_non_null (request);
    assert_int_equal (zmsg_size (request), 8);
    assert_true (s_frame_eq (request, 0, "", 0));
    assert_frame (request, 1, "MDPW02");
    assert_true (s_frame_eq (request, 2, "\x02", 1));
    assert_true (s_frame_eq (request, 4, "", 0));
    assert_frame (request, 5, "anonymous");
    assert_frame (request, 6, "env.ping");
    assert_frame (request, 7, "ping");
    zmsg_first (request);
    zmsg_next (request);
    zmsg_next (request);
    zframe_t *address = zframe_dup (zmsg_next (request));
    zmsg_destroy (&request);

    zmsg_t *final = zmsg_new ();
    zmsg_addmem (final, NULL, 0);
    zmsg_addstr (final, "MDPW02");
    zmsg_addmem (final, "\x04", 1);
    zmsg_append (final, &address);
    zmsg_addmem (final, NULL, 0);
    zmsg_addstr (final, "pong");
    zmsg_send (&final, worker);

    //  REQ accepts only an enveloped reply, and strips the envelope.
    zmsg_t *reply = zmsg_recv (req);
    assert_non_null (reply);
    assert_int_equal (zmsg_size (reply), 4);
    assert_frame (reply, 0, "MDPC02");
    assert_true (s_frame_eq (reply, 1, "\x03", 1));
    assert_frame (reply, 2, "conf.env");
    assert_frame (reply, 3, "pong");
    zmsg_destroy (&reply);
    zsock_destroy (&req);

    //  Heartbeats to the enveloped worker are enveloped too.
    zmsg_t *hb = zmsg_recv (worker);
    assert_non_null (hb);
    assert_int_equal (zmsg_size (hb), 3);
    assert_true (s_frame_eq (hb, 0, "", 0));
    assert_frame (hb, 1, "MDPW02");
    assert_true (s_frame_eq (hb, 2, "\x05", 1));
    zmsg_destroy (&hb);

    //  A DEALER client with an empty first frame gets one back (mmi here).
    zsock_t *client = s_dealer (h, NULL);
    s_send (client, "", "MDPC02", "\x01", "mmi.service", "conf.env", NULL);
    reply = zmsg_recv (client);
    assert_non_null (reply);
    assert_int_equal (zmsg_size (reply), 5);
    assert_true (s_frame_eq (reply, 0, "", 0));
    assert_frame (reply, 1, "MDPC02");
    assert_frame (reply, 4, "200");
    zmsg_destroy (&reply);
    zsock_destroy (&client);
    zsock_destroy (&worker);
}

/*  Garbage and truncated commands: dropped or answered 400, the broker stays up. */
static void
test_garbage_and_truncated (void **state)
{
    harness_t *h = (harness_t *) *state;
    zsock_t *peer = s_dealer (h, NULL);
    s_send (peer, "hello", NULL);
    s_send (peer, "", NULL);
    s_send (peer, "", "", "", NULL);
    s_send (peer, "MDPW02", NULL);
    s_send (peer, "MDPW02", "\x03", NULL);
    s_send (peer, "MDPW02", "\x09", "x", NULL);
    s_send (peer, "MDPW02", "long command", NULL);
    s_send (peer, "MDPW02", "\x01", NULL);                      //  READY without service
    zmsg_t *binary = zmsg_new ();
    zmsg_addmem (binary, "\x00\xff\x10\x80", 4);
    zmsg_addmem (binary, "\xde\xad\xbe\xef", 4);
    zmsg_send (&binary, peer);
    //  Messages from one peer arrive in order: once this is answered, the broker has
    //  read every frame above.
    s_send (peer, "MDPC02", "\x01", "mmi.service", "mmi.service", NULL);
    zmsg_t *answer;
    while ((answer = zmsg_recv (peer))) {
        bool mmi = s_frame_eq (answer, 0, "MDPC02", 6);
        if (mmi)
            assert_frame (answer, 3, "200");
        zmsg_destroy (&answer);
        if (mmi)
            break;
    }
    zsock_destroy (&peer);

    //  A worker that answers with a truncated FINAL is disconnected; its request is
    //  not lost: with no other worker, the client hears 503.
    zsock_t *worker = s_worker (h, "conf.trunc", false);
    zsock_t *caller = s_dealer (h, NULL);
    s_send (caller, "MDPC02", "\x01", "conf.trunc", "t.x", "", NULL);
    zmsg_t *request = s_recv_command (worker, 0);
    assert_non_null (request);
    zmsg_destroy (&request);
    s_send (worker, "MDPW02", "\x04", NULL);
    s_expect_disconnect (worker, 0);
    zmsg_t *failed = zmsg_recv (caller);
    assert_non_null (failed);
    assert_frame (failed, 2, "conf.trunc");
    assert_int_equal (s_status (failed, 3, NULL, 0), 503);
    zmsg_destroy (&failed);
    zsock_destroy (&caller);
    zsock_destroy (&worker);

    //  Truncated client commands are answered FINAL [Status 400].
    struct { const char *frames [4]; const char *why; } cases [] = {
        { { "MDPC02", NULL }, "command" },
        { { "MDPC02", "\x01", NULL }, "service" },
        { { "MDPC02", "\x01", "conf.any", NULL }, "body" },
        { { "MDPC02", "\x07", "conf.any", "x" }, "REQUEST" },
        { { "MDPC01", "\x01", "conf.any", "x" }, "MDPC01" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        zsock_t *client = s_dealer (h, NULL);
        zmsg_t *msg = zmsg_new ();
        for (int f = 0; f < 4 && cases [i].frames [f]; f++)
            zmsg_addstr (msg, cases [i].frames [f]);
        zmsg_send (&msg, client);
        zmsg_t *reply = zmsg_recv (client);
        assert_non_null (reply);
        assert_frame (reply, 0, "MDPC02");
        assert_true (s_frame_eq (reply, 1, "\x03", 1));
        char message [256];
        assert_int_equal (s_status (reply, 3, message, sizeof message), 400);
        assert_non_null (strstr (message, cases [i].why));
        zmsg_destroy (&reply);
        zsock_destroy (&client);
    }
    char *code = s_mmi_service (h, "mmi.service");
    assert_non_null (code);
    assert_string_equal (code, "200");
    zstr_free (&code);
}

/*  A body over max_request_bytes is refused with 413 naming the limit. */
static void
test_oversized_body_413 (void **state)
{
    harness_t *h = (harness_t *) *state;
    zsock_t *worker = s_worker (h, "conf.big", false);
    zsock_t *client = s_dealer (h, NULL);
    char big [2000];
    memset (big, 'x', sizeof big - 1);
    big [sizeof big - 1] = 0;
    s_send (client, "MDPC02", "\x01", "conf.big", "big.put", big, NULL);
    zmsg_t *reply = zmsg_recv (client);
    assert_non_null (reply);
    assert_frame (reply, 0, "MDPC02");
    assert_true (s_frame_eq (reply, 1, "\x03", 1));
    assert_frame (reply, 2, "conf.big");
    char message [256];
    assert_int_equal (s_status (reply, 3, message, sizeof message), 413);
    assert_non_null (strstr (message, "1024"));
    zmsg_destroy (&reply);

    //  The worker never saw it: whatever arrives (heartbeats; DISCONNECT once this
    //  silent worker expires) is no REQUEST.
    zsock_set_rcvtimeo (worker, 3 * HEARTBEAT_MS);
    zmsg_t *msg;
    while ((msg = zmsg_recv (worker))) {
        assert_false (s_frame_eq (msg, 1, "\x02", 1));
        zmsg_destroy (&msg);
    }
    zsock_destroy (&client);
    zsock_destroy (&worker);
}

/*  RFC 8: mmi.service 200 / 404, unknown mmi.* 501; a request for a service nobody
    offers is answered 503 after the wait. */
static void
test_mmi_and_unknown_service (void **state)
{
    harness_t *h = (harness_t *) *state;
    zsock_t *worker = s_worker (h, "conf.here", false);
    char *code = s_mmi_service (h, "conf.here");
    assert_string_equal (code, "200");
    zstr_free (&code);
    code = s_mmi_service (h, "conf.absent");
    assert_string_equal (code, "404");
    zstr_free (&code);

    zsock_t *client = s_dealer (h, NULL);
    s_send (client, "MDPC02", "\x01", "mmi.nonsense", "x", NULL);
    zmsg_t *reply = zmsg_recv (client);
    assert_non_null (reply);
    assert_int_equal (zmsg_size (reply), 4);
    assert_frame (reply, 2, "mmi.nonsense");
    assert_frame (reply, 3, "501");
    zmsg_destroy (&reply);

    s_send (client, "MDPC02", "\x01", "conf.absent", "x.y", "", NULL);
    reply = zmsg_recv (client);
    assert_non_null (reply);
    assert_frame (reply, 2, "conf.absent");
    assert_int_equal (s_status (reply, 3, NULL, 0), 503);
    zmsg_destroy (&reply);
    zsock_destroy (&client);
    zsock_destroy (&worker);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_request_partial_final_frames, setup, stack_down),
        cmocka_unit_test_setup_teardown (test_anonymous_caller, setup, stack_down),
        cmocka_unit_test_setup_teardown (test_broker_heartbeats_worker, setup, stack_down),
        cmocka_unit_test_setup_teardown (test_unexpected_command_disconnect, setup, stack_down),
        cmocka_unit_test_setup_teardown (test_enveloped_peers, setup, stack_down),
        cmocka_unit_test_setup_teardown (test_garbage_and_truncated, setup, stack_down),
        cmocka_unit_test_setup_teardown (test_oversized_body_413, setup, stack_down),
        cmocka_unit_test_setup_teardown (test_mmi_and_unknown_service, setup, stack_down),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
