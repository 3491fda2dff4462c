/*  relay: the broker's event relay (see relay.h).

    Two threads, so neither job waits for the other:

    - the relay actor itself publishes. It owns the XPUB socket (bound to pub_bind,
      high-water mark raised so a burst of writes does not drop at once) and one Redis
      connection. It loops on XREAD COUNT 256 BLOCK 200 over every province stream,
      from the last sequence published in each, and sends every entry in stream order
      as [type][innov.Event]. Between reads it looks at its pipe ($TERM) and drains the
      XPUB's subscription messages. It starts after the newest event that exists when
      it first reaches Redis (history is for events.replay, not for the live feed).
      When Redis is unreachable it waits 200 ms between attempts (inv_redis paces the
      reconnects and logs once per outage) and carries on after the last sequence it
      published, so nothing written meanwhile is skipped. If a stream's newest sequence
      falls below the last one published (Redis lost its data), it logs it and follows
      the stream from its new end.

    - a child actor is the MDP worker of service "events" on the broker's inproc
      endpoint. It serves "events.replay" through inv_rpc_dispatch (so replies are
      [Status][ReplayReply] like every service's) with a Redis connection of its own,
      polling its pipe and the worker socket, and calling mdp_worker_recv with no wait
      after each wake-up so heartbeats go out on time.
*/
#include "relay.h"
#include "mdp.h"
#include "mdp_worker.h"
#include "inv_rpc.h"
#include "inv_event.h"
#include "inv_log.h"
#include "inv_limits.h"

#define RELAY_MAX_PROVINCES  64
#define RELAY_BLOCK_MS       200
#define RELAY_BATCH          "256"
#define RELAY_SNDHWM         100000
#define RELAY_CHECK_MS       1000
#define REPLAY_DEFAULT       100
#define REPLAY_MAX           1000

typedef struct {
    char code [8];
    char key [64];
    uint64_t published;             /* last sequence sent on the XPUB */
} stream_t;

typedef struct {
    inv_redis_t *redis;
    zsock_t *xpub;
    stream_t streams [RELAY_MAX_PROVINCES];
    size_t count;
    bool started;                   /* starting sequences known */
    int64_t next_check;             /* zclock_mono: next check for a shrunken stream */
    uint64_t sent;
} relay_t;

static size_t
s_parse_provinces (const char *list, stream_t *streams)
{
    size_t count = 0;
    const char *p = list && *list? list: "14";
    while (*p && count < RELAY_MAX_PROVINCES) {
        size_t length = strcspn (p, ", ");
        if (length > 0 && length < sizeof streams [0].code) {
            memcpy (streams [count].code, p, length);
            streams [count].code [length] = 0;
            inv_event_stream_key (streams [count].key, sizeof streams [0].key, streams [count].code);
            streams [count].published = 0;
            count++;
        }
        p += length;
        while (*p == ',' || *p == ' ')
            p++;
    }
    return count;
}

/* ---- events.replay -------------------------------------------------------------------- */

typedef struct {
    inv_redis_t *redis;
    char province [8];              /* default: the first relayed province */
} replay_t;

static void
s_replay_reply_free (ProtobufCMessage *message)
{
    Innov__ReplayReply *reply = (Innov__ReplayReply *) message;
    for (size_t i = 0; i < reply->n_events; i++)
        inv_event_free (&reply->events [i]);
    free (reply->events);
    free (reply);
}

static void
s_events_replay (void *ctx, inv_call_t *call)
{
    replay_t *self = (replay_t *) ctx;
    const Innov__ReplayRequest *req = (const Innov__ReplayRequest *) call->request;
    const char *province = req->province && *req->province? req->province: self->province;
    if (strlen (province) != 2 || !isdigit ((unsigned char) province [0])
    ||  !isdigit ((unsigned char) province [1]))
        inv_call_field_error (call, "province", "%.16s is not a 2-digit province code", province);
    if (req->topic_prefix && strlen (req->topic_prefix) > 128)
        inv_call_field_error (call, "topic_prefix", "is longer than 128 bytes");
    if (inv_call_failed (call))
        return;
    size_t limit = req->limit == 0? REPLAY_DEFAULT: req->limit > REPLAY_MAX? REPLAY_MAX: req->limit;

    Innov__ReplayReply *reply = (Innov__ReplayReply *) malloc (sizeof (Innov__ReplayReply));
    assert (reply);
    innov__replay_reply__init (reply);
    int64_t last = inv_event_last_seq (self->redis, province);
    int found = last < 0? -1: inv_event_range (self->redis, province, req->after_seq, req->topic_prefix,
                                               limit, &reply->events, &reply->n_events);
    if (found < 0) {
        s_replay_reply_free (&reply->base);
        inv_call_error (call, 503, "event store unavailable: %s", inv_redis_last_error (self->redis));
        return;
    }
    reply->last_seq = (uint64_t) last;
    inv_call_reply (call, &reply->base, s_replay_reply_free);
}

static const inv_method_t s_replay_methods [] = {
    { "events.replay", &innov__replay_request__descriptor, s_events_replay, 0 },
    { NULL, NULL, NULL, 0 }
};

static void
s_replay_actor (zsock_t *pipe, void *args_)
{
    relay_args_t *args = (relay_args_t *) args_;
    replay_t ctx = { NULL, "" };
    stream_t first [RELAY_MAX_PROVINCES];
    snprintf (ctx.province, sizeof ctx.province, "%s",
              s_parse_provinces (args->provinces, first)? first [0].code: "14");
    ctx.redis = inv_redis_new (args->redis);
    mdp_worker_t *worker = ctx.redis? mdp_worker_new (args->broker, EVENTS_SERVICE): NULL;
    if (!worker) {
        inv_error ("relay: cannot serve events.replay (Redis address %s, broker %s)",
                   args->redis, args->broker);
        inv_redis_destroy (&ctx.redis);
        zsock_signal (pipe, 0);
        char *command = zstr_recv (pipe);        /* wait for $TERM */
        zstr_free (&command);
        return;
    }
    if (args->heartbeat_ms > 0)
        mdp_worker_set_heartbeat (worker, args->heartbeat_ms);
    int tick = args->heartbeat_ms > 0? args->heartbeat_ms / 2: 1000;
    zsock_signal (pipe, 0);

    zsock_t *sock = mdp_worker_sock (worker);
    zpoller_t *poller = zpoller_new (pipe, sock, NULL);
    while (true) {
        void *which = zpoller_wait (poller, tick);
        if (which == pipe) {
            char *command = zstr_recv (pipe);
            bool term = !command || streq (command, "$TERM");
            zstr_free (&command);
            if (term)
                break;
            continue;
        }
        if (zpoller_terminated (poller))
            break;
        zframe_t *reply_to;
        zmsg_t *body;
        while ((body = mdp_worker_recv (worker, &reply_to, 0))) {
            zmsg_t *reply = inv_rpc_dispatch (s_replay_methods, &ctx, &body);
            mdp_worker_send_final (worker, &reply, reply_to);
            zframe_destroy (&reply_to);
        }
        if (mdp_worker_sock (worker) != sock) {         /* the worker reconnected */
            sock = mdp_worker_sock (worker);
            zpoller_destroy (&poller);
            poller = zpoller_new (pipe, sock, NULL);
        }
    }
    zpoller_destroy (&poller);
    mdp_worker_destroy (&worker);
    inv_redis_destroy (&ctx.redis);
}

/* ---- publishing ------------------------------------------------------------------------ */

/* Learn where each stream ends; false while Redis cannot say. */
static bool
s_start (relay_t *self)
{
    for (size_t i = 0; i < self->count; i++) {
        int64_t last = inv_event_last_seq (self->redis, self->streams [i].code);
        if (last < 0)
            return false;
        self->streams [i].published = (uint64_t) last;
    }
    for (size_t i = 0; i < self->count; i++)
        inv_info ("relay: province %s: publishing after seq %llu", self->streams [i].code,
                  (unsigned long long) self->streams [i].published);
    self->started = true;
    return true;
}

static void
s_publish (relay_t *self, const Innov__Event *event)
{
    size_t size = protobuf_c_message_get_packed_size (&event->base);
    zframe_t *body = zframe_new (NULL, size);
    protobuf_c_message_pack (&event->base, zframe_data (body));
    zmsg_t *msg = zmsg_new ();
    zmsg_addstr (msg, event->type);
    zmsg_append (msg, &body);
    zmsg_send (&msg, self->xpub);
    self->sent++;
}

/* A stream whose end fell below what was published (its data was lost): follow it
   from its new end. */
static void
s_check_shrunk (relay_t *self)
{
    if (zclock_mono () < self->next_check)
        return;
    self->next_check = zclock_mono () + RELAY_CHECK_MS;
    for (size_t i = 0; i < self->count; i++) {
        int64_t last = inv_event_last_seq (self->redis, self->streams [i].code);
        if (last >= 0 && (uint64_t) last < self->streams [i].published) {
            inv_warn ("relay: province %s: stream ends at seq %lld, below the %llu published; "
                      "following it from there", self->streams [i].code, (long long) last,
                      (unsigned long long) self->streams [i].published);
            self->streams [i].published = (uint64_t) last;
        }
    }
}

/* One XREAD round. Returns false when Redis did not answer. */
static bool
s_pump (relay_t *self)
{
    const char *argv [6 + 2 * RELAY_MAX_PROVINCES];
    char ids [RELAY_MAX_PROVINCES][32];
    char block [16];
    snprintf (block, sizeof block, "%d", RELAY_BLOCK_MS);
    int argc = 0;
    argv [argc++] = "XREAD";
    argv [argc++] = "COUNT";
    argv [argc++] = RELAY_BATCH;
    argv [argc++] = "BLOCK";
    argv [argc++] = block;
    argv [argc++] = "STREAMS";
    for (size_t i = 0; i < self->count; i++)
        argv [argc++] = self->streams [i].key;
    for (size_t i = 0; i < self->count; i++) {
        snprintf (ids [i], sizeof ids [i], "%llu-1", (unsigned long long) self->streams [i].published);
        argv [argc++] = ids [i];
    }
    redisReply *reply = inv_redis_argv (self->redis, argc, argv, NULL);
    if (!reply)
        return false;
    if (reply->type == REDIS_REPLY_ERROR)
        inv_error ("relay: XREAD: %s", reply->str);
    if (reply->type != REDIS_REPLY_ARRAY) {             /* nil: nothing new */
        freeReplyObject (reply);
        s_check_shrunk (self);
        return true;
    }
    for (size_t s = 0; s < reply->elements; s++) {
        const redisReply *stream = reply->element [s];
        if (stream->type != REDIS_REPLY_ARRAY || stream->elements != 2)
            continue;
        stream_t *target = NULL;
        for (size_t i = 0; i < self->count; i++)
            if (streq (self->streams [i].key, stream->element [0]->str))
                target = &self->streams [i];
        const redisReply *entries = stream->element [1];
        for (size_t e = 0; target && e < entries->elements; e++) {
            Innov__Event *event = inv_event_from_entry (entries->element [e], target->code);
            if (!event) {
                const redisReply *entry = entries->element [e];
                const char *id = entry->type == REDIS_REPLY_ARRAY && entry->elements > 0
                              && entry->element [0]->type == REDIS_REPLY_STRING? entry->element [0]->str: "";
                uint64_t seq = strtoull (id, NULL, 10);
                inv_warn ("relay: %s: skipping malformed entry %s", target->key, id);
                if (seq > target->published)
                    target->published = seq;
                continue;
            }
            s_publish (self, event);
            target->published = event->seq;
            inv_event_free (&event);
        }
    }
    freeReplyObject (reply);
    return true;
}

static void
s_drain_subscriptions (relay_t *self)
{
    while (zsock_events (self->xpub) & ZMQ_POLLIN) {
        zframe_t *frame = zframe_recv (self->xpub);
        if (!frame)
            break;
        size_t size = zframe_size (frame);
        const byte *data = zframe_data (frame);
        if (size >= 1)
            inv_debug ("relay: %s \"%.*s\"", data [0]? "subscribe": "unsubscribe",
                       (int) (size - 1), (const char *) data + 1);
        zframe_destroy (&frame);
    }
}

/*  With the broker's certificate, the XPUB is a CURVE server: subscribers are then
    authenticated by the broker's ZAP handler (zauth, same process) like its MDP
    clients. */
static int
s_secure (zsock_t *xpub, const char *curve_cert)
{
    if (!curve_cert || !*curve_cert)
        return 0;
    zcert_t *cert = zcert_load (curve_cert);
    if (!cert) {
        inv_error ("relay: cannot load the certificate %s", curve_cert);
        return -1;
    }
    zcert_apply (cert, xpub);
    zsock_set_curve_server (xpub, 1);
    zcert_destroy (&cert);
    inv_info ("relay: events published with CURVE security");
    return 0;
}

void
relay_actor (zsock_t *pipe, void *args_)
{
    relay_args_t *args = (relay_args_t *) args_;
    relay_t self = { NULL };
    self.count = s_parse_provinces (args->provinces, self.streams);
    self.redis = inv_redis_new (args->redis);
    self.xpub = zsock_new (ZMQ_XPUB);
    zsock_set_sndhwm (self.xpub, RELAY_SNDHWM);
    inv_limits_apply (self.xpub, inv_limits_request_socket ());    /* subscriptions only */
    bool ok = self.redis && self.xpub && args->pub_bind && *args->pub_bind
           && s_secure (self.xpub, args->curve_cert) == 0
           && zsock_attach (self.xpub, args->pub_bind, true) == 0;
    if (!ok) {
        inv_error ("relay: cannot start (events endpoint %s, Redis %s); no events will be published",
                   args->pub_bind? args->pub_bind: "(none)", args->redis? args->redis: "(none)");
        zsock_destroy (&self.xpub);
        inv_redis_destroy (&self.redis);
        zsock_signal (pipe, 0);
        char *command = zstr_recv (pipe);
        zstr_free (&command);
        return;
    }
    zactor_t *replay = zactor_new (s_replay_actor, args);
    inv_info ("relay: events on %s, provinces %s", args->pub_bind, args->provinces);
    zsock_signal (pipe, 0);

    zpoller_t *poller = zpoller_new (pipe, self.xpub, NULL);
    bool redis_up = true;
    while (true) {
        /* without Redis, the poller is the wait; with it, XREAD BLOCK is */
        void *which = zpoller_wait (poller, redis_up? 0: RELAY_BLOCK_MS);
        if (which == pipe) {
            char *command = zstr_recv (pipe);
            bool term = !command || streq (command, "$TERM");
            zstr_free (&command);
            if (term)
                break;
            continue;
        }
        if (which == self.xpub) {
            s_drain_subscriptions (&self);
            continue;
        }
        if (zpoller_terminated (poller))
            break;
        if (!self.started)
            redis_up = s_start (&self);
        else
            redis_up = s_pump (&self);
    }
    inv_info ("relay: stopped after publishing %llu events", (unsigned long long) self.sent);
    zpoller_destroy (&poller);
    zactor_destroy (&replay);
    zsock_destroy (&self.xpub);
    inv_redis_destroy (&self.redis);
}
