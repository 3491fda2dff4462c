/*  registry_fixture: a registry of its own on a Redis of its own, for unit tests that
    call the registry's handlers directly (no sockets), plus the test's own Redis
    connection for inspecting what the handlers wrote.

        static registry_fixture_t F;
        static int group_setup (void **s)    { return registry_fixture_setup (&F); }
        static int group_teardown (void **s) { return registry_fixture_teardown (&F); }
        static int test_setup (void **s)     { return registry_fixture_flush (&F); }

    The value helpers fail the running cmocka test on a Redis error, so only test
    binaries (which link cmocka) use this file.
*/
#ifndef REGISTRY_FIXTURE_H
#define REGISTRY_FIXTURE_H
#include "harness.h"
#include "inv_redis.h"
#include "inv_config.h"
#include "redis_fixture.h"
#include "../../services/registry/registry.h"

typedef struct {
    harness_t *harness;
    registry_t *registry;           /* province "14" */
    inv_redis_t *redis;             /* the test's own connection, for inspection */
    inv_config_t config;            /* the registry's settings, for other services */
} registry_fixture_t;

/* Starts redis-server and the registry on it; 0, or -1 (a cmocka group setup). */
int registry_fixture_setup (registry_fixture_t *self);
int registry_fixture_teardown (registry_fixture_t *self);
/* FLUSHALL; 0 on success (a cmocka per-test setup). */
int registry_fixture_flush (registry_fixture_t *self);
/* An integer (or integer-text) reply of a command; 0 for another type. */
#define registry_fixture_integer(self, ...) redis_fixture_redis_integer ((self)->redis, __VA_ARGS__)
/* A valid credit code of a Taiyuan company numbered n, into buf (at least 19 bytes). */
const char *registry_fixture_code (int n, char *buf);
#endif
