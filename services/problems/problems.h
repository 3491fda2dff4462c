/*  problems: the problem list (问题清单) of the enterprises and its "13710" ladder:
    problem.raise / get / list / assign / accept / progress / plan / resolve / close and
    figures.get; proto/problems.proto, docs/problems.md.

    problems_methods is the table inv_service_run dispatches; each handler is a plain
    function that tests call with an inv_call_t and no sockets. The enterprise a
    problem is raised for is looked up in the registry (enterprise.get through the
    broker); tests may put a lookup of their own in its place.
*/
#ifndef PROBLEMS_H
#define PROBLEMS_H
#include "inv_config.h"
#include "inv_rpc.h"
#include "inv_redis.h"
#include "registry.pb-c.h"

typedef struct _problems_t problems_t;

/* Looks an enterprise up: 200 with *enterprise_p (the caller frees it with
   innov__enterprise__free_unpacked), 404 unknown, 503 the registry did not answer;
   reason says why when not 200. */
typedef int (problems_lookup_fn) (void *arg, const char *credit_code,
                                  Innov__Enterprise **enterprise_p, char *reason, size_t size);

/* Uses cfg->redis, cfg->province and, for the registry, cfg->broker (acting as
   service:problems). NULL if the Redis address is malformed. */
problems_t *problems_new (const inv_config_t *cfg);
void problems_destroy (problems_t **self_p);
/* Replace the registry lookup (tests). */
void problems_set_lookup (problems_t *self, problems_lookup_fn *lookup, void *arg);

extern const inv_method_t problems_methods [];

/* The handlers (ctx is the problems_t). */
void problems_raise (void *ctx, inv_call_t *call);
void problems_get (void *ctx, inv_call_t *call);
void problems_list (void *ctx, inv_call_t *call);
void problems_assign (void *ctx, inv_call_t *call);
void problems_accept (void *ctx, inv_call_t *call);
void problems_progress (void *ctx, inv_call_t *call);
void problems_plan (void *ctx, inv_call_t *call);
void problems_resolve (void *ctx, inv_call_t *call);
void problems_close (void *ctx, inv_call_t *call);
void problems_figures (void *ctx, inv_call_t *call);

/* The ladder, in milliseconds. */
#define PROBLEMS_DAY_MS             (24LL * 3600 * 1000)
#define PROBLEMS_ASSIGN_MS          (1 * PROBLEMS_DAY_MS)    /* of raising */
#define PROBLEMS_PROGRESS_MS        (3 * PROBLEMS_DAY_MS)    /* of assignment */
#define PROBLEMS_SOLVE_MS           (7 * PROBLEMS_DAY_MS)    /* of assignment, ordinary items */
#define PROBLEMS_COMPLEX_MS         (30 * PROBLEMS_DAY_MS)   /* of assignment, complex items */

/* Median of a days histogram (days -> count, n entries): 0 when empty. */
double problems_median (const long long *days, const long long *counts, size_t n);
#endif
