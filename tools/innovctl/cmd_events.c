/*  innovctl events tail: follow a province's events, in order, without gaps or repeats.

    The broker publishes every event on its XPUB endpoint as [type][innov.Event], and
    PUB/SUB may drop (a slow joiner misses the first messages, a full queue drops
    more), so the stream is checked against the sequence number, as in the Clone
    pattern:
      1. subscribe first (topic = --topic prefix), so nothing published while we
         catch up is missed for good;
      2. with --since S, page through "events.replay" (service "events") from S until
         the province's newest sequence number;
      3. then read live events: an event at or below the last one handled is a repeat
         and is skipped; one that jumps ahead of it means events were missed, and
         another replay fetches the ones between before it is printed.
    Without --since the first live event sets where we are. With --topic, sequence
    numbers of the events shown are not consecutive, so each jump is asked of the
    replay (which filters by the same prefix); it answers with nothing when nothing
    was missed.

    One line per event: sequence, time (CST), type, subject, actor; with --json the
    event as one JSON object per line. --count N stops after N events; Ctrl-C stops
    with exit 0.
*/
#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "event.pb-c.h"
#include "inv_json.h"
#include "inv_service.h"
#include "mdp.h"

#define REPLAY_PAGE 500

typedef struct {
    ctl_t *ctl;
    const char *province;
    const char *topic;
    uint64_t handled;           /* highest sequence number printed or known to be covered */
    bool have_position;         /* false until --since or the first live event */
    uint64_t count;             /* stop after this many events (0 = never) */
    uint64_t printed;
} tail_t;

static bool
s_done (const tail_t *self)
{
    return self->count && self->printed >= self->count;
}

static void
s_print (tail_t *self, const Innov__Event *event)
{
    if (self->ctl->cfg->json) {
        char *json = inv_json_from_pb (&event->base, false, false);
        if (json) {
            fputs (json, stdout);
            fputc ('\n', stdout);
            free (json);
        }
    }
    else {
        char when [32];
        printf ("%" PRIu64 "  %s  %s  %s  %s\n", event->seq,
                ctl_time_text (event->time_ms, when, sizeof when),
                event->type, event->subject, event->actor);
    }
    fflush (stdout);
    self->printed++;
}

/* Handles one event: prints it unless it is a repeat. */
static void
s_handle (tail_t *self, const Innov__Event *event)
{
    if (self->have_position && event->seq <= self->handled)
        return;
    s_print (self, event);
    self->handled = event->seq;
    self->have_position = true;
}

/* Replays events after self->handled and before `until` (0: up to the newest).
   Returns the exit code of the call (0 on success). */
static int
s_replay (tail_t *self, uint64_t until)
{
    Innov__ReplayRequest request = INNOV__REPLAY_REQUEST__INIT;
    request.province = (char *) self->province;
    request.topic_prefix = (char *) self->topic;
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
s_subscriber (tail_t *self)
{
    const inv_config_t *cfg = self->ctl->cfg;
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
    zsock_set_subscribe (sub, self->topic);
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
cmd_events (ctl_t *ctl, int argc, char **argv)
{
    if (argc < 1 || strcmp (argv [0], "tail") != 0)
        return ctl_usage ("events", argc < 1? "give a sub-command: tail"
                                            : "unknown sub-command (only tail)");
    ctl_opt_t opts [] = {
        { "since", true, NULL }, { "topic", true, NULL }, { "count", true, NULL }, { NULL }
    };
    const char *command = "events tail";
    int rc = ctl_parse (command, argc - 1, argv + 1, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    tail_t self = { ctl, ctl->cfg->province, "", 0, false, 0, 0 };
    if (ctl_opt (opts, "topic"))
        self.topic = ctl_opt (opts, "topic");
    if (ctl_opt (opts, "count") && (!ctl_parse_uint (ctl_opt (opts, "count"), UINT64_MAX, &self.count)
                                    || self.count == 0))
        return ctl_usage (command, "--count: \"%s\" is not a positive whole number", ctl_opt (opts, "count"));
    if (ctl_opt (opts, "since")) {
        if (!ctl_parse_uint (ctl_opt (opts, "since"), UINT64_MAX, &self.handled))
            return ctl_usage (command, "--since: \"%s\" is not a sequence number", ctl_opt (opts, "since"));
        self.have_position = true;
    }
    zsock_t *sub = s_subscriber (&self);
    if (!sub)
        return ctl_fail (CTL_USAGE, "cannot subscribe to %s (check --events and the CURVE settings)",
                         ctl->cfg->events);
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
