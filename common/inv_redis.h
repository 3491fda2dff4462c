/*  inv_redis: one Redis connection with reconnect, and Lua scripts by SHA.

    The address is "host:port" or a unix socket path. A command that fails on I/O
    reconnects once and is retried only if it is a read (inv_redis_command) or a script
    (scripts are idempotent by construction: see inv_store.h); otherwise NULL is
    returned and the caller answers 503. Scripts are sent with EVALSHA; on NOSCRIPT
    (a restarted or failed-over Redis) they are loaded again and re-sent.
*/
#ifndef INV_REDIS_H
#define INV_REDIS_H
#include <stdbool.h>
#include <stddef.h>
#include <hiredis.h>

typedef struct _inv_redis_t inv_redis_t;

typedef struct {
    const char *name;          /* for logs */
    const char *source;        /* full Lua source */
    char sha [41];             /* filled on first use */
} inv_script_t;

/* address: "host:port", "/path/to.sock", or "sentinel://<primary name>@host:port,host:port..."
   (the Sentinels to ask for the current primary). */
inv_redis_t *inv_redis_new (const char *address);      /* connects; NULL if address is bad */
bool inv_redis_address_ok (const char *address);
void inv_redis_destroy (inv_redis_t **self_p);
bool inv_redis_connected (inv_redis_t *self);
const char *inv_redis_last_error (inv_redis_t *self);

/* Formatted command; reply owned by caller (freeReplyObject). NULL if Redis is down. */
redisReply *inv_redis_command (inv_redis_t *self, const char *fmt, ...);
redisReply *inv_redis_argv (inv_redis_t *self, int argc, const char **argv, const size_t *lens);
/* EVALSHA with NOSCRIPT fallback. keys then args, binary safe. */
redisReply *inv_redis_eval (inv_redis_t *self, inv_script_t *script,
                            int nkeys, const char **keys, const size_t *keylens,
                            int nargs, const char **args, const size_t *arglens);

/* Pipelining for bulk work (import, benchmarks): append then get replies in order. */
int inv_redis_append_argv (inv_redis_t *self, int argc, const char **argv, const size_t *lens);
int inv_redis_append_eval (inv_redis_t *self, inv_script_t *script,
                           int nkeys, const char **keys, const size_t *keylens,
                           int nargs, const char **args, const size_t *arglens);
redisReply *inv_redis_get_reply (inv_redis_t *self);

redisContext *inv_redis_context (inv_redis_t *self);
const char *inv_redis_address (inv_redis_t *self);
/* Read/write timeout of one command (default 5000 ms). A blocking command (XREAD BLOCK,
   XREADGROUP BLOCK) must block for less than this, or it is taken for a dead server. */
void inv_redis_set_timeout (inv_redis_t *self, int timeout_ms);
int  inv_redis_timeout (inv_redis_t *self);
/* Lower-case hex SHA-1 of the script source into script->sha (done on first use). */
void inv_script_sha (inv_script_t *script);
void inv_redis_test (bool verbose);
#endif
