/*  inv_rpc: the body convention on top of MDP, for both ends.

    Worker side: a service declares a table of methods (name, request descriptor,
    handler, size limit). inv_rpc_dispatch() takes a request body
    [caller][method][protobuf], checks the method exists, the size, decodes the
    protobuf, calls the handler, and encodes [innov.Status][reply]. A handler is a plain
    function that unit tests call without sockets:

        static void enterprise_get (void *ctx, inv_call_t *call) {
            Innov__GetEnterpriseRequest *req = (void *) call->request;
            ...
            if (!found) { inv_call_error (call, 404, "no enterprise %s", code); return; }
            inv_call_reply (call, &reply->base);     // takes ownership
        }

    Bad input never reaches a handler: unknown method -> 400 naming the method and the
    known ones; undecodable protobuf -> 400 "request: does not decode as X"; too large
    -> 413; a repeated field (at any depth) with more than INV_MAX_REPEATED items ->
    413 with a FieldError naming it (inv_limits.h). Field errors:
    inv_call_field_error (call, "enterprise.credit_code", "...") sets 400 and adds a detail;
    a handler returns after it has collected them.

    Client side: inv_rpc_call() builds [method][request], sends through mdp_client,
    and decodes the status and reply.
*/
#ifndef INV_RPC_H
#define INV_RPC_H
#include <czmq.h>
#include <protobuf-c/protobuf-c.h>
#include "rpc.pb-c.h"
#include "mdp_client.h"

typedef struct {
    const char *caller;                 /* principal string from the broker */
    const char *method;
    const ProtobufCMessage *request;    /* decoded request (owned by dispatch) */
    void *ctx;                          /* the service's context */
    /* result, filled by the handler: */
    int code;                           /* 200 unless set (0 also reads as 200) */
    char message [512];
    zlist_t *details;                   /* of Innov__FieldError * (owned) */
    ProtobufCMessage *reply;            /* owned; freed with protobuf_c_message_free_unpacked
                                           unless reply_free is set */
    void (*reply_free) (ProtobufCMessage *reply);
    /* the request frame as received (owned by dispatch); methods whose request
       descriptor is NULL read it here instead of a decoded message */
    const uint8_t *body;
    size_t body_size;
} inv_call_t;

typedef void (inv_handler_fn) (void *ctx, inv_call_t *call);

typedef struct {
    const char *name;                               /* "enterprise.add" */
    const ProtobufCMessageDescriptor *request;      /* &innov__add_enterprise_request__descriptor;
                                                       NULL: not protobuf, see call->body */
    inv_handler_fn *handler;
    size_t max_bytes;                               /* 0 = the process default (1 MiB, or
                                                       inv_rpc_set_max_bytes); a method
                                                       may set a smaller (or larger) one */
} inv_method_t;

/* The process-wide default request size limit (inv_service_run sets it from
   cfg->max_request_bytes). The limit applies to the request frame. */
void inv_rpc_set_max_bytes (size_t max_bytes);

/* For handlers. inv_call_error sets code and message (the last call wins).
   inv_call_field_error sets 400 (unless another failure code is set), appends the
   detail, and extends the message. Both may be called before or after a reply was
   set; a failed call's reply is dropped. */
void inv_call_error (inv_call_t *call, int code, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));
void inv_call_field_error (inv_call_t *call, const char *field, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));
bool inv_call_failed (const inv_call_t *call);
/* Take ownership of a reply built with protobuf_c_message_init + malloc'd fields and a
   free function of your own (or NULL for one from protobuf_c_message_unpack). */
void inv_call_reply (inv_call_t *call, ProtobufCMessage *reply, void (*reply_free) (ProtobufCMessage *));

/* For unit tests of handlers, without sockets: init zeroes call and fills the request
   side (request stays owned by the test); clear frees details and reply. */
void inv_call_init (inv_call_t *call, void *ctx, const char *caller, const char *method,
                    const ProtobufCMessage *request);
void inv_call_clear (inv_call_t *call);
/* Build a body [caller][method][packed request] as the broker delivers it (request may
   be NULL: empty frame). */
zmsg_t *inv_rpc_request_msg (const char *caller, const char *method, const ProtobufCMessage *request);

/* Worker side: body is destroyed; returns the reply body [Status][reply]. Never NULL.
   methods is terminated by an entry with name NULL. Logs one line per call at info:
   method, caller, status code, microseconds spent (and the message when not 200).
   A body of two frames [caller][method] is an empty request; fewer frames is a 400.
   The reply frame is empty unless the status is 200. A 400 built from field errors
   has the message "<field>: <reason>" (several joined with "; "). */
zmsg_t *inv_rpc_dispatch (const inv_method_t *methods, void *ctx, zmsg_t **body_p);
/* Build [Status][reply] directly (for the broker's own services and errors). */
zmsg_t *inv_rpc_status_msg (int code, const char *message, const ProtobufCMessage *reply);

/* Client side: returns the status code (200 on success) and, on 200, *reply_p decoded
   with reply_desc (free with protobuf_c_message_free_unpacked). *status_p (may be NULL)
   receives the decoded status (free with innov__status__free_unpacked). Returns 503
   with a made-up status when the broker did not answer, and 502 when the reply does
   not decode. */
int inv_rpc_call (mdp_client_t *client, const char *service, const char *method,
                  const ProtobufCMessage *request,
                  const ProtobufCMessageDescriptor *reply_desc, ProtobufCMessage **reply_p,
                  Innov__Status **status_p);

/* A message packed into a malloc'd buffer (never NULL; free it), its size in *size_p. */
uint8_t *inv_rpc_pack (const ProtobufCMessage *message, size_t *size_p);

void inv_rpc_test (bool verbose);
#endif
