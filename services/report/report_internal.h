/*  report_internal: what the report service's files share and nothing outside sees.

    report.c         the class, the method table, months, groups and scopes
    report_source.c  the calls to other services (registry counts and agencies,
                     figures.get of pairing, catalogue, problems), behind one function
                     pointer so unit tests answer them in-process
    report_figures.c ledger figures of a scope, month snapshots, assessment rows
    report_submit.c  report.submit, report.get, report.status
    report_closed.c  the enterprises closed in a month (follower) and the tick
    report_doc.c     a document model rendered as Markdown or self-contained HTML (SVG)
    report_bulletin.c report.assessment, report.bulletin, report.summary
*/
#ifndef REPORT_INTERNAL_H
#define REPORT_INTERNAL_H
#include <czmq.h>
#include "report.h"
#include "report_keys.h"
#include "report.pb-c.h"
#include "registry.pb-c.h"
#include "figures.pb-c.h"
#include "inv_store.h"
#include "inv_caller.h"
#include "inv_principal.h"

#define REPORT_NARRATIVE_MAX     20000
#define REPORT_GROUPS_MAX        64          /* cities + departments of a province */
#define REPORT_SUBMIT_ATTEMPTS   5
#define REPORT_CLOSED_LIST_MAX   500         /* enterprises listed by name in a bulletin */

/* A request to another service: status code (200, 503 when it is not running or did
   not answer within timeout_ms) and the decoded reply. */
typedef int (report_call_fn) (void *arg, const char *service, const char *method,
                              const ProtobufCMessage *request,
                              const ProtobufCMessageDescriptor *reply_desc,
                              ProtobufCMessage **reply_p, int timeout_ms);

struct _report_t {
    inv_redis_t *redis;
    char province [8];
    inv_script_t submit_script;
    inv_script_t snapshot_script;
    inv_script_t closed_script;
    report_call_fn *call;
    void *call_arg;
    void *source;                   /* the MDP source (report_source.c), when used */
    char figures_services [256];    /* REPORT_FIGURES_SERVICES: "pairing,catalogue,problems" */
    int figures_timeout_ms;         /* REPORT_FIGURES_TIMEOUT_MS */
    int snapshot_window_ms;         /* REPORT_SNAPSHOT_WINDOW_MS: the tick takes a month's
                                       snapshot only this long after the month began */
};

/* ---- report.c ---------------------------------------------------------------------- */
static inline bool s_blank (const char *text) { return !text || !*text; }
static inline const char *s_text (const char *text) { return text? text: ""; }

/* Months "YYYY-MM". */
typedef struct { int year, month; } report_month_t;
bool report_month_parse (const char *text, report_month_t *out);
void report_month_now (int64_t now_ms, report_month_t *out);
report_month_t report_month_add (report_month_t m, int delta);
char *report_month_text (report_month_t m, char *buf, size_t size);    /* "2026-03" */
int64_t report_month_start (report_month_t m);                         /* 1st 00:00 CST */
int64_t report_month_due (report_month_t m);                           /* 5th 00:00 CST */
/* The request's month into *out (now's when empty); false after a field error. */
bool report_month_arg (inv_call_t *call, const char *field, const char *given, report_month_t *out);

/* The groups that report: every city of the province ("city:140100"), then every
   department ("dept:gxt"). Returns how many were written into agencies. */
size_t report_groups (const char *province, char agencies [][32], size_t max);
/* The Chinese name of a scope ("city:140100" -> 太原市, "dept:gxt" -> 省工信厅 short
   name, "cluster:semiconductor" -> 半导体, "province" -> 全省). */
const char *report_scope_name (const char *scope);
bool report_is_group (const char *province, const char *agency);

/* Reads of figures: any authenticated principal. */
bool report_may_read (inv_call_t *call);
/* Reads of every group's reports: province and services; a group reads its own. */
bool report_reads_all (const inv_call_t *call);

void report_check_text (inv_call_t *call, const char *field, const char *text, size_t max);

/* ---- report_source.c ------------------------------------------------------------------ */
/* The MDP source: requests through the broker as "service:report". */
void report_source_attach (report_t *self, const inv_config_t *cfg);
void report_source_detach (report_t *self);
void report_set_call (report_t *self, report_call_fn *call, void *arg);

/* ---- report_figures.c ----------------------------------------------------------------- */
/* Fill f (scope set) from a registry count row. */
void report_figures_from_row (Innov__LedgerFigures *f, const Innov__CountRow *row);
/* The live figures of one group ("city:..", "dept:..") or "province", with the figures
   of the other services; a malloc'd message (free with innov__ledger_figures__free_unpacked),
   NULL with *code set (503 registry down ...). */
Innov__LedgerFigures *report_live_figures (report_t *self, const char *scope, int *code);
/* The whole province now: every scope (province, cities, departments, clusters). */
Innov__MonthSnapshot *report_live_snapshot (report_t *self, const char *month, int64_t now, int *code);
/* The stored snapshot of a month (NULL when none; *code 503 when Redis is down). */
Innov__MonthSnapshot *report_stored_snapshot (report_t *self, const char *month, int *code);
/* The stored snapshot, taken now and stored when missing and the month has begun;
   live figures (not stored, *provisional set) when it has not. */
Innov__MonthSnapshot *report_month_snapshot (report_t *self, report_month_t m, int64_t now,
                                             bool *provisional, int *code);
/* Store a snapshot (once per month); 200, or the store's code. */
int report_store_snapshot (report_t *self, const Innov__MonthSnapshot *snapshot);
const Innov__LedgerFigures *report_snapshot_row (const Innov__MonthSnapshot *s, const char *scope);

/* Assessment rows of the scopes starting with prefix ("city:", "dept:", "cluster:"),
   ranked; previous may be NULL. rows freed with report_rows_free. */
typedef struct {
    Innov__AssessmentRow **rows;
    size_t count;
    Innov__AssessmentRow *province;
} report_rows_t;
void report_assess (const Innov__MonthSnapshot *now, const Innov__MonthSnapshot *previous,
                    const char *prefix, report_rows_t *out);
void report_rows_free (report_rows_t *rows);
void report_assess_row (Innov__AssessmentRow *row, const Innov__LedgerFigures *f,
                        const Innov__LedgerFigures *previous);

/* ---- report_submit.c ------------------------------------------------------------------- */
void report_submit (void *ctx, inv_call_t *call);
void report_get (void *ctx, inv_call_t *call);
void report_status (void *ctx, inv_call_t *call);
/* The status rows of a month (every group); caller frees with
   innov__report_status_reply__free_unpacked. NULL when Redis is down. */
Innov__ReportStatusReply *report_status_of (report_t *self, report_month_t m, int64_t now);

/* ---- report_closed.c ------------------------------------------------------------------- */
/* Enterprises closed in a calendar month: the count per scope ("province", "city:..",
   "dept:..") into a zhash of (uintptr_t) counts (freed by the caller), and up to max
   entries, oldest first (caller frees each with innov__closed_enterprise__free_unpacked). */
int report_closed_of (report_t *self, report_month_t m, zhash_t **counts_p,
                      Innov__ClosedEnterprise ***list_p, size_t *count_p, size_t max);

/* ---- report_bulletin.c ----------------------------------------------------------------- */
void report_assessment (void *ctx, inv_call_t *call);
void report_bulletin (void *ctx, inv_call_t *call);
void report_summary (void *ctx, inv_call_t *call);
#endif
