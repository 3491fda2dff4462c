/*  registry_internal: what the registry's source files share and nothing outside the
    service sees. registry.c holds the class, the method table and these helpers;
    registry_enterprise.c the ledger's handlers (add, get, update, list, count, search),
    registry_workflow.c the status workflow, registry_agency.c the agencies and their
    seeding, registry_import.c the spreadsheet import. Key names stay in registry_keys.h,
    record validation in registry_check.h.
*/
#ifndef REGISTRY_INTERNAL_H
#define REGISTRY_INTERNAL_H
#include <czmq.h>
#include "registry.h"
#include "registry_check.h"
#include "registry_keys.h"
#include "registry.pb-c.h"
#include "inv_store.h"
#include "inv_caller.h"
#include "inv_principal.h"

#define REGISTRY_UPDATE_ATTEMPTS    5       /* reads and writes of one stale-refused step */
#define REGISTRY_LIST_MAX           1000

struct _registry_t {
    inv_redis_t *redis;
    char province [8];
    inv_script_t add_script;
    inv_script_t update_script;
    inv_script_t workflow_script;
    inv_script_t agency_script;
    inv_script_t seed_script;
    bool seeded;                    /* the agencies of the province are in Redis */
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

/* registry_common.lua prepended to body, behind the outbox prelude (freed by the caller). */
char *registry_script_source (const char *body);
const char *registry_status_name (int status);
void registry_reply_enterprise (inv_call_t *call, Innov__Enterprise *enterprise);
/* The packed message (malloc'd, never NULL) and its size. */
uint8_t *registry_pack (const ProtobufCMessage *message, size_t *size_p);
/* Reads of the ledger are open to every authenticated principal, not to anonymous. */
bool registry_may_read (inv_call_t *call);
/* The caller may write e (else a 403 on call). */
bool registry_may_write (inv_call_t *call, const Innov__Enterprise *e);
void registry_check_idempotency_key (inv_call_t *call, const char *key);
/* At most max bytes of UTF-8 (else a field error). */
void registry_check_text (inv_call_t *call, const char *field, const char *text, size_t max);
/* The province of a request (given, or the deployment's) into pp [8]; false after a field error. */
bool registry_province_arg (inv_call_t *call, registry_t *self, const char *given, char *pp);
/* An integer command's reply, 0 for another type, -1 if Redis is down. */
long long registry_integer_command (registry_t *self, int argc, const char **argv);
/* Every alliance of the record must be a known alliance agency of its province. */
void registry_check_alliances (registry_t *self, inv_call_t *call, const Innov__Enterprise *e);

/* Find a record, in the deployment's province, then in the one named by digits 3-4 of
   its credit code: true with *record_p (unpacked, the caller frees it) and its province
   in pp [8]; false after answering the call (404 not found, 503 Redis down, 500 the
   stored body does not decode). */
bool registry_find (registry_t *self, inv_call_t *call, const char *code, char *pp, Innov__Enterprise **record_p);
/* A read of one record by its credit_code: the caller may read, the code is valid and
   the record is found; else false after answering the call. */
bool registry_read_one (registry_t *self, inv_call_t *call, const char *code, char *pp, Innov__Enterprise **record_p);

/* What a workflow step adds to a write: its event type and history entry. */
typedef struct {
    const char *event;
    const uint8_t *entry;
    size_t entry_len;
    const char *refusal;        /* not "": the script answers 409 with it (after the
                                   idempotency check, so a retry gets its first reply) */
} registry_flow_t;

/* The keys and arguments of a record write (registry_common.lua): the record, the
   indexes and counters it leaves (old) and joins (e), the name index and history. */
#define REGISTRY_MEMBER_IDX_MAX 7
#define REGISTRY_MEMBER_CNT_MAX 4
#define REGISTRY_WRITE_NKEYS_MAX (3 + 2 * (REGISTRY_MEMBER_IDX_MAX + REGISTRY_MEMBER_CNT_MAX))
#define REGISTRY_WRITE_NARGS 30        /* 20 of the record, then 2 x 5 assessment figures */
#define REGISTRY_FIGURES     5         /* rdi, rda, ali, rev, rde (registry_keys.h) */

typedef struct {
    char store [REGISTRY_WRITE_NKEYS_MAX][REGISTRY_KEY_MAX];
    const char *keys [REGISTRY_WRITE_NKEYS_MAX];
    int nkeys;
    char status [16], version [32], n_old_idx [8], n_new_idx [8], n_old_cnt [8], n_new_cnt [8];
    char old_status [16], read [32], expected [32];
    char figures [2][REGISTRY_FIGURES][24];     /* old record's, new record's */
    char old_name [REGISTRY_NAME_MAX_BYTES + 32], new_name [REGISTRY_NAME_MAX_BYTES + 32];
    const char *args [REGISTRY_WRITE_NARGS];
    size_t arglens [REGISTRY_WRITE_NARGS];
} registry_write_args_t;

/* Fill w for writing e (packed as body) over old (NULL when new); flow is the workflow
   step (NULL for add, update and import). w's strings point into w, e, old and body. */
void registry_write_args (registry_write_args_t *w, const char *pp, const Innov__Enterprise *old,
                          const Innov__Enterprise *e, const uint8_t *body, size_t body_len,
                          uint64_t read_version, uint64_t expected_version, const registry_flow_t *flow);
/* An amount in 10k yuan as the integer the counters sum (hundredths; 0 when not positive). */
long long registry_amount_units (double amount);
/* Run a write script with those arguments; inv_store_write's result. */
int registry_write (registry_t *self, inv_script_t *script, const char *pp, const inv_call_t *call,
                    const char *idempotency_key, const Innov__Enterprise *old, const Innov__Enterprise *e,
                    const uint8_t *body, size_t body_len, uint64_t read_version, uint64_t expected_version,
                    const registry_flow_t *flow, inv_store_result_t *result);
/* Turn a script's result into the call's reply. */
void registry_finish_write (inv_call_t *call, inv_store_result_t *result);
/* After write attempt number attempt (from 0): true when it is settled (answered through
   registry_finish_write), false when a stale version calls for another attempt; the
   result is cleared either way. */
bool registry_settled (inv_call_t *call, inv_store_result_t *result, int attempt);
#endif
