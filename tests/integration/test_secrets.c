/*  test_secrets: secret keys never leave their files.

    A stack where every TCP link uses CURVE: keys made with `innovctl keygen` for the
    broker, the registry, notify and an agency client; the broker binds its requests
    endpoint with CURVE (and an ipc:// endpoint with NULL security that only this
    machine can reach, which the harness uses to see that the processes are up). The
    client writes and reads through the CURVE endpoint, a wrong key is refused, and
    then every log file of the run and every field of every event in the stream are
    searched for each secret key (Z85 text): none may appear. The secret files must
    be mode 0600.

    Bearer tokens: a second run creates a token with `innovctl token create`, uses it
    over HTTP, revokes it, and then looks for the token and for its SHA-256 (what the
    gateway stores) in every log and in the event stream; the token itself must not be
    stored in Redis either.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sodium.h>
#include "harness.h"
#include "http_client.h"
#include "inv_json.h"
#include "registry_fixture.h"

static char s_keys [512];

static void
s_keygen (harness_t *h, const char *principal, const char *name)
{
    char path [600];
    snprintf (path, sizeof path, "%s/%s", s_keys, name);
    assert_int_equal (harness_ctl (h, NULL, NULL, "keygen", "--principal", principal, path, NULL), 0);
}

/* The secret key (Z85) of NAME_secret; also checks the file's mode. */
static char *
s_secret_of (const char *name)
{
    char path [600];
    snprintf (path, sizeof path, "%s/%s_secret", s_keys, name);
    struct stat st;
    assert_int_equal (stat (path, &st), 0);
    assert_int_equal (st.st_mode & 0777, 0600);
    zcert_t *cert = zcert_load (path);
    assert_non_null (cert);
    char *secret = strdup (zcert_secret_txt (cert));
    zcert_destroy (&cert);
    return secret;
}

/* How many files of the directory mention the text. */
static int
s_logs_mentioning (const char *dir, const char *text, int *files)
{
    DIR *d = opendir (dir);
    assert_non_null (d);
    int hits = 0;
    struct dirent *entry;
    while ((entry = readdir (d))) {
        size_t len = strlen (entry->d_name);
        if (len < 5 || strcmp (entry->d_name + len - 4, ".log") != 0)
            continue;
        char path [1024];
        snprintf (path, sizeof path, "%s/%s", dir, entry->d_name);
        char *content = harness_read (path);
        if (content && strstr (content, text))
            hits++;
        (*files)++;
        free (content);
    }
    closedir (d);
    return hits;
}

static void
test_secrets_stay_secret (void **state)
{
    (void) state;
    harness_t *h = harness_new ();
    assert_non_null (h);
    snprintf (s_keys, sizeof s_keys, "%s/keys", harness_dir (h));
    char clients [600];
    snprintf (clients, sizeof clients, "%s/clients", s_keys);
    assert_int_equal (zsys_dir_create ("%s", clients), 0);
    s_keygen (h, "service:broker", "broker");
    s_keygen (h, "service:registry", "registry");
    s_keygen (h, "service:notify", "notify");
    s_keygen (h, "city:140100", "taiyuan");
    s_keygen (h, "city:140200", "stranger");                 /* not admitted */
    const char *admitted [] = { "registry", "notify", "taiyuan" };
    for (size_t i = 0; i < 3; i++) {
        char from [700], to [700];
        snprintf (from, sizeof from, "%s/%s", s_keys, admitted [i]);
        snprintf (to, sizeof to, "%s/%s", clients, admitted [i]);
        char *content = harness_read (from);
        assert_non_null (content);
        FILE *file = fopen (to, "w");
        assert_non_null (file);
        fputs (content, file);
        fclose (file);
        free (content);
    }

    assert_true (harness_start_redis (h) > 0);
    char ipc [600], tcp [64], events [64], bind [700], path [700];
    snprintf (ipc, sizeof ipc, "ipc://%s/broker.ipc", harness_dir (h));
    snprintf (tcp, sizeof tcp, "tcp://127.0.0.1:%d", harness_free_port ());
    snprintf (events, sizeof events, "tcp://127.0.0.1:%d", harness_free_port ());
    snprintf (bind, sizeof bind, "%s,%s", ipc, tcp);
    snprintf (path, sizeof path, "%s/broker_secret", s_keys);
    harness_setenv (h, "INNOV_CURVE_CERT", path);
    harness_setenv (h, "INNOV_CURVE_CLIENTS", clients);
    harness_setenv (h, "INNOV_LOG_LEVEL", "debug");
    assert_true (harness_start_broker_at (h, bind, events) > 0);

    //  The services and the client: CURVE over tcp, with the broker's public key.
    snprintf (path, sizeof path, "%s/broker", s_keys);
    harness_setenv (h, "INNOV_CURVE_SERVER", path);
    harness_setenv (h, "INNOV_BROKER", tcp);
    harness_setenv (h, "INNOV_EVENTS", events);
    const char *services [] = { "registry", "notify" };
    for (size_t i = 0; i < 2; i++) {
        snprintf (path, sizeof path, "%s/%s_secret", s_keys, services [i]);
        harness_setenv (h, "INNOV_CURVE_CERT", path);
        harness_spawn (h, harness_bin (services [i]), NULL);
        assert_true (harness_wait_service_at (h, ipc, services [i], 1, 10000));
    }
    snprintf (path, sizeof path, "%s/taiyuan_secret", s_keys);
    harness_setenv (h, "INNOV_CURVE_CERT", path);
    harness_setenv (h, "INNOV_TIMEOUT_MS", "1500");
    harness_setenv (h, "INNOV_RETRIES", "1");
    char code [32];
    registry_fixture_code (777, code);
    char *out = NULL, *err = NULL;
    //  The certificate says city:140100; a claim of "province" is ignored over CURVE.
    int rc = harness_ctl (h, &out, &err, "--as", "province", "enterprise", "add", "--code", code,
                          "--name", "保密测试企业", "--county", "140105", "--industry", "3311",
                          "--department", "gxt", NULL);
    if (rc != 0)
        print_error ("add: %s\n", err? err: "");
    assert_int_equal (rc, 0);
    free (out);
    free (err);
    assert_int_equal (harness_ctl (h, &out, NULL, "enterprise", "get", code, NULL), 0);
    assert_non_null (strstr (out, "city:140100"));      /* created_by: the certificate's principal */
    free (out);
    //  Events come over CURVE too (replay through the broker, then the XPUB).
    assert_int_equal (harness_ctl (h, &out, NULL, "events", "tail", "--since", "0", "--topic", "enterprise.",
                                   "--count", "1", NULL), 0);
    assert_non_null (strstr (out, "enterprise.created"));
    free (out);
    //  A key the broker does not admit gets no answer at all.
    snprintf (path, sizeof path, "%s/stranger_secret", s_keys);
    harness_setenv (h, "INNOV_CURVE_CERT", path);
    assert_int_equal (harness_ctl (h, NULL, NULL, "enterprise", "get", code, NULL), 3);

    //  Every log line is written as it happens: search the logs and the stream now.
    char *stream = harness_redis_cli (h, "--raw", "XRANGE", "{14}:events", "-", "+", NULL);
    assert_non_null (stream);
    assert_non_null (strstr (stream, code));
    const char *names [] = { "broker", "registry", "notify", "taiyuan", "stranger" };
    for (size_t i = 0; i < 5; i++) {
        char *secret = s_secret_of (names [i]);
        int files = 0;
        int hits = s_logs_mentioning (harness_dir (h), secret, &files);
        assert_true (files >= 3);
        if (hits)
            fail_msg ("the secret key of %s appears in %d log file(s)", names [i], hits);
        if (strstr (stream, secret))
            fail_msg ("the secret key of %s appears in the event stream", names [i]);
        free (secret);
    }
    free (stream);
    harness_destroy (&h);
}

static void
test_tokens_stay_secret (void **state)
{
    (void) state;
    harness_t *h = harness_new ();
    assert_non_null (h);
    harness_setenv (h, "INNOV_LOG_LEVEL", "debug");
    char http [64], base [96];
    snprintf (http, sizeof http, "127.0.0.1:%d", harness_free_port ());
    snprintf (base, sizeof base, "http://%s", http);
    harness_setenv (h, "INNOV_HTTP", http);
    assert_true (harness_start_redis (h) > 0);
    assert_true (harness_start_broker (h) > 0);
    assert_true (harness_start_service (h, "registry") > 0);
    assert_true (harness_start_service (h, "gateway") > 0);

    char *out = NULL;
    assert_int_equal (harness_ctl (h, &out, NULL, "--as", "province", "token", "create",
                                   "--principal", "city:140100", "--json", NULL), 0);
    char *secret = inv_json_get (out, "token.secret");
    char *id = inv_json_get (out, "token.id");
    assert_non_null (secret);
    assert_non_null (id);
    assert_true (strlen (secret) >= 32);
    free (out);
    unsigned char digest [crypto_hash_sha256_BYTES];
    crypto_hash_sha256 (digest, (const unsigned char *) secret, strlen (secret));
    char hash [2 * crypto_hash_sha256_BYTES + 1];
    sodium_bin2hex (hash, sizeof hash, digest, sizeof digest);

    //  Use it (a read, a refused write, a bad token next to it), then revoke it.
    char url [256];
    snprintf (url, sizeof url, "%s/api/v1/enterprises?limit=1", base);
    http_reply_t r;
    assert_int_equal (http_request (&r, "GET", url, secret, NULL, 0, NULL), 200);
    http_reply_clear (&r);
    snprintf (url, sizeof url, "%s/api/v1/agencies", base);
    assert_int_equal (http_request (&r, "POST", url, secret, "{\"code\":\"x\"}", 12, NULL), 403);
    http_reply_clear (&r);
    char wrong [128];
    snprintf (wrong, sizeof wrong, "%.*sX", (int) strlen (secret) - 1, secret);
    assert_int_equal (http_request (&r, "GET", url, wrong, NULL, 0, NULL), 401);
    http_reply_clear (&r);
    assert_int_equal (harness_ctl (h, NULL, NULL, "--as", "province", "token", "revoke", id, NULL), 0);

    int files = 0;
    if (s_logs_mentioning (harness_dir (h), secret, &files))
        fail_msg ("the token appears in a log file");
    if (s_logs_mentioning (harness_dir (h), hash, &files))
        fail_msg ("the token's hash appears in a log file");
    assert_true (files >= 4);
    char *stream = harness_redis_cli (h, "--raw", "XRANGE", "{14}:events", "-", "+", NULL);
    assert_non_null (stream);
    assert_non_null (strstr (stream, "token.created"));
    assert_null (strstr (stream, secret));
    assert_null (strstr (stream, hash));
    free (stream);
    //  Redis keeps the hash (as a key name), never the token.
    char *dump = harness_redis_cli (h, "--raw", "KEYS", "*", NULL);
    assert_non_null (dump);
    assert_null (strstr (dump, secret));
    free (dump);
    free (secret);
    free (id);
    harness_destroy (&h);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_secrets_stay_secret),
        cmocka_unit_test (test_tokens_stay_secret),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
