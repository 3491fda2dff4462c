/*  mdp_client: MDP/0.2 client API (DEALER socket, RFC 18).

    mdp_client_request() sends one request and waits for its FINAL, collecting any
    PARTIALs; on timeout it closes the socket, opens a new one and sends again, up to
    the configured retries. It therefore relies on writes carrying idempotency keys.
    The endpoint may be a comma-separated list of brokers: each retry goes to the next
    one, so a client survives the death of its broker (docs/deployment.md).
    The asynchronous pair send()/recv() lets benchmarks and tools keep one request in
    flight per socket without blocking.
*/
#ifndef MDP_CLIENT_H
#define MDP_CLIENT_H
#include <czmq.h>

typedef struct _mdp_client_t mdp_client_t;

/* principal: development-mode claim (may be NULL: anonymous). */
mdp_client_t *mdp_client_new (const char *endpoint, const char *principal);
void mdp_client_destroy (mdp_client_t **self_p);

void mdp_client_set_timeout (mdp_client_t *self, int timeout_ms);   /* default 5000 */
void mdp_client_set_retries (mdp_client_t *self, int retries);      /* default 3 attempts */
/* CURVE: own certificate (with secret key) and the broker's public key (Z85). Must be
   called before the first request. Returns 0 or -1. */
int  mdp_client_set_curve (mdp_client_t *self, zcert_t *cert, const char *server_public);

/* Synchronous request: body frames are taken (destroyed). Returns the FINAL body, or
   NULL when every attempt timed out (errno = ETIMEDOUT) or the client was interrupted.
   If partials is not NULL, PARTIAL bodies are appended to it in order. */
zmsg_t *mdp_client_request (mdp_client_t *self, const char *service, zmsg_t **body_p,
                            zlist_t *partials);

/* Asynchronous: send without waiting; recv returns the next PARTIAL or FINAL body
   (*final set to 1 on FINAL), or NULL on timeout_ms (-1 = forever). */
int     mdp_client_send (mdp_client_t *self, const char *service, zmsg_t **body_p);
zmsg_t *mdp_client_recv (mdp_client_t *self, int *final, int timeout_ms);

zsock_t *mdp_client_sock (mdp_client_t *self);
void mdp_client_test (bool verbose);

#endif
