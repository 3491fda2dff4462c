/*  mdp_client: MDP/0.2 client (ZeroMQ RFC 18) over one DEALER socket.

    A request goes out as ["MDPC02"][0x01][service][body...] and the broker answers
    with zero or more ["MDPC02"][0x02][service][body...] (PARTIAL) and one
    ["MDPC02"][0x03][service][body...] (FINAL). A leading empty frame in a reply is
    tolerated, so the client also talks to brokers that frame commands like REQ.

    Reliability follows the RFC's recommended strategy ("lazy pirate"): poll for the
    reply, and when an attempt times out close the socket, open a fresh one (so a late
    reply to the abandoned attempt can never be mistaken for the next one) and send
    the same request again, up to `retries` attempts. The body is kept until the
    request completes so that it can be resent.

    Identity: with a principal, the socket's routing id is "P:<principal>:<8 hex>",
    the development-mode claim the broker honours on NULL-security endpoints only.
    A fresh random suffix on every socket keeps routing ids unique across reconnects.
    With CURVE (mdp_client_set_curve) every new socket gets the certificate and the
    broker's public key before it connects.

    The socket, its reconnect and CURVE set-up are common/mdp_common.c, shared with
    the worker.
*/
#include <errno.h>
#include "mdp.h"
#include "mdp_client.h"
#include "mdp_common.h"
#include "inv_log.h"

#define MDP_ROUTING_ID_MAX 255

struct _mdp_client_t {
    mdp_link_t link;            /* endpoint, CURVE credentials, current socket */
    char *principal;            /* claim, or NULL */
    int timeout_ms;
    int retries;
};

/*  Close the current socket (if any) and open a new, connected one. */
static int
s_connect (mdp_client_t *self)
{
    char routing_id [MDP_ROUTING_ID_MAX + 1];
    bool claim = false;
    if (self->principal) {
        char suffix [9];
        zuuid_t *uuid = zuuid_new ();
        memcpy (suffix, zuuid_str (uuid), 8);
        suffix [8] = 0;
        zuuid_destroy (&uuid);
        int size = snprintf (routing_id, sizeof routing_id, "%s%s:%s",
                             MDP_CLAIM_PREFIX, self->principal, suffix);
        claim = size > 0 && size <= MDP_ROUTING_ID_MAX;
        if (!claim)
            inv_warn ("mdp client: principal '%.40s...' is too long for a routing id; "
                      "acting as anonymous", self->principal);
    }
    return mdp_link_connect (&self->link, claim? routing_id: NULL);
}

mdp_client_t *
mdp_client_new (const char *endpoint, const char *principal)
{
    if (!endpoint || !*endpoint)
        return NULL;
    mdp_client_t *self = (mdp_client_t *) zmalloc (sizeof (mdp_client_t));
    mdp_link_init (&self->link, endpoint, "mdp client");
    self->principal = principal && *principal? strdup (principal): NULL;
    self->timeout_ms = 5000;
    self->retries = 3;
    if (s_connect (self)) {
        mdp_client_destroy (&self);
        return NULL;
    }
    return self;
}

void
mdp_client_destroy (mdp_client_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    mdp_client_t *self = *self_p;
    mdp_link_free (&self->link);
    zstr_free (&self->principal);
    free (self);
    *self_p = NULL;
}

void
mdp_client_set_timeout (mdp_client_t *self, int timeout_ms)
{
    self->timeout_ms = timeout_ms > 0? timeout_ms: 1;
}

void
mdp_client_set_retries (mdp_client_t *self, int retries)
{
    self->retries = retries > 0? retries: 1;
}

int
mdp_client_set_curve (mdp_client_t *self, zcert_t *cert, const char *server_public)
{
    if (mdp_link_set_curve (&self->link, cert, server_public))
        return -1;
    return s_connect (self);
}

int
mdp_client_send (mdp_client_t *self, const char *service, zmsg_t **body_p)
{
    zmsg_t *msg = body_p && *body_p? *body_p: zmsg_new ();
    if (body_p)
        *body_p = NULL;
    zmsg_pushstr (msg, service);
    zmsg_pushmem (msg, (byte []) { MDPC_REQUEST }, 1);
    zmsg_pushstr (msg, MDPC_CLIENT);
    return mdp_link_send (&self->link, &msg);
}

/*  Parse one broker message; returns its body (header, command and service removed)
    and sets *final, or NULL (message destroyed) if it is not a PARTIAL or FINAL. */
static zmsg_t *
s_parse_reply (zmsg_t *msg, int *final)
{
    mdp_strip_empty (msg);
    zframe_t *header = zmsg_pop (msg);
    zframe_t *command = zmsg_pop (msg);
    zframe_t *service = zmsg_pop (msg);
    bool valid = header && command && service
              && zframe_streq (header, MDPC_CLIENT)
              && zframe_size (command) == 1
              && (zframe_data (command) [0] == MDPC_PARTIAL
               || zframe_data (command) [0] == MDPC_FINAL);
    if (valid)
        *final = zframe_data (command) [0] == MDPC_FINAL;
    else {
        inv_warn ("mdp client: ignored a message that is not an MDP/0.2 PARTIAL or FINAL");
        zmsg_destroy (&msg);
    }
    zframe_destroy (&header);
    zframe_destroy (&command);
    zframe_destroy (&service);
    return msg;
}

zmsg_t *
mdp_client_recv (mdp_client_t *self, int *final, int timeout_ms)
{
    int dummy;
    if (!final)
        final = &dummy;
    *final = 0;
    int64_t deadline = timeout_ms < 0? -1: zclock_mono () + timeout_ms;
    while (!zsys_interrupted) {
        int wait = -1;
        if (deadline >= 0) {
            wait = (int) (deadline - zclock_mono ());
            if (wait < 0)
                wait = 0;
        }
        int rc;
        zmsg_t *msg = mdp_link_recv (&self->link, wait, &rc);
        if (rc < 0)
            return NULL;           //  interrupted
        if (rc == 0) {
            errno = ETIMEDOUT;
            return NULL;
        }
        zmsg_t *body = s_parse_reply (msg, final);
        if (body)
            return body;
        if (deadline >= 0 && zclock_mono () >= deadline) {
            errno = ETIMEDOUT;
            return NULL;
        }
    }
    errno = EINTR;
    return NULL;
}

/*  Remove the partials this call appended (after `keep` items) before a retry. */
static void
s_drop_partials (zlist_t *partials, size_t keep)
{
    while (partials && zlist_size (partials) > keep) {
        zmsg_t *last = (zmsg_t *) zlist_last (partials);
        zlist_remove (partials, last);
        zmsg_destroy (&last);
    }
}

zmsg_t *
mdp_client_request (mdp_client_t *self, const char *service, zmsg_t **body_p,
                    zlist_t *partials)
{
    zmsg_t *body = body_p && *body_p? *body_p: zmsg_new ();
    if (body_p)
        *body_p = NULL;
    size_t keep = partials? zlist_size (partials): 0;
    zmsg_t *reply = NULL;

    for (int attempt = 1; attempt <= self->retries && !reply && !zsys_interrupted; attempt++) {
        if (attempt > 1) {
            inv_warn ("mdp client: no reply from %s for %s within %d ms, retrying (%d of %d)",
                      self->link.endpoint, service, self->timeout_ms, attempt, self->retries);
            s_drop_partials (partials, keep);
            mdp_link_failover (&self->link);
            if (s_connect (self))
                break;
        }
        zmsg_t *copy = zmsg_dup (body);
        if (mdp_client_send (self, service, &copy))
            continue;
        while (true) {
            int final = 0;
            //  The timeout restarts with every PARTIAL: a stream may run long.
            zmsg_t *msg = mdp_client_recv (self, &final, self->timeout_ms);
            if (!msg)
                break;
            if (final) {
                reply = msg;
                break;
            }
            if (partials)
                zlist_append (partials, msg);
            else
                zmsg_destroy (&msg);
        }
    }
    zmsg_destroy (&body);
    if (!reply) {
        s_drop_partials (partials, keep);
        errno = zsys_interrupted? EINTR: ETIMEDOUT;
        if (!zsys_interrupted)
            inv_warn ("mdp client: %s gave no reply after %d attempts", service, self->retries);
    }
    return reply;
}

zsock_t *
mdp_client_sock (mdp_client_t *self)
{
    return self->link.sock;
}

void
mdp_client_test (bool verbose)
{
    if (verbose)
        printf (" * mdp_client: ");
    //  A client to nowhere times out cleanly and leaves no partials behind.
    mdp_client_t *client = mdp_client_new ("inproc://mdp_client_test_nowhere", "province");
    assert (client);
    mdp_client_set_timeout (client, 20);
    mdp_client_set_retries (client, 2);
    char *routing_id = zsock_identity (mdp_client_sock (client));
    assert (strncmp (routing_id, "P:province:", 11) == 0 && strlen (routing_id) == 19);
    zstr_free (&routing_id);
    zlist_t *partials = zlist_new ();
    zmsg_t *body = zmsg_new ();
    zmsg_addstr (body, "x.y");
    zmsg_t *reply = mdp_client_request (client, "nothing", &body, partials);
    assert (reply == NULL && body == NULL && zlist_size (partials) == 0);
    zlist_destroy (&partials);
    mdp_client_destroy (&client);
    if (verbose)
        printf ("OK\n");
}
