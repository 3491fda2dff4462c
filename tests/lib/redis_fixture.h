/*  redis_fixture: a Redis of its own plus one outbox script, for unit tests of the
    store and of readers of the event streams.

        static redis_fixture_t *F;
        static int setup (void **s)    { F = redis_fixture_new ("thing", BODY); return F? 0: -1; }
        static int teardown (void **s) { redis_fixture_destroy (&F); return 0; }
        static int flush (void **s)    { return redis_fixture_flush (F); }

    A file whose fixture needs nothing more takes the cmocka hooks below, which keep
    the address of its F as the tests' state:

        static int setup (void **s)    { return redis_fixture_setup (s, &F, "thing", BODY); }
        ... cmocka_unit_test_setup (test_x, redis_fixture_test_flush) ...
        return cmocka_run_group_tests (tests, setup, redis_fixture_teardown);
*/
#ifndef REDIS_FIXTURE_H
#define REDIS_FIXTURE_H
#include <stdarg.h>
#include "harness.h"
#include "inv_redis.h"
#include "inv_config.h"

typedef struct {
    harness_t *harness;
    inv_redis_t *redis;
    inv_script_t script;        /* the body behind the outbox prelude (source NULL if none) */
    inv_config_t config;        /* a service's settings on this Redis, province "14" */
} redis_fixture_t;

/* Starts redis-server; script_body may be NULL. NULL if Redis does not start. */
redis_fixture_t *redis_fixture_new (const char *script_name, const char *script_body);
void redis_fixture_destroy (redis_fixture_t **self_p);
/* FLUSHALL; 0 on success (a cmocka per-test setup). */
int redis_fixture_flush (redis_fixture_t *self);
int redis_fixture_flushall (inv_redis_t *redis);
/* The cmocka hooks: a group setup making *self_p, a group teardown destroying it and
   a per-test setup flushing it; 0 on success. */
int redis_fixture_setup (void **state, redis_fixture_t **self_p, const char *script_name,
                         const char *script_body);
int redis_fixture_teardown (void **state);
int redis_fixture_test_flush (void **state);
/* A command's reply read as an integer (an integer reply, or a string holding one;
   anything else is 0); fails the test when Redis does not answer. Any fixture with a
   `redis` connection (this one, registry_fixture) takes the macro form. */
long long redis_fixture_redis_integer (inv_redis_t *redis, const char *fmt, ...);
#define redis_fixture_integer(self, ...) redis_fixture_redis_integer ((self)->redis, __VA_ARGS__)
#endif
