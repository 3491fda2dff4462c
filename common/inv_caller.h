/*  inv_caller: what every service's handlers ask of a call beyond inv_rpc: who the
    caller is (its principal, anonymous when missing or not a principal), whether it
    may read at all (anyone but anonymous), and a reply that is a copy of a view the
    handler built on its stack or borrowed from a stored record.
*/
#ifndef INV_CALLER_H
#define INV_CALLER_H
#include <stdbool.h>
#include "inv_rpc.h"
#include "inv_principal.h"

/* The principal of the call: call->caller parsed, anonymous when it is missing or
   does not parse (so a malformed caller never gains a scope). */
void inv_caller_principal (const inv_call_t *call, inv_principal_t *principal);

/* True unless the caller is anonymous; otherwise answers 403 with reason (the whole
   message, e.g. "anonymous callers may not read the catalogue") and returns false. */
bool inv_caller_known (inv_call_t *call, const char *reason);

/* Replies with an owned copy of view (packed, then unpacked), so view may point into
   the stack or into records the handler frees afterwards; 500 should the copy fail. */
void inv_caller_reply_copy (inv_call_t *call, const ProtobufCMessage *view);

#endif
