/*  inv_store: the transactional outbox (see inv_store.h for the convention).

    A write script = common/outbox.lua (the prelude: emit, reply, fail, idempotency)
    + the service's body (which defines `local function main ()`) + one closing line
    that runs it through the idempotency check. inv_store_write() puts the outbox's
    three keys and three arguments in front of the service's own and turns the
    script's array {code, message, body, field, reason} into an inv_store_result_t.

    Outcomes: 200 and the others the script chose; 503 when Redis did not answer
    (a retry with the same idempotency key is then safe: the script either ran whole,
    and its reply is cached, or not at all); 500 when the script raised an error.
*/
#include <czmq.h>
#include "inv_store.h"
#include "inv_log.h"
#include "inv_clock.h"

extern const char inv_lua_outbox [];

#define STORE_MAX_KEYS 32
#define STORE_MAX_ARGS 64

char *
inv_store_script_source (const char *body)
{
    return inv_store_script_source_with (NULL, body);
}

char *
inv_store_script_source_with (const char *library, const char *body)
{
    static const char closing [] = "\nreturn outbox_run (main)\n";
    if (!library)
        library = "";
    size_t size = strlen (inv_lua_outbox) + strlen (library) + strlen (body) + 2 + sizeof closing;
    char *source = (char *) malloc (size);
    assert (source);
    snprintf (source, size, "%s\n%s\n%s%s", inv_lua_outbox, library, body, closing);
    return source;
}

const char *
inv_key (char *buf, size_t size, const char *province, const char *fmt, ...)
{
    int n = snprintf (buf, size, "{%s}:", province);
    if (n < 0 || (size_t) n >= size)
        return buf;
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (buf + n, size - n, fmt, ap);
    va_end (ap);
    return buf;
}

void
inv_store_result_clear (inv_store_result_t *result)
{
    free (result->body);
    memset (result, 0, sizeof *result);
}

static void
s_copy (char *dest, size_t size, const redisReply *element)
{
    if (element && (element->type == REDIS_REPLY_STRING || element->type == REDIS_REPLY_STATUS))
        snprintf (dest, size, "%.*s", (int) element->len, element->str);
    else
        dest [0] = 0;
}

static void
s_decode (const redisReply *reply, const char *name, inv_store_result_t *result)
{
    if (reply->type == REDIS_REPLY_ERROR) {
        result->code = 500;
        snprintf (result->message, sizeof result->message, "script %s failed: %s", name, reply->str);
        inv_error ("%s", result->message);
        return;
    }
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 5
    ||  reply->element [0]->type != REDIS_REPLY_INTEGER) {
        result->code = 500;
        snprintf (result->message, sizeof result->message,
                  "script %s returned no {code, message, body, field, reason}", name);
        inv_error ("%s", result->message);
        return;
    }
    result->code = (int) reply->element [0]->integer;
    s_copy (result->message, sizeof result->message, reply->element [1]);
    s_copy (result->field, sizeof result->field, reply->element [3]);
    s_copy (result->reason, sizeof result->reason, reply->element [4]);
    const redisReply *body = reply->element [2];
    if (body->type == REDIS_REPLY_STRING && body->len > 0) {
        result->body = (char *) malloc (body->len + 1);
        assert (result->body);
        memcpy (result->body, body->str, body->len);
        result->body [body->len] = 0;
        result->body_len = body->len;
    }
}

/* The outbox's three keys and arguments in front of the service's own. */
typedef struct {
    char events [64], seq [64], idem [512], now [32];
    const char *keys [STORE_MAX_KEYS];
    size_t keylens [STORE_MAX_KEYS];
    const char *args [STORE_MAX_ARGS];
    size_t arglens [STORE_MAX_ARGS];
} s_call_t;

static int
s_assemble (s_call_t *c, inv_script_t *script, const char *province,
            const char *actor, const char *idempotency_key,
            int nkeys, const char **keys, const size_t *keylens,
            int nargs, const char **args, const size_t *arglens,
            inv_store_result_t *result)
{
    memset (result, 0, sizeof *result);
    if (nkeys + 3 > STORE_MAX_KEYS || nargs + 3 > STORE_MAX_ARGS) {
        result->code = 500;
        snprintf (result->message, sizeof result->message, "script %s: too many keys or arguments",
                  script->name);
        return result->code;
    }
    if (!actor)
        actor = "anonymous";
    if (!idempotency_key)
        idempotency_key = "";

    inv_key (c->events, sizeof c->events, province, INV_KEY_EVENTS);
    inv_key (c->seq, sizeof c->seq, province, INV_KEY_SEQ);
    if (*idempotency_key)
        inv_key (c->idem, sizeof c->idem, province, INV_KEY_IDEM, actor, idempotency_key);
    else
        inv_key (c->idem, sizeof c->idem, province, INV_KEY_IDEM_NONE);
    snprintf (c->now, sizeof c->now, "%lld", (long long) inv_clock_now_ms ());

    c->keys [0] = c->events; c->keys [1] = c->seq; c->keys [2] = c->idem;
    c->keylens [0] = strlen (c->events); c->keylens [1] = strlen (c->seq); c->keylens [2] = strlen (c->idem);
    for (int i = 0; i < nkeys; i++) {
        c->keys [3 + i] = keys [i];
        c->keylens [3 + i] = keylens? keylens [i]: strlen (keys [i]);
    }
    c->args [0] = c->now; c->args [1] = actor; c->args [2] = idempotency_key;
    c->arglens [0] = strlen (c->now); c->arglens [1] = strlen (actor); c->arglens [2] = strlen (idempotency_key);
    for (int i = 0; i < nargs; i++) {
        c->args [3 + i] = args [i];
        c->arglens [3 + i] = arglens? arglens [i]: strlen (args [i]);
    }
    return 0;
}

/* The result of a script's reply (freed here): 503 when there is none (Redis down). */
static int
s_take (inv_redis_t *redis, redisReply *reply, const char *name, inv_store_result_t *result)
{
    if (!reply) {
        result->code = 503;
        snprintf (result->message, sizeof result->message, "storage unavailable: %s",
                  inv_redis_last_error (redis));
        return result->code;
    }
    s_decode (reply, name, result);
    freeReplyObject (reply);
    return result->code;
}

int
inv_store_write (inv_redis_t *redis, inv_script_t *script, const char *province,
                 const char *actor, const char *idempotency_key,
                 int nkeys, const char **keys, const size_t *keylens,
                 int nargs, const char **args, const size_t *arglens,
                 inv_store_result_t *result)
{
    s_call_t c;
    if (s_assemble (&c, script, province, actor, idempotency_key, nkeys, keys, keylens,
                    nargs, args, arglens, result))
        return result->code;
    redisReply *reply = inv_redis_eval (redis, script, nkeys + 3, c.keys, c.keylens,
                                        nargs + 3, c.args, c.arglens);
    return s_take (redis, reply, script->name, result);
}

int
inv_store_append (inv_redis_t *redis, inv_script_t *script, const char *province,
                  const char *actor, const char *idempotency_key,
                  int nkeys, const char **keys, const size_t *keylens,
                  int nargs, const char **args, const size_t *arglens)
{
    s_call_t c;
    inv_store_result_t result;
    if (s_assemble (&c, script, province, actor, idempotency_key, nkeys, keys, keylens,
                    nargs, args, arglens, &result))
        return -1;
    return inv_redis_append_eval (redis, script, nkeys + 3, c.keys, c.keylens,
                                  nargs + 3, c.args, c.arglens);
}

int
inv_store_get_result (inv_redis_t *redis, inv_script_t *script, inv_store_result_t *result)
{
    memset (result, 0, sizeof *result);
    return s_take (redis, inv_redis_get_reply (redis), script->name, result);
}

void
inv_store_test (bool verbose)
{
    if (verbose)
        printf (" * inv_store: ");
    char buf [64];
    assert (streq (inv_key (buf, sizeof buf, "14", "ent:%s", "X"), "{14}:ent:X"));
    char *source = inv_store_script_source ("local function main () return reply (200) end");
    assert (strstr (source, "outbox_run (main)"));
    free (source);
    if (verbose)
        printf ("OK\n");
}
