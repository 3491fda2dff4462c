/*  problems_internal: what the service's source files share and nothing outside it
    sees. problems.c holds the class, the method table, the registry lookup, reads
    (get, list) and the one way a problem is written; problems_flow.c the raise and the
    steps of the ladder; problems_figures.c figures.get. Key names are in
    problems_keys.h, the write script in problems_write.lua.
*/
#ifndef PROBLEMS_INTERNAL_H
#define PROBLEMS_INTERNAL_H
#include <czmq.h>
#include "problems.h"
#include "problems_keys.h"
#include "problems.pb-c.h"
#include "notify.pb-c.h"
#include "figures.pb-c.h"
#include "inv_store.h"
#include "inv_caller.h"
#include "inv_principal.h"

#define PROBLEMS_SCOPES_MAX     5       /* province, city, dept, group, handler */
#define PROBLEMS_SCOPE_MAX      96
#define PROBLEMS_EVENTS_MAX     4
#define PROBLEMS_LIST_MAX       1000

struct _problems_t {
    inv_redis_t *redis;
    char province [8];
    inv_script_t write_script;
    inv_config_t cfg;                   /* for the registry client: acts as service:problems */
    mdp_client_t *client;               /* to the registry, made on first use */
    problems_lookup_fn *lookup;
    void *lookup_arg;
};

static inline bool
s_empty (const char *text)
{
    return !text || !*text;
}

static inline const char *
s_str (const char *text)
{
    return text? text: "";
}

/* The scopes a problem belongs to ("province", "city:..", "dept:..", "group:..",
   "handler:.."); returns how many. */
size_t problems_scopes (const Innov__Problem *p, char scopes [PROBLEMS_SCOPES_MAX][PROBLEMS_SCOPE_MAX]);
/* The earliest deadline of an unresolved problem that no step has met yet; 0 when
   it is resolved or closed. */
int64_t problems_next_due (const Innov__Problem *p);

/* Pack a view into a malloc'd buffer (never NULL). */
uint8_t *problems_pack (const ProtobufCMessage *message, size_t *size_p);
/* Reads: every principal but anonymous (else 403 on call). */
bool problems_may_read (inv_call_t *call);
/* The stored problem (caller frees it), or NULL after answering 404 / 503 / 500. */
Innov__Problem *problems_read (problems_t *self, inv_call_t *call, const char *id);
/* The enterprise through the lookup: NULL after answering the call (400 naming
   field for an unknown one, 503 when the registry does not answer). */
Innov__Enterprise *problems_enterprise (problems_t *self, inv_call_t *call, const char *field,
                                        const char *code);

/* One event of a write. */
typedef struct {
    const char *type;
    char subject [PROBLEMS_SCOPE_MAX];
    const char *payload_type;
    uint8_t *payload;                   /* owned (freed by problems_write) */
    size_t payload_len;
} problems_event_t;

/* Write p (the record after the step) over old (NULL: raised now) with its events:
   counters, deadline index, days histogram and lists of every scope move from old
   to p; refusal ("" none) makes the script answer 409 after the idempotency check.
   Answers the call (the stored record on 200) and returns false; returns true
   without answering when the record changed since it was read (read it again and
   retry). Frees the events' payloads. */
bool problems_write (problems_t *self, inv_call_t *call, const Innov__Problem *old,
                     const Innov__Problem *p, const char *refusal, const char *idempotency_key,
                     problems_event_t *events, size_t n_events);
#endif
