/*  loadgen: a steady write load through the broker, and the audit of what it wrote.

        loadgen run   --clients N --seconds S [--first K] [--out FILE]   [global flags]
        loadgen check FILE                                               [global flags]

    run: N client threads, each with its own MDP client made from the global settings
    (so --broker may list several brokers, and CURVE applies as for any client), add
    enterprises one after another for S seconds. Client c writes the credit codes
    numbered K + c*10^6 + i; every request carries the code as its idempotency key, so
    a request retried after a timeout can never create a second record. Each
    acknowledged (200) write is appended to FILE as "<code> <ms since start>". At the
    end one line sums it up:

        loadgen: acked A errors E seconds S rate R/s longest-gap G ms slowest T ms

    The longest gap is the longest time during which no client got any
    acknowledgement; the slowest is the longest one request took, retries and
    failover included: under a fault, the time a client took to recover.
    Per-second acknowledgements are printed as "second n: acked" lines with --verbose.

    check: reads FILE and asks Redis (--redis, a Sentinel address works) whether
    every acknowledged enterprise is stored, and counts the enterprise.created events
    of each in the province's stream:

        check: acked A stored S lost L doubled D

    Exit 0 when nothing acknowledged is lost and nothing is doubled.
*/
#include <czmq.h>
#include <pthread.h>
#include "inv_config.h"
#include "inv_event.h"
#include "inv_log.h"
#include "inv_redis.h"
#include "inv_rpc.h"
#include "inv_service.h"
#include "inv_valid.h"
#include "registry.pb-c.h"

#define SECONDS_MAX 3600

typedef struct {
    const inv_config_t *cfg;
    int index;
    long first;
    int64_t start_ms, end_ms;
    FILE *out;
    pthread_mutex_t *lock;
    long acked, errors;
    int64_t slowest_ms;         /* the longest one request took, retries included */
    int *per_second;            /* shared, under lock */
    int64_t *last_ack_ms;       /* shared, under lock */
    int64_t *longest_gap_ms;
} client_t;

static const char *s_counties [] = { "140105", "140212", "140302", "140403", "140502",
                                     "140602", "140702", "140802", "140902", "141002", "141102" };

static void
s_code (long n, char *buf)
{
    char first17 [32];
    snprintf (first17, sizeof first17, "91149900%09ld", n % 1000000000);
    inv_credit_code_complete (first17, buf);
}

static void
s_record_ack (client_t *c, const char *code)
{
    int64_t now = zclock_time () - c->start_ms;
    pthread_mutex_lock (c->lock);
    if (now - *c->last_ack_ms > *c->longest_gap_ms)
        *c->longest_gap_ms = now - *c->last_ack_ms;
    *c->last_ack_ms = now;
    if (now / 1000 < SECONDS_MAX)
        c->per_second [now / 1000]++;
    if (c->out)
        fprintf (c->out, "%s %lld\n", code, (long long) now);
    pthread_mutex_unlock (c->lock);
}

static void *
s_client (void *arg)
{
    client_t *c = (client_t *) arg;
    mdp_client_t *client = inv_client_from_config (c->cfg);
    if (!client)
        return NULL;
    for (long i = 0; zclock_time () < c->end_ms && !zsys_interrupted; i++) {
        char code [32], name [64], key [64];
        s_code (c->first + (long) c->index * 1000000 + i, code);
        snprintf (name, sizeof name, "负载企业%d-%ld", c->index, i);
        snprintf (key, sizeof key, "loadgen:%s", code);
        Innov__Enterprise enterprise = INNOV__ENTERPRISE__INIT;
        enterprise.credit_code = code;
        enterprise.name = name;
        enterprise.county = (char *) s_counties [i % 11];
        enterprise.industry = "3311";
        enterprise.department = "gxt";
        Innov__AddEnterpriseRequest request = INNOV__ADD_ENTERPRISE_REQUEST__INIT;
        request.enterprise = &enterprise;
        request.idempotency_key = key;
        ProtobufCMessage *reply = NULL;
        Innov__Status *status = NULL;
        int64_t sent = zclock_mono ();
        int code_rc = inv_rpc_call (client, "registry", "enterprise.add", &request.base,
                                    &innov__enterprise_reply__descriptor, &reply, &status);
        if (zclock_mono () - sent > c->slowest_ms)
            c->slowest_ms = zclock_mono () - sent;
        if (reply)
            protobuf_c_message_free_unpacked (reply, NULL);
        if (code_rc != 200 && c->errors == 0)
            fprintf (stderr, "loadgen: client %d: first refusal: %d %s\n", c->index, code_rc,
                     status && status->message? status->message: "");
        if (status)
            innov__status__free_unpacked (status, NULL);
        if (code_rc == 200) {
            c->acked++;
            s_record_ack (c, code);
        }
        else
            c->errors++;
    }
    mdp_client_destroy (&client);
    return NULL;
}

static int
s_run (const inv_config_t *cfg, int clients, int seconds, long first, const char *path,
       bool verbose)
{
    FILE *out = path? fopen (path, "w"): NULL;
    if (path && !out) {
        fprintf (stderr, "loadgen: cannot write %s\n", path);
        return 2;
    }
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    int *per_second = (int *) zmalloc (SECONDS_MAX * sizeof (int));
    int64_t last_ack = 0, longest_gap = 0;
    client_t *c = (client_t *) zmalloc (clients * sizeof (client_t));
    pthread_t *threads = (pthread_t *) zmalloc (clients * sizeof (pthread_t));
    int64_t start = zclock_time ();
    for (int i = 0; i < clients; i++) {
        c [i] = (client_t) { cfg, i, first, start, start + seconds * 1000LL, out, &lock, 0, 0, 0,
                             per_second, &last_ack, &longest_gap };
        pthread_create (&threads [i], NULL, s_client, &c [i]);
    }
    long acked = 0, errors = 0;
    int64_t slowest = 0;
    for (int i = 0; i < clients; i++) {
        pthread_join (threads [i], NULL);
        acked += c [i].acked;
        errors += c [i].errors;
        slowest = c [i].slowest_ms > slowest? c [i].slowest_ms: slowest;
    }
    double elapsed = (zclock_time () - start) / 1000.0;
    int64_t end_gap = (int64_t) (elapsed * 1000) - last_ack;
    if (end_gap > longest_gap && acked == 0)
        longest_gap = end_gap;
    if (verbose)
        for (int s = 0; s < seconds && s < SECONDS_MAX; s++)
            printf ("second %d: %d\n", s, per_second [s]);
    printf ("loadgen: acked %ld errors %ld seconds %.1f rate %.0f/s longest-gap %lld ms slowest %lld ms\n",
            acked, errors, elapsed, acked / elapsed, (long long) longest_gap, (long long) slowest);
    if (out)
        fclose (out);
    free (per_second);
    free (c);
    free (threads);
    return acked > 0? 0: 1;
}

/* enterprise.created events per credit code, from one pass over the stream. */
static zhash_t *
s_created_counts (inv_redis_t *redis, const char *province)
{
    zhash_t *counts = zhash_new ();
    zhash_autofree (counts);
    uint64_t after = 0;
    while (true) {
        Innov__Event **events = NULL;
        size_t count = 0;
        if (inv_event_range (redis, province, after, NULL, 5000, &events, &count) < 0) {
            zhash_destroy (&counts);
            return NULL;
        }
        size_t scanned = count;
        for (size_t i = 0; i < count; i++) {
            if (streq (events [i]->type, "enterprise.created")) {
                char *seen = (char *) zhash_lookup (counts, events [i]->subject);
                char text [16];
                snprintf (text, sizeof text, "%d", seen? atoi (seen) + 1: 1);
                zhash_update (counts, events [i]->subject, text);
            }
            after = events [i]->seq;
            inv_event_free (&events [i]);
        }
        free (events);
        if (scanned == 0)
            break;
    }
    return counts;
}

static int
s_check (const inv_config_t *cfg, const char *path)
{
    FILE *in = fopen (path, "r");
    if (!in) {
        fprintf (stderr, "loadgen: cannot read %s\n", path);
        return 2;
    }
    inv_redis_t *redis = inv_redis_new (cfg->redis);
    zhash_t *counts = redis? s_created_counts (redis, cfg->province): NULL;
    if (!counts) {
        fprintf (stderr, "loadgen: Redis %s is not available\n", cfg->redis);
        fclose (in);
        inv_redis_destroy (&redis);
        return 2;
    }
    long acked = 0, stored = 0, lost = 0, doubled = 0;
    char code [32];
    long long at;
    while (fscanf (in, "%31s %lld", code, &at) == 2) {
        acked++;
        redisReply *reply = inv_redis_command (redis, "EXISTS {%s}:ent:%s", cfg->province, code);
        bool exists = reply && reply->type == REDIS_REPLY_INTEGER && reply->integer == 1;
        if (reply)
            freeReplyObject (reply);
        if (exists)
            stored++;
        else {
            lost++;
            printf ("lost: %s acknowledged at %lld ms\n", code, at);
        }
        char *seen = (char *) zhash_lookup (counts, code);
        if (seen && atoi (seen) > 1) {
            doubled++;
            printf ("doubled: %s has %s enterprise.created events\n", code, seen);
        }
    }
    fclose (in);
    printf ("check: acked %ld stored %ld lost %ld doubled %ld\n", acked, stored, lost, doubled);
    zhash_destroy (&counts);
    inv_redis_destroy (&redis);
    return lost || doubled? 1: 0;
}

static int
s_usage (void)
{
    fprintf (stderr, "usage: loadgen run --clients N --seconds S [--first K] [--out FILE] [--verbose]\n"
                     "       loadgen check FILE\n"
                     "(global flags such as --broker, --redis, --curve-cert apply)\n");
    return 2;
}

int
main (int argc, char **argv)
{
    inv_config_t cfg;
    char err [512];
    inv_log_init ("loadgen");
    if (inv_config_load (&cfg, argc, argv, err, sizeof err)) {
        fprintf (stderr, "loadgen: %s\n", err);
        return 2;
    }
    inv_config_apply (&cfg);
    if (cfg.help || cfg.argc < 1)
        return s_usage ();
    if (streq (cfg.argv [0], "check"))
        return cfg.argc == 2? s_check (&cfg, cfg.argv [1]): s_usage ();
    if (!streq (cfg.argv [0], "run"))
        return s_usage ();
    int clients = 4, seconds = 10;
    long first = 1;
    const char *out = NULL;
    bool verbose = false;
    for (int i = 1; i < cfg.argc; i++) {
        const char *flag = cfg.argv [i];
        const char *value = i + 1 < cfg.argc? cfg.argv [i + 1]: NULL;
        if (streq (flag, "--verbose"))
            verbose = true;
        else
        if (!value)
            return s_usage ();
        else {
            if (streq (flag, "--clients"))
                clients = atoi (value);
            else
            if (streq (flag, "--seconds"))
                seconds = atoi (value);
            else
            if (streq (flag, "--first"))
                first = atol (value);
            else
            if (streq (flag, "--out"))
                out = value;
            else
                return s_usage ();
            i++;
        }
    }
    if (clients < 1 || clients > 256 || seconds < 1 || seconds > SECONDS_MAX || first < 0)
        return s_usage ();
    return s_run (&cfg, clients, seconds, first, out, verbose);
}
