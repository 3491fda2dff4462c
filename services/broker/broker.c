/*  broker: the MDP/0.2 broker (ZeroMQ RFC 18, mmi.* from RFC 8).

    One ROUTER socket carries both sub-protocols; the first frame after the sender's
    routing id tells them apart ("MDPC02" client, "MDPW02" worker). A peer may put an
    empty frame before the header (REQ sockets do, and so do some MDP/0.2 libraries);
    the broker notes it per message and answers that peer in the same framing.

    State, all owned by the broker thread:
      services  name -> service: FIFO of queued requests, LRU list of idle workers
      workers   routing id (hex) -> worker: its service, its framing, its expiry, and
                the one request it is handling (a worker handles one at a time)
    A request keeps the client's routing id and framing, the body to (re)send
    ([caller][method][request]), when it was queued, how many workers were lost while
    handling it, and how many PARTIALs reached the client.

    Dispatch: while a service has both a queued request and an idle worker, the
    request at the head goes to the worker that has been idle longest.

    Failure handling, so that no request is lost silently:
      - a worker silent for liveness x heartbeat, or one that sends DISCONNECT, is
        dropped; its request goes back to the head of its service queue once; the
        second loss, or a loss after PARTIALs were already relayed, answers the client
        FINAL [Status 503];
      - a request for a service without workers waits unknown_service_ms (counted from
        when it was queued or when the last worker left, whichever is later), then is
        answered 503;
      - a malformed client message is answered FINAL [Status 400 / 413] when it is
        recognisably MDP/Client, else dropped and logged; an invalid worker message is
        dropped and that worker disconnected; a valid but unexpected worker command
        is answered with DISCONNECT (RFC 18).
    The ROUTER socket never blocks: messages to vanished or slow peers are dropped by
    libzmq, never waited for.

    Identity: the broker puts the caller's principal in front of every request body.
    A CURVE peer (its frames carry a ZAP "User-Id") is the principal named in the
    metadata of its certificate ("principal"), or "anonymous" when there is none; a
    routing-id claim over CURVE is ignored, except from the certificate
    "service:gateway": the HTTP gateway authenticates its own callers and acts for
    them, so its claim names the principal (docs/protocol.md, Delegation). A NULL-security peer (inproc, ipc, and tcp
    when no certificate is configured) is the principal claimed in its routing id
    ("P:<principal>:<suffix>"), else "anonymous". Either way a string that does not
    parse as a principal (inv_principal.h) makes the caller "anonymous", never
    something wider.
*/
#include "broker.h"
#include "mdp.h"
#include "inv_log.h"
#include "inv_rpc.h"
#include "inv_principal.h"
#include "inv_limits.h"

#define BROKER_MAX_QUEUE     100000     /* queued requests per service */
#define BROKER_PRINCIPAL_MAX 200
#define ANONYMOUS            "anonymous"
#define BROKER_DELEGATE      "service:gateway"  /* the one CURVE principal whose claim counts */

typedef struct {
    zframe_t *client;           /* client routing id */
    bool enveloped;             /* client used a leading empty frame */
    char *service;
    zmsg_t *body;               /* [caller][method][request...] */
    int64_t queued_at;
    int lost;                   /* workers lost while handling it */
    int partials;               /* PARTIALs relayed to the client */
} request_t;

typedef struct {
    char *name;
    zlist_t *requests;          /* request_t *, FIFO (re-queued ones at the head) */
    zlist_t *waiting;           /* worker_t *, idle, longest idle first */
    size_t workers;
    int64_t empty_since;        /* when it last had no worker */
} service_t;

typedef struct {
    char *id;                   /* routing id in hex: key in self->workers */
    zframe_t *address;
    service_t *service;
    bool enveloped;
    int64_t expiry;
    request_t *request;         /* in flight, or NULL when idle */
} worker_t;

struct _broker_t {
    const inv_config_t *cfg;
    zsock_t *router;
    zactor_t *auth;             /* zauth, when CURVE is on */
    zhashx_t *services;         /* name -> service_t */
    zhashx_t *workers;          /* hex id -> worker_t */
    int heartbeat_ms;
    int liveness;
    int unknown_service_ms;
    size_t max_request_bytes;
    int64_t heartbeat_at;
    int64_t wake_at;            /* housekeeping next due (heartbeat or a request's deadline) */
    char endpoint [256];
};

/* ---- requests, services, workers --------------------------------------------------- */

static void
s_request_destroy (request_t **self_p)
{
    if (*self_p) {
        request_t *self = *self_p;
        zframe_destroy (&self->client);
        zmsg_destroy (&self->body);
        zstr_free (&self->service);
        free (self);
        *self_p = NULL;
    }
}

static void
s_service_destroy (void **item)
{
    service_t *self = (service_t *) *item;
    if (self) {
        request_t *request;
        while ((request = (request_t *) zlist_pop (self->requests)))
            s_request_destroy (&request);
        zlist_destroy (&self->requests);
        zlist_destroy (&self->waiting);
        zstr_free (&self->name);
        free (self);
        *item = NULL;
    }
}

static void
s_worker_free (void **item)
{
    worker_t *self = (worker_t *) *item;
    if (self) {
        zframe_destroy (&self->address);
        s_request_destroy (&self->request);
        zstr_free (&self->id);
        free (self);
        *item = NULL;
    }
}

static service_t *
s_service_require (broker_t *self, const char *name)
{
    service_t *service = (service_t *) zhashx_lookup (self->services, name);
    if (!service) {
        service = (service_t *) zmalloc (sizeof (service_t));
        service->name = strdup (name);
        service->requests = zlist_new ();
        service->waiting = zlist_new ();
        service->empty_since = zclock_mono ();
        zhashx_insert (self->services, name, service);
    }
    return service;
}

/* ---- sending ----------------------------------------------------------------------- */

static void
s_send_to_worker (broker_t *self, worker_t *worker, byte command, zmsg_t *body)
{
    zmsg_t *msg = body? body: zmsg_new ();
    zmsg_pushmem (msg, &command, 1);
    zmsg_pushstr (msg, MDPW_WORKER);
    if (worker->enveloped)
        zmsg_pushmem (msg, NULL, 0);
    zmsg_pushmem (msg, zframe_data (worker->address), zframe_size (worker->address));
    zmsg_send (&msg, self->router);
}

/*  DISCONNECT to a peer that is not (or no longer) a registered worker. */
static void
s_send_disconnect (broker_t *self, zframe_t *address, bool enveloped)
{
    zmsg_t *msg = zmsg_new ();
    zmsg_addmem (msg, zframe_data (address), zframe_size (address));
    if (enveloped)
        zmsg_addmem (msg, NULL, 0);
    zmsg_addstr (msg, MDPW_WORKER);
    zmsg_addmem (msg, (byte []) { MDPW_DISCONNECT }, 1);
    zmsg_send (&msg, self->router);
}

static void
s_send_to_client (broker_t *self, zframe_t *client, bool enveloped, byte command,
                  const char *service, zmsg_t *body)
{
    zmsg_t *msg = body? body: zmsg_new ();
    zmsg_pushstr (msg, service);
    zmsg_pushmem (msg, &command, 1);
    zmsg_pushstr (msg, MDPC_CLIENT);
    if (enveloped)
        zmsg_pushmem (msg, NULL, 0);
    zmsg_pushmem (msg, zframe_data (client), zframe_size (client));
    zmsg_send (&msg, self->router);
}

/*  FINAL [Status code message][empty reply] to a client. */
static void
s_send_status (broker_t *self, zframe_t *client, bool enveloped, const char *service,
               int code, const char *message)
{
    zmsg_t *body = inv_rpc_status_msg (code, message, NULL);
    s_send_to_client (self, client, enveloped, MDPC_FINAL, service, body);
}

static void
s_request_fail (broker_t *self, request_t **request_p, int code, const char *message)
{
    request_t *request = *request_p;
    inv_warn ("request to %s answered %d: %s", request->service, code, message);
    s_send_status (self, request->client, request->enveloped, request->service, code, message);
    s_request_destroy (request_p);
}

/* ---- dispatch and loss ------------------------------------------------------------- */

static void
s_dispatch (broker_t *self, service_t *service)
{
    while (zlist_size (service->requests) && zlist_size (service->waiting)) {
        worker_t *worker = (worker_t *) zlist_pop (service->waiting);
        request_t *request = (request_t *) zlist_pop (service->requests);
        worker->request = request;
        zmsg_t *msg = zmsg_dup (request->body);
        zmsg_pushmem (msg, NULL, 0);
        zmsg_pushmem (msg, zframe_data (request->client), zframe_size (request->client));
        s_send_to_worker (self, worker, MDPW_REQUEST, msg);
    }
}

/*  A worker was lost while it handled `request`: retry once, else answer 503. */
static void
s_request_lost (broker_t *self, service_t *service, request_t *request)
{
    request->lost++;
    char message [512];
    if (request->partials > 0) {
        snprintf (message, sizeof message,
                  "worker died while handling the request to %s, after %d partial replies; "
                  "the reply is incomplete and the request was not retried",
                  request->service, request->partials);
        s_request_fail (self, &request, 503, message);
    }
    else
    if (request->lost > 1) {
        snprintf (message, sizeof message,
                  "worker died while handling the request to %s, for the second time; "
                  "not retried again", request->service);
        s_request_fail (self, &request, 503, message);
    }
    else {
        inv_warn ("request to %s re-queued after its worker died", request->service);
        zlist_push (service->requests, request);
    }
}

/*  Forget a worker (sending DISCONNECT first if asked); its request is re-queued or
    failed. Does not dispatch: the caller does once its own bookkeeping is done. */
static void
s_worker_delete (broker_t *self, worker_t *worker, bool disconnect, const char *reason)
{
    service_t *service = worker->service;
    inv_info ("worker %s of %s dropped: %s", worker->id,
              service? service->name: "(no service)", reason);
    if (disconnect)
        s_send_to_worker (self, worker, MDPW_DISCONNECT, NULL);
    if (service) {
        zlist_remove (service->waiting, worker);
        if (--service->workers == 0)
            service->empty_since = zclock_mono ();
        if (worker->request) {
            request_t *request = worker->request;
            worker->request = NULL;
            s_request_lost (self, service, request);
        }
    }
    zhashx_delete (self->workers, worker->id);
}

/* ---- principals -------------------------------------------------------------------- */

static bool
s_printable (const byte *data, size_t size)
{
    for (size_t i = 0; i < size; i++)
        if (data [i] <= 0x20 || data [i] >= 0x7f)
            return false;
    return true;
}

void
broker_claim_principal (const byte *routing_id, size_t size, char *out, size_t outsize)
{
    snprintf (out, outsize, "%s", ANONYMOUS);
    size_t prefix = strlen (MDP_CLAIM_PREFIX);
    if (!routing_id || size <= prefix + 1
    ||  memcmp (routing_id, MDP_CLAIM_PREFIX, prefix) != 0)
        return;
    //  The principal runs from the prefix to the last colon; a suffix must follow.
    size_t last = size;
    while (last > prefix && routing_id [last - 1] != ':')
        last--;
    if (last <= prefix + 1 || last == size)
        return;
    size_t length = last - 1 - prefix;
    if (length > BROKER_PRINCIPAL_MAX || length >= outsize
    ||  !s_printable (routing_id + prefix, length))
        return;
    char claim [BROKER_PRINCIPAL_MAX + 1];
    memcpy (claim, routing_id + prefix, length);
    claim [length] = 0;
    if (inv_principal_parse (claim, NULL) == 0)
        snprintf (out, outsize, "%s", claim);
}

/*  The caller of a message: `frame` is any frame received from that peer. */
static void
s_caller (zframe_t *sender, zframe_t *frame, char *out, size_t outsize)
{
    if (zframe_meta (frame, "User-Id")) {
        //  Authenticated by CURVE: the certificate says who it is.
        const char *principal = zframe_meta (frame, "principal");
        if (principal && strlen (principal) <= BROKER_PRINCIPAL_MAX
        &&  inv_principal_parse (principal, NULL) == 0)
            snprintf (out, outsize, "%s", principal);
        else
            snprintf (out, outsize, "%s", ANONYMOUS);
        //  Delegation: the HTTP gateway authenticates its own callers (bearer tokens)
        //  and acts for them; only its certificate may name, in the routing id's
        //  claim, the principal it acts for. Without a claim it acts as itself.
        if (strcmp (out, BROKER_DELEGATE) == 0) {
            char claim [BROKER_PRINCIPAL_MAX + 1];
            broker_claim_principal (zframe_data (sender), zframe_size (sender), claim, sizeof claim);
            if (strcmp (claim, ANONYMOUS) != 0)
                snprintf (out, outsize, "%s", claim);
        }
    }
    else
        broker_claim_principal (zframe_data (sender), zframe_size (sender), out, outsize);
}

bool
broker_service_name_valid (const byte *name, size_t size)
{
    return name && size > 0 && size <= 255 && s_printable (name, size);
}

/* ---- clients ----------------------------------------------------------------------- */

static int
s_compare_names (const void *a, const void *b)
{
    return strcmp ((const char *) a, (const char *) b);
}

/*  RFC 8: mmi.service answers "200" / "404" for the service named in the body,
    mmi.services lists "name workers" per service with workers, others "501". */
static void
s_mmi (broker_t *self, zframe_t *sender, bool enveloped, const char *service, zmsg_t *body)
{
    zmsg_t *reply = zmsg_new ();
    if (streq (service, MMI_SERVICE)) {
        char *name = zmsg_popstr (body);
        const char *code = "404";
        if (name && (streq (name, MMI_SERVICE) || streq (name, MMI_SERVICES)))
            code = "200";
        else
        if (name) {
            service_t *target = (service_t *) zhashx_lookup (self->services, name);
            if (target && target->workers > 0)
                code = "200";
        }
        zmsg_addstr (reply, code);
        zstr_free (&name);
    }
    else
    if (streq (service, MMI_SERVICES)) {
        zlistx_t *names = zhashx_keys (self->services);
        zlistx_set_comparator (names, s_compare_names);
        zlistx_sort (names);
        for (const char *name = (const char *) zlistx_first (names); name;
             name = (const char *) zlistx_next (names)) {
            service_t *target = (service_t *) zhashx_lookup (self->services, name);
            size_t queued = zlist_size (target->requests);
            if (target->workers > 0 || queued > 0)
                zmsg_addstrf (reply, "%s %zu %zu", name, target->workers, queued);
        }
        zlistx_destroy (&names);
        if (zmsg_size (reply) == 0)
            zmsg_addmem (reply, NULL, 0);
    }
    else
        zmsg_addstr (reply, "501");
    s_send_to_client (self, sender, enveloped, MDPC_FINAL, service, reply);
}

/*  Answer a malformed or refused client message with FINAL [Status], and log it. */
static void
s_client_reject (broker_t *self, zframe_t *sender, bool enveloped, const char *service,
                 int code, const char *message)
{
    char *id = zframe_strhex (sender);
    inv_warn ("client %s: request%s%s refused with %d: %s", id, *service? " to ": "",
              service, code, message);
    zstr_free (&id);
    s_send_status (self, sender, enveloped, service, code, message);
}

/*  msg holds the frames after the header; header is kept for its metadata. */
/*  The size the request limit applies to: the body after its method frame, as the
    service counts it (inv_rpc_dispatch), so a request of the maximum size passes. */
static size_t
s_request_bytes (zmsg_t *body)
{
    zframe_t *method = zmsg_first (body);
    return zmsg_content_size (body) - (method? zframe_size (method): 0);
}

static void
s_client_message (broker_t *self, zframe_t *sender, bool enveloped, zframe_t *header,
                  zmsg_t *msg)
{
    char message [512];
    zframe_t *command = zmsg_pop (msg);
    zframe_t *service_frame = zmsg_pop (msg);
    char *service = NULL;
    if (service_frame && broker_service_name_valid (zframe_data (service_frame),
                                                    zframe_size (service_frame)))
        service = zframe_strdup (service_frame);
    const char *answer_as = service? service: "";

    if (!command || zframe_size (command) != 1)
        s_client_reject (self, sender, enveloped, answer_as, 400,
                       "MDP/Client: frame 1 must be the one-byte command REQUEST (0x01)");
    else
    if (zframe_data (command) [0] != MDPC_REQUEST) {
        snprintf (message, sizeof message,
                  "MDP/Client: command 0x%02x is not REQUEST (0x01); clients only send REQUEST",
                  zframe_data (command) [0]);
        s_client_reject (self, sender, enveloped, answer_as, 400, message);
    }
    else
    if (!service_frame)
        s_client_reject (self, sender, enveloped, "", 400,
                       "MDP/Client: REQUEST has no service frame (frame 2)");
    else
    if (!service)
        s_client_reject (self, sender, enveloped, "", 400,
                       "MDP/Client: service name must be 1 to 255 printable ASCII characters without spaces");
    else
    if (zmsg_size (msg) == 0)
        s_client_reject (self, sender, enveloped, service, 400,
                       "MDP/Client: REQUEST has no body (expected [method][request])");
    else
    if (s_request_bytes (msg) > self->max_request_bytes) {
        snprintf (message, sizeof message,
                  "request of %zu bytes exceeds the broker limit of %zu bytes (max_request_bytes)",
                  s_request_bytes (msg), self->max_request_bytes);
        s_client_reject (self, sender, enveloped, service, 413, message);
    }
    else
    if (strncmp (service, "mmi.", 4) == 0)
        s_mmi (self, sender, enveloped, service, msg);
    else {
        service_t *target = s_service_require (self, service);
        if (zlist_size (target->requests) >= BROKER_MAX_QUEUE) {
            snprintf (message, sizeof message,
                      "service %s has %d requests waiting; try again later",
                      service, BROKER_MAX_QUEUE);
            s_client_reject (self, sender, enveloped, service, 503, message);
        }
        else {
            char caller [BROKER_PRINCIPAL_MAX + 1];
            s_caller (sender, header, caller, sizeof caller);
            request_t *request = (request_t *) zmalloc (sizeof (request_t));
            request->client = zframe_dup (sender);
            request->enveloped = enveloped;
            request->service = service;
            service = NULL;
            request->body = msg;
            msg = NULL;
            zmsg_pushstr (request->body, caller);
            request->queued_at = zclock_mono ();
            zlist_append (target->requests, request);
            s_dispatch (self, target);
        }
    }
    zframe_destroy (&command);
    zframe_destroy (&service_frame);
    zstr_free (&service);
    zmsg_destroy (&msg);
}

/* ---- workers ----------------------------------------------------------------------- */

static void
s_worker_ready (broker_t *self, zframe_t *sender, bool enveloped, const char *id, zmsg_t *msg)
{
    zframe_t *name = zmsg_pop (msg);
    if (!name || !broker_service_name_valid (zframe_data (name), zframe_size (name))
    ||  zmsg_size (msg) > 0) {
        inv_warn ("worker %s: READY without one valid service name; disconnected", id);
        s_send_disconnect (self, sender, enveloped);
    }
    else
    if (zframe_size (name) >= 4 && memcmp (zframe_data (name), "mmi.", 4) == 0) {
        inv_warn ("worker %s: service names mmi.* are the broker's own; disconnected", id);
        s_send_disconnect (self, sender, enveloped);
    }
    else {
        char *service_name = zframe_strdup (name);
        worker_t *worker = (worker_t *) zmalloc (sizeof (worker_t));
        worker->id = strdup (id);
        worker->address = zframe_dup (sender);
        worker->enveloped = enveloped;
        worker->service = s_service_require (self, service_name);
        worker->service->workers++;
        worker->expiry = zclock_mono () + (int64_t) self->heartbeat_ms * self->liveness;
        zhashx_insert (self->workers, id, worker);
        zlist_append (worker->service->waiting, worker);
        inv_info ("worker %s ready for %s (%zu workers)", id, service_name, worker->service->workers);
        zstr_free (&service_name);
        s_dispatch (self, worker->service);
    }
    zframe_destroy (&name);
}

/*  PARTIAL or FINAL: [client][empty][body...] relayed to the client. */
static void
s_worker_reply (broker_t *self, worker_t *worker, byte command, zmsg_t *msg)
{
    zframe_t *client = zmsg_pop (msg);
    zframe_t *empty = zmsg_pop (msg);
    request_t *request = worker->request;
    service_t *service = worker->service;
    if (!client || !empty || zframe_size (empty) != 0)
        s_worker_delete (self, worker, true, "reply without [client][empty] envelope");
    else
    if (!request)
        s_worker_delete (self, worker, true, "reply while it had no request (unexpected command)");
    else
    if (!zframe_eq (client, request->client))
        s_worker_delete (self, worker, true, "reply addressed to another client than its request's");
    else {
        s_send_to_client (self, request->client, request->enveloped,
                          command == MDPW_FINAL? MDPC_FINAL: MDPC_PARTIAL,
                          request->service, msg);
        msg = NULL;
        if (command == MDPW_FINAL) {
            s_request_destroy (&worker->request);
            zlist_append (service->waiting, worker);
        }
        else
            request->partials++;
    }
    s_dispatch (self, service);
    zframe_destroy (&client);
    zframe_destroy (&empty);
    zmsg_destroy (&msg);
}

/*  A routing id in upper-case hex, as zframe_strhex writes it, but into the caller's
    buffer: this runs for every worker message, and saves an allocation each time. */
static void
s_hex_id (zframe_t *frame, char *out, size_t outsize)
{
    static const char digits [] = "0123456789ABCDEF";
    const byte *data = zframe_data (frame);
    size_t size = zframe_size (frame);
    if (size > (outsize - 1) / 2)
        size = (outsize - 1) / 2;
    for (size_t i = 0; i < size; i++) {
        out [2 * i] = digits [data [i] >> 4];
        out [2 * i + 1] = digits [data [i] & 15];
    }
    out [2 * size] = 0;
}

static void
s_worker_message (broker_t *self, zframe_t *sender, bool enveloped, zmsg_t *msg)
{
    char id [2 * 255 + 1];      //  routing ids are at most 255 bytes
    s_hex_id (sender, id, sizeof id);
    worker_t *worker = (worker_t *) zhashx_lookup (self->workers, id);
    zframe_t *command = zmsg_pop (msg);
    byte cmd = command && zframe_size (command) == 1? zframe_data (command) [0]: 0;

    if (worker) {
        worker->enveloped = enveloped;
        worker->expiry = zclock_mono () + (int64_t) self->heartbeat_ms * self->liveness;
    }
    if (cmd < MDPW_READY || cmd > MDPW_DISCONNECT) {
        //  Invalid: drop it, and treat the peer as invalid (RFC 18).
        if (worker) {
            service_t *service = worker->service;
            s_worker_delete (self, worker, true, "invalid command frame");
            s_dispatch (self, service);
        }
        else
            inv_warn ("dropped an MDP/Worker message with an invalid command frame from %s", id);
    }
    else
    if (cmd == MDPW_DISCONNECT) {
        if (worker) {
            service_t *service = worker->service;
            s_worker_delete (self, worker, false, "it sent DISCONNECT");
            s_dispatch (self, service);
        }
    }
    else
    if (!worker) {
        if (cmd == MDPW_READY)
            s_worker_ready (self, sender, enveloped, id, msg);
        else {
            inv_warn ("peer %s sent MDP/Worker command 0x%02x before READY; disconnected", id, cmd);
            s_send_disconnect (self, sender, enveloped);
        }
    }
    else
    if (cmd == MDPW_HEARTBEAT)
        ;   //  expiry refreshed above
    else
    if (cmd == MDPW_PARTIAL || cmd == MDPW_FINAL) {
        s_worker_reply (self, worker, cmd, msg);
        msg = NULL;
    }
    else {
        //  READY again, or REQUEST: valid but unexpected.
        service_t *service = worker->service;
        s_worker_delete (self, worker, true, cmd == MDPW_READY? "second READY (unexpected command)"
                                                              : "sent REQUEST (unexpected command)");
        s_dispatch (self, service);
    }
    zframe_destroy (&command);
    zmsg_destroy (&msg);
}

/* ---- the socket -------------------------------------------------------------------- */

void
broker_handle_message (broker_t *self, zmsg_t **msg_p)
{
    zmsg_t *msg = msg_p? *msg_p: NULL;
    if (msg_p)
        *msg_p = NULL;
    if (!msg)
        return;
    zframe_t *sender = zmsg_pop (msg);
    bool enveloped = false;
    zframe_t *first = zmsg_first (msg);
    if (first && zframe_size (first) == 0) {
        enveloped = true;
        first = zmsg_pop (msg);
        zframe_destroy (&first);
    }
    zframe_t *header = zmsg_pop (msg);
    if (!sender || !header) {
        char *id = sender? zframe_strhex (sender): NULL;
        inv_warn ("dropped a message without MDP header from %s", id? id: "?");
        zstr_free (&id);
    }
    else
    if (zframe_streq (header, MDPC_CLIENT)) {
        s_client_message (self, sender, enveloped, header, msg);
        msg = NULL;
    }
    else
    if (zframe_streq (header, MDPW_WORKER)) {
        s_worker_message (self, sender, enveloped, msg);
        msg = NULL;
    }
    else
    if (zframe_size (header) == 6 && memcmp (zframe_data (header), "MDPC", 4) == 0) {
        //  A client of another protocol version: it can be told why.
        char message [128];
        snprintf (message, sizeof message,
                  "MDP/Client: protocol header \"%.6s\" is not supported, use \"%s\"",
                  s_printable (zframe_data (header), 6)? (char *) zframe_data (header): "??????",
                  MDPC_CLIENT);
        s_client_reject (self, sender, enveloped, "", 400, message);
    }
    else {
        char *id = zframe_strhex (sender);
        inv_warn ("dropped a message from %s: frame 0 is neither %s nor %s", id,
                  MDPC_CLIENT, MDPW_WORKER);
        zstr_free (&id);
    }
    zframe_destroy (&sender);
    zframe_destroy (&header);
    zmsg_destroy (&msg);
}

static void
s_handle_router (broker_t *self)
{
    zmsg_t *msg = zmsg_recv (self->router);
    broker_handle_message (self, &msg);
}

/* ---- housekeeping ------------------------------------------------------------------ */

static int64_t
s_request_deadline (broker_t *self, service_t *service, request_t *request)
{
    int64_t since = request->queued_at > service->empty_since? request->queued_at
                                                              : service->empty_since;
    return since + self->unknown_service_ms;
}

/*  Heartbeat every worker, drop the silent ones, expire requests that wait for a
    service without workers, forget services that hold nothing. */
static void
s_housekeeping (broker_t *self)
{
    int64_t now = zclock_mono ();
    if (now >= self->heartbeat_at) {
        zlist_t *expired = zlist_new ();
        for (worker_t *worker = (worker_t *) zhashx_first (self->workers); worker;
             worker = (worker_t *) zhashx_next (self->workers)) {
            if (now >= worker->expiry)
                zlist_append (expired, worker);
            else
                s_send_to_worker (self, worker, MDPW_HEARTBEAT, NULL);
        }
        for (worker_t *worker = (worker_t *) zlist_first (expired); worker;
             worker = (worker_t *) zlist_next (expired)) {
            service_t *service = worker->service;
            s_worker_delete (self, worker, true, "missed its heartbeats");
            s_dispatch (self, service);
        }
        zlist_destroy (&expired);
        self->heartbeat_at = now + self->heartbeat_ms;
    }
    zlist_t *idle = zlist_new ();
    for (service_t *service = (service_t *) zhashx_first (self->services); service;
         service = (service_t *) zhashx_next (self->services)) {
        if (service->workers > 0)
            continue;
        //  The queue is in order of arrival (a re-queued request is older than all
        //  behind it), so expired requests are at the head.
        request_t *request;
        while ((request = (request_t *) zlist_first (service->requests))
           &&  now >= s_request_deadline (self, service, request)) {
            char message [512];
            if (request->lost)
                snprintf (message, sizeof message,
                          "worker of service %s died while handling the request and "
                          "no other worker came within %d ms",
                          service->name, self->unknown_service_ms);
            else
                snprintf (message, sizeof message,
                          "no worker for service %s within %d ms",
                          service->name, self->unknown_service_ms);
            zlist_pop (service->requests);
            s_request_fail (self, &request, 503, message);
        }
        if (zlist_size (service->requests) == 0)
            zlist_append (idle, service->name);
    }
    for (const char *name = (const char *) zlist_first (idle); name;
         name = (const char *) zlist_next (idle))
        zhashx_delete (self->services, name);
    zlist_destroy (&idle);
}

/*  Milliseconds until housekeeping is next due (also kept in self->wake_at). */
static int
s_next_wake (broker_t *self)
{
    int64_t now = zclock_mono ();
    int64_t wake = self->heartbeat_at;
    for (service_t *service = (service_t *) zhashx_first (self->services); service;
         service = (service_t *) zhashx_next (self->services)) {
        if (service->workers > 0)
            continue;
        request_t *request = (request_t *) zlist_first (service->requests);
        if (request && s_request_deadline (self, service, request) < wake)
            wake = s_request_deadline (self, service, request);
    }
    self->wake_at = wake;
    return wake > now? (int) (wake - now): 0;
}

/* ---- construction ------------------------------------------------------------------ */

static bool
s_is_loopback_tcp (const char *endpoint)
{
    return strncmp (endpoint, "tcp://127.", 10) == 0
        || strncmp (endpoint, "tcp://localhost:", 16) == 0
        || strncmp (endpoint, "tcp://[::1]:", 12) == 0;
}

static int
s_bind (broker_t *self, const char *endpoint, bool curve)
{
    if (zsock_bind (self->router, "%s", endpoint) < 0) {
        inv_error ("broker: cannot bind %s: %s", endpoint, zmq_strerror (zmq_errno ()));
        return -1;
    }
    char *bound = zsock_last_endpoint (self->router);
    const char *shown = bound? bound: endpoint;
    if (curve)
        inv_info ("broker: %s uses CURVE security (clients authenticated by certificate)", shown);
    else
    if (strncmp (endpoint, "tcp://", 6) == 0 && !s_is_loopback_tcp (endpoint))
        inv_warn ("broker: %s uses NULL security on a network interface (development only: "
                  "anyone who reaches it may claim any principal)", shown);
    else
        inv_info ("broker: %s uses NULL security (development: principals are claimed, not proven)",
                  shown);
    if (!*self->endpoint && strncmp (endpoint, "inproc://", 9) != 0)
        snprintf (self->endpoint, sizeof self->endpoint, "%s", shown);
    zstr_free (&bound);
    return 0;
}

/*  NULL-security endpoints first, then switch the socket to CURVE server and bind the
    tcp endpoints: libzmq fixes the mechanism of each endpoint when it is bound. */
static int
s_bind_all (broker_t *self)
{
    const inv_config_t *cfg = self->cfg;
    bool curve = cfg->curve_cert && *cfg->curve_cert;
    if (s_bind (self, BROKER_INPROC, false))
        return -1;
    zlist_t *endpoints = zlist_new ();
    zlist_autofree (endpoints);
    char *list = strdup (cfg->broker_bind? cfg->broker_bind: "");
    char *saveptr = NULL;
    for (char *item = strtok_r (list, ", ", &saveptr); item; item = strtok_r (NULL, ", ", &saveptr))
        if (!streq (item, BROKER_INPROC))
            zlist_append (endpoints, item);
    free (list);

    int rc = 0;
    for (const char *ep = (const char *) zlist_first (endpoints); ep && !rc;
         ep = (const char *) zlist_next (endpoints))
        if (!curve || strncmp (ep, "tcp://", 6) != 0)
            rc = s_bind (self, ep, false);
    if (!rc && curve) {
        zcert_t *cert = zcert_load (cfg->curve_cert);
        if (!cert) {
            inv_error ("broker: curve_cert: cannot load certificate %s", cfg->curve_cert);
            rc = -1;
        }
        else
        if (!cfg->curve_clients || !*cfg->curve_clients) {
            inv_error ("broker: curve_clients: a folder of allowed client certificates is "
                       "required with curve_cert");
            rc = -1;
        }
        else {
            self->auth = zactor_new (zauth, NULL);
            zstr_sendx (self->auth, "CURVE", cfg->curve_clients, NULL);
            zsock_wait (self->auth);
            zcert_apply (cert, self->router);
            zsock_set_curve_server (self->router, 1);
            zsock_set_zap_domain (self->router, "innov");
            for (const char *ep = (const char *) zlist_first (endpoints); ep && !rc;
                 ep = (const char *) zlist_next (endpoints))
                if (strncmp (ep, "tcp://", 6) == 0)
                    rc = s_bind (self, ep, true);
            inv_info ("broker: CURVE clients allowed from %s", cfg->curve_clients);
        }
        zcert_destroy (&cert);
    }
    zlist_destroy (&endpoints);
    return rc;
}

broker_t *
broker_new (const inv_config_t *cfg)
{
    assert (cfg);
    broker_t *self = (broker_t *) zmalloc (sizeof (broker_t));
    self->cfg = cfg;
    self->heartbeat_ms = cfg->heartbeat_ms > 0? cfg->heartbeat_ms: 2500;
    self->liveness = cfg->liveness > 0? cfg->liveness: 3;
    self->unknown_service_ms = cfg->unknown_service_ms >= 0? cfg->unknown_service_ms: 3000;
    self->max_request_bytes = cfg->max_request_bytes > 0? (size_t) cfg->max_request_bytes
                                                        : 1024 * 1024;
    self->services = zhashx_new ();
    zhashx_set_destructor (self->services, s_service_destroy);
    self->workers = zhashx_new ();
    zhashx_set_destructor (self->workers, s_worker_free);
    self->router = zsock_new (ZMQ_ROUTER);
    //  Requests and worker replies arrive here: frames up to the reply bound (a
    //  request body over max_request_bytes is still answered 413 below).
    inv_limits_set_max_request (self->max_request_bytes);
    inv_limits_apply (self->router, inv_limits_reply_socket ());
    if (!self->router || s_bind_all (self)) {
        broker_destroy (&self);
        return NULL;
    }
    if (!*self->endpoint)
        snprintf (self->endpoint, sizeof self->endpoint, "%s", BROKER_INPROC);
    self->heartbeat_at = zclock_mono () + self->heartbeat_ms;
    inv_info ("broker: ready (heartbeat %d ms, liveness %d, unknown service %d ms, "
              "max request %zu bytes)", self->heartbeat_ms, self->liveness,
              self->unknown_service_ms, self->max_request_bytes);
    return self;
}

void
broker_destroy (broker_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    broker_t *self = *self_p;
    //  Tell the workers, so they register again with the next broker at once.
    if (self->workers && self->router)
        for (worker_t *worker = (worker_t *) zhashx_first (self->workers); worker;
             worker = (worker_t *) zhashx_next (self->workers))
            s_send_to_worker (self, worker, MDPW_DISCONNECT, NULL);
    zhashx_destroy (&self->workers);      //  before services: workers hold requests
    zhashx_destroy (&self->services);
    if (self->router) {
        //  Unbinding inproc is immediate (closing is not): the name is free at once.
        zsock_unbind (self->router, "%s", BROKER_INPROC);
        zsock_set_linger (self->router, 100);
    }
    zsock_destroy (&self->router);
    zactor_destroy (&self->auth);
    free (self);
    *self_p = NULL;
}

const char *
broker_endpoint (broker_t *self)
{
    return self->endpoint;
}

/* ---- loops ------------------------------------------------------------------------- */

/*  Serve until interrupted or, with a pipe, until "$TERM". */
static void
s_loop (broker_t *self, zsock_t *pipe)
{
    zmq_pollitem_t items [] = {
        { zsock_resolve (self->router), 0, ZMQ_POLLIN, 0 },
        { pipe? zsock_resolve (pipe): NULL, 0, ZMQ_POLLIN, 0 }
    };
    int count = pipe? 2: 1;
    while (!zsys_interrupted) {
        int rc = zmq_poll (items, count, s_next_wake (self));
        if (rc < 0)
            break;              //  interrupted
        //  Drain what is queued before polling again: under load this saves a
        //  poll and a wake-up per message (bounded, so housekeeping still runs).
        if (items [0].revents & ZMQ_POLLIN)
            for (int i = 0; i < 256; i++) {
                s_handle_router (self);
                if (!(zsock_events (self->router) & ZMQ_POLLIN))
                    break;
            }
        if (pipe && (items [1].revents & ZMQ_POLLIN)) {
            char *command = zstr_recv (pipe);
            bool term = !command || streq (command, "$TERM");
            if (command && streq (command, "ENDPOINT"))
                zstr_send (pipe, self->endpoint);
            zstr_free (&command);
            if (term)
                break;
        }
        if (zclock_mono () >= self->wake_at)
            s_housekeeping (self);
    }
}

int
broker_run (broker_t *self)
{
    s_loop (self, NULL);
    inv_info ("broker: stopping");
    return 0;
}

void
broker_actor (zsock_t *pipe, void *args)
{
    broker_t *self = broker_new ((const inv_config_t *) args);
    zsock_signal (pipe, 0);
    if (self)
        s_loop (self, pipe);
    else {
        //  Failed to start: say so to whoever asks, until told to stop.
        char *command;
        while ((command = zstr_recv (pipe))) {
            bool term = streq (command, "$TERM");
            if (streq (command, "ENDPOINT"))
                zstr_send (pipe, "");
            zstr_free (&command);
            if (term)
                break;
        }
    }
    broker_destroy (&self);
}
