/*  mdp_common: the socket, reconnect and CURVE plumbing of the MDP client and worker.

    A link is an endpoint, the CURVE credentials (copied, so they outlive the caller's)
    and the current DEALER socket. Every connect replaces the socket: a fresh socket
    can never deliver a late reply meant for the one before it. Linger is 0, so a
    closed socket never holds the process back.

    Receiving checks ZMQ_EVENTS before polling: under load the next message is usually
    queued already, and taking it at once saves the poll system calls per message.
*/
#include <errno.h>
#include "mdp_common.h"
#include "inv_log.h"
#include "inv_limits.h"

void
mdp_link_init (mdp_link_t *self, const char *endpoint, const char *who)
{
    memset (self, 0, sizeof *self);
    snprintf (self->who, sizeof self->who, "%s", who);
    char *list = strdup (endpoint);
    char *save = NULL;
    for (char *item = strtok_r (list, ", ", &save); item; item = strtok_r (NULL, ", ", &save)) {
        self->endpoints = (char **) realloc (self->endpoints,
                                             (self->endpoint_count + 1) * sizeof (char *));
        assert (self->endpoints);
        self->endpoints [self->endpoint_count++] = strdup (item);
    }
    free (list);
    if (self->endpoint_count == 0) {
        self->endpoints = (char **) calloc (1, sizeof (char *));
        self->endpoints [self->endpoint_count++] = strdup (endpoint);
    }
    self->endpoint = self->endpoints [0];
}

const char *
mdp_link_failover (mdp_link_t *self)
{
    if (self->endpoint_count > 1) {
        const char *from = self->endpoint;
        self->current = (self->current + 1) % self->endpoint_count;
        self->endpoint = self->endpoints [self->current];
        inv_warn ("%s: failing over from broker %s to %s", self->who, from, self->endpoint);
    }
    return self->endpoint;
}

void
mdp_link_free (mdp_link_t *self)
{
    zsock_destroy (&self->sock);
    zcert_destroy (&self->cert);
    zstr_free (&self->server_public);
    for (int i = 0; i < self->endpoint_count; i++)
        free (self->endpoints [i]);
    free (self->endpoints);
    self->endpoints = NULL;
    self->endpoint = NULL;
    self->endpoint_count = 0;
}

int
mdp_link_connect (mdp_link_t *self, const char *routing_id)
{
    if (self->sock) {
        zsock_set_linger (self->sock, 0);
        zsock_destroy (&self->sock);
    }
    self->sock = zsock_new (ZMQ_DEALER);
    if (!self->sock)
        return -1;
    zsock_set_linger (self->sock, 0);
    inv_limits_apply (self->sock, self->max_inbound? self->max_inbound
                                                   : inv_limits_reply_socket ());
    if (routing_id)
        zsock_set_identity (self->sock, routing_id);
    if (self->cert && self->server_public) {
        zcert_apply (self->cert, self->sock);
        zsock_set_curve_serverkey (self->sock, self->server_public);
    }
    if (zsock_connect (self->sock, "%s", self->endpoint)) {
        inv_error ("%s: cannot connect to %s: %s", self->who, self->endpoint,
                   zmq_strerror (zmq_errno ()));
        return -1;
    }
    return 0;
}

int
mdp_link_set_curve (mdp_link_t *self, zcert_t *cert, const char *server_public)
{
    if (!cert || !server_public || strlen (server_public) != 40) {
        inv_error ("%s: CURVE needs a certificate and a 40-character Z85 server key", self->who);
        return -1;
    }
    zcert_destroy (&self->cert);
    zstr_free (&self->server_public);
    self->cert = zcert_dup (cert);
    self->server_public = strdup (server_public);
    return 0;
}

int
mdp_link_send (mdp_link_t *self, zmsg_t **msg_p)
{
    //  A DEALER whose broker is unreachable queues up to its high-water mark, then
    //  blocks in send; and czmq keeps (leaks) a frame it failed to send. Checking that
    //  the socket is writable first avoids both.
    int rc = -1;
    if (self->sock && (zsock_events (self->sock) & ZMQ_POLLOUT))
        rc = zmsg_send (msg_p, self->sock);
    if (rc) {
        zmsg_destroy (msg_p);
        errno = EAGAIN;
    }
    return rc;
}

void
mdp_strip_empty (zmsg_t *msg)
{
    zframe_t *frame = zmsg_first (msg);
    if (frame && zframe_size (frame) == 0) {
        frame = zmsg_pop (msg);
        zframe_destroy (&frame);
    }
}

zmsg_t *
mdp_link_recv (mdp_link_t *self, int timeout_ms, int *rc)
{
    *rc = 1;
    if (!(zsock_events (self->sock) & ZMQ_POLLIN)) {
        zmq_pollitem_t item = { zsock_resolve (self->sock), 0, ZMQ_POLLIN, 0 };
        *rc = zmq_poll (&item, 1, timeout_ms);
        if (*rc <= 0)
            return NULL;
    }
    zmsg_t *msg = zmsg_recv (self->sock);
    if (!msg)
        *rc = -1;
    return msg;
}
