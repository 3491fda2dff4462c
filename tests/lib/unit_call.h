/*  unit_call: a service's handler called directly, the way inv_rpc_dispatch calls it
    once the request is decoded, for unit tests that need no sockets.

    Each test binary binds the service context of its own in a short local function:

        static int
        s_call (inv_handler_fn *fn, const char *caller, const ProtobufCMessage *req, inv_call_t *call)
        {
            return unit_call (call, N, fn, caller, "test", req);
        }

    A call kept for inspection (reply, message, details) is the test's to clear with
    inv_call_clear; unit_call_code clears it at once and returns only the code.
*/
#ifndef UNIT_CALL_H
#define UNIT_CALL_H
#include <stdbool.h>
#include "inv_rpc.h"

/* Runs handler on ctx as caller with request (owned by the test); returns the call's
   code, 200 when the handler set none. */
int unit_call (inv_call_t *call, void *ctx, inv_handler_fn *handler, const char *caller,
               const char *method, const ProtobufCMessage *request);
/* The same, the call cleared; only its code is returned. */
int unit_call_code (void *ctx, inv_handler_fn *handler, const char *caller, const char *method,
                    const ProtobufCMessage *request);
/* Whether the call's field errors name field. */
bool unit_call_has_detail (const inv_call_t *call, const char *field);
#endif
