/*  test_config: settings from defaults, environment and flags; the precedence flag >
    environment > default; positional arguments and the program's own flags; every kind
    of bad value refused with the flag or variable named; and the documentation table
    in docs/configuration.md matching the code's. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>
#include <czmq.h>
#include <valgrind/valgrind.h>
#include "inv_config.h"
#include "inv_clock.h"
#include "inv_log.h"

static const char *s_vars [] = {
    "INNOV_REDIS", "INNOV_BROKER", "INNOV_BROKER_BIND", "INNOV_EVENTS", "INNOV_EVENTS_BIND",
    "INNOV_PROVINCE", "INNOV_AS", "INNOV_CURVE_CERT", "INNOV_CURVE_SERVER", "INNOV_CURVE_CLIENTS",
    "INNOV_CLOCK", "INNOV_LOG_LEVEL", "INNOV_HEARTBEAT_MS", "INNOV_LIVENESS", "INNOV_TIMEOUT_MS",
    "INNOV_RETRIES", "INNOV_UNKNOWN_SERVICE_MS", "INNOV_MAX_REQUEST_BYTES", "INNOV_TEST_MODE", NULL
};

static int
s_clear_env (void **state)
{
    (void) state;
    for (int i = 0; s_vars [i]; i++)
        unsetenv (s_vars [i]);
    return 0;
}

/* Load from a NULL-terminated list of arguments (copied into args, which must hold
   them); returns the load's result. */
#define MAX_ARGS 16
typedef struct {
    char *argv [MAX_ARGS + 1];
    int argc;
    char err [256];
    inv_config_t cfg;
} run_t;

static int
s_load (run_t *run, ...)
{
    memset (run, 0, sizeof *run);
    run->argv [run->argc++] = "prog";
    va_list args;
    va_start (args, run);
    char *arg;
    while ((arg = va_arg (args, char *)) && run->argc < MAX_ARGS)
        run->argv [run->argc++] = arg;
    va_end (args);
    return inv_config_load (&run->cfg, run->argc, run->argv, run->err, sizeof run->err);
}

/* The broker and event endpoints (to connect, to bind), the province and the principal. */
static void
s_assert_endpoints (const inv_config_t *cfg, const char *broker, const char *broker_bind,
                    const char *events, const char *events_bind, const char *province,
                    const char *principal)
{
    assert_string_equal (cfg->broker, broker);
    assert_string_equal (cfg->broker_bind, broker_bind);
    assert_string_equal (cfg->events, events);
    assert_string_equal (cfg->events_bind, events_bind);
    assert_string_equal (cfg->province, province);
    assert_string_equal (cfg->principal, principal);
}

static void
test_defaults (void **state)
{
    (void) state;
    run_t run;
    assert_int_equal (s_load (&run, NULL), 0);
    inv_config_t *cfg = &run.cfg;
    assert_string_equal (cfg->redis, "127.0.0.1:7712");
    s_assert_endpoints (cfg, "tcp://127.0.0.1:7710", "tcp://127.0.0.1:7710",
                        "tcp://127.0.0.1:7711", "tcp://127.0.0.1:7711", "14", "");
    assert_null (cfg->curve_cert);
    assert_null (cfg->curve_server);
    assert_null (cfg->curve_clients);
    assert_null (cfg->clock);
    assert_string_equal (cfg->log_level, "info");
    assert_int_equal (cfg->heartbeat_ms, 2500);
    assert_int_equal (cfg->liveness, 3);
    assert_int_equal (cfg->timeout_ms, 5000);
    assert_int_equal (cfg->retries, 3);
    assert_int_equal (cfg->unknown_service_ms, 3000);
    assert_int_equal (cfg->max_request_bytes, 1048576);
    assert_false (cfg->test_mode);
    assert_false (cfg->json);
    assert_false (cfg->help);
    assert_int_equal (cfg->argc, 0);
    assert_string_equal (run.err, "");
}

static void
test_precedence (void **state)
{
    (void) state;
    run_t run;
    setenv ("INNOV_REDIS", "10.0.0.5:6380", 1);
    setenv ("INNOV_TIMEOUT_MS", "900", 1);
    setenv ("INNOV_TEST_MODE", "1", 1);
    /* environment beats the default */
    assert_int_equal (s_load (&run, NULL), 0);
    assert_string_equal (run.cfg.redis, "10.0.0.5:6380");
    assert_int_equal (run.cfg.timeout_ms, 900);
    assert_true (run.cfg.test_mode);
    /* a flag beats the environment, in both forms */
    assert_int_equal (s_load (&run, "--redis=/run/redis.sock", "--timeout-ms", "1200",
                              "--test-mode=off", NULL), 0);
    assert_string_equal (run.cfg.redis, "/run/redis.sock");
    assert_int_equal (run.cfg.timeout_ms, 1200);
    assert_false (run.cfg.test_mode);
    /* the last flag wins */
    assert_int_equal (s_load (&run, "--retries=2", "--retries=5", NULL), 0);
    assert_int_equal (run.cfg.retries, 5);
    s_clear_env (NULL);
}

static void
test_every_flag (void **state)
{
    (void) state;
    run_t run;
    assert_int_equal (s_load (&run, "--broker", "ipc:///tmp/b", "--bind=tcp://*:1,ipc:///tmp/b",
                              "--events=tcp://10.1.1.1:9", "--events-bind", "tcp://*:9",
                              "--province=61", "--as=city:140100", "--clock=2026-01-06T09:00",
                              "--log-level=debug", "--heartbeat-ms=100", "--liveness=5",
                              "--unknown-service-ms=0", "--max-request-bytes=4096", "--json", NULL), 0);
    inv_config_t *cfg = &run.cfg;
    s_assert_endpoints (cfg, "ipc:///tmp/b", "tcp://*:1,ipc:///tmp/b",
                        "tcp://10.1.1.1:9", "tcp://*:9", "61", "city:140100");
    assert_string_equal (cfg->clock, "2026-01-06T09:00");
    assert_string_equal (cfg->log_level, "debug");
    assert_int_equal (cfg->heartbeat_ms, 100);
    assert_int_equal (cfg->liveness, 5);
    assert_int_equal (cfg->unknown_service_ms, 0);
    assert_int_equal (cfg->max_request_bytes, 4096);
    assert_true (cfg->json);
    assert_int_equal (cfg->argc, 0);
}

static void
test_positional_and_program_flags (void **state)
{
    (void) state;
    run_t run;
    assert_int_equal (s_load (&run, "--redis=127.0.0.1:1", "enterprise", "list", "--city", "140100",
                              "--json", "--timeout-ms=50", "-v", NULL), 0);
    assert_true (run.cfg.json);
    assert_int_equal (run.cfg.timeout_ms, 50);
    assert_int_equal (run.cfg.argc, 5);
    assert_string_equal (run.cfg.argv [0], "enterprise");
    assert_string_equal (run.cfg.argv [1], "list");
    assert_string_equal (run.cfg.argv [2], "--city");
    assert_string_equal (run.cfg.argv [3], "140100");
    assert_string_equal (run.cfg.argv [4], "-v");
    assert_null (run.cfg.argv [5]);
    /* "--" ends the flags; "-" alone is positional */
    assert_int_equal (s_load (&run, "import", "-", "--", "--json", NULL), 0);
    assert_false (run.cfg.json);
    assert_int_equal (run.cfg.argc, 3);
    assert_string_equal (run.cfg.argv [1], "-");
    assert_string_equal (run.cfg.argv [2], "--json");
    /* help anywhere, not passed on */
    assert_int_equal (s_load (&run, "enterprise", "--help", NULL), 0);
    assert_true (run.cfg.help);
    assert_int_equal (run.cfg.argc, 1);
    assert_int_equal (s_load (&run, "-h", NULL), 0);
    assert_true (run.cfg.help);
}

/* The load fails and the reason contains every one of the given words. */
static void
s_refused (run_t *run, const char *word1, const char *word2)
{
    if (strstr (run->err, word1) == NULL || (word2 && strstr (run->err, word2) == NULL))
        fail_msg ("reason \"%s\" should mention \"%s\" and \"%s\"", run->err, word1, word2? word2: "");
}

static void
test_bad_flags (void **state)
{
    (void) state;
    run_t run;
    assert_int_equal (s_load (&run, "--city=140100", "enterprise", NULL), -1);
    s_refused (&run, "--city", "unknown");
    assert_int_equal (s_load (&run, "-x", NULL), -1);
    s_refused (&run, "-x", "unknown");
    assert_int_equal (s_load (&run, "--heartbeat-ms=fast", NULL), -1);
    s_refused (&run, "--heartbeat-ms", "not a whole number");
    assert_int_equal (s_load (&run, "--heartbeat-ms", "12x", NULL), -1);
    s_refused (&run, "--heartbeat-ms", "\"12x\"");
    assert_int_equal (s_load (&run, "--liveness=0", NULL), -1);
    s_refused (&run, "--liveness", "out of range");
    assert_int_equal (s_load (&run, "--retries=99999999999999999999", NULL), -1);
    s_refused (&run, "--retries", NULL);
    assert_int_equal (s_load (&run, "--timeout-ms", NULL), -1);
    s_refused (&run, "--timeout-ms", "needs a value");
    assert_int_equal (s_load (&run, "--redis=localhost", NULL), -1);
    s_refused (&run, "--redis", "host:port");
    assert_int_equal (s_load (&run, "--redis=localhost:99999", NULL), -1);
    s_refused (&run, "--redis", "port");
    assert_int_equal (s_load (&run, "--broker=localhost:7710", NULL), -1);
    s_refused (&run, "--broker", "endpoint");
    assert_int_equal (s_load (&run, "--broker=tcp://a:1,localhost:7710", NULL), -1);
    s_refused (&run, "--broker", "endpoint");
    assert_int_equal (s_load (&run, "--bind=tcp://*:1,", NULL), -1);
    s_refused (&run, "--bind", "endpoints");
    assert_int_equal (s_load (&run, "--province=1", NULL), -1);
    s_refused (&run, "--province", "province code");
    assert_int_equal (s_load (&run, "--as=city: 140100", NULL), -1);
    s_refused (&run, "--as", "space");
    assert_int_equal (s_load (&run, "--clock=2026-02-30", NULL), -1);
    s_refused (&run, "--clock", "not an instant");
    assert_int_equal (s_load (&run, "--log-level=loud", NULL), -1);
    s_refused (&run, "--log-level", "log level");
    assert_int_equal (s_load (&run, "--test-mode=maybe", NULL), -1);
    s_refused (&run, "--test-mode", "switch");
    assert_int_equal (s_load (&run, "--curve-cert=/nonexistent/cert", NULL), -1);
    s_refused (&run, "--curve-cert", "cannot read");
    assert_int_equal (s_load (&run, "--curve-server=short", NULL), -1);
    s_refused (&run, "--curve-server", "Z85");
    assert_int_equal (s_load (&run, "--curve-clients=/nonexistent/dir", NULL), -1);
    s_refused (&run, "--curve-clients", "not a directory");
    assert_int_equal (s_load (&run, "--redis=sentinel://10.0.0.1:26379", NULL), -1);
    s_refused (&run, "--redis", "sentinel://NAME@");
    assert_int_equal (s_load (&run, "--redis=sentinel://innov@10.0.0.1:26379,10.0.0.2", NULL), -1);
    s_refused (&run, "--redis", "sentinel://NAME@");
    /* good values of the same kinds */
    assert_int_equal (s_load (&run, "--redis=sentinel://innov@10.0.0.1:26379,10.0.0.2:26379",
                              "--broker=tcp://10.0.0.1:7710,tcp://10.0.0.2:7710", NULL), 0);
    assert_string_equal (run.cfg.broker, "tcp://10.0.0.1:7710,tcp://10.0.0.2:7710");
    assert_int_equal (s_load (&run, "--curve-server=rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7",
                              "--curve-clients=/tmp", NULL), 0);
    assert_string_equal (run.cfg.curve_server, "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7");
    assert_string_equal (run.cfg.curve_clients, "/tmp");
    /* an empty optional value means unset */
    assert_int_equal (s_load (&run, "--clock=", NULL), 0);
    assert_null (run.cfg.clock);
}

static void
test_bad_environment (void **state)
{
    (void) state;
    run_t run;
    setenv ("INNOV_LIVENESS", "three", 1);
    assert_int_equal (s_load (&run, NULL), -1);
    s_refused (&run, "INNOV_LIVENESS", "not a whole number");
    /* checked even when a flag would override it */
    assert_int_equal (s_load (&run, "--liveness=3", NULL), -1);
    s_refused (&run, "INNOV_LIVENESS", NULL);
    s_clear_env (NULL);
    setenv ("INNOV_MAX_REQUEST_BYTES", "1", 1);
    assert_int_equal (s_load (&run, NULL), -1);
    s_refused (&run, "INNOV_MAX_REQUEST_BYTES", "out of range");
    s_clear_env (NULL);
    setenv ("INNOV_TEST_MODE", "yes please", 1);
    assert_int_equal (s_load (&run, NULL), -1);
    s_refused (&run, "INNOV_TEST_MODE", NULL);
    s_clear_env (NULL);
}

static void
test_apply (void **state)
{
    (void) state;
    run_t run;
    assert_int_equal (s_load (&run, "--clock=2026-01-06T09:00", "--log-level=error", NULL), 0);
    inv_config_apply (&run.cfg);
    assert_true (inv_clock_is_set ());
    int64_t now = inv_clock_now_ms ();
    assert_true (now >= 1767661200000LL && now < 1767661200000LL + 60000);
    inv_clock_reset ();
    inv_log_set_level (INV_LOG_INFO);
}

/* A program whose threads make their first sockets at the same moment must not
   trip czmq's lazy set-up (an assertion in zsys_init, about one run in 150 without
   the set-up in inv_config_apply). Each try is a fresh child process, since czmq's
   state is per process; this test runs before anything here touches czmq. Under
   valgrind, which runs one thread at a time, the race cannot happen and a few tries
   check only that the children exit cleanly. */
static void *
s_first_socket (void *arg)
{
    (void) arg;
    zsock_t *sock = zsock_new (ZMQ_DEALER);
    zsock_destroy (&sock);
    return NULL;
}

static void
test_apply_sets_up_czmq_for_threads (void **state)
{
    (void) state;
    int failed = 0, attempts = RUNNING_ON_VALGRIND? 3: 300;
    for (int attempt = 0; attempt < attempts; attempt++) {
        pid_t pid = fork ();
        assert_true (pid >= 0);
        if (pid == 0) {
            run_t run;
            if (s_load (&run, NULL))
                _exit (3);
            inv_config_apply (&run.cfg);
            pthread_t threads [8];
            for (int i = 0; i < 8; i++)
                pthread_create (&threads [i], NULL, s_first_socket, NULL);
            for (int i = 0; i < 8; i++)
                pthread_join (threads [i], NULL);
            exit (0);
        }
        int status = 0;
        assert_int_equal (waitpid (pid, &status, 0), pid);
        if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
            failed++;
    }
    assert_int_equal (failed, 0);
}

static char *
s_print_table (bool markdown)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    inv_config_print_table (out, markdown);
    fclose (out);
    return text;
}

static void
test_table_lists_every_setting (void **state)
{
    (void) state;
    char *plain = s_print_table (false);
    char *markdown = s_print_table (true);
    static const char *flags [] = {
        "--redis=", "--broker=", "--bind=", "--events=", "--events-bind=", "--province=", "--as=",
        "--curve-cert=", "--curve-server=", "--curve-clients=", "--clock=", "--log-level=",
        "--heartbeat-ms=", "--liveness=", "--timeout-ms=", "--retries=", "--unknown-service-ms=",
        "--max-request-bytes=", "--test-mode", "--json", NULL
    };
    for (int i = 0; flags [i]; i++) {
        assert_non_null (strstr (plain, flags [i]));
        assert_non_null (strstr (markdown, flags [i]));
    }
    for (int i = 0; s_vars [i]; i++) {
        assert_non_null (strstr (plain, s_vars [i]));
        assert_non_null (strstr (markdown, s_vars [i]));
    }
    assert_non_null (strstr (markdown, "| `--redis=ADDR` | `INNOV_REDIS` | `127.0.0.1:7712` |"));
    free (plain);
    free (markdown);
}

/* docs/configuration.md carries the markdown table verbatim, between two markers. */
static void
test_docs_match_table (void **state)
{
    (void) state;
    FILE *file = fopen ("docs/configuration.md", "r");
    if (!file) {
        print_message ("docs/configuration.md not found from here (run from the source root)\n");
        skip ();
    }
    char *doc = NULL;
    size_t size = 0;
    FILE *mem = open_memstream (&doc, &size);
    char buffer [4096];
    size_t n;
    while ((n = fread (buffer, 1, sizeof buffer, file)) > 0)
        fwrite (buffer, 1, n, mem);
    fclose (mem);
    fclose (file);
    const char *begin_mark = "<!-- settings table: begin -->\n";
    const char *begin = strstr (doc, begin_mark);
    const char *end = strstr (doc, "<!-- settings table: end -->");
    assert_non_null (begin);
    assert_non_null (end);
    begin += strlen (begin_mark);
    assert_true (end > begin);
    char *table = s_print_table (true);
    if (strlen (table) != (size_t) (end - begin) || memcmp (table, begin, strlen (table)) != 0)
        fail_msg ("docs/configuration.md is out of date; its table must read:\n%s", table);
    free (table);
    free (doc);
}

int
main (void)
{
    inv_log_set_level (INV_LOG_ERROR);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup (test_apply_sets_up_czmq_for_threads, s_clear_env),
        cmocka_unit_test_setup (test_defaults, s_clear_env),
        cmocka_unit_test_setup (test_precedence, s_clear_env),
        cmocka_unit_test_setup (test_every_flag, s_clear_env),
        cmocka_unit_test_setup (test_positional_and_program_flags, s_clear_env),
        cmocka_unit_test_setup (test_bad_flags, s_clear_env),
        cmocka_unit_test_setup (test_bad_environment, s_clear_env),
        cmocka_unit_test_setup (test_apply, s_clear_env),
        cmocka_unit_test (test_table_lists_every_setting),
        cmocka_unit_test (test_docs_match_table),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
