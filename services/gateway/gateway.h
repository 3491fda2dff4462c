/*  gateway: the HTTP/JSON face of the platform (docs/gateway.md).

    One process, two faces: gateway_http serves HTTP (libmicrohttpd, a thread per
    connection) and turns each request into an MDP request of the caller's principal;
    the MDP worker of service "gateway" (gateway_methods) keeps the bearer tokens.
    main.c wires: gateway_new -> gateway_http_start -> inv_service_run -> destroy.
*/
#ifndef GATEWAY_H
#define GATEWAY_H
#include <czmq.h>
#include "inv_config.h"
#include "inv_rpc.h"
#include "inv_redis.h"

typedef struct _gateway_t gateway_t;

/* The worker side: token.create, token.list, token.revoke. */
extern const inv_method_t gateway_methods [];

/* NULL when the Redis address is bad. */
gateway_t *gateway_new (const inv_config_t *cfg);
void gateway_destroy (gateway_t **self_p);

/* Start / stop the HTTP server on cfg->http. 0, or -1 with the reason logged. */
int  gateway_http_start (gateway_t *self);
void gateway_http_stop (gateway_t *self);
/* The port the server listens on (after start). */
int  gateway_http_port (gateway_t *self);

#endif
