/*  catalogue: the "three hundreds" of the campaign and its catalogues of support
    (proto/catalogue.proto): the yearly key-technology directory with its dated
    versions, the innovation projects and their selection under the year's quota,
    demonstrations, the policy catalogue and the policy menu of a work group, the
    support catalogues, and the figures the report service reads.

    catalogue_methods is the table inv_service_run dispatches; each handler is a plain
    function that tests call with an inv_call_t and no sockets. Enterprises come from
    the registry and work groups from the pairing service; both are reached through
    the broker unless a test plugs its own sources in (catalogue_set_sources).
*/
#ifndef CATALOGUE_H
#define CATALOGUE_H
#include "inv_config.h"
#include "inv_rpc.h"
#include "inv_redis.h"
#include "registry.pb-c.h"
#include "pairing.pb-c.h"
#include "catalogue.pb-c.h"
#include <czmq.h>

typedef struct _catalogue_t catalogue_t;

/* Uses cfg->redis, cfg->province and, for the registry and pairing, cfg->broker (and
   the CURVE settings), acting as "service:catalogue". NULL if the Redis address is
   malformed. */
catalogue_t *catalogue_new (const inv_config_t *cfg);
void catalogue_destroy (catalogue_t **self_p);

/* Where enterprises and work groups come from. Each returns a status code: 200 with
   *out set (free with protobuf_c_message_free_unpacked), 404 unknown, 503 unreachable;
   message (256 bytes) says why when not 200. */
typedef int (catalogue_enterprise_fn) (void *arg, const char *code, Innov__Enterprise **out, char *message);
typedef int (catalogue_group_fn) (void *arg, const char *id, Innov__WorkGroup **out, char *message);
void catalogue_set_sources (catalogue_t *self, catalogue_enterprise_fn *enterprise,
                            catalogue_group_fn *group, void *arg);

extern const inv_method_t catalogue_methods [];

/* Does enterprise e meet every condition of policy p (catalogue_policy.c)? When it does
   and reasons is not NULL, one sentence per condition met is appended (strings owned
   by the list). */
bool catalogue_policy_fits (const Innov__Policy *p, const Innov__Enterprise *e, zlist_t *reasons);

void catalogue_tech_add (void *ctx, inv_call_t *call);
void catalogue_tech_amend (void *ctx, inv_call_t *call);
void catalogue_tech_withdraw (void *ctx, inv_call_t *call);
void catalogue_tech_publish (void *ctx, inv_call_t *call);
void catalogue_tech_get (void *ctx, inv_call_t *call);
void catalogue_tech_list (void *ctx, inv_call_t *call);
void catalogue_tech_diff (void *ctx, inv_call_t *call);
void catalogue_project_apply (void *ctx, inv_call_t *call);
void catalogue_project_advance (void *ctx, inv_call_t *call);
void catalogue_project_progress (void *ctx, inv_call_t *call);
void catalogue_project_get (void *ctx, inv_call_t *call);
void catalogue_project_list (void *ctx, inv_call_t *call);
void catalogue_project_quota (void *ctx, inv_call_t *call);
void catalogue_demo_add (void *ctx, inv_call_t *call);
void catalogue_demo_update (void *ctx, inv_call_t *call);
void catalogue_demo_get (void *ctx, inv_call_t *call);
void catalogue_demo_list (void *ctx, inv_call_t *call);
void catalogue_policy_add (void *ctx, inv_call_t *call);
void catalogue_policy_update (void *ctx, inv_call_t *call);
void catalogue_policy_get (void *ctx, inv_call_t *call);
void catalogue_policy_list (void *ctx, inv_call_t *call);
void catalogue_policy_menu (void *ctx, inv_call_t *call);
void catalogue_support_add (void *ctx, inv_call_t *call);
void catalogue_support_get (void *ctx, inv_call_t *call);
void catalogue_support_list (void *ctx, inv_call_t *call);
void catalogue_figures_get (void *ctx, inv_call_t *call);
#endif
