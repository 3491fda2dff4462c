/*  registry_fixture: a registry on a Redis of its own (see registry_fixture.h). The
    registry and the inspection connection both talk to the harness's redis-server;
    tests flush it between cases so each starts from an empty ledger.
*/
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <czmq.h>
#include "registry_fixture.h"
#include "redis_fixture.h"
#include "inv_valid.h"

int
registry_fixture_setup (registry_fixture_t *self)
{
    self->harness = harness_new ();
    if (!self->harness || harness_start_redis (self->harness) < 0)
        return -1;
    self->config = (inv_config_t) { .redis = harness_redis (self->harness), .province = "14" };
    self->registry = registry_new (&self->config);
    self->redis = inv_redis_new (harness_redis (self->harness));
    return self->registry && self->redis? 0: -1;
}

int
registry_fixture_teardown (registry_fixture_t *self)
{
    registry_destroy (&self->registry);
    inv_redis_destroy (&self->redis);
    harness_destroy (&self->harness);
    return 0;
}

int
registry_fixture_flush (registry_fixture_t *self)
{
    return redis_fixture_flushall (self->redis);
}

const char *
registry_fixture_code (int n, char *buf)
{
    char first17 [32];
    snprintf (first17, sizeof first17, "91140100%09d", n % 1000000000);
    assert_true (inv_credit_code_complete (first17, buf));
    return buf;
}
