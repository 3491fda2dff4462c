/*  ctl_follow: follow a province's events, in order, without gaps or repeats; what
    `events tail` and `notices watch` share.

    The broker publishes every event on its XPUB endpoint as [type][innov.Event], and
    PUB/SUB may drop (a slow joiner misses the first messages, a full queue drops
    more), so the stream is checked against the sequence number, as in the Clone
    pattern:
      1. subscribe first (topic = the type prefix), so nothing published while we
         catch up is missed for good;
      2. with a starting sequence number S, page through "events.replay" (service
         "events") from S until the province's newest sequence number;
      3. then read live events: an event at or below the last one handled is a repeat
         and is skipped; one that jumps ahead of it means events were missed, and
         another replay fetches the ones between before it is handed on.
    Without a start the first live event sets where we are. With a topic, sequence
    numbers of matching events are not consecutive, so each jump is asked of the
    replay (which filters by the same prefix); it answers with nothing when nothing
    was missed.

    Each event goes to the caller's function, which says whether it showed it; the
    follow stops after `count` shown events, on Ctrl-C / SIGTERM (exit 0), or when a
    replay fails (that request's exit code).
*/
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "inv_service.h"
#include "mdp.h"

#define REPLAY_PAGE 500

typedef struct {
    ctl_t *ctl;
    const ctl_follow_t *follow;
    const char *province;
    uint64_t handled;           /* highest sequence number handled or known to be covered */
    bool have_position;         /* false until a start or the first live event */
    uint64_t shown;
} follow_t;

static bool
s_done (const follow_t *self)
{
    return self->follow->count && self->shown >= self->follow->count;
}

/* Hands one event on unless it is a repeat. */
static void
s_handle (follow_t *self, const Innov__Event *event)
{
    if (self->have_position && event->seq <= self->handled)
        return;
    if (self->follow->show (self->follow->arg, event))
        self->shown++;
    self->handled = event->seq;
    self->have_position = true;
}

/* Replays events after self->handled and before `until` (0: up to the newest).
   Returns the exit code of the call (0 on success). */
static int
s_replay (follow_t *self, uint64_t until)
{
    Innov__ReplayRequest request = INNOV__REPLAY_REQUEST__INIT;
    request.province = (char *) self->province;
    request.topic_prefix = (char *) self->follow->topic;
    request.limit = REPLAY_PAGE;
    uint64_t after = self->handled;
    while (!s_done (self) && !zsys_interrupted) {
        request.after_seq = after;
        ProtobufCMessage *message = NULL;
        int rc = ctl_call (self->ctl, EVENTS_SERVICE, "events.replay", &request.base,
                           &innov__replay_reply__descriptor, &message);
        if (rc || !message)
            return rc;
        Innov__ReplayReply *reply = (Innov__ReplayReply *) message;
        bool reached = reply->n_events == 0;
        for (size_t i = 0; i < reply->n_events && !s_done (self); i++) {
            const Innov__Event *event = reply->events [i];
            if (until && event->seq >= until) {
                reached = true;
                break;
            }
            s_handle (self, event);
            after = event->seq;
        }
        uint64_t newest = reply->last_seq;
        innov__replay_reply__free_unpacked (reply, NULL);
        if (reached || after >= newest || (until && after + 1 >= until)) {
            /* Everything before `until` (or up to the newest) is now covered */
            uint64_t covered = until? until - 1: newest;
            if (covered > self->handled && !s_done (self))
                self->handled = covered;
            break;
        }
    }
    return CTL_OK;
}

static zsock_t *
s_subscriber (const inv_config_t *cfg, const char *topic)
{
    zsock_t *sub = zsock_new (ZMQ_SUB);
    if (!sub)
        return NULL;
    if (cfg->curve_cert) {
        zcert_t *cert = zcert_load (cfg->curve_cert);
        char server_key [41];
        if (!cert || inv_service_server_key (cfg, server_key)) {
            zcert_destroy (&cert);
            zsock_destroy (&sub);
            return NULL;
        }
        zcert_apply (cert, sub);
        zsock_set_curve_serverkey (sub, server_key);
        zcert_destroy (&cert);
    }
    zsock_set_subscribe (sub, topic);
    if (zsock_connect (sub, "%s", cfg->events) != 0)
        zsock_destroy (&sub);
    return sub;
}

static Innov__Event *
s_receive (zsock_t *sub)
{
    zmsg_t *msg = zmsg_recv (sub);
    if (!msg)
        return NULL;
    Innov__Event *event = NULL;
    zframe_t *topic = zmsg_first (msg);
    zframe_t *body = topic? zmsg_next (msg): NULL;
    if (body)
        event = innov__event__unpack (NULL, zframe_size (body), zframe_data (body));
    zmsg_destroy (&msg);
    return event;
}

int
ctl_follow_options (const char *command, const ctl_opt_t *opts, ctl_follow_t *follow)
{
    const char *count = ctl_opt (opts, "count");
    if (count && (!ctl_parse_uint (count, UINT64_MAX, &follow->count) || follow->count == 0))
        return ctl_usage (command, "--count: \"%s\" is not a positive whole number", count);
    const char *since = ctl_opt (opts, "since");
    if (since) {
        if (!ctl_parse_uint (since, UINT64_MAX, &follow->since))
            return ctl_usage (command, "--since: \"%s\" is not a sequence number", since);
        follow->since_given = true;
    }
    return CTL_OK;
}

int
ctl_follow (ctl_t *ctl, const ctl_follow_t *follow)
{
    follow_t self = { ctl, follow, ctl->cfg->province, follow->since, follow->since_given, 0 };
    zsock_t *sub = s_subscriber (ctl->cfg, follow->topic);
    if (!sub)
        return ctl_fail (CTL_USAGE, "cannot subscribe to %s (check --events and the CURVE settings)",
                         ctl->cfg->events);
    int rc = CTL_OK;
    if (self.have_position)
        rc = s_replay (&self, 0);

    zpoller_t *poller = zpoller_new (sub, NULL);
    while (rc == CTL_OK && !s_done (&self) && !zsys_interrupted) {
        if (!zpoller_wait (poller, 500))
            continue;
        Innov__Event *event = s_receive (sub);
        if (!event)
            continue;
        if (event->province && strcmp (event->province, self.province) == 0) {
            if (self.have_position && event->seq > self.handled + 1)
                rc = s_replay (&self, event->seq);
            if (rc == CTL_OK && !s_done (&self))
                s_handle (&self, event);
        }
        innov__event__free_unpacked (event, NULL);
    }
    zpoller_destroy (&poller);
    zsock_destroy (&sub);
    return rc;
}
