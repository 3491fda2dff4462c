/*  inv_redis: one Redis connection with reconnect, and Lua scripts by SHA.

    A connection is a hiredis blocking context plus what it takes to make it again:
    the parsed address, a connect timeout (1 s) and a command timeout (5 s by default).
    Once hiredis reports an error on a context (I/O, EOF, timeout, protocol) the context
    is useless, so it is freed; the next command connects afresh. Connecting is paced by
    a back-off (100 ms doubling to 2 s) measured on the monotonic clock, so a dead server
    costs each caller one fast NULL rather than a connect attempt per call, and the log
    gets one line when the server goes away and one when it is back.

    A command that fails on I/O is tried once more on a fresh connection straight away
    (a restarted server is then invisible to the caller). Scripts: the SHA-1 of the
    source is computed locally on first use, EVALSHA is sent, and on NOSCRIPT the source
    is loaded with SCRIPT LOAD and EVALSHA sent again.

    Sentinel: an address "sentinel://<master name>@host:port,host:port,..." names a
    set of Redis Sentinels instead of a server. Every (re)connect asks the Sentinels
    in turn for the current primary (SENTINEL get-master-addr-by-name), connects to
    it and checks with ROLE that it really is a primary, so a service follows a
    failover by itself. A write refused with READONLY (the old primary came back as
    a replica while we were still connected to it) drops the connection and tries
    once more on the primary the Sentinels name now.

    Pipelining: append_* queue commands, get_reply returns their replies in order. A
    script appended for the first time on a connection is preceded by its SCRIPT LOAD,
    whose reply get_reply swallows, so a pipeline of EVALSHA never meets NOSCRIPT.
*/
#include <czmq.h>
#include <ctype.h>
#include "inv_redis.h"
#include "inv_log.h"

#define CONNECT_TIMEOUT_MS   1000
#define COMMAND_TIMEOUT_MS   5000
#define BACKOFF_MIN_MS       100
#define BACKOFF_MAX_MS       2000
#define PENDING_MAX          65536

#define SENTINELS_MAX        8

typedef struct {
    char host [256];
    int port;
} endpoint_t;

struct _inv_redis_t {
    char *address;
    char host [256];                /* the server in use (for Sentinel: the primary) */
    int port;                       /* 0 for a unix socket */
    char master [128];              /* Sentinel: the primary's name; "" = plain address */
    endpoint_t sentinels [SENTINELS_MAX];
    int sentinel_count;
    redisContext *ctx;
    int timeout_ms;
    char last_error [256];
    int64_t next_attempt;           /* zclock_mono; no connect before this */
    int backoff_ms;
    bool down;                      /* an outage has been logged */
    zhash_t *loaded;                /* SHAs loaded on this connection */
    unsigned char *swallow;         /* pipeline: per pending reply, 1 = discard */
    size_t pending_head, pending_count;
};

/* "host:port" (len bytes) into an endpoint. 0 or -1. */
static int
s_parse_hostport (const char *text, size_t len, endpoint_t *out)
{
    char buf [300];
    if (len == 0 || len >= sizeof buf)
        return -1;
    memcpy (buf, text, len);
    buf [len] = 0;
    char *colon = strrchr (buf, ':');
    if (!colon || colon == buf || (size_t) (colon - buf) >= sizeof out->host)
        return -1;
    char *end;
    long port = strtol (colon + 1, &end, 10);
    if (*end || port <= 0 || port > 65535 || end == colon + 1)
        return -1;
    memcpy (out->host, buf, colon - buf);
    out->host [colon - buf] = 0;
    out->port = (int) port;
    return 0;
}

/* "sentinel://name@h:p,h:p" after the prefix. 0 or -1. */
static int
s_parse_sentinels (inv_redis_t *self, const char *spec)
{
    const char *at = strchr (spec, '@');
    if (!at || at == spec || (size_t) (at - spec) >= sizeof self->master)
        return -1;
    memcpy (self->master, spec, at - spec);
    self->master [at - spec] = 0;
    const char *p = at + 1;
    while (true) {
        const char *comma = strchr (p, ',');
        size_t len = comma? (size_t) (comma - p): strlen (p);
        if (self->sentinel_count == SENTINELS_MAX
        ||  s_parse_hostport (p, len, &self->sentinels [self->sentinel_count]))
            return -1;
        self->sentinel_count++;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

static int
s_parse_address (inv_redis_t *self, const char *address)
{
    if (!address || !*address)
        return -1;
    if (strncmp (address, "sentinel://", 11) == 0)
        return s_parse_sentinels (self, address + 11);
    if (strncmp (address, "redis://", 8) == 0)
        address += 8;
    else
    if (strncmp (address, "unix://", 7) == 0)
        address += 7;
    if (*address == '/' || *address == '.') {
        if (strlen (address) >= sizeof self->host)
            return -1;
        snprintf (self->host, sizeof self->host, "%s", address);
        self->port = 0;
        return 0;
    }
    const char *colon = strrchr (address, ':');
    if (!colon || colon == address || (size_t) (colon - address) >= sizeof self->host)
        return -1;
    char *end;
    long port = strtol (colon + 1, &end, 10);
    if (*end || port <= 0 || port > 65535 || end == colon + 1)
        return -1;
    memcpy (self->host, address, colon - address);
    self->host [colon - address] = 0;
    self->port = (int) port;
    return 0;
}

static struct timeval
s_tv (int ms)
{
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
    return tv;
}

static void
s_drop (inv_redis_t *self)
{
    if (self->ctx) {
        redisFree (self->ctx);
        self->ctx = NULL;
    }
    zhash_destroy (&self->loaded);
    self->pending_head = self->pending_count = 0;
}

static void
s_set_error (inv_redis_t *self, const char *what)
{
    snprintf (self->last_error, sizeof self->last_error, "Redis %s: %s", self->address, what);
}

/* Ask the Sentinels, in turn, where the primary is; then connect to it and check
   it is one. Returns a live context or NULL (with reason in why). */
static redisContext *
s_connect_primary (inv_redis_t *self, char *why, size_t size)
{
    snprintf (why, size, "no Sentinel of %s answered", self->master);
    for (int i = 0; i < self->sentinel_count; i++) {
        endpoint_t *sentinel = &self->sentinels [i];
        redisContext *sctx = redisConnectWithTimeout (sentinel->host, sentinel->port,
                                                      s_tv (CONNECT_TIMEOUT_MS / 2));
        if (!sctx || sctx->err) {
            if (sctx)
                redisFree (sctx);
            continue;
        }
        redisSetTimeout (sctx, s_tv (CONNECT_TIMEOUT_MS / 2));
        redisReply *reply = (redisReply *) redisCommand (sctx, "SENTINEL get-master-addr-by-name %s",
                                                         self->master);
        redisFree (sctx);
        if (!reply || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
            if (reply)
                freeReplyObject (reply);
            continue;
        }
        char host [256];
        snprintf (host, sizeof host, "%s", reply->element [0]->str);
        int port = atoi (reply->element [1]->str);
        freeReplyObject (reply);
        redisContext *ctx = redisConnectWithTimeout (host, port, s_tv (CONNECT_TIMEOUT_MS));
        if (!ctx || ctx->err) {
            snprintf (why, size, "primary %s:%d named by Sentinel %s:%d: %s", host, port,
                      sentinel->host, sentinel->port, ctx? ctx->errstr: "no memory");
            if (ctx)
                redisFree (ctx);
            continue;
        }
        redisSetTimeout (ctx, s_tv (CONNECT_TIMEOUT_MS));
        redisReply *role = (redisReply *) redisCommand (ctx, "ROLE");
        bool primary = role && role->type == REDIS_REPLY_ARRAY && role->elements > 0
                    && role->element [0]->type == REDIS_REPLY_STRING
                    && streq (role->element [0]->str, "master");
        if (role)
            freeReplyObject (role);
        if (!primary) {
            snprintf (why, size, "%s:%d named by Sentinel %s:%d is not a primary (yet)",
                      host, port, sentinel->host, sentinel->port);
            redisFree (ctx);
            continue;
        }
        if (!streq (self->host, host) || self->port != port)
            inv_info ("Redis %s: the primary is %s:%d (Sentinel %s:%d)", self->master, host, port,
                      sentinel->host, sentinel->port);
        snprintf (self->host, sizeof self->host, "%s", host);
        self->port = port;
        return ctx;
    }
    return NULL;
}

/* Ensure a live context; false when the server cannot be reached now. */
static bool
s_connect (inv_redis_t *self)
{
    if (self->ctx)
        return true;
    int64_t now = zclock_mono ();
    if (now < self->next_attempt)
        return false;
    char why [512] = "";
    redisContext *ctx = self->master [0]
        ? s_connect_primary (self, why, sizeof why)
        : self->port
        ? redisConnectWithTimeout (self->host, self->port, s_tv (CONNECT_TIMEOUT_MS))
        : redisConnectUnixWithTimeout (self->host, s_tv (CONNECT_TIMEOUT_MS));
    if (!ctx || ctx->err) {
        s_set_error (self, ctx? ctx->errstr: why [0]? why: "cannot allocate context");
        if (ctx)
            redisFree (ctx);
        if (!self->down)
            inv_warn ("%s (retrying with back-off)", self->last_error);
        self->down = true;
        self->backoff_ms = self->backoff_ms? self->backoff_ms * 2: BACKOFF_MIN_MS;
        if (self->backoff_ms > BACKOFF_MAX_MS)
            self->backoff_ms = BACKOFF_MAX_MS;
        self->next_attempt = now + self->backoff_ms;
        return false;
    }
    redisSetTimeout (ctx, s_tv (self->timeout_ms));
    redisEnableKeepAlive (ctx);
    self->ctx = ctx;
    self->loaded = zhash_new ();
    self->backoff_ms = 0;
    self->next_attempt = 0;
    if (self->down)
        inv_info ("Redis %s: connected again", self->address);
    self->down = false;
    self->last_error [0] = 0;
    return true;
}

/* After a NULL reply: the context is broken, drop it (and note the outage). */
static void
s_broken (inv_redis_t *self)
{
    if (self->ctx)
        s_set_error (self, self->ctx->errstr [0]? self->ctx->errstr: "connection lost");
    if (!self->down)
        inv_warn ("%s", self->last_error);
    self->down = true;
    s_drop (self);
}

bool
inv_redis_address_ok (const char *address)
{
    inv_redis_t probe;
    memset (&probe, 0, sizeof probe);
    return s_parse_address (&probe, address) == 0;
}

inv_redis_t *
inv_redis_new (const char *address)
{
    inv_redis_t *self = (inv_redis_t *) zmalloc (sizeof (inv_redis_t));
    if (s_parse_address (self, address)) {
        free (self);
        return NULL;
    }
    self->address = strdup (address);
    self->timeout_ms = COMMAND_TIMEOUT_MS;
    self->swallow = (unsigned char *) zmalloc (PENDING_MAX);
    s_connect (self);
    return self;
}

void
inv_redis_destroy (inv_redis_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    inv_redis_t *self = *self_p;
    s_drop (self);
    free (self->swallow);
    free (self->address);
    free (self);
    *self_p = NULL;
}

bool
inv_redis_connected (inv_redis_t *self)
{
    return s_connect (self);
}

const char *
inv_redis_last_error (inv_redis_t *self)
{
    return self->last_error;
}

const char *
inv_redis_address (inv_redis_t *self)
{
    return self->address;
}

redisContext *
inv_redis_context (inv_redis_t *self)
{
    s_connect (self);
    return self->ctx;
}

void
inv_redis_set_timeout (inv_redis_t *self, int timeout_ms)
{
    self->timeout_ms = timeout_ms > 0? timeout_ms: COMMAND_TIMEOUT_MS;
    if (self->ctx)
        redisSetTimeout (self->ctx, s_tv (self->timeout_ms));
}

int
inv_redis_timeout (inv_redis_t *self)
{
    return self->timeout_ms;
}

/* A server we took for the primary answers READONLY: it has become a replica. */
static bool
s_demoted (inv_redis_t *self, const redisReply *reply)
{
    if (reply->type != REDIS_REPLY_ERROR || strncmp (reply->str, "READONLY", 8) != 0)
        return false;
    snprintf (self->ctx->errstr, sizeof self->ctx->errstr, "%.80s:%d is no longer the primary",
              self->host, self->port);
    return true;
}

/* One synchronous argv command on a live context, with one retry on a fresh
   connection when the first attempt fails on I/O. */
static redisReply *
s_argv (inv_redis_t *self, int argc, const char **argv, const size_t *lens)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!s_connect (self))
            return NULL;
        redisReply *reply = (redisReply *) redisCommandArgv (self->ctx, argc, argv, lens);
        if (reply && !(attempt == 0 && s_demoted (self, reply)))
            return reply;
        if (reply)
            freeReplyObject (reply);
        s_broken (self);
        self->next_attempt = 0;         /* the retry connects at once */
    }
    return NULL;
}

redisReply *
inv_redis_command (inv_redis_t *self, const char *fmt, ...)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!s_connect (self))
            return NULL;
        va_list ap;
        va_start (ap, fmt);
        redisReply *reply = (redisReply *) redisvCommand (self->ctx, fmt, ap);
        va_end (ap);
        if (reply && !(attempt == 0 && s_demoted (self, reply)))
            return reply;
        if (reply)
            freeReplyObject (reply);
        s_broken (self);
        self->next_attempt = 0;
    }
    return NULL;
}

redisReply *
inv_redis_argv (inv_redis_t *self, int argc, const char **argv, const size_t *lens)
{
    return s_argv (self, argc, argv, lens);
}

void
inv_script_sha (inv_script_t *script)
{
    if (script->sha [0])
        return;
    zdigest_t *digest = zdigest_new ();
    zdigest_update (digest, (const byte *) script->source, strlen (script->source));
    const byte *data = zdigest_data (digest);
    for (int i = 0; i < 20; i++)
        snprintf (script->sha + 2 * i, 3, "%02x", data [i]);
    zdigest_destroy (&digest);
}

/* Build [EVALSHA sha nkeys keys... args...] into a fresh argv. */
static int
s_eval_argv (inv_script_t *script, int nkeys, const char **keys, const size_t *keylens,
             int nargs, const char **args, const size_t *arglens,
             const char ***argv_p, size_t **lens_p, char *nkeys_buf)
{
    int argc = 3 + nkeys + nargs;
    const char **argv = (const char **) zmalloc (argc * sizeof (char *));
    size_t *lens = (size_t *) zmalloc (argc * sizeof (size_t));
    snprintf (nkeys_buf, 16, "%d", nkeys);
    argv [0] = "EVALSHA";   lens [0] = 7;
    argv [1] = script->sha; lens [1] = 40;
    argv [2] = nkeys_buf;   lens [2] = strlen (nkeys_buf);
    for (int i = 0; i < nkeys; i++) {
        argv [3 + i] = keys [i];
        lens [3 + i] = keylens? keylens [i]: strlen (keys [i]);
    }
    for (int i = 0; i < nargs; i++) {
        argv [3 + nkeys + i] = args [i];
        lens [3 + nkeys + i] = arglens? arglens [i]: strlen (args [i]);
    }
    *argv_p = argv;
    *lens_p = lens;
    return argc;
}

static bool
s_is_noscript (const redisReply *reply)
{
    return reply && reply->type == REDIS_REPLY_ERROR
        && strncmp (reply->str, "NOSCRIPT", 8) == 0;
}

static redisReply *
s_script_load (inv_redis_t *self, inv_script_t *script)
{
    const char *argv [] = { "SCRIPT", "LOAD", script->source };
    size_t lens [] = { 6, 4, strlen (script->source) };
    redisReply *reply = s_argv (self, 3, argv, lens);
    if (reply && reply->type == REDIS_REPLY_ERROR)
        inv_error ("script %s does not load: %s", script->name, reply->str);
    else
    if (reply && self->loaded)
        zhash_insert (self->loaded, script->sha, (void *) 1);
    return reply;
}

redisReply *
inv_redis_eval (inv_redis_t *self, inv_script_t *script,
                int nkeys, const char **keys, const size_t *keylens,
                int nargs, const char **args, const size_t *arglens)
{
    inv_script_sha (script);
    const char **argv;
    size_t *lens;
    char nkeys_buf [16];
    int argc = s_eval_argv (script, nkeys, keys, keylens, nargs, args, arglens,
                            &argv, &lens, nkeys_buf);
    redisReply *reply = s_argv (self, argc, argv, lens);
    if (s_is_noscript (reply)) {
        freeReplyObject (reply);
        reply = s_script_load (self, script);
        if (reply && reply->type != REDIS_REPLY_ERROR) {
            freeReplyObject (reply);
            reply = s_argv (self, argc, argv, lens);
        }
    }
    free (argv);
    free (lens);
    return reply;
}

/* ---- pipelining ------------------------------------------------------------------- */

static int
s_append (inv_redis_t *self, int argc, const char **argv, const size_t *lens, bool swallow)
{
    if (self->pending_count >= PENDING_MAX) {
        s_set_error (self, "too many pipelined commands");
        return -1;
    }
    if (redisAppendCommandArgv (self->ctx, argc, argv, lens) != REDIS_OK) {
        s_broken (self);
        return -1;
    }
    self->swallow [(self->pending_head + self->pending_count) % PENDING_MAX] = swallow;
    self->pending_count++;
    return 0;
}

int
inv_redis_append_argv (inv_redis_t *self, int argc, const char **argv, const size_t *lens)
{
    if (!s_connect (self))
        return -1;
    return s_append (self, argc, argv, lens, false);
}

int
inv_redis_append_eval (inv_redis_t *self, inv_script_t *script,
                       int nkeys, const char **keys, const size_t *keylens,
                       int nargs, const char **args, const size_t *arglens)
{
    if (!s_connect (self))
        return -1;
    inv_script_sha (script);
    if (!zhash_lookup (self->loaded, script->sha)) {
        const char *load [] = { "SCRIPT", "LOAD", script->source };
        size_t load_lens [] = { 6, 4, strlen (script->source) };
        if (s_append (self, 3, load, load_lens, true))
            return -1;
        zhash_insert (self->loaded, script->sha, (void *) 1);
    }
    const char **argv;
    size_t *lens;
    char nkeys_buf [16];
    int argc = s_eval_argv (script, nkeys, keys, keylens, nargs, args, arglens,
                            &argv, &lens, nkeys_buf);
    int rc = s_append (self, argc, argv, lens, false);
    free (argv);
    free (lens);
    return rc;
}

redisReply *
inv_redis_get_reply (inv_redis_t *self)
{
    while (self->ctx && self->pending_count) {
        void *reply = NULL;
        if (redisGetReply (self->ctx, &reply) != REDIS_OK || !reply) {
            s_broken (self);
            return NULL;
        }
        bool swallow = self->swallow [self->pending_head];
        self->pending_head = (self->pending_head + 1) % PENDING_MAX;
        self->pending_count--;
        if (!swallow)
            return (redisReply *) reply;
        redisReply *r = (redisReply *) reply;
        if (r->type == REDIS_REPLY_ERROR)
            inv_error ("pipelined SCRIPT LOAD failed: %s", r->str);
        freeReplyObject (reply);
    }
    return NULL;
}

void
inv_redis_test (bool verbose)
{
    if (verbose)
        printf (" * inv_redis: ");
    inv_redis_t *redis = inv_redis_new ("127.0.0.1:1");
    assert (redis);
    assert (!inv_redis_connected (redis));
    assert (inv_redis_command (redis, "PING") == NULL);
    inv_redis_destroy (&redis);
    assert (inv_redis_new ("nonsense") == NULL);
    assert (inv_redis_new ("host:0") == NULL);
    inv_script_t script = { "t", "return 1", "" };
    inv_script_sha (&script);
    assert (streq (script.sha, "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"));
    if (verbose)
        printf ("OK\n");
}
