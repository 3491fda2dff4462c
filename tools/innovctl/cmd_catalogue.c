/*  innovctl tech | project | demo | policy | support: the catalogue service
    (proto/catalogue.proto, docs/catalogue.md).

        tech add --name N --sector S --proposer-kind K --proposer P [--industries 3311,3312]
                 [--clusters 半导体,光伏] [--description D] [--year Y] [--reason R]
        tech amend ID [the same flags] [--reason R]      tech withdraw ID --reason R
        tech publish [--year Y]      tech get ID
        tech list [--year Y] [--as-of DATE] [--sector S] [--all] [--out FILE [--format csv|xlsx]]
        tech diff --from DATE [--to DATE] [--year Y] [--out FILE]
        project apply --code C --name N --kind transformation|innovation --tech ID
                      --chain build|extend|fill|strengthen|upgrade --budget B
                      --milestones "标题@2026-06-30;标题@2026-10-31" [--year Y]
        project review | select | fund | recommend ID      project reject ID --reason R
        project progress ID --milestone N --text T [--percent P] [--done]
        project get ID     project list [--year] [--state] [--city] [--code] [--limit] [--cursor] [--out]
        project quota [--year Y] [--set N]      project figures [--scope S]
        demo add --kind K --code C --title T [--experience E] [--adopters C1,C2] [--year Y]
        demo update ID [--kind] [--title] [--experience] [--adopters]   demo get ID
        demo list [--year] [--kind] [--city] [--out]
        policy add --title T --level central|provincial|city [--city C] [--kind K] [--issuer I]
                   [--document D] [--summary S] [--industries 33,34] [--clusters K1,K2]
                   [--min-revenue N] [--max-revenue N] [--rd-institution yes|no]
                   [--rd-activity yes|no] [--statuses not_started,in_progress]
        policy update ID [the same flags] [--state active|expired]   policy get ID
        policy list [--level] [--city] [--kind] [--out]
        policy menu --group ID | --codes C1,C2 [--out]
        support add --kind procurement|first_unit|first_batch|first_version|innovation_board
                    --code C [--product P] [--description D] [--ip IP1,IP2] [--year Y]
        support get ID     support list [--year] [--kind] [--city] [--code] [--out]

    Every list takes --out FILE (with --format csv|xlsx, else the extension decides):
    the same rows with Chinese headers, through inv_sheet. `<group> help` prints the
    group's usage. Writes carry a fresh idempotency key (or --idempotency-key).

    What the groups share is described by tables rather than written again: a kind_t
    says how a record becomes a row and a reply of one record is shown, a list_t which
    flags fill which request fields of a list and where its reply keeps the records,
    and a group_t which kind "get" shows, which function serves "add" and "update" and
    which list "list" runs; s_group_run dispatches on them.
*/
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "ctl.h"
#include "inv_clock.h"
#include "inv_sheet.h"
#include "inv_table.h"
#include "inv_valid.h"
#include "catalogue.pb-c.h"
#include "figures.pb-c.h"

#define CATALOGUE "catalogue"
#define LIST_MAX  64

/* ---- words and labels --------------------------------------------------------------------- */

typedef struct { const char *word; int value; const char *label; } word_t;

static const word_t s_sectors [] = {
    { "green_energy", 1, "绿色能源" }, { "advanced_manufacturing", 2, "先进制造" },
    { "digital_industry", 3, "数字产业" }, { NULL } };
static const word_t s_proposers [] = {
    { "city", 1, "市" }, { "enterprise", 2, "企业" }, { "university", 3, "高校" }, { "institute", 4, "科研院所" },
    { NULL } };
static const word_t s_project_kinds [] = {
    { "transformation", 1, "重大技术改造" }, { "innovation", 2, "重点技术创新" }, { NULL } };
static const word_t s_chains [] = {
    { "build", 1, "建链" }, { "extend", 2, "延链" }, { "fill", 3, "补链" }, { "strengthen", 4, "强链" },
    { "upgrade", 5, "提链" }, { NULL } };
static const word_t s_demo_kinds [] = {
    { "tech_innovation", 1, "技术创新示范企业" }, { "smart_manufacturing", 2, "智能制造" },
    { "green_manufacturing", 3, "绿色制造" }, { "big_data", 4, "大数据" }, { "hydrogen", 5, "氢能" },
    { "other", 6, "其他" }, { NULL } };
static const word_t s_levels [] = {
    { "central", 1, "国家" }, { "provincial", 2, "省级" }, { "city", 3, "市级" }, { NULL } };
static const word_t s_requirements [] = { { "yes", 1, "需要" }, { "no", 2, "不得有" }, { NULL } };
static const word_t s_support_kinds [] = {
    { "procurement", 1, "创新产品政府采购目录" }, { "first_unit", 2, "首台套" }, { "first_batch", 3, "首批次" },
    { "first_version", 4, "首版次" }, { "innovation_board", 5, "创新板后备企业" }, { NULL } };
static const word_t s_states [] = {
    { "applied", 0, "已申报" }, { "under_review", 0, "评审中" }, { "selected", 0, "已入选" },
    { "fund_pool", 0, "专项资金库" }, { "recommended", 0, "已推荐" }, { "rejected", 0, "未入选" },
    { "active", 0, "有效" }, { "withdrawn", 0, "已撤出" }, { "expired", 0, "已失效" }, { NULL } };

/* Value of a word (or its Chinese label); -1 if unknown. */
static int
s_word (const word_t *words, const char *text)
{
    for (const word_t *w = words; w->word; w++)
        if (strcasecmp (w->word, text) == 0 || strcmp (w->label, text) == 0)
            return w->value;
    return -1;
}

static const char *
s_label (const word_t *words, int value)
{
    for (const word_t *w = words; w->word; w++)
        if (w->value == value)
            return w->label;
    return "";
}

static const char *
s_state_label (const char *state)
{
    for (const word_t *w = s_states; w->word; w++)
        if (streq (w->word, state))
            return w->label;
    return state;
}

static char *
s_words_list (const word_t *words)
{
    char *text = strdup ("");
    for (const word_t *w = words; w->word; w++) {
        char *joined = zsys_sprintf ("%s%s%s", text, *text? ", ": "", w->word);
        free (text);
        text = joined;
    }
    return text;
}

/* An enum flag: CTL_OK with *out (unchanged when the flag is absent), or the usage error. */
static int
s_enum_opt (const char *command, const ctl_opt_t *opts, const char *name, const word_t *words, int *out)
{
    const char *text = ctl_opt (opts, name);
    if (!text)
        return CTL_OK;
    int value = s_word (words, text);
    if (value < 0) {
        char *all = s_words_list (words);
        int rc = ctl_usage (command, "--%s: \"%s\" is not one of %s", name, text, all);
        free (all);
        return rc;
    }
    *out = value;
    return CTL_OK;
}

/* A list separated by any of seps (each a whole UTF-8 string: ",", "、", ";", " " ...)
   into items (pointers into buf, empty items dropped); count returned. */
static size_t
s_split (const char *text, char *buf, size_t size, char **items, size_t max, const char *const *seps)
{
    snprintf (buf, size, "%s", text? text: "");
    size_t n = 0;
    char *start = buf, *p = buf;
    while (true) {
        size_t len = 0;
        for (const char *const *sep = seps; *sep && !len; sep++)
            if (strncmp (p, *sep, strlen (*sep)) == 0)
                len = strlen (*sep);
        if (len || !*p) {
            bool end = !*p;
            *p = 0;
            if (*start && n < max)
                items [n++] = start;
            if (end)
                break;
            p += len;
            start = p;
        }
        else
            p++;
    }
    return n;
}

static const char *const LIST_SEPS [] = { ",", "，", "、", " ", "\n", NULL };
static const char *const ITEM_SEPS [] = { ";", "；", "\n", NULL };

static char *
s_join (char **items, size_t n, const char *sep)
{
    char *text = strdup ("");
    for (size_t i = 0; i < n; i++) {
        char *joined = zsys_sprintf ("%s%s%s", text, i? sep: "", items [i]);
        free (text);
        text = joined;
    }
    return text;
}

static char *
s_date (int64_t ms)
{
    char buf [40];
    ctl_time_text (ms, buf, sizeof buf);
    return strdup (buf);
}

/* ---- tables: the terminal or a spreadsheet ------------------------------------------------ */

typedef struct {
    const char *header;
    double width;
    bool numeric;
    bool terminal;              /* shown on the terminal too (a spreadsheet has every column) */
} col_t;

typedef struct {
    const col_t *cols;
    size_t ncols;
    zlist_t *rows;              /* char ** of ncols malloc'd strings */
} grid_t;

static void
s_grid_init (grid_t *g, const col_t *cols, size_t ncols)
{
    g->cols = cols;
    g->ncols = ncols;
    g->rows = zlist_new ();
}

/* Add a row: ncols strings, each malloc'd (taken). */
static void
s_grid_add (grid_t *g, char **cells)
{
    char **row = (char **) calloc (g->ncols, sizeof (char *));
    memcpy (row, cells, g->ncols * sizeof (char *));
    zlist_append (g->rows, row);
}

static void
s_grid_free (grid_t *g)
{
    for (char **row = zlist_first (g->rows); row; row = zlist_next (g->rows)) {
        for (size_t i = 0; i < g->ncols; i++)
            free (row [i]);
        free (row);
    }
    zlist_destroy (&g->rows);
}

/* Print or write the grid (--out / --format); the grid is freed. */
static int
s_grid_output (grid_t *g, const ctl_opt_t *opts, const char *command, const char *sheet)
{
    const char *path = ctl_opt (opts, "out");
    int rc = CTL_OK;
    if (path) {
        inv_sheet_column_t columns [32];
        for (size_t i = 0; i < g->ncols; i++)
            columns [i] = (inv_sheet_column_t) { g->cols [i].header, g->cols [i].width, g->cols [i].numeric };
        char err [256];
        inv_sheet_t *out = inv_sheet_new (path, ctl_opt (opts, "format"), sheet, columns, g->ncols, err, sizeof err);
        if (!out)
            rc = ctl_usage (command, "--out %s: %s", path, err);
        else {
            size_t n = 0;
            for (char **row = zlist_first (g->rows); row; row = zlist_next (g->rows), n++)
                inv_sheet_row (out, (const char **) row);
            bool xlsx = inv_sheet_is_xlsx (out);
            if (inv_sheet_close (&out, err, sizeof err))
                rc = ctl_fail (CTL_REFUSED, "%s: cannot write: %s", path, err);
            else
                printf ("%s: %zu rows (%s)\n", path, n, xlsx? "XLSX": "CSV, UTF-8");
        }
    }
    else {
        const char *headers [32];
        size_t map [32], n = 0;
        for (size_t i = 0; i < g->ncols; i++)
            if (g->cols [i].terminal) {
                map [n] = i;
                headers [n++] = g->cols [i].header;
            }
        inv_table_t *table = inv_table_new (n, headers);
        for (size_t k = 0; k < n; k++)
            if (g->cols [map [k]].numeric)
                inv_table_set_right (table, k, true);
        for (char **row = zlist_first (g->rows); row; row = zlist_next (g->rows)) {
            const char *cells [32];
            for (size_t k = 0; k < n; k++)
                cells [k] = row [map [k]];
            inv_table_add (table, cells);
        }
        inv_table_print (table, stdout);
        inv_table_destroy (&table);
    }
    s_grid_free (g);
    return rc;
}

/* The options every list shares. */
#define OUT_OPTS { "out", true, NULL }, { "format", true, NULL }

static int
s_check_format (const char *command, const ctl_opt_t *opts)
{
    const char *format = ctl_opt (opts, "format");
    if (format && strcasecmp (format, "csv") && strcasecmp (format, "xlsx"))
        return ctl_usage (command, "--format: \"%s\" is neither csv nor xlsx", format);
    if (format && !ctl_opt (opts, "out"))
        return ctl_usage (command, "--format goes with --out FILE");
    return CTL_OK;
}

static int
s_year_opt (const char *command, const ctl_opt_t *opts, uint32_t *year)
{
    const char *text = ctl_opt (opts, "year");
    uint64_t value = 0;
    if (text && (!ctl_parse_uint (text, 2100, &value) || value < 2000))
        return ctl_usage (command, "--year: \"%s\" is not a year", text);
    *year = (uint32_t) value;
    return CTL_OK;
}

/* The arguments of a list (no positional ones): the flags, then --year into *year (when
   year is not NULL), --format, and the enum flag name into *value (when words is not
   NULL). CTL_OK, or the usage error. */
static int
s_list_parse (const char *command, int argc, char **argv, ctl_opt_t *opts, uint32_t *year,
              const char *name, const word_t *words, int *value)
{
    int rc = ctl_parse (command, argc, argv, opts, NULL, 0, NULL);
    if (rc || (year && (rc = s_year_opt (command, opts, year))) || (rc = s_check_format (command, opts)))
        return rc;
    return words? s_enum_opt (command, opts, name, words, value): CTL_OK;
}

/* The arguments of an add (no positional one) or an update (the record's ID, named
   what in the usage error, into *id; "" for an add). CTL_OK, or the usage error. */
static int
s_write_parse (const char *command, int argc, char **argv, ctl_opt_t *opts, bool adding, const char *what,
               const char **id)
{
    const char *pos [1];
    int npos = 0;
    int rc = ctl_parse (command, argc, argv, opts, pos, adding? 0: 1, &npos);
    if (rc)
        return rc;
    if (!adding && npos != 1)
        return ctl_usage (command, "give %s", what);
    *id = adding? "": pos [0];
    return CTL_OK;
}

/* ---- showing replies ---------------------------------------------------------------------- */

/* A kind of record: its columns, how one record becomes a row, and the reply that
   carries one record (in its field `field`). A reply is shown by print when given, else
   as the label/value lines of the record's non-empty columns. */
typedef struct {
    const col_t *cols;
    size_t ncols;
    void (*row) (grid_t *g, const void *record);
    const ProtobufCMessageDescriptor *reply_desc;
    const char *field;
    ctl_print_fn *print;
} kind_t;

/* The message field `name` of message: a single one as *records (n 1, or 0 when
   unset), a repeated one as its array. */
static void **
s_records (const ProtobufCMessage *message, const char *name, size_t *n)
{
    const ProtobufCFieldDescriptor *field =
        protobuf_c_message_descriptor_get_field_by_name (message->descriptor, name);
    const char *base = (const char *) message;
    if (field->label == PROTOBUF_C_LABEL_REPEATED) {
        *n = *(const size_t *) (base + field->quantifier_offset);
        return *(void **const *) (base + field->offset);
    }
    void **record = (void **) (base + field->offset);
    *n = *record? 1: 0;
    return record;
}

/* The label/value lines of a reply's record (kind->print is not given). */
static void
s_print_record (const kind_t *kind, const ProtobufCMessage *reply)
{
    size_t n;
    void **record = s_records (reply, kind->field, &n);
    grid_t g;
    s_grid_init (&g, kind->cols, kind->ncols);
    if (n)
        kind->row (&g, *record);
    ctl_kv_t *kv = ctl_kv_new ();
    char **row = zlist_first (g.rows);
    for (size_t i = 0; row && i < g.ncols; i++)
        if (*row [i])
            ctl_kv_add (kv, g.cols [i].header, "%s", row [i]);
    ctl_kv_print (kv, stdout);
    ctl_kv_destroy (&kv);
    s_grid_free (&g);
}

/* Calls method of the catalogue and shows its reply, a record of kind (as JSON under
   --json); returns the exit code. */
static int
s_call_show (ctl_t *ctl, const char *method, const ProtobufCMessage *request, const kind_t *kind)
{
    if (kind->print)
        return ctl_call_print (ctl, CATALOGUE, method, request, kind->reply_desc, kind->print);
    ProtobufCMessage *reply = NULL;
    int rc = ctl_call (ctl, CATALOGUE, method, request, kind->reply_desc, &reply);
    if (rc || !reply)
        return rc;
    if (ctl->cfg->json)
        ctl_print_json (reply);
    else
        s_print_record (kind, reply);
    protobuf_c_message_free_unpacked (reply, NULL);
    return CTL_OK;
}

/* Fills g with the rows of a reply and, when title is true, prints the lines above
   them; arg is what the filler was given. */
typedef void (fill_fn) (grid_t *g, const ProtobufCMessage *reply, const void *arg, bool title);

/* Calls method of the catalogue and shows its reply as a grid of cols filled by fill:
   JSON (unless --out), else the title lines (not with --out) and the table, or the
   spreadsheet --out names. */
static int
s_call_grid (ctl_t *ctl, const char *command, const ctl_opt_t *opts, const char *method,
             const ProtobufCMessage *request, const ProtobufCMessageDescriptor *reply_desc,
             const col_t *cols, size_t ncols, fill_fn *fill, const void *arg, const char *sheet)
{
    ProtobufCMessage *reply = NULL;
    int rc = ctl_call (ctl, CATALOGUE, method, request, reply_desc, &reply);
    if (rc)
        return rc;
    if (ctl->cfg->json && !ctl_opt (opts, "out"))
        ctl_print_json (reply);
    else {
        grid_t g;
        s_grid_init (&g, cols, ncols);
        fill (&g, reply, arg, !ctl_opt (opts, "out"));
        rc = s_grid_output (&g, opts, command, sheet);
    }
    protobuf_c_message_free_unpacked (reply, NULL);
    return rc;
}

/* A list command: its flags (a template ending in { NULL }) and the request field each
   goes to (NULL: none), whether it takes --year, its enum flag (when words is not NULL),
   the repeated field of the reply that holds the records of kind, an optional title
   line made from the reply (false: none), and the sheet name for --out. */
typedef struct {
    const char *command;
    const char *method;
    ctl_opt_t opts [10];
    const char *fields [10];
    bool year;
    const char *enum_name;
    const word_t *words;
    const ProtobufCMessageDescriptor *request_desc;
    const ProtobufCMessageDescriptor *reply_desc;
    const char *records;
    const kind_t *kind;
    bool (*title) (const ProtobufCMessage *reply, char *buf, size_t size);
    const char *sheet;
} list_t;

/* The records of a list reply, and its title line when there is one. */
static void
s_list_fill (grid_t *g, const ProtobufCMessage *reply, const void *arg, bool title)
{
    const list_t *list = arg;
    size_t n;
    void **records = s_records (reply, list->records, &n);
    for (size_t i = 0; i < n; i++)
        list->kind->row (g, records [i]);
    char text [160];
    if (title && list->title && list->title (reply, text, sizeof text))
        printf ("%s\n", text);
}

/* The field name of message from a flag: a string gets its text ("" when not given),
   a bool whether it was given, a number or an enum the parsed value. */
static void
s_set_field (ProtobufCMessage *message, const char *name, const char *text, int value)
{
    const ProtobufCFieldDescriptor *field =
        protobuf_c_message_descriptor_get_field_by_name (message->descriptor, name);
    char *at = (char *) message + field->offset;
    if (field->type == PROTOBUF_C_TYPE_STRING)
        *(const char **) at = text? text: "";
    else
    if (field->type == PROTOBUF_C_TYPE_BOOL)
        *(protobuf_c_boolean *) at = text != NULL;
    else
    if (field->type == PROTOBUF_C_TYPE_UINT32)
        *(uint32_t *) at = (uint32_t) value;
    else
        *(int *) at = value;
}

/* Runs a list command (see s_call_grid). */
static int
s_list_run (ctl_t *ctl, const list_t *list, int argc, char **argv)
{
    ctl_opt_t opts [10];
    memcpy (opts, list->opts, sizeof opts);
    uint32_t year = 0;
    int value = 0;
    int rc = s_list_parse (list->command, argc, argv, opts, list->year? &year: NULL, list->enum_name,
                           list->words, &value);
    if (rc)
        return rc;
    ProtobufCMessage *request = (ProtobufCMessage *) zmalloc (list->request_desc->sizeof_message);
    protobuf_c_message_init (list->request_desc, request);
    for (size_t i = 0; opts [i].name; i++)
        if (list->fields [i])
            s_set_field (request, list->fields [i], opts [i].value, streq (opts [i].name, "year")? (int) year: value);
    rc = s_call_grid (ctl, list->command, opts, list->method, request, list->reply_desc, list->kind->cols,
                      list->kind->ncols, s_list_fill, list, list->sheet);
    free (request);
    return rc;
}

/* A group of commands: its word and usage, its own sub-commands, and the commands it
   shares with the others: "get ID" shows a record of kind (what names the ID in the
   usage error), "add" and the word `update` run write (adding or not), "list" runs
   list. Those it lacks are NULL. */
typedef struct {
    const char *name;
    const char *usage;
    const ctl_sub_t *subs;
    const kind_t *kind;
    const char *what;
    int (*write) (ctl_t *ctl, int argc, char **argv, bool adding);
    const char *update;
    const list_t *list;
} group_t;

/* "<group> get ID": the record through "<group>.get". */
static int
s_record_get (ctl_t *ctl, const group_t *group, int argc, char **argv)
{
    char command [32], method [32];
    snprintf (command, sizeof command, "%s get", group->name);
    snprintf (method, sizeof method, "%s.get", group->name);
    ctl_opt_t opts [] = { { NULL } };
    const char *id;
    int rc = ctl_parse_one (command, argc, argv, opts, group->what, &id);
    if (rc)
        return rc;
    Innov__CatalogueGetRequest req = INNOV__CATALOGUE_GET_REQUEST__INIT;
    req.id = (char *) id;
    return s_call_show (ctl, method, &req.base, group->kind);
}

/* "help" prints the usage on stdout (0); an unknown or missing sub-command on stderr (2). */
static int
s_group_run (ctl_t *ctl, const group_t *group, int argc, char **argv)
{
    int rc = ctl_run_sub (ctl, group->subs, argc, argv);
    if (rc >= 0)
        return rc;
    const char *sub = argc >= 1? argv [0]: "";
    if (group->kind && streq (sub, "get"))
        return s_record_get (ctl, group, argc - 1, argv + 1);
    if (group->write && (streq (sub, "add") || streq (sub, group->update)))
        return group->write (ctl, argc - 1, argv + 1, streq (sub, "add"));
    if (group->list && streq (sub, "list"))
        return s_list_run (ctl, group->list, argc - 1, argv + 1);
    if (streq (sub, "help") || streq (sub, "--help") || streq (sub, "-h")) {
        fputs (group->usage, stdout);
        return CTL_OK;
    }
    if (argc < 1)
        fprintf (stderr, "innovctl %s: give a sub-command\n", group->name);
    else
        fprintf (stderr, "innovctl %s: unknown sub-command \"%s\"\n", group->name, sub);
    fputs (group->usage, stderr);
    return CTL_USAGE;
}

/* ---- tech ------------------------------------------------------------------------------- */

static const col_t s_tech_cols [] = {
    { "编号", 12, false, true }, { "年度", 6, true, false }, { "技术名称", 30, false, true },
    { "领域", 10, false, true }, { "提出单位类别", 10, false, false }, { "提出单位", 20, false, true },
    { "服务行业", 16, false, false }, { "服务产业集群", 20, false, false }, { "状态", 8, false, true },
    { "版本", 6, true, true }, { "生效时间", 20, false, false }, { "调整", 8, false, false },
    { "调整理由", 30, false, false }, { "调整人", 14, false, false }, { "说明", 30, false, false },
};
#define TECH_COLS (sizeof s_tech_cols / sizeof s_tech_cols [0])

static void
s_tech_row (grid_t *g, const void *record)
{
    const Innov__TechEntry *e = record;
    char *clusters [LIST_MAX];
    size_t n = 0;
    for (size_t i = 0; i < e->n_clusters && n < LIST_MAX; i++) {
        const inv_cluster_t *c = inv_cluster_find (e->clusters [i]);
        clusters [n++] = (char *) (c? c->name: e->clusters [i]);
    }
    const char *change = streq (e->change, "add")? "新增": streq (e->change, "amend")? "修改":
                         streq (e->change, "withdraw")? "撤出": e->change;
    char *cells [TECH_COLS] = {
        strdup (e->id), zsys_sprintf ("%u", e->year), strdup (e->name), strdup (s_label (s_sectors, e->sector)),
        strdup (s_label (s_proposers, e->proposer_kind)), strdup (e->proposer),
        s_join (e->industries, e->n_industries, "、"), s_join (clusters, n, "、"),
        strdup (s_state_label (e->state)), zsys_sprintf ("%llu", (unsigned long long) e->version),
        s_date (e->valid_from_ms), strdup (change), strdup (e->reason), strdup (e->author), strdup (e->description)
    };
    s_grid_add (g, cells);
}

static void
s_print_tech (const ProtobufCMessage *message)
{
    const Innov__TechReply *reply = (const Innov__TechReply *) message;
    const Innov__TechEntry *e = reply->entry;
    ctl_kv_t *kv = ctl_kv_new ();
    ctl_kv_add (kv, "编号", "%s", e->id);
    ctl_kv_add (kv, "技术名称", "%s", e->name);
    ctl_kv_add (kv, "领域", "%s", s_label (s_sectors, e->sector));
    ctl_kv_add (kv, "提出单位", "%s (%s)", e->proposer, s_label (s_proposers, e->proposer_kind));
    char *names [LIST_MAX];
    size_t n = 0;
    for (size_t i = 0; i < e->n_clusters && n < LIST_MAX; i++) {
        const inv_cluster_t *c = inv_cluster_find (e->clusters [i]);
        names [n++] = (char *) (c? c->name: e->clusters [i]);
    }
    char *industries = s_join (e->industries, e->n_industries, "、"), *clusters = s_join (names, n, "、");
    ctl_kv_add (kv, "服务行业", "%s", industries);
    ctl_kv_add (kv, "服务产业集群", "%s", clusters);
    free (industries);
    free (clusters);
    ctl_kv_add (kv, "状态", "%s", s_state_label (e->state));
    ctl_kv_add (kv, "版本", "%llu", (unsigned long long) e->version);
    if (*e->reason)
        ctl_kv_add (kv, "理由", "%s", e->reason);
    ctl_kv_print (kv, stdout);
    ctl_kv_destroy (&kv);
    if (reply->n_versions > 1) {
        grid_t g;
        s_grid_init (&g, s_tech_cols, TECH_COLS);
        for (size_t i = 0; i < reply->n_versions; i++)
            s_tech_row (&g, reply->versions [i]);
        printf ("\n");
        ctl_opt_t none [] = { OUT_OPTS, { NULL } };
        s_grid_output (&g, none, "tech get", "版本");
    }
}

static const kind_t s_tech_kind = {
    s_tech_cols, TECH_COLS, s_tech_row, &innov__tech_reply__descriptor, "entry", s_print_tech };

static int
s_tech_write (ctl_t *ctl, int argc, char **argv, bool adding)
{
    const char *command = adding? "tech add": "tech amend";
    ctl_opt_t opts [] = {
        { "name", true, NULL }, { "sector", true, NULL }, { "proposer-kind", true, NULL },
        { "proposer", true, NULL }, { "industries", true, NULL }, { "clusters", true, NULL },
        { "description", true, NULL }, { "year", true, NULL }, { "reason", true, NULL },
        { "idempotency-key", true, NULL }, { NULL } };
    const char *pos [1];
    int npos = 0;
    int rc = ctl_parse (command, argc, argv, opts, pos, 1, &npos);
    if (rc)
        return rc;
    if (!adding && npos != 1)
        return ctl_usage (command, "give the entry id (T2026-001)");
    if (adding && npos)
        return ctl_usage (command, "unexpected argument \"%s\"", pos [0]);
    Innov__TechEntry e = INNOV__TECH_ENTRY__INIT;
    int sector = 0, proposer = 0;
    uint32_t year = 0;
    if ((rc = s_enum_opt (command, opts, "sector", s_sectors, &sector))
    ||  (rc = s_enum_opt (command, opts, "proposer-kind", s_proposers, &proposer))
    ||  (rc = s_year_opt (command, opts, &year)))
        return rc;
    e.id = (char *) (adding? "": pos [0]);
    e.name = (char *) ctl_opt_text (opts, "name");
    e.sector = sector;
    e.proposer_kind = proposer;
    e.proposer = (char *) ctl_opt_text (opts, "proposer");
    e.description = (char *) ctl_opt_text (opts, "description");
    e.reason = (char *) ctl_opt_text (opts, "reason");
    e.year = year;
    char ibuf [1024], cbuf [1024], *industries [LIST_MAX], *clusters [LIST_MAX];
    e.industries = industries;
    e.n_industries = s_split (ctl_opt (opts, "industries"), ibuf, sizeof ibuf, industries, LIST_MAX, LIST_SEPS);
    e.clusters = clusters;
    e.n_clusters = s_split (ctl_opt (opts, "clusters"), cbuf, sizeof cbuf, clusters, LIST_MAX, LIST_SEPS);
    Innov__TechWriteRequest req = INNOV__TECH_WRITE_REQUEST__INIT;
    req.entry = &e;
    char key [CTL_KEY_SIZE];
    req.idempotency_key = (char *) ctl_idempotency_key (opts, key);
    if (!adding && ctl_opt (opts, "industries") && !e.n_industries)
        return ctl_usage (command, "--industries: give codes (3311,3312)");
    return s_call_show (ctl, adding? "tech.add": "tech.amend", &req.base, &s_tech_kind);
}

static int
s_tech_withdraw (ctl_t *ctl, int argc, char **argv)
{
    ctl_opt_t opts [] = { { "reason", true, NULL }, { "idempotency-key", true, NULL }, { NULL } };
    const char *id;
    int rc = ctl_parse_one ("tech withdraw", argc, argv, opts, "the entry id", &id);
    if (rc)
        return rc;
    Innov__TechEntry e = INNOV__TECH_ENTRY__INIT;
    e.id = (char *) id;
    e.reason = (char *) ctl_opt_text (opts, "reason");
    Innov__TechWriteRequest req = INNOV__TECH_WRITE_REQUEST__INIT;
    req.entry = &e;
    char key [CTL_KEY_SIZE];
    req.idempotency_key = (char *) ctl_idempotency_key (opts, key);
    return s_call_show (ctl, "tech.withdraw", &req.base, &s_tech_kind);
}

static void
s_print_published (const ProtobufCMessage *reply)
{
    const Innov__TechDirectory *d = ((const Innov__DirectoryReply *) reply)->directory;
    char when [40];
    printf ("%u 年度关键共性技术导向目录已发布: %u 项, %s, %s\n", d->year, d->active,
            ctl_time_text (d->published_ms, when, sizeof when), d->published_by);
}

static int
s_tech_publish (ctl_t *ctl, int argc, char **argv)
{
    ctl_opt_t opts [] = { { "year", true, NULL }, { "idempotency-key", true, NULL }, { NULL } };
    int rc = ctl_parse ("tech publish", argc, argv, opts, NULL, 0, NULL);
    Innov__TechPublishRequest req = INNOV__TECH_PUBLISH_REQUEST__INIT;
    if (rc || (rc = s_year_opt ("tech publish", opts, &req.year)))
        return rc;
    char key [CTL_KEY_SIZE];
    req.idempotency_key = (char *) ctl_idempotency_key (opts, key);
    return ctl_call_print (ctl, CATALOGUE, "tech.publish", &req.base, &innov__directory_reply__descriptor,
                           s_print_published);
}

/* The directory line above the entries, when the reply names the directory. */
static bool
s_tech_list_title (const ProtobufCMessage *reply, char *title, size_t size)
{
    const Innov__TechListReply *list = (const Innov__TechListReply *) reply;
    if (!list->directory)
        return false;
    char when [40];
    snprintf (title, size, "%u 年度目录%s, 截至 %s: %zu 项", list->directory->year,
              list->directory->published? "": " (草案，未发布)",
              ctl_time_text (list->as_of_ms, when, sizeof when), list->n_entries);
    return true;
}

static const list_t s_tech_list = {
    "tech list", "tech.list",
    { { "year", true, NULL }, { "as-of", true, NULL }, { "sector", true, NULL }, { "all", false, NULL }, OUT_OPTS },
    { "year", "as_of", "sector", "include_withdrawn" },
    true, "sector", s_sectors, &innov__tech_list_request__descriptor,
    &innov__tech_list_reply__descriptor, "entries", &s_tech_kind, s_tech_list_title, "关键共性技术目录" };

static const col_t s_diff_cols [] = {
    { "编号", 12, false, true }, { "变化", 8, false, true }, { "调整前", 30, false, true },
    { "调整后", 30, false, true }, { "调整时间", 20, false, true }, { "调整理由", 30, false, true },
    { "调整人", 14, false, true },
};
#define DIFF_COLS (sizeof s_diff_cols / sizeof s_diff_cols [0])

static void
s_diff_fill (grid_t *g, const ProtobufCMessage *reply, const void *arg, bool title)
{
    const Innov__TechDiffReply *diff = (const Innov__TechDiffReply *) reply;
    (void) arg;
    for (size_t i = 0; i < diff->n_changes; i++) {
        const Innov__TechDiffEntry *c = diff->changes [i];
        const Innov__TechEntry *last = c->n_adjustments? c->adjustments [c->n_adjustments - 1]: c->after;
        const char *kind = streq (c->kind, "added")? "新增": streq (c->kind, "withdrawn")? "撤出": "修改";
        char *cells [DIFF_COLS] = {
            strdup (c->id), strdup (kind), strdup (c->before? c->before->name: ""),
            strdup (streq (c->kind, "withdrawn") || !c->after? "": c->after->name),
            s_date (last? last->valid_from_ms: 0), strdup (last? last->reason: ""), strdup (last? last->author: "")
        };
        s_grid_add (g, cells);
    }
    if (title) {
        char from [40], to [40];
        printf ("%s 至 %s: %zu 项变化\n", ctl_time_text (diff->from_ms, from, sizeof from),
                ctl_time_text (diff->to_ms, to, sizeof to), diff->n_changes);
    }
}

static int
s_tech_diff (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "tech diff";
    ctl_opt_t opts [] = { { "year", true, NULL }, { "from", true, NULL }, { "to", true, NULL }, OUT_OPTS, { NULL } };
    int rc = ctl_parse (command, argc, argv, opts, NULL, 0, NULL);
    Innov__TechDiffRequest req = INNOV__TECH_DIFF_REQUEST__INIT;
    if (rc || (rc = s_year_opt (command, opts, &req.year)) || (rc = s_check_format (command, opts)))
        return rc;
    if (!ctl_opt (opts, "from"))
        return ctl_usage (command, "--from DATE is required");
    req.from = (char *) ctl_opt_text (opts, "from");
    req.to = (char *) ctl_opt_text (opts, "to");
    return s_call_grid (ctl, command, opts, "tech.diff", &req.base, &innov__tech_diff_reply__descriptor,
                        s_diff_cols, DIFF_COLS, s_diff_fill, NULL, "目录调整");
}

static const char s_tech_usage [] =
    "usage: innovctl tech add --name N --sector green_energy|advanced_manufacturing|digital_industry\n"
    "                         --proposer-kind city|enterprise|university|institute --proposer P\n"
    "                         [--industries 3311,3312] [--clusters 半导体,光伏] [--description D]\n"
    "                         [--year Y] [--reason R]\n"
    "       innovctl tech amend ID [the flags of add] --reason R\n"
    "       innovctl tech withdraw ID --reason R\n"
    "       innovctl tech publish [--year Y]\n"
    "       innovctl tech get ID\n"
    "       innovctl tech list [--year Y] [--as-of DATE] [--sector S] [--all] [--out FILE [--format csv|xlsx]]\n"
    "       innovctl tech diff --from DATE [--to DATE] [--year Y] [--out FILE]\n";

int
cmd_tech (ctl_t *ctl, int argc, char **argv)
{
    static const ctl_sub_t subs [] = {
        { "withdraw", s_tech_withdraw }, { "publish", s_tech_publish }, { "diff", s_tech_diff }, { NULL } };
    static const group_t group = {
        "tech", s_tech_usage, subs, &s_tech_kind, "the entry id", s_tech_write, "amend", &s_tech_list };
    return s_group_run (ctl, &group, argc, argv);
}

/* ---- project ---------------------------------------------------------------------------- */

static const col_t s_project_cols [] = {
    { "项目编号", 12, false, true }, { "年度", 6, true, false }, { "统一社会信用代码", 22, false, true },
    { "企业名称", 30, false, true }, { "市", 10, false, true }, { "项目名称", 30, false, true },
    { "类别", 12, false, false }, { "关键技术", 12, false, true }, { "链条", 6, false, false },
    { "总投资(万元)", 12, true, true }, { "里程碑", 40, false, false }, { "状态", 10, false, true },
    { "说明", 24, false, false }, { "更新时间", 20, false, false },
};
#define PROJECT_COLS (sizeof s_project_cols / sizeof s_project_cols [0])

static void
s_project_row (grid_t *g, const void *record)
{
    const Innov__Project *p = record;
    char *milestones = strdup ("");
    for (size_t i = 0; i < p->n_milestones; i++) {
        char due [40];
        ctl_time_text (p->milestones [i]->due_ms - 1, due, sizeof due);
        due [10] = 0;
        char *joined = zsys_sprintf ("%s%s%zu.%s(%s)%s", milestones, i? "; ": "", i + 1, p->milestones [i]->title, due,
                                     p->milestones [i]->done? "✓": "");
        free (milestones);
        milestones = joined;
    }
    char *cells [PROJECT_COLS] = {
        strdup (p->id), zsys_sprintf ("%u", p->year), strdup (p->credit_code), strdup (p->enterprise_name),
        strdup (ctl_division_label (p->city)), strdup (p->name), strdup (s_label (s_project_kinds, p->kind)),
        strdup (p->tech_id), strdup (s_label (s_chains, p->chain_action)), zsys_sprintf ("%.2f", p->budget),
        milestones, strdup (s_state_label (p->state)), strdup (p->reason), s_date (p->updated_ms)
    };
    s_grid_add (g, cells);
}

static void
s_print_project (const ProtobufCMessage *reply)
{
    const Innov__Project *p = ((const Innov__ProjectReply *) reply)->project;
    ctl_kv_t *kv = ctl_kv_new ();
    ctl_kv_add (kv, "项目编号", "%s", p->id);
    ctl_kv_add (kv, "项目名称", "%s", p->name);
    ctl_kv_add (kv, "企业", "%s %s", p->credit_code, p->enterprise_name);
    ctl_kv_add (kv, "类别", "%s, %s", s_label (s_project_kinds, p->kind), s_label (s_chains, p->chain_action));
    ctl_kv_add (kv, "关键技术", "%s", p->tech_id);
    ctl_kv_add (kv, "总投资", "%.2f 万元", p->budget);
    ctl_kv_add (kv, "状态", "%s", s_state_label (p->state));
    if (*p->reason)
        ctl_kv_add (kv, "说明", "%s", p->reason);
    for (size_t i = 0; i < p->n_milestones; i++) {
        const Innov__ProjectMilestone *m = p->milestones [i];
        char due [40];
        ctl_time_text (m->due_ms - 1, due, sizeof due);
        due [10] = 0;
        const Innov__ProjectMilestoneReport *last = m->n_reports? m->reports [m->n_reports - 1]: NULL;
        ctl_kv_add (kv, "里程碑", "%zu. %s (%s)%s%s%s", i + 1, m->title, due, m->done? " 已完成": "",
                    last? " 最近报告: ": "", last? last->text: "");
    }
    ctl_kv_print (kv, stdout);
    ctl_kv_destroy (&kv);
}

static const kind_t s_project_kind = {
    s_project_cols, PROJECT_COLS, s_project_row, &innov__project_reply__descriptor, "project", s_print_project };

/* "标题@2026-06-30;标题@2026-10-31" into inputs (pointers into buf). */
static size_t
s_milestones (const char *text, char *buf, size_t size, Innov__ProjectMilestoneInput *inputs,
              Innov__ProjectMilestoneInput **ptrs, size_t max, bool *bad)
{
    char *items [16];
    size_t n = s_split (text, buf, size, items, max < 16? max: 16, ITEM_SEPS);
    *bad = false;
    for (size_t i = 0; i < n; i++) {
        innov__project_milestone_input__init (&inputs [i]);
        char *at = strrchr (items [i], '@');
        if (!at) {
            *bad = true;
            return 0;
        }
        *at = 0;
        inputs [i].title = items [i];
        inputs [i].due = at + 1;
        ptrs [i] = &inputs [i];
    }
    return n;
}

static int
s_project_apply (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "project apply";
    ctl_opt_t opts [] = {
        { "code", true, NULL }, { "name", true, NULL }, { "kind", true, NULL }, { "tech", true, NULL },
        { "chain", true, NULL }, { "budget", true, NULL }, { "milestones", true, NULL }, { "year", true, NULL },
        { "idempotency-key", true, NULL }, { NULL } };
    int rc = ctl_parse (command, argc, argv, opts, NULL, 0, NULL);
    Innov__Project p = INNOV__PROJECT__INIT;
    int kind = 0, chain = 0;
    if (rc || (rc = s_year_opt (command, opts, &p.year)) || (rc = s_enum_opt (command, opts, "kind", s_project_kinds, &kind))
    ||  (rc = s_enum_opt (command, opts, "chain", s_chains, &chain)))
        return rc;
    if (!ctl_opt (opts, "code"))
        return ctl_usage (command, "--code (the enterprise's credit code) is required");
    if (ctl_opt (opts, "budget") && !ctl_parse_amount (ctl_opt (opts, "budget"), &p.budget))
        return ctl_usage (command, "--budget: \"%s\" is not an amount (10k yuan)", ctl_opt (opts, "budget"));
    p.credit_code = (char *) ctl_opt_text (opts, "code");
    p.name = (char *) ctl_opt_text (opts, "name");
    p.kind = kind;
    p.chain_action = chain;
    p.tech_id = (char *) ctl_opt_text (opts, "tech");
    char buf [2048];
    Innov__ProjectMilestoneInput inputs [16], *ptrs [16];
    bool bad;
    Innov__ApplyProjectRequest req = INNOV__APPLY_PROJECT_REQUEST__INIT;
    req.project = &p;
    req.milestones = ptrs;
    req.n_milestones = s_milestones (ctl_opt (opts, "milestones"), buf, sizeof buf, inputs, ptrs, 16, &bad);
    if (bad)
        return ctl_usage (command, "--milestones: write \"标题@2026-06-30;标题@2026-10-31\"");
    char key [CTL_KEY_SIZE];
    req.idempotency_key = (char *) ctl_idempotency_key (opts, key);
    return s_call_show (ctl, "project.apply", &req.base, &s_project_kind);
}

static int
s_project_advance (ctl_t *ctl, int argc, char **argv, const char *sub, const char *to)
{
    char command [40];
    snprintf (command, sizeof command, "project %s", sub);
    ctl_opt_t opts [] = { { "reason", true, NULL }, { "idempotency-key", true, NULL }, { NULL } };
    const char *id;
    int rc = ctl_parse_one (command, argc, argv, opts, "the project id", &id);
    if (rc)
        return rc;
    if (streq (to, "rejected") && !ctl_opt (opts, "reason"))
        return ctl_usage (command, "--reason is required");
    Innov__AdvanceProjectRequest req = INNOV__ADVANCE_PROJECT_REQUEST__INIT;
    req.id = (char *) id;
    req.to = (char *) to;
    req.reason = (char *) ctl_opt_text (opts, "reason");
    char key [CTL_KEY_SIZE];
    req.idempotency_key = (char *) ctl_idempotency_key (opts, key);
    return s_call_show (ctl, "project.advance", &req.base, &s_project_kind);
}

static int
s_project_progress (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "project progress";
    ctl_opt_t opts [] = { { "milestone", true, NULL }, { "text", true, NULL }, { "percent", true, NULL },
                          { "done", false, NULL }, { "idempotency-key", true, NULL }, { NULL } };
    const char *id;
    int rc = ctl_parse_one (command, argc, argv, opts, "the project id", &id);
    if (rc)
        return rc;
    uint64_t milestone = 0, percent = 0;
    if (!ctl_opt (opts, "milestone") || !ctl_parse_uint (ctl_opt (opts, "milestone"), 100, &milestone))
        return ctl_usage (command, "--milestone N (1, 2, ...) is required");
    if (ctl_opt (opts, "percent") && !ctl_parse_uint (ctl_opt (opts, "percent"), 100, &percent))
        return ctl_usage (command, "--percent: 0 to 100");
    Innov__ProjectProgressRequest req = INNOV__PROJECT_PROGRESS_REQUEST__INIT;
    req.id = (char *) id;
    req.milestone = (uint32_t) milestone;
    req.text = (char *) ctl_opt_text (opts, "text");
    req.percent = (uint32_t) percent;
    req.done = ctl_opt (opts, "done") != NULL;
    char key [CTL_KEY_SIZE];
    req.idempotency_key = (char *) ctl_idempotency_key (opts, key);
    return s_call_show (ctl, "project.progress", &req.base, &s_project_kind);
}

static int
s_project_list (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "project list";
    ctl_opt_t opts [] = { { "year", true, NULL }, { "state", true, NULL }, { "city", true, NULL },
                          { "code", true, NULL }, { "limit", true, NULL }, { "cursor", true, NULL }, OUT_OPTS, { NULL } };
    Innov__ProjectListRequest req = INNOV__PROJECT_LIST_REQUEST__INIT;
    int rc = s_list_parse (command, argc, argv, opts, &req.year, NULL, NULL, NULL);
    if (rc || (rc = ctl_opt_limit (command, opts, &req.limit)))
        return rc;
    req.state = (char *) ctl_opt_text (opts, "state");
    req.city = (char *) ctl_opt_text (opts, "city");
    req.credit_code = (char *) ctl_opt_text (opts, "code");
    req.cursor = (char *) ctl_opt_text (opts, "cursor");
    bool all = ctl_opt (opts, "out") && !ctl_opt (opts, "limit");   /* an export takes every page */
    if (!req.limit)
        req.limit = all? 1000: 100;
    grid_t g;
    s_grid_init (&g, s_project_cols, PROJECT_COLS);
    uint64_t total = 0;
    char *cursor = NULL, *next = NULL;
    do {
        ProtobufCMessage *reply = NULL;
        rc = ctl_call (ctl, CATALOGUE, "project.list", &req.base, &innov__project_list_reply__descriptor, &reply);
        if (rc)
            break;
        Innov__ProjectListReply *list = (Innov__ProjectListReply *) reply;
        if (ctl->cfg->json && !ctl_opt (opts, "out"))
            ctl_print_json (reply);
        for (size_t i = 0; i < list->n_projects; i++)
            s_project_row (&g, list->projects [i]);
        total = list->total;
        free (next);
        next = *list->next_cursor? strdup (list->next_cursor): NULL;
        protobuf_c_message_free_unpacked (reply, NULL);
        free (cursor);
        cursor = next? strdup (next): NULL;
        req.cursor = cursor;
    } while (all && cursor);
    if (!rc && ctl->cfg->json && !ctl_opt (opts, "out"))
        s_grid_free (&g);
    else
    if (!rc) {
        if (!ctl_opt (opts, "out"))
            printf ("%zu of %llu projects%s%s\n", zlist_size (g.rows), (unsigned long long) total,
                    next? "; next page: --cursor ": "", next? next: "");
        rc = s_grid_output (&g, opts, command, "创新项目");
    }
    else
        s_grid_free (&g);
    free (cursor);
    free (next);
    return rc;
}

static void
s_print_plan (const ProtobufCMessage *reply)
{
    const Innov__ProjectPlan *plan = ((const Innov__ProjectPlanReply *) reply)->plan;
    printf ("%u 年度计划: 名额 %u, 已入选 %u, 已申报 %u\n", plan->year, plan->quota, plan->selected, plan->applied);
}

static int
s_project_quota (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "project quota";
    ctl_opt_t opts [] = { { "year", true, NULL }, { "set", true, NULL }, { "idempotency-key", true, NULL }, { NULL } };
    int rc = ctl_parse (command, argc, argv, opts, NULL, 0, NULL);
    Innov__ProjectQuotaRequest req = INNOV__PROJECT_QUOTA_REQUEST__INIT;
    if (rc || (rc = s_year_opt (command, opts, &req.year)))
        return rc;
    uint64_t quota = 0;
    if (ctl_opt (opts, "set") && (!ctl_parse_uint (ctl_opt (opts, "set"), 10000, &quota) || quota == 0))
        return ctl_usage (command, "--set: a quota from 1 to 10000");
    req.quota = (uint32_t) quota;
    char key [CTL_KEY_SIZE];
    req.idempotency_key = (char *) ctl_idempotency_key (opts, key);
    return ctl_call_print (ctl, CATALOGUE, "project.quota", &req.base, &innov__project_plan_reply__descriptor,
                           s_print_plan);
}

static void
s_print_figures (const ProtobufCMessage *reply)
{
    const Innov__FiguresReply *figures = (const Innov__FiguresReply *) reply;
    const char *headers [] = { "范围", "指标", "名称", "数值" };
    inv_table_t *table = inv_table_new (4, headers);
    inv_table_set_right (table, 3, true);
    for (size_t r = 0; r < figures->n_rows; r++)
        for (size_t i = 0; i < figures->rows [r]->n_figures; i++) {
            const Innov__Figure *f = figures->rows [r]->figures [i];
            char value [32];
            snprintf (value, sizeof value, "%.0f", f->value);
            const char *cells [] = { figures->rows [r]->scope, f->label, f->name, value };
            inv_table_add (table, cells);
        }
    inv_table_print (table, stdout);
    inv_table_destroy (&table);
}

static int
s_project_figures (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "project figures";
    ctl_opt_t opts [] = { { "scope", true, NULL }, { NULL } };
    int rc = ctl_parse (command, argc, argv, opts, NULL, 0, NULL);
    if (rc)
        return rc;
    Innov__FiguresRequest req = INNOV__FIGURES_REQUEST__INIT;
    req.scope = (char *) ctl_opt_text (opts, "scope");
    return ctl_call_print (ctl, CATALOGUE, "figures.get", &req.base, &innov__figures_reply__descriptor,
                           s_print_figures);
}

static const char s_project_usage [] =
    "usage: innovctl project apply --code C --name N --kind transformation|innovation --tech ID\n"
    "                              --chain build|extend|fill|strengthen|upgrade --budget B\n"
    "                              --milestones \"标题@2026-06-30;标题@2026-10-31\" [--year Y]\n"
    "       innovctl project review | select | fund | recommend ID\n"
    "       innovctl project reject ID --reason R\n"
    "       innovctl project progress ID --milestone N --text T [--percent P] [--done]\n"
    "       innovctl project get ID\n"
    "       innovctl project list [--year Y] [--state S] [--city C] [--code C] [--limit N] [--cursor X]\n"
    "                             [--out FILE [--format csv|xlsx]]\n"
    "       innovctl project quota [--year Y] [--set N]\n"
    "       innovctl project figures [--scope province|city:<code>|all]\n";

int
cmd_project (ctl_t *ctl, int argc, char **argv)
{
    static const char *steps [][2] = { { "review", "under_review" }, { "select", "selected" },
                                       { "reject", "rejected" }, { "fund", "fund_pool" },
                                       { "recommend", "recommended" } };
    static const ctl_sub_t subs [] = {
        { "apply", s_project_apply }, { "progress", s_project_progress }, { "list", s_project_list },
        { "quota", s_project_quota }, { "figures", s_project_figures }, { NULL } };
    static const group_t group = { "project", s_project_usage, subs, &s_project_kind, "the project id" };
    if (argc >= 1)
        for (size_t i = 0; i < sizeof steps / sizeof steps [0]; i++)
            if (streq (argv [0], steps [i][0]))
                return s_project_advance (ctl, argc - 1, argv + 1, steps [i][0], steps [i][1]);
    return s_group_run (ctl, &group, argc, argv);
}

/* ---- demo --------------------------------------------------------------------------------- */

static const col_t s_demo_cols [] = {
    { "编号", 12, false, true }, { "年度", 6, true, false }, { "类别", 16, false, true },
    { "统一社会信用代码", 22, false, true }, { "企业名称", 30, false, true }, { "市", 10, false, true },
    { "示范名称", 30, false, true }, { "可复制经验", 50, false, false }, { "推广应用企业", 40, false, false },
    { "推广企业数", 10, true, true },
};
#define DEMO_COLS (sizeof s_demo_cols / sizeof s_demo_cols [0])

static void
s_demo_row (grid_t *g, const void *record)
{
    const Innov__Demonstration *d = record;
    char *cells [DEMO_COLS] = {
        strdup (d->id), zsys_sprintf ("%u", d->year), strdup (s_label (s_demo_kinds, d->kind)),
        strdup (d->credit_code), strdup (d->enterprise_name), strdup (ctl_division_label (d->city)),
        strdup (d->title), strdup (d->experience), s_join (d->adopters, d->n_adopters, "、"),
        zsys_sprintf ("%zu", d->n_adopters)
    };
    s_grid_add (g, cells);
}

static const kind_t s_demo_kind = { s_demo_cols, DEMO_COLS, s_demo_row, &innov__demo_reply__descriptor, "demo" };

static int
s_demo_write (ctl_t *ctl, int argc, char **argv, bool adding)
{
    const char *command = adding? "demo add": "demo update";
    ctl_opt_t opts [] = { { "kind", true, NULL }, { "code", true, NULL }, { "title", true, NULL },
                          { "experience", true, NULL }, { "adopters", true, NULL }, { "year", true, NULL },
                          { "idempotency-key", true, NULL }, { NULL } };
    const char *id;
    int rc = s_write_parse (command, argc, argv, opts, adding, "the demonstration id (D2026-001)", &id);
    if (rc)
        return rc;
    Innov__Demonstration d = INNOV__DEMONSTRATION__INIT;
    int kind = 0;
    if ((rc = s_enum_opt (command, opts, "kind", s_demo_kinds, &kind)) || (rc = s_year_opt (command, opts, &d.year)))
        return rc;
    d.id = (char *) id;
    d.kind = kind;
    d.credit_code = (char *) ctl_opt_text (opts, "code");
    d.title = (char *) ctl_opt_text (opts, "title");
    d.experience = (char *) ctl_opt_text (opts, "experience");
    char buf [4096], *adopters [LIST_MAX];
    d.adopters = adopters;
    d.n_adopters = s_split (ctl_opt (opts, "adopters"), buf, sizeof buf, adopters, LIST_MAX, LIST_SEPS);
    Innov__DemoWriteRequest req = INNOV__DEMO_WRITE_REQUEST__INIT;
    req.demo = &d;
    char key [CTL_KEY_SIZE];
    req.idempotency_key = (char *) ctl_idempotency_key (opts, key);
    return s_call_show (ctl, adding? "demo.add": "demo.update", &req.base, &s_demo_kind);
}

static const list_t s_demo_list = {
    "demo list", "demo.list", { { "year", true, NULL }, { "kind", true, NULL }, { "city", true, NULL }, OUT_OPTS },
    { "year", "kind", "city" }, true, "kind", s_demo_kinds, &innov__demo_list_request__descriptor,
    &innov__demo_list_reply__descriptor, "demos", &s_demo_kind, NULL, "创新示范" };

static const char s_demo_usage [] =
    "usage: innovctl demo add --kind tech_innovation|smart_manufacturing|green_manufacturing|big_data|hydrogen|other\n"
    "                         --code C --title T [--experience E] [--adopters C1,C2] [--year Y]\n"
    "       innovctl demo update ID [--kind K] [--title T] [--experience E] [--adopters C1,C2]\n"
    "       innovctl demo get ID\n"
    "       innovctl demo list [--year Y] [--kind K] [--city C] [--out FILE [--format csv|xlsx]]\n";

int
cmd_demo (ctl_t *ctl, int argc, char **argv)
{
    static const ctl_sub_t subs [] = { { NULL } };
    static const group_t group = {
        "demo", s_demo_usage, subs, &s_demo_kind, "the id", s_demo_write, "update", &s_demo_list };
    return s_group_run (ctl, &group, argc, argv);
}

/* ---- policy ------------------------------------------------------------------------------- */

static const col_t s_policy_cols [] = {
    { "编号", 12, false, true }, { "政策名称", 30, false, true }, { "层级", 6, false, true },
    { "市", 10, false, false }, { "类别", 8, false, true }, { "发布单位", 20, false, false },
    { "文号", 20, false, false }, { "适用条件", 50, false, true }, { "摘要", 40, false, false },
    { "状态", 8, false, true },
};
#define POLICY_COLS (sizeof s_policy_cols / sizeof s_policy_cols [0])

/* The conditions in words. */
static char *
s_conditions_text (const Innov__Policy *p)
{
    const Innov__PolicyConditions *c = p->conditions;
    char *parts [8];
    size_t n = 0;
    if (c && c->n_industry_prefixes) {
        char *list = s_join (c->industry_prefixes, c->n_industry_prefixes, "/");
        parts [n++] = zsys_sprintf ("行业 %s", list);
        free (list);
    }
    if (c && c->n_clusters) {
        char *names [LIST_MAX];
        size_t k = 0;
        for (size_t i = 0; i < c->n_clusters && k < LIST_MAX; i++) {
            const inv_cluster_t *cluster = inv_cluster_find (c->clusters [i]);
            names [k++] = (char *) (cluster? cluster->name: c->clusters [i]);
        }
        char *list = s_join (names, k, "/");
        parts [n++] = zsys_sprintf ("集群 %s", list);
        free (list);
    }
    if (c && (c->min_revenue > 0 || c->max_revenue > 0))
        parts [n++] = c->max_revenue > 0? zsys_sprintf ("营业收入 %.0f-%.0f 万元", c->min_revenue, c->max_revenue)
                                        : zsys_sprintf ("营业收入 ≥ %.0f 万元", c->min_revenue);
    if (c && c->rd_institution)
        parts [n++] = strdup (c->rd_institution == 1? "有研发机构": "无研发机构");
    if (c && c->rd_activity)
        parts [n++] = strdup (c->rd_activity == 1? "有研发活动": "无研发活动");
    if (c && c->n_statuses) {
        char *list = s_join (c->statuses, c->n_statuses, "/");
        parts [n++] = zsys_sprintf ("状态 %s", list);
        free (list);
    }
    char *text = n? s_join (parts, n, "; "): strdup ("不限");
    for (size_t i = 0; i < n; i++)
        free (parts [i]);
    return text;
}

static void
s_policy_row (grid_t *g, const void *record)
{
    const Innov__Policy *p = record;
    char *cells [POLICY_COLS] = {
        strdup (p->id), strdup (p->title), strdup (s_label (s_levels, p->level)),
        strdup (*p->city? ctl_division_label (p->city): ""), strdup (p->kind), strdup (p->issuer),
        strdup (p->document), s_conditions_text (p), strdup (p->summary), strdup (s_state_label (p->state))
    };
    s_grid_add (g, cells);
}

static const kind_t s_policy_kind = {
    s_policy_cols, POLICY_COLS, s_policy_row, &innov__policy_reply__descriptor, "policy" };

static int
s_policy_write (ctl_t *ctl, int argc, char **argv, bool adding)
{
    const char *command = adding? "policy add": "policy update";
    ctl_opt_t opts [] = {
        { "title", true, NULL }, { "level", true, NULL }, { "city", true, NULL }, { "kind", true, NULL },
        { "issuer", true, NULL }, { "document", true, NULL }, { "summary", true, NULL },
        { "industries", true, NULL }, { "clusters", true, NULL }, { "min-revenue", true, NULL },
        { "max-revenue", true, NULL }, { "rd-institution", true, NULL }, { "rd-activity", true, NULL },
        { "statuses", true, NULL }, { "state", true, NULL }, { "idempotency-key", true, NULL }, { NULL } };
    const char *id;
    int rc = s_write_parse (command, argc, argv, opts, adding, "the policy id", &id);
    if (rc)
        return rc;
    /* an update starts from the stored policy */
    ProtobufCMessage *current = NULL;
    Innov__Policy p = INNOV__POLICY__INIT;
    Innov__PolicyConditions c = INNOV__POLICY_CONDITIONS__INIT;
    if (!adding) {
        Innov__CatalogueGetRequest get = INNOV__CATALOGUE_GET_REQUEST__INIT;
        get.id = (char *) id;
        if ((rc = ctl_call (ctl, CATALOGUE, "policy.get", &get.base, &innov__policy_reply__descriptor, &current)))
            return rc;
        p = *((Innov__PolicyReply *) current)->policy;
        if (p.conditions)
            c = *p.conditions;
    }
    p.conditions = &c;
    int level = p.level, rd_i = c.rd_institution, rd_a = c.rd_activity;
    if ((rc = s_enum_opt (command, opts, "level", s_levels, &level))
    ||  (rc = s_enum_opt (command, opts, "rd-institution", s_requirements, &rd_i))
    ||  (rc = s_enum_opt (command, opts, "rd-activity", s_requirements, &rd_a)))
        goto done;
    if ((ctl_opt (opts, "min-revenue") && !ctl_parse_amount (ctl_opt (opts, "min-revenue"), &c.min_revenue))
    ||  (ctl_opt (opts, "max-revenue") && !ctl_parse_amount (ctl_opt (opts, "max-revenue"), &c.max_revenue))) {
        rc = ctl_usage (command, "--min-revenue / --max-revenue: amounts in 10k yuan");
        goto done;
    }
    p.level = level;
    c.rd_institution = rd_i;
    c.rd_activity = rd_a;
    static const char *texts [] = { "title", "city", "kind", "issuer", "document", "summary", "state" };
    char **fields [] = { &p.title, &p.city, &p.kind, &p.issuer, &p.document, &p.summary, &p.state };
    for (size_t i = 0; i < sizeof texts / sizeof texts [0]; i++)
        if (ctl_opt (opts, texts [i]) || adding)
            *fields [i] = (char *) ctl_opt_text (opts, texts [i]);
    char ibuf [1024], kbuf [1024], sbuf [256], *industries [LIST_MAX], *clusters [LIST_MAX], *statuses [8];
    if (ctl_opt (opts, "industries")) {
        c.industry_prefixes = industries;
        c.n_industry_prefixes = s_split (ctl_opt (opts, "industries"), ibuf, sizeof ibuf, industries, LIST_MAX, LIST_SEPS);
    }
    if (ctl_opt (opts, "clusters")) {
        c.clusters = clusters;
        c.n_clusters = s_split (ctl_opt (opts, "clusters"), kbuf, sizeof kbuf, clusters, LIST_MAX, LIST_SEPS);
    }
    if (ctl_opt (opts, "statuses")) {
        c.statuses = statuses;
        c.n_statuses = s_split (ctl_opt (opts, "statuses"), sbuf, sizeof sbuf, statuses, 8, LIST_SEPS);
    }
    Innov__PolicyWriteRequest req = INNOV__POLICY_WRITE_REQUEST__INIT;
    req.policy = &p;
    char key [CTL_KEY_SIZE];
    req.idempotency_key = (char *) ctl_idempotency_key (opts, key);
    rc = s_call_show (ctl, adding? "policy.add": "policy.update", &req.base, &s_policy_kind);
done:
    if (current)
        protobuf_c_message_free_unpacked (current, NULL);
    return rc;
}

static const list_t s_policy_list = {
    "policy list", "policy.list", { { "level", true, NULL }, { "city", true, NULL }, { "kind", true, NULL }, OUT_OPTS },
    { "level", "city", "kind" }, false, "level", s_levels, &innov__policy_list_request__descriptor,
    &innov__policy_list_reply__descriptor, "policies", &s_policy_kind, NULL, "政策汇编" };

static const col_t s_menu_cols [] = {
    { "政策编号", 12, false, true }, { "政策名称", 30, false, true }, { "层级", 6, false, true },
    { "统一社会信用代码", 22, false, true }, { "企业名称", 30, false, true }, { "适用理由", 60, false, true },
};
#define MENU_COLS (sizeof s_menu_cols / sizeof s_menu_cols [0])

static void
s_menu_fill (grid_t *g, const ProtobufCMessage *reply, const void *arg, bool title)
{
    const Innov__PolicyMenuReply *menu = (const Innov__PolicyMenuReply *) reply;
    (void) arg;
    for (size_t i = 0; i < menu->n_items; i++)
        for (size_t k = 0; k < menu->items [i]->n_fits; k++) {
            const Innov__Policy *p = menu->items [i]->policy;
            const Innov__PolicyFit *fit = menu->items [i]->fits [k];
            char *cells [MENU_COLS] = {
                strdup (p->id), strdup (p->title), strdup (s_label (s_levels, p->level)),
                strdup (fit->credit_code), strdup (fit->enterprise_name), s_join (fit->reasons, fit->n_reasons, "；")
            };
            s_grid_add (g, cells);
        }
    if (title) {
        printf ("政策菜单%s%s: %zu 家企业, %zu 项政策适用\n", *menu->group? " ": "", menu->group,
                menu->n_enterprises, menu->n_items);
        for (size_t i = 0; i < menu->n_missing; i++)
            printf ("台账中没有: %s\n", menu->missing [i]);
    }
}

static int
s_policy_menu (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "policy menu";
    ctl_opt_t opts [] = { { "group", true, NULL }, { "codes", true, NULL }, OUT_OPTS, { NULL } };
    int rc = ctl_parse (command, argc, argv, opts, NULL, 0, NULL);
    if (rc || (rc = s_check_format (command, opts)))
        return rc;
    if (!ctl_opt (opts, "group") && !ctl_opt (opts, "codes"))
        return ctl_usage (command, "give --group ID or --codes C1,C2");
    Innov__PolicyMenuRequest req = INNOV__POLICY_MENU_REQUEST__INIT;
    req.group = (char *) ctl_opt_text (opts, "group");
    char buf [16384], *codes [500];
    req.enterprises = codes;
    req.n_enterprises = s_split (ctl_opt (opts, "codes"), buf, sizeof buf, codes, 500, LIST_SEPS);
    return s_call_grid (ctl, command, opts, "policy.menu", &req.base, &innov__policy_menu_reply__descriptor,
                        s_menu_cols, MENU_COLS, s_menu_fill, NULL, "政策菜单");
}

static const char s_policy_usage [] =
    "usage: innovctl policy add --title T --level central|provincial|city [--city C] [--kind K] [--issuer I]\n"
    "                           [--document D] [--summary S] [--industries 33,34] [--clusters K1,K2]\n"
    "                           [--min-revenue N] [--max-revenue N] [--rd-institution yes|no]\n"
    "                           [--rd-activity yes|no] [--statuses not_started,in_progress]\n"
    "       innovctl policy update ID [the flags of add] [--state active|expired]\n"
    "       innovctl policy get ID\n"
    "       innovctl policy list [--level L] [--city C] [--kind K] [--out FILE [--format csv|xlsx]]\n"
    "       innovctl policy menu --group ID | --codes C1,C2 [--out FILE [--format csv|xlsx]]\n";

int
cmd_policy (ctl_t *ctl, int argc, char **argv)
{
    static const ctl_sub_t subs [] = { { "menu", s_policy_menu }, { NULL } };
    static const group_t group = {
        "policy", s_policy_usage, subs, &s_policy_kind, "the id", s_policy_write, "update", &s_policy_list };
    return s_group_run (ctl, &group, argc, argv);
}

/* ---- support ------------------------------------------------------------------------------ */

static const col_t s_support_cols [] = {
    { "编号", 12, false, true }, { "年度", 6, true, false }, { "类别", 20, false, true },
    { "统一社会信用代码", 22, false, true }, { "企业名称", 30, false, true }, { "市", 10, false, true },
    { "产品/技术", 30, false, true }, { "说明", 40, false, false }, { "知识产权", 30, false, false },
};
#define SUPPORT_COLS (sizeof s_support_cols / sizeof s_support_cols [0])

static void
s_support_row (grid_t *g, const void *record)
{
    const Innov__SupportRecord *r = record;
    char *cells [SUPPORT_COLS] = {
        strdup (r->id), zsys_sprintf ("%u", r->year), strdup (s_label (s_support_kinds, r->kind)),
        strdup (r->credit_code), strdup (r->enterprise_name), strdup (ctl_division_label (r->city)),
        strdup (r->product), strdup (r->description), s_join (r->ip, r->n_ip, "、")
    };
    s_grid_add (g, cells);
}

static const kind_t s_support_kind = {
    s_support_cols, SUPPORT_COLS, s_support_row, &innov__support_reply__descriptor, "record" };

static int
s_support_add (ctl_t *ctl, int argc, char **argv)
{
    const char *command = "support add";
    ctl_opt_t opts [] = { { "kind", true, NULL }, { "code", true, NULL }, { "product", true, NULL },
                          { "description", true, NULL }, { "ip", true, NULL }, { "year", true, NULL },
                          { "idempotency-key", true, NULL }, { NULL } };
    int rc = ctl_parse (command, argc, argv, opts, NULL, 0, NULL);
    Innov__SupportRecord r = INNOV__SUPPORT_RECORD__INIT;
    int kind = 0;
    if (rc || (rc = s_enum_opt (command, opts, "kind", s_support_kinds, &kind))
    ||  (rc = s_year_opt (command, opts, &r.year)))
        return rc;
    r.kind = kind;
    r.credit_code = (char *) ctl_opt_text (opts, "code");
    r.product = (char *) ctl_opt_text (opts, "product");
    r.description = (char *) ctl_opt_text (opts, "description");
    char buf [2048], *ip [LIST_MAX];
    r.ip = ip;
    r.n_ip = s_split (ctl_opt (opts, "ip"), buf, sizeof buf, ip, LIST_MAX, LIST_SEPS);
    Innov__SupportWriteRequest req = INNOV__SUPPORT_WRITE_REQUEST__INIT;
    req.record = &r;
    char key [CTL_KEY_SIZE];
    req.idempotency_key = (char *) ctl_idempotency_key (opts, key);
    return s_call_show (ctl, "support.add", &req.base, &s_support_kind);
}

static const list_t s_support_list = {
    "support list", "support.list",
    { { "year", true, NULL }, { "kind", true, NULL }, { "city", true, NULL }, { "code", true, NULL }, OUT_OPTS },
    { "year", "kind", "city", "credit_code" }, true, "kind", s_support_kinds, &innov__support_list_request__descriptor,
    &innov__support_list_reply__descriptor, "records", &s_support_kind, NULL, "保障目录" };

static const char s_support_usage [] =
    "usage: innovctl support add --kind procurement|first_unit|first_batch|first_version|innovation_board\n"
    "                            --code C [--product P] [--description D] [--ip IP1,IP2] [--year Y]\n"
    "       innovctl support get ID\n"
    "       innovctl support list [--year Y] [--kind K] [--city C] [--code C] [--out FILE [--format csv|xlsx]]\n";

int
cmd_support (ctl_t *ctl, int argc, char **argv)
{
    static const ctl_sub_t subs [] = { { "add", s_support_add }, { NULL } };
    static const group_t group = {
        "support", s_support_usage, subs, &s_support_kind, "the id", NULL, NULL, &s_support_list };
    return s_group_run (ctl, &group, argc, argv);
}
