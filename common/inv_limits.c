/*  inv_limits: the process's size bounds (see inv_limits.h).

    One static value, the largest request, set from the configuration by whichever
    of inv_service_run, inv_client_from_config or inv_worker_from_config runs first
    (they all read the same setting), and by the broker. Socket bounds derive from it.

    The repeated-field check walks a decoded message through its descriptor:
    every repeated field's count sits at quantifier_offset; message fields (single,
    repeated, or the member of a oneof that is set) are walked in turn, to
    INV_MAX_DEPTH levels. The cost is linear in the decoded message, which the
    request size already bounds.
*/
#include "inv_limits.h"

static size_t s_max_request = INV_DEFAULT_MAX_REQUEST;
static size_t s_max_method = 0;         /* largest per-method bound noted */

void
inv_limits_set_max_request (size_t bytes)
{
    s_max_request = bytes? bytes: INV_DEFAULT_MAX_REQUEST;
}

size_t
inv_limits_max_request (void)
{
    return s_max_request;
}

void
inv_limits_allow_method (size_t bytes)
{
    if (bytes > s_max_method)
        s_max_method = bytes;
}

size_t
inv_limits_request_socket (void)
{
    return (s_max_method > s_max_request? s_max_method: s_max_request) + INV_ENVELOPE_MARGIN;
}

size_t
inv_limits_reply_socket (void)
{
    size_t request = inv_limits_request_socket ();
    return request > INV_MAX_REPLY_BYTES? request: INV_MAX_REPLY_BYTES;
}

void
inv_limits_apply (zsock_t *sock, size_t max_bytes)
{
    if (sock)
        zsock_set_maxmsgsize (sock, (int) (max_bytes > INT32_MAX? INT32_MAX: max_bytes));
}

/* ---- repeated fields ----------------------------------------------------------------- */

static bool
s_walk (const ProtobufCMessage *message, size_t max_items, char *path, size_t size,
        size_t used, size_t *count_p, int depth)
{
    const ProtobufCMessageDescriptor *desc = message->descriptor;
    const char *base = (const char *) message;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields [i];
        int n = snprintf (path + used, size - used, "%s%s", used? ".": "", f->name);
        size_t here = used + (n > 0 && (size_t) n < size - used? (size_t) n: 0);
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t count = *(const size_t *) (base + f->quantifier_offset);
            if (count > max_items) {
                *count_p = count;
                return false;
            }
            if (f->type == PROTOBUF_C_TYPE_MESSAGE && depth < INV_MAX_DEPTH) {
                ProtobufCMessage *const *items = *(ProtobufCMessage *const **) (base + f->offset);
                for (size_t k = 0; k < count; k++) {
                    if (!items [k])
                        continue;
                    int m = snprintf (path + here, size - here, "[%zu]", k);
                    size_t next = here + (m > 0 && (size_t) m < size - here? (size_t) m: 0);
                    if (!s_walk (items [k], max_items, path, size, next, count_p, depth + 1))
                        return false;
                }
            }
        }
        else
        if (f->type == PROTOBUF_C_TYPE_MESSAGE && depth < INV_MAX_DEPTH) {
            if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
            &&  *(const uint32_t *) (base + f->quantifier_offset) != f->id)
                continue;
            const ProtobufCMessage *sub = *(ProtobufCMessage *const *) (base + f->offset);
            if (sub && !s_walk (sub, max_items, path, size, here, count_p, depth + 1))
                return false;
        }
    }
    path [used] = 0;
    return true;
}

bool
inv_limits_repeated_ok (const ProtobufCMessage *message, size_t max_items,
                        char *field, size_t field_size, size_t *count_p)
{
    char scratch [256];
    if (!field || field_size == 0) {
        field = scratch;
        field_size = sizeof scratch;
    }
    size_t dummy;
    if (!count_p)
        count_p = &dummy;
    field [0] = 0;
    *count_p = 0;
    if (!message)
        return true;
    return s_walk (message, max_items, field, field_size, 0, count_p, 0);
}
