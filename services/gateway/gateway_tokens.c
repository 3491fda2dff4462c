/*  gateway_tokens: bearer tokens of the HTTP API.

    A token is "inv_" followed by 48 hex characters of libsodium randomness (192 bits).
    Only its SHA-256 is stored: the hash {PP}:gw:tok:<sha256 hex> holds the principal it
    acts for and its record; {PP}:gw:tokens maps each id to that hash, for listing and
    revoking. The secret is shown once, in the reply of token.create; the stored record
    and the event never carry it.

    Worker side (service "gateway"): token.create / token.list / token.revoke, scoped:
    the province creates, lists and revokes any token; any other principal only its own
    (a city creates tokens for itself, not for its counties). Each write is one script
    (gateway_token_create.lua, gateway_token_revoke.lua) that changes the keys and emits
    token.created / token.revoked. The id ("tk<n>") is taken with INCR before the
    script, because the event's payload (a protobuf) is built here with it; an id lost
    to a failed script is simply never used.

    HTTP side (gw_tokens_check, any thread): hash the presented token, read its
    principal, and keep the answer CACHE_MS in a small cache, so the request path costs
    one Redis round trip per token every 2 s rather than one per request; a revoked
    token is therefore refused within CACHE_MS. The connection and the cache sit behind
    one mutex.
*/
#include <sodium.h>
#include "gateway_internal.h"
#include "gateway_keys.h"
#include "inv_clock.h"
#include "inv_principal.h"
#include "inv_store.h"

#define CACHE_MS        2000
#define CACHE_MAX       10000
#define NAME_MAX_BYTES  200

typedef struct {
    char principal [80];        /* "" = unknown token */
    int64_t until_ms;
} cached_t;

struct _gw_tokens_t {
    char province [8];
    pthread_mutex_t lock;
    inv_redis_t *redis;
    zhashx_t *cache;            /* sha -> cached_t */
};

void
gw_token_hash (const char *text, char hex [65])
{
    unsigned char digest [crypto_hash_sha256_BYTES];
    crypto_hash_sha256 (digest, (const unsigned char *) text, strlen (text));
    sodium_bin2hex (hex, 65, digest, sizeof digest);
}

void
gw_token_generate (char *buf, size_t size)
{
    unsigned char random [24];
    randombytes_buf (random, sizeof random);
    char hex [49];
    sodium_bin2hex (hex, sizeof hex, random, sizeof random);
    snprintf (buf, size, "inv_%s", hex);
}

/* ---- HTTP side ---------------------------------------------------------------------------- */

gw_tokens_t *
gw_tokens_new (const inv_config_t *cfg)
{
    gw_tokens_t *self = (gw_tokens_t *) calloc (1, sizeof *self);
    assert (self);
    snprintf (self->province, sizeof self->province, "%s", cfg->province);
    pthread_mutex_init (&self->lock, NULL);
    self->redis = inv_redis_new (cfg->redis);
    self->cache = zhashx_new ();
    zhashx_set_destructor (self->cache, (zhashx_destructor_fn *) zstr_free);
    if (!self->redis) {
        gw_tokens_destroy (&self);
        return NULL;
    }
    inv_redis_set_timeout (self->redis, 2000);
    return self;
}

void
gw_tokens_destroy (gw_tokens_t **self_p)
{
    gw_tokens_t *self = *self_p;
    if (!self)
        return;
    inv_redis_destroy (&self->redis);
    zhashx_destroy (&self->cache);
    pthread_mutex_destroy (&self->lock);
    free (self);
    *self_p = NULL;
}

static bool
s_well_formed (const char *token)
{
    if (strncmp (token, "inv_", 4) != 0 || strlen (token) != 52)
        return false;
    for (const char *p = token + 4; *p; p++)
        if (!isxdigit ((unsigned char) *p))
            return false;
    return true;
}

int
gw_tokens_check (gw_tokens_t *self, const char *token, char *principal, size_t size,
                 char *reason, size_t reason_size)
{
    if (!token || !*token) {
        snprintf (reason, reason_size, "no token: send Authorization: Bearer <token> "
                  "(innovctl token create gives one)");
        return 401;
    }
    if (!s_well_formed (token)) {
        snprintf (reason, reason_size, "malformed token: expected inv_ and 48 hex characters");
        return 401;
    }
    char sha [65];
    gw_token_hash (token, sha);
    int64_t now = zclock_mono ();
    int code = 200;
    pthread_mutex_lock (&self->lock);
    cached_t *cached = (cached_t *) zhashx_lookup (self->cache, sha);
    if (!cached || cached->until_ms < now) {
        char key [GATEWAY_KEY_MAX];
        inv_key (key, sizeof key, self->province, GATEWAY_KEY_TOKEN, sha);
        redisReply *reply = inv_redis_command (self->redis, "HGET %s principal", key);
        if (!reply || reply->type == REDIS_REPLY_ERROR)
            code = 503;
        else {
            if (!cached) {
                if (zhashx_size (self->cache) >= CACHE_MAX)
                    zhashx_purge (self->cache);
                cached = (cached_t *) calloc (1, sizeof *cached);
                assert (cached);
                zhashx_insert (self->cache, sha, cached);
            }
            snprintf (cached->principal, sizeof cached->principal, "%s",
                      reply->type == REDIS_REPLY_STRING? reply->str: "");
            cached->until_ms = now + CACHE_MS;
        }
        if (reply)
            freeReplyObject (reply);
    }
    if (code == 200) {
        if (*cached->principal)
            snprintf (principal, size, "%s", cached->principal);
        else {
            code = 401;
            snprintf (reason, reason_size, "unknown or revoked token");
        }
    }
    else
        snprintf (reason, reason_size, "the token store (Redis) cannot be reached");
    pthread_mutex_unlock (&self->lock);
    return code;
}

bool
gw_tokens_redis_ok (gw_tokens_t *self)
{
    pthread_mutex_lock (&self->lock);
    redisReply *reply = inv_redis_command (self->redis, "PING");
    bool ok = reply && reply->type != REDIS_REPLY_ERROR;
    if (reply)
        freeReplyObject (reply);
    pthread_mutex_unlock (&self->lock);
    return ok;
}

/* ---- worker side -------------------------------------------------------------------------- */

/* May caller act on tokens of principal? */
static bool
s_may (inv_call_t *call, const char *principal)
{
    inv_principal_t who;
    if (inv_principal_parse (call->caller, &who) || who.kind == INV_P_ANONYMOUS) {
        inv_call_error (call, 403, "anonymous callers have no tokens");
        return false;
    }
    if (who.kind == INV_P_PROVINCE || strcmp (call->caller, principal) == 0)
        return true;
    inv_call_error (call, 403, "%s may only manage its own tokens, not those of %s",
                    call->caller, principal);
    return false;
}

static Innov__Token *
s_read (gateway_t *self, const char *sha)
{
    char key [GATEWAY_KEY_MAX];
    inv_key (key, sizeof key, self->cfg.province, GATEWAY_KEY_TOKEN, sha);
    redisReply *reply = inv_redis_command (self->redis, "HGET %s body", key);
    Innov__Token *token = NULL;
    if (reply && reply->type == REDIS_REPLY_STRING)
        token = innov__token__unpack (NULL, reply->len, (const uint8_t *) reply->str);
    if (reply)
        freeReplyObject (reply);
    return token;
}

static void
s_reply_token_free (ProtobufCMessage *message)
{
    Innov__TokenReply *reply = (Innov__TokenReply *) message;
    if (reply->token)
        innov__token__free_unpacked (reply->token, NULL);
    free (reply);
}

static void
s_reply_token (inv_call_t *call, Innov__Token *token)
{
    Innov__TokenReply *reply = (Innov__TokenReply *) malloc (sizeof *reply);
    assert (reply);
    innov__token_reply__init (reply);
    reply->token = token;
    inv_call_reply (call, &reply->base, s_reply_token_free);
}

void
gateway_token_create (void *ctx, inv_call_t *call)
{
    gateway_t *self = (gateway_t *) ctx;
    const Innov__CreateTokenRequest *req = (const Innov__CreateTokenRequest *) call->request;
    inv_principal_t who;
    if (inv_principal_parse (call->caller, &who) || who.kind == INV_P_ANONYMOUS) {
        inv_call_error (call, 403, "anonymous callers have no tokens");
        return;
    }
    const char *principal = req->principal && *req->principal? req->principal: call->caller;
    if (inv_principal_parse (principal, &who) || who.kind == INV_P_ANONYMOUS)
        inv_call_field_error (call, "principal", "\"%s\" is not a principal (province, dept:<code>, "
                              "city:<code>, county:<code>, group:<id>, ent:<code>, service:<name>)", principal);
    if (req->name && strlen (req->name) > NAME_MAX_BYTES)
        inv_call_field_error (call, "name", "is longer than %d bytes", NAME_MAX_BYTES);
    if (inv_call_failed (call) || !s_may (call, principal))
        return;

    char id_key [GATEWAY_KEY_MAX];
    inv_key (id_key, sizeof id_key, self->cfg.province, GATEWAY_KEY_TOKEN_SEQ);
    redisReply *seq = inv_redis_command (self->redis, "INCR %s", id_key);
    if (!seq || seq->type != REDIS_REPLY_INTEGER) {
        if (seq)
            freeReplyObject (seq);
        inv_call_error (call, 503, "Redis did not answer");
        return;
    }
    char id [32];
    snprintf (id, sizeof id, "tk%lld", seq->integer);
    freeReplyObject (seq);

    char secret [64], sha [65], prefix [16];
    gw_token_generate (secret, sizeof secret);
    gw_token_hash (secret, sha);
    snprintf (prefix, sizeof prefix, "%.8s", secret + 4);
    Innov__Token token = INNOV__TOKEN__INIT;
    token.id = id;
    token.principal = (char *) principal;
    token.name = req->name? req->name: "";
    token.created_ms = inv_clock_now_ms ();
    token.created_by = (char *) call->caller;
    token.prefix = prefix;
    size_t body_len = 0;
    uint8_t *body = inv_rpc_pack (&token.base, &body_len);

    char tok_key [GATEWAY_KEY_MAX], tokens_key [GATEWAY_KEY_MAX];
    inv_key (tok_key, sizeof tok_key, self->cfg.province, GATEWAY_KEY_TOKEN, sha);
    inv_key (tokens_key, sizeof tokens_key, self->cfg.province, GATEWAY_KEY_TOKENS);
    const char *keys [] = { tok_key, tokens_key };
    size_t keylens [] = { strlen (tok_key), strlen (tokens_key) };
    const char *args [] = { id, principal, token.name, prefix, sha, (const char *) body };
    size_t arglens [] = { strlen (id), strlen (principal), strlen (token.name), strlen (prefix),
                          strlen (sha), body_len };
    inv_store_result_t result;
    inv_store_write (self->redis, &self->create_script, self->cfg.province, call->caller, "",
                     2, keys, keylens, 6, args, arglens, &result);
    free (body);
    if (result.code != 200) {
        if (*result.field)
            inv_call_field_error (call, result.field, "%s", result.reason);
        else
            inv_call_error (call, result.code, "%s", result.message);
        inv_store_result_clear (&result);
        return;
    }
    inv_store_result_clear (&result);
    inv_info ("token.create %s for %s by %s", id, principal, call->caller);
    Innov__Token *copy = (Innov__Token *) calloc (1, sizeof *copy);
    assert (copy);
    innov__token__init (copy);
    copy->id = strdup (id);
    copy->principal = strdup (principal);
    copy->name = strdup (token.name);
    copy->created_ms = token.created_ms;
    copy->created_by = strdup (call->caller);
    copy->prefix = strdup (prefix);
    copy->secret = strdup (secret);
    s_reply_token (call, copy);
}

static void
s_list_free (ProtobufCMessage *message)
{
    Innov__ListTokensReply *reply = (Innov__ListTokensReply *) message;
    for (size_t i = 0; i < reply->n_tokens; i++)
        innov__token__free_unpacked (reply->tokens [i], NULL);
    free (reply->tokens);
    free (reply);
}

static int
s_by_id (const void *a, const void *b)
{
    const Innov__Token *x = *(Innov__Token * const *) a, *y = *(Innov__Token * const *) b;
    size_t lx = strlen (x->id), ly = strlen (y->id);
    return lx != ly? (lx < ly? -1: 1): strcmp (x->id, y->id);
}

void
gateway_token_list (void *ctx, inv_call_t *call)
{
    gateway_t *self = (gateway_t *) ctx;
    const Innov__ListTokensRequest *req = (const Innov__ListTokensRequest *) call->request;
    inv_principal_t who;
    bool province = inv_principal_parse (call->caller, &who) == 0 && who.kind == INV_P_PROVINCE;
    const char *filter = req->principal && *req->principal? req->principal: (province? "": call->caller);
    if (*filter && !s_may (call, filter))
        return;
    char tokens_key [GATEWAY_KEY_MAX];
    inv_key (tokens_key, sizeof tokens_key, self->cfg.province, GATEWAY_KEY_TOKENS);
    redisReply *all = inv_redis_command (self->redis, "HGETALL %s", tokens_key);
    if (!all || all->type != REDIS_REPLY_ARRAY) {
        if (all)
            freeReplyObject (all);
        inv_call_error (call, 503, "Redis did not answer");
        return;
    }
    Innov__ListTokensReply *reply = (Innov__ListTokensReply *) malloc (sizeof *reply);
    assert (reply);
    innov__list_tokens_reply__init (reply);
    reply->tokens = (Innov__Token **) calloc (all->elements / 2 + 1, sizeof *reply->tokens);
    assert (reply->tokens);
    for (size_t i = 0; i + 1 < all->elements; i += 2) {
        Innov__Token *token = s_read (self, all->element [i + 1]->str);
        if (!token)
            continue;
        if (*filter && strcmp (token->principal, filter) != 0) {
            innov__token__free_unpacked (token, NULL);
            continue;
        }
        reply->tokens [reply->n_tokens++] = token;
    }
    freeReplyObject (all);
    qsort (reply->tokens, reply->n_tokens, sizeof *reply->tokens, s_by_id);
    inv_call_reply (call, &reply->base, s_list_free);
}

void
gateway_token_revoke (void *ctx, inv_call_t *call)
{
    gateway_t *self = (gateway_t *) ctx;
    const Innov__RevokeTokenRequest *req = (const Innov__RevokeTokenRequest *) call->request;
    if (!req->id || !*req->id) {
        inv_call_field_error (call, "id", "is required (tk<n>, see token.list)");
        return;
    }
    char tokens_key [GATEWAY_KEY_MAX];
    inv_key (tokens_key, sizeof tokens_key, self->cfg.province, GATEWAY_KEY_TOKENS);
    redisReply *sha = inv_redis_command (self->redis, "HGET %s %s", tokens_key, req->id);
    if (!sha) {
        inv_call_error (call, 503, "Redis did not answer");
        return;
    }
    if (sha->type != REDIS_REPLY_STRING) {
        freeReplyObject (sha);
        inv_call_error (call, 404, "no token %s", req->id);
        return;
    }
    Innov__Token *token = s_read (self, sha->str);
    if (!token || !s_may (call, token->principal)) {
        if (!token)
            inv_call_error (call, 404, "no token %s", req->id);
        if (token)
            innov__token__free_unpacked (token, NULL);
        freeReplyObject (sha);
        return;
    }
    char tok_key [GATEWAY_KEY_MAX];
    inv_key (tok_key, sizeof tok_key, self->cfg.province, GATEWAY_KEY_TOKEN, sha->str);
    const char *keys [] = { tok_key, tokens_key };
    size_t keylens [] = { strlen (tok_key), strlen (tokens_key) };
    const char *args [] = { req->id, sha->str };
    size_t arglens [] = { strlen (req->id), sha->len };
    inv_store_result_t result;
    inv_store_write (self->redis, &self->revoke_script, self->cfg.province, call->caller,
                     req->idempotency_key? req->idempotency_key: "",
                     2, keys, keylens, 2, args, arglens, &result);
    freeReplyObject (sha);
    if (result.code != 200) {
        inv_call_error (call, result.code, "%s", result.message);
        inv_store_result_clear (&result);
        innov__token__free_unpacked (token, NULL);
        return;
    }
    inv_store_result_clear (&result);
    inv_info ("token.revoke %s of %s by %s", token->id, token->principal, call->caller);
    s_reply_token (call, token);
}
