/*  inv_follow: the event-following thread every reacting service uses.

    The state is opened in the caller's thread (so a failure is a NULL return) and
    handed to the follower thread, which alone uses it from then on. The thread's
    arguments live in a heap block it owns and frees when it ends, so several
    followers may run in one process (tests start many). The consumer gets a Redis connection of
    its own, separate from the state's, because a blocking XREADGROUP must not hold
    up the handler's writes. See inv_follow.h for the loop.
*/
#include "inv_follow.h"
#include "inv_clock.h"
#include "inv_event.h"
#include "inv_log.h"
#include "inv_redis.h"

#define IDLE_WAIT_MS    20
#define EVENTS_PER_TURN 100

typedef struct {
    inv_config_t cfg;
    inv_follow_spec_t spec;
    void *state;                /* opened by inv_follow_new, owned by the thread */
    inv_redis_t *redis;         /* the consumer's connection */
} follow_args_t;

static bool
s_term_requested (zpoller_t *poller, zsock_t *pipe)
{
    if (zpoller_wait (poller, 0) != pipe)
        return false;
    char *command = zstr_recv (pipe);
    bool term = !command || streq (command, "$TERM");
    zstr_free (&command);
    return term;
}

/* One batch of events; returns how many were taken. */
static int
s_take_events (follow_args_t *a, inv_consumer_t *consumer, void *state, int wait_ms)
{
    int taken;
    for (taken = 0; taken < EVENTS_PER_TURN; taken++) {
        Innov__Event *event = inv_consumer_next (consumer, taken? 0: wait_ms);
        if (!event)
            break;
        if (a->spec.handle (state, event) == 0)
            inv_consumer_ack (consumer, event->seq);
        inv_event_free (&event);
    }
    return taken;
}

static void
s_follow (zsock_t *pipe, void *args)
{
    follow_args_t *a = (follow_args_t *) args;
    void *state = a->state;
    inv_redis_t *redis = a->redis;
    char consumer_name [96];
    char *host = zsys_hostname ();
    snprintf (consumer_name, sizeof consumer_name, "%s-%d", host? host: "host", (int) getpid ());
    zstr_free (&host);
    inv_consumer_t *consumer = inv_consumer_new (redis, a->cfg.province, a->spec.group, consumer_name);
    if (a->spec.claim_idle_ms > 0)
        inv_consumer_set_claim_idle (consumer, a->spec.claim_idle_ms);
    int tick_ms = a->spec.tick_ms > 0? a->spec.tick_ms: 1000;
    zpoller_t *poller = zpoller_new (pipe, NULL);
    zpoller_set_nonstop (poller, true);
    zsock_signal (pipe, 0);
    inv_info ("%s follower: consumer %s, tick every %d ms", a->spec.group, consumer_name, tick_ms);
    int64_t next_tick = 0;
    int taken = 0;
    while (!s_term_requested (poller, pipe)) {
        taken = s_take_events (a, consumer, state, taken? 0: IDLE_WAIT_MS);
        if (a->spec.tick && zclock_mono () >= next_tick) {
            if (a->spec.tick (state, inv_clock_now_ms ()) < 0)
                inv_warn ("%s tick: Redis is not available", a->spec.group);
            next_tick = zclock_mono () + tick_ms;
        }
        if (a->spec.turn && a->spec.turn (state) < 0)
            inv_warn ("%s turn: Redis is not available", a->spec.group);
    }
    zpoller_destroy (&poller);
    inv_consumer_destroy (&consumer);
    inv_redis_destroy (&redis);
    a->spec.close (&state);
    free (a);
}

zactor_t *
inv_follow_new (const inv_config_t *cfg, const inv_follow_spec_t *spec)
{
    assert (spec->group && spec->open && spec->close && spec->handle);
    void *state = spec->open (cfg, spec->arg);
    if (!state)
        return NULL;
    inv_redis_t *redis = inv_redis_new (cfg->redis);
    if (!redis) {
        spec->close (&state);
        return NULL;
    }
    follow_args_t *args = (follow_args_t *) calloc (1, sizeof *args);
    assert (args);
    args->cfg = *cfg;
    args->spec = *spec;
    args->state = state;
    args->redis = redis;
    return zactor_new (s_follow, args);
}
