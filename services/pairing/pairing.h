/*  pairing: work groups, three-party pairings, three-layer guidance, coverage and mentor
    matching (proto/pairing.proto, docs/pairing.md).

    Two halves share one class. The methods (pairing_methods) are plain handlers that
    tests call with an inv_call_t and no sockets. The projection (pairing_project_*) turns
    the registry's events into a compact hash per enterprise, ends the pairings of
    enterprises that start innovating or close, and keeps the coverage counters and gap
    sets in the same scripts; pairing_engine.c runs it in a background thread fed by the
    consumer group "pairing". Matching (pairing_match.h) runs in memory over data loaded
    in bulk.
*/
#ifndef PAIRING_H
#define PAIRING_H
#include <czmq.h>
#include "inv_config.h"
#include "inv_rpc.h"
#include "inv_redis.h"
#include "event.pb-c.h"
#include "pairing.pb-c.h"
#include "figures.pb-c.h"

#define PAIRING_GROUP   "pairing"

typedef struct _pairing_t pairing_t;

/* Uses cfg->redis and cfg->province. mentor_capacity: the capacity of an ACTIVE
   enterprise whose record gives none (PAIRING_MENTOR_CAPACITY, default 0: not a
   mentor). NULL if the Redis address is malformed. */
pairing_t *pairing_new (const inv_config_t *cfg, unsigned mentor_capacity);
void pairing_destroy (pairing_t **self_p);
inv_redis_t *pairing_redis (pairing_t *self);
/* PAIRING_MENTOR_CAPACITY from the environment (0 when unset); -1 when malformed. */
int pairing_mentor_capacity_from_env (void);

extern const inv_method_t pairing_methods [];

void pairing_group_get (void *ctx, inv_call_t *call);
void pairing_group_add (void *ctx, inv_call_t *call);
void pairing_group_list (void *ctx, inv_call_t *call);
void pairing_group_member_add (void *ctx, inv_call_t *call);
void pairing_group_member_remove (void *ctx, inv_call_t *call);
void pairing_group_assign (void *ctx, inv_call_t *call);
void pairing_group_unassign (void *ctx, inv_call_t *call);
void pairing_group_ready (void *ctx, inv_call_t *call);
void pairing_pair_add (void *ctx, inv_call_t *call);
void pairing_pair_end (void *ctx, inv_call_t *call);
void pairing_pair_get (void *ctx, inv_call_t *call);
void pairing_pair_list (void *ctx, inv_call_t *call);
void pairing_pair_suggest (void *ctx, inv_call_t *call);
void pairing_coverage_get (void *ctx, inv_call_t *call);
void pairing_coverage_gaps (void *ctx, inv_call_t *call);
void pairing_guidance_link (void *ctx, inv_call_t *call);
void pairing_guidance_unlink (void *ctx, inv_call_t *call);
void pairing_guidance_list (void *ctx, inv_call_t *call);
void pairing_figures_get (void *ctx, inv_call_t *call);

/* The composition rule of a ready work group: each violation as a field error on call
   (5-6 members, a division-level official, a technical professional of a university,
   institute or platform). True when the group satisfies it. */
bool pairing_group_check_rule (const Innov__WorkGroup *group, inv_call_t *call, const char *prefix);

/* Projection. One event: registry enterprise events are queued (1), agency events
   handled at once, others ignored (0); -1 when Redis failed. */
int pairing_project_event (pairing_t *self, const Innov__Event *event);
/* Write the queued events (several per script, the scripts pipelined); 0, or -1 when
   Redis failed (they stay queued). */
int pairing_project_flush (pairing_t *self);

#endif
