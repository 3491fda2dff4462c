/*  inv_rpc: the body convention on top of MDP, for both ends.

    Worker side, inv_rpc_dispatch turns one request body into one reply body:

        [caller][method][request]  ->  look up method  ->  size check  ->  decode
                                   ->  handler (ctx, call)  ->  [Status][reply]

    Everything a handler produces lives in an inv_call_t on dispatch's stack: code,
    message, field errors, reply. Dispatch owns every allocation and frees it after
    encoding, so a handler only builds values and returns; a unit test can do the
    same by calling a handler on a zeroed inv_call_t and inspecting it (then freeing
    call.details with zlist_destroy and the reply as documented).

    Field errors are kept as Innov__FieldError records with their own strings and go
    into Status.details in the order they were reported. The reply frame is filled
    only on 200, so a client never mistakes a partial reply for a result.

    Client side, inv_rpc_call packs [method][request], sends it through mdp_client and
    decodes [Status][reply]; when the broker does not answer it makes up a 503 status,
    and when the answer does not decode a 502, so callers handle one shape only.
*/
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "inv_rpc.h"
#include "inv_log.h"
#include "inv_limits.h"

void
inv_rpc_set_max_bytes (size_t max_bytes)
{
    inv_limits_set_max_request (max_bytes);
}

/* ---- handler functions --------------------------------------------------------------- */

static void
s_field_error_free (void *item)
{
    Innov__FieldError *fe = (Innov__FieldError *) item;
    if (fe) {
        free (fe->field);
        free (fe->reason);
        free (fe);
    }
}

static void
s_drop_reply (inv_call_t *call)
{
    if (call->reply) {
        if (call->reply_free)
            call->reply_free (call->reply);
        else
            protobuf_c_message_free_unpacked (call->reply, NULL);
    }
    call->reply = NULL;
    call->reply_free = NULL;
}

void
inv_call_error (inv_call_t *call, int code, const char *fmt, ...)
{
    call->code = code;
    va_list args;
    va_start (args, fmt);
    vsnprintf (call->message, sizeof call->message, fmt, args);
    va_end (args);
}

void
inv_call_field_error (inv_call_t *call, const char *field, const char *fmt, ...)
{
    char reason [512];
    va_list args;
    va_start (args, fmt);
    vsnprintf (reason, sizeof reason, fmt, args);
    va_end (args);

    Innov__FieldError *fe = (Innov__FieldError *) malloc (sizeof *fe);
    assert (fe);
    innov__field_error__init (fe);
    fe->field = strdup (field? field: "");
    fe->reason = strdup (reason);
    assert (fe->field && fe->reason);
    if (!call->details)
        call->details = zlist_new ();
    zlist_append (call->details, fe);
    zlist_freefn (call->details, fe, s_field_error_free, true);

    size_t used = strlen (call->message);
    if (call->code == 0 || call->code == 200 || used == 0) {
        if (call->code == 0 || call->code == 200)
            call->code = 400;
        snprintf (call->message, sizeof call->message, "%s: %s", fe->field, fe->reason);
    }
    else
    if (used < sizeof call->message - 1)
        snprintf (call->message + used, sizeof call->message - used, "; %s: %s", fe->field, fe->reason);
}

bool
inv_call_failed (const inv_call_t *call)
{
    return call->code != 0 && call->code != 200;
}

void
inv_call_reply (inv_call_t *call, ProtobufCMessage *reply, void (*reply_free) (ProtobufCMessage *))
{
    s_drop_reply (call);
    call->reply = reply;
    call->reply_free = reply_free;
}

void
inv_call_init (inv_call_t *call, void *ctx, const char *caller, const char *method,
               const ProtobufCMessage *request)
{
    memset (call, 0, sizeof *call);
    call->ctx = ctx;
    call->caller = caller? caller: "";
    call->method = method? method: "";
    call->request = request;
    call->code = 200;
}

void
inv_call_clear (inv_call_t *call)
{
    s_drop_reply (call);
    zlist_destroy (&call->details);
}

/* ---- encoding ------------------------------------------------------------------------ */

static zframe_t *
s_pack (const ProtobufCMessage *message)
{
    if (!message)
        return zframe_new_empty ();
    size_t size = protobuf_c_message_get_packed_size (message);
    zframe_t *frame = zframe_new (NULL, size);
    protobuf_c_message_pack (message, zframe_data (frame));
    return frame;
}

uint8_t *
inv_rpc_pack (const ProtobufCMessage *message, size_t *size_p)
{
    size_t size = protobuf_c_message_get_packed_size (message);
    uint8_t *buffer = (uint8_t *) malloc (size? size: 1);
    assert (buffer);
    protobuf_c_message_pack (message, buffer);
    *size_p = size;
    return buffer;
}

/* [Status][reply] with the given details (may be NULL) */
static zmsg_t *
s_status_msg (int code, const char *message, zlist_t *details, const ProtobufCMessage *reply)
{
    Innov__Status status = INNOV__STATUS__INIT;
    status.code = code;
    status.message = (char *) (message? message: "");
    Innov__FieldError **array = NULL;
    if (details && zlist_size (details) > 0) {
        array = (Innov__FieldError **) calloc (zlist_size (details), sizeof *array);
        assert (array);
        Innov__FieldError *fe = (Innov__FieldError *) zlist_first (details);
        while (fe) {
            array [status.n_details++] = fe;
            fe = (Innov__FieldError *) zlist_next (details);
        }
        status.details = array;
    }
    zmsg_t *msg = zmsg_new ();
    zframe_t *frame = s_pack (&status.base);
    zmsg_append (msg, &frame);
    frame = code == 200? s_pack (reply): zframe_new_empty ();
    zmsg_append (msg, &frame);
    free (array);
    return msg;
}

zmsg_t *
inv_rpc_request_msg (const char *caller, const char *method, const ProtobufCMessage *request)
{
    zmsg_t *msg = zmsg_new ();
    zmsg_addstr (msg, caller? caller: "");
    zmsg_addstr (msg, method? method: "");
    zframe_t *frame = s_pack (request);
    zmsg_append (msg, &frame);
    return msg;
}

zmsg_t *
inv_rpc_status_msg (int code, const char *message, const ProtobufCMessage *reply)
{
    return s_status_msg (code, message, NULL, reply);
}

/* ---- dispatch ------------------------------------------------------------------------ */

static int64_t
s_now_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static const inv_method_t *
s_find_method (const inv_method_t *methods, const char *name)
{
    for (const inv_method_t *m = methods; m && m->name; m++)
        if (streq (m->name, name))
            return m;
    return NULL;
}

static void
s_unknown_method (inv_call_t *call, const inv_method_t *methods, const char *name)
{
    size_t used = (size_t) snprintf (call->message, sizeof call->message,
                                     "unknown method \"%s\"; known methods:", name);
    for (const inv_method_t *m = methods; m && m->name; m++) {
        if (used >= sizeof call->message - 1)
            break;
        used += (size_t) snprintf (call->message + used, sizeof call->message - used,
                                   "%s %s", m == methods? "": ",", m->name);
    }
    if (!methods || !methods->name)
        snprintf (call->message + used, sizeof call->message - used, " none");
    call->code = 400;
}

zmsg_t *
inv_rpc_dispatch (const inv_method_t *methods, void *ctx, zmsg_t **body_p)
{
    int64_t started = s_now_us ();
    zmsg_t *body = body_p? *body_p: NULL;
    if (body_p)
        *body_p = NULL;

    inv_call_t call;
    inv_call_init (&call, ctx, NULL, NULL, NULL);

    char *caller = NULL, *method = NULL;
    zframe_t *request = NULL;
    const inv_method_t *m = NULL;
    if (body && zmsg_size (body) >= 2) {
        zframe_t *frame = zmsg_pop (body);
        caller = zframe_strdup (frame);
        zframe_destroy (&frame);
        frame = zmsg_pop (body);
        method = zframe_strdup (frame);
        zframe_destroy (&frame);
        request = zmsg_pop (body);          /* NULL when absent: empty request */
    }
    call.caller = caller? caller: "";
    call.method = method? method: "";

    if (!method)
        inv_call_error (&call, 400, "request: expected frames [caller][method][request], got %zu",
                        body? zmsg_size (body): 0);
    else
    if (!(m = s_find_method (methods, method)))
        s_unknown_method (&call, methods, method);
    else {
        size_t size = request? zframe_size (request): 0;
        size_t limit = m->max_bytes? m->max_bytes: inv_limits_max_request ();
        call.body = request? zframe_data (request): (const uint8_t *) "";
        call.body_size = size;
        if (size > limit)
            inv_call_error (&call, 413, "request: %zu bytes is more than the %zu allowed for %s",
                            size, limit, m->name);
        else
        if (m->request) {
            ProtobufCMessage *decoded = protobuf_c_message_unpack (m->request, NULL, size, call.body);
            char field [256];
            size_t items = 0;
            if (!decoded)
                inv_call_error (&call, 400, "request: does not decode as %s", m->request->name);
            else
            if (!inv_limits_repeated_ok (decoded, INV_MAX_REPEATED, field, sizeof field, &items)) {
                call.code = 413;
                inv_call_field_error (&call, field, "%zu items is more than the %d allowed",
                                      items, INV_MAX_REPEATED);
                protobuf_c_message_free_unpacked (decoded, NULL);
            }
            else {
                call.request = decoded;
                m->handler (ctx, &call);
                protobuf_c_message_free_unpacked (decoded, NULL);
                call.request = NULL;
            }
        }
        else
            m->handler (ctx, &call);
    }
    if (call.code == 0)
        call.code = 200;

    zmsg_t *reply = s_status_msg (call.code, call.message, call.details, call.reply);
    int64_t spent = s_now_us () - started;
    if (call.code == 200)
        inv_info ("%s caller=%s %d %" PRId64 "us", call.method, call.caller, call.code, spent);
    else
        inv_info ("%s caller=%s %d %" PRId64 "us %s", call.method, call.caller, call.code, spent,
                  call.message);

    inv_call_clear (&call);
    zframe_destroy (&request);
    zmsg_destroy (&body);
    free (caller);
    free (method);
    return reply;
}

/* ---- client -------------------------------------------------------------------------- */

/* A status the client makes up itself, allocated like a decoded one. */
static Innov__Status *
s_made_up_status (int code, const char *fmt, ...)
{
    char message [512];
    va_list args;
    va_start (args, fmt);
    vsnprintf (message, sizeof message, fmt, args);
    va_end (args);
    Innov__Status status = INNOV__STATUS__INIT;
    status.code = code;
    status.message = message;
    size_t size = innov__status__get_packed_size (&status);
    uint8_t *buffer = (uint8_t *) malloc (size? size: 1);
    assert (buffer);
    innov__status__pack (&status, buffer);
    Innov__Status *copy = innov__status__unpack (NULL, size, buffer);
    free (buffer);
    assert (copy);
    return copy;
}

int
inv_rpc_call (mdp_client_t *client, const char *service, const char *method,
              const ProtobufCMessage *request,
              const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **reply_p,
              Innov__Status **status_p)
{
    if (reply_p)
        *reply_p = NULL;
    if (status_p)
        *status_p = NULL;

    zmsg_t *body = zmsg_new ();
    zmsg_addstr (body, method);
    zframe_t *frame = s_pack (request);
    zmsg_append (body, &frame);
    zmsg_t *answer = client? mdp_client_request (client, service, &body, NULL): NULL;
    zmsg_destroy (&body);

    Innov__Status *status = NULL;
    ProtobufCMessage *reply = NULL;
    if (!answer)
        status = s_made_up_status (503, "service %s did not answer %s (no reply before the timeout)",
                                   service, method);
    else {
        zframe_t *status_frame = zmsg_pop (answer);
        zframe_t *reply_frame = zmsg_pop (answer);
        if (status_frame)
            status = innov__status__unpack (NULL, zframe_size (status_frame), zframe_data (status_frame));
        if (!status)
            status = s_made_up_status (502, "service %s answered %s with a status that does not decode",
                                       service, method);
        else
        if (status->code == 200 && reply_desc) {
            reply = protobuf_c_message_unpack (reply_desc, NULL,
                                               reply_frame? zframe_size (reply_frame): 0,
                                               reply_frame? zframe_data (reply_frame): (const uint8_t *) "");
            if (!reply) {
                innov__status__free_unpacked (status, NULL);
                status = s_made_up_status (502, "service %s answered %s with a reply that does not decode as %s",
                                           service, method, reply_desc->name);
            }
        }
        zframe_destroy (&status_frame);
        zframe_destroy (&reply_frame);
        zmsg_destroy (&answer);
    }
    int code = status->code;
    if (reply_p)
        *reply_p = reply;
    else
    if (reply)
        protobuf_c_message_free_unpacked (reply, NULL);
    if (status_p)
        *status_p = status;
    else
        innov__status__free_unpacked (status, NULL);
    return code;
}

/* ---- self test ----------------------------------------------------------------------- */

static void
s_test_echo (void *ctx, inv_call_t *call)
{
    (void) ctx;
    if (call->body_size == 0) {
        inv_call_field_error (call, "message", "must not be empty");
        return;
    }
    inv_call_reply (call, (ProtobufCMessage *) s_made_up_status (200, "%s", call->caller), NULL);
}

void
inv_rpc_test (bool verbose)
{
    if (verbose)
        printf (" * inv_rpc: ");
    static const inv_method_t methods [] = {
        { "test.echo", &innov__status__descriptor, s_test_echo, 0 },
        { NULL }
    };
    /* unknown method names the known ones */
    zmsg_t *body = zmsg_new ();
    zmsg_addstr (body, "city:140100");
    zmsg_addstr (body, "test.nope");
    zmsg_addstr (body, "");
    zmsg_t *reply = inv_rpc_dispatch (methods, NULL, &body);
    assert (body == NULL);
    zframe_t *frame = zmsg_first (reply);
    Innov__Status *status = innov__status__unpack (NULL, zframe_size (frame), zframe_data (frame));
    assert (status && status->code == 400);
    assert (strstr (status->message, "test.nope") && strstr (status->message, "test.echo"));
    innov__status__free_unpacked (status, NULL);
    zmsg_destroy (&reply);

    /* a good call */
    Innov__Status hello = INNOV__STATUS__INIT;
    hello.code = 7;
    body = zmsg_new ();
    zmsg_addstr (body, "province");
    zmsg_addstr (body, "test.echo");
    frame = s_pack (&hello.base);
    zmsg_append (body, &frame);
    reply = inv_rpc_dispatch (methods, NULL, &body);
    assert (zmsg_size (reply) == 2);
    frame = zmsg_first (reply);
    status = innov__status__unpack (NULL, zframe_size (frame), zframe_data (frame));
    assert (status && status->code == 200);
    innov__status__free_unpacked (status, NULL);
    frame = zmsg_next (reply);
    status = innov__status__unpack (NULL, zframe_size (frame), zframe_data (frame));
    assert (status && streq (status->message, "province"));
    innov__status__free_unpacked (status, NULL);
    zmsg_destroy (&reply);
    if (verbose)
        printf ("OK\n");
}
