/*  inv_tail: in-order event following with replay (contract in inv_tail.h).

    State: `handled` is the last sequence number handed out or known to be covered;
    `pending` holds events fetched by a replay page and not yet handed out; a replay in
    progress runs up to `until` (0: the newest), and the live event that revealed a gap
    waits in `held` until the replay has caught up to it.
*/
#include <string.h>
#include "inv_tail.h"
#include "inv_rpc.h"
#include "inv_service.h"
#include "inv_limits.h"
#include "mdp.h"

#define REPLAY_PAGE 500

struct _inv_tail_t {
    char province [8];
    char *topic;
    zsock_t *sub;
    zpoller_t *poller;
    uint64_t handled;
    bool have_position;
    bool replaying;
    uint64_t until;             /* replay bound (exclusive), 0 = up to the newest */
    Innov__Event *held;         /* the live event after the gap being replayed */
    zlist_t *pending;           /* of Innov__Event *, in order */
};

static zsock_t *
s_subscriber (const inv_config_t *cfg, const char *topic)
{
    zsock_t *sub = zsock_new (ZMQ_SUB);
    if (!sub)
        return NULL;
    inv_limits_set_max_request ((size_t) cfg->max_request_bytes);
    inv_limits_apply (sub, inv_limits_reply_socket ());
    if (inv_curve_apply (cfg, sub)) {
        zsock_destroy (&sub);
        return NULL;
    }
    zsock_set_subscribe (sub, topic);
    if (zsock_connect (sub, "%s", cfg->events) != 0)
        zsock_destroy (&sub);
    return sub;
}

inv_tail_t *
inv_tail_new (const inv_config_t *cfg, const char *topic, bool since_given, uint64_t since)
{
    inv_tail_t *self = (inv_tail_t *) calloc (1, sizeof *self);
    assert (self);
    snprintf (self->province, sizeof self->province, "%s", cfg->province);
    self->topic = strdup (topic? topic: "");
    self->sub = s_subscriber (cfg, self->topic);
    if (!self->sub) {
        inv_tail_destroy (&self);
        return NULL;
    }
    self->poller = zpoller_new (self->sub, NULL);
    self->pending = zlist_new ();
    self->handled = since;
    self->have_position = since_given;
    self->replaying = since_given;
    return self;
}

void
inv_tail_destroy (inv_tail_t **self_p)
{
    inv_tail_t *self = *self_p;
    if (!self)
        return;
    if (self->pending) {
        Innov__Event *event;
        while ((event = (Innov__Event *) zlist_pop (self->pending)))
            innov__event__free_unpacked (event, NULL);
        zlist_destroy (&self->pending);
    }
    if (self->held)
        innov__event__free_unpacked (self->held, NULL);
    zpoller_destroy (&self->poller);
    zsock_destroy (&self->sub);
    free (self->topic);
    free (self);
    *self_p = NULL;
}

uint64_t
inv_tail_position (inv_tail_t *self)
{
    return self->handled;
}

/* The replay is over: everything before `until` (or up to newest) is covered; the held
   live event, if any, comes next. */
static void
s_replay_done (inv_tail_t *self, uint64_t newest)
{
    uint64_t covered = self->until? self->until - 1: newest;
    if (covered > self->handled)
        self->handled = covered;
    self->replaying = false;
    self->until = 0;
    if (self->held) {
        if (self->held->seq > self->handled) {
            zlist_append (self->pending, self->held);
            self->handled = self->held->seq;
        }
        else
            innov__event__free_unpacked (self->held, NULL);
        self->held = NULL;
    }
}

/* One page of the replay into pending. 0, or -1 with the status. */
static int
s_replay_page (inv_tail_t *self, mdp_client_t *client, Innov__Status **status_p)
{
    Innov__ReplayRequest request = INNOV__REPLAY_REQUEST__INIT;
    request.province = self->province;
    request.topic_prefix = self->topic;
    request.limit = REPLAY_PAGE;
    request.after_seq = self->handled;
    ProtobufCMessage *message = NULL;
    Innov__Status *status = NULL;
    int code = inv_rpc_call (client, EVENTS_SERVICE, "events.replay", &request.base,
                             &innov__replay_reply__descriptor, &message, &status);
    if (code != 200 || !message) {
        if (status_p)
            *status_p = status;
        else
        if (status)
            innov__status__free_unpacked (status, NULL);
        if (message)
            protobuf_c_message_free_unpacked (message, NULL);
        return -1;
    }
    if (status)
        innov__status__free_unpacked (status, NULL);
    Innov__ReplayReply *reply = (Innov__ReplayReply *) message;
    bool reached = reply->n_events == 0;
    for (size_t i = 0; i < reply->n_events; i++) {
        Innov__Event *event = reply->events [i];
        if (self->until && event->seq >= self->until) {
            reached = true;
            break;
        }
        if (event->seq <= self->handled)
            continue;
        /* take the event out of the reply: the reply is freed below without it */
        reply->events [i] = NULL;
        zlist_append (self->pending, event);
        self->handled = event->seq;
    }
    uint64_t newest = reply->last_seq;
    /* free what is left (events handed to pending were set to NULL) */
    size_t kept = 0;
    for (size_t i = 0; i < reply->n_events; i++)
        if (reply->events [i])
            reply->events [kept++] = reply->events [i];
    reply->n_events = kept;
    innov__replay_reply__free_unpacked (reply, NULL);
    if (reached || self->handled >= newest || (self->until && self->handled + 1 >= self->until))
        s_replay_done (self, newest);
    return 0;
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
inv_tail_next (inv_tail_t *self, mdp_client_t *client, int timeout_ms,
               Innov__Event **event_p, Innov__Status **status_p)
{
    *event_p = NULL;
    if (status_p)
        *status_p = NULL;
    int64_t deadline = zclock_mono () + (timeout_ms > 0? timeout_ms: 0);
    while (true) {
        Innov__Event *ready = (Innov__Event *) zlist_pop (self->pending);
        if (ready) {
            *event_p = ready;
            return 1;
        }
        if (self->replaying) {
            if (s_replay_page (self, client, status_p))
                return -1;
            continue;
        }
        int64_t left = deadline - zclock_mono ();
        if (left < 0 || zsys_interrupted)
            return 0;
        if (!zpoller_wait (self->poller, (int) left)) {
            if (zpoller_terminated (self->poller))
                return 0;
            continue;
        }
        Innov__Event *event = s_receive (self->sub);
        if (!event)
            continue;
        if (!event->province || strcmp (event->province, self->province) != 0
        ||  (self->have_position && event->seq <= self->handled)) {
            innov__event__free_unpacked (event, NULL);
            continue;
        }
        if (self->have_position && event->seq > self->handled + 1) {
            /* a gap: replay what lies between, then this one */
            self->held = event;
            self->until = event->seq;
            self->replaying = true;
            continue;
        }
        self->handled = event->seq;
        self->have_position = true;
        *event_p = event;
        return 1;
    }
}
