/*  report: the reporting service's class, its method table, and what the handlers
    share: months, the groups that report, scope names, principals and replies.

    Months are dispatch months: "2026-03" is the month whose 5th (00:00 CST) the
    group's report is due by, as notify's deadline "ledger:2026-03:<agency>"; that
    report covers February. Everything is computed on the one clock (inv_clock), so
    admin.clock.set in test mode moves it.

    The handlers live by area (see report_internal.h); every write is one Lua script
    behind the outbox prelude (report_submit.lua, report_snapshot.lua,
    report_closed.lua). Figures of other services come through report->call, which is
    the broker in a running service (report_source.c) and an in-process dispatcher in
    unit tests.
*/
#include <ctype.h>
#include <stdlib.h>
#include "report_internal.h"
#include "inv_clock.h"
#include "inv_log.h"
#include "inv_valid.h"

extern const char report_lua_report_submit [];
extern const char report_lua_report_snapshot [];
extern const char report_lua_report_closed [];

static int
s_env_int (const char *name, int fallback, int min)
{
    const char *text = getenv (name);
    if (s_blank (text))
        return fallback;
    char *end;
    long value = strtol (text, &end, 10);
    if (*end || value < min || value > 86400000L * 31) {
        inv_warn ("%s: \"%s\" is not a whole number >= %d; using %d", name, text, min, fallback);
        return fallback;
    }
    return (int) value;
}

report_t *
report_new (const inv_config_t *cfg)
{
    inv_redis_t *redis = inv_redis_new (cfg->redis);
    if (!redis)
        return NULL;
    report_t *self = (report_t *) zmalloc (sizeof (report_t));
    self->redis = redis;
    snprintf (self->province, sizeof self->province, "%s", s_blank (cfg->province)? "14": cfg->province);
    self->submit_script.name = "report_submit";
    self->submit_script.source = inv_store_script_source (report_lua_report_submit);
    self->snapshot_script.name = "report_snapshot";
    self->snapshot_script.source = inv_store_script_source (report_lua_report_snapshot);
    self->closed_script.name = "report_closed";
    self->closed_script.source = inv_store_script_source (report_lua_report_closed);
    const char *services = getenv ("REPORT_FIGURES_SERVICES");
    snprintf (self->figures_services, sizeof self->figures_services, "%s",
              services? services: "pairing,catalogue,problems");
    self->figures_timeout_ms = s_env_int ("REPORT_FIGURES_TIMEOUT_MS", 1000, 50);
    self->snapshot_window_ms = s_env_int ("REPORT_SNAPSHOT_WINDOW_MS", 86400000, 0);
    report_source_attach (self, cfg);
    return self;
}

void
report_destroy (report_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    report_t *self = *self_p;
    report_source_detach (self);
    inv_redis_destroy (&self->redis);
    free ((char *) self->submit_script.source);
    free ((char *) self->snapshot_script.source);
    free ((char *) self->closed_script.source);
    free (self);
    *self_p = NULL;
}

inv_redis_t *
report_redis (report_t *self)
{
    return self->redis;
}

/* ---- months --------------------------------------------------------------------------- */

bool
report_month_parse (const char *text, report_month_t *out)
{
    if (!text || strlen (text) != 7 || text [4] != '-')
        return false;
    for (int i = 0; i < 7; i++)
        if (i != 4 && !isdigit ((unsigned char) text [i]))
            return false;
    int year = atoi (text), month = atoi (text + 5);
    if (year < 2000 || year > 2100 || month < 1 || month > 12)
        return false;
    out->year = year;
    out->month = month;
    return true;
}

void
report_month_now (int64_t now_ms, report_month_t *out)
{
    inv_cst_t cst;
    inv_clock_to_cst (now_ms, &cst);
    out->year = cst.year;
    out->month = cst.month;
}

report_month_t
report_month_add (report_month_t m, int delta)
{
    int index = m.year * 12 + (m.month - 1) + delta;
    report_month_t r = { index / 12, index % 12 + 1 };
    return r;
}

char *
report_month_text (report_month_t m, char *buf, size_t size)
{
    snprintf (buf, size, "%04d-%02d", m.year, m.month);
    return buf;
}

int64_t
report_month_start (report_month_t m)
{
    return inv_clock_from_cst (m.year, m.month, 1, 0, 0, 0);
}

int64_t
report_month_due (report_month_t m)
{
    return inv_clock_from_cst (m.year, m.month, 5, 0, 0, 0);
}

bool
report_month_arg (inv_call_t *call, const char *field, const char *given, report_month_t *out)
{
    if (s_blank (given)) {
        report_month_now (inv_clock_now_ms (), out);
        return true;
    }
    if (report_month_parse (given, out))
        return true;
    inv_call_field_error (call, field, "\"%.16s\" is not a month YYYY-MM (2000-01 .. 2100-12)", given);
    return false;
}

/* ---- groups and scopes ------------------------------------------------------------------ */

size_t
report_groups (const char *province, char agencies [][32], size_t max)
{
    size_t n = 0, count;
    const inv_division_t *divisions = inv_division_all (&count);
    for (size_t i = 0; i < count && n < max; i++)
        if (divisions [i].level == INV_DIV_CITY && strncmp (divisions [i].code, province, 2) == 0)
            snprintf (agencies [n++], 32, "city:%s", divisions [i].code);
    const inv_department_t *departments = inv_department_all (&count);
    for (size_t i = 0; i < count && n < max; i++)
        snprintf (agencies [n++], 32, "dept:%s", departments [i].code);
    return n;
}

bool
report_is_group (const char *province, const char *agency)
{
    if (strncmp (agency, "city:", 5) == 0) {
        const inv_division_t *d = inv_division_find (agency + 5);
        return d && d->level == INV_DIV_CITY && strncmp (d->code, province, 2) == 0;
    }
    if (strncmp (agency, "dept:", 5) == 0) {
        const inv_department_t *d = inv_department_find (agency + 5);
        return d && streq (d->code, agency + 5);
    }
    return false;
}

const char *
report_scope_name (const char *scope)
{
    if (streq (scope, "province"))
        return "全省";
    if (strncmp (scope, "city:", 5) == 0) {
        const inv_division_t *d = inv_division_find (scope + 5);
        return d? d->name: scope + 5;
    }
    if (strncmp (scope, "dept:", 5) == 0) {
        const inv_department_t *d = inv_department_find (scope + 5);
        return d? d->short_name: scope + 5;
    }
    if (strncmp (scope, "cluster:", 8) == 0) {
        const inv_cluster_t *c = inv_cluster_find (scope + 8);
        return c? c->name: scope + 8;
    }
    return scope;
}

/* ---- principals ------------------------------------------------------------------------ */

bool
report_may_read (inv_call_t *call)
{
    return inv_caller_known (call, "anonymous callers may not read reports; act as an agency");
}

bool
report_reads_all (const inv_call_t *call)
{
    inv_principal_t p;
    inv_caller_principal (call, &p);
    return p.kind == INV_P_PROVINCE || p.kind == INV_P_SERVICE;
}

/* ---- replies and checks -------------------------------------------------------------------- */

void
report_check_text (inv_call_t *call, const char *field, const char *text, size_t max)
{
    size_t length = strlen (s_text (text));
    if (length > max)
        inv_call_field_error (call, field, "is %zu bytes long; at most %zu are allowed", length, max);
    else
    if (!inv_utf8_valid (s_text (text)))
        inv_call_field_error (call, field, "is not valid UTF-8");
}

/* ---- the method table ------------------------------------------------------------------- */

const inv_method_t report_methods [] = {
    { "report.submit",     &innov__submit_report_request__descriptor, report_submit,     0 },
    { "report.get",        &innov__get_report_request__descriptor,    report_get,        0 },
    { "report.status",     &innov__report_status_request__descriptor, report_status,     0 },
    { "report.assessment", &innov__assessment_request__descriptor,    report_assessment, 0 },
    { "report.bulletin",   &innov__bulletin_request__descriptor,      report_bulletin,   0 },
    { "report.summary",    &innov__summary_request__descriptor,       report_summary,    0 },
    { NULL, NULL, NULL, 0 }
};
