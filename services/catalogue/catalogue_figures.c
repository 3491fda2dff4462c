/*  catalogue_figures: figures.get (proto/figures.proto) for the report service.

    Figures of the campaign year (the clock's), read from the counter hashes that every
    write keeps in its own script (cat.cnt:<year>:province, cat.cnt:<year>:city:<code>):
    never a scan. Scopes: "province", "city:<code>" (projects, demonstrations and
    support records by their enterprise's city), and "all" (the province and every city
    of the division table, one row each). Directory and policy figures are provincial.
    Scopes the catalogue keeps nothing for (dept:, county:, group:, cluster:) get no rows.
*/
#include <czmq.h>
#include "catalogue_internal.h"
#include "inv_clock.h"
#include "inv_valid.h"

static const struct { const char *name; const char *label; bool province_only; } s_figures [] = {
    { "projects.applied",        "申报创新项目", false },
    { "projects.selected",       "入选创新项目", false },
    { "projects.rejected",       "未入选项目", false },
    { "projects.fund_pool",      "入专项资金库项目", false },
    { "projects.recommended",    "推荐省重大科技项目", false },
    { "tech.active",             "关键共性技术", true },
    { "demos",                   "创新示范", false },
    { "policies",                "汇编政策", true },
    { "support.procurement",     "创新产品政府采购目录", false },
    { "support.first_unit",      "首台套", false },
    { "support.first_batch",     "首批次", false },
    { "support.first_version",   "首版次", false },
    { "support.innovation_board","创新板后备企业", false },
};
#define FIGURES (sizeof s_figures / sizeof s_figures [0])

static Innov__FigureRow *
s_row (catalogue_t *self, uint32_t year, const char *scope, bool *down)
{
    char key [CATALOGUE_KEY_MAX];
    zhash_t *hash = catalogue_hash (self, inv_key (key, sizeof key, self->province, CATALOGUE_KEY_COUNT, year, scope));
    if (!hash) {
        *down = true;
        return NULL;
    }
    bool province = streq (scope, "province");
    Innov__FigureRow *row = (Innov__FigureRow *) calloc (1, sizeof (Innov__FigureRow));
    innov__figure_row__init (row);
    row->scope = strdup (scope);
    row->figures = (Innov__Figure **) calloc (FIGURES, sizeof (Innov__Figure *));
    for (size_t i = 0; i < FIGURES; i++) {
        if (s_figures [i].province_only && !province)
            continue;
        Innov__Figure *f = (Innov__Figure *) calloc (1, sizeof (Innov__Figure));
        innov__figure__init (f);
        f->name = (char *) s_figures [i].name;
        f->label = (char *) s_figures [i].label;
        const char *value = zhash_lookup (hash, s_figures [i].name);
        f->value = value? atof (value): 0;
        row->figures [row->n_figures++] = f;
    }
    zhash_destroy (&hash);
    return row;
}

static void
s_free_row (Innov__FigureRow *row)
{
    for (size_t i = 0; i < row->n_figures; i++)
        free (row->figures [i]);
    free (row->figures);
    free (row->scope);
    free (row);
}

void
catalogue_figures_get (void *ctx, inv_call_t *call)
{
    catalogue_t *self = (catalogue_t *) ctx;
    const Innov__FiguresRequest *req = (const Innov__FiguresRequest *) call->request;
    if (!catalogue_may_read (call))
        return;
    const char *scope = catalogue_empty (req->scope)? "province": req->scope;
    bool all = streq (scope, "all");
    if (strncmp (scope, "dept:", 5) == 0 || strncmp (scope, "county:", 7) == 0
    ||  strncmp (scope, "group:", 6) == 0 || strncmp (scope, "cluster:", 8) == 0) {
        /* a scope the catalogue keeps no figures for: nothing to contribute */
        Innov__FiguresReply reply = INNOV__FIGURES_REPLY__INIT;
        reply.service = (char *) "catalogue";
        reply.as_of_ms = inv_clock_now_ms ();
        inv_caller_reply_copy (call, &reply.base);
        return;
    }
    if (!all && !streq (scope, "province")
    &&  !(strncmp (scope, "city:", 5) == 0 && inv_division_is_city (scope + 5))) {
        inv_call_field_error (call, "scope", "the catalogue keeps figures for \"province\", \"city:<code>\" "
                              "and \"all\", not \"%.40s\"", scope);
        return;
    }
    inv_cst_t now;
    int64_t now_ms = inv_clock_now_ms ();
    inv_clock_to_cst (now_ms, &now);
    uint32_t year = (uint32_t) now.year;
    zlist_t *scopes = zlist_new ();
    zlist_autofree (scopes);
    if (all) {
        zlist_append (scopes, "province");
        size_t count = 0;
        const inv_division_t *divisions = inv_division_all (&count);
        for (size_t i = 0; i < count; i++)
            if (divisions [i].level == INV_DIV_CITY && streq (divisions [i].province, self->province)) {
                char text [32];
                snprintf (text, sizeof text, "city:%s", divisions [i].code);
                zlist_append (scopes, text);
            }
    }
    else
        zlist_append (scopes, (void *) scope);
    Innov__FigureRow **rows = (Innov__FigureRow **) calloc (zlist_size (scopes) + 1, sizeof (Innov__FigureRow *));
    size_t n = 0;
    bool down = false;
    for (const char *s = zlist_first (scopes); s && !down; s = zlist_next (scopes)) {
        Innov__FigureRow *row = s_row (self, year, s, &down);
        if (row)
            rows [n++] = row;
    }
    if (down)
        inv_call_error (call, 503, "storage unavailable: %s", inv_redis_last_error (self->redis));
    else {
        Innov__FiguresReply reply = INNOV__FIGURES_REPLY__INIT;
        reply.service = (char *) "catalogue";
        reply.rows = rows;
        reply.n_rows = n;
        reply.as_of_ms = now_ms;
        inv_caller_reply_copy (call, &reply.base);
    }
    for (size_t i = 0; i < n; i++)
        s_free_row (rows [i]);
    free (rows);
    zlist_destroy (&scopes);
}
