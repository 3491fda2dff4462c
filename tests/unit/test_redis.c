/*  test_redis: inv_redis against a real redis-server: commands, reconnect after the
    server restarts on the same port, EVALSHA falling back to SCRIPT LOAD after the
    script cache was flushed, and pipelines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include <signal.h>
#include "harness.h"
#include "inv_redis.h"

static harness_t *H;
static char address [64];

static int
setup (void **state)
{
    (void) state;
    H = harness_new ();
    if (!H)
        return -1;
    if (harness_start_redis (H) < 0)
        return -1;
    snprintf (address, sizeof address, "%s", harness_redis (H));
    return 0;
}

static int
teardown (void **state)
{
    (void) state;
    harness_destroy (&H);
    return 0;
}

static void
test_addresses (void **state)
{
    (void) state;
    assert_null (inv_redis_new (NULL));
    assert_null (inv_redis_new (""));
    assert_null (inv_redis_new ("localhost"));
    assert_null (inv_redis_new ("localhost:notaport"));
    assert_null (inv_redis_new ("localhost:70000"));
    inv_redis_t *redis = inv_redis_new ("/nonexistent/redis.sock");
    assert_non_null (redis);                    /* well-formed, just unreachable */
    assert_false (inv_redis_connected (redis));
    assert_null (inv_redis_command (redis, "PING"));
    assert_non_null (strstr (inv_redis_last_error (redis), "/nonexistent/redis.sock"));
    inv_redis_destroy (&redis);
    inv_redis_test (false);
}

static void
test_commands (void **state)
{
    (void) state;
    inv_redis_t *redis = inv_redis_new (address);
    assert_non_null (redis);
    assert_true (inv_redis_connected (redis));
    redisReply *reply = inv_redis_command (redis, "SET %s %b", "k", "a\0b", (size_t) 3);
    assert_non_null (reply);
    freeReplyObject (reply);
    const char *argv [] = { "GET", "k" };
    reply = inv_redis_argv (redis, 2, argv, NULL);
    assert_non_null (reply);
    assert_int_equal (reply->len, 3);
    assert_memory_equal (reply->str, "a\0b", 3);
    freeReplyObject (reply);
    inv_redis_destroy (&redis);
}

static void
test_reconnect_after_restart (void **state)
{
    (void) state;
    inv_redis_t *redis = inv_redis_new (address);
    redisReply *reply = inv_redis_command (redis, "SET before restart");
    assert_non_null (reply);
    freeReplyObject (reply);

    /* restarted while idle: the next command reconnects and succeeds at once */
    harness_stop_redis (H, SIGTERM);
    assert_true (harness_start_redis (H) > 0);
    reply = inv_redis_command (redis, "PING");
    assert_non_null (reply);
    assert_int_equal (reply->type, REDIS_REPLY_STATUS);
    freeReplyObject (reply);

    /* down: NULL, and the reason; back: commands succeed again after the back-off */
    harness_stop_redis (H, SIGKILL);
    assert_null (inv_redis_command (redis, "PING"));
    assert_false (inv_redis_connected (redis));
    assert_true (strlen (inv_redis_last_error (redis)) > 0);
    assert_true (harness_start_redis (H) > 0);
    reply = NULL;
    for (int i = 0; i < 100 && !reply; i++) {
        reply = inv_redis_command (redis, "PING");
        if (!reply)
            usleep (50 * 1000);
    }
    assert_non_null (reply);
    freeReplyObject (reply);
    assert_true (inv_redis_connected (redis));
    inv_redis_destroy (&redis);
}

static void
test_noscript_fallback (void **state)
{
    (void) state;
    inv_redis_t *redis = inv_redis_new (address);
    inv_script_t script = { "echo", "return {KEYS[1], ARGV[1]}", "" };
    const char *keys [] = { "key" };
    const char *args [] = { "value" };
    for (int round = 0; round < 3; round++) {
        redisReply *reply = inv_redis_eval (redis, &script, 1, keys, NULL, 1, args, NULL);
        assert_non_null (reply);
        assert_int_equal (reply->type, REDIS_REPLY_ARRAY);
        assert_string_equal (reply->element [0]->str, "key");
        assert_string_equal (reply->element [1]->str, "value");
        freeReplyObject (reply);
        /* the server forgets every script: the next call must load it again */
        reply = inv_redis_command (redis, "SCRIPT FLUSH");
        freeReplyObject (reply);
        reply = inv_redis_command (redis, "SCRIPT EXISTS %s", script.sha);
        assert_int_equal (reply->element [0]->integer, 0);
        freeReplyObject (reply);
    }
    /* a script that does not compile is an error reply, not a crash */
    inv_script_t broken = { "broken", "return (", "" };
    redisReply *reply = inv_redis_eval (redis, &broken, 0, NULL, NULL, 0, NULL, NULL);
    assert_non_null (reply);
    assert_int_equal (reply->type, REDIS_REPLY_ERROR);
    freeReplyObject (reply);
    inv_redis_destroy (&redis);
}

static void
test_pipeline (void **state)
{
    (void) state;
    inv_redis_t *redis = inv_redis_new (address);
    inv_script_t script = { "incr", "return redis.call ('INCRBY', KEYS[1], ARGV[1])", "" };
    char value [16];
    for (int i = 0; i < 500; i++) {
        snprintf (value, sizeof value, "%d", i);
        const char *argv [] = { "RPUSH", "list", value };
        assert_int_equal (inv_redis_append_argv (redis, 3, argv, NULL), 0);
        const char *keys [] = { "counter" };
        const char *args [] = { "2" };
        assert_int_equal (inv_redis_append_eval (redis, &script, 1, keys, NULL, 1, args, NULL), 0);
    }
    for (int i = 0; i < 500; i++) {
        redisReply *reply = inv_redis_get_reply (redis);
        assert_non_null (reply);
        assert_int_equal (reply->integer, i + 1);          /* RPUSH: new length */
        freeReplyObject (reply);
        reply = inv_redis_get_reply (redis);
        assert_non_null (reply);
        assert_int_equal (reply->integer, 2 * (i + 1));    /* the script, in order */
        freeReplyObject (reply);
    }
    assert_null (inv_redis_get_reply (redis));             /* nothing pending */
    inv_redis_destroy (&redis);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_addresses),
        cmocka_unit_test (test_commands),
        cmocka_unit_test (test_reconnect_after_restart),
        cmocka_unit_test (test_noscript_fallback),
        cmocka_unit_test (test_pipeline),
    };
    return cmocka_run_group_tests (tests, setup, teardown);
}
