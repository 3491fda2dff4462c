/*  bench-gateway: GET /api/v1/enterprises/{code} through the HTTP gateway, against the
    same read by MDP clients through the broker (what innovctl does), measured in the
    same run.

        bench-gateway [--clients N] [--seconds S] [--workers W]

    It starts its own stack with the test harness (redis-server on a free port, the
    broker, W registry workers (default 2), the gateway on a free port), adds one
    enterprise and makes a token for the province. Then, for S seconds each (default 4,
    after a 1 s warm-up, in two rounds a, b, a, b whose means are printed, so a change in
    the machine's load touches both), N concurrent clients (default 50), each in its own
    thread:
      (a) baseline: an mdp_client (DEALER, claim "province") calling enterprise.get
          through the broker, one request in flight per client;
      (b) gateway: a libcurl handle (keep-alive connection) sending
          GET /api/v1/enterprises/{code} with the bearer token, one request in flight.
    It prints requests/s of each and the ratio b/a (target >= 0.7), and exits 0 when
    every request of both succeeded.
*/
#include <czmq.h>
#include <curl/curl.h>
#include <stdatomic.h>
#include "harness.h"
#include "http_client.h"
#include "inv_rpc.h"
#include "mdp_client.h"
#include "registry.pb-c.h"

#define CODE "91140105MA0KXY8T11"
#define MAX_CLIENTS 512

typedef struct {
    const char *broker;
    const char *url;
    const char *token;
    atomic_bool go, stop, counting;
    atomic_long done, failed;
} run_t;

static void *
s_mdp_client (void *arg)
{
    run_t *run = (run_t *) arg;
    mdp_client_t *client = mdp_client_new (run->broker, "province");
    mdp_client_set_timeout (client, 10000);
    mdp_client_set_retries (client, 1);
    Innov__GetEnterpriseRequest request = INNOV__GET_ENTERPRISE_REQUEST__INIT;
    request.credit_code = CODE;
    while (!atomic_load (&run->go))
        zclock_sleep (1);
    while (!atomic_load (&run->stop)) {
        ProtobufCMessage *reply = NULL;
        int code = inv_rpc_call (client, "registry", "enterprise.get", &request.base,
                                 &innov__enterprise_reply__descriptor, &reply, NULL);
        if (reply)
            protobuf_c_message_free_unpacked (reply, NULL);
        if (atomic_load (&run->counting))
            atomic_fetch_add (code == 200? &run->done: &run->failed, 1);
    }
    mdp_client_destroy (&client);
    return NULL;
}

static size_t
s_discard (char *data, size_t size, size_t count, void *arg)
{
    (void) data;
    (void) arg;
    return size * count;
}

static void *
s_http_client (void *arg)
{
    run_t *run = (run_t *) arg;
    CURL *curl = curl_easy_init ();
    char auth [256];
    snprintf (auth, sizeof auth, "Authorization: Bearer %s", run->token);
    struct curl_slist *headers = curl_slist_append (NULL, auth);
    curl_easy_setopt (curl, CURLOPT_URL, run->url);
    curl_easy_setopt (curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, s_discard);
    curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt (curl, CURLOPT_TCP_NODELAY, 1L);
    while (!atomic_load (&run->go))
        zclock_sleep (1);
    while (!atomic_load (&run->stop)) {
        long status = 0;
        CURLcode rc = curl_easy_perform (curl);
        curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
        if (atomic_load (&run->counting))
            atomic_fetch_add (rc == CURLE_OK && status == 200? &run->done: &run->failed, 1);
    }
    curl_slist_free_all (headers);
    curl_easy_cleanup (curl);
    return NULL;
}

/* Runs `clients` threads of fn for warm-up + seconds; returns requests/s. */
static double
s_measure (run_t *run, void *(*fn) (void *), int clients, int seconds)
{
    pthread_t threads [MAX_CLIENTS];
    atomic_store (&run->go, false);
    atomic_store (&run->stop, false);
    atomic_store (&run->counting, false);
    atomic_store (&run->done, 0);
    atomic_store (&run->failed, 0);
    for (int i = 0; i < clients; i++)
        pthread_create (&threads [i], NULL, fn, run);
    atomic_store (&run->go, true);
    zclock_sleep (1000);
    atomic_store (&run->counting, true);
    int64_t start = zclock_usecs ();
    zclock_sleep (seconds * 1000);
    atomic_store (&run->counting, false);
    int64_t elapsed = zclock_usecs () - start;
    atomic_store (&run->stop, true);
    for (int i = 0; i < clients; i++)
        pthread_join (threads [i], NULL);
    return atomic_load (&run->done) / (elapsed / 1e6);
}

int
main (int argc, char **argv)
{
    int clients = 50, seconds = 4, workers = 2;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp (argv [i], "--clients") == 0) clients = atoi (argv [i + 1]);
        else if (strcmp (argv [i], "--seconds") == 0) seconds = atoi (argv [i + 1]);
        else if (strcmp (argv [i], "--workers") == 0) workers = atoi (argv [i + 1]);
        else {
            fprintf (stderr, "usage: bench-gateway [--clients N] [--seconds S] [--workers W]\n");
            return 2;
        }
    }
    if (clients < 1 || clients > MAX_CLIENTS || seconds < 1 || workers < 1) {
        fprintf (stderr, "bench-gateway: clients 1..%d, seconds >= 1, workers >= 1\n", MAX_CLIENTS);
        return 2;
    }
    curl_global_init (CURL_GLOBAL_DEFAULT);
    harness_t *h = harness_new_stack ("registry", workers);
    if (!h) {
        fprintf (stderr, "bench-gateway: the stack did not start\n");
        return 1;
    }
    int port = harness_free_port ();
    char http [64], base [96], url [192];
    snprintf (http, sizeof http, "127.0.0.1:%d", port);
    snprintf (base, sizeof base, "http://127.0.0.1:%d", port);
    snprintf (url, sizeof url, "%s/api/v1/enterprises/" CODE, base);
    harness_setenv (h, "INNOV_HTTP", http);
    if (harness_start_service (h, "gateway") < 0) {
        fprintf (stderr, "bench-gateway: the gateway did not start\n");
        harness_destroy (&h);
        return 1;
    }
    char *token = NULL;
    if (harness_ctl (h, &token, NULL, "token", "create", "--principal", "province", NULL) != 0 || !token) {
        fprintf (stderr, "bench-gateway: no token\n");
        harness_destroy (&h);
        return 1;
    }
    token [strcspn (token, "\n")] = '\0';
    char add [256];
    snprintf (add, sizeof add, "%s/api/v1/enterprises", base);
    http_reply_t reply;
    const char *body = "{\"creditCode\":\"" CODE "\",\"name\":\"太原示例机械有限公司\",\"county\":\"140105\","
                       "\"industry\":\"3311\",\"department\":\"gxt\"}";
    http_request (&reply, "POST", add, token, body, strlen (body), NULL);
    if (reply.status != 200) {
        fprintf (stderr, "bench-gateway: adding the enterprise: %ld %s\n", reply.status, reply.body);
        http_reply_clear (&reply);
        harness_destroy (&h);
        return 1;
    }
    http_reply_clear (&reply);

    run_t run = { .broker = harness_broker (h), .url = url, .token = token };
    printf ("bench-gateway: %d clients, %d s each, %d registry workers, one gateway\n", clients, seconds, workers);
    /* a, b, a, b: the machine is shared, so each figure is the mean of two rounds taken
       alternately, and a drift of the load touches both alike */
    double mdp = 0, gw = 0;
    long mdp_failed = 0, gw_failed = 0;
    for (int round = 0; round < 2; round++) {
        mdp += s_measure (&run, s_mdp_client, clients, seconds) / 2;
        mdp_failed += atomic_load (&run.failed);
        gw += s_measure (&run, s_http_client, clients, seconds) / 2;
        gw_failed += atomic_load (&run.failed);
    }
    printf ("  (a) enterprise.get through the broker (MDP clients)  %10.0f req/s  (%ld failed)\n", mdp, mdp_failed);
    printf ("  (b) GET /api/v1/enterprises/{code} through the gateway %8.0f req/s  (%ld failed)\n", gw, gw_failed);
    printf ("  ratio b/a = %.2f (target >= 0.7)\n", mdp > 0? gw / mdp: 0);
    free (token);
    harness_destroy (&h);
    curl_global_cleanup ();
    return mdp_failed || gw_failed? 1: 0;
}
