/*  bench: what the broker and the registry cost, against baselines of the same run.

    The machine is noisy, so absolute numbers mean little; every figure is printed with
    its baseline measured seconds earlier in the same process:
      (a) raw ZeroMQ DEALER/ROUTER echo over TCP loopback (the transport floor),
      (b) echo through the broker to MDP workers (what the broker adds to (a)),
      (c) registry enterprise.get through the broker (a real service call),
      (d) hiredis HGET of the same record's body (what Redis alone gives).
    Ratios b/a and c/d are the results. Concurrency is N requests in flight, each on
    its own socket or connection, driven by one poll loop in this process, identical
    for the four cases, so the client side costs the same everywhere: one poll, then
    every socket (or connection) whose reply has come. --threads runs one blocking
    client thread per request in flight instead. The stack (redis-server, broker,
    registry workers) is started on free ports with the test harness and torn down at
    the end.

    --workers N sets the registry workers and the MDP echo workers (default 4 per core,
    at most 16): an MDP worker handles one request at a time, so with too few of them
    throughput is bounded by the round-trip latency, not by the CPU.

    Usage: bench [--seconds S] [--clients 1,50] [--workers N] [--threads]
*/
#include <czmq.h>
#include <hiredis.h>
#include <poll.h>
#include <pthread.h>
#include "harness.h"
#include "mdp.h"
#include "mdp_worker.h"
#include "registry.pb-c.h"
#include "inv_valid.h"

#define MAX_CONC 256

static int64_t
s_now_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

//  ---------------------------------------------------------------------------------
//  Client threads: each is one client doing request, wait for reply, request... in a
//  loop on its own socket or connection. The main thread lets them warm up, then
//  counts completed requests over the measured interval.

typedef struct {
    const char *endpoint;       //  zmq: endpoint; redis: unused
    zmsg_t *proto;              //  zmq: request to send (duplicated each time)
    int redis_port;             //  redis: port
    const char *key;            //  redis: HGET key field
    const char *field;
    volatile bool *stop;
    volatile long count;
    bool failed;
} client_t;

static void *
s_zmq_client (void *arg)
{
    client_t *c = (client_t *) arg;
    zsock_t *sock = zsock_new_dealer (c->endpoint);
    zsock_set_rcvtimeo (sock, 2000);
    while (!*c->stop) {
        zmsg_t *m = zmsg_dup (c->proto);
        zmsg_send (&m, sock);
        zmsg_t *reply = zmsg_recv (sock);
        if (!reply) {
            c->failed = true;
            break;
        }
        zmsg_destroy (&reply);
        c->count++;
    }
    zsock_destroy (&sock);
    return NULL;
}

static void *
s_redis_client (void *arg)
{
    client_t *c = (client_t *) arg;
    struct timeval tv = { 2, 0 };
    redisContext *ctx = redisConnectWithTimeout ("127.0.0.1", c->redis_port, tv);
    if (!ctx || ctx->err) {
        c->failed = true;
        if (ctx)
            redisFree (ctx);
        return NULL;
    }
    while (!*c->stop) {
        redisReply *r = redisCommand (ctx, "HGET %s %s", c->key, c->field);
        if (!r) {
            c->failed = true;
            break;
        }
        freeReplyObject (r);
        c->count++;
    }
    redisFree (ctx);
    return NULL;
}

//  Runs conc clients of one kind; returns requests/s over ms after a 300 ms warm-up.
static double
s_measure (client_t *proto, void *(*fn) (void *), int conc, int ms)
{
    volatile bool stop = false;
    client_t *clients = calloc (conc, sizeof (client_t));
    pthread_t *threads = calloc (conc, sizeof (pthread_t));
    for (int i = 0; i < conc; i++) {
        clients [i] = *proto;
        clients [i].stop = &stop;
        clients [i].count = 0;
        pthread_create (&threads [i], NULL, fn, &clients [i]);
    }
    usleep (300 * 1000);
    long before = 0, after = 0;
    for (int i = 0; i < conc; i++)
        before += clients [i].count;
    int64_t start = s_now_us ();
    usleep ((useconds_t) ms * 1000);
    for (int i = 0; i < conc; i++)
        after += clients [i].count;
    double secs = (s_now_us () - start) / 1e6;
    stop = true;
    bool failed = false;
    for (int i = 0; i < conc; i++) {
        pthread_join (threads [i], NULL);
        failed |= clients [i].failed;
    }
    free (clients);
    free (threads);
    if (failed)
        fprintf (stderr, "bench: a client saw no reply within 2 s\n");
    return (after - before) / secs;
}

//  Single-loop driver: conc DEALER sockets (or Redis connections), each with one
//  request in flight, driven by one poll loop, so the client side costs as little
//  as possible and the servers are what is measured.

//  Counts replies after a 300 ms warm-up, until ms have been measured.
typedef struct {
    int64_t start, warm, end;
    long count;
    bool measuring;
} meter_t;

static meter_t
s_meter (int ms)
{
    meter_t meter = { .start = s_now_us () };
    meter.warm = meter.start + 300000;
    meter.end = meter.warm + (int64_t) ms * 1000;
    return meter;
}

//  One reply has come; returns true when the measured interval is over.
static bool
s_meter_tick (meter_t *self)
{
    int64_t now = s_now_us ();
    if (!self->measuring && now >= self->warm) {
        self->measuring = true;
        self->count = 0;
        self->start = now;
    }
    self->count++;
    return now >= self->end;
}

static double
s_meter_rate (meter_t *self)
{
    return self->count / ((s_now_us () - self->start) / 1e6);
}

static double
s_loop_zmq (const char *endpoint, zmsg_t *proto, int conc, int ms)
{
    zsock_t *socks [MAX_CONC];
    zmq_pollitem_t items [MAX_CONC];
    for (int i = 0; i < conc; i++) {
        socks [i] = zsock_new_dealer (endpoint);
        items [i] = (zmq_pollitem_t) { zsock_resolve (socks [i]), 0, ZMQ_POLLIN, 0 };
        zmsg_t *m = zmsg_dup (proto);
        zmsg_send (&m, socks [i]);
    }
    meter_t meter = s_meter (ms);
    bool stop = false;
    //  Like the Redis loop: one poll, then every socket that has its reply.
    while (!stop) {
        int rc = zmq_poll (items, conc, 2000);
        if (rc <= 0) {
            fprintf (stderr, "bench: no reply within 2 s from %s\n", endpoint);
            break;
        }
        for (int i = 0; i < conc && !stop; i++) {
            if (!(items [i].revents & ZMQ_POLLIN))
                continue;
            zmsg_t *reply = zmsg_recv (socks [i]);
            zmsg_destroy (&reply);
            stop = s_meter_tick (&meter);
            zmsg_t *m = zmsg_dup (proto);
            zmsg_send (&m, socks [i]);
        }
    }
    for (int i = 0; i < conc; i++)
        zsock_destroy (&socks [i]);
    return s_meter_rate (&meter);
}

static double
s_loop_redis (int port, const char *key, const char *field, int conc, int ms)
{
    redisContext *ctx [MAX_CONC];
    struct pollfd fds [MAX_CONC];
    for (int i = 0; i < conc; i++) {
        struct timeval tv = { 2, 0 };
        ctx [i] = redisConnectWithTimeout ("127.0.0.1", port, tv);
        if (!ctx [i] || ctx [i]->err) {
            fprintf (stderr, "bench: cannot connect to redis\n");
            for (int j = 0; j <= i; j++)
                if (ctx [j])
                    redisFree (ctx [j]);
            return 0;
        }
        fds [i].fd = ctx [i]->fd;
        fds [i].events = POLLIN;
        redisAppendCommand (ctx [i], "HGET %s %s", key, field);
        int done = 0;
        while (!done)
            redisBufferWrite (ctx [i], &done);
    }
    meter_t meter = s_meter (ms);
    bool stop = false;
    while (!stop && poll (fds, conc, 2000) > 0) {
        for (int i = 0; i < conc && !stop; i++) {
            if (!(fds [i].revents & POLLIN))
                continue;
            if (redisBufferRead (ctx [i]) != REDIS_OK) {
                stop = true;
                break;
            }
            void *reply = NULL;
            while (!stop && redisGetReplyFromReader (ctx [i], &reply) == REDIS_OK && reply) {
                freeReplyObject (reply);
                reply = NULL;
                stop = s_meter_tick (&meter);
                redisAppendCommand (ctx [i], "HGET %s %s", key, field);
                int done = 0;
                while (!done)
                    redisBufferWrite (ctx [i], &done);
            }
        }
    }
    for (int i = 0; i < conc; i++)
        redisFree (ctx [i]);
    return s_meter_rate (&meter);
}

//  (a) the raw echo server: a ROUTER that sends every message back.
static void
s_echo_actor (zsock_t *pipe, void *args)
{
    zsock_t *router = zsock_new_router ((const char *) args);
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, router, NULL);
    while (true) {
        void *which = zpoller_wait (poller, -1);
        if (which != router)
            break;
        zmsg_t *msg = zmsg_recv (router);
        if (msg)
            zmsg_send (&msg, router);
    }
    zpoller_destroy (&poller);
    zsock_destroy (&router);
}

//  (b) an MDP echo worker: replies with the request body minus the caller frame.
static void
s_mdp_echo_actor (zsock_t *pipe, void *args)
{
    mdp_worker_t *worker = mdp_worker_new ((const char *) args, "bench.echo");
    zsock_signal (pipe, 0);
    //  The pipe is checked without a poll (ZMQ_EVENTS), so the worker costs what a
    //  service's worker loop costs: one receive and one send per request.
    while (!(zsock_events (pipe) & ZMQ_POLLIN) && !zsys_interrupted) {
        zframe_t *reply_to = NULL;
        zmsg_t *body = mdp_worker_recv (worker, &reply_to, 100);
        if (!body)
            continue;
        zframe_t *caller = zmsg_pop (body);
        zframe_destroy (&caller);
        mdp_worker_send_final (worker, &body, reply_to);
        zframe_destroy (&reply_to);
    }
    mdp_worker_destroy (&worker);
}

static zmsg_t *
s_mdp_request (const char *service, const char *method, const void *body, size_t size)
{
    zmsg_t *m = zmsg_new ();
    zmsg_addstr (m, MDPC_CLIENT);
    zmsg_addmem (m, "\x01", 1);
    zmsg_addstr (m, service);
    zmsg_addstr (m, method);
    zmsg_addmem (m, body, size);
    return m;
}

//  ---------------------------------------------------------------------------------

typedef struct {
    int seconds;
    int clients [8];
    int nclients;
    int workers;
    bool threads;
} opts_t;

static int
s_parse (opts_t *o, int argc, char **argv)
{
    memset (o, 0, sizeof *o);
    o->seconds = 3;
    o->clients [0] = 1;
    o->clients [1] = 50;
    o->nclients = 2;
    //  A worker handles one request at a time and waits on the network for most of
    //  it (the broker hop, Redis), so one per core leaves the cores idle: 4 per core
    //  measured best on 2 cores (docs/performance.md).
    long cores = sysconf (_SC_NPROCESSORS_ONLN);
    o->workers = cores > 0 && cores < 4? 4 * (int) cores: 16;
    for (int i = 1; i < argc; i++) {
        const char *a = argv [i], *v = i + 1 < argc ? argv [i + 1] : NULL;
        if (streq (a, "--seconds") && v) {
            o->seconds = atoi (v);
            i++;
        }
        else
        if (streq (a, "--workers") && v) {
            o->workers = atoi (v);
            i++;
        }
        else
        if (streq (a, "--threads"))
            o->threads = true;
        else
        if (streq (a, "--clients") && v) {
            o->nclients = 0;
            char *copy = strdup (v), *save = NULL;
            for (char *t = strtok_r (copy, ",", &save); t && o->nclients < 8; t = strtok_r (NULL, ",", &save))
                o->clients [o->nclients++] = atoi (t);
            free (copy);
            i++;
        }
        else {
            fprintf (stderr, "usage: bench [--seconds S] [--clients 1,50] [--workers N] [--threads]\n");
            return -1;
        }
    }
    for (int i = 0; i < o->nclients; i++)
        if (o->clients [i] < 1 || o->clients [i] > MAX_CONC) {
            fprintf (stderr, "bench: --clients: each count must be 1..%d\n", MAX_CONC);
            return -1;
        }
    if (o->seconds < 1 || o->workers < 1 || o->workers > 16) {
        fprintf (stderr, "bench: --seconds must be >= 1 and --workers 1..16\n");
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
    zsys_init ();
    zsys_set_linger (0);
    zsys_handler_set (NULL);

    harness_t *h = harness_new_stack ("registry", o.workers);
    if (!h)
        return 1;

    //  One enterprise to read back, added through the normal path
    char ctl_code [19];
    if (!inv_credit_code_complete ("91140105MA0KXY8T1", ctl_code)) {
        harness_destroy (&h);
        return 1;
    }
    char *out = NULL, *err = NULL;
    int rc = harness_ctl (h, &out, &err, "enterprise", "add", "--code", ctl_code,
                          "--name", "太原基准测试机械有限公司", "--county", "140105",
                          "--industry", "3311", "--department", "gxt", NULL);
    if (rc != 0) {
        fprintf (stderr, "bench: could not add the benchmark enterprise: %s", err ? err : "");
        free (out);
        free (err);
        harness_destroy (&h);
        return 1;
    }
    free (out);
    free (err);

    //  (a) raw echo endpoint
    char raw [64];
    snprintf (raw, sizeof raw, "tcp://127.0.0.1:%d", harness_free_port ());
    zactor_t *echo = zactor_new (s_echo_actor, raw);
    zactor_t *mdp_echo [16];
    for (int i = 0; i < o.workers; i++)
        mdp_echo [i] = zactor_new (s_mdp_echo_actor, (void *) harness_broker (h));
    harness_wait_service (h, "bench.echo", o.workers, 10000);

    Innov__GetEnterpriseRequest get = INNOV__GET_ENTERPRISE_REQUEST__INIT;
    get.credit_code = ctl_code;
    uint8_t getbuf [64];
    size_t getlen = innov__get_enterprise_request__pack (&get, getbuf);

    zmsg_t *raw_req = zmsg_new ();
    zmsg_addstr (raw_req, "enterprise.get");
    zmsg_addmem (raw_req, getbuf, getlen);
    zmsg_t *echo_req = s_mdp_request ("bench.echo", "enterprise.get", getbuf, getlen);
    zmsg_t *get_req = s_mdp_request ("registry", "enterprise.get", getbuf, getlen);

    char key [64];
    snprintf (key, sizeof key, "{14}:ent:%s", ctl_code);
    int redis_port = atoi (strrchr (harness_redis (h), ':') + 1);

    double r [4][8];
    for (int c = 0; c < o.nclients; c++) {
        int n = o.clients [c], ms = o.seconds * 1000;
        client_t a = { .endpoint = raw, .proto = raw_req };
        client_t b = { .endpoint = harness_broker (h), .proto = echo_req };
        client_t g = { .endpoint = harness_broker (h), .proto = get_req };
        client_t d = { .redis_port = redis_port, .key = key, .field = "pb" };
        if (o.threads) {
            r [0][c] = s_measure (&a, s_zmq_client, n, ms);
            r [1][c] = s_measure (&b, s_zmq_client, n, ms);
            r [2][c] = s_measure (&g, s_zmq_client, n, ms);
            r [3][c] = s_measure (&d, s_redis_client, n, ms);
        }
        else {
            r [0][c] = s_loop_zmq (raw, raw_req, n, ms);
            r [1][c] = s_loop_zmq (harness_broker (h), echo_req, n, ms);
            r [2][c] = s_loop_zmq (harness_broker (h), get_req, n, ms);
            r [3][c] = s_loop_redis (redis_port, key, "pb", n, ms);
        }
    }

    printf ("bench: %ld cores, %d s per case, %d MDP echo workers, %d registry workers, "
            "clients as %s\n", sysconf (_SC_NPROCESSORS_ONLN), o.seconds, o.workers, o.workers,
            o.threads? "one thread each": "sockets of one poll loop");
    printf ("%-42s", "requests/s at N clients in flight");
    for (int c = 0; c < o.nclients; c++)
        printf ("  %10s%-3d", "N=", o.clients [c]);
    printf ("\n");
    const char *names [4] = {
        "(a) zmq DEALER/ROUTER echo, tcp loopback", "(b) echo through broker to MDP worker",
        "(c) registry enterprise.get via broker", "(d) hiredis HGET of the same record" };
    for (int k = 0; k < 4; k++) {
        printf ("%-42s", names [k]);
        for (int c = 0; c < o.nclients; c++)
            printf ("  %13.0f", r [k][c]);
        printf ("\n");
    }
    printf ("%-42s", "ratio b/a (target >= 0.5 at 50)");
    for (int c = 0; c < o.nclients; c++)
        printf ("  %13.2f", r [0][c] > 0 ? r [1][c] / r [0][c] : 0);
    printf ("\n%-42s", "ratio c/d (target >= 0.35 at 50)");
    for (int c = 0; c < o.nclients; c++)
        printf ("  %13.2f", r [3][c] > 0 ? r [2][c] / r [3][c] : 0);
    printf ("\n");

    zmsg_destroy (&raw_req);
    zmsg_destroy (&echo_req);
    zmsg_destroy (&get_req);
    for (int i = 0; i < o.workers; i++)
        zactor_destroy (&mdp_echo [i]);
    zactor_destroy (&echo);
    harness_destroy (&h);
    return 0;
}
