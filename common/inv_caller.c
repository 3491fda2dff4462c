/*  inv_caller: the principal of a call, the "anonymous may not read" check and the
    reply by copy, written once for every service (see inv_caller.h). The copy goes
    through the wire encoding (inv_rpc_pack), which is what the reply would be sent
    as anyway; it frees the handler from keeping its views alive.
*/
#include <stdlib.h>
#include "inv_caller.h"

void
inv_caller_principal (const inv_call_t *call, inv_principal_t *principal)
{
    if (inv_principal_parse (call->caller, principal))
        inv_principal_parse ("anonymous", principal);
}

bool
inv_caller_known (inv_call_t *call, const char *reason)
{
    inv_principal_t principal;
    inv_caller_principal (call, &principal);
    if (principal.kind != INV_P_ANONYMOUS)
        return true;
    inv_call_error (call, 403, "%s", reason);
    return false;
}

void
inv_caller_reply_copy (inv_call_t *call, const ProtobufCMessage *view)
{
    size_t size;
    uint8_t *buffer = inv_rpc_pack (view, &size);
    ProtobufCMessage *reply = protobuf_c_message_unpack (view->descriptor, NULL, size, buffer);
    free (buffer);
    if (!reply) {
        inv_call_error (call, 500, "reply does not encode");
        return;
    }
    inv_call_reply (call, reply, NULL);
}
