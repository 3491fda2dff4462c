/*  redis_fixture: a Redis of its own plus one outbox script, for unit tests of the
    store and of readers of the event streams.

        static redis_fixture_t *F;
        static int setup (void **s)    { F = redis_fixture_new ("thing", BODY); return F? 0: -1; }
        static int teardown (void **s) { redis_fixture_destroy (&F); return 0; }
        static int flush (void **s)    { return redis_fixture_flush (F); }
*/
#ifndef REDIS_FIXTURE_H
#define REDIS_FIXTURE_H
#include <stdarg.h>
#include "harness.h"
#include "inv_redis.h"

typedef struct {
    harness_t *harness;
    inv_redis_t *redis;
    inv_script_t script;        /* the body behind the outbox prelude (source NULL if none) */
} redis_fixture_t;

/* Starts redis-server; script_body may be NULL. NULL if Redis does not start. */
redis_fixture_t *redis_fixture_new (const char *script_name, const char *script_body);
void redis_fixture_destroy (redis_fixture_t **self_p);
/* FLUSHALL; 0 on success (a cmocka per-test setup). */
int redis_fixture_flush (redis_fixture_t *self);
/* A command's reply read as an integer (an integer reply, or a string holding one;
   anything else is 0); fails the test when Redis does not answer. */
long long redis_fixture_integer (redis_fixture_t *self, const char *fmt, ...);
long long redis_fixture_vinteger (inv_redis_t *redis, const char *fmt, va_list args);
#endif
