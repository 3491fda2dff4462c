/*  bench-registry: what the enterprise registry costs at national scale, against
    baselines measured in the same run (the machine is noisy; ratios are the results).

        bench-registry [--count N] [--small N] [--requests R] [--workers W] [--seed S]
                       [--via auto|import|gendata]

    It makes two data sets with gendata (profile national: the first --small records
    and the first --count records of the same stream), then, each on a fresh stack of
    its own started with the test harness (redis-server on a free port, AOF on as
    deployed; broker; W registry workers):
      (a) import: --count enterprises with `innovctl enterprise import FILE` (or, with
          --via gendata or when that command is absent, `gendata --load`, one
          enterprise.add per record); wall time and rows/s. Baseline: the RESP of the
          same writes (resp_load.c) piped into a fresh Redis with `redis-cli --pipe`.
          Ratio import/pipe (target >= 0.4).
      (b) memory: (used_memory after - before) / N with everything the import wrote,
          then after XTRIM of the event streams, then after dropping the cached
          idempotency replies too (the records, indexes and counters alone); the
          baseline's figures alongside (target <= 1.5 KB).
      (c) enterprise.count by city through the broker: p50 and p99 of R sequential
          requests at --small and at --count enterprises, and their ratio (counts come
          from counters, so it must not grow with N; target p99 <= 5 ms). Measured
          once Redis has finished any AOF rewrite the import set off (its fork of a
          gigabyte-size process stalls requests for milliseconds; that is the
          persistence's cost, not the query's). Once more at --count after the trim of
          (b), to show what the stream and the cached replies cost the reads.
    The number of keys each added (left after (b)) is printed too: equal when the
    baseline writes what the registry writes. Exit 0 when every run stored every record.
*/
#include <czmq.h>
#include <hiredis.h>
#include "harness.h"
#include "mdp_client.h"
#include "resp_load.h"
#include "registry.pb-c.h"
#include "rpc.pb-c.h"

typedef struct {
    int64_t count;
    int64_t small;
    int requests;
    int workers;
    int64_t seed;
    const char *via;            /* auto, import, gendata */
} opts_t;

typedef struct {
    double seconds;
    int64_t stored;             /* enterprises found afterwards */
    int64_t mem_before, mem_after;
    int64_t mem_trimmed;        /* after emptying the event streams */
    int64_t mem_bare;           /* and dropping the cached idempotency replies */
    int64_t keys_before, keys;  /* keys before, and left then: the same growth in both
                                   when the writes are the same */
    double p50_ms, p99_ms;
    const char *how;
} run_t;

static int64_t
s_now_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
s_port (harness_t *h)
{
    return atoi (strrchr (harness_redis (h), ':') + 1);
}

static redisContext *
s_redis (harness_t *h)
{
    struct timeval tv = { 30, 0 };
    redisContext *ctx = redisConnectWithTimeout ("127.0.0.1", s_port (h), tv);
    if (ctx && ctx->err) {
        redisFree (ctx);
        ctx = NULL;
    }
    return ctx;
}

/* used_memory of INFO memory, or -1 */
static int64_t
s_used_memory (harness_t *h)
{
    redisContext *ctx = s_redis (h);
    int64_t used = -1;
    redisReply *r = ctx? redisCommand (ctx, "INFO memory"): NULL;
    if (r && r->type == REDIS_REPLY_STRING) {
        const char *at = strstr (r->str, "used_memory:");
        if (at)
            used = atoll (at + strlen ("used_memory:"));
    }
    if (r)
        freeReplyObject (r);
    if (ctx)
        redisFree (ctx);
    return used;
}

/* Waits (up to two minutes) until Redis has no AOF rewrite running or scheduled: a
   rewrite forks the whole dataset and would be measured as request latency. */
static void
s_settle (harness_t *h)
{
    redisContext *ctx = s_redis (h);
    for (int i = 0; ctx && i < 1200; i++) {
        redisReply *r = redisCommand (ctx, "INFO persistence");
        bool busy = r && r->type == REDIS_REPLY_STRING
                 && (strstr (r->str, "aof_rewrite_in_progress:1") || strstr (r->str, "aof_rewrite_scheduled:1"));
        if (r)
            freeReplyObject (r);
        if (!busy)
            break;
        usleep (100 * 1000);
    }
    if (ctx)
        redisFree (ctx);
}

/* DBSIZE, or -1 */
static int64_t
s_keys (harness_t *h)
{
    redisContext *ctx = s_redis (h);
    redisReply *r = ctx? redisCommand (ctx, "DBSIZE"): NULL;
    int64_t keys = r && r->type == REDIS_REPLY_INTEGER? r->integer: -1;
    if (r)
        freeReplyObject (r);
    if (ctx)
        redisFree (ctx);
    return keys;
}

/* Enterprises stored: the sum of ZCARD over every province's ent.idx:all. */
static int64_t
s_stored (harness_t *h)
{
    redisContext *ctx = s_redis (h);
    if (!ctx)
        return -1;
    int64_t total = 0;
    redisReply *keys = redisCommand (ctx, "KEYS *:ent.idx:all");
    for (size_t i = 0; keys && keys->type == REDIS_REPLY_ARRAY && i < keys->elements; i++) {
        redisReply *n = redisCommand (ctx, "ZCARD %s", keys->element [i]->str);
        if (n && n->type == REDIS_REPLY_INTEGER)
            total += n->integer;
        if (n)
            freeReplyObject (n);
    }
    if (keys)
        freeReplyObject (keys);
    redisFree (ctx);
    return total;
}

/* Runs command (with %s for the key) on every key matching pattern and returns
   used_memory afterwards: empties the event streams (XTRIM %s MAXLEN 0) or drops the
   cached idempotency replies (UNLINK %s). */
static int64_t
s_each_key (harness_t *h, const char *pattern, const char *command)
{
    redisContext *ctx = s_redis (h);
    if (!ctx)
        return -1;
    char cursor [32] = "0";
    do {
        redisReply *page = redisCommand (ctx, "SCAN %s MATCH %s COUNT 10000", cursor, pattern);
        if (!page || page->type != REDIS_REPLY_ARRAY || page->elements != 2) {
            if (page)
                freeReplyObject (page);
            break;
        }
        snprintf (cursor, sizeof cursor, "%s", page->element [0]->str);
        redisReply *keys = page->element [1];
        for (size_t i = 0; i < keys->elements; i++)
            redisAppendCommand (ctx, command, keys->element [i]->str);
        for (size_t i = 0; i < keys->elements; i++) {
            void *r = NULL;
            if (redisGetReply (ctx, &r) == REDIS_OK && r)
                freeReplyObject (r);
        }
        freeReplyObject (page);
    } while (strcmp (cursor, "0") != 0);
    redisFree (ctx);
    return s_used_memory (h);
}

static int
s_system (const char *command)
{
    int rc = system (command);
    return WIFEXITED (rc)? WEXITSTATUS (rc): -1;
}

static bool
s_have_import (void)
{
    char command [1024];
    snprintf (command, sizeof command,
              "%s enterprise import --help 2>&1 | grep -q 'enterprise import'", harness_bin ("innovctl"));
    return s_system (command) == 0;
}

static int
s_gendata (const opts_t *o, int64_t count, const char *path)
{
    char command [2048];
    snprintf (command, sizeof command, "%s --profile national --count %" PRId64 " --seed %" PRId64
              " --out %s", harness_bin ("gendata"), count, o->seed, path);
    return s_system (command);
}

static harness_t *
s_stack (int workers)
{
    return harness_new_stack ("registry", workers);
}

/* Imports the file (or the same records by gendata --load); returns the exit code. */
static int
s_import (harness_t *h, const opts_t *o, int64_t count, const char *csv, run_t *run)
{
    bool import = strcmp (o->via, "import") == 0 || (strcmp (o->via, "auto") == 0 && s_have_import ());
    run->how = import? "innovctl enterprise import": "gendata --load";
    int64_t start = s_now_us ();
    int rc;
    if (import) {
        char *out = NULL, *err = NULL;
        rc = harness_ctl (h, &out, &err, "enterprise", "import", csv, NULL);
        if (rc != 0)
            fprintf (stderr, "bench-registry: import exited %d: %.500s\n", rc, err? err: "");
        free (out);
        free (err);
    }
    else {
        char command [2048];
        snprintf (command, sizeof command,
                  "INNOV_BROKER=%s INNOV_LOG_LEVEL=warn %s --profile national --count %" PRId64
                  " --seed %" PRId64 " --load >/dev/null", harness_broker (h), harness_bin ("gendata"),
                  count, o->seed);
        rc = s_system (command);
    }
    run->seconds = (s_now_us () - start) / 1e6;
    return rc;
}

static int
s_compare (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y? -1: x > y;
}

/* p50 and p99 of enterprise.count (group by city) through the broker; -1 on failure. */
static int
s_latency (harness_t *h, int requests, run_t *run)
{
    mdp_client_t *client = mdp_client_new (harness_broker (h), "province");
    Innov__CountEnterprisesRequest request = INNOV__COUNT_ENTERPRISES_REQUEST__INIT;
    request.group_by = "city";
    request.province = "14";
    uint8_t packed [64];
    size_t size = innov__count_enterprises_request__pack (&request, packed);
    double *ms = (double *) calloc ((size_t) requests, sizeof (double));
    int warm = 200, failed = 0;
    for (int i = -warm; i < requests; i++) {
        zmsg_t *body = zmsg_new ();
        zmsg_addstr (body, "enterprise.count");
        zmsg_addmem (body, packed, size);
        int64_t start = s_now_us ();
        zmsg_t *reply = mdp_client_request (client, "registry", &body, NULL);
        int64_t took = s_now_us () - start;
        zframe_t *frame = reply? zmsg_first (reply): NULL;
        Innov__Status *status = frame?
            innov__status__unpack (NULL, zframe_size (frame), zframe_data (frame)): NULL;
        if (!status || status->code != 200)
            failed++;
        if (status)
            innov__status__free_unpacked (status, NULL);
        zmsg_destroy (&reply);
        if (i >= 0)
            ms [i] = took / 1000.0;
    }
    mdp_client_destroy (&client);
    qsort (ms, (size_t) requests, sizeof (double), s_compare);
    run->p50_ms = ms [requests / 2];
    run->p99_ms = ms [(size_t) (requests * 0.99)];
    free (ms);
    if (failed)
        fprintf (stderr, "bench-registry: %d enterprise.count requests failed\n", failed);
    return failed? -1: 0;
}

static int
s_parse (opts_t *o, int argc, char **argv)
{
    *o = (opts_t) { 500000, 10000, 2000, 2, 1, "auto" };
    for (int i = 1; i < argc; i++) {
        const char *a = argv [i], *v = i + 1 < argc? argv [i + 1]: NULL;
        if (!v)
            goto usage;
        if (streq (a, "--count"))
            o->count = atoll (v);
        else
        if (streq (a, "--small"))
            o->small = atoll (v);
        else
        if (streq (a, "--requests"))
            o->requests = atoi (v);
        else
        if (streq (a, "--workers"))
            o->workers = atoi (v);
        else
        if (streq (a, "--seed"))
            o->seed = atoll (v);
        else
        if (streq (a, "--via") && (streq (v, "auto") || streq (v, "import") || streq (v, "gendata")))
            o->via = v;
        else
            goto usage;
        i++;
    }
    if (o->count < 1 || o->count > 10000000 || o->small < 1 || o->small > o->count
    ||  o->requests < 100 || o->workers < 1 || o->workers > 16) {
        fprintf (stderr, "bench-registry: --count 1..10000000, --small 1..count, "
                 "--requests >= 100, --workers 1..16\n");
        return -1;
    }
    return 0;
usage:
    fprintf (stderr, "usage: bench-registry [--count N] [--small N] [--requests R] [--workers W] "
             "[--seed S] [--via auto|import|gendata]\n");
    return -1;
}

static double
s_kb (int64_t after, int64_t before, int64_t n)
{
    return n > 0? (double) (after - before) / (double) n / 1024.0: 0;
}

int
main (int argc, char **argv)
{
    opts_t o;
    if (s_parse (&o, argc, argv))
        return 2;
    zsys_init ();
    zsys_set_linger (0);
    zsys_handler_set (NULL);

    /* Data sets and the baseline's RESP, in the baseline stack's directory */
    harness_t *base = harness_new ();
    harness_setenv (base, "INNOV_LOG_LEVEL", "warn");
    char big [512], small [512], resp [512], err [256];
    snprintf (big, sizeof big, "%s/national-%" PRId64 ".csv", harness_dir (base), o.count);
    snprintf (small, sizeof small, "%s/national-%" PRId64 ".csv", harness_dir (base), o.small);
    snprintf (resp, sizeof resp, "%s/national-%" PRId64 ".resp", harness_dir (base), o.count);
    int64_t start = s_now_us ();
    if (s_gendata (&o, o.count, big) != 0 || s_gendata (&o, o.small, small) != 0) {
        fprintf (stderr, "bench-registry: gendata failed\n");
        harness_destroy (&base);
        return 1;
    }
    double gen_seconds = (s_now_us () - start) / 1e6;
    int64_t rows = resp_load_write (big, resp, err, sizeof err);
    if (rows != o.count) {
        fprintf (stderr, "bench-registry: %s\n", rows < 0? err: "row count differs");
        harness_destroy (&base);
        return 1;
    }

    /* Baseline: redis-cli --pipe into a fresh Redis */
    run_t pipe = { 0 };
    if (harness_start_redis (base) < 0) {
        harness_destroy (&base);
        return 1;
    }
    pipe.mem_before = s_used_memory (base);
    pipe.keys_before = s_keys (base);
    char command [2048];
    snprintf (command, sizeof command, "redis-cli -p %d --pipe < %s > /dev/null", s_port (base), resp);
    start = s_now_us ();
    int rc = s_system (command);
    pipe.seconds = (s_now_us () - start) / 1e6;
    pipe.stored = s_stored (base);
    pipe.mem_after = s_used_memory (base);
    pipe.mem_trimmed = s_each_key (base, "*:events", "XTRIM %s MAXLEN 0");
    pipe.keys = s_keys (base);
    harness_stop_redis (base, SIGTERM);
    if (rc != 0 || pipe.stored != o.count)
        fprintf (stderr, "bench-registry: redis-cli --pipe exited %d with %" PRId64 " stored\n",
                 rc, pipe.stored);

    /* Count latency at the small size */
    run_t little = { 0 };
    harness_t *h = s_stack (o.workers);
    if (!h || s_import (h, &o, o.small, small, &little) != 0 || (s_settle (h), s_latency (h, o.requests, &little)) != 0)
        fprintf (stderr, "bench-registry: the %" PRId64 "-enterprise run failed\n", o.small);
    little.stored = h? s_stored (h): -1;
    harness_destroy (&h);

    /* Import, memory and count latency at full size */
    run_t full = { 0 }, bare = { 0 };
    h = s_stack (o.workers);
    if (h) {
        full.mem_before = s_used_memory (h);
        full.keys_before = s_keys (h);
        if (s_import (h, &o, o.count, big, &full) != 0)
            fprintf (stderr, "bench-registry: the import of %" PRId64 " failed\n", o.count);
        full.stored = s_stored (h);
        full.mem_after = s_used_memory (h);
        s_settle (h);
        if (s_latency (h, o.requests, &full) != 0)
            fprintf (stderr, "bench-registry: count latency at %" PRId64 " failed\n", o.count);
        full.mem_trimmed = s_each_key (h, "*:events", "XTRIM %s MAXLEN 0");
        full.mem_bare = s_each_key (h, "*idem:*", "UNLINK %s");
        full.keys = s_keys (h);
        s_settle (h);
        if (s_latency (h, o.requests, &bare) != 0)
            fprintf (stderr, "bench-registry: count latency after the trim failed\n");
        harness_destroy (&h);
    }
    harness_destroy (&base);

    double pipe_rate = pipe.seconds > 0? o.count / pipe.seconds: 0;
    double import_rate = full.seconds > 0? full.stored / full.seconds: 0;
    printf ("bench-registry: %ld cores, %d registry workers, profile national, seed %" PRId64
            ", data made in %.1f s\n", sysconf (_SC_NPROCESSORS_ONLN), o.workers, o.seed, gen_seconds);
    printf ("(a) import %" PRId64 " enterprises by %s: %.1f s, %.0f rows/s (%" PRId64 " stored)\n",
            o.count, full.how? full.how: "-", full.seconds, import_rate, full.stored);
    printf ("    baseline redis-cli --pipe of the same writes: %.1f s, %.0f rows/s\n",
            pipe.seconds, pipe_rate);
    printf ("    ratio import/pipe: %.2f (target >= 0.4)\n", pipe_rate > 0? import_rate / pipe_rate: 0);
    printf ("(b) Redis memory per enterprise: %.2f KB with the event stream, %.2f KB without, "
            "%.2f KB without the cached idempotency replies too (target <= 1.5 KB)\n",
            s_kb (full.mem_after, full.mem_before, full.stored),
            s_kb (full.mem_trimmed, full.mem_before, full.stored),
            s_kb (full.mem_bare, full.mem_before, full.stored));
    printf ("    baseline (the same keys by --pipe): %.2f KB with the stream, %.2f KB without\n",
            s_kb (pipe.mem_after, pipe.mem_before, pipe.stored),
            s_kb (pipe.mem_trimmed, pipe.mem_before, pipe.stored));
    int64_t grew = full.keys - full.keys_before, pipe_grew = pipe.keys - pipe.keys_before;
    printf ("    keys added: %" PRId64 " by the import, %" PRId64 " by the pipe%s\n", grew, pipe_grew,
            grew == pipe_grew? " (the same writes)": " (they differ: the baseline is out of step)");
    printf ("(c) enterprise.count by city via broker, %d requests: at %" PRId64 ": p50 %.2f ms, "
            "p99 %.2f ms; at %" PRId64 ": p50 %.2f ms, p99 %.2f ms (target p99 <= 5 ms)\n",
            o.requests, little.stored, little.p50_ms, little.p99_ms, full.stored, full.p50_ms, full.p99_ms);
    printf ("    ratio p99 at %" PRId64 " / at %" PRId64 ": %.2f (flat is about 1)\n", o.count, o.small,
            little.p99_ms > 0? full.p99_ms / little.p99_ms: 0);
    printf ("    at %" PRId64 " after the trim (no stream, no cached replies): p50 %.2f ms, p99 %.2f ms\n",
            full.stored, bare.p50_ms, bare.p99_ms);
    bool complete = full.stored == o.count && little.stored == o.small && pipe.stored == o.count;
    return complete? 0: 1;
}
