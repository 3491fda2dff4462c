/*  notify_engine: the background half of a notify process.

    A zactor thread with a notify_t of its own (its own Redis connection) loops:
    take the next event of the province's stream through the consumer group "notify"
    (inv_consumer_t: at-least-once; this instance's unacknowledged events first, then
    events another instance left unacknowledged longer than claim_idle_ms, then new
    ones; after a turn that found nothing the read blocks in Redis for up to
    IDLE_WAIT_MS, so an event is taken as soon as it is written and a $TERM on the pipe
    is seen within that time), hand it to notify_handle_event and acknowledge it only when it was handled,
    so an event in hand when a process dies is handled again by a live one (notices
    are idempotent by id). Every tick_ms it runs notify_tick on inv_clock_now_ms(),
    which opens calendar deadlines and fires due rungs; deadlines and timers live in
    Redis, so a restart loses nothing. Every turn it also attempts the webhook
    deliveries that are due (notify_webhook_run; a POST blocks the thread for at most
    NOTIFY_WEBHOOK_TIMEOUT_MS). The actor stops on $TERM from its pipe.
*/
#include "notify_internal.h"
#include "notify_engine.h"
#include "inv_clock.h"
#include "inv_event.h"
#include "inv_log.h"

#define IDLE_WAIT_MS    20
#define EVENTS_PER_TURN 100

typedef struct {
    inv_config_t cfg;
    notify_settings_t settings;
} engine_args_t;

static void
s_engine (zsock_t *pipe, void *args)
{
    engine_args_t *a = (engine_args_t *) args;
    notify_t *notify = notify_new (&a->cfg, &a->settings);
    if (!notify) {
        zsock_signal (pipe, 1);
        return;
    }
    char consumer_name [96];
    char *host = zsys_hostname ();
    snprintf (consumer_name, sizeof consumer_name, "%s-%d", host? host: "host", (int) getpid ());
    zstr_free (&host);
    inv_consumer_t *consumer = inv_consumer_new (notify_redis (notify), notify_province (notify),
                                                 NOTIFY_GROUP, consumer_name);
    inv_consumer_set_claim_idle (consumer, a->settings.claim_idle_ms);
    notify_webhook_t *webhook = notify_webhook_new (notify, consumer_name);
    zpoller_t *poller = zpoller_new (pipe, NULL);
    //  The process's signal handler must not end the loop: the engine stops when its
    //  owner sends $TERM (zactor_destroy), after the request in hand.
    zpoller_set_nonstop (poller, true);
    zsock_signal (pipe, 0);
    inv_info ("notify engine: consumer %s, tick every %d ms", consumer_name, a->settings.tick_ms);
    int64_t next_tick = 0;
    int handled = 0;
    while (true) {
        //  After an idle turn the first read blocks in Redis for up to IDLE_WAIT_MS, so a
        //  new event is taken the moment it is written; the pipe is checked every turn.
        int wait_ms = handled? 0: IDLE_WAIT_MS;
        if (zpoller_wait (poller, 0) == pipe) {
            char *command = zstr_recv (pipe);
            bool term = !command || streq (command, "$TERM");
            zstr_free (&command);
            if (term)
                break;
        }
        for (handled = 0; handled < EVENTS_PER_TURN; handled++) {
            Innov__Event *event = inv_consumer_next (consumer, handled? 0: wait_ms);
            if (!event)
                break;
            if (notify_handle_event (notify, event) == 0)
                inv_consumer_ack (consumer, event->seq);
            inv_event_free (&event);
        }
        if (zclock_mono () >= next_tick) {
            if (notify_tick (notify, inv_clock_now_ms ()) < 0)
                inv_warn ("notify tick: Redis is not available");
            next_tick = zclock_mono () + a->settings.tick_ms;
        }
        if (webhook && notify_webhook_run (webhook, zclock_time ()) < 0)
            inv_warn ("notify webhooks: Redis is not available");
    }
    notify_webhook_destroy (&webhook);
    zpoller_destroy (&poller);
    inv_consumer_destroy (&consumer);
    notify_destroy (&notify);
}

zactor_t *
notify_engine_new (const inv_config_t *cfg, const notify_settings_t *settings)
{
    static engine_args_t args;  /* one engine per process; read by the thread */
    args.cfg = *cfg;
    args.settings = *settings;
    return zactor_new (s_engine, &args);
}
