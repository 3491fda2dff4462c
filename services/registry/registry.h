/*  registry: the enterprise ledger (台账): enterprise.add / get / update / list / count /
    search, the status workflow (enterprise.transition / close / review / history) and the
    agencies (agency.list / get / add / update); proto/registry.proto.

    registry_methods is the table inv_service_run dispatches; each handler is a plain
    function that tests call with an inv_call_t and no sockets. Key names are in
    registry_keys.h, write scripts in registry_*.lua, the data model in
    docs/data-model.md.
*/
#ifndef REGISTRY_H
#define REGISTRY_H
#include "inv_config.h"
#include "inv_rpc.h"
#include "inv_redis.h"

typedef struct _registry_t registry_t;

/* Uses cfg->redis and cfg->province. NULL if the Redis address is malformed (an
   unreachable Redis is not an error: calls answer 503 until it is back). */
registry_t *registry_new (const inv_config_t *cfg);
void registry_destroy (registry_t **self_p);
inv_redis_t *registry_redis (registry_t *self);

extern const inv_method_t registry_methods [];

/* The handlers (ctx is the registry_t). */
void registry_enterprise_add (void *ctx, inv_call_t *call);
void registry_enterprise_get (void *ctx, inv_call_t *call);
void registry_enterprise_update (void *ctx, inv_call_t *call);
void registry_enterprise_list (void *ctx, inv_call_t *call);
void registry_enterprise_count (void *ctx, inv_call_t *call);
void registry_enterprise_transition (void *ctx, inv_call_t *call);
void registry_enterprise_close (void *ctx, inv_call_t *call);
void registry_enterprise_review (void *ctx, inv_call_t *call);
void registry_enterprise_history (void *ctx, inv_call_t *call);
void registry_enterprise_search (void *ctx, inv_call_t *call);
void registry_agency_list (void *ctx, inv_call_t *call);
void registry_agency_get (void *ctx, inv_call_t *call);
void registry_agency_add (void *ctx, inv_call_t *call);
void registry_agency_update (void *ctx, inv_call_t *call);

/* Write the province's reference agencies that are missing (idempotent). Each process
   runs it on its first call that needs agencies; 0 on success, -1 if Redis failed. */
int registry_seed_agencies (registry_t *self);
#endif
