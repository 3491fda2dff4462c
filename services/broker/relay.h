/*  relay: the broker's event relay, an actor (zactor) beside the broker loop.

    It reads the province streams ("{PP}:events", see inv_event.h) in order and
    publishes every event on the XPUB endpoint as [type][innov.Event], and serves
    "events.replay" as an MDP worker of service "events" connected to the broker over
    inproc, so replay requests are ordinary MDP requests. Redis down: it retries with
    back-off and logs once per outage; nothing is skipped, because it resumes from the
    last sequence it published.
*/
#ifndef RELAY_H
#define RELAY_H
#include <czmq.h>

typedef struct {
    const char *redis;          /* Redis address */
    const char *provinces;      /* comma list of province codes to relay ("14") */
    const char *pub_bind;       /* XPUB endpoint(s), comma list */
    const char *broker;         /* inproc endpoint of the broker, for the "events" worker */
    int heartbeat_ms;
    const char *curve_cert;     /* the broker's secret certificate: the XPUB's tcp://
                                   endpoints are then CURVE servers (NULL: off) */
} relay_args_t;

/* zactor_new (relay_actor, &args): args must outlive the actor. The actor signals
   ready after binding; send "$TERM" (zactor_destroy) to stop it. */
void relay_actor (zsock_t *pipe, void *args);
#endif
