/*  mdp_common: the plumbing the MDP/0.2 client and worker share.

    Both talk to the broker over one DEALER socket that is replaced on every
    reconnect; both may carry CURVE credentials that every new socket receives.
    mdp_link_t holds those credentials and the socket, so the reconnect, the CURVE
    set-up and the tolerant framing ("a leading empty frame is allowed") are written
    once. The public headers mdp_client.h and mdp_worker.h stay as they are.

        mdp_link_t link = { 0 };
        mdp_link_init (&link, endpoint, "mdp client");
        mdp_link_connect (&link, routing_id);        // new socket, 0 or -1
        mdp_link_set_curve (&link, cert, server_key); // copies, then caller reconnects
        mdp_link_free (&link);
*/
#ifndef MDP_COMMON_H
#define MDP_COMMON_H
#include <czmq.h>

typedef struct {
    char *endpoint;
    char who [80];              /* for log lines: "mdp client", "mdp worker echo" */
    zsock_t *sock;
    zcert_t *cert;              /* CURVE certificate (copy), or NULL */
    char *server_public;        /* broker's public key (Z85), or NULL */
} mdp_link_t;

void mdp_link_init (mdp_link_t *self, const char *endpoint, const char *who);
void mdp_link_free (mdp_link_t *self);

/* Close the current socket (linger 0) and open a new DEALER, with routing_id when not
   NULL and the CURVE credentials when set, connected to the endpoint. 0 or -1. */
int  mdp_link_connect (mdp_link_t *self, const char *routing_id);

/* Keep copies of a certificate and the broker's 40-character Z85 key. 0 or -1. */
int  mdp_link_set_curve (mdp_link_t *self, zcert_t *cert, const char *server_public);

/* Drop a leading empty frame (REQ-style framing), if there is one. */
void mdp_strip_empty (zmsg_t *msg);

/* Receive a message that is already queued, or poll up to timeout_ms for one.
   Returns the message, or NULL with rc set: 0 timeout, -1 interrupted / error.
   The queued check saves a poll (and its system calls) per message under load. */
zmsg_t *mdp_link_recv (mdp_link_t *self, int timeout_ms, int *rc);

#endif
