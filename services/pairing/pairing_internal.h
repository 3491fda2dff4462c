/*  pairing_internal: what the pairing files share (not part of the service's interface). */
#ifndef PAIRING_INTERNAL_H
#define PAIRING_INTERNAL_H
#include "pairing.h"
#include "pairing_keys.h"
#include "inv_store.h"
#include "inv_caller.h"
#include "inv_principal.h"

#define PAIRING_PROJECT_MAX     256     /* events per projection script */
#define PAIRING_PROJECT_ARGS    10

typedef struct _pairing_plan_t pairing_plan_t;    /* pairing_suggest.c */
void pairing_plan_free (pairing_plan_t **plan_p);

typedef struct {
    char kind [2];
    char code [24], version [24], city [8], county [8], dept [24], ind [8], cluster [32],
         status [4], cap [12];
} pairing_proj_t;

struct _pairing_t {
    inv_redis_t *redis;
    char province [8];
    unsigned mentor_capacity;
    inv_script_t project_script, group_script, assign_script, pair_script, link_script;
    pairing_proj_t *queue;          /* PAIRING_PROJECT_MAX queued projections */
    size_t queued;
    bool reference_seeded;          /* reference alliances and expert teams projected */
    pairing_plan_t *plan;           /* the --apply in progress (pairing_suggest.c) */
};

/* Project the reference alliances and expert teams (idempotent); 0, or -1 if Redis failed. */
int pairing_seed_reference (pairing_t *self, const char *pp);

/* The province of a request ("" = the service's). */
const char *pairing_province (pairing_t *self, const char *requested);
/* "{PP}:pair." into buf. */
const char *pairing_prefix (pairing_t *self, const char *pp, char *buf, size_t size);
/* A write script with the service's prefix as its first own key; the result decoded,
   a failure answered on call (field errors as FieldError). Returns the result code. */
int pairing_write (pairing_t *self, inv_call_t *call, inv_script_t *script, const char *pp,
                   const char *idempotency_key, int nargs, const char **args, const size_t *arglens,
                   inv_store_result_t *result);
/* Answer 503 for a Redis that did not answer. */
void pairing_unavailable (pairing_t *self, inv_call_t *call);
/* May the caller manage groups of this owner ("city:<c>" / "dept:<d>")? 403 on call if not. */
bool pairing_may_manage (inv_call_t *call, const char *owner);
/* The value of a hash field in an HGETALL/HMGET reply pair list, or "". */
const char *pairing_reply_field (const redisReply *hash, const char *field);
/* A string element (or "" ) of an array reply. */
const char *pairing_elem (const redisReply *array, size_t i);
/* A stored pairing (hash + history when with_history) into a new Pairing (free with
   pairing_free_pairing); NULL when not found; *down set when Redis failed. */
Innov__Pairing *pairing_load_pairing (pairing_t *self, const char *pp, const char *id,
                                      bool with_history, bool *down);
void pairing_free_pairing (Innov__Pairing *p);
/* Text checks */
bool pairing_text_ok (inv_call_t *call, const char *field, const char *value, size_t max, bool required);
/* The credit codes of a request: at least one, at most max, each valid; else field
   errors on field ("give at least one ...") or on "<field>[i]" (the code's reason). */
void pairing_codes_check (inv_call_t *call, const char *field, char *const *codes, size_t n, size_t max);
#endif
