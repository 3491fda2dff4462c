/*  inv_follow: a service's background thread that follows the event stream.

    Any service that reacts to other services' events (notify, pairing, report,
    plug-ins) runs one inv_follow actor beside its MDP worker. The actor opens the
    service's own state with spec->open (its own Redis connection: the thread never
    shares one with the worker), then loops:
      - take the next events of the province's stream through the consumer group
        spec->group (at-least-once: this instance's unacknowledged events first, then
        those another instance left unacknowledged longer than claim_idle_ms, then new
        ones), up to spec->batch at a time; they go to spec->handle_batch all at once,
        or one by one to spec->handle, and are acknowledged only when that succeeded,
        so an event in hand when a process dies is handled again by a live instance
        (handlers must therefore be idempotent);
      - after a turn that found nothing, the read blocks in Redis for up to 20 ms, so
        an event is taken as soon as it is written and $TERM is seen within that time;
      - every tick_ms, spec->tick (if set) runs with inv_clock_now_ms ();
      - every turn, spec->turn (if set) runs (short work such as due deliveries).
    Destroying the actor (zactor_destroy) stops it after the event in hand; the
    process's SIGINT/SIGTERM handler does not end the loop by itself.
*/
#ifndef INV_FOLLOW_H
#define INV_FOLLOW_H
#include <czmq.h>
#include "inv_config.h"
#include "event.pb-c.h"

typedef struct {
    const char *group;          /* consumer group, usually the service name */
    int tick_ms;                /* period of spec->tick; 0 = 1000 */
    int claim_idle_ms;          /* 0 = 30 s */
    int batch;                  /* events read at once; 0 = 100 */
    /* Per-thread state; NULL means failure (the actor then signals an error). */
    void *(*open) (const inv_config_t *cfg, void *arg);
    void (*close) (void **state_p);
    /* One of the two. 0: handled (acknowledge); -1: not handled (the event, or the
       whole batch, will be delivered again). */
    int (*handle) (void *state, const Innov__Event *event);
    int (*handle_batch) (void *state, Innov__Event **events, size_t count);
    int (*tick) (void *state, int64_t now_ms);      /* optional; -1 is logged */
    int (*turn) (void *state);                      /* optional; -1 is logged */
    void *arg;                  /* passed to open */
} inv_follow_spec_t;

/* Start the follower; NULL if spec->open failed. Both cfg and spec are copied. */
zactor_t *inv_follow_new (const inv_config_t *cfg, const inv_follow_spec_t *spec);
#endif
