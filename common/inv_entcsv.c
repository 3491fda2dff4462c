/*  inv_entcsv: header names and row conversion of the enterprise spreadsheet.

    One table (s_columns) holds each column's proto field, whether the file must have
    it, and its accepted header names; the first Chinese name is the one exports use.
    Headers are normalised (trimmed, full-width parentheses made ASCII, ASCII lower
    case) before they are compared with the table's names, normalised the same way.
*/
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "inv_entcsv.h"
#include "inv_csv.h"

#define NAMES_MAX 5

static const struct {
    const char *field;
    bool required;
    const char *names [NAMES_MAX];          /* [0] English, [1] the Chinese exports use */
} s_columns [INV_COL_COUNT] = {
    [INV_COL_CREDIT_CODE] = { "credit_code", true, { "credit_code", "统一社会信用代码", "社会信用代码", "信用代码" } },
    [INV_COL_NAME]        = { "name", true, { "name", "企业名称", "名称" } },
    [INV_COL_COUNTY]      = { "county", true, { "county", "县区代码", "县(市、区)代码", "区县代码" } },
    [INV_COL_INDUSTRY]    = { "industry", true, { "industry", "行业代码" } },
    [INV_COL_DEPARTMENT]  = { "department", true, { "department", "主管部门" } },
    [INV_COL_CLUSTER]     = { "cluster", false, { "cluster", "产业集群" } },
    [INV_COL_REVENUE]     = { "operating_revenue", false, { "operating_revenue", "营业收入(万元)", "营业收入" } },
    [INV_COL_RD]          = { "rd_expenditure", false, { "rd_expenditure", "研发费用(万元)", "研发费用" } },
    [INV_COL_HAS_INST]    = { "has_rd_institution", false, { "has_rd_institution", "是否有研发机构" } },
    [INV_COL_HAS_ACT]     = { "has_rd_activity", false, { "has_rd_activity", "是否有研发活动" } },
    [INV_COL_STATUS]      = { "status", false, { "status", "状态", "创新活动状态" } },
};

const char *
inv_entcsv_field (inv_col_t col)
{
    return col < INV_COL_COUNT? s_columns [col].field: "";
}

const char *
inv_entcsv_chinese (inv_col_t col)
{
    return col < INV_COL_COUNT? s_columns [col].names [1]: "";
}

int
inv_entcsv_col_of_field (const char *field)
{
    if (strncmp (field, "enterprise.", 11) == 0)
        field += 11;
    for (int c = 0; c < INV_COL_COUNT; c++)
        if (strcmp (field, s_columns [c].field) == 0)
            return c;
    return -1;
}

/* Normalised header into out: trimmed, （） -> (), ASCII lower case, no BOM. */
static void
s_normalise (const char *text, char *out, size_t size)
{
    char buf [256];
    if (strncmp (text, "\xEF\xBB\xBF", 3) == 0)
        text += 3;
    snprintf (buf, sizeof buf, "%s", text);
    inv_csv_trim (buf);
    size_t n = 0;
    for (const char *p = buf; *p && n + 1 < size; ) {
        if (strncmp (p, "（", 3) == 0) {
            out [n++] = '(';
            p += 3;
        }
        else
        if (strncmp (p, "）", 3) == 0) {
            out [n++] = ')';
            p += 3;
        }
        else
        if (*p == ' ' && (p [1] == '(' || strncmp (p + 1, "（", 3) == 0))
            p++;                                /* "营业收入 (万元)" */
        else
            out [n++] = (char) tolower ((unsigned char) *p++);
    }
    out [n] = 0;
}

int
inv_entcsv_col_of_header (const char *header)
{
    char wanted [256];
    s_normalise (header, wanted, sizeof wanted);
    for (int c = 0; c < INV_COL_COUNT; c++)
        for (int k = 0; k < NAMES_MAX && s_columns [c].names [k]; k++) {
            char name [256];
            s_normalise (s_columns [c].names [k], name, sizeof name);
            if (strcmp (wanted, name) == 0)
                return c;
        }
    return -1;
}

int
inv_entcsv_map (inv_entcsv_map_t *map, char **fields, size_t count, char *err, size_t err_size)
{
    memset (map, 0, sizeof *map);
    for (int c = 0; c < INV_COL_COUNT; c++)
        map->index [c] = -1;
    map->width = count;
    for (size_t i = 0; i < count; i++) {
        int c = inv_entcsv_col_of_header (fields [i]);
        if (c >= 0 && map->index [c] < 0) {
            map->index [c] = (int) i;
            char header [256];
            snprintf (header, sizeof header, "%s", fields [i]);
            if (strncmp (header, "\xEF\xBB\xBF", 3) == 0)
                memmove (header, header + 3, strlen (header + 3) + 1);
            snprintf (map->header [c], sizeof map->header [c], "%s", inv_csv_trim (header));
        }
    }
    size_t n = 0;
    if (err && err_size)
        err [0] = 0;
    for (int c = 0; c < INV_COL_COUNT; c++)
        if (s_columns [c].required && map->index [c] < 0 && err) {
            n += snprintf (err + n, n < err_size? err_size - n: 0, "%s%s (%s)", n? ", ": "missing column ",
                           s_columns [c].names [1], s_columns [c].field);
            if (n >= err_size)
                n = err_size - 1;
        }
    return err && *err? -1: 0;
}

/* ---- values --------------------------------------------------------------------------- */

bool
inv_entcsv_yes_no (const char *text, bool *out)
{
    static const char *yes [] = { "是", "有", "y", "yes", "true", "1", NULL };
    static const char *no [] = { "否", "无", "n", "no", "false", "0", "", NULL };
    for (int i = 0; yes [i]; i++)
        if (strcasecmp (text, yes [i]) == 0)
            return (*out = true);
    for (int i = 0; no [i]; i++)
        if (strcasecmp (text, no [i]) == 0) {
            *out = false;
            return true;
        }
    return false;
}

bool
inv_entcsv_amount (const char *text, double *out)
{
    char digits [64];
    size_t n = 0;
    for (const char *p = text; *p; p++)
        if (*p != ',') {
            if (n + 1 >= sizeof digits)
                return false;
            digits [n++] = *p;
        }
    digits [n] = 0;
    if (n == 0) {
        *out = 0;
        return true;
    }
    char *end = NULL;
    errno = 0;
    double value = strtod (digits, &end);
    if (*end || errno || !isfinite (value))
        return false;
    *out = value;
    return true;
}

static const struct { int value; const char *key, *label; } s_statuses [] = {
    { INNOV__INNOVATION_STATUS__NOT_STARTED, "not_started", "未开展" },
    { INNOV__INNOVATION_STATUS__IN_PROGRESS, "in_progress", "推进中" },
    { INNOV__INNOVATION_STATUS__ACTIVE,      "active",      "已开展" },
    { INNOV__INNOVATION_STATUS__CLOSED,      "closed",      "已销号" },
};

int
inv_entcsv_status (const char *text)
{
    if (!*text)
        return INNOV__INNOVATION_STATUS__NOT_STARTED;
    for (size_t i = 0; i < sizeof s_statuses / sizeof s_statuses [0]; i++)
        if (strcasecmp (text, s_statuses [i].key) == 0 || strcmp (text, s_statuses [i].label) == 0)
            return s_statuses [i].value;
    return -1;
}

const char *
inv_entcsv_status_label (int status)
{
    for (size_t i = 0; i < sizeof s_statuses / sizeof s_statuses [0]; i++)
        if (s_statuses [i].value == status)
            return s_statuses [i].label;
    return "";
}

const char *
inv_entcsv_status_key (int status)
{
    for (size_t i = 0; i < sizeof s_statuses / sizeof s_statuses [0]; i++)
        if (s_statuses [i].value == status)
            return s_statuses [i].key;
    return "";
}

/* ---- rows ----------------------------------------------------------------------------- */

static void
s_fault (int c, const char *header, int *col, char *reason, size_t size, const char *fmt, const char *value)
{
    size_t used = strlen (reason);
    if (*col < 0)
        *col = c;
    char text [320];
    snprintf (text, sizeof text, fmt, value);
    snprintf (reason + used, used < size? size - used: 0, "%s%s: %s", used? "; ": "", header, text);
}

int
inv_entcsv_row (const inv_entcsv_map_t *map, char **fields, size_t count,
                Innov__Enterprise *e, int *col, char *reason, size_t reason_size)
{
    innov__enterprise__init (e);
    *col = -1;
    reason [0] = 0;
    char *value [INV_COL_COUNT];
    for (int c = 0; c < INV_COL_COUNT; c++) {
        value [c] = (char *) "";
        if (map->index [c] < 0)
            continue;
        if ((size_t) map->index [c] >= count) {
            char text [64];
            snprintf (text, sizeof text, "%zu", count);
            s_fault (c, map->header [c], col, reason, reason_size,
                     "missing column: the row has %s fields, fewer than the header", text);
            continue;
        }
        value [c] = inv_csv_trim (fields [map->index [c]]);
    }
    e->credit_code = value [INV_COL_CREDIT_CODE];
    e->name = value [INV_COL_NAME];
    e->county = value [INV_COL_COUNTY];
    e->industry = value [INV_COL_INDUSTRY];
    e->department = value [INV_COL_DEPARTMENT];
    e->cluster = value [INV_COL_CLUSTER];
    if (!inv_entcsv_amount (value [INV_COL_REVENUE], &e->operating_revenue))
        s_fault (INV_COL_REVENUE, map->header [INV_COL_REVENUE], col, reason, reason_size,
                 "\"%.64s\" is not a number (10k yuan)", value [INV_COL_REVENUE]);
    if (!inv_entcsv_amount (value [INV_COL_RD], &e->rd_expenditure))
        s_fault (INV_COL_RD, map->header [INV_COL_RD], col, reason, reason_size,
                 "\"%.64s\" is not a number (10k yuan)", value [INV_COL_RD]);
    bool yes = false;
    if (!inv_entcsv_yes_no (value [INV_COL_HAS_INST], &yes))
        s_fault (INV_COL_HAS_INST, map->header [INV_COL_HAS_INST], col, reason, reason_size,
                 "\"%.64s\" is not 是/否 (Y/N, 1/0, true/false)", value [INV_COL_HAS_INST]);
    e->has_rd_institution = yes;
    yes = false;
    if (!inv_entcsv_yes_no (value [INV_COL_HAS_ACT], &yes))
        s_fault (INV_COL_HAS_ACT, map->header [INV_COL_HAS_ACT], col, reason, reason_size,
                 "\"%.64s\" is not 是/否 (Y/N, 1/0, true/false)", value [INV_COL_HAS_ACT]);
    e->has_rd_activity = yes;
    int status = inv_entcsv_status (value [INV_COL_STATUS]);
    if (status < 0)
        s_fault (INV_COL_STATUS, map->header [INV_COL_STATUS], col, reason, reason_size,
                 "\"%.64s\" is not a status (未开展/推进中/已开展/已销号 or not_started, in_progress, active, closed)",
                 value [INV_COL_STATUS]);
    else
        e->status = (Innov__InnovationStatus) status;
    return *col >= 0? -1: 0;
}
