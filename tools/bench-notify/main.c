/*  bench-notify: how fast an event becomes a notice, against the raw Redis hop measured
    in the same run (the machine is noisy; the baseline says what the floor is today).

        bench-notify [--rate R] [--seconds S] [--subs N] [--burst B] [--instances I]

    It starts its own stack with the test harness (redis-server on a free port, AOF on
    as deployed; the broker; I notify instances, default 2) and, as the province,
    subscribes N counties (default 100) to the event type "bench." each with the filter
    county = its own code, so every event matches exactly one of the N subscriptions.
      (a) latency: events "bench.tick" (routing attributes city and county, cycling over
          the N counties) are written into the province's stream through inv_store (the
          outbox every service uses) at a steady R per second (default 1,000) for S
          seconds (default 6; the first second is warm-up and not counted). An observer
          thread reads the same stream with a blocking XREAD and, for each
          notice.created whose notice came from a bench event, takes the time from just
          before that event's write to the moment the notice.created entry was read
          (monotonic clock, microseconds). p50, p99 and the largest; target p99 <= 10 ms.
      (b) baseline: the same rate of plain XADDs on a stream of its own read by a
          consumer group reader (XREADGROUP BLOCK) in another thread: XADD -> XREADGROUP
          latency p50 / p99, what any Redis-stream consumer pays before doing any work.
      (c) throughput: a burst of B events (default 20,000) written pipelined as fast as
          Redis takes them; the time from the first write until the observer has seen
          all B notices gives notices/s sustained by the I instances.
    Exit 0 when every event of (a) and (c) became exactly one notice.
*/
#include <czmq.h>
#include <hiredis.h>
#include <stdatomic.h>
#include "harness.h"
#include "inv_redis.h"
#include "inv_rpc.h"
#include "inv_store.h"
#include "inv_valid.h"
#include "mdp_client.h"
#include "notify.pb-c.h"

#define MAX_SUBS    512

typedef struct {
    int rate;
    int seconds;
    int subs;
    int burst;
    int instances;
} opts_t;

/* What the observer shares with the writer: when each bench event was written (by
   index, the number in its subject), and how long until its notice appeared. */
typedef struct {
    redisContext *redis;
    int total;                  /* events the run writes */
    _Atomic int64_t *sent_us;   /* write time of event i */
    int64_t *latency_us;        /* observed latency of event i's notice (0: not yet) */
    atomic_int seen;            /* notices observed */
    atomic_int doubled;         /* notices observed twice for one event */
    atomic_bool stop;
} observer_t;

/* Event i: its subject and the county it is routed to. */
static const char s_tick [] =
    "local function main ()\n"
    "  emit ('bench.tick', ARGV[4], '', '', { city = ARGV[5], county = ARGV[6] })\n"
    "  return reply (200, 'ok')\n"
    "end\n";

static int64_t
s_now_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
s_sleep_until (int64_t when_us)
{
    int64_t left;
    while ((left = when_us - s_now_us ()) > 0) {
        if (left > 200) {
            struct timespec ts = { 0, (left - 100) * 1000 };
            nanosleep (&ts, NULL);
        }
    }
}

static redisContext *
s_connect (harness_t *h)
{
    const char *address = harness_redis (h);
    struct timeval tv = { 10, 0 };
    redisContext *ctx = redisConnectWithTimeout ("127.0.0.1", atoi (strrchr (address, ':') + 1), tv);
    if (ctx && ctx->err) {
        redisFree (ctx);
        ctx = NULL;
    }
    return ctx;
}

static int
s_cmp (const void *a, const void *b)
{
    int64_t x = *(const int64_t *) a, y = *(const int64_t *) b;
    return (x > y) - (x < y);
}

/* Sorts n values and prints p50, p99 and the largest in ms. */
static void
s_print_latency (const char *label, int64_t *values, int n)
{
    if (n == 0) {
        printf ("  %-44s no samples\n", label);
        return;
    }
    qsort (values, (size_t) n, sizeof (int64_t), s_cmp);
    printf ("  %-44s p50 %7.3f ms   p99 %7.3f ms   max %7.3f ms   (n=%d)\n", label,
            values [n / 2] / 1000.0, values [(int) ((n - 1) * 0.99)] / 1000.0,
            values [n - 1] / 1000.0, n);
}

/* ---- the observer of notice.created ----------------------------------------------------- */

static void
s_observe_entry (observer_t *self, redisReply *entry, int64_t now)
{
    if (entry->type != REDIS_REPLY_ARRAY || entry->elements < 2)
        return;
    redisReply *fields = entry->element [1];
    const char *type = NULL;
    redisReply *payload = NULL;
    for (size_t i = 0; i + 1 < fields->elements; i += 2) {
        if (streq (fields->element [i]->str, "type"))
            type = fields->element [i + 1]->str;
        else
        if (streq (fields->element [i]->str, "payload"))
            payload = fields->element [i + 1];
    }
    if (!type || !payload || !streq (type, "notice.created"))
        return;
    Innov__Notice *notice = innov__notice__unpack (NULL, payload->len, (const uint8_t *) payload->str);
    if (!notice)
        return;
    if (streq (notice->event_type, "bench.tick") && notice->subject [0] == 'B') {
        int i = atoi (notice->subject + 1);
        if (i >= 0 && i < self->total) {
            if (self->latency_us [i])
                atomic_fetch_add (&self->doubled, 1);
            else {
                self->latency_us [i] = now - atomic_load (&self->sent_us [i]);
                atomic_fetch_add (&self->seen, 1);
            }
        }
    }
    innov__notice__free_unpacked (notice, NULL);
}

static void *
s_observer (void *arg)
{
    observer_t *self = (observer_t *) arg;
    char last [64] = "$";
    while (!atomic_load (&self->stop)) {
        redisReply *r = redisCommand (self->redis, "XREAD COUNT 1000 BLOCK 100 STREAMS {14}:events %s", last);
        int64_t now = s_now_us ();
        if (!r)
            break;
        if (r->type == REDIS_REPLY_ARRAY && r->elements == 1) {
            redisReply *entries = r->element [0]->element [1];
            for (size_t i = 0; i < entries->elements; i++) {
                s_observe_entry (self, entries->element [i], now);
                snprintf (last, sizeof last, "%s", entries->element [i]->element [0]->str);
            }
        }
        freeReplyObject (r);
    }
    return NULL;
}

/* ---- the stack ---------------------------------------------------------------------------- */

/* N county subscriptions to "bench." as the province; the counties into codes. */
static int
s_subscribe (harness_t *h, int n, const inv_division_t **counties)
{
    size_t count;
    const inv_division_t *all = inv_division_all (&count);
    int found = 0;
    for (size_t i = 0; i < count && found < n; i++)
        if (all [i].level == INV_DIV_COUNTY && streq (all [i].province, "14"))
            counties [found++] = &all [i];
    mdp_client_t *client = mdp_client_new (harness_broker (h), "province");
    mdp_client_set_timeout (client, 5000);
    for (int i = 0; i < found; i++) {
        char agency [32];
        snprintf (agency, sizeof agency, "county:%s", counties [i]->code);
        Innov__Subscription sub = INNOV__SUBSCRIPTION__INIT;
        sub.agency = agency;
        sub.type_prefix = (char *) "bench.";
        sub.county = (char *) counties [i]->code;
        Innov__SubscribeRequest req = INNOV__SUBSCRIBE_REQUEST__INIT;
        req.subscription = &sub;
        ProtobufCMessage *reply = NULL;
        int code = inv_rpc_call (client, "notify", "notify.subscribe", &req.base,
                                 &innov__subscription_reply__descriptor, &reply, NULL);
        if (reply)
            protobuf_c_message_free_unpacked (reply, NULL);
        if (code != 200) {
            fprintf (stderr, "bench-notify: notify.subscribe %s: %d\n", agency, code);
            found = -1;
            break;
        }
    }
    mdp_client_destroy (&client);
    return found;
}

/* Writes event i (through the outbox) or appends it to the pipeline. */
static int
s_write (inv_redis_t *redis, inv_script_t *script, const inv_division_t *county, int i, bool pipelined)
{
    char subject [16];
    snprintf (subject, sizeof subject, "B%07d", i);
    const char *args [] = { subject, county->city, county->code };
    size_t lens [] = { strlen (subject), strlen (county->city), strlen (county->code) };
    if (pipelined)
        return inv_store_append (redis, script, "14", "province", "", 0, NULL, NULL, 3, args, lens);
    inv_store_result_t result;
    inv_store_write (redis, script, "14", "province", "", 0, NULL, NULL, 3, args, lens, &result);
    int code = result.code;
    inv_store_result_clear (&result);
    return code == 200? 0: -1;
}

/* Waits until the observer has seen `want` notices or `timeout_ms` passed. */
static bool
s_wait_seen (observer_t *obs, int want, int timeout_ms)
{
    for (int waited = 0; atomic_load (&obs->seen) < want; waited += 1) {
        if (waited >= timeout_ms)
            return false;
        zclock_sleep (1);
    }
    return true;
}

/* ---- the baseline ------------------------------------------------------------------------- */

typedef struct {
    redisContext *redis;
    int64_t *latency_us;
    int total;
    atomic_int seen;
} raw_t;

static void *
s_raw_reader (void *arg)
{
    raw_t *self = (raw_t *) arg;
    while (atomic_load (&self->seen) < self->total) {
        redisReply *r = redisCommand (self->redis,
            "XREADGROUP GROUP bench reader COUNT 100 BLOCK 1000 STREAMS bench:raw >");
        int64_t now = s_now_us ();
        if (!r)
            break;
        if (r->type == REDIS_REPLY_ARRAY && r->elements == 1) {
            redisReply *entries = r->element [0]->element [1];
            for (size_t i = 0; i < entries->elements; i++) {
                redisReply *fields = entries->element [i]->element [1];
                int index = atoi (fields->element [1]->str);
                int64_t sent = strtoll (fields->element [3]->str, NULL, 10);
                if (index >= 0 && index < self->total)
                    self->latency_us [index] = now - sent;
                atomic_fetch_add (&self->seen, 1);
            }
        }
        freeReplyObject (r);
    }
    return NULL;
}

static void
s_baseline (harness_t *h, const opts_t *o, int warm)
{
    int total = o->rate * o->seconds;
    raw_t raw = { s_connect (h), (int64_t *) calloc ((size_t) total, sizeof (int64_t)), total };
    redisContext *writer = s_connect (h);
    freeReplyObject (redisCommand (writer, "XGROUP CREATE bench:raw bench $ MKSTREAM"));
    pthread_t thread;
    pthread_create (&thread, NULL, s_raw_reader, &raw);
    zclock_sleep (100);
    int64_t start = s_now_us (), interval = 1000000 / o->rate;
    for (int i = 0; i < total; i++) {
        s_sleep_until (start + i * interval);
        freeReplyObject (redisCommand (writer, "XADD bench:raw * i %d t %lld", i, (long long) s_now_us ()));
    }
    pthread_join (thread, NULL);
    s_print_latency ("(b) baseline XADD -> XREADGROUP", raw.latency_us + warm, total - warm);
    free (raw.latency_us);
    redisFree (raw.redis);
    redisFree (writer);
}

/* ---- main --------------------------------------------------------------------------------- */

static int
s_parse (opts_t *o, int argc, char **argv)
{
    *o = (opts_t) { 1000, 6, 100, 20000, 2 };
    for (int i = 1; i < argc; i++) {
        int *target = streq (argv [i], "--rate")? &o->rate: streq (argv [i], "--seconds")? &o->seconds:
                      streq (argv [i], "--subs")? &o->subs: streq (argv [i], "--burst")? &o->burst:
                      streq (argv [i], "--instances")? &o->instances: NULL;
        if (!target || i + 1 >= argc || atoi (argv [i + 1]) <= 0) {
            fprintf (stderr, "usage: bench-notify [--rate R] [--seconds S] [--subs N] [--burst B] "
                             "[--instances I]\n");
            return -1;
        }
        *target = atoi (argv [++i]);
    }
    if (o->seconds < 2 || o->subs > MAX_SUBS || o->rate > 1000000) {
        fprintf (stderr, "bench-notify: --seconds at least 2, --subs at most %d\n", MAX_SUBS);
        return -1;
    }
    return 0;
}

int
main (int argc, char **argv)
{
    opts_t o;
    if (s_parse (&o, argc, argv))
        return 2;
    harness_t *h = harness_new_stack ("notify", o.instances);
    if (!h)
        return 1;
    const inv_division_t *counties [MAX_SUBS];
    int subs = s_subscribe (h, o.subs, counties);
    if (subs <= 0) {
        harness_destroy (&h);
        return 1;
    }
    int paced = o.rate * o.seconds, warm = o.rate;
    int total = paced + o.burst;
    observer_t obs = { s_connect (h), total,
                       (_Atomic int64_t *) calloc ((size_t) total, sizeof (_Atomic int64_t)),
                       (int64_t *) calloc ((size_t) total, sizeof (int64_t)) };
    inv_redis_t *redis = inv_redis_new (harness_redis (h));
    char *source = inv_store_script_source (s_tick);
    inv_script_t script = { "bench_tick", source, "" };
    printf ("bench-notify: %d notify instance(s), %d subscriptions (each event matches one), "
            "%d events/s for %d s (first second warm-up), burst %d\n",
            o.instances, subs, o.rate, o.seconds, o.burst);
    pthread_t thread;
    pthread_create (&thread, NULL, s_observer, &obs);
    zclock_sleep (200);

    /* (a) steady rate */
    int failed = 0;
    int64_t start = s_now_us (), interval = 1000000 / o.rate;
    for (int i = 0; i < paced; i++) {
        s_sleep_until (start + i * interval);
        atomic_store (&obs.sent_us [i], s_now_us ());
        failed += s_write (redis, &script, counties [i % subs], i, false) != 0;
    }
    bool all_paced = s_wait_seen (&obs, paced, 30000);
    int64_t *lat = (int64_t *) malloc (sizeof (int64_t) * (size_t) paced);
    int n = 0;
    for (int i = warm; i < paced; i++)
        if (obs.latency_us [i])
            lat [n++] = obs.latency_us [i];
    s_print_latency ("(a) event -> notice.created, at the rate", lat, n);
    free (lat);

    /* (c) burst */
    start = s_now_us ();
    for (int i = paced; i < total; i++) {
        atomic_store (&obs.sent_us [i], s_now_us ());
        failed += s_write (redis, &script, counties [i % subs], i, true) != 0;
    }
    for (int i = paced; i < total; i++) {
        inv_store_result_t result;
        inv_store_get_result (redis, &script, &result);
        failed += result.code != 200;
        inv_store_result_clear (&result);
    }
    int64_t written = s_now_us ();
    bool all_burst = s_wait_seen (&obs, total, 120000);
    int64_t done = s_now_us ();
    printf ("  %-44s %d events written in %.3f s; all notices after %.3f s: %.0f notices/s\n",
            "(c) burst, notices/s sustained", o.burst, (written - start) / 1e6, (done - start) / 1e6,
            o.burst / ((done - start) / 1e6));
    atomic_store (&obs.stop, true);
    pthread_join (thread, NULL);

    /* (b) the raw Redis hop at the same rate */
    s_baseline (h, &o, warm);

    int seen = atomic_load (&obs.seen), doubled = atomic_load (&obs.doubled);
    printf ("  notices %d of %d events, %d doubled, %d writes failed\n", seen, total, doubled, failed);
    free (source);
    inv_redis_destroy (&redis);
    redisFree (obs.redis);
    free ((void *) obs.sent_us);
    free (obs.latency_us);
    harness_destroy (&h);
    return all_paced && all_burst && !doubled && !failed && seen == total? 0: 1;
}
