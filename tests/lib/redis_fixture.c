/*  redis_fixture: see redis_fixture.h. The script source is built with the same
    inv_store_script_source every service uses, so tests run the real prelude. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>
#include "redis_fixture.h"
#include "inv_store.h"

redis_fixture_t *
redis_fixture_new (const char *script_name, const char *script_body)
{
    redis_fixture_t *self = calloc (1, sizeof (redis_fixture_t));
    if (!self)
        return NULL;
    self->harness = harness_new ();
    if (!self->harness || harness_start_redis (self->harness) < 0
    || !(self->redis = inv_redis_new (harness_redis (self->harness)))) {
        redis_fixture_destroy (&self);
        return NULL;
    }
    self->config.redis = harness_redis (self->harness);
    self->config.province = "14";
    if (script_body) {
        self->script.name = script_name;
        self->script.source = inv_store_script_source (script_body);
    }
    return self;
}

void
redis_fixture_destroy (redis_fixture_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    redis_fixture_t *self = *self_p;
    free ((char *) self->script.source);
    inv_redis_destroy (&self->redis);
    harness_destroy (&self->harness);
    free (self);
    *self_p = NULL;
}

int
redis_fixture_flushall (inv_redis_t *redis)
{
    redisReply *reply = inv_redis_command (redis, "FLUSHALL");
    if (!reply)
        return -1;
    freeReplyObject (reply);
    return 0;
}

int
redis_fixture_flush (redis_fixture_t *self)
{
    return redis_fixture_flushall (self->redis);
}

int
redis_fixture_setup (void **state, redis_fixture_t **self_p, const char *script_name,
                     const char *script_body)
{
    *self_p = redis_fixture_new (script_name, script_body);
    *state = self_p;
    return *self_p? 0: -1;
}

int
redis_fixture_teardown (void **state)
{
    redis_fixture_destroy ((redis_fixture_t **) *state);
    return 0;
}

int
redis_fixture_test_flush (void **state)
{
    return redis_fixture_flush (*(redis_fixture_t **) *state);
}

long long
redis_fixture_redis_integer (inv_redis_t *redis, const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    redisReply *reply = redisvCommand (inv_redis_context (redis), fmt, args);
    va_end (args);
    assert_non_null (reply);
    long long value = reply->type == REDIS_REPLY_INTEGER? reply->integer:
                      reply->type == REDIS_REPLY_STRING? atoll (reply->str): 0;
    freeReplyObject (reply);
    return value;
}
