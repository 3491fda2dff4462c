/*  test_rpc: the body convention, worker and client side.

    Dispatch is tested without sockets: bodies are built as the broker delivers them
    and the [Status][reply] answer is decoded. Handlers here use innov.Status as their
    request and reply type, since rpc.proto is all this test may assume. The client
    side, inv_rpc_call, is tested through a real mdp_client against a stand-in broker
    on an inproc endpoint that runs dispatch itself. The test-mode admin method is
    tested through inv_service_handle. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "inv_rpc.h"
#include "inv_service.h"
#include "inv_clock.h"
#include "inv_log.h"
#include "mdp.h"

/* ---- handlers under test ---- */

static int s_calls;

/* echo: replies with a Status carrying the caller, the request's message and code+1 */
static void
h_echo (void *ctx, inv_call_t *call)
{
    s_calls++;
    const Innov__Status *req = (const Innov__Status *) call->request;
    assert_non_null (req);
    assert_ptr_equal (ctx, &s_calls);
    Innov__Status *reply = malloc (sizeof *reply);
    innov__status__init (reply);
    reply->code = req->code + 1;
    char text [256];
    snprintf (text, sizeof text, "%s|%s|%s", call->caller, call->method, req->message);
    reply->message = strdup (text);
    inv_call_reply (call, &reply->base, NULL);      /* freed as if unpacked */
}

/* validate: a field error per empty field, all reported together */
static void
h_validate (void *ctx, inv_call_t *call)
{
    (void) ctx;
    s_calls++;
    const Innov__Status *req = (const Innov__Status *) call->request;
    if (req->code <= 0)
        inv_call_field_error (call, "status.code", "must be positive, not %d", req->code);
    if (!*req->message)
        inv_call_field_error (call, "status.message", "must not be empty");
    if (inv_call_failed (call))
        return;
    inv_call_reply (call, NULL, NULL);
}

static void
s_free_status (ProtobufCMessage *message)
{
    Innov__Status *status = (Innov__Status *) message;
    free (status->message);
    free (status);
}

/* missing: 404, after having built a reply (which must be dropped, not leaked) */
static void
h_missing (void *ctx, inv_call_t *call)
{
    (void) ctx;
    s_calls++;
    Innov__Status *reply = malloc (sizeof *reply);
    innov__status__init (reply);
    reply->message = strdup ("partial");
    inv_call_reply (call, &reply->base, s_free_status);
    inv_call_error (call, 404, "no enterprise %s", "91140100MA0K000001");
}

static void
h_raw (void *ctx, inv_call_t *call)
{
    (void) ctx;
    s_calls++;
    assert_null (call->request);
    inv_call_error (call, 200, "%zu bytes: %.*s", call->body_size, (int) call->body_size,
                    (const char *) call->body);
}

static const inv_method_t s_methods [] = {
    { "test.echo", &innov__status__descriptor, h_echo, 0 },
    { "test.validate", &innov__status__descriptor, h_validate, 0 },
    { "test.missing", &innov__status__descriptor, h_missing, 0 },
    { "test.small", &innov__status__descriptor, h_echo, 16 },
    { "test.raw", NULL, h_raw, 0 },
    { NULL }
};

/* ---- decoding answers ---- */

typedef struct {
    Innov__Status *status;
    Innov__Status *reply;       /* decoded second frame when non-empty */
    size_t reply_size;
    size_t frames;
} answer_t;

static void
s_decode (zmsg_t **reply_p, answer_t *answer)
{
    zmsg_t *reply = *reply_p;
    assert_non_null (reply);
    memset (answer, 0, sizeof *answer);
    answer->frames = zmsg_size (reply);
    zframe_t *frame = zmsg_first (reply);
    answer->status = innov__status__unpack (NULL, zframe_size (frame), zframe_data (frame));
    assert_non_null (answer->status);
    frame = zmsg_next (reply);
    if (frame) {
        answer->reply_size = zframe_size (frame);
        if (answer->reply_size)
            answer->reply = innov__status__unpack (NULL, zframe_size (frame), zframe_data (frame));
    }
    zmsg_destroy (reply_p);
}

static void
s_answer_free (answer_t *answer)
{
    if (answer->status)
        innov__status__free_unpacked (answer->status, NULL);
    if (answer->reply)
        innov__status__free_unpacked (answer->reply, NULL);
    memset (answer, 0, sizeof *answer);
}

static void
s_call (const char *method, int code, const char *message, answer_t *answer)
{
    Innov__Status req = INNOV__STATUS__INIT;
    req.code = code;
    req.message = (char *) message;
    zmsg_t *body = inv_rpc_request_msg ("city:140100", method, &req.base);
    zmsg_t *reply = inv_rpc_dispatch (s_methods, &s_calls, &body);
    assert_null (body);
    s_decode (&reply, answer);
}

/* ---- dispatch ---- */

static void
test_reply_encoding (void **state)
{
    (void) state;
    answer_t answer;
    s_calls = 0;
    s_call ("test.echo", 41, "hello", &answer);
    assert_int_equal (s_calls, 1);
    assert_int_equal (answer.frames, 2);
    assert_int_equal (answer.status->code, 200);
    assert_int_equal (answer.status->n_details, 0);
    assert_non_null (answer.reply);
    assert_int_equal (answer.reply->code, 42);
    assert_string_equal (answer.reply->message, "city:140100|test.echo|hello");
    s_answer_free (&answer);
    /* a 200 without a reply has an empty reply frame */
    s_call ("test.validate", 1, "fine", &answer);
    assert_int_equal (answer.status->code, 200);
    assert_int_equal (answer.frames, 2);
    assert_int_equal (answer.reply_size, 0);
    s_answer_free (&answer);
}

static void
test_unknown_method (void **state)
{
    (void) state;
    answer_t answer;
    s_calls = 0;
    s_call ("test.nope", 1, "x", &answer);
    assert_int_equal (s_calls, 0);
    assert_int_equal (answer.status->code, 400);
    assert_non_null (strstr (answer.status->message, "unknown method \"test.nope\""));
    for (const inv_method_t *m = s_methods; m->name; m++)
        assert_non_null (strstr (answer.status->message, m->name));
    assert_int_equal (answer.reply_size, 0);
    s_answer_free (&answer);
    /* an empty table still answers */
    static const inv_method_t none [] = { { NULL } };
    zmsg_t *body = inv_rpc_request_msg ("province", "x.y", NULL);
    zmsg_t *reply = inv_rpc_dispatch (none, NULL, &body);
    s_decode (&reply, &answer);
    assert_int_equal (answer.status->code, 400);
    assert_non_null (strstr (answer.status->message, "none"));
    s_answer_free (&answer);
}

static void
test_bad_protobuf (void **state)
{
    (void) state;
    s_calls = 0;
    zmsg_t *body = zmsg_new ();
    zmsg_addstr (body, "province");
    zmsg_addstr (body, "test.echo");
    zmsg_addmem (body, "\x08\xff", 2);            /* a varint cut short */
    zmsg_t *reply = inv_rpc_dispatch (s_methods, &s_calls, &body);
    answer_t answer;
    s_decode (&reply, &answer);
    assert_int_equal (s_calls, 0);
    assert_int_equal (answer.status->code, 400);
    assert_string_equal (answer.status->message, "request: does not decode as innov.Status");
    s_answer_free (&answer);
}

static void
test_oversize (void **state)
{
    (void) state;
    s_calls = 0;
    answer_t answer;
    /* per-method limit */
    s_call ("test.small", 1, "this message is longer than sixteen bytes", &answer);
    assert_int_equal (s_calls, 0);
    assert_int_equal (answer.status->code, 413);
    assert_non_null (strstr (answer.status->message, "16 allowed for test.small"));
    s_answer_free (&answer);
    s_call ("test.small", 1, "short", &answer);
    assert_int_equal (answer.status->code, 200);
    s_answer_free (&answer);
    /* the process default */
    inv_rpc_set_max_bytes (64);
    char big [100];
    memset (big, 'a', sizeof big - 1);
    big [sizeof big - 1] = '\0';
    s_call ("test.echo", 1, big, &answer);
    assert_int_equal (answer.status->code, 413);
    s_answer_free (&answer);
    inv_rpc_set_max_bytes (0);                    /* back to 1 MiB */
    s_call ("test.echo", 1, big, &answer);
    assert_int_equal (answer.status->code, 200);
    s_answer_free (&answer);
    assert_int_equal (s_calls, 2);
}

static void
test_field_errors_aggregated (void **state)
{
    (void) state;
    answer_t answer;
    s_call ("test.validate", -3, "", &answer);
    assert_int_equal (answer.status->code, 400);
    assert_int_equal (answer.status->n_details, 2);
    assert_string_equal (answer.status->details [0]->field, "status.code");
    assert_string_equal (answer.status->details [0]->reason, "must be positive, not -3");
    assert_string_equal (answer.status->details [1]->field, "status.message");
    assert_string_equal (answer.status->details [1]->reason, "must not be empty");
    assert_string_equal (answer.status->message,
                         "status.code: must be positive, not -3; status.message: must not be empty");
    assert_int_equal (answer.reply_size, 0);
    s_answer_free (&answer);
    s_call ("test.validate", 5, "", &answer);
    assert_int_equal (answer.status->n_details, 1);
    assert_string_equal (answer.status->message, "status.message: must not be empty");
    s_answer_free (&answer);
}

static void
test_error_drops_reply (void **state)
{
    (void) state;
    answer_t answer;
    s_call ("test.missing", 1, "x", &answer);
    assert_int_equal (answer.status->code, 404);
    assert_string_equal (answer.status->message, "no enterprise 91140100MA0K000001");
    assert_int_equal (answer.frames, 2);
    assert_int_equal (answer.reply_size, 0);
    s_answer_free (&answer);
}

static void
test_malformed_bodies (void **state)
{
    (void) state;
    answer_t answer;
    /* [caller][method] only: an empty request, decoded as the default message */
    zmsg_t *body = zmsg_new ();
    zmsg_addstr (body, "province");
    zmsg_addstr (body, "test.echo");
    zmsg_t *reply = inv_rpc_dispatch (s_methods, &s_calls, &body);
    s_decode (&reply, &answer);
    assert_int_equal (answer.status->code, 200);
    assert_string_equal (answer.reply->message, "province|test.echo|");
    s_answer_free (&answer);
    /* one frame: refused */
    body = zmsg_new ();
    zmsg_addstr (body, "province");
    reply = inv_rpc_dispatch (s_methods, &s_calls, &body);
    s_decode (&reply, &answer);
    assert_int_equal (answer.status->code, 400);
    assert_non_null (strstr (answer.status->message, "[caller][method][request]"));
    s_answer_free (&answer);
    /* no body at all */
    body = NULL;
    reply = inv_rpc_dispatch (s_methods, &s_calls, &body);
    s_decode (&reply, &answer);
    assert_int_equal (answer.status->code, 400);
    s_answer_free (&answer);
    /* a raw (non-protobuf) method sees the frame */
    body = zmsg_new ();
    zmsg_addstr (body, "province");
    zmsg_addstr (body, "test.raw");
    zmsg_addstr (body, "plain text");
    reply = inv_rpc_dispatch (s_methods, &s_calls, &body);
    s_decode (&reply, &answer);
    assert_int_equal (answer.status->code, 200);
    assert_string_equal (answer.status->message, "10 bytes: plain text");
    s_answer_free (&answer);
}

static void
test_handler_without_dispatch (void **state)
{
    (void) state;
    /* how a service's unit test calls a handler directly */
    Innov__Status req = INNOV__STATUS__INIT;
    req.code = -1;
    inv_call_t call;
    inv_call_init (&call, NULL, "dept:gxt", "test.validate", &req.base);
    h_validate (NULL, &call);
    assert_true (inv_call_failed (&call));
    assert_int_equal (call.code, 400);
    assert_int_equal (zlist_size (call.details), 2);
    Innov__FieldError *fe = zlist_first (call.details);
    assert_string_equal (fe->field, "status.code");
    inv_call_clear (&call);
    assert_null (call.details);

    req.code = 9;
    inv_call_init (&call, &s_calls, "dept:gxt", "test.echo", &req.base);
    h_echo (&s_calls, &call);
    assert_false (inv_call_failed (&call));
    assert_int_equal (((Innov__Status *) call.reply)->code, 10);
    inv_call_clear (&call);
    assert_null (call.reply);

    /* a zeroed call reads as 200 */
    memset (&call, 0, sizeof call);
    assert_false (inv_call_failed (&call));
    inv_call_field_error (&call, "a", "b");
    assert_int_equal (call.code, 400);
    /* a later failure code wins over the field errors' 400, details are kept */
    inv_call_error (&call, 409, "version %d is stale", 3);
    assert_int_equal (call.code, 409);
    inv_call_field_error (&call, "c", "d");
    assert_int_equal (call.code, 409);
    assert_int_equal (zlist_size (call.details), 2);
    inv_call_clear (&call);
}

static void
test_status_msg (void **state)
{
    (void) state;
    Innov__Status inner = INNOV__STATUS__INIT;
    inner.code = 7;
    answer_t answer;
    zmsg_t *msg = inv_rpc_status_msg (200, "ok", &inner.base);
    s_decode (&msg, &answer);
    assert_int_equal (answer.status->code, 200);
    assert_int_equal (answer.reply->code, 7);
    s_answer_free (&answer);
    msg = inv_rpc_status_msg (503, "no worker for registry", &inner.base);
    s_decode (&msg, &answer);
    assert_int_equal (answer.status->code, 503);
    assert_string_equal (answer.status->message, "no worker for registry");
    assert_int_equal (answer.reply_size, 0);
    s_answer_free (&answer);
}

static void
test_self_test (void **state)
{
    (void) state;
    inv_rpc_test (false);
}

/* ---- test mode admin method ---- */

static zmsg_t *
s_admin_body (const char *method, const char *text)
{
    zmsg_t *body = zmsg_new ();
    zmsg_addstr (body, "province");
    zmsg_addstr (body, method);
    zmsg_addstr (body, text);
    return body;
}

static void
test_admin_clock_set (void **state)
{
    (void) state;
    inv_config_t cfg;
    char *argv [] = { "svc", "--test-mode", NULL };
    assert_int_equal (inv_config_load (&cfg, 2, argv, NULL, 0), 0);
    assert_true (cfg.test_mode);
    answer_t answer;
    inv_clock_reset ();

    zmsg_t *body = s_admin_body ("admin.clock.set", "2026-01-06T09:00:00");
    zmsg_t *reply = inv_service_handle (&cfg, s_methods, &s_calls, &body);
    s_decode (&reply, &answer);
    assert_int_equal (answer.status->code, 200);
    assert_string_equal (answer.status->message, "clock set to 2026-01-06T09:00:00.000+08:00");
    assert_true (inv_clock_is_set ());
    int64_t now = inv_clock_now_ms ();
    assert_true (now >= 1767661200000LL && now < 1767661200000LL + 60000);
    s_answer_free (&answer);

    body = s_admin_body ("admin.clock.set", "the 6th");
    reply = inv_service_handle (&cfg, s_methods, &s_calls, &body);
    s_decode (&reply, &answer);
    assert_int_equal (answer.status->code, 400);
    assert_int_equal (answer.status->n_details, 1);
    assert_string_equal (answer.status->details [0]->field, "instant");
    s_answer_free (&answer);

    /* the service's own methods still work through the same path */
    Innov__Status req = INNOV__STATUS__INIT;
    body = inv_rpc_request_msg ("province", "test.echo", &req.base);
    reply = inv_service_handle (&cfg, s_methods, &s_calls, &body);
    s_decode (&reply, &answer);
    assert_int_equal (answer.status->code, 200);
    s_answer_free (&answer);

    /* without test mode the method does not exist and the clock is not touched */
    inv_clock_reset ();
    cfg.test_mode = false;
    body = s_admin_body ("admin.clock.set", "2026-01-06T09:00:00");
    reply = inv_service_handle (&cfg, s_methods, &s_calls, &body);
    s_decode (&reply, &answer);
    assert_int_equal (answer.status->code, 400);
    assert_non_null (strstr (answer.status->message, "unknown method \"admin.clock.set\""));
    assert_false (inv_clock_is_set ());
    s_answer_free (&answer);
}

/* ---- client side, through a stand-in broker ---- */

/* Answers MDP client requests on an inproc ROUTER by running dispatch with caller
   "anonymous"; service "silent" never answers; service "garbage" answers junk. */
static void
s_broker_actor (zsock_t *pipe, void *args)
{
    zsock_t *router = zsock_new_router ((const char *) args);
    zsock_signal (pipe, 0);
    if (!router)
        return;
    zpoller_t *poller = zpoller_new (pipe, router, NULL);
    while (true) {
        void *which = zpoller_wait (poller, -1);
        if (which != router)
            break;                                  /* $TERM or interrupted */
        zmsg_t *msg = zmsg_recv (router);
        zframe_t *identity = zmsg_pop (msg);
        zframe_t *header = zmsg_pop (msg);
        if (zframe_size (header) == 0) {            /* tolerate a REQ-style delimiter */
            zframe_destroy (&header);
            header = zmsg_pop (msg);
        }
        zframe_t *command = zmsg_pop (msg);
        char *service = zmsg_popstr (msg);
        zmsg_t *reply;
        /* (no cmocka asserts in this thread: a malformed request just goes unanswered) */
        if (!service || !zframe_streq (header, MDPC_CLIENT) || !command
        ||  zframe_size (command) != 1 || zframe_data (command) [0] != MDPC_REQUEST)
            reply = NULL;
        else
        if (streq (service, "silent"))
            reply = NULL;
        else
        if (streq (service, "garbage")) {
            reply = zmsg_new ();
            zmsg_addmem (reply, "\x08\xff", 2);
            zmsg_addmem (reply, "", 0);
        }
        else {
            zmsg_pushstr (msg, "anonymous");
            reply = inv_rpc_dispatch (s_methods, &s_calls, &msg);
        }
        if (reply) {
            zmsg_pushstr (reply, service);
            zmsg_pushmem (reply, (byte []) { MDPC_FINAL }, 1);
            zmsg_pushstr (reply, MDPC_CLIENT);
            zmsg_prepend (reply, &identity);
            zmsg_send (&reply, router);
        }
        zstr_free (&service);
        zframe_destroy (&command);
        zframe_destroy (&header);
        zframe_destroy (&identity);
        zmsg_destroy (&msg);
    }
    zpoller_destroy (&poller);
    zsock_destroy (&router);
}

static void
test_client_call (void **state)
{
    (void) state;
    const char *endpoint = "inproc://test_rpc_broker";
    zactor_t *broker = zactor_new (s_broker_actor, (void *) endpoint);
    mdp_client_t *client = mdp_client_new (endpoint, NULL);
    assert_non_null (client);
    mdp_client_set_timeout (client, 200);
    mdp_client_set_retries (client, 1);

    Innov__Status req = INNOV__STATUS__INIT;
    req.code = 1;
    req.message = "ping";
    ProtobufCMessage *reply = NULL;
    Innov__Status *status = NULL;
    int code = inv_rpc_call (client, "test", "test.echo", &req.base, &innov__status__descriptor,
                             &reply, &status);
    assert_int_equal (code, 200);
    assert_non_null (status);
    assert_int_equal (status->code, 200);
    assert_non_null (reply);
    assert_string_equal (((Innov__Status *) reply)->message, "anonymous|test.echo|ping");
    assert_int_equal (((Innov__Status *) reply)->code, 2);
    protobuf_c_message_free_unpacked (reply, NULL);
    innov__status__free_unpacked (status, NULL);

    /* failure: status with details, no reply */
    req.code = 0;
    req.message = "";
    code = inv_rpc_call (client, "test", "test.validate", &req.base, &innov__status__descriptor,
                         &reply, &status);
    assert_int_equal (code, 400);
    assert_null (reply);
    assert_int_equal (status->n_details, 2);
    innov__status__free_unpacked (status, NULL);

    /* status_p and reply_p may be NULL */
    code = inv_rpc_call (client, "test", "test.nope", NULL, NULL, NULL, NULL);
    assert_int_equal (code, 400);

    /* a reply that does not decode: 502 */
    code = inv_rpc_call (client, "garbage", "x.y", NULL, &innov__status__descriptor, &reply, &status);
    assert_int_equal (code, 502);
    assert_null (reply);
    assert_non_null (strstr (status->message, "does not decode"));
    innov__status__free_unpacked (status, NULL);

    /* no answer: 503, made up */
    code = inv_rpc_call (client, "silent", "x.y", NULL, &innov__status__descriptor, &reply, &status);
    assert_int_equal (code, 503);
    assert_null (reply);
    assert_int_equal (status->code, 503);
    assert_non_null (strstr (status->message, "silent"));
    innov__status__free_unpacked (status, NULL);

    mdp_client_destroy (&client);
    zactor_destroy (&broker);
    /* no client at all: 503 too */
    code = inv_rpc_call (NULL, "test", "x.y", NULL, NULL, NULL, &status);
    assert_int_equal (code, 503);
    innov__status__free_unpacked (status, NULL);
}

int
main (void)
{
    inv_log_set_level (INV_LOG_WARN);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_reply_encoding),
        cmocka_unit_test (test_unknown_method),
        cmocka_unit_test (test_bad_protobuf),
        cmocka_unit_test (test_oversize),
        cmocka_unit_test (test_field_errors_aggregated),
        cmocka_unit_test (test_error_drops_reply),
        cmocka_unit_test (test_malformed_bodies),
        cmocka_unit_test (test_handler_without_dispatch),
        cmocka_unit_test (test_status_msg),
        cmocka_unit_test (test_self_test),
        cmocka_unit_test (test_admin_clock_set),
        cmocka_unit_test (test_client_call),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
