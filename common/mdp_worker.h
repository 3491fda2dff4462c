/*  mdp_worker: MDP/0.2 worker API (DEALER socket, RFC 18).

    The worker sends READY for its service, then receives REQUESTs, answering each with
    zero or more PARTIALs and one FINAL. It heartbeats the broker and reconnects (new
    socket, new READY) when the broker goes silent for `liveness` heartbeats or sends
    DISCONNECT. Several workers of one service share its load. The endpoint may be a
    comma-separated list of brokers: the worker registers with each of them.
*/
#ifndef MDP_WORKER_H
#define MDP_WORKER_H
#include <czmq.h>

typedef struct _mdp_worker_t mdp_worker_t;

mdp_worker_t *mdp_worker_new (const char *endpoint, const char *service);
void mdp_worker_destroy (mdp_worker_t **self_p);   /* sends DISCONNECT */

void mdp_worker_set_heartbeat (mdp_worker_t *self, int heartbeat_ms);  /* default 2500 */
void mdp_worker_set_liveness (mdp_worker_t *self, int liveness);       /* default 3 */
void mdp_worker_set_reconnect (mdp_worker_t *self, int reconnect_ms);  /* default 1000 */
int  mdp_worker_set_curve (mdp_worker_t *self, zcert_t *cert, const char *server_public);

/* Wait up to timeout_ms (-1 forever) for a request. Returns its body and sets
   *reply_to (caller's address, owned by the caller of this function), or NULL on
   timeout or interrupt (check zsys_interrupted). Heartbeats are handled inside. */
zmsg_t *mdp_worker_recv (mdp_worker_t *self, zframe_t **reply_to, int timeout_ms);
/* Reply frames are taken (destroyed). */
int mdp_worker_send_partial (mdp_worker_t *self, zmsg_t **body_p, zframe_t *reply_to);
int mdp_worker_send_final (mdp_worker_t *self, zmsg_t **body_p, zframe_t *reply_to);
/* Send a HEARTBEAT if one is due: a handler that runs longer than heartbeat x liveness
   calls this now and then so the broker does not count the worker as dead. */
void mdp_worker_heartbeat (mdp_worker_t *self);

zsock_t *mdp_worker_sock (mdp_worker_t *self);
void mdp_worker_test (bool verbose);

#endif
