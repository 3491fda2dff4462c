/*  mdp_common: the plumbing the MDP/0.2 client and worker share.

    Both talk to the broker over one DEALER socket that is replaced on every
    reconnect; both may carry CURVE credentials that every new socket receives.
    mdp_link_t holds those credentials and the socket, so the reconnect, the CURVE
    set-up and the tolerant framing ("a leading empty frame is allowed") are written
    once. The public headers mdp_client.h and mdp_worker.h stay as they are.

    Failover: the endpoint given may be a comma-separated list of brokers
    ("tcp://10.0.0.1:7710,tcp://10.0.0.2:7710"). A link is connected to one of them
    at a time; mdp_link_failover moves it to the next, which the client does after a
    request times out and the worker after the broker has been silent for its
    liveness period. Brokers are therefore active/standby from each peer's view:
    nothing is lost, because a peer only ever has one socket and every retried write
    carries its idempotency key.

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
    char *endpoint;             /* the broker in use (one of endpoints) */
    char **endpoints;           /* every broker of the list */
    int endpoint_count;
    int current;
    char who [80];              /* for log lines: "mdp client", "mdp worker echo" */
    zsock_t *sock;
    zcert_t *cert;              /* CURVE certificate (copy), or NULL */
    char *server_public;        /* broker's public key (Z85), or NULL */
    size_t max_inbound;         /* ZMQ_MAXMSGSIZE of every socket; 0 = the reply bound
                                   of inv_limits.h (a worker sets the request bound) */
} mdp_link_t;

void mdp_link_init (mdp_link_t *self, const char *endpoint, const char *who);
void mdp_link_free (mdp_link_t *self);

/* Close the current socket (linger 0) and open a new DEALER, with routing_id when not
   NULL, the CURVE credentials when set and ZMQ_MAXMSGSIZE (max_inbound), connected
   to the endpoint. 0 or -1. */
int  mdp_link_connect (mdp_link_t *self, const char *routing_id);

/* Move to the next broker of the list (a no-op with one broker); the caller then
   connects. Returns the endpoint now in use. */
const char *mdp_link_failover (mdp_link_t *self);

/* Keep copies of a certificate and the broker's 40-character Z85 key. 0 or -1. */
int  mdp_link_set_curve (mdp_link_t *self, zcert_t *cert, const char *server_public);

/* Send msg (always taken) on the link's socket without ever blocking: when the socket
   cannot take a message now (no broker reached yet and its queue full), the message
   is dropped and -1 returned with errno EAGAIN, as the caller would see a lost one.
   0 when sent. */
int  mdp_link_send (mdp_link_t *self, zmsg_t **msg_p);

/* Drop a leading empty frame (REQ-style framing), if there is one. */
void mdp_strip_empty (zmsg_t *msg);

/* Receive a message that is already queued, or poll up to timeout_ms for one.
   Returns the message, or NULL with rc set: 0 timeout, -1 interrupted / error.
   The queued check saves a poll (and its system calls) per message under load. */
zmsg_t *mdp_link_recv (mdp_link_t *self, int timeout_ms, int *rc);

#endif
