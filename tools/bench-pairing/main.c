/*  bench-pairing: the pairing service's numbers.

        bench-pairing [--count N] [--seed S] [--requests R] [--instances I] [--apply]

    (a) Greedy against the optimum: I random small instances (20-60 enterprises without
        a mentor, 4-15 mentors of capacity 1-3, industries and counties drawn from small
        sets so that the tiers compete) are matched by pairing_match and solved exactly
        by pairing_match_exact (min-cost flow); printed: the greedy's share of the
        optimal objective (sum of match qualities) on average and at worst, and how many
        instances it solves optimally. The matcher is compiled into this program (tools
        link libinnov only), so it is the service's code that is measured.
    (b) Scale: a stack of its own (Redis, broker, registry, pairing with
        PAIRING_MENTOR_CAPACITY=3, since generated records carry no capacity) is loaded
        with gendata's national profile (N records, imported with innovctl enterprise
        import); printed: the import time, the time the pairing follower needs to
        project every enterprise.created event after the import started and after it
        ended, then pair.suggest over the province through the broker (its own
        load / match / apply times as the service measured them, and the shares of
        enterprises that got a mentor of the same 4-digit class, 3-digit group and
        2-digit division), with --apply the pairings written.
    (c) coverage.get (by province and by city) p50 / p99 of R sequential requests
        through the broker, against registry enterprise.count in the same run (the
        baseline: another counter-backed query on the same broker).
*/
#define _GNU_SOURCE
#include <czmq.h>
#include <inttypes.h>
#include "harness.h"
#include "inv_redis.h"
#include "inv_rpc.h"
#include "mdp_client.h"
#include "pairing.pb-c.h"
#include "registry.pb-c.h"
#include "../../services/pairing/pairing_match.c"

typedef struct {
    long count, seed, requests, instances;
    bool apply;
} opts_t;

static int64_t
s_now_us (void)
{
    return zclock_usecs ();
}

/* ---- (a) greedy against exact ---- */

static void
s_instance (unsigned *seed, pairing_mentee_t *e, size_t n, pairing_mentor_t *m, size_t k)
{
    static const char *inds [] = { "3311", "3312", "3321", "3399", "2611", "2612", "2621", "1311" };
    static const char *counties [] = { "140105", "140106", "140107", "140202", "140212", "140302" };
    for (size_t i = 0; i < n; i++) {
        memset (&e [i], 0, sizeof e [i]);
        snprintf (e [i].code, sizeof e [i].code, "E%05u", (unsigned) (i % 1000000));
        snprintf (e [i].ind, sizeof e [i].ind, "%s", inds [rand_r (seed) % 8]);
        const char *c = counties [rand_r (seed) % 6];
        snprintf (e [i].county, sizeof e [i].county, "%s", c);
        snprintf (e [i].city, sizeof e [i].city, "%.4s00", c);
    }
    for (size_t j = 0; j < k; j++) {
        memset (&m [j], 0, sizeof m [j]);
        snprintf (m [j].code, sizeof m [j].code, "M%04u", (unsigned) (j % 100000));
        snprintf (m [j].ind, sizeof m [j].ind, "%s", inds [rand_r (seed) % 7]);
        const char *c = counties [rand_r (seed) % 6];
        snprintf (m [j].county, sizeof m [j].county, "%s", c);
        snprintf (m [j].city, sizeof m [j].city, "%.4s00", c);
        m [j].cap = 1 + (uint32_t) (rand_r (seed) % 3);
    }
}

static void
s_optimality (const opts_t *o)
{
    unsigned seed = (unsigned) o->seed;
    double sum_ratio = 0, worst = 1;
    long optimal = 0, counted = 0;
    uint64_t greedy_total = 0, exact_total = 0, greedy_matched = 0, exact_matched = 0;
    int64_t greedy_us = 0, exact_us = 0;
    for (long t = 0; t < o->instances; t++) {
        size_t n = 20 + (size_t) (rand_r (&seed) % 41), k = 4 + (size_t) (rand_r (&seed) % 12);
        pairing_mentee_t e [64];
        pairing_mentor_t m [16], mc [16];
        pairing_result_t r [64], x [64];
        s_instance (&seed, e, n, m, k);
        memcpy (mc, m, sizeof m);
        int64_t t0 = s_now_us ();
        pairing_match (e, n, mc, k, r);
        int64_t t1 = s_now_us ();
        long exact = pairing_match_exact (e, n, m, k, x);
        int64_t t2 = s_now_us ();
        greedy_us += t1 - t0;
        exact_us += t2 - t1;
        uint64_t greedy = pairing_match_objective (r, n);
        for (size_t i = 0; i < n; i++) {
            greedy_matched += r [i].mentor >= 0;
            exact_matched += x [i].mentor >= 0;
        }
        greedy_total += greedy;
        exact_total += (uint64_t) exact;
        if (exact <= 0)
            continue;
        double ratio = (double) greedy / (double) exact;
        sum_ratio += ratio;
        worst = ratio < worst? ratio: worst;
        optimal += greedy == (uint64_t) exact;
        counted++;
    }
    printf ("(a) greedy against the optimum on %ld small instances (20-60 enterprises, 4-15 mentors)\n", counted);
    printf ("    objective (sum of match quality): greedy %" PRIu64 ", optimum %" PRIu64 ": %.2f%% in all\n",
            greedy_total, exact_total, exact_total? 100.0 * (double) greedy_total / (double) exact_total: 0);
    printf ("    per instance: mean %.2f%%, worst %.2f%%, optimal in %ld of %ld\n",
            counted? 100.0 * sum_ratio / (double) counted: 0, 100.0 * worst, optimal, counted);
    printf ("    enterprises given a mentor: greedy %" PRIu64 ", optimum %" PRIu64 "\n", greedy_matched, exact_matched);
    printf ("    time: greedy %.1f us per instance, exact %.1f us (ratio %.0fx)\n",
            (double) greedy_us / (double) (o->instances? o->instances: 1),
            (double) exact_us / (double) (o->instances? o->instances: 1),
            greedy_us? (double) exact_us / (double) greedy_us: 0);
}

/* ---- (b) scale ---- */

static long long
s_redis_int (inv_redis_t *redis, const char *command)
{
    redisReply *r = inv_redis_command (redis, command);
    long long v = 0;
    if (r && r->type == REDIS_REPLY_INTEGER)
        v = r->integer;
    else
    if (r && r->type == REDIS_REPLY_STRING)
        v = atoll (r->str);
    if (r)
        freeReplyObject (r);
    return v;
}

static int
s_compare (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y? -1: x > y;
}

/* p50 / p99 of one request through the broker; -1 if any failed. */
static int
s_latency (harness_t *h, const char *service, const char *method, const ProtobufCMessage *request,
           int requests, double *p50, double *p99)
{
    mdp_client_t *client = mdp_client_new (harness_broker (h), "province");
    size_t size;
    uint8_t *packed = inv_rpc_pack (request, &size);
    double *ms = (double *) calloc ((size_t) requests, sizeof (double));
    int failed = 0;
    for (int i = -200; i < requests; i++) {
        zmsg_t *body = zmsg_new ();
        zmsg_addstr (body, method);
        zmsg_addmem (body, packed, size);
        int64_t start = s_now_us ();
        zmsg_t *reply = mdp_client_request (client, service, &body, NULL);
        int64_t took = s_now_us () - start;
        zframe_t *frame = reply? zmsg_first (reply): NULL;
        Innov__Status *status = frame? innov__status__unpack (NULL, zframe_size (frame), zframe_data (frame)): NULL;
        if (!status || status->code != 200)
            failed++;
        if (status)
            innov__status__free_unpacked (status, NULL);
        zmsg_destroy (&reply);
        if (i >= 0)
            ms [i] = (double) took / 1000.0;
    }
    mdp_client_destroy (&client);
    free (packed);
    qsort (ms, (size_t) requests, sizeof (double), s_compare);
    *p50 = ms [requests / 2];
    *p99 = ms [(size_t) (requests * 0.99)];
    free (ms);
    return failed? -1: 0;
}

static int
s_scale (const opts_t *o)
{
    harness_t *h = harness_new ();
    harness_setenv (h, "INNOV_LOG_LEVEL", "warn");
    harness_setenv (h, "PAIRING_MENTOR_CAPACITY", "3");
    harness_setenv (h, "INNOV_TIMEOUT_MS", "60000");      /* a loaded machine: patient clients */
    if (harness_start_redis (h) < 0 || harness_start_broker (h) < 0
    ||  harness_start_service (h, "registry") < 0 || harness_start_service (h, "pairing") < 0) {
        fprintf (stderr, "bench-pairing: the stack did not start\n");
        harness_destroy (&h);
        return 1;
    }
    char csv [512];
    snprintf (csv, sizeof csv, "%s/national.csv", harness_dir (h));
    char command [2048];
    snprintf (command, sizeof command, "%s --profile national --count %ld --seed %ld --out %s",
              harness_bin ("gendata"), o->count, o->seed, csv);
    if (system (command) != 0) {
        fprintf (stderr, "bench-pairing: gendata failed\n");
        harness_destroy (&h);
        return 1;
    }
    inv_redis_t *redis = inv_redis_new (harness_redis (h));
    int64_t t0 = s_now_us ();
    char *out = NULL, *err = NULL;
    int rc = harness_ctl (h, &out, &err, "enterprise", "import", csv, NULL);
    int64_t t1 = s_now_us ();
    long long projected_at_end = s_redis_int (redis, "HGET {14}:pair.stats projected");
    free (out);
    if (rc != 0) {
        fprintf (stderr, "bench-pairing: import exited %d: %.600s\n", rc, err? err: "");
        free (err);
        inv_redis_destroy (&redis);
        harness_destroy (&h);
        return 1;
    }
    free (err);
    long long projected = 0;
    while ((projected = s_redis_int (redis, "HGET {14}:pair.stats projected")) < o->count
    &&     s_now_us () - t1 < 600 * 1000000LL)
        zclock_sleep (100);
    int64_t t2 = s_now_us ();
    long long tracked = s_redis_int (redis, "HGET {14}:pair.cov:province tracked");
    long long mentors = s_redis_int (redis, "SCARD {14}:pair.mentors");
    printf ("(b) national profile, %ld enterprises (%lld without innovation activity, %lld mentors of capacity 3)\n",
            o->count, tracked, mentors);
    printf ("    import: %.1f s (%.0f records/s); projected by the pairing follower when the import ended: %lld\n",
            (double) (t1 - t0) / 1e6, (double) o->count / ((double) (t1 - t0) / 1e6), projected_at_end);
    printf ("    projection complete %.1f s after the import started, %.1f s after it ended (%.0f events/s overall)\n",
            (double) (t2 - t0) / 1e6, (double) (t2 - t1) / 1e6, (double) projected / ((double) (t2 - t0) / 1e6));

    mdp_client_t *client = mdp_client_new (harness_broker (h), "province");
    mdp_client_set_timeout (client, 600000);
    mdp_client_set_retries (client, 1);
    for (int pass = 0; pass < (o->apply? 2: 1); pass++) {
        Innov__SuggestRequest sr = INNOV__SUGGEST_REQUEST__INIT;
        sr.apply = pass == 1;
        sr.limit = 1;
        ProtobufCMessage *reply = NULL;
        int64_t s0 = s_now_us ();
        int code = inv_rpc_call (client, "pairing", "pair.suggest", &sr.base, &innov__suggest_reply__descriptor, &reply, NULL);
        uint64_t applied = 0, rounds = 1;
        double apply_ms = 0;
        while (code == 200 && sr.apply) {
            applied += ((Innov__SuggestReply *) reply)->applied;
            apply_ms += ((Innov__SuggestReply *) reply)->apply_ms;
            if (!((Innov__SuggestReply *) reply)->remaining || !((Innov__SuggestReply *) reply)->applied)
                break;
            protobuf_c_message_free_unpacked (reply, NULL);
            reply = NULL;
            code = inv_rpc_call (client, "pairing", "pair.suggest", &sr.base, &innov__suggest_reply__descriptor, &reply, NULL);
            rounds++;
        }
        int64_t s1 = s_now_us ();
        if (code != 200) {
            fprintf (stderr, "bench-pairing: pair.suggest answered %d\n", code);
            break;
        }
        const Innov__SuggestReply *r = (const Innov__SuggestReply *) reply;
        double n = r->considered? (double) r->considered: 1;
        printf ("    pair.suggest%s: %" PRIu64 " enterprises without a mentor, %" PRIu64 " mentors; %.2f s through "
                "the broker (load %.0f ms, match %.0f ms, apply %.0f ms)\n", sr.apply? " --apply": "",
                r->considered, r->mentors, (double) (s1 - s0) / 1e6, r->load_ms, r->match_ms, r->apply_ms);
        printf ("      got a mentor: %.1f%% (same 4-digit class %.1f%%, same 3-digit group %.1f%%, same 2-digit "
                "division %.1f%%); without: %.1f%%; mean quality %.2f\n",
                100.0 * (double) r->proposed / n, 100.0 * (double) r->same_4digit / n,
                100.0 * (double) r->same_3digit / n, 100.0 * (double) r->same_2digit / n,
                100.0 * (double) r->without_mentor / n,
                r->proposed? (double) r->quality_sum / (double) r->proposed: 0);
        if (sr.apply)
            printf ("      written: %" PRIu64 " pairings in %" PRIu64 " requests, %.0f pairings/s while applying\n",
                    applied, rounds, apply_ms > 0? (double) applied / (apply_ms / 1000.0): 0);
        protobuf_c_message_free_unpacked (reply, NULL);
    }
    mdp_client_destroy (&client);
    if (o->apply)
        printf ("    after --apply: covered %lld of %lld, pairings %lld, mentored %lld\n",
                s_redis_int (redis, "HGET {14}:pair.cov:province covered"), s_redis_int (redis, "HGET {14}:pair.cov:province tracked"),
                s_redis_int (redis, "HGET {14}:pair.cov:province pairings"), s_redis_int (redis, "HGET {14}:pair.cov:province mentored"));

    /* (c) */
    double p50, p99, b50, b99, c50, c99;
    Innov__CoverageRequest cp = INNOV__COVERAGE_REQUEST__INIT;
    cp.by = (char *) "province";
    Innov__CoverageRequest cc = INNOV__COVERAGE_REQUEST__INIT;
    cc.by = (char *) "city";
    Innov__CountEnterprisesRequest base = INNOV__COUNT_ENTERPRISES_REQUEST__INIT;
    base.group_by = (char *) "city";
    int bad = s_latency (h, "pairing", "coverage.get", &cp.base, (int) o->requests, &p50, &p99)
            | s_latency (h, "pairing", "coverage.get", &cc.base, (int) o->requests, &c50, &c99)
            | s_latency (h, "registry", "enterprise.count", &base.base, (int) o->requests, &b50, &b99);
    printf ("(c) %ld sequential requests through the broker at %ld enterprises%s\n", o->requests, o->count,
            bad? " (some failed)": "");
    printf ("    coverage.get by province: p50 %.3f ms, p99 %.3f ms (target p99 <= 5 ms)\n", p50, p99);
    printf ("    coverage.get by city:     p50 %.3f ms, p99 %.3f ms\n", c50, c99);
    printf ("    baseline registry enterprise.count by city: p50 %.3f ms, p99 %.3f ms; ratio p99 %.2f / %.2f\n",
            b50, b99, b99 > 0? p99 / b99: 0, b99 > 0? c99 / b99: 0);
    inv_redis_destroy (&redis);
    harness_destroy (&h);
    return 0;
}

int
main (int argc, char **argv)
{
    setvbuf (stdout, NULL, _IOLBF, 0);
    opts_t o = { 100000, 1, 2000, 500, false };
    for (int i = 1; i < argc; i++) {
        const char *a = argv [i];
        if (streq (a, "--apply"))
            o.apply = true;
        else
        if (i + 1 < argc && (streq (a, "--count") || streq (a, "--seed") || streq (a, "--requests")
                         || streq (a, "--instances"))) {
            long v = atol (argv [++i]);
            if (v <= 0) {
                fprintf (stderr, "bench-pairing: %s wants a positive number\n", a);
                return 2;
            }
            if (streq (a, "--count")) o.count = v;
            else if (streq (a, "--seed")) o.seed = v;
            else if (streq (a, "--requests")) o.requests = v;
            else o.instances = v;
        }
        else {
            fprintf (stderr, "usage: bench-pairing [--count N] [--seed S] [--requests R] [--instances I] [--apply]\n");
            return 2;
        }
    }
    s_optimality (&o);
    return s_scale (&o);
}
