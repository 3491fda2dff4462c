/*  unit_call: see unit_call.h. The call is set up with inv_call_init, as the
    dispatcher would, so a handler cannot tell a test from the broker. */
#include "unit_call.h"

int
unit_call (inv_call_t *call, void *ctx, inv_handler_fn *handler, const char *caller,
           const char *method, const ProtobufCMessage *request)
{
    inv_call_init (call, ctx, caller, method, request);
    handler (ctx, call);
    return call->code? call->code: 200;
}

int
unit_call_code (void *ctx, inv_handler_fn *handler, const char *caller, const char *method,
                const ProtobufCMessage *request)
{
    inv_call_t call;
    int code = unit_call (&call, ctx, handler, caller, method, request);
    inv_call_clear (&call);
    return code;
}

bool
unit_call_has_detail (const inv_call_t *call, const char *field)
{
    if (!call->details)
        return false;
    for (Innov__FieldError *fe = (Innov__FieldError *) zlist_first (call->details); fe;
         fe = (Innov__FieldError *) zlist_next (call->details))
        if (streq (fe->field, field))
            return true;
    return false;
}
