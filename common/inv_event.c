/*  inv_event: reading the event streams that inv_store writes.

    An entry of "{PP}:events" has the id "<seq>-1" and the fields type, subject, actor,
    time, ptype, payload, city, county, dept, cluster (common/outbox.lua writes them).
    inv_event_from_entry turns one into an Innov__Event whose every field is malloc'd,
    so innov__event__free_unpacked (through inv_event_free) releases it.

    Ranges use XRANGE from "<after+1>-0", in chunks, filtering by type prefix on the
    way. The newest sequence is the id of the newest entry (XREVRANGE ... COUNT 1), i.e.
    the newest event that exists, which is what a subscriber can replay.

    Consumers (at-least-once): a consumer first re-reads its own pending entries
    (delivered before a crash, never acknowledged: XREADGROUP ... 0), then claims
    entries other consumers left unacknowledged for longer than claim_idle
    (XAUTOCLAIM, at most once a second when there is nothing to claim), then reads
    new entries (XREADGROUP ... >, blocking). The group is created on first use
    (XGROUP CREATE ... 0 MKSTREAM: a new group sees the whole stream) and again if it
    disappears (NOGROUP, e.g. a Redis that lost its data).
*/
#include <czmq.h>
#include "inv_event.h"
#include "inv_store.h"
#include "inv_log.h"

#define RANGE_CHUNK        256
#define CLAIM_IDLE_MS      30000
#define CLAIM_PAUSE_MS     1000

const char *
inv_event_stream_key (char *buf, size_t size, const char *province)
{
    return inv_key (buf, size, province, INV_KEY_EVENTS);
}

static char *
s_dup (const redisReply *value)
{
    char *copy = (char *) malloc (value->len + 1);
    assert (copy);
    memcpy (copy, value->str, value->len);
    copy [value->len] = 0;
    return copy;
}

/* The sequence number of an entry id "<seq>-<n>"; 0 if malformed. */
static uint64_t
s_seq_of (const char *id)
{
    char *end;
    unsigned long long seq = strtoull (id, &end, 10);
    return *end == '-'? (uint64_t) seq: 0;
}

Innov__Event *
inv_event_from_entry (const redisReply *entry, const char *province)
{
    if (!entry || entry->type != REDIS_REPLY_ARRAY || entry->elements != 2
    ||  entry->element [0]->type != REDIS_REPLY_STRING
    ||  entry->element [1]->type != REDIS_REPLY_ARRAY)
        return NULL;
    uint64_t seq = s_seq_of (entry->element [0]->str);
    const redisReply *fields = entry->element [1];
    if (seq == 0 || fields->elements % 2)
        return NULL;

    Innov__Event *event = (Innov__Event *) malloc (sizeof (Innov__Event));
    assert (event);
    innov__event__init (event);
    event->seq = seq;
    event->province = strdup (province? province: "");
    char **strings [] = { &event->type, &event->subject, &event->actor, &event->payload_type,
                          &event->city, &event->county, &event->department, &event->cluster };
    const char *names [] = { "type", "subject", "actor", "ptype", "city", "county", "dept", "cluster" };
    for (size_t k = 0; k < sizeof strings / sizeof strings [0]; k++)
        *strings [k] = NULL;                /* init set them to the shared "" */
    for (size_t i = 0; i < fields->elements; i += 2) {
        const redisReply *name = fields->element [i];
        const redisReply *value = fields->element [i + 1];
        if (name->type != REDIS_REPLY_STRING || value->type != REDIS_REPLY_STRING)
            continue;
        if (streq (name->str, "payload")) {
            free (event->payload.data);
            event->payload.data = (uint8_t *) s_dup (value);
            event->payload.len = value->len;
        }
        else
        if (streq (name->str, "time"))
            event->time_ms = strtoll (value->str, NULL, 10);
        else
            for (size_t k = 0; k < sizeof names / sizeof names [0]; k++)
                if (streq (name->str, names [k]) && !*strings [k]) {
                    *strings [k] = s_dup (value);
                    break;
                }
    }
    /* every string owned by the event, so free_unpacked can free it */
    for (size_t k = 0; k < sizeof strings / sizeof strings [0]; k++)
        if (!*strings [k])
            *strings [k] = strdup ("");
    if (!*event->type) {
        innov__event__free_unpacked (event, NULL);
        return NULL;
    }
    return event;
}

void
inv_event_free (Innov__Event **event_p)
{
    if (event_p && *event_p) {
        innov__event__free_unpacked (*event_p, NULL);
        *event_p = NULL;
    }
}

static void
s_append (Innov__Event ***events_p, size_t *count_p, Innov__Event *event)
{
    Innov__Event **grown = (Innov__Event **) realloc (*events_p, (*count_p + 1) * sizeof (Innov__Event *));
    assert (grown);
    grown [(*count_p)++] = event;
    *events_p = grown;
}

int
inv_event_range (inv_redis_t *redis, const char *province, uint64_t after_seq,
                 const char *topic_prefix, size_t limit,
                 Innov__Event ***events_p, size_t *count_p)
{
    char key [64], start [32], count [16];
    inv_event_stream_key (key, sizeof key, province);
    snprintf (start, sizeof start, "%llu-0", (unsigned long long) after_seq + 1);
    snprintf (count, sizeof count, "%d", RANGE_CHUNK);
    size_t prefix_len = topic_prefix? strlen (topic_prefix): 0;
    int appended = 0;
    while ((size_t) appended < limit) {
        const char *argv [] = { "XRANGE", key, start, "+", "COUNT", count };
        redisReply *reply = inv_redis_argv (redis, 6, argv, NULL);
        if (!reply)
            return -1;
        if (reply->type != REDIS_REPLY_ARRAY || reply->elements == 0) {
            freeReplyObject (reply);
            break;
        }
        for (size_t i = 0; i < reply->elements && (size_t) appended < limit; i++) {
            const redisReply *entry = reply->element [i];
            Innov__Event *event = inv_event_from_entry (entry, province);
            if (entry->element [0]->type == REDIS_REPLY_STRING)
                snprintf (start, sizeof start, "(%s", entry->element [0]->str);
            if (!event)
                continue;
            if (prefix_len && strncmp (event->type, topic_prefix, prefix_len) != 0) {
                inv_event_free (&event);
                continue;
            }
            s_append (events_p, count_p, event);
            appended++;
        }
        bool last = reply->elements < RANGE_CHUNK;
        freeReplyObject (reply);
        if (last)
            break;
    }
    return appended;
}

int64_t
inv_event_last_seq (inv_redis_t *redis, const char *province)
{
    char key [64];
    inv_event_stream_key (key, sizeof key, province);
    const char *argv [] = { "XREVRANGE", key, "+", "-", "COUNT", "1" };
    redisReply *reply = inv_redis_argv (redis, 6, argv, NULL);
    if (!reply)
        return -1;
    int64_t seq = 0;
    if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 1
    &&  reply->element [0]->type == REDIS_REPLY_ARRAY
    &&  reply->element [0]->element [0]->type == REDIS_REPLY_STRING)
        seq = (int64_t) s_seq_of (reply->element [0]->element [0]->str);
    freeReplyObject (reply);
    return seq;
}

/* ---- consumer groups ----------------------------------------------------------------- */

struct _inv_consumer_t {
    inv_redis_t *redis;
    char *province, *group, *consumer;
    char key [64];
    bool group_ready;
    bool own_pending_done;      /* re-read of own unacknowledged entries finished */
    char pending_cursor [48];
    char claim_cursor [48];
    int claim_idle_ms;
    int64_t next_claim;         /* zclock_mono */
};

inv_consumer_t *
inv_consumer_new (inv_redis_t *redis, const char *province, const char *group,
                  const char *consumer)
{
    inv_consumer_t *self = (inv_consumer_t *) zmalloc (sizeof (inv_consumer_t));
    self->redis = redis;
    self->province = strdup (province);
    self->group = strdup (group);
    self->consumer = strdup (consumer);
    inv_event_stream_key (self->key, sizeof self->key, province);
    strcpy (self->pending_cursor, "0");
    strcpy (self->claim_cursor, "0-0");
    self->claim_idle_ms = CLAIM_IDLE_MS;
    return self;
}

void
inv_consumer_destroy (inv_consumer_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    inv_consumer_t *self = *self_p;
    free (self->province);
    free (self->group);
    free (self->consumer);
    free (self);
    *self_p = NULL;
}

void
inv_consumer_set_claim_idle (inv_consumer_t *self, int idle_ms)
{
    self->claim_idle_ms = idle_ms;
}

static bool
s_ensure_group (inv_consumer_t *self)
{
    if (self->group_ready)
        return true;
    const char *argv [] = { "XGROUP", "CREATE", self->key, self->group, "0", "MKSTREAM" };
    redisReply *reply = inv_redis_argv (self->redis, 6, argv, NULL);
    if (!reply)
        return false;
    bool ok = reply->type != REDIS_REPLY_ERROR || strncmp (reply->str, "BUSYGROUP", 9) == 0;
    if (!ok)
        inv_error ("XGROUP CREATE %s %s: %s", self->key, self->group, reply->str);
    else
    if (reply->type != REDIS_REPLY_ERROR)
        inv_info ("consumer group %s created on %s", self->group, self->key);
    freeReplyObject (reply);
    self->group_ready = ok;
    return ok;
}

/* A reply that says the group is gone: create it again next time. */
static bool
s_lost_group (inv_consumer_t *self, const redisReply *reply)
{
    if (reply && reply->type == REDIS_REPLY_ERROR && strncmp (reply->str, "NOGROUP", 7) == 0) {
        inv_warn ("consumer group %s on %s is gone; creating it again", self->group, self->key);
        self->group_ready = false;
        return true;
    }
    return false;
}

/* First entry of an XREADGROUP reply [[key, [entries]]], or NULL. */
static const redisReply *
s_first_entry (const redisReply *reply)
{
    if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements == 0)
        return NULL;
    const redisReply *stream = reply->element [0];
    if (stream->type != REDIS_REPLY_ARRAY || stream->elements != 2
    ||  stream->element [1]->type != REDIS_REPLY_ARRAY || stream->element [1]->elements == 0)
        return NULL;
    return stream->element [1]->element [0];
}

/* An entry whose fields are gone (trimmed): acknowledge it and move on. */
static void
s_ack_id (inv_consumer_t *self, const char *id)
{
    const char *argv [] = { "XACK", self->key, self->group, id };
    redisReply *reply = inv_redis_argv (self->redis, 4, argv, NULL);
    if (reply)
        freeReplyObject (reply);
}

static Innov__Event *
s_take (inv_consumer_t *self, const redisReply *entry)
{
    Innov__Event *event = inv_event_from_entry (entry, self->province);
    if (!event && entry->type == REDIS_REPLY_ARRAY && entry->elements >= 1
    &&  entry->element [0]->type == REDIS_REPLY_STRING) {
        inv_warn ("%s: entry %s has no event; acknowledged", self->key, entry->element [0]->str);
        s_ack_id (self, entry->element [0]->str);
    }
    return event;
}

/* Own entries delivered before and never acknowledged. */
static Innov__Event *
s_own_pending (inv_consumer_t *self, bool *down)
{
    while (!self->own_pending_done) {
        const char *argv [] = { "XREADGROUP", "GROUP", self->group, self->consumer, "COUNT", "1",
                                "STREAMS", self->key, self->pending_cursor };
        redisReply *reply = inv_redis_argv (self->redis, 9, argv, NULL);
        if (!reply) {
            *down = true;
            return NULL;
        }
        s_lost_group (self, reply);
        const redisReply *entry = s_first_entry (reply);
        if (!entry) {
            self->own_pending_done = true;
            freeReplyObject (reply);
            return NULL;
        }
        snprintf (self->pending_cursor, sizeof self->pending_cursor, "%s", entry->element [0]->str);
        Innov__Event *event = s_take (self, entry);
        freeReplyObject (reply);
        if (event)
            return event;
    }
    return NULL;
}

/* Entries other consumers left unacknowledged too long. */
static Innov__Event *
s_claim (inv_consumer_t *self, bool *down)
{
    if (zclock_mono () < self->next_claim)
        return NULL;
    char idle [16];
    snprintf (idle, sizeof idle, "%d", self->claim_idle_ms);
    const char *argv [] = { "XAUTOCLAIM", self->key, self->group, self->consumer, idle,
                            self->claim_cursor, "COUNT", "1" };
    redisReply *reply = inv_redis_argv (self->redis, 8, argv, NULL);
    if (!reply) {
        *down = true;
        return NULL;
    }
    Innov__Event *event = NULL;
    if (!s_lost_group (self, reply) && reply->type == REDIS_REPLY_ARRAY && reply->elements >= 2) {
        snprintf (self->claim_cursor, sizeof self->claim_cursor, "%s", reply->element [0]->str);
        const redisReply *entries = reply->element [1];
        if (entries->type == REDIS_REPLY_ARRAY && entries->elements > 0) {
            event = s_take (self, entries->element [0]);
            if (event)
                inv_info ("%s: %s claimed event %llu from an idle consumer", self->key,
                          self->consumer, (unsigned long long) event->seq);
        }
        if (streq (self->claim_cursor, "0-0") && !event)
            self->next_claim = zclock_mono () + CLAIM_PAUSE_MS;
    }
    freeReplyObject (reply);
    return event;
}

Innov__Event *
inv_consumer_next (inv_consumer_t *self, int block_ms)
{
    if (!s_ensure_group (self))
        return NULL;
    bool down = false;
    Innov__Event *event = s_own_pending (self, &down);
    if (!event && !down)
        event = s_claim (self, &down);
    if (event || down || !self->group_ready)
        return event;

    char block [16];
    snprintf (block, sizeof block, "%d", block_ms > 0? block_ms: 0);
    int timeout = inv_redis_timeout (self->redis);
    bool blocking = block_ms > 0;
    if (blocking && block_ms + 1000 > timeout)
        inv_redis_set_timeout (self->redis, block_ms + 1000);
    const char *argv [] = { "XREADGROUP", "GROUP", self->group, self->consumer, "COUNT", "1",
                            "BLOCK", block, "STREAMS", self->key, ">" };
    redisReply *reply = blocking
        ? inv_redis_argv (self->redis, 11, argv, NULL)
        : inv_redis_argv (self->redis, 9, (const char *[]) { "XREADGROUP", "GROUP", self->group,
                          self->consumer, "COUNT", "1", "STREAMS", self->key, ">" }, NULL);
    if (inv_redis_timeout (self->redis) != timeout)
        inv_redis_set_timeout (self->redis, timeout);
    if (!reply)
        return NULL;
    s_lost_group (self, reply);
    const redisReply *entry = s_first_entry (reply);
    if (entry)
        event = s_take (self, entry);
    freeReplyObject (reply);
    return event;
}

int
inv_consumer_ack (inv_consumer_t *self, uint64_t seq)
{
    char id [32];
    snprintf (id, sizeof id, "%llu-1", (unsigned long long) seq);
    const char *argv [] = { "XACK", self->key, self->group, id };
    redisReply *reply = inv_redis_argv (self->redis, 4, argv, NULL);
    if (!reply)
        return -1;
    int rc = reply->type == REDIS_REPLY_INTEGER? 0: -1;
    freeReplyObject (reply);
    return rc;
}

void
inv_event_test (bool verbose)
{
    if (verbose)
        printf (" * inv_event: ");
    assert (s_seq_of ("42-1") == 42);
    assert (s_seq_of ("x") == 0);
    char key [64];
    assert (streq (inv_event_stream_key (key, sizeof key, "14"), "{14}:events"));
    if (verbose)
        printf ("OK\n");
}
