/*  gateway: the context shared by the HTTP threads and the token worker, and the
    worker's method table. See gateway.h and docs/gateway.md.
*/
#include <sodium.h>
#include "gateway_internal.h"
#include "inv_store.h"

extern const char gateway_lua_gateway_token_create [];
extern const char gateway_lua_gateway_token_revoke [];

const inv_method_t gateway_methods [] = {
    { "token.create", &innov__create_token_request__descriptor, gateway_token_create, 0 },
    { "token.list",   &innov__list_tokens_request__descriptor,  gateway_token_list,   0 },
    { "token.revoke", &innov__revoke_token_request__descriptor, gateway_token_revoke, 0 },
    { NULL }
};

gateway_t *
gateway_new (const inv_config_t *cfg)
{
    if (sodium_init () < 0)
        return NULL;
    gateway_t *self = (gateway_t *) calloc (1, sizeof *self);
    assert (self);
    self->cfg = *cfg;
    self->redis = inv_redis_new (cfg->redis);
    self->tokens = gw_tokens_new (cfg);
    if (!self->redis || !self->tokens) {
        gateway_destroy (&self);
        return NULL;
    }
    self->create_script.name = "gateway_token_create";
    self->create_script.source = inv_store_script_source (gateway_lua_gateway_token_create);
    self->revoke_script.name = "gateway_token_revoke";
    self->revoke_script.source = inv_store_script_source (gateway_lua_gateway_token_revoke);
    self->pool = gw_pool_new (cfg);
    self->metrics = gw_metrics_new (gw_route_count);
    return self;
}

void
gateway_destroy (gateway_t **self_p)
{
    gateway_t *self = *self_p;
    if (!self)
        return;
    gateway_http_stop (self);
    gw_pool_destroy (&self->pool);
    gw_tokens_destroy (&self->tokens);
    gw_metrics_destroy (&self->metrics);
    inv_redis_destroy (&self->redis);
    free ((char *) self->create_script.source);
    free ((char *) self->revoke_script.source);
    free (self);
    *self_p = NULL;
}
