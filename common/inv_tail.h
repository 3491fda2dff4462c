/*  inv_tail: follow a province's events in order, without gaps or repeats, as a pull
    API: what `innovctl events tail`, `notices watch` and the gateway's event stream
    share.

    The broker publishes every event on its XPUB endpoint as [type][innov.Event], and
    PUB/SUB may drop (a slow joiner misses the first messages, a full queue drops
    more), so the stream is checked against the sequence number, as in the Clone
    pattern:
      1. subscribe first (topic = the type prefix), so nothing published while we
         catch up is missed for good;
      2. with a starting sequence number S, page through "events.replay" (service
         "events") from S up to the province's newest sequence number;
      3. then read live events: an event at or below the last one handed out is a
         repeat and is skipped; one that jumps ahead means events were missed, and
         the replay fetches the ones between before it is handed out.
    Without a start the first live event sets where we are. With a topic, sequence
    numbers of matching events are not consecutive, so each jump is asked of the replay
    (which filters by the same prefix); it answers with nothing when nothing was missed.
    Replay pages are fetched one at a time, as they are consumed, so a replay from 0
    of a long stream holds one page in memory.

    The replay goes through an MDP client the caller gives to each call (the caller
    owns it; the tail never keeps it), so the caller decides whose principal it acts for.
*/
#ifndef INV_TAIL_H
#define INV_TAIL_H
#include <czmq.h>
#include "inv_config.h"
#include "mdp_client.h"
#include "event.pb-c.h"
#include "rpc.pb-c.h"

typedef struct _inv_tail_t inv_tail_t;

/* Subscribe to cfg->events (CURVE per cfg) for events of cfg->province whose type
   starts with topic ("" = all). since_given: hand out the events after `since` first.
   NULL when the subscriber cannot be set up (bad CURVE settings, bad endpoint). */
inv_tail_t *inv_tail_new (const inv_config_t *cfg, const char *topic, bool since_given,
                          uint64_t since);
void inv_tail_destroy (inv_tail_t **self_p);

/* The next event in order: 1 with *event_p set (free with innov__event__free_unpacked),
   0 when none came within timeout_ms, -1 when a replay was refused or got no answer
   (*status_p, when not NULL, gets the status: free with innov__status__free_unpacked). */
int inv_tail_next (inv_tail_t *self, mdp_client_t *client, int timeout_ms,
                   Innov__Event **event_p, Innov__Status **status_p);

/* Sequence number of the last event handed out (or known to be covered). */
uint64_t inv_tail_position (inv_tail_t *self);
#endif
