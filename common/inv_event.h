/*  inv_event: reading the event streams that inv_store writes.

    Stream "{PP}:events", entry id "<seq>-1", fields: type subject actor time ptype
    payload city county dept cluster. Used by the broker's relay (publish in order),
    by events.replay (range after a sequence) and by consumer-group readers
    (notify, report, plug-ins: at-least-once with XREADGROUP / XACK / XAUTOCLAIM).
*/
#ifndef INV_EVENT_H
#define INV_EVENT_H
#include "inv_redis.h"
#include "event.pb-c.h"

/* Decode one stream entry (the 2-element [id, [field, value...]] reply) into a new
   Event (free with inv_event_free). NULL if malformed. */
Innov__Event *inv_event_from_entry (const redisReply *entry, const char *province);
void inv_event_free (Innov__Event **event_p);

/* Events with seq > after_seq, at most limit, optionally filtered by type prefix.
   Returns the number appended to *events_p (an array, grown with realloc; caller frees
   each with inv_event_free and the array with free), or -1 if Redis is down. */
int inv_event_range (inv_redis_t *redis, const char *province, uint64_t after_seq,
                     const char *topic_prefix, size_t limit,
                     Innov__Event ***events_p, size_t *count_p);
/* The newest sequence number of a province (0 if none), or -1 if Redis is down. */
int64_t inv_event_last_seq (inv_redis_t *redis, const char *province);

/* Consumer groups. */
typedef struct _inv_consumer_t inv_consumer_t;
inv_consumer_t *inv_consumer_new (inv_redis_t *redis, const char *province,
                                  const char *group, const char *consumer);
void inv_consumer_destroy (inv_consumer_t **self_p);
/* Next event for this consumer (new, or claimed from a dead consumer after idle_ms),
   waiting up to block_ms; NULL if none. Call inv_consumer_ack after handling it. */
Innov__Event *inv_consumer_next (inv_consumer_t *self, int block_ms);
int inv_consumer_ack (inv_consumer_t *self, uint64_t seq);
/* How long an event may stay unacknowledged by another consumer before this one
   claims it (default 30000 ms). */
void inv_consumer_set_claim_idle (inv_consumer_t *self, int idle_ms);
/* The stream key of a province ("{14}:events") into buf. */
const char *inv_event_stream_key (char *buf, size_t size, const char *province);

void inv_event_test (bool verbose);
#endif
