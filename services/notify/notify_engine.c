/*  notify_engine: the background half of a notify process.

    An inv_follow actor (common/inv_follow.h) with state of its own: a notify_t with
    its own Redis connection and the webhook sender. Each event of the province's
    stream, taken through the consumer group "notify", goes to notify_handle_event
    (notices are idempotent by id, so an event handled twice after a crash makes no
    second notice). Every tick_ms notify_tick opens calendar deadlines and fires due
    rungs; deadlines and timers live in Redis, so a restart loses nothing. Every turn
    the due webhook deliveries are attempted (notify_webhook_run; a POST blocks the
    thread for at most NOTIFY_WEBHOOK_TIMEOUT_MS).
*/
#include "notify_internal.h"
#include "notify_engine.h"
#include "notify_webhook.h"
#include "inv_follow.h"

typedef struct {
    notify_t *notify;
    notify_webhook_t *webhook;
} engine_t;

static void *
s_open (const inv_config_t *cfg, void *arg)
{
    notify_t *notify = notify_new (cfg, (const notify_settings_t *) arg);
    if (!notify)
        return NULL;
    engine_t *self = (engine_t *) zmalloc (sizeof *self);
    char name [96];
    char *host = zsys_hostname ();
    snprintf (name, sizeof name, "%s-%d", host? host: "host", (int) getpid ());
    zstr_free (&host);
    self->notify = notify;
    self->webhook = notify_webhook_new (notify, name);
    return self;
}

static void
s_close (void **state_p)
{
    engine_t *self = (engine_t *) *state_p;
    if (self) {
        notify_webhook_destroy (&self->webhook);
        notify_destroy (&self->notify);
        free (self);
        *state_p = NULL;
    }
}

static int
s_handle (void *state, const Innov__Event *event)
{
    return notify_handle_event (((engine_t *) state)->notify, event);
}

static int
s_tick (void *state, int64_t now_ms)
{
    return notify_tick (((engine_t *) state)->notify, now_ms);
}

static int
s_turn (void *state)
{
    engine_t *self = (engine_t *) state;
    return self->webhook? notify_webhook_run (self->webhook, zclock_time ()): 0;
}

zactor_t *
notify_engine_new (const inv_config_t *cfg, const notify_settings_t *settings)
{
    inv_follow_spec_t spec = {
        .group = NOTIFY_GROUP, .tick_ms = settings->tick_ms,
        .claim_idle_ms = settings->claim_idle_ms,
        .open = s_open, .close = s_close, .handle = s_handle,
        .tick = s_tick, .turn = s_turn, .arg = (void *) settings
    };
    return inv_follow_new (cfg, &spec);
}
