/*  inv_store: the transactional outbox. Every write is one Lua script that changes the
    state and appends its event to the province's stream in the same atomic step.

    A service's write script is written as the body of a Lua function `main()` and is
    prefixed with common/outbox.lua, which provides:
      - the argument convention: KEYS[1] = "{PP}:events" stream, KEYS[2] = "{PP}:seq"
        counter, KEYS[3] = idempotency key ("{PP}:idem:<actor>:<key>" or "{PP}:idem:-");
        ARGV[1] = now (Unix ms, from inv_clock), ARGV[2] = actor principal,
        ARGV[3] = idempotency key given ("" = none); the service's own KEYS start at
        KEYS[4] and its ARGV at ARGV[4];
      - idempotency: when the key is set and a reply is stored under it, that reply is
        returned and nothing runs; a 200 reply is stored for 24 h;
      - emit(type, subject, payload_type, payload, attrs): INCR the sequence and XADD
        the event with stream id "<seq>-1", so the id is the sequence number; attrs is
        a table of routing attributes (city, county, department, cluster);
      - reply(code, message, body) / fail(code, message, field, reason): the result
        convention {code, message, body, field, reason}.
    inv_store_write() assembles those keys and arguments and decodes the result.
*/
#ifndef INV_STORE_H
#define INV_STORE_H
#include "inv_redis.h"

/* Prefix a service's script body with the outbox prelude. Returns a malloc'd string. */
char *inv_store_script_source (const char *body);
/* The same with a service's own Lua library (shared functions of its scripts) between
   the prelude and the body; library may be NULL. */
char *inv_store_script_source_with (const char *library, const char *body);

typedef struct {
    int code;                   /* 200 on success; 503 if Redis did not answer */
    char message [256];
    char field [128];           /* for 400s: the offending field */
    char reason [256];
    char *body;                 /* malloc'd bytes returned by the script (may be NULL) */
    size_t body_len;
} inv_store_result_t;

/* Run a write script. province = "14"; keys/args are the service's own (they follow the
   outbox's three keys and three args). */
int inv_store_write (inv_redis_t *redis, inv_script_t *script, const char *province,
                     const char *actor, const char *idempotency_key,
                     int nkeys, const char **keys, const size_t *keylens,
                     int nargs, const char **args, const size_t *arglens,
                     inv_store_result_t *result);
void inv_store_result_clear (inv_store_result_t *result);

/* The same write pipelined (bulk work such as an import): append any number of
   scripts, then take their results in order with inv_store_get_result. append returns
   0, or -1 if Redis is down (then every pending result reads as 503). A script with
   NOSCRIPT is not re-sent here: inv_redis_append_eval loads it in front when the
   connection has not seen it. */
int inv_store_append (inv_redis_t *redis, inv_script_t *script, const char *province,
                      const char *actor, const char *idempotency_key,
                      int nkeys, const char **keys, const size_t *keylens,
                      int nargs, const char **args, const size_t *arglens);
int inv_store_get_result (inv_redis_t *redis, inv_script_t *script, inv_store_result_t *result);

/* The outbox's own keys (after the "{PP}:" tag). */
#define INV_KEY_EVENTS      "events"        /* stream of innov.Event entries */
#define INV_KEY_SEQ         "seq"           /* last sequence number given out */
#define INV_KEY_IDEM        "idem:%s:%s"    /* actor, idempotency key: cached reply */
#define INV_KEY_IDEM_NONE   "idem:-"        /* placeholder when there is no key */

/* Key helpers: "{14}:<rest>" into buf. */
const char *inv_key (char *buf, size_t size, const char *province, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

void inv_store_test (bool verbose);
#endif
