/*  catalogue_write: one write of the catalogue, built as the list of operations that
    catalogue_write.lua runs (checks first, then the writes and the events, one atomic
    step behind the outbox prelude).

    A handler adds the keys it touches (catalogue_write_key gives each its index in KEYS,
    once) and the operations in the order they must run; protobuf values are packed
    here and kept until the run. The arguments of an operation are the ones listed at
    the top of catalogue_write.lua. The builder owns every string it was given.
*/
#include <stdarg.h>
#include "catalogue_internal.h"
#include "inv_log.h"

#define WRITE_MAX_KEYS  29          /* the outbox takes 3 of inv_store's 32 */
#define WRITE_MAX_ARGS  61

struct _catalogue_write_t {
    char province [8];
    char *keys [WRITE_MAX_KEYS];
    int nkeys;
    char *args [WRITE_MAX_ARGS];
    size_t lens [WRITE_MAX_ARGS];
    int nargs;
    bool overflow;
};

catalogue_write_t *
catalogue_write_new (const char *province)
{
    catalogue_write_t *self = (catalogue_write_t *) zmalloc (sizeof (catalogue_write_t));
    snprintf (self->province, sizeof self->province, "%s", province);
    return self;
}

void
catalogue_write_destroy (catalogue_write_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    catalogue_write_t *self = *self_p;
    for (int i = 0; i < self->nkeys; i++)
        free (self->keys [i]);
    for (int i = 0; i < self->nargs; i++)
        free (self->args [i]);
    free (self);
    *self_p = NULL;
}

int
catalogue_write_key (catalogue_write_t *self, const char *fmt, ...)
{
    char rest [CATALOGUE_KEY_MAX], key [CATALOGUE_KEY_MAX];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (rest, sizeof rest, fmt, ap);
    va_end (ap);
    inv_key (key, sizeof key, self->province, "%s", rest);
    for (int i = 0; i < self->nkeys; i++)
        if (streq (self->keys [i], key))
            return i + 4;
    if (self->nkeys == WRITE_MAX_KEYS) {
        self->overflow = true;
        return 4;
    }
    self->keys [self->nkeys++] = strdup (key);
    return self->nkeys + 3;         /* the outbox's three keys come first */
}

static void
s_arg_bytes (catalogue_write_t *self, const void *data, size_t len)
{
    if (self->nargs == WRITE_MAX_ARGS) {
        self->overflow = true;
        return;
    }
    char *copy = (char *) malloc (len + 1);
    assert (copy);
    memcpy (copy, data, len);
    copy [len] = 0;
    self->args [self->nargs] = copy;
    self->lens [self->nargs++] = len;
}

static void
s_arg (catalogue_write_t *self, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
static void
s_arg (catalogue_write_t *self, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    char *text = zsys_vprintf (fmt, ap);
    va_end (ap);
    s_arg_bytes (self, text, strlen (text));
    free (text);
}

static void
s_arg_pb (catalogue_write_t *self, const ProtobufCMessage *message)
{
    size_t len;
    uint8_t *packed = inv_rpc_pack (message, &len);
    s_arg_bytes (self, packed, len);
    free (packed);
}

void
catalogue_write_absent (catalogue_write_t *self, int key, const char *message)
{
    s_arg (self, "absent"); s_arg (self, "%d", key); s_arg (self, "%s", message);
}

void
catalogue_write_version (catalogue_write_t *self, int key, uint64_t version)
{
    s_arg (self, "version"); s_arg (self, "%d", key); s_arg (self, "%llu", (unsigned long long) version);
}

void
catalogue_write_below (catalogue_write_t *self, int key, const char *field, int limit_key, const char *limit_field,
                 unsigned default_limit, const char *message_format)
{
    s_arg (self, "below"); s_arg (self, "%d", key); s_arg (self, "%s", field);
    s_arg (self, "%d", limit_key); s_arg (self, "%s", limit_field); s_arg (self, "%u", default_limit);
    s_arg (self, "%s", message_format);
}

void
catalogue_write_atmost (catalogue_write_t *self, int key, const char *field, uint64_t limit, const char *message_format)
{
    s_arg (self, "atmost"); s_arg (self, "%d", key); s_arg (self, "%s", field);
    s_arg (self, "%llu", (unsigned long long) limit); s_arg (self, "%s", message_format);
}

void
catalogue_write_refuse (catalogue_write_t *self, int code, const char *message)
{
    s_arg (self, "refuse"); s_arg (self, "%d", code); s_arg (self, "%s", message);
    s_arg (self, "%s", ""); s_arg (self, "%s", "refused");
}

void
catalogue_write_record (catalogue_write_t *self, int key, const ProtobufCMessage *body, ...)
{
    const char *pairs [16];
    int n = 0;
    va_list ap;
    va_start (ap, body);
    const char *text;
    while (n < 16 && (text = va_arg (ap, const char *)))
        pairs [n++] = text;
    va_end (ap);
    s_arg (self, "hset"); s_arg (self, "%d", key); s_arg (self, "%d", 1 + n / 2);
    s_arg (self, "body"); s_arg_pb (self, body);
    for (int i = 0; i + 1 < n; i += 2) {
        s_arg (self, "%s", pairs [i]);
        s_arg (self, "%s", pairs [i + 1]);
    }
}

void
catalogue_write_fields (catalogue_write_t *self, int key, ...)
{
    const char *pairs [16];
    int n = 0;
    va_list ap;
    va_start (ap, key);
    const char *text;
    while (n < 16 && (text = va_arg (ap, const char *)))
        pairs [n++] = text;
    va_end (ap);
    s_arg (self, "hset"); s_arg (self, "%d", key); s_arg (self, "%d", n / 2);
    for (int i = 0; i + 1 < n; i += 2) {
        s_arg (self, "%s", pairs [i]);
        s_arg (self, "%s", pairs [i + 1]);
    }
}

void
catalogue_write_zadd (catalogue_write_t *self, int key, double score, const char *member)
{
    s_arg (self, "zadd"); s_arg (self, "%d", key); s_arg (self, "%.0f", score); s_arg (self, "%s", member);
}

void
catalogue_write_zrem (catalogue_write_t *self, int key, const char *member)
{
    s_arg (self, "zrem"); s_arg (self, "%d", key); s_arg (self, "%s", member);
}

void
catalogue_write_hincr (catalogue_write_t *self, int key, const char *field, long delta)
{
    s_arg (self, "hincr"); s_arg (self, "%d", key); s_arg (self, "%s", field); s_arg (self, "%ld", delta);
}

void
catalogue_write_rpush (catalogue_write_t *self, int key, const ProtobufCMessage *value)
{
    s_arg (self, "rpush"); s_arg (self, "%d", key); s_arg_pb (self, value);
}

void
catalogue_write_lset_last (catalogue_write_t *self, int key, const ProtobufCMessage *value)
{
    s_arg (self, "lsetl"); s_arg (self, "%d", key); s_arg_pb (self, value);
}

void
catalogue_write_emit (catalogue_write_t *self, const char *type, const char *subject, const ProtobufCMessage *payload,
                const char *city, const char *county)
{
    s_arg (self, "emit"); s_arg (self, "%s", type); s_arg (self, "%s", subject);
    s_arg (self, "innov.%s", payload->descriptor->name);
    s_arg_pb (self, payload);
    s_arg (self, "%s", catalogue_str (city)); s_arg (self, "%s", catalogue_str (county));
}

void
catalogue_write_announce (catalogue_write_t *self, const char *project_id, size_t count, const ProtobufCMessage **payloads)
{
    s_arg (self, "announce"); s_arg (self, "%zu", count); s_arg (self, "%s", project_id);
    for (size_t i = 0; i < count; i++)
        s_arg_pb (self, payloads [i]);
}

void
catalogue_write_result (catalogue_write_t *self, const ProtobufCMessage *body)
{
    s_arg (self, "result"); s_arg_pb (self, body);
}

void
catalogue_write_count (catalogue_write_t *self, uint32_t year, const char *city, const char *name, long delta)
{
    catalogue_write_hincr (self, catalogue_write_key (self, CATALOGUE_KEY_COUNT, year, "province"), name, delta);
    if (!catalogue_empty (city)) {
        char scope [32];
        snprintf (scope, sizeof scope, "city:%s", city);
        catalogue_write_hincr (self, catalogue_write_key (self, CATALOGUE_KEY_COUNT, year, scope), name, delta);
    }
}

int
catalogue_write_run (catalogue_write_t *self, catalogue_t *cat, const inv_call_t *call, const char *idempotency_key,
               inv_store_result_t *result)
{
    memset (result, 0, sizeof *result);
    if (self->overflow) {
        result->code = 500;
        snprintf (result->message, sizeof result->message, "write too large for one script");
        inv_error ("%s: write too large for one script (%d keys, %d arguments)", call->method,
                   self->nkeys, self->nargs);
        return result->code;
    }
    return inv_store_write (cat->redis, &cat->write_script, self->province, call->caller,
                            catalogue_str (idempotency_key), self->nkeys, (const char **) self->keys, NULL,
                            self->nargs, (const char **) self->args, self->lens, result);
}

int
catalogue_write_finish (catalogue_write_t *self, catalogue_t *cat, inv_call_t *call, const char *idempotency_key,
                  const ProtobufCMessageDescriptor *body_desc, const ProtobufCMessageDescriptor *reply_desc)
{
    inv_store_result_t result;
    int code = catalogue_write_run (self, cat, call, idempotency_key, &result);
    if (code == 200) {
        ProtobufCMessage *body = protobuf_c_message_unpack (body_desc, NULL, result.body_len,
                                                            (const uint8_t *) result.body);
        if (!body)
            inv_call_error (call, 500, "stored record does not decode");
        else {
            uint8_t reply_mem [512] __attribute__ ((aligned (16)));
            assert (reply_desc->sizeof_message <= sizeof reply_mem);
            ProtobufCMessage *reply = (ProtobufCMessage *) reply_mem;
            protobuf_c_message_init (reply_desc, reply);
            *(ProtobufCMessage **) ((char *) reply + reply_desc->fields [0].offset) = body;
            inv_caller_reply_copy (call, reply);
            protobuf_c_message_free_unpacked (body, NULL);
        }
    }
    else
    if (code == 400 && *result.field)
        inv_call_field_error (call, result.field, "%s", result.reason);
    else
        inv_call_error (call, code, "%s", result.message);
    inv_store_result_clear (&result);
    return code;
}
