/*  gateway_internal: what the gateway's files share: the context, the route table,
    the client pool, the token store, the metrics. One section per file.
*/
#ifndef GATEWAY_INTERNAL_H
#define GATEWAY_INTERNAL_H
#include <pthread.h>
#include <stdatomic.h>
#include <microhttpd.h>
#include <jansson.h>
#include "gateway.h"
#include "gateway.pb-c.h"
#include "registry.pb-c.h"
#include "event.pb-c.h"
#include "rpc.pb-c.h"
#include "inv_json.h"
#include "inv_log.h"
#include "mdp_client.h"

#define GW_API          "/api/v1"
#define GW_SERVICE      "gateway"

/* ---- gateway_pool.c: MDP clients keyed by principal ------------------------------------ */
typedef struct _gw_pool_t gw_pool_t;
gw_pool_t *gw_pool_new (const inv_config_t *cfg);
void gw_pool_destroy (gw_pool_t **self_p);
/* An idle client acting for principal (a new one if none is idle); NULL on a setting
   error. Give it back with gw_pool_release (broken: it failed, destroy it). */
mdp_client_t *gw_pool_take (gw_pool_t *self, const char *principal);
void gw_pool_release (gw_pool_t *self, const char *principal, mdp_client_t **client_p, bool broken);
/* One request as principal: the status code; on 200 *reply_p decoded with reply_desc
   (NULL: *reply_p stays NULL); *status_p the decoded status (may be NULL). */
int gw_pool_call (gw_pool_t *self, const char *principal, const char *service, const char *method,
                  const ProtobufCMessage *request, const ProtobufCMessageDescriptor *reply_desc,
                  ProtobufCMessage **reply_p, Innov__Status **status_p);

/* ---- gateway_tokens.c: bearer tokens ----------------------------------------------------- */
typedef struct _gw_tokens_t gw_tokens_t;
gw_tokens_t *gw_tokens_new (const inv_config_t *cfg);
void gw_tokens_destroy (gw_tokens_t **self_p);
/* The principal of a bearer token into principal: 200, 401 (reason says why) or 503
   (Redis down). Thread-safe; answers come from a cache for up to 2 s. */
int gw_tokens_check (gw_tokens_t *self, const char *token, char *principal, size_t size,
                     char *reason, size_t reason_size);
bool gw_tokens_redis_ok (gw_tokens_t *self);
/* "inv_" + 48 hex characters of randomness into buf (at least 53 bytes). */
void gw_token_generate (char *buf, size_t size);
/* Lower-case hex SHA-256 of text into hex (65 bytes). */
void gw_token_hash (const char *text, char hex [65]);

/* ---- gateway_metrics.c: Prometheus figures ----------------------------------------------- */
typedef struct _gw_metrics_t gw_metrics_t;
gw_metrics_t *gw_metrics_new (size_t routes);
void gw_metrics_destroy (gw_metrics_t **self_p);
/* route: index in the table, or the count of routes for "other" (static, health, 404s) */
void gw_metrics_observe (gw_metrics_t *self, size_t route, int code, double seconds);
void gw_metrics_sse (gw_metrics_t *self, int delta);
/* The text exposition; broker_workers is mmi.services' reply ("name count" lines). */
char *gw_metrics_render (gw_metrics_t *self, const char *const *route_names,
                         const char *const *route_methods, zmsg_t *broker_workers);

/* ---- gateway_routes.c: the route table --------------------------------------------------- */
typedef struct _gw_request_t gw_request_t;
typedef struct _gw_route_t gw_route_t;
/* A route handled by code rather than by one MDP call (stream, import, export, openapi). */
typedef int (gw_special_fn) (gateway_t *self, gw_request_t *req);

struct _gw_route_t {
    const char *method;                             /* GET POST PATCH DELETE */
    const char *pattern;                            /* under /api/v1: "/enterprises/{creditCode}" */
    const char *service;                            /* broker service */
    const char *rpc;                                /* MDP method */
    const ProtobufCMessageDescriptor *request;
    const ProtobufCMessageDescriptor *reply;
    const char *params;                             /* path parameters: "creditCode=credit_code;..." */
    const char *body;                               /* NULL: no body; "": the request itself;
                                                       else the message field the body fills */
    const char *mask;                               /* repeated string field that gets the body's
                                                       member names (update masks), or NULL */
    bool query;                                     /* query parameters fill top-level fields */
    const char *tag;                                /* OpenAPI tag */
    const char *summary;
    gw_special_fn *special;
    bool public;                                    /* no token needed */
};

extern const gw_route_t gw_routes [];
extern const size_t gw_route_count;

/* The route of method + path (path under /api/v1); NULL with *status 404, or 405 when
   the path matches with another method (allow lists them). Path parameters go to params
   (name, value pairs; values decoded). */
typedef struct {
    char names [4][32];
    char values [4][256];
    size_t count;
} gw_params_t;
const gw_route_t *gw_route_find (const char *method, const char *path, gw_params_t *params,
                                 int *status, char *allow, size_t allow_size);
/* The OpenAPI 3 document of the table (malloc'd JSON text). */
char *gw_openapi (void);
/* A message descriptor by full name ("innov.Enterprise"), among every message reachable
   from the route table; NULL when unknown. */
const ProtobufCMessageDescriptor *gw_descriptor_find (const char *full_name);

/* ---- gateway_http.c: one HTTP request in hand -------------------------------------------- */
struct _gw_request_t {
    struct MHD_Connection *connection;
    const gw_route_t *route;
    size_t route_index;
    gw_params_t params;
    const char *principal;
    const char *method;
    const char *url;
    char *body;                                     /* uploaded body (NUL-terminated) */
    size_t body_size;
    int code;                                       /* the answer, for the log and the metrics */
};
/* Queue a response; code is the HTTP status. These take ownership of text. */
int gw_reply_json (gw_request_t *req, int code, char *text);
int gw_reply_error (gw_request_t *req, int code, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));
int gw_reply_field_error (gw_request_t *req, const char *field, const char *reason);
int gw_reply_status (gw_request_t *req, const Innov__Status *status, int code);
/* HTTP status for a service's status code. */
int gw_http_code (int rpc_code);
/* A query parameter, or NULL. */
const char *gw_query (gw_request_t *req, const char *name);

/* ---- the context ------------------------------------------------------------------------- */
struct _gateway_t {
    inv_config_t cfg;
    inv_redis_t *redis;                             /* the worker's connection (token methods) */
    inv_script_t create_script;
    inv_script_t revoke_script;
    gw_pool_t *pool;
    gw_tokens_t *tokens;
    gw_metrics_t *metrics;
    struct MHD_Daemon *daemon;
    int port;
    atomic_bool stopping;
};

/* ---- special routes ---------------------------------------------------------------------- */
int gw_stream (gateway_t *self, gw_request_t *req);        /* gateway_stream.c */
int gw_import (gateway_t *self, gw_request_t *req);        /* gateway_bulk.c */
int gw_export (gateway_t *self, gw_request_t *req);
int gw_openapi_route (gateway_t *self, gw_request_t *req); /* gateway_routes.c */

/* ---- token methods (gateway_tokens.c) ---------------------------------------------------- */
void gateway_token_create (void *ctx, inv_call_t *call);
void gateway_token_list (void *ctx, inv_call_t *call);
void gateway_token_revoke (void *ctx, inv_call_t *call);

#endif
