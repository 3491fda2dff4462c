/*  inv_follow: the event-following thread every reacting service uses.

    The state is opened in the caller's thread (so a failure is a NULL return) and
    handed to the follower thread, which alone uses it from then on, with a Redis
    connection of its own for the stream. The thread's arguments live in a heap block
    it owns and frees when it ends, so several followers may run in one process.

    One turn: this consumer's pending entries first (after a failure, again at most
    once a second), then those other consumers left idle longer than claim_idle_ms
    (XAUTOCLAIM, checked at most once a second), then new ones, blocking in Redis up to
    IDLE_WAIT_MS when there are none, so an event is taken as soon as it is written and
    $TERM is seen within that time. Up to `batch` entries are read at once and
    acknowledged with one XACK when the handler succeeds; bulk loads (a national import
    writes 500,000 events in under a minute) are followed in step that way.
*/
#include "inv_follow.h"
#include "inv_clock.h"
#include "inv_event.h"
#include "inv_log.h"
#include "inv_redis.h"

#define IDLE_WAIT_MS     20
#define RETRY_PAUSE_MS   1000

typedef struct {
    inv_config_t cfg;
    inv_follow_spec_t spec;
    void *state;
    inv_redis_t *redis;
    char key [64], consumer [96], count [16];
    bool group_ready, reread_own;
    int64_t next_own, next_claim;
    char claim_cursor [48];
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

static bool
s_ensure_group (follow_args_t *a)
{
    if (a->group_ready)
        return true;
    const char *argv [] = { "XGROUP", "CREATE", a->key, a->spec.group, "0", "MKSTREAM" };
    redisReply *r = inv_redis_argv (a->redis, 6, argv, NULL);
    if (!r)
        return false;
    a->group_ready = r->type != REDIS_REPLY_ERROR || strncmp (r->str, "BUSYGROUP", 9) == 0;
    if (!a->group_ready)
        inv_error ("XGROUP CREATE %s %s: %s", a->key, a->spec.group, r->str);
    freeReplyObject (r);
    return a->group_ready;
}

/* The entries of an XREADGROUP reply [[key, [entries]]] or an XAUTOCLAIM reply
   [cursor, [entries], ...]; NULL if none. */
static const redisReply *
s_entries (const redisReply *r, bool claim)
{
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < (claim? 2u: 1u))
        return NULL;
    const redisReply *list = claim? r->element [1]: NULL;
    if (!claim) {
        const redisReply *stream = r->element [0];
        if (stream->type != REDIS_REPLY_ARRAY || stream->elements != 2)
            return NULL;
        list = stream->element [1];
    }
    return list->type == REDIS_REPLY_ARRAY && list->elements? list: NULL;
}

static void
s_ack (follow_args_t *a, const redisReply *entries, size_t from, size_t to)
{
    if (to <= from)
        return;
    const char **argv = (const char **) zmalloc ((to - from + 3) * sizeof (char *));
    argv [0] = "XACK";
    argv [1] = a->key;
    argv [2] = a->spec.group;
    int argc = 3;
    for (size_t i = from; i < to; i++)
        if (entries->element [i]->type == REDIS_REPLY_ARRAY && entries->element [i]->elements >= 1)
            argv [argc++] = entries->element [i]->element [0]->str;
    redisReply *r = inv_redis_argv (a->redis, argc, argv, NULL);
    if (r)
        freeReplyObject (r);
    free (argv);
}

/* The batch to the handler: all at once, or one by one to a per-event handler (a
   failure then leaves the whole batch pending; handlers are idempotent). */
static int
s_hand_over (follow_args_t *a, Innov__Event **events, size_t n)
{
    if (a->spec.handle_batch)
        return a->spec.handle_batch (a->state, events, n);
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        if (a->spec.handle (a->state, events [i]) != 0)
            rc = -1;
    return rc;
}

/* Decode, hand over, acknowledge. Returns the number of entries taken. */
static size_t
s_handle (follow_args_t *a, const redisReply *entries)
{
    Innov__Event **events = (Innov__Event **) zmalloc ((entries->elements + 1) * sizeof (void *));
    size_t n = 0;
    for (size_t i = 0; i < entries->elements; i++) {
        Innov__Event *e = inv_event_from_entry (entries->element [i], a->cfg.province);
        if (e)
            events [n++] = e;
    }
    int rc = n? s_hand_over (a, events, n): 0;
    if (rc == 0)
        s_ack (a, entries, 0, entries->elements);
    else {
        a->reread_own = true;                       /* they are pending: read them again */
        a->next_own = zclock_mono () + RETRY_PAUSE_MS;
    }
    for (size_t i = 0; i < n; i++)
        inv_event_free (&events [i]);
    free (events);
    return entries->elements;
}

static size_t
s_turn (follow_args_t *a)
{
    if (!s_ensure_group (a))
        return 0;
    redisReply *r = NULL;
    const redisReply *entries = NULL;
    if (a->reread_own && zclock_mono () >= a->next_own) {
        const char *argv [] = { "XREADGROUP", "GROUP", a->spec.group, a->consumer, "COUNT", a->count,
                                "STREAMS", a->key, "0" };
        r = inv_redis_argv (a->redis, 9, argv, NULL);
        entries = s_entries (r, false);
        if (!entries && r)
            a->reread_own = false;
    }
    if (!entries && zclock_mono () >= a->next_claim) {
        if (r)
            freeReplyObject (r);
        char idle [16];
        snprintf (idle, sizeof idle, "%d", a->spec.claim_idle_ms > 0? a->spec.claim_idle_ms: 30000);
        const char *argv [] = { "XAUTOCLAIM", a->key, a->spec.group, a->consumer, idle, a->claim_cursor,
                                "COUNT", a->count };
        r = inv_redis_argv (a->redis, 8, argv, NULL);
        if (r && r->type == REDIS_REPLY_ARRAY && r->elements >= 2 && r->element [0]->type == REDIS_REPLY_STRING)
            snprintf (a->claim_cursor, sizeof a->claim_cursor, "%s", r->element [0]->str);
        entries = s_entries (r, true);
        if (!entries || streq (a->claim_cursor, "0-0"))
            a->next_claim = zclock_mono () + RETRY_PAUSE_MS;
    }
    if (!entries) {
        if (r)
            freeReplyObject (r);
        char block [16];
        snprintf (block, sizeof block, "%d", IDLE_WAIT_MS);
        const char *argv [] = { "XREADGROUP", "GROUP", a->spec.group, a->consumer, "COUNT", a->count,
                                "BLOCK", block, "STREAMS", a->key, ">" };
        r = inv_redis_argv (a->redis, 11, argv, NULL);
        if (r && r->type == REDIS_REPLY_ERROR && strncmp (r->str, "NOGROUP", 7) == 0)
            a->group_ready = false;
        entries = s_entries (r, false);
    }
    size_t taken = entries? s_handle (a, entries): 0;
    if (r)
        freeReplyObject (r);
    return taken;
}

static void
s_follow (zsock_t *pipe, void *args)
{
    follow_args_t *a = (follow_args_t *) args;
    zpoller_t *poller = zpoller_new (pipe, NULL);
    zpoller_set_nonstop (poller, true);
    zsock_signal (pipe, 0);
    inv_info ("%s follower: consumer %s, batches of %s", a->spec.group, a->consumer, a->count);
    int tick_ms = a->spec.tick_ms > 0? a->spec.tick_ms: 1000;
    int64_t next_tick = 0;
    while (!s_term_requested (poller, pipe)) {
        size_t taken = s_turn (a);
        if (!taken && !inv_redis_connected (a->redis))
            zclock_sleep (IDLE_WAIT_MS);
        if (a->spec.tick && zclock_mono () >= next_tick) {
            if (a->spec.tick (a->state, inv_clock_now_ms ()) < 0)
                inv_warn ("%s tick: Redis is not available", a->spec.group);
            next_tick = zclock_mono () + tick_ms;
        }
        if (a->spec.turn && a->spec.turn (a->state) < 0)
            inv_warn ("%s turn: Redis is not available", a->spec.group);
    }
    zpoller_destroy (&poller);
    inv_redis_destroy (&a->redis);
    a->spec.close (&a->state);
    free (a);
}

zactor_t *
inv_follow_new (const inv_config_t *cfg, const inv_follow_spec_t *spec)
{
    assert (spec->group && spec->open && spec->close && (spec->handle || spec->handle_batch));
    void *state = spec->open (cfg, spec->arg);
    if (!state)
        return NULL;
    inv_redis_t *redis = inv_redis_new (cfg->redis);
    if (!redis) {
        spec->close (&state);
        return NULL;
    }
    inv_redis_set_timeout (redis, 5000);
    follow_args_t *a = (follow_args_t *) calloc (1, sizeof *a);
    assert (a);
    a->cfg = *cfg;
    a->spec = *spec;
    a->state = state;
    a->redis = redis;
    a->reread_own = true;
    snprintf (a->claim_cursor, sizeof a->claim_cursor, "0-0");
    snprintf (a->count, sizeof a->count, "%d", spec->batch > 0? spec->batch: 100);
    inv_event_stream_key (a->key, sizeof a->key, cfg->province && *cfg->province? cfg->province: "14");
    char *host = zsys_hostname ();
    snprintf (a->consumer, sizeof a->consumer, "%s-%d", host? host: "host", (int) getpid ());
    zstr_free (&host);
    return zactor_new (s_follow, a);
}
