/*  catalogue_internal: what the catalogue's source files share and nothing outside the
    service sees. catalogue.c holds the class, the method table, the sources of
    enterprises and work groups and the small functions below; catalogue_write.c the
    builder of writes (one catalogue_write.lua call each); catalogue_tech.c the
    directory, catalogue_project.c the projects, catalogue_records.c demonstrations
    and support records, catalogue_policy.c the policies and the menu,
    catalogue_figures.c figures.get. Key names are in catalogue_keys.h.
*/
#ifndef CATALOGUE_INTERNAL_H
#define CATALOGUE_INTERNAL_H
#include <czmq.h>
#include "catalogue.h"
#include "catalogue_keys.h"
#include "catalogue.pb-c.h"
#include "figures.pb-c.h"
#include "notify.pb-c.h"
#include "inv_store.h"
#include "inv_caller.h"
#include "inv_principal.h"

#define CATALOGUE_ATTEMPTS      5           /* reads and writes of one stale-refused change */
#define CATALOGUE_TEXT_MAX      2000        /* bytes of a free text */
#define CATALOGUE_NAME_MAX      300         /* bytes of a name or title */
#define CATALOGUE_LIST_MAX      1000

struct _catalogue_t {
    inv_redis_t *redis;
    char province [8];
    inv_config_t cfg;                       /* copy, for the client to the broker */
    mdp_client_t *client;                   /* to registry and pairing, on first use */
    inv_script_t write_script;
    catalogue_enterprise_fn *enterprise_fn;
    catalogue_group_fn *group_fn;
    void *source_arg;
};

static inline bool
catalogue_empty (const char *text)
{
    return !text || !*text;
}

static inline const char *
catalogue_str (const char *text)
{
    return text? text: "";
}

/* ---- catalogue.c ----------------------------------------------------------------------- */

/* Reads are open to every principal but anonymous (else 403 on call). */
bool catalogue_may_read (inv_call_t *call);
/* Only the provincial group (and service principals): else 403 naming what. */
bool catalogue_province_only (inv_call_t *call, const char *what);
/* The caller may record things about enterprise e: the province, a department, the
   enterprise's city or county, service principals; else 403. */
bool catalogue_may_write_about (inv_call_t *call, const Innov__Enterprise *e, const char *what);
/* Text checks adding field errors: present (when required), at most max bytes. */
void catalogue_check_text (inv_call_t *call, const char *field, const char *text, size_t max, bool required);
void catalogue_check_idempotency_key (inv_call_t *call, const char *key);
/* The record a write request carries (field name): false after the field error when it
   is missing. An update names its record by id: checked as the field "<name>.id". */
bool catalogue_check_subject (inv_call_t *call, const char *name, const void *record, const char *id, bool adding);
/* The year of a request: given (2000..2100) or the clock's year; 0 after a field error. */
uint32_t catalogue_year (inv_call_t *call, const char *field, uint32_t given);
/* An enterprise from the registry: true with *e_p; false after answering the call
   (404 naming field, 503). */
bool catalogue_enterprise (catalogue_t *self, inv_call_t *call, const char *field, const char *code,
                     Innov__Enterprise **e_p);
/* A new id "<prefix><year>-<n, width digits>" from the kind's sequence; false on 503. */
bool catalogue_new_id (catalogue_t *self, inv_call_t *call, const char *kind, const char *prefix,
                 uint32_t year, int width, char *id, size_t size);
/* The stored body of a hash record (HGET key body) unpacked with desc: true with *out;
   false after answering 404 (naming what), 503 or 500. */
bool catalogue_load (catalogue_t *self, inv_call_t *call, const char *key, const ProtobufCMessageDescriptor *desc,
               const char *what, ProtobufCMessage **out);
/* Bodies of the hash records named by ids (format of the record key), in order; NULL
   entries where a record is missing. Returns the count, -1 if Redis is down. */
int catalogue_load_many (catalogue_t *self, const char *key_fmt, char **ids, size_t count,
                   const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out);
/* The records whose ids are the members of the sorted set index, in score order
   (key_fmt: format of a record key), missing ones left out: a calloc'd array of *n, for
   catalogue_free_records. NULL after answering 503 when the index cannot be read;
   *failed (when given) set when Redis failed while reading the records. */
ProtobufCMessage **catalogue_load_indexed (catalogue_t *self, inv_call_t *call, const char *index,
                                           const char *key_fmt, const ProtobufCMessageDescriptor *desc,
                                           size_t *n, bool *failed);
/* Frees the n records of the array, then the array. */
void catalogue_free_records (ProtobufCMessage **records, size_t n);
/* The members of a sorted set in score order (from score min, at most limit; 0 = all)
   as a zlist of strings (owned), or NULL if Redis is down. */
zlist_t *catalogue_members (catalogue_t *self, const char *key, const char *min, size_t limit);
/* Scores of members, for cursors. */
double catalogue_score (catalogue_t *self, const char *key, const char *member);
/* A counter hash's fields, or NULL when Redis is down (a missing hash is empty). */
zhash_t *catalogue_hash (catalogue_t *self, const char *key);

/* ---- catalogue_write.c: one write, as the operations of catalogue_write.lua ------------ */

typedef struct _catalogue_write_t catalogue_write_t;
catalogue_write_t *catalogue_write_new (const char *province);
void catalogue_write_destroy (catalogue_write_t **self_p);
/* The index of a key in the script's KEYS (added once). */
int  catalogue_write_key (catalogue_write_t *self, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
void catalogue_write_absent (catalogue_write_t *self, int key, const char *message);
void catalogue_write_version (catalogue_write_t *self, int key, uint64_t version);
void catalogue_write_below (catalogue_write_t *self, int key, const char *field, int limit_key, const char *limit_field,
                      unsigned default_limit, const char *message_format);
void catalogue_write_atmost (catalogue_write_t *self, int key, const char *field, uint64_t limit, const char *message_format);
void catalogue_write_refuse (catalogue_write_t *self, int code, const char *message);
/* hset of body (binary) plus pairs of text fields, ended by NULL */
void catalogue_write_record (catalogue_write_t *self, int key, const ProtobufCMessage *body, ...);
/* hset of pairs of text fields, ended by NULL */
void catalogue_write_fields (catalogue_write_t *self, int key, ...);
void catalogue_write_zadd (catalogue_write_t *self, int key, double score, const char *member);
void catalogue_write_zrem (catalogue_write_t *self, int key, const char *member);
void catalogue_write_hincr (catalogue_write_t *self, int key, const char *field, long delta);
void catalogue_write_rpush (catalogue_write_t *self, int key, const ProtobufCMessage *value);
void catalogue_write_lset_last (catalogue_write_t *self, int key, const ProtobufCMessage *value);
void catalogue_write_emit (catalogue_write_t *self, const char *type, const char *subject, const ProtobufCMessage *payload,
                     const char *city, const char *county);
void catalogue_write_announce (catalogue_write_t *self, const char *project_id, size_t count,
                         const ProtobufCMessage **payloads);
void catalogue_write_result (catalogue_write_t *self, const ProtobufCMessage *body);
/* Counters of figures: delta on field name of the year's province and (if city) city hashes. */
void catalogue_write_count (catalogue_write_t *self, uint32_t year, const char *city, const char *name, long delta);
/* Run it: the result's code; result->body is the result body. */
int  catalogue_write_run (catalogue_write_t *self, catalogue_t *cat, const inv_call_t *call, const char *idempotency_key,
                    inv_store_result_t *result);
/* Run it and answer the call: on 200 the reply is reply_desc's message holding the
   stored body in field `field` (a submessage), else the refusal. Returns the code. */
int  catalogue_write_finish (catalogue_write_t *self, catalogue_t *cat, inv_call_t *call, const char *idempotency_key,
                       const ProtobufCMessageDescriptor *body_desc, const ProtobufCMessageDescriptor *reply_desc);

/* Names and labels. */
const char *catalogue_sector_label (int sector);
const char *catalogue_project_state_label (const char *state);
#endif
