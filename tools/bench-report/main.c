/*  bench-report: how long the report service takes to build a monthly bulletin at
    national scale, against baselines measured in the same run.

        bench-report [--count N] [--requests R] [--seed S]

    It starts its own stack with the test harness (redis-server on a free port with the
    deployed settings, the broker, two registry workers, one report worker), loads N
    enterprises (default 500,000) with `gendata --profile national --load`, then:
      (a) first bulletin of the month: the month has no snapshot yet, so this one takes
          it (enterprise.count by city, department, cluster and the alliances) and stores
          it; one request;
      (b) bulletin, stored snapshot: R requests (default 20) of report.bulletin in each
          format (json, markdown, html), round trip through the broker: p50, p99, and
          the service's own build time (DocumentReply.generation_us) p50;
      (c) summary (province, html): R requests, p50;
      (d) baseline 1: enterprise.count grouped by city through the broker (the cheapest
          ledger read), R requests, p50: what any figure costs at minimum;
      (e) baseline 2: the same province figures by a scan, as a service without
          maintained counters would compute them: every record of the province read
          (pipelined HGET of the bodies, 1,000 at a time) and summed; one run.
    Prints the figures and the ratios b/d and e/b. Exit 0 when the bulletin's p99 is
    within 2 s (the target), 1 otherwise, 2 on a usage error, 3 when the stack fails.
*/
#include <czmq.h>
#include <math.h>
#include <stdlib.h>
#include "harness.h"
#include "inv_redis.h"
#include "inv_rpc.h"
#include "mdp_client.h"
#include "registry.pb-c.h"
#include "report.pb-c.h"

typedef struct {
    long count;
    int requests;
    long seed;
} opts_t;

static int64_t
s_now_us (void)
{
    return zclock_usecs ();
}

static int
s_cmp (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y? -1: x > y;
}

static double
s_pct (double *v, int n, double p)
{
    qsort (v, (size_t) n, sizeof (double), s_cmp);
    int i = (int) ceil (p * n) - 1;
    return v [i < 0? 0: i >= n? n - 1: i];
}

/* One report.bulletin / report.summary: round trip ms, build us in *build_us. */
static double
s_document (mdp_client_t *client, const char *method, const ProtobufCMessage *req, double *build_us, size_t *bytes)
{
    ProtobufCMessage *reply = NULL;
    Innov__Status *status = NULL;
    int64_t start = s_now_us ();
    int code = inv_rpc_call (client, "report", method, req, &innov__document_reply__descriptor, &reply, &status);
    double ms = (s_now_us () - start) / 1000.0;
    if (code != 200) {
        fprintf (stderr, "bench-report: %s: %d %s\n", method, code, status? status->message: "");
        exit (3);
    }
    if (build_us)
        *build_us = ((Innov__DocumentReply *) reply)->generation_us;
    if (bytes)
        *bytes = strlen (((Innov__DocumentReply *) reply)->content);
    protobuf_c_message_free_unpacked (reply, NULL);
    if (status)
        innov__status__free_unpacked (status, NULL);
    return ms;
}

/* The province's figures by reading every record: seconds; the total into *seen. */
static double
s_scan (const char *redis_address, long *seen)
{
    inv_redis_t *redis = inv_redis_new (redis_address);
    int64_t start = s_now_us ();
    long total = 0, innovating = 0;
    double revenue = 0;
    char cursor [64] = "-";
    for (;;) {
        redisReply *codes = inv_redis_command (redis, "ZRANGEBYLEX {14}:ent.idx:all %s + LIMIT 0 1000", cursor);
        if (!codes || codes->type != REDIS_REPLY_ARRAY || codes->elements == 0) {
            if (codes)
                freeReplyObject (codes);
            break;
        }
        for (size_t i = 0; i < codes->elements; i++) {
            const char *argv [] = { "HGET", NULL, "body" };
            char key [64];
            snprintf (key, sizeof key, "{14}:ent:%s", codes->element [i]->str);
            argv [1] = key;
            inv_redis_append_argv (redis, 3, argv, NULL);
        }
        for (size_t i = 0; i < codes->elements; i++) {
            redisReply *body = inv_redis_get_reply (redis);
            if (body && body->type == REDIS_REPLY_STRING) {
                Innov__Enterprise *e = innov__enterprise__unpack (NULL, body->len, (const uint8_t *) body->str);
                if (e) {
                    total++;
                    innovating += e->status >= INNOV__INNOVATION_STATUS__ACTIVE;
                    revenue += e->operating_revenue;
                    innov__enterprise__free_unpacked (e, NULL);
                }
            }
            if (body)
                freeReplyObject (body);
        }
        snprintf (cursor, sizeof cursor, "(%s", codes->element [codes->elements - 1]->str);
        freeReplyObject (codes);
    }
    double seconds = (s_now_us () - start) / 1e6;
    inv_redis_destroy (&redis);
    *seen = total;
    (void) innovating;
    (void) revenue;
    return seconds;
}

int
main (int argc, char **argv)
{
    opts_t o = { 500000, 20, 1 };
    for (int i = 1; i < argc; i++) {
        const char *a = argv [i], *v = i + 1 < argc? argv [i + 1]: NULL;
        if (streq (a, "--count") && v && atol (v) > 0)
            o.count = atol (v), i++;
        else
        if (streq (a, "--requests") && v && atoi (v) > 0)
            o.requests = atoi (v), i++;
        else
        if (streq (a, "--seed") && v)
            o.seed = atol (v), i++;
        else {
            fprintf (stderr, "usage: bench-report [--count N] [--requests R] [--seed S]\n");
            return 2;
        }
    }
    harness_t *h = harness_new_stack ("registry", 2);
    if (!h || harness_start_service (h, "report") < 0) {
        fprintf (stderr, "bench-report: the stack did not start\n");
        harness_destroy (&h);
        return 3;
    }
    printf ("bench-report: loading %ld enterprises (gendata --profile national --load) ...\n", o.count);
    fflush (stdout);
    char command [2048];
    snprintf (command, sizeof command,
              "INNOV_BROKER=%s INNOV_LOG_LEVEL=warn %s --profile national --count %ld --seed %ld --load >/dev/null",
              harness_broker (h), harness_bin ("gendata"), o.count, o.seed);
    int64_t start = s_now_us ();
    if (system (command) != 0) {
        fprintf (stderr, "bench-report: gendata --load failed\n");
        harness_destroy (&h);
        return 3;
    }
    double load_s = (s_now_us () - start) / 1e6;
    mdp_client_t *client = mdp_client_new (harness_broker (h), "province");
    mdp_client_set_timeout (client, 60000);
    mdp_client_set_retries (client, 1);

    Innov__CountEnterprisesRequest count_req = INNOV__COUNT_ENTERPRISES_REQUEST__INIT;
    count_req.group_by = (char *) "city";
    Innov__CountEnterprisesReply *counted = NULL;
    inv_rpc_call (client, "registry", "enterprise.count", &count_req.base,
                  &innov__count_enterprises_reply__descriptor, (ProtobufCMessage **) &counted, NULL);
    unsigned long long enterprises = counted? (unsigned long long) counted->total: 0;
    if (counted)
        innov__count_enterprises_reply__free_unpacked (counted, NULL);
    printf ("loaded in %.1f s; the province holds %llu enterprises\n\n", load_s, enterprises);

    /* (a) the first bulletin of the month takes the snapshot */
    Innov__BulletinRequest req = INNOV__BULLETIN_REQUEST__INIT;
    req.format = (char *) "json";
    double build_us;
    double first_ms = s_document (client, "report.bulletin", &req.base, &build_us, NULL);
    printf ("(a) first bulletin of the month (takes the snapshot): %8.2f ms\n", first_ms);

    /* (b) bulletins from the stored snapshot */
    const char *formats [] = { "json", "markdown", "html" };
    double *ms = (double *) calloc ((size_t) o.requests, sizeof (double));
    double *build = (double *) calloc ((size_t) o.requests, sizeof (double));
    double worst_p99 = 0, html_p50 = 0;
    for (int f = 0; f < 3; f++) {
        req.format = (char *) formats [f];
        size_t bytes = 0;
        for (int i = 0; i < o.requests; i++)
            ms [i] = s_document (client, "report.bulletin", &req.base, &build [i], &bytes);
        double p50 = s_pct (ms, o.requests, 0.5), p99 = s_pct (ms, o.requests, 0.99);
        double b50 = s_pct (build, o.requests, 0.5);
        worst_p99 = fmax (worst_p99, p99);
        if (f == 2)
            html_p50 = p50;
        printf ("(b) bulletin %-8s  p50 %8.2f ms  p99 %8.2f ms  built in %8.2f ms (p50)  %7zu bytes\n",
                formats [f], p50, p99, b50 / 1000.0, bytes);
    }
    /* (c) the province's campaign summary */
    Innov__SummaryRequest sreq = INNOV__SUMMARY_REQUEST__INIT;
    sreq.milestone = (char *) "province";
    sreq.format = (char *) "html";
    for (int i = 0; i < o.requests; i++)
        ms [i] = s_document (client, "report.summary", &sreq.base, &build [i], NULL);
    printf ("(c) summary html      p50 %8.2f ms\n", s_pct (ms, o.requests, 0.5));

    /* (d) the cheapest ledger read */
    for (int i = 0; i < o.requests; i++) {
        ProtobufCMessage *reply = NULL;
        int64_t t = s_now_us ();
        inv_rpc_call (client, "registry", "enterprise.count", &count_req.base,
                      &innov__count_enterprises_reply__descriptor, &reply, NULL);
        ms [i] = (s_now_us () - t) / 1000.0;
        if (reply)
            protobuf_c_message_free_unpacked (reply, NULL);
    }
    double count_p50 = s_pct (ms, o.requests, 0.5);
    printf ("(d) enterprise.count by city p50 %8.2f ms\n", count_p50);

    /* (e) the same figures by a scan */
    long seen = 0;
    double scan_s = s_scan (harness_redis (h), &seen);
    printf ("(e) scan of %ld records      %8.2f ms\n\n", seen, scan_s * 1000);
    printf ("ratio b/d (html bulletin vs one count read): %.1f\n", html_p50 / count_p50);
    printf ("ratio e/b (scan vs html bulletin): %.0f\n", scan_s * 1000 / html_p50);
    printf ("target: bulletin p99 <= 2000 ms: %s (worst p99 %.2f ms)\n", worst_p99 <= 2000? "met": "NOT met", worst_p99);
    free (ms);
    free (build);
    mdp_client_destroy (&client);
    harness_destroy (&h);
    return worst_p99 <= 2000? 0: 1;
}
