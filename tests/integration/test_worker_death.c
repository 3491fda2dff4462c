/*  test_worker_death: a worker killed (SIGKILL) in the middle of a request.

    Workers are separate processes: this binary started again with "--worker", so a
    SIGKILL is a real crash (no DISCONNECT, no goodbye) and the broker can learn of it
    only by missed heartbeats. A "hang" worker takes its request, leaves a marker file
    so the test knows it has it, and never answers; an "answer" worker replies
    [Status 200 "<name>"]. The broker runs with 200 ms heartbeats, liveness 3 and a
    1 s wait for services without workers.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include <signal.h>
#include <unistd.h>
#include "stack.h"
#include "mdp_client.h"
#include "mdp_worker.h"
#include "inv_log.h"
#include "inv_rpc.h"

static char s_self [1024];      /* path of this binary, for the worker processes */

/* ---- the worker process ------------------------------------------------------------ */

/*  argv: --worker ENDPOINT SERVICE NAME MODE MARKER */
static int
s_worker_main (char **argv)
{
    const char *endpoint = argv [2], *service = argv [3], *name = argv [4];
    const char *mode = argv [5], *marker = argv [6];
    inv_log_init (name);
    mdp_worker_t *worker = mdp_worker_new (endpoint, service);
    if (!worker)
        return 1;
    const char *heartbeat = getenv ("INNOV_HEARTBEAT_MS");
    if (heartbeat)
        mdp_worker_set_heartbeat (worker, atoi (heartbeat));
    while (!zsys_interrupted) {
        zframe_t *reply_to;
        zmsg_t *body = mdp_worker_recv (worker, &reply_to, 200);
        if (!body)
            continue;
        if (streq (mode, "hang")) {
            FILE *file = fopen (marker, "w");
            if (file)
                fclose (file);
            inv_info ("%s has the request and will not answer", name);
            while (!zsys_interrupted)
                zclock_sleep (50);
        }
        else {
            zmsg_t *reply = inv_rpc_status_msg (200, name, NULL);
            mdp_worker_send_final (worker, &reply, reply_to);
        }
        zmsg_destroy (&body);
        zframe_destroy (&reply_to);
    }
    mdp_worker_destroy (&worker);
    return 0;
}

/* ---- helpers ----------------------------------------------------------------------- */

static pid_t
s_start_worker (harness_t *h, const char *name, const char *mode, char *marker, size_t size)
{
    snprintf (marker, size, "%s/%s.has-request", harness_dir (h), name);
    pid_t pid = harness_spawn (h, s_self, "--worker", harness_broker (h), "slow", name, mode,
                               marker, NULL);
    assert_true (pid > 0);
    return pid;
}

static void
s_wait_file (const char *path)
{
    int64_t deadline = zclock_mono () + 10000;
    while (access (path, F_OK) != 0 && zclock_mono () < deadline)
        zclock_sleep (10);
    assert_int_equal (access (path, F_OK), 0);
}

static mdp_client_t *
s_send_request (harness_t *h)
{
    mdp_client_t *client = mdp_client_new (harness_broker (h), "province");
    assert_non_null (client);
    zmsg_t *body = zmsg_new ();
    zmsg_addstr (body, "slow.work");
    zmsg_addmem (body, NULL, 0);
    assert_int_equal (mdp_client_send (client, "slow", &body), 0);
    return client;
}

/*  Wait for the FINAL; returns its status code and message. */
static int
s_final_status (mdp_client_t *client, char *message, size_t size)
{
    int final = 0;
    zmsg_t *reply = mdp_client_recv (client, &final, 15000);
    assert_non_null (reply);            //  an answer, never a hang
    assert_true (final);
    zframe_t *frame = zmsg_first (reply);
    assert_non_null (frame);
    Innov__Status *status = innov__status__unpack (NULL, zframe_size (frame), zframe_data (frame));
    assert_non_null (status);
    int code = status->code;
    snprintf (message, size, "%s", status->message);
    innov__status__free_unpacked (status, NULL);
    zmsg_destroy (&reply);
    return code;
}

/* ---- fixture ----------------------------------------------------------------------- */

static int
setup (void **state)
{
    *state = stack_new ("INNOV_HEARTBEAT_MS=200 INNOV_LIVENESS=3 INNOV_UNKNOWN_SERVICE_MS=1000", "broker", NULL);
    return *state? 0: -1;
}

/* ---- tests ------------------------------------------------------------------------- */

/*  The worker holding the request is killed; the other worker answers it. */
static void
test_killed_worker_other_answers (void **state)
{
    harness_t *h = (harness_t *) *state;
    char victim_marker [512], other_marker [512];
    pid_t victim = s_start_worker (h, "victim", "hang", victim_marker, sizeof victim_marker);
    assert_true (harness_wait_service (h, "slow", 1, 10000));
    s_start_worker (h, "survivor", "answer", other_marker, sizeof other_marker);
    assert_true (harness_wait_service (h, "slow", 2, 10000));

    //  The victim registered first, so it is the least recently used: it gets the request.
    mdp_client_t *client = s_send_request (h);
    s_wait_file (victim_marker);
    harness_kill (h, victim, SIGKILL);

    char message [256];
    assert_int_equal (s_final_status (client, message, sizeof message), 200);
    assert_string_equal (message, "survivor");
    mdp_client_destroy (&client);
}

/*  The only worker is killed: the client hears a clear 503, not silence. */
static void
test_only_worker_killed_503 (void **state)
{
    harness_t *h = (harness_t *) *state;
    char marker [512];
    pid_t victim = s_start_worker (h, "victim", "hang", marker, sizeof marker);
    assert_true (harness_wait_service (h, "slow", 1, 10000));
    mdp_client_t *client = s_send_request (h);
    s_wait_file (marker);
    harness_kill (h, victim, SIGKILL);

    char message [256];
    assert_int_equal (s_final_status (client, message, sizeof message), 503);
    assert_non_null (strstr (message, "slow"));
    assert_non_null (strstr (message, "died"));
    mdp_client_destroy (&client);
}

/*  Both workers die on the same request: it is retried once, then answered 503. */
static void
test_two_deaths_503 (void **state)
{
    harness_t *h = (harness_t *) *state;
    char first_marker [512], second_marker [512];
    pid_t first = s_start_worker (h, "first", "hang", first_marker, sizeof first_marker);
    assert_true (harness_wait_service (h, "slow", 1, 10000));
    pid_t second = s_start_worker (h, "second", "hang", second_marker, sizeof second_marker);
    assert_true (harness_wait_service (h, "slow", 2, 10000));

    mdp_client_t *client = s_send_request (h);
    s_wait_file (first_marker);
    harness_kill (h, first, SIGKILL);
    s_wait_file (second_marker);            //  re-queued to the other worker
    harness_kill (h, second, SIGKILL);

    char message [256];
    assert_int_equal (s_final_status (client, message, sizeof message), 503);
    assert_non_null (strstr (message, "second time"));
    mdp_client_destroy (&client);
}

int
main (int argc, char **argv)
{
    if (argc >= 7 && streq (argv [1], "--worker"))
        return s_worker_main (argv);
    ssize_t size = readlink ("/proc/self/exe", s_self, sizeof s_self - 1);
    if (size <= 0)
        return 1;
    s_self [size] = 0;
    inv_log_init ("test_worker_death");
    inv_log_set_level (INV_LOG_WARN);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_killed_worker_other_answers, setup, stack_down),
        cmocka_unit_test_setup_teardown (test_only_worker_killed_503, setup, stack_down),
        cmocka_unit_test_setup_teardown (test_two_deaths_503, setup, stack_down),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
