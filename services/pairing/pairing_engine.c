/*  pairing_engine: the projection's thread, an inv_follow actor
    (common/inv_follow.h) with a pairing_t of its own.

    Each batch of events (up to 256) is queued by pairing_project_event and written by
    one pairing_project_flush (several events per script, every script pipelined); the
    follower acknowledges the batch only when the flush succeeded, so a batch in hand
    when the process dies is delivered again, and the projection skips the versions it
    has already applied.
*/
#include "pairing_internal.h"
#include "pairing_engine.h"
#include "inv_follow.h"
#include "inv_log.h"

#define BATCH 256

static void *
s_open (const inv_config_t *cfg, void *arg)
{
    return pairing_new (cfg, (unsigned) (uintptr_t) arg);
}

static void
s_close (void **state_p)
{
    pairing_t *self = (pairing_t *) *state_p;
    pairing_destroy (&self);
    *state_p = NULL;
}

static int
s_handle_batch (void *state, Innov__Event **events, size_t count)
{
    pairing_t *self = (pairing_t *) state;
    for (size_t i = 0; i < count; i++)
        if (pairing_project_event (self, events [i]) < 0)
            return -1;
    return pairing_project_flush (self);
}

zactor_t *
pairing_engine_new (const inv_config_t *cfg, unsigned mentor_capacity)
{
    inv_follow_spec_t spec = {
        .group = PAIRING_GROUP, .batch = BATCH, .open = s_open, .close = s_close,
        .handle_batch = s_handle_batch, .arg = (void *) (uintptr_t) mentor_capacity
    };
    return inv_follow_new (cfg, &spec);
}
